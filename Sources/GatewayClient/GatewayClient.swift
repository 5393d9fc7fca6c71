import ExchangeRecords
import Gateway
import HummingbirdWSClient
import Logging
import NIOCore
import NIOHTTP1
import NIOPosix

/// A small HTTP/1.1 keep-alive client for the gateway's own tools (`exchange trader`,
/// `exchange load`): one connection, requests in sequence, JSON in and out.
public struct GatewayClient: Sendable {
    public struct Response: Sendable {
        public var status: Int
        public var headers: [(String, String)]
        public var body: [UInt8]

        public var json: JSONValue? { try? JSONValue.parse(body) }
        public var text: String { String(decoding: body, as: UTF8.self) }
        public func header(_ name: String) -> String? {
            headers.first { $0.0.lowercased() == name.lowercased() }?.1
        }
    }

    public struct ConnectionClosed: Error, CustomStringConvertible {
        public var description: String { "the gateway closed the connection" }
    }

    public var host: String
    public var port: Int
    public var token: String?

    public init(host: String, port: Int, token: String?) {
        self.host = host
        self.port = port
        self.token = token
    }

    /// Opens one connection and runs `body` with it; the connection closes afterwards.
    public func withConnection<R: Sendable>(_ body: (inout Connection) async throws -> R) async throws -> R {
        let channel = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .channelOption(.socketOption(.tcp_nodelay), value: 1)
            .connect(host: host, port: port) { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHTTPClientHandlers()
                    return try NIOAsyncChannel<HTTPClientResponsePart, HTTPClientRequestPart>(wrappingChannelSynchronously: channel)
                }
            }
        return try await channel.executeThenClose { inbound, outbound in
            var connection = Connection(iterator: inbound.makeAsyncIterator(), outbound: outbound, client: self)
            return try await body(&connection)
        }
    }

    /// One request on its own connection.
    public func send(_ method: String, _ path: String, body: String? = nil, headers: [(String, String)] = []) async throws -> Response {
        try await withConnection { try await $0.send(method, path, body: body, headers: headers) }
    }

    /// Opens the WebSocket, subscribes to `symbols`, and hands every text frame to `onFrame`
    /// until the server closes the connection.
    public func watch(symbols: [String], onFrame: @escaping @Sendable (String) async -> Void) async throws {
        var configuration = WebSocketClientConfiguration()
        if let token { configuration.additionalHeaders = [.authorization: "Bearer \(token)"] }
        let subscribe = JSONValue.object([("a", .string("subscribe")), ("v", .array(symbols.map(JSONValue.string)))]).serialized()
        try await WebSocketClient.connect(
            url: "ws://\(host):\(port)/v1/ws", configuration: configuration, logger: Logger(label: "exchange.gateway-client")
        ) { inbound, outbound, _ in
            if !symbols.isEmpty { try await outbound.write(.text(subscribe)) }
            for try await message in inbound.messages(maxSize: 1 << 20) {
                if case .text(let text) = message { await onFrame(text) }
            }
        }
    }

    public struct Connection {
        var iterator: NIOAsyncChannelInboundStream<HTTPClientResponsePart>.AsyncIterator
        let outbound: NIOAsyncChannelOutboundWriter<HTTPClientRequestPart>
        let client: GatewayClient

        public mutating func send(_ method: String, _ path: String, body: String? = nil, headers: [(String, String)] = []) async throws -> Response {
            let nioMethod = HTTPMethod(rawValue: method.uppercased())
            var head = HTTPRequestHead(version: .http1_1, method: nioMethod, uri: path)
            head.headers.add(name: "Host", value: "\(client.host):\(client.port)")
            if let token = client.token { head.headers.add(name: "Authorization", value: "Bearer \(token)") }
            for (name, value) in headers { head.headers.add(name: name, value: value) }
            let buffer = body.map { ByteBuffer(string: $0) }
            if let buffer {
                head.headers.add(name: "Content-Type", value: "application/json")
                head.headers.add(name: "Content-Length", value: String(buffer.readableBytes))
            } else if nioMethod == .POST || nioMethod == .PUT {
                head.headers.add(name: "Content-Length", value: "0")
            }
            try await outbound.write(.head(head))
            if let buffer { try await outbound.write(.body(.byteBuffer(buffer))) }
            try await outbound.write(.end(nil))

            var response = Response(status: 0, headers: [], body: [])
            while let part = try await iterator.next() {
                switch part {
                case .head(let h):
                    response.status = Int(h.status.code)
                    response.headers = h.headers.map { ($0.name, $0.value) }
                case .body(let b):
                    response.body += b.readableBytesView
                case .end:
                    return response
                }
            }
            throw ConnectionClosed()
        }
    }
}
