import Checks
import Foundation
import KubeCore
import KubeJSON
import LabSpec

/// One `klab verify` of the current step: evaluate its checks, and when they all pass,
/// record the evidence (what the checks read, and their results) and move on.
public final class StepVerifier {
    public let workspace: LearnerWorkspace
    public let lab: Lab
    public let settings: LabSettings
    public let classKey: Data?
    public let kubeOnly: Bool
    /// klab's version, recorded in each pass's provenance.
    public let klabVersion: String
    private let makeCluster: () throws -> Cluster
    private let now: () -> Date
    /// Entered while the provenance is read ahead on another thread (`startReadingProvenanceAhead`).
    private let readingAhead = DispatchGroup()

    public init(
        workspace: LearnerWorkspace, lab: Lab, settings: LabSettings, classKey: Data?, kubeOnly: Bool = false,
        klabVersion: String = "unknown", now: @escaping () -> Date = Date.init, cluster: @escaping () throws -> Cluster
    ) {
        self.workspace = workspace
        self.lab = lab
        self.settings = settings
        self.classKey = classKey
        self.kubeOnly = kubeOnly
        self.klabVersion = klabVersion
        self.now = now
        self.makeCluster = cluster
    }

    /// The outcome of one verification.
    public struct Round {
        public var step: LabStep
        public var results: [CheckResult]
        /// Set when the step passed and was recorded.
        public var pass: PassOutcome?
        /// The step after it, if any.
        public var next: LabStep?
        /// Where the evidence of a recorded pass came from.
        public var provenance: Provenance?
        public var passed: Bool { pass != nil }
    }

    /// The step to verify now; nil when the lab is complete.
    public func currentStep() throws -> LabStep? {
        guard let progress = try workspace.progress(stepOrder: [lab.id: lab.steps.map(\.id)])[lab.id] else {
            throw WorkspaceError.labNotStarted(lab: lab.id)
        }
        return progress.currentStep(in: lab.steps.map(\.id)).flatMap(lab.step)
    }

    /// Evaluates the current step until it passes or `wait` seconds have gone by (once when
    /// nil), polling about every second; records it when it passes, with what the checks read
    /// as its evidence. When checks pass and `confirm` says so (a watch's cache answered that it
    /// cannot vouch for), they are evaluated once more after `refresh()` and recorded only if
    /// they pass again: what is recorded is then what a fresh read says.
    public func verify(
        wait: Double? = nil, confirm: () -> Bool = { false }, sleep: (Double) -> Void = { Thread.sleep(forTimeInterval: $0) }
    ) throws -> Round? {
        guard let step = try currentStep() else { return nil }
        let cluster = try makeCluster()
        let reader = ClusterReader(cluster: cluster, labNamespace: settings.namespace)
        reader.workspace = WorkspaceHistory(workspace: workspace, lab: lab.id)
        let evaluator = CheckEvaluator(reader: reader, options: .init(kubeOnly: kubeOnly))
        let captures = try earlierCaptures()
        let deadline = Date().addingTimeInterval(wait ?? 0)
        var results = try evaluator.evaluate(step.checks, captures: captures)
        while results.contains(where: { $0.status == .failed }), Date() < deadline {
            sleep(1)
            reader.refresh()
            results = try evaluator.evaluate(step.checks, captures: captures)
        }
        if !results.contains(where: { $0.status == .failed }), confirm() {
            reader.refresh()
            results = try evaluator.evaluate(step.checks, captures: captures)
        }
        let index = lab.steps.firstIndex { $0.id == step.id }!
        let next = index + 1 < lab.steps.count ? lab.steps[index + 1] : nil
        guard !results.contains(where: { $0.status == .failed }) else {
            return Round(step: step, results: results, pass: nil, next: next)
        }
        // Secrets leave as digests, before anything is written or digested.
        var evidence = reader.evidence.redactingSecrets().files
        evidence[WorkspaceLayout.resultsFile] = try Results(results, lab: lab.id, step: step.id).fileData()
        // A read ahead still running is waited for, not repeated.
        readingAhead.wait()
        var provenance = ProvenanceCache(file: workspace.provenanceCacheFile).provenance(of: cluster, now: now())
        provenance.learner = workspace.settings.learner
        provenance.klabVersion = klabVersion
        provenance.time = Self.timestamp(now())
        evidence[Provenance.fileName] = provenance.fileData
        // Decide and record holding the lock: another klab (a second terminal) may have
        // recorded or reset the step since it was read.
        let pass = try workspace.writing { () throws -> PassOutcome? in
            guard try currentStep()?.id == step.id else { return nil }
            return try workspace.recordPass(lab: lab.id, step: step.id, nextStep: next?.id, evidence: evidence, classKey: classKey)
        }
        return Round(step: step, results: results, pass: pass, next: next, provenance: pass == nil ? nil : provenance)
    }

