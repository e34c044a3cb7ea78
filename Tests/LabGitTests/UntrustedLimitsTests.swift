import CLibGit2
import Foundation
import TestSupport
import XCTest
@testable import LabGit

/// Each bound of `UntrustedLimits` at its edge, with small numbers: a repository or bundle
/// exactly at the bound is read, one past it is refused with a sentence that names the bound.
/// And what no bound makes safe (FIFOs, links, alternates, includes) is refused outright.
final class UntrustedLimitsTests: TemporaryDirectoryTestCase {
    func limits(
        bundleBytes: Int = .max, packObjects: Int = .max, bundleReferences: Int = .max, objectBytes: Int = .max,
        treeBytes: Int = .max, treeDepth: Int = .max, treeEntries: Int = .max, gitDirectoryEntries: Int = .max
    ) -> UntrustedLimits {
        UntrustedLimits(
            bundleBytes: bundleBytes, packObjects: packObjects, bundleReferences: bundleReferences, objectBytes: objectBytes,
            treeBytes: treeBytes, treeDepth: treeDepth, treeEntries: treeEntries, gitDirectoryEntries: gitDirectoryEntries)
    }

    func detail(_ error: Error) -> String {
        switch error as? LabGitError {
        case .damagedRepository(_, let detail)?: return detail
        case .invalidBundle(_, let reason)?: return reason
        default: return "\(error)"
        }
    }

    /// A repository whose one commit holds `a/b/c/file.txt` (three folders deep) and `top.txt` of 1000 bytes.
    func nested() throws -> (URL, ObjectID) {
        let repository = try makeRepository(files: ["a/b/c/file.txt": "deep\n", "top.txt": String(repeating: "0123456789", count: 100)])
        return (root.appendingPathComponent("ws"), try XCTUnwrap(try repository.headCommitID()))
    }

    func testTreeDepthAndEntriesAtTheirEdges() throws {
        let (url, commit) = try nested()
        // The walk: a, a/b, a/b/c, a/b/c/file.txt, top.txt = 5 entries, folders 3 levels deep.
        XCTAssertEqual(try Repository.openForReading(at: url, limits: limits(treeDepth: 3, treeEntries: 5)).treeEntries(of: commit).count, 5)
        XCTAssertThrowsError(try Repository.openForReading(at: url, limits: limits(treeDepth: 2)).treeEntries(of: commit)) { error in
            XCTAssertEqual(self.detail(error), "folders nest deeper than 2 levels, more than klab reads from a hand-in")
        }
        XCTAssertThrowsError(try Repository.openForReading(at: url, limits: limits(treeEntries: 4)).treeEntries(of: commit)) { error in
            XCTAssertEqual(self.detail(error), "a folder lists more than 4 entries, more than klab reads from a hand-in")
        }
    }

    func testObjectAndTreeSizesAtTheirEdges() throws {
        let (url, commit) = try nested()
        XCTAssertEqual(try Repository.openForReading(at: url, limits: limits(objectBytes: 1000)).blob(at: "top.txt", in: commit)?.count, 1000)
        XCTAssertThrowsError(try Repository.openForReading(at: url, limits: limits(objectBytes: 999)).blob(at: "top.txt", in: commit)) { error in
            XCTAssertTrue(self.detail(error).hasSuffix("is 1000 bytes, more than the 999 klab reads from a hand-in"), self.detail(error))
        }
        // The root tree: "40000 a\0" + 20 + "100644 top.txt\0" + 20 = 8 + 20 + 15 + 20 bytes.
        XCTAssertNoThrow(try Repository.openForReading(at: url, limits: limits(treeBytes: 63)).entry(at: "top.txt", in: commit))
        XCTAssertThrowsError(try Repository.openForReading(at: url, limits: limits(treeBytes: 62)).entry(at: "top.txt", in: commit)) { error in
            XCTAssertTrue(self.detail(error).contains("the tree"), self.detail(error))
        }
    }

