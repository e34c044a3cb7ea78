import Foundation

/// The terminal table: a row per learner, a column per lab (points/max), the total, and the
/// number of flags; then every flag, one line each.
public enum TableReport {
    public static func render(_ grade: ClassGrade) -> String {
        var header = ["learner"] + grade.labs + ["total", "flags"]
        var rows: [[String]] = []
        for learner in grade.learners {
            var row = [learner.learner]
            for lab in grade.labs {
                guard let labGrade = learner.lab(lab) else { row.append("-"); continue }
                row.append(labGrade.started ? "\(format(labGrade.points))/\(format(labGrade.maxPoints))" : "-")
            }
            row.append("\(format(learner.points))/\(format(learner.maxPoints))")
            row.append(learner.flags.isEmpty ? "" : String(learner.flags.count))
            rows.append(row)
        }
        if rows.isEmpty { header = ["learner", "total"] }
        var widths = header.map(\.count)
        for row in rows { for (i, cell) in row.enumerated() { widths[i] = max(widths[i], cell.count) } }
        func line(_ cells: [String]) -> String {
            cells.enumerated().map { i, cell in
                i == 0 ? cell.padding(toLength: widths[i], withPad: " ", startingAt: 0)
                    : String(repeating: " ", count: widths[i] - cell.count) + cell
            }.joined(separator: "  ").replacingOccurrences(of: "\\s+$", with: "", options: .regularExpression)
        }
        var out = line(header) + "\n"
        out += widths.map { String(repeating: "-", count: $0) }.joined(separator: "  ") + "\n"
        for row in rows { out += line(row) + "\n" }
        let flagged = grade.learners.filter { !$0.flags.isEmpty }
        if !flagged.isEmpty {
            out += "\nFlags:\n"
            for learner in flagged {
                for flag in learner.flags { out += "  \(learner.learner): \(flag.line)\n" }
            }
        }
        // The same checks go unevaluated for every learner of a lab: said once per lab.
        var unevaluated: [String: [String]] = [:]
        for learner in grade.learners {
            for lab in learner.labs where unevaluated[lab.lab] == nil && !lab.notEvaluated.isEmpty {
                unevaluated[lab.lab] = lab.notEvaluated
            }
        }
        if !unevaluated.isEmpty {
            out += "\nNot evaluated (the points are what the other checks earned):\n"
            for lab in grade.labs where unevaluated[lab] != nil {
                for line in unevaluated[lab]! { out += "  \(lab): \(line)\n" }
            }
        }
        let total = grade.learners.count
        out += "\n\(total) learner\(total == 1 ? "" : "s") graded (\(grade.mode)), \(flagged.count) flagged\n"
        if let note = grade.keyNote { out += "Note: \(note)\n" }
        return out
    }

    /// Points as people write them: 3, 2.5, 0.33.
    public static func format(_ value: Double) -> String {
        if value == value.rounded() { return String(Int(value)) }
        return String(format: "%.2f", value).replacingOccurrences(of: "0+$", with: "", options: .regularExpression)
    }
}
