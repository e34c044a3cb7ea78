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
        var data = Data()
        var buffer = [UInt8](repeating: 0, count: 64 * 1024)
        while true {
            let n = buffer.withUnsafeMutableBytes { Foundation.read(fd, $0.baseAddress, $0.count) }
            if n < 0 {
                if errno == EINTR || errno == EAGAIN { continue }
                throw Failure(path: path, reason: "cannot be read (\(String(cString: strerror(errno))))")
            }
            if n == 0 { return data }
            // A file that grows while it is read is held to the same limit.
            guard data.count + n <= limit else {
                throw Failure(path: path, reason: "is more than the \(size(limit)) klab reads")
            }
            data.append(contentsOf: buffer[0..<n])
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
