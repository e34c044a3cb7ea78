import CLibGit2

/// Process-wide libgit2 state: initialised once, before the first call.
public enum LibGit2 {
    private static let initialised: Bool = {
        _ = klab_git_install_allocator()
        git_libgit2_init()
        return true
    }()

    /// Caps every later libgit2 allocation, in every thread, at `bytes` (a ceiling only ever
    /// goes down): what opening untrusted git data does with `UntrustedLimits.allocationBytes`,
    /// before libgit2 reads any of it. A forged pack announces any object size and libgit2
    /// allocates what is announced; over the ceiling the allocation fails as out of memory.
    static func lowerAllocationCeiling(to bytes: Int) {
        ensureInitialised()
        klab_git_lower_ceiling(bytes)
    }

    /// Makes libgit2 read no configuration file but a repository's own, in every thread, from
    /// now on: what opening untrusted git data does. A hand-in is read the same whatever the
    /// grader's `~/.gitconfig` or `/etc/gitconfig` say, and opening one no longer looks for
    /// and reads those files each time (about 30 system calls per hand-in). Nothing that reads
    /// untrusted data writes a repository, so no commit needs the user's identity afterwards.
    static func readOnlyRepositoryConfiguration() {
        _ = repositoryConfigurationOnly
    }

    private static let repositoryConfigurationOnly: Bool = {
        ensureInitialised()
        return klab_git_read_only_repository_config() == 0
    }()

    /// The folders libgit2 searches for configuration files of `level`, as it reports them.
    static func configurationSearchPath(_ level: git_config_level_t) -> String? {
        ensureInitialised()
        var buffer = git_buf()
        defer { git_buf_dispose(&buffer) }
        guard klab_git_config_search_path(level, &buffer) == 0 else { return nil }
        return buffer.ptr.map { String(cString: $0) } ?? ""
    }

    /// The largest allocation libgit2 may make now (`Int.max`: no ceiling set).
    static var allocationCeiling: Int {
        // size_t comes in as Int: no ceiling, (size_t)-1, is negative.
        let ceiling = klab_git_ceiling()
        return ceiling < 0 ? Int.max : ceiling
    }

    /// How much the last libgit2 allocation refused on this thread asked for (nil: none since
    /// the last call); forgets it.
    static func takeRefusedAllocation() -> Int? {
        // size_t comes in as Int: what does not fit (an array whose size overflows) is negative.
        let size = klab_git_take_refused_size()
        return size == 0 ? nil : size < 0 ? Int.max : size
    }

    /// Makes sure libgit2 is initialised; every entry point of LabGit calls this first.
    @inline(__always)
    public static func ensureInitialised() {
        _ = initialised
    }

    /// The version of the libgit2 library klab is linked against, e.g. "1.5.1".
    public static var version: String {
        ensureInitialised()
        var major: Int32 = 0, minor: Int32 = 0, revision: Int32 = 0
        git_libgit2_version(&major, &minor, &revision)
        return "\(major).\(minor).\(revision)"
    }
}
