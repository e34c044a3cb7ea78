import KubeJSON
import LabSpec

/// One exec, http or command call and what it returned, as a snapshot's `outputs/*.json`
/// file holds it (format in `content/reference/lab-format.md`, "Snapshots"):
/// `{"exec": {"namespace", "pod", "container"?, "command"}, "result": {"exitCode", "stdout", "stderr"}}`,
/// `{"http": {"url"}, "result": {"status", "body", "error"?}}` (status 0 and an error when nothing answered) or
/// `{"command": [...], "result": {"exitCode", "stdout", "stderr"}}` or
/// `{"probe": {"namespace", "image", "labels"?, "command"}, "result": {"exitCode", "stdout", "stderr"}}`
/// (`"result": {"ran": false, "error"}` when the probe's command never ran).
public enum RecordedOutput: Sendable, Equatable {
    case exec(namespace: String, pod: String, container: String?, command: [String], result: CommandOutput)
    case http(url: String, result: HTTPOutput)
    case command(arguments: [String], result: CommandOutput)
    case probe(ProbeCall, result: ProbeOutput)
    /// What a `workspace` check read (`path` nil: the whole workspace).
    case workspace(path: String?, result: JSONValue)

    /// The call in words, for messages: `exec in pod shop/web-1 (container app): cat /etc/x`.
    public var call: String {
        switch self {
        case .exec(let namespace, let pod, let container, let command, _):
            return Self.execCall(namespace: namespace, pod: pod, container: container, command: command)
        case .http(let url, _): return Self.httpCall(url: url)
        case .command(let arguments, _): return Self.commandCall(arguments)
        case .probe(let call, _): return call.description
        case .workspace(let path, _): return Self.workspaceCall(path)
        }
    }

    static func workspaceCall(_ path: String?) -> String { "workspace \(path ?? "(all of it)")" }

    static func execCall(namespace: String, pod: String, container: String?, command: [String]) -> String {
        let where_ = container.map { " (container \($0))" } ?? ""
        return "exec in pod \(namespace)/\(pod)\(where_): \(command.map(shellQuoted).joined(separator: " "))"
    }

    static func httpCall(url: String) -> String { "http GET \(url)" }

    static func commandCall(_ arguments: [String]) -> String {
        "command \(arguments.map(shellQuoted).joined(separator: " "))"
    }

    /// The output with an exec's or command's stdout replaced by its `sha256:` digest. A stdout
    /// that is a digest already (an output klab stored, read again) stays itself, as the `digest`
    /// predicate reads it, so redacting twice keeps what a `digest` check compares.
    public var redacted: RecordedOutput {
        func digest(_ result: CommandOutput) -> CommandOutput {
            CommandOutput(exitCode: result.exitCode, stdout: ValueDigest.keeping(result.stdout), stderr: result.stderr)
        }
        switch self {
        case .exec(let namespace, let pod, let container, let command, let result):
            return .exec(namespace: namespace, pod: pod, container: container, command: command, result: digest(result))
        case .command(let arguments, let result):
            return .command(arguments: arguments, result: digest(result))
        case .probe(let call, var result):
            if result.couldNotRun == nil { result.stdout = ValueDigest.keeping(result.stdout) }
            return .probe(call, result: result)
        case .http, .workspace:
            return self
        }
    }

    /// The stdout of an exec, command or probe that ran; nil for the others.
    var stdout: String? {
        switch self {
        case .exec(_, _, _, _, let result), .command(_, let result): return result.stdout
        case .probe(_, let result): return result.couldNotRun == nil ? result.stdout : nil
        case .http, .workspace: return nil
        }
    }

    /// The file's JSON, keys in the documented order.
    public var json: JSONValue {
        switch self {
        case .exec(let namespace, let pod, let container, let command, let result):
            var request: [(String, JSONValue)] = [("namespace", .string(namespace)), ("pod", .string(pod))]
            if let container { request.append(("container", .string(container))) }
            request.append(("command", .array(command.map(JSONValue.string))))
            return .object(JSONObject([("exec", .object(JSONObject(request))), ("result", Self.json(result))]))
        case .http(let url, let result):
            var output = JSONObject([("status", .int(Int64(result.status))), ("body", .string(result.body))])
            if let error = result.error { output["error"] = .string(error) }
            return .object(JSONObject([("http", .object(JSONObject([("url", .string(url))]))), ("result", .object(output))]))
        case .command(let arguments, let result):
            return .object(JSONObject([("command", .array(arguments.map(JSONValue.string))), ("result", Self.json(result))]))
        case .probe(let call, let result):
            var request: [(String, JSONValue)] = [("namespace", .string(call.namespace)), ("image", .string(call.image))]
            if !call.labels.isEmpty {
                request.append(("labels", .object(JSONObject(call.labels.map { ($0.key, JSONValue.string($0.value)) }))))
            }
            request.append(("command", .array(call.command.map(JSONValue.string))))
            let output: JSONValue
            if let reason = result.couldNotRun {
                output = .object(JSONObject([("ran", .bool(false)), ("error", .string(reason))]))
            } else {
                output = Self.json(result.commandOutput)
            }
            return .object(JSONObject([("probe", .object(JSONObject(request))), ("result", output)]))
        case .workspace(let path, let result):
            let request = path.map { JSONObject([("path", .string($0))]) } ?? JSONObject()
            return .object(JSONObject([("workspace", .object(request)), ("result", result)]))
        }
    }

    private static func json(_ output: CommandOutput) -> JSONValue {
        .object(JSONObject([
            ("exitCode", .int(Int64(output.exitCode))), ("stdout", .string(output.stdout)), ("stderr", .string(output.stderr)),
        ]))
    }

