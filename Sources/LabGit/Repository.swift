import CLibGit2
import Foundation

/// A git repository opened through libgit2. One instance per thread at a time: libgit2
/// handles are not shared across threads, but separate instances may be used in parallel.
public final class Repository {
    let pointer: OpaquePointer
    /// Keeps alive whatever the repository's files depend on (e.g. a bundle's scratch folder).
    private let owner: AnyObject?
    /// Set for untrusted repositories: loose objects are checked before libgit2 reads them.
    var checksLooseObjects = false
    /// Set for untrusted repositories (a hand-in, a bundle): the bounds every read keeps to.
    var untrustedLimits: UntrustedLimits?
    /// Objects of an untrusted repository already checked (loose file and size): objects do
    /// not change, and a grader reads the same trees again for every step and file.
    var checkedObjects = Set<ObjectID>()
    /// What an untrusted repository's reads found, by id (objects never change): a grader
    /// walks the same folders of the same commits for every step and file.
    var remembered = RememberedReads()
    /// The git folder's path (`gitDirectory.path`), worked out once.
    private(set) lazy var gitDirectoryPath: String = gitDirectory.path
    /// The git folder of an untrusted repository, open (-1: not opened, or it cannot be):
    /// its loose objects are opened relative to it.
    var gitDirectoryDescriptor: Int32 {
        if let openedGitDirectory { return openedGitDirectory }
        let descriptor = isUntrusted ? Glibc.open(gitDirectoryPath, O_RDONLY | O_DIRECTORY | O_CLOEXEC) : -1
        openedGitDirectory = descriptor
        return descriptor
    }
    private var openedGitDirectory: Int32?
    /// What inflates this untrusted repository's loose objects, made on first use.
    private(set) lazy var inflater = LooseObjectCheck.Inflater()
    /// An in-memory object database in front of the repository's own (`hold`), made on first use;
    /// owned by libgit2's object database once added to it.
    private(set) var heldObjects: UnsafeMutablePointer<git_odb_backend>?
    private var cannotHold = false

    init(pointer: OpaquePointer, owner: AnyObject? = nil) {
        self.pointer = pointer
        self.owner = owner
    }

    deinit {
        git_repository_free(pointer)
        if let openedGitDirectory, openedGitDirectory >= 0 { close(openedGitDirectory) }
    }

    /// Hands libgit2 a loose object this repository's check has just inflated, so that it does
    /// not open, read and inflate the same file again: kept in an in-memory object database
    /// (libgit2's mempack) asked before the folder's. libgit2 verifies every object it reads
    /// against its id (strict hash verification), from memory as from a file, with the same
    /// error for a mismatch. Nothing is written to the repository's folder.
    func hold(_ object: LooseObjectCheck.Inflated, as id: ObjectID) {
        guard !cannotHold else { return }
        if heldObjects == nil {
            var odb: OpaquePointer?
            var backend: UnsafeMutablePointer<git_odb_backend>?
            guard git_repository_odb(&odb, pointer) == 0 else { git_error_clear(); cannotHold = true; return }
            defer { git_odb_free(odb) }
            guard git_mempack_new(&backend) == 0, let backend else { git_error_clear(); cannotHold = true; return }
            guard git_odb_add_backend(odb, backend, Self.heldObjectsPriority) == 0 else {
                git_error_clear()
                backend.pointee.free?(backend)
                cannotHold = true
                return
            }
            heldObjects = backend
        }
        guard let backend = heldObjects, let write = backend.pointee.write else { return }
        let kind: git_object_t
        switch object.kind {
        case "commit": kind = GIT_OBJECT_COMMIT
        case "tree": kind = GIT_OBJECT_TREE
        case "blob": kind = GIT_OBJECT_BLOB
        case "tag": kind = GIT_OBJECT_TAG
        default: return
        }
        var oid = id.raw
        // A failed write (out of memory) leaves the object to be read from its file.
        if object.content.withUnsafeBytes({ write(backend, &oid, $0.baseAddress, $0.count, kind) }) != 0 { git_error_clear() }
    }

    /// Above libgit2's own loose (1) and packed (2) databases: asked first.
    static let heldObjectsPriority: Int32 = 1000

