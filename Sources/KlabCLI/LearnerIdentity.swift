import Checks
import Foundation
import KubeCore

/// Who a new workspace belongs to, when `klab start` is not told (`--learner`, KLAB_LEARNER):
/// asked once on a terminal, with a default from `git config user.email` (the part before the
/// @) or USER; without a terminal, the default, and klab says so. The id labels every object
/// the learner creates, so it must be a Kubernetes label value.
struct LearnerIdentity {
    var environment: [String: String] = ProcessInfo.processInfo.environment
    var gitEmail: () -> String? = LearnerIdentity.gitEmail

    /// The suggested id: the email's local part or the user name, made a label value.
    func suggestion() -> String {
        let candidates = [gitEmail().flatMap { $0.split(separator: "@").first.map(String.init) }, environment["USER"]]
        for candidate in candidates.compactMap({ $0 }) {
            let id = Self.labelValue(candidate)
            if !id.isEmpty { return id }
        }
        return "learner"
    }

    /// Asks on the terminal until an acceptable id (or just Enter, for the suggestion) is given.
    func ask(read: () -> String? = { readLine() }, write: (String) -> Void = writeStderr) -> String {
        let suggested = suggestion()
        write("This is a new workspace. Your learner id, as your instructor will see it [\(suggested)]: ")
        while let line = read() {
            let answer = line.trimmingCharacters(in: .whitespaces)
            if answer.isEmpty { return suggested }
            if LabelSelector.isValidLabelValue(answer) { return answer }
            write("A learner id is at most 63 letters, digits, '-', '_' or '.', starting and ending with a letter or digit. Your learner id [\(suggested)]: ")
        }
        write("\n")
        return suggested
    }

    /// `ada.lovelace` from `Ada Lovelace!`: what a label value allows, trimmed to 63.
    static func labelValue(_ text: String) -> String {
        var id = String(text.map { $0.isASCII && ($0.isLetter || $0.isNumber || "-_.".contains($0)) ? $0 : "-" }.prefix(63))
        while let first = id.first, !(first.isLetter || first.isNumber) { id.removeFirst() }
        while let last = id.last, !(last.isLetter || last.isNumber) { id.removeLast() }
        return id
    }

    static func gitEmail() -> String? {
        guard let git = ProcessRunner.which("git"),
              let result = try? ProcessRunner.run(git, ["config", "--get", "user.email"], timeout: 10), result.status == 0 else { return nil }
        let email = result.stdoutText.trimmingCharacters(in: .whitespacesAndNewlines)
        return email.isEmpty ? nil : email
    }
}
