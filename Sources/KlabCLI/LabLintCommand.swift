import ArgumentParser
import Foundation
import KubeJSON
import LabSpec

struct LabLintCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "lint",
        abstract: "Report every problem of the given labs (all labs when none is given); exit 2 if any.",
        usage: "klab lab lint [<lab> ...] [--labs <dir>] [<options>]",
        discussion: """
        Every problem is one line with file:line:column, all of them in one run.

        Examples:
          klab lab lint
          klab lab lint health-probes --output json
        """
    )

    @OptionGroup var global: GlobalOptions
    @OptionGroup var labsOptions: LabsOptions

    @Argument(help: "Lab ids (default: every lab).", completion: .custom(ShellCompletion.labs))
    var labs: [String] = []

    func run() throws {
        let loader = try labsOptions.loader()
        let ids = labs.isEmpty ? loader.labIDs() : labs
        let problems = LabLinter(loader: loader).lint(ids)
        switch global.output {
        case .text:
            var lines = problems.map(\.description)
            let errors = problems.filter { !$0.isWarning }.count
            let warnings = problems.count - errors
            let noun = errors == 1 ? "problem" : "problems"
            let labNoun = ids.count == 1 ? "lab" : "labs"
            var summary = errors == 0 ? "\(ids.count) \(labNoun), no problems" : "\(errors) \(noun) in \(ids.count) \(labNoun)"
            if warnings > 0 { summary += ", \(warnings) warning\(warnings == 1 ? "" : "s")" }
            lines.append(summary)
            writeStdout(lines.joined(separator: "\n") + "\n")
        case .json:
            try writeJSON(Output(labs: ids, problems: problems.map {
                Output.Problem(file: $0.location?.file, line: $0.location?.line, column: $0.location?.column, message: $0.message)
            }))
        }
        if problems.contains(where: { !$0.isWarning }) { throw ExitStatus.badInput }
    }

    /// `klab lab lint --output json`: the labs linted and every problem with its place.
    struct Output: Encodable {
        struct Problem: Encodable {
            var file: String?
            var line: Int?
            var column: Int?
            var message: String
        }

        var labs: [String]
        var problems: [Problem]
    }
}
