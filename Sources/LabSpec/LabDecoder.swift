import Foundation
import KubeCore
import KubeJSON
import Yams

/// Turns the YAML tree of a `lab.yaml` into a `Lab`, collecting every problem it meets.
final class LabDecoder {
    let reader: YAMLReader
    private(set) var references: [LabReference] = []
    /// `${name}` is only meaningful in checks; elsewhere (titles, hints) it is plain text.
    private var inCheck = false

    init(file: String) {
        reader = YAMLReader(file: file)
    }

    static let labKeys = ["format", "id", "title", "summary", "prerequisites", "scope", "parameters", "steps", "completion"]
    static let parameterKeys = ["name", "default", "description"]
    static let stepKeys = ["id", "title", "content", "manifests", "commands", "checks", "hints", "points", "partialCredit"]
    static let sourceKeys = ["get", "exec", "http", "command", "canI", "probe", "workspace"]
    static let canIKeys = ["verb", "resource", "subresource", "namespace", "as", "asGroups"]
    /// Subresources that `kubectl auth can-i VERB pods/log` would read as an object's name.
    static let subresources = ["log", "exec", "attach", "portforward", "proxy", "status", "scale", "eviction", "binding",
                               "ephemeralcontainers", "token", "approval", "finalize"]
    static let expectationKeys = ["count", "absent", "expect", "any", "none", "distinct"]
    static let checkKeys = ["name"] + sourceKeys + expectationKeys + ["wait", "capture", "weight", "redact"]
    static let selectorKeys = ["kind", "apiVersion", "name", "namespace", "labels", "fields"]
    static let execKeys = ["pod", "labels", "namespace", "container", "command"]
    static let probeKeys = ["namespace", "labels", "image", "command", "timeout"]
    static let httpKeys = ["url", "timeout", "headers", "insecure", "followRedirects"]
    static let predicateKeys = [
        "equals", "notEquals", "in", "matches", "exists", "absent", "compare", "quantity", "time", "cidr", "subnetOf", "digest", "some",
        "count",
    ]
    static let assertionKinds = ["path", "condition", "object", "join"]
    static let assertionKeys = assertionKinds + predicateKeys + ["decode", "anyOrder", "expect", "any", "none", "distinct"]
    static let captureKeys = ["path", "regex", "group", "trimPrefix", "digest"]
    static let conditionKeys = ["type", "status", "reason"]
    static let relations = ["node", "pods", "endpoints"]

    // MARK: - Lab

    func lab(_ root: Node, directory: URL, contentDirectory: URL) -> Lab? {
        guard let fields = reader.fields(root, key: "lab.yaml", context: "the lab", known: Self.labKeys) else { return nil }
        var lab = Lab(id: "", title: "", directory: directory, contentDirectory: contentDirectory)

        if let node = fields["format"] {
            let text = node.scalar?.string ?? reader.describe(node)
            references.append(.formatVersion(text, reader.location(node)))
            lab.format = Int(text) ?? 0
        } else {
            reader.report(.missingKey("format", in: "the lab", at: reader.location(root)))
        }
        if let node = fields["id"], let id = string(node, key: "id") {
            lab.id = id
            references.append(.labID(id, reader.location(node)))
        } else if !fields.has("id") {
            reader.report(.missingKey("id", in: "the lab", at: reader.location(root)))
        }
        if let node = fields["title"], let title = string(node, key: "title") {
            lab.title = title
        } else if !fields.has("title") {
            reader.report(.missingKey("title", in: "the lab", at: reader.location(root)))
        }
        if let node = fields["summary"], let summary = string(node, key: "summary") { lab.summary = summary }
        if let node = fields["prerequisites"], let ids = reader.strings(node, key: "prerequisites") {
            lab.prerequisites = ids.map(\.0)
        }
        if let node = fields["scope"], let text = string(node, key: "scope") {
            if let scope = LabScope(rawValue: text) {
                lab.scope = scope
            } else {
                reader.report(.invalidValue(
                    key: "scope", value: text, reason: "scope is 'namespace' or 'cluster'", at: reader.location(node)))
            }
        }
        if let node = fields["parameters"], let items = reader.list(node, key: "parameters") {
            lab.parameters = items.compactMap(parameter)
        }
        if let node = fields["steps"], let items = reader.list(node, key: "steps") {
            lab.steps = items.compactMap(step)
        } else if !fields.has("steps") {
            reader.report(.missingKey("steps", in: "the lab", at: reader.location(root)))
        }
        if let node = fields["completion"], let items = reader.list(node, key: "completion") {
            references.append(.completionBegins)
            lab.completion = items.compactMap { check($0) }
        }
        return lab
    }

