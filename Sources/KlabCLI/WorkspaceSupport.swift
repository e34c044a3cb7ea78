import ArgumentParser
import Checks
import Foundation
import KubeJSON
import LabSpec
import Workspace

/// What the workspace commands share: finding and opening the workspace, loading the lab a
/// command is about with the parameters it was started with.
struct WorkspaceContext {
    let workspace: LearnerWorkspace
    let loader: LabLoader

    static func workspaceURL(_ global: GlobalOptions) -> URL {
        LearnerWorkspace.locate(
            explicit: global.workspace,
            currentDirectory: URL(fileURLWithPath: FileManager.default.currentDirectoryPath),
            environment: ProcessInfo.processInfo.environment)
    }

    static func open(
        _ global: GlobalOptions, labs: LabsOptions, lockMode: LearnerWorkspace.LockMode = .whileOpen
    ) throws -> WorkspaceContext {
        let workspace = try LearnerWorkspace.open(at: workspaceURL(global), lockMode: lockMode)
        return WorkspaceContext(workspace: workspace, loader: try labs.loader())
    }

    /// The lab named, or the one the learner touched last.
    func labID(_ explicit: String?) throws -> String {
        if let explicit {
            guard try workspace.startedLabs().contains(explicit) else { throw WorkspaceError.labNotStarted(lab: explicit) }
            return explicit
        }
        guard let current = try workspace.currentLab() else { throw WorkspaceError.noLabStarted }
        return current
    }

    /// The lab as this learner started it, parameters resolved into its checks by
    /// `LabInvocation` (a `-n` other than the lab's namespace is refused; nil: none given).
    func startedLab(_ id: String, namespace: String?) throws -> StartedLab {
        guard let settings = try workspace.labSettings(id) else { throw WorkspaceError.labNotStarted(lab: id) }
        guard loader.labIDs().contains(id) else {
            // Started from another labs folder, or the lab was removed since.
            let started = workspace.settings.labsDirectory
            let from = started == loader.labsDirectory.path ? "" : " (it was started from \(started))"
            throw CLIFailure(
                message: "lab \(id) is in this workspace's history but not in the labs folder \(LabCatalog.displayPath(loader.labsDirectory.path))\(from); "
                    + "pass --labs DIR or set KLAB_LABS to a labs folder that has it",
                status: .badInput)
        }
        let invocation = LabInvocation(
            namespace: namespace, started: settings, workspaceLearner: workspace.settings.learner,
            environment: ProcessInfo.processInfo.environment)
        let (lab, parameters) = try invocation.resolve(try loader.load(id))
        return StartedLab(lab: lab, settings: settings, parameters: parameters)
    }

    func progress(of lab: Lab) throws -> LabProgress {
        guard let progress = try workspace.progress(stepOrder: [lab.id: lab.steps.map(\.id)])[lab.id] else {
            throw WorkspaceError.labNotStarted(lab: lab.id)
        }
        return progress
    }

    /// Manifests in a lab's folder holding a plaintext Secret, which klab leaves out of git.
    func uncommittedSecrets(_ lab: String) -> [String] {
        PlaintextSecrets.find(under: [lab], root: workspace.root)
    }

    /// The prose of a step as written in the workspace at start.
    func prose(_ guide: StepGuide) -> String? {
        try? String(contentsOf: workspace.root.appendingPathComponent(guide.proseFile), encoding: .utf8)
    }
}

/// A started lab as a command works on it.
struct StartedLab {
    /// Parameters resolved into its checks and commands.
    var lab: Lab
    /// How it was started.
    var settings: LabSettings
    /// Every parameter's value for this run.
    var parameters: LabRunParameters
}

/// Tells the learner which manifests klab did not commit, and why; empty when there are none.
/// After a reset they are also neither in the backup nor put back: they stay as they were.
func secretsNotice(_ paths: [String], reset: Bool = false) -> String {
    guard !paths.isEmpty else { return "" }
    let what = reset ? "are left as they were, out of git and out of the backup, on purpose" : "are left out of git on purpose"
    return "\nThese manifests hold a Secret in plain text and \(what) "
        + "(base64 is not encryption, and git history keeps everything):\n"
        + paths.map { "  \($0)\n" }.joined()
}

/// The class key that signs progress, from `--key-file` or `KLAB_CLASS_KEY`.
func classKey(file: String?) throws -> Data? {
    if let file {
        guard let data = try? InputFile.read(file, limit: InputLimits.labFileBytes) else {
            throw CLIFailure(message: "cannot read the class key file \(file); check the path (a regular file)", status: .badInput)
        }
        return data.trimmingTrailingNewlines()
    }
    if let text = ProcessInfo.processInfo.environment["KLAB_CLASS_KEY"], !text.isEmpty { return Data(text.utf8) }
    return nil
}

extension Data {
    func trimmingTrailingNewlines() -> Data {
        var copy = self
        while let last = copy.last, last == 0x0A || last == 0x0D { copy.removeLast() }
        return copy
    }
}
