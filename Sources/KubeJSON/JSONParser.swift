import Foundation

/// A JSON input that could not be parsed, with where it went wrong.
public struct JSONParseError: Error, Equatable, CustomStringConvertible, Sendable {
    public var message: String
    /// Byte offset into the input, 0-based.
    public var offset: Int
    /// 1-based line and column (column counts bytes).
    public var line: Int
    public var column: Int

    public init(message: String, offset: Int, line: Int, column: Int) {
        self.message = message
        self.offset = offset
        self.line = line
        self.column = column
    }

    public var description: String { "invalid JSON at line \(line), column \(column): \(message)" }
}

/// Parses JSON bytes into `JSONValue`, keeping integers apart from floats the way kubectl's
/// decoder does (`k8s.io/apimachinery/pkg/util/json`): a number that `strconv.ParseInt`
/// accepts (no fraction, no exponent, fits in Int64) is an int, any other number a float64,
/// and a number too large for a float64 is an error. Duplicate keys keep the last value, as
/// Go's decoder does; nesting deeper than Go's 10,000 levels is an error, not a crash.
public enum JSONParser {
    /// Go's `encoding/json` nesting limit, which kubectl inherits.
    public static let maxDepth = 10_000

    public static func parse(_ text: String) throws -> JSONValue {
        var text = text
        return try text.withUTF8 { try parse(UnsafeRawBufferPointer($0)) }
    }

    public static func parse<Bytes: Collection>(bytes: Bytes) throws -> JSONValue where Bytes.Element == UInt8 {
        if let result = try bytes.withContiguousStorageIfAvailable({ try parse(UnsafeRawBufferPointer($0)) }) {
            return result
        }
        return try Array(bytes).withUnsafeBytes { try parse($0) }
    }

    public static func parse(_ buffer: UnsafeRawBufferPointer) throws -> JSONValue {
        var reader = Reader(buffer)
        defer { reader.release() }
        reader.skipWhitespace()
        let value = try reader.parseValue()
        reader.skipWhitespace()
        if reader.i < reader.count {
            throw reader.error("unexpected data after the top-level value")
        }
        return value
    }

    /// Parses a stream of whitespace-separated JSON values (`{...} {...}`), as kubectl's
    /// decoder accepts in a file; an input of only whitespace gives no values.
    public static func parseStream(_ buffer: UnsafeRawBufferPointer) throws -> [JSONValue] {
        var reader = Reader(buffer)
        defer { reader.release() }
        var values: [JSONValue] = []
        reader.skipWhitespace()
        while reader.i < reader.count {
            values.append(try reader.parseValue())
            reader.skipWhitespace()
        }
        return values
    }

    /// Line and column (1-based, column in bytes) of a byte offset.
    static func position(of offset: Int, in bytes: UnsafeRawBufferPointer) -> (line: Int, column: Int) {
        var line = 1
        var lineStart = 0
        for i in 0..<min(offset, bytes.count) where bytes[i] == 0x0A {
            line += 1
            lineStart = i + 1
        }
        return (line, offset - lineStart + 1)
    }
}

private enum Byte {
    static let quote = UInt8(ascii: "\"")
    static let backslash = UInt8(ascii: "\\")
    static let comma = UInt8(ascii: ",")
    static let colon = UInt8(ascii: ":")
    static let openBrace = UInt8(ascii: "{")
    static let closeBrace = UInt8(ascii: "}")
    static let openBracket = UInt8(ascii: "[")
    static let closeBracket = UInt8(ascii: "]")
    static let minus = UInt8(ascii: "-")
    static let zero = UInt8(ascii: "0")
    static let nine = UInt8(ascii: "9")
}

/// An open array or object while parsing: where its elements start on the value stack.
private struct Frame {
    var isObject: Bool
    var valueStart: Int
    var keyStart: Int
}

/// The parser proper. It is iterative (an explicit stack of open containers) so that deep
/// input cannot overflow the thread's stack, and it collects the elements of open containers
/// on two manually managed stacks, moving them into exactly-sized arrays when a container
/// closes: no per-element retain/release and no array regrowth in the result.
private struct Reader {
    let base: UnsafePointer<UInt8>
    let count: Int
    var i = 0