    func testTheGitFolderIsCheckedBeforeLibgit2OpensIt() throws {
        let (url, _) = try nested()
        // Every file and folder but the loose objects, which are checked when read, and what
        // lies in the folders nothing reads from a hand-in (the folders themselves count).
        let count = try FileManager.default.subpathsOfDirectory(atPath: url.appendingPathComponent(".git").path)
            .filter { !GitDirectoryCheck.isLooseObjectFolder(($0 as NSString).deletingLastPathComponent) }
            .filter { path in !GitDirectoryCheck.unread.contains { path.hasPrefix($0 + "/") } }.count
        XCTAssertTrue(FileManager.default.fileExists(atPath: url.appendingPathComponent(".git/logs/HEAD").path), "the count leaves something out")
        XCTAssertNoThrow(try Repository.openForReading(at: url, limits: limits(gitDirectoryEntries: count)))
        XCTAssertThrowsError(try Repository.openForReading(at: url, limits: limits(gitDirectoryEntries: count - 1))) { error in
            XCTAssertEqual(self.detail(error), "its git folder holds more than \(count - 1) files")
        }

        let fifo = url.appendingPathComponent(".git/refs/heads/pipe")
        XCTAssertEqual(mkfifo(fifo.path, 0o644), 0)
        XCTAssertThrowsError(try Repository.openForReading(at: url)) { error in
            XCTAssertEqual(self.detail(error), "refs/heads/pipe is not a regular file (a FIFO, a device or a socket)")
        }
        try FileManager.default.removeItem(at: fifo)

        try FileManager.default.createSymbolicLink(at: url.appendingPathComponent(".git/refs/heads/link"), withDestinationURL: URL(fileURLWithPath: "/etc/hostname"))
        XCTAssertThrowsError(try Repository.openForReading(at: url)) { error in
            XCTAssertEqual(self.detail(error), "refs/heads/link is a symbolic link; a hand-in's git folder holds none")
        }
        try FileManager.default.removeItem(at: url.appendingPathComponent(".git/refs/heads/link"))

        try Data("/elsewhere/objects\n".utf8).write(to: url.appendingPathComponent(".git/objects/info/alternates"))
        XCTAssertThrowsError(try Repository.openForReading(at: url)) { error in
            XCTAssertTrue(self.detail(error).hasPrefix("objects/info/alternates borrows objects"), self.detail(error))
        }
        try FileManager.default.removeItem(at: url.appendingPathComponent(".git/objects/info/alternates"))

        let config = url.appendingPathComponent(".git/config")
        try (try Data(contentsOf: config) + Data("[includeIf \"gitdir:/\"]\n\tpath = /dev/zero\n".utf8)).write(to: config)
        XCTAssertThrowsError(try Repository.openForReading(at: url)) { error in
            XCTAssertTrue(self.detail(error).hasPrefix("its config includes other files"), self.detail(error))
        }
    }

