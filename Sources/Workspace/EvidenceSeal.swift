import Checks
import Crypto
import Foundation

/// The digest and signature that tie a passed step to its evidence.
///
/// The digest covers every evidence file (path and bytes, in path order, each length-prefixed
/// so no two different sets of files can be read the same way). The signature is an
/// HMAC-SHA256 with the class key over the lab, the step, the digest and the previous klab
/// commit, so evidence moved to another step or replayed onto another history does not verify.
public enum EvidenceSeal {
    /// `sha256:<hex>` over the files (`ContentDigest`).
    public static func digest(_ files: [String: Data]) -> String {
        ContentDigest.of(files)
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

    private static func hex<D: Sequence>(_ bytes: D) -> String where D.Element == UInt8 {
        ContentDigest.hex(bytes)
    }
}
