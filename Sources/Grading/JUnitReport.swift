import Foundation

/// JUnit XML (the common schema CI servers read): a `<testsuite>` per learner, a `<testcase>`
/// per lab step (`classname` the lab), failures carrying the check messages, flags as
/// failures of type `flagged:<kind>`, steps not reached as `<skipped/>`.
public enum JUnitReport {
    public static func render(_ grade: ClassGrade) -> String {
        var out = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites>\n"
        for (index, learner) in grade.learners.enumerated() {
            let cases = learner.labs.flatMap { lab in lab.steps.map { (lab.lab, $0) } }
            let failures = cases.filter { $0.1.status == .failed || $0.1.status == .flagged }.count
            let skipped = cases.filter { $0.1.status == .notAttempted }.count
            out += "  <testsuite name=\"\(escape(learner.learner))\" tests=\"\(cases.count)\" failures=\"\(failures)\" errors=\"0\" skipped=\"\(skipped)\" id=\"\(index)\" package=\"klab.\(escape(grade.mode))\" hostname=\"klab\" timestamp=\"1970-01-01T00:00:00\" time=\"0\">\n"
            out += "    <properties>\n"
            out += "      <property name=\"source\" value=\"\(escape(learner.source))\"/>\n"
            out += "      <property name=\"points\" value=\"\(TableReport.format(learner.points))/\(TableReport.format(learner.maxPoints))\"/>\n"
            if let key = learner.signedWith {
                out += "      <property name=\"signedWith\" value=\"\(escape(key))\"/>\n"
            }
            for flag in learner.flags where flag.step == nil {
                out += "      <property name=\"flag\" value=\"\(escape(flag.line))\"/>\n"
            }
            out += "    </properties>\n"
            for (lab, step) in cases {
                out += "    <testcase name=\"\(escape(step.step))\" classname=\"\(escape(lab))\" time=\"0\""
                switch step.status {
                case .passed:
                    out += "/>\n"
                case .notAttempted:
                    out += ">\n      <skipped/>\n    </testcase>\n"
                case .failed, .flagged:
                    let flag = learner.flags.first { $0.lab == lab && $0.step == step.step }
                    let type = flag.map { "flagged:\($0.kind.rawValue)" } ?? "failed"
                    let summary = flag?.detail ?? step.messages.first ?? "the step does not pass"
                    out += ">\n      <failure message=\"\(escape(summary))\" type=\"\(escape(type))\">"
                    out += escape(step.messages.joined(separator: "\n"))
                    out += "</failure>\n    </testcase>\n"
                }
            }
            out += "    <system-out/>\n    <system-err/>\n  </testsuite>\n"
        }
        return out + "</testsuites>\n"
    }

    /// XML 1.0 text and attribute escaping; characters XML 1.0 cannot carry become U+FFFD.
    static func escape(_ text: String) -> String {
        var out = ""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "\n": out += "&#10;"
            case "\t": out += "&#9;"
            case "\r": out += "&#13;"
            default:
                let v = scalar.value
                let allowed = v >= 0x20 && v != 0xFFFE && v != 0xFFFF
                out.unicodeScalars.append(allowed ? scalar : "\u{FFFD}")
            }
        }
        return out
    }
}
