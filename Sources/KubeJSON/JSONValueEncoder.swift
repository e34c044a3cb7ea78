import Foundation

/// Encodes an `Encodable` value as a `JSONValue`, so that what a command prints is a typed
/// struct and its JSON is written by `JSONWriter` like every other JSON klab prints.
///
/// Unlike Foundation's `JSONEncoder`: keys keep the order they are encoded in (a synthesized
/// `encode(to:)` follows the declaration order), integers stay integers, and an optional that is
/// nil is written as `null` rather than left out, so every key of an output is always there.
public struct JSONValueEncoder {
    public init() {}

    public func encode<T: Encodable>(_ value: T) throws -> JSONValue {
        try JSONValueEncoding.box(value, codingPath: [])
    }

    /// `encode(value)` printed as indented JSON with a final newline.
    public func pretty<T: Encodable>(_ value: T) throws -> String {
        JSONWriter.pretty(try encode(value)) + "\n"
    }
}

extension JSONValue: Encodable {
    public func encode(to encoder: Encoder) throws {
        if let direct = encoder as? JSONValueEncoding {
            direct.node.content = .value(self)
            return
        }
        switch self {
        case .null:
            var container = encoder.singleValueContainer()
            try container.encodeNil()
        case .bool(let b):
            var container = encoder.singleValueContainer()
            try container.encode(b)
        case .int(let n):
            var container = encoder.singleValueContainer()
            try container.encode(n)
        case .double(let d):
            var container = encoder.singleValueContainer()
            try container.encode(d)
        case .string(let s):
            var container = encoder.singleValueContainer()
            try container.encode(s)
        case .array(let items):
            var container = encoder.unkeyedContainer()
            for item in items { try container.encode(item) }
        case .object(let object):
            var container = encoder.container(keyedBy: AnyKey.self)
            for (key, value) in object.entries { try container.encode(value, forKey: AnyKey(key)) }
        }
    }
}

/// A coding key made from any string.
struct AnyKey: CodingKey {
    var stringValue: String
    var intValue: Int? { nil }
    init(_ string: String) { stringValue = string }
    init?(stringValue: String) { self.stringValue = stringValue }
    init?(intValue: Int) { nil }
}

/// What one value encodes to, filled in as its containers are written: a tree of nodes, so
/// that nested containers are written in place, turned into a `JSONValue` at the end.
// @unchecked: one encoding runs on one thread; its nodes are shared only by the containers of
// that encoding, which Codable calls one after another.
final class EncodedNode: @unchecked Sendable {
    enum Content {
        case value(JSONValue)
        case object(keys: [String], nodes: [String: EncodedNode])
        case array([EncodedNode])
    }

    var content: Content = .value(.null)

    init(_ content: Content = .value(.null)) { self.content = content }

    var value: JSONValue {
        switch content {
        case .value(let value): return value
        case .object(let keys, let nodes): return .object(JSONObject(keys.map { ($0, nodes[$0]!.value) }))
        case .array(let nodes): return .array(nodes.map(\.value))
        }
    }

    /// This node as an object (several keyed containers on one encoder write into one object).
    func makeObject() {
        if case .object = content { return }
        content = .object(keys: [], nodes: [:])
    }

    func makeArray() {
        if case .array = content { return }
        content = .array([])
    }

    /// The node under `key` of this object, made if new (a key written twice keeps its place).
    func child(_ key: String) -> EncodedNode {
        guard case .object(var keys, var nodes) = content else { return EncodedNode() }
        if let node = nodes[key] { return node }
        let node = EncodedNode()
        keys.append(key)
        nodes[key] = node
        content = .object(keys: keys, nodes: nodes)
        return node
    }

    func appended() -> EncodedNode {
        guard case .array(var nodes) = content else { return EncodedNode() }
        let node = EncodedNode()
        nodes.append(node)
        content = .array(nodes)
        return node
    }

    var count: Int {
        if case .array(let nodes) = content { return nodes.count }
        return 0
    }
}

final class JSONValueEncoding: Encoder {
    let codingPath: [CodingKey]
    var userInfo: [CodingUserInfoKey: Any] { [:] }
    let node: EncodedNode

    init(codingPath: [CodingKey], node: EncodedNode = EncodedNode()) {
        self.codingPath = codingPath
        self.node = node
    }

    static func box<T: Encodable>(_ value: T, codingPath: [CodingKey]) throws -> JSONValue {
        if let json = value as? JSONValue { return json }
        let encoder = JSONValueEncoding(codingPath: codingPath)
        try value.encode(to: encoder)
        return encoder.node.value
    }

    /// Encodes `value` into `node`.
    static func write<T: Encodable>(_ value: T, into node: EncodedNode, codingPath: [CodingKey]) throws {
        if let json = value as? JSONValue {
            node.content = .value(json)
            return
        }
        try value.encode(to: JSONValueEncoding(codingPath: codingPath, node: node))
    }

    func container<Key: CodingKey>(keyedBy type: Key.Type) -> KeyedEncodingContainer<Key> {
        node.makeObject()
        return KeyedEncodingContainer(Keyed<Key>(node: node, codingPath: codingPath))
    }

