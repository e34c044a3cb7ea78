import Foundation
import KubeCore
import KubeJSON
import Yams

/// Reads lab packages from a labs folder (`labs/<id>/lab.yaml`) and their prose folder
/// (`content/<id>/`).
///
/// A load reports every problem it finds at once, as `LabSpecError.problems`, each with
/// `file:line:column`.
public struct LabLoader: Sendable {
    /// The folder holding one folder per lab.
    public var labsDirectory: URL
    /// The folder holding one prose folder per lab (by default `content/` beside `labs/`).
    public var contentDirectory: URL

    public init(labsDirectory: URL, contentDirectory: URL? = nil) {
        self.labsDirectory = labsDirectory.standardizedFileURL
        self.contentDirectory = (contentDirectory
            ?? labsDirectory.standardizedFileURL.deletingLastPathComponent().appendingPathComponent("content"))
            .standardizedFileURL
    }

    /// The ids of the labs in the folder (its sub-folders holding a `lab.yaml`), sorted.
    public func labIDs() -> [String] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: labsDirectory.path)) ?? []
        return names.filter { name in
            FileManager.default.fileExists(atPath: labsDirectory.appendingPathComponent(name).appendingPathComponent("lab.yaml").path)
        }.sorted()
    }

    /// The lab with this id; throws `LabSpecError.labNotFound` or `.problems`.
    public func load(_ id: String) throws -> Lab {
        let decoded = try decode(id)
        if !decoded.problems.isEmpty { throw LabSpecError.problems(decoded.problems) }
        guard let lab = decoded.lab else { throw LabSpecError.problems(decoded.problems) }
        return lab
    }

    /// Every lab in the folder, or every problem of every lab that has one.
    public func loadAll() throws -> [Lab] {
        var labs: [Lab] = []
        var problems: [LabSpecError] = []
        for id in labIDs() {
            do { labs.append(try load(id)) } catch let error as LabSpecError { problems += error.all }
        }
        if !problems.isEmpty { throw LabSpecError.problems(problems) }
        return labs
    }

    /// The lab file of a lab id.
    public func labFile(_ id: String) -> URL {
        labsDirectory.appendingPathComponent(id).appendingPathComponent("lab.yaml")
    }

    /// What the linter builds on: the lab as far as it could be read, the problems met, and
    /// what the file refers to, in order.
    struct Decoded {
        var lab: Lab?
        var problems: [LabSpecError]
        var references: [LabReference]
        var file: String
    }

    func decode(_ id: String) throws -> Decoded {
        // An id names a folder: `../x` or `/etc` must not reach outside the labs folder.
        if let problem = LabScaffold.idProblem(id) { throw LabSpecError.invalidLabID(id, reason: problem) }
        let file = labFile(id)
        guard FileManager.default.fileExists(atPath: file.path) else {
            throw LabSpecError.labNotFound(id, labsDirectory: labsDirectory.path, known: labIDs())
        }
        let directory = labsDirectory.appendingPathComponent(id)
        return Self.decode(
            file: file, directory: directory, contentDirectory: contentDirectory.appendingPathComponent(id))
    }

    static func decode(file: URL, directory: URL, contentDirectory: URL) -> Decoded {
        let path = LabCatalog.displayPath(file.path)
        let start = SourceLocation(file: path, line: 1, column: 1)
        let data: Data
        do {
            data = try InputFile.read(file.path, limit: InputLimits.labFileBytes)
        } catch let failure as InputFile.Failure {
            return Decoded(lab: nil, problems: [.unreadableFile(path, what: "lab file", reason: failure.reason, at: start)], references: [], file: path)
        } catch {
            return Decoded(lab: nil, problems: [.missingFile(path, what: "lab file", at: start)], references: [], file: path)
        }
        guard let text = String(data: data, encoding: .utf8) else {
            return Decoded(lab: nil, problems: [.unreadableFile(path, what: "lab file", reason: "is not UTF-8 text", at: start)], references: [], file: path)
        }
        if let violation = YAMLBounds.check(text) {
            return Decoded(lab: nil, problems: [.yamlBounds(violation.message, at: SourceLocation(file: path, line: violation.line, column: violation.column))], references: [], file: path)
        }
        let root: Node
        do {
            guard let node = try Yams.compose(yaml: text) else {
                return Decoded(lab: nil, problems: [.missingKey("id", in: "the lab (the file is empty)", at: start)], references: [], file: path)
            }
            root = node
        } catch {
            return Decoded(lab: nil, problems: [YAMLErrors.problem(error, file: path)], references: [], file: path)
        }
        let decoder = LabDecoder(file: path)
        let lab = decoder.lab(root, directory: directory, contentDirectory: contentDirectory)
        return Decoded(lab: lab, problems: decoder.reader.problems, references: decoder.references, file: path)
    }
}

/// Yams' parse errors as lab problems with a location.
enum YAMLErrors {
    static func problem(_ error: Error, file: String) -> LabSpecError {
        guard let yamlError = error as? YamlError else {
            return .yamlSyntax(String(describing: error), at: SourceLocation(file: file, line: 1, column: 1))
        }
        switch yamlError {
        case let .scanner(context, problem, mark, _), let .parser(context, problem, mark, _),
             let .composer(context, problem, mark, _):
            let text = context.map { "\(problem) (\($0.text) at line \($0.mark.line))" } ?? problem
            return .yamlSyntax(text, at: SourceLocation(file: file, line: mark.line, column: mark.column))
        case let .duplicatedKeysInMapping(duplicates, context):
            return .yamlSyntax(
                "duplicate keys \(duplicates.joined(separator: ", "))",
                at: SourceLocation(file: file, line: context.mark.line, column: context.mark.column))
        case let .reader(problem, _, _, _):
            return .yamlSyntax(problem, at: SourceLocation(file: file, line: 1, column: 1))
        default:
            return .yamlSyntax(yamlError.description, at: SourceLocation(file: file, line: 1, column: 1))
        }
    }
}
