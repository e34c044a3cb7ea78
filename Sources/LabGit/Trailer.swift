import CLibGit2

/// A `Key: value` line at the end of a commit message, as `git interpret-trailers` reads it.
public struct Trailer: Hashable, Sendable, CustomStringConvertible {
    public var key: String
    public var value: String

    public init(_ key: String, _ value: String) {
        self.key = key
        self.value = value
    }

    public var description: String { "\(key): \(value)" }

    /// Parses the trailer block of `message` with libgit2 (`git_message_trailers`).
    public static func parse(message: String) throws -> [Trailer] {
        var array = git_message_trailer_array()
        try check(git_message_trailers(&array, message), "git_message_trailers")
        defer { git_message_trailer_array_free(&array) }
        return (0..<array.count).map { index in
            let trailer = array.trailers[index]
            return Trailer(String(cString: trailer.key), String(cString: trailer.value))
        }
    }
}

extension Array where Element == Trailer {
    /// The value of the first trailer with `key` (case-insensitive, as git compares keys).
    public func value(for key: String) -> String? {
        first { $0.key.lowercased() == key.lowercased() }?.value
    }

    /// Every value of `key`, in order.
    public func values(for key: String) -> [String] {
        filter { $0.key.lowercased() == key.lowercased() }.map(\.value)
    }
}
