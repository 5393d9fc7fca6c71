@testable import ExchangeRecords
import FuzzSupport

/// The one JSON reader (ExchangeRecords.JSONReader), both ways it is used: record shapes read field by field, and
/// any document read into a `JSONValue` tree (the gateway's requests, files and tokens). What the tree parse
/// accepts must serialize to JSON that parses to the same value, and be walked over as a foreign record's unknown
/// field is; a string or number the record reads accept must come out the same in the tree.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzJSON(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let input = fuzzInput(data, size)
    let value = try? JSONValue.parse(input)
    if let value {
        reparse(value)
        skipsOver(input)
    }
    readScalars(input, tree: value)
    walkObject(input)
    return 0
}

/// A document the tree parse accepts is one `skipValue` walks over (it checks all but duplicate keys).
func skipsOver(_ input: UnsafeRawBufferPointer) {
    var reader = JSONReader(input)
    do throws(RecordDecodingError) {
        try reader.skipValue(depth: 0)
        try reader.finish()
    } catch {
        fatalError("JSONValue.parse accepts what skipValue refuses: \(error)")
    }
}

func reparse(_ value: JSONValue) {
    let text = value.serialized()
    let again: JSONValue
    do {
        again = try JSONValue.parse(Array(text.utf8))
    } catch {
        fatalError("JSONValue.parse: its own serialization \(text) does not parse: \(error)")
    }
    require(again == value, "JSONValue.parse: \(text) parses to \(again.serialized())")
}

/// The input as one string, integer or decimal of a record.
func readScalars(_ input: UnsafeRawBufferPointer, tree: JSONValue?) {
    var reader = JSONReader(input)
    if let string = try? reader.readString(field: "s"), (try? reader.finish()) != nil {
        require(tree == .string(string), "JSONReader reads the string \(string.debugDescription), the tree \(String(describing: tree))")
    }
    reader = JSONReader(input)
    if let integer = try? reader.readInt64(field: "i"), (try? reader.finish()) != nil {
        guard case .number(let literal)? = tree, Int64(literal) == integer else {
            fatalError("JSONReader reads the integer \(integer), the tree \(String(describing: tree))")
        }
    }
    reader = JSONReader(input)
    if let decimal = try? reader.readDecimal(field: "d"), (try? reader.finish()) != nil {
        guard case .number(let literal)? = tree, (try? FixedDecimal.parse(literal)) == decimal else {
            fatalError("JSONReader reads the decimal \(decimal), the tree \(String(describing: tree))")
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
