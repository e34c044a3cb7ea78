import CLibGit2
import Foundation

/// Bounds on reading a repository someone else made (a learner's hand-in): past one, the
/// read fails with `damagedRepository` or `invalidBundle`, so one hostile hand-in costs a
/// bounded time and memory and never stalls a class. The numbers are the caller's (klab's
/// `InputLimits.HandIn`); `unbounded` keeps only the checks that are not numbers.
public struct UntrustedLimits: Sendable, Equatable {
    /// Largest bundle file.
    public var bundleBytes: Int
    /// Most objects a bundle's pack may announce.
    public var packObjects: Int
    /// Most references a bundle may list.
    public var bundleReferences: Int
    /// Largest object read (its inflated size, as the object database announces it).
    public var objectBytes: Int
    /// Largest tree read.
    public var treeBytes: Int
    /// Deepest folder nesting a recursive listing walks.
    public var treeDepth: Int
    /// Most entries a recursive listing returns.
    public var treeEntries: Int
    /// Most files and folders in the git folder.
    public var gitDirectoryEntries: Int
    /// Largest single allocation libgit2 may make once untrusted git data is opened; a ceiling
    /// for the whole process from then on (`LibGit2.lowerAllocationCeiling`).
    public var allocationBytes: Int

    public init(
        bundleBytes: Int, packObjects: Int, bundleReferences: Int, objectBytes: Int, treeBytes: Int, treeDepth: Int,
        treeEntries: Int, gitDirectoryEntries: Int, allocationBytes: Int = .max
    ) {
        self.allocationBytes = allocationBytes
        self.bundleBytes = bundleBytes
        self.packObjects = packObjects
        self.bundleReferences = bundleReferences
        self.objectBytes = objectBytes
        self.treeBytes = treeBytes
        self.treeDepth = treeDepth
        self.treeEntries = treeEntries
        self.gitDirectoryEntries = gitDirectoryEntries
    }

    public static let unbounded = UntrustedLimits(
        bundleBytes: .max, packObjects: .max, bundleReferences: .max, objectBytes: .max, treeBytes: .max, treeDepth: .max,
        treeEntries: .max, gitDirectoryEntries: .max)
}

/// What makes a git folder unsafe to hand to libgit2, found before it is opened: libgit2
/// reads whatever the folder names, so a FIFO (as HEAD, a ref, the config, a pack) blocks it
/// forever, a device never ends, a symbolic link or an `alternates` file reads another folder
/// (another learner's objects), and an `[include]` in the config reads any file.
///
/// The loose objects' folders (`objects/4e`) are not listed: a loose object is read only
/// through `Repository.checkFirstRead`, which opens its file without following a link and
/// refuses a link, a FIFO, a device or a file past the size bound before reading it
/// (`LooseObjectCheck`), and libgit2 is never left to find one itself (a history walk on an
/// untrusted repository checks every commit first). A file there that no commit reaches is
/// never opened, so listing those folders (most of a hand-in's folders) checked nothing a
/// read does not. Nor are the folders nothing reads from a hand-in (`unread`): they are
/// checked as entries of the git folder (a folder, not a link), their contents never opened.
enum GitDirectoryCheck {
    /// Folders of a git folder that reading a hand-in never opens anything in: the reference
    /// logs (`reflog(of:)` checks its file first on an untrusted repository), the hooks (never
    /// run by klab) and klab's own scratch folder.
    static let unread: Set<String> = ["logs", "hooks", "klab-tmp"]

