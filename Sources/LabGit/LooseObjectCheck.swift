import CLibGit2
import Crypto
import Foundation

/// Loose objects of an untrusted repository are inflated here, boundedly, before libgit2 reads
/// them: libgit2 1.5.1 spins forever on some truncated zlib streams (seen with a loose commit
/// cut after its zlib header), and one hand-in must never stall a whole class's grading.
enum LooseObjectCheck {
    /// How much is inflated at a time.
    static let chunkBytes = 32 * 1024

    /// A loose object as its file holds it, inflated and checked.
    struct Inflated {
        /// `commit`, `tree`, `blob` or `tag`.
        var kind: String
        /// The object's content (after its header).
        var content: [UInt8]
        /// Whether the file is written as git writes it: the header's size in plain digits and
        /// nothing after the zlib stream. Only such an object is handed to libgit2 from memory
        /// (`Repository.lookup`); anything else libgit2 reads from the file itself, as before.
        var canonical: Bool
    }

    /// Throws `damagedRepository` when the loose file for `id` exists but is not a complete
    /// zlib stream holding a well-formed object header and exactly the size it announces;
    /// returns whether there was a loose file to check (false: packed or absent).
    @discardableResult
    static func verify(_ id: ObjectID, gitDirectory: URL, limits: UntrustedLimits = .unbounded) throws -> Bool {
        try inflated(id, gitDirectoryPath: gitDirectory.path, limits: limits) != nil
    }

    /// The loose object `id`, inflated, or nil when it has no loose file (packed or absent);
    /// throws as `verify` does. `directory` is an open descriptor of the git folder, when the
    /// caller holds one: the file is then opened relative to it, without walking the path
    /// from the root.
    static func inflated(_ id: ObjectID, gitDirectoryPath: String, directory: Int32 = -1,
                        limits: UntrustedLimits = .unbounded, inflater: Inflater? = nil) throws -> Inflated? {
        let maxBytes = limits.objectBytes
        let hex = id.hex
        // Joined as text: URL.appendingPathComponent asks the file system whether it is a folder.
        let relative = "objects/" + hex.prefix(2) + "/" + hex.dropFirst(2)
        let compressed: [UInt8]
        switch directory >= 0 ? openFile(relative, in: directory) : openFile(gitDirectoryPath + "/" + relative, in: AT_FDCWD) {
        case .absent, .folder:
            return nil
        case .symbolicLink:
            throw LabGitError.damagedRepository(path: gitDirectoryPath, detail: "\(relative) is a symbolic link; a hand-in's git folder holds none")
        case .special:
            throw LabGitError.damagedRepository(path: gitDirectoryPath, detail: "\(relative) is not a regular file (a FIFO, a device or a socket)")
        case .file(let descriptor, let size):
            defer { close(descriptor) }
            // The git folder's check trusts the listing for loose objects: their size is checked here.
            if size > limits.bundleBytes {
                throw LabGitError.damagedRepository(path: gitDirectoryPath, detail: "\(relative) is larger than \(limits.bundleBytes) bytes")
            }
            guard let bytes = readAll(descriptor, announced: size) else { return nil }
            compressed = bytes
        }
        func damaged(_ why: String) -> LabGitError {
            .damagedRepository(path: gitDirectoryPath, detail: "object \(hex) is corrupt (\(why))")
        }
        let inflater = inflater ?? Inflater()
        guard inflater.reset() else { throw damaged("zlib cannot start") }
        let stream = inflater.stream
        // Inflated into a scratch buffer never filled beforehand (zeroing 64 KiB per object was a
        // sixth of a hand-in's grading), then appended to what is kept.
        let chunk = inflater.chunk
        var output: [UInt8] = []
        output.reserveCapacity(min(compressed.count * 4 + 64, chunkBytes))
        var status: Int32 = Z_OK
        var leftOver = 0
        var headerEnd: Int?
        let ceiling = min(512 * 1024 * 1024, maxBytes > Int.max - 64 ? Int.max : maxBytes + 64)
        try compressed.withUnsafeBufferPointer { (input: UnsafeBufferPointer<UInt8>) in
            stream.pointee.next_in = UnsafeMutablePointer(mutating: input.baseAddress)
            stream.pointee.avail_in = uInt(input.count)
            while status == Z_OK {
                stream.pointee.next_out = chunk
                stream.pointee.avail_out = uInt(chunkBytes)
                // Z_FINISH: an object inflated in one call needs no sliding window (zlib then
                // neither allocates one nor copies the output into it). A call that fills the
                // chunk before the end says Z_BUF_ERROR with no room left: not an error, more to come.
                status = inflate(stream, Z_FINISH)
                if status == Z_BUF_ERROR && stream.pointee.avail_out == 0 { status = Z_OK }
                let produced = chunkBytes - Int(stream.pointee.avail_out)
                let before = output.count
                output.append(contentsOf: UnsafeBufferPointer(start: chunk, count: produced))
                // The header announces the size: a tree or file past the limits stops here,
                // before the rest is inflated.
                if headerEnd == nil, before < 32, let nul = output.prefix(32)[before...].firstIndex(of: 0) {
                    headerEnd = nul
                    if let (kind, size, _) = Self.header(output[..<nul]) {
                        let limit = kind == "tree" ? limits.treeBytes : limits.objectBytes
                        if size > limit {
                            let what = kind == "tree" ? "tree" : kind == "blob" ? "file" : "object"
                            throw LabGitError.damagedRepository(
                                path: gitDirectoryPath, detail: "the \(what) \(id.short) is \(size) bytes, more than the \(limit) klab reads from a hand-in")
                        }
                    }
                }
                if status == Z_OK && produced == 0 && stream.pointee.avail_in == 0 { throw damaged("the data ends early") }
                // The object's own size plus its header ("blob 123\0").
                if output.count > ceiling {
                    throw damaged("it inflates past \(min(512 * 1024 * 1024, maxBytes)) bytes, more than klab reads")
                }
            }
            leftOver = Int(stream.pointee.avail_in)
        }
        guard status == Z_STREAM_END else { throw damaged(status == Z_BUF_ERROR ? "the data ends early" : "zlib error \(status)") }
        guard let nul = headerEnd else { throw damaged("no object header") }
        guard let (kind, size, plain) = Self.header(output[..<nul]), ["commit", "tree", "blob", "tag"].contains(kind),
              size == output.count - nul - 1
        else { throw damaged("its header does not match its content") }
        output.removeFirst(nul + 1)
        return Inflated(kind: kind, content: output, canonical: leftOver == 0 && plain)
    }