    /// Starts reading the cluster's provenance into the workspace's `ProvenanceCache` on another
    /// thread, unless it is remembered there already, so the next pass records it without
    /// running kubectl; a pass that comes meanwhile waits for this read rather than make its
    /// own. `klab verify --watch` starts it while the learner works. Nothing to read ahead
    /// for a cluster that is not kubectl's (a snapshot).
    public func startReadingProvenanceAhead() throws {
        guard let kubectl = ProvenanceCache.kubectl(of: try makeCluster()) else { return }
        let cache = ProvenanceCache(file: workspace.provenanceCacheFile)
        let at = now()
        readingAhead.enter()
        Thread.detachNewThread { [readingAhead] in
            _ = cache.provenance(of: kubectl, now: at)
            readingAhead.leave()
        }
    }

    /// Values captured by the steps already passed, for checks that use them, as recorded: a
    /// value read from a Secret or a redacted output is its digest, as the grader sees it
    /// (whether the step was verified by this process or another, under `--watch` or not).
    func earlierCaptures() throws -> [String: String] {
        var captures: [String: String] = [:]
        guard let progress = try workspace.progress(stepOrder: [lab.id: lab.steps.map(\.id)])[lab.id] else { return captures }
        for (step, _) in progress.passed {
            let url = workspace.root.appendingPathComponent(WorkspaceLayout.evidencePath(lab: lab.id, step: step))
                .appendingPathComponent(WorkspaceLayout.resultsFile)
            captures.merge(WorkspaceLayout.captures(inResults: try? InputFile.read(url.path, limit: InputLimits.snapshotFileBytes))) { _, new in new }
        }
        return captures
    }

    /// RFC 3339 in UTC, to the second (as Kubernetes writes `creationTimestamp`). Formatted by
    /// `Timestamp`, not a date formatter: the grader writes one per step of every hand-in, and
    /// making a formatter was 8% of a class's grading.
    public static func timestamp(_ date: Date) -> String {
        Timestamp(seconds: Int64(date.timeIntervalSince1970.rounded(.down))).description
    }

    /// The provenance of each step of a lab the learner passed, as recorded in the workspace.
    public static func provenance(in workspace: LearnerWorkspace, lab: String, steps: [String]) -> [String: Provenance] {
        var found: [String: Provenance] = [:]
        for step in steps {
            let url = workspace.root.appendingPathComponent(WorkspaceLayout.evidencePath(lab: lab, step: step))
                .appendingPathComponent(Provenance.fileName)
            if let provenance = Provenance(data: try? InputFile.read(url.path, limit: InputLimits.snapshotFileBytes)) { found[step] = provenance }
        }
        return found
    }

    /// What `results.json` in the evidence holds: each check with its status and message, and
    /// the values captured, so graders and later steps can read them. A value read from a
    /// Secret's data or a redacted output is kept as its digest (`ValueDigest.keeping`), with
    /// its length in bytes under `klabRedacted.captures` (as a Secret's are in evidence); the
    /// grader re-derives captures from its own evaluation and never reads them from here.
    public struct Results: Encodable, Equatable {
        public struct CheckEntry: Encodable, Equatable {
            public var name: String
            public var status: String
            public var message: [String]
        }

        public var lab: String
        public var step: String
        public var checks: [CheckEntry]
        /// By check, then by name; a later check's value of the same name wins in place.
        public var captures: JSONObject
        /// The length in bytes of each capture stored as a digest (`klabRedacted.captures` in
        /// the file, left out when there are none).
        public var redactedLengths: JSONObject

        public init(_ results: [CheckResult], lab: String, step: String) {
            self.lab = lab
            self.step = step
            // A check's name and messages may hold a secret value substituted into them.
            let secrets = results.flatMap { result in result.redactedCaptures.compactMap { result.captures[$0] } }
                .filter { !$0.isEmpty && !ValueDigest.isDigest($0) }
            func hiding(_ text: String) -> String {
                secrets.reduce(text) { $0.replacingOccurrences(of: $1, with: ValueDigest.keeping($1)) }
            }
            checks = results.map { CheckEntry(name: hiding($0.name), status: $0.status.rawValue, message: $0.message.map(hiding)) }
            captures = JSONObject()
            var lengths = JSONObject()
            for result in results {
                for (key, value) in result.captures.sorted(by: { $0.key < $1.key }) {
                    guard result.redactedCaptures.contains(key) else {
                        captures[key] = .string(value)
                        lengths[key] = nil
                        continue
                    }
                    let kept = ValueDigest.keeping(value)
                    captures[key] = .string(kept)
                    lengths[key] = kept == value.lowercased() ? nil : .int(Int64(value.utf8.count))
                }
            }
            redactedLengths = lengths
        }

        private enum CodingKeys: String, CodingKey { case lab, step, checks, captures, klabRedacted }

        public func encode(to encoder: Encoder) throws {
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encode(lab, forKey: .lab)
            try container.encode(step, forKey: .step)
            try container.encode(checks, forKey: .checks)
            try container.encode(JSONValue.object(captures), forKey: .captures)
            if !redactedLengths.isEmpty {
                try container.encode(JSONValue.object(JSONObject([("captures", .object(redactedLengths))])), forKey: .klabRedacted)
            }
        }

        /// The file's bytes: indented JSON, keys in the order above, a final newline.
        public func fileData() throws -> Data {
            Data(try JSONValueEncoder().pretty(self).utf8)
        }
    }
}
