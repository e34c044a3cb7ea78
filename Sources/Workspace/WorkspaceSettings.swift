import Foundation
import KubeJSON
import LabGit
import LabSpec

/// `.klab/workspace.json`: who the workspace belongs to and where its labs came from.
public struct WorkspaceSettings: Codable, Equatable, Sendable {
    public var format: Int
    public var learner: String
    /// The labs folder the workspace was started from (informational: graders use their own).
    public var labsDirectory: String

    public init(format: Int = 1, learner: String, labsDirectory: String) {
        self.format = format
        self.learner = learner
        self.labsDirectory = labsDirectory
    }
}

/// `.klab/labs/<lab>.json`: how one lab was started for this learner.
public struct LabSettings: Codable, Equatable, Sendable {
    public var lab: String
    public var namespace: String
    public var parameters: [String: String]
    /// Digest of the lab package the learner started from (`sha256:...`).
    public var labDigest: String

    public init(lab: String, namespace: String, parameters: [String: String], labDigest: String) {
        self.lab = lab
        self.namespace = namespace
        self.parameters = parameters
        self.labDigest = labDigest
    }
}

enum SettingsFile {
    static func read<T: Decodable>(_ type: T.Type, at url: URL) throws -> T {
        let data: Data
        do {
            data = try InputFile.read(url.path, limit: InputLimits.labFileBytes)
        } catch let failure as InputFile.Failure {
            throw WorkspaceError.settings(path: url.path, reason: "it \(failure.reason)")
        }
        do {
            return try JSONDecoder().decode(type, from: data)
        } catch {
            throw WorkspaceError.settings(path: url.path, reason: "it is not valid klab settings JSON")
        }
    }

    /// Writes through a temporary file and a rename, so a kill never leaves half a file.
    static func write<T: Encodable>(_ value: T, to url: URL, scratch: URL) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        try atomicWrite(try encoder.encode(value) + Data("\n".utf8), to: url, scratch: scratch)
    }
}

/// Writes a file through a temporary file in `scratch` (inside `.git`, on the same file
/// system, where a kill can leave nothing the learner sees or klab would commit) and a rename,
/// which is atomic on POSIX file systems.
func atomicWrite(_ data: Data, to url: URL, scratch: URL) throws {
    try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
    try FileManager.default.createDirectory(at: scratch, withIntermediateDirectories: true)
    let temporary = scratch.appendingPathComponent(UUID().uuidString)
    try data.write(to: temporary)
    if rename(temporary.path, url.path) != 0 {
        throw CocoaError(.fileWriteUnknown, userInfo: [NSFilePathErrorKey: url.path])
    }
    CrashPoint.fileWritten.reached(url.lastPathComponent)
}
