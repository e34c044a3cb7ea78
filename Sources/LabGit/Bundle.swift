import CLibGit2
import Foundation

/// A git bundle read into a private scratch repository: the bundle's references and objects,
/// for reading only. The scratch copy is deleted when the bundle (and every repository
/// handle obtained from it) is released. libgit2 1.5 has no bundle API: the header is
/// parsed here and the pack indexed with `git_indexer`.
public final class GitBundle {
    /// The bundle file.
    public let path: URL
    /// The references the bundle lists, in the order written (`HEAD` included when present).
    public let references: [Reference]
    /// A repository holding the bundle's objects and references (`HEAD` detached at the
    /// bundle's HEAD when it lists one). Treat it as read-only.
    public let repository: Repository

    private init(path: URL, references: [Reference], repository: Repository) {
        self.path = path
        self.references = references
        self.repository = repository
    }

    /// Reads the bundle at `url` (format v2, or v3 with SHA-1 objects). Throws
    /// `invalidBundle` for anything that is not a complete, self-contained bundle: a bad
    /// header, a truncated or corrupt pack, references to objects it lacks, or prerequisite
    /// commits (an incremental bundle). `scratchDirectory` is where the temporary copy goes.
    public static func open(
        at url: URL, scratchDirectory: URL = FileManager.default.temporaryDirectory, limits: UntrustedLimits = .unbounded
    ) throws -> GitBundle {
        LibGit2.lowerAllocationCeiling(to: limits.allocationBytes)
        LibGit2.readOnlyRepositoryConfiguration()
        // Opened without blocking and checked before anything is read: a FIFO named as a
        // hand-in would block a plain open forever, a device would never end.
        let fd = Foundation.open(url.path, O_RDONLY | O_NONBLOCK | O_CLOEXEC)
        guard fd >= 0 else {
            throw LabGitError.invalidBundle(path: url.path, reason: "the file cannot be opened (\(String(cString: strerror(errno))))")
        }
        let file = FileHandle(fileDescriptor: fd, closeOnDealloc: true)
        defer { try? file.close() }
        var info = stat()
        guard fstat(fd, &info) == 0, info.st_mode & S_IFMT == S_IFREG else {
            throw LabGitError.invalidBundle(path: url.path, reason: "it is not a regular file (a FIFO, a device or a socket)")
        }
        guard Int(info.st_size) <= limits.bundleBytes else {
            throw LabGitError.invalidBundle(path: url.path, reason: "it is \(info.st_size) bytes, more than the \(limits.bundleBytes) klab reads from a hand-in")
        }
        let (header, packStart) = try readHeader(file, path: url.path)
        if !header.prerequisites.isEmpty {
            throw LabGitError.invalidBundle(path: url.path, reason: "it is incremental (it needs \(header.prerequisites.count) commit(s) it does not contain)")
        }
        if header.references.isEmpty {
            throw LabGitError.invalidBundle(path: url.path, reason: "it lists no references")
        }
        if header.references.count > limits.bundleReferences {
            throw LabGitError.invalidBundle(path: url.path, reason: "it lists \(header.references.count) references, more than the \(limits.bundleReferences) klab reads from a hand-in")
        }

        let scratch = try ScratchDirectory(in: scratchDirectory)
        let gitDirectory = scratch.url.appendingPathComponent("bundle.git")
        _ = try Repository.createBare(at: gitDirectory)
        try indexPack(file, from: packStart, into: gitDirectory.appendingPathComponent("objects/pack"), path: url.path, limits: limits)

        var out: OpaquePointer?
        try check(git_repository_open_bare(&out, gitDirectory.path), "git_repository_open_bare")
        let repository = Repository(pointer: out!, owner: scratch)
        repository.untrustedLimits = limits
        for reference in header.references {
            guard try repository.contains(reference.target) else {
                throw LabGitError.invalidBundle(path: url.path, reason: "\(reference.name) points at \(reference.target.short), which the bundle does not contain")
            }
            if reference.name == "HEAD" {
                var oid = reference.target.raw
                try check(git_repository_set_head_detached(repository.pointer, &oid), "git_repository_set_head_detached")
            } else {
                try repository.updateReference(reference.name, to: reference.target, message: "bundle")
            }
        }
        return GitBundle(path: url, references: header.references, repository: repository)
    }

    private struct Header {
        var references: [Reference] = []
        var prerequisites: [ObjectID] = []
    }

