import KubeJSON
/// A Kubernetes resource quantity (`500m`, `1.5`, `128Mi`, `2Gi`, `1e3`), parsed exactly as
/// `resource.ParseQuantity` of k8s.io/apimachinery parses it and compared exactly.
///
/// The value is kept as decimal digits and a power of ten, so `1Ki == 1024`, `0.5 == 500m` and
/// `0.1 + 0.2`-style float surprises cannot happen. As in Kubernetes, a value that needs more
/// than nine decimals is rounded up (away from zero) to the next nano, and a binary-suffixed
/// value (`Ki`...`Ei`) that cannot take apimachinery's int64 fast path is capped at 2^63-1.
public struct Quantity: Sendable, Comparable, Hashable, CustomStringConvertible {
    /// The text the quantity was parsed from.
    public let text: String
    private let negative: Bool
    /// Decimal digits of the magnitude, no leading or trailing zeros; empty for zero.
    private let digits: [UInt8]
    /// Magnitude = digits × 10^exponent.
    private let exponent: Int

    public var description: String { text }

    public var isZero: Bool { digits.isEmpty }

    /// Parses a quantity; throws `QuantityError` for text Kubernetes rejects.
    public init(_ text: String) throws {
        self.text = text
        let parsed = try QuantityScanner.parse(text)
        negative = parsed.negative && !parsed.digits.isEmpty
        digits = parsed.digits
        exponent = parsed.exponent
    }

    /// The quantity of a JSON value: a string is parsed; a number is read as written.
    public init(json: JSONValue) throws {
        switch json {
        case .string(let s): try self.init(s)
        case .int(let n): try self.init(String(n))
        case .double(let d): try self.init(GoFormat.percentV(d))
        default: throw QuantityError(text: JSONWriter.compact(json), reason: "a \(json.typeName) is not a quantity")
        }
    }

    public static func == (lhs: Quantity, rhs: Quantity) -> Bool { compare(lhs, rhs) == 0 }

    public static func < (lhs: Quantity, rhs: Quantity) -> Bool { compare(lhs, rhs) < 0 }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(negative)
        hasher.combine(digits)
        hasher.combine(exponent)
    }

    private static func compare(_ a: Quantity, _ b: Quantity) -> Int {
        if a.negative != b.negative { return a.negative ? -1 : 1 }
        let magnitude = compareMagnitude(a, b)
        return a.negative ? -magnitude : magnitude
    }

    private static func compareMagnitude(_ a: Quantity, _ b: Quantity) -> Int {
        if a.digits.isEmpty || b.digits.isEmpty {
            return (a.digits.isEmpty ? 0 : 1) - (b.digits.isEmpty ? 0 : 1)
        }
        // The position of the leading digit decides unless both lead at the same power of ten.
        let orderA = a.digits.count + a.exponent, orderB = b.digits.count + b.exponent
        if orderA != orderB { return orderA < orderB ? -1 : 1 }
        for i in 0..<max(a.digits.count, b.digits.count) {
            let x = i < a.digits.count ? a.digits[i] : 0
            let y = i < b.digits.count ? b.digits[i] : 0
            if x != y { return x < y ? -1 : 1 }
        }
        return 0
    }
}

/// Text that is not a Kubernetes quantity.
public struct QuantityError: Error, Equatable, Sendable, CustomStringConvertible {
    public var text: String
    public var reason: String

    public init(text: String, reason: String) {
        self.text = text
        self.reason = reason
    }

    public var description: String {
        "\"\(text)\" is not a Kubernetes quantity: \(reason) (write e.g. 500m, 1.5, 128Mi, 2Gi, 1e3)"
    }
}

/// The scanner and arithmetic of apimachinery's `ParseQuantity`, on decimal digit arrays.
enum QuantityScanner {
    struct Parsed {
        var negative: Bool
        var digits: [UInt8]
        var exponent: Int
    }

    private static let decimalSuffixes: [String: Int] = [
        "n": -9, "u": -6, "m": -3, "": 0, "k": 3, "M": 6, "G": 9, "T": 12, "P": 15, "E": 18,
    ]
    private static let binarySuffixes: [String: Int] = [
        "Ki": 10, "Mi": 20, "Gi": 30, "Ti": 40, "Pi": 50, "Ei": 60,
    ]
    private static let suffixLetters = Set("eEinumkKMGTP".utf8)
    private static let maxInt64 = Array("9223372036854775807".utf8).map { $0 - 48 }

