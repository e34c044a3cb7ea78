import Foundation
import KubeJSON

/// Reads a file klab did not write, boundedly: only a regular file (a FIFO would block
/// forever, `/dev/zero` never ends), never more than a limit of `InputLimits`. Symbolic links
/// are followed; callers that must stay inside a folder check that first.
public enum InputFile {
    /// Why a file could not be read; `reason` reads after the file's name.
    public struct Failure: Error, Equatable, CustomStringConvertible, Sendable {
        public var path: String
        public var reason: String

        public var description: String { "\(path): \(reason)" }
    }

    /// The bytes of the file at `path`, at most `limit` of them.
    public static func read(_ path: String, limit: Int) throws -> Data {
        let fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC)
        guard fd >= 0 else {
            let code = errno
            throw Failure(path: path, reason: code == ENOENT ? "does not exist" : "cannot be opened (\(String(cString: strerror(code))))")
        }
        defer { close(fd) }
        var info = stat()
        guard fstat(fd, &info) == 0 else {
            throw Failure(path: path, reason: "cannot be read (\(String(cString: strerror(errno))))")
        }
        if let kind = irregularKind(info.st_mode) {
            throw Failure(path: path, reason: "is \(kind), not a regular file")
        }
        if Int(info.st_size) > limit {
            throw Failure(path: path, reason: "is \(size(Int(info.st_size))), more than the \(size(limit)) klab reads")
        }
        // Read through a buffer as large as the file and one byte more (the read that finds
        // the end), up to 64 KiB, never filled beforehand: a class's grading reads thousands of
        // small lab and fixture files, and zeroing 64 KiB for each was most of the cost.
        let announced = max(0, Int(info.st_size))
        let chunk = min(64 * 1024, announced + 1)
        let buffer = UnsafeMutableRawPointer.allocate(byteCount: chunk, alignment: 1)
        defer { buffer.deallocate() }
        var data = Data(capacity: min(announced, limit))
        while true {
            let n = Foundation.read(fd, buffer, chunk)
            if n < 0 {
                if errno == EINTR || errno == EAGAIN { continue }
                throw Failure(path: path, reason: "cannot be read (\(String(cString: strerror(errno))))")
            }
            if n == 0 { return data }
            // A file that grows while it is read is held to the same limit.
            guard data.count + n <= limit else {
                throw Failure(path: path, reason: "is more than the \(size(limit)) klab reads")
            }
            data.append(buffer.assumingMemoryBound(to: UInt8.self), count: n)
        }
    }

    /// "a folder", "a FIFO"...: what a mode is when it is not a regular file.
    public static func irregularKind(_ mode: mode_t) -> String? {
        switch mode & S_IFMT {
        case S_IFREG: return nil
        case S_IFDIR: return "a folder"
        case S_IFIFO: return "a FIFO (named pipe)"
        case S_IFCHR, S_IFBLK: return "a device"
        case S_IFSOCK: return "a socket"
        case S_IFLNK: return "a symbolic link"
        default: return "not a file"
        }
    }

    /// A byte count as people read it: 64 MiB, 512 KiB, 300 bytes.
    public static func size(_ bytes: Int) -> String {
        if bytes >= 1 << 20, bytes % (1 << 20) == 0 { return "\(bytes >> 20) MiB" }
        if bytes >= 1 << 20 { return String(format: "%.1f MiB", Double(bytes) / Double(1 << 20)) }
        if bytes >= 1 << 10, bytes % (1 << 10) == 0 { return "\(bytes >> 10) KiB" }
        if bytes >= 1 << 10 { return String(format: "%.1f KiB", Double(bytes) / Double(1 << 10)) }
        return "\(bytes) bytes"
    }
}
