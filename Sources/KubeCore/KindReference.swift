import KubeJSON
/// A kind as a check names it: `Deployment`, optionally with its `apiVersion` (`apps/v1`).
public struct KindReference: Hashable, Sendable, CustomStringConvertible {
    public var kind: String
    public var apiVersion: String?

    public init(kind: String, apiVersion: String? = nil) {
        self.kind = kind
        self.apiVersion = apiVersion
    }

    /// The API group (`apps`), or nil when no apiVersion is given; "" is the core group.
    public var group: String? {
        guard let apiVersion else { return nil }
        let parts = apiVersion.split(separator: "/", maxSplits: 1)
        return parts.count == 2 ? String(parts[0]) : ""
    }

    public var description: String { apiVersion.map { "\($0) \(kind)" } ?? kind }
}

extension KindReference {
    /// The built-in kind this reference names (by kind, plural or short name, and group when
    /// an apiVersion is given); nil for custom resources and unknown names.
    public var info: KindInfo? { KubernetesKinds.info(kind: kind, group: group) }

    /// The reference with the kind spelled as objects spell it (`deploy` → `Deployment`).
    public var canonical: KindReference {
        guard let info else { return self }
        return KindReference(kind: info.kind, apiVersion: apiVersion)
    }

    /// Whether an object with this `apiVersion` and `kind` is one this reference asks for:
    /// the kind by any of its names, case-insensitively; with an apiVersion, the same group
    /// and version (a snapshot holds objects in the version they were printed in).
    public func matches(apiVersion objectAPIVersion: String, kind objectKind: String) -> Bool {
        let wanted = kind.lowercased()
        let have = objectKind.lowercased()
        let kindMatches: Bool
        if let info {
            kindMatches = info.kind.lowercased() == have
        } else {
            kindMatches = have == wanted || have + "s" == wanted || have + "es" == wanted
                || (have.hasSuffix("y") && have.dropLast() + "ies" == wanted)
        }
        guard kindMatches else { return false }
        guard let apiVersion else { return true }
        return apiVersion == objectAPIVersion
    }
}
