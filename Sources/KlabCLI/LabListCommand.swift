import ArgumentParser
import Foundation
import KubeJSON
import LabSpec

struct LabListCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "list",
        abstract: "List the labs: id, title and number of steps.",
        usage: "klab lab list [--labs <dir>] [<options>]",
        discussion: """
        A lab that cannot be read is named on stderr, and the exit status is 2.

        Examples:
          klab lab list
          klab lab list --labs ~/my-labs --output json
        """
    )

    @OptionGroup var global: GlobalOptions
    @OptionGroup var labsOptions: LabsOptions

    func run() throws {
        let loader = try labsOptions.loader()
        var labs: [Lab] = []
        var broken: [LabSpecError] = []
        for id in loader.labIDs() {
            do { labs.append(try loader.load(id)) } catch let error as LabSpecError { broken.append(error) }
        }
        switch global.output {
        case .text:
            let width = labs.map(\.id.count).max() ?? 2
            var lines = [pad("ID", width) + "  STEPS  TITLE"]
            for lab in labs {
                lines.append(pad(lab.id, width) + "  " + pad(String(lab.steps.count), 5) + "  " + lab.title)
            }
            writeStdout(lines.joined(separator: "\n") + "\n")
        case .json:
            try writeJSON(labs.map { Entry(id: $0.id, title: $0.title, steps: $0.steps.count) })
        }
        if !broken.isEmpty {
            for error in broken { writeStderr("klab: \(error.description)\n") }
            throw ExitStatus.badInput
        }
    }

    private func pad(_ text: String, _ width: Int) -> String {
        text.count >= width ? text : text + String(repeating: " ", count: width - text.count)
    }

    /// One lab of `klab lab list --output json` (an array of them).
    struct Entry: Encodable {
        var id: String
        var title: String
        var steps: Int
    }
}
