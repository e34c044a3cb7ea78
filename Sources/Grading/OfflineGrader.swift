import Checks
import Foundation
import KubeJSON
import LabGit
import LabSpec
import Workspace

/// Grades one hand-in (a workspace folder or a git bundle) offline, treating it as untrusted
/// data: read through libgit2 only, nothing checked out, nothing executed, nothing written
/// inside it. Each claimed step counts only if its stored evidence passes the instructor's
/// own checks; everything that does not hold is flagged with the reason.
public struct OfflineGrader: Sendable {
    /// The instructor's labs, by id.
    public let labs: [String: Lab]
    /// Digests of the instructor's lab packages, by id.
    public let digests: [String: String]
    /// The labs graded (report columns), in order.
    public let labOrder: [String]
    /// The class key; when set, every pass must carry a valid signature.
    public let classKey: Data?

    public init(labs: [Lab], grading labOrder: [String], classKey: Data?) {
        self.labs = Dictionary(uniqueKeysWithValues: labs.map { ($0.id, $0) })
        digests = Dictionary(uniqueKeysWithValues: labs.filter { labOrder.contains($0.id) }.map { ($0.id, LabMaterials.digest(of: $0)) })
        self.labOrder = labOrder
        self.classKey = classKey
    }

    /// Grades a hand-in; never throws: an unreadable one is a grade of zero with a flag.
    public func grade(_ entry: RosterEntry) -> LearnerGrade {
        let source = entry.workspace ?? "(none)"
        let fallbackName = entry.learner ?? ((source as NSString).lastPathComponent as NSString).deletingPathExtension
        do {
            let opened = try Self.open(source)
            return try grade(repository: opened.repository, tip: opened.tip, entry: entry, source: source)
        } catch {
            let flag = GradeFlag(.unreadable, detail: "\(error)")
            return LearnerGrade(learner: fallbackName, source: source, labs: emptyLabs(), flags: [flag])
        }
    }

    private func emptyLabs() -> [LabGrade] {
        labOrder.map { id in
            LabGrade(lab: id, steps: (labs[id]?.steps ?? []).map {
                StepGrade(step: $0.id, status: .notAttempted, points: 0, maxPoints: $0.points)
            }, started: false)
        }
    }

