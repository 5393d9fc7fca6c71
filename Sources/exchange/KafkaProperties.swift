import ArgumentParser
import Foundation

/// `--kafka key=value` pass-through librdkafka properties, shared by every Kafka-facing command: `$EXCHANGE_KAFKA`
/// (comma-separated) first, then the flags, so a flag wins over the environment.
enum KafkaProperties {
    static func parse(_ options: [String]) throws -> [String: String] {
        var entries = options
        if let env = ProcessInfo.processInfo.environment["EXCHANGE_KAFKA"], !env.isEmpty {
            entries = env.split(separator: ",").map(String.init) + entries
        }
        var result: [String: String] = [:]
        for entry in entries {
            guard let eq = entry.firstIndex(of: "="), eq != entry.startIndex else {
                throw ValidationError("--kafka expects key=value, got '\(entry)'")
            }
            result[String(entry[..<eq]).trimmingCharacters(in: .whitespaces)] = String(entry[entry.index(after: eq)...])
        }
        return result
    }
}
