import Foundation
import KubeCore
import KubeJSON
import Yams

/// Reads typed values out of YAML nodes, remembering where each came from and collecting a
/// problem (instead of stopping) whenever a value is not what the format wants.
final class YAMLReader {
    let file: String
    private(set) var problems: [LabSpecError] = []

    init(file: String) {
        self.file = file
    }

    func report(_ problem: LabSpecError) {
        problems.append(problem)
    }

    func location(_ node: Node) -> SourceLocation {
        SourceLocation(file: file, line: node.mark?.line ?? 1, column: node.mark?.column ?? 1)
    }

    /// A mapping's entries by key, after reporting keys that are not in `known`.
    func fields(_ node: Node, key: String, context: String, known: [String]) -> Fields? {
        guard case let .mapping(mapping) = node else {
            report(.wrongType(key: key, expected: "a mapping", found: describe(node), at: location(node)))
            return nil
        }
        var fields = Fields(node: node, context: context)
        for (keyNode, value) in mapping {
            guard let name = keyNode.scalar?.string else {
                report(.wrongType(key: "key in \(key)", expected: "text", found: describe(keyNode), at: location(keyNode)))
                continue
            }
            if !known.contains(name) {
                report(.unknownKey(
                    name, in: context, known: known, suggestion: Suggestion.closest(to: name, in: known),
                    at: location(keyNode)))
                continue
            }
            if let first = fields.keys[name] {
                report(.duplicate(what: "key", name: name, firstLine: first.mark?.line ?? 0, at: location(keyNode)))
                continue
            }
            fields.keys[name] = keyNode
            fields.values[name] = value
        }
        return fields
    }

    /// The node's resolved type; quoted and block scalars are always text, whatever they hold.
    func tagName(_ node: Node) -> Tag.Name {
        if case let .scalar(scalar) = node, scalar.style != .plain, scalar.style != .any { return .str }
        return Tag.Name(rawValue: node.tag.rawValue)
    }

    func string(_ node: Node, key: String) -> String? {
        guard case let .scalar(scalar) = node, tagName(node) != .null else {
            report(.wrongType(key: key, expected: "text", found: describe(node), at: location(node)))
            return nil
        }
        return scalar.string
    }

    func int(_ node: Node, key: String) -> Int? {
        guard case let .scalar(scalar) = node, let value = Int(scalar.string) else {
            report(.wrongType(key: key, expected: "a whole number", found: describe(node), at: location(node)))
            return nil
        }
        return value
    }

    func number(_ node: Node, key: String) -> Double? {
        guard case let .scalar(scalar) = node, tagName(node) == .int || tagName(node) == .float,
              let value = Double(scalar.string) ?? node.float
        else {
            report(.wrongType(key: key, expected: "a number", found: describe(node), at: location(node)))
            return nil
        }
        return value
    }

    func bool(_ node: Node, key: String) -> Bool? {
        guard case .scalar = node, tagName(node) == .bool, let value = node.bool else {
            report(.wrongType(key: key, expected: "true or false", found: describe(node), at: location(node)))
            return nil
        }
        return value
    }

    func list(_ node: Node, key: String) -> [Node]? {
        guard case let .sequence(sequence) = node else {
            report(.wrongType(key: key, expected: "a list", found: describe(node), at: location(node)))
            return nil
        }
        return Array(sequence)
    }

    func strings(_ node: Node, key: String) -> [(String, Node)]? {
        guard let items = list(node, key: key) else { return nil }
        return items.compactMap { item in string(item, key: "\(key) item").map { ($0, item) } }
    }

    /// A YAML value as JSON, by kubectl's rules (KubeDocuments): a value that kubectl would
    /// refuse is reported here and reads as null.
    func json(_ node: Node) -> JSONValue {
        do {
            return try KubeDocuments.json(node, source: file)
        } catch let error as KubeDocumentError {
            let at = SourceLocation(file: file, line: error.line ?? node.mark?.line ?? 1, column: error.column ?? node.mark?.column ?? 1)
            report(.invalidValue(key: "value", value: String(describing: node.scalar?.string ?? describe(node)), reason: error.message, at: at))
            return .null
        } catch {
            report(.invalidValue(key: "value", value: describe(node), reason: "\(error)", at: location(node)))
            return .null
        }
    }

    /// How a node reads in a message: "a list", "a mapping", "the text 'x'".
    func describe(_ node: Node) -> String {
        switch node {
        case .mapping: return "a mapping"
        case .sequence: return "a list"
        case .alias: return "an alias"
        case let .scalar(scalar):
            switch tagName(node) {
            case .null: return "nothing"
            case .bool: return "the boolean \(scalar.string)"
            case .int, .float: return "the number \(scalar.string)"
            default: return "the text '\(scalar.string)'"
            }
        }
    }
}

/// The entries of one YAML mapping, by key, with the key nodes for locations.
struct Fields {
    let node: Node
    let context: String
    var keys: [String: Node] = [:]
    var values: [String: Node] = [:]

    init(node: Node, context: String) {
        self.node = node
        self.context = context
    }

    subscript(_ key: String) -> Node? { values[key] }

    func has(_ key: String) -> Bool { values[key] != nil }

    /// The keys present among `candidates`, in the order given.
    func present(_ candidates: [String]) -> [String] { candidates.filter(has) }
}