    private func parameter(_ node: Node) -> LabParameter? {
        guard let fields = reader.fields(node, key: "parameters item", context: "a parameter", known: Self.parameterKeys) else {
            return nil
        }
        guard let nameNode = fields["name"] else {
            reader.report(.missingKey("name", in: "a parameter", at: reader.location(node)))
            return nil
        }
        guard let name = string(nameNode, key: "name") else { return nil }
        references.append(.parameterName(name, reader.location(nameNode)))
        var defaultValue = ""
        if let value = fields["default"] {
            defaultValue = string(value, key: "default") ?? ""
        } else {
            reader.report(.missingKey("default", in: "parameter '\(name)'", at: reader.location(node)))
        }
        let description = fields["description"].flatMap { string($0, key: "description") } ?? ""
        return LabParameter(name: name, defaultValue: defaultValue, description: description)
    }

    private func step(_ node: Node) -> LabStep? {
        guard let fields = reader.fields(node, key: "steps item", context: "a step", known: Self.stepKeys) else { return nil }
        guard let idNode = fields["id"] else {
            reader.report(.missingKey("id", in: "a step", at: reader.location(node)))
            return nil
        }
        guard let id = string(idNode, key: "id") else { return nil }
        references.append(.stepID(id, reader.location(idNode)))
        if !Self.isStepID(id) {
            // Checked on every load, not only by the linter: a step id names refs and the
            // evidence folder `.klab/evidence/<lab>/<step>`, so `../x` would write outside it.
            reader.report(.invalidValue(
                key: "id", value: id, reason: "a step id is letters, digits and dashes (it names refs and files)",
                at: reader.location(idNode)))
        }
        var step = LabStep(id: id, title: "")
        if let title = fields["title"] {
            step.title = string(title, key: "title") ?? ""
        } else {
            reader.report(.missingKey("title", in: "step '\(id)'", at: reader.location(node)))
        }
        if let content = fields["content"], let path = string(content, key: "content") {
            step.content = path
            references.append(.content(path, reader.location(content)))
        } else {
            references.append(.content(step.content, reader.location(idNode)))
        }
        if let manifests = fields["manifests"], let paths = reader.strings(manifests, key: "manifests") {
            step.manifests = paths.map(\.0)
            for (path, item) in paths { references.append(.manifest(path, reader.location(item))) }
        }
        if let commands = fields["commands"], let lines = reader.strings(commands, key: "commands") {
            step.commands = lines.map(\.0)
        }
        if let hints = fields["hints"], let lines = reader.strings(hints, key: "hints") {
            step.hints = lines.map(\.0)
        }
        if let points = fields["points"], let value = reader.number(points, key: "points") {
            if value < 0 {
                reader.report(.invalidValue(
                    key: "points", value: "\(value)", reason: "points cannot be negative", at: reader.location(points)))
            }
            step.points = value
        }
        if let partial = fields["partialCredit"], let value = reader.bool(partial, key: "partialCredit") {
            step.partialCredit = value
        }
        if let checks = fields["checks"], let items = reader.list(checks, key: "checks") {
            step.checks = items.compactMap { check($0) }
        }
        return step
    }

    // MARK: - Checks

    func check(_ node: Node) -> Check? {
        inCheck = true
        defer { inCheck = false }
        guard let fields = reader.fields(node, key: "check", context: "a check", known: Self.checkKeys) else { return nil }
        let location = reader.location(node)
        var name = ""
        if let nameNode = fields["name"] {
            name = string(nameNode, key: "name") ?? ""
        } else {
            reader.report(.missingKey("name", in: "a check", at: location))
        }
        let sources = fields.present(Self.sourceKeys)
        var source: CheckSource?
        if sources.count == 1, let sourceKey = sources.first, let sourceNode = fields[sourceKey] {
            source = self.source(sourceKey, sourceNode)
            if sourceKey != "get" {
                for key in fields.present(["count", "absent", "distinct"]) {
                    reader.report(.conflictingKeys(
                        "'\(key)' applies to objects selected with 'get', not to a '\(sourceKey)' result",
                        at: reader.location(fields.keys[key]!)))
                }
            }
        } else {
            let found = sources.isEmpty ? "none" : sources.joined(separator: " and ")
            reader.report(.conflictingKeys(
                "a check needs exactly one source: get, exec, http, command, canI, probe or workspace (found \(found))", at: location))
        }
        let expectation = self.expectation(fields, context: "check")
        // Read the rest even without a source, so one run reports every problem.
        var check = Check(name: name, source: source ?? .command([]), expectation: expectation, location: location)
        if let wait = fields["wait"] { check.wait = duration(wait, key: "wait") }
        if let weight = fields["weight"], let value = reader.number(weight, key: "weight") {
            if value < 0 {
                reader.report(.invalidValue(
                    key: "weight", value: "\(value)", reason: "a weight cannot be negative", at: reader.location(weight)))
            }
            check.weight = value
        }
        if let redact = fields["redact"], let flag = reader.bool(redact, key: "redact") {
            if let key = sources.first, key != "exec", key != "command", key != "probe" {
                reader.report(.conflictingKeys(
                    "'redact' applies to what an exec, command or probe check prints, not to a '\(key)' source", at: reader.location(redact)))
            }
            check.redact = flag
        }
        // Captures last: a check's own strings cannot use what it captures.
        if let capture = fields["capture"] { check.captures = captures(capture) }
        return source == nil ? nil : check
    }