    /// The loose objects' folders are not listed: a link or a FIFO where no commit leads is
    /// never opened, and the hand-in reads as before; one where a commit leads is refused
    /// when that object is read, on one line naming the file, without waiting on the FIFO.
    /// An object past the size bound is refused when it is read. Any other file's size is
    /// checked when the folder is opened.
    func testLooseObjectsAreCheckedWhenRead() throws {
        // A file that compresses to more than any file outside the loose objects holds.
        var generator = SystemRandomNumberGenerator()
        let noise = Data((0..<40_000).map { _ in UInt8.random(in: 0...255, using: &generator) }).base64EncodedString()
        let repository = try makeRepository(files: ["noise.txt": noise])
        let url = root.appendingPathComponent("ws")
        let commit = try XCTUnwrap(try repository.headCommitID())
        let blob = try XCTUnwrap(try repository.entry(at: "noise.txt", in: commit)).id
        let git = url.appendingPathComponent(".git")
        let folder = git.appendingPathComponent("objects/\(commit.hex.prefix(2))")
        let object = git.appendingPathComponent("objects/\(blob.hex.prefix(2))/\(blob.hex.dropFirst(2))")
        let objectBytes = try XCTUnwrap(try FileManager.default.attributesOfItem(atPath: object.path)[.size] as? Int)
        let largest = try FileManager.default.subpathsOfDirectory(atPath: git.path)
            .filter { !GitDirectoryCheck.isLooseObjectFolder(($0 as NSString).deletingLastPathComponent) }
            .compactMap { try FileManager.default.attributesOfItem(atPath: git.appendingPathComponent($0).path)[.size] as? Int }.max() ?? 0

        // Where no commit leads: never opened.
        let stray = folder.appendingPathComponent(String(repeating: "1", count: 38))
        try FileManager.default.createSymbolicLink(at: stray, withDestinationURL: object)
        XCTAssertEqual(try Repository.openForReading(at: url).blob(at: "noise.txt", in: commit), Data(noise.utf8))
        try FileManager.default.removeItem(at: stray)
        XCTAssertEqual(mkfifo(stray.path, 0o644), 0)
        XCTAssertEqual(try Repository.openForReading(at: url).blob(at: "noise.txt", in: commit), Data(noise.utf8))
        try FileManager.default.removeItem(at: stray)

        // Where the commit leads: the folder opens, the read refuses the object.
        let moved = root.appendingPathComponent("blob-object")
        try FileManager.default.moveItem(at: object, to: moved)
        try FileManager.default.createSymbolicLink(at: object, withDestinationURL: moved)
        XCTAssertThrowsError(try Repository.openForReading(at: url).blob(at: "noise.txt", in: commit)) { error in
            XCTAssertEqual(self.detail(error), "objects/\(blob.hex.prefix(2))/\(blob.hex.dropFirst(2)) is a symbolic link; a hand-in's git folder holds none")
        }
        try FileManager.default.removeItem(at: object)
        XCTAssertEqual(mkfifo(object.path, 0o644), 0)
        XCTAssertThrowsError(try Repository.openForReading(at: url).blob(at: "noise.txt", in: commit)) { error in
            XCTAssertEqual(self.detail(error), "objects/\(blob.hex.prefix(2))/\(blob.hex.dropFirst(2)) is not a regular file (a FIFO, a device or a socket)")
        }
        try FileManager.default.removeItem(at: object)
        try FileManager.default.moveItem(at: moved, to: object)

        // The blob's loose file past the bound: the folder opens, the read refuses it.
        XCTAssertGreaterThan(objectBytes, largest)
        let bound = objectBytes - 1
        let reading = try Repository.openForReading(at: url, limits: limits(bundleBytes: bound))
        XCTAssertThrowsError(try reading.blob(at: "noise.txt", in: commit)) { error in
            XCTAssertEqual(self.detail(error), "objects/\(blob.hex.prefix(2))/\(blob.hex.dropFirst(2)) is larger than \(bound) bytes")
        }
        XCTAssertEqual(try Repository.openForReading(at: url, limits: limits(bundleBytes: objectBytes)).blob(at: "noise.txt", in: commit),
                       Data(noise.utf8))
        // Any other file past the bound: refused when the folder is opened.
        try Data(count: bound + 1).write(to: git.appendingPathComponent("description"))
        XCTAssertThrowsError(try Repository.openForReading(at: url, limits: limits(bundleBytes: bound))) { error in
            XCTAssertEqual(self.detail(error), "description is larger than \(bound) bytes")
        }
    }

