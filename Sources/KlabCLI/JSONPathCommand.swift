import ArgumentParser
import Foundation
import KubeCore
import KubeJSON

struct JSONPathCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "jsonpath",
        abstract: "Print what `kubectl get -o jsonpath=TEMPLATE` prints for an object or list.",
        usage: "klab jsonpath <template> [<file> | -] [-o <format>]",
        discussion: """
            Reads JSON (or YAML) from FILE, or from stdin when FILE is '-' or missing. A list is \
            given to the template as one `kind: List`, as kubectl get does. With --output json, \
            prints the check-mode result instead: every match with its path, and notes.

            Examples:
              klab jsonpath '{.metadata.name}' pod.json
              kubectl get pods -o json | klab jsonpath '{range .items[*]}{.metadata.name}{"\\n"}{end}'
            """
    )

    @Argument(help: "A kubectl JSONPath template, e.g. '{.metadata.name}'.")
    var template: String

    @Argument(help: "The object or list to read ('-' for stdin).", completion: .file())
    var file: String = "-"

    @OptionGroup var global: GlobalOptions

    func run() throws {
        guard !template.isEmpty else {
            throw CLIFailure(message: "template format specified but no template given", status: .badInput)
        }
        let path = try JSONPath(template)
        let documents = try readDocuments()
        let object = JSONPathInput.kubectlGetObject(documents)
        // klab exits right after printing: the operating system takes the document's memory
        // back at once, where freeing a large list value by value would take a third as long
        // as reading it.
        defer { _ = Unmanaged.passRetained(KeptUntilExit((documents, object))) }
        switch global.output {
        case .text:
            writeStdout(try path.print(object))
        case .json:
            let result = path.query(object)
            try writeJSON(Output(
                template: template, matches: result.matches.map { Output.Match(path: $0.path, value: $0.value) }, notes: result.notes))
        }
    }

    private func readDocuments() throws -> [JSONValue] {
        if file == "-" {
            return try documents(FileHandle.standardInput.readDataToEndOfFile())
        }
        var isDirectory: ObjCBool = false
        let reason: String
        if !FileManager.default.fileExists(atPath: file, isDirectory: &isDirectory) {
            reason = "no such file (check the path, or pass '-' to read stdin)"
        } else if isDirectory.boolValue {
            reason = "it is a directory; give one JSON or YAML file"
        } else if let documents = try convertingErrors({ try KubeDocuments.parse(contentsOfFile: file) }) {
            return documents
        } else if let data = FileManager.default.contents(atPath: file) {
            return try documents(data)
        } else {
            reason = "permission denied"
        }
        throw CLIFailure(message: "cannot read \(file): \(reason)", status: .badInput)
    }

    private func documents(_ data: Data) throws -> [JSONValue] {
        try convertingErrors { try KubeDocuments.parse(data, source: file) }
    }

    private func convertingErrors<T>(_ body: () throws -> T) throws -> T {
        do {
            return try body()
        } catch let error as KubeDocumentError {
            throw CLIFailure(message: error.description, status: .badInput)
        }
    }

    /// `klab jsonpath --output json`: what the template found, each value with its path.
    struct Output: Encodable {
        struct Match: Encodable {
            var path: String
            var value: JSONValue
        }

        var template: String
        var matches: [Match]
        var notes: [String]
    }
}

/// A value left alive until the process exits.
private final class KeptUntilExit<T> {
    let value: T
    init(_ value: T) { self.value = value }
}
