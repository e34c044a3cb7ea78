import CLibGit2
import Foundation
import XCTest
@testable import LabGit

/// libgit2 1.5.1 spins forever on a loose object cut short after its zlib header; a
/// repository opened for reading must report it as damaged instead.
final class LooseObjectCheckTests: XCTestCase {
    /// A new repository in a temporary folder, removed when the test ends.
    private func temporaryRepository() throws -> (root: URL, repository: Repository) {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("klab-loose-\(UUID().uuidString.prefix(8))")
        addTeardownBlock { try? FileManager.default.removeItem(at: root) }
        return (root, try Repository.create(at: root))
    }

    /// A new repository whose HEAD is one commit of `files` (path and contents, in order).
    private func committed(_ files: [(String, Data)]) throws -> (root: URL, repository: Repository, commit: ObjectID) {
        let (root, repository) = try temporaryRepository()
        let composer = try TreeComposer(repository: repository)
        for (path, contents) in files { try composer.setFile(path, contents: contents) }
        let commit = try repository.createCommit(
            tree: try composer.write(), parents: [], message: CommitMessage(subject: "one"),
            author: Signature(name: "t", email: "t@example.com"))
        try repository.updateHead(to: commit, message: "test")
        return (root, repository, commit)
    }

    func testTruncatedLooseCommitIsDamagedNotAHang() throws {
        let (root, _, commit) = try committed([("a.txt", Data("a\n".utf8))])

        let file = root.appendingPathComponent(".git/objects/\(commit.hex.prefix(2))/\(commit.hex.dropFirst(2))")
        try FileManager.default.setAttributes([.posixPermissions: 0o644], ofItemAtPath: file.path)
        try Data([0x78, 0x01, 0x00]).write(to: file)

        let reading = try Repository.openForReading(at: root)
        XCTAssertThrowsError(try reading.commit(commit)) { error in
            guard case .damagedRepository(_, let detail) = error as? LabGitError else { return XCTFail("\(error)") }
            XCTAssertTrue(detail.contains(commit.hex), detail)
        }
    }

    func testSoundObjectsStillRead() throws {
        let (root, _, commit) = try committed([("dir/a.txt", Data("a\n".utf8))])
        let reading = try Repository.openForReading(at: root)
        XCTAssertEqual(try reading.blob(at: "dir/a.txt", in: commit), Data("a\n".utf8))
        XCTAssertEqual(try reading.treeEntries(of: commit).map(\.path), ["dir", "dir/a.txt"])
    }

    /// A sound object is checked once per repository, however often it is read (a grader reads
    /// the same trees for every step); a damaged one is reported on every read.
    func testObjectsAreCheckedOnceAndDamageIsReportedEveryTime() throws {
        let (root, repository, commit) = try committed([("dir/a.txt", Data("a\n".utf8)), ("b.txt", Data("b\n".utf8))])
        let damaged = try XCTUnwrap(try repository.entry(at: "b.txt", in: commit)).id
        let file = root.appendingPathComponent(".git/objects/\(damaged.hex.prefix(2))/\(damaged.hex.dropFirst(2))")
        try FileManager.default.setAttributes([.posixPermissions: 0o644], ofItemAtPath: file.path)
        try Data([0x78, 0x01, 0x00]).write(to: file)

        let reading = try Repository.openForReading(at: root)
        XCTAssertEqual(try reading.blob(at: "dir/a.txt", in: commit), Data("a\n".utf8))
        let sound = try XCTUnwrap(try reading.entry(at: "dir/a.txt", in: commit)).id
        XCTAssertTrue(reading.checkedObjects.contains(sound))
        XCTAssertTrue(reading.checkedObjects.contains(commit))
        for _ in 0..<2 {
            XCTAssertThrowsError(try reading.blob(damaged)) { error in
                guard case .damagedRepository(_, let detail) = error as? LabGitError else { return XCTFail("\(error)") }
                XCTAssertTrue(detail.contains(damaged.hex), detail)
            }
        }
        XCTAssertFalse(reading.checkedObjects.contains(damaged))
        XCTAssertTrue(try LooseObjectCheck.verify(sound, gitDirectory: root.appendingPathComponent(".git")))
        XCTAssertFalse(try LooseObjectCheck.verify(ObjectID(hex: String(repeating: "0", count: 40))!, gitDirectory: root.appendingPathComponent(".git")))
    }

