import CYaml
import KubeJSON

/// A YAML text past the bounds of `InputLimits`, found before anything builds its nodes.
public struct YAMLBoundsViolation: Error, Equatable, Sendable {
    public var message: String
    /// 1-based.
    public var line: Int
    public var column: Int
}

/// Checks a YAML text against `InputLimits.yamlDepth` and `InputLimits.yamlNodes` in one pass
/// over libyaml's events, before Yams composes it: Yams builds nodes recursively (a document
/// nested 100,000 deep overflows the stack) and klab expands aliases when it converts them (a
/// "billion laughs" document of a few lines expands to billions of values). The count follows
/// aliases without expanding them: each anchor remembers how many values it stands for.
/// Syntax errors are left to the parser that reads the text afterwards, which names them.
public enum YAMLBounds {
    /// libyaml's own nesting limit, set once (`InputLimits.yamlParserDepth`); every parse of
    /// YAML klab reads comes after a `check`, so it is set before Yams parses anything.
    private static let parserLimitSet: Void = yaml_set_max_nest_level(Int32(InputLimits.yamlParserDepth))

    public static func check(_ text: String, maxDepth: Int = InputLimits.yamlDepth, maxNodes: Int = InputLimits.yamlNodes)
        -> YAMLBoundsViolation? {
        _ = parserLimitSet
        var text = text
        return text.withUTF8 { bytes in
            var parser = yaml_parser_t()
            guard yaml_parser_initialize(&parser) == 1 else { return nil }
            defer { yaml_parser_delete(&parser) }
            yaml_parser_set_encoding(&parser, YAML_UTF8_ENCODING)
            yaml_parser_set_input_string(&parser, bytes.baseAddress, bytes.count)
            // Open collections: their anchor and the document's value count when they opened.
            var open: [(anchor: String?, start: Int)] = []
            var anchors: [String: Int] = [:]
            var nodes = 0
            while true {
                var event = yaml_event_t()
                guard yaml_parser_parse(&parser, &event) == 1 else {
                    // libyaml's own limit is above ours (`InputLimits.yamlParserDepth`), so this
                    // is a backstop: its words, at the place it names.
                    guard let problem = parser.problem, String(cString: problem).contains("nesting level") else { return nil }
                    let mark = parser.problem_mark
                    return YAMLBoundsViolation(
                        message: "collections nested deeper than \(InputLimits.yamlParserDepth) levels (libyaml's limit)",
                        line: Int(mark.line) + 1, column: Int(mark.column) + 1)
                }
                defer { yaml_event_delete(&event) }
                let mark = event.start_mark
                func violation(_ message: String) -> YAMLBoundsViolation {
                    YAMLBoundsViolation(message: message, line: Int(mark.line) + 1, column: Int(mark.column) + 1)
                }
                switch event.type {
                case YAML_STREAM_END_EVENT:
                    return nil
                case YAML_DOCUMENT_START_EVENT:
                    anchors = [:]
                    nodes = 0
                case YAML_SCALAR_EVENT:
                    nodes += 1
                    if let anchor = name(event.data.scalar.anchor) { anchors[anchor] = 1 }
                case YAML_ALIAS_EVENT:
                    nodes += name(event.data.alias.anchor).flatMap { anchors[$0] } ?? 1
                case YAML_SEQUENCE_START_EVENT, YAML_MAPPING_START_EVENT:
                    let anchor = event.type == YAML_SEQUENCE_START_EVENT
                        ? name(event.data.sequence_start.anchor) : name(event.data.mapping_start.anchor)
                    open.append((anchor, nodes))
                    nodes += 1
                    if open.count > maxDepth {
                        return violation("collections nested deeper than \(maxDepth) levels")
                    }
                case YAML_SEQUENCE_END_EVENT, YAML_MAPPING_END_EVENT:
                    if let closed = open.popLast(), let anchor = closed.anchor { anchors[anchor] = nodes - closed.start }
                default:
                    break
                }
                if nodes > maxNodes {
                    return violation("the document expands to more than \(maxNodes) values (aliases of aliases?)")
                }
            }
        }
    }

    private static func name(_ pointer: UnsafeMutablePointer<yaml_char_t>?) -> String? {
        pointer.map { String(cString: $0) }
    }
}
