import Foundation
import LabGit

/// One klab process at a time per workspace.
///
/// The lock is an `flock` on a file inside `.git`, so the kernel releases it when the holder
/// dies, however it dies: a killed klab can never leave the workspace stuck.
public final class WorkspaceLock {
    private let descriptor: Int32
    public let path: String

    /// Takes the lock, waiting up to `timeout` seconds for another klab to finish.
    public init(path: String, timeout: Double = 3, pollInterval: Double = 0.05) throws {
        self.path = path
        let fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o644)
        guard fd >= 0 else {
            throw WorkspaceError.lockUnavailable(path: path, reason: String(cString: strerror(errno)))
        }
        let deadline = Date().addingTimeInterval(timeout)
        while flock(fd, LOCK_EX | LOCK_NB) != 0 {
            guard errno == EWOULDBLOCK || errno == EINTR else {
                let reason = String(cString: strerror(errno))
                close(fd)
                throw WorkspaceError.lockUnavailable(path: path, reason: reason)
            }
            if Date() >= deadline {
                close(fd)
                throw WorkspaceError.locked(path: path)
            }
            Thread.sleep(forTimeInterval: pollInterval)
        }
        descriptor = fd
        // Record who holds it, for a person looking at the file; the flock is what counts.
        let note = "pid \(getpid())\n"
        _ = ftruncate(fd, 0)
        _ = note.withCString { write(fd, $0, strlen($0)) }
    }

    deinit {
        CrashPoint.lockRelease.reached()
        flock(descriptor, LOCK_UN)
        close(descriptor)
    }
}
