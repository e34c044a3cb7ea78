import Checks
import Foundation
import KubeJSON
import LabGit
import LabSpec
import Workspace

/// Grades one hand-in (a workspace folder or a git bundle) offline, treating it as untrusted
/// data: read through libgit2 only, nothing checked out, nothing executed, nothing written
/// inside it. Each claimed step counts only if its stored evidence passes the instructor's
/// own checks, was read from a cluster (not a snapshot), and is signed with the learner's key
/// (or the class key); everything that does not hold is flagged with the reason. What only a
/// comparison across the class shows (shared commits, copied objects) is `ClassGrader`'s.
public struct OfflineGrader: Sendable {
    public struct Options: Sendable {
        /// The class key; when set, every pass must carry a valid signature, with the learner's
        /// own key (derived from it and the roster id) or the class key itself.
        public var classKey: Data?
        /// Learners were given per-learner keys: a pass signed with the class-wide key is invalid.
        public var learnerKeys: Bool
        /// Steps passed against a snapshot count (no `practice-evidence` flag).
        public var acceptSnapshots: Bool

        public init(classKey: Data? = nil, learnerKeys: Bool = false, acceptSnapshots: Bool = false) {
            self.classKey = classKey
            self.learnerKeys = learnerKeys
            self.acceptSnapshots = acceptSnapshots
        }
    }

    /// The instructor's labs, by id.
    public let labs: [String: Lab]
    /// Digests of the instructor's lab packages, by id.
    public let digests: [String: String]
    /// The labs graded (report columns), in order.
    public let labOrder: [String]
    public let options: Options
    /// UIDs of the namespaced objects (outside kube-system) in the labs' shipped fixtures,
    /// read the first time a hand-in's evidence is compared with them (never, when no hand-in
    /// holds evidence from a cluster).
    public var fixtureUIDs: Set<String> { fixtures.uids }
    let fixtures: FixtureIndex
    /// Each step's checks with the parameters a hand-in's steps were verified with, shared by
    /// the class: nearly every learner verifies with the same values.
    let resolvedChecks = ResolvedChecks()

    /// A clock skew allowed between the API server and the learner's machine.
    static let clockSkew: TimeInterval = 300

    public init(labs: [Lab], grading labOrder: [String], options: Options) {
        self.labs = Dictionary(uniqueKeysWithValues: labs.map { ($0.id, $0) })
        digests = Dictionary(uniqueKeysWithValues: labs.filter { labOrder.contains($0.id) }.map { ($0.id, LabMaterials.digest(of: $0)) })
        self.labOrder = labOrder
        self.options = options
        fixtures = FixtureIndex(labs: labs)
    }

    public init(labs: [Lab], grading labOrder: [String], classKey: Data?) {
        self.init(labs: labs, grading: labOrder, options: Options(classKey: classKey))
    }

    /// A hand-in graded, with what the class-wide checks compare.
    public struct HandIn: Sendable {
        public var grade: LearnerGrade
        /// klab's commit ids.
        public var commits: Set<String>
        /// `lab/step digest` of every pass.
        public var evidenceDigests: Set<String>
        /// `lab uid` of the namespaced objects of the lab's namespace in the evidence.
        public var objectUIDs: Set<String>
        /// Hints the history says were shown (`klab hint`), by `lab/step`, for the labs graded;
        /// the count `klab verify` reports to a dashboard.
        public var hints: [String: Int]

        public init(grade: LearnerGrade, commits: Set<String> = [], evidenceDigests: Set<String> = [], objectUIDs: Set<String> = [],
                    hints: [String: Int] = [:]) {
            self.grade = grade
            self.commits = commits
            self.evidenceDigests = evidenceDigests
            self.objectUIDs = objectUIDs
            self.hints = hints
        }
    }

    /// Grades a hand-in; never throws: an unreadable one is a grade of zero with a flag.
    public func grade(_ entry: RosterEntry) -> LearnerGrade { inspect(entry).grade }

    public func inspect(_ entry: RosterEntry) -> HandIn {
        let source = entry.workspace ?? "(none)"
        let name = Self.rowName(entry)
        do {
            let opened = try Self.open(source)
            return try grade(repository: opened.repository, tip: opened.tip, name: name, source: source)
        } catch {
            let flag = GradeFlag(.unreadable, detail: "\(error)")
            return HandIn(grade: LearnerGrade(learner: name, source: source, labs: emptyLabs(), flags: [flag]),
                          commits: [], evidenceDigests: [], objectUIDs: [])
        }
    }

