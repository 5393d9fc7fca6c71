import ArgumentParser

/// A duration on the command line: `10m`, `5min`, `90s`, `250ms`, `1h`, `1d`, or plain milliseconds (`600000`).
struct DurationArgument: ExpressibleByArgument, Sendable, Hashable, CustomStringConvertible {
    let milliseconds: Int64

    init(milliseconds: Int64) { self.milliseconds = milliseconds }

    init?(argument: String) {
        let text = argument.lowercased()
        let digits = text.prefix { $0.isASCII && $0.isNumber }
        guard !digits.isEmpty, let amount = Int64(digits) else { return nil }
        let units: [String: Int64] = [
            "": 1, "ms": 1, "s": 1_000, "sec": 1_000, "m": 60_000, "min": 60_000, "h": 3_600_000, "d": 86_400_000,
        ]
        guard let unit = units[String(text.dropFirst(digits.count))] else { return nil }
        let (value, overflow) = amount.multipliedReportingOverflow(by: unit)
        guard !overflow else { return nil }
        milliseconds = value
    }

    var description: String {
        for (unit, size) in [("d", Int64(86_400_000)), ("h", 3_600_000), ("m", 60_000), ("s", 1_000)]
        where milliseconds != 0 && milliseconds % size == 0 {
            return "\(milliseconds / size)\(unit)"
        }
        return "\(milliseconds)ms"
    }

    var defaultValueDescription: String { description }
}
