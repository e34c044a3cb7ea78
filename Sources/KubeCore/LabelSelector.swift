import KubeJSON

/// A label selector in kubectl's `-l` syntax, parsed and matched as the API server does
/// (`k8s.io/apimachinery/pkg/labels`): requirements joined by commas (all must hold), each
/// `key`, `!key`, `key=value`, `key==value`, `key!=value`, `key in (a,b)`, `key notin (a,b)`,
/// `key>n` or `key<n`. `!=` and `notin` also match objects without the label.
public struct LabelSelector: Sendable, Equatable, CustomStringConvertible {
    public enum Operator: String, Sendable, Equatable {
        /// `==` is `=` under another spelling, kept so that the selector prints as written.
        case exists, doesNotExist, equals, doubleEquals, notEquals, `in`, notIn, greaterThan, lessThan
    }

    public struct Requirement: Sendable, Equatable {
        public var key: String
        public var op: Operator
        public var values: [String]

        /// A requirement as parsed, unchecked; `init(validating:_:_:)` checks it.
        public init(key: String, op: Operator, values: [String]) {
            self.key = key
            self.op = op
            self.values = values
        }

        /// A requirement the API server would accept (apimachinery's `NewRequirement`): a
        /// qualified-name key; `in`/`notin` with at least one value; `=`, `==`, `!=` with
        /// exactly one; `exists`/`!` with none; `>`/`<` with one integer; valid label values.
        public init(validating key: String, _ op: Operator, _ values: [String]) throws {
            try Self.validateKey(key)
            switch op {
            case .in, .notIn:
                if values.isEmpty { throw Failure(message: "for 'in', 'notin' operators, values set can't be empty") }
            case .equals, .doubleEquals, .notEquals:
                if values.count != 1 { throw Failure(message: "exact-match compatibility requires one single value") }
            case .exists, .doesNotExist:
                if !values.isEmpty { throw Failure(message: "values set must be empty for exists and does not exist") }
            case .greaterThan, .lessThan:
                if values.count != 1 { throw Failure(message: "for 'Gt', 'Lt' operators, exactly one value is required") }
                if Int64(values[0]) == nil { throw Failure(message: "for 'Gt', 'Lt' operators, the value must be an integer") }
            }
            for value in values { try Self.validateValue(value, key: key) }
            self.init(key: key, op: op, values: values)
        }

        public func matches(_ labels: [String: String]) -> Bool {
            let value = labels[key]
            switch op {
            case .exists: return value != nil
            case .doesNotExist: return value == nil
            case .equals, .doubleEquals, .in: return value.map(values.contains) ?? false
            case .notEquals, .notIn: return value.map { !values.contains($0) } ?? true
            case .greaterThan, .lessThan:
                guard let value, let have = Int64(value), let bound = values.first.flatMap({ Int64($0) }) else { return false }
                return op == .greaterThan ? have > bound : have < bound
            }
        }

        static func validateKey(_ key: String) throws {
            let parts = key.split(separator: "/", omittingEmptySubsequences: false)
            let name: Substring
            if parts.count == 2 {
                let prefix = parts[0]
                if prefix.isEmpty || prefix.count > 253 || !isDNSSubdomain(prefix) {
                    throw Failure(message: "invalid label key \"\(key)\": prefix part must be a lowercase DNS subdomain (e.g. 'example.com')")
                }
                name = parts[1]
            } else if parts.count == 1 {
                name = parts[0]
            } else {
                throw Failure(message: "invalid label key \"\(key)\": a qualified name must consist of an optional DNS prefix and a name separated by '/'")
            }
            if name.isEmpty || name.count > 63 || !isLabelName(name) {
                throw Failure(message: "invalid label key \"\(key)\": name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (at most 63 characters)")
            }
        }

        static func validateValue(_ value: String, key: String) throws {
            if value.isEmpty { return }
            if value.count > 63 || !isLabelName(Substring(value)) {
                throw Failure(message: "invalid label value \"\(value)\" for \(key): a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (at most 63 characters)")
            }
        }

        static func isLabelName(_ text: Substring) -> Bool {
            guard let first = text.first, let last = text.last, isAlphanumeric(first), isAlphanumeric(last) else { return false }
            return text.allSatisfy { isAlphanumeric($0) || $0 == "-" || $0 == "_" || $0 == "." }
        }