    /// A zlib stream and a scratch buffer kept for the loose objects of one repository (one
    /// thread at a time, as the repository): reset for each object rather than made and freed,
    /// which was two allocations of kilobytes for each of a hand-in's two dozen objects.
    final class Inflater {
        /// At a fixed address: zlib's state points back at its stream.
        let stream: UnsafeMutablePointer<z_stream>
        let chunk: UnsafeMutablePointer<UInt8>
        private let started: Bool

        init() {
            stream = .allocate(capacity: 1)
            stream.initialize(to: z_stream())
            chunk = .allocate(capacity: LooseObjectCheck.chunkBytes)
            started = inflateInit_(stream, ZLIB_VERSION, Int32(MemoryLayout<z_stream>.size)) == Z_OK
        }

        deinit {
            if started { inflateEnd(stream) }
            stream.deinitialize(count: 1)
            stream.deallocate()
            chunk.deallocate()
        }

        /// Ready for the next object; false when zlib could not start.
        func reset() -> Bool {
            started && inflateReset(stream) == Z_OK
        }
    }

    /// The id git gives an object: the SHA-1 of `KIND SIZE\0` and its content.
    static func objectID(of object: Inflated) -> ObjectID? {
        var hash = Insecure.SHA1()
        hash.update(data: Array("\(object.kind) \(object.content.count)\0".utf8))
        object.content.withUnsafeBytes { hash.update(bufferPointer: $0) }
        return hash.finalize().withUnsafeBytes { ObjectID(bytes: $0) }
    }

