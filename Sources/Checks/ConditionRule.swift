import KubeJSON

/// `kubectl wait --for=condition=TYPE=STATUS` as kubectl 1.32 decides it, plus an optional
/// reason: the first entry of `.status.conditions` whose `type` equals TYPE ignoring case
/// decides; its `status` must equal STATUS ignoring case; and a condition observed for an
/// older generation (its `observedGeneration`, else `.status.observedGeneration`, is below
/// `.metadata.generation`) does not count yet. An entry without a string `status` is skipped,
/// as kubectl skips it.
public struct ConditionRule: Sendable, Equatable {
    public var type: String
    public var status: String
    /// Compared exactly (reasons are CamelCase identifiers), when given.
    public var reason: String?

    public init(type: String, status: String = "True", reason: String? = nil) {
        self.type = type
        self.status = status
        self.reason = reason
    }

    /// Why the object does not meet the condition (a phrase for a message), or nil when it does.
    public func failure(on object: JSONValue) -> String? {
        let conditions = object["status"]?["conditions"]?.arrayValue ?? []
        let want = "condition \(type)=\(status)" + (reason.map { " (reason \($0))" } ?? "")
        for condition in conditions {
            guard let name = condition["type"]?.stringValue, name.lowercased() == type.lowercased(),
                  let found = condition["status"]?.stringValue else { continue }
            if case .int(let generation)? = object["metadata"]?["generation"],
               let observed = observedGeneration(object, condition), observed < generation {
                return "expected \(want), found it observed for generation \(observed) while the object is at generation \(generation) (not yet updated)"
            }
            let detail = Self.detail(condition)
            if found.lowercased() != status.lowercased() {
                return "expected \(want), found \(name)=\(found)\(detail)"
            }
            if let reason, condition["reason"]?.stringValue != reason {
                let foundReason = condition["reason"]?.stringValue.map { "reason \($0)" } ?? "no reason"
                return "expected \(want), found \(name)=\(found) with \(foundReason)"
            }
            return nil
        }
        let present = conditions.compactMap { c -> String? in
            guard let t = c["type"]?.stringValue else { return nil }
            return "\(t)=\(c["status"]?.stringValue ?? "?")"
        }
        let listing = present.isEmpty ? "no conditions" : "conditions " + present.joined(separator: ", ")
        return "expected \(want), found no \(type) condition (\(listing))"
    }

    private func observedGeneration(_ object: JSONValue, _ condition: JSONValue) -> Int64? {
        if case .int(let g)? = condition["observedGeneration"] { return g }
        if case .int(let g)? = object["status"]?["observedGeneration"] { return g }
        return nil
    }

    private static func detail(_ condition: JSONValue) -> String {
        let reason = condition["reason"]?.stringValue
        let message = condition["message"]?.stringValue
        switch (reason, message) {
        case let (r?, m?) where !m.isEmpty: return " (\(r): \(m))"
        case let (r?, _): return " (\(r))"
        case let (nil, m?) where !m.isEmpty: return " (\(m))"
        default: return ""
        }
    }
}