    private func source(_ key: String, _ node: Node) -> CheckSource? {
        switch key {
        case "get":
            return selector(node, key: "get").map(CheckSource.get)
        case "exec":
            return exec(node).map(CheckSource.exec)
        case "http":
            guard let fields = reader.fields(node, key: "http", context: "an http source", known: Self.httpKeys) else { return nil }
            guard let urlNode = fields["url"] else {
                reader.report(.missingKey("url", in: "an http source", at: reader.location(node)))
                return nil
            }
            guard let url = string(urlNode, key: "url") else { return nil }
            var request = HTTPRequest(url: url)
            if !url.hasPrefix("${"), let scheme = url.split(separator: ":", maxSplits: 1).first,
               !["http", "https"].contains(scheme.lowercased()) || !url.contains("://") {
                reader.report(.invalidValue(
                    key: "url", value: url, reason: "an http check requests http:// or https:// URLs only", at: reader.location(urlNode)))
            }
            if let timeout = fields["timeout"], let seconds = duration(timeout, key: "timeout") { request.timeout = seconds }
            if let node = fields["headers"] {
                if case let .mapping(mapping) = node {
                    for (keyNode, valueNode) in mapping {
                        guard let name = string(keyNode, key: "header name"), let value = string(valueNode, key: name) else { continue }
                        request.headers.append(HTTPHeader(name: name, value: value))
                    }
                } else {
                    reader.report(.wrongType(key: "headers", expected: "a mapping of header: value", found: reader.describe(node), at: reader.location(node)))
                }
            }
            if let node = fields["insecure"], let flag = reader.bool(node, key: "insecure") { request.insecure = flag }
            if let node = fields["followRedirects"], let flag = reader.bool(node, key: "followRedirects") { request.followRedirects = flag }
            return .http(request)
        case "canI":
            guard let fields = reader.fields(node, key: "canI", context: "a canI source", known: Self.canIKeys) else { return nil }
            guard let verbNode = fields["verb"], let resourceNode = fields["resource"] else {
                reader.report(.missingKey(fields.has("verb") ? "resource" : "verb", in: "a canI source", at: reader.location(node)))
                return nil
            }
            guard let verb = string(verbNode, key: "verb"), let resource = string(resourceNode, key: "resource") else { return nil }
            var request = CanIRequest(verb: verb, resource: resource)
            let parts = resource.split(separator: "/", maxSplits: 1).map(String.init)
            if parts.count == 2, Self.subresources.contains(parts[1]) {
                reader.report(.invalidValue(
                    key: "resource", value: resource,
                    reason: "kubectl reads '\(resource)' as one of the \(parts[0]), named \(parts[1]); write resource: \(parts[0]) and subresource: \(parts[1])",
                    at: reader.location(resourceNode)))
            }
            request.subresource = fields["subresource"].flatMap { string($0, key: "subresource") }
            if let namespace = fields["namespace"] { request.namespace = self.namespace(namespace) }
            request.user = fields["as"].flatMap { string($0, key: "as") }
            if let groups = fields["asGroups"], let items = reader.strings(groups, key: "asGroups") { request.groups = items.map(\.0) }
            return .canI(request)
        case "probe":
            return probe(node).map(CheckSource.probe)
        case "workspace":
            return workspace(node).map(CheckSource.workspace)
        default:
            return arguments(node, key: "command").map(CheckSource.command)
        }
    }

    private func arguments(_ node: Node, key: String) -> [String]? {
        guard let items = reader.list(node, key: key) else { return nil }
        defer {
            let texts = items.compactMap { $0.scalar?.string }
            if texts.count == items.count { references.append(.arguments(texts, reader.location(node))) }
        }
        if items.isEmpty {
            reader.report(.invalidValue(key: key, value: "[]", reason: "the command needs at least a program", at: reader.location(node)))
            return nil
        }
        var result: [String] = []
        for item in items {
            guard let text = string(item, key: "\(key) item") else { return nil }
            result.append(text)
        }
        return result
    }

