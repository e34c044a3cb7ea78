import Foundation
import KubeCore
import KubeJSON

/// Reads what `kubectl get -o json|yaml` printed into Kubernetes objects: a single object, a
/// `kind: List`, or a typed list (`PodList`) whose items may lack `apiVersion`/`kind` (kubectl
/// leaves them out of typed lists; they are derived from the list's). Files are decoded by
/// `KubeDocuments` as kubectl decodes them (JSON or YAML by content; several documents or
/// concatenated values allowed). Errors name the file and, where known, line and column.
enum SnapshotDocuments {
    static func objects(in data: Data, path: String) throws -> [JSONValue] {
        let documents: [JSONValue]
        do {
            documents = try KubeDocuments.parse(data, source: path)
        } catch let error as KubeDocumentError {
            throw ClusterError.invalidSnapshotFile(
                path: path, line: error.line, column: error.column, reason: "invalid \(error.format.rawValue): \(error.message)")
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
}
