import KubeCore
import KubeJSON

/// One check: a source of facts about the cluster and what must hold of them.
///
/// Strings in a check may contain `${name}`: a lab parameter (substituted when the lab is
/// loaded for a learner) or a value captured by an earlier check (substituted when the check
/// is evaluated).
public struct Check: Sendable, Equatable {
    /// What the learner reads: a sentence saying what should be true.
    public var name: String
    /// Where the facts come from.
    public var source: CheckSource
    /// What must hold of the selected objects (for `get`) or of the result (other sources).
    public var expectation: Expectation
    /// Poll until the check passes or this many seconds have passed; nil evaluates once.
    public var wait: Double?
    /// Values to remember for later checks: capture name → JSONPath template.
    public var captures: [Capture]
    /// The check's share of its step's points under partial credit (default 1).
    public var weight: Double
    /// Where the check was written, for messages.
    public var location: SourceLocation?
    /// exec/command only: the evidence keeps the `sha256:` digest of stdout, never stdout
    /// itself (compare it with the `digest` predicate).
    public var redact: Bool = false

    public init(
        name: String, source: CheckSource, expectation: Expectation = Expectation(), wait: Double? = nil,
        captures: [Capture] = [], weight: Double = 1, location: SourceLocation? = nil
    ) {
        self.name = name
        self.source = source
        self.expectation = expectation
        self.wait = wait
        self.captures = captures
        self.weight = weight
        self.location = location
    }

    /// Whether evaluating the check reads Kubernetes objects only (what `--kube-only` keeps).
    public var readsKubernetesOnly: Bool {
        if case .get = source { return true }
        return false
    }
}

/// A value a check remembers for later ones, read with a JSONPath template from the check's
/// subject: `{count, items}` of the selected objects, or the result of exec/http/command.
public struct Capture: Sendable, Equatable {
    public var name: String
    public var path: String
    /// Keep only what this regular expression matches in each value: its group `group`
    /// (default: the first group, or the whole match when the expression has none).
    public var regex: String?
    public var group: Int?
    /// Remove this prefix from each value that starts with it.
    public var trimPrefix: String?
    /// Keep the `sha256:` digest of each value, never the value (a Secret's data, to compare
    /// with what a pod reads through `digest`); a value that is a digest already stays as it is.
    public var digest: Bool

    public init(name: String, path: String, regex: String? = nil, group: Int? = nil, trimPrefix: String? = nil, digest: Bool = false) {
        self.name = name
        self.path = path
        self.regex = regex
        self.group = group
        self.trimPrefix = trimPrefix
        self.digest = digest
    }
}

/// Where a check's facts come from.
public enum CheckSource: Sendable, Equatable {
    /// Kubernetes objects, as `kubectl get` returns them.
    case get(ObjectSelector)
    /// A command run in a pod (`kubectl exec`); the subject is `{exitCode, stdout, stderr}`.
    case exec(ExecRequest)
    /// An HTTP request; the subject is `{status, body, json}`.
    case http(HTTPRequest)
    /// A local program such as `helm` or `aws`; the subject is
    /// `{exitCode, stdout, stderr, json}` (json when stdout parses as JSON). `kubectl` and
    /// `helm` get klab's `--context`/`--kubeconfig`.
    case command([String])
    /// `kubectl auth can-i`; the subject is `{allowed, exitCode, stdout, stderr}`.
    case canI(CanIRequest)
    /// A short-lived pod that runs one command (a connectivity test from a given namespace, with
    /// given labels) and is removed afterwards; the subject is `{exitCode, stdout, stderr, json}`,
    /// stdout being the pod's log.
    case probe(ProbeRequest)
    /// The learner's own workspace: its files and its git history (`klab verify` reads it;
    /// live grading has none). The subject is
    /// `{commits, files: [{path, kinds}], history: [{path, commit}], plaintextSecrets: [{path, commit}], uncommittedSecrets: [path]}`.
    case workspace(WorkspaceRequest)
}

/// What a `workspace` check reads of the learner's workspace.
public struct WorkspaceRequest: Sendable, Equatable {
    /// A folder (or file) of the workspace to look at, relative to its top (`sealed-secrets`);
    /// nil looks at the whole workspace. klab's own `.klab/` is never part of it.
    public var path: String?

    public init(path: String? = nil) {
        self.path = path
    }
}

/// A command run in a pod of its own, created for the check and deleted after it: "can a pod
/// in namespace client, labelled role=client, open backend.stars:6379?"
public struct ProbeRequest: Sendable, Equatable {
    /// The image `busybox` of the probes when a check names none (it has `wget`, `nc` and
    /// `nslookup`).
    public static let defaultImage = "busybox:1.36"
    /// Seconds a probe may take, from creating its pod to its end, when a check says nothing.
    public static let defaultTimeout: Double = 60

    /// Where the pod runs: the lab's namespace or a named one (never all).
    public var namespace: NamespaceSelection
    /// The pod's labels (what network policies select), besides klab's own.
    public var labels: [ProbeLabel]
    public var image: String
    /// The command and its arguments (no shell unless you run one).
    public var command: [String]
    /// Seconds from creating the pod to giving up on it.
    public var timeout: Double

