import Checks
import Foundation
import LabSpec
import Workspace

/// Live grading: each lab's completion checks for every learner against the cluster, with
/// one `kubectl get` per kind and context for the whole class: every learner's reader draws
/// on one cluster-wide list per kind, shared through the context's `KubectlCluster`.
public struct LiveGrader: Sendable {
    public let labs: [Lab]
    public let labIDs: [String]
    public let options: KubectlCluster.Options

    public init(labs: [Lab], grading labIDs: [String], options: KubectlCluster.Options) {
        self.labs = labs
        self.labIDs = labIDs
        self.options = options
    }

    public func grade(_ entries: [RosterEntry], progress: ((Int, Int) -> Void)? = nil) throws -> ClassGrade {
        let clusters = try self.clusters(for: entries)
        var learners: [LearnerGrade] = []
        for (index, entry) in entries.enumerated() {
            learners.append(try grade(entry, clusters: clusters))
            progress?(index + 1, entries.count)
        }
        return ClassGrade(mode: "live", labs: labIDs, steps: ClassGrader.stepOrder(labs, labIDs), learners: learners)
    }

    /// One `KubectlCluster` per context the roster names (keyed by context, "" for the
    /// current one), each listing cluster-wide once per kind for every learner graded with it.
    public func clusters(for entries: [RosterEntry]) throws -> [String: KubectlCluster] {
        for entry in entries where entry.namespace == nil {
            throw GradingError.liveNeedsNamespaces(learner: entry.learner ?? entry.workspace ?? "a learner")
        }
        var clusters: [String: KubectlCluster] = [:]
        for context in Set(entries.map { $0.context ?? "" }) {
            var contextOptions = options
            contextOptions.connection.context = context.isEmpty ? options.connection.context : context
            contextOptions.clusterWide = true
            let cluster = KubectlCluster(options: contextOptions)
            // The whole class is graded from one read per kind: nothing expires mid-run.
            cluster.sharedListLifetime = .infinity
            clusters[context] = cluster
        }
        return clusters
    }

    /// One learner of the roster, against the clusters `clusters(for:)` made for the class.
    public func grade(_ entry: RosterEntry, clusters: [String: KubectlCluster]) throws -> LearnerGrade {
        guard let namespace = entry.namespace else {
            throw GradingError.liveNeedsNamespaces(learner: entry.learner ?? entry.workspace ?? "a learner")
        }
        let cluster = clusters[entry.context ?? ""] ?? KubectlCluster(options: options)
        var labGrades: [LabGrade] = []
        for lab in labs where labIDs.contains(lab.id) {
            labGrades.append(try gradeLab(lab, invocation: LabInvocation(namespace: namespace, learner: entry.learner), cluster: cluster))
        }
        return LearnerGrade(
            learner: entry.learner ?? namespace, source: entry.context.map { "\($0)/\(namespace)" } ?? namespace,
            labs: labGrades, flags: [])
    }

    /// The lab's steps all earn their points when its completion checks pass; otherwise
    /// none do, and each step carries the failure messages. Checks that cannot be evaluated
    /// live (a workspace check, one that needs a step's capture) are listed in the grade.
    func gradeLab(_ lab: Lab, invocation: LabInvocation, cluster: KubectlCluster) throws -> LabGrade {
        let (resolved, parameters) = try invocation.resolve(lab)
        let reader = ClusterReader(cluster: cluster, labNamespace: parameters.namespace)
        let evaluator = CheckEvaluator(reader: reader, options: .init(honourWait: false))
        let results = try evaluator.evaluate(resolved.completion, stepCaptures: resolved.stepCaptures)
        let failures = results.filter { $0.status == .failed }
        let messages = failures.map { ([$0.name] + $0.message).joined(separator: ": ") }
        let complete = failures.isEmpty
        var grade = LabGrade(lab: lab.id, steps: lab.steps.map { step in
            StepGrade(step: step.id, status: complete ? .passed : .failed, points: complete ? step.points : 0,
                      maxPoints: step.points, messages: complete ? [] : messages)
        }, started: true)
        // Said, not silently passed: a check that reads a workspace or a step's capture.
        grade.notEvaluated = results.filter { $0.status == .notEvaluated }.map { ([$0.name] + $0.message).joined(separator: ": ") }
        return grade
    }
}
