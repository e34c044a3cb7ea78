import Foundation
import KubeCore
import KubeJSON
import LabSpec

/// The phrases failure messages are made of, so that every message names things the same
/// way: objects as `apps/v1 Deployment default/readiness-deployment`, selections as
/// `Pods with labels app=web in namespace shop`, values as JSON (`"Running"`, `3`, `absent`).
enum FailureMessage {
    /// `apps/v1 Deployment default/readiness-deployment`; core objects drop `v1`
    /// (`Pod 2048-game/web-1`, `Node ip-10-0-1-7.ec2.internal`).
    static func object(_ object: JSONValue) -> String {
        let kind = object["kind"]?.stringValue ?? "object"
        let apiVersion = object["apiVersion"]?.stringValue
        let prefix = (apiVersion == nil || apiVersion == "v1") ? kind : "\(apiVersion!) \(kind)"
        return "\(prefix) \(objectName(object))"
    }

    /// `namespace/name`, or `name` for a cluster-scoped object.
    static func objectName(_ object: JSONValue) -> String {
        let name = object["metadata"]?["name"]?.stringValue ?? "(no name)"
        if let namespace = object["metadata"]?["namespace"]?.stringValue { return "\(namespace)/\(name)" }
        return name
    }

    /// `3 Pods`, `1 Pod`.
    static func count(_ n: Int, _ kind: String) -> String {
        "\(n) \(n == 1 ? kind : plural(kind))"
    }

    /// English plural of a kind name: `Pods`, `Ingresses`, `NetworkPolicies`, `Endpoints`.
    static func plural(_ kind: String) -> String {
        if kind.hasSuffix("Endpoints") { return kind }
        if kind.hasSuffix("s") || kind.hasSuffix("x") || kind.hasSuffix("ch") || kind.hasSuffix("sh") { return kind + "es" }
        if kind.hasSuffix("y"), let before = kind.dropLast().last, !"aeiou".contains(before.lowercased()) {
            return kind.dropLast() + "ies"
        }
        return kind + "s"
    }

    /// What a selector asked for, without the namespace: `Pods with labels app=web`,
    /// `Pod liveness-app`, `Nodes`.
    static func selectionText(_ selector: ObjectSelector, kind: String, plural wantPlural: Bool = true) -> String {
        var text: String
        if let name = selector.name {
            text = "\(kind) \(name)"
        } else {
            text = wantPlural ? plural(kind) : kind
        }
        var filters: [String] = []
        if let labels = selector.labels, !labels.isEmpty { filters.append("labels \(labels)") }
        if let fields = selector.fields, !fields.isEmpty { filters.append("fields \(fields)") }
        if !filters.isEmpty { text += " with " + filters.joined(separator: " and ") }
        return text
    }

    /// ` in namespace shop`, ` in any namespace`, or nothing for cluster-scoped kinds.
    static func scope(_ selection: Selection, _ selector: ObjectSelector) -> String {
        if let namespace = selection.namespace { return " in namespace \(namespace)" }
        if selector.namespace == .all, !isClusterScoped(selection) { return " in any namespace" }
        return ""
    }

    /// Where candidates were looked for: `in the namespace`, `in the cluster`.
    static func candidateScope(_ selection: Selection, _ selector: ObjectSelector) -> String {
        if selection.namespace != nil { return "in the namespace" }
        if selector.namespace == .all, !isClusterScoped(selection) { return "in any namespace" }
        return "in the cluster"
    }

    private static func isClusterScoped(_ selection: Selection) -> Bool {
        KubernetesKinds.info(named: selection.kind.kind).map { !$0.namespaced } ?? false
    }

    /// "no Pods with labels app=web in namespace shop; 2 Pods in the namespace, the closest
    /// shop/webapp-1 (app=webapp)": what was asked for, what there is instead.
    static func nothingSelected(_ selection: Selection, _ selector: ObjectSelector) -> String {
        let kind = selection.kind.kind
        let asked = "no \(selectionText(selector, kind: kind))\(scope(selection, selector))"
        let candidates = selection.candidates
        if candidates.isEmpty {
            return "\(asked); there are no \(plural(kind)) \(candidateScope(selection, selector))"
        }
        var text = "\(asked); \(count(candidates.count, kind)) \(candidateScope(selection, selector))"
        if let closest = closestCandidate(selection, selector) {
            text += candidates.count == 1 ? ": " : ", the closest: "
            text += closest
        }
        return text
    }

    /// The candidate nearest to what the selector asked for, with the values that differ.
    static func closestCandidate(_ selection: Selection, _ selector: ObjectSelector) -> String? {
        let candidates = selection.candidates
        guard !candidates.isEmpty else { return nil }
        let labels = selector.labels.flatMap { try? LabelSelector(parsing: $0) }
        let fields = selector.fields.flatMap { try? FieldSelector(parsing: $0, kind: selection.kind.kind) }

        // Labels say which object it is, fields what state it is in: a candidate with the right
        // labels in the wrong state is closer than one in the right state with other labels.
        func score(_ object: JSONValue) -> (Int, Int) {
            var points = 0
            var distance = 0
            let have = LabelSelector.labels(of: object)
            for requirement in labels?.requirements ?? [] {
                if requirement.matches(have) {
                    points += 4
                } else if let value = have[requirement.key] {
                    points += 1
                    if requirement.op == .equals || requirement.op == .doubleEquals, let want = requirement.values.first { distance += Suggestion.editDistance(want, value) }
                }
            }
            for term in fields?.terms ?? [] where term.matches(object) { points += 2 }
            let name = object["metadata"]?["name"]?.stringValue ?? ""
            if let wanted = selector.name { distance += Suggestion.editDistance(wanted, name) }
            return (points, -distance)
        }
        // Stable: the first of equally close candidates (snapshot order, usually by name).
        var best = candidates[0]
        var bestScore = score(best)
        for candidate in candidates.dropFirst() {
            let s = score(candidate)
            if s > bestScore { best = candidate; bestScore = s }
        }

        var details: [String] = []
        let have = LabelSelector.labels(of: best)
        for requirement in labels?.requirements ?? [] where !requirement.matches(have) {
            details.append(have[requirement.key].map { "\(requirement.key)=\($0)" } ?? "no label \(requirement.key)")
        }
        for term in fields?.terms ?? [] where !term.matches(best) {
            details.append("\(term.field)=\(term.found(in: best))")
        }
        let name = objectName(best)
        return details.isEmpty ? name : "\(name) (\(details.joined(separator: ", ")))"
    }

    /// Lists objects by name, at most `limit`, then "and N more".
    static func names(_ objects: [JSONValue], limit: Int = 5) -> String {
        var text = objects.prefix(limit).map(objectName).joined(separator: ", ")
        if objects.count > limit { text += " and \(objects.count - limit) more" }
        return text
    }

    /// A value as messages show it: JSON text (strings quoted) or `absent`.
    static func value(_ value: JSONValue?) -> String { JSONValue.describe(value) }
}
