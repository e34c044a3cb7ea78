import Foundation
import TestSupport
import XCTest

/// The corpus of bad input (`Tests/Fixtures/bad-input/cases.txt`): for every kind of input
/// klab reads and did not write, the inputs that break readers (truncated, not UTF-8, bombs,
/// too deep, too large, FIFOs, links out, `..` in ids), each run through the built binary with
/// the exit code and the first words of the error line it must give. Every case is also held
/// to what any input must never do: a Swift error, a crash or a backtrace on the terminal, more
/// than one line of error, a hang, or a file written outside the workspace klab was told to use.
final class BadInputTests: XCTestCase {
    static let root = KlabBinary.repositoryRoot
    static let corpus = root.appendingPathComponent("Tests/Fixtures/bad-input")
    /// The kinds of input of issue 16, each of which the table must cover.
    static let kinds: Set<String> = [
        "lab", "snapshot", "evidence", "kubectl", "workspace", "hand-in", "roster", "kubeconfig", "jsonpath", "clock",
    ]
    /// What only a crash or a leaked Swift error prints.
    static let crashMarkers = [
        "Fatal error", "fatal error", "Swift runtime failure", "Stack dump", "backtrace", "Backtrace", "Segmentation fault",
        "Illegal instruction", "Error Domain=", "NSCocoaErrorDomain", "Swift.DecodingError", "LabGitError.", "ClusterError.",
        "LabSpecError.", "Foundation.", "(extension in",
    ]

    /// Generators whose inputs take seconds to read (10,000 documents, 100 MB).
    static let longGenerators: Set<String> = ["documents", "big-value", "padded"]

    struct Case {
        var id: String
        var line: Int
        var reads = ""
        var from: String?
        var before: [String] = []
        var generate: [String] = []
        var env: [String] = []
        var run = ""
        var exit: Int32 = -1
        var stderr = ""
        var stdout: String?
    }

    func testEveryBadInputGivesItsExitCodeAndOneClearLine() throws {
        let cases = try Self.cases()
        XCTAssertGreaterThanOrEqual(cases.count, 60, "the corpus holds at least 60 cases")
        XCTAssertEqual(Set(cases.map(\.reads)), Self.kinds, "every kind of input is covered, and no other kind is named")
        XCTAssertEqual(Set(cases.map(\.id)).count, cases.count, "case ids are unique")
        let fixturesBefore = try Self.trackedChanges()
        let gradedLabs = try Self.makeGradedLabs()
        defer { try? FileManager.default.removeItem(at: gradedLabs.deletingLastPathComponent()) }
        let problems = Gathered<String>()
        // Two at a time: the machine is shared, and a few cases read 100 MB.
        let queue = OperationQueue()
        queue.maxConcurrentOperationCount = 2
        // Suspended while the cases are added, so that the long ones start first.
        queue.isSuspended = true
        for item in cases {
            let operation = BlockOperation {
                do {
                    for problem in try Self.check(item, gradedLabs: gradedLabs) { problems.append("\(item.id) (cases.txt:\(item.line)): \(problem)") }
                } catch {
                    problems.append("\(item.id) (cases.txt:\(item.line)): could not run: \(error)")
                }
            }
            // The few long cases first, so that the short ones fill the other worker meanwhile
            // instead of one long case running alone at the end.
            if item.generate.contains(where: { Self.longGenerators.contains(String($0.prefix { $0 != " " })) }) {
                operation.queuePriority = .high
            }
            queue.addOperation(operation)
        }
        queue.isSuspended = false
        queue.waitUntilAllOperationsAreFinished()
        XCTAssert(problems.values.isEmpty, "\n" + problems.values.sorted().joined(separator: "\n"))
        XCTAssertEqual(try Self.trackedChanges(), fixturesBefore, "klab wrote into the repository's fixtures or labs")
    }

    // MARK: - The table

