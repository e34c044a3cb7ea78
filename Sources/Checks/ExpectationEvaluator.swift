import Foundation
import KubeCore
import KubeJSON
import LabSpec

/// What must hold of selected objects (`count`, `absent`, `expect`, `any`, `none`,
/// `distinct`) and of each object (values, conditions, partial objects, joins), turned into
/// failure lines. No lines means the expectation holds.
struct ExpectationEvaluator {
    let reader: ClusterReader
    /// Templates parsed once per evaluation, not once per object.
    var paths = JSONPathCache()

    /// Most objects a message lists one by one before saying "and N more".
    static let objectLimit = 5

    // MARK: Selections

    func failures(_ e: Expectation, selection: Selection, selector: ObjectSelector) throws -> [String] {
        let objects = selection.objects
        let kind = selection.kind.kind
        let what = FailureMessage.selectionText(selector, kind: kind) + FailureMessage.scope(selection, selector)
        var lines: [String] = []

        if e.absent {
            if !objects.isEmpty {
                lines.append("expected no \(what), found \(objects.count): \(FailureMessage.names(objects))")
            }
            return lines
        }
        if let count = e.count {
            switch countFailure(count, found: objects.count) {
            case .holds: break
            case .fails(let wanted, let bound):
                let subject = FailureMessage.selectionText(selector, kind: kind, plural: bound != 1) + FailureMessage.scope(selection, selector)
                var line = "expected \(wanted) \(subject), found \(objects.count)"
                if objects.isEmpty, let closest = FailureMessage.closestCandidate(selection, selector) {
                    line += "; \(FailureMessage.count(selection.candidates.count, kind)) \(FailureMessage.candidateScope(selection, selector)), the closest: \(closest)"
                }
                lines.append(line)
            case .invalid(let reason):
                lines.append(reason)
            }
        }
        let wantsSome = !e.all.isEmpty || !e.any.isEmpty || (e.count == nil && e.none.isEmpty && e.distinct.isEmpty)
        if objects.isEmpty {
            if wantsSome, e.count == nil { lines.append(FailureMessage.nothingSelected(selection, selector)) }
            return lines
        }

        if !e.all.isEmpty {
            var failing = 0
            for object in objects {
                let objectLines = try failures(of: e.all, on: object, label: FailureMessage.object(object))
                if objectLines.isEmpty { continue }
                failing += 1
                if failing <= Self.objectLimit { lines += objectLines }
            }
            if failing > Self.objectLimit {
                lines.append("... and \(failing - Self.objectLimit) more \(FailureMessage.plural(kind)) fail")
            }
        }
        if !e.any.isEmpty {
            var closest: [String]?
            for object in objects {
                let objectLines = try failures(of: e.any, on: object, label: FailureMessage.object(object))
                if objectLines.isEmpty { closest = nil; break }
                // Closest: fewest failures, then fewest values missing altogether.
                if closest == nil || Self.distance(objectLines) < Self.distance(closest!) { closest = objectLines }
            }
            if let closest {
                let n = objects.count
                let subject = n == 1
                    ? "the one \(kind) selected does not"
                    : "none of the \(n) \(FailureMessage.plural(kind)) selected does"
                lines.append("expected at least one \(kind) to satisfy every `any` assertion, but \(subject); the closest:")
                lines += closest.map { "  " + $0 }
            }
        }
        if !e.none.isEmpty {
            let summary = e.none.map(Self.summary).joined(separator: " and ")
            var offending: [JSONValue] = []
            for object in objects where try failures(of: e.none, on: object, label: "").isEmpty {
                offending.append(object)
            }
            for object in offending.prefix(Self.objectLimit) {
                lines.append("\(FailureMessage.object(object)): expected no \(kind) where \(summary), but this one is")
            }
            if offending.count > Self.objectLimit {
                lines.append("... and \(offending.count - Self.objectLimit) more \(FailureMessage.plural(kind))")
            }
        }
        for template in e.distinct {
            lines += try distinctFailures(template, objects: objects)
        }
        return lines
    }

    private static func distance(_ lines: [String]) -> (Int, Int) {
        (lines.count, lines.filter { $0.hasSuffix("found absent") }.count)
    }

    private enum CountOutcome {
        case holds
        case fails(String, Int)
        case invalid(String)
    }

