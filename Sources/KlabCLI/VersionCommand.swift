import ArgumentParser
import Checks
import Foundation
import KubeJSON
import LabGit

struct VersionCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "version",
        abstract: "Print klab's version, the libgit2 it links and the kubectl it finds.",
        usage: "klab version [-o <format>]",
        discussion: """
        `klab --version` prints klab's version alone; `klab doctor` checks the whole machine.

        Example:
          klab version --output json
        """
    )

    @OptionGroup var global: GlobalOptions

    func run() throws {
        let kubectl = KubectlProbe.find()
        switch global.output {
        case .text:
            var lines = ["klab \(klabVersion)", "libgit2 \(LibGit2.version)"]
            if let kubectl {
                lines.append("kubectl \(kubectl.version ?? "(version unknown)") at \(kubectl.path)")
            } else {
                lines.append("kubectl not found on PATH (checks against a live cluster need it; snapshots do not)")
            }
            writeStdout(lines.joined(separator: "\n") + "\n")
        case .json:
            try writeJSON(Output(
                klab: klabVersion, libgit2: LibGit2.version,
                kubectl: kubectl.map { Output.Kubectl(path: $0.path, version: $0.version) }))
        }
    }

    /// `klab version --output json`: klab's, libgit2's and kubectl's versions (kubectl null
    /// when it is not on PATH).
    struct Output: Encodable {
        struct Kubectl: Encodable {
            var path: String
            var version: String?
        }

        var klab: String
        var libgit2: String
        var kubectl: Kubectl?
    }
}
