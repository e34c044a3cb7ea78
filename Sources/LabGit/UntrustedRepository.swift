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
/// reads whatever the folder names, so a FIFO (as HEAD, a ref, the config, a loose object)
/// blocks it forever, a device never ends, a symbolic link or an `alternates` file reads
/// another folder (another learner's objects), and an `[include]` in the config reads any file.
enum GitDirectoryCheck {
    static func verify(_ gitDirectory: URL, reportAs path: String, limits: UntrustedLimits) throws {
        func damaged(_ detail: String) -> LabGitError { .damagedRepository(path: path, detail: detail) }
        var entries = 0
        var folders = [gitDirectory.path]
        while let folder = folders.popLast() {
            // Listed and examined through the open folder: no path walked from the root for
            // each of a hand-in's hundred files.
            guard let listing = opendir(folder) else { throw damaged("the folder \(folder) cannot be listed") }
            defer { closedir(listing) }
            while let item = readdir(listing) {
                let name = withUnsafeBytes(of: item.pointee.d_name) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
                if name == "." || name == ".." { continue }
                entries += 1
                if entries > limits.gitDirectoryEntries {
                    throw damaged("its git folder holds more than \(limits.gitDirectoryEntries) files")
                }
                let full = folder + "/" + name
                if item.pointee.d_type == UInt8(DT_DIR) {
                    // A folder, as the listing itself says (never a link to one: that is
                    // DT_LNK): nothing to examine but what it holds.
                    folders.append(full)
                    continue
                }
                var info = stat()
                let status = withUnsafePointer(to: &item.pointee.d_name) { raw in
                    raw.withMemoryRebound(to: CChar.self, capacity: MemoryLayout.size(ofValue: raw.pointee)) {
                        fstatat(dirfd(listing), $0, &info, AT_SYMLINK_NOFOLLOW)
                    }
                }
                guard status == 0 else { throw damaged("\(full) cannot be read") }
                switch info.st_mode & S_IFMT {
                case S_IFDIR: folders.append(full)
                case S_IFREG: break
                case S_IFLNK: throw damaged("\(relative(full, to: gitDirectory)) is a symbolic link; a hand-in's git folder holds none")
                default: throw damaged("\(relative(full, to: gitDirectory)) is not a regular file (a FIFO, a device or a socket)")
                }
                if info.st_mode & S_IFMT == S_IFREG, Int(info.st_size) > limits.bundleBytes {
                    throw damaged("\(relative(full, to: gitDirectory)) is larger than \(limits.bundleBytes) bytes")
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

    private static func relative(_ path: String, to folder: URL) -> String {
        path.hasPrefix(folder.path + "/") ? String(path.dropFirst(folder.path.count + 1)) : path
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
