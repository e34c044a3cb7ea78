import CLibGit2

/// A git object id (SHA-1), kept as 40 lowercase hexadecimal digits.
public struct ObjectID: Hashable, Comparable, Sendable, CustomStringConvertible {
    /// The 40 lowercase hexadecimal digits.
    public let hex: String

    /// Parses 40 hexadecimal digits (either case); nil for anything else.
    public init?(hex: String) {
        guard hex.utf8.count == 40, hex.utf8.allSatisfy({ isHexDigit($0) }) else { return nil }
        self.hex = hex.lowercased()
    }

    /// Parses 40 hexadecimal digits or throws `LabGitError.invalidObjectID`.
    public init(parsing text: String) throws {
        guard let id = ObjectID(hex: text) else { throw LabGitError.invalidObjectID(text) }
        self = id
    }

    init(_ oid: UnsafePointer<git_oid>) {
        var buffer = [CChar](repeating: 0, count: 41)
        git_oid_tostr(&buffer, 41, oid)
        hex = String(cString: buffer)
    }

    init(_ oid: git_oid) {
        var copy = oid
        self.init(&copy)
    }

    /// The first seven digits, as `git log --oneline` shows them.
    public var short: String { String(hex.prefix(7)) }

    public var description: String { hex }

    public static func < (lhs: ObjectID, rhs: ObjectID) -> Bool { lhs.hex < rhs.hex }

    /// The libgit2 form; the hex digits were validated at construction.
    var raw: git_oid {
        var oid = git_oid()
        _ = git_oid_fromstrn(&oid, hex, 40)
        return oid
    }
}

private func isHexDigit(_ c: UInt8) -> Bool {
    (c >= 48 && c <= 57) || (c >= 97 && c <= 102) || (c >= 65 && c <= 70)
}
