import KubeJSON
import Foundation
import Yams

/// The conversion of YAML nodes into the values kubectl ends up with.
struct YAMLToJSON {
    let source: String

    /// Plain (unquoted, untagged) scalars are resolved here with go-yaml v2's rules, not
    /// Yams's. Yams leaves their tag implicit, except for mapping keys, whose tags it resolves
    /// while looking for duplicates: this resolver names them so they stay recognisable.
    /// Quoted scalars carry !!str, explicitly tagged ones their tag.
    static let plainTag = Tag.Name(rawValue: "tag:klab.dev,2024:plain")
    static let resolver = Resolver.basic.appending(try! Resolver.Rule(plainTag, "^"))

    static func isPlain(_ scalar: Node.Scalar) -> Bool {
        let tag = scalar.tag.rawValue
        return tag == Tag.Name.implicit.rawValue || tag == plainTag.rawValue
    }

    func documents(_ text: String) throws -> [JSONValue] {
        var values: [JSONValue] = []
        if let violation = YAMLBounds.check(text) {
            throw KubeDocumentError(source: source, format: .yaml, line: violation.line, column: violation.column, message: violation.message)
        }
        do {
            let parser = try Parser(yaml: text, resolver: Self.resolver, constructor: .default, encoding: .utf8)
            while let node = try parser.nextRoot() {
                let value = try convert(node)
                if value != .null { values.append(value) }
            }
        } catch let error as YamlError {
            throw describe(error)
        }
        return values
    }

    func fail(_ message: String, at mark: Mark?) -> KubeDocumentError {
        KubeDocumentError(source: source, format: .yaml, line: mark?.line, column: mark?.column, message: message)
    }

