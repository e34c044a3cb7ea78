/// A value flowing through evaluation. Besides JSON, kubectl's engine (Go reflection over the
/// decoded object) can produce a few values of its own, which print and compare differently.
enum JSONPathValue {
    case json(JSONValue)
    /// A byte of a string, from `*` or `..` over a string (Go's uint8: prints as a number).
    case byte(UInt8)
    /// An integer literal of the template (Go's int).
    case goInt(Int)
    /// The zero reflect.Value kubectl evaluates the body of a range with no results against.
    case invalid
}

/// Where a value sits in the object, as a chain back to the root (check mode only).
final class JSONPathLocation: Sendable {
    enum Step: Sendable {
        case root
        case key(String)
        case index(Int)
    }

    let parent: JSONPathLocation?
    let step: Step

    init(parent: JSONPathLocation?, step: Step) {
        self.parent = parent
        self.step = step
    }

    static let root = JSONPathLocation(parent: nil, step: .root)

    /// `.spec.containers[1].image`, `.metadata.labels['app.kubernetes.io/name']`; the root is `$`.
    var rendered: String {
        var steps: [Step] = []
        var node: JSONPathLocation? = self
        while let n = node {
            steps.append(n.step)
            node = n.parent
        }
        var out = ""
        for step in steps.reversed() {
            switch step {
            case .root: break
            case .index(let i): out += "[\(i)]"
            case .key(let key):
                if !key.isEmpty, key.unicodeScalars.allSatisfy(Self.isPlainKeyScalar) {
                    out += "." + key
                } else {
                    var escaped = ""
                    for ch in key.unicodeScalars {
                        if ch == "'" || ch == "\\" { escaped += "\\" }
                        escaped.unicodeScalars.append(ch)
                    }
                    out += "['" + escaped + "']"
                }
            }
        }
        return out.isEmpty ? "$" : out
    }

    private static func isPlainKeyScalar(_ c: Unicode.Scalar) -> Bool {
        ("a"..."z").contains(c) || ("A"..."Z").contains(c) || ("0"..."9").contains(c) || c == "_" || c == "-"
    }
}

struct JSONPathItem {
    var value: JSONPathValue
    /// nil in printer mode, and for values that come from the template's literals.
    var location: JSONPathLocation?

    init(_ value: JSONPathValue, _ location: JSONPathLocation?) {
        self.value = value
        self.location = location
    }

    func child(_ value: JSONValue, key: String) -> JSONPathItem {
        JSONPathItem(.json(value), location.map { JSONPathLocation(parent: $0, step: .key(key)) })
    }

    func child(_ value: JSONPathValue, index: Int) -> JSONPathItem {
        JSONPathItem(value, location.map { JSONPathLocation(parent: $0, step: .index(index)) })
    }
}

/// Evaluates parsed templates the way kubectl's `FindResults` does, range bookkeeping included.
/// In printer mode it fails where kubectl fails; in check mode it never fails: an error of
/// kubectl's becomes "no value here" (and a note when the template itself is at fault), numbers
/// compare as numbers and `['a.b']` is one key.
final class JSONPathEvaluator {
    enum Mode {
        case printer
        case check
    }

    /// kubectl's error, with what the failing step returned (an existence filter still uses it).
    struct Failure: Error {
        var message: String
        var returned: [JSONPathItem]
    }

    private let root: [JSONPathNode]
    private let mode: Mode
    private var beginRange = 0
    private var inRange = 0
    private var endRange = 0
    private var lastEndNode: Int?
    /// Depth of range bodies evaluated only to find their `end` (no results): notes are not kept.
    private var phantom = 0
    private(set) var notes: [String] = []

    init(root: [JSONPathNode], mode: Mode) {
        self.root = root
        self.mode = mode
    }

    /// One list of results per top-level node (and per range iteration), as kubectl prints them.
    func findResults(_ data: JSONPathItem) throws -> [[JSONPathItem]] {
        try findResults(data, from: 0)
    }

    private func findResults(_ data: JSONPathItem, from first: Int) throws -> [[JSONPathItem]] {
        let cur = [data]
        var full: [[JSONPathItem]] = []
        var i = first
        while i < root.count {
            let results = try walk(cur, root[i])
            if endRange > 0, endRange <= inRange {
                endRange -= 1
                lastEndNode = i
                break
            }
            if beginRange > 0 {
                beginRange -= 1
                inRange += 1
                if results.isEmpty {
                    phantom += 1
                    defer { phantom -= 1 }
                    _ = try findResults(JSONPathItem(.invalid, nil), from: i + 1)
                } else {
                    for value in results {
                        switch (value.value, mode) {
                        case (.invalid, .printer):
                            throw Failure(message: "reflect: call of reflect.Value.Interface on zero Value", returned: [])
                        case (.invalid, .check):
                            continue
                        case (.json(.null), .printer):
                            // kubectl re-enters with the item's Go value: a null becomes the
                            // zero reflect.Value, which `{@}` prints as "<no value>".
                            full.append(contentsOf: try findResults(JSONPathItem(.invalid, nil), from: i + 1))
                        default:
                            full.append(contentsOf: try findResults(value, from: i + 1))
                        }
                    }
                }
                inRange -= 1
                // Resume after the `end` that closed this range (kubectl compares node addresses).
                if let last = lastEndNode, last > i { i = last }
                i += 1
                continue
            }
            full.append(results)
            i += 1
        }
        return full
    }

