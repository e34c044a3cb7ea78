import Foundation
import KubeJSON

/// The kubectl klab would run: where it is and what version it says it is.
public struct KubectlProbe: Sendable, Equatable {
    public var path: String
    public var version: String?

    /// Looks for kubectl on PATH and asks it for its client version (no cluster needed).
    public static func find() -> KubectlProbe? {
        guard let path = ProcessRunner.which("kubectl") else { return nil }
        let result = try? ProcessRunner.run(path, ["version", "--client", "-o", "json"], timeout: 10)
        var version: String?
        if let result, result.status == 0, let json = try? JSONParser.parse(bytes: result.stdout) {
            version = json["clientVersion"]?["gitVersion"]?.stringValue
        }
        return KubectlProbe(path: path, version: version)
    }
}
