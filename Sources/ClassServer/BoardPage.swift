import Foundation
import Grading
import KubeJSON

/// The pages of `klab serve`: the class page (a heatmap drawn by a small inline script from
/// the board's JSON, and redrawn from every server-sent event) and a learner's page. Nothing
/// is fetched from elsewhere: the pages work without a network, on a projector, in large type,
/// in colours that colour-blind readers tell apart (Okabe–Ito), each state with a sign too.
public enum BoardPage {
    /// One letter a cell: `p` passed, `h` partly, `f` failed, `x` flagged, `n` not attempted.
    static func cells(_ learner: LearnerGrade, _ grade: ClassGrade) -> String {
        var passed: [Int] = []
        return cells(learner, grade, passed: &passed)
    }

    /// The cells, counting each column the learner passed into `passed` (one slot a column,
    /// grown as needed): the pass rates come out of the same walk over the class.
    static func cells(_ learner: LearnerGrade, _ grade: ClassGrade, passed: inout [Int]) -> String {
        var out: [UInt8] = []
        var column = 0
        let flagged = Set(learner.flags.compactMap { flag in flag.step.map { "\(flag.lab ?? "")/\($0)" } })
        for lab in grade.labs {
            let steps = grade.steps[lab] ?? []
            // Each lab and step looked up once, by position when the grade is in catalog order.
            let labGrade = learner.labs.first { $0.lab == lab }
            for (position, step) in steps.enumerated() {
                defer { column += 1 }
                if passed.count <= column { passed.append(0) }
                let stepGrade: StepGrade?
                if let all = labGrade?.steps {
                    stepGrade = position < all.count && all[position].step == step ? all[position] : all.first { $0.step == step }
                } else {
                    stepGrade = nil
                }
                let isFlagged = !flagged.isEmpty && flagged.contains("\(lab)/\(step)")
                switch stepGrade?.status {
                case nil, .notAttempted?: out.append(UInt8(ascii: "n"))
                case .passed?:
                    passed[column] += 1
                    out.append(UInt8(ascii: isFlagged ? "x" : "p"))
                case .flagged?: out.append(UInt8(ascii: "x"))
                case .failed?: out.append(UInt8(ascii: isFlagged ? "x" : (stepGrade?.points ?? 0) > 0 ? "h" : "f"))
                }
            }
        }
        return String(decoding: out, as: UTF8.self)
    }

    static func milliseconds(_ date: Date) -> JSONValue { .int(Int64((date.timeIntervalSince1970 * 1000).rounded())) }

    /// What the class page draws, compact: sent in the page and in every event.
    public static func boardJSON(_ snapshot: ClassBoard.Snapshot) -> JSONValue {
        let grade = snapshot.grade
        let columns = grade.labs.flatMap { lab in (grade.steps[lab] ?? []).map { (lab, $0) } }
        var rows: [JSONValue] = []
        var passed = [Int](repeating: 0, count: columns.count)
        for (learner, row) in zip(grade.learners, snapshot.rows) {
            rows.append(.object(JSONObject([
                ("id", .string(learner.learner)),
                ("cells", .string(cells(learner, grade, passed: &passed))),
                ("points", .string("\(TableReport.format(learner.points))/\(TableReport.format(learner.maxPoints))")),
                ("flags", .int(Int64(learner.flags.count))),
                ("stale", .bool(row.stale)),
                ("current", row.current.map(JSONValue.string) ?? .null),
                ("since", milliseconds(row.since)),
            ])))
        }
        let rates: [JSONValue] = columns.indices.map { column in
            .int(grade.learners.isEmpty ? 0 : Int64(passed[column] * 100 / grade.learners.count))
        }
        let stuck = snapshot.rows.filter { $0.current != nil }.sorted { ($0.since, $0.learner) < ($1.since, $1.learner) }.prefix(5)
        return .object(JSONObject([
            ("version", .int(Int64(snapshot.version))),
            ("mode", .string(grade.mode)),
            ("now", milliseconds(snapshot.updated)),
            ("problem", snapshot.problem.map(JSONValue.string) ?? .null),
            ("labs", .array(grade.labs.map { .array([.string($0), .int(Int64((grade.steps[$0] ?? []).count))]) })),
            ("steps", .array(columns.map { .string($0.1) })),
            ("rows", .array(rows)),
            ("rates", .array(rates)),
            ("stuck", .array(stuck.map { row in
                .object(JSONObject([("id", .string(row.learner)), ("current", .string(row.current ?? "")), ("since", milliseconds(row.since))]))
            })),
        ]))
    }

