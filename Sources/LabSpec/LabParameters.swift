import Foundation
import KubeJSON

extension Lab {
    /// The learner id used when none is given (rendering and testing without a workspace).
    public static let defaultLearner = "learner"

    /// Parameter names every lab has besides its own.
    public static let builtInParameters = ["namespace", "learner"]

    /// The names a `--set` may use: the lab's parameters, then `namespace` and `learner`.
    public var parameterNames: [String] {
        var names = parameters.map(\.name)
        for name in Self.builtInParameters where !names.contains(name) { names.append(name) }
        return names
    }

    /// The values the lab is rendered with: defaults, `learner`, then `overrides`.
    /// Throws `LabSpecError.unknownParameter` for a name the lab does not have.
    public func parameterValues(_ overrides: [String: String] = [:]) throws -> [String: String] {
        let known = parameterNames
        for name in overrides.keys.sorted() where !known.contains(name) {
            throw LabSpecError.unknownParameter(name, lab: id, known: known)
        }
        var values = defaultParameters
        values["learner"] = Self.defaultLearner
        values.merge(overrides) { _, new in new }
        return values
    }

    /// The lab with `{{name}}` rendered in the steps' commands and `${name}` replaced in every check string by the parameter's value (defaults
    /// unless `parameters` sets it). `${...}` that name no parameter are left for the captures,
    /// which are known only when the checks run. The result's parameter defaults are the values
    /// used, so `defaultParameters` of the result tells them.
    public func resolved(parameters overrides: [String: String] = [:]) throws -> Lab {
        let values = try parameterValues(overrides)
        var lab = self
        lab.parameters = parameters.map { parameter in
            var parameter = parameter
            parameter.defaultValue = values[parameter.name] ?? parameter.defaultValue
            return parameter
        }
        if !parameters.contains(where: { $0.name == "namespace" }), let namespace = values["namespace"],
           namespace != defaultParameters["namespace"] {
            lab.parameters.append(LabParameter(name: "namespace", defaultValue: namespace, description: "Namespace the lab's objects live in."))
        }
        lab.steps = steps.map { step in
            var step = step
            step.checks = Self.resolved(step.checks, values: values)
            // Commands are written like the prose, `{{name}}`: the learner sees their values.
            step.commands = step.commands.map { ProseRenderer.renderText($0, values: values) ?? $0 }
            return step
        }
        lab.completion = Self.resolved(completion, values: values)
        return lab
    }

    /// One step's checks as `resolved(parameters:)` resolves them, without resolving the rest
    /// of the lab (a grader re-checks one step at a time); nil when the lab has no such step.
    public func resolvedChecks(ofStep id: String, parameters overrides: [String: String] = [:]) throws -> [Check]? {
        let values = try parameterValues(overrides)
        return step(id).map { Self.resolved($0.checks, values: values) }
    }

    /// The parameters one step's checks can take a value from: each `${name}` written in
    /// them, and `region` and `awsProfile` (added to `aws` commands). Two sets of values that
    /// agree on these resolve the step's checks alike. nil when the lab has no such step.
    public func parametersReferenced(byStep id: String) -> Set<String>? {
        guard let step = step(id) else { return nil }
        var names: Set<String> = ["region", "awsProfile"]
        for check in step.checks {
            _ = check.mappingStrings { text, _ in
                if Variables.mayReference(text) { names.formUnion(Variables.names(in: text)) }
                return text
            }
        }
        return names
    }

    private static func resolved(_ checks: [Check], values: [String: String]) -> [Check] {
        checks.map { $0.mappingStrings { Variables.substitute($0, values) }.addingAWSOptions(values) }
    }

    /// Parses `name=value` assignments as `--set` takes them.
    public static func assignments(_ texts: [String]) throws -> [String: String] {
        var values: [String: String] = [:]
        for text in texts {
            guard let equals = text.firstIndex(of: "="), equals != text.startIndex else {
                throw LabSpecError.badAssignment(text)
            }
            values[String(text[..<equals])] = String(text[text.index(after: equals)...])
        }
        return values
    }
}

