import Foundation
import KubeCore
import KubeJSON
import Mustache
import Yams

/// Renders a lab's manifests for one learner: Mustache `{{name}}` filled from the parameters,
/// `learner` and `namespace`, then klab's bookkeeping labels (`klab.dev/lab`,
/// `klab.dev/learner`) added to every object and every pod template, nothing else touched.
public struct ManifestRenderer: Sendable {
    public static let labLabel = "klab.dev/lab"
    public static let learnerLabel = "klab.dev/learner"

    /// Where each kind keeps its pod template's metadata.
    static let podTemplatePaths: [String: [String]] = [
        "Deployment": ["spec", "template", "metadata"],
        "ReplicaSet": ["spec", "template", "metadata"],
        "StatefulSet": ["spec", "template", "metadata"],
        "DaemonSet": ["spec", "template", "metadata"],
        "Job": ["spec", "template", "metadata"],
        "ReplicationController": ["spec", "template", "metadata"],
        "CronJob": ["spec", "jobTemplate", "spec", "template", "metadata"],
    ]

    public var lab: Lab

    public init(lab: Lab) {
        self.lab = lab
    }

    /// One manifest file, rendered.
    public struct RenderedManifest: Sendable, Equatable {
        /// The path relative to the lab folder, as the step names it.
        public var path: String
        /// The objects as YAML documents, in file order (each without `---`).
        public var documents: [String]
        /// The same objects as JSON.
        public var objects: [JSONValue]
    }

    /// The manifests of the given steps (all steps when nil), each file once, in step order.
    /// `parameters` are `--set` values; unknown names throw `LabSpecError.unknownParameter`.
    public func render(
        parameters: [String: String] = [:], learner: String? = nil, steps: [String]? = nil
    ) throws -> [RenderedManifest] {
        var overrides = parameters
        if let learner { overrides["learner"] = learner }
        let values = try lab.parameterValues(overrides)
        var problems: [LabSpecError] = []
        var rendered: [RenderedManifest] = []
        for path in manifestPaths(steps: steps) {
            switch renderFile(path, values: values) {
            case let .success(manifest): rendered.append(manifest)
            case let .failure(error): problems += error.all
            }
        }
        if !problems.isEmpty { throw LabSpecError.problems(problems) }
        return rendered
    }

    /// All rendered objects as one multi-document YAML stream, each file introduced by a
    /// `# Source:` comment.
    public func renderYAML(parameters: [String: String] = [:], learner: String? = nil, steps: [String]? = nil) throws -> String {
        var output = ""
        for manifest in try render(parameters: parameters, learner: learner, steps: steps) {
            for document in manifest.documents {
                output += "---\n# Source: \(manifest.path)\n" + document
                if !document.hasSuffix("\n") { output += "\n" }
            }
        }
        return output
    }

    /// What the linter reports: every manifest rendered with the defaults, every problem.
    func problems(start: SourceLocation) -> [LabSpecError] {
        guard let values = try? lab.parameterValues() else { return [] }
        var problems: [LabSpecError] = []
        // Missing and escaping files are the linter's own problems; render the rest.
        for path in manifestPaths(steps: nil) where manifestURL(path) != nil
            && FileManager.default.fileExists(atPath: lab.directory.appendingPathComponent(path).path) {
            if case let .failure(error) = renderFile(path, values: values) { problems += error.all }
        }
        return problems
    }

    private func manifestPaths(steps: [String]?) -> [String] {
        var seen = Set<String>()
        var paths: [String] = []
        for step in lab.steps where steps?.contains(step.id) ?? true {
            for path in step.manifests where seen.insert(path).inserted { paths.append(path) }
        }
        return paths
    }

    /// The manifest's file, when the path stays inside the lab folder (symlinks followed).
    func manifestURL(_ path: String) -> URL? {
        guard !path.hasPrefix("/"), !path.split(separator: "/").contains("..") else { return nil }
        let url = lab.directory.appendingPathComponent(path)
        return LabLinter.isInside(url.resolvingSymlinksInPath(), lab.directory.resolvingSymlinksInPath()) ? url : nil
    }

