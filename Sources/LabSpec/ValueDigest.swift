/// `sha256:<64 hex digits>`: how klab writes a value it must not keep (a Secret's data in
/// evidence, a redacted command's output), and what the `digest` predicate expects.
public enum ValueDigest {
    public static let prefix = "sha256:"

    /// Whether text is a digest in klab's form (hex in either case).
    public static func isDigest(_ text: String) -> Bool {
        guard text.hasPrefix(prefix) else { return false }
        let hex = text.utf8.dropFirst(prefix.utf8.count)
        return hex.count == 64 && hex.allSatisfy { (48...57).contains($0) || (97...102).contains($0) || (65...70).contains($0) }
    }
}
