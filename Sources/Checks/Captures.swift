import Foundation
import KubeCore
import KubeJSON
import LabSpec

/// `${name}` in a check's strings, replaced by values earlier checks captured.
///
/// Substitution happens when the check is evaluated, in every string of the check: its name,
/// selector, command, URL, paths, predicates, expected values and joins. A name with no value
/// is reported, not left in place, so a check never runs with a literal `${name}`.
///
/// A captured value is data and never becomes syntax: in a regular expression it is escaped; in
/// a URL it is percent-encoded (unless it is the whole URL); in a name, selector or path it is
/// refused when it holds characters that would be read as syntax there; in a command's
/// arguments it is refused when it starts with `-` before `--` (it would be read as a flag).
struct CaptureSubstitution {
    let values: [String: String]
    private(set) var missing: [String] = []
    /// Why a substituted value was refused, one line each.
    private(set) var refused: [String] = []

    init(values: [String: String]) {
        self.values = values
    }

    /// The names a string refers to, in order of first use.
    static func references(in text: String) -> [String] {
        Variables.names(in: text)
    }

    /// The text with every `${name}` replaced, each value escaped for `place`.
    mutating func string(_ text: String, place: StringPlace = .text) -> String {
        guard Variables.mayReference(text) else { return text }
        let wholeValue = place == .url && text.hasPrefix("${") && text.hasSuffix("}") && Variables.names(in: text).count == 1
            && text == "${\(Variables.names(in: text)[0])}"
        var out = ""
        var rest = Substring(text)
        while let start = rest.range(of: "${") {
            guard let end = rest[start.upperBound...].firstIndex(of: "}") else { break }
            out += rest[..<start.lowerBound]
            let name = String(rest[start.upperBound..<end])
            if let value = values[name] {
                out += escaped(value, name: name, place: wholeValue ? .text : place)
            } else {
                if !missing.contains(name) { missing.append(name) }
                out += rest[start.lowerBound...end]
            }
            rest = rest[rest.index(after: end)...]
        }
        return out + rest
    }

    private mutating func escaped(_ value: String, name: String, place: StringPlace) -> String {
        func refuse(_ why: String) -> String {
            let line = "refused ${\(name)} = \(FailureMessage.value(.string(value))): \(why)"
            if !refused.contains(line) { refused.append(line) }
            return value
        }
        switch place {
        case .text, .argument:
            return value
        case .regex:
            return NSRegularExpression.escapedPattern(for: value)
        case .url:
            return value.addingPercentEncoding(withAllowedCharacters: Self.urlSafe) ?? value
        case .name:
            if value.isEmpty || value.hasPrefix("-") || !value.unicodeScalars.allSatisfy(Self.nameSafe.contains) {
                return refuse("a name holds letters, digits, '.', '-', '_', ':' and '/' only")
            }
            return value
        case .labelSelector:
            if !value.unicodeScalars.allSatisfy(Self.nameSafe.contains) {
                return refuse("a value in a label selector holds letters, digits, '.', '-', '_', ':' and '/' only")
            }
            return value
        case .fieldSelector:
            // Field selectors have escapes (k8s fields.EscapeValue).
            var out = ""
            for ch in value {
                if ch == "\\" || ch == "," || ch == "=" || ch == "!" { out.append("\\") }
                out.append(ch)
            }
            return out
        case .path:
            if value.contains(where: { "\"'{}[]()\\@$".contains($0) }) {
                return refuse("a value in a JSONPath cannot hold quotes, brackets, braces, '@', '$' or backslashes")
            }
            return value
        }
    }

    /// What a URL may hold of a captured value as it is: RFC 3986 unreserved characters.
    private static let urlSafe = CharacterSet(charactersIn: "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-._~")
    private static let nameSafe = CharacterSet(charactersIn: "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-._:/")

    mutating func check(_ check: Check) -> Check {
        var c = check.mappingStrings { text, place in string(text, place: place) }
        switch c.source {
        case .exec(var request):
            request.command = refusingFlags(written: requestArguments(check.source), substituted: request.command)
            c.source = .exec(request)
        case .probe(var request):
            request.command = refusingFlags(written: requestArguments(check.source), substituted: request.command)
            c.source = .probe(request)
        case .command(let arguments):
            c.source = .command(refusingFlags(written: requestArguments(check.source), substituted: arguments))
        default:
            break
        }
        return c
    }

    private func requestArguments(_ source: CheckSource) -> [String] {
        switch source {
        case .exec(let request): return request.command
        case .probe(let request): return request.command
        case .command(let arguments): return arguments
        default: return []
        }
    }

    /// Refuses an argument that a captured value turned into a flag (it starts with `-` though
    /// the author did not write one), unless it comes after `--`.
    private mutating func refusingFlags(written: [String], substituted: [String]) -> [String] {
        for (index, (before, after)) in zip(written, substituted).enumerated() {
            if written[..<index].contains("--") { break }
            if before.contains("${"), !before.hasPrefix("-"), after.hasPrefix("-") {
                let name = Variables.names(in: before).first ?? "?"
                let line = "refused ${\(name)} = \(FailureMessage.value(.string(values[name] ?? after))): a captured value in a command's arguments cannot start with '-' (it would be read as a flag); put it after '--'"
                if !refused.contains(line) { refused.append(line) }
            }
        }
        return substituted
    }

    mutating func selector(_ selector: ObjectSelector) -> ObjectSelector {
        let check = Check(name: "", source: .get(selector))
        guard case .get(let s) = self.check(check).source else { return selector }
        return s
    }
}

extension CaptureSubstitution {
    /// The text a captured value is substituted as: what kubectl's JSONPath would print
    /// (strings raw, numbers as Go prints them), several values separated by spaces.
    static func text(of matches: [JSONPathMatch]) -> String {
        matches.map { ValuePredicates.printed($0.value) }.joined(separator: " ")
    }
}

/// A capture's `regex`/`group` and `trimPrefix`, applied to each captured value in turn.
struct CaptureTransform {
    let capture: Capture

    init(_ capture: Capture) {
        self.capture = capture
    }

    func apply(_ values: [String]) -> Result<[String], CaptureError> {
        var out: [String] = []
        for var value in values {
            if let prefix = capture.trimPrefix, value.hasPrefix(prefix) { value.removeFirst(prefix.count) }
            if let pattern = capture.regex {
                guard let regex = try? NSRegularExpression(pattern: pattern) else {
                    return .failure(CaptureError("the regex /\(pattern)/ is not a valid regular expression"))
                }
                let group = capture.group ?? (regex.numberOfCaptureGroups > 0 ? 1 : 0)
                guard group >= 0, group <= regex.numberOfCaptureGroups else {
                    return .failure(CaptureError("the regex /\(pattern)/ has no group \(group)"))
                }
                let range = NSRange(value.startIndex..., in: value)
                guard let match = regex.firstMatch(in: value, range: range), let found = Range(match.range(at: group), in: value) else {
                    return .failure(CaptureError("/\(pattern)/ does not match \(FailureMessage.value(.string(value)))"))
                }
                value = String(value[found])
            }
            if capture.digest { value = ValueDigest.keeping(value) }
            out.append(value)
        }
        return .success(out)
    }
}

struct CaptureError: Error {
    let reason: String
    init(_ reason: String) { self.reason = reason }
}
