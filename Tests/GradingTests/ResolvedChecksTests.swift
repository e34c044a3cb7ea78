import Foundation
import LabSpec
import TestSupport
import XCTest
@testable import Grading

/// The class shares each step's resolved checks: for every shipped lab and step, what the
/// shared table gives is what the lab resolves itself, asked again it is the kept answer, and
/// a refusal (a parameter the lab lacks) is refused every time and never kept.
final class ResolvedChecksTests: XCTestCase {
    func testTheSharedChecksAreTheLabsOwnAndAreKeptPerSetOfValues() throws {
        let labs = try LabLoader(labsDirectory: KlabBinary.repositoryRoot.appendingPathComponent("labs")).loadAll()
        XCTAssertGreaterThanOrEqual(labs.count, 20)
        let shared = OfflineGrader.ResolvedChecks()
        var sets = 0
        for lab in labs {
            for parameters in [[:], ["namespace": "team-7"]] {
                for step in lab.steps {
                    let own = try lab.resolvedChecks(ofStep: step.id, parameters: parameters)
                    XCTAssertEqual(try shared.checks(of: lab, step: step.id, parameters: parameters), own, "\(lab.id)/\(step.id)")
                    sets += 1
                    XCTAssertEqual(shared.count, sets)
                    XCTAssertEqual(try shared.checks(of: lab, step: step.id, parameters: parameters), own, "\(lab.id)/\(step.id) again")
                    XCTAssertEqual(shared.count, sets, "asked again, nothing new is kept")
                }
            }
            XCTAssertNil(try shared.checks(of: lab, step: "no-such-step", parameters: [:]))
            sets += 1
            for _ in 0..<2 {
                XCTAssertThrowsError(try shared.checks(of: lab, step: lab.steps[0].id, parameters: ["no-such-parameter": "1"]))
            }
            XCTAssertEqual(shared.count, sets, "a refusal is not kept")
        }
    }
}
