import Foundation

/// Where `klab verify` reports progress to a class dashboard (`klab start --report-to URL
/// --token T`). Kept in the repository's git folder (`.git/klab/report.json`), which klab
/// never commits: the class token stays out of the history a learner hands in.
public struct ReportSettings: Codable, Equatable, Sendable {
    public var url: String
    public var token: String?

    public init(url: String, token: String?) {
        self.url = url
        self.token = token
    }

    /// Whether `url` is an address a report can be posted to (http or https, with a host).
    public static func isValid(url: String) -> Bool {
        guard let components = URLComponents(string: url), let scheme = components.scheme?.lowercased(),
              scheme == "http" || scheme == "https", let host = components.host, !host.isEmpty else { return false }
        return true
    }
}

extension LearnerWorkspace {
    var reportSettingsURL: URL { repository.gitDirectory.appendingPathComponent("klab/report.json") }

    /// The dashboard this workspace reports to; nil when it reports nowhere.
    public func reportSettings() -> ReportSettings? {
        guard FileManager.default.fileExists(atPath: reportSettingsURL.path) else { return nil }
        return try? SettingsFile.read(ReportSettings.self, at: reportSettingsURL)
    }

    public func setReportSettings(_ settings: ReportSettings) throws {
        try SettingsFile.write(settings, to: reportSettingsURL, scratch: repository.gitDirectory.appendingPathComponent("klab-tmp"))
    }
}
