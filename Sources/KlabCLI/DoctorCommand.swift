import ArgumentParser
import Foundation
import KubeJSON

struct DoctorCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "doctor",
        abstract: "Check what klab needs on this machine, and say how to fix what is missing.",
        usage: "klab doctor [--kubeconfig <file>] [--context <name>] [<options>]",
        discussion: """
        One line each: kubectl and its version, the current context and whether its API \\
        server answers, aws and helm when a lab you started uses them, your git identity, \\
        the libgit2 klab links, and the labs folder. Exit status: 0 all that is needed is \\
        there, 3 something needed is missing.

        Examples:
          klab doctor
          klab doctor --context my-eks --output json
        """
    )

    @OptionGroup var global: GlobalOptions
    @OptionGroup var labsOptions: LabsOptions

    func run() throws {
        let doctor = MachineDoctor(
            kubeconfig: global.kubeconfig, context: global.context, labs: labsOptions.labs,
            workspace: WorkspaceContext.workspaceURL(global))
        let findings = doctor.run()
        let healthy = !findings.contains { $0.needed && $0.status == .missing }
        switch global.output {
        case .text:
            var lines = findings.map { finding -> String in
                let mark: String
                switch finding.status {
                case .ok: mark = "✓"
                case .missing: mark = "✗"
                case .warning: mark = "!"
                case .info: mark = "-"
                }
                return "\(mark) \(finding.name): \(finding.detail)" + (finding.fix.map { "; fix: \($0)" } ?? "")
            }
            lines.append(healthy ? "\nklab has what it needs." : "\nSomething klab needs is missing: see the ✗ lines.")
            writeStdout(lines.joined(separator: "\n") + "\n")
        case .json:
            let items = findings.map { finding in
                JSONValue.object(JSONObject([
                    ("name", .string(finding.name)), ("status", .string(finding.status.rawValue)),
                    ("detail", .string(finding.detail)), ("fix", finding.fix.map(JSONValue.string) ?? .null),
                    ("needed", .bool(finding.needed)),
                ]))
            }
            writeStdout(JSONWriter.pretty(.object(JSONObject([("ok", .bool(healthy)), ("checks", .array(items))]))) + "\n")
        }
        if !healthy { throw ExitStatus.environment }
    }
}
