import ArgumentParser
import Checks
import Foundation
import KubeJSON
import LabSpec
import Workspace

/// `klab lab record LAB --step ID OUT`: what a step's checks (or the completion checks) read
/// from the current cluster, written as a snapshot folder ready to be one of the lab's
/// fixtures. The reading is `SnapshotRecording`'s, which is the engine's own.
struct LabRecordCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "record",
        abstract: "Record what a step's checks read from the cluster as a snapshot folder (a fixture).",
        usage: "klab lab record <lab> (--step <step> | --complete) <out> [--set <name=value> ...] [--capture <name=value> ...] [--force] [<options>]",
        discussion: """
        Runs the checks once against the cluster kubectl reaches (your current context, or \
        --context/--kubeconfig), then writes what they read into OUT: one list per kind and \
        scope, exec/http/command outputs under outputs/, managed fields and \
        last-applied-configuration left out, Secret values replaced by their sha256 digests. \
        `klab lab test` on OUT gives the verdict the checks gave on the cluster, which is \
        printed too: name the folder <step>--pass or <step>--fail-<what> accordingly.

        Examples:
          klab lab record health-probes --step liveness liveness--pass
          klab lab record health-probes --complete complete -n ada

        Exit status: 0 recorded (whatever the checks said), 2 bad input (unknown lab or step, \
        OUT not empty without --force), 3 the cluster could not be read.
        """
    )

    @OptionGroup var global: GlobalOptions
    @OptionGroup var labsOptions: LabsOptions

    @Argument(help: "The lab id.", completion: .custom(ShellCompletion.labs))
    var lab: String

    @Argument(help: ArgumentHelp("The folder to write the snapshot into (new or empty, unless --force).", valueName: "out"), completion: .directory)
    var out: String

    @Option(help: ArgumentHelp("Record what this step's checks read.", valueName: "step"), completion: .custom(ShellCompletion.steps))
    var step: String?

    @Flag(help: "Record what the lab's completion checks read.")
    var complete = false

    @Option(name: .customLong("set"), help: ArgumentHelp("Set a lab parameter (repeatable).", valueName: "name=value"))
    var assignments: [String] = []

    @Option(name: .customLong("capture"), help: ArgumentHelp("A value an earlier step captured, for checks that use it; repeatable. Written to OUT/captures.env.", valueName: "name=value"))
    var capturedValues: [String] = []

    @Flag(help: "Replace what OUT holds (it is emptied first).")
    var force = false

    func validate() throws {
        if step != nil && complete {
            throw ValidationError("--step and --complete cannot be used together")
        }
        if step == nil && !complete {
            throw ValidationError("say what to record: --step <step> or --complete")
        }
        _ = try LabTestCommand.parseCaptures(capturedValues)
    }

    func run() throws {
        let loaded = try labsOptions.loader().load(lab)
        // As `klab lab render` and `klab lab test` read them (LabInvocation).
        let invocation = LabInvocation(
            assignments: try Lab.assignments(assignments), namespace: global.namespace,
            environment: ProcessInfo.processInfo.environment)
        let (resolved, parameters) = try invocation.resolve(loaded)
        let namespace = parameters.namespace
        let chosen = try LabTestCommand.checks(of: resolved, step: step)

        let cluster = KubectlCluster(options: .init(context: global.context, kubeconfig: global.kubeconfig))
        let recording = try SnapshotRecording(
            checks: chosen.checks, cluster: cluster, labNamespace: namespace, captures: try LabTestCommand.parseCaptures(capturedValues))
        try recording.write(to: out, replacing: force)

        let report = CheckReport(title: chosen.title, results: recording.results, hint: nil)
        let name = step ?? "complete"
        let suggestion = recording.passed
            ? (step == nil ? "complete" : "\(name)--pass")
            : "\(name)--fail-<what>"
        switch global.output {
        case .text:
            let files = recording.files.count
            writeStdout(report.text(color: global.useColor)
                + "\nRecorded \(files) file\(files == 1 ? "" : "s") in \(out): the checks \(recording.passed ? "pass" : "fail") on this state; "
                + "as a fixture, name the folder \(suggestion).\n")
        case .json:
            try writeJSON(Output(report: report, lab: loaded.id, step: step, snapshot: out, files: recording.files.keys.sorted()))
        }
    }

    /// `klab lab record --output json`: the check report, then what was recorded where.
    struct Output: Encodable {
        var report: CheckReport
        var lab: String
        var step: String?
        var snapshot: String
        var files: [String]

        enum CodingKeys: String, CodingKey { case lab, step, snapshot, files }

        func encode(to encoder: Encoder) throws {
            try report.encode(to: encoder)
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encode(lab, forKey: .lab)
            try container.encodeIfPresent(step, forKey: .step)
            try container.encode(snapshot, forKey: .snapshot)
            try container.encode(files, forKey: .files)
        }
    }
}
