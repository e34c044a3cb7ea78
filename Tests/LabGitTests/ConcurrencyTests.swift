import Foundation
import TestSupport
import XCTest
import LabGit

/// Grading reads many workspaces in parallel, one repository handle per thread.
final class ConcurrencyTests: TemporaryDirectoryTestCase {
    func testRepositoriesAreReadInParallelWithTheirOwnErrors() throws {
        var expected: [URL: [String]] = [:]
        for n in 0..<6 {
            let repository = try makeRepository("ws\(n)", files: ["lab/a.yaml": "\(n)\n"])
            for step in 0...n {
                try write("\(n)-\(step)\n", to: "lab/a.yaml", in: repository.workdir!)
                try commitAll(repository, subject: "Step \(step)", trailers: [Trailer("Klab-Step", "s\(step)")])
            }
            expected[repository.workdir!] = try GitWitness.lines(
                ["log", "--format=step:%(trailers:key=Klab-Step,valueonly,separator=)"], in: repository.workdir!).map { String($0.dropFirst(5)) }
        }
        let plain = root.appendingPathComponent("plain")
        try FileManager.default.createDirectory(at: plain, withIntermediateDirectories: true)
        let urls = Array(expected.keys)
        let expectedSteps = expected
        let results = Results()
        DispatchQueue.concurrentPerform(iterations: 48) { iteration in
            if iteration % 4 == 0 {
                do {
                    _ = try Repository.open(at: plain)
                    results.add("opened a folder without repository")
                } catch let error as LabGitError where error == .notARepository(path: plain.path) {
                } catch {
                    results.add("wrong error \(error)")
                }
                return
            }
            let url = urls[iteration % urls.count]
            do {
                let repository = try Repository.openForReading(at: url)
                let steps = try repository.commits(from: try repository.headCommitID()!).map { $0.trailers.value(for: "Klab-Step") ?? "" }
                if steps != expectedSteps[url] { results.add("\(url.lastPathComponent): \(steps) != \(expectedSteps[url]!)") }
                let last = try repository.blob(at: "lab/a.yaml", in: try repository.headCommitID()!)
                if last != Data("\(url.lastPathComponent.dropFirst(2))-\(url.lastPathComponent.dropFirst(2))\n".utf8) {
                    results.add("\(url.lastPathComponent): wrong last content")
                }
            } catch {
                results.add("\(error)")
            }
        }
        XCTAssertEqual(results.problems, [])
    }
}

// @unchecked: every access to `problems` from the concurrent iterations goes through `lock`.
private final class Results: @unchecked Sendable {
    private let lock = NSLock()
    private(set) var problems: [String] = []

    func add(_ problem: String) {
        lock.lock()
        problems.append(problem)
        lock.unlock()
    }
}
