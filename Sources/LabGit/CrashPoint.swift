import Foundation

/// Named moments at which a write has just happened or is about to, for deterministic crash
/// testing. Test-only environment hooks, read once per process:
///
/// - `KLAB_CRASH_LIST=FILE` appends a line `NAME#K DETAIL` to FILE each time the process
///   passes a point (K counts the passes of NAME in this process, from 1);
/// - `KLAB_CRASH_AT=NAME#K` makes the process `_exit` abruptly (status 86, no clean-up, no
///   buffered output flushed, locks released only by the kernel) on the K-th pass of NAME.
///
/// Without either variable a point costs one dictionary-free check.
public enum CrashPoint: String, CaseIterable, Sendable {
    /// A git repository was created on disk.
    case repositoryCreated = "repository.created"
    /// An object (blob, tree or commit) was written to the object database.
    case objectWritten = "object.written"
    /// The index file was written.
    case indexWritten = "index.written"
    /// A reference is about to be created, moved or deleted.
    case refBefore = "ref.before"
    /// A reference was created, moved or deleted.
    case refAfter = "ref.after"
    /// A file was written into the working folder.
    case fileWritten = "file.written"
    /// A file or folder of the working folder was removed.
    case fileRemoved = "file.removed"
    /// A program's lock on its repository is about to be released.
    case lockRelease = "lock.release"

    /// The exit status of a process stopped at a crash point.
    public static let exitStatus: Int32 = 86

    /// Marks that the process passed this point (`detail` names what was written).
    public func reached(_ detail: @autoclosure () -> String = "") {
        CrashHook.shared?.pass(self, detail: detail())
    }

    /// True when a test is listing or stopping at crash points (work done only to place a
    /// point precisely can be skipped otherwise).
    public static var isObserved: Bool { CrashHook.shared != nil }
}

/// The hook behind `CrashPoint`, present only when the environment asks for it.
private final class CrashHook: @unchecked Sendable {
    static let shared: CrashHook? = CrashHook(environment: ProcessInfo.processInfo.environment)

    private let stopAt: String?
    private let listDescriptor: Int32?
    private let lock = NSLock()
    private var counts: [CrashPoint: Int] = [:]

    init?(environment: [String: String]) {
        let stop = environment["KLAB_CRASH_AT"].flatMap { $0.isEmpty ? nil : $0 }
        let list = environment["KLAB_CRASH_LIST"].flatMap { $0.isEmpty ? nil : $0 }
        guard stop != nil || list != nil else { return nil }
        stopAt = stop
        listDescriptor = list.map { open($0, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0o644) }.flatMap { $0 >= 0 ? $0 : nil }
    }

    func pass(_ point: CrashPoint, detail: String) {
        lock.lock()
        defer { lock.unlock() }
        let count = counts[point, default: 0] + 1
        counts[point] = count
        let name = "\(point.rawValue)#\(count)"
        if let fd = listDescriptor {
            let line = detail.isEmpty ? name + "\n" : "\(name) \(detail.replacingOccurrences(of: "\n", with: " "))\n"
            _ = line.withCString { write(fd, $0, strlen($0)) }
        }
        if name == stopAt { _exit(CrashPoint.exitStatus) }
    }
}