    private func countFailure(_ rule: CountRule, found n: Int) -> CountOutcome {
        switch rule {
        case .exactly(let want):
            return n == want ? .holds : .fails("\(want)", want)
        case .range(let min, let max):
            if let min, n < min { return .fails(max.map { "between \(min) and \($0)" } ?? "at least \(min)", max ?? min) }
            if let max, n > max { return .fails(min.map { "between \($0) and \(max)" } ?? "at most \(max)", max) }
            return .holds
        case .comparison(let op, let text):
            let trimmed = text.trimmingCharacters(in: .whitespaces)
            guard let bound = Int(trimmed) else {
                return .invalid("the check's count compares with \"\(text)\", which is not a whole number")
            }
            if op.holds(n, bound) { return .holds }
            let words: [ComparisonOperator: String] = [
                .equal: "exactly", .notEqual: "other than", .less: "fewer than", .lessOrEqual: "at most",
                .greater: "more than", .greaterOrEqual: "at least",
            ]
            return .fails(op == .equal ? "\(bound)" : "\(words[op]!) \(bound)", bound)
        }
    }

    private func distinctFailures(_ template: String, objects: [JSONValue]) throws -> [String] {
        guard let path = paths.path(template) else {
            return ["the check's distinct path \(template) is not a valid JSONPath template"]
        }
        var seen: [(String, JSONValue)] = []
        var lines: [String] = []
        for object in objects {
            let result = path.query(object)
            let text = result.isAbsent ? "absent" : FailureMessage.value(result.matches.count == 1 ? result.matches[0].value : .array(result.matches.map(\.value)))
            if let first = seen.first(where: { $0.0 == text }) {
                if lines.count < Self.objectLimit {
                    lines.append("expected \(ValuePredicates.displayPath(template)) to differ between the selected objects, found \(text) for both \(FailureMessage.object(first.1)) and \(FailureMessage.objectName(object))")
                }
            } else {
                seen.append((text, object))
            }
        }
        return lines
    }

    // MARK: One object

    /// Failure lines of assertions on one object (or exec/http/command result), each starting
    /// with `label` (the object as messages name it).
    func failures(of assertions: [Assertion], on object: JSONValue, label: String) throws -> [String] {
        var lines: [String] = []
        let prefix = label.isEmpty ? "" : label + ": "
        for assertion in assertions {
            switch assertion {
            case .value(let template, let predicate):
                guard let path = paths.path(template) else {
                    lines.append(prefix + "the check's path \(template) is not a valid JSONPath template")
                    continue
                }
                switch resolvingFields(predicate, in: object) {
                case .failure(let error):
                    lines.append(prefix + "\(ValuePredicates.displayPath(template)) expected \(ValuePredicates.expectation(predicate)), but \(error.reason)")
                case .success(let (resolved, fields)):
                    if case .fails(let failure) = ValuePredicates.outcome(resolved, template: template, result: path.query(object)) {
                        lines.append(prefix + failure.description + (fields.isEmpty ? "" : " (\(fields.joined(separator: ", ")))"))
                    }
                }
            case .decoded(let template, let format, let inner):
                guard let path = paths.path(template) else {
                    lines.append(prefix + "the check's path \(template) is not a valid JSONPath template")
                    continue
                }
                let result = path.query(object)
                let present = result.matches.filter { !$0.value.isNull }
                if present.isEmpty {
                    lines.append(prefix + "\(ValuePredicates.displayPath(template)) expected \(format.rawValue) to decode, found absent")
                    continue
                }
                for match in present {
                    let where_ = prefix + "\(match.path) decoded as \(format.rawValue)"
                    guard let text = match.value.stringValue else {
                        lines.append(where_ + ": expected a string, found \(FailureMessage.value(match.value))")
                        continue
                    }
                    switch Self.decode(text, format) {
                    case .failure(let error): lines.append(where_ + ": " + error.reason)
                    case .success(let document): lines += try failures(of: inner, on: document, label: where_)
                    }
                }
            case .condition(let type, let status, let reason):
                if let failure = ConditionRule(type: type, status: status, reason: reason).failure(on: object) {
                    lines.append(prefix + failure)
                }
            case .partial(let expected, let anyOrder):
                if let mismatch = PartialMatch.mismatch(expected: expected, actual: object, anyOrder: anyOrder) {
                    lines.append(prefix + mismatch.description)
                }
            case .join(let join):
                lines += try joinFailures(join, from: object, label: label)
            }
        }
        return lines
    }