    /// Blocks of `key: value` lines, one case each, separated by blank lines; `#` starts a comment.
    static func cases() throws -> [Case] {
        let text = try String(contentsOf: corpus.appendingPathComponent("cases.txt"), encoding: .utf8)
        var cases: [Case] = []
        var current: Case?
        for (index, raw) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let line = raw.trimmingCharacters(in: .whitespaces)
            if line.hasPrefix("#") { continue }
            if line.isEmpty {
                if let done = current { cases.append(done) }
                current = nil
                continue
            }
            guard let colon = line.firstIndex(of: ":") else { throw Failure("cases.txt:\(index + 1): no 'key: value' in \(line)") }
            let key = String(line[..<colon])
            let value = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
            if key == "case" {
                if let done = current { cases.append(done) }
                current = Case(id: value, line: index + 1)
                continue
            }
            guard current != nil else { throw Failure("cases.txt:\(index + 1): '\(key)' before any 'case:'") }
            switch key {
            case "reads": current!.reads = value
            case "from": current!.from = value
            case "before": current!.before.append(value)
            case "generate": current!.generate.append(value)
            case "env": current!.env += words(value)
            case "run": current!.run = value
            case "exit":
                guard let code = Int32(value) else { throw Failure("cases.txt:\(index + 1): exit is not a number") }
                current!.exit = code
            case "stderr": current!.stderr = value
            case "stdout": current!.stdout = value
            default: throw Failure("cases.txt:\(index + 1): unknown key '\(key)'")
            }
        }
        if let done = current { cases.append(done) }
        for item in cases where item.run.isEmpty || item.exit < 0 || item.reads.isEmpty || item.stderr.isEmpty {
            throw Failure("cases.txt:\(item.line): case \(item.id) needs reads, run, exit and stderr")
        }
        return cases
    }

    /// Words split on spaces; single quotes keep spaces inside one word.
    static func words(_ text: String) -> [String] {
        var words: [String] = []
        var word = ""
        var quoted = false
        var started = false
        for ch in text {
            if ch == "'" {
                quoted.toggle()
                started = true
            } else if ch == " " && !quoted {
                if started { words.append(word) }
                word = ""
                started = false
            } else {
                word.append(ch)
                started = true
            }
        }
        if started { words.append(word) }
        return words
    }

    // MARK: - Running one case

    struct Failure: Error, CustomStringConvertible {
        var description: String
        init(_ description: String) { self.description = description }
    }

    /// A labs folder holding only the lab the grading cases grade (health-probes), for
    /// `{graded-labs}`: grading reads the fixtures of every lab it loads, to flag evidence copied
    /// from them, which with every lab took about 2 s of a debug build's time per case (most of
    /// this test's time), and these cases are about the rosters and hand-ins, not the labs.
    static func makeGradedLabs() throws -> URL {
        let labs = FileManager.default.temporaryDirectory.appendingPathComponent("klab-bad-labs-\(UUID().uuidString.prefix(6))/labs")
        try FileManager.default.createDirectory(at: labs, withIntermediateDirectories: true)
        try FileManager.default.copyItem(at: root.appendingPathComponent("labs/health-probes"), to: labs.appendingPathComponent("health-probes"))
        return labs
    }

    /// Runs a case in a folder of its own; returns what is wrong with the outcome.
    static func check(_ item: Case, gradedLabs: URL) throws -> [String] {
        let tmp = FileManager.default.temporaryDirectory.appendingPathComponent("klab-bad-\(item.id)-\(UUID().uuidString.prefix(6))")
        let input = tmp.appendingPathComponent("in")
        let home = tmp.appendingPathComponent("home"), scratch = tmp.appendingPathComponent("tmp")
        let cwd = tmp.appendingPathComponent("cwd"), workspace = tmp.appendingPathComponent("ws")
        defer { try? FileManager.default.removeItem(at: tmp) }
        for folder in [home, scratch, cwd] { try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true) }
        if let from = item.from {
            try FileManager.default.copyItem(at: root.appendingPathComponent(from), to: input)
        } else {
            try FileManager.default.createDirectory(at: input, withIntermediateDirectories: true)
        }
        let committed = corpus.appendingPathComponent(item.id)
        if FileManager.default.fileExists(atPath: committed.path) { try overlay(committed, onto: input) }

        let places = [
            "{in}": input.path, "{ws}": workspace.path, "{tmp}": tmp.path, "{labs}": root.appendingPathComponent("Tests/Fixtures/labs").path,
            "{repo}": root.path, "{standin}": root.appendingPathComponent("Tests/Fixtures/kubectl-standin").path,
            "{fixtures}": root.appendingPathComponent("labs/health-probes/fixtures").path, "{graded-labs}": gradedLabs.path,
        ]
        func fill(_ text: String) throws -> String {
            var text = text
            for (key, value) in places { text = text.replacingOccurrences(of: key, with: value) }
            // {file:NAME}: the text of a file of the case (a template too long for the table).
            while let range = text.range(of: "{file:") {
                guard let end = text[range.upperBound...].firstIndex(of: "}") else { break }
                let name = String(text[range.upperBound..<end])
                let content = try String(contentsOf: input.appendingPathComponent(name), encoding: .utf8)
                text.replaceSubrange(range.lowerBound...end, with: content.trimmingCharacters(in: .newlines))
            }
            return text
        }
        var environment = ["HOME": home.path, "TMPDIR": scratch.path, "KLAB_LEARNER": "ada", "KUBECONFIG": home.appendingPathComponent("kubeconfig").path]
        for assignment in item.env {
            guard let equals = assignment.firstIndex(of: "=") else { throw Failure("env '\(assignment)' is not NAME=VALUE") }
            environment[String(assignment[..<equals])] = try fill(String(assignment[assignment.index(after: equals)...]))
        }
        for step in item.before {
            let result = try klab(try words(step).map(fill), environment: environment, in: cwd)
            guard result.status == 0 else { return ["before '\(step)' exited \(result.status): \(result.stderr)"] }
        }
        for step in item.generate { try generate(try words(step).map(fill), in: input) }

        let watched = [tmp]
        let listingBefore = try watched.map { try listing($0, skipping: workspace.path) }
        let arguments = try words(item.run).map(fill)
        let started = Date()
        let result = try klab(arguments, environment: environment, in: cwd)
        let seconds = Date().timeIntervalSince(started)
        if seconds > 5 { print("bad-input case \(item.id) took \(Int(seconds)) s") }
        var problems: [String] = []
        let shown = "exit \(result.status), stderr: \(result.stderr.prefix(400).debugDescription), stdout: \(result.stdout.prefix(200).debugDescription)"
        if result.status == 124 || result.status == 137 { problems.append("it did not finish within 120 s (\(shown))") }
        if result.status != item.exit { problems.append("expected exit \(item.exit); \(shown)") }
        let firstLine = result.stderr.split(separator: "\n", omittingEmptySubsequences: false).first.map(String.init) ?? ""
        let expected = try fill(item.stderr)
        if expected == "(empty)" {
            if !result.stderr.isEmpty { problems.append("expected nothing on stderr; \(shown)") }
        } else if !firstLine.hasPrefix(expected) {
            problems.append("expected stderr to start with \(expected.debugDescription); \(shown)")
        }
        if item.exit >= 2 && expected != "(empty)" {
            let lines = result.stderr.split(separator: "\n").count
            if lines != 1 { problems.append("expected one line on stderr, found \(lines); \(shown)") }
        }
        if let stdout = item.stdout, !result.stdout.contains(try fill(stdout)) {
            problems.append("expected stdout to contain \(stdout.debugDescription); \(shown)")
        }
        for marker in crashMarkers where result.stderr.contains(marker) || result.stdout.contains(marker) {
            problems.append("printed \(marker.debugDescription); \(shown)")
        }
        let listingAfter = try watched.map { try listing($0, skipping: workspace.path) }
        if listingAfter != listingBefore {
            let added = Set(listingAfter.flatMap { $0 }).subtracting(listingBefore.flatMap { $0 }).sorted()
            let removed = Set(listingBefore.flatMap { $0 }).subtracting(listingAfter.flatMap { $0 }).sorted()
            problems.append("files changed outside the workspace: added \(added.prefix(5)), removed \(removed.prefix(5))")
        }
        return problems
    }

    /// Runs klab with a hard time limit (coreutils `timeout`), so a hang fails the case.
    static func klab(_ arguments: [String], environment: [String: String], in directory: URL) throws -> TestProcess.Result {
        var env = environment
        env["NO_COLOR"] = "1"
        return try TestProcess.run("/usr/bin/timeout", ["-k", "5", "120", KlabBinary.url.path] + arguments,
                                   environment: env, currentDirectory: directory)
    }

    /// Every entry under `folder` with its type, size and modification time, links not followed.
    static func listing(_ folder: URL, skipping skipped: String) throws -> [String] {
        var found: [String] = []
        var pending = [folder.path]
        while let path = pending.popLast() {
            guard path != skipped else { continue }
            var info = stat()
            guard lstat(path, &info) == 0 else { continue }
            // A folder's own time changes with what is added or removed, which shows anyway.
            let isFolder = info.st_mode & S_IFMT == S_IFDIR
            found.append("\(path) \(info.st_mode) \(isFolder ? 0 : info.st_size) \(isFolder ? "" : "\(info.st_mtim.tv_sec).\(info.st_mtim.tv_nsec)")")
            if isFolder {
                for name in (try? FileManager.default.contentsOfDirectory(atPath: path)) ?? [] { pending.append(path + "/" + name) }
            }
        }
        return found.sorted()
    }

    /// Copies the committed files of a case over its input folder (links stay links).
    static func overlay(_ source: URL, onto target: URL) throws {
        for name in try FileManager.default.contentsOfDirectory(atPath: source.path) {
            let from = source.appendingPathComponent(name), to = target.appendingPathComponent(name)
            var isDirectory: ObjCBool = false
            FileManager.default.fileExists(atPath: from.path, isDirectory: &isDirectory)
            if isDirectory.boolValue, FileManager.default.fileExists(atPath: to.path) {
                try overlay(from, onto: to)
            } else {
                try? FileManager.default.removeItem(at: to)
                try FileManager.default.copyItem(at: from, to: to)
            }
        }
    }

    /// The repository's fixtures, labs and content as `git status` sees them.
    static func trackedChanges() throws -> String {
        try GitWitness.run(["status", "--porcelain", "--untracked-files=all", "--", "Tests/Fixtures", "labs", "content"], in: root)
    }

    // MARK: - Inputs made at test time (too large, or not files git can hold)

    static func generate(_ words: [String], in input: URL) throws {
        func path(_ name: String) -> String { name.hasPrefix("/") ? name : input.appendingPathComponent(name).path }
        func write(_ name: String, _ data: Data) throws {
            let url = URL(fileURLWithPath: path(name))
            try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
            try data.write(to: url)
        }
        func number(_ index: Int) throws -> Int {
            guard words.count > index, let n = Int(words[index]) else { throw Failure("generate \(words): a number is missing") }
            return n
        }
        guard let what = words.first, words.count >= 2 else { throw Failure("generate needs a kind and a file") }
        let file = words[1]
        switch what {
        case "fifo":
            try? FileManager.default.removeItem(atPath: path(file))
            try FileManager.default.createDirectory(atPath: (path(file) as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
            guard mkfifo(path(file), 0o644) == 0 else { throw Failure("mkfifo \(file) failed") }
        case "symlink":
            try? FileManager.default.removeItem(atPath: path(file))
            try FileManager.default.createDirectory(atPath: (path(file) as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
            try FileManager.default.createSymbolicLink(atPath: path(file), withDestinationPath: words[2])
        case "folder":
            try? FileManager.default.removeItem(atPath: path(file))
            try FileManager.default.createDirectory(atPath: path(file), withIntermediateDirectories: true)
        case "write":
            try write(file, Data((words.dropFirst(2).joined(separator: " ") + "\n").utf8))
        case "truncate":
            let data = try Data(contentsOf: URL(fileURLWithPath: path(file)))
            try write(file, data.prefix(try number(2)))
        case "crlf":
            let text = try String(contentsOf: URL(fileURLWithPath: path(file)), encoding: .utf8)
            try write(file, Data(text.replacingOccurrences(of: "\n", with: "\r\n").utf8))
        case "bom":
            try write(file, Data([0xEF, 0xBB, 0xBF]) + (try Data(contentsOf: URL(fileURLWithPath: path(file)))))
        case "big-value":
            // A Pod whose annotation holds MB megabytes.
            let megabytes = try number(2)
            var data = Data(#"{"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "big", "namespace": "default", "annotations": {"a": ""#.utf8)
            data.append(Data(repeating: UInt8(ascii: "x"), count: megabytes << 20))
            data.append(Data(#""}}}"#.utf8))
            try write(file, data)
        case "padded":
            // A lab or roster file grown past its limit with comment lines.
            var data = try Data(contentsOf: URL(fileURLWithPath: path(file)))
            let line = Data(("# " + String(repeating: "padding ", count: 127) + "\n").utf8)
            let size = try number(2) << 20
            while data.count < size { data.append(line) }
            try write(file, data)
        case "deep-json":
            let levels = try number(2)
            try write(file, Data((String(repeating: #"{"a":"#, count: levels) + "1" + String(repeating: "}", count: levels)).utf8))
        case "deep-json-pod":
            // A Pod that kubectl accepts, whose spec holds a value nested LEVELS deep.
            let levels = try number(2)
            try write(file, Data((#"{"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "deep", "namespace": "default"}, "spec": {"x": "#
                + String(repeating: #"{"a":"#, count: levels) + "1" + String(repeating: "}", count: levels) + "}}").utf8))
        case "deep-yaml-flow":
            let levels = try number(2)
            try write(file, Data((String(repeating: "[", count: levels) + String(repeating: "]", count: levels) + "\n").utf8))
        case "deep-yaml-block":
            let levels = try number(2)
            var text = ""
            for level in 0..<levels { text += String(repeating: " ", count: level) + "a:\n" }
            try write(file, Data(text.utf8))
        case "documents":
            // COUNT ConfigMaps, one YAML document each.
            let count = try number(2)
            var text = ""
            for n in 0..<count { text += "---\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: cm-\(n)\n  namespace: default\ndata:\n  n: \"\(n)\"\n" }
            try write(file, Data(text.utf8))
        case "long-template":
            // A template of BYTES bytes (for {file:NAME}).
            let bytes = try number(2)
            try write(file, Data(("{" + String(repeating: ".a", count: bytes / 2) + "}").utf8))
        case "nested-filters":
            let levels = try number(2)
            try write(file, Data(("{" + String(repeating: "[?(@.a", count: levels) + String(repeating: ")]", count: levels) + "}").utf8))
        default:
            throw Failure("unknown generator '\(what)'")
        }
    }
}
