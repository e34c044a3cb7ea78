import Crypto
import Foundation

/// The digest and signature that tie a passed step to its evidence.
///
/// The digest covers every evidence file (path and bytes, in path order, each length-prefixed
/// so no two different sets of files can be read the same way). The signature is an
/// HMAC-SHA256 with the class key over the lab, the step, the digest and the previous klab
/// commit, so evidence moved to another step or replayed onto another history does not verify.
public enum EvidenceSeal {
    /// `sha256:<hex>` over the files.
    public static func digest(_ files: [String: Data]) -> String {
        var hasher = SHA256()
        for path in files.keys.sorted(by: { Array($0.utf8).lexicographicallyPrecedes(Array($1.utf8)) }) {
            let pathBytes = Data(path.utf8)
            let content = files[path]!
            hasher.update(data: lengthPrefix(pathBytes.count))
            hasher.update(data: pathBytes)
            hasher.update(data: lengthPrefix(content.count))
            hasher.update(data: content)
        }
        return "sha256:" + hex(hasher.finalize())
    }

    /// `hmac-sha256:<hex>` of what a pass commit claims, with the class key.
    public static func signature(key: Data, lab: String, step: String, digest: String, previous: String) -> String {
        let message = Data("klab-pass-v1\n\(lab)\n\(step)\n\(digest)\n\(previous)\n".utf8)
        let mac = HMAC<SHA256>.authenticationCode(for: message, using: SymmetricKey(data: key))
        return "hmac-sha256:" + hex(mac)
    }

    /// Whether a signature is the one the key makes for these claims (constant-time compare).
    public static func verify(
        signature: String, key: Data, lab: String, step: String, digest: String, previous: String
    ) -> Bool {
        let expected = Self.signature(key: key, lab: lab, step: step, digest: digest, previous: previous)
        let a = Array(expected.utf8), b = Array(signature.utf8)
        guard a.count == b.count else { return false }
        var difference: UInt8 = 0
        for i in 0..<a.count { difference |= a[i] ^ b[i] }
        return difference == 0
    }

    /// `sha256:<hex>` of bytes, for lab content digests.
    public static func sha256(_ data: Data) -> String {
        "sha256:" + hex(SHA256.hash(data: data))
    }

    private static func lengthPrefix(_ n: Int) -> Data {
        withUnsafeBytes(of: UInt64(n).bigEndian) { Data($0) }
    }

    private static func hex<D: Sequence>(_ bytes: D) -> String where D.Element == UInt8 {
        let digits = Array("0123456789abcdef".utf8)
        var out = [UInt8]()
        for b in bytes {
            out.append(digits[Int(b >> 4)])
            out.append(digits[Int(b & 0xF)])
        }
        return String(decoding: out, as: UTF8.self)
    }
}
