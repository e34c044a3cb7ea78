import KubeJSON
import Foundation
import Yams

/// Reads a file the way `kubectl apply -f`/`kubectl get -f` does: JSON when the first
/// non-blank character is `{` (one or more concatenated values), YAML otherwise (one value per
/// document, empty documents skipped). YAML becomes JSON by kubectl's rules
/// (`sigs.k8s.io/yaml`, YAML 1.1 through go-yaml v2, then JSON): `yes`/`no`/`on`/`off`/`y`/`n`
/// are booleans, `0755` is octal, timestamps stay strings, a float with an integral value
/// (`1.0`, `1e3`) becomes an integer, keys that are numbers or booleans become strings.
/// Keys keep their order.
public enum KubeDocuments {
    public static func parse(_ data: Data, source: String) throws -> [JSONValue] {
        try data.withUnsafeBytes { try parse($0, source: source) }
    }

    /// A file, mapped rather than read when it can be: a large JSON list then costs the memory
    /// of what it holds, not that plus a copy of the file (the pages read are given back).
    public static func parse(contentsOfFile path: String) throws -> [JSONValue]? {
        guard let file = MappedFile(path: path) else { return nil }
        return try file.withBytes { try parse($0, source: path, consumed: file.release(before:)) }
    }

    static func parse(_ bytes: UnsafeRawBufferPointer, source: String, consumed: ((Int) -> Void)? = nil) throws -> [JSONValue] {
        var isJSON = false
        for byte in bytes {
            switch byte {
            case 0x20, 0x09, 0x0A, 0x0D: continue
            default: isJSON = byte == UInt8(ascii: "{")
            }
            break
        }
        if isJSON {
            do {
                if let consumed { return try JSONParser.parseStream(bytes, consumed: consumed) }
                return try JSONParser.parseStream(bytes)
            } catch let error as JSONParseError {
                throw KubeDocumentError(source: source, format: .json, line: error.line, column: error.column, message: error.message)
            }
        }
        guard let text = String(bytes: bytes, encoding: .utf8) else {
            throw KubeDocumentError(source: source, format: .yaml, line: nil, column: nil,
                                    message: "the file is not UTF-8 text")
        }
        return try YAMLToJSON(source: source).documents(text)
    }

    /// One YAML node read elsewhere (a lab file, a manifest template) as kubectl would read
    /// it: the same rules as `parse`, so `0755` is 493 and `yes` is true wherever klab meets YAML.
    public static func json(_ node: Node, source: String) throws -> JSONValue {
        try YAMLToJSON(source: source).convert(node)
    }
}
