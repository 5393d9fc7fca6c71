# syntax=docker/dockerfile:1
#
# The `exchange` binary in a small Debian bookworm image. Every stage of the exchange (gateway, split,
# match, sma, profit, top, clock, ...) runs from this one image; docker-compose.yml picks the subcommand.
#
#   docker build -t kafka-exchange .
#   docker run --rm kafka-exchange --help
#
# Build stage: the official Swift toolchain image on Debian 12 (bookworm), plus Debian's librdkafka-dev,
# the same librdkafka (2.0.2) the project is developed and tested against.
ARG SWIFT_IMAGE=swift:6.3.1-bookworm
ARG RUNTIME_IMAGE=debian:bookworm-slim

FROM ${SWIFT_IMAGE} AS build
RUN export DEBIAN_FRONTEND=noninteractive \
    && apt-get -q update \
    && apt-get -q install -y --no-install-recommends librdkafka-dev libjemalloc-dev libsqlite3-dev pkg-config \
    && rm -rf /var/lib/apt/lists/*

WORKDIR /build
# Resolve dependencies first so this layer is cached while only sources change.
COPY Package.swift ./
RUN swift package resolve
COPY Sources ./Sources
COPY Tests ./Tests
# The Swift standard library and Foundation are linked statically, so the runtime image needs no Swift
# toolchain; librdkafka and jemalloc stay shared libraries from Debian (librdkafka1 and libjemalloc2 at run time).
RUN swift build -c release --product exchange --static-swift-stdlib \
    && mkdir -p /staging \
    && cp "$(swift build -c release --show-bin-path)/exchange" /staging/ \
    && cp /usr/libexec/swift/linux/swift-backtrace-static /staging/
# The instrument list and the ksqlDB statements travel with the binary (read-only).
COPY config /staging/config
COPY ksql /staging/ksql

# Runtime stage: slim Debian with the shared libraries of librdkafka, jemalloc and SQLite only.
FROM ${RUNTIME_IMAGE} AS runtime
RUN export DEBIAN_FRONTEND=noninteractive \
    && apt-get -q update \
    && apt-get -q install -y --no-install-recommends librdkafka1 libjemalloc2 libsqlite3-0 ca-certificates tzdata \
    && rm -rf /var/lib/apt/lists/* \
    && useradd --system --create-home --home-dir /home/exchange --uid 10001 --user-group exchange

COPY --from=build --chown=root:root /staging/exchange /staging/swift-backtrace-static /usr/local/bin/
COPY --from=build --chown=root:root /staging/config /usr/share/exchange/config
COPY --from=build --chown=root:root /staging/ksql /usr/share/exchange/ksql

# Swift's crash backtracer: readable stack traces in container logs if a process ever traps.
ENV SWIFT_BACKTRACE=enable=yes,sanitize=yes,threads=all,images=all,interactive=no,swift-backtrace=/usr/local/bin/swift-backtrace-static

USER exchange:exchange
# Commands find config/instruments.json (their default path) relative to this directory.
WORKDIR /usr/share/exchange
# The gateway's HTTP/WebSocket port (see `exchange gateway --help`).
EXPOSE 8080
ENTRYPOINT ["/usr/local/bin/exchange"]
CMD ["--help"]
