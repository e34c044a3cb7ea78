/// Go's text conventions where kubectl's JSONPath messages and literals depend on them:
/// `%q`, `%#U`, `%v` of decoded JSON, reflect type names, and string-literal unquoting.
enum GoText {
    /// strconv.Quote: double quotes, with `"` and `\` escaped and unprintable characters escaped.
    static func quote(_ s: String) -> String {
        var out = "\""
        for scalar in s.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\u{07}": out += "\\a"
            case "\u{08}": out += "\\b"
            case "\u{0C}": out += "\\f"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case "\u{0B}": out += "\\v"
            default:
                if isPrint(scalar) {
                    out.unicodeScalars.append(scalar)
                } else if scalar.value < 0x80 {
                    out += "\\x" + hex(scalar.value, width: 2)
                } else if scalar.value < 0x10000 {
                    out += "\\u" + hex(scalar.value, width: 4)
                } else {
                    out += "\\U" + hex(scalar.value, width: 8)
                }
            }
        }
        return out + "\""
    }

    /// fmt's `%#U`: `U+002A '*'`, without the quoted character when it is not printable.
    static func unicodeName(_ r: Unicode.Scalar) -> String {
        let code = "U+" + hex(r.value, width: 4, uppercase: true)
        return isPrint(r) ? code + " '" + String(r) + "'" : code
    }

    /// strconv.IsPrint: letters, marks, numbers, punctuation, symbols and the ASCII space.
    static func isPrint(_ r: Unicode.Scalar) -> Bool {
        if r == " " { return true }
        switch r.properties.generalCategory {
        case .uppercaseLetter, .lowercaseLetter, .titlecaseLetter, .modifierLetter, .otherLetter,
             .nonspacingMark, .spacingMark, .enclosingMark,
             .decimalNumber, .letterNumber, .otherNumber,
             .connectorPunctuation, .dashPunctuation, .openPunctuation, .closePunctuation,
             .initialPunctuation, .finalPunctuation, .otherPunctuation,
             .mathSymbol, .currencySymbol, .modifierSymbol, .otherSymbol:
            return true
        default:
            return false
        }
    }

    private static func hex(_ v: UInt32, width: Int, uppercase: Bool = false) -> String {
        let digits = String(v, radix: 16, uppercase: uppercase)
        return String(repeating: "0", count: max(0, width - digits.count)) + digits
    }

    /// kubectl's UnquoteExtend (strconv.Unquote that also accepts single quotes around any
    /// number of characters). `quoted` includes both quotes; nil means "invalid syntax".
    static func unquote(_ quoted: [Unicode.Scalar]) -> String? {
        guard quoted.count >= 2, let quote = quoted.first, quoted.last == quote,
              quote == "\"" || quote == "'" else { return nil }
        let body = quoted[1..<quoted.count - 1]
        if !body.contains("\\"), !body.contains(quote) {
            return String(String.UnicodeScalarView(body))
        }
        var bytes: [UInt8] = []
        var i = body.startIndex
        func hexValue(_ c: Unicode.Scalar) -> UInt32? {
            switch c {
            case "0"..."9": return c.value - 0x30
            case "a"..."f": return c.value - 0x61 + 10
            case "A"..."F": return c.value - 0x41 + 10
            default: return nil
            }
        }
        func appendScalar(_ value: UInt32) -> Bool {
            guard let scalar = Unicode.Scalar(value) else { return false }
            bytes.append(contentsOf: Array(String(scalar).utf8))
            return true
        }
        while i < body.endIndex {
            let c = body[i]
            if c == quote { return nil }
            if c != "\\" {
                bytes.append(contentsOf: Array(String(c).utf8))
                i += 1
                continue
            }
            guard i + 1 < body.endIndex else { return nil }
            let e = body[i + 1]
            i += 2
            switch e {
            case "a": bytes.append(0x07)
            case "b": bytes.append(0x08)
            case "f": bytes.append(0x0C)
            case "n": bytes.append(0x0A)
            case "r": bytes.append(0x0D)
            case "t": bytes.append(0x09)
            case "v": bytes.append(0x0B)
            case "\\": bytes.append(0x5C)
            case "'", "\"":
                guard e == quote else { return nil }
                bytes.append(UInt8(e.value))
            case "x", "u", "U":
                let n = e == "x" ? 2 : e == "u" ? 4 : 8
                guard body.endIndex - i >= n else { return nil }
                var v: UInt32 = 0
                for j in 0..<n {
                    guard let x = hexValue(body[i + j]) else { return nil }
                    v = v << 4 | x
                }
                i += n
                if e == "x" {
                    bytes.append(UInt8(v))
                } else {
                    guard appendScalar(v) else { return nil }
                }
            case "0"..."7":
                guard body.endIndex - i >= 2 else { return nil }
                var v = e.value - 0x30
                for j in 0..<2 {
                    let d = body[i + j]
                    guard ("0"..."7").contains(d) else { return nil }
                    v = v << 3 | (d.value - 0x30)
                }
                i += 2
                guard v <= 255 else { return nil }
                bytes.append(UInt8(v))
            default:
                return nil
            }
        }
        return String(decoding: bytes, as: UTF8.self)
    }
}

extension GoText {
    /// The reflect type name kubectl's messages show for a value ("map[string]interface {}").
    static func typeName(_ value: JSONPathValue) -> String {
        switch value {
        case .json(.null): return "interface {}"
        case .json(.bool): return "bool"
        case .json(.int): return "int64"
        case .json(.double): return "float64"
        case .json(.string): return "string"
        case .json(.array): return "[]interface {}"
        case .json(.object): return "map[string]interface {}"
        case .byte: return "uint8"
        case .goInt: return "int"
        case .invalid: return "<invalid reflect.Value>"
        }
    }

    /// fmt's `%v` of a decoded JSON value: `map[a:1 b:[x y]]`, `<nil>`, floats as `%v`.
    static func percentV(_ value: JSONPathValue) -> String {
        switch value {
        case .json(let json):
            var out = ""
            percentV(json, into: &out)
            return out
        case .byte(let b): return String(b)
        case .goInt(let n): return String(n)
        case .invalid: return "<invalid reflect.Value>"
        }
    }

    private static func percentV(_ value: JSONValue, into out: inout String) {
        switch value {
        case .null: out += "<nil>"
        case .bool(let b): out += b ? "true" : "false"
        case .int(let n): out += String(n)
        case .double(let d): out += GoFormat.percentV(d)
        case .string(let s): out += s
        case .array(let elements):
            out += "["
            for (i, element) in elements.enumerated() {
                if i > 0 { out += " " }
                percentV(element, into: &out)
            }
            out += "]"
        case .object(let object):
            out += "map["
            for (i, entry) in object.sortedEntries.enumerated() {
                if i > 0 { out += " " }
                out += entry.key + ":"
                percentV(entry.value, into: &out)
            }
            out += "]"
        }
    }
}
