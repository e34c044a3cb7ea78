/// `${name}` in check strings.
public enum Variables {
    /// The names used as `${name}` in a text, in order, without repeats.
    public static func names(in text: String) -> [String] {
        var names: [String] = []
        var rest = Substring(text)
        while let start = rest.range(of: "${") {
            rest = rest[start.upperBound...]
            guard let end = rest.firstIndex(of: "}") else { break }
            let name = String(rest[..<end])
            if !name.isEmpty, !names.contains(name) { names.append(name) }
            rest = rest[rest.index(after: end)...]
        }
        return names
    }

    /// Whether the text holds `${`, the start of a reference: looked for in its bytes (a
    /// `String.contains` of a string goes through Foundation's search, per lab string checked).
    public static func mayReference(_ text: String) -> Bool {
        var dollar = false
        for byte in text.utf8 {
            if dollar && byte == UInt8(ascii: "{") { return true }
            dollar = byte == UInt8(ascii: "$")
        }
        return false
    }

    /// The text with each `${name}` that `values` knows replaced; others are left as written.
    public static func substitute(_ text: String, _ values: [String: String]) -> String {
        guard mayReference(text) else { return text }
        var result = ""
        var rest = Substring(text)
        while let start = rest.range(of: "${") {
            result += rest[..<start.lowerBound]
            let after = rest[start.upperBound...]
            guard let end = after.firstIndex(of: "}") else {
                rest = rest[start.lowerBound...]
                break
            }
            let name = String(after[..<end])
            if let value = values[name] {
                result += value
            } else {
                result += rest[start.lowerBound...end]
            }
            rest = after[after.index(after: end)...]
        }
        return result + rest
    }
}