    /// Reads one recorded call; nil with a reason when the JSON is not in the format.
    public static func parse(_ value: JSONValue) -> Result<RecordedOutput, RecordFormatError> {
        guard let result = value["result"]?.objectValue else { return .failure(RecordFormatError("no \"result\" object")) }
        func commandOutput() -> CommandOutput? {
            guard let code = result["exitCode"].flatMap(intValue) else { return nil }
            return CommandOutput(
                exitCode: code, stdout: result["stdout"]?.stringValue ?? "", stderr: result["stderr"]?.stringValue ?? "")
        }
        if let exec = value["exec"] {
            guard let namespace = exec["namespace"]?.stringValue, let pod = exec["pod"]?.stringValue,
                  let command = strings(exec["command"])
            else { return .failure(RecordFormatError("\"exec\" needs \"namespace\", \"pod\" and a \"command\" array of strings")) }
            guard let output = commandOutput() else { return .failure(RecordFormatError("\"result\" needs an integer \"exitCode\"")) }
            let container = exec["container"]?.stringValue
            return .success(.exec(namespace: namespace, pod: pod, container: container, command: command, result: output))
        }
        if let http = value["http"] {
            guard let url = http["url"]?.stringValue else { return .failure(RecordFormatError("\"http\" needs a \"url\"")) }
            guard let status = result["status"].flatMap(intValue) else {
                return .failure(RecordFormatError("\"result\" needs an integer \"status\""))
            }
            let output = HTTPOutput(status: status, body: result["body"]?.stringValue ?? "", error: result["error"]?.stringValue)
            return .success(.http(url: url, result: output))
        }
        if let arguments = value["command"] {
            guard let arguments = strings(arguments) else { return .failure(RecordFormatError("\"command\" must be an array of strings")) }
            guard let output = commandOutput() else { return .failure(RecordFormatError("\"result\" needs an integer \"exitCode\"")) }
            return .success(.command(arguments: arguments, result: output))
        }
        if let workspace = value["workspace"] {
            guard workspace.objectValue != nil else { return .failure(RecordFormatError("\"workspace\" must be an object")) }
            return .success(.workspace(path: workspace["path"]?.stringValue, result: .object(result)))
        }
        if let probe = value["probe"] {
            guard let namespace = probe["namespace"]?.stringValue, let image = probe["image"]?.stringValue,
                  let command = strings(probe["command"])
            else { return .failure(RecordFormatError("\"probe\" needs \"namespace\", \"image\" and a \"command\" array of strings")) }
            var labels: [ProbeLabel] = []
            if let given = probe["labels"] {
                guard let object = given.objectValue, object.entries.allSatisfy({ $0.value.stringValue != nil }) else {
                    return .failure(RecordFormatError("\"labels\" of a probe must map names to strings"))
                }
                labels = object.entries.map { ProbeLabel(key: $0.key, value: $0.value.stringValue!) }
            }
            let call = ProbeCall(namespace: namespace, image: image, labels: labels, command: command)
            if result["ran"] == .bool(false) {
                return .success(.probe(call, result: .notRun(result["error"]?.stringValue ?? "the probe did not run")))
            }
            guard let output = commandOutput() else {
                return .failure(RecordFormatError("\"result\" needs an integer \"exitCode\", or \"ran\": false and an \"error\""))
            }
            return .success(.probe(call, result: ProbeOutput(exitCode: output.exitCode, stdout: output.stdout, stderr: output.stderr)))
        }
        return .failure(RecordFormatError("expected one of \"exec\", \"http\", \"command\", \"probe\" or \"workspace\""))
    }

    private static func strings(_ value: JSONValue?) -> [String]? {
        guard let items = value?.arrayValue else { return nil }
        let strings = items.compactMap(\.stringValue)
        return strings.count == items.count ? strings : nil
    }

    private static func intValue(_ value: JSONValue) -> Int? {
        switch value {
        case .int(let n): return Int(n)
        case .double(let d) where d == d.rounded(): return Int(d)
        default: return nil
        }
    }
}

/// Why a recorded output file is not in the documented format.
public struct RecordFormatError: Error, Equatable {
    public var reason: String
    init(_ reason: String) { self.reason = reason }
}

/// A probe as klab runs it: where, with which image and labels, what command. Two calls are the
/// same probe when these match (labels in any order); the timeout is not part of it.
public struct ProbeCall: Sendable, Equatable, CustomStringConvertible {
    public var namespace: String
    public var image: String
    public var labels: [ProbeLabel]
    public var command: [String]

    public init(namespace: String, image: String, labels: [ProbeLabel], command: [String]) {
        self.namespace = namespace
        self.image = image
        self.labels = labels
        self.command = command
    }

    public init(namespace: String, request: ProbeRequest) {
        self.init(namespace: namespace, image: request.image, labels: request.labels, command: request.command)
    }

    public func matches(_ other: ProbeCall) -> Bool {
        namespace == other.namespace && image == other.image && command == other.command
            && Set(labels.map { "\($0.key)=\($0.value)" }) == Set(other.labels.map { "\($0.key)=\($0.value)" })
    }

    /// `probe in client (role=client, busybox:1.36): nc -z -w 2 backend.stars 6379`.
    public var description: String {
        let labelText = labels.map { "\($0.key)=\($0.value)" }.joined(separator: ",")
        return "probe in \(namespace) (\(labelText.isEmpty ? "" : labelText + ", ")\(image)): \(command.map(shellQuoted).joined(separator: " "))"
    }
}
