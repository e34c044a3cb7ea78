import ArgumentParser
import Foundation
@testable import KlabCLI
import TestSupport
import XCTest

/// What a newcomer meets first: help for every command (however it is asked for), the version,
/// usage errors and misspelt commands, compared with `Tests/Fixtures/golden/help/*`. The
/// commands are listed from klab's own command tree, so a new command without a golden file
/// fails here. `KLAB_UPDATE_GOLDEN=1` (or `Scripts/update-help-goldens`) rewrites the files;
/// review the diff like code.
final class HelpGoldenTests: XCTestCase {
    let goldenFolder = KlabBinary.repositoryRoot.appendingPathComponent("Tests/Fixtures/golden/help")
    private var updating: Bool { GoldenFile.updating }
    /// Help wraps at the terminal's width; the goldens are 80 columns wide.
    let environment = ["COLUMNS": "80"]

    func klab(_ arguments: [String]) throws -> KlabBinary.Result {
        try KlabBinary.run(arguments, environment: environment, currentDirectory: FileManager.default.temporaryDirectory)
    }

    /// Every command path, from the tree argument-parser dumps: ["start"], ["lab", "test"], ...
    func commandPaths() throws -> [[String]] {
        let dump = try klab(["--experimental-dump-help"])
        XCTAssertEqual(dump.status, 0, dump.stderr)
        let json = try JSONSerialization.jsonObject(with: Data(dump.stdout.utf8)) as? [String: Any]
        var paths: [[String]] = []
        func walk(_ command: [String: Any], _ path: [String]) {
            for sub in command["subcommands"] as? [[String: Any]] ?? [] {
                guard let name = sub["commandName"] as? String, name != "help" else { continue }
                paths.append(path + [name])
                walk(sub, path + [name])
            }
        }
        walk(try XCTUnwrap(json?["command"] as? [String: Any]), [])
        return paths
    }

    /// The transcript a golden file holds: the command, its exit status and both streams.
    func transcript(_ arguments: [String], _ result: KlabBinary.Result) -> String {
        var text = "$ " + (["klab"] + arguments).joined(separator: " ") + "\n[exit \(result.status)]\n"
        if !result.stdout.isEmpty { text += "--- stdout\n" + result.stdout }
        if !result.stderr.isEmpty { text += "--- stderr\n" + result.stderr }
        return text
    }

    func assertGolden(_ name: String, _ arguments: [String], file: StaticString = #filePath, line: UInt = #line) throws -> KlabBinary.Result {
        let result = try klab(arguments)
        let got = transcript(arguments, result)
        let golden = goldenFolder.appendingPathComponent(name)
        if updating {
            try FileManager.default.createDirectory(at: goldenFolder, withIntermediateDirectories: true)
            try got.write(to: golden, atomically: true, encoding: .utf8)
            return result
        }
        guard let want = try? String(contentsOf: golden, encoding: .utf8) else {
            XCTFail("no golden file \(golden.path); run Scripts/update-help-goldens", file: file, line: line)
            return result
        }
        XCTAssertEqual(got, want, "\(name) differs from its golden file; if the change is wanted, run Scripts/update-help-goldens and review the diff", file: file, line: line)
        return result
    }

    func fileName(_ arguments: [String]) -> String {
        (arguments.isEmpty ? "klab" : arguments.joined(separator: "_")) + ".txt"
    }

    func testHelpForEveryCommandHoweverItIsAskedFor() throws {
        let paths = try commandPaths()
        XCTAssertGreaterThanOrEqual(paths.count, 15, "every command and lab subcommand: \(paths)")
        var expected: Set<String> = []
        for path in [[]] + paths {
            let name = "help-" + (path.isEmpty ? "klab" : path.joined(separator: "-")) + ".txt"
            expected.insert(name)
            let help = try assertGolden(name, path + ["--help"])
            XCTAssertEqual(help.status, 0, "\(path) --help")
            XCTAssertEqual(help.stderr, "", "\(path) --help")
            XCTAssertTrue(help.stdout.contains("USAGE: klab"), "\(path): \(help.stdout)")
            XCTAssertTrue(help.stdout.contains("\n  klab "), "\(path): the discussion shows an example")
            for other in [path + ["-h"], ["help"] + path] {
                let same = try klab(other)
                XCTAssertEqual(same.status, 0, "\(other)")
                XCTAssertEqual(same.stdout, help.stdout, "klab \(other.joined(separator: " ")) prints what --help prints")
            }
        }
        // `klab` alone shows the top-level help, as `klab help` does.
        let alone = try klab([])
        XCTAssertEqual(alone.status, 0)
        XCTAssertEqual(alone.stdout, try klab(["--help"]).stdout)
        if !updating {
            let stale = try FileManager.default.contentsOfDirectory(atPath: goldenFolder.path)
                .filter { $0.hasPrefix("help-") && !expected.contains($0) }
            XCTAssertEqual(stale, [], "golden files for commands that no longer exist")
        }
    }

    func testTopLevelHelpGroupsCommandsByWhoUsesThem() throws {
        let help = try klab(["--help"]).stdout
        let order = ["LEARNER SUBCOMMANDS:", "INSTRUCTOR SUBCOMMANDS:", "AUTHOR SUBCOMMANDS:"].map { help.range(of: $0)?.lowerBound }
        XCTAssertFalse(order.contains(nil), help)
        XCTAssertEqual(order.compactMap { $0 }, order.compactMap { $0 }.sorted())
    }

    func testVersion() throws {
        let result = try assertGolden("version.txt", ["--version"])
        XCTAssertEqual(result.stdout, klabVersion + "\n")
    }

