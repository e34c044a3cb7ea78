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
            var kube = JSONObject()
            if let kubectl {
                kube["path"] = .string(kubectl.path)
                kube["version"] = kubectl.version.map(JSONValue.string) ?? .null
            }
            let value = JSONValue.object(JSONObject([
                ("klab", .string(klabVersion)),
                ("libgit2", .string(LibGit2.version)),
                ("kubectl", kubectl == nil ? .null : .object(kube)),
            ]))
            writeStdout(JSONWriter.pretty(value) + "\n")
        }
    }
}