    static let style = """
    :root { --passed: #0072B2; --partial: #56B4E9; --failed: #D55E00; --flagged: #F0E442; --none: #E6E6E6; --ink: #111; }
    body { font: 20px/1.35 system-ui, sans-serif; margin: 20px 28px; color: var(--ink); background: #fff; }
    h1 { font-size: 32px; margin: 0 0 6px; }
    h2 { font-size: 24px; margin: 22px 0 8px; }
    .meta { color: #444; margin: 0 0 12px; }
    .problem { background: #fff3c4; border-left: 6px solid var(--failed); padding: 8px 12px; margin: 8px 0; }
    .live { display: inline-block; width: 14px; height: 14px; border-radius: 7px; background: #999; vertical-align: middle; }
    .live.on { background: var(--passed); }
    table { border-collapse: collapse; margin-bottom: 18px; }
    th, td { border: 2px solid #fff; padding: 4px 8px; text-align: center; min-width: 30px; }
    th { background: #f0f0f0; font-weight: 600; }
    th.step { writing-mode: vertical-rl; transform: rotate(180deg); height: 150px; font-size: 16px; font-weight: 500; }
    td.who, th.who { text-align: left; white-space: nowrap; }
    td.c { font-weight: 700; font-size: 22px; }
    td.p { background: var(--passed); color: #fff; }
    td.h { background: var(--partial); color: #000; }
    td.f { background: var(--failed); color: #fff; }
    td.x { background: var(--flagged); color: #000; outline: 3px solid #000; outline-offset: -3px; }
    td.n { background: var(--none); color: #777; }
    tr.stale td { opacity: .5; }
    tr.rate td { font-weight: 700; background: #f7f7f7; }
    .tag { font-size: 15px; background: #222; color: #fff; border-radius: 4px; padding: 1px 6px; margin-left: 6px; }
    .legend span { display: inline-block; padding: 2px 10px; margin-right: 8px; font-weight: 600; }
    ol.stuck li { margin: 2px 0; }
    a { color: #0b4f8a; }
    code { font-family: ui-monospace, monospace; font-size: 17px; }
    """

    static let script = """
    const signs = { p: "\\u2713", h: "\\u00BD", f: "\\u2717", x: "!", n: "" };
    const token = new URLSearchParams(location.search).get("token");
    const withToken = token ? "token=" + encodeURIComponent(token) : "";
    let board = JSON.parse(document.getElementById("board-data").textContent);
    let offset = Date.now() - board.now;
    function el(tag, cls, text) {
      const e = document.createElement(tag);
      if (cls) e.className = cls;
      if (text !== undefined && text !== null) e.textContent = text;
      return e;
    }
    function ago(ms) {
      const s = Math.max(0, Math.floor((Date.now() - offset - ms) / 1000));
      if (s < 60) return s + " s";
      const m = Math.floor(s / 60);
      return m < 60 ? m + " min" : Math.floor(m / 60) + " h " + (m % 60) + " min";
    }
    function learnerLink(id) {
      const a = el("a", null, id);
      a.href = "/learner?id=" + encodeURIComponent(id) + (withToken ? "&" + withToken : "");
      return a;
    }
    function render() {
      const b = board;
      document.body.dataset.version = b.version;
      document.getElementById("summary").textContent = b.rows.length + " learners, " + b.mode + ", updated " + new Date(b.now).toLocaleTimeString();
      const problem = document.getElementById("problem");
      problem.hidden = !b.problem;
      problem.textContent = b.problem || "";
      const stuck = document.getElementById("stuck");
      stuck.replaceChildren(...b.stuck.map(r => {
        const li = el("li");
        li.append(learnerLink(r.id), " on " + r.current + " for " + ago(r.since));
        return li;
      }));
      if (!b.stuck.length) stuck.append(el("li", null, "nobody is on a step yet"));
      const head1 = el("tr"), head2 = el("tr");
      for (const text of ["learner", "on step", "for"]) { const th = el("th", "who", text); th.rowSpan = 2; head1.append(th); }
      for (const [lab, n] of b.labs) { const th = el("th", null, lab); th.colSpan = n; head1.append(th); }
      for (const text of ["total", "flags"]) { const th = el("th", null, text); th.rowSpan = 2; head1.append(th); }
      for (const step of b.steps) head2.append(el("th", "step", step));
      const body = el("tbody");
      for (const r of b.rows) {
        const tr = el("tr", r.stale ? "stale" : null);
        const who = el("td", "who");
        who.append(learnerLink(r.id));
        if (r.stale) who.append(el("span", "tag", "stale"));
        tr.append(who, el("td", "who", r.current || "\\u2014"), el("td", "who", r.current ? ago(r.since) : ""));
        for (const c of r.cells) tr.append(el("td", "c " + c, signs[c]));
        tr.append(el("td", null, r.points), el("td", null, r.flags ? String(r.flags) : ""));
        body.append(tr);
      }
      const rate = el("tr", "rate");
      const label = el("td", "who", "pass rate"); label.colSpan = 3; rate.append(label);
      for (const p of b.rates) rate.append(el("td", null, p + "%"));
      rate.append(el("td"), el("td"));
      body.append(rate);
      const thead = el("thead"); thead.append(head1, head2);
      document.getElementById("heat").replaceChildren(thead, body);
    }
    render();
    setInterval(render, 10000);
    const events = new EventSource("/events" + (withToken ? "?" + withToken : ""));
    const dot = document.getElementById("live");
    events.onopen = () => { dot.className = "live on"; dot.title = "live"; };
    events.onerror = () => { dot.className = "live"; dot.title = "reconnecting"; };
    events.addEventListener("board", e => { board = JSON.parse(e.data); offset = Date.now() - board.now; render(); });
    """

