// swift-tools-version:6.1
// libFuzzer harnesses over the parsers that read outside input. Built by `.ci/fuzz`, which passes
// `-sanitize=fuzzer -parse-as-library` to every Swift module (with -Xswiftc) so the parsers in the root
// package are coverage-instrumented too, not only the harnesses; a plain `swift build` here would link no
// fuzzer main and is not meant to work.
import PackageDescription

let harnesses = ["JSONFuzzer", "OrderRequestFuzzer", "RecordCodecsFuzzer", "JWTFuzzer", "InstrumentFileFuzzer"]

let package = Package(
    name: "kafka-exchange-fuzz",
    platforms: [.macOS(.v14)],
    products: harnesses.map { .executable(name: $0, targets: [$0]) },
    dependencies: [
        // Named: a path dependency is otherwise known by its folder's name, which differs between clones.
        .package(name: "kafka-exchange", path: ".."),
        .package(url: "https://github.com/apple/swift-crypto", from: "3.12.3"),
    ],
    targets: [
        // libFuzzer's driver, declared (the library itself comes with -sanitize=fuzzer).
        .systemLibrary(name: "CLibFuzzer"),
        .target(name: "FuzzSupport", dependencies: ["CLibFuzzer"]),
        .executableTarget(name: "JSONFuzzer", dependencies: ["FuzzSupport", records]),
        .executableTarget(name: "OrderRequestFuzzer", dependencies: ["FuzzSupport", gateway, records]),
        .executableTarget(name: "RecordCodecsFuzzer", dependencies: ["FuzzSupport", records]),
        .executableTarget(
            name: "JWTFuzzer",
            dependencies: [
                "FuzzSupport", gateway, records,
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "_CryptoExtras", package: "swift-crypto"),
            ]),
        .executableTarget(
            name: "InstrumentFileFuzzer",
            dependencies: ["FuzzSupport", gateway, records, .product(name: "MatchingEngine", package: "kafka-exchange")]),
    ]
)

var gateway: Target.Dependency { .product(name: "Gateway", package: "kafka-exchange") }
var records: Target.Dependency { .product(name: "ExchangeRecords", package: "kafka-exchange") }