        static func isDNSSubdomain(_ text: Substring) -> Bool {
            text.split(separator: ".", omittingEmptySubsequences: false).allSatisfy { label in
                guard let first = label.first, let last = label.last, label.count <= 63 else { return false }
                let lowerAlnum: (Character) -> Bool = { $0.isASCII && ($0.isLowercase || $0.isNumber) }
                return lowerAlnum(first) && lowerAlnum(last) && label.allSatisfy { lowerAlnum($0) || $0 == "-" }
            }
        }

        static func isAlphanumeric(_ c: Character) -> Bool { c.isASCII && (c.isLetter || c.isNumber) }
    }

    public var requirements: [Requirement]

    /// Every object matches the empty selector.
    public static let everything = LabelSelector(requirements: [])

    public init(requirements: [Requirement]) {
        self.requirements = requirements
    }

    /// Parses a selector; errors read like the API server's (`unable to parse requirement: ...`).
    public init(parsing text: String) throws {
        do {
            var parser = Parser(tokens: try Lexer.tokens(text))
            requirements = try parser.parse()
        } catch let failure as Failure {
            throw SelectorError(.label, selector: text, reason: failure.message)
        }
    }

    public func matches(_ labels: [String: String]) -> Bool {
        requirements.allSatisfy { $0.matches(labels) }
    }

    /// Matches an object's `metadata.labels`.
    public func matches(object: JSONValue) -> Bool {
        matches(Self.labels(of: object))
    }

    /// An object's labels as strings (non-string values, which the API server would refuse,
    /// are ignored).
    public static func labels(of object: JSONValue) -> [String: String] {
        var labels: [String: String] = [:]
        for (key, value) in object["metadata"]?["labels"]?.objectValue?.entries ?? [] {
            if let string = value.stringValue { labels[key] = string }
        }
        return labels
    }

    public var description: String {
        requirements.map { requirement in
            switch requirement.op {
            case .exists: return requirement.key
            case .doesNotExist: return "!" + requirement.key
            case .equals: return "\(requirement.key)=\(requirement.values.first ?? "")"
            case .doubleEquals: return "\(requirement.key)==\(requirement.values.first ?? "")"
            case .notEquals: return "\(requirement.key)!=\(requirement.values.first ?? "")"
            case .in: return "\(requirement.key) in (\(requirement.values.joined(separator: ",")))"
            case .notIn: return "\(requirement.key) notin (\(requirement.values.joined(separator: ",")))"
            case .greaterThan: return "\(requirement.key)>\(requirement.values.first ?? "")"
            case .lessThan: return "\(requirement.key)<\(requirement.values.first ?? "")"
            }
        }.joined(separator: ",")
    }

    // MARK: - Lexing and parsing, after apimachinery's labels/selector.go

    struct Failure: Error {
        var message: String
    }

    private enum Token: Equatable {
        case identifier(String)
        case bang, equals, doubleEquals, notEquals, openParen, closeParen, comma, greater, less
        case inKeyword, notInKeyword
        case end

        var literal: String {
            switch self {
            case .identifier(let name): return name
            case .bang: return "!"
            case .equals: return "="
            case .doubleEquals: return "=="
            case .notEquals: return "!="
            case .openParen: return "("
            case .closeParen: return ")"
            case .comma: return ","
            case .greater: return ">"
            case .less: return "<"
            case .inKeyword: return "in"
            case .notInKeyword: return "notin"
            case .end: return ""
            }
        }
    }

    private enum Lexer {
        static func tokens(_ text: String) throws -> [Token] {
            var tokens: [Token] = []
            let chars = Array(text)
            var i = 0
            while i < chars.count {
                let c = chars[i]
                if isWhitespace(c) {
                    i += 1
                    continue
                }
                if isSpecial(c) {
                    let next: Character? = i + 1 < chars.count ? chars[i + 1] : nil
                    switch (c, next) {
                    case ("!", "="): tokens.append(.notEquals); i += 2
                    case ("=", "="): tokens.append(.doubleEquals); i += 2
                    case ("!", _): tokens.append(.bang); i += 1
                    case ("=", _): tokens.append(.equals); i += 1
                    case ("(", _): tokens.append(.openParen); i += 1
                    case (")", _): tokens.append(.closeParen); i += 1
                    case (",", _): tokens.append(.comma); i += 1
                    case (">", _): tokens.append(.greater); i += 1
                    default: tokens.append(.less); i += 1
                    }
                    continue
                }
                var word = ""
                while i < chars.count, !isSpecial(chars[i]), !isWhitespace(chars[i]) {
                    word.append(chars[i])
                    i += 1
                }
                switch word {
                case "in": tokens.append(.inKeyword)
                case "notin": tokens.append(.notInKeyword)
                default: tokens.append(.identifier(word))
                }
            }
            tokens.append(.end)
            return tokens
        }

