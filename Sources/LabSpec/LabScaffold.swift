import Foundation

/// `klab lab new`: a lab package written from `LabTemplate` into a labs folder and the prose
/// folder beside it, after checking that the id can name a lab and is not taken.
public struct LabScaffold: Sendable {
    public var loader: LabLoader

    public init(loader: LabLoader) {
        self.loader = loader
    }

    /// Why `id` cannot name a lab, or nil when it can. A lab id names its folder and is the
    /// value of the `klab.dev/lab` label on everything the lab creates, so it is what a label
    /// value and a DNS label both accept: lowercase letters, digits and `-`, starting and ending
    /// with a letter or digit, at most 63 characters (like the workshop's ids, `health-probes`).
    public static func idProblem(_ id: String) -> String? {
        if id.isEmpty { return "it is empty" }
        if id.count > 63 { return "it has \(id.count) characters, and a lab id has at most 63" }
        let allowed = Set("abcdefghijklmnopqrstuvwxyz0123456789-")
        if let bad = id.first(where: { !allowed.contains($0) }) {
            return "'\(bad)' is not allowed; a lab id is lowercase letters, digits and '-'"
        }
        if id.hasPrefix("-") || id.hasSuffix("-") { return "it must start and end with a letter or digit" }
        return nil
    }

    /// The title a lab gets when none is given: its id in words (`my-lab` → `My lab`).
    public static func defaultTitle(_ id: String) -> String {
        let words = id.replacingOccurrences(of: "-", with: " ")
        return words.prefix(1).uppercased() + words.dropFirst()
    }

    /// Writes the new lab and returns the paths written, in the template's order. Throws
    /// `LabSpecError.invalidLabID` or `.labExists` before writing anything.
    @discardableResult
    public func create(id: String, title: String? = nil) throws -> [URL] {
        if let problem = Self.idProblem(id) { throw LabSpecError.invalidLabID(id, reason: problem) }
        let labFolder = loader.labsDirectory.appendingPathComponent(id)
        let contentFolder = loader.contentDirectory.appendingPathComponent(id)
        for folder in [labFolder, contentFolder] where FileManager.default.fileExists(atPath: folder.path) {
            throw LabSpecError.labExists(id, path: LabCatalog.displayPath(folder.path))
        }
        let title = title ?? Self.defaultTitle(id)
        var written: [URL] = []
        for file in LabTemplate.files {
            let folder = file.root == .lab ? labFolder : contentFolder
            let url = folder.appendingPathComponent(file.path)
            let text = file.text
                .replacingOccurrences(of: "%LAB_ID%", with: id)
                .replacingOccurrences(of: "%LAB_TITLE%", with: Self.yamlSafeTitle(title, in: file))
            do {
                try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
                try Data(text.utf8).write(to: url)
            } catch {
                // Neither folder existed before: take back what was written, so that the id
                // is free for the next try.
                for folder in [labFolder, contentFolder] { try? FileManager.default.removeItem(at: folder) }
                throw LabSpecError.cannotWrite(path: LabCatalog.displayPath(url.path), reason: Self.reason(error))
            }
            written.append(url)
        }
        return written
    }

    /// A title in `lab.yaml` is quoted when plain YAML would read it as something else (a
    /// colon, a leading quote or `#`...); in prose it is written as given.
    static func yamlSafeTitle(_ title: String, in file: LabTemplate.File) -> String {
        guard file.path.hasSuffix(".yaml") else { return title }
        let plain = title.range(of: #"^[A-Za-z0-9][A-Za-z0-9 ,.()/'-]*$"#, options: .regularExpression) != nil
        if plain { return title }
        return "\"" + title.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"") + "\""
    }

    /// The operating system's reason, without Foundation's wrapping.
    public static func reason(_ error: Error) -> String {
        let underlying = (error as NSError).userInfo[NSUnderlyingErrorKey] as? NSError
        return (underlying ?? error as NSError).localizedDescription
    }
}
