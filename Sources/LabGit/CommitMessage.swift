/// A commit message built from parts: a one-line subject, an optional body and trailers,
/// rendered so that `git interpret-trailers --parse` reads the trailers back as given.
public struct CommitMessage: Equatable, Sendable {
    public var subject: String
    public var body: String?
    public var trailers: [Trailer]

    public init(subject: String, body: String? = nil, trailers: [Trailer] = []) {
        self.subject = subject
        self.body = body
        self.trailers = trailers
    }

    /// The full message text; throws when a part would not read back as written.
    public func rendered() throws -> String {
        let subject = subject.trimmingTrailingWhitespace()
        guard !subject.isEmpty else { throw LabGitError.invalidMessage("the subject line is empty") }
        guard !subject.contains("\n") else {
            throw LabGitError.invalidMessage("the subject '\(subject.prefix(40))...' spans several lines; put the rest in the body")
        }
        var text = subject + "\n"
        if let body = body?.trimmingTrailingWhitespace(), !body.isEmpty {
            text += "\n" + body + "\n"
        }
        if !trailers.isEmpty {
            text += "\n"
            for trailer in trailers {
                try Self.validate(trailer)
                text += "\(trailer.key): \(trailer.value)\n"
            }
        }
        return text
    }

    private static func validate(_ trailer: Trailer) throws {
        let key = trailer.key
        let keyIsToken = !key.isEmpty && key.unicodeScalars.allSatisfy {
            ($0.isASCII && ($0.properties.isAlphabetic || ("0"..."9").contains($0))) || $0 == "-"
        } && !key.hasPrefix("-")
        guard keyIsToken else {
            throw LabGitError.invalidMessage("trailer key '\(key)' must be letters, digits and '-' (like Klab-Step)")
        }
        let value = trailer.value
        guard !value.contains("\n"), !value.contains("\r") else {
            throw LabGitError.invalidMessage("trailer \(key) has a value spanning several lines")
        }
        guard !value.isEmpty, value == value.trimmingTrailingWhitespace(), !value.hasPrefix(" ") else {
            throw LabGitError.invalidMessage("trailer \(key) has an empty value or one with spaces at either end")
        }
    }
}

extension String {
    func trimmingTrailingWhitespace() -> String {
        var scalars = Substring(self)
        while let last = scalars.last, last == " " || last == "\n" || last == "\t" || last == "\r" {
            scalars.removeLast()
        }
        return String(scalars)
    }
}
