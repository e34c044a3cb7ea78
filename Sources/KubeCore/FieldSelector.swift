import KubeJSON

/// A field selector in kubectl's `--field-selector` syntax, applied as the API server applies
/// it (`k8s.io/apimachinery/pkg/fields`): terms joined by commas (all must hold), each
/// `field=value`, `field==value` or `field!=value`. In a value, `\,` `\=` and `\\` stand for
/// `,` `=` and `\`; an unescaped `,` or `=`, any other escape, or a lone `\` at the end is
/// refused. The field is the text before the first operator, as written (no escapes, no
/// trimming). Only the fields the API server supports for the kind may be used:
/// `metadata.name` and `metadata.namespace` everywhere, and a few per kind
/// (see `supportedFields(kind:)`).
public struct FieldSelector: Sendable, Equatable, CustomStringConvertible {
    public struct Term: Sendable, Equatable {
        public var field: String
        public var negated: Bool
        public var value: String

        public init(field: String, negated: Bool, value: String) {
            self.field = field
            self.negated = negated
            self.value = value
        }

        /// The text the API server compares for this term's field in an object.
        public func found(in object: JSONValue) -> String {
            FieldSelector.fieldValue(field, of: object)
        }

        public func matches(_ object: JSONValue) -> Bool {
            matches(found(in: object))
        }

        func matches(_ value: String) -> Bool {
            negated ? value != self.value : value == self.value
        }
    }

    public var terms: [Term]

    public init(terms: [Term]) {
        self.terms = terms
    }

    /// Parses a selector's syntax alone, for any field (what apimachinery's `ParseSelector`
    /// accepts).
    public init(parsing text: String) throws {
        var terms: [Term] = []
        for raw in Self.splitTerms(text) where !raw.isEmpty {
            guard let (field, op, escaped) = Self.splitTerm(raw) else {
                throw SelectorError(.field(kind: "any kind"), selector: text, reason: "invalid selector: '\(text)'; can't understand '\(raw)'")
            }
            let value: String
            do {
                value = try Self.unescape(escaped)
            } catch let error as EscapeError {
                throw SelectorError(.field(kind: "any kind"), selector: text, reason: error.description)
            }
            terms.append(Term(field: field, negated: op == "!=", value: value))
        }
        self.terms = terms
    }

    /// Parses a selector for a kind; an unsupported field is an error, as it is on the server.
    public init(parsing text: String, kind: String) throws {
        do {
            try self.init(parsing: text)
        } catch var error as SelectorError {
            error.syntax = .field(kind: kind)
            throw error
        }
        for term in terms where !Self.isSupported(term.field, kind: kind) {
            throw SelectorError(.field(kind: kind), selector: text, reason: "field label not supported: \(term.field)")
        }
    }

    /// Matches a set of field values, as upstream's `Selector.Matches(fields.Set)` does; a
    /// field absent from the set reads as "".
    public func matches(fields: [String: String]) -> Bool {
        terms.allSatisfy { $0.matches(fields[$0.field] ?? "") }
    }

    public func matches(object: JSONValue) -> Bool {
        terms.allSatisfy { $0.matches(object) }
    }

    /// The selector as the API server prints it back, values escaped.
    public var description: String {
        terms.map { "\($0.field)\($0.negated ? "!=" : "=")\(Self.escape($0.value))" }.joined(separator: ",")
    }

    /// The fields the API server lets a field selector use for a kind, beyond `metadata.name`
    /// and `metadata.namespace`; custom resources support only those two.
    public static func supportedFields(kind: String) -> [String] {
        let common = ["metadata.name", "metadata.namespace"]
        switch KubernetesKinds.info(named: kind)?.kind ?? kind {
        case "Pod":
            return common + [
                "spec.nodeName", "spec.restartPolicy", "spec.schedulerName", "spec.serviceAccountName",
                "spec.hostNetwork", "status.phase", "status.podIP", "status.podIPs", "status.nominatedNodeName",
            ]
        case "Node": return common + ["spec.unschedulable"]
        case "Event":
            return common + [
                "involvedObject.kind", "involvedObject.namespace", "involvedObject.name", "involvedObject.uid",
                "involvedObject.apiVersion", "involvedObject.resourceVersion", "involvedObject.fieldPath",
                "reason", "reportingComponent", "source", "type",
            ]
        case "Secret": return common + ["type"]
        case "Namespace": return common + ["status.phase"]
        case "ReplicaSet", "ReplicationController": return common + ["status.replicas"]
        case "Job": return common + ["status.successful"]
        case "CertificateSigningRequest": return common + ["spec.signerName"]
        default: return common
        }
    }