    private func note(_ text: String) {
        guard phantom == 0, !notes.contains(text) else { return }
        notes.append(text)
    }

    private func walk(_ input: [JSONPathItem], _ node: JSONPathNode) throws -> [JSONPathItem] {
        switch node {
        case .list(let nodes):
            return try evalList(input, nodes)
        case .text(let text):
            return [JSONPathItem(.json(.string(text)), nil)]
        case .field(let name):
            return evalField(input, name)
        case .bracketKey(let key, let nodes):
            return mode == .check ? evalField(input, key) : try evalList(input, nodes)
        case .slice(let slice):
            return try evalSlice(input, slice)
        case .filter(let left, let right, let op):
            return try evalFilter(input, left: left, right: right, op: op)
        case .int(let n):
            return input.map { _ in JSONPathItem(.goInt(n), nil) }
        case .float(let d):
            return input.map { _ in JSONPathItem(.json(.double(d)), nil) }
        case .bool(let b):
            return input.map { _ in JSONPathItem(.json(.bool(b)), nil) }
        case .wildcard:
            var results: [JSONPathItem] = []
            for item in input { appendChildren(of: item, to: &results) }
            return results
        case .recursive:
            var results: [JSONPathItem] = []
            for item in input { appendRecursive(item, to: &results) }
            return results
        case .union(let members):
            var results: [JSONPathItem] = []
            for member in members {
                do {
                    results.append(contentsOf: try evalList(input, member))
                } catch let failure as Failure {
                    throw Failure(message: failure.message, returned: input)
                }
            }
            return results
        case .identifier(let name):
            return try evalIdentifier(input, name)
        }
    }

    private func evalList(_ input: [JSONPathItem], _ nodes: [JSONPathNode]) throws -> [JSONPathItem] {
        var cur = input
        var i = 0
        while i < nodes.count {
            if case .recursive = nodes[i], i + 1 < nodes.count, case .field(let name) = nodes[i + 1] {
                // `..name` in one pass: the same values in the same order as listing every
                // container first, without materialising them (a whole list can have millions).
                var results: [JSONPathItem] = []
                for item in cur { appendRecursiveField(item, name, to: &results) }
                cur = results
                i += 2
                continue
            }
            cur = try walk(cur, nodes[i])
            i += 1
        }
        return cur
    }

    private func appendRecursiveField(_ item: JSONPathItem, _ name: String, to results: inout [JSONPathItem]) {
        guard case .json(let value) = item.value else { return }
        switch value {
        case .object(let object):
            if let found = object[name] { results.append(item.child(found, key: name)) }
            for (i, key) in object.keys.enumerated() {
                switch object.values[i] {
                case .object, .array: appendRecursiveField(item.child(object.values[i], key: key), name, to: &results)
                default: break
                }
            }
        case .array(let elements):
            for (i, element) in elements.enumerated() {
                switch element {
                case .object, .array: appendRecursiveField(item.child(.json(element), index: i), name, to: &results)
                default: break
                }
            }
        default:
            break
        }
    }

    private func evalIdentifier(_ input: [JSONPathItem], _ name: String) throws -> [JSONPathItem] {
        switch name {
        case "range":
            beginRange += 1
            return input
        case "end":
            if inRange > 0 {
                endRange += 1
                return []
            }
            return try fail("not in range, nothing to end", returned: [])
        default:
            return try fail("unrecognized identifier \(name)", returned: input)
        }
    }

    /// Printer mode: kubectl's error. Check mode: a note, and no value.
    private func fail(_ message: String, returned: [JSONPathItem]) throws -> [JSONPathItem] {
        if mode == .printer { throw Failure(message: message, returned: returned) }
        note(message)
        return []
    }

    private func evalField(_ input: [JSONPathItem], _ name: String) -> [JSONPathItem] {
        var results: [JSONPathItem] = []
        for item in input {
            if case .json(.object(let object)) = item.value, let value = object[name] {
                results.append(item.child(value, key: name))
            }
        }
        return results
    }

    private func appendChildren(of item: JSONPathItem, to results: inout [JSONPathItem]) {
        guard case .json(let value) = item.value else { return }
        switch value {
        case .object(let object):
            for (i, key) in object.keys.enumerated() {
                results.append(item.child(object.values[i], key: key))
            }
        case .array(let elements):
            for (i, element) in elements.enumerated() {
                results.append(item.child(.json(element), index: i))
            }
        case .string(let s):
            for (i, byte) in s.utf8.enumerated() {
                results.append(item.child(.byte(byte), index: i))
            }
        default:
            break
        }
    }

