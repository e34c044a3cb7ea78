import Foundation

/// A lab package: one chapter of the workshop, loaded from `labs/<id>/lab.yaml`.
///
/// The YAML format is described for authors in `content/reference/lab-format.md`.
public struct Lab: Sendable, Equatable {
    /// The version of the lab format the file declares (`format: 1`).
    public var format: Int
    /// The lab id; equal to the name of the lab's folder (content/reference/lab-format.md).
    public var id: String
    /// A short title, shown in `klab lab list` and at the top of `klab start`.
    public var title: String
    /// One paragraph saying what the learner will do and see.
    public var summary: String
    /// Ids of labs a learner should finish first; `klab start` warns when they are not done.
    public var prerequisites: [String]
    /// Whether the lab's objects live in one namespace or are cluster-wide.
    public var scope: LabScope
    /// Values a learner or instructor may set with `--set name=value`.
    public var parameters: [LabParameter]
    /// The steps, in the order the learner does them.
    public var steps: [LabStep]
    /// Checks that say the whole lab is done; what live grading evaluates.
    public var completion: [Check]
    /// The folder holding `lab.yaml` (manifests and fixtures are relative to it).
    public var directory: URL
    /// The folder holding the learner prose (`content/<id>/`).
    public var contentDirectory: URL

    public init(
        format: Int = 1, id: String, title: String, summary: String = "", prerequisites: [String] = [],
        scope: LabScope = .namespace, parameters: [LabParameter] = [], steps: [LabStep] = [],
        completion: [Check] = [], directory: URL, contentDirectory: URL
    ) {
        self.format = format
        self.id = id
        self.title = title
        self.summary = summary
        self.prerequisites = prerequisites
        self.scope = scope
        self.parameters = parameters
        self.steps = steps
        self.completion = completion
        self.directory = directory
        self.contentDirectory = contentDirectory
    }

    /// The step with this id, if the lab has one.
    public func step(_ id: String) -> LabStep? { steps.first { $0.id == id } }

    /// The step that captures each value the steps' checks capture (the first, when several do).
    public var stepCaptures: [String: String] {
        var found: [String: String] = [:]
        for step in steps {
            for check in step.checks {
                for capture in check.captures where found[capture.name] == nil { found[capture.name] = step.id }
            }
        }
        return found
    }

    /// The parameters' defaults, plus `namespace` (which every lab has).
    public var defaultParameters: [String: String] {
        var values: [String: String] = [:]
        for parameter in parameters { values[parameter.name] = parameter.defaultValue }
        if values["namespace"] == nil { values["namespace"] = "default" }
        return values
    }
}

/// Where a lab's objects live.
public enum LabScope: String, Sendable, Equatable {
    /// In the lab's namespace (the `namespace` parameter).
    case namespace
    /// Across the cluster (nodes, cluster roles, kube-system add-ons).
    case cluster
}

/// A value the lab's manifests, prose and checks can be rendered with.
public struct LabParameter: Sendable, Equatable {
    /// The name used as `{{name}}` in manifests and prose and `${name}` in checks.
    public var name: String
    /// The value used when nobody sets one.
    public var defaultValue: String
    /// What the parameter means, for `klab lab show`.
    public var description: String

    public init(name: String, defaultValue: String, description: String = "") {
        self.name = name
        self.defaultValue = defaultValue
        self.description = description
    }
}

/// One step of a lab: something the learner reads, applies and then verifies.
public struct LabStep: Sendable, Equatable {
    /// Unique within the lab; used by `--step`, refs and grading.
    public var id: String
    /// A short imperative title ("Run a pod with a liveness probe").
    public var title: String
    /// The prose file, relative to the lab's content folder (default `<id>.md`).
    public var content: String
    /// Manifest files, relative to the lab folder, rendered into the learner's workspace.
    public var manifests: [String]
    /// The commands the learner runs to do the step, shown with the step (`klab start`, `klab verify` moving on, `klab hint`).
    public var commands: [String]
    /// The checks that say the step is done.
    public var checks: [Check]
    /// Hints, shown one at a time by `klab hint`, in this order.
    public var hints: [String]
    /// What the step is worth (default 1).
    public var points: Double
    /// When true, points are shared out over the checks by their weight; otherwise the step
    /// earns all its points only when every check passes.
    public var partialCredit: Bool

    public init(
        id: String, title: String, content: String? = nil, manifests: [String] = [], commands: [String] = [],
        checks: [Check] = [], hints: [String] = [], points: Double = 1, partialCredit: Bool = false
    ) {
        self.id = id
        self.title = title
        self.content = content ?? "\(id).md"
        self.manifests = manifests
        self.commands = commands
        self.checks = checks
        self.hints = hints
        self.points = points
        self.partialCredit = partialCredit
    }
}

/// Where in a lab file something was written, for messages (`lab.yaml:12:7`).
public struct SourceLocation: Sendable, Equatable, CustomStringConvertible {
    public var file: String
    public var line: Int
    public var column: Int

    public init(file: String, line: Int, column: Int) {
        self.file = file
        self.line = line
        self.column = column
    }

    public var description: String { "\(file):\(line):\(column)" }
}
