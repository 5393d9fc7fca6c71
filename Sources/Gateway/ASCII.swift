import HTTPTypes

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

extension HTTPFields {
    /// `self[name]` (every field of the name, joined with ", "), without building a new string for
    /// the usual single field: the subscript always joins, which showed in per-request profiles.
    func value(_ name: HTTPField.Name) -> String? {
        var first: String?
        var more = false
        for field in self where field.name == name {
            if first == nil { first = field.value } else { more = true }
        }
        return more ? self[name] : first
    }

    func contains(_ name: HTTPField.Name) -> Bool {
        contains { $0.name == name }
    }
}
