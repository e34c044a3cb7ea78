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

    /// The text with each `${name}` that `values` knows replaced; others are left as written.
    public static func substitute(_ text: String, _ values: [String: String]) -> String {
        guard text.contains("${") else { return text }
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