    /// The predicate with each `{.field}` operand replaced by what the object holds there, and
    /// the fields read, for the message.
    private func resolvingFields(_ predicate: ValuePredicate, in object: JSONValue) -> Result<(ValuePredicate, [String]), CaptureError> {
        func operand(_ o: Operand) -> Result<(Operand, String?), CaptureError> {
            guard case .field(let template) = o else { return .success((o, nil)) }
            guard let path = paths.path(template) else {
                return .failure(CaptureError("the check's path \(template) is not a valid JSONPath template"))
            }
            let present = path.query(object).matches.filter { !$0.value.isNull }
            let shown = ValuePredicates.displayPath(template)
            guard present.count == 1 else {
                return .failure(CaptureError(present.isEmpty ? "\(shown) is absent"
                    : "\(shown) has \(present.count) values; compare with one"))
            }
            let text = ValuePredicates.printed(present[0].value)
            return .success((.literal(text), "\(text) is \(shown)"))
        }
        func resolve(_ p: ValuePredicate) -> Result<(ValuePredicate, [String]), CaptureError> {
            switch p {
            case .compare(let op, let o), .quantity(let op, let o), .time(let op, let o):
                return operand(o).map { resolved, note in
                    let q: ValuePredicate
                    switch p {
                    case .compare: q = .compare(op, resolved)
                    case .quantity: q = .quantity(op, resolved)
                    default: q = .time(op, resolved)
                    }
                    return (q, note.map { [$0] } ?? [])
                }
            case .some(let inner):
                return resolve(inner).map { (.some($0.0), $0.1) }
            default:
                return .success((p, []))
            }
        }
        return resolve(predicate)
    }

    /// A string read as YAML (kubectl's rules: the first document) or JSON.
    static func decode(_ text: String, _ format: DecodeFormat) -> Result<JSONValue, CaptureError> {
        switch format {
        case .json:
            do { return .success(try JSONParser.parse(text)) } catch let error as JSONParseError {
                return .failure(CaptureError("not JSON: \(error.description)"))
            } catch {
                return .failure(CaptureError("not JSON: \(error)"))
            }
        case .yaml:
            do {
                let documents = try KubeDocuments.parse(Data(text.utf8), source: "the value")
                return .success(documents.first ?? .null)
            } catch let error as KubeDocumentError {
                return .failure(CaptureError("not YAML: \(error.description)"))
            } catch {
                return .failure(CaptureError("not YAML: \(error)"))
            }
        }
    }

    private func joinFailures(_ join: Join, from object: JSONValue, label: String) throws -> [String] {
        let arrow = label.isEmpty ? "" : label + " → "
        let selector: ObjectSelector
        switch related(join.relation, of: object) {
        case .failure(let reason): return [arrow + reason]
        case .selector(let s): selector = s
        }
        let selection = try reader.select(selector)
        return try failures(join.expectation, selection: selection, selector: selector).map { arrow + $0 }
    }

    private enum Related {
        case selector(ObjectSelector)
        case failure(String)
    }

    /// The selector of a join for one object, or why the object has no such relation.
    private func related(_ relation: Relation, of object: JSONValue) -> Related {
        let namespace = object["metadata"]?["namespace"]?.stringValue
        let kind = object["kind"]?.stringValue ?? "object"
        switch relation {
        case .node:
            guard let node = object["spec"]?["nodeName"]?.stringValue, !node.isEmpty else {
                return .failure("has no .spec.nodeName (not scheduled to a node yet)")
            }
            return .selector(ObjectSelector(kind: "Node", name: node, namespace: .all))
        case .endpoints:
            guard let name = object["metadata"]?["name"]?.stringValue else { return .failure("has no name") }
            return .selector(ObjectSelector(kind: "Endpoints", name: name, namespace: namespace.map { .named($0) } ?? .lab))
        case .pods:
            let labels: String?
            if kind == "Service" {
                guard let map = object["spec"]?["selector"]?.objectValue, !map.isEmpty else {
                    return .failure("has no .spec.selector, so it selects no Pods")
                }
                labels = map.entries.map { "\($0.key)=\(ValuePredicates.printed($0.value))" }.joined(separator: ",")
            } else {
                guard let selector = object["spec"]?["selector"]?.objectValue else {
                    return .failure("has no .spec.selector, so it selects no Pods")
                }
                labels = Self.labelSelector(selector)
            }
            return .selector(ObjectSelector(kind: "Pod", namespace: namespace.map { .named($0) } ?? .lab, labels: labels))
        case .selector(let template):
            var s = template
            do {
                s.apiVersion = try s.apiVersion.map { try Self.fill($0, from: object) }
                s.kind = try Self.fill(s.kind, from: object)
                s.name = try s.name.map { try Self.fill($0, from: object) }
                s.labels = try s.labels.map { try Self.fill($0, from: object) }
                s.fields = try s.fields.map { try Self.fill($0, from: object) }
                if case .named(let n) = s.namespace { s.namespace = .named(try Self.fill(n, from: object)) }
            } catch let error as JSONPathError {
                return .failure("cannot read the join's selector from it: \(error.description)")
            } catch {
                return .failure("cannot read the join's selector from it: \(error)")
            }
            // Related objects live beside the current one unless the join says otherwise.
            if s.namespace == .lab, let namespace { s.namespace = .named(namespace) }
            return .selector(s)
        }
    }