    func describe(_ error: YamlError) -> KubeDocumentError {
        switch error {
        case let .scanner(context, problem, mark, _), let .parser(context, problem, mark, _), let .composer(context, problem, mark, _):
            let message = context.map { "\(problem) (\($0.text))" } ?? problem
            return fail(message, at: mark)
        case let .duplicatedKeysInMapping(duplicates, context):
            // go-yaml v2 keeps the last value; Yams refuses the document, so say which key.
            return fail("the key \(duplicates.map { "\"\($0)\"" }.joined(separator: ", ")) appears twice in one mapping; remove one of them", at: context.mark)
        case let .reader(problem, _, _, _):
            return fail(problem, at: nil)
        default:
            return fail(String(describing: error), at: nil)
        }
    }

    // MARK: Nodes

    func convert(_ node: Node) throws -> JSONValue {
        switch node {
        case .scalar(let scalar):
            return try json(of: resolve(scalar), at: scalar.mark)
        case .sequence(let sequence):
            var items: [JSONValue] = []
            items.reserveCapacity(sequence.count)
            for item in sequence { items.append(try convert(item)) }
            return .array(items)
        case .mapping(let mapping):
            var object = JSONObject()
            try merge(mapping, into: &object)
            return .object(object)
        case .alias(let alias):
            throw fail("unknown alias *\(alias.anchor.rawValue)", at: alias.mark)
        }
    }

    /// Sets the mapping's entries in order, later keys replacing earlier ones as in go-yaml
    /// v2; a `<<` merge key splices in the entries of the mapping(s) it names, the first of a
    /// list of mappings winning.
    func merge(_ mapping: Node.Mapping, into object: inout JSONObject) throws {
        for (keyNode, valueNode) in mapping {
            if case .scalar(let key) = keyNode, Self.isPlain(key), key.string == "<<" {
                switch valueNode {
                case .mapping(let merged):
                    try merge(merged, into: &object)
                case .sequence(let list):
                    for item in list.reversed() {
                        guard case .mapping(let merged) = item else {
                            throw fail("a merge key (<<) needs a mapping or a list of mappings", at: item.mark)
                        }
                        try merge(merged, into: &object)
                    }
                default:
                    throw fail("a merge key (<<) needs a mapping or a list of mappings", at: valueNode.mark)
                }
                continue
            }
            object[try keyString(keyNode)] = try convert(valueNode)
        }
    }

    /// sigs.k8s.io/yaml turns keys into strings: numbers in decimal (floats as Go's 32-bit
    /// `%g`), booleans as true/false; null, very large unsigned numbers and collections
    /// are refused.
    func keyString(_ node: Node) throws -> String {
        guard case .scalar(let scalar) = node else {
            throw fail("a mapping key must be a string, a number or a boolean, not a \(node.isMapping ? "mapping" : "list")", at: node.mark)
        }
        switch try resolve(scalar) {
        case .string(let s): return s
        case .int(let n): return String(n)
        case .bool(let b): return b ? "true" : "false"
        case .float(let d):
            if d.isNaN { return ".nan" }
            if d.isInfinite { return d < 0 ? "-.inf" : ".inf" }
            return GoFormat.formatFloat32(Float(d))
        case .uint:
            throw fail("the key \(scalar.string) is too large a number for a mapping key; quote it", at: scalar.mark)
        case .null:
            throw fail("a mapping key cannot be null; quote it or give it a name", at: scalar.mark)
        }
    }

    // MARK: Scalars

    enum Scalar {
        case null
        case bool(Bool)
        case int(Int64)
        case uint(UInt64)
        case float(Double)
        case string(String)
    }

    func resolve(_ scalar: Node.Scalar) throws -> Scalar {
        let tag = scalar.tag.rawValue
        if Self.isPlain(scalar) { return Self.resolvePlain(scalar.string) }
        let wanted: String
        switch tag {
        case Tag.Name.str.rawValue, Tag.Name.timestamp.rawValue, Tag.Name.binary.rawValue: return .string(scalar.string)
        case Tag.Name.int.rawValue: wanted = "int"
        case Tag.Name.float.rawValue: wanted = "float"
        case Tag.Name.bool.rawValue: wanted = "bool"
        case Tag.Name.null.rawValue: wanted = "null"
        default: return .string(scalar.string) // go-yaml v2 decodes unknown tags as strings
        }
        let resolved = Self.resolvePlain(scalar.string)
        switch (wanted, resolved) {
        case ("int", .int), ("int", .uint), ("float", .float), ("bool", .bool), ("null", .null):
            return resolved
        case ("float", .int(let n)):
            return .float(Double(n))
        case ("float", .uint(let n)):
            return .float(Double(n))
        default:
            throw fail("cannot decode \(scalar.string.debugDescription) as !!\(wanted)", at: scalar.mark)
        }
    }

    static let booleans: [String: Bool] = [
        "y": true, "Y": true, "yes": true, "Yes": true, "YES": true,
        "true": true, "True": true, "TRUE": true, "on": true, "On": true, "ON": true,
        "n": false, "N": false, "no": false, "No": false, "NO": false,
        "false": false, "False": false, "FALSE": false, "off": false, "Off": false, "OFF": false,
    ]
    static let nulls: Set<String> = ["", "~", "null", "Null", "NULL"]
    static let specialFloats: [String: Double] = [
        ".nan": .nan, ".NaN": .nan, ".NAN": .nan,
        ".inf": .infinity, ".Inf": .infinity, ".INF": .infinity,
        "+.inf": .infinity, "+.Inf": .infinity, "+.INF": .infinity,
        "-.inf": -.infinity, "-.Inf": -.infinity, "-.INF": -.infinity,
    ]

    /// go-yaml v2's `resolve` for an untagged plain scalar.
    static func resolvePlain(_ text: String) -> Scalar {
        if nulls.contains(text) { return .null }
        if let b = booleans[text] { return .bool(b) }
        if let d = specialFloats[text] { return .float(d) }
        guard let first = text.utf8.first else { return .null }
        switch first {
        case UInt8(ascii: "."):
            if let d = goParseFloat(text) { return .float(d) }
        case UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "+"), UInt8(ascii: "-"):
            // Timestamps such as 2024-01-01 stay the strings they were (go-yaml v2 keeps
            // them as text when decoding into an untyped value); none of them is a number.
            let plain = text.replacingOccurrences(of: "_", with: "")
            if let n = goParseInt(plain) { return .int(n) }
            if let n = goParseUint(plain) { return .uint(n) }
            if isYAMLStyleFloat(plain), let d = goParseFloat(plain) { return .float(d) }
            if plain.hasPrefix("0b"), let n = Int64(plain.dropFirst(2), radix: 2) { return .int(n) }
            if plain.hasPrefix("-0b"), let n = Int64(plain.dropFirst(3), radix: 2) { return .int(-n) }
        default:
            break
        }
        return .string(text)
    }

    /// Go's `strconv.ParseInt(s, 0, 64)`: optional sign, then 0x/0o/0b prefixes or a leading 0
    /// for octal.
    static func goParseInt(_ s: String) -> Int64? {
        var body = Substring(s)
        var negative = false
        if body.first == "+" || body.first == "-" {
            negative = body.first == "-"
            body = body.dropFirst()
        }
        guard let magnitude = goParseUint(String(body)) else { return nil }
        if negative {
            if magnitude <= UInt64(Int64.max) { return -Int64(magnitude) }
            if magnitude == UInt64(Int64.max) + 1 { return Int64.min }
            return nil
        }
        return magnitude <= UInt64(Int64.max) ? Int64(magnitude) : nil
    }

    /// Go's `strconv.ParseUint(s, 0, 64)` (no sign allowed).
    static func goParseUint(_ s: String) -> UInt64? {
        var body = Substring(s)
        var radix = 10
        let lower = s.lowercased()
        if lower.hasPrefix("0x") {
            radix = 16
            body = body.dropFirst(2)
        } else if lower.hasPrefix("0o") {
            radix = 8
            body = body.dropFirst(2)
        } else if lower.hasPrefix("0b") {
            radix = 2
            body = body.dropFirst(2)
        } else if s.count > 1, s.hasPrefix("0") {
            radix = 8
            body = body.dropFirst(1)
        }
        guard !body.isEmpty, body.allSatisfy({ $0.isASCII && $0.isHexDigit }) else { return nil }
        return UInt64(body, radix: radix)
    }

    /// go-yaml v2's `yamlStyleFloat`: ^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$
    static func isYAMLStyleFloat(_ s: String) -> Bool {
        var bytes = Array(s.utf8)[...]
        func digits() -> Int {
            var n = 0
            while let b = bytes.first, b >= 0x30, b <= 0x39 {
                bytes = bytes.dropFirst()
                n += 1
            }
            return n
        }
        if bytes.first == UInt8(ascii: "+") || bytes.first == UInt8(ascii: "-") { bytes = bytes.dropFirst() }
        if bytes.first == UInt8(ascii: ".") {
            bytes = bytes.dropFirst()
            guard digits() > 0 else { return false }
        } else {
            guard digits() > 0 else { return false }
            if bytes.first == UInt8(ascii: ".") {
                bytes = bytes.dropFirst()
                _ = digits()
            }
        }
        if bytes.first == UInt8(ascii: "e") || bytes.first == UInt8(ascii: "E") {
            bytes = bytes.dropFirst()
            if bytes.first == UInt8(ascii: "+") || bytes.first == UInt8(ascii: "-") { bytes = bytes.dropFirst() }
            guard digits() > 0 else { return false }
        }
        return bytes.isEmpty
    }

    /// Go's `strconv.ParseFloat(s, 64)` for the decimal forms YAML reaches it with; a value
    /// out of range is an error there (and the scalar stays a string).
    static func goParseFloat(_ s: String) -> Double? {
        let body = s.hasPrefix("+") ? String(s.dropFirst()) : s
        guard body.utf8.allSatisfy({ ($0 >= 0x30 && $0 <= 0x39) || $0 == 0x2E || $0 == 0x65 || $0 == 0x45 || $0 == 0x2D || $0 == 0x2B }),
              let d = Double(body), d.isFinite else { return nil }
        return d
    }

    // MARK: YAML value to JSON value

    /// sigs.k8s.io/yaml marshals the YAML value to JSON text and kubectl decodes that text:
    /// so a float prints as encoding/json prints it and is an integer again if that text is.
    func json(of scalar: Scalar, at mark: Mark?) throws -> JSONValue {
        switch scalar {
        case .null: return .null
        case .bool(let b): return .bool(b)
        case .int(let n): return .int(n)
        case .uint(let n): return .double(Double(n))
        case .string(let s): return .string(s)
        case .float(let d):
            guard d.isFinite else {
                throw fail("\(GoFormat.percentV(d)) cannot be written as JSON; quote it to keep it as text", at: mark)
            }
            return try JSONParser.parse(GoFormat.jsonFloat(d))
        }
    }
}

fileprivate extension Node {
    var isMapping: Bool {
        if case .mapping = self { return true }
        return false
    }
}
