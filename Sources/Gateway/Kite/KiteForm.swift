/// The parameters of a Kite request: `application/x-www-form-urlencoded` pairs, as Kite's clients send a POST or
/// PUT body and every query string. A name given twice keeps all its values (`i=…&i=…` of the quote routes).
struct KiteForm: Sendable {
    private(set) var pairs: [(name: String, value: String)] = []

    init(pairs: [(name: String, value: String)]) {
        self.pairs = pairs
    }

    /// Parses `a=1&b=x+y%21`; a malformed percent escape is a 400 naming the parameter.
    init(_ bytes: some Collection<UInt8>) throws(APIError) {
        for part in bytes.split(separator: UInt8(ascii: "&"), omittingEmptySubsequences: true) {
            let eq = part.firstIndex(of: UInt8(ascii: "="))
            let rawName = eq.map { part[part.startIndex..<$0] } ?? part[...]
            let rawValue = eq.map { part[part.index(after: $0)...] } ?? part[part.endIndex...]
            guard let name = KiteForm.decode(rawName) else { throw APIError.input("body", "malformed percent escape in a parameter name") }
            guard let value = KiteForm.decode(rawValue) else { throw APIError.input(name, "malformed percent escape") }
            pairs.append((name, value))
        }
    }

    /// The value of `name` (the last, if given more than once); nil when absent.
    subscript(name: String) -> String? {
        pairs.last { $0.name == name }?.value
    }

    func all(_ name: String) -> [String] {
        pairs.filter { $0.name == name }.map(\.value)
    }

    static func decode(_ bytes: some Collection<UInt8>) -> String? {
        var out: [UInt8] = []
        out.reserveCapacity(bytes.count)
        var index = bytes.startIndex
        while index != bytes.endIndex {
            let b = bytes[index]
            if b == UInt8(ascii: "+") {
                out.append(UInt8(ascii: " "))
            } else if b == UInt8(ascii: "%") {
                let first = bytes.index(after: index)
                guard first != bytes.endIndex else { return nil }
                let second = bytes.index(after: first)
                guard second != bytes.endIndex, let high = hex(bytes[first]), let low = hex(bytes[second]) else { return nil }
                out.append(high << 4 | low)
                index = second
            } else {
                out.append(b)
            }
            index = bytes.index(after: index)
        }
        return String(validating: out, as: UTF8.self)
    }

    private static func hex(_ b: UInt8) -> UInt8? {
        switch b {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): b - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): b - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): b - UInt8(ascii: "A") + 10
        default: nil
        }
    }
}
