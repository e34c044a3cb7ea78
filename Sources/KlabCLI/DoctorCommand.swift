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
            try writeJSON(Output(ok: healthy, checks: findings.map {
                Output.Check(name: $0.name, status: $0.status.rawValue, detail: $0.detail, fix: $0.fix, needed: $0.needed)
            }))
        }
        if !healthy { throw ExitStatus.environment }
    }

    /// `klab doctor --output json`: whether klab has what it needs, and each finding.
    struct Output: Encodable {
        struct Check: Encodable {
            var name: String
            var status: String
            var detail: String
            var fix: String?
            var needed: Bool
        }

        var ok: Bool
        var checks: [Check]
    }
}
