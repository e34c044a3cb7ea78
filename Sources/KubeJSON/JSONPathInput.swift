/// The object `kubectl get -o jsonpath` hands to its template for what was read: a single
/// object as it is; a list (one `kind: ...List` document, or several documents) as a fresh
/// `kind: List` of every item, whose metadata keeps only the list's resourceVersion.
public enum JSONPathInput {
    public static func kubectlGetObject(_ documents: [JSONValue]) -> JSONValue {
        if documents.count == 1, !isList(documents[0]) {
            return documents[0]
        }
        var items: [JSONValue] = []
        for document in documents {
            if isList(document), case .array(let listItems)? = document["items"] {
                items.append(contentsOf: listItems)
            } else {
                items.append(document)
            }
        }
        var resourceVersion = ""
        if documents.count == 1, case .string(let version)? = documents[0]["metadata"]?["resourceVersion"] {
            resourceVersion = version
        }
        return .object(JSONObject([
            ("apiVersion", .string("v1")),
            ("items", .array(items)),
            ("kind", .string("List")),
            ("metadata", .object(JSONObject([("resourceVersion", .string(resourceVersion))]))),
        ]))
    }

    /// A list as the API machinery sees one: a `...List` kind with an `items` array.
    static func isList(_ value: JSONValue) -> Bool {
        guard case .string(let kind)? = value["kind"], kind.hasSuffix("List"),
              case .array? = value["items"] else { return false }
        return true
    }
}
