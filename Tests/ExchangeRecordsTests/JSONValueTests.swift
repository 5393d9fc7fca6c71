import ExchangeRecords
import Testing

@Suite struct JSONValueTests {
    @Test(arguments: ["plain-id_42", "", "quote \" back \\ slash", "line\nbreak\ttab\r", "ctl \u{01}\u{1F}", "ünï €"])
    func stringsSerializeEscapedAndParseBack(_ text: String) throws {
        let serialized = JSONValue.string(text).serialized()
        #expect(try JSONValue.parse(Array(serialized.utf8)) == .string(text))
        #expect(!serialized.utf8.dropFirst().dropLast().contains { $0 < 0x20 }, "raw control character in \(serialized)")
    }

    @Test func plainStringsAreWrittenAsIs() {
        #expect(JSONValue.string("AAPL").serialized() == #""AAPL""#)
        #expect(JSONValue.object([("a", .string("x\"y"))]).serialized() == #"{"a":"x\"y"}"#)
    }

    @Test func documentsParseIntoTreesKeepingKeyOrderAndNumberText() throws {
        let value = try JSONValue.parse(Array(#" {"z":[1,-0.5,1.5e2,160.250000000000000001],"a":{"t":true,"f":false,"n":null},"s":"\u00e9\ud83d\ude00"} "#.utf8))
        #expect(
            value
                == .object([
                    ("z", .array([.number("1"), .number("-0.5"), .number("1.5e2"), .number("160.250000000000000001")])),
                    ("a", .object([("t", .bool(true)), ("f", .bool(false)), ("n", .null)])),
                    ("s", .string("é😀")),
                ]))
        // Numbers keep their text, so a price never passes through Double: the decimal is read exactly from it.
        guard case .number(let price)? = try JSONValue.parse(Array(#"{"p":160.25}"#.utf8))["p"] else {
            Issue.record("no number")
            return
        }
        #expect(try FixedDecimal.parse(price).micros == 160_250_000)
    }

    /// What the gateway's own parser accepted or refused, read now by the records' reader: where they differed
    /// (invalid UTF-8 in a string was decoded with replacement characters) the stricter rule holds.
    @Test(arguments: [
        (Array(#"{"a":1,"a":2}"#.utf8), 7, "duplicate key 'a'"),
        (Array(#"{"a":1}x"#.utf8), 7, "unexpected data after the value at byte 7"),
        (Array(#"{"a":1"#.utf8), 6, "unexpected end of input, expected ',' or '}'"),
        (Array(#"{"a":1,}"#.utf8), 7, "expected a field name in double quotes, found '}'"),
        (Array(#"[1,]"#.utf8), 3, "expected a value, found ']'"),
        (Array(#"[01]"#.utf8), 2, "expected ',' or ']', found '1'"),
        (Array(#"[1.]"#.utf8), 3, "expected a digit after '.', found ']'"),
        (Array(#"tru"#.utf8), 0, "expected a value, found 't'"),
        ([UInt8](), 0, "unexpected end of input, expected a value"),
        ([0xEF, 0xBB, 0xBF] + Array("{}".utf8), 0, "expected a value, found byte 0xef"),
        (Array(#"["\ud800"]"#.utf8), 8, #"unpaired UTF-16 surrogate in a \u escape"#),
        (Array(#"["\udc00"]"#.utf8), 8, #"unpaired UTF-16 surrogate in a \u escape"#),
        (Array(#"["a"#.utf8) + [0xC3, 0x28] + Array(#""]"#.utf8), 1, "string is not valid UTF-8"),
        (Array("[\"a\u{01}\"]".utf8), 3, "control character 0x1 must be escaped in a string"),
        (Array(#"["\x"]"#.utf8), 3, "invalid escape sequence in a string"),
    ] as [([UInt8], Int, String)])
    func malformedDocumentsAreRefusedNamingByteAndReason(_ input: [UInt8], _ offset: Int, _ reason: String) {
        let error = refusal(input)
        #expect(error?.reason == reason)
        #expect(error?.offset == offset)
    }

    private func refusal(_ input: [UInt8]) -> JSONSyntaxError? {
        do {
            _ = try JSONValue.parse(input)
            return nil
        } catch { return error }
    }

    @Test func nestingIsBoundedAt32Levels() throws {
        let deepest = String(repeating: "[", count: JSONValue.maximumDepth) + String(repeating: "]", count: JSONValue.maximumDepth)
        #expect(throws: Never.self) { try JSONValue.parse(Array(deepest.utf8)) }
        let tooDeep = String(repeating: #"{"a":"#, count: 32) + "[]" + String(repeating: "}", count: 32)
        let error = refusal(Array(tooDeep.utf8))
        #expect(error?.reason == "nesting deeper than 32")
        #expect(error?.offset == 32 * 5)
    }

    @Test func anyByteCollectionParses() throws {
        let text = #"{"a":[1,"b"]}"#
        #expect(try JSONValue.parse(text.utf8) == JSONValue.parse(Array(text.utf8)))
        #expect(try JSONValue.parse(Array(text.utf8)[...]) == .object([("a", .array([.number("1"), .string("b")]))]))
    }
}