    /// `Kind`, `Kind/name`, or a mapping with kind, apiVersion, name, namespace, labels, fields.
    func selector(_ node: Node, key: String) -> ObjectSelector? {
        if case .scalar = node {
            guard let text = string(node, key: key) else { return nil }
            let parts = text.split(separator: "/", omittingEmptySubsequences: false).map(String.init)
            guard (1...2).contains(parts.count), parts.allSatisfy({ !$0.isEmpty }) else {
                reader.report(.invalidValue(
                    key: key, value: text, reason: "write KIND or KIND/NAME, e.g. Pod/liveness-app", at: reader.location(node)))
                return nil
            }
            return ObjectSelector(kind: parts[0], name: parts.count == 2 ? parts[1] : nil)
        }
        guard let fields = reader.fields(node, key: key, context: "a '\(key)' selector", known: Self.selectorKeys) else {
            return nil
        }
        guard let kindNode = fields["kind"] else {
            reader.report(.missingKey("kind", in: "a '\(key)' selector", at: reader.location(node)))
            return nil
        }
        guard let kind = string(kindNode, key: "kind") else { return nil }
        var selector = ObjectSelector(kind: kind)
        selector.apiVersion = fields["apiVersion"].flatMap { string($0, key: "apiVersion") }
        selector.name = fields["name"].flatMap { string($0, key: "name") }
        if let namespace = fields["namespace"] { selector.namespace = self.namespace(namespace) }
        selector.labels = fields["labels"].flatMap { string($0, key: "labels") }
        selector.fields = fields["fields"].flatMap { string($0, key: "fields") }
        if let labels = selector.labels, let node = fields["labels"], !labels.contains("${") {
            references.append(.labelSelector(labels, reader.location(node)))
        }
        if let text = selector.fields, let node = fields["fields"], !text.contains("${"), !kind.contains("${") {
            references.append(.fieldSelector(text, kind: kind, reader.location(node)))
        }
        return selector
    }

    private func namespace(_ node: Node) -> NamespaceSelection {
        guard let text = string(node, key: "namespace") else { return .lab }
        return text == "*" ? .all : .named(text)
    }

    private func exec(_ node: Node) -> ExecRequest? {
        guard let fields = reader.fields(node, key: "exec", context: "an exec source", known: Self.execKeys) else { return nil }
        let location = reader.location(node)
        let chooser = fields.present(["pod", "labels"])
        if chooser.count != 1 {
            reader.report(.conflictingKeys(
                "an exec source names its pod with exactly one of 'pod' or 'labels'"
                    + (chooser.isEmpty ? "" : " (found both)"), at: location))
        }
        guard let commandNode = fields["command"] else {
            reader.report(.missingKey("command", in: "an exec source", at: location))
            return nil
        }
        guard let command = arguments(commandNode, key: "command") else { return nil }
        var request = ExecRequest(command: command)
        request.pod = fields["pod"].flatMap { string($0, key: "pod") }
        request.labels = fields["labels"].flatMap { string($0, key: "labels") }
        if let labels = request.labels, let node = fields["labels"], !labels.contains("${") {
            references.append(.labelSelector(labels, reader.location(node)))
        }
        request.container = fields["container"].flatMap { string($0, key: "container") }
        if let namespace = fields["namespace"] {
            request.namespace = self.namespace(namespace)
            if request.namespace == .all {
                reader.report(.invalidValue(
                    key: "namespace", value: "*", reason: "an exec runs in one pod of one namespace; name the namespace",
                    at: reader.location(namespace)))
            }
        }
        return request
    }

    /// `workspace: history` (the whole workspace) or `workspace: {path: FOLDER}`.
    private func workspace(_ node: Node) -> WorkspaceRequest? {
        if case .scalar = node {
            guard let text = string(node, key: "workspace") else { return nil }
            guard text == "history" else {
                reader.report(.invalidValue(
                    key: "workspace", value: text, reason: "write 'workspace: history' or 'workspace: {path: FOLDER}'", at: reader.location(node)))
                return nil
            }
            return WorkspaceRequest()
        }
        guard let fields = reader.fields(node, key: "workspace", context: "a workspace source", known: ["path"]) else { return nil }
        var request = WorkspaceRequest()
        if let node = fields["path"], let path = string(node, key: "path") {
            let parts = path.split(separator: "/", omittingEmptySubsequences: false)
            if path.isEmpty || path.hasPrefix("/") || parts.contains("..") || parts.first == ".klab" {
                reader.report(.invalidValue(
                    key: "path", value: path, reason: "a folder inside the workspace such as sealed-secrets (not .klab, no '..')",
                    at: reader.location(node)))
            }
            request.path = path.hasSuffix("/") ? String(path.dropLast()) : path
        }
        return request
    }