    func unkeyedContainer() -> UnkeyedEncodingContainer {
        node.makeArray()
        return Unkeyed(node: node, codingPath: codingPath)
    }

    func singleValueContainer() -> SingleValueEncodingContainer {
        Single(node: node, codingPath: codingPath)
    }

    struct Keyed<Key: CodingKey>: KeyedEncodingContainerProtocol {
        let node: EncodedNode
        let codingPath: [CodingKey]

        private func set(_ value: JSONValue, _ key: Key) { node.child(key.stringValue).content = .value(value) }

        mutating func encodeNil(forKey key: Key) throws { set(.null, key) }
        mutating func encode<T: Encodable>(_ value: T, forKey key: Key) throws {
            try JSONValueEncoding.write(value, into: node.child(key.stringValue), codingPath: codingPath + [key])
        }
        // nil is written as null: every key of an output is always there.
        mutating func encodeIfPresent<T: Encodable>(_ value: T?, forKey key: Key) throws {
            if let value { try encode(value, forKey: key) } else { set(.null, key) }
        }
        mutating func encodeIfPresent(_ value: String?, forKey key: Key) throws { set(value.map(JSONValue.string) ?? .null, key) }
        mutating func encodeIfPresent(_ value: Bool?, forKey key: Key) throws { set(value.map(JSONValue.bool) ?? .null, key) }
        mutating func encodeIfPresent(_ value: Int?, forKey key: Key) throws { set(value.map { .int(Int64($0)) } ?? .null, key) }
        mutating func encodeIfPresent(_ value: Int64?, forKey key: Key) throws { set(value.map(JSONValue.int) ?? .null, key) }
        mutating func encodeIfPresent(_ value: Double?, forKey key: Key) throws { set(value.map(JSONValue.double) ?? .null, key) }

        mutating func nestedContainer<NestedKey: CodingKey>(keyedBy keyType: NestedKey.Type, forKey key: Key) -> KeyedEncodingContainer<NestedKey> {
            JSONValueEncoding(codingPath: codingPath + [key], node: node.child(key.stringValue)).container(keyedBy: keyType)
        }
        mutating func nestedUnkeyedContainer(forKey key: Key) -> UnkeyedEncodingContainer {
            JSONValueEncoding(codingPath: codingPath + [key], node: node.child(key.stringValue)).unkeyedContainer()
        }
        mutating func superEncoder() -> Encoder { JSONValueEncoding(codingPath: codingPath, node: node.child("super")) }
        mutating func superEncoder(forKey key: Key) -> Encoder {
            JSONValueEncoding(codingPath: codingPath + [key], node: node.child(key.stringValue))
        }
    }

    struct Unkeyed: UnkeyedEncodingContainer {
        let node: EncodedNode
        let codingPath: [CodingKey]
        var count: Int { node.count }

        mutating func encodeNil() throws { node.appended().content = .value(.null) }
        mutating func encode<T: Encodable>(_ value: T) throws {
            let path = codingPath + [AnyKey(String(count))]
            try JSONValueEncoding.write(value, into: node.appended(), codingPath: path)
        }
        mutating func nestedContainer<NestedKey: CodingKey>(keyedBy keyType: NestedKey.Type) -> KeyedEncodingContainer<NestedKey> {
            JSONValueEncoding(codingPath: codingPath, node: node.appended()).container(keyedBy: keyType)
        }
        mutating func nestedUnkeyedContainer() -> UnkeyedEncodingContainer {
            JSONValueEncoding(codingPath: codingPath, node: node.appended()).unkeyedContainer()
        }
        mutating func superEncoder() -> Encoder { JSONValueEncoding(codingPath: codingPath, node: node.appended()) }
    }

    struct Single: SingleValueEncodingContainer {
        let node: EncodedNode
        let codingPath: [CodingKey]

        private func set(_ value: JSONValue) { node.content = .value(value) }

        mutating func encodeNil() throws { set(.null) }
        mutating func encode(_ value: Bool) throws { set(.bool(value)) }
        mutating func encode(_ value: String) throws { set(.string(value)) }
        mutating func encode(_ value: Double) throws { set(.double(value)) }
        mutating func encode(_ value: Float) throws { set(.double(Double(value))) }
        mutating func encode(_ value: Int) throws { set(.int(Int64(value))) }
        mutating func encode(_ value: Int8) throws { set(.int(Int64(value))) }
        mutating func encode(_ value: Int16) throws { set(.int(Int64(value))) }
        mutating func encode(_ value: Int32) throws { set(.int(Int64(value))) }
        mutating func encode(_ value: Int64) throws { set(.int(value)) }
        mutating func encode(_ value: UInt) throws { set(.int(Int64(clamping: value))) }
        mutating func encode(_ value: UInt8) throws { set(.int(Int64(value))) }
        mutating func encode(_ value: UInt16) throws { set(.int(Int64(value))) }
        mutating func encode(_ value: UInt32) throws { set(.int(Int64(value))) }
        mutating func encode(_ value: UInt64) throws { set(.int(Int64(clamping: value))) }
        mutating func encode<T: Encodable>(_ value: T) throws {
            try JSONValueEncoding.write(value, into: node, codingPath: codingPath)
        }
    }
}
