import Crypto
import KubeJSON
import LabSpec

extension ValueDigest {
    /// The digest of a value as the `digest` predicate reads it: the SHA-256 of its text as
    /// kubectl would print it (a Secret's `data` value is its base64 text). A value that is
    /// already a digest (klab replaced it before storing it) stands for itself.
    public static func of(_ value: JSONValue) -> String {
        let text = ValuePredicates.printed(value)
        if isDigest(text) { return text.lowercased() }
        return of(text: text)
    }

    /// `sha256:<hex>` of text.
    public static func of(text: String) -> String {
        prefix + ContentDigest.hex(SHA256.hash(data: Array(text.utf8)))
    }
}
