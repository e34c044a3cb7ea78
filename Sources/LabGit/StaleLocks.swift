import Foundation

/// Lock files a killed git process leaves behind (`index.lock`, `refs/heads/main.lock`...).
/// While one exists, libgit2 refuses to write what it locks (error code `.locked`), exactly
/// as git does. Only a caller that knows no other git process is at work (it holds its own
/// lock on the workspace) may clear them.
extension Repository {
    /// Removes the lock files of the git folder (top level, `refs/` and `logs/`) last
    /// modified more than `age` seconds ago; returns their paths relative to the git folder.
    @discardableResult
    public func removeStaleLockFiles(olderThan age: TimeInterval) throws -> [String] {
        let fm = FileManager.default
        let gitDirectory = self.gitDirectory
        var candidates: [String] = []
        for name in (try? fm.contentsOfDirectory(atPath: gitDirectory.path)) ?? [] where name.hasSuffix(".lock") {
            candidates.append(name)
        }
        for folder in ["refs", "logs"] {
            guard let walker = fm.enumerator(atPath: gitDirectory.appendingPathComponent(folder).path) else { continue }
            for case let relative as String in walker where relative.hasSuffix(".lock") {
                candidates.append(folder + "/" + relative)
            }
        }
        let cutoff = Date().addingTimeInterval(-age)
        var removed: [String] = []
        for relative in candidates.sorted() {
            let url = gitDirectory.appendingPathComponent(relative)
            guard let attributes = try? fm.attributesOfItem(atPath: url.path),
                  (attributes[.type] as? FileAttributeType) == .typeRegular,
                  let modified = attributes[.modificationDate] as? Date, modified <= cutoff else { continue }
            do {
                try fm.removeItem(at: url)
            } catch {
                throw LabGitError.cannotWrite(path: url.path, reason: "the stale lock file cannot be removed (\(error.localizedDescription))")
            }
            removed.append(relative)
        }
        return removed
    }
}
