import Foundation
import KubeCore
import KubeJSON
import LabSpec

/// Value predicates in check mode (content/reference/lab-format.md, "Checks").
///
/// - Absent is not empty: a path that finds nothing (or only `null`, which Kubernetes treats
///   as unset) is *absent*, and absent fails every predicate but `absent`; `""` is a value.
/// - When a path finds several values, every one must satisfy the predicate.
/// - Scalars compare by value: numbers as numbers (`3 == 3.0`), and a string that spells a
///   number or a boolean equals that number or boolean (`"3" == 3`, `"true" == true`), so a
///   quoted YAML value or a `${capture}` compares as the author meant. Maps and arrays compare
///   structurally, with the same number rule.
enum ValuePredicates {
    /// The first failure of a predicate on what a path found, as `PATH expected X, found Y`,
    /// or nil when it holds.
    static func failure(_ predicate: ValuePredicate, template: String, result: JSONPathQueryResult) -> String? {
        let present = result.matches.filter { !$0.value.isNull }
        let expected = expectation(predicate)
        switch predicate {
        case .absent:
            guard let first = present.first else { return nil }
            return "\(first.path) expected absent, found \(FailureMessage.value(first.value))"
        case .exists:
            return present.isEmpty ? "\(displayPath(template)) expected \(expected), found absent" : nil
        case .count(let rule):
            if CountRules.holds(rule, present.count) { return nil }
            let found = present.isEmpty ? "none" : "\(present.count): " + valueList(present.map(\.value))
            return "\(displayPath(template)) expected \(expected), found \(found)"
        case .some(let inner):
            guard !present.isEmpty else {
                return "\(displayPath(template)) expected \(expected), found absent" + notes(result)
            }
            var reason = ""
            for match in present {
                guard let why = check(inner, match.value) else { return nil }
                if reason.isEmpty { reason = why }
            }
            return "\(displayPath(template)) expected \(expected), found \(valueList(present.map(\.value)))" + reason
        default:
            guard !present.isEmpty else {
                return "\(displayPath(template)) expected \(expected), found absent" + notes(result)
            }
            for match in present {
                if let reason = check(predicate, match.value) {
                    // A value compared by digest is shown by its digest: the message is stored.
                    let found: String
                    if case .digest = predicate { found = ValueDigest.of(match.value) } else { found = FailureMessage.value(match.value) }
                    return "\(match.path) expected \(expected), found \(found)" + reason
                }
            }
            return nil
        }
    }

    /// The template as a path for messages when nothing was found: `{.status.phase}` →
    /// `.status.phase`, and keys written with escaped dots as the match paths write them
    /// (`.metadata.labels['eks.amazonaws.com/compute-type']`).
    static func displayPath(_ template: String) -> String {
        guard template.hasPrefix("{"), template.hasSuffix("}"),
              template.dropFirst().dropLast().allSatisfy({ $0 != "{" && $0 != "}" }) else { return template }
        var inner = Substring(template.dropFirst().dropLast())
        if inner.hasPrefix("$") { inner = inner.dropFirst() }
        guard inner.contains("\\."), inner.hasPrefix(".") else { return String(inner) }
        // Split on dots that are not escaped; rewrite segments that held escaped dots.
        var segments: [String] = []
        var current = ""
        var escaped = false
        for ch in inner.dropFirst() {
            if escaped { current.append(ch); escaped = false; continue }
            if ch == "\\" { escaped = true; current.append(ch); continue }
            if ch == "." { segments.append(current); current = ""; continue }
            current.append(ch)
        }
        segments.append(current)
        return segments.map { segment in
            guard segment.contains("\\."), !segment.contains("[") else { return "." + segment }
            return JSONPathSegment.key(segment.replacingOccurrences(of: "\\.", with: "."))
        }.joined()
    }

    /// Up to five values, for messages: `"a", "b" and 3 more`.
    static func valueList(_ values: [JSONValue]) -> String {
        let shown = values.prefix(5).map(FailureMessage.value).joined(separator: ", ")
        return values.count > 5 ? shown + " and \(values.count - 5) more" : shown
    }