    /// The reference logs and the hooks are never read from a hand-in: their folders are not
    /// listed, and a FIFO there changes nothing; a reference log read anyway is checked first.
    func testFoldersNothingReadsAreNotListed() throws {
        let (url, commit) = try nested()
        let git = url.appendingPathComponent(".git")
        try FileManager.default.createDirectory(at: git.appendingPathComponent("hooks"), withIntermediateDirectories: true)
        for path in ["logs/refs/heads/pipe", "hooks/pre-commit"] {
            XCTAssertEqual(mkfifo(git.appendingPathComponent(path).path, 0o644), 0, path)
        }
        let reading = try Repository.openForReading(at: url)
        XCTAssertEqual(try reading.blob(at: "top.txt", in: commit)?.count, 1000)
        XCTAssertEqual(try reading.reflog(of: "HEAD").first?.new, commit)
        XCTAssertThrowsError(try reading.reflog(of: "refs/heads/pipe")) { error in
            XCTAssertEqual(self.detail(error), "logs/refs/heads/pipe is not a regular file")
        }
        // The folders themselves are still entries of the git folder: a link there is refused.
        try FileManager.default.removeItem(at: git.appendingPathComponent("hooks"))
        try FileManager.default.createSymbolicLink(at: git.appendingPathComponent("hooks"), withDestinationURL: URL(fileURLWithPath: "/etc"))
        XCTAssertThrowsError(try Repository.openForReading(at: url)) { error in
            XCTAssertEqual(self.detail(error), "hooks is a symbolic link; a hand-in's git folder holds none")
        }
    }

    /// A history walk on an untrusted repository reads each commit through the check first:
    /// a FIFO in place of the first commit is refused, on one line, instead of blocking libgit2.
    func testAHistoryWalkOfAnUntrustedRepositoryChecksEveryCommit() throws {
        let repository = try makeRepository(files: ["a.txt": "1\n"])
        let url = try XCTUnwrap(repository.workdir)
        let first = try XCTUnwrap(try repository.headCommitID())
        try write("2\n", to: "a.txt", in: url)
        let second = try commitAll(repository, subject: "Second")
        XCTAssertEqual(try Repository.openForReading(at: url).history(from: second), [second, first])
        XCTAssertTrue(try Repository.openForReading(at: url).isAncestor(first, of: second))

        let object = url.appendingPathComponent(".git/objects/\(first.hex.prefix(2))/\(first.hex.dropFirst(2))")
        try FileManager.default.removeItem(at: object)
        XCTAssertEqual(mkfifo(object.path, 0o644), 0)
        let refusal = "objects/\(first.hex.prefix(2))/\(first.hex.dropFirst(2)) is not a regular file (a FIFO, a device or a socket)"
        XCTAssertThrowsError(try Repository.openForReading(at: url).history(from: second)) { error in
            XCTAssertEqual(self.detail(error), refusal)
        }
        XCTAssertThrowsError(try Repository.openForReading(at: url).isAncestor(first, of: second)) { error in
            XCTAssertEqual(self.detail(error), refusal)
        }
    }

    /// Reading a hand-in depends on nothing but the hand-in: once one is opened, libgit2
    /// looks for no global, XDG, system or program-data configuration in this process.
    func testOnlyTheRepositorysOwnConfigurationIsRead() throws {
        let (url, _) = try nested()
        _ = try Repository.openForReading(at: url)
        for level in [GIT_CONFIG_LEVEL_GLOBAL, GIT_CONFIG_LEVEL_XDG, GIT_CONFIG_LEVEL_SYSTEM, GIT_CONFIG_LEVEL_PROGRAMDATA] {
            XCTAssertEqual(LibGit2.configurationSearchPath(level), "", "level \(level.rawValue)")
        }
    }

