import KubeJSON
/// Durations as people write them for kubectl and klab: Go's `time.ParseDuration` units
/// (`1h30m`, `30s`, `500ms`, `250us`, `10ns`) or a plain number of seconds (`90`, `1.5`).
/// The one parser of durations: lab files (`timeout:`) and `klab verify --wait` both use it.
public enum GoDuration {
    /// Seconds, or nil when the text is not a duration. Every number needs a unit except a
    /// lone plain number; an unknown unit (`2mx`, `5d`) or a unit without a number (`ms`) is
    /// refused rather than read as something else.
    public static func seconds(_ text: String) -> Double? {
        let text = text.trimmingSpaces
        guard !text.isEmpty else { return nil }
        if isPlainNumber(text[...]) { return Double(text) }
        var total = 0.0
        var rest = Substring(text)
        while !rest.isEmpty {
            let digits = rest.prefix { $0.isASCII && ($0.isNumber || $0 == ".") }
            guard isPlainNumber(digits), let value = Double(digits) else { return nil }
            rest = rest.dropFirst(digits.count)
            let unit = rest.prefix { !($0.isASCII && ($0.isNumber || $0 == ".")) }
            rest = rest.dropFirst(unit.count)
            guard let scale = units[String(unit)] else { return nil }
            total += value * scale
        }
        return total
    }

    private static let units: [String: Double] = [
        "ns": 1e-9, "us": 1e-6, "µs": 1e-6, "μs": 1e-6, "ms": 1e-3, "s": 1, "m": 60, "h": 3600,
    ]

    /// Digits with at most one dot and at least one digit (`1`, `1.5`, `.5`, `2.`).
    private static func isPlainNumber(_ text: Substring) -> Bool {
        var digits = 0, dots = 0
        for c in text {
            if c.isASCII && c.isNumber { digits += 1 } else if c == "." { dots += 1 } else { return false }
        }
        return digits > 0 && dots <= 1
    }
}

extension String {
    var trimmingSpaces: String {
        var s = Substring(self)
        while let first = s.first, first == " " || first == "\t" { s = s.dropFirst() }
        while let last = s.last, last == " " || last == "\t" { s = s.dropLast() }
        return String(s)
    }
}
