import CLibGit2
import Foundation

/// Loose objects of an untrusted repository are inflated here, boundedly, before libgit2 reads
/// them: libgit2 1.5.1 spins forever on some truncated zlib streams (seen with a loose commit
/// cut after its zlib header), and one hand-in must never stall a whole class's grading.
enum LooseObjectCheck {
    /// Throws `damagedRepository` when the loose file for `id` exists but is not a complete
    /// zlib stream holding a well-formed object header and exactly the size it announces;
    /// returns whether there was a loose file to check (false: packed or absent).
    @discardableResult
    static func verify(_ id: ObjectID, gitDirectory: URL, limits: UntrustedLimits = .unbounded) throws -> Bool {
        let maxBytes = limits.objectBytes
        let hex = id.hex
        // Joined as text: URL.appendingPathComponent asks the file system whether it is a folder.
        let path = gitDirectory.path + "/objects/" + hex.prefix(2) + "/" + hex.dropFirst(2)
        guard let compressed = FileManager.default.contents(atPath: path) else { return false }
        func damaged(_ why: String) -> LabGitError {
            .damagedRepository(path: gitDirectory.path, detail: "object \(hex) is corrupt (\(why))")
        }
        var stream = z_stream()
        guard inflateInit_(&stream, ZLIB_VERSION, Int32(MemoryLayout<z_stream>.size)) == Z_OK else {
            throw damaged("zlib cannot start")
        }
        defer { inflateEnd(&stream) }
        var output = [UInt8]()
        var chunk = [UInt8](repeating: 0, count: 64 * 1024)
        var status: Int32 = Z_OK
        try compressed.withUnsafeBytes { (input: UnsafeRawBufferPointer) in
            stream.next_in = UnsafeMutablePointer(mutating: input.bindMemory(to: Bytef.self).baseAddress)
            stream.avail_in = uInt(input.count)
            while status == Z_OK {
                let before = stream.total_out
                status = chunk.withUnsafeMutableBufferPointer { buffer in
                    stream.next_out = buffer.baseAddress
                    stream.avail_out = uInt(buffer.count)
                    return inflate(&stream, Z_NO_FLUSH)
                }
                let produced = Int(stream.total_out - before)
                let hadHeader = output.prefix(32).contains(0)
                output.append(contentsOf: chunk[0..<produced])
                // The header announces the size: a tree or file past the limits stops here,
                // before the rest is inflated.
                if !hadHeader, let nul = output.prefix(32).firstIndex(of: 0) {
                    let header = String(decoding: output[..<nul], as: UTF8.self).split(separator: " ")
                    if header.count == 2, let size = Int(header[1]) {
                        let limit = header[0] == "tree" ? limits.treeBytes : limits.objectBytes
                        if size > limit {
                            let kind = header[0] == "tree" ? "tree" : header[0] == "blob" ? "file" : "object"
                            throw LabGitError.damagedRepository(
                                path: gitDirectory.path, detail: "the \(kind) \(id.short) is \(size) bytes, more than the \(limit) klab reads from a hand-in")
                        }
                    }
                }
                if status == Z_OK && produced == 0 && stream.avail_in == 0 { throw damaged("the data ends early") }
                // The object's own size plus its header ("blob 123\0").
                if output.count > min(512 * 1024 * 1024, maxBytes > Int.max - 64 ? Int.max : maxBytes + 64) {
                    throw damaged("it inflates past \(min(512 * 1024 * 1024, maxBytes)) bytes, more than klab reads")
                }
            }
        }
        guard status == Z_STREAM_END else { throw damaged(status == Z_BUF_ERROR ? "the data ends early" : "zlib error \(status)") }
        guard let nul = output.firstIndex(of: 0), nul < 32 else { throw damaged("no object header") }
        let header = String(decoding: output[..<nul], as: UTF8.self).split(separator: " ")
        guard header.count == 2, ["commit", "tree", "blob", "tag"].contains(header[0]), let size = Int(header[1]),
              size == output.count - nul - 1
        else { throw damaged("its header does not match its content") }
        return true
    }
}
