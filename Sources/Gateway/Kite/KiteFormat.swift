/// Kite's text forms of times and tokens.
enum KiteFormat {
    /// `YYYY-MM-DD HH:MM:SS` in UTC (Kite's own are in IST; this exchange keeps UTC everywhere).
    static func timestamp(_ millis: Int64) -> String {
        let (date, seconds) = civil(millis)
        return "\(date) \(two(seconds / 3600)):\(two(seconds / 60 % 60)):\(two(seconds % 60))"
    }

    /// `YYYY-MM-DDTHH:MM:SS+0000`, the form of a historical candle's time.
    static func candleTime(_ millis: Int64) -> String {
        let (date, seconds) = civil(millis)
        return "\(date)T\(two(seconds / 3600)):\(two(seconds / 60 % 60)):\(two(seconds % 60))+0000"
    }

    /// Epoch milliseconds of `YYYY-MM-DD` or `YYYY-MM-DD HH:MM:SS` (UTC); nil for anything else.
    static func parseTime(_ text: String) -> Int64? {
        let bytes = Array(text.utf8)
        guard bytes.count == 10 || bytes.count == 19 else { return nil }
        func number(_ range: Range<Int>) -> Int64? {
            var value: Int64 = 0
            for i in range {
                guard bytes[i] >= 48, bytes[i] <= 57 else { return nil }
                value = value * 10 + Int64(bytes[i] - 48)
            }
            return value
        }
        guard bytes[4] == UInt8(ascii: "-"), bytes[7] == UInt8(ascii: "-"),
              let year = number(0..<4), let month = number(5..<7), let day = number(8..<10),
              (1...12).contains(month), (1...31).contains(day)
        else { return nil }
        var seconds: Int64 = 0
        if bytes.count == 19 {
            guard bytes[10] == UInt8(ascii: " ") || bytes[10] == UInt8(ascii: "T"), bytes[13] == UInt8(ascii: ":"),
                  bytes[16] == UInt8(ascii: ":"), let h = number(11..<13), let m = number(14..<16), let s = number(17..<19),
                  h < 24, m < 60, s < 60
            else { return nil }
            seconds = h * 3600 + m * 60 + s
        }
        return (daysFromCivil(year, month, day) * 86_400 + seconds) * 1000
    }

    private static func two(_ v: Int64) -> String { v < 10 ? "0\(v)" : "\(v)" }

    /// The date text and the seconds into that day of an instant.
    private static func civil(_ millis: Int64) -> (String, Int64) {
        let seconds = millis >= 0 ? millis / 1000 : (millis - 999) / 1000
        let days = seconds >= 0 ? seconds / 86_400 : (seconds - 86_399) / 86_400
        let (y, m, d) = civilFromDays(days)
        let year = String(y)
        return ("\(String(repeating: "0", count: max(0, 4 - year.count)))\(year)-\(two(m))-\(two(d))", seconds - days * 86_400)
    }

    // Howard Hinnant's days-from-civil algorithms (proleptic Gregorian calendar).
    static func civilFromDays(_ z0: Int64) -> (Int64, Int64, Int64) {
        let z = z0 + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let doe = z - era * 146_097
        let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146_096) / 365
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let d = doy - (153 * mp + 2) / 5 + 1
        let m = mp < 10 ? mp + 3 : mp - 9
        return (yoe + era * 400 + (m <= 2 ? 1 : 0), m, d)
    }

    static func daysFromCivil(_ y0: Int64, _ m: Int64, _ d: Int64) -> Int64 {
        let y = m <= 2 ? y0 - 1 : y0
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400
        let doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        return era * 146_097 + doe - 719_468
    }

    /// A CSV field, quoted when it holds a comma, a quote or a line break.
    static func csvField(_ text: String) -> String {
        guard text.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" }) else { return text }
        return "\"" + text.map { $0 == "\"" ? "\"\"" : String($0) }.joined() + "\""
    }
}