/// Where a string of a check is used, so that a value substituted into it can be escaped (or
/// refused) for that place: a captured value must never become a flag, a selector term, a
/// regular expression or a path.
public enum StringPlace: Sendable, Equatable {
    /// What a learner reads, or a value compared as data (`equals`, `compare`...).
    case text
    /// A kind, apiVersion, object name, namespace, pod or container.
    case name
    /// A label selector (`-l`).
    case labelSelector
    /// A field selector (`--field-selector`).
    case fieldSelector
    /// One argument of a command run by `command` or `exec`.
    case argument
    /// A regular expression (`matches`, a capture's `regex`).
    case regex
    /// An http source's URL.
    case url
    /// A JSONPath template.
    case path
}

extension Check {
    /// The check with `transform` applied to every string an author wrote in it.
    public func mappingStrings(_ transform: (String) -> String) -> Check {
        mappingStrings { text, _ in transform(text) }
    }

    /// The check with `transform` applied to every string an author wrote in it, told where
    /// each string is used.
    public func mappingStrings(_ transform: (String, StringPlace) -> String) -> Check {
        var check = self
        check.name = transform(name, .text)
        switch source {
        case let .get(selector):
            check.source = .get(selector.mappingStrings(transform))
        case let .exec(request):
            var request = request
            request.pod = request.pod.map { transform($0, .name) }
            request.labels = request.labels.map { transform($0, .labelSelector) }
            request.container = request.container.map { transform($0, .name) }
            request.namespace = request.namespace.mappingStrings(transform)
            request.command = request.command.map { transform($0, .argument) }
            check.source = .exec(request)
        case let .http(request):
            var request = request
            request.url = transform(request.url, .url)
            request.headers = request.headers.map { HTTPHeader(name: $0.name, value: transform($0.value, .text)) }
            check.source = .http(request)
        case let .command(arguments):
            check.source = .command(arguments.map { transform($0, .argument) })
        case let .canI(request):
            var request = request
            request.verb = transform(request.verb, .name)
            request.resource = transform(request.resource, .name)
            request.subresource = request.subresource.map { transform($0, .name) }
            request.namespace = request.namespace.mappingStrings(transform)
            request.user = request.user.map { transform($0, .name) }
            request.groups = request.groups.map { transform($0, .name) }
            check.source = .canI(request)
        case let .probe(request):
            var request = request
            request.namespace = request.namespace.mappingStrings(transform)
            request.labels = request.labels.map { ProbeLabel(key: transform($0.key, .name), value: transform($0.value, .labelSelector)) }
            request.image = transform(request.image, .name)
            request.command = request.command.map { transform($0, .argument) }
            check.source = .probe(request)
        case let .workspace(request):
            check.source = .workspace(WorkspaceRequest(path: request.path.map { transform($0, .name) }))
        }
        check.expectation = expectation.mappingStrings(transform)
        check.captures = captures.map { capture in
            var capture = capture
            capture.path = transform(capture.path, .path)
            capture.regex = capture.regex.map { transform($0, .regex) }
            capture.trimPrefix = capture.trimPrefix.map { transform($0, .text) }
            return capture
        }
        return check
    }
}

extension Check {
    /// An `aws` command check with the lab's `region` and `awsProfile` parameters as `--region`
    /// and `--profile`, unless the command names its own (or the value is empty). (`awsProfile`,
    /// not `profile`: the fargate chapter's `profile` is a Fargate profile.)
    func addingAWSOptions(_ values: [String: String]) -> Check {
        guard case let .command(written) = source, written.first == "aws" else { return self }
        var arguments = written
        for (parameter, flag) in [("region", "--region"), ("awsProfile", "--profile")] {
            guard let value = values[parameter], !value.isEmpty,
                  !arguments.contains(where: { $0 == flag || $0.hasPrefix(flag + "=") }) else { continue }
            arguments += [flag, value]
        }
        var check = self
        check.source = .command(arguments)
        return check
    }
}