    public init(
        namespace: NamespaceSelection = .lab, labels: [ProbeLabel] = [], image: String = ProbeRequest.defaultImage,
        command: [String], timeout: Double = ProbeRequest.defaultTimeout
    ) {
        self.namespace = namespace
        self.labels = labels
        self.image = image
        self.command = command
        self.timeout = timeout
    }
}

/// One label of a probe pod.
public struct ProbeLabel: Sendable, Equatable {
    public var key: String
    public var value: String

    public init(key: String, value: String) {
        self.key = key
        self.value = value
    }
}

/// A question to `kubectl auth can-i VERB RESOURCE`, possibly as another user.
public struct CanIRequest: Sendable, Equatable {
    public var verb: String
    /// `pods`, `deployments.apps`, or `pods/NAME` (one object: kubectl reads `pods/log` as the
    /// pod named log; a subresource goes in `subresource`).
    public var resource: String
    /// `--subresource`: `log` (with resource `pods`) asks about `pods/log`.
    public var subresource: String?
    public var namespace: NamespaceSelection
    /// `--as`: the user to ask for (`dev-user`).
    public var user: String?
    /// `--as-group`, each.
    public var groups: [String]

    public init(
        verb: String, resource: String, subresource: String? = nil, namespace: NamespaceSelection = .lab, user: String? = nil,
        groups: [String] = []
    ) {
        self.verb = verb
        self.resource = resource
        self.subresource = subresource
        self.namespace = namespace
        self.user = user
        self.groups = groups
    }
}

/// Which Kubernetes objects a check reads.
public struct ObjectSelector: Sendable, Equatable {
    /// `apps/v1`, `v1`...; nil matches the kind in any group.
    public var apiVersion: String?
    /// The object kind as it appears in the objects (`Deployment`, `Pod`, `Node`).
    public var kind: String
    /// One object by name; nil selects every object that matches the rest.
    public var name: String?
    /// Which namespace to look in.
    public var namespace: NamespaceSelection
    /// A label selector in kubectl's `-l` syntax (`app=web,tier in (a,b),!canary`).
    public var labels: String?
    /// A field selector in kubectl's `--field-selector` syntax (`status.phase=Running`).
    public var fields: String?

    public init(
        apiVersion: String? = nil, kind: String, name: String? = nil, namespace: NamespaceSelection = .lab,
        labels: String? = nil, fields: String? = nil
    ) {
        self.apiVersion = apiVersion
        self.kind = kind
        self.name = name
        self.namespace = namespace
        self.labels = labels
        self.fields = fields
    }
}

/// The namespace a selector reads from.
public enum NamespaceSelection: Sendable, Equatable {
    /// The lab's namespace (the `namespace` parameter); ignored for cluster-scoped kinds.
    case lab
    /// This namespace.
    case named(String)
    /// Every namespace (`"*"` in YAML, `kubectl get -A`).
    case all
}

/// A command to run in a pod.
public struct ExecRequest: Sendable, Equatable {
    /// The pod by name, or nil to pick the first Running pod matching `labels`.
    public var pod: String?
    /// A label selector choosing the pod when `pod` is nil.
    public var labels: String?
    public var namespace: NamespaceSelection
    /// The container; nil means the pod's first container (kubectl's default).
    public var container: String?
    /// The command and its arguments (no shell unless you run one).
    public var command: [String]

    public init(
        pod: String? = nil, labels: String? = nil, namespace: NamespaceSelection = .lab, container: String? = nil,
        command: [String]
    ) {
        self.pod = pod
        self.labels = labels
        self.namespace = namespace
        self.container = container
        self.command = command
    }
}

/// An HTTP GET to a URL, usually one read from the cluster through a capture. Only `http` and
/// `https` URLs are requested, never a link-local or instance-metadata address.
public struct HTTPRequest: Sendable, Equatable {
    public var url: String
    /// Seconds before the request is given up (default 10).
    public var timeout: Double
    /// Request headers (`Host` for an ingress rule), in order.
    public var headers: [HTTPHeader]
    /// Accept a certificate that does not verify (a self-signed dashboard).
    public var insecure: Bool
    /// Follow redirects (never to another scheme, never to a forbidden address); default false.
    public var followRedirects: Bool

    public init(url: String, timeout: Double = 10, headers: [HTTPHeader] = [], insecure: Bool = false, followRedirects: Bool = false) {
        self.url = url
        self.timeout = timeout
        self.headers = headers
        self.insecure = insecure
        self.followRedirects = followRedirects
    }
}

public struct HTTPHeader: Sendable, Equatable {
    public var name: String
    public var value: String

    public init(name: String, value: String) {
        self.name = name
        self.value = value
    }
}

/// The right side of `compare`, `quantity` and `time`.
public enum Operand: Sendable, Equatable, ExpressibleByStringLiteral, CustomStringConvertible {
    /// A value as written (it may hold `${capture}`, substituted as text).
    case literal(String)
    /// Another field of the same object, a JSONPath template (`{.status.desiredNumberScheduled}`).
    case field(String)

    public init(stringLiteral value: String) { self = .literal(value) }

