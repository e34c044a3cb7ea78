import Foundation
import TestSupport
import XCTest
import LabGit

final class CommitTests: TemporaryDirectoryTestCase {
    let klabTrailers = [
        Trailer("Klab-Lab", "health-probes"),
        Trailer("Klab-Step", "liveness"),
        Trailer("Klab-Evidence", "sha256:9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08"),
        Trailer("Klab-Signature", "hmac-sha256:2c26b46b68ffc68ff99b453c1d30413413422d706483bfa0f98a5e886266e7ae"),
    ]

    func testCommitWithTrailersReadsBackThroughGit() throws {
        let repository = try Repository.create(at: root.appendingPathComponent("ws"))
        let composer = try TreeComposer(repository: repository)
        try composer.setFile(".klab/evidence/liveness.json", contents: Data("{}\n".utf8))
        let tree = try composer.write()
        let message = CommitMessage(subject: "Verify health-probes/liveness", body: "All 3 checks passed.",
                                    trailers: klabTrailers)
        let id = try repository.createCommit(tree: tree, parents: [], message: message, author: alice)
        try repository.updateHead(to: id, expecting: .absent, message: "klab verify: liveness")
        let url = repository.workdir!

        XCTAssertEqual(try GitWitness.run(["log", "-1", "--format=%H%n%an%n%ae%n%at%n%s%n%b"], in: url),
                       "\(id.hex)\nAlice Learner\nalice@example.org\n1764000000\nVerify health-probes/liveness\n"
                           + "All 3 checks passed.\n\n" + klabTrailers.map { "\($0.key): \($0.value)" }.joined(separator: "\n") + "\n\n")
        let body = try GitWitness.run(["log", "-1", "--format=%B"], in: url)
        let parsed = try GitWitness.lines(["interpret-trailers", "--parse"], in: url, input: body)
        XCTAssertEqual(parsed, klabTrailers.map(\.description))
        XCTAssertEqual(try GitWitness.run(["log", "-1", "--format=%(trailers:key=Klab-Step,valueonly)"], in: url), "liveness\n\n")
        try GitWitness.run(["fsck", "--strict"], in: url)

        let commit = try repository.commit(id)
        XCTAssertEqual(commit.trailers, klabTrailers)
        XCTAssertEqual(commit.trailers.value(for: "klab-step"), "liveness")
        XCTAssertEqual(commit.summary, "Verify health-probes/liveness")
        XCTAssertEqual(commit.author, alice)
        XCTAssertEqual(commit.committer, alice)
        XCTAssertEqual(commit.tree, tree)
        XCTAssertEqual(commit.parents, [])
        XCTAssertEqual(commit.time, Date(timeIntervalSince1970: 1_764_000_000))
    }

    func testReadsTrailersAndParentsOfACommitMadeByGit() throws {
        let repository = try makeRepository(files: ["a.txt": "a\n"])
        let url = repository.workdir!
        let first = try repository.headCommitID()!
        try write("b\n", to: "b.txt", in: url)
        try GitWitness.run(["add", "b.txt"], in: url)
        try GitWitness.run(["commit", "-q", "-m", "Second", "-m", "Why it matters.",
                            "--trailer", "Klab-Lab: storage", "--trailer", "Reviewed-by: Bob <bob@example.org>"], in: url)
        let headHex = try GitWitness.run(["rev-parse", "HEAD"], in: url).trimmingCharacters(in: .whitespacesAndNewlines)
        let commit = try repository.commit(try ObjectID(parsing: headHex))
        XCTAssertEqual(commit.parents, [first])
        XCTAssertEqual(commit.summary, "Second")
        XCTAssertEqual(commit.author.name, "Witness")
        XCTAssertEqual(commit.trailers, [Trailer("Klab-Lab", "storage"), Trailer("Reviewed-by", "Bob <bob@example.org>")])
    }

    func testMessagesThatWouldNotReadBackAreRefused() {
        let bad: [(CommitMessage, String)] = [
            (CommitMessage(subject: ""), "subject line is empty"),
            (CommitMessage(subject: "two\nlines"), "spans several lines"),
            (CommitMessage(subject: "s", trailers: [Trailer("Klab Step", "x")]), "trailer key 'Klab Step'"),
            (CommitMessage(subject: "s", trailers: [Trailer("Klab-Step:", "x")]), "trailer key"),
            (CommitMessage(subject: "s", trailers: [Trailer("Klab-Step", "a\nb")]), "several lines"),
            (CommitMessage(subject: "s", trailers: [Trailer("Klab-Step", "")]), "empty value"),
        ]
        for (message, expected) in bad {
            XCTAssertThrowsError(try message.rendered()) { error in
                XCTAssertTrue("\(error)".contains(expected), "\(error) should mention \(expected)")
            }
        }
    }

    func testMissingCommitIsNotFoundAndBadHexIsRefused() throws {
        let repository = try makeRepository(files: ["a.txt": "a\n"])
        let missing = try ObjectID(parsing: String(repeating: "ab", count: 20))
        XCTAssertThrowsError(try repository.commit(missing)) { error in
            XCTAssertEqual(error as? LabGitError, .notFound("commit \(missing.hex)"))
        }
        XCTAssertNil(ObjectID(hex: "xyz"))
        XCTAssertNil(ObjectID(hex: String(repeating: "g", count: 40)))
        XCTAssertThrowsError(try ObjectID(parsing: "12345")) { error in
            XCTAssertEqual(error as? LabGitError, .invalidObjectID("12345"))
        }
        XCTAssertEqual(ObjectID(hex: String(repeating: "AB", count: 20))?.hex, String(repeating: "ab", count: 20))
    }

    func testLibgit2FailuresNameTheFunction() throws {
        let repository = try makeRepository(files: ["a.txt": "a\n"])
        let bad = Signature(name: "Mallory <evil>", email: "m@example.org")
        let tree = try repository.commit(try repository.headCommitID()!).tree
        XCTAssertThrowsError(try repository.createCommit(tree: tree, parents: [], message: "x\n", author: bad)) { error in
            XCTAssertTrue("\(error)".hasPrefix("git_signature_new failed: "), "\(error)")
            XCTAssertEqual((error as? LabGitError)?.gitCode, .generic)
        }
    }
}
