import Foundation
import KubeJSON
import LabSpec

/// `${name}` in a check's strings, replaced by values earlier checks captured.
///
/// Substitution happens when the check is evaluated, in every string of the check: its name,
/// selector, command, URL, paths, predicates, expected values and joins. A name with no value
/// is reported, not left in place, so a check never runs with a literal `${name}`.
struct CaptureSubstitution {
    let values: [String: String]
    private(set) var missing: [String] = []

    init(values: [String: String]) {
        self.values = values
    }

    /// The names a string refers to, in order of first use.
    static func references(in text: String) -> [String] {
        var names: [String] = []
        var rest = Substring(text)
        while let start = rest.range(of: "${") {
            guard let end = rest[start.upperBound...].firstIndex(of: "}") else { break }
            let name = String(rest[start.upperBound..<end])
            if !name.isEmpty, !names.contains(name) { names.append(name) }
            rest = rest[rest.index(after: end)...]
        }
        return names
    }

    mutating func string(_ text: String) -> String {
        guard text.contains("${") else { return text }
        var out = ""
        var rest = Substring(text)
        while let start = rest.range(of: "${") {
            guard let end = rest[start.upperBound...].firstIndex(of: "}") else { break }
            out += rest[..<start.lowerBound]
            let name = String(rest[start.upperBound..<end])
            if let value = values[name] {
                out += value
            } else {
                if !missing.contains(name) { missing.append(name) }
                out += rest[start.lowerBound...end]
            }
            rest = rest[rest.index(after: end)...]
        }
        return out + rest
    }

    mutating func check(_ check: Check) -> Check {
        var c = check
        c.name = string(c.name)
        switch c.source {
        case .get(let selector): c.source = .get(self.selector(selector))
        case .exec(var request):
            request.pod = request.pod.map { string($0) }
            request.labels = request.labels.map { string($0) }
            request.namespace = namespace(request.namespace)
            request.container = request.container.map { string($0) }
            request.command = request.command.map { string($0) }
            c.source = .exec(request)
        case .http(var request):
            request.url = string(request.url)
            c.source = .http(request)
        case .command(let arguments):
            c.source = .command(arguments.map { string($0) })
        }
        c.expectation = expectation(c.expectation)
        c.captures = c.captures.map { Capture(name: $0.name, path: string($0.path)) }
        return c
    }

    mutating func selector(_ selector: ObjectSelector) -> ObjectSelector {
        var s = selector
        s.apiVersion = s.apiVersion.map { string($0) }
        s.kind = string(s.kind)
        s.name = s.name.map { string($0) }
        s.namespace = namespace(s.namespace)
        s.labels = s.labels.map { string($0) }
        s.fields = s.fields.map { string($0) }
        return s
    }

    private mutating func namespace(_ namespace: NamespaceSelection) -> NamespaceSelection {
        if case .named(let name) = namespace { return .named(string(name)) }
        return namespace
    }

    mutating func expectation(_ expectation: Expectation) -> Expectation {
        var e = expectation
        if case .comparison(let op, let text)? = e.count { e.count = .comparison(op, string(text)) }
        e.all = e.all.map { assertion($0) }
        e.any = e.any.map { assertion($0) }
        e.none = e.none.map { assertion($0) }
        e.distinct = e.distinct.map { string($0) }
        return e
    }

    mutating func assertion(_ assertion: Assertion) -> Assertion {
        switch assertion {
        case .value(let path, let predicate):
            return .value(path: string(path), predicate: self.predicate(predicate))
        case .condition(let type, let status, let reason):
            return .condition(type: string(type), status: string(status), reason: reason.map { string($0) })
        case .partial(let object, let anyOrder):
            return .partial(json(object), anyOrder: anyOrder)
        case .join(var join):
            if case .selector(let selector) = join.relation { join.relation = .selector(self.selector(selector)) }
            join.expectation = expectation(join.expectation)
            return .join(join)
        }
    }

    private mutating func predicate(_ predicate: ValuePredicate) -> ValuePredicate {
        switch predicate {
        case .equals(let v): return .equals(json(v))
        case .notEquals(let v): return .notEquals(json(v))
        case .oneOf(let values): return .oneOf(values.map { json($0) })
        case .matches(let pattern): return .matches(string(pattern))
        case .exists, .absent: return predicate
        case .compare(let op, let rhs): return .compare(op, string(rhs))
        case .quantity(let op, let rhs): return .quantity(op, string(rhs))
        case .cidr(let block): return .cidr(string(block))
        case .digest(let digest): return .digest(string(digest))
        }
    }

    private mutating func json(_ value: JSONValue) -> JSONValue {
        switch value {
        case .string(let s): return .string(string(s))
        case .array(let items): return .array(items.map { json($0) })
        case .object(let object):
            var out = JSONObject()
            for (key, v) in object.entries { out.appendUnchecked(string(key), json(v)) }
            return .object(out)
        default: return value
        }
    }
}

extension CaptureSubstitution {
    /// The text a captured value is substituted as: what kubectl's JSONPath would print
    /// (strings raw, numbers as Go prints them), several values separated by spaces.
    static func text(of matches: [JSONPathMatch]) -> String {
        matches.map { ValuePredicates.printed($0.value) }.joined(separator: " ")
    }
}
