import ArgumentParser
import Checks
import Foundation
import Grading
import LabSpec

/// What `klab grade` and `klab serve` both take: which labs, which key, live or offline, and
/// how strict; and the one reading of them into a grading request.
struct GradeOptions: ParsableArguments {
    @Option(name: .customLong("lab"), help: "Grade only this lab (repeatable; default: every lab).")
    var onlyLabs: [String] = []

    @Option(help: "The class key file that verifies signatures (default: KLAB_CLASS_KEY).")
    var keyFile: String?

    @Flag(help: "Grade live from the cluster (the roster gives namespaces and contexts).")
    var live = false

    @Flag(help: "Count steps verified against a snapshot (practice) instead of flagging them.")
    var acceptSnapshots = false

    @Flag(help: "Learners got their own keys (`klab grade keys`): a pass signed with the class-wide key is invalid.")
    var learnerKeys = false

    /// Every lab of the labs folder, and the ids graded (`--lab`, in catalog order).
    func labs(_ labsOptions: LabsOptions) throws -> (labs: [Lab], graded: [String]) {
        let loader = try labsOptions.loader()
        let labs = try loader.loadAll()
        let known = labs.map(\.id)
        for id in onlyLabs where !known.contains(id) {
            throw CLIFailure(message: "no lab \(id) in \(loader.labsDirectory.path); the labs are: \(known.joined(separator: ", "))", status: .badInput)
        }
        return (labs, onlyLabs.isEmpty ? known : known.filter(onlyLabs.contains))
    }

    /// The class key (`--key-file` or KLAB_CLASS_KEY), checked against `--learner-keys`.
    func key() throws -> Data? {
        let key = try classKey(file: keyFile)
        if learnerKeys && key == nil {
            throw CLIFailure(message: "--learner-keys needs the class key they were made from: pass --key-file or set KLAB_CLASS_KEY", status: .badInput)
        }
        return key
    }

    func offline() throws -> OfflineGrader.Options {
        OfflineGrader.Options(classKey: try key(), learnerKeys: learnerKeys, acceptSnapshots: acceptSnapshots)
    }

    func cluster(_ global: GlobalOptions) -> KubectlCluster.Options {
        KubectlCluster.Options(context: global.context, kubeconfig: global.kubeconfig)
    }
}