extension ObjectSelector {
    func mappingStrings(_ transform: (String, StringPlace) -> String) -> ObjectSelector {
        var selector = self
        selector.apiVersion = apiVersion.map { transform($0, .name) }
        selector.kind = transform(kind, .name)
        selector.name = name.map { transform($0, .name) }
        selector.namespace = namespace.mappingStrings(transform)
        selector.labels = labels.map { transform($0, .labelSelector) }
        selector.fields = fields.map { transform($0, .fieldSelector) }
        return selector
    }
}

extension NamespaceSelection {
    func mappingStrings(_ transform: (String, StringPlace) -> String) -> NamespaceSelection {
        if case let .named(name) = self { return .named(transform(name, .name)) }
        return self
    }
}

extension Expectation {
    func mappingStrings(_ transform: (String, StringPlace) -> String) -> Expectation {
        var expectation = self
        expectation.count = count?.mappingStrings(transform)
        expectation.all = all.map { $0.mappingStrings(transform) }
        expectation.any = any.map { $0.mappingStrings(transform) }
        expectation.none = none.map { $0.mappingStrings(transform) }
        expectation.distinct = distinct.map { transform($0, .path) }
        return expectation
    }
}

extension CountRule {
    func mappingStrings(_ transform: (String, StringPlace) -> String) -> CountRule {
        if case let .comparison(op, operand) = self { return .comparison(op, transform(operand, .text)) }
        return self
    }
}

extension Assertion {
    func mappingStrings(_ transform: (String, StringPlace) -> String) -> Assertion {
        switch self {
        case let .value(path, predicate):
            return .value(path: transform(path, .path), predicate: predicate.mappingStrings(transform))
        case let .condition(type, status, reason):
            return .condition(type: transform(type, .text), status: transform(status, .text), reason: reason.map { transform($0, .text) })
        case let .partial(value, anyOrder):
            return .partial(value.mappingStrings { transform($0, .text) }, anyOrder: anyOrder)
        case let .join(join):
            let relation: Relation
            if case let .selector(selector) = join.relation {
                relation = .selector(selector.mappingStrings(transform))
            } else {
                relation = join.relation
            }
            return .join(Join(relation: relation, expectation: join.expectation.mappingStrings(transform)))
        case let .decoded(path, format, assertions):
            return .decoded(path: transform(path, .path), format: format, assertions: assertions.map { $0.mappingStrings(transform) })
        }
    }
}

extension Operand {
    func mappingStrings(_ transform: (String, StringPlace) -> String) -> Operand {
        switch self {
        case let .literal(text): return .literal(transform(text, .text))
        case let .field(path): return .field(transform(path, .path))
        }
    }
}

extension ValuePredicate {
    func mappingStrings(_ transform: (String, StringPlace) -> String) -> ValuePredicate {
        switch self {
        case let .equals(value): return .equals(value.mappingStrings { transform($0, .text) })
        case let .notEquals(value): return .notEquals(value.mappingStrings { transform($0, .text) })
        case let .oneOf(values): return .oneOf(values.map { $0.mappingStrings { transform($0, .text) } })
        case let .matches(pattern): return .matches(transform(pattern, .regex))
        case .exists, .absent: return self
        case let .compare(op, operand): return .compare(op, operand.mappingStrings(transform))
        case let .quantity(op, operand): return .quantity(op, operand.mappingStrings(transform))
        case let .time(op, operand): return .time(op, operand.mappingStrings(transform))
        case let .cidr(block): return .cidr(transform(block, .text))
        case let .subnetOf(block): return .subnetOf(transform(block, .text))
        case let .some(inner): return .some(inner.mappingStrings(transform))
        case let .count(rule): return .count(rule.mappingStrings(transform))
        case let .digest(digest): return .digest(transform(digest, .text))
        }
    }
}

extension JSONValue {
    func mappingStrings(_ transform: (String) -> String) -> JSONValue {
        switch self {
        case let .string(text):
            return .string(transform(text))
        case let .array(items):
            return .array(items.map { $0.mappingStrings(transform) })
        case let .object(object):
            var result = JSONObject()
            for (key, value) in object.entries { result[transform(key)] = value.mappingStrings(transform) }
            return .object(result)
        default:
            return self
        }
    }
}
