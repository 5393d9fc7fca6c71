import Gateway
import Testing

@Suite struct JSONValueTests {
    @Test(arguments: ["plain-id_42", "", "quote \" back \\ slash", "line\nbreak\ttab\r", "ctl \u{01}\u{1F}", "ünï €"])
    func stringsSerializeEscapedAndParseBack(_ text: String) throws {
        let serialized = JSONValue.string(text).serialized()
        #expect(try JSONParser.parse(Array(serialized.utf8)) == .string(text))
        #expect(!serialized.utf8.dropFirst().dropLast().contains { $0 < 0x20 }, "raw control character in \(serialized)")
    }

    @Test func plainStringsAreWrittenAsIs() {
        #expect(JSONValue.string("AAPL").serialized() == #""AAPL""#)
        #expect(JSONValue.object([("a", .string("x\"y"))]).serialized() == #"{"a":"x\"y"}"#)
    }
}
