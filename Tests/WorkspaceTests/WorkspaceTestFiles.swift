import Foundation
@testable import Workspace

/// What the tests of reset, undo and restore share: a workspace with the `probes` lab started
/// (two steps, two files), the learner's file edits in its folder, and the steps klab counts
/// as passed.
protocol WorkspaceTestFiles {}

extension WorkspaceTestFiles {
    var order: [String: [String]] { ["probes": ["liveness", "readiness"]] }
    var materials: [String: Data] { ["app.yaml": Data("kind: Pod\n".utf8), "steps/01-liveness.md": Data("# Liveness\n".utf8)] }

    func settings(_ lab: String = "probes") -> LabSettings {
        LabSettings(lab: lab, namespace: "default", parameters: [:], labDigest: "sha256:abc")
    }

    /// A new workspace in `root` for learner ada, with `probes` started at its first step.
    func started(_ root: URL) throws -> LearnerWorkspace {
        let workspace = try LearnerWorkspace.openOrCreate(at: root, learner: "ada", labsDirectory: "/labs")
        _ = try workspace.start(labID: "probes", firstStep: "liveness", settings: settings(), files: materials)
        return workspace
    }

    /// Writes `text` at `path` under `root`, making its folders.
    func write(_ text: String, _ path: String, in root: URL) throws {
        let url = root.appendingPathComponent(path)
        try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        try Data(text.utf8).write(to: url)
    }

    /// The text at `path` under `root`, nil when there is no such file.
    func read(_ path: String, in root: URL) -> String? {
        FileManager.default.contents(atPath: root.appendingPathComponent(path).path).map { String(decoding: $0, as: UTF8.self) }
    }

    /// The steps of `probes` klab counts as passed.
    func passed(_ workspace: LearnerWorkspace) throws -> [String] {
        try workspace.progress(stepOrder: order)["probes"]?.passed.map(\.step) ?? []
    }
}
