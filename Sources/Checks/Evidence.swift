import Foundation
import KubeCore
import KubeJSON
import LabSpec

/// What a check evaluation read, as the files of a snapshot folder (relative path → bytes), so
/// it can be stored with a learner's progress and graded again offline by `SnapshotCluster`.
///
/// Object lists are `kind: List` files named for the kind and the scope they were read in:
/// `<namespace>/<Kind>.json`, `_all/<Kind>.json` (every namespace), `_cluster/<Kind>.json`
/// (cluster-scoped), with `.<group>_<version>` before `.json` when the check named an
/// apiVersion. Namespace names cannot start with `_`, so the names never collide. Recorded
/// exec/http/command calls are `outputs/<exec|http|command>-<hash of the call>.json`.
/// Keys are sorted and items ordered by namespace and name, so equal readings give equal bytes
/// and a digest over the files is stable.
public struct Evidence: Sendable, Equatable {
    public var files: [String: Data]

    public init(files: [String: Data] = [:]) {
        self.files = files
    }

    /// The relative paths in a stable order.
    public var paths: [String] { files.keys.sorted() }

    public var isEmpty: Bool { files.isEmpty }

    /// Writes the files under a directory (created as needed).
    public func write(to directory: String) throws {
        for path in paths {
            let url = URL(fileURLWithPath: directory).appendingPathComponent(path)
            do {
                try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
                try files[path]!.write(to: url)
            } catch {
                throw ClusterError.cannotWriteEvidence(path: url.path, reason: error.localizedDescription)
            }
        }
    }

    /// The file name of a list of `kind` read in `namespace` (nil: all namespaces or, when
    /// `clusterScoped`, the cluster).
    static func listPath(kind: KindReference, namespace: String?, clusterScoped: Bool) -> String {
        let scope = namespace ?? (clusterScoped ? "_cluster" : "_all")
        var name = kind.kind
        if let apiVersion = kind.apiVersion {
            name += "." + apiVersion.replacingOccurrences(of: "/", with: "_")
        }
        return "\(scope)/\(name).json"
    }

    /// The bytes of a list file: a `kind: List` with sorted keys, items by namespace and name.
    static func listFile(_ objects: [JSONValue]) -> Data {
        let items = objects.sorted { SnapshotCluster.identity(of: $0) < SnapshotCluster.identity(of: $1) }
        let list = JSONValue.object(JSONObject([
            ("apiVersion", .string("v1")), ("items", .array(items)), ("kind", .string("List")),
        ]))
        return Data((JSONWriter.write(list, options: stableOptions) + "\n").utf8)
    }

    static func outputPath(_ output: RecordedOutput) -> String {
        let type: String
        switch output {
        case .exec: type = "exec"
        case .http: type = "http"
        case .command: type = "command"
        case .probe: type = "probe"
        case .workspace: type = "workspace"
        }
        return "outputs/\(type)-\(fnv1a(output.call)).json"
    }

    static func outputFile(_ output: RecordedOutput) -> Data {
        Data((JSONWriter.pretty(output.json) + "\n").utf8)
    }

    static let stableOptions = JSONWriter.Options(sortKeys: true, escapeHTML: false, indent: "  ")

    /// FNV-1a, 64 bits, as 16 hex digits: a stable name for a call (not a security digest).
    static func fnv1a(_ text: String) -> String {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in text.utf8 {
            hash ^= UInt64(byte)
            hash = hash &* 0x100_0000_01b3
        }
        let hex = String(hash, radix: 16)
        return String(repeating: "0", count: 16 - hex.count) + hex
    }
}

extension Evidence {
    /// The evidence with every Secret's `data` and `stringData` values replaced by their
    /// `sha256:` digests (`ValueDigest`), and their lengths (decoded bytes for `data`) kept
    /// under the Secret's `klabRedacted` field: what a check read of a Secret can be stored,
    /// committed and digested, and a `digest` check still holds on it, with no secret in git.
    public func redactingSecrets() -> Evidence {
        var redacted = self
        for path in paths where path.hasSuffix(".json") && !path.hasPrefix("outputs/") {
            let name = (path as NSString).lastPathComponent
            guard name == "Secret.json" || name.hasPrefix("Secret.") else { continue }
            guard let list = try? JSONParser.parse(bytes: files[path]!), let items = list["items"]?.arrayValue else { continue }
            redacted.files[path] = Self.listFile(items.map(Self.redactingSecret))
        }
        return redacted
    }

    /// The fields of a Secret whose values are secret.
    public static let secretFields = ["data", "stringData"]

    public static func redactingSecret(_ object: JSONValue) -> JSONValue {
        guard case .object(var secret) = object, secret["kind"]?.stringValue == "Secret" else { return object }
        var lengths = JSONObject()
        for field in secretFields {
            guard case .object(let values)? = secret[field] else { continue }
            var digests = JSONObject()
            var fieldLengths = JSONObject()
            for (key, value) in values.entries {
                let text = value.stringValue ?? ValuePredicates.printed(value)
                if ValueDigest.isDigest(text) { digests[key] = .string(text); continue }
                digests[key] = .string(ValueDigest.of(text: text))
                let length = field == "data" ? (Data(base64Encoded: text)?.count ?? text.utf8.count) : text.utf8.count
                fieldLengths[key] = .int(Int64(length))
            }
            secret[field] = .object(digests)
            if !fieldLengths.entries.isEmpty { lengths[field] = .object(fieldLengths) }
        }
        if !lengths.entries.isEmpty { secret["klabRedacted"] = .object(lengths) }
        return .object(secret)
    }
}
