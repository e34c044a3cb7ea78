import KubeJSON

/// The objects of one kind in one scope as a watch last saw them: a list read with
/// `kubectl get` replaces them, each watch event changes one. `version` counts the changes
/// that made a difference, so a reader can tell whether anything moved since it last looked
/// (an ADDED for an object already held as it is changes nothing).
///
/// An object is vouched for once the running watch has printed it (or its deletion), or when it
/// was read after that watch had printed something. One known only from a list read before
/// its watch started may have been deleted in between, which that watch never reports; while
/// a list holds such an object, what it says is worth confirming on a fresh read.
struct WatchedList: Sendable {
    private var objects: [String: JSONValue] = [:]
    private(set) var version = 0
    private var unvouched: Set<String> = []

    /// Whether every object held is as the running watch last reported it.
    var vouched: Bool { unvouched.isEmpty }

    /// The objects in the API server's order (namespace, then name).
    var items: [JSONValue] {
        objects.sorted { $0.key < $1.key }.map(\.value)
    }

    var count: Int { objects.count }

    /// Replaces everything with a list just read; true if that changed anything. `vouched`:
    /// the read began after the running watch had printed something.
    @discardableResult
    mutating func replace(with list: [JSONValue], vouched: Bool) -> Bool {
        var fresh: [String: JSONValue] = [:]
        for object in list { fresh[Self.key(object)] = object }
        unvouched = vouched ? [] : Set(fresh.keys)
        guard fresh != objects else { return false }
        objects = fresh
        version += 1
        return true
    }

    /// Applies one event; true if it changed anything. BOOKMARK and ERROR change nothing here.
    @discardableResult
    mutating func apply(_ event: WatchEvent) -> Bool {
        let key = Self.key(event.object)
        if event.type != .bookmark && event.type != .error { unvouched.remove(key) }
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

    /// A new watch is starting: it vouches for each object again as it prints its first list.
    mutating func unvouchAll() {
        unvouched = Set(objects.keys)
    }

    /// `namespace/name`: what identifies an object within one kind (neither may hold a `/`),
    /// and what the API server sorts a list by.
    private static func key(_ object: JSONValue) -> String {
        let metadata = object["metadata"]
        return (metadata?["namespace"]?.stringValue ?? "") + "/" + (metadata?["name"]?.stringValue ?? "")
    }
}