    /// The repository and the commit its branch is on. Bundles are indexed into a private
    /// scratch copy (kept alive by the returned handle).
    static func open(_ path: String) throws -> (repository: Repository, tip: ObjectID, bundle: GitBundle?) {
        let url = URL(fileURLWithPath: path)
        var isDirectory: ObjCBool = false
        FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory)
        if !isDirectory.boolValue {
            let bundle = try GitBundle.open(at: url)
            let refs = bundle.references
            let preferred = refs.first { $0.name == "refs/heads/main" } ?? refs.first { $0.name == "HEAD" }
                ?? refs.first { $0.name.hasPrefix("refs/heads/") }
            guard let tip = preferred?.target else { throw LabGitError.notFound("a branch in bundle \(path)") }
            return (bundle.repository, tip, bundle)
        }
        let repository = try Repository.openForReading(at: url)
        guard let tip = try repository.headCommitID() else { throw LabGitError.notFound("any commit in \(path)") }
        return (repository, tip, nil)
    }

    func grade(repository: Repository, tip: ObjectID, entry: RosterEntry, source: String) throws -> LearnerGrade {
        var flags: [GradeFlag] = []
        // klab's commits along the first-parent chain, oldest first.
        var chain: [(commit: Commit, entry: ProgressEntry)] = []
        var next: ObjectID? = tip
        var seen = Set<ObjectID>()
        while let id = next, seen.insert(id).inserted {
            let commit = try repository.commit(id)
            if let progress = ProgressEntry(commit: id.hex, trailers: commit.trailers.map { ($0.key, $0.value) }) {
                chain.append((commit, progress))
            }
            next = commit.parents.first
        }
        chain.reverse()

        // Each klab commit names the one before it; a rebase or a hand-made commit breaks it.
        var previous = "none"
        var rewritten = false
        for link in chain {
            let claimed = link.entry.trailers.last { $0.0 == Workspace.Trailer.previous }?.1
            if claimed != previous { rewritten = true }
            previous = link.entry.commit
        }
        if rewritten {
            flags.append(GradeFlag(.historyRewritten, detail: "klab's commits do not chain as klab wrote them (Klab-Previous); the history was rebased, amended or edited"))
        }

        let settingsData = try repository.blob(at: LearnerWorkspace.settingsPath, in: tip)
        let settings = settingsData.flatMap { try? JSONDecoder().decode(WorkspaceSettings.self, from: $0) }
        let learner = entry.learner ?? settings?.learner ?? ((source as NSString).lastPathComponent as NSString).deletingPathExtension

        let orders = labs.mapValues { $0.steps.map(\.id) }
        let progress = ProgressLog.replay(chain.map(\.entry), stepOrder: orders)
        let commits = Dictionary(chain.map { ($0.entry.commit, $0.commit) }, uniquingKeysWith: { a, _ in a })
        var labGrades: [LabGrade] = []
        for labID in labOrder {
            guard let lab = labs[labID] else { continue }
            guard let labProgress = progress[labID] else {
                labGrades.append(LabGrade(lab: labID, steps: lab.steps.map {
                    StepGrade(step: $0.id, status: .notAttempted, points: 0, maxPoints: $0.points)
                }, started: false))
                continue
            }
            if let start = chain.last(where: { $0.entry.lab == labID && $0.entry.event == .start }),
               let claimed = start.entry.trailers.last(where: { $0.0 == Workspace.Trailer.labsDigest })?.1,
               claimed != digests[labID] {
                flags.append(GradeFlag(.labContentDiffers, lab: labID, detail: "the learner started from a lab package that differs from yours (\(claimed.prefix(19))… vs \(digests[labID]?.prefix(19) ?? "?")…)"))
            }
            var captures: [String: String] = [:]
            var steps: [StepGrade] = []
            for step in lab.steps {
                guard let passed = labProgress.passed.first(where: { $0.step == step.id }),
                      let commit = commits[passed.commit]
                else {
                    steps.append(StepGrade(step: step.id, status: .notAttempted, points: 0, maxPoints: step.points))
                    continue
                }
                let (grade, stepFlags, stepCaptures) = gradeStep(
                    lab: lab, step: step, commit: commit, repository: repository, captures: captures)
                captures.merge(stepCaptures) { _, new in new }
                flags += stepFlags
                steps.append(grade)
            }
            labGrades.append(LabGrade(lab: labID, steps: steps, started: true))
        }
        for lab in progress.keys.sorted() where labs[lab] == nil {
            flags.append(GradeFlag(.unknownLab, lab: lab, detail: "the workspace has progress in a lab your labs folder does not have"))
        }
        return LearnerGrade(learner: learner, source: source, labs: labGrades, flags: flags)
    }

    /// Re-checks one claimed step against the evidence stored in its pass commit.
    func gradeStep(
        lab: Lab, step: LabStep, commit: Commit, repository: Repository, captures: [String: String]
    ) -> (StepGrade, [GradeFlag], [String: String]) {
        func flagged(_ flag: GradeFlag, _ message: String? = nil) -> (StepGrade, [GradeFlag], [String: String]) {
            (StepGrade(step: step.id, status: .flagged, points: 0, maxPoints: step.points, messages: [message ?? flag.detail]), [flag], [:])
        }
        let trailers = commit.trailers
        var files: [String: Data] = [:]
        do {
            // Only the step's evidence folder is walked, not the learner's whole tree.
            if let folder = try repository.entry(at: ".klab/evidence/\(lab.id)/\(step.id)", in: commit.id), folder.mode == .directory {
                for item in try repository.treeEntries(of: folder.id) where item.mode.isBlob {
                    files[item.path] = try repository.blob(item.id)
                }
            }
        } catch {
            return flagged(GradeFlag(.unreadable, lab: lab.id, step: step.id, detail: "its evidence cannot be read: \(error)"))
        }
        guard !files.isEmpty, files["results.json"] != nil else {
            return flagged(GradeFlag(.evidenceMissing, lab: lab.id, step: step.id, detail: "the pass commit \(commit.id.short) holds no evidence for this step"))
        }
        let claimedDigest = trailers.last { $0.key == Workspace.Trailer.evidence }?.value
        let digest = EvidenceSeal.digest(files)
        guard claimedDigest == digest else {
            return flagged(GradeFlag(.digestMismatch, lab: lab.id, step: step.id, detail: "the evidence does not match the digest its commit \(commit.id.short) records: it was changed afterwards"))
        }
        if let classKey {
            let previous = trailers.last { $0.key == Workspace.Trailer.previous }?.value ?? ""
            guard let signature = trailers.last(where: { $0.key == Workspace.Trailer.signature })?.value else {
                return flagged(GradeFlag(.signatureMissing, lab: lab.id, step: step.id, detail: "the pass is not signed with the class key"))
            }
            guard EvidenceSeal.verify(signature: signature, key: classKey, lab: lab.id, step: step.id, digest: digest, previous: previous) else {
                return flagged(GradeFlag(.signatureInvalid, lab: lab.id, step: step.id, detail: "the signature does not verify with the class key"))
            }
        }

        // Re-evaluate the instructor's checks, with the learner's parameters, on the evidence.
        var evidence = files
        let results = evidence.removeValue(forKey: "results.json")
        var stepCaptures: [String: String] = [:]
        if let results, let json = try? JSONParser.parse(bytes: results), case .object(let saved)? = json["captures"] {
            for (key, value) in saved.entries { if let text = value.stringValue { stepCaptures[key] = text } }
        }
        do {
            let settings = try repository.blob(at: ".klab/labs/\(lab.id).json", in: commit.id)
                .flatMap { try? JSONDecoder().decode(LabSettings.self, from: $0) }
            var parameters = settings?.parameters ?? [:]
            parameters["namespace"] = settings?.namespace ?? lab.defaultParameters["namespace"]
            let resolved = try lab.resolved(parameters: parameters)
            guard let resolvedStep = resolved.step(step.id) else { throw WorkspaceError.unknownStep(lab: lab.id, step: step.id) }
            let cluster = try SnapshotCluster(evidence: Evidence(files: evidence))
            let reader = ClusterReader(cluster: cluster, labNamespace: parameters["namespace"] ?? "default")
            let evaluator = CheckEvaluator(reader: reader, options: .init(honourWait: false))
            let checkResults = try evaluator.evaluate(resolvedStep.checks, captures: captures)
            let failures = checkResults.filter { $0.status != .passed }
            let points = Self.points(step: step, results: checkResults)
            if failures.isEmpty {
                return (StepGrade(step: step.id, status: .passed, points: points, maxPoints: step.points), [], stepCaptures)
            }
            let messages = failures.map { ([$0.name] + $0.message).joined(separator: ": ") }
            let flag = GradeFlag(.evidenceFailsChecks, lab: lab.id, step: step.id, detail: messages.first ?? "a check fails")
            return (StepGrade(step: step.id, status: .flagged, points: step.partialCredit ? points : 0, maxPoints: step.points, messages: messages), [flag], stepCaptures)
        } catch {
            return flagged(GradeFlag(.evidenceFailsChecks, lab: lab.id, step: step.id, detail: "the evidence cannot be checked: \(error)"))
        }
    }

    /// All the step's points when every check passes; under partial credit, the share of the
    /// checks that pass, by weight.
    static func points(step: LabStep, results: [CheckResult]) -> Double {
        guard step.partialCredit else { return results.allSatisfy(\.passed) ? step.points : 0 }
        let total = step.checks.reduce(0) { $0 + $1.weight }
        guard total > 0 else { return 0 }
        var earned = 0.0
        for (check, result) in zip(step.checks, results) where result.passed { earned += check.weight }
        return step.points * earned / total
    }
}
