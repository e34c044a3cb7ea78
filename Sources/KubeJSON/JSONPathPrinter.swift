/// How kubectl prints one JSONPath result: strings raw, numbers as Go's `%v`, maps and arrays
/// as `json.Marshal` (compact, sorted keys, HTML-escaped), null as `null` (but `<no value>`
/// for `{@}` inside a range over a null, where kubectl has lost the value).
enum JSONPathPrinter {
    static func append(_ value: JSONPathValue, to out: inout String) {
        switch value {
        case .json(let json):
            switch json {
            case .string(let s): out += s
            case .int(let n): out += String(n)
            case .double(let d): out += GoFormat.percentV(d)
            case .bool(let b): out += b ? "true" : "false"
            case .null: out += "null"
            case .array, .object: out += JSONWriter.goCompact(json)
            }
        case .byte(let b): out += String(b)
        case .goInt(let n): out += String(n)
        case .invalid: out += "<no value>"
        }
    }
}
