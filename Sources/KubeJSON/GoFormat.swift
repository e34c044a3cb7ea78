/// Number formatting as Go prints it, so klab's output matches kubectl's byte for byte.
public enum GoFormat {
    /// Shortest round-trip decimal digits and exponent of a finite double:
    /// value = 0.d1d2d3... × 10^exponent (digits without leading zeros).
    static func shortestDigits(_ d: Double) -> (digits: [UInt8], exponent: Int) {
        // Swift's description is the shortest round-trip representation; read digits from it.
        shortestDigits(description: abs(d).description)
    }

    static func shortestDigits(description text: String) -> (digits: [UInt8], exponent: Int) {
        var digits: [UInt8] = []
        var exponent = 0
        var pointSeen = false
        var intDigits = 0
        var mantissa = Substring(text)
        if let e = text.firstIndex(where: { $0 == "e" || $0 == "E" }) {
            mantissa = text[..<e]
            exponent = Int(text[text.index(after: e)...])!
        }
        for ch in mantissa {
            if ch == "." { pointSeen = true; continue }
            let v = ch.asciiValue! - 48
            if !pointSeen { intDigits += 1 }
            digits.append(v)
        }
        // Strip leading zeros (adjusting the point) and trailing zeros.
        var lead = 0
        while lead < digits.count - 1, digits[lead] == 0 { lead += 1 }
        let pointPos = intDigits - lead + exponent
        digits.removeFirst(lead)
        while digits.count > 1, digits.last == 0 { digits.removeLast() }
        if digits == [0] { return ([0], 1) }
        return (digits, pointPos)
    }

    /// Go's `strconv.FormatFloat(d, 'g', -1, 64)`, which is what `%v` prints for a float64.
    public static func percentV(_ d: Double) -> String {
        if d.isNaN { return "NaN" }
        if d.isInfinite { return d < 0 ? "-Inf" : "+Inf" }
        if d == 0 { return d.sign == .minus ? "-0" : "0" }
        let (digits, point) = shortestDigits(d)
        let sign = d < 0 ? "-" : ""
        let exp = point - 1
        // strconv's shortest %g switches to exponent form below 1e-4 and from 1e6 (eprec 6).
        if exp < -4 || exp >= 6 {
            return sign + exponentForm(digits, exp)
        }
        return sign + fixedForm(digits, point)
    }

    /// Go's `strconv.FormatFloat(Float64(f), 'g', -1, 32)`: the shortest digits that
    /// identify the value as a float32 (go-yaml and sigs.k8s.io/yaml format float keys so).
    public static func formatFloat32(_ f: Float) -> String {
        if f.isNaN { return "NaN" }
        if f.isInfinite { return f < 0 ? "-Inf" : "+Inf" }
        if f == 0 { return f.sign == .minus ? "-0" : "0" }
        let (digits, point) = shortestDigits(description: abs(f).description)
        let sign = f < 0 ? "-" : ""
        let exp = point - 1
        if exp < -4 || exp >= 6 {
            return sign + exponentForm(digits, exp)
        }
        return sign + fixedForm(digits, point)
    }

    /// Go's `encoding/json` float64 encoding: fixed notation unless the magnitude is below
    /// 1e-6 or at least 1e21, then exponent notation with a compact exponent ("1e-7").
    public static func jsonFloat(_ d: Double) -> String {
        if d == 0 { return d.sign == .minus ? "-0" : "0" }
        let (digits, point) = shortestDigits(d)
        let sign = d < 0 ? "-" : ""
        let a = abs(d)
        if a < 1e-6 || a >= 1e21 {
            // Go trims a two-digit exponent to one digit ("1e-7", not "1e-07").
            var s = exponentForm(digits, point - 1)
            if s.hasSuffix("e-0" + String(s.last!)) || s.hasSuffix("e+0" + String(s.last!)) {
                s.remove(at: s.index(s.endIndex, offsetBy: -2))
            }
            return sign + s
        }
        return sign + fixedForm(digits, point)
    }

    static func fixedForm(_ digits: [UInt8], _ point: Int) -> String {
        var s = ""
        if point <= 0 {
            s = "0." + String(repeating: "0", count: -point) + digits.map(String.init).joined()
        } else if point >= digits.count {
            s = digits.map(String.init).joined() + String(repeating: "0", count: point - digits.count)
        } else {
            let ds = digits.map(String.init)
            s = ds[0..<point].joined() + "." + ds[point...].joined()
        }
        return s
    }

    static func exponentForm(_ digits: [UInt8], _ exp: Int) -> String {
        var s = String(digits[0])
        if digits.count > 1 { s += "." + digits[1...].map(String.init).joined() }
        let e = abs(exp)
        s += (exp < 0 ? "e-" : "e+") + (e < 10 ? "0" : "") + String(e)
        return s
    }
}
