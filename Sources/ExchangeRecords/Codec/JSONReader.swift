/// A strict, allocation-free pull reader over one JSON document, for the fixed record shapes of this module.
///
/// It reads exactly the JSON grammar (RFC 8259) for the values the records contain — objects, arrays of objects,
/// strings, integers, decimals, `null` — and reports errors naming the field being read. It never skips values:
/// records reject unknown fields, so nothing arbitrary ever has to be walked over.
///
/// `foreignForms` relaxes this for records written by producers the exchange did not write (`incoming_orders`):
/// unknown fields are skipped, enum values match in any case, and a number may come as a string holding exactly a
/// JSON number (`"154.51"`).
struct JSONReader {
    let base: UnsafeRawBufferPointer
    var pos: Int = 0
    var foreignForms = false
    /// Prepended to field names in errors while reading nested objects, e.g. `RANKING[2].`.
    var fieldPrefix: String = ""
    /// The field expected next (the one after the last field read): keys usually arrive in encoding order.
    var fieldHint: Int = 0

    init(_ base: UnsafeRawBufferPointer) {
        self.base = base
    }

    // MARK: Errors

    func error(_ field: String?, _ reason: String) -> RecordDecodingError {
        RecordDecodingError(field: field.map { fieldPrefix + $0 }, reason: reason)
    }

    func syntax(_ expected: String) -> RecordDecodingError {
        if pos >= base.count {
            return RecordDecodingError(field: nil, reason: "invalid JSON: unexpected end of input, expected \(expected)")
        }
        return RecordDecodingError(
            field: nil, reason: "invalid JSON at byte \(pos): expected \(expected), found \(describeByte(base[pos]))")
    }

    private func describeByte(_ byte: UInt8) -> String {
        if byte >= 0x21 && byte < 0x7F { return "'\(Character(Unicode.Scalar(byte)))'" }
        return "byte 0x\(String(byte, radix: 16))"
    }

