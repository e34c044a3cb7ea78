import Checks
import Foundation
import Grading
import KubeCore
import KubeJSON
import LabGit
import LabSpec

/// The fuzz targets by name (the names Scripts/fuzz and the seed folders use).
enum FuzzTargets {
    static let all: [String: @Sendable (Data) -> Void] = [
        "json": json,
        "jsonpath": jsonPath,
        "documents": documents,
        "lab": lab,
        "selectors": selectors,
        "quantity": quantity,
        "cidr": cidr,
        "duration": duration,
        "roster": roster,
        "evidence": evidence,
        "bundle": bundle,
        // Not fuzzed: Scripts/test runs it on its seed to show that a finding fails the run.
        "canary": canary,
    ]

    /// Breaks its invariant on an input that starts with "canary" (its committed seed).
    static func canary(_ data: Data) {
        invariant(!data.starts(with: Data("canary".utf8)), "the canary input (Fuzz/seeds/canary), as it must")
    }

    static let pod: JSONValue = try! JSONParser.parse("""
        {"apiVersion":"v1","kind":"Pod","metadata":{"name":"web-1","namespace":"shop","labels":{"app":"web","tier":"front"}},
         "spec":{"nodeName":"node-a","containers":[{"name":"web","image":"nginx:1.27","resources":{"limits":{"cpu":"500m","memory":"128Mi"}}}]},
         "status":{"phase":"Running","podIP":"10.0.3.7","conditions":[{"type":"Ready","status":"True"}]}}
        """)

    /// JSON: parse one value and a stream; a value that parses writes back to text that
    /// parses to the same value, in every writer style.
    static func json(_ data: Data) {
        _ = try? data.withUnsafeBytes { try JSONParser.parseStream($0) }
        guard let value = try? JSONParser.parse(bytes: data) else { return }
        for options in [JSONWriter.Options.compact, .pretty, .goCompact] {
            let text = JSONWriter.write(value, options: options)
            let again: JSONValue
            do { again = try JSONParser.parse(text) } catch {
                invariant(false, "writer output does not parse: \(error): \(text.prefix(200))")
                return
            }
            // goCompact sorts keys, so only the same-order styles must give the value back.
            if !options.sortKeys { invariant(sameJSON(again, value), "round trip changed the value: \(text.prefix(200))") }
        }
    }

    /// Equal as Go would read them back: a float with an integral value is written without a
    /// fraction (`0`, `1e+21` stays a float) and read back as an integer, as kubectl does too.
    static func sameJSON(_ a: JSONValue, _ b: JSONValue) -> Bool {
        switch (a, b) {
        case let (.double(x), .int(n)), let (.int(n), .double(x)): return Double(n) == x
        case let (.array(x), .array(y)): return x.count == y.count && zip(x, y).allSatisfy(sameJSON)
        case let (.object(x), .object(y)):
            return x.count == y.count && zip(x.entries, y.entries).allSatisfy { $0.key == $1.key && sameJSON($0.value, $1.value) }
        default: return a == b
        }
    }

    /// JSONPath: first line the template, the rest the object (a Pod when it is not JSON);
    /// printer and check mode.
    static func jsonPath(_ data: Data) {
        let (template, rest) = firstLine(data)
        guard let path = try? JSONPath(template) else { return }
        let value = object(rest)
        for input in [value, JSONPathInput.kubectlGetObject([value])] {
            _ = try? path.print(input)
            let result = path.query(input)
            for match in result.matches { invariant(!match.path.isEmpty, "a match without a path") }
        }
    }

    /// KubeDocuments: a file as kubectl reads it (JSON stream or YAML documents).
    static func documents(_ data: Data) {
        guard let values = try? KubeDocuments.parse(data, source: "fuzz.yaml") else { return }
        for value in values { _ = JSONWriter.compact(value) }
    }

    /// The lab decoder and the linter, on one lab.yaml in a scratch labs folder.
    static func lab(_ data: Data) {
        let labs = scratch.appendingPathComponent("labs")
        _ = writeScratch("labs/fuzz/lab.yaml", data)
        let loader = LabLoader(labsDirectory: labs)
        if let lab = try? loader.load("fuzz") {
            _ = try? lab.resolved(parameters: [:])
        }
        _ = LabLinter(loader: loader).lint("fuzz").map(\.description)
    }

    /// Label selector (line 1), field selector (line 2), matched against an object (the rest).
    static func selectors(_ data: Data) {
        let (labelText, rest) = firstLine(data)
        let (fieldText, objectData) = firstLine(rest)
        let value = object(objectData)
        if let labels = try? LabelSelector(parsing: labelText) {
            _ = labels.matches(object: value)
            // What a selector prints parses back to the same selector.
            if let again = try? LabelSelector(parsing: labels.description) {
                invariant(again == labels, "label selector \(labelText) prints as \(labels.description), which reads differently")
            } else {
                invariant(false, "label selector \(labelText) prints as \(labels.description), which does not parse")
            }
        }
        if let fields = try? FieldSelector(parsing: fieldText) {
            _ = fields.matches(object: value)
            _ = fields.description
        }
        let kind = value["kind"]?.stringValue ?? "Pod"
        if let fields = try? FieldSelector(parsing: fieldText, kind: kind) { _ = fields.matches(object: value) }
    }

