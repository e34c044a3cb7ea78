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
        let substitute = { (text: String) in Variables.substitute(text, values) }
        lab.steps = steps.map { step in
            var step = step
            step.checks = step.checks.map { $0.mappingStrings(substitute) }
            // Commands are written like the prose, `{{name}}`: the learner sees their values.
            step.commands = step.commands.map { ProseRenderer.renderText($0, values: values) ?? $0 }
            return step
        }
        lab.completion = completion.map { $0.mappingStrings(substitute) }
        return lab
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

extension Check {
    /// The check with `transform` applied to every string an author wrote in it.
    public func mappingStrings(_ transform: (String) -> String) -> Check {
        var check = self
        check.name = transform(name)
        switch source {
        case let .get(selector):
            check.source = .get(selector.mappingStrings(transform))
        case let .exec(request):
            var request = request
            request.pod = request.pod.map(transform)
            request.labels = request.labels.map(transform)
            request.container = request.container.map(transform)
            request.namespace = request.namespace.mappingStrings(transform)
            request.command = request.command.map(transform)
            check.source = .exec(request)
        case let .http(request):
            var request = request
            request.url = transform(request.url)
            check.source = .http(request)
        case let .command(arguments):
            check.source = .command(arguments.map(transform))
        }
        check.expectation = expectation.mappingStrings(transform)
        check.captures = captures.map { Capture(name: $0.name, path: transform($0.path)) }
        return check
    }
}

extension ObjectSelector {
    func mappingStrings(_ transform: (String) -> String) -> ObjectSelector {
        var selector = self
        selector.apiVersion = apiVersion.map(transform)
        selector.kind = transform(kind)
        selector.name = name.map(transform)
        selector.namespace = namespace.mappingStrings(transform)
        selector.labels = labels.map(transform)
        selector.fields = fields.map(transform)
        return selector
    }
}

extension NamespaceSelection {
    func mappingStrings(_ transform: (String) -> String) -> NamespaceSelection {
        if case let .named(name) = self { return .named(transform(name)) }
        return self
    }
}

extension Expectation {
    func mappingStrings(_ transform: (String) -> String) -> Expectation {
        var expectation = self
        if case let .comparison(op, operand) = count { expectation.count = .comparison(op, transform(operand)) }
        expectation.all = all.map { $0.mappingStrings(transform) }
        expectation.any = any.map { $0.mappingStrings(transform) }
        expectation.none = none.map { $0.mappingStrings(transform) }
        expectation.distinct = distinct.map(transform)
        return expectation
    }
}

extension Assertion {
    func mappingStrings(_ transform: (String) -> String) -> Assertion {
        switch self {
        case let .value(path, predicate):
            return .value(path: transform(path), predicate: predicate.mappingStrings(transform))
        case let .condition(type, status, reason):
            return .condition(type: transform(type), status: transform(status), reason: reason.map(transform))
        case let .partial(value, anyOrder):
            return .partial(value.mappingStrings(transform), anyOrder: anyOrder)
        case let .join(join):
            let relation: Relation
            if case let .selector(selector) = join.relation {
                relation = .selector(selector.mappingStrings(transform))
            } else {
                relation = join.relation
            }
            return .join(Join(relation: relation, expectation: join.expectation.mappingStrings(transform)))
        }
    }
}

extension ValuePredicate {
    func mappingStrings(_ transform: (String) -> String) -> ValuePredicate {
        switch self {
        case let .equals(value): return .equals(value.mappingStrings(transform))
        case let .notEquals(value): return .notEquals(value.mappingStrings(transform))
        case let .oneOf(values): return .oneOf(values.map { $0.mappingStrings(transform) })
        case let .matches(pattern): return .matches(transform(pattern))
        case .exists, .absent: return self
        case let .compare(op, operand): return .compare(op, transform(operand))
        case let .quantity(op, operand): return .quantity(op, transform(operand))
        case let .cidr(block): return .cidr(transform(block))
        case let .digest(digest): return .digest(transform(digest))
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
            for (key, value) in object.entries { result[key] = value.mappingStrings(transform) }
            return .object(result)
        default:
            return self
        }
    }
}
