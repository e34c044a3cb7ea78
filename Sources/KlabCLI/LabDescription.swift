import Foundation
import KubeJSON
import LabSpec

/// How `klab lab show` prints a lab, as text and as JSON.
enum LabDescription {
    static func text(_ lab: Lab) -> String {
        var lines = ["\(lab.id): \(lab.title)"]
        if !lab.summary.isEmpty { lines += ["", lab.summary] }
        lines.append("")
        lines.append("Scope: \(lab.scope.rawValue)")
        lines.append("Prerequisites: " + (lab.prerequisites.isEmpty ? "none" : lab.prerequisites.joined(separator: ", ")))
        let parameters = lab.parameters.isEmpty
            ? [LabParameter(name: "namespace", defaultValue: "default", description: "Namespace the lab's objects live in.")]
            : lab.parameters
        lines.append("Parameters:")
        for parameter in parameters {
            let description = parameter.description.isEmpty ? "" : "  \(parameter.description)"
            lines.append("  \(parameter.name)=\(parameter.defaultValue)\(description)")
        }
        lines.append("Steps:")
        for (index, step) in lab.steps.enumerated() {
            lines.append("  \(index + 1). \(step.id): \(step.title)")
            for check in step.checks { lines.append("       - \(check.name)") }
        }
        if !lab.completion.isEmpty {
            lines.append("Completion:")
            for check in lab.completion { lines.append("  - \(check.name)") }
        }
        return lines.joined(separator: "\n") + "\n"
    }

    /// `klab lab show --output json`: the lab as its file says, step by step.
    struct Output: Encodable {
        struct Parameter: Encodable {
            var name: String
            var `default`: String
            var description: String
        }

        struct Step: Encodable {
            var id: String
            var title: String
            var content: String
            var points: JSONValue
            var partialCredit: Bool
            var manifests: [String]
            var commands: [String]
            var hints: [String]
            var checks: [String]
        }

        var format: Int
        var id: String
        var title: String
        var summary: String
        var scope: String
        var prerequisites: [String]
        var parameters: [Parameter]
        var steps: [Step]
        var completion: [String]

        init(_ lab: Lab) {
            format = lab.format
            id = lab.id
            title = lab.title
            summary = lab.summary
            scope = lab.scope.rawValue
            prerequisites = lab.prerequisites
            parameters = lab.parameters.map { Parameter(name: $0.name, default: $0.defaultValue, description: $0.description) }
            steps = lab.steps.map { step in
                Step(id: step.id, title: step.title, content: step.content, points: LabDescription.number(step.points),
                     partialCredit: step.partialCredit, manifests: step.manifests, commands: step.commands, hints: step.hints,
                     checks: step.checks.map(\.name))
            }
            completion = lab.completion.map(\.name)
        }
    }

    /// Whole points as integers (`1`, not `1.0`), as the lab file writes them.
    static func number(_ value: Double) -> JSONValue {
        value == value.rounded() && abs(value) < 1e15 ? .int(Int64(value)) : .double(value)
    }
}
