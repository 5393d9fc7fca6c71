import Crypto

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
enum OrderID {
    static func random() -> String { UUID().uuidString.lowercased() }

    static func derived(trader: String, idempotencyKey: String) -> String {
        var input = Array("exchange-order-id\u{1F}".utf8)
        input += trader.utf8
        input.append(0x1F)
        input += idempotencyKey.utf8
        var bytes = Array(SHA256.hash(data: input).prefix(16))
        bytes[6] = (bytes[6] & 0x0F) | 0x80  // version 8 (custom)
        bytes[8] = (bytes[8] & 0x3F) | 0x80  // RFC 9562 variant
        let hex = "0123456789abcdef".utf8.map { $0 }
        var text: [UInt8] = []
        text.reserveCapacity(36)
        for (i, byte) in bytes.enumerated() {
            if i == 4 || i == 6 || i == 8 || i == 10 { text.append(UInt8(ascii: "-")) }
            text.append(hex[Int(byte >> 4)])
            text.append(hex[Int(byte & 0x0F)])
        }
        return String(decoding: text, as: UTF8.self)
    }
}
