import Crypto
import Synchronization

#if canImport(Glibc)
import Glibc
#endif

#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// Order ids the gateway assigns.
///
/// A request without an idempotency key gets a random UUID. A request with one (`Idempotency-Key` or
/// `client_order_id`) gets a UUID derived from the trader and the key (SHA-256, formatted as an RFC 9562 version 8
/// UUID), so a retry reaches `incoming_orders` with the same `order_id` even when it lands on another gateway
/// instance or after a restart; the matching engine rejects a second order with a used id (`DUPLICATE_ORDER_ID`),
/// so the retry can never trade twice.
enum OrderId {
    /// A random (version 4) UUID. Drawn from a pool refilled by one read of the kernel's CSPRNG per 256 ids:
    /// Foundation's `UUID()` costs a system call (and on some systems a file open) per id.
    static func random() -> String {
        var bytes = randomPool.withLock { $0.next16() }
        bytes[6] = (bytes[6] & 0x0F) | 0x40  // version 4
        bytes[8] = (bytes[8] & 0x3F) | 0x80  // RFC 9562 variant
        return format(bytes)
    }

    static func derived(trader: String, idempotencyKey: String) -> String {
        var input = Array("exchange-order-id\u{1F}".utf8)
        input += trader.utf8
        input.append(0x1F)
        input += idempotencyKey.utf8
        var bytes = Array(SHA256.hash(data: input).prefix(16))
        bytes[6] = (bytes[6] & 0x0F) | 0x80  // version 8 (custom)
        bytes[8] = (bytes[8] & 0x3F) | 0x80  // RFC 9562 variant
        return format(bytes)
    }

    /// The 8-4-4-4-12 lower-case hex form of 16 bytes.
    static func format(_ bytes: [UInt8]) -> String {
        let hex: StaticString = "0123456789abcdef"
        return String(unsafeUninitializedCapacity: 36) { text in
            hex.withUTF8Buffer { digits in
                var at = 0
                for (i, byte) in bytes.enumerated() {
                    if i == 4 || i == 6 || i == 8 || i == 10 {
                        text[at] = UInt8(ascii: "-")
                        at += 1
                    }
                    text[at] = digits[Int(byte >> 4)]
                    text[at + 1] = digits[Int(byte & 0x0F)]
                    at += 2
                }
            }
            return 36
        }
    }

    private static let randomPool = Mutex(RandomPool())

    /// Bytes from the kernel's CSPRNG, handed out 16 at a time.
    struct RandomPool: ~Copyable {
        private var bytes = [UInt8](repeating: 0, count: 4096)
        private var used = 4096

        mutating func next16() -> [UInt8] {
            if used + 16 > bytes.count {
                refill()
                used = 0
            }
            defer { used += 16 }
            return Array(bytes[used..<used + 16])
        }

        private mutating func refill() {
            #if canImport(Glibc)
            let fd = open("/dev/urandom", O_RDONLY | O_CLOEXEC)
            if fd >= 0 {
                defer { close(fd) }
                let filled = bytes.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
                if filled == bytes.count { return }
            }
            #endif
            var generator = SystemRandomNumberGenerator()
            for i in bytes.indices { bytes[i] = generator.next() }
        }
    }
}
