/// Parses a template exactly as kubectl's JSONPath parser does, including its quirks: a filter
/// operator is any run of `!<>=` (checked only when evaluated), `["key"]` is an invalid index,
/// `['a.b']` is re-parsed as `.a.b`, and sub-expressions (union members, filter sides) are
/// parsed as templates of their own. Errors are kubectl's messages.
struct JSONPathParser {
    private let input: [Unicode.Scalar]
    private var pos = 0

    private init(_ template: String) {
        input = Array(template.unicodeScalars)
    }

    /// The top-level nodes: `.text` for text outside braces, `.list` for each `{...}`.
    static func parse(_ template: String) throws -> [JSONPathNode] {
        var parser = JSONPathParser(template)
        return try parser.parseTemplate()
    }

    /// kubectl's `parseAction`: parses `{text}` as a template and keeps its first action.
    private static func parseAction(_ text: String) throws -> [JSONPathNode] {
        let nodes = try parse("{" + text + "}")
        guard case .list(let list)? = nodes.first else { return [] }
        return list
    }

    private func failure(_ message: String) -> JSONPathParseFailure {
        JSONPathParseFailure(message: message)
    }

    private func text(_ range: Range<Int>) -> String {
        var s = String.UnicodeScalarView()
        s.append(contentsOf: input[range])
        return String(s)
    }

    private func hasPrefix(_ prefix: String) -> Bool {
        var i = pos
        for scalar in prefix.unicodeScalars {
            guard i < input.count, input[i] == scalar else { return false }
            i += 1
        }
        return true
    }

    private mutating func parseTemplate() throws -> [JSONPathNode] {
        var nodes: [JSONPathNode] = []
        while true {
            let start = pos
            while pos < input.count, input[pos] != "{" { pos += 1 }
            if pos > start { nodes.append(.text(text(start..<pos))) }
            if pos >= input.count { return nodes }
            pos += 1
            nodes.append(.list(try parseInsideAction()))
        }
    }

    /// Reads tokens up to and including the closing `}`.
    private mutating func parseInsideAction() throws -> [JSONPathNode] {
        var cur: [JSONPathNode] = []
        while true {
            if hasPrefix("}") {
                pos += 1
                return cur
            }
            if hasPrefix("[?(") {
                try parseFilter(&cur)
                continue
            }
            if hasPrefix("..") {
                try parseRecursive(&cur)
                continue
            }
            guard pos < input.count else { throw failure("unclosed action") }
            let start = pos
            let r = input[pos]
            pos += 1
            switch r {
            case "\r", "\n":
                throw failure("unclosed action")
            case " ", "@", "$":
                continue
            case "[":
                try parseArray(&cur, start: start)
            case "\"", "'":
                try parseQuote(&cur, start: start, end: r)
            case ".":
                parseField(&cur)
            case "+", "-":
                try parseNumber(&cur, start: start)
            default:
                if Self.isDigit(r) {
                    try parseNumber(&cur, start: start)
                } else if Self.isAlphaNumeric(r) {
                    parseIdentifier(&cur, start: start)
                } else {
                    throw failure("unrecognized character in action: \(GoText.unicodeName(r))")
                }
            }
        }
    }

    private mutating func parseIdentifier(_ cur: inout [JSONPathNode], start: Int) {
        while !isTerminator(at: pos) { pos += 1 }
        let value = text(start..<pos)
        if value == "true" || value == "false" {
            cur.append(.bool(value == "true"))
        } else {
            cur.append(.identifier(value))
        }
    }

    private mutating func parseRecursive(_ cur: inout [JSONPathNode]) throws {
        if Self.endsWithRecursive(cur) {
            throw failure("invalid multiple recursive descent")
        }
        pos += 2
        cur.append(.recursive)
        if pos < input.count, Self.isAlphaNumeric(input[pos]) {
            parseField(&cur)
        }
    }

    private static func endsWithRecursive(_ nodes: [JSONPathNode]) -> Bool {
        switch nodes.last {
        case .recursive?: return true
        case .bracketKey(_, let inner)?: return endsWithRecursive(inner)
        default: return false
        }
    }

