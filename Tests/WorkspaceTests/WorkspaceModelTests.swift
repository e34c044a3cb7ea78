import Foundation
import LabGit
import TestSupport
import XCTest
@testable import Workspace

/// Random sequences of learner edits and klab operations (start over, pass, hint, reset to a
/// step or the whole lab, undo, restore of a backup) against a simple model of what the
/// learner has made. After every operation: nothing the model holds is missing from the
/// folder and the objects klab's refs keep; progress is the model's; a reset leaves the folder
/// as the step started; an undo leaves it exactly as the operation undone found it; a restore
/// leaves it as the backup holds it. Fixed seeds, so a failure replays.
final class WorkspaceModelTests: XCTestCase {
    static let lab = "probes"
    static let steps = ["liveness", "readiness", "startup"]
    static let materials: [String: Data] = [
        "liveness-app.yaml": Data("kind: Pod\nmetadata: {name: liveness-app}\n".utf8),
        "steps/01-liveness.md": Data("# Liveness\n".utf8),
        "steps/02-readiness.md": Data("# Readiness\n".utf8),
    ]
    /// Paths the learner writes, deletes and rewrites (some klab's own files among them).
    static let paths = ["liveness-app.yaml", "steps/01-liveness.md", "notes.txt", "mine/a.yaml", "mine/deep/b.yaml", "c.txt"]

    /// The lab folder: relative path → contents.
    typealias Folder = [String: Data]

    struct Model {
        /// Every file content the learner had when an operation began, until the learner
        /// overwrites one no ref keeps.
        var made: [(path: String, contents: Data)] = []
        var passed: [String] = []
        /// The folder each step's start ref holds.
        var stepStart: [String: Folder] = [:]
        /// Operations that saved the folder first, newest last: what undo brings back.
        var undoable: [(passed: [String], folder: Folder)] = []
        /// The folder each backup holds, backup 1 first: what a restore brings back.
        var backups: [Folder] = []

        /// An operation saved `folder` (then progress `passed`) before changing the folder.
        mutating func saved(_ folder: Folder) {
            undoable.append((passed, folder))
            backups.append(folder)
        }
    }

    func testRandomLearnersLoseNothing() throws {
        var steps = 0
        for seed: UInt64 in [1, 2, 3, 4, 5, 6, 7, 8] {
            steps += try run(seed: seed, operations: 160)
        }
        XCTAssertGreaterThanOrEqual(steps, 2_000)
    }