    var values: UnsafeMutablePointer<JSONValue>
    var valueCount = 0
    var valueCapacity = 256
    var keys: UnsafeMutablePointer<String>
    var keyCount = 0
    var keyCapacity = 256
    var frames: [Frame] = []
    var keyCache = StringCache()

    init(_ buffer: UnsafeRawBufferPointer) {
        // An empty buffer may have a nil base address; any valid pointer will do for count 0.
        base = buffer.baseAddress.map { $0.assumingMemoryBound(to: UInt8.self) } ?? UnsafePointer(Reader.emptyByte)
        count = buffer.count
        values = .allocate(capacity: valueCapacity)
        keys = .allocate(capacity: keyCapacity)
        frames.reserveCapacity(32)
    }

    // nonisolated(unsafe): one byte, written once when first used and never again; readers
    // only take its address as the base of an empty buffer.
    nonisolated(unsafe) private static let emptyByte: UnsafeMutablePointer<UInt8> = {
        let p = UnsafeMutablePointer<UInt8>.allocate(capacity: 1)
        p.initialize(to: 0)
        return p
    }()

    /// Frees the stacks, including whatever an error left on them.
    mutating func release() {
        values.deinitialize(count: valueCount)
        values.deallocate()
        keys.deinitialize(count: keyCount)
        keys.deallocate()
    }

    func error(_ message: String, at offset: Int? = nil) -> JSONParseError {
        let offset = min(offset ?? i, count)
        let (line, column) = JSONParser.position(of: offset, in: UnsafeRawBufferPointer(start: base, count: count))
        return JSONParseError(message: message, offset: offset, line: line, column: column)
    }

    func describe(_ byte: UInt8) -> String {
        byte >= 0x20 && byte < 0x7F ? "'\(UnicodeScalar(byte))'" : "byte 0x" + String(byte, radix: 16, uppercase: true)
    }

    @inline(__always) mutating func skipWhitespace() {
        while i < count {
            switch base[i] {
            case 0x20, 0x0A, 0x0D, 0x09: i += 1
            default: return
            }
        }
    }

    // MARK: Stacks

    @inline(__always) mutating func pushValue(_ value: JSONValue) {
        if valueCount == valueCapacity { growValues() }
        (values + valueCount).initialize(to: value)
        valueCount += 1
    }

    mutating func growValues() {
        let bigger = UnsafeMutablePointer<JSONValue>.allocate(capacity: valueCapacity * 2)
        bigger.moveInitialize(from: values, count: valueCount)
        values.deallocate()
        values = bigger
        valueCapacity *= 2
    }

    @inline(__always) mutating func pushKey(_ key: String) {
        if keyCount == keyCapacity { growKeys() }
        (keys + keyCount).initialize(to: key)
        keyCount += 1
    }

    mutating func growKeys() {
        let bigger = UnsafeMutablePointer<String>.allocate(capacity: keyCapacity * 2)
        bigger.moveInitialize(from: keys, count: keyCount)
        keys.deallocate()
        keys = bigger
        keyCapacity *= 2
    }

    mutating func popArray(from start: Int) -> [JSONValue] {
        let n = valueCount - start
        let source = values + start
        valueCount = start
        // Array(repeating:) stays specialized where Array(unsafeUninitializedCapacity:) looks
        // up generic metadata on every call; `.null` needs no deinitialization.
        var array = [JSONValue](repeating: .null, count: n)
        array.withUnsafeMutableBufferPointer { buffer in
            buffer.baseAddress!.moveUpdate(from: source, count: n)
        }
        return array
    }

    mutating func popObject(_ frame: Frame) -> JSONObject {
        let n = keyCount - frame.keyStart
        let keySource = keys + frame.keyStart
        keyCount = frame.keyStart
        let objectKeys = [String](unsafeUninitializedCapacity: n) { buffer, initialized in
            buffer.baseAddress!.moveInitialize(from: keySource, count: n)
            initialized = n
        }
        return JSONObject(uncheckedKeys: objectKeys, values: popArray(from: frame.valueStart))
    }

