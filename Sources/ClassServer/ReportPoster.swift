import Checks
import Foundation

/// Posts a learner's `ProgressReport` to the class dashboard with curl (the same HTTP client
/// the `http` checks use: proxies, https and names resolved as the learner's machine does).
/// The token travels in curl's config on stdin, never on its command line; the report in a
/// file of its own, deleted after.
public struct ReportPoster: Sendable {
    public var url: String
    public var token: String?
    public var timeout: TimeInterval

    public init(url: String, token: String?, timeout: TimeInterval = 5) {
        self.url = url
        self.token = token
        self.timeout = timeout
    }

    /// The endpoint under the dashboard's address.
    var endpoint: String {
        var base = url
        if let query = base.firstIndex(of: "?") { base = String(base[..<query]) }
        while base.hasSuffix("/") { base.removeLast() }
        return base + "/api/report"
    }

    /// Nil when the dashboard took the report; otherwise why it did not, in a few words.
    public func post(_ report: ProgressReport) -> String? {
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("klab-report-\(UUID().uuidString).json")
        defer { try? FileManager.default.removeItem(at: file) }
        do {
            try report.json().write(to: file)
        } catch {
            return "the report could not be written to \(file.path)"
        }
        var config = "header = \"Content-Type: application/json\"\n"
        if let token { config += "header = \"Authorization: Bearer \(Self.quoted(token))\"\n" }
        let arguments = ["-sS", "--max-time", String(Int(timeout.rounded(.up))), "-K", "-", "-X", "POST",
                         "--data-binary", "@" + file.path, "-o", "-", "-w", "\n%{http_code}", endpoint]
        let result: ProcessResult
        do {
            result = try ProcessRunner.run("curl", arguments, stdin: Data(config.utf8), timeout: timeout + 2)
        } catch {
            return "\(error)"
        }
        if result.timedOut { return "no answer within \(Int(timeout)) s" }
        guard result.status == 0 else {
            let reason = result.stderrText.split(separator: "\n").first.map(String.init) ?? "curl exited with \(result.status)"
            return reason.replacingOccurrences(of: "curl: ", with: "")
        }
        let lines = result.stdoutText.split(separator: "\n", omittingEmptySubsequences: false)
        let status = lines.last.flatMap { Int($0) } ?? 0
        guard status == 200 else {
            let body = lines.dropLast().joined(separator: "\n")
            let reason = (try? JSONSerialization.jsonObject(with: Data(body.utf8)) as? [String: Any])?["error"] as? String
            return "the dashboard answered \(status)" + (reason.map { ": \($0)" } ?? "")
        }
        return nil
    }

    /// A string inside double quotes in a curl config file.
    static func quoted(_ text: String) -> String {
        text.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"")
            .replacingOccurrences(of: "\n", with: "").replacingOccurrences(of: "\r", with: "")
    }
}
