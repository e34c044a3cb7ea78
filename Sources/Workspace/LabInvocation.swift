import Foundation
import LabSpec

/// The parameters one run of a lab uses, merged by one rule for every command that renders or
/// checks a lab (start, lab render, lab test, verify, hint, reset --cluster, grade --live), so
/// that `start` and `render` given the same flags write the same manifests and `verify` checks
/// what `start` rendered.
///
/// Highest first:
/// 1. the command line: `--set name=value`; `-n/--namespace` is `--set namespace=` and
///    `--learner` is `--set learner=` (the same name given twice with two values is refused);
/// 2. the lab as it was started in the workspace (`.klab/labs/<lab>.json`): its namespace and
///    parameters are fixed at start, so a command line that says otherwise is refused (the
///    checks would read somewhere else than the manifests went); start the lab again to move it;
/// 3. the workspace's learner (a command line naming another is refused);
/// 4. the environment: `KLAB_LEARNER`, for a run with no workspace yet;
/// 5. the lab's defaults (`learner` defaults to `learner`, `namespace` to `default`).
public struct LabInvocation: Sendable, Equatable {
    /// `--set name=value`, as given.
    public var assignments: [String: String]
    /// `-n/--namespace`.
    public var namespace: String?
    /// `--learner`.
    public var learner: String?
    /// How the lab was started in the workspace, when the command works on a started lab.
    public var started: LabSettings?
    /// Whose workspace the command works in, when there is one.
    public var workspaceLearner: String?
    /// The process environment (only `KLAB_LEARNER` is read).
    public var environment: [String: String]

    public init(
        assignments: [String: String] = [:], namespace: String? = nil, learner: String? = nil,
        started: LabSettings? = nil, workspaceLearner: String? = nil, environment: [String: String] = [:]
    ) {
        self.assignments = assignments
        self.namespace = namespace
        self.learner = learner
        self.started = started
        self.workspaceLearner = workspaceLearner
        self.environment = environment
    }

    /// The values of every parameter of `lab`, `namespace` and `learner` included. Throws
    /// `LabSpecError.unknownParameter` for a name the lab does not have, and `WorkspaceError`
    /// for a command line that disagrees with itself, the started lab or the workspace.
    public func parameters(for lab: Lab) throws -> LabRunParameters {
        var explicit = assignments
        for (name, flag, value) in [("namespace", "-n/--namespace", namespace), ("learner", "--learner", learner)] {
            guard let value else { continue }
            if let set = explicit[name], set != value {
                throw WorkspaceError.conflictingParameter(name: name, first: "\(flag) \(value)", second: "--set \(name)=\(set)")
            }
            explicit[name] = value
        }
        if let owner = workspaceLearner, let asked = explicit["learner"], asked != owner {
            throw WorkspaceError.belongsToAnotherLearner(owner: owner, asked: asked)
        }
        var chosen = explicit
        if let started {
            let recorded = started.parameters.merging(["namespace": started.namespace]) { _, namespace in namespace }
            for (name, value) in recorded.sorted(by: { $0.key < $1.key }) {
                if let asked = explicit[name], asked != value {
                    throw WorkspaceError.startedWithOtherValue(lab: lab.id, name: name, started: value, asked: asked)
                }
                chosen[name] = value
            }
        }
        if chosen["learner"] == nil {
            chosen["learner"] = workspaceLearner ?? environment["KLAB_LEARNER"].flatMap { $0.isEmpty ? nil : $0 }
        }
        let values = try lab.parameterValues(chosen)
        return LabRunParameters(values: values, chosen: chosen)
    }

    /// The lab with its checks and commands resolved for this run, and the parameters.
    public func resolve(_ lab: Lab) throws -> (lab: Lab, parameters: LabRunParameters) {
        let parameters = try parameters(for: lab)
        return (try lab.resolved(parameters: parameters.values), parameters)
    }
}

/// The parameters a run of a lab uses (`LabInvocation.parameters(for:)`).
public struct LabRunParameters: Sendable, Equatable {
    /// Every parameter of the lab, `namespace` and `learner` included.
    public var values: [String: String]
    /// What was chosen rather than defaulted: the command line, the started lab, the learner.
    public var chosen: [String: String]

    /// The namespace the lab's objects live in.
    public var namespace: String { values["namespace"] ?? "default" }
    /// The learner the manifests are labelled for.
    public var learner: String { values["learner"] ?? Lab.defaultLearner }

    /// What `start` records of them: the chosen values besides the namespace and the learner,
    /// which the settings and the workspace keep themselves.
    public var recorded: [String: String] {
        chosen.filter { !Lab.builtInParameters.contains($0.key) }
    }
}