    /// A key seen before in the open object: Go keeps the last value (at the first position,
    /// which does not matter to Go, whose maps are unordered).
    @inline(__always) func duplicateIndex(of key: String, frame: Frame) -> Int? {
        var k = frame.keyStart
        while k < keyCount - 1 {
            if keys[k] == key { return k - frame.keyStart }
            k += 1
        }
        return nil
    }

    // MARK: Values

    /// Parses one complete value starting at `i` (whitespace already skipped).
    mutating func parseValue() throws -> JSONValue {
        let bottom = frames.count
        var value: JSONValue
        parsing: while true {
            // Read the start of a value: a scalar, or an opening bracket.
            guard i < count else { throw error("unexpected end of input, expecting a value") }
            let c = base[i]
            switch c {
            case Byte.openBrace, Byte.openBracket:
                if frames.count - bottom >= JSONParser.maxDepth {
                    throw error("nesting deeper than \(JSONParser.maxDepth) levels")
                }
                i += 1
                skipWhitespace()
                let isObject = c == Byte.openBrace
                let close = isObject ? Byte.closeBrace : Byte.closeBracket
                if i < count, base[i] == close {
                    i += 1
                    value = isObject ? .object(JSONObject()) : .array([])
                    break
                }
                frames.append(Frame(isObject: isObject, valueStart: valueCount, keyStart: keyCount))
                if isObject { try parseKey() }
                continue parsing
            case Byte.quote:
                value = .string(try parseString(interning: false))
            case UInt8(ascii: "t"):
                try expectLiteral("true")
                value = .bool(true)
            case UInt8(ascii: "f"):
                try expectLiteral("false")
                value = .bool(false)
            case UInt8(ascii: "n"):
                try expectLiteral("null")
                value = .null
            case Byte.minus, Byte.zero...Byte.nine:
                value = try parseNumber()
            default:
                throw error("unexpected \(describe(c)), expecting a value")
            }

            // A value is complete: hand it to the open container, closing containers as they end.
            while frames.count > bottom {
                let frame = frames[frames.count - 1]
                if frame.isObject, let dup = duplicateIndex(of: keys[keyCount - 1], frame: frame) {
                    (keys + keyCount - 1).deinitialize(count: 1)
                    keyCount -= 1
                    values[frame.valueStart + dup] = value
                } else {
                    pushValue(value)
                }
                skipWhitespace()
                guard i < count else {
                    throw error("unexpected end of input in \(frame.isObject ? "an object" : "an array")")
                }
                let c = base[i]
                i += 1
                if c == Byte.comma {
                    skipWhitespace()
                    if frame.isObject { try parseKey() }
                    continue parsing
                }
                if frame.isObject {
                    guard c == Byte.closeBrace else {
                        throw error("unexpected \(describe(c)) after an object value, expecting ',' or '}'", at: i - 1)
                    }
                    value = .object(popObject(frame))
                } else {
                    guard c == Byte.closeBracket else {
                        throw error("unexpected \(describe(c)) after an array element, expecting ',' or ']'", at: i - 1)
                    }
                    value = .array(popArray(from: frame.valueStart))
                }
                frames.removeLast()
            }
            return value
        }
    }

    /// Reads `"key" :` and leaves `i` at the value.
    mutating func parseKey() throws {
        guard i < count else { throw error("unexpected end of input in an object") }
        guard base[i] == Byte.quote else {
            throw error("unexpected \(describe(base[i])), expecting a string key")
        }
        pushKey(try parseString(interning: true))
        skipWhitespace()
        guard i < count, base[i] == Byte.colon else {
            throw error(i < count ? "unexpected \(describe(base[i])) after an object key, expecting ':'" : "unexpected end of input in an object")
        }
        i += 1
        skipWhitespace()
    }