    /// Creates an ordinary (non-bare) repository at `url`, making the folder if needed,
    /// with HEAD on `initialBranch` (no commit yet). An existing repository is reopened.
    public static func create(at url: URL, initialBranch: String = "main") throws -> Repository {
        LibGit2.ensureInitialised()
        var options = git_repository_init_options()
        try check(git_repository_init_options_init(&options, UInt32(GIT_REPOSITORY_INIT_OPTIONS_VERSION)),
                  "git_repository_init_options_init")
        options.flags = GIT_REPOSITORY_INIT_MKPATH.rawValue | GIT_REPOSITORY_INIT_MKDIR.rawValue
        var out: OpaquePointer?
        try initialBranch.withCString { branch in
            options.initial_head = branch
            try check(git_repository_init_ext(&out, url.path, &options), "git_repository_init_ext")
        }
        CrashPoint.repositoryCreated.reached(url.lastPathComponent)
        return Repository(pointer: out!)
    }

    /// Creates a bare repository (objects and refs only, no working folder).
    public static func createBare(at url: URL) throws -> Repository {
        LibGit2.ensureInitialised()
        var out: OpaquePointer?
        try check(git_repository_init(&out, url.path, 1), "git_repository_init")
        return Repository(pointer: out!)
    }

    /// Opens the repository whose working folder (or git folder) is exactly `url`.
    /// Throws `notARepository` when there is none and `damagedRepository` when there is one
    /// that libgit2 cannot read (missing HEAD or objects, unreadable HEAD...).
    public static func open(at url: URL) throws -> Repository {
        LibGit2.ensureInitialised()
        var out: OpaquePointer?
        let code = git_repository_open_ext(&out, url.path, GIT_REPOSITORY_OPEN_NO_SEARCH.rawValue, nil)
        if code == GIT_ENOTFOUND.rawValue {
            let message = lastErrorMessage(code)
            if looksLikeRepository(url) {
                // libgit2 1.5 reports a repository of another user as "not found"
                // ("config value 'safe.directory' was not found").
                if message.contains("safe.directory") || isOwnedByAnotherUser(url) { throw notOwned(url) }
                throw LabGitError.damagedRepository(path: url.path, detail: message)
            }
            throw LabGitError.notARepository(path: url.path)
        }
        if code == GIT_EOWNER.rawValue { git_error_clear(); throw notOwned(url) }
        try check(code, "git_repository_open_ext")
        let repository = Repository(pointer: out!)
        try repository.validateHead(path: url.path)
        return repository
    }

    /// Opens the git data of the repository at `url` (its `.git` folder, or `url` itself when
    /// it is bare) for reading only, as grading reads learners' repositories: no working
    /// folder, no index, nothing checked out. Because nothing from it is executed or written,
    /// git's ownership check (`safe.directory`) does not apply: a copy owned by another user
    /// opens too. Same errors as `open(at:)` otherwise. The git folder is checked first
    /// (`GitDirectoryCheck`: no FIFOs, devices, links, alternates or config includes), and
    /// every read afterwards keeps to `limits`.
    public static func openForReading(at url: URL, limits: UntrustedLimits = .unbounded) throws -> Repository {
        LibGit2.lowerAllocationCeiling(to: limits.allocationBytes)
        LibGit2.readOnlyRepositoryConfiguration()
        let dotGit = url.appendingPathComponent(".git")
        var info = stat()
        var gitDirectory = url
        if lstat(dotGit.path, &info) == 0 {
            switch info.st_mode & S_IFMT {
            case S_IFDIR: gitDirectory = dotGit
            case S_IFLNK: throw LabGitError.damagedRepository(path: url.path, detail: ".git is a symbolic link; hand in the repository itself")
            case S_IFREG: throw LabGitError.damagedRepository(path: url.path, detail: ".git is a file pointing elsewhere (a worktree or submodule); hand in the repository itself")
            default: throw LabGitError.damagedRepository(path: url.path, detail: ".git is not a folder")
            }
        }
        if looksLikeRepository(url) {
            try GitDirectoryCheck.verify(gitDirectory, reportAs: url.path, limits: limits)
        }
        var out: OpaquePointer?
        let code = git_repository_open_bare(&out, gitDirectory.path)
        if code == GIT_ENOTFOUND.rawValue {
            let message = lastErrorMessage(code)
            if looksLikeRepository(url) {
                throw LabGitError.damagedRepository(path: url.path, detail: message)
            }
            throw LabGitError.notARepository(path: url.path)
        }
        try check(code, "git_repository_open_bare")
        let repository = Repository(pointer: out!)
        repository.checksLooseObjects = true
        repository.untrustedLimits = limits
        try repository.validateHead(path: url.path)
        return repository
    }