    /// `{...}` is a field of the object; anything else is a literal. Decided on the text the
    /// author wrote, before captures are substituted, so a captured value never becomes a path.
    public init(parsing text: String) {
        self = text.hasPrefix("{") && text.hasSuffix("}") ? .field(text) : .literal(text)
    }

    public var description: String {
        switch self {
        case .literal(let text), .field(let text): return text
        }
    }
}

/// How `decode` reads a string before the assertions inside it.
public enum DecodeFormat: String, Sendable, Equatable, CaseIterable {
    case yaml
    case json
}

/// What must hold of a check's subject.
public struct Expectation: Sendable, Equatable {
    /// How many objects the selection must find.
    public var count: CountRule?
    /// Nothing may match the selection.
    public var absent: Bool
    /// Every selected object (or the one result) satisfies every assertion.
    public var all: [Assertion]
    /// At least one selected object satisfies all of these.
    public var any: [Assertion]
    /// No selected object satisfies all of these.
    public var none: [Assertion]
    /// JSONPath templates whose values must differ between every two selected objects.
    public var distinct: [String]

    public init(
        count: CountRule? = nil, absent: Bool = false, all: [Assertion] = [], any: [Assertion] = [],
        none: [Assertion] = [], distinct: [String] = []
    ) {
        self.count = count
        self.absent = absent
        self.all = all
        self.any = any
        self.none = none
        self.distinct = distinct
    }
}

/// How many objects a selection must find.
public enum CountRule: Sendable, Equatable {
    case exactly(Int)
    case range(min: Int?, max: Int?)
    /// A comparison written as text, e.g. `> ${baselineNodes}`; read after captures are known.
    case comparison(ComparisonOperator, String)
}

/// The comparison operators of `compare`, `quantity` and `count`.
public enum ComparisonOperator: String, Sendable, Equatable, CaseIterable {
    case equal = "=="
    case notEqual = "!="
    case less = "<"
    case lessOrEqual = "<="
    case greater = ">"
    case greaterOrEqual = ">="

    public func holds<T: Comparable>(_ lhs: T, _ rhs: T) -> Bool {
        switch self {
        case .equal: return lhs == rhs
        case .notEqual: return lhs != rhs
        case .less: return lhs < rhs
        case .lessOrEqual: return lhs <= rhs
        case .greater: return lhs > rhs
        case .greaterOrEqual: return lhs >= rhs
        }
    }
}

/// One thing that must be true of an object or result.
public indirect enum Assertion: Sendable, Equatable {
    /// The value(s) at a JSONPath satisfy a predicate.
    case value(path: String, predicate: ValuePredicate)
    /// A status condition, with `kubectl wait --for=condition=TYPE=STATUS` rules.
    case condition(type: String, status: String, reason: String?)
    /// The object contains this partial object (kuttl rules; `anyOrder` relaxes arrays).
    case partial(JSONValue, anyOrder: Bool)
    /// Related objects satisfy their own expectation.
    case join(Join)
    /// The string(s) at a path, read as YAML or JSON, satisfy these assertions.
    case decoded(path: String, format: DecodeFormat, assertions: [Assertion])
}

/// What a value must be.
public indirect enum ValuePredicate: Sendable, Equatable {
    case equals(JSONValue)
    case notEquals(JSONValue)
    case oneOf([JSONValue])
    /// A regular expression the value's text must match (search, not whole-string).
    case matches(String)
    case exists
    case absent
    /// A numeric comparison with a number, a `${capture}` or another field.
    case compare(ComparisonOperator, Operand)
    /// A Kubernetes quantity comparison (`>= 500m`, `<= 2Gi`).
    case quantity(ComparisonOperator, Operand)
    /// An RFC 3339 timestamp comparison (`> {.metadata.creationTimestamp}`, `>= ${recycledAt}`).
    case time(ComparisonOperator, Operand)
    /// The value is an IP address inside this CIDR block.
    case cidr(String)
    /// The value is a CIDR block lying wholly inside this one (a subnet inside the VPC's
    /// block; the same block counts).
    case subnetOf(String)
    /// The value's SHA-256 is this `sha256:<hex>` (a value klab already replaced by its
    /// digest, such as a Secret's data in evidence, compares as that digest), so a check can
    /// compare a secret value without the lab or the evidence holding it.
    case digest(String)
    /// At least one of the path's values satisfies the predicate (the others need not).
    case some(ValuePredicate)
    /// How many values the path finds (`null` is not a value).
    case count(CountRule)
}

/// Objects related to the one being checked, and what must hold of them.
public struct Join: Sendable, Equatable {
    public var relation: Relation
    public var expectation: Expectation

    public init(relation: Relation, expectation: Expectation) {
        self.relation = relation
        self.expectation = expectation
    }
}

/// How related objects are found from the current one.
public enum Relation: Sendable, Equatable {
    /// A pod's Node (`.spec.nodeName`).
    case node
    /// The pods a workload or Service selects, in its namespace.
    case pods
    /// A Service's Endpoints object.
    case endpoints
    /// Any selection; `{jsonpath}` in its strings is read from the current object.
    case selector(ObjectSelector)
}
