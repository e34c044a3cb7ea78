/// A file of Kubernetes objects that could not be read, with where it went wrong.
public struct KubeDocumentError: Error, Equatable, CustomStringConvertible, Sendable {
    public enum Format: String, Sendable {
        case json = "JSON"
        case yaml = "YAML"
    }

    /// The file name (or "-" for standard input) the caller gave.
    public var source: String
    public var format: Format
    /// 1-based; nil when the problem has no single place (the file is not UTF-8).
    public var line: Int?
    public var column: Int?
    public var message: String

    public init(source: String, format: Format, line: Int?, column: Int?, message: String) {
        self.source = source
        self.format = format
        self.line = line
        self.column = column
        self.message = message
    }

    public var description: String {
        var place = source
        if let line {
            place += " at line \(line)"
            if let column { place += ", column \(column)" }
        }
        return "invalid \(format.rawValue) in \(place): \(message)"
    }
}
