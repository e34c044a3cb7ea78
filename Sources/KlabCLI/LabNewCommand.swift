import ArgumentParser
import Foundation
import Checks
import KubeJSON
import LabSpec

/// `klab lab new ID`: a new lab package from klab's template (`LabScaffold`), ready for
/// `klab lab lint` and `klab lab test`.
struct LabNewCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "new",
        abstract: "Create a lab package: one step, its check, prose, a manifest and two fixtures.",
        usage: "klab lab new <id> [--title <title>] [--labs <dir>] [<options>]",
        discussion: """
        Writes labs/ID/ (lab.yaml, manifests/, fixtures/ with a passing and a failing \
        snapshot) and its prose in content/ID/ beside the labs folder. The new lab passes \
        `klab lab lint` and `klab lab test` as written: make it yours from there. An id is \
        lowercase letters, digits and '-' (it becomes the klab.dev/lab label).

        Examples:
          klab lab new my-lab
          klab lab new my-lab --title "Rolling updates" --labs ~/workshop/labs
        """
    )

    @OptionGroup var global: GlobalOptions
    @OptionGroup var labsOptions: LabsOptions

    @Argument(help: "The new lab's id.")
    var id: String

    @Option(help: ArgumentHelp("The lab's title (default: its id in words).", valueName: "title"))
    var title: String?

    func run() throws {
        // A new labs folder named with --labs is made, so a new workshop can start with its
        // first lab.
        if let labs = labsOptions.labs, !FileManager.default.fileExists(atPath: labs) {
            do {
                try FileManager.default.createDirectory(atPath: labs, withIntermediateDirectories: true)
            } catch {
                throw LabSpecError.cannotWrite(path: labs, reason: LabScaffold.reason(error))
            }
        }
        let loader = try labsOptions.loader()
        let written = try LabScaffold(loader: loader).create(id: id, title: title)
        let paths = written.map { LabCatalog.displayPath($0.path) }
        let labsFlag = labsOptions.labs.map { " --labs \(shellQuoted($0))" } ?? ""
        let fixtures = LabCatalog.displayPath(loader.labsDirectory.appendingPathComponent("\(id)/fixtures").path)
        switch global.output {
        case .text:
            writeStdout("""
            Created lab \(id):
            \(paths.map { "  " + $0 }.joined(separator: "\n"))
            Check it, then make it yours (content/reference/lab-format.md is the reference):
              klab lab lint \(id)\(labsFlag)
              klab lab test \(id)\(labsFlag) --step \(LabTemplate.stepID) --snapshot \(fixtures)/\(LabTemplate.stepID)--pass

            """)
        case .json:
            try writeJSON(Output(id: id, files: paths))
        }
    }

    /// `klab lab new --output json`: the lab made and its files.
    struct Output: Encodable {
        var id: String
        var files: [String]
    }
}