    static func parse(_ text: String) throws -> Parsed {
        let s = Array(text.utf8)
        if s.isEmpty { throw QuantityError(text: text, reason: "it is empty") }
        if text == "0" { return Parsed(negative: false, digits: [], exponent: 0) }
        let isDigit: (UInt8) -> Bool = { $0 >= 48 && $0 <= 57 }
        let wrong = QuantityError(text: text, reason: "quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'")

        // Sign, then leading zeros: text that is only a sign and zeros is zero.
        var pos = 0
        var negative = false
        if s[0] == UInt8(ascii: "-") { negative = true; pos = 1 } else if s[0] == UInt8(ascii: "+") { pos = 1 }
        while pos < s.count, s[pos] == UInt8(ascii: "0") { pos += 1 }
        if pos == s.count { return Parsed(negative: false, digits: [], exponent: 0) }
        var sawDigit = pos > 0 && s[pos - 1] == UInt8(ascii: "0")

        let numStart = pos
        while pos < s.count, isDigit(s[pos]) { pos += 1 }
        var num = Array(s[numStart..<pos])
        var denom: [UInt8] = []
        if pos < s.count, s[pos] == UInt8(ascii: ".") {
            pos += 1
            let denomStart = pos
            while pos < s.count, isDigit(s[pos]) { pos += 1 }
            denom = Array(s[denomStart..<pos])
        }
        sawDigit = sawDigit || !num.isEmpty || !denom.isEmpty
        if num.isEmpty { num = [UInt8(ascii: "0")] }

        // The suffix: letters, then an optional sign and digits (an exponent).
        let suffixStart = pos
        while pos < s.count, suffixLetters.contains(s[pos]) { pos += 1 }
        if pos < s.count, s[pos] == UInt8(ascii: "-") || s[pos] == UInt8(ascii: "+") { pos += 1 }
        while pos < s.count, isDigit(s[pos]) { pos += 1 }
        if pos < s.count { throw wrong }
        let suffix = String(decoding: s[suffixStart...], as: UTF8.self)

        var base10Exponent = 0
        var base2Exponent = 0
        var binary = false
        if let e = decimalSuffixes[suffix] {
            base10Exponent = e
        } else if let e = binarySuffixes[suffix] {
            base2Exponent = e
            binary = true
        } else if suffix.count > 1, suffix.first == "e" || suffix.first == "E", let e = Int64(suffix.dropFirst()) {
            // apimachinery parses the exponent as int64 and keeps its low 32 bits.
            base10Exponent = Int(Int32(truncatingIfNeeded: e))
        } else {
            throw QuantityError(text: text, reason: "unable to parse quantity's suffix \"\(suffix)\"")
        }

        let zero = UInt8(ascii: "0")
        var digits = (num + denom).map { $0 - zero }
        var exponent = base10Exponent - denom.count
        for _ in 0..<base2Exponent { digits = double(digits) }
        (digits, exponent) = normalize(digits, exponent)

        if !takesFastPath(num: num, denom: denom, base10Exponent: base10Exponent, binary: binary, base2Exponent: base2Exponent) {
            // The big-decimal path parses the number as written, which needs a digit: `.Pi` and
            // `.e-10` fail there, while `.k` and `.Ki` never reach it and are zero.
            guard sawDigit else { throw QuantityError(text: text, reason: "unable to parse quantity's numeric part") }
            // The big-decimal path rounds up to nano precision and caps binary values at MaxInt64.
            if !digits.isEmpty, exponent < -9 {
                let dropped = -9 - exponent
                if dropped >= digits.count {
                    digits = [1]
                } else {
                    digits = increment(Array(digits.dropLast(dropped)))
                }
                exponent = -9
                (digits, exponent) = normalize(digits, exponent)
            }
            if binary, digits.count + exponent > maxInt64.count
                || (digits.count + exponent == maxInt64.count && greater(digits, than: maxInt64)) {
                (digits, exponent) = normalize(maxInt64, 0)
            }
        }
        return Parsed(negative: negative, digits: digits, exponent: exponent)
    }

    /// apimachinery's int64 fast path: exact, never capped; anything else goes through inf.Dec.
    private static func takesFastPath(num: [UInt8], denom: [UInt8], base10Exponent: Int, binary: Bool, base2Exponent: Int) -> Bool {
        let precision: Int
        var scale = 0
        if binary {
            guard denom.isEmpty else { return false }
            precision = 15 - num.count - Int(Float(base2Exponent) * 3 / 10) - 1
        } else {
            scale = base10Exponent
            precision = 18 - (num.count + denom.count)
        }
        guard precision >= 0, scale - denom.count >= -9 else { return false }
        let shifted = (num + denom).map { $0 - UInt8(ascii: "0") }
        let significant = Array(shifted.drop { $0 == 0 })
        guard !greater(significant, asIntegerThan: maxInt64) else { return false }
        var value: Int64 = 0
        for d in significant { value = value * 10 + Int64(d) }
        let (_, overflow) = value.multipliedReportingOverflow(by: Int64(1) << Int64(base2Exponent))
        return !overflow
    }

    private static func normalize(_ digits: [UInt8], _ exponent: Int) -> ([UInt8], Int) {
        var d = Array(digits.drop { $0 == 0 })
        var e = exponent
        while let last = d.last, last == 0 {
            d.removeLast()
            e += 1
        }
        return d.isEmpty ? ([], 0) : (d, e)
    }

    private static func double(_ digits: [UInt8]) -> [UInt8] {
        var result = [UInt8](repeating: 0, count: digits.count + 1)
        var carry: UInt8 = 0
        for i in stride(from: digits.count - 1, through: 0, by: -1) {
            let v = digits[i] * 2 + carry
            result[i + 1] = v % 10
            carry = v / 10
        }
        result[0] = carry
        return result
    }

    private static func increment(_ digits: [UInt8]) -> [UInt8] {
        var d = digits
        var i = d.count - 1
        while i >= 0 {
            if d[i] < 9 { d[i] += 1; return d }
            d[i] = 0
            i -= 1
        }
        return [1] + d
    }

    /// Compares two digit arrays of the same order of magnitude (leading digits aligned).
    private static func greater(_ a: [UInt8], than b: [UInt8]) -> Bool {
        for i in 0..<max(a.count, b.count) {
            let x = i < a.count ? a[i] : 0
            let y = i < b.count ? b[i] : 0
            if x != y { return x > y }
        }
        return false
    }

    /// Compares two digit arrays as integers (no leading zeros).
    private static func greater(_ a: [UInt8], asIntegerThan b: [UInt8]) -> Bool {
        if a.count != b.count { return a.count > b.count }
        return greater(a, than: b)
    }
}