    /// Parses the text header; returns it and the file offset where the pack begins.
    private static func readHeader(_ file: FileHandle, path: String) throws -> (Header, UInt64) {
        // Headers are small; a generous cap keeps a hostile file from being read whole.
        let limit = 1 << 20
        var buffer = Data()
        var end: Data.Index?
        while end == nil, buffer.count < limit {
            guard let chunk = try file.read(upToCount: 64 * 1024), !chunk.isEmpty else { break }
            let searchFrom = max(buffer.startIndex, buffer.endIndex - 1)
            buffer.append(chunk)
            end = buffer[searchFrom...].firstRange(of: Data("\n\n".utf8))?.lowerBound
        }
        guard let firstNewline = buffer.firstIndex(of: UInt8(ascii: "\n")) else {
            throw LabGitError.invalidBundle(path: path, reason: "it does not start with a '# v2 git bundle' line")
        }
        let signature = String(decoding: buffer[..<firstNewline], as: UTF8.self)
        guard signature == "# v2 git bundle" || signature == "# v3 git bundle" else {
            throw LabGitError.invalidBundle(path: path, reason: "it does not start with a '# v2 git bundle' line")
        }
        guard let end else {
            throw LabGitError.invalidBundle(path: path, reason: "the header does not end (no blank line before the pack)")
        }
        var header = Header()
        let lines = String(decoding: buffer[(firstNewline + 1)..<(end + 1)], as: UTF8.self).split(separator: "\n")
        for line in lines {
            if line.hasPrefix("@") {
                guard signature.hasPrefix("# v3"), line == "@object-format=sha1" else {
                    throw LabGitError.invalidBundle(path: path, reason: "unsupported capability '\(line)'")
                }
            } else if line.hasPrefix("-") {
                let hex = String(line.dropFirst().prefix(40))
                guard let id = ObjectID(hex: hex) else {
                    throw LabGitError.invalidBundle(path: path, reason: "bad prerequisite line '\(line.prefix(80))'")
                }
                header.prerequisites.append(id)
            } else {
                let parts = line.split(separator: " ", maxSplits: 1)
                guard parts.count == 2, let id = ObjectID(hex: String(parts[0])),
                      parts[1] == "HEAD" || Repository.isValidReferenceName(String(parts[1])) else {
                    throw LabGitError.invalidBundle(path: path, reason: "bad reference line '\(line.prefix(80))'")
                }
                header.references.append(Reference(name: String(parts[1]), target: id))
            }
        }
        return (header, UInt64(end - buffer.startIndex + 2))
    }

    private static func indexPack(_ file: FileHandle, from offset: UInt64, into packDirectory: URL, path: String, limits: UntrustedLimits) throws {
        try file.seek(toOffset: offset)
        _ = LibGit2.takeRefusedAllocation()
        var options = git_indexer_options()
        try check(git_indexer_options_init(&options, UInt32(GIT_INDEXER_OPTIONS_VERSION)), "git_indexer_options_init")
        options.verify = 1
        // The pack announces its object count first: past the limit, indexing stops there.
        let watch = PackWatch(maxObjects: limits.packObjects)
        options.progress_cb = { stats, payload in
            let watch = Unmanaged<PackWatch>.fromOpaque(payload!).takeUnretainedValue()
            guard let stats, Int(stats.pointee.total_objects) <= watch.maxObjects else {
                watch.announced = Int(stats?.pointee.total_objects ?? 0)
                return -1
            }
            return 0
        }
        options.progress_cb_payload = Unmanaged.passUnretained(watch).toOpaque()
        var indexer: OpaquePointer?
        try check(git_indexer_new(&indexer, packDirectory.path, 0, nil, &options), "git_indexer_new")
        defer { git_indexer_free(indexer) }
        defer { withExtendedLifetime(watch) {} }
        func tooMany() -> LabGitError {
            .invalidBundle(path: path, reason: "its pack holds \(watch.announced ?? 0) objects, more than the \(limits.packObjects) klab reads from a hand-in")
        }
        var progress = git_indexer_progress()
        var sawData = false
        do {
            while let chunk = try file.read(upToCount: 1 << 20), !chunk.isEmpty {
                if !sawData {
                    guard chunk.starts(with: Data("PACK".utf8)) else {
                        throw LabGitError.invalidBundle(path: path, reason: "no pack follows the header")
                    }
                    sawData = true
                }
                try chunk.withUnsafeBytes { bytes in
                    _ = try check(git_indexer_append(indexer, bytes.baseAddress, bytes.count, &progress), "git_indexer_append")
                }
            }
            guard sawData else { throw LabGitError.invalidBundle(path: path, reason: "the pack is missing") }
            try check(git_indexer_commit(indexer, &progress), "git_indexer_commit")
        } catch let LabGitError.libgit2(function, _, message) {
            if watch.announced != nil { throw tooMany() }
            if let refused = LibGit2.takeRefusedAllocation() {
                // A pack announces each object's size and libgit2 allocates it; a forged size
                // meets the allocation ceiling (`UntrustedLimits.allocationBytes`).
                let size = refused == Int.max ? "more" : "\(refused >> 20) MB"
                throw LabGitError.invalidBundle(path: path, reason: "its pack announces an object of \(size), larger than klab reads (\(LibGit2.allocationCeiling >> 20) MB)")
            }
            throw LabGitError.invalidBundle(path: path, reason: "its pack is damaged or truncated (\(function): \(message))")
        }
    }
}

