import KubeJSON
/// Whether an object contains an expected partial object, with kuttl's rules: a map matches
/// when every expected key is present with a matching value (other keys are ignored); an
/// array matches element by element and must have the same length; numbers compare as
/// numbers (3 == 3.0); everything else must be equal.
///
/// With `anyOrder`, an expected array matches when each of its elements matches a distinct
/// element of the actual array, in any order (the actual array may hold more).
public enum PartialMatch {
    /// The first place where `actual` does not contain `expected`, or nil when it does.
    public static func mismatch(expected: JSONValue, actual: JSONValue, anyOrder: Bool = false) -> PartialMismatch? {
        mismatch(expected, actual, path: "", anyOrder: anyOrder)
    }

    public static func matches(expected: JSONValue, actual: JSONValue, anyOrder: Bool = false) -> Bool {
        mismatch(expected: expected, actual: actual, anyOrder: anyOrder) == nil
    }

    private static func mismatch(_ expected: JSONValue, _ actual: JSONValue?, path: String, anyOrder: Bool) -> PartialMismatch? {
        guard let actual else { return PartialMismatch(path: path, expected: expected, found: nil, reason: .missing) }
        switch (expected, actual) {
        case (.object(let e), .object(let a)):
            for (key, value) in e.entries {
                if let m = mismatch(value, a[key], path: path + JSONPathSegment.key(key), anyOrder: anyOrder) { return m }
            }
            return nil
        case (.array(let e), .array(let a)):
            if anyOrder { return unorderedMismatch(e, a, path: path) }
            guard e.count == a.count else {
                return PartialMismatch(path: path, expected: expected, found: actual, reason: .length(expected: e.count, found: a.count))
            }
            for i in e.indices {
                if let m = mismatch(e[i], a[i], path: path + "[\(i)]", anyOrder: anyOrder) { return m }
            }
            return nil
        default:
            if JSONValue.sameValue(expected, actual) { return nil }
            let reason: PartialMismatch.Reason = expected.typeName == actual.typeName ? .value : .type
            return PartialMismatch(path: path, expected: expected, found: actual, reason: reason)
        }
    }

    /// Each expected element must match a distinct actual one: a bipartite matching, found
    /// with augmenting paths so that a greedy first choice cannot hide a valid assignment.
    private static func unorderedMismatch(_ expected: [JSONValue], _ actual: [JSONValue], path: String) -> PartialMismatch? {
        var fits = [[Int]](repeating: [], count: expected.count)
        for i in expected.indices {
            for j in actual.indices where mismatch(expected[i], actual[j], path: "", anyOrder: true) == nil {
                fits[i].append(j)
            }
        }
        var owner = [Int?](repeating: nil, count: actual.count)
        func assign(_ i: Int, _ seen: inout [Bool]) -> Bool {
            for j in fits[i] where !seen[j] {
                seen[j] = true
                if owner[j] == nil || assign(owner[j]!, &seen) {
                    owner[j] = i
                    return true
                }
            }
            return false
        }
        for i in expected.indices {
            var seen = [Bool](repeating: false, count: actual.count)
            if assign(i, &seen) { continue }
            // Explain with the actual element that came closest (deepest mismatch).
            let closest = actual.indices
                .compactMap { j in mismatch(expected[i], actual[j], path: path + "[\(j)]", anyOrder: true) }
                .max { $0.path.count < $1.path.count }
            return PartialMismatch(
                path: path, expected: expected[i], found: nil,
                reason: .noElement(index: i, matchingElements: fits[i].count, closest: closest)
            )
        }
        return nil
    }
}

/// Where and how an actual value fails to contain the expected one.
public struct PartialMismatch: Sendable, Equatable, CustomStringConvertible {
    public indirect enum Reason: Sendable, Equatable {
        /// The expected key is not in the map.
        case missing
        /// Both values have the same type but differ.
        case value
        /// The values have different types.
        case type
        /// Arrays of different lengths.
        case length(expected: Int, found: Int)
        /// Any-order: expected element `index` matches no actual element left for it.
        case noElement(index: Int, matchingElements: Int, closest: PartialMismatch?)
    }

    /// The JSONPath of the mismatch, with indices (`.spec.containers[0].image`).
    public var path: String
    public var expected: JSONValue
    /// The actual value; nil when it is absent.
    public var found: JSONValue?
    public var reason: Reason

    public var description: String {
        let at = path.isEmpty ? "the object" : path
        switch reason {
        case .missing:
            return "\(at) expected \(JSONValue.describe(expected)), found absent"
        case .value, .type:
            return "\(at) expected \(JSONValue.describe(expected)), found \(JSONValue.describe(found))"
        case .length(let e, let f):
            return "\(at) expected an array of \(e) element\(e == 1 ? "" : "s"), found \(f)"
        case .noElement(let index, let matching, let closest):
            var text = "\(at): no element matches expected element [\(index)] \(JSONValue.describe(expected))"
            if matching > 0 {
                text += " (the \(matching) that match\(matching == 1 ? "es" : "") are taken by other expected elements)"
            } else if let closest {
                text += "; closest: \(closest.description)"
            }
            return text
        }
    }
}

/// One segment of a JSONPath as klab prints paths in messages.
public enum JSONPathSegment {
    /// `.name` for plain keys, `['eks.amazonaws.com/compute-type']` for the rest.
    public static func key(_ key: String) -> String {
        let plain = !key.isEmpty && key.utf8.allSatisfy { c in
            (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || (c >= 48 && c <= 57) || c == 95 || c == 45
        }
        if plain { return "." + key }
        var escaped = ""
        for ch in key {
            if ch == "\\" || ch == "'" { escaped.append("\\") }
            escaped.append(ch)
        }
        return "['\(escaped)']"
    }
}

extension JSONValue {
    /// Equality where numbers compare as numbers (3 == 3.0) and maps ignore key order.
    public static func sameValue(_ a: JSONValue, _ b: JSONValue) -> Bool {
        switch (a, b) {
        case (.int(let x), .int(let y)): return x == y
        case (.int, .double), (.double, .int), (.double, .double): return numericallyEqual(a, b)
        case (.array(let x), .array(let y)):
            return x.count == y.count && zip(x, y).allSatisfy { sameValue($0, $1) }
        case (.object(let x), .object(let y)):
            guard x.count == y.count else { return false }
            return x.entries.allSatisfy { entry in y[entry.key].map { sameValue(entry.value, $0) } ?? false }
        default: return a == b
        }
    }

    private static func numericallyEqual(_ a: JSONValue, _ b: JSONValue) -> Bool {
        switch (a, b) {
        case (.int(let x), .double(let y)), (.double(let y), .int(let x)):
            // Exact: a double equals an int only if it is integral and converts back unchanged.
            guard let converted = Int64(exactly: y) else { return false }
            return converted == x
        case (.double(let x), .double(let y)): return x == y
        default: return false
        }
    }

    /// A value as messages show it: JSON text (strings quoted), or `absent`.
    public static func describe(_ value: JSONValue?) -> String {
        guard let value else { return "absent" }
        let text = JSONWriter.compact(value)
        return text.count > 200 ? String(text.prefix(197)) + "..." : text
    }
}