    private mutating func parseNumber(_ cur: inout [JSONPathNode], start: Int) throws {
        // The sign (if any) is already consumed; digits and dots follow.
        while pos < input.count, input[pos] == "." || Self.isDigit(input[pos]) { pos += 1 }
        let value = text(start..<pos)
        if let i = Int(value) {
            cur.append(.int(i))
        } else if let d = Self.goParseFloat(value) {
            cur.append(.float(d))
        } else {
            throw failure("cannot parse number \(value)")
        }
    }

    /// strconv.ParseFloat for what parseNumber scans: an optional sign, ASCII digits and one dot.
    private static func goParseFloat(_ text: String) -> Double? {
        var body = Substring(text)
        if body.first == "+" || body.first == "-" { body = body.dropFirst() }
        let parts = body.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count <= 2, parts.contains(where: { !$0.isEmpty }),
              parts.allSatisfy({ $0.allSatisfy { $0.isASCII && $0.isNumber } })
        else { return nil }
        return Double(text.hasSuffix(".") ? text + "0" : text)
    }

    private mutating func parseArray(_ cur: inout [JSONPathNode], start: Int) throws {
        while true {
            guard pos < input.count, input[pos] != "\n" else { throw failure("unterminated array") }
            pos += 1
            if input[pos - 1] == "]" { break }
        }
        var inner = text(start + 1..<pos - 1)
        if inner == "*" { inner = ":" }

        let members = inner.split(separator: ",", omittingEmptySubsequences: false)
        if members.count > 1 {
            var union: [[JSONPathNode]] = []
            for member in members {
                union.append(try Self.parseAction("[" + Self.trimSpaces(member) + "]"))
            }
            cur.append(.union(union))
            return
        }

        let scalars = Array(inner.unicodeScalars)
        if scalars.count >= 2, scalars.first == "'", scalars.last == "'",
           !scalars[1..<scalars.count - 1].contains("'") {
            let key = String(String.UnicodeScalarView(scalars[1..<scalars.count - 1]))
            cur.append(.bracketKey(key: key, nodes: try Self.parseAction("." + key)))
            return
        }

        guard let groups = Self.sliceGroups(scalars) else {
            throw failure("invalid array index \(inner)")
        }
        var params = [JSONPathSlice.Param](repeating: .init(), count: 3)
        for i in 0..<3 {
            var group = groups[i]
            if !group.isEmpty {
                if i > 0 { group.removeFirst() }
                if i > 0, group.isEmpty {
                    params[i].known = false
                } else {
                    guard let value = Int(group) else { throw failure("array index \(group) is not a number") }
                    params[i].known = true
                    params[i].value = value
                }
            } else if i == 1 {
                params[i].known = true
                params[i].value = params[0].value + 1
                params[i].derived = true
            }
        }
        cur.append(.slice(JSONPathSlice(start: params[0], end: params[1], step: params[2])))
    }

    private static func trimSpaces(_ s: Substring) -> String {
        var s = s
        while s.first == " " { s.removeFirst() }
        while s.last == " " { s.removeLast() }
        return String(s)
    }

    /// The groups of kubectl's `^(-?[\d]*)(:-?[\d]*)?(:-?[\d]*)?$`, or nil when it does not match.
    private static func sliceGroups(_ s: [Unicode.Scalar]) -> [String]? {
        var i = 0
        func part(colon: Bool) -> String {
            let start = i
            if colon {
                guard i < s.count, s[i] == ":" else { return "" }
                i += 1
            }
            if i < s.count, s[i] == "-" { i += 1 }
            while i < s.count, ("0"..."9").contains(s[i]) { i += 1 }
            return String(String.UnicodeScalarView(s[start..<i]))
        }
        let groups = [part(colon: false), part(colon: true), part(colon: true)]
        return i == s.count ? groups : nil
    }