extension Repository {
    /// Writes a complete bundle of `references` (full names or `HEAD`; default: HEAD and
    /// every reference under `refs/`) with all the objects they reach, readable by
    /// `git clone`, `git bundle verify` and `GitBundle.open`. The file appears whole or not
    /// at all (written aside, then renamed).
    public func writeBundle(to url: URL, references names: [String]? = nil) throws {
        var references: [Reference] = []
        if let names {
            for name in names {
                guard let target = try referenceTarget(name) else { throw LabGitError.notFound("reference \(name)") }
                references.append(Reference(name: name, target: target))
            }
        } else {
            references = try self.references(under: "refs/")
            if let head = try headCommitID() { references.append(Reference(name: "HEAD", target: head)) }
        }
        guard !references.isEmpty else {
            throw LabGitError.notFound("a reference to bundle (the repository has no commit yet)")
        }

        var builder: OpaquePointer?
        try check(git_packbuilder_new(&builder, pointer), "git_packbuilder_new")
        defer { git_packbuilder_free(builder) }
        var walk: OpaquePointer?
        try check(git_revwalk_new(&walk, pointer), "git_revwalk_new")
        defer { git_revwalk_free(walk) }
        for target in Set(references.map(\.target)) {
            var oid = target.raw
            if try isCommit(target) {
                try check(git_revwalk_push(walk, &oid), "git_revwalk_push")
            } else {
                try check(git_packbuilder_insert_recur(builder, &oid, nil), "git_packbuilder_insert_recur")
            }
        }
        try check(git_packbuilder_insert_walk(builder, walk), "git_packbuilder_insert_walk")
        var pack = git_buf()
        try check(git_packbuilder_write_buf(&pack, builder), "git_packbuilder_write_buf")
        defer { git_buf_dispose(&pack) }

        var data = Data("# v2 git bundle\n".utf8)
        for reference in references { data.append(Data("\(reference.target.hex) \(reference.name)\n".utf8)) }
        data.append(Data("\n".utf8))
        data.append(UnsafeRawPointer(pack.ptr).assumingMemoryBound(to: UInt8.self), count: pack.size)
        let temporary = url.deletingLastPathComponent().appendingPathComponent(".\(url.lastPathComponent).\(UUID().uuidString).tmp")
        do {
            try data.write(to: temporary)
            guard rename(temporary.path, url.path) == 0 else {
                throw LabGitError.cannotWrite(path: url.path, reason: String(cString: strerror(errno)))
            }
        } catch {
            try? FileManager.default.removeItem(at: temporary)
            throw error
        }
    }

    private func isCommit(_ id: ObjectID) throws -> Bool {
        let object = try lookup(id, GIT_OBJECT_ANY, what: "object \(id)")
        defer { git_object_free(object) }
        return git_object_type(object) == GIT_OBJECT_COMMIT
    }
}

/// What the indexer's progress callback compares and reports.
private final class PackWatch {
    let maxObjects: Int
    var announced: Int?

    init(maxObjects: Int) { self.maxObjects = maxObjects }
}

/// A folder that exists as long as this object does.
final class ScratchDirectory {
    let url: URL

    init(in parent: URL) throws {
        url = parent.appendingPathComponent("klab-bundle-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    }

    deinit { try? FileManager.default.removeItem(at: url) }
}
