import KubeJSON
/// A label or field selector the API server would refuse, with its reason in the server's
/// words (`unable to parse requirement: ...`, `field label not supported: ...`).
public struct SelectorError: Error, Equatable, Sendable, CustomStringConvertible {
    public enum Syntax: Equatable, Sendable {
        case label
        /// A field selector, checked against the fields this kind supports.
        case field(kind: String)
    }

    public var syntax: Syntax
    public var selector: String
    public var reason: String

    public init(_ syntax: Syntax, selector: String, reason: String) {
        self.syntax = syntax
        self.selector = selector
        self.reason = reason
    }

    public var description: String {
        switch syntax {
        case .label: return "invalid label selector \"\(selector)\": \(reason)"
        case .field(let kind): return "invalid field selector \"\(selector)\" for \(kind): \(reason)"
        }
    }
}
