import KubeJSON

/// The objects of one kind in one scope as a watch last saw them: a list read with
/// `kubectl get` replaces them, each watch event changes one. `version` counts the changes
/// that made a difference, so a reader can tell whether anything moved since it last looked
/// (an ADDED for an object already held as it is changes nothing).
struct WatchedList: Sendable {
    private var objects: [String: JSONValue] = [:]
    private(set) var version = 0

    /// The objects in the API server's order (namespace, then name).
    var items: [JSONValue] {
        objects.sorted { $0.key < $1.key }.map(\.value)
    }

    var count: Int { objects.count }

    /// Replaces everything with a list just read; true if that changed anything.
    @discardableResult
    mutating func replace(with list: [JSONValue]) -> Bool {
        var fresh: [String: JSONValue] = [:]
        for object in list { fresh[Self.key(object)] = object }
        guard fresh != objects else { return false }
        objects = fresh
        version += 1
        return true
    }

    /// Applies one event; true if it changed anything. BOOKMARK and ERROR change nothing here.
    @discardableResult
    mutating func apply(_ event: WatchEvent) -> Bool {
        let key = Self.key(event.object)
        switch event.type {
        case .added, .modified:
            guard objects[key] != event.object else { return false }
            objects[key] = event.object
        case .deleted:
            guard objects.removeValue(forKey: key) != nil else { return false }
        case .bookmark, .error:
            return false
        }
        version += 1
        return true
    }

    /// `namespace/name`: what identifies an object within one kind (neither may hold a `/`),
    /// and what the API server sorts a list by.
    private static func key(_ object: JSONValue) -> String {
        let metadata = object["metadata"]
        return (metadata?["namespace"]?.stringValue ?? "") + "/" + (metadata?["name"]?.stringValue ?? "")
    }
}