    /// `{namespace, labels: {k: v}, image, command, timeout}`.
    private func probe(_ node: Node) -> ProbeRequest? {
        guard let fields = reader.fields(node, key: "probe", context: "a probe source", known: Self.probeKeys) else { return nil }
        let location = reader.location(node)
        // Everything is read before the command, so one run reports every problem.
        var request = ProbeRequest(command: [])
        if let namespace = fields["namespace"] {
            request.namespace = self.namespace(namespace)
            if request.namespace == .all {
                reader.report(.invalidValue(
                    key: "namespace", value: "*", reason: "a probe runs one pod in one namespace; name the namespace",
                    at: reader.location(namespace)))
            }
        }
        if let node = fields["labels"] {
            if case let .mapping(mapping) = node {
                for (keyNode, valueNode) in mapping {
                    guard let key = string(keyNode, key: "label"), let value = string(valueNode, key: key) else { continue }
                    if !key.contains("${") && !value.contains("${") {
                        references.append(.labelSelector("\(key)=\(value)", reader.location(keyNode)))
                    }
                    if key.hasPrefix("klab.dev/") {
                        reader.report(.invalidValue(
                            key: "labels", value: key, reason: "klab sets its own klab.dev/ labels on a probe pod; choose another key",
                            at: reader.location(keyNode)))
                    }
                    request.labels.append(ProbeLabel(key: key, value: value))
                }
            } else {
                reader.report(.wrongType(
                    key: "labels", expected: "a mapping of label: value (the probe pod's labels)", found: reader.describe(node),
                    at: reader.location(node)))
            }
        }
        if let node = fields["image"], let image = string(node, key: "image") {
            if image.isEmpty || image.contains(where: \.isWhitespace) {
                reader.report(.invalidValue(key: "image", value: image, reason: "an image reference such as busybox:1.36", at: reader.location(node)))
            }
            request.image = image
        }
        if let node = fields["timeout"], let seconds = duration(node, key: "timeout") { request.timeout = seconds }
        guard let commandNode = fields["command"] else {
            reader.report(.missingKey("command", in: "a probe source", at: location))
            return nil
        }
        guard let command = arguments(commandNode, key: "command") else { return nil }
        request.command = command
        return request
    }

    private func captures(_ node: Node) -> [Capture] {
        guard case let .mapping(mapping) = node else {
            reader.report(.wrongType(key: "capture", expected: "a mapping of name: '{jsonpath}'", found: reader.describe(node), at: reader.location(node)))
            return []
        }
        var result: [Capture] = []
        for (keyNode, valueNode) in mapping {
            guard let name = string(keyNode, key: "capture name"), var capture = capture(name, valueNode) else { continue }
            capture.name = name
            if !Self.isIdentifier(name) {
                reader.report(.invalidValue(
                    key: "capture", value: name, reason: "a capture name is letters, digits and _ (it is used as ${name})",
                    at: reader.location(keyNode)))
            }
            references.append(.captured(name, reader.location(keyNode)))
            result.append(capture)
        }
        return result
    }

    /// `'{jsonpath}'`, or `{path, regex, group, trimPrefix, digest}`.
    private func capture(_ name: String, _ node: Node) -> Capture? {
        guard case .mapping = node else { return jsonPath(node, key: name).map { Capture(name: name, path: $0) } }
        guard let fields = reader.fields(node, key: name, context: "a capture", known: Self.captureKeys) else { return nil }
        guard let pathNode = fields["path"] else {
            reader.report(.missingKey("path", in: "capture '\(name)'", at: reader.location(node)))
            return nil
        }
        guard let path = jsonPath(pathNode, key: "path") else { return nil }
        var capture = Capture(name: name, path: path)
        if let regexNode = fields["regex"], let pattern = string(regexNode, key: "regex") {
            capture.regex = pattern
            if let groupNode = fields["group"], let group = reader.int(groupNode, key: "group") {
                capture.group = group
                if !pattern.contains("${") { references.append(.regexGroup(pattern, group, reader.location(groupNode))) }
            }
            if !pattern.contains("${") { references.append(.regex(pattern, key: "regex", reader.location(regexNode))) }
        } else if let groupNode = fields["group"] {
            reader.report(.conflictingKeys("'group' picks a group of 'regex'; add the regex", at: reader.location(groupNode)))
        }
        if let node = fields["trimPrefix"] { capture.trimPrefix = string(node, key: "trimPrefix") }
        if let node = fields["digest"], let flag = reader.bool(node, key: "digest") { capture.digest = flag }
        return capture
    }

    // MARK: - Expectations and assertions