    /// Quantities: line 1 and line 2 parsed and compared; order and equality agree.
    static func quantity(_ data: Data) {
        let (first, rest) = firstLine(data)
        let second = firstLine(rest).0
        guard let a = try? Quantity(first) else { return }
        invariant(a == a && !(a < a), "\(first) is not equal to itself")
        _ = try? Quantity(json: .string(first))
        guard let b = try? Quantity(second) else { return }
        let relations = [a < b, a == b, b < a].filter { $0 }.count
        invariant(relations == 1, "\(first) and \(second) are ordered \(relations) ways")
        if a == b { invariant(a.hashValue == b.hashValue, "\(first) == \(second) with different hashes") }
    }

    /// CIDR block (line 1) and an address (line 2).
    static func cidr(_ data: Data) {
        let (block, rest) = firstLine(data)
        let address = firstLine(rest).0
        _ = IPAddress.parse(block)
        if let cidr = CIDR(block) {
            _ = cidr.contains(address)
            if IPAddress.parse(block) != nil { invariant(cidr.contains(block), "\(block) is not inside itself") }
        }
    }

    /// Go durations.
    static func duration(_ data: Data) {
        let text = String(decoding: data, as: UTF8.self)
        if let seconds = GoDuration.seconds(text) { invariant(!seconds.isNaN, "\(text) is NaN seconds") }
    }

    /// A roster CSV file.
    static func roster(_ data: Data) {
        let url = writeScratch("roster.csv", data)
        _ = try? ClassRoster.csv(at: url.path)
    }

    /// Evidence in memory: `=== path` lines start files; read as a snapshot and checked with
    /// every step of one of the repository's labs, as the grader re-checks a hand-in.
    static func evidence(_ data: Data) {
        var files: [String: Data] = [:]
        var path: String?
        var content = Data()
        for line in data.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false) {
            if line.starts(with: Data("=== ".utf8)) {
                if let path { files[path] = content }
                path = String(decoding: line.dropFirst(4), as: UTF8.self)
                content = Data()
            } else {
                content.append(line)
                content.append(UInt8(ascii: "\n"))
            }
        }
        if let path { files[path] = content }
        let evidence = Evidence(files: files)
        _ = evidence.redactingSecrets()
        _ = Provenance(data: files[Provenance.fileName])
        guard let cluster = try? SnapshotCluster(evidence: evidence) else { return }
        // One lab per input (by its length), so that one run stays short.
        if !labs.isEmpty {
            let lab = labs[data.count % labs.count]
            let reader = ClusterReader(cluster: cluster, labNamespace: lab.defaultParameters["namespace"] ?? "default")
            let evaluator = CheckEvaluator(reader: reader, options: .init(honourWait: false))
            for step in lab.steps { _ = try? evaluator.evaluate(step.checks) }
        }
    }

    /// What a target needs before its first input (reading the labs is slow), so that no
    /// input is blamed for it.
    static func prepare(_ name: String) {
        if name == "evidence" { _ = labs }
        if name == "bundle" { _ = grader }
    }

    /// A hand-in bundle file, graded offline against the repository's labs.
    static func bundle(_ data: Data) {
        let url = writeScratch("hand-in.bundle", data)
        let temporary = FileManager.default.temporaryDirectory.path
        let before = Set((try? FileManager.default.contentsOfDirectory(atPath: temporary)) ?? [])
        _ = grader.inspect(RosterEntry(learner: "fuzz", workspace: url.path))
        let after = Set((try? FileManager.default.contentsOfDirectory(atPath: temporary)) ?? [])
        invariant(after.subtracting(before).isEmpty, "grading left \(after.subtracting(before).sorted()) in \(temporary)")
    }

    static let labs: [Lab] = {
        // Each lab on its own: one the build does not understand yet must not hide the others.
        let loader = LabLoader(labsDirectory: repositoryRoot.appendingPathComponent("labs"))
        let labs = loader.labIDs().compactMap { try? loader.load($0) }
        invariant(!labs.isEmpty, "no labs under \(loader.labsDirectory.path) (set KLAB_FUZZ_ROOT)")
        return labs.compactMap { try? $0.resolved(parameters: [:]) }
    }()

    static let grader = OfflineGrader(
        labs: labs, grading: labs.map(\.id), options: .init(classKey: nil, acceptSnapshots: true))
}