    static func isSupported(_ field: String, kind: String) -> Bool {
        supportedFields(kind: kind).contains(field)
    }

    /// The text the API server compares for a field: absent strings are "", booleans
    /// "true"/"false" (absent = false), numbers in decimal.
    static func fieldValue(_ field: String, of object: JSONValue) -> String {
        switch field {
        case "metadata.name": return text(object["metadata"]?["name"])
        case "metadata.namespace": return text(object["metadata"]?["namespace"])
        case "spec.hostNetwork", "spec.unschedulable":
            return object["spec"]?[String(field.dropFirst(5))]?.boolValue == true ? "true" : "false"
        case "status.podIP", "status.podIPs":
            // The server indexes the first pod IP under both names.
            if let first = object["status"]?["podIPs"]?[0]?["ip"] { return text(first) }
            return text(object["status"]?["podIP"])
        case "status.replicas", "status.successful":
            return text(object["status"]?[String(field.dropFirst(7))] ?? .int(0))
        case "source":
            return text(object["source"]?["component"])
        default:
            var value: JSONValue? = object
            for part in field.split(separator: ".") { value = value?[String(part)] }
            return text(value)
        }
    }

    private static func text(_ value: JSONValue?) -> String {
        switch value {
        case .string(let s)?: return s
        case .int(let n)?: return String(n)
        case .double(let d)?: return GoFormat.percentV(d)
        case .bool(let b)?: return b ? "true" : "false"
        default: return ""
        }
    }

    /// Splits on unescaped commas, keeping escapes for the term parser; "" has no terms.
    static func splitTerms(_ text: String) -> [String] {
        guard !text.isEmpty else { return [] }
        var terms: [String] = []
        var current = ""
        var escaped = false
        for c in text.unicodeScalars {
            if escaped {
                escaped = false
            } else if c == "\\" {
                escaped = true
            } else if c == "," {
                terms.append(current)
                current = ""
                continue
            }
            current.unicodeScalars.append(c)
        }
        terms.append(current)
        return terms
    }

    /// One term cut at the first `!=`, `==` or `=` (tried in that order at each position):
    /// the field as written, the operator, and the value still escaped.
    static func splitTerm(_ term: String) -> (field: String, op: String, value: String)? {
        var index = term.startIndex
        while index < term.endIndex {
            let rest = term[index...]
            for op in ["!=", "==", "="] where rest.hasPrefix(op) {
                return (String(term[..<index]), op, String(rest.dropFirst(op.count)))
            }
            index = term.index(after: index)
        }
        return nil
    }

    /// A value as it must be written in a selector: `\`, `,` and `=` escaped.
    public static func escape(_ value: String) -> String {
        var out = ""
        for c in value.unicodeScalars {
            if c == "\\" || c == "," || c == "=" { out.unicodeScalars.append("\\") }
            out.unicodeScalars.append(c)
        }
        return out
    }

    /// A written value read back; throws on an unescaped `,` or `=`, an unknown escape, or a
    /// lone backslash at the end (apimachinery's `UnescapeValue`).
    public static func unescape(_ text: String) throws -> String {
        var out = ""
        var escaped = false
        for c in text.unicodeScalars {
            if escaped {
                guard c == "\\" || c == "," || c == "=" else { throw EscapeError.invalidEscape("\\" + String(c)) }
                out.unicodeScalars.append(c)
                escaped = false
            } else if c == "\\" {
                escaped = true
            } else if c == "," || c == "=" {
                throw EscapeError.unescaped(c)
            } else {
                out.unicodeScalars.append(c)
            }
        }
        if escaped { throw EscapeError.invalidEscape("\\") }
        return out
    }

    enum EscapeError: Error, CustomStringConvertible {
        case invalidEscape(String)
        case unescaped(Unicode.Scalar)

        var description: String {
            switch self {
            case .invalidEscape(let sequence): return "invalid field selector: invalid escape sequence: \(sequence)"
            case .unescaped(let c): return "invalid field selector: unescaped character '\(c)' (write it as \\\(c))"
            }
        }
    }
}
