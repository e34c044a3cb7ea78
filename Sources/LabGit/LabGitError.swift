import CLibGit2

/// What went wrong in LabGit: a libgit2 call that failed (named), or a condition LabGit
/// recognises itself (no repository, a damaged one, a reference that moved under us...).
public enum LabGitError: Error, Equatable, CustomStringConvertible, Sendable {
    /// A libgit2 function returned an error; `message` is libgit2's own explanation.
    case libgit2(function: String, code: GitErrorCode, message: String)
    /// The folder holds no git repository.
    case notARepository(path: String)
    /// The folder holds something that looks like a git repository but cannot be read.
    case damagedRepository(path: String, detail: String)
    /// git refuses to open a repository that belongs to another user (`safe.directory`).
    case ownedByAnotherUser(path: String)
    /// A reference did not hold the value the caller expected (compare-and-swap failed).
    case referenceChanged(name: String, expected: String, actual: String)
    /// An object, reference or path the caller named does not exist.
    case notFound(String)
    /// A string that should be a 40-digit hexadecimal object id is not one.
    case invalidObjectID(String)
    /// A commit message or trailer that git would not read back as written.
    case invalidMessage(String)
    /// A path inside a repository that is absolute, escapes it or names `.git`.
    case invalidPath(String, reason: String)
    /// A git bundle file that cannot be read.
    case invalidBundle(path: String, reason: String)
    /// A file LabGit writes outside a repository (a bundle) could not be written.
    case cannotWrite(path: String, reason: String)

    public var description: String {
        switch self {
        case let .libgit2(function, _, message):
            return "\(function) failed: \(message)"
        case let .notARepository(path):
            return "\(path) is not a git repository (no .git folder there); check the path or create a workspace first"
        case let .damagedRepository(path, detail):
            return "the git repository at \(path) is damaged (\(detail)); restore it from a backup or a clone, or run `git fsck` there to see what is wrong"
        case let .ownedByAnotherUser(path):
            return "git will not open \(path) because it belongs to another user; work on a copy you own, or trust it with `git config --global --add safe.directory \(path)`"
        case let .referenceChanged(name, expected, actual):
            return "\(name) changed while we were updating it (expected \(expected), found \(actual)); another process may be using this repository, try again"
        case let .notFound(what):
            return "\(what) does not exist"
        case let .invalidObjectID(text):
            return "'\(text)' is not a git object id (40 hexadecimal digits)"
        case let .invalidMessage(reason):
            return "invalid commit message: \(reason)"
        case let .invalidPath(path, reason):
            return "invalid path '\(path)': \(reason)"
        case let .invalidBundle(path, reason):
            return "\(path) is not a readable git bundle: \(reason); create it again with `git bundle create FILE --all`"
        case let .cannotWrite(path, reason):
            return "cannot write \(path): \(reason); check that the folder exists and is writable"
        }
    }
}

/// libgit2's error codes, as a Swift type (so that no C type leaves LabGit).
public enum GitErrorCode: Equatable, Sendable {
    case generic, notFound, exists, ambiguous, bareRepository, unbornBranch, invalidSpec
    case conflict, locked, modified, endOfFile, invalid, hashMismatch, notOwner
    case other(Int32)

    init(_ code: Int32) {
        switch code {
        case GIT_ERROR.rawValue: self = .generic
        case GIT_ENOTFOUND.rawValue: self = .notFound
        case GIT_EEXISTS.rawValue: self = .exists
        case GIT_EAMBIGUOUS.rawValue: self = .ambiguous
        case GIT_EBAREREPO.rawValue: self = .bareRepository
        case GIT_EUNBORNBRANCH.rawValue: self = .unbornBranch
        case GIT_EINVALIDSPEC.rawValue: self = .invalidSpec
        case GIT_ECONFLICT.rawValue: self = .conflict
        case GIT_ELOCKED.rawValue: self = .locked
        case GIT_EMODIFIED.rawValue: self = .modified
        case GIT_EEOF.rawValue: self = .endOfFile
        case GIT_EINVALID.rawValue: self = .invalid
        case GIT_EMISMATCH.rawValue: self = .hashMismatch
        case GIT_EOWNER.rawValue: self = .notOwner
        default: self = .other(code)
        }
    }
}

/// The one gate every libgit2 call goes through: a negative result becomes a `LabGitError`
/// naming the function and carrying libgit2's last error message (per thread).
@discardableResult
func check(_ code: Int32, _ function: String) throws -> Int32 {
    guard code < 0 else { return code }
    throw LabGitError.libgit2(function: function, code: GitErrorCode(code), message: lastErrorMessage(code))
}

func lastErrorMessage(_ code: Int32) -> String {
    defer { git_error_clear() }
    if let error = git_error_last(), let message = error.pointee.message {
        return String(cString: message)
    }
    return "unknown error (code \(code))"
}

extension LabGitError {
    /// The libgit2 code, when this error came from a libgit2 call.
    public var gitCode: GitErrorCode? {
        if case let .libgit2(_, code, _) = self { return code }
        return nil
    }
}
