/// A kubectl JSONPath template, parsed once and evaluated against many objects.
///
/// Two modes share one parser and evaluator. `print` is kubectl-exact: it returns what
/// `kubectl get -o jsonpath=TEMPLATE` prints and fails where kubectl fails. `query` is for
/// checks: it never fails, says "absent" instead of printing nothing, compares numbers as
/// numbers, and reads `['a.b']` as one key.
public struct JSONPath: Sendable {
    public let template: String
    let nodes: [JSONPathNode]

    /// Throws `JSONPathError` of kind `.parse` with kubectl's message.
    public init(_ template: String) throws {
        self.template = template
        // The parser recurses into filters and unions; a bound on the length bounds its depth.
        guard template.utf8.count <= InputLimits.jsonPathTemplateBytes else {
            throw JSONPathError(
                kind: .parse, message: "the template is \(template.utf8.count) bytes long; klab reads templates of up to \(InputLimits.jsonPathTemplateBytes) bytes",
                template: String(template.prefix(60)) + "…")
        }
        do {
            nodes = try JSONPathParser.parse(template)
        } catch let failure as JSONPathParseFailure {
            throw JSONPathError(kind: .parse, message: failure.message, template: template)
        }
    }

    /// Printer mode: exactly what `kubectl get -o jsonpath=TEMPLATE` prints for this object.
    /// Throws `JSONPathError` of kind `.execute` where kubectl reports an error.
    public func print(_ data: JSONValue) throws -> String {
        let evaluator = JSONPathEvaluator(root: nodes, mode: .printer)
        let results: [[JSONPathItem]]
        do {
            results = try evaluator.findResults(JSONPathItem(.json(data), nil))
        } catch let failure as JSONPathEvaluator.Failure {
            throw JSONPathError(kind: .execute, message: failure.message, template: template)
        }
        var out = ""
        for result in results {
            for (i, item) in result.enumerated() {
                if i > 0 { out += " " }
                JSONPathPrinter.append(item.value, to: &out)
            }
        }
        return out
    }

    /// Check mode: forgiving (a missing key is no match, not an error), typed (values keep
    /// JSON types), never throws.
    public func query(_ data: JSONValue) -> JSONPathQueryResult {
        let evaluator = JSONPathEvaluator(root: nodes, mode: .check)
        let results = (try? evaluator.findResults(JSONPathItem(.json(data), .root))) ?? []
        var matches: [JSONPathMatch] = []
        for result in results {
            for item in result {
                guard let location = item.location else { continue }
                let value: JSONValue
                switch item.value {
                case .json(let json): value = json
                case .byte(let b): value = .int(Int64(b))
                case .goInt(let n): value = .int(Int64(n))
                case .invalid: continue
                }
                matches.append(JSONPathMatch(path: location.rendered, value: value))
            }
        }
        return JSONPathQueryResult(matches: matches, notes: evaluator.notes)
    }
}

/// One value a template found in check mode, and where it was found.
public struct JSONPathMatch: Sendable, Equatable {
    /// The concrete location with indices and keys: `.spec.containers[1].image`,
    /// `.metadata.labels['app.kubernetes.io/name']`; `$` for the object itself.
    public var path: String
    public var value: JSONValue

    public init(path: String, value: JSONValue) {
        self.path = path
        self.value = value
    }
}

/// What a template found in check mode.
public struct JSONPathQueryResult: Sendable, Equatable {
    /// Every value the template's expressions produced, in order; text literals are not matches.
    public var matches: [JSONPathMatch]
    /// Where the template could not be applied as written, e.g. "filter compared a string with
    /// a number: treated as false".
    public var notes: [String]

    public init(matches: [JSONPathMatch], notes: [String]) {
        self.matches = matches
        self.notes = notes
    }

    public var isAbsent: Bool { matches.isEmpty }
}
