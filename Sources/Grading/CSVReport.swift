import Foundation

/// The gradebook CSV (RFC 4180): one row per learner, a column per lab (points), the total,
/// the maximum, and the flags joined by "; " (empty when none), so a gradebook imports it as is.
public enum CSVReport {
    public static func render(_ grade: ClassGrade) -> String {
        var rows: [[String]] = [["learner"] + grade.labs + ["total", "max", "flags"]]
        for learner in grade.learners {
            var row = [learner.learner]
            for lab in grade.labs { row.append(TableReport.format(learner.lab(lab)?.points ?? 0)) }
            row.append(TableReport.format(learner.points))
            row.append(TableReport.format(learner.maxPoints))
            row.append(learner.flags.map(\.line).joined(separator: "; "))
            rows.append(row)
        }
        return table(rows)
    }

    /// Rows as RFC 4180 CSV with CRLF line ends.
    public static func table(_ rows: [[String]]) -> String {
        rows.map { $0.map(field).joined(separator: ",") }.joined(separator: "\r\n") + "\r\n"
    }

    /// Quotes a field holding a comma, a quote, a line break, or leading/trailing spaces;
    /// a leading =, +, - or @ is prefixed with ' so a spreadsheet never runs it as a formula
    /// (learner ids and flag details come from untrusted workspaces).
    static func field(_ value: String) -> String {
        var text = value
        if let first = text.first, "=+-@".contains(first) { text = "'" + text }
        let needsQuotes = text.contains { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" }
            || text.first == " " || text.last == " "
        return needsQuotes ? "\"" + text.replacingOccurrences(of: "\"", with: "\"\"") + "\"" : text
    }
}