    /// The kind and size an object's header (what comes before its NUL) announces, as git
    /// reads them: two words, the second a number; `plain` when spelled exactly as git writes
    /// it (`blob 123`: one space, no sign, no leading zero). nil when it is no such header.
    static func header(_ bytes: ArraySlice<UInt8>) -> (kind: String, size: Int, plain: Bool)? {
        // Git's own spelling, read without making strings: nearly every object.
        if let space = bytes.firstIndex(of: UInt8(ascii: " ")), space > bytes.startIndex, space + 1 < bytes.endIndex {
            let digits = bytes[(space + 1)...]
            let kindBytes = bytes[..<space]
            let known: String? = kindBytes.elementsEqual("blob".utf8) ? "blob" : kindBytes.elementsEqual("tree".utf8) ? "tree"
                : kindBytes.elementsEqual("commit".utf8) ? "commit" : kindBytes.elementsEqual("tag".utf8) ? "tag" : nil
            if let known, digits.count <= 18, digits.allSatisfy({ $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") }),
               digits.first != UInt8(ascii: "0") || digits.count == 1 {
                return (known, digits.reduce(0) { $0 * 10 + Int($1 - UInt8(ascii: "0")) }, true)
            }
        }
        let text = String(decoding: bytes, as: UTF8.self)
        let words = text.split(separator: " ")
        guard words.count == 2, let size = Int(words[1]) else { return nil }
        return (String(words[0]), size, text == "\(words[0]) \(size)")
    }

    /// The bytes of the regular file at `path`; nil when there is none (or it is a folder, a
    /// FIFO: opened without waiting for a writer, or a symbolic link: never followed). Read
    /// with plain system calls: one open, one fstat, reads until the end, one close.
    static func readRegularFile(_ path: String) -> [UInt8]? {
        readRegularFile(path, in: AT_FDCWD)
    }

    /// The same, for a path relative to the open folder `directory`.
    static func readRegularFile(_ path: String, in directory: Int32) -> [UInt8]? {
        guard case .file(let descriptor, let size) = openFile(path, in: directory) else { return nil }
        defer { close(descriptor) }
        return readAll(descriptor, announced: size)
    }

    /// What a path names, opened when it is a regular file.
    enum Opened {
        /// Open for reading (the caller closes it), with the size `fstat` gives.
        case file(Int32, size: Int)
        case absent, folder, symbolicLink
        /// A FIFO, a device or a socket.
        case special
    }

    /// Opens `path`, relative to `directory` (or `AT_FDCWD`), without following a symbolic
    /// link and without waiting for a FIFO's writer.
    static func openFile(_ path: String, in directory: Int32) -> Opened {
        let descriptor = openat(directory, path, O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOFOLLOW)
        guard descriptor >= 0 else {
            // A link opened with O_NOFOLLOW fails with ELOOP; anything else is nothing to read
            // (absent, or not allowed, which libgit2 then reports as it reads).
            return errno == ELOOP ? .symbolicLink : .absent
        }
        var info = stat()
        guard fstat(descriptor, &info) == 0 else {
            close(descriptor)
            return .absent
        }
        switch info.st_mode & S_IFMT {
        case S_IFREG:
            return .file(descriptor, size: max(0, Int(info.st_size)))
        case S_IFDIR:
            close(descriptor)
            return .folder
        default:
            close(descriptor)
            return .special
        }
    }

    /// Everything `descriptor` holds, read until the end; `announced` is its size as fstat
    /// gave it (a file may still grow or shrink). nil when a read fails.
    static func readAll(_ descriptor: Int32, announced: Int) -> [UInt8]? {
        // One byte more than announced: the read that finds the end needs no second buffer.
        var bytes = [UInt8](repeating: 0, count: announced + 1)
        var filled = 0
        while true {
            if filled == bytes.count { bytes.append(contentsOf: [UInt8](repeating: 0, count: max(4096, bytes.count))) }
            let wanted = bytes.count - filled
            let got = bytes.withUnsafeMutableBytes { read(descriptor, $0.baseAddress! + filled, wanted) }
            if got < 0 {
                if errno == EINTR { continue }
                return nil
            }
            filled += got
            // The end: nothing more, or all that fstat announced and a read that came short.
            if got == 0 || (got < wanted && filled >= announced) { break }
        }
        bytes.removeLast(bytes.count - filled)
        return bytes
    }
}
