import Foundation
import KubeCore
import KubeJSON
import LabSpec

/// Evaluates checks against a cluster: in order, captures flowing from earlier checks into
/// later ones, `wait` polling about every second, failures as data.
///
/// `evaluate` throws only when klab cannot do its job (the cluster cannot be read, a snapshot
/// lacks a recorded output: `ClusterError`); a check that does not hold is a `.failed` result.
public final class CheckEvaluator {
    public struct Options: Sendable {
        /// Evaluate only checks that read Kubernetes objects; exec, http and command checks
        /// are reported as not evaluated (for snapshots that hold objects alone).
        public var kubeOnly: Bool
        /// Poll checks that have `wait`; false evaluates every check once (a snapshot never
        /// changes, so waiting on one only takes time).
        public var honourWait: Bool
        /// Seconds between polls of a waiting check.
        public var pollInterval: Double

        public init(kubeOnly: Bool = false, honourWait: Bool = true, pollInterval: Double = 1) {
            self.kubeOnly = kubeOnly
            self.honourWait = honourWait
            self.pollInterval = pollInterval
        }
    }

    public let reader: ClusterReader
    public let options: Options
    private let clock: CheckClock
    private let paths = JSONPathCache()
    private var expectations: ExpectationEvaluator { ExpectationEvaluator(reader: reader, paths: paths) }

    public init(reader: ClusterReader, options: Options = Options(), clock: CheckClock = SystemClock()) {
        self.reader = reader
        self.options = options
        self.clock = clock
    }

    /// Evaluates checks in order. `captures` holds values captured before (by earlier steps);
    /// each check sees those plus what the checks before it captured.
    ///
    /// `stepCaptures` names the step that captures each value the lab's steps capture (for
    /// completion checks, `Lab.stepCaptures`): a check that needs one that is not in `captures`
    /// is not evaluated, rather than failed, and says which step captures it.
    public func evaluate(_ checks: [Check], captures: [String: String] = [:], stepCaptures: [String: String] = [:]) throws -> [CheckResult] {
        reader.prefetch(Self.selectors(checks, captures: captures, isClusterScoped: reader.isClusterScoped))
        var values = captures
        // The same values with each secret one as its digest: what the evidence and the grader see.
        var recorded = captures
        var producers: [String: CheckResult] = [:]
        var results: [CheckResult] = []
        var outputs: [OutputCaptures?] = []
        for (index, check) in checks.enumerated() {
            let (result, output) = try evaluate(check, captures: values, recorded: recorded, context: CaptureContext(
                producers: producers, later: Self.producers(in: checks[(index + 1)...]), steps: stepCaptures))
            for capture in check.captures { producers[capture.name] = result }
            values.merge(result.captures) { _, new in new }
            for (name, value) in result.captures {
                recorded[name] = result.redactedCaptures.contains(name) ? ValueDigest.keeping(value) : value
            }
            results.append(result)
            outputs.append(output)
        }
        // An output a later check redacted is redacted for the checks before it too: what they
        // captured of its stdout is kept as a digest.
        for (index, output) in outputs.enumerated() {
            guard let output, reader.isRedacted(output.path) else { continue }
            results[index].redactedCaptures.formUnion(output.names.filter { results[index].captures[$0] != nil })
        }
        return results
    }

    /// Evaluates one check with the captures known so far.
    public func evaluate(_ check: Check, captures: [String: String] = [:]) throws -> CheckResult {
        try evaluate(check, captures: captures, recorded: captures, context: CaptureContext(producers: [:], later: [:], steps: [:])).result
    }

    /// The captures a check took from the stdout of the output recorded at `path`.
    private struct OutputCaptures {
        var path: String
        var names: Set<String>
    }

    // MARK: -

    private struct CaptureContext {
        /// Results of earlier checks, by the capture names they declare.
        var producers: [String: CheckResult]
        /// Names of later checks, by the capture names they declare.
        var later: [String: String]
        /// Ids of the steps that capture values, by capture name.
        var steps: [String: String]
    }

    private static func producers(in checks: ArraySlice<Check>) -> [String: String] {
        var names: [String: String] = [:]
        for check in checks {
            for capture in check.captures where names[capture.name] == nil { names[capture.name] = check.name }
        }
        return names
    }

