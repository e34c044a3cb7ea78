/// A JSONPath template that kubectl would refuse (`.parse`) or that failed while reading an
/// object (`.execute`). `message` is kubectl's own wording; `description` is the line kubectl
/// prints, without its "error: " prefix and its multi-line debugging dump.
public struct JSONPathError: Error, CustomStringConvertible, Equatable, Sendable {
    public enum Kind: Sendable {
        case parse
        case execute
    }

    public var kind: Kind
    public var message: String
    public var template: String

    public init(kind: Kind, message: String, template: String) {
        self.kind = kind
        self.message = message
        self.template = template
    }

    public var description: String {
        switch kind {
        case .parse:
            return "error parsing jsonpath \(template), \(message)"
        case .execute:
            return "error executing jsonpath \(GoText.quote(template)): \(message)"
        }
    }
}
