import Crypto
import KubeJSON
import LabSpec

extension ValueDigest {
    /// The digest of a value as the `digest` predicate reads it: the SHA-256 of its text as
    /// kubectl would print it (a Secret's `data` value is its base64 text). A value that is
    /// already a digest (klab replaced it before storing it) stands for itself.
    public static func of(_ value: JSONValue) -> String {
        keeping(ValuePredicates.printed(value))
    }

    /// What klab keeps of a text it must not store: its digest, or the text itself (in lower
    /// case) when it is a digest already, so digesting twice changes nothing. The one rule for
    /// `capture: {digest: true}`, for captures read from a Secret or a redacted output, and for
    /// a redacted command's stdout.
    public static func keeping(_ text: String) -> String {
        isDigest(text) ? text.lowercased() : of(text: text)
    }

    /// `sha256:<hex>` of text.
    public static func of(text: String) -> String {
        prefix + ContentDigest.hex(SHA256.hash(data: Array(text.utf8)))
    }
}
