/// An RFC 3339 timestamp as Kubernetes writes them (`2026-11-29T02:42:02Z`,
/// `2026-11-29T02:42:02.123456Z`, `2026-11-29T04:42:02+02:00`), compared exactly: whole
/// seconds since the epoch in UTC, then nanoseconds.
public struct Timestamp: Comparable, Hashable, Sendable, CustomStringConvertible {
    public var seconds: Int64
    public var nanoseconds: Int32

    public init(seconds: Int64, nanoseconds: Int32 = 0) {
        self.seconds = seconds
        self.nanoseconds = nanoseconds
    }

    /// Parses `YYYY-MM-DDTHH:MM:SS[.fraction](Z|±HH:MM)`; `t` and `z` may be lower case, as
    /// RFC 3339 allows. Surrounding whitespace is ignored. nil when the text is not one.
    public init?(_ text: String) {
        let chars = Array(text.trimmingWhitespace().utf8)
        func digits(_ at: Int, _ count: Int) -> Int? {
            guard at + count <= chars.count else { return nil }
            var value = 0
            for c in chars[at..<(at + count)] {
                guard c >= 48, c <= 57 else { return nil }
                value = value * 10 + Int(c - 48)
            }
            return value
        }
        func char(_ at: Int, _ options: String) -> Bool { at < chars.count && options.utf8.contains(chars[at]) }
        guard let year = digits(0, 4), char(4, "-"), let month = digits(5, 2), char(7, "-"), let day = digits(8, 2),
              char(10, "Tt "), let hour = digits(11, 2), char(13, ":"), let minute = digits(14, 2), char(16, ":"),
              let second = digits(17, 2)
        else { return nil }
        guard (1...12).contains(month), day >= 1, day <= Self.daysIn(month: month, year: year), hour <= 23, minute <= 59,
              second <= 60
        else { return nil }
        var index = 19
        var nanos = 0
        if char(index, ".") {
            index += 1
            var count = 0
            while index < chars.count, chars[index] >= 48, chars[index] <= 57 {
                if count < 9 { nanos = nanos * 10 + Int(chars[index] - 48) }
                count += 1
                index += 1
            }
            guard count > 0 else { return nil }
            if count < 9 { for _ in count..<9 { nanos *= 10 } }
        }
        var offset = 0
        if char(index, "Zz") {
            index += 1
        } else if char(index, "+-") {
            let sign = chars[index] == UInt8(ascii: "-") ? -1 : 1
            guard let h = digits(index + 1, 2), char(index + 3, ":"), let m = digits(index + 4, 2), h <= 23, m <= 59 else { return nil }
            offset = sign * (h * 3600 + m * 60)
            index += 6
        } else {
            return nil
        }
        guard index == chars.count else { return nil }
        let days = Self.daysFromCivil(year: year, month: month, day: day)
        seconds = Int64(days) * 86400 + Int64(hour * 3600 + minute * 60 + second) - Int64(offset)
        nanoseconds = Int32(nanos)
    }

    public static func < (a: Timestamp, b: Timestamp) -> Bool {
        (a.seconds, a.nanoseconds) < (b.seconds, b.nanoseconds)
    }

    /// UTC, with the fraction only when there is one: `2026-11-29T02:42:02Z`.
    public var description: String {
        let days = Int(seconds >= 0 ? seconds / 86400 : (seconds - 86399) / 86400)
        let rest = Int(seconds - Int64(days) * 86400)
        let (y, m, d) = Self.civil(fromDays: days)
        func pad(_ n: Int, _ width: Int) -> String {
            let s = String(n)
            return String(repeating: "0", count: max(0, width - s.count)) + s
        }
        var text = "\(pad(y, 4))-\(pad(m, 2))-\(pad(d, 2))T\(pad(rest / 3600, 2)):\(pad(rest / 60 % 60, 2)):\(pad(rest % 60, 2))"
        if nanoseconds > 0 {
            var fraction = pad(Int(nanoseconds), 9)
            while fraction.hasSuffix("0") { fraction.removeLast() }
            text += "." + fraction
        }
        return text + "Z"
    }

    private static func daysIn(month: Int, year: Int) -> Int {
        switch month {
        case 2: return (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 ? 29 : 28
        case 4, 6, 9, 11: return 30
        default: return 31
        }
    }

    /// Days since 1970-01-01 (Howard Hinnant's algorithm).
    private static func daysFromCivil(year: Int, month: Int, day: Int) -> Int {
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400
        let doy = (153 * (month + (month > 2 ? -3 : 9)) + 2) / 5 + day - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        return era * 146097 + doe - 719468
    }

    private static func civil(fromDays z0: Int) -> (Int, Int, Int) {
        let z = z0 + 719468
        let era = (z >= 0 ? z : z - 146096) / 146097
        let doe = z - era * 146097
        let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let d = doy - (153 * mp + 2) / 5 + 1
        let m = mp + (mp < 10 ? 3 : -9)
        return (yoe + era * 400 + (m <= 2 ? 1 : 0), m, d)
    }
}

extension String {
    func trimmingWhitespace() -> Substring {
        var s = Substring(self)
        while let first = s.first, first.isWhitespace { s.removeFirst() }
        while let last = s.last, last.isWhitespace { s.removeLast() }
        return s
    }
}
