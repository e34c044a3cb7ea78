import Foundation
import KubeCore

/// Everything that can be wrong with a lab package, its parameters or its rendering.
///
/// Each case that comes from a file carries where (`file:line:column`); its description is one
/// line saying what is wrong and what to do. A load or a lint collects every problem it finds and
/// throws them together as `.problems`.
public indirect enum LabSpecError: Error, Equatable, CustomStringConvertible {
    /// The YAML itself does not parse.
    case yamlSyntax(String, at: SourceLocation)
    /// A key the format does not know, with the closest known key when one is close.
    case unknownKey(String, in: String, known: [String], suggestion: String?, at: SourceLocation)
    /// A value of the wrong YAML type (a list where text was expected...).
    case wrongType(key: String, expected: String, found: String, at: SourceLocation)
    /// A required key is not there.
    case missingKey(String, in: String, at: SourceLocation)
    /// A value of the right type that does not make sense (a bad duration, count, regex...).
    case invalidValue(key: String, value: String, reason: String, at: SourceLocation)
    /// Keys that cannot be used together, or one of several that must be chosen.
    case conflictingKeys(String, at: SourceLocation)
    /// Two things that must be unique share a name (step ids, parameter names).
    case duplicate(what: String, name: String, firstLine: Int, at: SourceLocation)
    /// A file the lab names does not exist.
    case missingFile(String, what: String, at: SourceLocation)
    /// A file that is there but cannot be read as one: a FIFO, a device, too large, not UTF-8.
    case unreadableFile(String, what: String, reason: String, at: SourceLocation)
    /// YAML past klab's bounds (`InputLimits`): nested too deep, or aliases expanding too far.
    case yamlBounds(String, at: SourceLocation)
    /// A path that leaves the lab's folder (`..`, absolute, a symlink pointing out).
    case pathEscapes(String, folder: String, at: SourceLocation)
    /// `${name}` that is neither a parameter nor captured by an earlier check.
    case unknownVariable(String, at: SourceLocation)
    /// Like `unknownVariable`, with the known name it is closest to.
    case misspeltVariable(String, suggestion: String, at: SourceLocation)
    /// `${name}` in a completion check that only a step's check captures: a warning, since
    /// `klab lab test --capture` gives it but live grading cannot (it lists the check as not
    /// evaluated).
    case captureOutOfScope(String, at: SourceLocation)
    /// The lab's `id` is not the name of its folder.
    case idMismatch(id: String, folder: String, at: SourceLocation)
    /// The lab declares a format version this klab does not read.
    case unsupportedFormat(String, at: SourceLocation)
    /// A manifest that does not render to Kubernetes objects.
    case badManifest(String, at: SourceLocation)
    /// No lab with this id in the labs folder.
    case labNotFound(String, labsDirectory: String, known: [String])
    /// No labs folder could be found.
    case labsDirectoryNotFound(searched: [String])
    /// A `--set` for a parameter the lab does not have.
    case unknownParameter(String, lab: String, known: [String])
    /// A `--set` that is not `name=value`.
    case badAssignment(String)
    /// `klab lab new` was given an id that cannot name a lab (why, in words).
    case invalidLabID(String, reason: String)
    /// `klab lab new` was given the id of a lab (or prose folder) that already exists.
    case labExists(String, path: String)
    /// A file of a new lab could not be written (the disk, permissions, a file in the way).
    case cannotWrite(path: String, reason: String)
    /// Something that works but is risky (a shell in a check, a captured value where a flag
    /// could go); the linter prints it without failing.
    case warning(String, at: SourceLocation)
    /// Several problems, reported together (collect, then report).
    case problems([LabSpecError])

    /// Where the problem is, when it is in a file.
    public var location: SourceLocation? {
        switch self {
        case let .yamlSyntax(_, at), let .unknownKey(_, _, _, _, at), let .wrongType(_, _, _, at),
             let .missingKey(_, _, at), let .invalidValue(_, _, _, at), let .conflictingKeys(_, at),
             let .duplicate(_, _, _, at), let .missingFile(_, _, at), let .unreadableFile(_, _, _, at), let .yamlBounds(_, at),
             let .pathEscapes(_, _, at),
             let .unknownVariable(_, at), let .misspeltVariable(_, _, at), let .captureOutOfScope(_, at), let .idMismatch(_, _, at), let .unsupportedFormat(_, at),
             let .badManifest(_, at), let .warning(_, at):
            return at
        case let .problems(list):
            return list.first?.location
        case .labNotFound, .labsDirectoryNotFound, .unknownParameter, .badAssignment, .invalidLabID, .labExists, .cannotWrite:
            return nil
        }
    }

    /// The problem without its location.
    public var message: String {
        switch self {
        case let .yamlSyntax(problem, _):
            return "YAML syntax: \(problem)"
        case let .unknownKey(key, context, known, suggestion, _):
            if let suggestion { return "unknown key '\(key)' in \(context); did you mean '\(suggestion)'?" }
            return "unknown key '\(key)' in \(context); known keys: \(known.joined(separator: ", "))"
        case let .wrongType(key, expected, found, _):
            return "'\(key)' must be \(expected), not \(found)"
        case let .missingKey(key, context, _):
            return "\(context) has no '\(key)'; add one"
        case let .invalidValue(key, value, reason, _):
            return "'\(key)': \(reason) (got '\(Self.printable(value))')"
        case let .conflictingKeys(explanation, _):
            return explanation
        case let .duplicate(what, name, firstLine, _):
            return "duplicate \(what) '\(name)' (first on line \(firstLine)); give each a different one"
        case let .missingFile(path, what, _):
            return "\(what) '\(path)' does not exist; create it or fix the path"
        case let .unreadableFile(path, what, reason, _):
            return "\(what) '\(path)' \(reason); make it a regular UTF-8 text file (limits: content/reference/limits.md)"
        case let .yamlBounds(problem, _):
            return "YAML beyond klab's limits: \(problem); simplify the file"
        case let .pathEscapes(path, folder, _):
            return "path '\(path)' leaves \(folder); use a path inside it"
        case let .unknownVariable(name, _):
            return "'${\(name)}' is neither a parameter nor captured by an earlier check; declare the parameter or capture it first"
        case let .misspeltVariable(name, suggestion, _):
            return "'${\(name)}' is neither a parameter nor captured by an earlier check; did you mean '${\(suggestion)}'?"
        case let .captureOutOfScope(name, _):
            return "warning: '${\(name)}' is captured by a step; live grading reads no step captures and lists this check as not evaluated: prefer an absolute criterion, or capture it in an earlier completion check"
        case let .idMismatch(id, folder, _):
            return "lab id '\(id)' differs from its folder name '\(folder)'; make them equal"
        case let .unsupportedFormat(version, _):
            return "format \(version) is not supported; this klab reads format 1"
        case let .badManifest(problem, _):
            return problem
        case let .warning(text, _):
            return "warning: " + text
        case let .labNotFound(id, directory, known):
            if let guess = Suggestion.closest(to: id, in: known) {
                return "no lab '\(id)' in \(directory); did you mean '\(guess)'? (`klab lab list` shows them all)"
            }
            let list = known.isEmpty ? "it has no labs" : "labs there: \(known.joined(separator: ", "))"
            return "no lab '\(id)' in \(directory) (\(list)); check the id or pass --labs DIR"
        case let .labsDirectoryNotFound(searched):
            return "no labs folder found (looked at \(searched.joined(separator: ", "))); pass --labs DIR or set KLAB_LABS"
        case let .unknownParameter(name, lab, known):
            return "lab \(lab) has no parameter '\(name)'; known: \(known.joined(separator: ", "))"
        case let .badAssignment(text):
            return "'\(text)' is not name=value; write --set name=value"
        case let .invalidLabID(id, reason):
            return "'\(id)' cannot be a lab id: \(reason); choose another, such as my-lab"
        case let .labExists(id, path):
            return "lab '\(id)' already exists (\(path)); choose another id or edit that lab"
        case let .cannotWrite(path, reason):
            return "cannot write \(path): \(reason); check the folder and its permissions, or pass --labs DIR"
        case let .problems(list):
            guard let first = list.first else { return "no problems" }
            let more = list.count > 1 ? " (and \(list.count - 1) more; run 'klab lab lint' to see all)" : ""
            return first.message + more
        }
    }

    /// One line: `file:line:column: message` when the problem is in a file.
    public var description: String {
        if case let .problems(list) = self, let first = list.first {
            let more = list.count > 1 ? " (and \(list.count - 1) more; run 'klab lab lint' to see all)" : ""
            return first.description + more
        }
        if let location { return "\(location): \(message)" }
        return message
    }

    /// Whether this is only a warning (lint prints it; it fails nothing).
    public var isWarning: Bool {
        switch self {
        case .warning, .captureOutOfScope: return true
        default: return false
        }
    }

    /// Text with control characters (a NUL, an escape) shown escaped, so that one line stays one line.
    static func printable(_ text: String) -> String {
        String(text.unicodeScalars.map { $0.properties.generalCategory == .control ? $0.escaped(asASCII: true) : String($0) }.joined())
    }

    /// The problems inside, flattened: one for a single error, all of them for `.problems`.
    public var all: [LabSpecError] {
        if case let .problems(list) = self { return list.flatMap(\.all) }
        return [self]
    }
}
