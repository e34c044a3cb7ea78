import Foundation
import XCTest
@testable import LabSpec

/// `LabScaffold`: which ids can name a lab, and a new lab that loads and lints clean.
final class LabScaffoldTests: XCTestCase {
    var root: URL!
    var loader: LabLoader { LabLoader(labsDirectory: root.appendingPathComponent("labs")) }

    override func setUpWithError() throws {
        root = FileManager.default.temporaryDirectory.appendingPathComponent("klab-scaffold-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: root.appendingPathComponent("labs"), withIntermediateDirectories: true)
    }

    override func tearDownWithError() throws {
        try? FileManager.default.removeItem(at: root)
    }

    func testIDsThatCanNameALab() {
        for id in ["demo", "health-probes", "a", "lab2", "3d-printing", String(repeating: "a", count: 63)] {
            XCTAssertNil(LabScaffold.idProblem(id), id)
        }
    }

    func testIDsThatCannotAndWhy() {
        XCTAssertEqual(LabScaffold.idProblem(""), "it is empty")
        XCTAssertEqual(LabScaffold.idProblem("Demo"), "'D' is not allowed; a lab id is lowercase letters, digits and '-'")
        XCTAssertEqual(LabScaffold.idProblem("my_lab"), "'_' is not allowed; a lab id is lowercase letters, digits and '-'")
        XCTAssertEqual(LabScaffold.idProblem("../x"), "'.' is not allowed; a lab id is lowercase letters, digits and '-'")
        XCTAssertEqual(LabScaffold.idProblem("-lab"), "it must start and end with a letter or digit")
        XCTAssertEqual(LabScaffold.idProblem("lab-"), "it must start and end with a letter or digit")
        XCTAssertEqual(LabScaffold.idProblem(String(repeating: "a", count: 64)), "it has 64 characters, and a lab id has at most 63")
    }

    func testANewLabLoadsAndLintsClean() throws {
        let written = try LabScaffold(loader: loader).create(id: "demo")
        XCTAssertEqual(written.count, LabTemplate.files.count)
        let lab = try loader.load("demo")
        XCTAssertEqual(lab.title, "Demo")
        XCTAssertEqual(lab.steps.map(\.id), [LabTemplate.stepID])
        XCTAssertEqual(lab.steps.first?.checks.count, 1)
        XCTAssertEqual(lab.completion.count, 1)
        XCTAssertEqual(LabLinter(loader: loader).lint(["demo"]).map(\.description), [])
        for fixture in ["deploy--pass", "deploy--fail-not-ready"] {
            let file = root.appendingPathComponent("labs/demo/fixtures/\(fixture)/deployments.json")
            XCTAssertNoThrow(try JSONSerialization.jsonObject(with: Data(contentsOf: file)), "\(fixture) is JSON")
        }
        XCTAssertTrue(FileManager.default.fileExists(atPath: root.appendingPathComponent("content/demo/deploy.md").path))
        XCTAssertTrue(FileManager.default.fileExists(atPath: root.appendingPathComponent("content/demo/README.md").path))
    }

    func testATitleIsWrittenSoYAMLReadsItBack() throws {
        try LabScaffold(loader: loader).create(id: "tricky", title: "Probes: \"live\" # and ready")
        XCTAssertEqual(try loader.load("tricky").title, "Probes: \"live\" # and ready")
        let readme = try String(contentsOf: root.appendingPathComponent("content/tricky/README.md"), encoding: .utf8)
        XCTAssertTrue(readme.hasPrefix("# Probes: \"live\" # and ready\n"), readme)
    }

    func testAnExistingLabOrProseFolderIsRefusedAndNothingIsWritten() throws {
        try LabScaffold(loader: loader).create(id: "demo")
        XCTAssertThrowsError(try LabScaffold(loader: loader).create(id: "demo")) { error in
            guard case .labExists("demo", _) = error as? LabSpecError else { return XCTFail("\(error)") }
        }
        try FileManager.default.createDirectory(at: root.appendingPathComponent("content/prose-only"), withIntermediateDirectories: true)
        XCTAssertThrowsError(try LabScaffold(loader: loader).create(id: "prose-only"))
        XCTAssertFalse(FileManager.default.fileExists(atPath: root.appendingPathComponent("labs/prose-only").path))
    }

    func testAnInvalidIDWritesNothing() throws {
        XCTAssertThrowsError(try LabScaffold(loader: loader).create(id: "Bad_ID")) { error in
            XCTAssertEqual((error as? LabSpecError)?.description,
                           "'Bad_ID' cannot be a lab id: 'B' is not allowed; a lab id is lowercase letters, digits and '-'; choose another, such as my-lab")
        }
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: root.appendingPathComponent("labs").path), [])
    }
}
