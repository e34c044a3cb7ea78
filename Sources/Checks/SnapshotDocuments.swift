import Foundation
import KubeJSON
import Yams

/// Reads what `kubectl get -o json|yaml` printed into Kubernetes objects: a single object, a
/// `kind: List`, or a typed list (`PodList`) whose items may lack `apiVersion`/`kind` (kubectl
/// leaves them out of typed lists; they are derived from the list's). YAML files may hold
/// several documents. Errors name the file and, where the parser knows it, line and column.
enum SnapshotDocuments {
    static func objects(in data: Data, path: String) throws -> [JSONValue] {
        let documents: [JSONValue]
        if path.hasSuffix(".json") {
            do {
                documents = [try JSONParser.parse(bytes: data)]
            } catch let error as JSONParseError {
                throw ClusterError.invalidSnapshotFile(path: path, line: error.line, column: error.column, reason: error.message)
            }
        } else {
            documents = try yamlDocuments(data, path: path)
        }
        var objects: [JSONValue] = []
        for (index, document) in documents.enumerated() {
            if document.isNull { continue }
            let place = documents.count > 1 ? " (document \(index + 1))" : ""
            guard document.objectValue != nil else {
                throw invalid(path, "expected a Kubernetes object or list\(place), found a \(document.typeName)")
            }
            guard let kind = document["kind"]?.stringValue, !kind.isEmpty else {
                throw invalid(path, "an object without \"kind\"\(place)")
            }
            if kind.hasSuffix("List"), let items = document["items"] {
                guard let items = items.arrayValue else {
                    throw invalid(path, "\"items\" of the \(kind)\(place) is not an array")
                }
                let itemKind = kind == "List" ? nil : String(kind.dropLast(4))
                let listVersion = document["apiVersion"]?.stringValue
                for (n, item) in items.enumerated() {
                    guard var object = item.objectValue else {
                        throw invalid(path, "item \(n) of the \(kind)\(place) is not an object")
                    }
                    if object["kind"]?.stringValue == nil {
                        guard let itemKind else { throw invalid(path, "item \(n) of the List\(place) has no \"kind\"") }
                        object["kind"] = .string(itemKind)
                    }
                    if object["apiVersion"]?.stringValue == nil {
                        guard let listVersion, itemKind != nil else {
                            throw invalid(path, "item \(n) of the List\(place) has no \"apiVersion\"")
                        }
                        object = withKeyFirst("apiVersion", .string(listVersion), in: object)
                    }
                    objects.append(.object(object))
                }
            } else {
                guard document["apiVersion"]?.stringValue != nil else {
                    throw invalid(path, "the \(kind)\(place) has no \"apiVersion\"")
                }
                objects.append(document)
            }
        }
        return objects
    }

    private static func withKeyFirst(_ key: String, _ value: JSONValue, in object: JSONObject) -> JSONObject {
        var out = JSONObject()
        out.appendUnchecked(key, value)
        for entry in object.entries where entry.key != key { out.appendUnchecked(entry.key, entry.value) }
        return out
    }

    private static func invalid(_ path: String, _ reason: String) -> ClusterError {
        .invalidSnapshotFile(path: path, line: nil, column: nil, reason: reason)
    }

    // MARK: - YAML

    static func yamlDocuments(_ data: Data, path: String) throws -> [JSONValue] {
        guard let text = String(data: data, encoding: .utf8) else { throw invalid(path, "not UTF-8 text") }
        do {
            var documents: [JSONValue] = []
            var sequence = try Yams.compose_all(yaml: text)
            while let node = sequence.next() {
                documents.append(try value(of: node, path: path))
            }
            if let error = sequence.error { throw error }
            return documents
        } catch let error as YamlError {
            switch error {
            case .scanner(_, let problem, let mark, _), .parser(_, let problem, let mark, _), .composer(_, let problem, let mark, _):
                throw ClusterError.invalidSnapshotFile(path: path, line: mark.line, column: mark.column, reason: "invalid YAML: \(problem)")
            default:
                throw invalid(path, "invalid YAML: \(error)")
            }
        }
    }

    private static func value(of node: Node, path: String) throws -> JSONValue {
        switch node {
        case .scalar(let scalar):
            switch Tag.Name(rawValue: node.tag.rawValue) {
            case .null: return .null
            case .bool: return node.bool.map(JSONValue.bool) ?? .string(scalar.string)
            case .int:
                if let n = node.int { return .int(Int64(n)) }
                return .string(scalar.string)
            case .float:
                if let d = node.float { return .double(d) }
                return .string(scalar.string)
            default: return .string(scalar.string)
            }
        case .mapping(let mapping):
            var object = JSONObject()
            for (key, item) in mapping {
                guard case .scalar(let keyScalar) = key else {
                    let line = key.mark?.line
                    throw ClusterError.invalidSnapshotFile(path: path, line: line, column: key.mark?.column, reason: "a map key that is not a string")
                }
                object[keyScalar.string] = try value(of: item, path: path)
            }
            return .object(object)
        case .sequence(let sequence):
            return .array(try sequence.map { try value(of: $0, path: path) })
        case .alias:
            throw ClusterError.invalidSnapshotFile(path: path, line: node.mark?.line, column: node.mark?.column, reason: "YAML aliases are not supported")
        }
    }
}