    /// `recorded` holds the values as evidence keeps them (a secret capture as its digest): the
    /// calls the check makes are recorded with those in their arguments, as the grader, which
    /// has only the digests, will make them again.
    private func evaluate(
        _ check: Check, captures: [String: String], recorded: [String: String], context: CaptureContext
    ) throws -> (result: CheckResult, output: OutputCaptures?) {
        var substitution = CaptureSubstitution(values: captures)
        let resolved = substitution.check(check)
        var recordedSubstitution = CaptureSubstitution(values: recorded)
        let recording = RecordedCall(check: recorded == captures ? resolved : recordedSubstitution.check(check))
        if let result = missingCapture(check, substitution.missing, context) { return (result, nil) }
        if !substitution.refused.isEmpty {
            return (CheckResult(name: resolved.name, status: .failed, message: substitution.refused, location: check.location), nil)
        }

        if options.kubeOnly, !resolved.readsKubernetesOnly {
            return (CheckResult(name: resolved.name, status: .notEvaluated,
                                message: ["--kube-only: \(Self.sourceName(resolved.source)) checks are not evaluated"],
                                location: check.location), nil)
        }

        let wait = options.honourWait ? resolved.wait : nil
        let deadline = wait.map { clock.now() + $0 }
        var attempts = 0
        while true {
            attempts += 1
            let outcome = try attempt(resolved, recording: recording)
            if outcome.notEvaluated {
                return (CheckResult(name: resolved.name, status: .notEvaluated, message: outcome.lines, attempts: attempts,
                                    location: check.location), nil)
            }
            if outcome.lines.isEmpty {
                var result = CheckResult(name: resolved.name, status: .passed, captures: outcome.captures, attempts: attempts,
                                         location: check.location)
                result.redactedCaptures = outcome.redactedCaptures
                return (result, outcome.outputPath.map { OutputCaptures(path: $0, names: outcome.outputCaptures) })
            }
            let now = clock.now()
            guard let deadline, now < deadline else {
                var lines = outcome.lines
                if let wait {
                    lines.append("still failing after waiting \(Self.duration(wait)) (\(attempts) attempt\(attempts == 1 ? "" : "s"))")
                }
                return (CheckResult(name: resolved.name, status: .failed, message: lines, attempts: attempts,
                                    location: check.location), nil)
            }
            clock.sleep(seconds: min(options.pollInterval, deadline - now))
            reader.refresh()
        }
    }

    private func missingCapture(_ check: Check, _ missing: [String], _ context: CaptureContext) -> CheckResult? {
        guard let name = missing.first else { return nil }
        var status = CheckResult.Status.failed
        let line: String
        if let producer = context.producers[name] {
            if producer.status == .notEvaluated {
                status = .notEvaluated
                line = "needs ${\(name)}, which check \"\(producer.name)\" captures, but that check was not evaluated"
            } else {
                line = "needs ${\(name)}, which check \"\(producer.name)\" should have captured, but that check failed"
            }
        } else if let step = context.steps[name] {
            status = .notEvaluated
            line = "needs ${\(name)}, which step \"\(step)\" captures, and no value of it is known here (live grading reads no step captures; klab lab test takes --capture \(name)=VALUE)"
        } else if let later = context.later[name] {
            line = "needs ${\(name)}, but only a later check (\"\(later)\") captures it; move that check first"
        } else {
            line = "needs ${\(name)}, which no earlier check captures; add `capture: {\(name): ...}` to one"
        }
        return CheckResult(name: check.name, status: status, message: [line], location: check.location)
    }

    /// The check as its call is recorded in evidence: captures substituted as evidence keeps
    /// them, so a secret value in a command's arguments or a URL is recorded as its digest.
    private struct RecordedCall {
        let check: Check

        /// The arguments of an exec, command or probe check.
        var arguments: [String]? {
            switch check.source {
            case .exec(let request): return request.command
            case .probe(let request): return request.command
            case .command(let arguments): return arguments
            default: return nil
            }
        }

        var url: String? {
            if case .http(let request) = check.source { return request.url }
            return nil
        }

        /// The `kubectl auth can-i` arguments of a canI check.
        func canIArguments(labNamespace: String) -> [String]? {
            if case .canI(let request) = check.source { return request.arguments(labNamespace: labNamespace) }
            return nil
        }
    }

    private struct Outcome {
        var lines: [String]
        var captures: [String: String] = [:]
        /// The check could not be evaluated here at all (no workspace to read).
        var notEvaluated = false
        /// Captures read from a Secret's data or a redacted stdout (`CheckResult.redactedCaptures`).
        var redactedCaptures: Set<String> = []
        /// Captures read from the stdout of the recorded output, and its evidence path.
        var outputCaptures: Set<String> = []
        var outputPath: String?
    }

