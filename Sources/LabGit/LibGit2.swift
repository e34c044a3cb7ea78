import CLibGit2

/// Process-wide libgit2 state: initialised once, before the first call.
public enum LibGit2 {
    /// The largest single allocation libgit2 may make (a blob, a delta, a pack object): far
    /// above any file a workspace holds, far below what a forged pack header can ask for.
    public static let allocationCeiling = 256 << 20

    private static let initialised: Bool = {
        _ = klab_git_limit_allocations(allocationCeiling)
        git_libgit2_init()
        return true
    }()

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
