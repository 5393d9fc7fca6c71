@testable import ExchangeRecords
import FuzzSupport
import Gateway

/// Both JSON readers: the records' pull reader (ExchangeRecords.JSONReader) and the gateway's JSONParser.
/// What the gateway's parser accepts must serialize to JSON that parses to the same value; a string or number
/// the records' reader accepts must read the same through the gateway's parser (they guard the same data).
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzJSON(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let input = fuzzInput(data, size)
    let value = try? JSONParser.parse(input)
    if let value { reparse(value) }
    readScalars(input, gateway: value)
    walkObject(input)
    return 0
}

func reparse(_ value: JSONValue) {
    let text = value.serialized()
    let again: JSONValue
    do {
        again = try JSONParser.parse(Array(text.utf8))
    } catch {
        fatalError("JSONParser: its own serialization \(text) does not parse: \(error)")
    }
    require(again == value, "JSONParser: \(text) parses to \(again.serialized())")
}

/// The input as one string, integer or decimal of a record.
func readScalars(_ input: UnsafeRawBufferPointer, gateway: JSONValue?) {
    var reader = JSONReader(input)
    if let string = try? reader.readString(field: "s"), (try? reader.finish()) != nil {
        require(gateway == .string(string), "JSONReader reads the string \(string.debugDescription), JSONParser \(String(describing: gateway))")
    }
    reader = JSONReader(input)
    if let integer = try? reader.readInt64(field: "i"), (try? reader.finish()) != nil {
        guard case .number(let literal)? = gateway, Int64(literal) == integer else {
            fatalError("JSONReader reads the integer \(integer), JSONParser \(String(describing: gateway))")
        }
    }
    reader = JSONReader(input)
    if let decimal = try? reader.readDecimal(field: "d"), (try? reader.finish()) != nil {
        guard case .number(let literal)? = gateway, (try? FixedDecimal.parse(literal)) == decimal else {
            fatalError("JSONReader reads the decimal \(decimal), JSONParser \(String(describing: gateway))")
        }
        require(FixedDecimal(decimal.description) == decimal, "the decimal \(decimal) does not read back from its text")
    }
}

/// The record shape machinery on an object of any known fields, nested objects and arrays of objects included.
private let table = FieldTable(["id", "side", "price", "quantity", "note", "nested", "list"])

func walkObject(_ input: UnsafeRawBufferPointer) {
    var reader = JSONReader(input)
    guard (try? readObject(&reader, field: nil, depth: 0)) != nil else { return }
    _ = try? reader.finish()
}

func readObject(_ r: inout JSONReader, field: String?, depth: Int) throws(RecordDecodingError) {
    try r.beginObject(field: field)
    var count = 0
    var seen: UInt64 = 0
    while let index = try r.nextField(table, count: &count, seen: &seen) {
        switch index {
        case 0: _ = try r.readIdentifier(field: "id")
        case 1: _ = try r.readEnum(Side.self, field: "side")
        case 2: _ = try r.readOptionalDecimal(field: "price")
        case 3: _ = try r.readPositive(field: "quantity")
        case 4: _ = try r.readOptionalString(field: "note")
        case 5:
            guard depth < 4 else { throw r.error("nested", "too deep") }
            try readObject(&r, field: "nested", depth: depth + 1)
        default:
            guard depth < 4 else { throw r.error("list", "too deep") }
            try r.beginArray(field: "list")
            var elements = 0
            while try r.nextElement(count: elements) {
                try readObject(&r, field: "list[\(elements)]", depth: depth + 1)
                elements += 1
            }
        }
    }
}

@_cdecl("JSONFuzzer_main")
public func JSONFuzzerMain(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> CInt {
    runLibFuzzer(argc, argv, fuzzJSON)
}
