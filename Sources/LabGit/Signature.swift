import CLibGit2
import Foundation

/// Who made a commit and when; always given by the caller, never read from git config.
public struct Signature: Equatable, Sendable {
    public var name: String
    public var email: String
    /// Git keeps whole seconds.
    public var time: Date
    /// Minutes east of UTC.
    public var timeZoneOffset: Int

    public init(name: String, email: String, time: Date = Date(), timeZoneOffset: Int = 0) {
        self.name = name
        self.email = email
        self.time = Date(timeIntervalSince1970: time.timeIntervalSince1970.rounded(.down))
        self.timeZoneOffset = timeZoneOffset
    }

    init(_ signature: UnsafePointer<git_signature>) {
        name = String(cString: signature.pointee.name)
        email = String(cString: signature.pointee.email)
        time = Date(timeIntervalSince1970: TimeInterval(signature.pointee.when.time))
        timeZoneOffset = Int(signature.pointee.when.offset)
    }

    /// Calls `body` with a libgit2 signature that lives for the duration of the call.
    func withGitSignature<R>(_ body: (UnsafePointer<git_signature>) throws -> R) throws -> R {
        var signature: UnsafeMutablePointer<git_signature>?
        try check(git_signature_new(&signature, name, email, git_time_t(time.timeIntervalSince1970), Int32(timeZoneOffset)),
                  "git_signature_new")
        defer { git_signature_free(signature) }
        return try body(signature!)
    }
}