    private func expectation(_ fields: Fields, context: String) -> Expectation {
        var expectation = Expectation()
        if let count = fields["count"] { expectation.count = self.count(count) }
        if let absent = fields["absent"], let value = reader.bool(absent, key: "absent") { expectation.absent = value }
        if expectation.absent, let other = fields.present(["count", "expect", "any"]).first {
            reader.report(.conflictingKeys(
                "'absent: true' means nothing matches, so '\(other)' cannot hold too; keep one",
                at: reader.location(fields.keys[other]!)))
        }
        if let node = fields["expect"] { expectation.all = assertions(node, key: "expect") }
        if let node = fields["any"] { expectation.any = assertions(node, key: "any") }
        if let node = fields["none"] { expectation.none = assertions(node, key: "none") }
        if let node = fields["distinct"] {
            if case .sequence = node {
                expectation.distinct = (reader.list(node, key: "distinct") ?? []).compactMap { jsonPath($0, key: "distinct") }
            } else if let path = jsonPath(node, key: "distinct") {
                expectation.distinct = [path]
            }
        }
        return expectation
    }

    /// `3`, `{min: 1, max: 5}`, or text `'> ${baseline}'` (an operator and a number or capture).
    private func count(_ node: Node) -> CountRule? {
        switch node {
        case .mapping:
            guard let fields = reader.fields(node, key: "count", context: "a count", known: ["min", "max"]) else { return nil }
            let min = fields["min"].flatMap { reader.int($0, key: "min") }
            let max = fields["max"].flatMap { reader.int($0, key: "max") }
            if !fields.has("min"), !fields.has("max") {
                reader.report(.missingKey("min' or 'max", in: "a count range", at: reader.location(node)))
                return nil
            }
            if min == nil, max == nil { return nil }
            if let min, let max, min > max {
                reader.report(.invalidValue(key: "count", value: "{min: \(min), max: \(max)}", reason: "min is above max", at: reader.location(node)))
            }
            return .range(min: min, max: max)
        case let .scalar(scalar) where reader.tagName(node) == .int:
            guard let value = Int(scalar.string), value >= 0 else {
                reader.report(.invalidValue(key: "count", value: scalar.string, reason: "a count is a whole number, 0 or more", at: reader.location(node)))
                return nil
            }
            return .exactly(value)
        default:
            guard let text = string(node, key: "count") else { return nil }
            guard let (op, operand) = comparison(text, node: node, key: "count") else { return nil }
            if !operand.contains("${"), Int(operand) == nil {
                reader.report(.invalidValue(
                    key: "count", value: text, reason: "compare with a whole number or a ${capture}, e.g. '> 3'",
                    at: reader.location(node)))
            }
            return .comparison(op, operand)
        }
    }

    private func assertions(_ node: Node, key: String) -> [Assertion] {
        guard let items = reader.list(node, key: key) else { return [] }
        return items.compactMap(assertion)
    }

    private func assertion(_ node: Node) -> Assertion? {
        guard let fields = reader.fields(node, key: "assertion", context: "an assertion", known: Self.assertionKeys) else {
            return nil
        }
        let location = reader.location(node)
        let kinds = fields.present(Self.assertionKinds)
        guard kinds.count == 1, let kind = kinds.first, let value = fields[kind] else {
            let found = kinds.isEmpty ? "none" : kinds.joined(separator: " and ")
            reader.report(.conflictingKeys(
                "an assertion is exactly one of path (with a predicate), condition, object or join (found \(found))",
                at: location))
            return nil
        }
        let allowed: [String]
        switch kind {
        case "path" where fields.has("decode"): allowed = ["path", "decode", "expect"]
        case "path": allowed = ["path"] + Self.predicateKeys
        case "object": allowed = ["object", "anyOrder"]
        case "join": allowed = ["join"] + Self.expectationKeys
        default: allowed = ["condition"]
        }
        for extra in fields.keys.keys.sorted() where !allowed.contains(extra) {
            reader.report(.conflictingKeys(
                "'\(extra)' does not go with '\(kind)' (a \(kind) assertion takes \(allowed.joined(separator: ", ")))",
                at: reader.location(fields.keys[extra]!)))
        }
        switch kind {
        case "path" where fields.has("decode"):
            guard let path = jsonPath(value, key: "path"), let formatNode = fields["decode"],
                  let name = string(formatNode, key: "decode") else { return nil }
            guard let format = DecodeFormat(rawValue: name) else {
                reader.report(.invalidValue(
                    key: "decode", value: name, reason: "decode reads yaml or json", at: reader.location(formatNode)))
                return nil
            }
            guard let inner = fields["expect"] else {
                reader.report(.missingKey("expect", in: "a decode assertion (the assertions on the decoded value)", at: location))
                return nil
            }
            return .decoded(path: path, format: format, assertions: assertions(inner, key: "expect"))
        case "path":
            guard let path = jsonPath(value, key: "path") else { return nil }
            let predicates = fields.present(Self.predicateKeys)
            guard predicates.count == 1, let name = predicates.first, let operand = fields[name] else {
                reader.report(.conflictingKeys(
                    "a path needs exactly one predicate: \(Self.predicateKeys.joined(separator: ", "))"
                        + (predicates.isEmpty ? "" : " (found \(predicates.joined(separator: " and ")))"),
                    at: location))
                return nil
            }
            return predicate(name, operand).map { .value(path: path, predicate: $0) }
        case "condition":
            return condition(value)
        case "object":
            guard case .mapping = value else {
                reader.report(.wrongType(key: "object", expected: "a mapping (part of the object)", found: reader.describe(value), at: reader.location(value)))
                return nil
            }
            recordVariables(in: value)
            let anyOrder = fields["anyOrder"].flatMap { reader.bool($0, key: "anyOrder") } ?? false
            return .partial(reader.json(value), anyOrder: anyOrder)
        default:
            let relation: Relation
            if case let .scalar(scalar) = value, reader.tagName(value) == .str {
                switch scalar.string {
                case "node": relation = .node
                case "pods": relation = .pods
                case "endpoints": relation = .endpoints
                default:
                    let hint = Suggestion.closest(to: scalar.string, in: Self.relations).map { "; did you mean '\($0)'?" } ?? ""
                    reader.report(.invalidValue(
                        key: "join", value: scalar.string,
                        reason: "a join is node, pods, endpoints or a selector mapping\(hint)", at: reader.location(value)))
                    return nil
                }
            } else {
                guard let selector = selector(value, key: "join") else { return nil }
                relation = .selector(selector)
            }
            return .join(Join(relation: relation, expectation: expectation(fields, context: "join")))
        }
    }