    /// Opens the repository containing `url`, looking in it and then its parent folders.
    public static func discover(from url: URL) throws -> Repository {
        LibGit2.ensureInitialised()
        var out: OpaquePointer?
        let code = git_repository_open_ext(&out, url.path, 0, nil)
        if code == GIT_ENOTFOUND.rawValue {
            if lastErrorMessage(code).contains("safe.directory") { throw notOwned(url) }
            throw LabGitError.notARepository(path: url.path)
        }
        if code == GIT_EOWNER.rawValue { git_error_clear(); throw notOwned(url) }
        try check(code, "git_repository_open_ext")
        let repository = Repository(pointer: out!)
        try repository.validateHead(path: url.path)
        return repository
    }

    /// The working folder; nil for a bare repository.
    public var workdir: URL? {
        guard let path = git_repository_workdir(pointer) else { return nil }
        return URL(fileURLWithPath: String(cString: path), isDirectory: true)
    }

    /// The git folder (`.git` for an ordinary repository).
    public var gitDirectory: URL {
        URL(fileURLWithPath: String(cString: git_repository_path(pointer)), isDirectory: true)
    }

    /// Whether this repository is someone else's data, read within bounds (`openForReading`,
    /// a bundle): its objects are checked before libgit2 reads them, and reads are remembered.
    var isUntrusted: Bool { checksLooseObjects || untrustedLimits != nil }

    public var isBare: Bool { git_repository_is_bare(pointer) == 1 }

    /// Sets the name and email libgit2 writes into reflog entries, so that they never depend
    /// on the user's git configuration.
    public func setIdentity(name: String, email: String) throws {
        try check(git_repository_set_ident(pointer, name, email), "git_repository_set_ident")
    }

    /// A repository whose HEAD cannot be read is damaged, not merely empty.
    private func validateHead(path: String) throws {
        var head: OpaquePointer?
        let code = git_repository_head(&head, pointer)
        if code == 0 { git_reference_free(head); return }
        if code == GIT_EUNBORNBRANCH.rawValue || code == GIT_ENOTFOUND.rawValue {
            git_error_clear()
            return
        }
        throw LabGitError.damagedRepository(path: path, detail: "HEAD cannot be read: \(lastErrorMessage(code))")
    }

    private static func notOwned(_ url: URL) -> LabGitError {
        .ownedByAnotherUser(path: url.path)
    }

    private static func isOwnedByAnotherUser(_ url: URL) -> Bool {
        var info = stat()
        let dotGit = url.appendingPathComponent(".git").path
        let target = FileManager.default.fileExists(atPath: dotGit) ? dotGit : url.path
        return stat(target, &info) == 0 && info.st_uid != geteuid()
    }

    private static func looksLikeRepository(_ url: URL) -> Bool {
        let fm = FileManager.default
        if fm.fileExists(atPath: url.appendingPathComponent(".git").path) { return true }
        // A bare repository or a git folder given directly.
        let markers = ["HEAD", "objects", "refs"]
        return markers.filter { fm.fileExists(atPath: url.appendingPathComponent($0).path) }.count >= 2
    }
}

// MARK: - Helpers shared by the files of this module

/// Calls `body` with a `git_strarray` of `strings` valid for the duration of the call.
func withStrArray<R>(_ strings: [String], _ body: (UnsafeMutablePointer<git_strarray>) throws -> R) rethrows -> R {
    var cStrings: [UnsafeMutablePointer<CChar>?] = strings.map { strdup($0) }
    defer { cStrings.forEach { free($0) } }
    return try cStrings.withUnsafeMutableBufferPointer { buffer in
        var array = git_strarray(strings: buffer.baseAddress, count: strings.count)
        return try body(&array)
    }
}

/// Checks a path relative to the top of a repository: slash-separated, no empty, `.` or `..`
/// component, no `.git`. The empty string means "the whole repository" where allowed.
func validatedRepoPath(_ path: String, allowRoot: Bool = false) throws -> String {
    var trimmed = path
    while trimmed.hasSuffix("/") { trimmed.removeLast() }
    if trimmed.isEmpty {
        if allowRoot { return "" }
        throw LabGitError.invalidPath(path, reason: "a file path is required")
    }
    if trimmed.hasPrefix("/") {
        throw LabGitError.invalidPath(path, reason: "paths are relative to the top of the repository")
    }
    for component in trimmed.split(separator: "/", omittingEmptySubsequences: false) {
        if component.isEmpty || component == "." || component == ".." {
            throw LabGitError.invalidPath(path, reason: "empty, '.' and '..' components are not allowed")
        }
        if component.lowercased() == ".git" {
            throw LabGitError.invalidPath(path, reason: "git's own folder cannot be named")
        }
    }
    return trimmed
}

/// True when `path` is `prefix` or lies under it ("" is the whole repository).
func path(_ path: String, isUnder prefix: String) -> Bool {
    prefix.isEmpty || path == prefix || path.hasPrefix(prefix + "/")
}