    /// One learner; returns the number of steps (edits and operations) taken.
    func run(seed: UInt64, operations: Int) throws -> Int {
        var random = SeededRandom(seed: seed)
        let root = try temporaryDirectory("model-\(seed)")
        defer { try? FileManager.default.removeItem(at: root) }
        let workspace = try LearnerWorkspace.openOrCreate(at: root, learner: "ada", labsDirectory: "/labs")
        let settings = LabSettings(lab: Self.lab, namespace: "default", parameters: [:], labDigest: "sha256:model")
        let folderURL = root.appendingPathComponent(Self.lab)
        var model = Model()
        var kept = KeptObjects(repository: workspace.repository)
        var taken = 0

        func folder() -> Folder { Self.read(folderURL) }
        func noteMade() { for (path, contents) in folder() { model.made.append((path, contents)) } }

        _ = try workspace.start(labID: Self.lab, firstStep: Self.steps[0], settings: settings, files: Self.materials)
        model.stepStart[Self.steps[0]] = folder()

        for index in 0..<operations {
            let context = "seed \(seed), operation \(index)"
            // A few learner edits first.
            for _ in 0..<Int(random.next() % 3) {
                let path = Self.paths[Int(random.next() % UInt64(Self.paths.count))]
                let url = folderURL.appendingPathComponent(path)
                if let current = FileManager.default.contents(atPath: url.path), !(try kept.contains(current)) {
                    // The learner's own overwrite of something only the folder had.
                    model.made.removeAll { $0.path == path && $0.contents == current }
                }
                if random.next() % 5 == 0 {
                    try? FileManager.default.removeItem(at: url)
                } else {
                    try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
                    try Data("seed \(seed) op \(index) \(random.next() % 1000)\n".utf8).write(to: url)
                }
                taken += 1
            }

            noteMade()
            let before = folder()
            let current = Self.steps.first { !model.passed.contains($0) }
            switch random.next() % 10 {
            case 0:
                _ = try workspace.start(labID: Self.lab, firstStep: Self.steps[0], settings: settings, files: Self.materials)
                model.saved(before)
                model.passed = []
                model.stepStart[Self.steps[0]] = folder()
                // Starting over writes klab's files and leaves the learner's others in place.
                var expected = before
                for (path, data) in Self.materials { expected[path] = data }
                XCTAssertEqual(folder(), expected, "\(context): start over")
            case 1, 2, 3:
                guard let step = current else { continue }
                let position = Self.steps.firstIndex(of: step)!
                let next = position + 1 < Self.steps.count ? Self.steps[position + 1] : nil
                _ = try workspace.recordPass(lab: Self.lab, step: step, nextStep: next,
                                             evidence: ["results.json": Data("{\"op\": \(index)}\n".utf8)], classKey: nil)
                model.passed.append(step)
                if let next { model.stepStart[next] = folder() }
                XCTAssertEqual(folder(), before, "\(context): a pass changes no file of the lab's folder")
            case 4:
                guard let step = current else { continue }
                try workspace.recordHint(lab: Self.lab, step: step, number: 1)
                XCTAssertEqual(folder(), before, "\(context): a hint changes no file")
            case 5, 6:
                // Back to the start of a step that has started (its start ref exists).
                let started = Self.steps.filter { model.stepStart[$0] != nil }
                let step = random.next() % 3 == 0 ? Self.steps[0] : started[Int(random.next() % UInt64(started.count))]
                _ = try workspace.reset(lab: Self.lab, step: step)
                model.saved(before)
                let from = Self.steps.firstIndex(of: step)!
                model.passed.removeAll { Self.steps.firstIndex(of: $0)! >= from }
                XCTAssertEqual(folder(), model.stepStart[step], "\(context): reset to \(step)")
            case 9 where !model.backups.isEmpty:
                // Back to what a backup holds: the lab's files only, progress stays.
                let number = Int(random.next() % UInt64(model.backups.count)) + 1
                let restore = try workspace.restore(backup: number, lab: Self.lab)
                XCTAssertEqual(LearnerWorkspace.backupNumber(restore.backupRef), model.backups.count + 1, "\(context): restore's backup")
                let expected = model.backups[number - 1]
                model.saved(before)
                XCTAssertEqual(folder(), expected, "\(context): restore of backup \(number)")
            default:
                guard let target = model.undoable.popLast() else {
                    XCTAssertThrowsError(try workspace.undo(), context) { XCTAssertEqual($0 as? WorkspaceError, .noBackup) }
                    continue
                }
                model.undoable.append(target)
                _ = try workspace.undo()
                model.saved(before)
                model.passed = target.passed
                XCTAssertEqual(folder(), target.folder, "\(context): undo brings back the folder the operation found")
            }
            taken += 1
            kept.refsMoved()

            XCTAssertEqual(try workspace.progress(stepOrder: [Self.lab: Self.steps])[Self.lab]?.passed.map(\.step), model.passed, "\(context): progress")
            let now = folder()
            for item in model.made where now[item.path] != item.contents {
                XCTAssertTrue(try kept.contains(item.contents), "\(context): \(item.path) (\(String(decoding: item.contents, as: UTF8.self).prefix(40))) is lost")
            }
            // Keep the list short: a content the folder or a ref holds once is checked once per path.
            model.made = Self.unique(model.made)
        }
        _ = try GitWitness.run(["fsck", "--strict", "--no-dangling"], in: root)
        return taken
    }

    /// Every regular file under `folder` (read with lstat and paths: this runs a few thousand
    /// times, and Foundation's URL resource values cost more than the workspace operations).
    static func read(_ folder: URL) -> Folder {
        var files: Folder = [:]
        func walk(_ relative: String) {
            let full = relative.isEmpty ? folder.path : folder.path + "/" + relative
            guard let names = try? FileManager.default.contentsOfDirectory(atPath: full) else { return }
            for name in names {
                let path = relative.isEmpty ? name : relative + "/" + name
                var info = stat()
                guard lstat(folder.path + "/" + path, &info) == 0 else { continue }
                switch info.st_mode & S_IFMT {
                case S_IFDIR: walk(path)
                case S_IFREG: files[path] = FileManager.default.contents(atPath: folder.path + "/" + path)
                default: continue
                }
            }
        }
        walk("")
        return files
    }

    static func unique(_ items: [(path: String, contents: Data)]) -> [(path: String, contents: Data)] {
        var seen = Set<String>()
        return items.filter { seen.insert($0.path + "\u{0}" + $0.contents.base64EncodedString()).inserted }
    }
}

/// SplitMix64: the same sequence for the same seed on every machine.
struct SeededRandom {
    private var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