    private func attempt(_ check: Check, recording: RecordedCall) throws -> Outcome {
        reader.redactingOutputs = check.redact
        defer { reader.redactingOutputs = false }
        reader.lastOutputPath = nil
        let subject: JSONValue
        var lines: [String]
        switch check.source {
        case .get(let selector):
            let selection = try reader.select(selector)
            lines = try expectations.failures(check.expectation, selection: selection, selector: selector)
            subject = .object(JSONObject([("count", .int(Int64(selection.objects.count))), ("items", .array(selection.objects))]))
        case .exec(let request):
            switch try execTarget(request) {
            case .failure(let line):
                return Outcome(lines: [line])
            case .pod(let namespace, let pod):
                let output = try reader.exec(namespace: namespace, pod: pod, container: request.container, command: request.command,
                                             recordedAs: recording.arguments)
                let notRun = ExecOutcome.couldNotRun(output)
                subject = Self.subject(output, notRun: notRun)
                let label = "exec in \(namespace)/\(pod)" + (request.container.map { " (container \($0))" } ?? "")
                    + ": " + request.command.joined(separator: " ")
                // A command that did not run says nothing about the cluster: a "blocked"
                // check must not pass because the pod or the tool is missing.
                if let notRun { return Outcome(lines: ["\(label): could not run: \(notRun)"]) }
                lines = try resultFailures(check.expectation, subject: subject, label: label, defaultsToExitZero: true)
            }
        case .http(let request):
            let output = try reader.http(request, recordedURL: recording.url)
            subject = Self.subject(output)
            lines = try resultFailures(check.expectation, subject: subject, label: "GET \(request.url)", defaultsToExitZero: false)
        case .probe(let request):
            let namespace: String
            if case .named(let name) = request.namespace { namespace = name } else { namespace = reader.labNamespace }
            let call = ProbeCall(namespace: namespace, request: request)
            let output = try reader.probe(call, timeout: request.timeout, recordedCommand: recording.arguments)
            let label = call.description
            // As for exec: a probe that never ran says nothing about the network, so a
            // "blocked" check cannot pass because the pod could not be made or the tool is missing.
            if let notRun = output.notRunReason { return Outcome(lines: ["\(label): could not run: \(notRun)"]) }
            subject = Self.subject(output.commandOutput)
            lines = try resultFailures(check.expectation, subject: subject, label: label, defaultsToExitZero: true)
        case .workspace(let request):
            guard let facts = try reader.workspace(request) else {
                return Outcome(lines: ["no workspace to read here: a workspace check is evaluated by klab verify, and graded from the evidence it records"],
                               notEvaluated: true)
            }
            subject = facts
            lines = try resultFailures(check.expectation, subject: subject, label: RecordedOutput.workspaceCall(request.path), defaultsToExitZero: false)
        case .command(let arguments):
            let output = try reader.command(arguments, recordedAs: recording.arguments)
            subject = Self.subject(output)
            lines = try resultFailures(check.expectation, subject: subject, label: arguments.joined(separator: " "), defaultsToExitZero: true)
        case .canI(let request):
            let arguments = request.arguments(labNamespace: reader.labNamespace)
            let output = try reader.command(arguments, recordedAs: recording.canIArguments(labNamespace: reader.labNamespace))
            let label = arguments.joined(separator: " ")
            let answer = output.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
            guard answer == "yes" || answer == "no" else {
                let why = KubectlCluster.meaningfulLine(output.stderr) ?? "exit status \(output.exitCode), no answer"
                return Outcome(lines: ["\(label): could not ask: \(why)"])
            }
            var object = JSONObject([("allowed", .bool(answer == "yes"))])
            for (key, value) in Self.subject(output).objectValue?.entries ?? [] { object[key] = value }
            subject = .object(object)
            lines = try resultFailures(check.expectation, subject: subject, label: label, defaultsToExitZero: false)
            if check.expectation.all.isEmpty, check.expectation.any.isEmpty, check.expectation.none.isEmpty, answer != "yes" {
                lines.append("\(label): expected yes, found no")
            }
        }
        guard lines.isEmpty else { return Outcome(lines: lines) }

        var outcome = Outcome(lines: [])
        let outputPath = reader.lastOutputPath
        let secret = Self.secretPaths(in: subject)
        for capture in check.captures {
            guard let path = paths.path(capture.path) else {
                outcome.lines.append("capture \(capture.name): \(capture.path) is not a valid JSONPath template")
                continue
            }
            let result = path.query(subject)
            if result.isAbsent {
                outcome.lines.append("capture \(capture.name): \(ValuePredicates.displayPath(capture.path)) found nothing to capture")
                continue
            }
            switch CaptureTransform(capture).apply(result.matches.map { ValuePredicates.printed($0.value) }) {
            case .success(let texts): outcome.captures[capture.name] = texts.joined(separator: " ")
            case .failure(let error): outcome.lines.append("capture \(capture.name): \(error.reason)")
            }
            let fromStdout = outputPath != nil && result.matches.contains { match in
                Self.outputPaths.contains { Self.overlaps(match.path, $0) }
            }
            if fromStdout { outcome.outputCaptures.insert(capture.name) }
            if (fromStdout && check.redact) || result.matches.contains(where: { match in secret.contains { Self.overlaps(match.path, $0) } }) {
                outcome.redactedCaptures.insert(capture.name)
            }
        }
        guard outcome.lines.isEmpty else { return Outcome(lines: outcome.lines) }
        outcome.outputPath = outputPath
        return outcome
    }

