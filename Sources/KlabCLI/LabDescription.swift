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

    static func json(_ lab: Lab) -> JSONValue {
        let parameters = lab.parameters.map { parameter in
            JSONValue.object(JSONObject([
                ("name", .string(parameter.name)), ("default", .string(parameter.defaultValue)),
                ("description", .string(parameter.description)),
            ]))
        }
        let steps = lab.steps.map { step in
            JSONValue.object(JSONObject([
                ("id", .string(step.id)),
                ("title", .string(step.title)),
                ("content", .string(step.content)),
                ("points", number(step.points)),
                ("partialCredit", .bool(step.partialCredit)),
                ("manifests", strings(step.manifests)),
                ("commands", strings(step.commands)),
                ("hints", strings(step.hints)),
                ("checks", strings(step.checks.map(\.name))),
            ]))
        }
        return .object(JSONObject([
            ("format", .int(Int64(lab.format))),
            ("id", .string(lab.id)),
            ("title", .string(lab.title)),
            ("summary", .string(lab.summary)),
            ("scope", .string(lab.scope.rawValue)),
            ("prerequisites", strings(lab.prerequisites)),
            ("parameters", .array(parameters)),
            ("steps", .array(steps)),
            ("completion", strings(lab.completion.map(\.name))),
        ]))
    }

    private static func strings(_ values: [String]) -> JSONValue { .array(values.map(JSONValue.string)) }

    private static func number(_ value: Double) -> JSONValue {
        value == value.rounded() && abs(value) < 1e15 ? .int(Int64(value)) : .double(value)
    }
}
