import Foundation
import LabSpec

/// `klab lab record`: what a set of checks reads from a cluster, written as a snapshot folder
/// that can become a lab's fixture.
///
/// The checks are evaluated once (no waiting) by the same `CheckEvaluator` and `ClusterReader`
/// that `klab verify` uses, so the folder holds exactly what they read: the same kinds in the
/// same scopes, the same exec, http and command calls (and `canI` questions), trimmed of noise
/// and with Secret values replaced by their digests, as evidence is. Evaluating the checks on
/// the folder gives the verdict they gave on the cluster.
public struct SnapshotRecording {
    /// The folder's files (`Evidence`'s layout, Secrets redacted).
    public var evidence: Evidence
    /// How the checks fared on the cluster when it was recorded.
    public var results: [CheckResult]
    /// The captures the recording was given, written as the folder's `captures.env`.
    public var captures: [String: String]

    public var passed: Bool { results.allSatisfy { $0.status != .failed } }

    /// Evaluates `checks` once against `cluster` and keeps what they read.
    public init(checks: [Check], cluster: Cluster, labNamespace: String, captures: [String: String] = [:]) throws {
        let reader = ClusterReader(cluster: cluster, labNamespace: labNamespace)
        let evaluator = CheckEvaluator(reader: reader, options: .init(kubeOnly: false, honourWait: false))
        results = try evaluator.evaluate(checks, captures: captures)
        evidence = reader.evidence.redactingSecrets()
        self.captures = captures
    }

    /// The files as written: the evidence, and `captures.env` (one `name=value` a line, what
    /// `klab lab test --capture` takes) when there are captures.
    public var files: [String: Data] {
        var files = evidence.files
        if !captures.isEmpty {
            files["captures.env"] = Data(captures.keys.sorted().map { "\($0)=\(captures[$0]!)\n" }.joined().utf8)
        }
        return files
    }

    /// Writes the folder. A folder that exists and is not empty is refused
    /// (`ClusterError.recordingFolderNotEmpty`) unless `replacing`, which empties it first, so
    /// that no file of an older state stays behind.
    public func write(to directory: String, replacing: Bool = false) throws {
        let manager = FileManager.default
        var isDirectory: ObjCBool = false
        if manager.fileExists(atPath: directory, isDirectory: &isDirectory) {
            guard isDirectory.boolValue else { throw ClusterError.recordingFolderNotEmpty(directory: directory, isFile: true) }
            let entries = (try? manager.contentsOfDirectory(atPath: directory)) ?? []
            if !entries.isEmpty {
                guard replacing else { throw ClusterError.recordingFolderNotEmpty(directory: directory, isFile: false) }
                for entry in entries {
                    do {
                        try manager.removeItem(atPath: (directory as NSString).appendingPathComponent(entry))
                    } catch {
                        throw ClusterError.cannotWriteEvidence(path: directory, reason: error.localizedDescription)
                    }
                }
            }
        }
        do {
            try manager.createDirectory(atPath: directory, withIntermediateDirectories: true)
        } catch {
            throw ClusterError.cannotWriteEvidence(path: directory, reason: error.localizedDescription)
        }
        try Evidence(files: files).write(to: directory)
    }
}
