import Checks
import Crypto
import Foundation
import Workspace

/// What `klab verify` posts to a class dashboard: one step's result, and nothing the cluster
/// held (no evidence, no values read): the lab, the step, passed or not, the names of the
/// checks that failed (the lab's own words), and how many hints the learner has seen. Signed
/// with the learner's key (`klab grade keys`) or the class key, so the dashboard knows who
/// sent it.
public struct ProgressReport: Codable, Sendable, Equatable {
    public static let currentFormat = 1

    public var format: Int
    public var learner: String
    public var lab: String
    public var step: String
    public var passed: Bool
    /// Names of the checks that failed, as the lab names them.
    public var failedChecks: [String]
    public var hintsUsed: Int
    /// Grows with every report from one workspace (milliseconds of its clock): the dashboard
    /// keeps the newest, so a replayed or late report never takes progress back.
    public var sequence: Int64
    /// `hmac-sha256:<hex>` over every field above.
    public var signature: String

    public init(learner: String, lab: String, step: String, passed: Bool, failedChecks: [String] = [],
                hintsUsed: Int = 0, sequence: Int64, signature: String = "") {
        format = Self.currentFormat
        self.learner = learner
        self.lab = lab
        self.step = step
        self.passed = passed
        self.failedChecks = failedChecks
        self.hintsUsed = hintsUsed
        self.sequence = sequence
        self.signature = signature
    }

    /// The report signed with `key` (the bytes of a key file, as `klab verify` reads them).
    public func signed(key: Data) -> ProgressReport {
        var copy = self
        copy.signature = mac(key: key)
        return copy
    }

    /// Whether the signature is the one `key` makes (constant-time compare).
    public func verifies(key: Data) -> Bool {
        let a = Array(mac(key: key).utf8), b = Array(signature.utf8)
        guard a.count == b.count else { return false }
        var difference: UInt8 = 0
        for i in 0..<a.count { difference |= a[i] ^ b[i] }
        return difference == 0
    }

    /// Every field, each length-prefixed, so no two reports read the same.
    private func mac(key: Data) -> String {
        var fields = ["klab-report-v\(format)", learner, lab, step, passed ? "passed" : "failed",
                      String(hintsUsed), String(sequence), String(failedChecks.count)]
        fields += failedChecks
        let message = Data(fields.map { "\($0.utf8.count):\($0)\n" }.joined().utf8)
        let code = HMAC<SHA256>.authenticationCode(for: message, using: SymmetricKey(data: key))
        return "hmac-sha256:" + code.map { String(format: "%02x", $0) }.joined()
    }

    public func json() throws -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        return try encoder.encode(self)
    }
}

/// Who the dashboard believes: each report must verify with its learner's key, derived from
/// the class key as `klab grade keys` derives it, or (unless learners were given their own
/// keys) with the class key itself.
public struct ReportKeys: Sendable {
    public var classKey: Data
    public var learnerKeysOnly: Bool

    public init(classKey: Data, learnerKeysOnly: Bool) {
        self.classKey = classKey
        self.learnerKeysOnly = learnerKeysOnly
    }

    public func verifies(_ report: ProgressReport) -> Bool {
        if report.verifies(key: Data(LearnerKeys.key(classKey: classKey, learner: report.learner).utf8)) { return true }
        return !learnerKeysOnly && report.verifies(key: classKey)
    }
}

extension ProgressReport {
    /// The names of the checks that failed, as the lab declares them (a name with a captured
    /// value substituted could carry cluster data).
    public static func failedChecks(_ results: [CheckResult], declared: [String]) -> [String] {
        results.enumerated().filter { $0.element.status == .failed }.map { index, result in
            results.count == declared.count ? declared[index] : result.name
        }
    }
}