    mutating func expectLiteral(_ literal: StaticString) throws {
        let n = literal.utf8CodeUnitCount
        let p = literal.utf8Start
        let start = i
        for k in 0..<n {
            guard i + k < count, base[i + k] == p[k] else {
                throw error("invalid literal, expecting '\(literal)'", at: start)
            }
        }
        i += n
    }

    // MARK: Strings

    mutating func parseString(interning: Bool) throws -> String {
        let start = i
        i += 1
        var j = i
        // Fast path: no escapes, so the string is a slice of the input.
        while j < count {
            let c = base[j]
            if c == Byte.quote {
                let slice = UnsafeBufferPointer(start: base + i, count: j - i)
                i = j + 1
                // Strings of up to 15 bytes are stored inline by Swift; interning only pays
                // for longer keys, which repeat in every object of a list.
                if interning, slice.count > 15 { return keyCache.string(for: slice) }
                return String(decoding: slice, as: UTF8.self)
            }
            if c == Byte.backslash { break }
            if c < 0x20 { throw error("control character \(describe(c)) in a string; escape it", at: j) }
            j += 1
        }
        if j >= count { throw error("unterminated string", at: start) }
        return try parseEscapedString(start: start, firstEscape: j)
    }

    mutating func parseEscapedString(start: Int, firstEscape: Int) throws -> String {
        var out: [UInt8] = []
        out.reserveCapacity(firstEscape - i + 16)
        out.append(contentsOf: UnsafeBufferPointer(start: base + i, count: firstEscape - i))
        i = firstEscape
        while i < count {
            let c = base[i]
            if c == Byte.quote {
                i += 1
                return String(decoding: out, as: UTF8.self)
            }
            if c < 0x20 { throw error("control character \(describe(c)) in a string; escape it") }
            i += 1
            if c != Byte.backslash {
                out.append(c)
                continue
            }
            guard i < count else { break }
            let e = base[i]
            i += 1
            switch e {
            case Byte.quote: out.append(0x22)
            case Byte.backslash: out.append(0x5C)
            case UInt8(ascii: "/"): out.append(0x2F)
            case UInt8(ascii: "b"): out.append(0x08)
            case UInt8(ascii: "f"): out.append(0x0C)
            case UInt8(ascii: "n"): out.append(0x0A)
            case UInt8(ascii: "r"): out.append(0x0D)
            case UInt8(ascii: "t"): out.append(0x09)
            case UInt8(ascii: "u"):
                var scalar = try parseHex4()
                if (0xD800..<0xDC00).contains(scalar) {
                    // A high surrogate needs its low half; alone it becomes U+FFFD, as in Go,
                    // and whatever followed is read on its own.
                    if i + 1 < count, base[i] == Byte.backslash, base[i + 1] == UInt8(ascii: "u") {
                        let save = i
                        i += 2
                        let low = try parseHex4()
                        if (0xDC00..<0xE000).contains(low) {
                            scalar = 0x10000 + ((scalar - 0xD800) << 10) + (low - 0xDC00)
                        } else {
                            i = save
                            scalar = 0xFFFD
                        }
                    } else {
                        scalar = 0xFFFD
                    }
                } else if (0xDC00..<0xE000).contains(scalar) {
                    scalar = 0xFFFD
                }
                appendUTF8(scalar, to: &out)
            default:
                throw error("invalid escape '\\\(UnicodeScalar(e))' in a string", at: i - 2)
            }
        }
        throw error("unterminated string", at: start)
    }

    func appendUTF8(_ scalar: UInt32, to out: inout [UInt8]) {
        switch scalar {
        case 0..<0x80:
            out.append(UInt8(scalar))
        case 0x80..<0x800:
            out.append(UInt8(0xC0 | scalar >> 6))
            out.append(UInt8(0x80 | scalar & 0x3F))
        case 0x800..<0x10000:
            out.append(UInt8(0xE0 | scalar >> 12))
            out.append(UInt8(0x80 | scalar >> 6 & 0x3F))
            out.append(UInt8(0x80 | scalar & 0x3F))
        default:
            out.append(UInt8(0xF0 | scalar >> 18))
            out.append(UInt8(0x80 | scalar >> 12 & 0x3F))
            out.append(UInt8(0x80 | scalar >> 6 & 0x3F))
            out.append(UInt8(0x80 | scalar & 0x3F))
        }
    }