    static func verify(_ gitDirectory: URL, reportAs path: String, limits: UntrustedLimits) throws {
        func damaged(_ detail: String) -> LabGitError { .damagedRepository(path: path, detail: detail) }
        let root = gitDirectory.path
        let rootDescriptor = open(root, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard rootDescriptor >= 0 else { throw damaged("the folder \(root) cannot be listed") }
        defer { close(rootDescriptor) }
        let buffer = UnsafeMutableRawPointer.allocate(byteCount: listingBytes, alignment: 8)
        defer { buffer.deallocate() }
        var entries = 0
        // Folders by their path in the git folder ("" for itself), each opened from the git
        // folder's descriptor and read with one system call per batch of names: no path walked
        // from the root, no stat of the folder, no buffer allocated for each folder. Every
        // folder named was listed as a folder, never a link to one.
        var folders = [""]
        while let folder = folders.popLast() {
            let descriptor = folder.isEmpty ? dup(rootDescriptor) : openat(rootDescriptor, folder, O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW)
            guard descriptor >= 0 else { throw damaged("the folder \(joined(root, folder)) cannot be listed") }
            defer { close(descriptor) }
            while true {
                let filled = klab_getdents64(descriptor, buffer, listingBytes)
                if filled < 0 {
                    if errno == EINTR { continue }
                    throw damaged("the folder \(joined(root, folder)) cannot be listed")
                }
                if filled == 0 { break }
                var offset = 0
                while offset < filled {
                    // struct linux_dirent64: inode (8), offset (8), record length (2), type (1), name.
                    let record = buffer + offset
                    let length = Int(record.loadUnaligned(fromByteOffset: 16, as: UInt16.self))
                    guard length > 19, offset + length <= filled else { throw damaged("the folder \(joined(root, folder)) cannot be listed") }
                    offset += length
                    let type = record.load(fromByteOffset: 18, as: UInt8.self)
                    let nameStart = record.assumingMemoryBound(to: UInt8.self) + 19
                    let nameBytes = UnsafeBufferPointer(start: nameStart, count: length - 19)
                    let name = String(decoding: nameBytes.prefix { $0 != 0 }, as: UTF8.self)
                    if name == "." || name == ".." { continue }
                    entries += 1
                    if entries > limits.gitDirectoryEntries {
                        throw damaged("its git folder holds more than \(limits.gitDirectoryEntries) files")
                    }
                    let relativePath = folder.isEmpty ? name : folder + "/" + name
                    var mode: mode_t
                    switch Int32(type) {
                    case Int32(DT_DIR): mode = S_IFDIR
                    case Int32(DT_LNK): mode = S_IFLNK
                    case Int32(DT_FIFO), Int32(DT_CHR), Int32(DT_BLK), Int32(DT_SOCK): mode = S_IFIFO
                    default:
                        // A file (its size counts), or a type the listing does not give.
                        var info = stat()
                        guard fstatat(descriptor, name, &info, AT_SYMLINK_NOFOLLOW) == 0 else {
                            throw damaged("\(joined(root, relativePath)) cannot be read")
                        }
                        mode = info.st_mode & S_IFMT
                        if mode == S_IFREG, Int(info.st_size) > limits.bundleBytes {
                            throw damaged("\(relativePath) is larger than \(limits.bundleBytes) bytes")
                        }
                    }
                    switch mode {
                    case S_IFDIR:
                        if !isLooseObjectFolder(relativePath), !(folder.isEmpty && unread.contains(name)) { folders.append(relativePath) }
                    case S_IFREG: break
                    case S_IFLNK: throw damaged("\(relativePath) is a symbolic link; a hand-in's git folder holds none")
                    default: throw damaged("\(relativePath) is not a regular file (a FIFO, a device or a socket)")
                    }
                }
            }
        }
        let alternates = gitDirectory.appendingPathComponent("objects/info/alternates")
        if FileManager.default.fileExists(atPath: alternates.path) {
            throw damaged("objects/info/alternates borrows objects from another repository; a hand-in must hold its own")
        }
        let config = gitDirectory.appendingPathComponent("config")
        if let data = FileManager.default.contents(atPath: config.path) {
            let text = String(decoding: data, as: UTF8.self).lowercased()
            if text.contains("[include") {
                throw damaged("its config includes other files ([include] or [includeIf]); a hand-in's config may not")
            }
        }
    }

    /// How many bytes of names one listing call reads at most.
    static let listingBytes = 32 * 1024

    /// Whether `folder` (a path in the git folder) is where loose objects are kept: `objects/`
    /// and two hexadecimal digits.
    static func isLooseObjectFolder(_ folder: String) -> Bool {
        let bytes = Array(folder.utf8)
        guard bytes.count == 10, folder.hasPrefix("objects/") else { return false }
        return bytes[8...].allSatisfy { (UInt8(ascii: "0")...UInt8(ascii: "9")).contains($0) || (UInt8(ascii: "a")...UInt8(ascii: "f")).contains($0) }
    }

    private static func joined(_ root: String, _ relative: String) -> String {
        relative.isEmpty ? root : root + "/" + relative
    }
}

extension Repository {
    /// Refuses an object larger than the limits before libgit2 inflates it: its size comes
    /// from the object database's header (a loose object's first bytes, a pack entry's header).
    func checkSize(_ id: ObjectID, limits: UntrustedLimits) throws {
        var odb: OpaquePointer?
        try check(git_repository_odb(&odb, pointer), "git_repository_odb")
        defer { git_odb_free(odb) }
        var oid = id.raw
        var size = 0
        var type = GIT_OBJECT_INVALID
        guard git_odb_read_header(&size, &type, odb, &oid) == 0 else {
            git_error_clear()
            return // absent or unreadable: the lookup that follows says which
        }
        let limit = type == GIT_OBJECT_TREE ? limits.treeBytes : limits.objectBytes
        if size > limit {
            let kind = type == GIT_OBJECT_TREE ? "tree" : type == GIT_OBJECT_BLOB ? "file" : "object"
            throw LabGitError.damagedRepository(
                path: gitDirectory.path, detail: "the \(kind) \(id.short) is \(size) bytes, more than the \(limit) klab reads from a hand-in")
        }
    }
}

extension Repository {
    /// What in this repository makes git show a history other than its stored commits:
    /// `info/grafts` (other parents for some commits; git still honours it, libgit2 1.5 does
    /// not) and references under `refs/replace/` (other objects in place of some; libgit2 never
    /// follows them). klab reads the commits as stored, so with either, what `git log` shows in
    /// the repository may not be the history klab read. Empty for an ordinary repository.
    public func historyOverrides() throws -> [String] {
        var found: [String] = []
        var info = stat()
        if lstat(gitDirectory.appendingPathComponent("info/grafts").path, &info) == 0, info.st_size > 0 {
            found.append("info/grafts gives commits other parents")
        }
        let replaced = try references(under: "refs/replace/").count
        if replaced > 0 {
            found.append("\(replaced) reference\(replaced == 1 ? "" : "s") under refs/replace/ put other objects in place of stored ones")
        }
        return found
    }
}
