import Foundation
import KubeCore
import KubeJSON

/// Finds every problem of a lab package in one run: what the loader finds (YAML errors, unknown
/// keys, wrong types...) plus what only a careful read shows (duplicate ids, missing files, paths
/// leaving the lab, templates, regexes, quantities and CIDRs that do not parse, captures used
/// before any check makes them, manifests that do not render).
public struct LabLinter: Sendable {
    public var loader: LabLoader

    public init(loader: LabLoader) {
        self.loader = loader
    }

    /// The problems of these labs (all labs when `ids` is empty), in file and line order.
    public func lint(_ ids: [String] = []) -> [LabSpecError] {
        let ids = ids.isEmpty ? loader.labIDs() : ids
        return ids.flatMap(lint)
    }

    /// The problems of one lab, in line order.
    public func lint(_ id: String) -> [LabSpecError] {
        let decoded: LabLoader.Decoded
        do {
            decoded = try loader.decode(id)
        } catch let error as LabSpecError {
            return error.all
        } catch {
            return [.labNotFound(id, labsDirectory: loader.labsDirectory.path, known: loader.labIDs())]
        }
        var problems = decoded.problems
        let start = SourceLocation(file: decoded.file, line: 1, column: 1)
        let directory = loader.labsDirectory.appendingPathComponent(id)
        let contentDirectory = loader.contentDirectory.appendingPathComponent(id)
        problems += referenceProblems(decoded, folder: id, directory: directory, contentDirectory: contentDirectory)
        if let lab = decoded.lab {
            problems += Self.redactionWarnings(lab)
            if decoded.problems.isEmpty { problems += ManifestRenderer(lab: lab).problems(start: start) }
        }
        return Self.ordered(problems)
    }

    static func ordered(_ problems: [LabSpecError]) -> [LabSpecError] {
        problems.enumerated().sorted { a, b in
            let (l, r) = (a.element.location, b.element.location)
            if l?.file != r?.file { return (l?.file ?? "") < (r?.file ?? "") }
            if l?.line != r?.line { return (l?.line ?? 0) < (r?.line ?? 0) }
            if l?.column != r?.column { return (l?.column ?? 0) < (r?.column ?? 0) }
            return a.offset < b.offset
        }.map(\.element)
    }

