import Foundation
import KubeCore
import KubeJSON
import LabSpec

/// Finds manifests that hold a Secret in plain text (kind Secret with `data` or `stringData`).
/// klab never commits them: a base64 `data` field is not encryption, and a git history is
/// forever (the sealed-secrets chapter relies on this).
public enum PlaintextSecrets {
    /// Whether a manifest file holds a plaintext Secret in any of its documents.
    public static func contains(_ data: Data, source: String) -> Bool {
        // `kind: Secret` is spelt with those bytes, or with an escape (`"\u0053ecret"`), which
        // needs a backslash: a file with neither holds no Secret and is not parsed.
        guard data.range(of: Data("Secret".utf8)) != nil || data.contains(UInt8(ascii: "\\")) else { return false }
        guard let documents = try? KubeDocuments.parse(data, source: source) else {
            // Unparseable YAML could still hold one: look for the shape in the text.
            let text = String(decoding: data, as: UTF8.self)
            return text.range(of: #"(?m)^\s*kind:\s*["']?Secret["']?\s*$"#, options: .regularExpression) != nil
                && text.range(of: #"(?m)^\s*(data|stringData):"#, options: .regularExpression) != nil
        }
        return documents.contains(where: isPlaintextSecret)
    }

    static func isPlaintextSecret(_ value: JSONValue) -> Bool {
        if case .array(let items)? = value["items"] { return items.contains(where: isPlaintextSecret) }
        guard value["kind"]?.stringValue == "Secret" else { return false }
        // Values klab replaced by their digests (evidence) are not plaintext.
        return [value["data"], value["stringData"]].contains { field in
            guard let field else { return false }
            guard case .object(let values) = field else { return true }
            return values.entries.contains { !($0.value.stringValue.map(ValueDigest.isDigest) ?? false) }
        }
    }

    /// Paths (relative to `root`) of manifest files under `folders` holding a plaintext Secret.
    public static func find(under folders: [String], root: URL) -> [String] {
        var found: [String] = []
        let manager = FileManager.default
        for folder in folders {
            let base = root.appendingPathComponent(folder)
            guard let walker = manager.enumerator(at: base, includingPropertiesForKeys: nil) else { continue }
            for case let url as URL in walker {
                // git never holds what a `.git` folder holds; walking a repository's objects
                // would make every backup slower as the history grows.
                if url.lastPathComponent == ".git" {
                    walker.skipDescendants()
                    continue
                }
                let ext = url.pathExtension.lowercased()
                // Regular files only, as git sees them (a symbolic link is committed as a link).
                var info = stat()
                guard ["yaml", "yml", "json"].contains(ext), lstat(url.path, &info) == 0, info.st_mode & S_IFMT == S_IFREG,
                      let data = try? Data(contentsOf: url)
                else { continue }
                if contains(data, source: url.path) {
                    let relative = String(url.standardizedFileURL.path.dropFirst(root.standardizedFileURL.path.count + 1))
                    found.append(relative)
                }
            }
        }
        return found.sorted()
    }
}
