/// Serialises `JSONValue`s. `compact` is what kubectl prints for a map or array inside a
/// JSONPath template (Go's `json.Marshal`: sorted keys, HTML-escaped); `pretty` is for
/// klab's own `--output json` (keys in their order, two-space indent).
public enum JSONWriter {
    public struct Options: Sendable {
        public var sortKeys: Bool
        public var escapeHTML: Bool
        public var indent: String?

        public init(sortKeys: Bool, escapeHTML: Bool, indent: String?) {
            self.sortKeys = sortKeys
            self.escapeHTML = escapeHTML
            self.indent = indent
        }

        public static let goCompact = Options(sortKeys: true, escapeHTML: true, indent: nil)
        public static let pretty = Options(sortKeys: false, escapeHTML: false, indent: "  ")
        public static let compact = Options(sortKeys: false, escapeHTML: false, indent: nil)
    }

    /// Go's `json.Marshal` of the value.
    public static func goCompact(_ value: JSONValue) -> String { write(value, options: .goCompact) }

    public static func pretty(_ value: JSONValue) -> String { write(value, options: .pretty) }

    public static func compact(_ value: JSONValue) -> String { write(value, options: .compact) }

    public static func write(_ value: JSONValue, options: Options) -> String {
        var out = ""
        write(value, options: options, level: 0, into: &out)
        return out
    }

    private static func newline(_ options: Options, _ level: Int, _ out: inout String) {
        guard let indent = options.indent else { return }
        out.append("\n")
        for _ in 0..<level { out.append(indent) }
    }

    private static func write(_ value: JSONValue, options: Options, level: Int, into out: inout String) {
        switch value {
        case .null: out.append("null")
        case .bool(let b): out.append(b ? "true" : "false")
        case .int(let n): out.append(String(n))
        case .double(let d): out.append(GoFormat.jsonFloat(d))
        case .string(let s): writeString(s, escapeHTML: options.escapeHTML, into: &out)
        case .array(let items):
            if items.isEmpty { out.append("[]"); return }
            out.append("[")
            for (i, item) in items.enumerated() {
                if i > 0 { out.append(",") }
                newline(options, level + 1, &out)
                write(item, options: options, level: level + 1, into: &out)
            }
            newline(options, level, &out)
            out.append("]")
        case .object(let object):
            if object.isEmpty { out.append("{}"); return }
            out.append("{")
            // Sort positions, not (key, value) copies: this runs for every map of a 40 MB list.
            var order = Array(object.keys.indices)
            if options.sortKeys {
                let keys = object.keys
                order.sort { keys[$0].utf8.lexicographicallyPrecedes(keys[$1].utf8) }
            }
            for (i, position) in order.enumerated() {
                if i > 0 { out.append(",") }
                newline(options, level + 1, &out)
                writeString(object.keys[position], escapeHTML: options.escapeHTML, into: &out)
                out.append(options.indent == nil ? ":" : ": ")
                write(object.values[position], options: options, level: level + 1, into: &out)
            }
            newline(options, level, &out)
            out.append("}")
        }
    }

    /// Escapes a string as Go's encoder does: \b \f \n \r \t short, other control characters
    /// and U+2028/U+2029 as \u00XX, and <, >, & as \u003c... when asked (json.Marshal does).
    public static func writeString(_ s: String, escapeHTML: Bool, into out: inout String) {
        out.append("\"")
        if !needsEscaping(s, escapeHTML: escapeHTML) {
            out.append(s)
            out.append("\"")
            return
        }
        for scalar in s.unicodeScalars {
            switch scalar {
            case "\"": out.append("\\\"")
            case "\\": out.append("\\\\")
            case "\n": out.append("\\n")
            case "\r": out.append("\\r")
            case "\t": out.append("\\t")
            case "\u{8}": out.append("\\b")
            case "\u{C}": out.append("\\f")
            case "<" where escapeHTML, ">" where escapeHTML, "&" where escapeHTML:
                out.append(hexEscape(scalar.value))
            case "\u{2028}", "\u{2029}":
                out.append(hexEscape(scalar.value))
            default:
                if scalar.value < 0x20 {
                    out.append(hexEscape(scalar.value))
                } else {
                    out.unicodeScalars.append(scalar)
                }
            }
        }
        out.append("\"")
    }

    /// Most strings need no escape at all; finding that out on bytes is much cheaper than
    /// appending scalar by scalar.
    private static func needsEscaping(_ s: String, escapeHTML: Bool) -> Bool {
        for byte in s.utf8 {
            switch byte {
            case 0..<0x20, UInt8(ascii: "\""), UInt8(ascii: "\\"): return true
            case UInt8(ascii: "<"), UInt8(ascii: ">"), UInt8(ascii: "&"): if escapeHTML { return true }
            case 0xE2: return true  // may start U+2028 or U+2029
            default: break
            }
        }
        return false
    }

    private static func hexEscape(_ value: UInt32) -> String {
        let hex = String(value, radix: 16)
        return "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
    }
}