    private func referenceProblems(
        _ decoded: LabLoader.Decoded, folder: String, directory: URL, contentDirectory: URL
    ) -> [LabSpecError] {
        var problems: [LabSpecError] = []
        var stepLines: [String: Int] = [:]
        var parameterLines: [String: Int] = [:]
        var parameters = Set(Lab.builtInParameters)
        for case let .parameterName(name, _) in decoded.references { parameters.insert(name) }
        var captured = Set<String>()
        var stepCaptures = Set<String>()

        for reference in decoded.references {
            switch reference {
            case let .formatVersion(text, at):
                if text != "1" { problems.append(.unsupportedFormat(text, at: at)) }
            case let .labID(id, at):
                if id != folder { problems.append(.idMismatch(id: id, folder: folder, at: at)) }
            case let .stepID(id, at):
                if let first = stepLines[id] {
                    problems.append(.duplicate(what: "step id", name: id, firstLine: first, at: at))
                } else {
                    stepLines[id] = at.line
                }
            case let .parameterName(name, at):
                if let first = parameterLines[name] {
                    problems.append(.duplicate(what: "parameter", name: name, firstLine: first, at: at))
                } else {
                    parameterLines[name] = at.line
                }
                if name == "learner" {
                    problems.append(.invalidValue(
                        key: "name", value: name, reason: "'learner' is set by klab for each learner; choose another name", at: at))
                }
            case let .manifest(path, at):
                problems += fileProblems(path, what: "manifest", folder: directory, folderName: "the lab folder", at: at)
            case let .content(path, at):
                problems += fileProblems(path, what: "step prose", folder: contentDirectory, folderName: "the lab's content folder", at: at)
            case let .jsonPath(template, at):
                // With `${name}` the template is only known when the check runs.
                if !template.contains("${") {
                    do { _ = try JSONPath(template) } catch let error as JSONPathError {
                        problems.append(.invalidValue(
                            key: "path", value: template, reason: "kubectl cannot parse this JSONPath: \(error.message)", at: at))
                    } catch {
                        problems.append(.invalidValue(key: "path", value: template, reason: "\(error)", at: at))
                    }
                }
            case let .regex(pattern, key, at):
                if (try? NSRegularExpression(pattern: pattern)) == nil {
                    problems.append(.invalidValue(
                        key: key, value: pattern, reason: "the regular expression does not compile", at: at))
                }
            case let .quantity(text, at):
                do { _ = try Quantity(text) } catch {
                    problems.append(.invalidValue(
                        key: "quantity", value: text, reason: "not a Kubernetes quantity such as 500m, 128Mi or 2Gi", at: at))
                }
            case let .time(text, at):
                if Timestamp(text) == nil {
                    problems.append(.invalidValue(
                        key: "time", value: text,
                        reason: "not an RFC 3339 time such as 2026-11-29T02:42:02Z (or compare with a {.field} or a ${capture})", at: at))
                }
            case let .regexGroup(pattern, group, at):
                if let regex = try? NSRegularExpression(pattern: pattern), group > regex.numberOfCaptureGroups || group < 0 {
                    let has = regex.numberOfCaptureGroups
                    problems.append(.invalidValue(
                        key: "group", value: "\(group)",
                        reason: "the regex has \(has == 0 ? "no groups" : has == 1 ? "1 group" : "\(has) groups"); group 0 is the whole match",
                        at: at))
                }
            case let .arguments(arguments, at):
                problems += argumentWarnings(arguments, parameters: parameters, at: at)
            case let .cidr(text, key, at):
                if CIDR(text) == nil {
                    problems.append(.invalidValue(
                        key: key, value: text, reason: "not a CIDR block such as 10.0.0.0/16 or fd00::/8", at: at))
                }
            case let .labelSelector(text, at):
                // The evaluator's own parser: what lint passes, `lab test` and `verify` accept.
                do { _ = try LabelSelector(parsing: text) } catch let error as SelectorError {
                    problems.append(.invalidValue(key: "labels", value: text, reason: error.reason, at: at))
                } catch {
                    problems.append(.invalidValue(key: "labels", value: text, reason: "\(error)", at: at))
                }
            case let .fieldSelector(text, kind, at):
                do { _ = try FieldSelector(parsing: text, kind: kind) } catch let error as SelectorError {
                    let supported = FieldSelector.supportedFields(kind: kind).joined(separator: ", ")
                    let hint = error.reason.hasPrefix("field label not supported") ? " (\(kind) supports \(supported))" : ""
                    problems.append(.invalidValue(key: "fields", value: text, reason: error.reason + hint, at: at))
                } catch {
                    problems.append(.invalidValue(key: "fields", value: text, reason: "\(error)", at: at))
                }
            case let .variables(names, at):
                for name in names where !parameters.contains(name) && !captured.contains(name) {
                    if stepCaptures.contains(name) {
                        problems.append(.captureOutOfScope(name, at: at))
                    } else if let close = Suggestion.closest(to: name, in: parameters.union(captured).sorted()) {
                        problems.append(.misspeltVariable(name, suggestion: close, at: at))
                    } else {
                        problems.append(.unknownVariable(name, at: at))
                    }
                }
            case let .captured(name, at):
                if parameters.contains(name) {
                    problems.append(.invalidValue(
                        key: "capture", value: name, reason: "a parameter already has this name; name the capture differently", at: at))
                }
                captured.insert(name)
            case .completionBegins:
                stepCaptures = captured
                captured = []
            }
        }
        return problems
    }

    /// A shell in a check runs whatever a captured value substituted into its script spells; a
    /// captured value standing alone where a flag could go is refused when it starts with `-`.
    /// Both work, so both are warnings.
    private func argumentWarnings(_ arguments: [String], parameters: Set<String>, at: SourceLocation) -> [LabSpecError] {
        var warnings: [LabSpecError] = []
        let isCapture = { (name: String) in !parameters.contains(name) }
        let shells = ["sh", "bash", "ash", "zsh", "/bin/sh", "/bin/bash", "/bin/ash"]
        if let index = arguments.firstIndex(where: { shells.contains($0) }), let c = arguments[(index + 1)...].firstIndex(of: "-c"),
           let script = arguments.dropFirst(c + 1).first, let name = Variables.names(in: script).first(where: isCapture) {
            warnings.append(.warning(
                "'\(arguments[index]) -c' with ${\(name)} in its script: a captured value becomes shell syntax there; run the program directly with the value as its own argument",
                at: at))
        }
        for (index, argument) in arguments.enumerated() {
            if argument == "--" { break }
            // After a flag that takes it (`--key-id ${arn}`), the value is the flag's.
            if index > 0, arguments[index - 1].hasPrefix("-"), !arguments[index - 1].contains("=") { continue }
            guard argument.hasPrefix("${"), let name = Variables.names(in: argument).first, isCapture(name) else { continue }
            warnings.append(.warning(
                "'\(argument)' puts a captured value where a flag could go; klab refuses it if it starts with '-': put it after '--' or after its flag",
                at: at))
        }
        return warnings
    }