    private func renderFile(_ path: String, values: [String: String]) -> Result<RenderedManifest, LabSpecError> {
        let labFile = LabCatalog.displayPath(lab.directory.appendingPathComponent("lab.yaml").path)
        guard let url = manifestURL(path) else {
            return .failure(.pathEscapes(path, folder: "the lab folder", at: SourceLocation(file: labFile, line: 1, column: 1)))
        }
        let display = LabCatalog.displayPath(url.path)
        func at(_ line: Int, _ column: Int) -> SourceLocation { SourceLocation(file: display, line: line, column: column) }
        let text: String
        switch Self.readText(url.path) {
        case .success(let read): text = read
        case .failure(.missing): return .failure(.missingFile(path, what: "manifest", at: at(1, 1)))
        case .failure(.unreadable(let reason)): return .failure(.unreadableFile(path, what: "manifest", reason: reason, at: at(1, 1)))
        }
        var problems = unknownNames(in: text, values: values, at: at)
        let template: MustacheTemplate
        do {
            // TEXT: YAML must not be HTML-escaped. The pragma is on the first line, so lines keep their numbers.
            template = try MustacheTemplate(string: "{{% CONTENT_TYPE: TEXT}}" + text)
        } catch let error as MustacheTemplate.ParserError {
            let column = error.context.lineNumber == 1
                ? max(1, error.context.columnNumber - "{{% CONTENT_TYPE: TEXT}}".count) : error.context.columnNumber
            return .failure(.badManifest("Mustache template: \(Self.explain(error.error))", at: at(error.context.lineNumber, column)))
        } catch {
            return .failure(.badManifest("Mustache template: \(error)", at: at(1, 1)))
        }
        let output = template.render(values)

        var documents: [String] = []
        var objects: [JSONValue] = []
        if let violation = YAMLBounds.check(output) {
            problems.append(.yamlBounds(violation.message, at: at(violation.line, violation.column)))
            return .failure(.problems(problems))
        }
        do {
            let parser = try Parser(yaml: output)
            while let document = try parser.nextRoot() {
                guard var object = kubernetesObject(document, at: at, problems: &problems) else { continue }
                label(&object, learner: values["learner"] ?? Lab.defaultLearner)
                let reader = YAMLReader(file: display)
                objects.append(reader.json(.mapping(object)))
                documents.append(try Yams.serialize(node: .mapping(object), sortKeys: false))
            }
        } catch {
            problems.append(YAMLErrors.problem(error, file: display))
        }
        if !problems.isEmpty { return .failure(.problems(problems)) }
        return .success(RenderedManifest(path: path, documents: documents, objects: objects))
    }

    enum ReadFailure: Error {
        case missing
        case unreadable(String)
    }

    /// A lab's text file (manifest, prose), bounded by `InputLimits.labFileBytes`.
    static func readText(_ path: String) -> Result<String, ReadFailure> {
        guard FileManager.default.fileExists(atPath: path) else { return .failure(.missing) }
        do {
            let data = try InputFile.read(path, limit: InputLimits.labFileBytes)
            guard let text = String(data: data, encoding: .utf8) else { return .failure(.unreadable("is not UTF-8 text")) }
            return .success(text)
        } catch let failure as InputFile.Failure {
            return .failure(.unreadable(failure.reason))
        } catch {
            return .failure(.unreadable("cannot be read"))
        }
    }

    static func explain(_ error: Error) -> String {
        guard let error = error as? MustacheTemplate.Error else { return "\(error)" }
        switch error {
        case .expectedSectionEnd: return "a section {{#name}} or {{^name}} is never closed with {{/name}}"
        case .sectionCloseNameIncorrect: return "{{/name}} closes a section that was not the last one opened"
        case .unfinishedName: return "a tag is not closed with }}"
        default: return "\(error)"
        }
    }