    private mutating func parseFilter(_ cur: inout [JSONPathNode]) throws {
        pos += 3
        let start = pos
        var begin = false
        var end = false
        var pair: Unicode.Scalar = "\""
        scan: while true {
            guard pos < input.count, input[pos] != "\n" else { throw failure("unterminated filter") }
            let r = input[pos]
            pos += 1
            switch r {
            case "\"", "'":
                if !begin {
                    begin = true
                    pair = r
                    continue
                }
                if input[pos - 2] != "\\", r == pair { end = true }
            case ")":
                if begin == end { break scan }
            default:
                break
            }
        }
        guard pos < input.count, input[pos] == "]" else { throw failure("unclosed array expect ]") }
        pos += 1
        let body = Array(input[start..<pos - 2])
        if let (left, op, right) = Self.splitComparison(body) {
            cur.append(.filter(left: try Self.parseAction(left), right: try Self.parseAction(right), op: op))
        } else {
            cur.append(.filter(left: try Self.parseAction(String(String.UnicodeScalarView(body))), right: [], op: "exists"))
        }
    }

    private static func isOperator(_ c: Unicode.Scalar) -> Bool {
        c == "!" || c == "<" || c == ">" || c == "="
    }

    /// kubectl's `^([^!<>=]+)([!<>=]+)(.+?)$`: the left side runs to the first operator
    /// character, the operator takes the whole run unless that leaves nothing on the right.
    private static func splitComparison(_ s: [Unicode.Scalar]) -> (String, String, String)? {
        guard let opStart = s.firstIndex(where: isOperator), opStart > 0 else { return nil }
        var opEnd = opStart
        while opEnd < s.count, isOperator(s[opEnd]) { opEnd += 1 }
        if opEnd == s.count {
            guard opEnd - opStart >= 2 else { return nil }
            opEnd -= 1
        }
        func str(_ r: Range<Int>) -> String { String(String.UnicodeScalarView(s[r])) }
        return (str(0..<opStart), str(opStart..<opEnd), str(opEnd..<s.count))
    }

    private mutating func parseQuote(_ cur: inout [JSONPathNode], start: Int, end: Unicode.Scalar) throws {
        while true {
            guard pos < input.count, input[pos] != "\n" else { throw failure("unterminated quoted string") }
            pos += 1
            if input[pos - 1] == end, input[pos - 2] != "\\" { break }
        }
        let quoted = Array(input[start..<pos])
        guard let value = GoText.unquote(quoted) else {
            throw failure("unquote string \(text(start..<pos)) error invalid syntax")
        }
        cur.append(.text(value))
    }

    /// A field name runs to the next unescaped terminator; backslashes are then dropped.
    private mutating func parseField(_ cur: inout [JSONPathNode]) {
        let start = pos
        while pos < input.count {
            if input[pos] == "\\" {
                pos = min(pos + 2, input.count)
            } else if isTerminator(at: pos) {
                break
            } else {
                pos += 1
            }
        }
        let raw = text(start..<pos)
        if raw == "*" {
            cur.append(.wildcard)
        } else {
            cur.append(.field(raw.replacingAll("\\", with: "")))
        }
    }

    private func isTerminator(at i: Int) -> Bool {
        guard i < input.count else { return true }
        switch input[i] {
        case " ", "\t", "\r", "\n", ".", ",", "[", "]", "$", "@", "{", "}": return true
        default: return false
        }
    }

    /// Go's unicode.IsDigit: decimal digits of any script.
    static func isDigit(_ r: Unicode.Scalar) -> Bool {
        r.properties.generalCategory == .decimalNumber
    }

    /// kubectl's isAlphaNumeric: `_`, a letter or a digit.
    static func isAlphaNumeric(_ r: Unicode.Scalar) -> Bool {
        if r == "_" || isDigit(r) { return true }
        switch r.properties.generalCategory {
        case .uppercaseLetter, .lowercaseLetter, .titlecaseLetter, .modifierLetter, .otherLetter: return true
        default: return false
        }
    }
}

/// A parse error inside the parser; `JSONPath.init` turns it into a `JSONPathError`.
struct JSONPathParseFailure: Error {
    var message: String
}

extension String {
    fileprivate func replacingAll(_ target: Unicode.Scalar, with replacement: String) -> String {
        guard unicodeScalars.contains(target) else { return self }
        var out = String.UnicodeScalarView()
        for scalar in unicodeScalars {
            if scalar == target { out.append(contentsOf: replacement.unicodeScalars) } else { out.append(scalar) }
        }
        return String(out)
    }
}