    private func condition(_ node: Node) -> Assertion? {
        if case .scalar = node {
            guard let type = string(node, key: "condition") else { return nil }
            return .condition(type: type, status: "True", reason: nil)
        }
        guard let fields = reader.fields(node, key: "condition", context: "a condition", known: Self.conditionKeys) else { return nil }
        guard let typeNode = fields["type"] else {
            reader.report(.missingKey("type", in: "a condition", at: reader.location(node)))
            return nil
        }
        guard let type = string(typeNode, key: "type") else { return nil }
        let status = fields["status"].flatMap { string($0, key: "status") } ?? "True"
        if !["True", "False", "Unknown"].contains(where: { $0.caseInsensitiveCompare(status) == .orderedSame }), !status.contains("${") {
            reader.report(.invalidValue(
                key: "status", value: status, reason: "a condition status is True, False or Unknown",
                at: reader.location(fields["status"]!)))
        }
        let reason = fields["reason"].flatMap { string($0, key: "reason") }
        return .condition(type: type, status: status, reason: reason)
    }

    private func predicate(_ name: String, _ node: Node) -> ValuePredicate? {
        switch name {
        case "equals", "notEquals":
            guard case .scalar = node else {
                reader.report(.wrongType(key: name, expected: "one value (text, number, boolean or null)", found: reader.describe(node), at: reader.location(node)))
                return nil
            }
            recordVariables(in: node)
            return name == "equals" ? .equals(reader.json(node)) : .notEquals(reader.json(node))
        case "in":
            guard let items = reader.list(node, key: "in") else { return nil }
            items.forEach(recordVariables)
            return .oneOf(items.map(reader.json))
        case "matches":
            guard let pattern = string(node, key: "matches") else { return nil }
            if !pattern.contains("${") { references.append(.regex(pattern, key: "matches", reader.location(node))) }
            return .matches(pattern)
        case "exists", "absent":
            guard let flag = reader.bool(node, key: name) else { return nil }
            return (name == "exists") == flag ? .exists : .absent
        case "some":
            let inner = Self.predicateKeys.filter { $0 != "some" && $0 != "count" }
            guard let fields = reader.fields(node, key: "some", context: "a 'some' predicate", known: inner) else { return nil }
            let present = fields.present(inner)
            guard present.count == 1, let innerName = present.first, let operand = fields[innerName] else {
                reader.report(.conflictingKeys(
                    "'some' holds exactly one predicate, e.g. some: {equals: dev-group}", at: reader.location(node)))
                return nil
            }
            return predicate(innerName, operand).map { .some($0) }
        case "count":
            return count(node).map { .count($0) }
        case "compare", "quantity", "time":
            let text: String
            if case .scalar = node, reader.tagName(node) == .int || reader.tagName(node) == .float {
                text = "== " + (node.scalar?.string ?? "")
            } else {
                guard let value = string(node, key: name) else { return nil }
                text = value
            }
            guard let (op, text2) = comparison(text, node: node, key: name) else { return nil }
            let operand = Operand(parsing: text2)
            if case .field(let template) = operand {
                references.append(.jsonPath(template, reader.location(node)))
            } else if !text2.contains("${") {
                switch name {
                case "compare":
                    if Double(text2) == nil {
                        reader.report(.invalidValue(
                            key: "compare", value: text,
                            reason: "compare with a number, a ${capture} or a {.field} of the object, e.g. '>= 1'",
                            at: reader.location(node)))
                    }
                case "quantity": references.append(.quantity(text2, reader.location(node)))
                default: references.append(.time(text2, reader.location(node)))
                }
            }
            switch name {
            case "compare": return .compare(op, operand)
            case "quantity": return .quantity(op, operand)
            default: return .time(op, operand)
            }
        case "digest":
            guard let digest = string(node, key: "digest") else { return nil }
            if !digest.contains("${"), !ValueDigest.isDigest(digest) {
                reader.report(.invalidValue(
                    key: "digest", value: digest, reason: "write sha256: and 64 hex digits (`printf %s VALUE | sha256sum`)",
                    at: reader.location(node)))
            }
            return .digest(digest)
        default:
            guard let block = string(node, key: name) else { return nil }
            if !block.contains("${") { references.append(.cidr(block, key: name, reader.location(node))) }
            return name == "subnetOf" ? .subnetOf(block) : .cidr(block)
        }
    }

