import KubeJSON
import LabSpec

/// One exec, http or command call and what it returned, as a snapshot's `outputs/*.json`
/// file holds it (format in `content/reference/lab-format.md`, "Snapshots"):
/// `{"exec": {"namespace", "pod", "container"?, "command"}, "result": {"exitCode", "stdout", "stderr"}}`,
/// `{"http": {"url"}, "result": {"status", "body", "error"?}}` (status 0 and an error when nothing answered) or
/// `{"command": [...], "result": {"exitCode", "stdout", "stderr"}}`.
public enum RecordedOutput: Sendable, Equatable {
    case exec(namespace: String, pod: String, container: String?, command: [String], result: CommandOutput)
    case http(url: String, result: HTTPOutput)
    case command(arguments: [String], result: CommandOutput)

    /// The call in words, for messages: `exec in pod shop/web-1 (container app): cat /etc/x`.
    public var call: String {
        switch self {
        case .exec(let namespace, let pod, let container, let command, _):
            return Self.execCall(namespace: namespace, pod: pod, container: container, command: command)
        case .http(let url, _): return Self.httpCall(url: url)
        case .command(let arguments, _): return Self.commandCall(arguments)
        }
    }

    static func execCall(namespace: String, pod: String, container: String?, command: [String]) -> String {
        let where_ = container.map { " (container \($0))" } ?? ""
        return "exec in pod \(namespace)/\(pod)\(where_): \(command.map(shellQuoted).joined(separator: " "))"
    }

    static func httpCall(url: String) -> String { "http GET \(url)" }

    static func commandCall(_ arguments: [String]) -> String {
        "command \(arguments.map(shellQuoted).joined(separator: " "))"
    }

    /// The output with an exec's or command's stdout replaced by its `sha256:` digest.
    public var redacted: RecordedOutput {
        func digest(_ result: CommandOutput) -> CommandOutput {
            CommandOutput(exitCode: result.exitCode, stdout: ValueDigest.of(text: result.stdout), stderr: result.stderr)
        }
        switch self {
        case .exec(let namespace, let pod, let container, let command, let result):
            return .exec(namespace: namespace, pod: pod, container: container, command: command, result: digest(result))
        case .command(let arguments, let result):
            return .command(arguments: arguments, result: digest(result))
        case .http:
            return self
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
        return .failure(RecordFormatError("expected one of \"exec\", \"http\" or \"command\""))
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