    /// A usage error is one line saying what is wrong, then the command's usage, on stderr; exit 2.
    func testUsageErrorsPrintTheErrorAndTheUsageAndExit2() throws {
        let cases: [[String]] = [
            ["verify", "--bogus"],          // unknown flag
            ["verify", "--wach"],           // misspelt flag: the closest one is suggested
            ["lab", "show"],                // missing argument
            ["verify", "-o", "yaml"],       // bad value
            ["lab", "test", "health-probes"], // missing option
            ["stauts"],                     // misspelt command: the closest one is suggested
            ["lab", "tset"],                // misspelt lab subcommand
            ["help", "verfy"],              // misspelt command after help
            ["frobnicate"],                 // nothing close
            ["list"],                       // a lab subcommand typed at the top
        ]
        for arguments in cases {
            let result = try assertGolden("usage-" + fileName(arguments), arguments)
            XCTAssertEqual(result.status, 2, "\(arguments)")
            XCTAssertEqual(result.stdout, "", "\(arguments)")
            let lines = result.stderr.split(separator: "\n")
            XCTAssertTrue(lines.first?.hasPrefix("klab: ") == true, "\(arguments): \(result.stderr)")
            XCTAssertTrue(lines.contains { $0.hasPrefix("Usage: klab") }, "\(arguments): \(result.stderr)")
        }
        XCTAssertTrue(try klab(["stauts"]).stderr.contains("Did you mean 'status'?"))
        XCTAssertTrue(try klab(["lab", "tset"]).stderr.contains("Did you mean 'test'?"))
        XCTAssertFalse(try klab(["frobnicate"]).stderr.contains("Did you mean"))
        XCTAssertTrue(try klab(["list"]).stderr.contains("Did you mean 'klab lab list'?"))
    }

    /// Errors are told apart by what argument-parser says of them (its exit code), never by
    /// the name of their type: help is help however it is reached, a usage error is exit 2,
    /// and klab's own errors are one line with their own status.
    func testErrorsAreToldApartByTheirExitCode() throws {
        // As KlabMain does: parse, then run what was parsed (help requests are a command whose
        // run ends in argument-parser's clean exit). Only arguments that do no work are given.
        func parsed(_ arguments: [String]) -> Error? {
            do {
                var command = try Klab.parseAsRoot(arguments)
                try command.run()
                return nil
            } catch {
                return error
            }
        }
        guard case .help(let help)? = parsed(["verify", "--help"]).map(KlabMain.disposition) else {
            return XCTFail("verify --help is help")
        }
        XCTAssertTrue(help.contains("USAGE: klab verify"), help)
        guard case .help(let version)? = parsed(["--version"]).map(KlabMain.disposition) else { return XCTFail("--version") }
        XCTAssertEqual(version, klabVersion)
        guard case .usage(let usage)? = parsed(["verify", "--bogus"]).map(KlabMain.disposition) else {
            return XCTFail("an unknown flag is a usage error")
        }
        XCTAssertTrue(usage.contains("Usage: klab verify"), usage)
        XCTAssertEqual(KlabMain.disposition(of: ValidationError("--step and --complete cannot be used together")),
                       .usage(Klab.fullMessage(for: ValidationError("--step and --complete cannot be used together"))))
        XCTAssertEqual(KlabMain.disposition(of: CleanExit.message("done")), .help("done"))
        XCTAssertEqual(KlabMain.disposition(of: ExitCode.validationFailure), .usage(""), "argument-parser's 64 is klab's 2")
        XCTAssertEqual(KlabMain.disposition(of: ExitStatus.checksFailed), .exit(1))
        XCTAssertEqual(KlabMain.disposition(of: CLIFailure(message: "no lab x", status: .badInput)), .failure(message: "no lab x", status: .badInput))
        struct Unforeseen: Error, CustomStringConvertible { var description: String { "something klab did not foresee" } }
        XCTAssertEqual(KlabMain.disposition(of: Unforeseen()), .failure(message: "something klab did not foresee", status: .badInput))
    }

    /// Every `klab ...` example in a command's discussion parses: the help never shows a
    /// command line klab would refuse.
    func testEveryExampleInTheHelpParses() throws {
        var examples: [String] = []
        func walk(_ command: ParsableCommand.Type) {
            for line in command.configuration.discussion.split(separator: "\n") {
                let text = line.trimmingCharacters(in: .whitespaces)
                guard text.hasPrefix("klab ") else { continue }
                // Help wraps at 80 columns; a wrapped example cannot be copied.
                XCTAssertLessThanOrEqual(line.count, 80, "an example wider than a terminal: \(line)")
                // A comment follows the command after two spaces or more.
                examples.append(String(text.components(separatedBy: "  ").first!))
            }
            command.configuration.subcommands.forEach(walk)
        }
        walk(Klab.self)
        XCTAssertGreaterThanOrEqual(examples.count, 20)
        for example in examples {
            let words = Array(shellWords(example).dropFirst())
            XCTAssertNoThrow(try Klab.parseAsRoot(words), example)
        }
    }

    /// Splits a command line the way a shell does for the simple quoting the examples use.
    func shellWords(_ line: String) -> [String] {
        var words: [String] = [], current = "", quote: Character?, started = false
        for ch in line {
            if let open = quote {
                if ch == open { quote = nil } else { current.append(ch) }
            } else if ch == "'" || ch == "\"" {
                quote = ch
                started = true
            } else if ch == " " {
                if started || !current.isEmpty { words.append(current) }
                current = ""
                started = false
            } else {
                current.append(ch)
            }
        }
        if started || !current.isEmpty { words.append(current) }
        return words
    }
}
