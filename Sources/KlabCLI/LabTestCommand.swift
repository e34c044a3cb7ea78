import ArgumentParser
import Checks
import Foundation
import KubeJSON
import LabSpec
import Workspace

/// `klab lab test LAB --snapshot DIR`: a lab's checks evaluated against a snapshot, no
/// workspace and no cluster. Exit 0 iff every evaluated check passes, 1 if any fails.
struct LabTestCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "test",
        abstract: "Evaluate a lab's completion checks (or one step's) against a snapshot folder.",
        usage: "klab lab test <lab> --snapshot <dir> [--step <step> | --complete] [--set <name=value> ...] [--kube-only] [<options>]",
        discussion: """
        A snapshot is a folder of what `kubectl get ... -o json|yaml` printed, with recorded \
        exec/http/command outputs under outputs/. Exit status: 0 every evaluated check passed, \
        1 a check failed, 2 bad input (unknown lab or step, broken lab or snapshot).

        Examples:
          klab lab test health-probes --snapshot labs/health-probes/fixtures/complete
          klab lab test health-probes --step liveness --snapshot DIR
        """
    )

    @OptionGroup var global: GlobalOptions
    @OptionGroup var labsOptions: LabsOptions

    @Argument(help: "The lab id.", completion: .custom(ShellCompletion.labs))
    var lab: String

    @Option(help: ArgumentHelp("The snapshot folder to evaluate the checks against.", valueName: "dir"), completion: .directory)
    var snapshot: String

    @Option(help: ArgumentHelp("Evaluate this step's checks instead of the completion checks.", valueName: "step"), completion: .custom(ShellCompletion.steps))
    var step: String?

    @Flag(help: "Evaluate the lab's completion checks (the default).")
    var complete = false

    @Option(name: .customLong("set"), help: ArgumentHelp("Set a lab parameter (repeatable).", valueName: "name=value"))
    var assignments: [String] = []

    @Flag(help: "Evaluate only the checks that read Kubernetes objects; list exec, http and command checks as not evaluated.")
    var kubeOnly = false

    @Option(name: .customLong("capture"), help: "A value an earlier step captured (name=value), for checks that use it; repeatable.")
    var capturedValues: [String] = []

    func validate() throws {
        if step != nil && complete {
            throw ValidationError("--step and --complete cannot be used together")
        }
        _ = try captures()
    }

    /// `--capture name=value` options: what `klab verify` would have remembered from the
    /// steps already passed.
    func captures() throws -> [String: String] {
        try Self.parseCaptures(capturedValues)
    }

    /// `name=value` texts as captures (`lab test` and `lab record` take them alike).
    static func parseCaptures(_ texts: [String]) throws -> [String: String] {
        var values: [String: String] = [:]
        for text in texts {
            guard let equals = text.firstIndex(of: "="), equals != text.startIndex else {
                throw ValidationError("--capture takes name=value, got \"\(text)\"")
            }
            values[String(text[..<equals])] = String(text[text.index(after: equals)...])
        }
        return values
    }

    func run() throws {
        let loaded = try labsOptions.loader().load(lab)
        let invocation = LabInvocation(
            assignments: try Lab.assignments(assignments), namespace: global.namespace,
            environment: ProcessInfo.processInfo.environment)
        let (resolved, parameters) = try invocation.resolve(loaded)
        let namespace = parameters.namespace

        let (checks, title, hint) = try Self.checks(of: resolved, step: step)

        let reader = ClusterReader(cluster: try SnapshotCluster(directory: snapshot), labNamespace: namespace)
        // A snapshot never changes, so waiting for it would only take time.
        let evaluator = CheckEvaluator(reader: reader, options: .init(kubeOnly: kubeOnly, honourWait: false))
        // A completion check that needs a step's capture nobody gave is listed as not evaluated, as live grading lists it.
        let results = try evaluator.evaluate(checks, captures: try captures(), stepCaptures: step == nil ? resolved.stepCaptures : [:])
        let report = CheckReport(title: title, results: results, hint: hint)

        switch global.output {
        case .text: writeStdout(report.text(color: global.useColor))
        case .json: try writeJSON(report)
        }
        if !report.passed { throw ExitStatus.checksFailed }
    }

    /// The checks of one step (nil: the completion checks), the title a report gives them and
    /// the step's first hint; an unknown step is bad input naming the steps there are.
    static func checks(of lab: Lab, step: String?) throws -> (checks: [Check], title: String, hint: String?) {
        guard let step else { return (lab.completion, "\(lab.id): completion", nil) }
        guard let found = lab.step(step) else {
            let known = lab.steps.map(\.id).joined(separator: ", ")
            throw CLIFailure(message: "lab \(lab.id) has no step \"\(step)\"; its steps are: \(known)", status: .badInput)
        }
        return (found.checks, "\(lab.id): step \(found.id)", found.hints.first)
    }
}
