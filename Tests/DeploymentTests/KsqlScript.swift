import Foundation

/// Just enough of ksqlDB's statement syntax to know what each statement in `ksql/` reads and writes: the streams
/// declared over existing topics (with their columns), and the derived streams/tables (with their sink topics,
/// sources and output column names).
struct KsqlStatement {
    enum Kind { case stream, table }

    struct Column {
        let name: String
        let type: String
        let isKey: Bool
    }

    let file: String
    let kind: Kind
    let name: String
    /// Declared columns (a stream or table over an existing topic); empty for `AS SELECT`.
    let columns: [Column]
    /// WITH (...) properties, keys upper-cased, values unquoted.
    let properties: [String: String]
    /// The SELECT of a derived stream/table, nil for a declaration.
    let query: String?
    /// The full text, without comments.
    let text: String

    var topic: String? { properties["KAFKA_TOPIC"] }

    /// Streams/tables named after FROM and JOIN.
    var sources: [String] {
        guard let query else { return [] }
        return KsqlScript.matches(of: #"\b(?:FROM|JOIN)\s+([A-Za-z_][A-Za-z0-9_]*)"#, in: query).map { $0.lowercased() }
    }

    /// Output column names of the SELECT: the alias after AS, or the column itself (`buy.stock_symbol` →
    /// BUY_STOCK_SYMBOL as ksqlDB names an unaliased qualified column in a join, else the bare name).
    var outputColumns: [String] {
        guard let query, let select = query.range(of: "SELECT", options: .caseInsensitive),
            let from = query.range(of: #"\bFROM\b"#, options: [.regularExpression, .caseInsensitive])
        else { return [] }
        let projection = String(query[select.upperBound..<from.lowerBound])
        let isJoin = query.range(of: #"\bJOIN\b"#, options: [.regularExpression, .caseInsensitive]) != nil
        return KsqlScript.splitTopLevel(projection, on: ",").map { item in
            let item = item.trimmingCharacters(in: .whitespacesAndNewlines)
            if let alias = item.range(of: #"\s+AS\s+(\S+)$"#, options: [.regularExpression, .caseInsensitive]) {
                return KsqlScript.identifier(String(item[alias].split(separator: " ", omittingEmptySubsequences: true).last ?? ""))
            }
            let parts = item.split(separator: ".").map(String.init)
            return KsqlScript.identifier(isJoin ? parts.joined(separator: "_") : parts.last ?? item)
        }
    }
}

enum KsqlScript {
    /// The statements of one file, in order (`--` comments removed, split at `;`).
    static func statements(file: String, text: String) throws -> [KsqlStatement] {
        let withoutComments = text.split(separator: "\n", omittingEmptySubsequences: false).map { line -> Substring in
            guard let comment = line.range(of: "--") else { return line }
            return line[..<comment.lowerBound]
        }.joined(separator: "\n")
        return try splitTopLevel(withoutComments, on: ";")
            .map { $0.trimmingCharacters(in: .whitespacesAndNewlines) }
            .filter { !$0.isEmpty && !$0.uppercased().hasPrefix("SET ") }
            .map { try parse(file: file, statement: $0) }
    }

    static func parse(file: String, statement: String) throws -> KsqlStatement {
        let header = #"^CREATE\s+(?:OR\s+REPLACE\s+)?(STREAM|TABLE)\s+(?:IF\s+NOT\s+EXISTS\s+)?([A-Za-z_`][A-Za-z0-9_`]*)\s*"#
        guard let match = statement.range(of: header, options: [.regularExpression, .caseInsensitive]) else {
            throw ComposeError("\(file): not a CREATE STREAM/TABLE statement: \(statement.prefix(80))")
        }
        let words = statement[match].split(whereSeparator: { $0.isWhitespace })
        let kind: KsqlStatement.Kind = words[1].uppercased() == "STREAM" ? .stream : .table
        let name = identifier(String(words.last ?? "")).lowercased()
        var rest = statement[match.upperBound...]
        var columns: [KsqlStatement.Column] = []
        if rest.hasPrefix("(") {
            let (inside, after) = try balanced(rest, file: file)
            columns = splitTopLevel(String(inside), on: ",").map { declaration in
                let words = declaration.split(whereSeparator: { $0.isWhitespace }).map(String.init)
                return KsqlStatement.Column(
                    name: identifier(words.first ?? ""), type: words.dropFirst().first ?? "",
                    isKey: words.last?.uppercased() == "KEY")
            }
            rest = after.drop(while: { $0.isWhitespace })
        }
        guard rest.uppercased().hasPrefix("WITH") else {
            throw ComposeError("\(file): \(name) has no WITH (KAFKA_TOPIC = ...) clause")
        }
        rest = rest.dropFirst(4).drop(while: { $0.isWhitespace })
        let (propertyText, afterProperties) = try balanced(rest, file: file)
        var properties: [String: String] = [:]
        for property in splitTopLevel(String(propertyText), on: ",") {
            let pair = property.split(separator: "=", maxSplits: 1).map {
                $0.trimmingCharacters(in: .whitespacesAndNewlines)
            }
            guard pair.count == 2 else { continue }
            properties[pair[0].uppercased()] = pair[1].trimmingCharacters(in: CharacterSet(charactersIn: "'"))
        }
        let tail = afterProperties.trimmingCharacters(in: .whitespacesAndNewlines)
        var query: String?
        if tail.uppercased().hasPrefix("AS") {
            query = String(tail.dropFirst(2)).trimmingCharacters(in: .whitespacesAndNewlines)
        } else if !tail.isEmpty {
            throw ComposeError("\(file): unexpected text after WITH (...) of \(name): \(tail.prefix(40))")
        }
        return KsqlStatement(
            file: file, kind: kind, name: name, columns: columns, properties: properties, query: query,
            text: statement)
    }

    /// `(…)` at the start of `text` → (inside, rest after the closing parenthesis).
    static func balanced(_ text: Substring, file: String) throws -> (Substring, Substring) {
        var depth = 0
        for index in text.indices {
            if text[index] == "(" { depth += 1 }
            if text[index] == ")" {
                depth -= 1
                if depth == 0 {
                    return (text[text.index(after: text.startIndex)..<index], text[text.index(after: index)...])
                }
            }
        }
        throw ComposeError("\(file): unbalanced parentheses")
    }

    /// Splits at `separator` outside parentheses and quotes.
    static func splitTopLevel(_ text: String, on separator: Character) -> [String] {
        var parts: [String] = []
        var current = ""
        var depth = 0
        var quote: Character?
        for character in text {
            if let open = quote {
                if character == open { quote = nil }
            } else if character == "'" || character == "`" {
                quote = character
            } else if character == "(" {
                depth += 1
            } else if character == ")" {
                depth -= 1
            } else if character == separator, depth == 0 {
                parts.append(current)
                current = ""
                continue
            }
            current.append(character)
        }
        if !current.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty { parts.append(current) }
        return parts
    }

    /// A ksqlDB identifier as it reaches the wire: backticks keep case, bare names are upper-cased.
    static func identifier(_ raw: String) -> String {
        raw.hasPrefix("`") ? raw.trimmingCharacters(in: CharacterSet(charactersIn: "`")) : raw.uppercased()
    }

    static func matches(of pattern: String, in text: String) -> [String] {
        guard let regex = try? NSRegularExpression(pattern: pattern, options: [.caseInsensitive]) else { return [] }
        let range = NSRange(text.startIndex..., in: text)
        return regex.matches(in: text, range: range).compactMap { match in
            Range(match.range(at: 1), in: text).map { String(text[$0]) }
        }
    }
}