        static func isSpecial(_ c: Character) -> Bool { "=!(),<>".contains(c) }

        /// Go's lexer skips the bytes ' ', '\t', '\r' and '\n'. A Swift Character may be
        /// "\r\n" as one, which `" \t\r\n".contains(_:)` would not find alone: compare each.
        static func isWhitespace(_ c: Character) -> Bool {
            c == " " || c == "\t" || c == "\r" || c == "\n" || c == "\r\n"
        }
    }

    private struct Parser {
        var tokens: [Token]
        var position = 0

        var current: Token { tokens[position] }

        mutating func take() -> Token {
            let token = tokens[position]
            if position < tokens.count - 1 { position += 1 }
            return token
        }

        mutating func parse() throws -> [Requirement] {
            var requirements: [Requirement] = []
            if current == .end { return [] }
            while true {
                requirements.append(try requirement())
                let token = take()
                switch token {
                case .end: return requirements
                case .comma:
                    if current == .end { throw Failure(message: "found '', expected: identifier after ','") }
                default:
                    throw Failure(message: "found '\(token.literal)', expected: ',' or 'end of string'")
                }
            }
        }

        mutating func requirement() throws -> Requirement {
            var negated = false
            if current == .bang {
                negated = true
                _ = take()
            }
            // A key is read as a value is: `in` and `notin` are names there (`notin=in`).
            let keyToken = take()
            let key: String
            switch keyToken {
            case .identifier(let name): key = name
            case .inKeyword, .notInKeyword: key = keyToken.literal
            default: throw Failure(message: "found '\(keyToken.literal)', expected: identifier")
            }
            if negated {
                if current != .comma && current != .end {
                    throw Failure(message: "found '\(current.literal)', expected: ',' or 'end of string'")
                }
                return try validated(key, .doesNotExist, [])
            }
            if current == .comma || current == .end {
                return try validated(key, .exists, [])
            }
            let opToken = take()
            let op: Operator
            switch opToken {
            case .equals: op = .equals
            case .doubleEquals: op = .doubleEquals
            case .notEquals: op = .notEquals
            case .inKeyword: op = .in
            case .notInKeyword: op = .notIn
            case .greater: op = .greaterThan
            case .less: op = .lessThan
            default:
                throw Failure(message: "found '\(opToken.literal)', expected: in, notin, =, ==, !=, gt, lt")
            }
            let values = op == .in || op == .notIn ? try valueSet() : [try exactValue()]
            return try validated(key, op, values)
        }

        /// The requirement, with its problem worded as the API server words it.
        func validated(_ key: String, _ op: Operator, _ values: [String]) throws -> Requirement {
            do {
                return try Requirement(validating: key, op, values)
            } catch let failure as Failure {
                throw Failure(message: "unable to parse requirement: " + failure.message)
            }
        }

        mutating func exactValue() throws -> String {
            switch current {
            case .end, .comma: return ""
            case .identifier(let value):
                _ = take()
                return value
            case .inKeyword, .notInKeyword:
                return take().literal
            default:
                throw Failure(message: "found '\(current.literal)', expected: identifier")
            }
        }

        mutating func valueSet() throws -> [String] {
            let open = take()
            guard open == .openParen else { throw Failure(message: "found '\(open.literal)', expected: '('") }
            if current == .closeParen {
                // `()` is the set holding the empty value, as upstream reads it.
                _ = take()
                return [""]
            }
            var values: [String] = []
            var expectingValue = true
            while true {
                let token = take()
                switch token {
                case .identifier(let value) where expectingValue:
                    values.append(value)
                    expectingValue = false
                case .inKeyword where expectingValue, .notInKeyword where expectingValue:
                    values.append(token.literal)
                    expectingValue = false
                case .comma:
                    if expectingValue { values.append("") }
                    expectingValue = true
                case .closeParen:
                    if expectingValue { values.append("") }
                    return values
                default:
                    throw Failure(message: "found '\(token.literal)', expected: ',' or ')'")
                }
            }
        }
    }
}

extension LabelSelector {
    /// Whether the API server accepts `value` as a label value: at most 63 characters of
    /// letters, digits, '-', '_' and '.', starting and ending with a letter or digit (or empty).
    public static func isValidLabelValue(_ value: String) -> Bool {
        (try? Requirement.validateValue(value, key: "")) != nil
    }
}
