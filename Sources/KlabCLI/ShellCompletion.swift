import ArgumentParser
import Foundation
import LabSpec
import Workspace

/// What the shell completes for lab ids and step ids, read at completion time from the labs
/// folder and the workspace the command line names (`--labs`, `--workspace`), or the usual
/// defaults. The generated scripts call `klab` back with the words typed so far; nothing here
/// may fail loudly, so every problem completes to nothing.
enum ShellCompletion {
    /// Every lab id in the labs folder.
    @Sendable static func labs(_ words: [String], _ index: Int, _ prefix: String) -> [String] {
        matching(prefix, labIDs(words))
    }

    /// The labs started in the workspace.
    @Sendable static func startedLabs(_ words: [String], _ index: Int, _ prefix: String) -> [String] {
        guard let workspace = workspace(words) else { return [] }
        return matching(prefix, (try? workspace.startedLabs()) ?? [])
    }

    /// The steps of the lab named on the command line, else of the lab worked on last.
    @Sendable static func steps(_ words: [String], _ index: Int, _ prefix: String) -> [String] {
        let known = labIDs(words)
        var lab = value(of: "--lab", in: words).flatMap { known.contains($0) ? $0 : nil }
            ?? words.first(where: known.contains)
        if lab == nil, let workspace = workspace(words) { lab = try? workspace.currentLab() }
        guard let lab, let loader = loader(words), let loaded = try? loader.load(lab) else { return [] }
        return matching(prefix, loaded.steps.map(\.id))
    }

    private static func matching(_ prefix: String, _ candidates: [String]) -> [String] {
        candidates.filter { $0.hasPrefix(prefix) }
    }

    private static func labIDs(_ words: [String]) -> [String] {
        loader(words)?.labIDs() ?? []
    }

    private static func loader(_ words: [String]) -> LabLoader? {
        try? LabCatalog.loader(labs: value(of: "--labs", in: words))
    }

    private static func workspace(_ words: [String]) -> LearnerWorkspace? {
        let url = LearnerWorkspace.locate(
            explicit: value(of: "--workspace", in: words),
            currentDirectory: URL(fileURLWithPath: FileManager.default.currentDirectoryPath),
            environment: ProcessInfo.processInfo.environment)
        return try? LearnerWorkspace.open(at: url, lockTimeout: 0.2)
    }

    /// The value given to an option on the command line so far (`--labs DIR` or `--labs=DIR`).
    static func value(of option: String, in words: [String]) -> String? {
        for (index, word) in words.enumerated() {
            if word == option, index + 1 < words.count { return words[index + 1] }
            if word.hasPrefix(option + "=") { return String(word.dropFirst(option.count + 1)) }
        }
        return nil
    }
}
