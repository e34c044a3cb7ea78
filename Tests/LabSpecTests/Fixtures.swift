import Foundation
@testable import LabSpec

/// The fixture labs under `Tests/Fixtures/`: valid ones and ones broken on purpose.
enum Fixtures {
    static var root: URL {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("Fixtures")
    }

    static var labs: URL { root.appendingPathComponent("labs") }

    static var loader: LabLoader { LabLoader(labsDirectory: labs) }

    /// The repository root, where the real `labs/` and `content/` are.
    static var repository: URL { root.deletingLastPathComponent().deletingLastPathComponent() }

    /// A lab written in a temporary folder from a `lab.yaml` text, loaded or failing.
    static func temporaryLab(_ yaml: String, id: String = "scratch") throws -> (LabLoader, URL) {
        let base = FileManager.default.temporaryDirectory.appendingPathComponent("klab-labspec-\(UUID().uuidString)")
        let directory = base.appendingPathComponent("labs").appendingPathComponent(id)
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        try yaml.write(to: directory.appendingPathComponent("lab.yaml"), atomically: true, encoding: .utf8)
        return (LabLoader(labsDirectory: base.appendingPathComponent("labs")), base)
    }
}
