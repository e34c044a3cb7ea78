import Foundation
import TestSupport
import XCTest
import LabGit

final class BundleTests: TemporaryDirectoryTestCase {
    /// A workspace with history, klab references and an annotated tag, made with the git CLI.
    private func workspaceMadeByGit() throws -> URL {
        let url = root.appendingPathComponent("learner")
        try GitWitness.run(["init", "-q", "-b", "main", url.path], in: root)
        try write("v1\n", to: "lab/a.yaml", in: url)
        try GitWitness.run(["add", "."], in: url)
        try GitWitness.run(["commit", "-q", "-m", "Start", "--trailer", "Klab-Lab: health-probes"], in: url)
        try GitWitness.run(["update-ref", "refs/klab/health-probes/start/liveness", "HEAD"], in: url)
        try write("v2\n", to: "lab/a.yaml", in: url)
        try write("{}\n", to: ".klab/evidence/liveness.json", in: url)
        try GitWitness.run(["add", "."], in: url)
        try GitWitness.run(["commit", "-q", "-m", "Verify", "--trailer", "Klab-Step: liveness"], in: url)
        try GitWitness.run(["tag", "-a", "-m", "done", "v1"], in: url)
        return url
    }

    func testReadsABundleMadeByGit() throws {
        let url = try workspaceMadeByGit()
        let bundleURL = root.appendingPathComponent("learner.bundle")
        try GitWitness.run(["bundle", "create", "-q", bundleURL.path, "--all"], in: url)
        let heads = try GitWitness.lines(["bundle", "list-heads", bundleURL.path], in: url)

        let bundle = try GitBundle.open(at: bundleURL, scratchDirectory: root)
        XCTAssertEqual(bundle.references.map { "\($0.target.hex) \($0.name)" }, heads)
        let repository = bundle.repository
        let main = try XCTUnwrap(try repository.referenceTarget("refs/heads/main"))
        XCTAssertEqual(try repository.history(from: main).map(\.hex), try GitWitness.lines(["rev-list", "main"], in: url))
        XCTAssertEqual(try repository.commit(main).trailers, [Trailer("Klab-Step", "liveness")])
        XCTAssertEqual(try repository.blob(at: "lab/a.yaml", in: main), Data("v2\n".utf8))
        XCTAssertEqual(try repository.headCommitID(), main, "HEAD from the bundle")
        XCTAssertEqual(try repository.references(under: "refs/klab/").map(\.name), ["refs/klab/health-probes/start/liveness"])
        XCTAssertNotNil(try repository.referenceTarget("refs/tags/v1"))
    }

    func testReadsAVersion3Bundle() throws {
        let url = try workspaceMadeByGit()
        let bundleURL = root.appendingPathComponent("v3.bundle")
        try GitWitness.run(["bundle", "create", "-q", "--version=3", bundleURL.path, "main"], in: url)
        XCTAssertTrue(try String(decoding: Data(contentsOf: bundleURL).prefix(16), as: UTF8.self).hasPrefix("# v3 git bundle"))
        let bundle = try GitBundle.open(at: bundleURL, scratchDirectory: root)
        XCTAssertEqual(bundle.references.map(\.name), ["refs/heads/main"])
    }

    func testWritesABundleThatGitVerifiesAndClones() throws {
        let repository = try makeRepository(files: ["lab/a.yaml": "v1\n"])
        let url = repository.workdir!
        try write("v2\n", to: "lab/a.yaml", in: url)
        let head = try commitAll(repository, subject: "Verify liveness", trailers: [Trailer("Klab-Step", "liveness")])
        try repository.updateReference("refs/klab/health-probes/done", to: head, message: "done")
        let bundleURL = root.appendingPathComponent("out.bundle")

        try repository.writeBundle(to: bundleURL)
        let verifier = root.appendingPathComponent("verifier")
        try GitWitness.run(["init", "-q", verifier.path], in: root)
        let verify = try GitWitness.runAllowingFailure(["bundle", "verify", bundleURL.path], in: verifier)
        XCTAssertEqual(verify.status, 0, verify.stderr)
        XCTAssertEqual(try GitWitness.lines(["bundle", "list-heads", bundleURL.path], in: verifier),
                       ["\(head.hex) refs/heads/main", "\(head.hex) refs/klab/health-probes/done", "\(head.hex) HEAD"])

        let clone = root.appendingPathComponent("clone")
        try GitWitness.run(["clone", "-q", bundleURL.path, clone.path], in: root)
        XCTAssertEqual(try GitWitness.lines(["log", "--format=%H %s"], in: clone),
                       try GitWitness.lines(["log", "--format=%H %s"], in: url))
        XCTAssertEqual(try read("lab/a.yaml", in: clone), "v2\n")
        try GitWitness.run(["fsck", "--strict"], in: clone)

        // And LabGit reads back what it wrote.
        let bundle = try GitBundle.open(at: bundleURL, scratchDirectory: root)
        XCTAssertEqual(try bundle.repository.commit(head).trailers.value(for: "Klab-Step"), "liveness")

        // Only the named references, when asked.
        try repository.writeBundle(to: bundleURL, references: ["refs/klab/health-probes/done"])
        XCTAssertEqual(try GitWitness.lines(["bundle", "list-heads", bundleURL.path], in: verifier),
                       ["\(head.hex) refs/klab/health-probes/done"])
        XCTAssertThrowsError(try repository.writeBundle(to: bundleURL, references: ["refs/heads/nope"]))
    }

