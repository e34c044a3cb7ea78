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
    public static let maxDepth = InputLimits.jsonDepth

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
        return try reader.parseStream()
    }

    /// As `parseStream(_:)`, telling `consumed` every few megabytes the offset below which the
    /// input will not be read again, so that the caller can give those pages back (a mapped
    /// file's). An error message still reads from the start, to count lines.
    public static func parseStream(_ buffer: UnsafeRawBufferPointer, consumed: (Int) -> Void) throws -> [JSONValue] {
        try withoutActuallyEscaping(consumed) { consumed in
            var reader = Reader(buffer)
            defer { reader.release() }
            reader.consumed = consumed
            reader.nextMark = Reader.markInterval
            return try reader.parseStream()
        }
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
    /// What the container is the value of: the number of its key in the parent object, or
    /// for an element of an array, the array's context changed (`elementContext`).
    var context: Int
    /// An object's shape guessed from the last object of the same context (a slot of the shape
    /// table, or -1): its keys are tried against the input first.
    var guess: Int
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
    /// The keys of open objects, as the key table's numbers: no strings until an object closes.
    var keys: UnsafeMutablePointer<KeyRef>
    var keyCount = 0
    var keyCapacity = 256
    /// The open containers, innermost last.
    var frames: UnsafeMutablePointer<Frame>
    var frameCount = 0
    var frameCapacity = 64
    /// Told the offset below which the input is done with, each time `i` passes `nextMark`.
    var consumed: ((Int) -> Void)?
    var nextMark = Int.max
    static let markInterval = 4 << 20
    /// Mixed into an array's context to make its elements' (odd, so never a key's number alone).
    static let elementContext = 0x5851_F42D_4C95_7F2D
    /// Keys repeat in every item of a list; so do many values (images, node names, volume
    /// names). Each is decoded once and the copies share its storage. The tables are sized to
    /// the input (`tableSlots`): a small file (a provenance, one object) must not pay for
    /// tables made for a list of thousands, allocated, filled and released on every parse.
    var keyTable: KeyTable
    var valueTable: StringTable
    /// Objects of a list repeat the same keys in the same order: they share one keys array.
    var shapes: ShapeTable
    /// The shape (a slot of the shape table) of the last object closed in each context, in
    /// slots sized to the input like the tables (a hint: a wrong one costs a lookup).
    var guesses: UnsafeMutablePointer<Int32>
    let guessMask: Int

    init(_ buffer: UnsafeRawBufferPointer) {
        // An empty buffer may have a nil base address; any valid pointer will do for count 0.
        base = buffer.baseAddress.map { $0.assumingMemoryBound(to: UInt8.self) } ?? UnsafePointer(Reader.emptyByte)
        count = buffer.count
        TreeHeap.prepare(forInputBytes: buffer.count)
        keyTable = KeyTable(slotCount: Self.tableSlots(buffer.count, bytesPerSlot: 32, most: 4096))
        valueTable = StringTable(slotCount: Self.tableSlots(buffer.count, bytesPerSlot: 16, most: 8192))
        shapes = ShapeTable(slotCount: Self.tableSlots(buffer.count, bytesPerSlot: 64, most: 2048))
        let guessSlots = Self.tableSlots(buffer.count, bytesPerSlot: 16, most: 4096)
        guessMask = guessSlots - 1
        guesses = .allocate(capacity: guessSlots)
        guesses.initialize(repeating: -1, count: guessSlots)
        values = .allocate(capacity: valueCapacity)
        keys = .allocate(capacity: keyCapacity)
        frames = .allocate(capacity: frameCapacity)
    }

    /// A power of two from 64 to `most`: one slot per `bytesPerSlot` bytes of input.
    static func tableSlots(_ count: Int, bytesPerSlot: Int, most: Int) -> Int {
        var slots = 64
        while slots < most && slots * bytesPerSlot < count { slots <<= 1 }
        return slots
    }

    // nonisolated(unsafe): one byte, written once when first used and never again; readers
    // only take its address as the base of an empty buffer.
    nonisolated(unsafe) private static let emptyByte: UnsafeMutablePointer<UInt8> = {
        let p = UnsafeMutablePointer<UInt8>.allocate(capacity: 1)
        p.initialize(to: 0)
        return p
    }()

    mutating func parseStream() throws -> [JSONValue] {
        var values: [JSONValue] = []
        skipWhitespace()
        while i < count {
            values.append(try parseValue())
            skipWhitespace()
        }
        return values
    }

    mutating func passMark() {
        consumed?(i)
        nextMark = i + Reader.markInterval
    }

    /// Frees the stacks, including whatever an error left on them.
    mutating func release() {
        values.deinitialize(count: valueCount)
        values.deallocate()
        keys.deallocate()
        frames.deallocate()
        keyTable.release()
        valueTable.release()
        shapes.release()
        guesses.deallocate()
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
            case 0x20, 0x0A, 0x0D, 0x09:
                i += 1
                // Pretty-printed input is mostly indentation after a newline: take runs of
                // spaces a word at a time, the first other byte found by its zero bits.
                while i + 8 <= count {
                    let other = word(at: i) ^ 0x2020_2020_2020_2020
                    if other != 0 {
                        i += other.trailingZeroBitCount &>> 3
                        break
                    }
                    i += 8
                }
            default: return
            }
        }
    }

    /// The 8 bytes at `at` as a little-endian word (the first byte lowest); `at + 8 <= count`.
    @inline(__always) func word(at: Int) -> UInt64 {
        UInt64(littleEndian: UnsafeRawPointer(base + at).loadUnaligned(as: UInt64.self))
    }

    // MARK: Stacks

    @inline(__always) mutating func pushFrame(_ frame: Frame) {
        if frameCount == frameCapacity {
            let bigger = UnsafeMutablePointer<Frame>.allocate(capacity: frameCapacity * 2)
            bigger.moveInitialize(from: frames, count: frameCount)
            frames.deallocate()
            frames = bigger
            frameCapacity *= 2
        }
        (frames + frameCount).initialize(to: frame)
        frameCount += 1
    }

    @inline(__always) mutating func pushValue(_ value: consuming JSONValue) {
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

    @inline(__always) mutating func pushKey(_ key: KeyRef) {
        if keyCount == keyCapacity { growKeys() }
        keys[keyCount] = key
        keyCount += 1
    }

    mutating func growKeys() {
        let bigger = UnsafeMutablePointer<KeyRef>.allocate(capacity: keyCapacity * 2)
        bigger.moveInitialize(from: keys, count: keyCount)
        keys.deallocate()
        keys = bigger
        keyCapacity *= 2
    }

    // Every way of making an array of uninitialized elements (Array(repeating:),
    // Array(unsafeUninitializedCapacity:)) ends in the unspecialized
    // _ContiguousArrayBuffer(_uninitializedCount:minimumCapacity:), which looks up the generic
    // metadata of its storage class on every call: a fifth of the parse. Making an array from
    // a collection is specialized; so arrays are made from `MovedElements`, which moves the
    // elements in with one copy of their bytes.

    mutating func popArray(from start: Int) -> [JSONValue] {
        let array = Array(MovedElements(values + start, valueCount - start))
        valueCount = start
        return array
    }

    /// Objects of a list mostly repeat a shape already seen, found by their keys' numbers: its
    /// keys array is shared. Only an object of a new shape has its keys made into strings and
    /// looked through for duplicates.
    mutating func popObject(_ frame: Frame) -> JSONObject {
        let n = keyCount - frame.keyStart
        var slot = -1
        let objectKeys = shapes.shared(keys + frame.keyStart, n, slot: &slot) ?? newShape(frame, n, slot: &slot)
        if slot >= 0 { guesses[frame.context & guessMask] = Int32(slot) }
        keyCount = frame.keyStart
        return JSONObject(uncheckedKeys: objectKeys, values: popArray(from: frame.valueStart))
    }

    /// The keys of an object whose shape is not in the shape table, free of duplicates (their
    /// values closed up); the shape is kept when it had none.
    mutating func newShape(_ frame: Frame, _ n: Int, slot: inout Int) -> [String] {
        let refs = keys + frame.keyStart
        var strings: [String] = []
        strings.reserveCapacity(n)
        for k in 0..<n { strings.append(keyTable.string(refs[k]) ?? rereadKey(at: refs[k].start)) }
        if removeDuplicateKeys(frame, &strings) == n { slot = shapes.store(refs, n, strings, input: base, count: count) }
        return strings
    }

    /// Go keeps a duplicate key's last value (at the first position, which does not matter to
    /// Go, whose maps are unordered). Leaves the keys and values of the object at `frame` free
    /// of duplicates, closed up, and returns how many are left.
    mutating func removeDuplicateKeys(_ frame: Frame, _ strings: inout [String]) -> Int {
        let n = strings.count, refs = keys + frame.keyStart, objectValues = values + frame.valueStart
        var kept = 0
        for k in 0..<n {
            var m = 0
            while m < kept, !(refs[m].id == refs[k].id || refs[m].hash == refs[k].hash && strings[m] == strings[k]) { m += 1 }
            if m < kept {
                objectValues[m] = (objectValues + k).move()
                continue
            }
            if kept != k {
                strings.swapAt(kept, k)
                refs[kept] = refs[k]
                (objectValues + kept).moveInitialize(from: objectValues + k, count: 1)
            }
            kept += 1
        }
        strings.removeLast(n - kept)
        valueCount = frame.valueStart + kept
        return kept
    }

    // MARK: Values

    /// Parses one complete value starting at `i` (whitespace already skipped). Every value
    /// read goes onto the value stack at once (moved, never copied), and stays there as an
    /// element of the open container until that closes; the complete value is taken off last.
    mutating func parseValue() throws -> JSONValue {
        let bottom = frameCount
        parsing: while true {
            // Read the start of a value: a scalar, or an opening bracket.
            guard i < count else { throw error("unexpected end of input, expecting a value") }
            let c = base[i]
            switch c {
            case Byte.openBrace, Byte.openBracket:
                if frameCount - bottom >= JSONParser.maxDepth {
                    throw error("nesting deeper than \(JSONParser.maxDepth) levels")
                }
                i += 1
                skipWhitespace()
                let isObject = c == Byte.openBrace
                let close = isObject ? Byte.closeBrace : Byte.closeBracket
                if i < count, base[i] == close {
                    i += 1
                    pushValue(isObject ? .object(JSONObject()) : .array([]))
                    break
                }
                var context = 0
                if frameCount > 0 {
                    let parent = frames[frameCount - 1]
                    context = parent.isObject ? keys[keyCount - 1].id : parent.context &* 31 &+ Self.elementContext
                }
                let guess = isObject ? Int(guesses[context & guessMask]) : -1
                pushFrame(Frame(isObject: isObject, valueStart: valueCount, keyStart: keyCount, context: context, guess: guess))
                if isObject { try parseKey() }
                continue parsing
            case Byte.quote:
                pushValue(.string(try parseString()))
            case UInt8(ascii: "t"):
                try expectLiteral("true")
                pushValue(.bool(true))
            case UInt8(ascii: "f"):
                try expectLiteral("false")
                pushValue(.bool(false))
            case UInt8(ascii: "n"):
                try expectLiteral("null")
                pushValue(.null)
            case Byte.minus, Byte.zero...Byte.nine:
                pushValue(try parseNumber())
            default:
                throw error("unexpected \(describe(c)), expecting a value")
            }

            // The value on top of the stack is complete: it is the open container's next element;
            // close containers as they end.
            while frameCount > bottom {
                let frame = frames[frameCount - 1]
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
                    pushValue(.object(popObject(frame)))
                } else {
                    guard c == Byte.closeBracket else {
                        throw error("unexpected \(describe(c)) after an array element, expecting ',' or ']'", at: i - 1)
                    }
                    pushValue(.array(popArray(from: frame.valueStart)))
                }
                frameCount -= 1
                if i >= nextMark { passMark() }
            }
            valueCount -= 1
            return (values + valueCount).move()
        }
    }

    /// Reads `"key" :` and leaves `i` at the value.
    mutating func parseKey() throws {
        guard i < count else { throw error("unexpected end of input in an object") }
        guard base[i] == Byte.quote else {
            throw error("unexpected \(describe(base[i])), expecting a string key")
        }
        try parseKeyString()
        // Most input has the colon right after the key and one space or none after it, then
        // the value: `"key": value`.
        if i + 2 < count, base[i] == Byte.colon {
            i += base[i + 1] == 0x20 ? 2 : 1
            if base[i] > 0x20 { return }
            skipWhitespace()
            return
        }
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

    /// Finds the end of the string opening at `i`: the index of the closing quote, or of the
    /// first backslash; and whether every byte before it is ASCII. Eight bytes at a time: a
    /// byte of a word is flagged when it is a quote, a backslash or a control character (the
    /// lowest flag of each test is exact, any flag above it may be a borrow's artefact), so
    /// the lowest flag is the first byte that ends the plain run.
    @inline(__always) func scanString() throws -> (end: Int, ascii: Bool) {
        var j = i + 1
        var high: UInt64 = 0
        let ones: UInt64 = 0x0101_0101_0101_0101
        let tops: UInt64 = 0x8080_8080_8080_8080
        while j + 8 <= count {
            let w = word(at: j)
            let quote = w ^ (ones &* 0x22)
            let backslash = w ^ (ones &* 0x5C)
            let flags = ((quote &- ones) & ~quote | (backslash &- ones) & ~backslash | (w &- ones &* 0x20) & ~w) & tops
            if flags == 0 {
                high |= w
                j += 8
                continue
            }
            let k = flags.trailingZeroBitCount &>> 3
            high |= w & ((1 &<< UInt64(k &* 8)) &- 1)
            j += k
            let c = base[j]
            if c < 0x20 { throw error("control character \(describe(c)) in a string; escape it", at: j) }
            return (j, high & tops == 0)
        }
        var tail: UInt8 = 0
        while j < count {
            let c = base[j]
            if c == Byte.quote || c == Byte.backslash { return (j, high & tops == 0 && tail < 0x80) }
            if c < 0x20 { throw error("control character \(describe(c)) in a string; escape it", at: j) }
            tail |= c
            j += 1
        }
        throw error("unterminated string", at: i)
    }

    /// A string value. Without escapes it is a slice of the input. ASCII ones up to 128 bytes
    /// go through the value table: a long one seen before shares its storage, and a short one
    /// (which Swift stores inline, up to 15 bytes) is found there faster than it is validated.
    mutating func parseString() throws -> String {
        let start = i
        let (end, ascii) = try scanString()
        guard base[end] == Byte.quote else { return try parseEscapedString(start: start, firstEscape: end) }
        let n = end - start - 1
        i = end + 1
        if n > 0, n <= 128, ascii {
            return valueTable.string(base + start + 1, fingerprint(start + 1, n))
        }
        return String(decoding: UnsafeBufferPointer(start: base + start + 1, count: n), as: UTF8.self)
    }

    /// A key, pushed as its number in the key table. The number is of the key's decoded
    /// UTF-8, so that `"ab"` and `"a\u0062"` are found to be the same key, as Go finds them.
    mutating func parseKeyString() throws {
        let start = i
        let guess = frames[frameCount - 1].guess
        if guess >= 0, let key = shapes.key(guess, keyCount - frames[frameCount - 1].keyStart, at: base + i, readable: count - i) {
            i += key.length + 2
            pushKey(KeyRef(id: key.id, hash: key.hash, start: start))
            return
        }
        let (end, ascii) = try scanString()
        if base[end] == Byte.quote, ascii {
            let n = end - start - 1
            i = end + 1
            let print = fingerprint(start + 1, n)
            pushKey(KeyRef(id: keyTable.id(base + start + 1, print), hash: print.hash, start: start))
            return
        }
        let key = try decodeKey(start: start, end: end)
        var bytes = key
        let ref = bytes.withUTF8 { utf8 in
            let print = Self.fingerprint(utf8.baseAddress!, utf8.count, readable: utf8.count)
            return KeyRef(id: keyTable.id(utf8.baseAddress!, print, string: key), hash: print.hash, start: start)
        }
        pushKey(ref)
    }

    /// The key whose string opens at `start` and whose plain run ends at `end` (its closing
    /// quote, or its first backslash); leaves `i` after it.
    mutating func decodeKey(start: Int, end: Int) throws -> String {
        guard base[end] == Byte.quote else { return try parseEscapedString(start: start, firstEscape: end) }
        i = end + 1
        return String(decoding: UnsafeBufferPointer(start: base + start + 1, count: end - start - 1), as: UTF8.self)
    }

    /// A key read before, whose string the key table no longer holds, read again from the input.
    mutating func rereadKey(at start: Int) -> String {
        let saved = i
        defer { i = saved }
        i = start
        // It was read from there once without an error: reading it again cannot fail.
        let (end, _) = try! scanString()
        return try! decodeKey(start: start, end: end)
    }

    @inline(__always) func fingerprint(_ at: Int, _ n: Int) -> Fingerprint {
        Self.fingerprint(base + at, n, readable: count - at)
    }

    @inline(__always) static func fingerprint(_ p: UnsafePointer<UInt8>, _ n: Int, readable: Int) -> Fingerprint {
        let head = StringTable.word(p, min(n, 8), readable: readable)
        let tail = n > 8 ? StringTable.word(p + n - 8, 8, readable: 8) : 0
        var h = (head &* 0x9E37_79B9_7F4A_7C15) ^ ((tail &+ UInt64(truncatingIfNeeded: n)) &* 0xC2B2_AE3D_27D4_EB4F)
        h ^= h >> 29
        return Fingerprint(head: head, tail: tail, length: n, hash: h)
    }

    mutating func parseEscapedString(start: Int, firstEscape: Int) throws -> String {
        i = start + 1
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

/// `length` bytes by their first 8 (`head`) and last 8 (`tail`), which are all of them up to
/// 16 bytes, and a hash of the three.
private struct Fingerprint {
    var head: UInt64
    var tail: UInt64
    var length: Int
    var hash: UInt64
}

/// A direct-mapped table of strings by their bytes, so the values that the items of a list
/// repeat (images, node names, volume names) are decoded once and share one allocation. A
/// slot holds the last string that hashed to it; a miss just replaces it.
private struct StringTable {
    private struct Slot {
        var head: UInt64
        var tail: UInt64
        var length: Int
        var string: String
    }

    private let slots: UnsafeMutablePointer<Slot>
    private let mask: Int

    init(slotCount: Int) {
        precondition(slotCount > 0 && slotCount & (slotCount - 1) == 0, "a power of two")
        slots = .allocate(capacity: slotCount)
        slots.initialize(repeating: Slot(head: 0, tail: 0, length: -1, string: ""), count: slotCount)
        mask = slotCount - 1
    }

    func release() {
        slots.deinitialize(count: mask + 1)
        slots.deallocate()
    }

    /// The string of the ASCII bytes at `p` whose fingerprint is `print`.
    @inline(__always) func string(_ p: UnsafePointer<UInt8>, _ print: Fingerprint) -> String {
        let slot = slots + Int(truncatingIfNeeded: print.hash >> 40) & mask
        let n = print.length
        if slot.pointee.length == n, slot.pointee.head == print.head, slot.pointee.tail == print.tail,
           n <= 16 || Self.same(slot.pointee.string, p, n) {
            return slot.pointee.string
        }
        let string = String(decoding: UnsafeBufferPointer(start: p, count: n), as: UTF8.self)
        slot.pointee = Slot(head: print.head, tail: print.tail, length: n, string: string)
        return string
    }

    /// Whether a string longer than 16 bytes has the bytes at `p`.
    static func same(_ string: String, _ p: UnsafePointer<UInt8>, _ n: Int) -> Bool {
        var string = string
        return string.withUTF8 { memcmp($0.baseAddress!, p, n) == 0 }
    }

    /// `n` (0...8) bytes at `p` as a little-endian word, zero above; reads past `n` only when
    /// `readable` bytes are there.
    @inline(__always) static func word(_ p: UnsafePointer<UInt8>, _ n: Int, readable: Int) -> UInt64 {
        if readable >= 8 {
            let w = UInt64(littleEndian: UnsafeRawPointer(p).loadUnaligned(as: UInt64.self))
            return n >= 8 ? w : w & ((1 &<< UInt64(n &* 8)) &- 1)
        }
        var w: UInt64 = 0
        for k in 0..<n { w |= UInt64(p[k]) &<< UInt64(k &* 8) }
        return w
    }
}

/// A key of an open object: its number in the key table (equal numbers, equal keys), a hash of
/// its decoded bytes, and where its string opens in the input (to read it again).
private struct KeyRef {
    var id: Int
    var hash: UInt64
    var start: Int
}

/// A table of the keys met, by their decoded bytes: each distinct key is given a number, and
/// its string is made once and shared by every object that has it. A key is looked for in the
/// `ways` slots from the one its hash names, and put in the first empty one; when none is
/// empty it replaces the first, and the new key gets a new number, so a number always means
/// the same bytes (a key replaced and met again gets a second number, which only makes the
/// shapes it is in look new). Lists have a few hundred distinct keys: they all stay.
private struct KeyTable {
    private struct Slot {
        var head: UInt64
        var tail: UInt64
        var length: Int
        var id: Int
        var string: String
        /// A copy of the bytes of a key longer than 16 (shorter ones are all in head and tail).
        var bytes: UnsafeMutablePointer<UInt8>?
    }

    private let slots: UnsafeMutablePointer<Slot>
    private let mask: Int
    private var lastID = 0

    init(slotCount: Int) {
        precondition(slotCount > 0 && slotCount & (slotCount - 1) == 0, "a power of two")
        slots = .allocate(capacity: slotCount)
        slots.initialize(repeating: Slot(head: 0, tail: 0, length: -1, id: 0, string: "", bytes: nil), count: slotCount)
        mask = slotCount - 1
    }

    func release() {
        for k in 0...mask { slots[k].bytes?.deallocate() }
        slots.deinitialize(count: mask + 1)
        slots.deallocate()
    }

    static let ways = 4

    @inline(__always) private func home(_ hash: UInt64) -> Int {
        Int(truncatingIfNeeded: hash >> 40) & mask
    }

    /// The number of the key whose decoded bytes are at `p` with fingerprint `print`; `string`
    /// is the key's string when the caller has it already (an escaped or non-ASCII key), nil when
    /// the bytes are ASCII and it is to be made from them.
    @inline(__always) mutating func id(_ p: UnsafePointer<UInt8>, _ print: Fingerprint, string: String? = nil) -> Int {
        let n = print.length
        var index = home(print.hash)
        for _ in 0..<Self.ways {
            let slot = slots + index
            if slot.pointee.length == n, slot.pointee.head == print.head, slot.pointee.tail == print.tail,
               n <= 16 || memcmp(slot.pointee.bytes!, p, n) == 0 {
                return slot.pointee.id
            }
            if slot.pointee.length < 0 { return insert(slot, p, print, string) }
            index = (index + 1) & mask
        }
        return insert(slots + home(print.hash), p, print, string)
    }

    private mutating func insert(_ slot: UnsafeMutablePointer<Slot>, _ p: UnsafePointer<UInt8>, _ print: Fingerprint, _ string: String?) -> Int {
        let n = print.length
        slot.pointee.bytes?.deallocate()
        var bytes: UnsafeMutablePointer<UInt8>?
        if n > 16 {
            bytes = .allocate(capacity: n)
            bytes!.initialize(from: p, count: n)
        }
        lastID += 1
        let string = string ?? String(decoding: UnsafeBufferPointer(start: p, count: n), as: UTF8.self)
        slot.pointee = Slot(head: print.head, tail: print.tail, length: n, id: lastID, string: string, bytes: bytes)
        return lastID
    }

    /// The string of a key pushed before, if the table still holds it.
    func string(_ key: KeyRef) -> String? {
        var index = home(key.hash)
        for _ in 0..<Self.ways {
            if slots[index].id == key.id { return slots[index].string }
            index = (index + 1) & mask
        }
        return nil
    }
}

/// The keys arrays of objects already made, by the sequence of their keys' numbers, so that
/// objects with the same keys in the same order (every container's `resources`, every item's
/// `metadata`) share one array instead of each allocating its own. Looked for, and kept, as
/// keys are in the key table: in the first empty of `ways` slots, else over the first.
private struct ShapeTable {
    /// A key of a kept shape, with what finding it in the input takes: the bytes it was
    /// written with (`head` and `tail` as in `Fingerprint`).
    struct Key {
        var id: Int
        var hash: UInt64
        var head: UInt64
        var tail: UInt64
        /// Bytes between the quotes, as written in the input.
        var length: Int
        /// Where a key longer than 16 bytes is in `bytes`.
        var offset: Int
    }

    private struct Slot {
        var hash: UInt64
        var count: Int
        var shapeKeys: UnsafeMutablePointer<Key>?
        var bytes: UnsafeMutablePointer<UInt8>?
        var keys: [String]
    }

    private let slots: UnsafeMutablePointer<Slot>
    private let mask: Int

    init(slotCount: Int) {
        precondition(slotCount > 0 && slotCount & (slotCount - 1) == 0, "a power of two")
        slots = .allocate(capacity: slotCount)
        slots.initialize(repeating: Slot(hash: 0, count: -1, shapeKeys: nil, bytes: nil, keys: []), count: slotCount)
        mask = slotCount - 1
    }

    func release() {
        for k in 0...mask {
            slots[k].shapeKeys?.deallocate()
            slots[k].bytes?.deallocate()
        }
        slots.deinitialize(count: mask + 1)
        slots.deallocate()
    }

    /// The keys array already made for the `n` keys at `keys`, if there is one, and its slot.
    @inline(__always) func shared(_ keys: UnsafePointer<KeyRef>, _ n: Int, slot found: inout Int) -> [String]? {
        let hash = Self.hash(keys, n)
        var index = Self.slotIndex(hash, mask)
        probing: for _ in 0..<KeyTable.ways {
            let slot = slots + index
            index = (index + 1) & mask
            guard slot.pointee.hash == hash, slot.pointee.count == n else {
                if slot.pointee.count < 0 { return nil }
                continue
            }
            let shapeKeys = slot.pointee.shapeKeys!
            for k in 0..<n where shapeKeys[k].id != keys[k].id { continue probing }
            found = slot - slots
            return slot.pointee.keys
        }
        return nil
    }

    /// Key `k` of the shape in `slot` when the input at `p` (an opening quote, with `readable`
    /// bytes from it) is that key written the same way; nil otherwise.
    @inline(__always) func key(_ slot: Int, _ k: Int, at p: UnsafePointer<UInt8>, readable: Int) -> Key? {
        let slot = slots + slot
        guard k < slot.pointee.count else { return nil }
        let key = slot.pointee.shapeKeys![k]
        let n = key.length
        // The bytes were a whole string's once: the quote after them ends this one too.
        guard n + 2 <= readable, p[n + 1] == UInt8(ascii: "\"") else { return nil }
        let q = p + 1
        guard StringTable.word(q, min(n, 8), readable: readable - 1) == key.head else { return nil }
        if n > 16 { return memcmp(q, slot.pointee.bytes! + key.offset, n) == 0 ? key : nil }
        return n <= 8 || StringTable.word(q + n - 8, 8, readable: 8) == key.tail ? key : nil
    }

    /// Keeps `strings`, the keys array made for the `n` keys at `keys` (which have no
    /// duplicates), for objects of the same shape; returns its slot.
    func store(_ keys: UnsafePointer<KeyRef>, _ n: Int, _ strings: [String], input: UnsafePointer<UInt8>, count: Int) -> Int {
        let hash = Self.hash(keys, n)
        let home = Self.slotIndex(hash, mask)
        var slot = slots + home
        for way in 0..<KeyTable.ways where slots[(home + way) & mask].count < 0 {
            slot = slots + (home + way) & mask
            break
        }
        slot.pointee.shapeKeys?.deallocate()
        slot.pointee.bytes?.deallocate()
        // Each key as it was written in the input (escapes and all), between its quotes: the
        // same bytes in the input again are the same key.
        var spans: [(start: Int, length: Int)] = []
        spans.reserveCapacity(n)
        var longBytes = 0
        for k in 0..<n {
            let start = keys[k].start + 1
            var end = start
            while input[end] != UInt8(ascii: "\"") { end += input[end] == UInt8(ascii: "\\") ? 2 : 1 }
            spans.append((start, end - start))
            if end - start > 16 { longBytes += end - start }
        }
        let shapeKeys = UnsafeMutablePointer<Key>.allocate(capacity: max(n, 1))
        let bytes = UnsafeMutablePointer<UInt8>.allocate(capacity: max(longBytes, 1))
        var offset = 0
        for k in 0..<n {
            let (start, length) = spans[k]
            let print = Reader.fingerprint(input + start, length, readable: count - start)
            shapeKeys[k] = Key(id: keys[k].id, hash: keys[k].hash, head: print.head, tail: print.tail, length: length, offset: offset)
            if length > 16 {
                (bytes + offset).initialize(from: input + start, count: length)
                offset += length
            }
        }
        slot.pointee = Slot(hash: hash, count: n, shapeKeys: shapeKeys, bytes: bytes, keys: strings)
        return slot - slots
    }

    @inline(__always) private static func hash(_ keys: UnsafePointer<KeyRef>, _ n: Int) -> UInt64 {
        var hash = UInt64(truncatingIfNeeded: n) &* 0x9E37_79B9_7F4A_7C15
        for k in 0..<n { hash = (hash ^ UInt64(truncatingIfNeeded: keys[k].id)) &* 0xC2B2_AE3D_27D4_EB4F }
        return hash ^ hash >> 31
    }

    @inline(__always) private static func slotIndex(_ hash: UInt64, _ mask: Int) -> Int {
        Int(truncatingIfNeeded: hash >> 32) & mask
    }
}

/// `count` initialized elements at `base`, which making an array of them moves out: the array
/// takes their bytes with one copy and the memory at `base` is left uninitialized. (Swift's
/// values of these types are moved by copying their bytes.) Only for `Array(_:)`, once.
private struct MovedElements<Element>: Collection {
    let base: UnsafeMutablePointer<Element>
    let count: Int

    init(_ base: UnsafeMutablePointer<Element>, _ count: Int) {
        self.base = base
        self.count = count
    }

    var startIndex: Int { 0 }
    var endIndex: Int { count }
    func index(after i: Int) -> Int { i + 1 }
    subscript(position: Int) -> Element { base[position] }

    func _copyContents(initializing buffer: UnsafeMutableBufferPointer<Element>) -> (Iterator, Int) {
        precondition(buffer.count >= count)
        if count > 0 {
            UnsafeMutableRawPointer(buffer.baseAddress!).copyMemory(
                from: UnsafeRawPointer(base), byteCount: count * MemoryLayout<Element>.stride)
        }
        return (IndexingIterator(_elements: self, _position: count), count)
    }
}