    /// A loose object's file is read with plain system calls: whole, whatever its size; nil
    /// for what is not a regular file, without waiting on a FIFO.
    func testReadsRegularFilesWholeAndNothingElse() throws {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("klab-loose-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: root, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: root) }
        for size in [0, 1, 4095, 4096, 4097, 100_000] {
            let bytes = (0..<size).map { UInt8(truncatingIfNeeded: $0 &* 31) }
            let file = root.appendingPathComponent("file-\(size)")
            try Data(bytes).write(to: file)
            XCTAssertEqual(LooseObjectCheck.readRegularFile(file.path), bytes, "\(size) bytes")
        }
        XCTAssertNil(LooseObjectCheck.readRegularFile(root.path), "a folder")
        XCTAssertNil(LooseObjectCheck.readRegularFile(root.appendingPathComponent("absent").path))
        let fifo = root.appendingPathComponent("fifo")
        XCTAssertEqual(mkfifo(fifo.path, 0o644), 0)
        XCTAssertNil(LooseObjectCheck.readRegularFile(fifo.path), "a FIFO, at once")
    }

    /// The git folder's check takes a loose object's type from the listing and leaves its
    /// size to the read: the read refuses a link, a FIFO or a file past the limit itself, on
    /// one line naming the file, before reading any of it and without waiting on the FIFO.
    func testTheReadOfALooseObjectRefusesWhatTheListingWasTrustedFor() throws {
        let (root, repository, commit) = try committed([("a.txt", Data("a\n".utf8))])
        let git = root.appendingPathComponent(".git")
        let blob = try XCTUnwrap(try repository.entry(at: "a.txt", in: commit)).id
        let relative = "objects/\(blob.hex.prefix(2))/\(blob.hex.dropFirst(2))"
        let file = git.appendingPathComponent(relative)
        let size = try XCTUnwrap(try FileManager.default.attributesOfItem(atPath: file.path)[.size] as? Int)
        func limits(bundleBytes: Int) -> UntrustedLimits {
            UntrustedLimits(bundleBytes: bundleBytes, packObjects: .max, bundleReferences: .max, objectBytes: .max, treeBytes: .max,
                            treeDepth: .max, treeEntries: .max, gitDirectoryEntries: .max)
        }
        func refusal(_ limits: UntrustedLimits = .unbounded) -> String? {
            do {
                _ = try LooseObjectCheck.inflated(blob, gitDirectoryPath: git.path, limits: limits)
                return nil
            } catch {
                guard case .damagedRepository(_, let detail) = error as? LabGitError else { return "\(error)" }
                return detail
            }
        }
        XCTAssertNil(refusal(limits(bundleBytes: size)))
        XCTAssertEqual(refusal(limits(bundleBytes: size - 1)), "\(relative) is larger than \(size - 1) bytes")

        let moved = root.appendingPathComponent("moved")
        try FileManager.default.moveItem(at: file, to: moved)
        try FileManager.default.createSymbolicLink(at: file, withDestinationURL: moved)
        XCTAssertEqual(refusal(), "\(relative) is a symbolic link; a hand-in's git folder holds none")
        try FileManager.default.removeItem(at: file)

        XCTAssertEqual(mkfifo(file.path, 0o644), 0)
        XCTAssertEqual(refusal(), "\(relative) is not a regular file (a FIFO, a device or a socket)")
        try FileManager.default.removeItem(at: file)

        // Absent (packed, or not there at all): nothing to check, libgit2 says which.
        XCTAssertNil(try LooseObjectCheck.inflated(blob, gitDirectoryPath: git.path))
        XCTAssertNil(LooseObjectCheck.readRegularFile(moved.path.replacingOccurrences(of: "moved", with: "absent")))
        try FileManager.default.createSymbolicLink(at: file, withDestinationURL: moved)
        XCTAssertNil(LooseObjectCheck.readRegularFile(file.path), "a link is never followed")
        XCTAssertNotNil(LooseObjectCheck.readRegularFile(moved.path))
    }

    /// An object's header is read from its bytes as it was read through strings: the same
    /// kind, size and spelling verdict for git's own spelling and for every odd one.
    func testHeadersReadFromBytesAsFromText() {
        func asText(_ header: String) -> (kind: String, size: Int, plain: Bool)? {
            let words = header.split(separator: " ")
            guard words.count == 2, let size = Int(words[1]) else { return nil }
            return (String(words[0]), size, header == "\(words[0]) \(size)")
        }
        var headers = ["blob 0", "blob 7", "tree 123", "commit 4096", "tag 1", "blob 07", "blob 00", "blob  7", " blob 7", "blob 7 ",
                       "blob +7", "blob -7", "blob", "blob ", " 7", "", "blub 7", "Blob 7", "blob 7x", "blob 1 2", "blob 999999999999999999",
                       "blob 9999999999999999999", "blob 99999999999999999999", "tree\t5", "commit 0012", "tag 10", "blob \u{e9}"]
        for kind in ["blob", "tree", "commit", "tag", "blo", "blobs", "treee"] {
            for size in ["0", "1", "9", "10", "65535", "01", "+1", "1e3"] { headers.append("\(kind) \(size)") }
        }
        for header in headers {
            let bytes = ArraySlice(Array(header.utf8))
            let read = LooseObjectCheck.header(bytes)
            let expected = asText(header)
            XCTAssertEqual(read?.kind, expected?.kind, header)
            XCTAssertEqual(read?.size, expected?.size, header)
            XCTAssertEqual(read?.plain, expected?.plain, header)
        }
        // A slice that does not start at zero, as the inflated bytes give it.
        let inflated = Array("xxblob 12".utf8)
        XCTAssertEqual(LooseObjectCheck.header(inflated[2...])?.size, 12)
    }

    /// One stream inflates a repository's objects one after another, and an object that
    /// breaks off in the middle leaves nothing behind for the next.
    func testOneInflaterReadsObjectAfterObjectAndAfterDamage() throws {
        let (root, repository) = try temporaryRepository()
        let git = root.appendingPathComponent(".git")
        var generator = SystemRandomNumberGenerator()
        let large = Data((0..<(LooseObjectCheck.chunkBytes * 2 + 5)).map { _ in UInt8.random(in: 0...255, using: &generator) })
        let small = Data("small\n".utf8)
        let largeID = try repository.writeBlob(large)
        let smallID = try repository.writeBlob(small)
        let cut = try repository.writeBlob(Data((0..<5000).map { _ in UInt8.random(in: 0...255, using: &generator) }))
        let file = git.appendingPathComponent("objects/\(cut.hex.prefix(2))/\(cut.hex.dropFirst(2))")
        let whole = try Data(contentsOf: file)
        try FileManager.default.setAttributes([.posixPermissions: 0o644], ofItemAtPath: file.path)
        try whole.prefix(whole.count / 2).write(to: file)

        let inflater = LooseObjectCheck.Inflater()
        for _ in 0..<2 {
            XCTAssertEqual(try LooseObjectCheck.inflated(largeID, gitDirectoryPath: git.path, inflater: inflater)?.content, Array(large))
            XCTAssertThrowsError(try LooseObjectCheck.inflated(cut, gitDirectoryPath: git.path, inflater: inflater)) { error in
                guard case .damagedRepository(_, let detail) = error as? LabGitError else { return XCTFail("\(error)") }
                XCTAssertTrue(detail.contains("the data ends early"), detail)
            }
            let read = try XCTUnwrap(try LooseObjectCheck.inflated(smallID, gitDirectoryPath: git.path, inflater: inflater))
            XCTAssertEqual(read.content, Array(small))
            XCTAssertEqual(read.kind, "blob")
            XCTAssertTrue(read.canonical)
            XCTAssertEqual(LooseObjectCheck.objectID(of: read), smallID)
        }
    }

    /// Only `objects/` and two hexadecimal digits hold loose objects.
    func testLooseObjectFoldersAreNamedExactly() {
        for folder in ["objects/00", "objects/4e", "objects/ff"] {
            XCTAssertTrue(GitDirectoryCheck.isLooseObjectFolder(folder), folder)
        }
        for folder in ["objects", "objects/4", "objects/4E", "objects/4g", "objects/pack", "objects/info", "objects/4e/x",
                       "refs/4e", "objectsx/4e", "", "objects/\u{e9}"] {
            XCTAssertFalse(GitDirectoryCheck.isLooseObjectFolder(folder), folder)
        }
    }

    /// A large object is inflated in chunks: its header and length are checked all the same.
    func testLargeObjectsAreCheckedAcrossChunks() throws {
        let (root, repository) = try temporaryRepository()
        var generator = SystemRandomNumberGenerator()
        let large = Data((0..<(LooseObjectCheck.chunkBytes * 3 + 17)).map { _ in UInt8.random(in: 0...255, using: &generator) })
        let id = try repository.writeBlob(large)
        let git = root.appendingPathComponent(".git")
        XCTAssertTrue(try LooseObjectCheck.verify(id, gitDirectory: git))
        XCTAssertThrowsError(try LooseObjectCheck.verify(id, gitDirectory: git, limits: UntrustedLimits(
            bundleBytes: .max, packObjects: .max, bundleReferences: .max, objectBytes: large.count - 1, treeBytes: .max,
            treeDepth: .max, treeEntries: .max, gitDirectoryEntries: .max))) { error in
            guard case .damagedRepository(_, let detail) = error as? LabGitError else { return XCTFail("\(error)") }
            XCTAssertTrue(detail.contains("is \(large.count) bytes, more than the \(large.count - 1)"), detail)
        }
        // Cut short: the stream ends early, whichever chunk it ends in.
        let file = git.appendingPathComponent("objects/\(id.hex.prefix(2))/\(id.hex.dropFirst(2))")
        let whole = try Data(contentsOf: file)
        try FileManager.default.setAttributes([.posixPermissions: 0o644], ofItemAtPath: file.path)
        try whole.prefix(whole.count - 40).write(to: file)
        XCTAssertThrowsError(try LooseObjectCheck.verify(id, gitDirectory: git)) { error in
            guard case .damagedRepository(_, let detail) = error as? LabGitError else { return XCTFail("\(error)") }
            XCTAssertTrue(detail.contains("the data ends early"), detail)
        }
    }

    /// An untrusted repository remembers what its reads found (objects never change): the tree
    /// of a commit, a tree's entries, small blobs; a grader asks for them again for every step.
    func testReadsOfAnUntrustedRepositoryAreRemembered() throws {
        let (root, repository, commit) = try committed([("dir/a.txt", Data("a\n".utf8)), ("big.txt", Data(repeating: 65, count: RememberedReads.blobBytes + 1))])

        let reading = try Repository.openForReading(at: root)
        XCTAssertEqual(try reading.blob(at: "dir/a.txt", in: commit), Data("a\n".utf8))
        XCTAssertEqual(try reading.blob(at: "big.txt", in: commit)?.count, RememberedReads.blobBytes + 1)
        let tree = try reading.treeID(of: commit)
        let dir = try XCTUnwrap(try reading.entry(at: "dir", in: commit))
        let small = try XCTUnwrap(try reading.entry(at: "dir/a.txt", in: commit))
        let big = try XCTUnwrap(try reading.entry(at: "big.txt", in: commit))
        XCTAssertEqual(reading.remembered.trees[commit], tree)
        XCTAssertEqual(reading.remembered.listings[tree]?.map(\.path), ["big.txt", "dir"])
        XCTAssertEqual(reading.remembered.listings[dir.id]?.map(\.path), ["a.txt"])
        XCTAssertEqual(reading.remembered.blobs[small.id], Data("a\n".utf8))
        XCTAssertNil(reading.remembered.blobs[big.id], "a large blob is not kept")
        // Read again from what was remembered: the same answers.
        XCTAssertEqual(try reading.treeEntries(of: commit).map(\.path), ["big.txt", "dir", "dir/a.txt"])
        XCTAssertEqual(try reading.blob(small.id), Data("a\n".utf8))
        // A repository klab writes to remembers nothing.
        _ = try repository.treeEntries(of: commit)
        XCTAssertTrue(repository.remembered.listings.isEmpty)
    }

    /// Writes `content` as the loose file of `id`, zlib-compressed, with `header` (and
    /// `trailing` bytes after the stream).
    func forge(_ id: ObjectID, in root: URL, header: String, content: Data, trailing: Data = Data()) throws {
        let file = root.appendingPathComponent(".git/objects/\(id.hex.prefix(2))/\(id.hex.dropFirst(2))")
        try FileManager.default.setAttributes([.posixPermissions: 0o644], ofItemAtPath: file.path)
        let raw = Data(header.utf8) + Data([0]) + content
        var stream = z_stream()
        XCTAssertEqual(deflateInit_(&stream, Z_DEFAULT_COMPRESSION, ZLIB_VERSION, Int32(MemoryLayout<z_stream>.size)), Z_OK)
        var output = [UInt8](repeating: 0, count: raw.count + 128)
        var input = [UInt8](raw)
        let produced = input.withUnsafeMutableBufferPointer { inBuffer in
            output.withUnsafeMutableBufferPointer { outBuffer -> Int in
                stream.next_in = inBuffer.baseAddress
                stream.avail_in = uInt(inBuffer.count)
                stream.next_out = outBuffer.baseAddress
                stream.avail_out = uInt(outBuffer.count)
                XCTAssertEqual(deflate(&stream, Z_FINISH), Z_STREAM_END)
                return outBuffer.count - Int(stream.avail_out)
            }
        }
        deflateEnd(&stream)
        try (Data(output.prefix(produced)) + trailing).write(to: file)
    }

    /// A loose object the check inflated is handed to libgit2 from memory, and libgit2 still
    /// verifies it against its id: content that is not the object's reads as the same error as
    /// when libgit2 reads the file itself (a trusted open). A file not written as git writes it
    /// (bytes after the stream, a size with a leading zero) is left to libgit2's own reading.
    func testObjectsHandedOverFromMemoryAreVerifiedAsLibgit2VerifiesFiles() throws {
        let (root, repository) = try temporaryRepository()
        let sound = try repository.writeBlob(Data("sound\n".utf8))
        let swapped = try repository.writeBlob(Data("original\n".utf8))
        let trailing = try repository.writeBlob(Data("trailing\n".utf8))
        let padded = try repository.writeBlob(Data("padded\n".utf8))

        let reading = try Repository.openForReading(at: root)
        XCTAssertEqual(try reading.blob(sound), Data("sound\n".utf8))
        XCTAssertNil(reading.heldObjects, "a sound loose blob is read and verified without libgit2")
        let composer = try TreeComposer(repository: repository)
        try composer.setEntry("sound.txt", id: sound, mode: .file)
        let tree = try composer.write()
        XCTAssertEqual(try reading.treeEntries(of: tree).map(\.id), [sound])
        XCTAssertNotNil(reading.heldObjects, "a tree is read through the in-memory database")

        try forge(swapped, in: root, header: "blob 8", content: Data("changed\n".utf8))
        try forge(trailing, in: root, header: "blob 9", content: Data("trailing\n".utf8), trailing: Data("junk".utf8))
        try forge(padded, in: root, header: "blob 07", content: Data("padded\n".utf8))
        func outcome(_ repository: Repository, _ id: ObjectID) -> String {
            do { return "read \(String(decoding: try repository.blob(id), as: UTF8.self))" } catch { return "\(error)" }
        }
        for id in [swapped, trailing, padded] {
            let trusted = outcome(try Repository.open(at: root), id)
            let untrusted = outcome(try Repository.openForReading(at: root), id)
            XCTAssertEqual(untrusted, trusted, id.hex)
        }
        let mismatch = outcome(try Repository.openForReading(at: root), swapped)
        XCTAssertTrue(mismatch.contains("hash mismatch"), mismatch)
        let inflated = try XCTUnwrap(try LooseObjectCheck.inflated(swapped, gitDirectoryPath: root.appendingPathComponent(".git").path))
        XCTAssertEqual(inflated.kind, "blob")
        XCTAssertEqual(inflated.content, Array("changed\n".utf8))
        XCTAssertTrue(inflated.canonical)
        XCTAssertEqual(try LooseObjectCheck.inflated(trailing, gitDirectoryPath: root.appendingPathComponent(".git").path)?.canonical, false)
        XCTAssertEqual(try LooseObjectCheck.inflated(padded, gitDirectoryPath: root.appendingPathComponent(".git").path)?.canonical, false)
    }
}
