import Foundation
import XCTest
@testable import LabSpec

final class LabCatalogTests: XCTestCase {
    private var root: URL!

    override func setUpWithError() throws {
        root = FileManager.default.temporaryDirectory.appendingPathComponent("klab-catalog-\(UUID().uuidString)").standardizedFileURL
        for folder in ["project/labs", "project/.build/debug", "project/deep/er", "elsewhere/labs", "empty"] {
            try FileManager.default.createDirectory(at: root.appendingPathComponent(folder), withIntermediateDirectories: true)
        }
        try "// swift-tools-version:6.0\n".write(to: root.appendingPathComponent("project/Package.swift"), atomically: true, encoding: .utf8)
    }

    override func tearDownWithError() throws {
        try? FileManager.default.removeItem(at: root)
    }

    private func find(labs: String? = nil, env: [String: String] = [:], exe: String = "empty/klab", cwd: String = "empty") throws -> String {
        try LabCatalog.labsDirectory(
            explicit: labs, environment: env, executable: root.appendingPathComponent(exe),
            currentDirectory: root.appendingPathComponent(cwd)
        ).path
    }

    func testTheFlagWinsThenTheEnvironment() throws {
        let elsewhere = root.appendingPathComponent("elsewhere/labs").path
        XCTAssertEqual(try find(labs: "../elsewhere/labs", env: ["KLAB_LABS": "/nonexistent"], exe: "project/.build/debug/klab", cwd: "project"), elsewhere)
        XCTAssertEqual(try find(env: ["KLAB_LABS": elsewhere], exe: "project/.build/debug/klab"), elsewhere)
    }

    func testTheProjectBesideTheExecutable() throws {
        XCTAssertEqual(try find(exe: "project/.build/debug/klab", cwd: "elsewhere"), root.appendingPathComponent("project/labs").path)
    }

    func testTheLabsInstalledWithTheExecutable() throws {
        try FileManager.default.createDirectory(at: root.appendingPathComponent("prefix/bin"), withIntermediateDirectories: true)
        try FileManager.default.createDirectory(at: root.appendingPathComponent("prefix/share/klab/labs"), withIntermediateDirectories: true)
        try Data().write(to: root.appendingPathComponent("prefix/bin/klab"))
        XCTAssertEqual(try find(exe: "prefix/bin/klab", cwd: "elsewhere"), root.appendingPathComponent("prefix/share/klab/labs").path)
        // Through a link on PATH (~/.local/bin/klab -> PREFIX/bin/klab) too.
        try FileManager.default.createDirectory(at: root.appendingPathComponent("links"), withIntermediateDirectories: true)
        try FileManager.default.createSymbolicLink(atPath: root.appendingPathComponent("links/klab").path, withDestinationPath: root.appendingPathComponent("prefix/bin/klab").path)
        XCTAssertEqual(try find(exe: "links/klab", cwd: "empty"), root.appendingPathComponent("prefix/share/klab/labs").path)
        let content = LabLoader(labsDirectory: URL(fileURLWithPath: try find(exe: "prefix/bin/klab"))).contentDirectory
        XCTAssertEqual(content.path, root.appendingPathComponent("prefix/share/klab/content").path)
    }

    func testWalkingUpFromTheCurrentDirectory() throws {
        XCTAssertEqual(try find(cwd: "project/deep/er"), root.appendingPathComponent("project/labs").path)
    }

    func testNothingFoundSaysWhereItLooked() {
        XCTAssertThrowsError(try find()) { error in
            guard case let .labsDirectoryNotFound(searched)? = error as? LabSpecError else { return XCTFail("\(error)") }
            XCTAssertEqual(searched.count, 2)
            XCTAssertTrue("\(error)".hasSuffix("pass --labs DIR or set KLAB_LABS"), "\(error)")
        }
        XCTAssertThrowsError(try find(labs: "missing")) { error in
            XCTAssertEqual(error as? LabSpecError, .labsDirectoryNotFound(searched: ["missing (--labs)"]))
        }
    }

    func testContentIsBesideTheLabs() {
        let loader = LabLoader(labsDirectory: root.appendingPathComponent("project/labs"))
        XCTAssertEqual(loader.contentDirectory.path, root.appendingPathComponent("project/content").path)
    }
}
