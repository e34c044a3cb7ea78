import Foundation

/// The shell commands a Markdown page shows, and running them as a reader would: what the
/// README and the guides' walk-through tests share.
public enum MarkdownShell {
    /// The text of the section that starts with this heading line (`## A lab, walked through`),
    /// up to the next heading of the same level; nil when there is none.
    public static func section(_ heading: String, in text: String) -> String? {
        guard let start = text.range(of: heading + "\n") else { return nil }
        let level = String(heading.prefix { $0 == "#" })
        let rest = text[start.upperBound...]
        let end = rest.range(of: "\n" + level + " ")?.lowerBound ?? rest.endIndex
        return String(rest[..<end])
    }

    /// The contents of the fenced blocks of a language (```sh), in order.
    public static func blocks(in text: String, language: String = "sh") -> [String] {
        var blocks: [String] = []
        var current: [Substring]?
        var inOther = false
        for line in text.split(separator: "\n", omittingEmptySubsequences: false) {
            guard line.hasPrefix("```") else {
                current?.append(line)
                continue
            }
            if let lines = current {
                blocks.append(lines.joined(separator: "\n"))
                current = nil
            } else if inOther {
                inOther = false
            } else if line == "```" + language {
                current = []
            } else {
                inOther = true
            }
        }
        return blocks
    }

    /// The command lines of the page's ```sh blocks, in order: a line ending in `\` joined with
    /// the next, blank lines and lines that are only a comment left out. Trailing comments stay:
    /// the shell drops them.
    public static func commands(in text: String) -> [String] {
        var commands: [String] = []
        for block in blocks(in: text, language: "sh") {
            var pending = ""
            for line in block.split(separator: "\n", omittingEmptySubsequences: false) {
                let trimmed = line.trimmingCharacters(in: .whitespaces)
                if pending.isEmpty && (trimmed.isEmpty || trimmed.hasPrefix("#")) { continue }
                if trimmed.hasSuffix("\\") {
                    pending += trimmed.dropLast() + " "
                    continue
                }
                commands.append((pending + trimmed).trimmingCharacters(in: .whitespaces))
                pending = ""
            }
        }
        return commands
    }

    /// A command without its trailing `# comment` (for running it without a shell).
    public static func withoutComment(_ command: String) -> String {
        String(command.split(separator: "#", maxSplits: 1, omittingEmptySubsequences: false)[0]).trimmingCharacters(in: .whitespaces)
    }

    /// Runs one command line as a reader would type it, with `/bin/sh -c`, in `directory`, with
    /// `path` in front of `/usr/bin:/bin` and the environment given.
    public static func run(_ command: String, in directory: URL, path: [String], environment: [String: String] = [:]) throws -> TestProcess.Result {
        var env = environment
        env["PATH"] = (path + ["/usr/bin", "/bin"]).joined(separator: ":")
        return try TestProcess.run("/bin/sh", ["-c", command], environment: env, currentDirectory: directory)
    }
}