    /// What kind of JSON value starts at the current position, for "expected X, found Y" messages.
    func foundKind() -> String {
        guard pos < base.count else { return "end of input" }
        switch base[pos] {
        case UInt8(ascii: "\""): return "a string"
        case UInt8(ascii: "{"): return "an object"
        case UInt8(ascii: "["): return "an array"
        case UInt8(ascii: "t") where startsWith("true"), UInt8(ascii: "f") where startsWith("false"): return "a boolean"
        case UInt8(ascii: "n") where startsWith("null"): return "null"
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): return "a number"
        default: return "invalid JSON (\(describeByte(base[pos])) at byte \(pos))"
        }
    }

    /// Whether `literal` starts at the current position (so `not json` is not reported as `null`).
    func startsWith(_ literal: String) -> Bool {
        let bytes = Array(literal.utf8)
        guard pos + bytes.count <= base.count else { return false }
        return bytes.indices.allSatisfy { base[pos + $0] == bytes[$0] }
    }

    // MARK: Structure

    @inline(__always)
    mutating func skipWhitespace() {
        while pos < base.count {
            let c = base[pos]
            if c == 0x20 || c == 0x0A || c == 0x0D || c == 0x09 { pos += 1 } else { return }
        }
    }

    @inline(__always)
    mutating func consume(_ byte: UInt8) -> Bool {
        skipWhitespace()
        if pos < base.count && base[pos] == byte {
            pos += 1
            return true
        }
        return false
    }

    /// Checks that only whitespace follows the document.
    mutating func finish() throws(RecordDecodingError) {
        skipWhitespace()
        if pos != base.count {
            throw RecordDecodingError(field: nil, reason: "invalid JSON: unexpected data after the value at byte \(pos)")
        }
    }

    /// Consumes `{`; `field` names the object for wrong-type errors (nil at top level).
    mutating func beginObject(field: String?) throws(RecordDecodingError) {
        skipWhitespace()
        guard pos < base.count, base[pos] == UInt8(ascii: "{") else {
            if field == nil && (pos >= base.count || !isValueStart(base[pos])) { throw syntax("'{'") }
            if let field { throw error(field, "expected an object, found \(foundKind())") }
            throw RecordDecodingError(field: nil, reason: "expected a JSON object, found \(foundKind())")
        }
        pos += 1
    }

    /// Whether a JSON value starts here (a literal only when it is spelled out: `not json` is a syntax error).
    private func isValueStart(_ c: UInt8) -> Bool {
        switch c {
        case UInt8(ascii: "\""), UInt8(ascii: "{"), UInt8(ascii: "["), UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"):
            return true
        case UInt8(ascii: "t"): return startsWith("true")
        case UInt8(ascii: "f"): return startsWith("false")
        case UInt8(ascii: "n"): return startsWith("null")
        default: return false
        }
    }

    /// Reads the next key of the current object and the `:` after it; returns its index in `table`, or nil at `}`.
    /// Rejects unknown and duplicate keys. `count` is the number of keys read so far in this object.
    mutating func nextField(
        _ table: FieldTable, count: inout Int, seen: inout UInt64
    ) throws(RecordDecodingError) -> Int? {
        // A loop, not recursion, over a foreign record's unknown fields: a 64 KiB value can hold thousands.
        while true {
            skipWhitespace()
            if count == 0 {
                if pos < base.count && base[pos] == UInt8(ascii: "}") {
                    pos += 1
                    return nil
                }
            } else {
                guard pos < base.count else { throw syntax("',' or '}'") }
                if base[pos] == UInt8(ascii: "}") {
                    pos += 1
                    return nil
                }
                guard base[pos] == UInt8(ascii: ",") else { throw syntax("',' or '}'") }
                pos += 1
                skipWhitespace()
            }
            guard pos < base.count, base[pos] == UInt8(ascii: "\"") else { throw syntax("a field name in double quotes") }
            if count == 0 { fieldHint = 0 }
            let start = pos + 1
            var found: Int?
            if let length = table.matchesAt(fieldHint, base, start) {
                // The expected key, byte for byte, closed by a quote (names contain no escapes).
                found = fieldHint
                pos = start + length + 1
            } else if let end = scanPlainString() {
                let key = UnsafeRawBufferPointer(rebasing: base[start..<end])
                found = table.index(of: key, hint: fieldHint)
                if found == nil && !foreignForms { throw error(String(decoding: key, as: UTF8.self), "unknown field") }
            } else {
                let key = try readString(field: nil)
                found = table.index(of: key)
                if found == nil && !foreignForms { throw error(key, "unknown field") }
            }
            guard let index = found else {
                // An unknown field of a foreign record: its value is walked over, and the next field read.
                guard consume(UInt8(ascii: ":")) else { throw syntax("':'") }
                try skipValue(depth: 0)
                count += 1
                continue
            }
            let bit: UInt64 = 1 << UInt64(index)
            if seen & bit != 0 { throw error(table.names[index], "duplicate field") }
            seen |= bit
            count += 1
            fieldHint = index + 1
            guard consume(UInt8(ascii: ":")) else { throw syntax("':'") }
            skipWhitespace()
            return index
        }
    }

    /// If the string at `pos` (on its opening quote) has no escapes and only ASCII, consumes it and returns the
    /// index of its closing quote; otherwise leaves `pos` unchanged and returns nil.
    @inline(__always)
    mutating func scanPlainString() -> Int? {
        var i = pos + 1
        // Eight bytes at a time while none of them is a quote, a backslash, a control character or non-ASCII.
        let ones: UInt64 = 0x0101_0101_0101_0101
        let high: UInt64 = 0x8080_8080_8080_8080
        while i &+ 8 <= base.count {
            let w = base.loadUnaligned(fromByteOffset: i, as: UInt64.self)
            let quote = w ^ (ones &* 0x22)
            let backslash = w ^ (ones &* 0x5C)
            let special = ((quote &- ones) & ~quote) | ((backslash &- ones) & ~backslash) | (w &- ones &* 0x20) | w
            if special & high != 0 { break }
            i &+= 8
        }
        while i < base.count {
            let c = base[i]
            if c == UInt8(ascii: "\"") {
                pos = i + 1
                return i
            }
            if c == UInt8(ascii: "\\") || c < 0x20 || c >= 0x80 { return nil }
            i += 1
        }
        return nil
    }

    /// Consumes `null` if it is next (after whitespace).
    mutating func consumeNull() -> Bool {
        skipWhitespace()
        if pos + 4 <= base.count && base[pos] == UInt8(ascii: "n") && base[pos + 1] == UInt8(ascii: "u")
            && base[pos + 2] == UInt8(ascii: "l") && base[pos + 3] == UInt8(ascii: "l")
        {
            pos += 4
            return true
        }
        return false
    }

    /// Walks over any JSON value (an unknown field's), nested at most 32 deep.
    mutating func skipValue(depth: Int) throws(RecordDecodingError) {
        skipWhitespace()
        guard depth < 32 else { throw error(nil, "an unknown field's value is nested more than 32 deep") }
        guard pos < base.count else { throw syntax("a value") }
        switch base[pos] {
        case UInt8(ascii: "\""):
            _ = try readString(field: nil)
        case UInt8(ascii: "{"):
            pos += 1
            var count = 0
            while true {
                skipWhitespace()
                guard pos < base.count else { throw syntax("'}'") }
                if base[pos] == UInt8(ascii: "}") {
                    pos += 1
                    return
                }
                if count > 0 {
                    guard base[pos] == UInt8(ascii: ",") else { throw syntax("',' or '}'") }
                    pos += 1
                    skipWhitespace()
                }
                _ = try readString(field: nil)
                guard consume(UInt8(ascii: ":")) else { throw syntax("':'") }
                try skipValue(depth: depth + 1)
                count += 1
            }
        case UInt8(ascii: "["):
            pos += 1
            var count = 0
            while try nextElement(count: count) {
                try skipValue(depth: depth + 1)
                count += 1
            }
        case UInt8(ascii: "t") where startsWith("true"): pos += 4
        case UInt8(ascii: "f") where startsWith("false"): pos += 5
        case UInt8(ascii: "n") where startsWith("null"): pos += 4
        default:
            _ = try scanNumber(field: "", expected: "a value")
        }
    }

    /// With `foreignForms`, a number written as a string: the string must hold exactly one JSON number, which
    /// `read` then reads as usual. Nil when the next value is not a string (or foreign forms are off).
    mutating func quotedNumber<T>(
        field: String, _ read: (inout JSONReader) throws(RecordDecodingError) -> T
    ) throws(RecordDecodingError) -> T? {
        skipWhitespace()
        guard foreignForms, pos < base.count, base[pos] == UInt8(ascii: "\"") else { return nil }
        let start = pos + 1
        guard let end = scanPlainString(), end > start else { throw error(field, "expected a number, found a string that is not one") }
        let text = UnsafeRawBufferPointer(rebasing: base[start..<end])
        guard text[0] == UInt8(ascii: "-") || (text[0] >= UInt8(ascii: "0") && text[0] <= UInt8(ascii: "9")) else {
            throw error(field, "expected a number, found the string \"\(String(decoding: text, as: UTF8.self))\"")
        }
        var inner = JSONReader(text)
        inner.fieldPrefix = fieldPrefix
        let value: T
        do { value = try read(&inner) } catch {
            if error.field != nil { throw error }  // a number, but not one the field takes (too precise, too large)
            throw self.error(field, "expected a number, found the string \"\(String(decoding: text, as: UTF8.self))\"")
        }
        guard inner.pos == inner.base.count else {
            throw error(field, "expected a number, found the string \"\(String(decoding: text, as: UTF8.self))\"")
        }
        return value
    }

    // MARK: Arrays

    /// Consumes `[`.
    mutating func beginArray(field: String) throws(RecordDecodingError) {
        skipWhitespace()
        guard pos < base.count, base[pos] == UInt8(ascii: "[") else {
            throw error(field, "expected an array, found \(foundKind())")
        }
        pos += 1
    }

    /// Before each element: returns false (consuming `]`) at the end of the array. `count` is elements read so far.
    mutating func nextElement(count: Int) throws(RecordDecodingError) -> Bool {
        skipWhitespace()
        guard pos < base.count else { throw syntax(count == 0 ? "a value or ']'" : "',' or ']'") }
        if base[pos] == UInt8(ascii: "]") {
            pos += 1
            return false
        }
        if count > 0 {
            guard base[pos] == UInt8(ascii: ",") else { throw syntax("',' or ']'") }
            pos += 1
        }
        return true
    }

    // MARK: Strings

    /// Reads a JSON string, decoding escapes and validating UTF-8.
    mutating func readString(field: String?) throws(RecordDecodingError) -> String {
        skipWhitespace()
        guard pos < base.count, base[pos] == UInt8(ascii: "\"") else {
            if let field { throw error(field, "expected a string, found \(foundKind())") }
            throw syntax("a string")
        }
        let start = pos + 1
        if let end = scanPlainString() {
            return String(decoding: UnsafeRawBufferPointer(rebasing: base[start..<end]), as: UTF8.self)
        }
        // Slow path: escapes or non-ASCII.
        var i = start
        var hasEscape = false
        while true {
            guard i < base.count else {
                pos = i
                throw syntax("'\"' closing the string")
            }
            let c = base[i]
            if c == UInt8(ascii: "\"") { break }
            if c < 0x20 {
                pos = i
                throw error(field, "control character 0x\(String(c, radix: 16)) must be escaped in a string")
            }
            if c == UInt8(ascii: "\\") {
                hasEscape = true
                i += 2
            } else {
                i += 1
            }
        }
        let end = i
        if !hasEscape {
            guard let s = String(validating: UnsafeRawBufferPointer(rebasing: base[start..<end]), as: UTF8.self) else {
                throw error(field, "string is not valid UTF-8")
            }
            pos = end + 1
            return s
        }
        var out: [UInt8] = []
        out.reserveCapacity(end - start)
        i = start
        while i < end {
            let c = base[i]
            if c != UInt8(ascii: "\\") {
                out.append(c)
                i += 1
                continue
            }
            i += 1
            let e = base[i]
            i += 1
            switch e {
            case UInt8(ascii: "\""): out.append(0x22)
            case UInt8(ascii: "\\"): out.append(0x5C)
            case UInt8(ascii: "/"): out.append(0x2F)
            case UInt8(ascii: "b"): out.append(0x08)
            case UInt8(ascii: "f"): out.append(0x0C)
            case UInt8(ascii: "n"): out.append(0x0A)
            case UInt8(ascii: "r"): out.append(0x0D)
            case UInt8(ascii: "t"): out.append(0x09)
            case UInt8(ascii: "u"):
                guard let unit = hex4(at: i, end: end) else {
                    pos = i
                    throw error(field, "invalid \\u escape in a string")
                }
                i += 4
                var scalarValue = UInt32(unit)
                if unit >= 0xD800 && unit < 0xDC00 {
                    guard i + 6 <= end, base[i] == UInt8(ascii: "\\"), base[i + 1] == UInt8(ascii: "u"),
                        let low = hex4(at: i + 2, end: end), low >= 0xDC00 && low < 0xE000
                    else {
                        pos = i
                        throw error(field, "unpaired UTF-16 surrogate in a \\u escape")
                    }
                    i += 6
                    scalarValue = 0x10000 + ((UInt32(unit) - 0xD800) << 10) + (UInt32(low) - 0xDC00)
                } else if unit >= 0xDC00 && unit < 0xE000 {
                    pos = i
                    throw error(field, "unpaired UTF-16 surrogate in a \\u escape")
                }
                guard let scalar = Unicode.Scalar(scalarValue) else {
                    throw error(field, "invalid \\u escape in a string")
                }
                out.append(contentsOf: UTF8.encode(scalar).unsafelyUnwrapped)
            default:
                pos = i - 1
                throw error(field, "invalid escape sequence in a string")
            }
        }
        guard i == end else {
            pos = end
            throw syntax("'\"' closing the string")
        }
        guard let s = String(validating: out, as: UTF8.self) else {
            throw error(field, "string is not valid UTF-8")
        }
        pos = end + 1
        return s
    }

    private func hex4(at i: Int, end: Int) -> UInt16? {
        guard i + 4 <= end else { return nil }
        var v: UInt16 = 0
        for k in i..<(i + 4) {
            let c = base[k]
            let d: UInt8
            switch c {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): d = c - UInt8(ascii: "0")
            case UInt8(ascii: "a")...UInt8(ascii: "f"): d = c - UInt8(ascii: "a") + 10
            case UInt8(ascii: "A")...UInt8(ascii: "F"): d = c - UInt8(ascii: "A") + 10
            default: return nil
            }
            v = v << 4 | UInt16(d)
        }
        return v
    }

    /// Reads a string that must be one of `T`'s wire values, naming the allowed values on failure.
    @inline(__always)
    mutating func readEnum<T: WireEnum>(_ type: T.Type, field: String) throws(RecordDecodingError) -> T {
        return T.wireCases[try readChoice(T.wireTable, field: field)]
    }

    /// Reads a string that must be one of `table`'s names; returns its index.
    mutating func readChoice(_ table: FieldTable, field: String) throws(RecordDecodingError) -> Int {
        skipWhitespace()
        if pos < base.count && base[pos] == UInt8(ascii: "\"") {
            let start = pos + 1
            if let end = scanPlainString(),
                let index = table.index(of: UnsafeRawBufferPointer(rebasing: base[start..<end]), hint: 0)
            {
                return index
            }
            pos = start - 1
        }
        let text = try readString(field: field)
        if let index = table.index(of: text) { return index }
        if foreignForms, let index = table.index(of: String(decoding: text.utf8.map { $0 >= 0x61 && $0 <= 0x7A ? $0 - 0x20 : $0 }, as: UTF8.self)) {
            return index
        }
        throw error(field, "'\(text)' is not one of \(table.names.joined(separator: ", "))")
    }

    // MARK: Numbers

    /// The JSON number grammar: `-? (0 | [1-9][0-9]*) (. [0-9]+)? ([eE] [+-]? [0-9]+)?`. Returns the parts.
    struct NumberParts {
        var negative = false
        var intStart = 0, intEnd = 0
        var fracStart = 0, fracEnd = 0
        var hasFraction = false
        var hasExponent = false
        var expNegative = false
        var expStart = 0, expEnd = 0
    }

    mutating func scanNumber(field: String, expected: String) throws(RecordDecodingError) -> NumberParts {
        skipWhitespace()
        var p = NumberParts()
        guard pos < base.count else { throw syntax("a number") }
        var c = base[pos]
        if c == UInt8(ascii: "-") {
            p.negative = true
            pos += 1
            guard pos < base.count else { throw syntax("a digit") }
            c = base[pos]
        } else if !(c >= UInt8(ascii: "0") && c <= UInt8(ascii: "9")) {
            if c == UInt8(ascii: "\"") {
                throw error(field, "expected \(expected), found a string (numbers are not quoted)")
            }
            throw error(field, "expected \(expected), found \(foundKind())")
        }
        guard c >= UInt8(ascii: "0") && c <= UInt8(ascii: "9") else { throw syntax("a digit") }
        p.intStart = pos
        if c == UInt8(ascii: "0") {
            pos += 1
        } else {
            while pos < base.count && base[pos] >= UInt8(ascii: "0") && base[pos] <= UInt8(ascii: "9") { pos += 1 }
        }
        p.intEnd = pos
        if pos < base.count && base[pos] == UInt8(ascii: ".") {
            pos += 1
            p.hasFraction = true
            p.fracStart = pos
            while pos < base.count && base[pos] >= UInt8(ascii: "0") && base[pos] <= UInt8(ascii: "9") { pos += 1 }
            p.fracEnd = pos
            if p.fracEnd == p.fracStart { throw syntax("a digit after '.'") }
        }
        if pos < base.count && (base[pos] == UInt8(ascii: "e") || base[pos] == UInt8(ascii: "E")) {
            pos += 1
            p.hasExponent = true
            if pos < base.count && (base[pos] == UInt8(ascii: "+") || base[pos] == UInt8(ascii: "-")) {
                p.expNegative = base[pos] == UInt8(ascii: "-")
                pos += 1
            }
            p.expStart = pos
            while pos < base.count && base[pos] >= UInt8(ascii: "0") && base[pos] <= UInt8(ascii: "9") { pos += 1 }
            p.expEnd = pos
            if p.expEnd == p.expStart { throw syntax("a digit in the exponent") }
        }
        return p
    }

    /// Reads an integer: a JSON number without fraction or exponent, within `Int64`.
    mutating func readInt64(field: String) throws(RecordDecodingError) -> Int64 {
        skipWhitespace()
        if foreignForms, let value = try quotedNumber(field: field, { (r: inout JSONReader) throws(RecordDecodingError) in try r.readInt64(field: field) }) {
            return value
        }
        // Fast path: plain non-negative integers of up to 18 digits.
        var i = pos
        var value: Int64 = 0
        while i < base.count && i - pos < 18 {
            let d = base[i] &- UInt8(ascii: "0")
            if d > 9 { break }
            value = value &* 10 &+ Int64(d)
            i += 1
        }
        if i > pos && i - pos < 18 && (base[pos] != UInt8(ascii: "0") || i - pos == 1) {
            if i == base.count || !Self.continuesNumber(base[i]) {
                pos = i
                return value
            }
        }
        let p = try scanNumber(field: field, expected: "an integer")
        if p.hasFraction || p.hasExponent { throw error(field, "expected an integer, found a number with a fraction or exponent") }
        var magnitude: UInt64 = 0
        for k in p.intStart..<p.intEnd {
            let (m, o1) = magnitude.multipliedReportingOverflow(by: 10)
            let (s, o2) = m.addingReportingOverflow(UInt64(base[k] - UInt8(ascii: "0")))
            if o1 || o2 { throw error(field, "integer out of range") }
            magnitude = s
        }
        if p.negative {
            if magnitude > UInt64(Int64.max) + 1 { throw error(field, "integer out of range") }
            return magnitude == UInt64(Int64.max) + 1 ? Int64.min : -Int64(magnitude)
        }
        if magnitude > UInt64(Int64.max) { throw error(field, "integer out of range") }
        return Int64(magnitude)
    }

    @inline(__always)
    private static func continuesNumber(_ c: UInt8) -> Bool {
        c == UInt8(ascii: ".") || c == UInt8(ascii: "e") || c == UInt8(ascii: "E")
            || (c >= UInt8(ascii: "0") && c <= UInt8(ascii: "9"))
    }

    /// The common case `-?digits(.digits)?` with at most 12 integer and 6 fractional digits; nil (nothing
    /// consumed) for anything else, which the general path then reads or rejects.
    @inline(__always)
    private mutating func fastDecimal() -> FixedDecimal? {
        var i = pos
        let negative = i < base.count && base[i] == UInt8(ascii: "-")
        if negative { i &+= 1 }
        let intStart = i
        var whole: Int64 = 0
        while i < base.count && i &- intStart < 13 {
            let d = base[i] &- UInt8(ascii: "0")
            if d > 9 { break }
            whole = whole &* 10 &+ Int64(d)
            i &+= 1
        }
        let intDigits = i &- intStart
        guard intDigits > 0 && intDigits < 13 && (intDigits == 1 || base[intStart] != UInt8(ascii: "0")) else {
            return nil
        }
        var fraction: Int64 = 0
        var fractionDigits = 0
        if i < base.count && base[i] == UInt8(ascii: ".") {
            i &+= 1
            let fractionStart = i
            while i < base.count && i &- fractionStart < 7 {
                let d = base[i] &- UInt8(ascii: "0")
                if d > 9 { break }
                fraction = fraction &* 10 &+ Int64(d)
                i &+= 1
            }
            fractionDigits = i &- fractionStart
            guard fractionDigits >= 1 && fractionDigits <= 6 else { return nil }
        }
        if i < base.count && Self.continuesNumber(base[i]) { return nil }
        while fractionDigits < 6 {
            fraction &*= 10
            fractionDigits &+= 1
        }
        pos = i
        let micros = whole &* 1_000_000 &+ fraction
        return FixedDecimal(micros: negative ? -micros : micros)
    }

    /// Reads an exact decimal into micro-units; rejects more than six significant fractional digits and overflow.
    mutating func readDecimal(field: String) throws(RecordDecodingError) -> FixedDecimal {
        skipWhitespace()
        if foreignForms, let value = try quotedNumber(field: field, { (r: inout JSONReader) throws(RecordDecodingError) in try r.readDecimal(field: field) }) {
            return value
        }
        if let value = fastDecimal() { return value }
        let p = try scanNumber(field: field, expected: "a decimal number")
        // Significant digits as an integer mantissa with `fractionDigits` digits after the point.
        var mantissa: UInt64 = 0
        var fractionDigits = 0
        var pendingZeros = 0
        func appendDigit(_ d: UInt64, count: Int) -> Bool {
            for _ in 0..<count {
                let (m, o) = mantissa.multipliedReportingOverflow(by: 10)
                if o { return false }
                mantissa = m
            }
            let (s, o) = mantissa.addingReportingOverflow(d)
            if o { return false }
            mantissa = s
            return true
        }
        let outOfRange = error(field, "decimal out of range (at most ±9223372036854.775807)")
        for k in p.intStart..<p.intEnd {
            guard appendDigit(UInt64(base[k] - UInt8(ascii: "0")), count: 1) else { throw outOfRange }
        }
        if p.hasFraction {
            for k in p.fracStart..<p.fracEnd {
                let d = UInt64(base[k] - UInt8(ascii: "0"))
                if d == 0 {
                    pendingZeros += 1
                } else {
                    guard appendDigit(d, count: pendingZeros + 1) else { throw outOfRange }
                    fractionDigits += pendingZeros + 1
                    pendingZeros = 0
                }
            }
        }
        var exponent = 0
        if p.hasExponent {
            for k in p.expStart..<p.expEnd {
                exponent = min(exponent * 10 + Int(base[k] - UInt8(ascii: "0")), 1_000_000)
            }
            if p.expNegative { exponent = -exponent }
            // Beyond what an Int64 of micros could ever need (and beyond what Foundation's Decimal accepts).
            if exponent > 38 || exponent < -38 { throw error(field, "exponent out of range") }
        }
        if mantissa == 0 { return FixedDecimal(micros: 0) }
        var shift = 6 - fractionDigits + exponent  // micros = mantissa * 10^shift
        while shift < 0 {
            guard mantissa % 10 == 0 else {
                throw error(field, "more than 6 fractional digits (prices are exact to 0.000001)")
            }
            mantissa /= 10
            shift += 1
        }
        guard shift <= 19 else { throw outOfRange }
        for _ in 0..<shift {
            let (m, o) = mantissa.multipliedReportingOverflow(by: 10)
            if o { throw outOfRange }
            mantissa = m
        }
        guard mantissa <= UInt64(Int64.max) else { throw outOfRange }
        return FixedDecimal(micros: p.negative ? -Int64(mantissa) : Int64(mantissa))
    }
}