    /// A step's check without `redact: true` that reads the stdout of the same exec, command or
    /// probe as a check of the step with `redact: true`: evidence keeps that output as a digest
    /// wherever it is recorded, so the grader re-checks this one on the digest and flags the step
    /// `evidence-fails-checks`. A check that reads only the exit code or stderr is fine.
    static func redactionWarnings(_ lab: Lab) -> [LabSpecError] {
        var warnings: [LabSpecError] = []
        for step in lab.steps {
            let redacting = step.checks.filter(\.redact)
            guard !redacting.isEmpty else { continue }
            for check in step.checks where !check.redact && readsStdout(check) {
                guard let call = call(of: check.source),
                      let other = redacting.first(where: { Self.call(of: $0.source) == call }),
                      let at = check.location
                else { continue }
                warnings.append(.warning(
                    "check '\(check.name)' in step '\(step.id)' reads the stdout of the same \(call.kind) as check '\(other.name)', which has redact: true; evidence keeps that stdout only as a digest, so the grader checks this one on the digest and flags evidence-fails-checks where it fails: add redact: true here and compare with digest, or read only exitCode",
                    at: at))
            }
        }
        return warnings
    }

    /// What makes two checks' calls the same one (a probe's timeout does not).
    private struct Call: Equatable {
        var kind: String
        var source: CheckSource
    }

    private static func call(of source: CheckSource) -> Call? {
        switch source {
        case .exec: return Call(kind: "exec", source: source)
        case .command: return Call(kind: "command", source: source)
        case .probe(var request):
            request.timeout = 0
            return Call(kind: "probe", source: .probe(request))
        default: return nil
        }
    }

    /// Whether a check reads its output's stdout (or `json`): anything beyond the exit code,
    /// stderr and whether the command ran. A check with no assertions reads the exit code.
    static func readsStdout(_ check: Check) -> Bool {
        let status = [".exitCode", ".stderr", ".ran", ".error"]
        func statusOnly(_ template: String) -> Bool {
            var path = template.trimmingCharacters(in: .whitespaces)
            if path.hasPrefix("{"), path.hasSuffix("}") { path = String(path.dropFirst().dropLast()).trimmingCharacters(in: .whitespaces) }
            if path.hasPrefix("$") { path.removeFirst() }
            return status.contains(path)
        }
        let expectation = check.expectation
        for assertion in expectation.all + expectation.any + expectation.none {
            guard case .value(let path, _) = assertion, statusOnly(path) else { return true }
        }
        return !expectation.distinct.isEmpty || check.captures.contains { !statusOnly($0.path) }
    }

    /// A relative path that stays inside `folder` (after following symlinks) and exists.
    private func fileProblems(_ path: String, what: String, folder: URL, folderName: String, at: SourceLocation) -> [LabSpecError] {
        if path.hasPrefix("/") || path.hasPrefix("~") {
            return [.pathEscapes(path, folder: folderName, at: at)]
        }
        var depth = 0
        for component in path.split(separator: "/") {
            if component == ".." { depth -= 1 } else if component != "." { depth += 1 }
            if depth < 0 { return [.pathEscapes(path, folder: folderName, at: at)] }
        }
        let url = folder.appendingPathComponent(path)
        guard FileManager.default.fileExists(atPath: url.path) else {
            // A dangling symlink reads as missing; one pointing out of the folder is the bigger problem.
            if let destination = try? FileManager.default.destinationOfSymbolicLink(atPath: url.path) {
                let target = URL(fileURLWithPath: destination, relativeTo: url.deletingLastPathComponent()).standardizedFileURL
                if !Self.isInside(target, folder) { return [.pathEscapes(path, folder: folderName, at: at)] }
            }
            return [.missingFile(path, what: what, at: at)]
        }
        if !Self.isInside(url.resolvingSymlinksInPath(), folder.resolvingSymlinksInPath()) {
            return [.pathEscapes(path, folder: folderName, at: at)]
        }
        return []
    }

    static func isInside(_ url: URL, _ folder: URL) -> Bool {
        let folderPath = folder.standardizedFileURL.path
        let path = url.standardizedFileURL.path
        return path == folderPath || path.hasPrefix(folderPath.hasSuffix("/") ? folderPath : folderPath + "/")
    }
}
