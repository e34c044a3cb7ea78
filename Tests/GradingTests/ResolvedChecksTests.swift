import Foundation
import LabSpec
import TestSupport
import XCTest
@testable import Grading

/// The class shares each step's resolved checks: for every shipped lab and step, what the
/// shared table gives is what the lab resolves itself, asked again it is the kept answer, sets
/// of values that differ only where no check of the step reads (the learner's name, most often)
/// share one entry, and a refusal (a parameter the lab lacks) is refused every time and never kept.
final class ResolvedChecksTests: XCTestCase {
    func testTheSharedChecksAreTheLabsOwnAndAreKeptPerSetOfValuesTheyRead() throws {
        let labs = try LabLoader(labsDirectory: KlabBinary.repositoryRoot.appendingPathComponent("labs")).loadAll()
        XCTAssertGreaterThanOrEqual(labs.count, 20)
        let shared = OfflineGrader.ResolvedChecks()
        var sets = 0
        var sharedAcrossLearners = 0, readingTheNamespace = 0
        for lab in labs {
            for step in lab.steps {
                let read = try XCTUnwrap(lab.parametersReferenced(byStep: step.id))
                var seen: Set<[String: String]> = []
                for parameters in [[:], ["learner": "someone-else"], ["namespace": "team-7"], ["namespace": "team-7", "learner": "a-third"]] {
                    let own = try lab.resolvedChecks(ofStep: step.id, parameters: parameters)
                    XCTAssertEqual(try shared.checks(of: lab, step: step.id, parameters: parameters), own, "\(lab.id)/\(step.id) \(parameters)")
                    if seen.insert(try lab.parameterValues(parameters).filter { read.contains($0.key) }).inserted { sets += 1 }
                    XCTAssertEqual(shared.count, sets, "\(lab.id)/\(step.id) \(parameters)")
                    XCTAssertEqual(try shared.checks(of: lab, step: step.id, parameters: parameters), own, "\(lab.id)/\(step.id) again")
                    XCTAssertEqual(shared.count, sets, "asked again, nothing new is kept")
                }
                if !read.contains("learner") { sharedAcrossLearners += 1 }
                if read.contains("namespace") { readingTheNamespace += 1 }
                // What the step reads is every name its resolved checks could differ by.
                let renamed = try lab.resolvedChecks(ofStep: step.id, parameters: ["namespace": "team-9", "learner": "zed"])
                XCTAssertEqual(renamed == (try lab.resolvedChecks(ofStep: step.id)), !read.contains("namespace") && !read.contains("learner"),
                               "\(lab.id)/\(step.id)")
            }
            XCTAssertNil(try shared.checks(of: lab, step: "no-such-step", parameters: [:]))
            sets += 1
            for _ in 0..<2 {
                XCTAssertThrowsError(try shared.checks(of: lab, step: lab.steps[0].id, parameters: ["no-such-parameter": "1"]))
            }
            XCTAssertEqual(shared.count, sets, "a refusal is not kept")
        }
        XCTAssertGreaterThan(sharedAcrossLearners, 0, "some step's checks are shared by learners")
        XCTAssertGreaterThan(readingTheNamespace, 0, "some step's checks read the namespace")
    }
}