    private static func notes(_ result: JSONPathQueryResult) -> String {
        result.notes.isEmpty ? "" : " (" + result.notes.joined(separator: "; ") + ")"
    }

    /// What the predicate wants, as the middle of `expected ..., found ...`.
    static func expectation(_ predicate: ValuePredicate) -> String {
        switch predicate {
        case .equals(let v): return FailureMessage.value(v)
        case .notEquals(let v): return "not \(FailureMessage.value(v))"
        case .oneOf(let values): return "one of " + values.map(FailureMessage.value).joined(separator: ", ")
        case .matches(let pattern): return "to match /\(pattern)/"
        case .exists: return "to exist"
        case .absent: return "absent"
        case .compare(let op, let rhs), .quantity(let op, let rhs): return "\(op.rawValue) \(rhs)"
        case .time(let op, let rhs): return "a time \(op.rawValue) \(rhs)"
        case .cidr(let block): return "an IP in \(block)"
        case .digest(let digest): return "digest \(digest)"
        case .some(let inner): return "some value " + expectation(inner)
        case .count(let rule): return CountRules.words(rule) + " values"
        }
    }

    /// nil when one present value satisfies the predicate; otherwise "" or a parenthesised
    /// reason appended to the message (a value that is not a number, a bad regex...).
    static func check(_ predicate: ValuePredicate, _ value: JSONValue) -> String? {
        switch predicate {
        case .equals(let expected):
            return looselyEqual(expected, value) ? nil : ""
        case .notEquals(let unwanted):
            return looselyEqual(unwanted, value) ? "" : nil
        case .oneOf(let values):
            return values.contains { looselyEqual($0, value) } ? nil : ""
        case .matches(let pattern):
            guard let regex = try? NSRegularExpression(pattern: pattern) else {
                return " (the check's pattern /\(pattern)/ is not a valid regular expression)"
            }
            let text = printed(value)
            let range = NSRange(text.startIndex..., in: text)
            return regex.firstMatch(in: text, range: range) == nil ? "" : nil
        case .exists, .absent:
            return predicate == .exists ? nil : ""
        case .compare(let op, let rhs):
            guard let right = number(.string(rhs.description.trimmingCharacters(in: .whitespacesAndNewlines))) else {
                return " (the check compares with \"\(rhs)\", which is not a number)"
            }
            guard let left = number(trimmed(value)) else { return " (not a number)" }
            return holds(op, left, right) ? nil : ""
        case .quantity(let op, let rhs):
            guard let right = try? Quantity(rhs.description.trimmingCharacters(in: .whitespacesAndNewlines)) else {
                return " (the check compares with \"\(rhs)\", which is not a Kubernetes quantity)"
            }
            guard let left = try? Quantity(json: trimmed(value)) else { return " (not a Kubernetes quantity)" }
            return op.holds(left, right) ? nil : ""
        case .time(let op, let rhs):
            guard let right = Timestamp(rhs.description) else {
                return " (the check compares with \"\(rhs)\", which is not an RFC 3339 time)"
            }
            guard let text = value.stringValue, let left = Timestamp(text) else { return " (not an RFC 3339 time)" }
            return op.holds(left, right) ? nil : ""
        case .digest(let expected):
            guard ValueDigest.isDigest(expected) else {
                return " (the check's digest \"\(expected)\" is not sha256: and 64 hex digits)"
            }
            return ValueDigest.of(value) == expected.lowercased() ? nil : ""
        case .cidr(let block):
            guard let cidr = CIDR(block) else {
                return " (the check's block \"\(block)\" is not a CIDR such as 10.0.0.0/16)"
            }
            guard let ip = trimmed(value).stringValue, IPAddress.parse(ip) != nil else { return " (not an IP address)" }
            return cidr.contains(ip) ? nil : ""
        case .some(let inner):
            return check(inner, value)
        case .count:
            return nil
        }
    }

    /// A string without surrounding whitespace (exec output ends in a newline); other values
    /// as they are.
    static func trimmed(_ value: JSONValue) -> JSONValue {
        guard case .string(let text) = value else { return value }
        return .string(text.trimmingCharacters(in: .whitespacesAndNewlines))
    }

