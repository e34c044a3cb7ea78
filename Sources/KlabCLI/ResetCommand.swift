import ArgumentParser
import Checks
import Foundation
import KubeCore
import KubeJSON
import LabSpec
import Workspace

struct ResetCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "reset",
        abstract: "Put a lab's files back as they were at the start of a step; nothing is lost.",
        discussion: """
        Before anything is overwritten, everything you have (committed, changed and new files) \
        is saved under a backup ref, named in the output; `klab reset --undo` brings it back. \
        --undo saves what you have first too, so a second --undo returns to where you were. \
        --list shows every backup and how it differs from your folder; --restore N brings the \
        lab's files of backup N back (saving what you have first; progress stays as it is). \
        --cluster also deletes what the lab created in the cluster: only objects labelled with \
        the lab and your learner id, in the lab's namespace, after showing the plan.

        Examples:
          klab reset                    back to the start of the current step
          klab reset --step liveness    back to the start of step liveness
          klab reset --lab --cluster    the whole lab, and its objects in the cluster
          klab reset --undo             bring back what the last reset saved
          klab reset --list             every backup, and which files differ from yours
          klab reset --restore 2        the lab's files as backup 2 holds them
        """
    )

    @OptionGroup var global: GlobalOptions
    @OptionGroup var labsOptions: LabsOptions

    @Argument(help: "The lab (default: the one you worked on last).")
    var labID: String?

    @Option(help: "Go back to the start of this step (default: the current step).")
    var step: String?

    @Flag(name: .customLong("lab"), help: "Go back to the start of the whole lab.")
    var wholeLab = false

    @Flag(help: "Undo the last reset (or restart, restore, or undo): save what you have, bring back what it saved.")
    var undo = false

    @Flag(help: "List every backup: when, what made it, which files differ from your folder.")
    var list = false

    @Option(name: .customLong("restore"), help: ArgumentHelp(
        "Bring back the lab's files as backup N holds them (N or refs/klab/backups/N, from --list).", valueName: "N"))
    var restoreBackup: String?

    @Flag(help: "Also delete what the lab created in the cluster (shown first, asks before deleting).")
    var cluster = false

    @Flag(name: .shortAndLong, help: "Delete without asking (with --cluster).")
    var yes = false

    func validate() throws {
        if list && (undo || step != nil || wholeLab || cluster || labID != nil) {
            throw ValidationError("--list cannot be combined with a lab, --undo, --step, --lab or --cluster")
        }
        if undo && (step != nil || wholeLab || cluster) {
            throw ValidationError("--undo cannot be combined with --step, --lab or --cluster")
        }
        if let restoreBackup {
            if list || undo || step != nil || wholeLab || cluster {
                throw ValidationError("--restore cannot be combined with --list, --undo, --step, --lab or --cluster")
            }
            if Self.backupNumber(restoreBackup) == nil {
                throw ValidationError("--restore takes a backup number such as 2 (or refs/klab/backups/2), not '\(restoreBackup)'; `klab reset --list` shows them")
            }
        }
        if step != nil && wholeLab { throw ValidationError("--step and --lab cannot be used together") }
    }

    func run() throws {
        if list {
            let workspace = try LearnerWorkspace.open(at: WorkspaceContext.workspaceURL(global))
            let backups = try workspace.backups()
            switch global.output {
            case .json: try writeJSON(BackupListReport.Output(backups))
            case .text: writeStdout(BackupListReport.text(backups, workspace: LabCatalog.displayPath(workspace.root.path)))
            }
            return
        }
        let context = try WorkspaceContext.open(global, labs: labsOptions)
        if undo {
            if let labID, try !context.workspace.startedLabs().contains(labID) { throw WorkspaceError.labNotStarted(lab: labID) }
            let outcome = try context.workspace.undo(lab: labID)
            try emit(UndoOutput(lab: outcome.lab, undid: outcome.undid, restored: outcome.restoredRef, backup: outcome.backupRef, commit: outcome.commit),
                 text: """
                 Undid the \(outcome.undid): the lab's files and progress are as they were before it (brought back from \(outcome.restoredRef)).
                 What you had just now is saved in \(outcome.backupRef); `klab reset --undo` again brings it back.

                 """)
            return
        }
        if let restoreBackup, let number = Self.backupNumber(restoreBackup) {
            let outcome = try context.workspace.restore(backup: number, lab: try context.labID(labID))
            try emit(RestoreOutput(lab: outcome.lab, restored: outcome.restoredRef, backup: outcome.backupRef, commit: outcome.commit),
                 text: """
                 Brought back the files of \(outcome.lab) from \(outcome.restoredRef); your progress is unchanged.
                 What you had just now is saved in \(outcome.backupRef); `klab reset --undo` brings it back.

                 """)
            return
        }
        let started = try context.startedLab(try context.labID(labID), namespace: global.namespace)
        let lab = started.lab
        let progress = try context.progress(of: lab)
        let order = lab.steps.map(\.id)
        let target: String
        if wholeLab {
            target = order[0]
        } else if let step {
            guard order.contains(step) else { throw WorkspaceError.unknownStep(lab: lab.id, step: step) }
            target = step
        } else {
            target = progress.currentStep(in: order) ?? order[order.count - 1]
        }

        if cluster { try cleanCluster(lab: lab, parameters: started.parameters) }

        let outcome = try context.workspace.reset(lab: lab.id, step: target)
        let number = (order.firstIndex(of: target) ?? 0) + 1
        let secrets = context.uncommittedSecrets(lab.id)
        try emit(Output(lab: lab.id, step: target, backup: outcome.backupRef, commit: outcome.commit, uncommittedSecrets: secrets),
             text: """
             \(lab.id) is back at the start of step \(number) (\(target)).
             Everything you had is saved in \(outcome.backupRef); `klab reset --undo` brings it back.

             """ + secretsNotice(secrets, reset: true))
    }

    /// `klab reset --output json`.
    struct Output: Encodable {
        var lab: String
        var step: String
        var backup: String
        var commit: String
        var uncommittedSecrets: [String]
    }

    /// `klab reset --restore N --output json`.
    struct RestoreOutput: Encodable {
        var lab: String
        var restored: String
        var backup: String
        var commit: String
    }

    /// 2 for `2` or `refs/klab/backups/2`; nil for anything else.
    static func backupNumber(_ argument: String) -> Int? {
        if let number = Int(argument), number > 0, String(number) == argument { return number }
        return LearnerWorkspace.backupNumber(argument)
    }

    /// `klab reset --undo --output json`.
    struct UndoOutput: Encodable {
        var lab: String
        var undid: String
        var restored: String
        var backup: String
        var commit: String
    }

    private func emit<T: Encodable>(_ output: T, text: String) throws {
        switch global.output {
        case .json: try writeJSON(output)
        case .text: writeStdout(text)
        }
    }

    private func cleanCluster(lab: Lab, parameters: LabRunParameters) throws {
        let manifests = try ManifestRenderer(lab: lab).render(parameters: parameters.values, learner: parameters.learner)
        let cleaner = ClusterCleaner(options: KubectlCluster.Options(context: global.context, kubeconfig: global.kubeconfig))
        let plan = try cleaner.plan(
            objects: manifests.flatMap(\.objects), namespace: parameters.namespace, lab: lab.id, learner: parameters.learner)
        if plan.items.isEmpty {
            writeStderr("Nothing of \(lab.id) to delete in the cluster (no objects labelled \(plan.labelSelector)).\n")
            return
        }
        writeStderr("These objects will be deleted (labelled \(plan.labelSelector)):\n")
        writeStderr(plan.items.map { "  \($0)\n" }.joined())
        if !yes {
            guard isatty(STDIN_FILENO) != 0 else {
                throw CLIFailure(message: "refusing to delete without a terminal to ask on; add --yes to delete the objects listed above", status: .badInput)
            }
            writeStderr("Delete them? [y/N] ")
            let answer = readLine()?.trimmingCharacters(in: .whitespaces).lowercased() ?? ""
            guard answer == "y" || answer == "yes" else {
                throw CLIFailure(message: "nothing deleted and nothing reset (you did not answer yes)", status: .success)
            }
        }
        try cleaner.delete(plan) { writeStderr("deleted \($0)\n") }
    }
}
