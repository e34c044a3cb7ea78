import Crypto
import Foundation

/// `sha256:<hex>` over a set of files: each path and its bytes, in path order (by bytes),
/// each length-prefixed so no two different sets of files read the same way.
public enum ContentDigest {
    public static func of(_ files: [(path: String, data: Data)]) -> String {
        var hasher = SHA256()
        for (path, content) in files.sorted(by: { Array($0.path.utf8).lexicographicallyPrecedes(Array($1.path.utf8)) }) {
            let pathBytes = Data(path.utf8)
            hasher.update(data: lengthPrefix(pathBytes.count))
            hasher.update(data: pathBytes)
            hasher.update(data: lengthPrefix(content.count))
            hasher.update(data: content)
        }
        return "sha256:" + hex(hasher.finalize())
    }

    public static func of(_ files: [String: Data]) -> String {
        of(files.map { (path: $0.key, data: $0.value) })
    }

    /// Lower-case hex of bytes.
    public static func hex<D: Sequence>(_ bytes: D) -> String where D.Element == UInt8 {
        let digits = Array("0123456789abcdef".utf8)
        var out = [UInt8]()
        for b in bytes {
            out.append(digits[Int(b >> 4)])
            out.append(digits[Int(b & 0xF)])
        }
        return String(decoding: out, as: UTF8.self)
    }

    private static func lengthPrefix(_ n: Int) -> Data {
        withUnsafeBytes(of: UInt64(n).bigEndian) { Data($0) }
    }
}