    /// A row is named after the roster, else the hand-in's file name: never only after what
    /// the workspace claims.
    public static func rowName(_ entry: RosterEntry) -> String {
        entry.learner ?? (((entry.workspace ?? "(none)") as NSString).lastPathComponent as NSString).deletingPathExtension
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
            let bundle = try GitBundle.open(at: url, limits: limits)
            let refs = bundle.references
            let preferred = refs.first { $0.name == "refs/heads/main" } ?? refs.first { $0.name == "HEAD" }
                ?? refs.first { $0.name.hasPrefix("refs/heads/") }
            guard let tip = preferred?.target else { throw LabGitError.notFound("a branch in bundle \(path)") }
            return (bundle.repository, tip, bundle)
        }
        let repository = try Repository.openForReading(at: url, limits: limits)
        guard let tip = try repository.headCommitID() else { throw LabGitError.notFound("any commit in \(path)") }
        return (repository, tip, nil)
    }

    /// How much of a hand-in is read at most (`InputLimits.HandIn`).
    static let limits = UntrustedLimits(
        bundleBytes: InputLimits.HandIn.bundleBytes, packObjects: InputLimits.HandIn.packObjects,
        bundleReferences: InputLimits.HandIn.bundleReferences, objectBytes: InputLimits.HandIn.objectBytes,
        treeBytes: InputLimits.HandIn.treeBytes, treeDepth: InputLimits.HandIn.treeDepth,
        treeEntries: InputLimits.HandIn.evidenceFiles, gitDirectoryEntries: InputLimits.HandIn.gitDirectoryEntries,
        allocationBytes: InputLimits.HandIn.allocationBytes)

    /// What the grading of one learner gathers as it goes.
    private struct Collected {
        var flags: [GradeFlag] = []
        var keys: Set<String> = []
        var claimedLearners: Set<String> = []
        var evidenceDigests: Set<String> = []
        var objectUIDs: Set<String> = []
    }

    func grade(repository: Repository, tip: ObjectID, name: String, source: String) throws -> HandIn {
        var collected = Collected()
        let history = try KlabHistory(repository: repository, tip: tip)
        if !history.chainsAsWritten {
            collected.flags.append(GradeFlag(.historyRewritten, detail: "klab's commits do not chain as klab wrote them (Klab-Previous); the history was rebased, amended or edited"))
        }
        let overrides = try repository.historyOverrides()
        if !overrides.isEmpty {
            // Graded from the commits as stored; git shows another history there.
            collected.flags.append(GradeFlag(.historyRewritten, detail: "\(overrides.joined(separator: "; ")): `git log` in this hand-in shows another history than the stored one klab graded"))
        }
        let workspaceLearner = try history.workspaceSettings()?.learner
        if let claimed = workspaceLearner { collected.claimedLearners.insert(claimed) }
        let resolver = LabResolver(workspaceLearner: workspaceLearner)
        // The learner's own key, derived once for all of the hand-in's passes.
        let learnerKey = options.classKey.map { Data(LearnerKeys.key(classKey: $0, learner: name).utf8) }

        let orders = labs.mapValues { $0.steps.map(\.id) }
        let progress = history.progress(stepOrder: orders)
        let commits = Dictionary(history.links.map { ($0.entry.commit, $0.commit) }, uniquingKeysWith: { a, _ in a })
        var labGrades: [LabGrade] = []
        for labID in labOrder {
            guard let lab = labs[labID] else { continue }
            guard let labProgress = progress[labID] else {
                labGrades.append(LabGrade(lab: labID, steps: lab.steps.map {
                    StepGrade(step: $0.id, status: .notAttempted, points: 0, maxPoints: $0.points)
                }, started: false))
                continue
            }
            if let start = history.links.last(where: { $0.entry.lab == labID && $0.entry.event == .start }),
               let claimed = start.entry.value(KlabTrailer.labsDigest),
               claimed != digests[labID] {
                collected.flags.append(GradeFlag(.labContentDiffers, lab: labID, detail: "the learner started from a lab package that differs from yours (\(claimed.prefix(19))… vs \(digests[labID]?.prefix(19) ?? "?")…)"))
            }
            // Captures come from the grader's own evaluation of the earlier steps, never from
            // the learner's results.json.
            var captures: [String: String] = [:]
            var steps: [StepGrade] = []
            var clusters: [(id: String, step: String)] = []
            var versions: [String: (version: Int, step: String)] = [:]
            for step in lab.steps {
                guard let passed = labProgress.passed.first(where: { $0.step == step.id }),
                      let commit = commits[passed.commit]
                else {
                    steps.append(StepGrade(step: step.id, status: .notAttempted, points: 0, maxPoints: step.points))
                    continue
                }
                let outcome = gradeStep(lab: lab, step: step, commit: commit, history: history, name: name, captures: captures,
                                        resolver: resolver, learnerKey: learnerKey)
                captures.merge(outcome.captures) { _, new in new }
                var grade = outcome.grade
                var flags = outcome.flags
                collected.keys.formUnion(outcome.key.map { [$0] } ?? [])
                if let digest = outcome.digest { collected.evidenceDigests.insert("\(lab.id)/\(step.id) \(digest)") }
                if let learner = outcome.provenance?.learner { collected.claimedLearners.insert(learner) }
                if let id = outcome.provenance?.clusterID, outcome.provenance?.source == .cluster { clusters.append((id, step.id)) }
                // Plausibility and fixtures, on what the step's evidence holds.
                var problems: [GradeFlag] = []
                let namespace = outcome.namespace
                var fixtureHits = 0
                var lateObjects: [String] = []
                // Kubernetes writes creationTimestamp in UTC to the second: compared as text.
                let latest = Self.timestamp(commit.time.addingTimeInterval(Self.clockSkew))
                // Only what claims to come from a cluster is held to a cluster's rules (accepted
                // snapshots are practice material, shared by the whole class).
                let fromCluster = outcome.provenance?.source == .cluster
                var shipped: Set<String>?
                for object in outcome.objects where fromCluster {
                    let metadata = object["metadata"]
                    guard let uid = metadata?["uid"]?.stringValue, !uid.isEmpty else { continue }
                    let objectNamespace = metadata?["namespace"]?.stringValue
                    let kind = object["kind"]?.stringValue ?? "object"
                    let label = "\(kind) \(objectNamespace.map { "\($0)/" } ?? "")\(metadata?["name"]?.stringValue ?? "?")"
                    if let objectNamespace, objectNamespace != "kube-system" {
                        let known = shipped ?? fixtureUIDs
                        shipped = known
                        if known.contains(uid) { fixtureHits += 1 }
                        if objectNamespace == namespace { collected.objectUIDs.insert("\(lab.id) \(uid)") }
                    }
                    if let created = metadata?["creationTimestamp"]?.stringValue, created.count == latest.count,
                       created.hasSuffix("Z"), created > latest {
                        lateObjects.append(label)
                    }
                    if let version = metadata?["resourceVersion"]?.stringValue.flatMap({ Int($0) }) {
                        if let earlier = versions[uid], earlier.step != step.id, version < earlier.version {
                            problems.append(GradeFlag(.implausibleEvidence, lab: lab.id, step: step.id, detail: "\(label) has resourceVersion \(version) here but \(earlier.version) in the earlier step \(earlier.step): it went back"))
                        }
                        versions[uid] = (version, step.id)
                    }
                }
                if fixtureHits > 0 {
                    problems.append(GradeFlag(.fixtureEvidence, lab: lab.id, step: step.id, detail: Self.fixtureEvidenceDetail(fixtureHits)))
                }
                if !lateObjects.isEmpty {
                    problems.append(GradeFlag(.implausibleEvidence, lab: lab.id, step: step.id, detail: "\(lateObjects.prefix(3).joined(separator: ", ")) created after the pass was recorded (\(Self.timestamp(commit.time)))"))
                }
                if !problems.isEmpty, grade.status == .passed {
                    grade = StepGrade(step: step.id, status: .flagged, points: 0, maxPoints: step.points, messages: problems.map(\.detail))
                }
                flags += problems
                collected.flags += flags
                steps.append(grade)
            }
            let distinct = Set(clusters.map(\.id))
            if distinct.count > 1 {
                let groups = distinct.sorted().map { id in "\(id.prefix(13))… (\(clusters.filter { $0.id == id }.map(\.step).joined(separator: ", ")))" }
                collected.flags.append(GradeFlag(.clusterChanged, lab: labID, detail: "the steps were verified against \(distinct.count) different clusters: \(groups.joined(separator: "; "))"))
            }
            labGrades.append(LabGrade(lab: labID, steps: steps, started: true))
        }
        for lab in progress.keys.sorted() where labs[lab] == nil {
            collected.flags.append(GradeFlag(.unknownLab, lab: lab, detail: "the workspace has progress in a lab your labs folder does not have"))
        }
        let others = collected.claimedLearners.subtracting([name]).sorted()
        if !others.isEmpty {
            collected.flags.insert(GradeFlag(.learnerMismatch, detail: "the hand-in says it is the work of \(others.joined(separator: ", ")), not \(name)"), at: 0)
        }
        let signedWith = collected.keys.contains("class") ? "class" : collected.keys.contains("learner") ? "learner" : nil
        return HandIn(
            grade: LearnerGrade(learner: name, source: source, labs: labGrades, flags: collected.flags, signedWith: signedWith),
            commits: Set(history.links.map(\.entry.commit)), evidenceDigests: collected.evidenceDigests,
            objectUIDs: collected.objectUIDs, hints: Self.hints(progress, graded: labOrder))
    }

    /// `lab/step` → hints shown, from the history's progress, for the labs graded.
    static func hints(_ progress: [String: LabProgress], graded: [String]) -> [String: Int] {
        var hints: [String: Int] = [:]
        for lab in graded {
            for (step, count) in progress[lab]?.hintsShown ?? [:] where count > 0 { hints["\(lab)/\(step)"] = count }
        }
        return hints
    }

    /// How one claimed step was graded, and what the class-wide checks need of it.
    struct StepOutcome {
        var grade: StepGrade
        var flags: [GradeFlag]
        /// What the grader's own evaluation captured.
        var captures: [String: String] = [:]
        /// `learner` or `class`: the key the signature verified with.
        var key: String?
        var digest: String?
        var provenance: Provenance?
        /// The objects of the evidence, and the lab's namespace for this learner.
        var objects: [JSONValue] = []
        var namespace: String = "default"
    }

    /// The parameters one hand-in's steps were verified with: worked out once for each lab
    /// settings file the steps were committed with (a lab's steps nearly always share one).
    final class LabResolver {
        let workspaceLearner: String?
        private var bySettingsFile: [String: [ObjectID?: LabRunParameters]] = [:]

        init(workspaceLearner: String?) {
            self.workspaceLearner = workspaceLearner
        }

        /// The parameters of `lab` as the settings committed in `commit` give them.
        func parameters(_ lab: Lab, in commit: ObjectID, history: KlabHistory) throws -> LabRunParameters {
            let file = try history.labSettingsFile(lab.id, in: commit)
            if let known = bySettingsFile[lab.id]?[file] { return known }
            let started = try history.labSettings(file: file)
            let parameters = try LabInvocation(started: started, workspaceLearner: workspaceLearner).parameters(for: lab)
            bySettingsFile[lab.id, default: [:]][file] = parameters
            return parameters
        }
    }

    /// Re-checks one claimed step against the evidence stored in its pass commit.
    func gradeStep(
        lab: Lab, step: LabStep, commit: Commit, history: KlabHistory, name: String, captures: [String: String],
        resolver: LabResolver? = nil, learnerKey: Data? = nil
    ) -> StepOutcome {
        func flagged(_ flag: GradeFlag, _ outcome: StepOutcome? = nil) -> StepOutcome {
            var result = outcome ?? StepOutcome(grade: StepGrade(step: step.id, status: .flagged, points: 0, maxPoints: step.points), flags: [])
            result.grade = StepGrade(step: step.id, status: .flagged, points: 0, maxPoints: step.points, messages: [flag.detail])
            result.flags = [flag]
            return result
        }
        let trailers = commit.trailers
        let files: [String: Data]
        do {
            files = try history.evidence(lab: lab.id, step: step.id, in: commit.id)
        } catch {
            return flagged(GradeFlag(.unreadable, lab: lab.id, step: step.id, detail: "its evidence cannot be read: \(error)"))
        }
        guard !files.isEmpty, files[WorkspaceLayout.resultsFile] != nil else {
            return flagged(GradeFlag(.evidenceMissing, lab: lab.id, step: step.id, detail: "the pass commit \(commit.id.short) holds no evidence for this step"))
        }
        let claimedDigest = trailers.last { $0.key == KlabTrailer.evidence }?.value
        let digest = EvidenceSeal.digest(files)
        guard claimedDigest == digest else {
            return flagged(GradeFlag(.digestMismatch, lab: lab.id, step: step.id, detail: "the evidence does not match the digest its commit \(commit.id.short) records: it was changed afterwards"))
        }
        var outcome = StepOutcome(grade: StepGrade(step: step.id, status: .flagged, points: 0, maxPoints: step.points), flags: [])
        outcome.digest = digest
        outcome.provenance = Provenance(data: files[Provenance.fileName])
        if let classKey = options.classKey {
            let previous = trailers.last { $0.key == KlabTrailer.previous }?.value ?? ""
            guard let signature = trailers.last(where: { $0.key == KlabTrailer.signature })?.value else {
                return flagged(GradeFlag(.signatureMissing, lab: lab.id, step: step.id, detail: "the pass is not signed"), outcome)
            }
            func verifies(_ key: Data) -> Bool {
                EvidenceSeal.verify(signature: signature, key: key, lab: lab.id, step: step.id, digest: digest, previous: previous)
            }
            if verifies(learnerKey ?? Data(LearnerKeys.key(classKey: classKey, learner: name).utf8)) {
                outcome.key = "learner"
            } else if verifies(classKey) {
                guard !options.learnerKeys else {
                    return flagged(GradeFlag(.signatureInvalid, lab: lab.id, step: step.id, detail: "signed with the class-wide key, not \(name)'s own key (this class uses per-learner keys)"), outcome)
                }
                outcome.key = "class"
            } else {
                return flagged(GradeFlag(.signatureInvalid, lab: lab.id, step: step.id, detail: "the signature verifies neither with \(name)'s key nor with the class key"), outcome)
            }
        }
        if !options.acceptSnapshots {
            switch outcome.provenance?.source {
            case .cluster?:
                break
            case .snapshot?:
                return flagged(GradeFlag(.practiceEvidence, lab: lab.id, step: step.id, detail: "passed against a snapshot (\(outcome.provenance?.snapshotPath ?? "?")): practice, no marks (--accept-snapshots counts it)"), outcome)
            default:
                return flagged(GradeFlag(.practiceEvidence, lab: lab.id, step: step.id, detail: "the evidence does not say it was read from a cluster (no provenance.json): no marks (--accept-snapshots counts it)"), outcome)
            }
        }

        // Re-evaluate the instructor's checks, with the learner's parameters, on the evidence.
        var evidence = files
        evidence.removeValue(forKey: WorkspaceLayout.resultsFile)
        evidence.removeValue(forKey: Provenance.fileName)
        do {
            // The parameters verify ran with: the lab as started, for the workspace's learner.
            let resolver = try resolver ?? LabResolver(workspaceLearner: try history.workspaceSettings()?.learner)
            let parameters = try resolver.parameters(lab, in: commit.id, history: history)
            let namespace = parameters.namespace
            outcome.namespace = namespace
            guard let checks = try resolvedChecks.checks(of: lab, step: step.id, parameters: parameters.values) else {
                throw WorkspaceError.unknownStep(lab: lab.id, step: step.id)
            }
            let cluster = try SnapshotCluster(evidence: Evidence(files: evidence))
            outcome.objects = cluster.allObjects
            let reader = ClusterReader(cluster: cluster, labNamespace: namespace)
            let evaluator = CheckEvaluator(reader: reader, options: .init(honourWait: false))
            let checkResults = try evaluator.evaluate(checks, captures: captures)
            for result in checkResults { outcome.captures.merge(result.captures) { _, new in new } }
            let failures = checkResults.filter { $0.status != .passed }
            let points = Self.points(step: step, results: checkResults)
            if failures.isEmpty {
                outcome.grade = StepGrade(step: step.id, status: .passed, points: points, maxPoints: step.points)
                return outcome
            }
            let messages = failures.map { ([$0.name] + $0.message).joined(separator: ": ") }
            outcome.flags = [GradeFlag(.evidenceFailsChecks, lab: lab.id, step: step.id, detail: messages.first ?? "a check fails")]
            outcome.grade = StepGrade(step: step.id, status: .flagged, points: step.partialCredit ? points : 0, maxPoints: step.points, messages: messages)
            return outcome
        } catch {
            return flagged(GradeFlag(.evidenceFailsChecks, lab: lab.id, step: step.id, detail: "the evidence cannot be checked: \(error)"), outcome)
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

    /// A lab step's checks resolved with a set of parameter values (`Lab.resolvedChecks`),
    /// kept for every hand-in that verified with the same values, up to `most` sets.
    // @unchecked: `known` is read and written only while holding `lock`.
    final class ResolvedChecks: @unchecked Sendable {
        private struct Key: Hashable {
            var lab: String
            var step: String
            var parameters: [String: String]
        }
        private let lock = NSLock()
        private var known: [Key: [Check]?] = [:]
        /// The parameters each step's checks read (`Lab.parametersReferenced(byStep:)`), by
        /// lab and step: only their values tell one set from another, so a class whose
        /// learners differ in a value no check reads (the learner's name) shares one set.
        private var referenced: [String: Set<String>?] = [:]
        static let most = 4096

        func checks(of lab: Lab, step: String, parameters: [String: String]) throws -> [Check]? {
            // Every value the checks would be resolved with (a name the lab does not have is
            // refused here, as resolving refuses it), narrowed to those they read.
            let values = try lab.parameterValues(parameters)
            let stepKey = lab.id + "/" + step
            lock.lock()
            let names = referenced[stepKey]
            lock.unlock()
            let read: Set<String>?
            if let names {
                read = names
            } else {
                read = lab.parametersReferenced(byStep: step)
                lock.lock()
                referenced[stepKey] = read
                lock.unlock()
            }
            let key = Key(lab: lab.id, step: step, parameters: read.map { read in values.filter { read.contains($0.key) } } ?? values)
            lock.lock()
            let found = known[key]
            lock.unlock()
            if let found { return found }
            // Resolved outside the lock; a refusal (an unknown parameter) is not kept.
            let checks = try lab.resolvedChecks(ofStep: step, parameters: parameters)
            lock.lock()
            if known.count < Self.most { known[key] = checks }
            lock.unlock()
            return checks
        }

        /// How many sets are kept.
        var count: Int {
            lock.lock()
            defer { lock.unlock() }
            return known.count
        }
    }

    /// The UIDs of namespaced objects outside kube-system in every lab's `fixtures/` folders,
    /// read once, when first asked for, the folders in parallel.
    // @unchecked: `read` is written only while holding `lock`; `labs` is immutable.
    final class FixtureIndex: @unchecked Sendable {
        private let labs: [Lab]
        private let lock = NSLock()
        private var read: Set<String>?

        init(labs: [Lab]) {
            self.labs = labs
        }

        /// Whether the fixtures were read.
        var isRead: Bool {
            lock.lock()
            defer { lock.unlock() }
            return read != nil
        }

        var uids: Set<String> {
            lock.lock()
            defer { lock.unlock() }
            if let read { return read }
            let uids = Self.uids(labs)
            read = uids
            return uids
        }

        static func uids(_ labs: [Lab]) -> Set<String> {
            var folders: [String] = []
            for lab in labs {
                let folder = lab.directory.appendingPathComponent("fixtures")
                guard let names = try? FileManager.default.contentsOfDirectory(atPath: folder.path) else { continue }
                folders += names.filter { !$0.hasPrefix(".") }.sorted().map { folder.appendingPathComponent($0).path }
            }
            let found = Slots<Set<String>>(count: folders.count)
            DeepStack.concurrentPerform(iterations: folders.count) { index in
                var uids = Set<String>()
                if let snapshot = try? SnapshotCluster(directory: folders[index], digesting: false) {
                    for object in snapshot.allObjects {
                        guard let namespace = object["metadata"]?["namespace"]?.stringValue, namespace != "kube-system",
                              let uid = object["metadata"]?["uid"]?.stringValue, !uid.isEmpty else { continue }
                        uids.insert(uid)
                    }
                }
                _ = found.fill(index, with: uids)
            }
            return found.values.reduce(into: Set<String>()) { $0.formUnion($1) }
        }
    }

    static func timestamp(_ date: Date) -> String { StepVerifier.timestamp(date) }

    /// The detail of a `fixture-evidence` flag: how many of the step's evidence objects carry
    /// the UIDs of the labs' shipped fixtures, in agreement with that number.
    static func fixtureEvidenceDetail(_ objects: Int) -> String {
        objects == 1
            ? "1 object in the evidence carries the UIDs of the labs' shipped fixtures: a replay, not a cluster"
            : "\(objects) objects in the evidence carry the UIDs of the labs' shipped fixtures: a replay, not a cluster"
    }
}