    /// A string of a join selector with its `{jsonpath}` parts printed from the object, as
    /// `kubectl get -o jsonpath` would print them.
    static func fill(_ text: String, from object: JSONValue) throws -> String {
        guard text.contains("{") else { return text }
        return try JSONPath(text).print(object)
    }

    /// A workload's `.spec.selector` (matchLabels and matchExpressions) as `-l` text; nil
    /// when it is empty (an empty selector selects every pod).
    static func labelSelector(_ selector: JSONObject) -> String? {
        var terms: [String] = []
        for (key, value) in selector["matchLabels"]?.objectValue?.entries ?? [] {
            terms.append("\(key)=\(ValuePredicates.printed(value))")
        }
        for expression in selector["matchExpressions"]?.arrayValue ?? [] {
            guard let key = expression["key"]?.stringValue, let op = expression["operator"]?.stringValue else { continue }
            let values = (expression["values"]?.arrayValue ?? []).map(ValuePredicates.printed).joined(separator: ",")
            switch op {
            case "In": terms.append("\(key) in (\(values))")
            case "NotIn": terms.append("\(key) notin (\(values))")
            case "Exists": terms.append(key)
            case "DoesNotExist": terms.append("!\(key)")
            default: continue
            }
        }
        return terms.isEmpty ? nil : terms.joined(separator: ",")
    }

    /// An assertion in a few words, for `none` messages.
    static func summary(_ assertion: Assertion) -> String {
        switch assertion {
        case .value(let path, let predicate):
            let p = ValuePredicates.displayPath(path)
            switch predicate {
            case .equals(let v): return "\(p) is \(FailureMessage.value(v))"
            case .notEquals(let v): return "\(p) is not \(FailureMessage.value(v))"
            case .oneOf(let vs): return "\(p) is one of \(vs.map(FailureMessage.value).joined(separator: ", "))"
            case .matches(let pattern): return "\(p) matches /\(pattern)/"
            case .exists: return "\(p) exists"
            case .absent: return "\(p) is absent"
            case .compare(let op, let rhs), .quantity(let op, let rhs), .time(let op, let rhs): return "\(p) \(op.rawValue) \(rhs)"
            case .cidr(let block): return "\(p) is in \(block)"
            case .subnetOf(let block): return "\(p) is a block within \(block)"
            case .digest(let digest): return "\(p) has digest \(digest)"
            case .some, .count: return "\(p) has \(ValuePredicates.expectation(predicate))"
            }
        case .decoded(let path, let format, let inner):
            return "\(ValuePredicates.displayPath(path)) as \(format.rawValue) has " + inner.map(summary).joined(separator: " and ")
        case .condition(let type, let status, let reason):
            return "condition \(type)=\(status)" + (reason.map { " (reason \($0))" } ?? "")
        case .partial(let object, _):
            return "it contains \(FailureMessage.value(object))"
        case .join(let join):
            switch join.relation {
            case .node: return "its Node matches"
            case .pods: return "its Pods match"
            case .endpoints: return "its Endpoints match"
            case .selector(let s): return "its related \(FailureMessage.plural(s.kind)) match"
            }
        }
    }
}

/// Parsed JSONPath templates by text; nil for a template that does not parse. Looked up here
/// first, without a lock, then in the templates the whole process has parsed.
final class JSONPathCache {
    private var parsed: [String: JSONPath?] = [:]

    func path(_ template: String) -> JSONPath? {
        if let known = parsed[template] { return known }
        let path = Self.shared.path(template)
        parsed[template] = path
        return path
    }

    private static let shared = SharedJSONPaths(limit: 4096)
}

/// JSONPath templates kept for the whole process: a grader evaluates the same checks for
/// every hand-in of a class, on several threads at once. Bounded: templates a learner's
/// values were substituted into may differ for every hand-in, and past the bound they are
/// parsed each time instead of kept.
// @unchecked: `parsed` is read and written only while holding `lock`.
private final class SharedJSONPaths: @unchecked Sendable {
    private let lock = NSLock()
    private var parsed: [String: JSONPath?] = [:]
    private let limit: Int

    init(limit: Int) {
        self.limit = limit
    }

    /// The template parsed, the first time outside the lock.
    func path(_ template: String) -> JSONPath? {
        lock.lock()
        let known = parsed[template]
        lock.unlock()
        if let known { return known }
        let made = try? JSONPath(template)
        lock.lock()
        if parsed.count < limit { parsed[template] = made }
        lock.unlock()
        return made
    }
}
