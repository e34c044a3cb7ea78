/// The parsed form of a kubectl JSONPath template. The node kinds are kubectl's
/// (k8s.io/client-go/util/jsonpath), so the evaluator can follow its rules step by step.
indirect enum JSONPathNode: Sendable, Equatable {
    /// `{...}`: the nodes of one action, each applied to the results of the one before.
    case list([JSONPathNode])
    /// Text outside braces, or a quoted string literal inside them.
    case text(String)
    /// `.name` (backslash escapes already removed).
    case field(String)
    /// `['key']`. kubectl re-parses the key as `.key`, so `['a.b']` means `.a.b`: printer mode
    /// walks `nodes`; check mode reads `key` as one map key.
    case bracketKey(key: String, nodes: [JSONPathNode])
    /// `[i]`, `[a:b:c]`, `[*]`.
    case slice(JSONPathSlice)
    /// `[?(left OP right)]`, or `[?(left)]` with operator "exists".
    case filter(left: [JSONPathNode], right: [JSONPathNode], op: String)
    case int(Int)
    case float(Double)
    case bool(Bool)
    /// `.*`
    case wildcard
    /// `..`
    case recursive
    /// `[a,b]`: each member is the node list of `[a]`, `[b]`.
    case union([[JSONPathNode]])
    /// A bare word: `range`, `end`, or anything else (an error when evaluated, as in kubectl).
    case identifier(String)
}

/// The three parameters of an array selection as kubectl's parser leaves them.
struct JSONPathSlice: Sendable, Equatable {
    struct Param: Sendable, Equatable {
        var value = 0
        var known = false
        /// The end of `[i]`, derived as i+1.
        var derived = false
    }

    var start = Param()
    var end = Param()
    var step = Param()
}
