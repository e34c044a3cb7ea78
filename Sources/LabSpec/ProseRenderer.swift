import Foundation
import Mustache

/// Renders the learner's prose (`content/<lab>/*.md`) with the lab's parameters, using the
/// same Mustache syntax as the manifests (`{{namespace}}`), so a learner who set
/// `--namespace shop` reads `kubectl -n shop ...`.
public struct ProseRenderer: Sendable {
    public var lab: Lab

    public init(lab: Lab) {
        self.lab = lab
    }

    /// The lab's introduction (`README.md` in its content folder), if it has one.
    public func introduction(values: [String: String]) throws -> String? {
        try render(file: "README.md", values: values)
    }

    /// The prose of a step.
    public func step(_ step: LabStep, values: [String: String]) throws -> String? {
        try render(file: step.content, values: values)
    }

    /// Renders a short text (a step's command) with Mustache; nil when it is not a template.
    public static func renderText(_ text: String, values: [String: String]) -> String? {
        guard text.contains("{{") else { return text }
        return (try? MustacheTemplate(string: "{{% CONTENT_TYPE: TEXT}}" + text))?.render(values)
    }

    /// Renders one content file; nil when it does not exist.
    public func render(file: String, values: [String: String]) throws -> String? {
        let url = lab.contentDirectory.appendingPathComponent(file)
        let location = SourceLocation(file: url.path, line: 1, column: 1)
        // The prose of a lab from someone else's repository stays in its content folder.
        guard LabLinter.isInside(url.resolvingSymlinksInPath(), lab.contentDirectory.resolvingSymlinksInPath()) else {
            throw LabSpecError.pathEscapes(file, folder: "the lab's content folder", at: location)
        }
        let text: String
        switch ManifestRenderer.readText(url.path) {
        case .success(let read): text = read
        case .failure(.missing): return nil
        case .failure(.unreadable(let reason)): throw LabSpecError.unreadableFile(file, what: "step prose", reason: reason, at: location)
        }
        do {
            let template = try MustacheTemplate(string: "{{% CONTENT_TYPE: TEXT}}" + text)
            return template.render(values)
        } catch {
            throw LabSpecError.badManifest("Mustache template: \(error)", at: SourceLocation(file: url.path, line: 1, column: 1))
        }
    }
}
