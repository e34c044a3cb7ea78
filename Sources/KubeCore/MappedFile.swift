import Foundation

/// A file mapped read-only into memory, so a large input (a 60 MB `kubectl get -o json`) is
/// read without a copy and the pages already read can be given back while reading goes on:
/// the memory a read costs is then what it builds, not that plus the whole file.
public final class MappedFile {
    public let count: Int
    private let base: UnsafeMutableRawPointer?
    private let pageSize = Int(sysconf(Int32(_SC_PAGESIZE)))
    private var released = 0

    /// Maps the regular file at `path`; nil when it cannot be opened or mapped (then read it
    /// the ordinary way, which also says why).
    public init?(path: String) {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        var info = stat()
        guard fstat(fd, &info) == 0, (info.st_mode & S_IFMT) == S_IFREG else { return nil }
        count = Int(info.st_size)
        guard count > 0 else {
            base = nil
            return
        }
        guard let mapped = mmap(nil, count, PROT_READ, MAP_PRIVATE, fd, 0), mapped != MAP_FAILED else { return nil }
        base = mapped
        _ = madvise(mapped, count, MADV_SEQUENTIAL)
    }

    deinit {
        if let base { munmap(base, count) }
    }

    public func withBytes<T>(_ body: (UnsafeRawBufferPointer) throws -> T) rethrows -> T {
        try body(UnsafeRawBufferPointer(start: base, count: count))
    }

    /// Gives back the whole pages before `offset`. They are not lost: the mapping is of the
    /// file, so touching them again reads them again (an error message counting lines does).
    public func release(before offset: Int) {
        guard let base else { return }
        let end = min(offset, count) / pageSize * pageSize
        guard end > released else { return }
        _ = madvise(base + released, end - released, MADV_DONTNEED)
        released = end
    }
}
