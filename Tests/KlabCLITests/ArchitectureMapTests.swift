import Foundation
import TestSupport
import XCTest

/// content/reference/architecture.md stays a map of every source file: a file added without
/// saying where it belongs fails here.
final class ArchitectureMapTests: XCTestCase {
    func testEverySourceFileIsOnTheMap() throws {
        let root = KlabBinary.repositoryRoot
        let map = try String(contentsOf: root.appendingPathComponent("content/reference/architecture.md"), encoding: .utf8)
        let words = Set(map.split { !($0.isLetter || $0.isNumber) }.map(String.init))
        let sources = root.appendingPathComponent("Sources")
        let files = FileManager.default.enumerator(at: sources, includingPropertiesForKeys: nil)?
            .compactMap { $0 as? URL }.filter { $0.pathExtension == "swift" && $0.lastPathComponent != "main.swift" } ?? []
        XCTAssertGreaterThan(files.count, 100)
        for file in files {
            let stem = file.deletingPathExtension().lastPathComponent
            XCTAssertTrue(words.contains(stem), "\(file.path.dropFirst(root.path.count + 1)) is not on content/reference/architecture.md")
        }
        for module in try FileManager.default.contentsOfDirectory(atPath: sources.path) where !module.hasPrefix(".") {
            XCTAssertTrue(words.contains(module), "module \(module) is not on the map")
        }
    }
}
