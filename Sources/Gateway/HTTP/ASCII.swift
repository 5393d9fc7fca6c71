/// Case-insensitive ASCII comparisons of header values on their UTF-8 bytes: they run on every
/// request, where `lowercased()` would allocate and Foundation's `contains` goes through CFString.
enum ASCII {
    static func lower(_ byte: UInt8) -> UInt8 {
        byte >= UInt8(ascii: "A") && byte <= UInt8(ascii: "Z") ? byte | 0x20 : byte
    }

    /// Whether `text` starts with `prefix` (given in lower case), ignoring ASCII case.
    static func hasPrefix(_ text: String, caseInsensitive prefix: StaticString) -> Bool {
        let head = text.utf8.prefix(prefix.utf8CodeUnitCount)
        return head.count == prefix.utf8CodeUnitCount
            && prefix.withUTF8Buffer { expected in zip(head, expected).allSatisfy { lower($0) == $1 } }
    }

    /// Whether `text` is `word` (given in lower case), ignoring ASCII case.
    static func equals(_ text: String, caseInsensitive word: StaticString) -> Bool {
        text.utf8.count == word.utf8CodeUnitCount && hasPrefix(text, caseInsensitive: word)
    }

    /// Whether `text` contains `word` (given in lower case), ignoring ASCII case.
    static func contains(_ text: String, caseInsensitive word: StaticString) -> Bool {
        let bytes = Array(text.utf8)
        return word.withUTF8Buffer { expected in
            guard expected.count <= bytes.count else { return false }
            return (0...(bytes.count - expected.count)).contains { start in
                expected.indices.allSatisfy { lower(bytes[start + $0]) == expected[$0] }
            }
        }
    }
}
