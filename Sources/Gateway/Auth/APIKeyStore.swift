import Crypto

#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// API keys, kept only as SHA-256 digests: a leaked configuration or heap dump does not reveal
/// a usable key. A presented key is hashed and looked up; each digest maps to one trader.
public struct APIKeyStore: Sendable {
    /// Keyed by the raw 32 digest bytes (hashing a presented key costs no hex formatting, and no
    /// array: it runs on every request).
    private var traderByDigest: [DigestKey: String] = [:]

    private struct DigestKey: Hashable {
        var words: (UInt64, UInt64, UInt64, UInt64)

        init(_ bytes: UnsafeRawBufferPointer) {
            words = (
                bytes.loadUnaligned(fromByteOffset: 0, as: UInt64.self), bytes.loadUnaligned(fromByteOffset: 8, as: UInt64.self),
                bytes.loadUnaligned(fromByteOffset: 16, as: UInt64.self), bytes.loadUnaligned(fromByteOffset: 24, as: UInt64.self))
        }

        /// The digest of a presented key.
        init(hashing key: String) {
            var hasher = SHA256()
            var key = key
            key.withUTF8 { hasher.update(bufferPointer: UnsafeRawBufferPointer($0)) }
            self = hasher.finalize().withUnsafeBytes { DigestKey($0) }
        }

        static func == (a: DigestKey, b: DigestKey) -> Bool { a.words == b.words }

        func hash(into hasher: inout Hasher) {
            hasher.combine(words.0)
            hasher.combine(words.1)
            hasher.combine(words.2)
            hasher.combine(words.3)
        }
    }

    public init() {}

    /// Lowercase hex SHA-256 of a key, the form the configuration file stores.
    public static func digest(of key: String) -> String {
        SHA256.hash(data: Array(key.utf8)).map { byte in
            let hex = String(byte, radix: 16)
            return byte < 16 ? "0" + hex : hex
        }.joined()
    }

    public var isEmpty: Bool { traderByDigest.isEmpty }
    public var count: Int { traderByDigest.count }

    /// Registers a plain key (hashed immediately; the plain text is not kept).
    public mutating func add(trader: String, key: String) {
        traderByDigest[DigestKey(hashing: key)] = trader
    }

    /// Registers a key by its hex SHA-256 digest.
    public mutating func add(trader: String, digest: String) throws(ConfigurationError) {
        let hex = digest.lowercased()
        guard hex.utf8.count == 64, hex.utf8.allSatisfy({ ($0 >= 48 && $0 <= 57) || ($0 >= 97 && $0 <= 102) }) else {
            throw ConfigurationError("api key digest for trader '\(trader)' is not 64 hex characters")
        }
        var bytes: [UInt8] = []
        var index = hex.utf8.startIndex
        while index != hex.utf8.endIndex {
            let next = hex.utf8.index(index, offsetBy: 2)
            bytes.append(UInt8(hex.utf8[index..<next].reduce(0) { $0 * 16 + Int($1 >= 97 ? $1 - 87 : $1 - 48) }))
            index = next
        }
        traderByDigest[bytes.withUnsafeBytes { DigestKey($0) }] = trader
    }

    /// The trader owning `key`, or nil.
    public func trader(forKey key: String) -> String? {
        traderByDigest[DigestKey(hashing: key)]
    }

    /// Parses `trader:key,trader:key` (the `EXCHANGE_API_KEYS` variable).
    public mutating func addPairs(_ text: String, hashed: Bool) throws(ConfigurationError) {
        for pair in text.split(separator: ",") where !pair.trimmingCharacters(in: .whitespaces).isEmpty {
            let parts = pair.split(separator: ":", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
            guard parts.count == 2, !parts[0].isEmpty, !parts[1].isEmpty else {
                throw ConfigurationError("api key entry '\(pair)' is not trader:key")
            }
            if hashed { try add(trader: parts[0], digest: parts[1]) } else { add(trader: parts[0], key: parts[1]) }
        }
    }
}

/// A configuration problem, reported at start-up with what to fix.
public struct ConfigurationError: Error, CustomStringConvertible, Sendable {
    public var description: String
    public init(_ description: String) { self.description = description }
}