    func testGraftsAndReplaceRefsAreNamedAsOverridesOfTheHistory() throws {
        let (url, commit) = try nested()
        XCTAssertEqual(try Repository.openForReading(at: url).historyOverrides(), [])
        try FileManager.default.createDirectory(at: url.appendingPathComponent(".git/info"), withIntermediateDirectories: true)
        try Data("\(commit.hex) \(commit.hex)\n".utf8).write(to: url.appendingPathComponent(".git/info/grafts"))
        let repository = try Repository.openForReading(at: url)
        XCTAssertEqual(try repository.historyOverrides(), ["info/grafts gives commits other parents"])
        XCTAssertEqual(try repository.headCommitID(), commit, "libgit2 reads the stored commits")
        try FileManager.default.removeItem(at: url.appendingPathComponent(".git/info/grafts"))
        try Repository.open(at: url).updateReference("refs/replace/\(commit.hex)", to: commit, message: "test")
        XCTAssertEqual(try Repository.openForReading(at: url).historyOverrides(),
                       ["1 reference under refs/replace/ put other objects in place of stored ones"])
    }

    func testDotGitAsALinkOrAFileIsRefused() throws {
        let (url, _) = try nested()
        let linked = root.appendingPathComponent("linked")
        try FileManager.default.createDirectory(at: linked, withIntermediateDirectories: true)
        try FileManager.default.createSymbolicLink(at: linked.appendingPathComponent(".git"), withDestinationURL: url.appendingPathComponent(".git"))
        XCTAssertThrowsError(try Repository.openForReading(at: linked)) { error in
            XCTAssertEqual(self.detail(error), ".git is a symbolic link; hand in the repository itself")
        }
        let pointed = root.appendingPathComponent("pointed")
        try write("gitdir: \(url.path)/.git\n", to: ".git", in: pointed)
        XCTAssertThrowsError(try Repository.openForReading(at: pointed)) { error in
            XCTAssertTrue(self.detail(error).hasPrefix(".git is a file pointing elsewhere"), self.detail(error))
        }
    }

    func testBundleSizeReferencesAndObjectsAtTheirEdges() throws {
        let repository = try makeRepository(files: ["a.txt": "a\n", "b.txt": "b\n"])
        let file = root.appendingPathComponent("hand-in.bundle")
        try repository.writeBundle(to: file)
        let size = try XCTUnwrap(try FileManager.default.attributesOfItem(atPath: file.path)[.size] as? Int)
        let scratch = root.appendingPathComponent("scratch")
        try FileManager.default.createDirectory(at: scratch, withIntermediateDirectories: true)
        // HEAD and refs/heads/main; a commit, a tree and two blobs.
        XCTAssertNoThrow(try GitBundle.open(at: file, scratchDirectory: scratch, limits: limits(bundleBytes: size, packObjects: 4, bundleReferences: 2)))
        XCTAssertThrowsError(try GitBundle.open(at: file, scratchDirectory: scratch, limits: limits(bundleBytes: size - 1))) { error in
            XCTAssertEqual(self.detail(error), "it is \(size) bytes, more than the \(size - 1) klab reads from a hand-in")
        }
        XCTAssertThrowsError(try GitBundle.open(at: file, scratchDirectory: scratch, limits: limits(bundleReferences: 1))) { error in
            XCTAssertEqual(self.detail(error), "it lists 2 references, more than the 1 klab reads from a hand-in")
        }
        XCTAssertThrowsError(try GitBundle.open(at: file, scratchDirectory: scratch, limits: limits(packObjects: 3))) { error in
            XCTAssertEqual(self.detail(error), "its pack holds 4 objects, more than the 3 klab reads from a hand-in")
        }
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: scratch.path), [], "every scratch copy is gone")
    }

    func testAFIFOOrADeviceIsNoBundle() throws {
        let fifo = root.appendingPathComponent("pipe.bundle")
        XCTAssertEqual(mkfifo(fifo.path, 0o644), 0)
        for url in [fifo, URL(fileURLWithPath: "/dev/zero")] {
            XCTAssertThrowsError(try GitBundle.open(at: url, scratchDirectory: root)) { error in
                XCTAssertEqual(self.detail(error), "it is not a regular file (a FIFO, a device or a socket)")
            }
        }
    }
}