    /// `{{name}}` that is no parameter renders as nothing: almost always a typo.
    private func unknownNames(in text: String, values: [String: String], at: (Int, Int) -> SourceLocation) -> [LabSpecError] {
        var problems: [LabSpecError] = []
        for (index, line) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            var rest = Substring(line)
            while let open = rest.range(of: "{{") {
                let after = rest[open.upperBound...]
                guard let close = after.range(of: "}}") else { break }
                var name = after[..<close.lowerBound].trimmingCharacters(in: .whitespaces)
                for sigil in ["{", "&", "#", "^", "/"] where name.hasPrefix(sigil) {
                    name = String(name.dropFirst()).trimmingCharacters(in: .whitespaces)
                }
                if name.hasSuffix("}") { name = String(name.dropLast()) }
                if LabDecoder.isIdentifier(name), values[name] == nil {
                    let column = line.distance(from: line.startIndex, to: open.lowerBound) + 1
                    problems.append(.badManifest(
                        "'{{\(name)}}' is not a parameter of the lab (known: \(values.keys.sorted().joined(separator: ", "))); declare it or fix the name",
                        at: at(index + 1, column)))
                }
                rest = after[close.upperBound...]
            }
        }
        return problems
    }

    /// The document as a Kubernetes object, or a problem saying what it lacks.
    private func kubernetesObject(
        _ document: Node, at: (Int, Int) -> SourceLocation, problems: inout [LabSpecError]
    ) -> Node.Mapping? {
        let line = document.mark?.line ?? 1, column = document.mark?.column ?? 1
        if case .scalar = document, Tag.Name(rawValue: document.tag.rawValue) == .null { return nil }
        guard case let .mapping(mapping) = document else {
            problems.append(.badManifest("a manifest document must be a Kubernetes object (a mapping)", at: at(line, column)))
            return nil
        }
        var missing: [String] = []
        for key in ["apiVersion", "kind"] where mapping[key]?.scalar?.string.isEmpty ?? true { missing.append(key) }
        if mapping["metadata"]?.mapping?["name"]?.scalar?.string.isEmpty ?? true,
           mapping["metadata"]?.mapping?["generateName"] == nil {
            missing.append("metadata.name")
        }
        if !missing.isEmpty {
            problems.append(.badManifest(
                "a Kubernetes object needs \(missing.joined(separator: ", ")); add \(missing.count == 1 ? "it" : "them")",
                at: at(line, column)))
            return nil
        }
        return mapping
    }

    private func label(_ object: inout Node.Mapping, learner: String) {
        let labels = [(Self.labLabel, lab.id), (Self.learnerLabel, learner)]
        addLabels(labels, to: &object, path: ["metadata"])
        if let kind = object["kind"]?.scalar?.string, let path = Self.podTemplatePaths[kind] {
            addLabels(labels, to: &object, path: path)
        }
    }

    /// Adds the bookkeeping labels at `path + [labels]`, creating only what is missing.
    private func addLabels(_ labels: [(String, String)], to mapping: inout Node.Mapping, path: [String]) {
        guard let key = path.first else {
            var existing = mapping["labels"]?.mapping ?? Node.Mapping([])
            for (name, value) in labels { existing[name] = Node(value, .implicit, Self.plainOrQuoted(value)) }
            mapping["labels"] = .mapping(existing)
            return
        }
        var child = mapping[key]?.mapping ?? Node.Mapping([])
        // Only walk into what exists, except metadata, which every labelled object gets.
        if mapping[key]?.mapping == nil, key != "metadata" { return }
        addLabels(labels, to: &child, path: Array(path.dropFirst()))
        mapping[key] = .mapping(child)
    }

    /// A label value like `123` or `true` must stay a string in YAML.
    static func plainOrQuoted(_ value: String) -> Node.Scalar.Style {
        let resolved = Resolver.default.resolveTag(of: Node(value))
        return resolved == .str ? .plain : .doubleQuoted
    }
}