    /// Where a command's printed output lies in its subject.
    private static let outputPaths = [".stdout", ".json"]

    /// Where a `get` subject holds Secret values: each Secret's `data` and `stringData`.
    static func secretPaths(in subject: JSONValue) -> [String] {
        guard let items = subject["items"]?.arrayValue else { return [] }
        var paths: [String] = []
        for (index, item) in items.enumerated() where item["kind"]?.stringValue == "Secret" {
            paths += Evidence.secretFields.map { ".items[\(index)].\($0)" }
        }
        return paths
    }

    /// Whether a JSONPath match lies within `path` or holds it (the whole object, the list).
    static func overlaps(_ match: String, _ path: String) -> Bool {
        func within(_ inner: String, _ outer: String) -> Bool {
            guard inner.hasPrefix(outer) else { return false }
            let rest = inner.dropFirst(outer.count)
            return rest.isEmpty || rest.first == "." || rest.first == "["
        }
        return match == "$" || match.isEmpty || within(match, path) || within(path, match)
    }

    /// Assertions on the single result of exec, http or command. Without any, a command must
    /// exit 0 and a request must answer below 400.
    private func resultFailures(_ e: Expectation, subject: JSONValue, label: String, defaultsToExitZero: Bool) throws -> [String] {
        let evaluator = expectations
        var lines = try evaluator.failures(of: e.all, on: subject, label: label)
        if !e.any.isEmpty, try !evaluator.failures(of: e.any, on: subject, label: label).isEmpty {
            lines += try evaluator.failures(of: e.any, on: subject, label: label)
        }
        if !e.none.isEmpty, try evaluator.failures(of: e.none, on: subject, label: label).isEmpty {
            lines.append("\(label): expected no result where \(e.none.map(ExpectationEvaluator.summary).joined(separator: " and ")), but it is")
        }
        if e.all.isEmpty, e.any.isEmpty, e.none.isEmpty {
            if defaultsToExitZero, case .int(let code)? = subject["exitCode"], code != 0 {
                lines.append("\(label): expected exit code 0, found \(code)")
            } else if !defaultsToExitZero, case .int(let status)? = subject["status"], status >= 400 {
                lines.append("\(label): expected a status below 400, found \(status)")
            }
        }
        if !lines.isEmpty, let stderr = subject["stderr"]?.stringValue,
           let first = stderr.split(separator: "\n").first(where: { !$0.trimmingCharacters(in: .whitespaces).isEmpty }) {
            lines.append("stderr: \(first)")
        }
        return lines
    }

    private enum ExecTarget {
        case pod(namespace: String, name: String)
        case failure(String)
    }

    /// The pod an exec check runs in: the named one, or the first Running pod (by name) with
    /// the labels.
    private func execTarget(_ request: ExecRequest) throws -> ExecTarget {
        let namespace: String
        switch request.namespace {
        case .named(let n): namespace = n
        case .lab, .all: namespace = reader.labNamespace
        }
        if let pod = request.pod { return .pod(namespace: namespace, name: pod) }
        let selector = ObjectSelector(kind: "Pod", namespace: .named(namespace), labels: request.labels)
        let selection = try reader.select(selector)
        let running = selection.objects
            .filter { $0["status"]?["phase"]?.stringValue == "Running" }
            .compactMap { $0["metadata"]?["name"]?.stringValue }
            .sorted()
        if let first = running.first { return .pod(namespace: namespace, name: first) }
        if selection.objects.isEmpty { return .failure(FailureMessage.nothingSelected(selection, selector)) }
        let phases = selection.objects.prefix(ExpectationEvaluator.objectLimit).map { object in
            "\(object["metadata"]?["name"]?.stringValue ?? "?") (\(object["status"]?["phase"]?.stringValue ?? "no phase"))"
        }
        return .failure("no Running \(FailureMessage.selectionText(selector, kind: "Pod", plural: false))\(FailureMessage.scope(selection, selector)) to exec in; found \(phases.joined(separator: ", "))")
    }

