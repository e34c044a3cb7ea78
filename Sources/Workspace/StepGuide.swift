import Foundation
import LabSpec

/// What a learner reads about a step: where they are, what to do and what to run.
public struct StepGuide: Sendable, Equatable {
    public var lab: String
    public var number: Int
    public var total: Int
    public var step: LabStep
    /// The prose file in the workspace, relative to its root.
    public var proseFile: String

    public init(lab: Lab, step: LabStep) {
        self.lab = lab.id
        let index = lab.steps.firstIndex { $0.id == step.id } ?? 0
        number = index + 1
        total = lab.steps.count
        self.step = step
        proseFile = "\(lab.id)/" + LabMaterials.stepFile(number: index + 1, step: step)
    }

    /// The step as text: title, the first paragraph of its prose, the commands, what next.
    public func text(prose: String?) -> String {
        var out = "Step \(number) of \(total): \(step.title)\n"
        if let summary = prose.flatMap(Self.firstParagraph), !summary.isEmpty {
            out += "\n" + summary + "\n"
        }
        out += "\nRead the whole step in \(proseFile).\n"
        if !step.commands.isEmpty {
            out += "\nRun, in \(lab)/:\n" + step.commands.map { "  \($0)\n" }.joined()
        }
        out += "\nThen check your work with `klab verify` (`klab hint` if you are stuck).\n"
        return out
    }

    /// The first paragraph of markdown prose that is not a heading, with the author's line
    /// breaks. A paragraph that ends with a colon introduces what follows, so the code block
    /// after it comes along (indented), rather than leaving the learner at "the probe:".
    static func firstParagraph(_ markdown: String) -> String? {
        enum Place { case before, paragraph, afterColon, code }
        var place = Place.before
        var out: [String] = []
        var code: [String] = []
        scan: for line in markdown.split(separator: "\n", omittingEmptySubsequences: false) {
            let trimmed = line.trimmingCharacters(in: .whitespaces)
            let fence = trimmed.hasPrefix("```")
            switch place {
            case .before:
                if trimmed.isEmpty || trimmed.hasPrefix("#") || fence { continue }
                out.append(trimmed)
                place = .paragraph
            case .paragraph:
                if fence { break scan }
                if trimmed.isEmpty {
                    guard out.last?.hasSuffix(":") == true else { break scan }
                    place = .afterColon
                    continue
                }
                out.append(trimmed)
            case .afterColon:
                if trimmed.isEmpty { continue }
                guard fence else { break scan }
                place = .code
            case .code:
                if fence {
                    out.append("")
                    out += code.map { "    " + $0 }
                    break scan
                }
                code.append(String(line))
            }
        }
        return out.isEmpty ? nil : out.joined(separator: "\n")
    }
}

/// A progress bar of `width` cells for `done` of `total`.
public func progressBar(done: Int, total: Int, width: Int = 20) -> String {
    guard total > 0 else { return String(repeating: "░", count: width) }
    let filled = min(width, (done * width + total / 2) / total)
    return String(repeating: "█", count: filled) + String(repeating: "░", count: width - filled)
}