    /// An operator (`==`, `!=`, `<`, `<=`, `>`, `>=`; none means `==`) and its operand.
    private func comparison(_ text: String, node: Node, key: String) -> (ComparisonOperator, String)? {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        for op in ComparisonOperator.allCases.sorted(by: { $0.rawValue.count > $1.rawValue.count })
        where trimmed.hasPrefix(op.rawValue) {
            let operand = trimmed.dropFirst(op.rawValue.count).trimmingCharacters(in: .whitespaces)
            if operand.isEmpty { break }
            return (op, operand)
        }
        if let first = trimmed.first, "=!<>".contains(first) {
            reader.report(.invalidValue(
                key: key, value: text, reason: "write an operator (==, !=, <, <=, >, >=) then a value, e.g. '>= 1'",
                at: reader.location(node)))
            return nil
        }
        guard !trimmed.isEmpty else {
            reader.report(.invalidValue(key: key, value: text, reason: "the value is empty", at: reader.location(node)))
            return nil
        }
        return (.equal, trimmed)
    }

    // MARK: - Scalars

    /// Text, noting any `${name}` it uses.
    private func string(_ node: Node, key: String) -> String? {
        guard let text = reader.string(node, key: key) else { return nil }
        let names = Variables.names(in: text)
        if inCheck, !names.isEmpty { references.append(.variables(names, reader.location(node))) }
        return text
    }

    private func jsonPath(_ node: Node, key: String) -> String? {
        guard let template = string(node, key: key) else { return nil }
        references.append(.jsonPath(template, reader.location(node)))
        return template
    }

    private func recordVariables(in node: Node) {
        switch node {
        case let .scalar(scalar):
            let names = Variables.names(in: scalar.string)
            if !names.isEmpty { references.append(.variables(names, reader.location(node))) }
        case let .sequence(sequence):
            sequence.forEach { recordVariables(in: $0) }
        case let .mapping(mapping):
            mapping.forEach { recordVariables(in: $0.value) }
        case .alias:
            break
        }
    }

    /// `30s`, `2m`, `1h30m`, `500ms` or a number of seconds.
    private func duration(_ node: Node, key: String) -> Double? {
        guard case let .scalar(scalar) = node else {
            reader.report(.wrongType(key: key, expected: "a duration such as 30s or 2m", found: reader.describe(node), at: reader.location(node)))
            return nil
        }
        guard let seconds = GoDuration.seconds(scalar.string), seconds > 0 else {
            reader.report(.invalidValue(
                key: key, value: scalar.string, reason: "write a duration such as 30s, 2m, 1h30m or a number of seconds",
                at: reader.location(node)))
            return nil
        }
        return seconds
    }

    /// Letters, digits and dashes, starting with a letter: what a step id or a lab id may be.
    static func isStepID(_ id: String) -> Bool {
        isIdentifier(id.replacingOccurrences(of: "-", with: "_"))
    }

    static func isIdentifier(_ name: String) -> Bool {
        guard let first = name.unicodeScalars.first, CharacterSet.letters.contains(first) || first == "_" else { return false }
        return name.unicodeScalars.allSatisfy { CharacterSet.alphanumerics.contains($0) || $0 == "_" }
    }
}