    static func subject(_ output: CommandOutput, notRun: String? = nil) -> JSONValue {
        var object = JSONObject([
            ("exitCode", .int(Int64(output.exitCode))), ("stdout", .string(output.stdout)), ("stderr", .string(output.stderr)),
        ])
        if let notRun {
            object["ran"] = .bool(false)
            object["error"] = .string(notRun)
        }
        if let json = try? JSONParser.parse(output.stdout) { object["json"] = json }
        return .object(object)
    }

    static func subject(_ output: HTTPOutput) -> JSONValue {
        var object = JSONObject([("status", .int(Int64(output.status))), ("body", .string(output.body))])
        if let json = try? JSONParser.parse(output.body) { object["json"] = json }
        if let error = output.error { object["error"] = .string(error) }
        return .object(object)
    }

    /// What the checks will read that is known before any runs: `get` selectors, the lists
    /// their joins read (`ReadPlan.joinSelectors`) and the pods an exec picks by label, without
    /// the ones whose selector waits for a value captured on the way. A value the expectation
    /// alone waits for (`time: '>= ${loadStartedAt}'`) does not change what is read; a join
    /// whose kind or namespace waits for one is left out.
    static func selectors(
        _ checks: [Check], captures: [String: String], isClusterScoped: (ObjectSelector) -> Bool
    ) -> [ObjectSelector] {
        var found: [ObjectSelector] = []
        for check in checks {
            var substitution = CaptureSubstitution(values: captures)
            let source = substitution.check(Check(name: "", source: check.source)).source
            guard substitution.missing.isEmpty, substitution.refused.isEmpty else { continue }
            switch source {
            case .get(let selector):
                found.append(selector)
                // What is still missing stays `${name}` and keeps its join out of the plan.
                var whole = CaptureSubstitution(values: captures)
                found += ReadPlan.joinSelectors(whole.check(check).expectation, from: selector, isClusterScoped: isClusterScoped)
            case .exec(let request) where request.pod == nil:
                found.append(ObjectSelector(kind: "Pod", namespace: request.namespace == .all ? .lab : request.namespace))
            default: break
            }
        }
        return found
    }

    static func sourceName(_ source: CheckSource) -> String {
        switch source {
        case .get: return "get"
        case .exec: return "exec"
        case .http: return "http"
        case .command: return "command"
        case .canI: return "canI"
        case .probe: return "probe"
        case .workspace: return "workspace"
        }
    }

    /// `30s`, `2m`, `1m30s`.
    static func duration(_ seconds: Double) -> String {
        let whole = Int(seconds.rounded())
        if whole < 60 { return "\(whole)s" }
        return whole % 60 == 0 ? "\(whole / 60)m" : "\(whole / 60)m\(whole % 60)s"
    }
}

/// Whether a command in a pod ran at all. kubectl exits non-zero both when the command ran
/// and failed and when it never started; only the first says anything about the cluster.
enum ExecOutcome {
    /// Why the command did not run (no such pod or container, exec refused, the program missing
    /// or not executable), or nil when it ran, whatever its exit code.
    static func couldNotRun(_ output: CommandOutput) -> String? {
        guard output.exitCode != 0 else { return nil }
        let stderr = output.stderr
        let markers = [
            "Error from server (NotFound)", "Error from server (BadRequest)", "container not found",
            "cannot exec into a container", "unable to upgrade connection", "error executing command in container",
            "OCI runtime exec failed", "executable file not found", "no such file or directory: unknown",
        ]
        if markers.contains(where: stderr.contains) || output.exitCode == 126 || output.exitCode == 127 {
            let line = KubectlCluster.meaningfulLine(stderr)
            switch output.exitCode {
            case 126: return line ?? "exit code 126 (the program is not executable)"
            case 127: return line ?? "exit code 127 (the program is not in the container)"
            default: return line ?? "kubectl exit code \(output.exitCode)"
            }
        }
        return nil
    }
}

extension CanIRequest {
    /// `kubectl auth can-i VERB RESOURCE [--subresource=S] (-n NS | --all-namespaces) [--as USER] [--as-group G]...`;
    /// the connection flags are added where the command runs.
    public func arguments(labNamespace: String) -> [String] {
        var arguments = ["kubectl", "auth", "can-i", verb, resource]
        if let subresource { arguments.append("--subresource=\(subresource)") }
        switch namespace {
        case .lab: arguments += ["-n", labNamespace]
        case .named(let name): arguments += ["-n", name]
        case .all: arguments.append("--all-namespaces")
        }
        if let user { arguments.append("--as=\(user)") }
        for group in groups { arguments.append("--as-group=\(group)") }
        return arguments
    }
}
