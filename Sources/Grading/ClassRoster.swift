import Foundation
import KubeJSON
import LabSpec

/// Who is graded, and where their work is.
public struct RosterEntry: Sendable, Equatable {
    /// The learner id the roster gives; nil to take it from the workspace.
    public var learner: String?
    /// A workspace folder or a git bundle file.
    public var workspace: String?
    /// The learner's namespace (live grading).
    public var namespace: String?
    /// The kubeconfig context their namespace lives in (live grading; nil: the current one).
    public var context: String?

    public init(learner: String? = nil, workspace: String? = nil, namespace: String? = nil, context: String? = nil) {
        self.learner = learner
        self.workspace = workspace
        self.namespace = namespace
        self.context = context
    }
}

/// Why a roster could not be read.
public enum GradingError: Error, CustomStringConvertible, Equatable {
    case rosterUnreadable(path: String, reason: String)
    case rosterLine(path: String, line: Int, reason: String)
    case nothingToGrade(String)
    case liveNeedsNamespaces(learner: String)

    public var description: String {
        switch self {
        case let .rosterUnreadable(path, reason): return "cannot read roster \(path): \(reason)"
        case let .rosterLine(path, line, reason): return "\(path):\(line): \(reason)"
        case let .nothingToGrade(what): return "nothing to grade: \(what)"
        case let .liveNeedsNamespaces(learner):
            return "live grading needs each learner's namespace; the roster gives none for \(learner) (columns: learner,workspace,namespace,context)"
        }
    }
}

public enum ClassRoster {
    /// The entries for what the instructor named: roster CSV files, workspace folders,
    /// bundles, or folders of workspaces and bundles.
    public static func entries(for paths: [String]) throws -> [RosterEntry] {
        var entries: [RosterEntry] = []
        for path in paths {
            var isDirectory: ObjCBool = false
            guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
                throw GradingError.nothingToGrade("\(path) does not exist")
            }
            if !isDirectory.boolValue {
                if path.lowercased().hasSuffix(".csv") {
                    entries += try csv(at: path)
                } else {
                    entries.append(RosterEntry(workspace: path))
                }
            } else if isWorkspace(path) {
                entries.append(RosterEntry(workspace: path))
            } else {
                let children = try FileManager.default.contentsOfDirectory(atPath: path).sorted()
                for child in children where !child.hasPrefix(".") {
                    let full = (path as NSString).appendingPathComponent(child)
                    if isWorkspace(full) || child.hasSuffix(".bundle") { entries.append(RosterEntry(workspace: full)) }
                }
            }
        }
        return entries
    }

    static func isWorkspace(_ path: String) -> Bool {
        let manager = FileManager.default
        return manager.fileExists(atPath: (path as NSString).appendingPathComponent(".git"))
            || manager.fileExists(atPath: (path as NSString).appendingPathComponent("HEAD"))
    }

    /// A roster: a header naming some of `learner`, `workspace`, `namespace`, `context`, then
    /// one learner a line. Relative workspace paths are read from the roster's folder.
    public static func csv(at path: String) throws -> [RosterEntry] {
        let data: Data
        do {
            data = try InputFile.read(path, limit: InputLimits.labFileBytes)
        } catch let failure as InputFile.Failure {
            throw GradingError.rosterUnreadable(path: path, reason: "it \(failure.reason)")
        }
        let base = (path as NSString).deletingLastPathComponent
        var text = String(decoding: data, as: UTF8.self)
        // Spreadsheets save "CSV UTF-8" with a byte-order mark; it is not part of the first column's name.
        if text.hasPrefix("\u{FEFF}") { text.removeFirst() }
        let (records, openQuote) = parseCSV(text)
        if let line = openQuote {
            throw GradingError.rosterLine(path: path, line: line, reason: "a quoted field starts here and is never closed; add the closing \"")
        }
        guard let header = records.first else { throw GradingError.rosterUnreadable(path: path, reason: "it is empty") }
        let columns = header.fields.map { $0.trimmingCharacters(in: .whitespaces).lowercased() }
        let known = ["learner", "workspace", "namespace", "context"]
        for column in columns where !known.contains(column) {
            throw GradingError.rosterLine(path: path, line: header.line, reason: "unknown column \"\(column)\"; a roster has \(known.joined(separator: ", "))")
        }
        var entries: [RosterEntry] = []
        for record in records.dropFirst() where !record.fields.allSatisfy({ $0.trimmingCharacters(in: .whitespaces).isEmpty }) {
            let fields = record.fields
            guard fields.count <= columns.count else {
                throw GradingError.rosterLine(path: path, line: record.line, reason: "\(fields.count) fields for \(columns.count) columns")
            }
            var values: [String: String] = [:]
            for (i, field) in fields.enumerated() {
                let value = field.trimmingCharacters(in: .whitespaces)
                if !value.isEmpty { values[columns[i]] = value }
            }
            var workspace = values["workspace"]
            if let w = workspace, !w.hasPrefix("/") { workspace = (base as NSString).appendingPathComponent(w) }
            entries.append(RosterEntry(learner: values["learner"], workspace: workspace, namespace: values["namespace"], context: values["context"]))
        }
        return entries
    }

    /// RFC 4180 records: fields split by commas, double quotes around a field (which may then
    /// hold commas and line breaks), "" for a quote inside; each record with the line it starts
    /// on, and the line of a quote never closed (the rest of the file would be one field).
    static func parseCSV(_ text: String) -> (records: [(line: Int, fields: [String])], openQuote: Int?) {
        var openedAt = 1
        var records: [(line: Int, fields: [String])] = []
        var fields: [String] = []
        var field = ""
        var quoted = false
        var line = 1, start = 1
        var chars = Array(text)[...]
        while let ch = chars.popFirst() {
            if quoted {
                if ch == "\"" {
                    if chars.first == "\"" {
                        chars.removeFirst()
                        field.append("\"")
                    } else {
                        quoted = false
                    }
                } else {
                    if ch.isNewline { line += 1 }
                    field.append(ch)
                }
            } else if ch == "\"" {
                quoted = true
                openedAt = line
            } else if ch == "," {
                fields.append(field)
                field = ""
            } else if ch.isNewline {
                // "\r\n" is one Character; a lone "\r" or "\n" ends a record too.
                fields.append(field)
                records.append((start, fields))
                fields = []
                field = ""
                line += 1
                start = line
            } else {
                field.append(ch)
            }
        }
        if !field.isEmpty || !fields.isEmpty { fields.append(field); records.append((start, fields)) }
        return (records, quoted ? openedAt : nil)
    }
}
