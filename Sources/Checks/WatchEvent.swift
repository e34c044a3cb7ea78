import Foundation
import KubeJSON

/// One event of `kubectl get KIND -o json --watch --output-watch-events`: kubectl prints the
/// list it starts from as ADDED events, then each change as the API server reports it.
public struct WatchEvent: Sendable, Equatable {
    public enum EventType: String, Sendable {
        case added = "ADDED", modified = "MODIFIED", deleted = "DELETED", bookmark = "BOOKMARK", error = "ERROR"
    }

    public var type: EventType
    /// The object (for ERROR, a `Status` saying why the watch ended).
    public var object: JSONValue

    public init(type: EventType, object: JSONValue) {
        self.type = type
        self.object = object
    }

    /// The words of an ERROR event's `Status`.
    public var errorMessage: String {
        object["message"]?.stringValue ?? object["reason"]?.stringValue ?? "the API server ended the watch"
    }
}

/// Splits kubectl's watch output into events as bytes arrive. kubectl prints each event as an
/// indented JSON object, one after another, so events are found by matching braces (outside
/// strings), not by lines; anything between them that is not an object is garbage.
public struct WatchEventDecoder: Sendable {
    public enum Item: Sendable, Equatable {
        case event(WatchEvent)
        /// Output that is not a watch event: the stream cannot be trusted past it.
        case garbage(String)
    }

    private var pending: [UInt8] = []
    /// Where scanning resumes in `pending`, and the state of the scan there.
    private var scanned = 0
    private var depth = 0
    private var inString = false
    private var escaped = false
    private var start: Int?

    public init() {}

    /// The events (and garbage) completed by this chunk, in order.
    public mutating func feed(_ data: Data) -> [Item] {
        pending.append(contentsOf: data)
        var items: [Item] = []
        var consumed = 0
        var index = scanned
        while index < pending.count {
            let byte = pending[index]
            if let open = start {
                if inString {
                    if escaped { escaped = false } else if byte == UInt8(ascii: "\\") { escaped = true } else if byte == UInt8(ascii: "\"") { inString = false }
                } else if byte == UInt8(ascii: "\"") {
                    inString = true
                } else if byte == UInt8(ascii: "{") || byte == UInt8(ascii: "[") {
                    depth += 1
                } else if byte == UInt8(ascii: "}") || byte == UInt8(ascii: "]") {
                    depth -= 1
                    if depth == 0 {
                        items.append(Self.item(pending[open...index]))
                        start = nil
                        consumed = index + 1
                    }
                }
                index += 1
                continue
            }
            switch byte {
            case UInt8(ascii: " "), UInt8(ascii: "\n"), UInt8(ascii: "\r"), UInt8(ascii: "\t"):
                consumed = index + 1
                index += 1
            case UInt8(ascii: "{"):
                start = index
                depth = 1
                index += 1
            default:
                // Garbage runs to the end of its line; wait for the line to end.
                guard let end = pending[index...].firstIndex(of: UInt8(ascii: "\n")) else {
                    index = pending.count
                    break
                }
                items.append(.garbage(String(decoding: pending[index..<end], as: UTF8.self)))
                consumed = end + 1
                index = end + 1
            }
            if index == pending.count, start == nil, consumed < index, pending[consumed...].contains(where: { $0 > 0x20 }) {
                // An unfinished garbage line: rescan it when more arrives.
                index = consumed
                break
            }
        }
        pending.removeFirst(consumed)
        scanned = index - consumed
        if let open = start { start = open - consumed }
        return items
    }

    private static func item(_ bytes: ArraySlice<UInt8>) -> Item {
        guard let value = try? JSONParser.parse(bytes: bytes),
              let type = value["type"]?.stringValue.flatMap(WatchEvent.EventType.init(rawValue:)),
              let object = value["object"]
        else { return .garbage(String(decoding: bytes.prefix(200), as: UTF8.self)) }
        return .event(WatchEvent(type: type, object: object))
    }
}
