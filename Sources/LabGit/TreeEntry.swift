import CLibGit2

/// One entry of a tree: a file, a symbolic link, a folder or a submodule.
public struct TreeEntry: Equatable, Sendable {
    public enum Mode: Equatable, Sendable {
        case file, executable, symlink, directory, submodule
        case other(UInt32)

        init(_ raw: git_filemode_t) {
            switch raw {
            case GIT_FILEMODE_BLOB: self = .file
            case GIT_FILEMODE_BLOB_EXECUTABLE: self = .executable
            case GIT_FILEMODE_LINK: self = .symlink
            case GIT_FILEMODE_TREE: self = .directory
            case GIT_FILEMODE_COMMIT: self = .submodule
            default: self = .other(raw.rawValue)
            }
        }

        var raw: git_filemode_t {
            switch self {
            case .file: return GIT_FILEMODE_BLOB
            case .executable: return GIT_FILEMODE_BLOB_EXECUTABLE
            case .symlink: return GIT_FILEMODE_LINK
            case .directory: return GIT_FILEMODE_TREE
            case .submodule: return GIT_FILEMODE_COMMIT
            case let .other(value): return git_filemode_t(rawValue: value)
            }
        }

        /// True for the modes whose object is a blob (file, executable, link).
        public var isBlob: Bool { self == .file || self == .executable || self == .symlink }
    }

    /// The path from the top of the tree that was listed (`dir/file.yaml`).
    public let path: String
    public let mode: Mode
    public let id: ObjectID

    /// The last path component.
    public var name: Substring { path.split(separator: "/").last ?? Substring(path) }
}