    /// The class page, with the board as it is now inside it (`boardJSON`, written compact).
    public static func classPage(_ board: String, title: String) -> String {
        """
        <!DOCTYPE html>
        <html lang="en">
        <head>
        <meta charset="utf-8">
        <meta name="viewport" content="width=device-width, initial-scale=1">
        <title>\(HTMLReport.escape(title))</title>
        <style>
        \(style)
        </style>
        </head>
        <body>
        <h1>\(HTMLReport.escape(title)) <span id="live" class="live" title="connecting"></span></h1>
        <p class="meta" id="summary"></p>
        <p class="problem" id="problem" hidden></p>
        <p class="legend"><span class="p" style="background:#0072B2;color:#fff">\u{2713} passed</span><span style="background:#56B4E9">\u{00BD} partly</span><span style="background:#D55E00;color:#fff">\u{2717} failed</span><span style="background:#F0E442;outline:3px solid #000;outline-offset:-3px">! flagged</span><span style="background:#E6E6E6">not yet</span></p>
        <h2>Stuck longest</h2>
        <ol class="stuck" id="stuck"></ol>
        <h2>Class</h2>
        <table id="heat"></table>
        <script id="board-data" type="application/json">\(board)</script>
        <script>
        \(script)
        </script>
        </body>
        </html>

        """
    }

    /// One learner: each step with its status, its last failure message and the hints used.
    public static func learnerPage(_ snapshot: ClassBoard.Snapshot, learner id: String, tokenQuery: String) -> String? {
        guard let index = snapshot.grade.learners.firstIndex(where: { $0.learner == id }) else { return nil }
        let learner = snapshot.grade.learners[index], row = snapshot.rows[index]
        let e = HTMLReport.escape
        var out = """
        <!DOCTYPE html>
        <html lang="en">
        <head>
        <meta charset="utf-8">
        <meta name="viewport" content="width=device-width, initial-scale=1">
        <meta http-equiv="refresh" content="15">
        <title>\(e(learner.learner)) · klab serve</title>
        <style>
        \(style)
        </style>
        </head>
        <body>
        <p><a href="/\(tokenQuery.isEmpty ? "" : "?" + tokenQuery)">← the class</a></p>
        <h1>\(e(learner.learner))</h1>

        """
        var meta = "\(TableReport.format(learner.points))/\(TableReport.format(learner.maxPoints)) points · \(e(learner.source))"
        if let current = row.current {
            let minutes = Int(snapshot.updated.timeIntervalSince(row.since) / 60)
            meta += " · on <b>\(e(current))</b> for \(minutes) min"
        }
        if row.stale { meta += " <span class=\"tag\">stale: the last grading did not finish in time</span>" }
        out += "<p class=\"meta\">\(meta)</p>\n"
        if !learner.flags.isEmpty {
            out += "<h2>Flags</h2>\n<ul>\n" + learner.flags.map { "<li>\(e($0.line))</li>\n" }.joined() + "</ul>\n"
        }
        out += "<table>\n<thead><tr><th class=\"who\">lab</th><th class=\"who\">step</th><th>status</th><th>hints</th><th class=\"who\">last failure</th></tr></thead>\n<tbody>\n"
        let letters = Array(cells(learner, snapshot.grade))
        var column = 0
        for lab in snapshot.grade.labs {
            for step in snapshot.grade.steps[lab] ?? [] {
                let grade = learner.lab(lab)?.steps.first { $0.step == step }
                let letter = column < letters.count ? letters[column] : "n"
                column += 1
                let hints = row.hints["\(lab)/\(step)"].map(String.init) ?? ""
                let message = grade?.messages.joined(separator: "; ") ?? ""
                out += "<tr><td class=\"who\">\(e(lab))</td><td class=\"who\">\(e(step))</td><td class=\"c \(letter)\">\(e(grade?.status.rawValue ?? "not-attempted"))</td><td>\(hints)</td><td class=\"who\">\(e(message))</td></tr>\n"
            }
        }
        return out + "</tbody>\n</table>\n</body>\n</html>\n"
    }
}
