import Foundation
import KubeCore
import KubeJSON
import LabSpec

/// A cluster read from a snapshot directory: production code, not a mock. Learners' evidence,
/// offline grading and the tests all run on it.
///
/// Layout (the snapshot format of content/reference/lab-format.md):
/// - every `*.json`, `*.yaml` and `*.yml` file under the directory, in sub-folders too, holds
///   what `kubectl get ... -o json|yaml` printed: one object, a `kind: List`, or a typed list;
///   other files and hidden entries (`.name`) are ignored;
/// - `outputs/*.json` at the top records exec, http and command calls (`RecordedOutput`);
/// - an object listed in several files counts once: the file last in path order wins.
///
/// Kinds are matched as `KindReference.matches` says: by kind, plural or short name for the
/// built-in kinds, case-insensitively. Everything is read when the cluster is made, so a broken
/// file is reported at once, naming the file (with line and column where known).
public final class SnapshotCluster: Cluster {
    public let directory: String
    /// Every object in the snapshot, ordered by namespace, kind and name.
    public private(set) var allObjects: [JSONValue] = []
    public private(set) var recordedOutputs: [RecordedOutput] = []

    public convenience init(directory: String) throws {
        try self.init(directory: directory, digesting: true)
    }

    /// `digesting: false` leaves `contentDigest` nil: for a reader that wants only the objects
    /// (the grader's index of the fixtures' UIDs), which spares hashing every file.
    public init(directory: String, digesting: Bool) throws {
        self.directory = directory
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: directory, isDirectory: &isDirectory), isDirectory.boolValue else {
            throw ClusterError.snapshotNotFound(directory: directory)
        }
        let files = try Self.objectFiles(in: directory).map { ($0, try Self.read($0)) }
        let outputs = try Self.outputFiles(in: directory)
        try load(objectFiles: files, outputFiles: outputs)
        if digesting {
            contentDigest = ContentDigest.of((files + outputs).map { (String($0.0.dropFirst(directory.count)), $0.1) })
        }
    }

    /// `sha256:<hex>` over the snapshot's files (relative path and bytes), so evidence can say
    /// which snapshot it was verified against; nil for one built from evidence (or read
    /// without `digesting`).
    public private(set) var contentDigest: String?

    /// Builds a snapshot from evidence in memory (what `ClusterReader.evidence` collected), by
    /// the same rules as a folder, without touching the disk: paths in messages are the
    /// evidence's relative paths under `name`.
    public init(evidence: Evidence, name: String = "evidence") throws {
        directory = name
        var objectFiles: [(String, Data)] = []
        var outputFiles: [(String, Data)] = []
        for path in evidence.paths {
            let parts = path.split(separator: "/")
            guard !parts.contains(where: { $0.hasPrefix(".") }) else { continue }
            if parts.first == Substring(Self.outputsFolder) {
                if parts.count == 2 && path.hasSuffix(".json") { outputFiles.append((name + "/" + path, evidence.files[path]!)) }
            } else if path.hasSuffix(".json") || path.hasSuffix(".yaml") || path.hasSuffix(".yml") {
                objectFiles.append((name + "/" + path, evidence.files[path]!))
            }
        }
        try load(objectFiles: objectFiles, outputFiles: outputFiles)
    }

    private func load(objectFiles: [(String, Data)], outputFiles: [(String, Data)]) throws {
        var byIdentity: [String: JSONValue] = [:]
        for (path, data) in objectFiles {
            for object in try SnapshotDocuments.objects(in: data, path: path) {
                byIdentity[Self.identity(of: object)] = object
            }
        }
        allObjects = byIdentity.sorted { $0.key < $1.key }.map(\.value)
        recordedOutputs = try outputFiles.map { try Self.output(from: $0.1, path: $0.0) }
    }

    public func objects(of kind: KindReference, namespace: String?) throws -> [JSONValue] {
        allObjects.filter { object in
            guard let apiVersion = object["apiVersion"]?.stringValue, let objectKind = object["kind"]?.stringValue,
                  kind.matches(apiVersion: apiVersion, kind: objectKind)
            else { return false }
            guard let namespace else { return true }
            return object["metadata"]?["namespace"]?.stringValue == namespace
        }
    }

    /// Known kinds follow the table; for others, the snapshot's objects tell: if every object
    /// of the kind lacks a namespace, the kind is cluster-scoped.
    public func isClusterScoped(_ kind: KindReference) -> Bool? {
        if let info = kind.info { return !info.namespaced }
        let found = (try? objects(of: kind, namespace: nil)) ?? []
        guard !found.isEmpty else { return nil }
        return found.allSatisfy { ($0["metadata"]?["namespace"]?.stringValue ?? "").isEmpty }
    }

    public func exec(namespace: String, pod: String, container: String?, command: [String]) throws -> CommandOutput {
        var fallback: CommandOutput?
        for case .exec(let ns, let p, let c, let cmd, let result) in recordedOutputs.reversed()
        where ns == namespace && p == pod && cmd == command {
            // A request for the default container takes any recording; a named one wants its own
            // (or one recorded without a container name).
            if c == container { return result }
            if container == nil || c == nil { fallback = fallback ?? result }
        }
        if let fallback { return fallback }
        throw ClusterError.outputNotRecorded(
            call: RecordedOutput.execCall(namespace: namespace, pod: pod, container: container, command: command),
            directory: directory)
    }

    public func http(_ request: HTTPRequest) throws -> HTTPOutput {
        for case .http(let u, let result) in recordedOutputs.reversed() where u == request.url { return result }
        throw ClusterError.outputNotRecorded(call: RecordedOutput.httpCall(url: request.url), directory: directory)
    }

    public func command(_ arguments: [String]) throws -> CommandOutput {
        for case .command(let a, let result) in recordedOutputs.reversed() where a == arguments { return result }
        throw ClusterError.outputNotRecorded(call: RecordedOutput.commandCall(arguments), directory: directory)
    }

    public func probe(_ call: ProbeCall, timeout: Double) throws -> ProbeOutput {
        for case .probe(let recorded, let result) in recordedOutputs.reversed() where recorded.matches(call) { return result }
        throw ClusterError.outputNotRecorded(call: call.description, directory: directory)
    }

    public func workspace(_ request: WorkspaceRequest) throws -> JSONValue? {
        for case .workspace(let path, let result) in recordedOutputs.reversed() where path == request.path { return result }
        throw ClusterError.outputNotRecorded(call: RecordedOutput.workspaceCall(request.path), directory: directory)
    }

    // MARK: - Files

    static let outputsFolder = "outputs"

    /// The snapshot's object files in path order. Symbolic links are followed only to files
    /// inside the snapshot (a learner's evidence must not pull in `/etc/passwd` or another
    /// learner's files), never to folders (a link to `..` would loop).
    private static func objectFiles(in directory: String) throws -> [String] {
        let top = directory.hasSuffix("/") && directory.count > 1 ? String(directory.dropLast()) : directory
        let root = URL(fileURLWithPath: top).resolvingSymlinksInPath().path
        var files: [String] = []
        func walk(_ folder: String, isTop: Bool) throws {
            let names: [String]
            do {
                names = try FileManager.default.contentsOfDirectory(atPath: folder)
            } catch {
                throw ClusterError.invalidSnapshotFile(path: folder, line: nil, column: nil, reason: "cannot list the folder")
            }
            for name in names.sorted() where !name.hasPrefix(".") {
                if isTop && name == outputsFolder { continue }
                let path = folder + "/" + name
                let wanted = name.hasSuffix(".json") || name.hasSuffix(".yaml") || name.hasSuffix(".yml")
                var info = stat()
                guard lstat(path, &info) == 0 else { continue }
                if info.st_mode & S_IFMT == S_IFLNK {
                    try checkLink(path, root: root)
                    if wanted { files.append(path) }
                } else if info.st_mode & S_IFMT == S_IFDIR {
                    try walk(path, isTop: false)
                } else if wanted {
                    files.append(path)
                }
            }
        }
        try walk(top, isTop: true)
        return files
    }

    /// A link inside a snapshot must point at a file inside it.
    private static func checkLink(_ path: String, root: String) throws {
        let target = URL(fileURLWithPath: path).resolvingSymlinksInPath().path
        guard target == root || target.hasPrefix(root.hasSuffix("/") ? root : root + "/") else {
            throw ClusterError.invalidSnapshotFile(
                path: path, line: nil, column: nil,
                reason: "is a symbolic link to \(target), outside the snapshot; copy the file into the snapshot instead")
        }
        var isDirectory: ObjCBool = false
        if FileManager.default.fileExists(atPath: target, isDirectory: &isDirectory), isDirectory.boolValue {
            throw ClusterError.invalidSnapshotFile(
                path: path, line: nil, column: nil, reason: "is a symbolic link to a folder; klab does not follow those (they can loop)")
        }
    }

    private static func outputFiles(in directory: String) throws -> [(String, Data)] {
        let folder = directory + "/" + outputsFolder
        let root = URL(fileURLWithPath: directory).resolvingSymlinksInPath().path
        var folderInfo = stat()
        if lstat(folder, &folderInfo) == 0, folderInfo.st_mode & S_IFMT == S_IFLNK { try checkLink(folder, root: root) }
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: folder) else { return [] }
        return try names.sorted().filter { $0.hasSuffix(".json") && !$0.hasPrefix(".") }.map { name in
            let path = folder + "/" + name
            var info = stat()
            if lstat(path, &info) == 0, info.st_mode & S_IFMT == S_IFLNK { try checkLink(path, root: root) }
            return (path, try read(path))
        }
    }

    private static func output(from data: Data, path: String) throws -> RecordedOutput {
        let value: JSONValue
        do {
            value = try JSONParser.parse(bytes: data)
        } catch let error as JSONParseError {
            throw ClusterError.invalidSnapshotFile(path: path, line: error.line, column: error.column, reason: error.message)
        }
        switch RecordedOutput.parse(value) {
        case .success(let output): return output
        case .failure(let error):
            throw ClusterError.invalidSnapshotFile(path: path, line: nil, column: nil, reason: "not a recorded output: \(error.reason)")
        }
    }

    private static func read(_ path: String) throws -> Data {
        do {
            return try InputFile.read(path, limit: InputLimits.snapshotFileBytes)
        } catch let failure as InputFile.Failure {
            throw ClusterError.invalidSnapshotFile(path: path, line: nil, column: nil, reason: "the file \(failure.reason)")
        }
    }

    /// group/kind namespace/name; also the sort key, so objects come out in a stable order.
    static func identity(of object: JSONValue) -> String {
        let reference = KindReference(kind: object["kind"]?.stringValue ?? "", apiVersion: object["apiVersion"]?.stringValue)
        let namespace = object["metadata"]?["namespace"]?.stringValue ?? ""
        let name = object["metadata"]?["name"]?.stringValue ?? ""
        return "\(namespace)\u{0}\(reference.group ?? "")\u{0}\(reference.kind)\u{0}\(name)"
    }
}
