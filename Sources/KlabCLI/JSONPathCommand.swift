import ArgumentParser
import Checks
import Foundation
import KubeCore
import KubeJSON
import LabSpec

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
        let limit = InputLimits.jsonInputBytes
        if file == "-" {
            let (data, cut) = ProcessRunner.read(FileHandle.standardInput, limit: limit) {}
            guard !cut else {
                throw CLIFailure(message: "cannot read stdin: it holds more than \(InputFile.size(limit)), the most klab reads", status: .badInput)
            }
            return try documents(data)
        }
        var isDirectory: ObjCBool = false
        let reason: String
        if !FileManager.default.fileExists(atPath: file, isDirectory: &isDirectory) {
            reason = "no such file (check the path, or pass '-' to read stdin)"
        } else if isDirectory.boolValue {
            reason = "it is a directory; give one JSON or YAML file"
        } else {
            // A regular file within the limit is read mapped (its pages given back as they are
            // parsed); anything else (a FIFO, a device, too large) is refused by InputFile,
            // which never blocks on it.
            var info = stat()
            if stat(file, &info) == 0, InputFile.irregularKind(info.st_mode) == nil, Int(info.st_size) <= limit,
               let parsed = try convertingErrors({ try KubeDocuments.parse(contentsOfFile: file) }) {
                return try objects(parsed)
            }
            do {
                return try documents(InputFile.read(file, limit: limit))
            } catch let failure as InputFile.Failure {
                reason = "it \(failure.reason)"
            }
        }
        throw CLIFailure(message: "cannot read \(file): \(reason)", status: .badInput)
    }

    private func documents(_ data: Data) throws -> [JSONValue] {
        try objects(convertingErrors { try KubeDocuments.parse(data, source: file) })
    }

    private func convertingErrors<T>(_ body: () throws -> T) throws -> T {
        do {
            return try body()
        } catch let error as KubeDocumentError {
            throw CLIFailure(message: error.description, status: .badInput)
        }
    }

    /// kubectl decodes each document into an object first: text, a number or a list (an HTML
    /// error page read as YAML is one string) fails there, in these words.
    private func objects(_ documents: [JSONValue]) throws -> [JSONValue] {
        for document in documents where document.objectValue == nil {
            let goType: String
            switch document {
            case .string: goType = "string"
            case .array: goType = "array"
            case .bool: goType = "bool"
            default: goType = "number"
            }
            throw CLIFailure(
                message: "unable to decode \"\(file)\": json: cannot unmarshal \(goType) into Go value of type unstructured.detector",
                status: .badInput)
        }
        return documents
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
