import KubeJSON

/// The results of evaluating a group of checks (a step, or a lab's completion checks), as
/// people and programs read them: text with ✓/✗ and each failure's lines, then the step's
/// first hint; or JSON listing each check with its name, status and message.
public struct CheckReport: Sendable, Equatable {
    /// What was evaluated: `health-probes: step liveness`, `fargate: completion`.
    public var title: String
    public var results: [CheckResult]
    /// Shown after the results when a check failed (the step's first hint).
    public var hint: String?

    public init(title: String, results: [CheckResult], hint: String? = nil) {
        self.title = title
        self.results = results
        self.hint = hint
    }

    /// Every evaluated check passed (checks not evaluated neither pass nor fail).
    public var passed: Bool { !results.contains { $0.status == .failed } }

    public func text(color: Bool = false) -> String {
        func paint(_ text: String, _ code: String) -> String { color ? "\u{1B}[\(code)m\(text)\u{1B}[0m" : text }
        var out = title + "\n"
        for result in results {
            switch result.status {
            case .passed:
                out += paint("✓", "32") + " \(result.name)\n"
            case .failed:
                out += paint("✗", "31") + " \(result.name)\n"
            case .notEvaluated:
                out += paint("-", "33") + " \(result.name) (not evaluated)\n"
            }
            for line in result.message { out += "    \(line)\n" }
        }
        if !passed, let hint { out += paint("hint:", "36") + " \(hint)\n" }
        out += summary + "\n"
        return out
    }

    /// `2 of 3 checks passed, 1 failed` (and `, 1 not evaluated`).
    public var summary: String {
        let passedCount = results.filter { $0.status == .passed }.count
        let failed = results.filter { $0.status == .failed }.count
        let skipped = results.filter { $0.status == .notEvaluated }.count
        var text = "\(passedCount) of \(results.count) check\(results.count == 1 ? "" : "s") passed"
        if failed > 0 { text += ", \(failed) failed" }
        if skipped > 0 { text += ", \(skipped) not evaluated" }
        return text
    }

    /// The report as JSON (`Encodable` below).
    public func json() -> JSONValue {
        (try? JSONValueEncoder().encode(self)) ?? .null
    }
}

/// The JSON of a report: title, passed, summary, each check (name, status, message, and its
/// location and captures when it has them), and the hint when a check failed (else null).
extension CheckReport: Encodable {
    private enum Keys: String, CodingKey { case title, passed, summary, checks, hint }

    private struct Entry: Encodable {
        var result: CheckResult
        enum Keys: String, CodingKey { case name, status, message, location, captures }

        func encode(to encoder: Encoder) throws {
            var container = encoder.container(keyedBy: Keys.self)
            try container.encode(result.name, forKey: .name)
            try container.encode(result.status.rawValue, forKey: .status)
            try container.encode(result.message.joined(separator: "\n"), forKey: .message)
            if let location = result.location { try container.encode(location.description, forKey: .location) }
            if !result.captures.isEmpty {
                try container.encode(JSONValue.object(JSONObject(result.captures.keys.sorted().map { ($0, .string(result.captures[$0]!)) })), forKey: .captures)
            }
        }
    }

    public func encode(to encoder: Encoder) throws {
        var container = encoder.container(keyedBy: Keys.self)
        try container.encode(title, forKey: .title)
        try container.encode(passed, forKey: .passed)
        try container.encode(summary, forKey: .summary)
        try container.encode(results.map(Entry.init), forKey: .checks)
        try container.encodeIfPresent(passed ? nil : hint, forKey: .hint)
    }
}