    /// `..`: every value that has children (maps, non-empty arrays, non-empty strings), depth first.
    private func appendRecursive(_ item: JSONPathItem, to results: inout [JSONPathItem]) {
        guard case .json(let value) = item.value else { return }
        switch value {
        case .object(let object):
            guard !object.isEmpty else { return }
            results.append(item)
            for (i, key) in object.keys.enumerated() {
                appendRecursive(item.child(object.values[i], key: key), to: &results)
            }
        case .array(let elements):
            guard !elements.isEmpty else { return }
            results.append(item)
            for (i, element) in elements.enumerated() {
                appendRecursive(item.child(.json(element), index: i), to: &results)
            }
        case .string(let s):
            // A string's children are its bytes, which have none themselves.
            if !s.isEmpty { results.append(item) }
        default:
            break
        }
    }

    private func evalSlice(_ input: [JSONPathItem], _ slice: JSONPathSlice) throws -> [JSONPathItem] {
        var results: [JSONPathItem] = []
        for item in input {
            let elements: [JSONValue]
            switch item.value {
            case .json(.null):
                continue
            case .json(.array(let array)):
                elements = array
            case .invalid:
                if mode == .printer {
                    throw Failure(message: "reflect: call of reflect.Value.Type on zero Value", returned: input)
                }
                continue
            default:
                if mode == .printer {
                    throw Failure(message: "\(GoText.typeName(item.value)) is not array or slice", returned: input)
                }
                continue
            }
            let length = elements.count
            var start = slice.start.known ? slice.start.value : 0
            if start < 0 { start += length }
            var end = slice.end.known ? slice.end.value : length
            if end < 0 || (end == 0 && slice.end.derived) { end += length }

            if start == end {
                // kubectl returns at once here, dropping the inputs that follow.
                if mode == .printer { return results }
                continue
            }
            var problem: String?
            if start >= length || start < 0 {
                problem = "array index out of bounds: index \(start), length \(length)"
            } else if end > length || end < 0 {
                problem = "array index out of bounds: index \(end - 1), length \(length)"
            } else if start > end {
                problem = "starting index \(start) is greater than ending index \(end)"
            }
            if let problem {
                if mode == .printer { throw Failure(message: problem, returned: input) }
                continue
            }
            var step = 1
            if slice.step.known {
                if slice.step.value <= 0 {
                    _ = try fail("step must be > 0", returned: input)
                    continue
                }
                step = slice.step.value
            }
            var i = start
            while i < end {
                results.append(item.child(.json(elements[i]), index: i))
                i += step
            }
        }
        return results
    }

    private func evalFilter(
        _ input: [JSONPathItem], left: [JSONPathNode], right: [JSONPathNode], op: String
    ) throws -> [JSONPathItem] {
        var results: [JSONPathItem] = []
        for item in input {
            guard case .json(.array(let elements)) = item.value else {
                if mode == .printer {
                    throw Failure(message: "\(GoText.percentV(item.value)) is not array or slice and cannot be filtered", returned: input)
                }
                continue
            }
            for (i, element) in elements.enumerated() {
                let candidate = item.child(.json(element), index: i)
                let temp = [candidate]
                if op == "exists" {
                    let lefts: [JSONPathItem]
                    do {
                        lefts = try evalList(temp, left)
                    } catch let failure as Failure {
                        // kubectl ignores the error here and keeps what the failing step returned.
                        lefts = mode == .printer ? failure.returned : []
                    }
                    if !lefts.isEmpty { results.append(candidate) }
                    continue
                }
                guard let lhs = try operand(temp, left, input: input) else { continue }
                guard let rhs = try operand(temp, right, input: input) else { continue }
                if try compare(lhs, op, rhs, results: results) {
                    results.append(candidate)
                }
            }
        }
        return results
    }

    /// One side of a comparison: nil when it has no value (the element is skipped).
    private func operand(_ temp: [JSONPathItem], _ nodes: [JSONPathNode], input: [JSONPathItem]) throws -> JSONPathValue? {
        let values: [JSONPathItem]
        do {
            values = try evalList(temp, nodes)
        } catch let failure as Failure {
            throw Failure(message: failure.message, returned: input)
        }
        if values.isEmpty { return nil }
        if values.count > 1 {
            _ = try fail("can only compare one element at a time", returned: input)
            return nil
        }
        return values[0].value
    }

    private func compare(_ lhs: JSONPathValue, _ op: String, _ rhs: JSONPathValue, results: [JSONPathItem]) throws -> Bool {
        switch mode {
        case .printer:
            do {
                return try GoComparison.evaluate(lhs, op, rhs)
            } catch let error as GoComparison.Failure {
                throw Failure(message: error.message, returned: results)
            }
        case .check:
            switch CheckComparison.evaluate(lhs, op, rhs) {
            case .result(let pass):
                return pass
            case .problem(let text):
                note(text)
                return false
            }
        }
    }
}
