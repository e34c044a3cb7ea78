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
        guard let data = FileManager.default.contents(atPath: url.path) else { return nil }
        let text = String(decoding: data, as: UTF8.self)
        do {
            let template = try MustacheTemplate(string: "{{% CONTENT_TYPE: TEXT}}" + text)
            return template.render(values)
        } catch {
            throw LabSpecError.badManifest("Mustache template: \(error)", at: SourceLocation(file: url.path, line: 1, column: 1))
        }
    }
}
