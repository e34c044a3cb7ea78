import Foundation

/// One self-contained HTML file (inline style, no script, nothing fetched): a learner × step
/// heatmap with flagged cells marked, the pass rate of each step (where the class got stuck),
/// and a detail section per learner with the failure messages and flags.
public enum HTMLReport {
    public static func render(_ grade: ClassGrade, title: String = "klab grades") -> String {
        let columns = grade.labs.flatMap { lab in (grade.steps[lab] ?? []).map { (lab, $0) } }
        var out = """
        <!DOCTYPE html>
        <html lang="en">
        <head>
        <meta charset="utf-8">
        <meta name="viewport" content="width=device-width, initial-scale=1">
        <title>\(escape(title))</title>
        <style>
        body { font: 14px/1.4 system-ui, sans-serif; margin: 24px; color: #1d2330; background: #ffffff; }
        h1 { font-size: 22px; margin: 0 0 4px; }
        .summary { color: #555; margin-bottom: 16px; }
        table { border-collapse: collapse; margin-bottom: 24px; }
        th, td { border: 1px solid #d5d9e0; padding: 4px 8px; text-align: center; }
        th.learner, td.learner { text-align: left; white-space: nowrap; }
        thead th { background: #f1f3f7; font-weight: 600; }
        th.step { writing-mode: vertical-rl; transform: rotate(180deg); height: 110px; }
        td.passed { background: #2e9d57; color: #fff; }
        td.partial { background: #a7d49b; }
        td.failed { background: #e4685d; color: #fff; }
        td.flagged { background: #f2b134; outline: 3px solid #b00020; outline-offset: -3px; font-weight: 700; }
        td.not-attempted { background: #eceef2; color: #8a8f99; }
        tr.rate td { font-weight: 600; }
        td.total { font-weight: 600; }
        .legend span { display: inline-block; padding: 2px 8px; margin-right: 6px; }
        .learnerflags { color: #b00020; }
        section.learner { border-top: 1px solid #d5d9e0; padding: 8px 0; }
        section.learner h3 { margin: 4px 0; font-size: 16px; }
        ul { margin: 4px 0 4px 20px; padding: 0; }
        li.flag { color: #b00020; }
        code { font-family: ui-monospace, monospace; font-size: 12px; }
        </style>
        </head>
        <body>
        <h1>\(escape(title))</h1>

        """
        let flagged = grade.learners.filter { !$0.flags.isEmpty }.count
        out += "<p class=\"summary\">\(grade.learners.count) learner\(grade.learners.count == 1 ? "" : "s") graded (\(escape(grade.mode))), \(flagged) flagged; labs: \(escape(grade.labs.joined(separator: ", ")))</p>\n"
        if let note = grade.keyNote { out += "<p class=\"summary\">Note: \(escape(note))</p>\n" }
        out += "<p class=\"legend\"><span class=\"passed\" style=\"background:#2e9d57;color:#fff\">passed</span><span style=\"background:#a7d49b\">partial</span><span style=\"background:#e4685d;color:#fff\">failed</span><span style=\"background:#f2b134;outline:3px solid #b00020;outline-offset:-3px\">! flagged</span><span style=\"background:#eceef2\">not attempted</span></p>\n"

        // The heatmap.
        out += "<table class=\"heatmap\">\n<thead>\n<tr><th class=\"learner\" rowspan=\"2\">learner</th>"
        for lab in grade.labs { out += "<th colspan=\"\((grade.steps[lab] ?? []).count)\">\(escape(lab))</th>" }
        out += "<th rowspan=\"2\">total</th><th rowspan=\"2\">flags</th></tr>\n<tr>"
        for (_, step) in columns { out += "<th class=\"step\">\(escape(step))</th>" }
        out += "</tr>\n</thead>\n<tbody>\n"
        for (index, learner) in grade.learners.enumerated() {
            out += "<tr><td class=\"learner\"><a href=\"#learner-\(index)\">\(escape(learner.learner))</a></td>"
            for (lab, step) in columns {
                let stepGrade = learner.lab(lab)?.steps.first { $0.step == step }
                out += cell(stepGrade, flagged: learner.flags.contains { $0.lab == lab && $0.step == step })
            }
            out += "<td class=\"total\">\(TableReport.format(learner.points))/\(TableReport.format(learner.maxPoints))</td>"
            out += "<td class=\"learnerflags\">\(learner.flags.isEmpty ? "" : String(learner.flags.count))</td></tr>\n"
        }
        out += "<tr class=\"rate\"><td class=\"learner\">pass rate</td>"
        for (lab, step) in columns {
            let passed = grade.learners.filter { $0.lab(lab)?.steps.first { $0.step == step }?.status == .passed }.count
            let rate = grade.learners.isEmpty ? 0 : passed * 100 / grade.learners.count
            out += "<td title=\"\(passed) of \(grade.learners.count)\">\(rate)%</td>"
        }
        out += "<td></td><td></td></tr>\n</tbody>\n</table>\n"

        // Per-learner detail.
        out += "<h2>Learners</h2>\n"
        for (index, learner) in grade.learners.enumerated() {
            out += "<section class=\"learner\" id=\"learner-\(index)\">\n<h3>\(escape(learner.learner)) — \(TableReport.format(learner.points))/\(TableReport.format(learner.maxPoints))</h3>\n"
            out += "<p><code>\(escape(learner.source))</code></p>\n"
            if !learner.flags.isEmpty {
                out += "<ul>\n"
                for flag in learner.flags { out += "<li class=\"flag\">\(escape(flag.line))</li>\n" }
                out += "</ul>\n"
            }
            let failing = learner.labs.flatMap { lab in lab.steps.filter { !$0.messages.isEmpty }.map { (lab.lab, $0) } }
            if !failing.isEmpty {
                out += "<ul>\n"
                for (lab, step) in failing {
                    out += "<li><b>\(escape(lab))/\(escape(step.step))</b> (\(step.status.rawValue)): \(step.messages.map(escape).joined(separator: "; "))</li>\n"
                }
                out += "</ul>\n"
            }
            out += "</section>\n"
        }
        return out + "</body>\n</html>\n"
    }

    static func cell(_ step: StepGrade?, flagged: Bool) -> String {
        guard let step else { return "<td class=\"not-attempted\"></td>" }
        let tooltip = step.messages.isEmpty ? step.status.rawValue : step.messages.joined(separator: "\n")
        let points = TableReport.format(step.points)
        switch step.status {
        case .passed:
            return "<td class=\"passed\" title=\"\(escape(tooltip))\">\(points)</td>"
        case .flagged, .failed where flagged:
            return "<td class=\"flagged\" title=\"\(escape(tooltip))\">!</td>"
        case .failed:
            return "<td class=\"\(step.points > 0 ? "partial" : "failed")\" title=\"\(escape(tooltip))\">\(points)</td>"
        case .notAttempted:
            return "<td class=\"not-attempted\" title=\"not attempted\"></td>"
        }
    }

    public static func escape(_ text: String) -> String {
        var out = ""
        for ch in text {
            switch ch {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&#39;"
            default: out.append(ch)
            }
        }
        return out
    }
}