    func testTheScratchCopyGoesAwayWithTheBundle() throws {
        let repository = try makeRepository(files: ["a.txt": "a\n"])
        let bundleURL = root.appendingPathComponent("a.bundle")
        try repository.writeBundle(to: bundleURL)
        let scratch = root.appendingPathComponent("scratch")
        try FileManager.default.createDirectory(at: scratch, withIntermediateDirectories: true)
        var bundle: GitBundle? = try GitBundle.open(at: bundleURL, scratchDirectory: scratch)
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: scratch.path).count, 1)
        var kept: Repository? = bundle!.repository
        bundle = nil
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: scratch.path).count, 1, "still in use")
        XCTAssertNotNil(try kept?.headCommitID())
        kept = nil
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: scratch.path), [])
    }

    func testBrokenBundlesAreErrorsThatSayWhy() throws {
        let url = try workspaceMadeByGit()
        let good = root.appendingPathComponent("good.bundle")
        try GitWitness.run(["bundle", "create", "-q", good.path, "--all"], in: url)
        let bytes = try Data(contentsOf: good)
        let headerEnd = bytes.firstRange(of: Data("\n\n".utf8))!.upperBound

        func attempt(_ data: Data, _ name: String) -> String {
            let file = root.appendingPathComponent(name)
            try? data.write(to: file)
            do {
                _ = try GitBundle.open(at: file, scratchDirectory: root)
                return "opened"
            } catch let error as LabGitError {
                guard case .invalidBundle = error else { return "wrong error: \(error)" }
                return "\(error)"
            } catch {
                return "wrong error: \(error)"
            }
        }
        XCTAssertTrue(attempt(bytes.dropLast(100), "truncated.bundle").contains("damaged or truncated"))
        XCTAssertTrue(attempt(bytes.prefix(headerEnd + 30), "short.bundle").contains("damaged or truncated"))
        XCTAssertTrue(attempt(bytes.prefix(headerEnd - 1), "header-only.bundle").contains("header does not end"))
        XCTAssertTrue(attempt(Data("hello\n".utf8), "text.bundle").contains("does not start with"))
        XCTAssertTrue(attempt(Data(), "empty.bundle").contains("does not start with"))
        var flipped = bytes
        flipped[headerEnd + 40] ^= 0xff
        XCTAssertTrue(attempt(flipped, "flipped.bundle").contains("damaged or truncated"))
        let badRef = Data("# v2 git bundle\n\(String(repeating: "a", count: 40)) refs/heads/bad..name\n\n".utf8) + bytes[headerEnd...]
        XCTAssertTrue(attempt(badRef, "badref.bundle").contains("bad reference line"))
        let missing = Data("# v2 git bundle\n\(String(repeating: "a", count: 40)) refs/heads/main\n\n".utf8) + bytes[headerEnd...]
        XCTAssertTrue(attempt(missing, "missing.bundle").contains("does not contain"))
        XCTAssertTrue(attempt(Data("# v2 git bundle\n\n".utf8), "norefs.bundle").contains("lists no references"))

        let incremental = root.appendingPathComponent("incremental.bundle")
        try GitWitness.run(["bundle", "create", "-q", incremental.path, "main~1..main"], in: url)
        XCTAssertTrue(attempt(try Data(contentsOf: incremental), "incremental.bundle").contains("incremental"))
        XCTAssertTrue(try FileManager.default.contentsOfDirectory(atPath: root.path).allSatisfy { !$0.hasPrefix("klab-bundle-") },
                      "no scratch copy is left behind by a failure")
    }

    /// Found by Scripts/fuzz (bundle): 301 bytes whose pack announces an object of 22 GB, which
    /// libgit2 then tried to allocate. libgit2 allocations have a ceiling; the bundle is refused.
    func testAPackClaimingAHugeObjectIsRefusedWithoutAllocatingIt() throws {
        let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("Fixtures/fuzz-findings/bundle-claims-22GB-object.bundle")
        var limits = UntrustedLimits.unbounded
        limits.allocationBytes = 256 << 20
        XCTAssertThrowsError(try GitBundle.open(at: url, scratchDirectory: root, limits: limits)) { error in
            guard case let LabGitError.invalidBundle(_, reason) = error else { return XCTFail("wrong error: \(error)") }
            XCTAssertTrue(reason.contains("larger than klab reads (256 MB)"), reason)
        }
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: root.path), [], "no scratch copy is left behind")
    }
}
