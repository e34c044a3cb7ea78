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
    /// Whether a predicate holds on what a path found; when it does not, the first failure
    /// (`PATH expected X, found Y`, see `PredicateFailure`).
    static func outcome(_ predicate: ValuePredicate, template: String, result: JSONPathQueryResult) -> PredicateOutcome {
        let present = result.matches.filter { !$0.value.isNull }
        let expected = expectation(predicate)
        func fails(_ path: String, _ found: PredicateFailure.Found, _ problem: ValueProblem? = nil) -> PredicateOutcome {
            .fails(PredicateFailure(path: path, expected: expected, found: found, problem: problem))
        }
        // Made only for a failure: the display path is text work no passing check needs.
        func absent() -> PredicateOutcome { fails(displayPath(template), .absent, result.notes.isEmpty ? nil : .pathNotes(result.notes)) }
        switch predicate {
        case .absent:
            guard let first = present.first else { return .holds }
            return fails(first.path, .value(first.value))
        case .exists:
            return present.isEmpty ? fails(displayPath(template), .absent) : .holds
        case .count(let rule):
            if CountRules.holds(rule, present.count) { return .holds }
            return fails(displayPath(template), .counted(present.map(\.value)))
        case .some(let inner):
            guard !present.isEmpty else { return absent() }
            var problem: ValueProblem?
            for match in present {
                switch verdict(inner, match.value) {
                case .holds: return .holds
                case .differs: continue
                case .cannotCompare(let why): if problem == nil { problem = why }
                }
            }
            return fails(displayPath(template), .values(present.map(\.value)), problem)
        default:
            guard !present.isEmpty else { return absent() }
            for match in present {
                let problem: ValueProblem?
                switch verdict(predicate, match.value) {
                case .holds: continue
                case .differs: problem = nil
                case .cannotCompare(let why): problem = why
                }
                // A value compared by digest is shown by its digest: the message is stored.
                if case .digest = predicate { return fails(match.path, .digest(ValueDigest.of(match.value)), problem) }
                return fails(match.path, .value(match.value), problem)
            }
            return .holds
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
        // Looked for in the bytes: `contains` of a string searches through Foundation.
        guard inner.hasPrefix("."), hasEscapedDot(inner.utf8) else { return String(inner) }
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

    /// Whether the text holds a backslash followed by a dot.
    private static func hasEscapedDot<Bytes: Sequence<UInt8>>(_ bytes: Bytes) -> Bool {
        var backslash = false
        for byte in bytes {
            if backslash && byte == UInt8(ascii: ".") { return true }
            backslash = byte == UInt8(ascii: "\\")
        }
        return false
    }

    /// Up to five values, for messages: `"a", "b" and 3 more`.
    static func valueList(_ values: [JSONValue]) -> String {
        let shown = values.prefix(5).map(FailureMessage.value).joined(separator: ", ")
        return values.count > 5 ? shown + " and \(values.count - 5) more" : shown
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
        case .subnetOf(let block): return "a block within \(block)"
        case .digest(let digest): return "digest \(digest)"
        case .some(let inner): return "some value " + expectation(inner)
        case .count(let rule): return CountRules.words(rule) + " values"
        }
    }

    /// What a predicate says of one present value.
    static func verdict(_ predicate: ValuePredicate, _ value: JSONValue) -> ValueVerdict {
        switch predicate {
        case .equals(let expected):
            return ValueVerdict(looselyEqual(expected, value))
        case .notEquals(let unwanted):
            return ValueVerdict(!looselyEqual(unwanted, value))
        case .oneOf(let values):
            return ValueVerdict(values.contains { looselyEqual($0, value) })
        case .matches(let pattern):
            guard let regex = try? NSRegularExpression(pattern: pattern) else { return .cannotCompare(.badPattern(pattern)) }
            let text = printed(value)
            let range = NSRange(text.startIndex..., in: text)
            return ValueVerdict(regex.firstMatch(in: text, range: range) != nil)
        case .exists, .absent:
            return ValueVerdict(predicate == .exists)
        case .compare(let op, let rhs):
            guard let right = number(.string(rhs.description.trimmingCharacters(in: .whitespacesAndNewlines))) else {
                return .cannotCompare(.badNumber(rhs.description))
            }
            guard let left = number(trimmed(value)) else { return .cannotCompare(.notANumber) }
            return ValueVerdict(holds(op, left, right))
        case .quantity(let op, let rhs):
            guard let right = try? Quantity(rhs.description.trimmingCharacters(in: .whitespacesAndNewlines)) else {
                return .cannotCompare(.badQuantity(rhs.description))
            }
            guard let left = try? Quantity(json: trimmed(value)) else { return .cannotCompare(.notAQuantity) }
            return ValueVerdict(op.holds(left, right))
        case .time(let op, let rhs):
            guard let right = Timestamp(rhs.description) else { return .cannotCompare(.badTime(rhs.description)) }
            guard let text = value.stringValue, let left = Timestamp(text) else { return .cannotCompare(.notATime) }
            return ValueVerdict(op.holds(left, right))
        case .digest(let expected):
            guard ValueDigest.isDigest(expected) else { return .cannotCompare(.badDigest(expected)) }
            return ValueVerdict(ValueDigest.of(value) == expected.lowercased())
        case .cidr(let block):
            guard let cidr = CIDR(block) else { return .cannotCompare(.badCIDR(block)) }
            guard let ip = trimmed(value).stringValue, IPAddress.parse(ip) != nil else { return .cannotCompare(.notAnIP) }
            return ValueVerdict(cidr.contains(ip))
        case .subnetOf(let block):
            guard let outer = CIDR(block) else { return .cannotCompare(.badCIDR(block)) }
            guard let text = trimmed(value).stringValue, text.contains("/"), let inner = CIDR(text) else {
                return .cannotCompare(.notACIDR)
            }
            return ValueVerdict(outer.contains(inner))
        case .some(let inner):
            return verdict(inner, value)
        case .count:
            return .holds
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
    /// The integer a string spells in JSON's plainest way, `0` or an optional `-` and up to 18
    /// digits with no leading zero: read at once, as the JSON parser reads it; nil for any
    /// other text (which the parser then reads, as before).
    static func plainInteger(_ text: String) -> Int64? {
        var utf8 = text.utf8[...]
        let negative = utf8.first == UInt8(ascii: "-")
        if negative { utf8 = utf8.dropFirst() }
        guard let first = utf8.first, utf8.count <= 18, first != UInt8(ascii: "0") || (utf8.count == 1 && !negative) else { return nil }
        var n: Int64 = 0
        for byte in utf8 {
            guard byte >= UInt8(ascii: "0"), byte <= UInt8(ascii: "9") else { return nil }
            n = n * 10 + Int64(byte - UInt8(ascii: "0"))
        }
        return negative ? -n : n
    }

    static func number(_ value: JSONValue) -> Number? {
        switch value {
        case .int(let n): return .int(n)
        case .double(let d): return .double(d)
        case .string(let s):
            if let n = plainInteger(s) { return .int(n) }
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

/// Whether a predicate holds on what a path found.
enum PredicateOutcome: Equatable {
    case holds
    case fails(PredicateFailure)

    /// The failure, or nil when the predicate holds.
    var failure: PredicateFailure? {
        if case .fails(let failure) = self { return failure }
        return nil
    }
}

/// What one predicate says of one value: it holds, it does not, or the value (or the check's
/// own operand) cannot be compared at all.
enum ValueVerdict: Equatable {
    case holds
    case differs
    case cannotCompare(ValueProblem)

    init(_ holds: Bool) { self = holds ? .holds : .differs }
}

/// Why a value could not be compared: the found value is not of the kind the predicate
/// compares, the check's own operand is malformed, or the path left notes.
enum ValueProblem: Equatable {
    case notANumber, notAQuantity, notATime, notAnIP, notACIDR
    case badPattern(String), badNumber(String), badQuantity(String), badTime(String), badDigest(String), badCIDR(String)
    case pathNotes([String])

    /// The words of the problem, as the parenthesis after a failure.
    var words: String {
        switch self {
        case .notANumber: return "not a number"
        case .notAQuantity: return "not a Kubernetes quantity"
        case .notATime: return "not an RFC 3339 time"
        case .notAnIP: return "not an IP address"
        case .notACIDR: return "not a CIDR block such as 10.0.0.0/16"
        case .badPattern(let pattern): return "the check's pattern /\(pattern)/ is not a valid regular expression"
        case .badNumber(let text): return "the check compares with \"\(text)\", which is not a number"
        case .badQuantity(let text): return "the check compares with \"\(text)\", which is not a Kubernetes quantity"
        case .badTime(let text): return "the check compares with \"\(text)\", which is not an RFC 3339 time"
        case .badDigest(let digest): return "the check's digest \"\(digest)\" is not sha256: and 64 hex digits"
        case .badCIDR(let block): return "the check's block \"\(block)\" is not a CIDR such as 10.0.0.0/16"
        case .pathNotes(let notes): return notes.joined(separator: "; ")
        }
    }
}

/// A predicate that failed, as `PATH expected X, found Y (why)`: the one place that message
/// is worded.
struct PredicateFailure: Equatable, CustomStringConvertible {
    /// What was found, as the message shows it.
    enum Found: Equatable {
        case absent
        case value(JSONValue)
        /// A value compared by digest, shown by its digest (the message is stored).
        case digest(String)
        /// Every present value (up to five shown).
        case values([JSONValue])
        /// How many values there were, and which.
        case counted([JSONValue])
    }

    let path: String
    let expected: String
    let found: Found
    let problem: ValueProblem?

    var description: String {
        let shown: String
        switch found {
        case .absent: shown = "absent"
        case .value(let value): shown = FailureMessage.value(value)
        case .digest(let digest): shown = digest
        case .values(let values): shown = ValuePredicates.valueList(values)
        case .counted(let values): shown = values.isEmpty ? "none" : "\(values.count): " + ValuePredicates.valueList(values)
        }
        return "\(path) expected \(expected), found \(shown)" + (problem.map { " (\($0.words))" } ?? "")
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