    /// Equality of check mode: numbers numerically, strings that spell numbers or booleans
    /// equal to them, containers structurally.
    static func looselyEqual(_ expected: JSONValue, _ found: JSONValue) -> Bool {
        if JSONValue.sameValue(expected, found) { return true }
        switch (expected, found) {
        case (.string(let s), .int), (.string(let s), .double), (.int, .string(let s)), (.double, .string(let s)):
            let other = expected.stringValue == nil ? expected : found
            guard let spelled = number(.string(s)), let n = number(other) else { return false }
            return spelled == n
        case (.string(let s), .bool(let b)), (.bool(let b), .string(let s)):
            return s == (b ? "true" : "false")
        default:
            return false
        }
    }

    /// A number exactly as written: integers stay integers so large values compare exactly.
    enum Number: Equatable {
        case int(Int64)
        case double(Double)

        static func == (a: Number, b: Number) -> Bool { compare(a, b) == 0 }

        static func compare(_ a: Number, _ b: Number) -> Int {
            switch (a, b) {
            case (.int(let x), .int(let y)): return x < y ? -1 : (x > y ? 1 : 0)
            default:
                let x = a.double, y = b.double
                return x < y ? -1 : (x > y ? 1 : 0)
            }
        }

        var double: Double {
            switch self {
            case .int(let n): return Double(n)
            case .double(let d): return d
            }
        }
    }

    /// The number a JSON value holds or a string spells in JSON number syntax.
    static func number(_ value: JSONValue) -> Number? {
        switch value {
        case .int(let n): return .int(n)
        case .double(let d): return .double(d)
        case .string(let s):
            guard !s.isEmpty, let parsed = try? JSONParser.parse(s) else { return nil }
            switch parsed {
            case .int(let n): return .int(n)
            case .double(let d): return .double(d)
            default: return nil
            }
        default: return nil
        }
    }

    static func holds(_ op: ComparisonOperator, _ a: Number, _ b: Number) -> Bool {
        let c = Number.compare(a, b)
        switch op {
        case .equal: return c == 0
        case .notEqual: return c != 0
        case .less: return c < 0
        case .lessOrEqual: return c <= 0
        case .greater: return c > 0
        case .greaterOrEqual: return c >= 0
        }
    }

    /// A value as kubectl's JSONPath prints it: strings raw, numbers as Go prints them, maps
    /// and arrays as JSON.
    static func printed(_ value: JSONValue) -> String {
        switch value {
        case .string(let s): return s
        case .int(let n): return String(n)
        case .double(let d): return GoFormat.percentV(d)
        case .bool(let b): return b ? "true" : "false"
        case .null: return "null"
        case .array, .object: return JSONWriter.compact(value)
        }
    }
}

/// `count` rules read as words and tested against a number, for a path's values (a
/// selection's count has its own, richer message in `ExpectationEvaluator`).
enum CountRules {
    static func holds(_ rule: CountRule, _ n: Int) -> Bool {
        switch rule {
        case .exactly(let want): return n == want
        case .range(let min, let max): return (min.map { n >= $0 } ?? true) && (max.map { n <= $0 } ?? true)
        case .comparison(let op, let text):
            guard let bound = Int(text.trimmingCharacters(in: .whitespaces)) else { return false }
            return op.holds(n, bound)
        }
    }

    static func words(_ rule: CountRule) -> String {
        switch rule {
        case .exactly(let want): return "\(want)"
        case .range(let min?, let max?): return "between \(min) and \(max)"
        case .range(let min?, nil): return "at least \(min)"
        case .range(nil, let max?): return "at most \(max)"
        case .range(nil, nil): return "any number of"
        case .comparison(let op, let text):
            let words: [ComparisonOperator: String] = [
                .equal: "exactly", .notEqual: "other than", .less: "fewer than", .lessOrEqual: "at most",
                .greater: "more than", .greaterOrEqual: "at least",
            ]
            return "\(words[op]!) \(text.trimmingCharacters(in: .whitespaces))"
        }
    }
}
