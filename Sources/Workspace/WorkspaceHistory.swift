import Checks
import Foundation
import KubeCore
import KubeJSON
import LabGit
import LabSpec

/// A learner's workspace as `workspace` checks read it (`WorkspaceReading`): what it will hold
/// once the step being verified is recorded, every file its history ever held, and every
/// commit that holds a Secret manifest in plain text. klab itself never commits one (it
/// leaves them out and says so), but a learner's own `git commit` can, and a git history is
/// forever: the sealed-secrets chapter checks that it never happened.
///
/// The facts (format in `content/reference/lab-format.md`, "The learner's workspace"):
/// `{commits, files: [{path, kinds}], history: [{path, commit}], plaintextSecrets: [{path, commit}], uncommittedSecrets: [path]}`,
/// paths relative to the workspace's top, `.klab/` left out, commits as 12 hex digits.
public final class WorkspaceHistory: WorkspaceReading {
    public let workspace: LearnerWorkspace
    /// The lab whose folder this verify will commit: its working files count as committed.
    public let lab: String
    private var blobSecrets: [ObjectID: Bool] = [:]

    public init(workspace: LearnerWorkspace, lab: String) {
        self.workspace = workspace
        self.lab = lab
    }

    public func facts(_ request: WorkspaceRequest) throws -> JSONValue {
        let repository = workspace.repository
        let within = { (path: String) in Self.isInside(path, request.path) && !Self.isKlabs(path) }
        var commits: [ObjectID] = []
        if let head = try repository.headCommitID() { commits = try repository.history(from: head) }

        // Oldest first, so each path and secret is named with the first commit that held it.
        var history: [(path: String, commit: String)] = []
        var seenPaths = Set<String>()
        var secrets: [(path: String, commit: String)] = []
        var seenSecrets = Set<String>()
        for id in commits.reversed() {
            for entry in try repository.treeEntries(of: id) where entry.mode.isBlob && within(entry.path) {
                let commit = String(id.hex.prefix(12))
                if seenPaths.insert(entry.path).inserted { history.append((entry.path, commit)) }
                guard Self.isManifest(entry.path), try isPlaintextSecret(entry) else { continue }
                if seenSecrets.insert(entry.path + "\u{0}" + entry.id.hex).inserted { secrets.append((entry.path, commit)) }
            }
        }

        // What the workspace holds once this step is recorded: the lab's folder as it is on
        // disk (klab commits it, leaving plaintext Secrets out), everything else as committed.
        let uncommitted = PlaintextSecrets.find(under: [request.path ?? ""], root: workspace.root).filter(within)
        var files: [String: Data] = [:]
        if let head = commits.first {
            for entry in try repository.treeEntries(of: head) where entry.mode.isBlob && within(entry.path) && !Self.isInside(entry.path, lab) {
                files[entry.path] = try repository.blob(entry.id)
            }
        }
        for path in workingFiles(under: lab) where within(path) && !uncommitted.contains(path) {
            files[path] = FileManager.default.contents(atPath: workspace.root.appendingPathComponent(path).path)
        }
        let fileFacts: [JSONValue] = files.keys.sorted().map { path in
            let kinds = Self.isManifest(path) ? Self.kinds(files[path] ?? Data(), source: path) : []
            return .object(JSONObject([("path", .string(path)), ("kinds", .array(kinds.map(JSONValue.string)))]))
        }
        func pairs(_ list: [(path: String, commit: String)]) -> JSONValue {
            .array(list.map { .object(JSONObject([("path", .string($0.path)), ("commit", .string($0.commit))])) })
        }
        return .object(JSONObject([
            ("commits", .int(Int64(commits.count))),
            ("files", .array(fileFacts)),
            ("history", pairs(history)),
            ("plaintextSecrets", pairs(secrets)),
            ("uncommittedSecrets", .array(uncommitted.map(JSONValue.string))),
        ]))
    }

    // MARK: -

    private func isPlaintextSecret(_ entry: TreeEntry) throws -> Bool {
        if let known = blobSecrets[entry.id] { return known }
        let found = PlaintextSecrets.contains(try workspace.repository.blob(entry.id), source: entry.path)
        blobSecrets[entry.id] = found
        return found
    }

    /// Regular files under a folder of the working tree, relative to the top, hidden ones left out.
    private func workingFiles(under folder: String) -> [String] {
        let base = workspace.root.appendingPathComponent(folder)
        guard let walker = FileManager.default.enumerator(at: base, includingPropertiesForKeys: [.isRegularFileKey],
                                                          options: [.skipsHiddenFiles]) else { return [] }
        var found: [String] = []
        let top = workspace.root.standardizedFileURL.path
        for case let url as URL in walker where (try? url.resourceValues(forKeys: [.isRegularFileKey]).isRegularFile) == true {
            found.append(String(url.standardizedFileURL.path.dropFirst(top.count + 1)))
        }
        return found.sorted()
    }

    static func isInside(_ path: String, _ folder: String?) -> Bool {
        guard let folder, !folder.isEmpty else { return true }
        return path == folder || path.hasPrefix(folder + "/")
    }

    static func isKlabs(_ path: String) -> Bool { path == ".klab" || path.hasPrefix(".klab/") }

    static func isManifest(_ path: String) -> Bool {
        ["yaml", "yml", "json"].contains((path as NSString).pathExtension.lowercased())
    }

    /// The kinds of a manifest's documents (and of a list's items), in order; none when it
    /// does not parse.
    static func kinds(_ data: Data, source: String) -> [String] {
        guard let documents = try? KubeDocuments.parse(data, source: source) else { return [] }
        return documents.flatMap { document -> [String] in
            if let items = document["items"]?.arrayValue { return items.compactMap { $0["kind"]?.stringValue } }
            return document["kind"]?.stringValue.map { [$0] } ?? []
        }
    }
}