    mutating func parseHex4() throws -> UInt32 {
        let start = i - 2
        guard i + 4 <= count else { throw error("invalid \\u escape: expecting four hex digits", at: start) }
        var value: UInt32 = 0
        for _ in 0..<4 {
            let c = base[i]
            let digit: UInt32
            switch c {
            case Byte.zero...Byte.nine: digit = UInt32(c - Byte.zero)
            case UInt8(ascii: "a")...UInt8(ascii: "f"): digit = UInt32(c - UInt8(ascii: "a") + 10)
            case UInt8(ascii: "A")...UInt8(ascii: "F"): digit = UInt32(c - UInt8(ascii: "A") + 10)
            default: throw error("invalid \\u escape: expecting four hex digits", at: start)
            }
            value = value << 4 | digit
            i += 1
        }
        return value
    }

    // MARK: Numbers

    @inline(__always) func isDigit(_ c: UInt8) -> Bool { c &- Byte.zero < 10 }

    mutating func parseNumber() throws -> JSONValue {
        let start = i
        let negative = base[i] == Byte.minus
        if negative { i += 1 }
        guard i < count, isDigit(base[i]) else {
            throw error(i < count ? "unexpected \(describe(base[i])) in a number" : "unexpected end of input in a number", at: i)
        }
        // Accumulate the integer part as we scan; it is the answer for almost every number.
        var magnitude: UInt64 = 0
        var overflow = false
        if base[i] == Byte.zero {
            i += 1
        } else {
            while i < count, isDigit(base[i]) {
                let (m, o1) = magnitude.multipliedReportingOverflow(by: 10)
                let (s, o2) = m.addingReportingOverflow(UInt64(base[i] &- Byte.zero))
                overflow = overflow || o1 || o2
                magnitude = s
                i += 1
            }
        }
        var isInteger = true
        if i < count, base[i] == UInt8(ascii: ".") {
            isInteger = false
            i += 1
            guard i < count, isDigit(base[i]) else { throw error("expecting a digit after the decimal point") }
            while i < count, isDigit(base[i]) { i += 1 }
        }
        if i < count, base[i] | 0x20 == UInt8(ascii: "e") {
            isInteger = false
            i += 1
            if i < count, base[i] == UInt8(ascii: "+") || base[i] == Byte.minus { i += 1 }
            guard i < count, isDigit(base[i]) else { throw error("expecting a digit in the exponent") }
            while i < count, isDigit(base[i]) { i += 1 }
        }
        if isInteger, !overflow {
            if !negative, magnitude <= UInt64(Int64.max) { return .int(Int64(magnitude)) }
            if negative, magnitude <= UInt64(Int64.max) + 1 { return .int(Int64(truncatingIfNeeded: 0 &- magnitude)) }
        }
        let text = String(decoding: UnsafeBufferPointer(start: base + start, count: i - start), as: UTF8.self)
        guard let d = Double(text), d.isFinite else {
            throw error("number \(text) is out of range for a float64", at: start)
        }
        return .double(d)
    }
}

/// A small direct-mapped cache of strings by their bytes, so the long keys that every item of
/// a list repeats ("terminationMessagePolicy", "creationTimestamp") share one allocation.
private struct StringCache {
    private var slots = [String?](repeating: nil, count: 1024)

    mutating func string(for bytes: UnsafeBufferPointer<UInt8>) -> String {
        var hash: UInt32 = 2_166_136_261
        for b in bytes { hash = (hash ^ UInt32(b)) &* 16_777_619 }
        let slot = Int(hash & 1023)
        if let cached = slots[slot], cached.utf8.count == bytes.count,
           cached.utf8.withContiguousStorageIfAvailable({ memcmp($0.baseAddress!, bytes.baseAddress!, bytes.count) == 0 }) == true {
            return cached
        }
        let string = String(decoding: bytes, as: UTF8.self)
        slots[slot] = string
        return string
    }
}
