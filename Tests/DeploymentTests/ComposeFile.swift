import Foundation
import Yams

/// `docker-compose.yml`, parsed the way Compose reads it: `${VAR:-default}` interpolated with its default (as on
/// a machine with no overrides), `$$` unescaped, YAML anchors and `<<` merge keys resolved.
struct ComposeFile {
    struct Service {
        let name: String
        let body: [String: Any]

        var image: String? { body["image"] as? String }
        var profiles: [String] { body["profiles"] as? [String] ?? [] }
        var isOptional: Bool { !profiles.isEmpty }

        /// `build:` as a string or as `{context, dockerfile}`.
        var build: (context: String, dockerfile: String)? {
            if let context = body["build"] as? String { return (context, "Dockerfile") }
            guard let build = body["build"] as? [String: Any] else { return nil }
            return (build["context"] as? String ?? ".", build["dockerfile"] as? String ?? "Dockerfile")
        }

        /// `command:` as a list of arguments (a string is split on spaces, as Compose does for simple cases).
        var command: [String] {
            if let list = body["command"] as? [Any] { return list.map { "\($0)" } }
            if let line = body["command"] as? String { return line.split(separator: " ").map(String.init) }
            return []
        }

        /// Services this one waits for, with their conditions.
        var dependsOn: [String: String] {
            if let list = body["depends_on"] as? [String] {
                return Dictionary(uniqueKeysWithValues: list.map { ($0, "service_started") })
            }
            guard let map = body["depends_on"] as? [String: Any] else { return [:] }
            return map.mapValues { (($0 as? [String: Any])?["condition"] as? String) ?? "service_started" }
        }

        var volumes: [String] { (body["volumes"] as? [Any] ?? []).compactMap { $0 as? String } }
        var ports: [String] { (body["ports"] as? [Any] ?? []).map { "\($0)" } }
        var replicas: Int? { (body["deploy"] as? [String: Any])?["replicas"].flatMap { Int("\($0)") } }
    }

    let services: [String: Service]
    let top: [String: Any]

    init(text: String) throws {
        let interpolated = Self.interpolate(text)
        guard let top = try Yams.load(yaml: interpolated) as? [String: Any] else {
            throw ComposeError("the compose file is not a YAML mapping")
        }
        guard let services = top["services"] as? [String: Any] else {
            throw ComposeError("the compose file has no `services:` mapping")
        }
        var parsed: [String: Service] = [:]
        for (name, body) in services {
            guard let body = body as? [String: Any] else { throw ComposeError("service \(name) is not a mapping") }
            parsed[name] = Service(name: name, body: body)
        }
        self.top = top
        self.services = parsed
    }

    static func load() throws -> ComposeFile {
        try ComposeFile(text: Repository.text("docker-compose.yml"))
    }

    /// Compose's variable syntax with no variables set: `${X:-d}` and `${X-d}` → d, `${X}` → "", `$$` → `$`.
    static func interpolate(_ text: String) -> String {
        var output = ""
        var index = text.startIndex
        while index < text.endIndex {
            let character = text[index]
            let next = text.index(after: index)
            guard character == "$", next < text.endIndex else {
                output.append(character)
                index = next
                continue
            }
            if text[next] == "$" {
                output.append("$")
                index = text.index(after: next)
            } else if text[next] == "{", let close = text[next...].firstIndex(of: "}") {
                let expression = text[text.index(after: next)..<close]
                if let range = expression.range(of: ":-") ?? expression.range(of: "-") {
                    output += expression[range.upperBound...]
                }
                index = text.index(after: close)
            } else {
                output.append(character)
                index = next
            }
        }
        return output
    }
}

/// A topic as the one-shot initializer creates it: `create <topic> <partitions> [kafka-topics.sh options]`.
struct InitializedTopic: Equatable {
    let name: String
    let partitions: Int
    let options: String

    var isCompacted: Bool { options.contains("cleanup.policy=compact") }

    /// Reads the `create ...` lines of the initializer's shell script.
    static func parse(script: String) -> [InitializedTopic] {
        script.split(separator: "\n").compactMap { line in
            let words = line.split(separator: " ", omittingEmptySubsequences: true)
            guard words.count >= 3, words[0] == "create", let partitions = Int(words[2]) else { return nil }
            return InitializedTopic(
                name: String(words[1]), partitions: partitions, options: words.dropFirst(3).joined(separator: " "))
        }
    }
}

struct ComposeError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