/// The field names of one record shape (or the values of one enum), matched against raw bytes without allocating.
final class FieldTable: @unchecked Sendable {
    let names: [String]
    let count: Int
    /// `count + 1` Int offsets, then the names' bytes back to back; immutable after init.
    private let offsets: UnsafeMutablePointer<Int>
    private let bytes: UnsafeMutablePointer<UInt8>

    init(_ names: [String]) {
        precondition(names.count <= 64, "at most 64 fields per record")
        self.names = names
        count = names.count
        let total = names.reduce(0) { $0 + $1.utf8.count }
        offsets = .allocate(capacity: names.count + 1)
        bytes = .allocate(capacity: max(total, 1))
        var at = 0
        for (i, name) in names.enumerated() {
            offsets[i] = at
            for byte in name.utf8 {
                bytes[at] = byte
                at += 1
            }
        }
        offsets[names.count] = at
    }

    deinit {
        offsets.deallocate()
        bytes.deallocate()
    }

    @inline(__always)
    private func matches(_ i: Int, _ key: UnsafeRawPointer, _ length: Int) -> Bool {
        let start = offsets[i]
        guard offsets[i + 1] &- start == length else { return false }
        return memcmpBytes(bytes + start, key, length)
    }

    /// If name `i` followed by a closing quote stands at `start` in `buffer`, its length.
    @inline(__always)
    func matchesAt(_ i: Int, _ buffer: UnsafeRawBufferPointer, _ start: Int) -> Int? {
        guard i < count, let base = buffer.baseAddress else { return nil }
        let length = offsets[i + 1] &- offsets[i]
        guard start &+ length < buffer.count, buffer[start &+ length] == UInt8(ascii: "\""),
            memcmpBytes(bytes + offsets[i], base + start, length)
        else { return nil }
        return length
    }

    /// The index of `key`, searching from `hint` on (fields usually arrive in encoding order).
    @inline(__always)
    func index(of key: UnsafeRawBufferPointer, hint: Int) -> Int? {
        guard let base = key.baseAddress else { return nil }
        let length = key.count
        var i = hint < count ? hint : 0
        for _ in 0..<count {
            if matches(i, base, length) { return i }
            i = i &+ 1 == count ? 0 : i &+ 1
        }
        return nil
    }

    func index(of key: String) -> Int? {
        names.firstIndex(of: key)
    }
}

@inline(__always)
private func memcmpBytes(_ a: UnsafeRawPointer, _ b: UnsafeRawPointer, _ n: Int) -> Bool {
    var i = 0
    while i &+ 8 <= n {
        if a.loadUnaligned(fromByteOffset: i, as: UInt64.self) != b.loadUnaligned(fromByteOffset: i, as: UInt64.self) {
            return false
        }
        i &+= 8
    }
    while i < n {
        if a.load(fromByteOffset: i, as: UInt8.self) != b.load(fromByteOffset: i, as: UInt8.self) { return false }
        i &+= 1
    }
    return true
}
