import KubeJSON

/// A field selector in kubectl's `--field-selector` syntax, applied as the API server applies
/// it (`k8s.io/apimachinery/pkg/fields`): terms joined by commas (all must hold), each
/// `field=value`, `field==value` or `field!=value`, with `\,` `\=` `\!` and `\\` escaping.
/// Only the fields the API server supports for the kind may be used: `metadata.name` and
/// `metadata.namespace` everywhere, and a few per kind (see `supportedFields(kind:)`).
public struct FieldSelector: Sendable, Equatable, CustomStringConvertible {
    public struct Term: Sendable, Equatable {
        public var field: String
        public var negated: Bool
        public var value: String
    }

    public var terms: [Term]

    public init(terms: [Term]) {
        self.terms = terms
    }

    /// Parses a selector for a kind; an unsupported field is an error, as it is on the server.
    public init(parsing text: String, kind: String) throws {
        var terms: [Term] = []
        for raw in Self.splitTerms(text) where !raw.isEmpty {
            guard let term = Self.term(raw) else {
                throw SelectorError(.field(kind: kind), selector: text, reason: "invalid selector: '\(text)'; can't understand '\(raw)'")
            }
            guard Self.isSupported(term.field, kind: kind) else {
                throw SelectorError(.field(kind: kind), selector: text, reason: "field label not supported: \(term.field)")
            }
            terms.append(term)
        }
        self.terms = terms
    }

    public func matches(object: JSONValue) -> Bool {
        let kind = object["kind"]?.stringValue ?? ""
        return terms.allSatisfy { term in
            let value = Self.fieldValue(term.field, kind: kind, of: object)
            return term.negated ? value != term.value : value == term.value
        }
    }

    public var description: String {
        terms.map { "\($0.field)\($0.negated ? "!=" : "=")\($0.value)" }.joined(separator: ",")
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
    static func fieldValue(_ field: String, kind: String, of object: JSONValue) -> String {
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

    /// Splits on unescaped commas, keeping escapes for the term parser.
    private static func splitTerms(_ text: String) -> [String] {
        var terms: [String] = []
        var current = ""
        var escaped = false
        for c in text {
            if escaped {
                current.append("\\")
                current.append(c)
                escaped = false
            } else if c == "\\" {
                escaped = true
            } else if c == "," {
                terms.append(current)
                current = ""
            } else {
                current.append(c)
            }
        }
        if escaped { current.append("\\") }
        terms.append(current)
        return terms
    }

    /// One `field<op>value` term, with the operator the first unescaped `!=`, `==` or `=`.
    private static func term(_ raw: String) -> Term? {
        let chars = Array(raw)
        var i = 0
        while i < chars.count {
            if chars[i] == "\\" {
                i += 2
                continue
            }
            let field = unescape(String(chars[..<i])).trimmingSpaces
            if chars[i] == "!", i + 1 < chars.count, chars[i + 1] == "=" {
                return field.isEmpty ? nil : Term(field: field, negated: true, value: unescape(String(chars[(i + 2)...])))
            }
            if chars[i] == "=" {
                let skip = i + 1 < chars.count && chars[i + 1] == "=" ? 2 : 1
                return field.isEmpty ? nil : Term(field: field, negated: false, value: unescape(String(chars[(i + skip)...])))
            }
            i += 1
        }
        return nil
    }

    private static func unescape(_ text: String) -> String {
        var out = ""
        var escaped = false
        for c in text {
            if escaped {
                out.append(c)
                escaped = false
            } else if c == "\\" {
                escaped = true
            } else {
                out.append(c)
            }
        }
        return out
    }
}
