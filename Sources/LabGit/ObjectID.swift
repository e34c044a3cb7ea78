import CLibGit2

/// A git object id (SHA-1): its 20 bytes, held as three big-endian numbers, so that making,
/// hashing and comparing one allocates nothing (a grader handles thousands per hand-in);
/// `hex` spells the 40 lowercase digits when asked.
public struct ObjectID: Hashable, Comparable, Sendable, CustomStringConvertible {
    // Bytes 0-7, 8-15 and 16-19, most significant first: ordered as their hex digits are.
    private let high: UInt64
    private let middle: UInt64
    private let low: UInt32

    /// Parses 40 hexadecimal digits (either case); nil for anything else.
    public init?(hex: String) {
        var words: (UInt64, UInt64, UInt32) = (0, 0, 0)
        var count = 0
        for c in hex.utf8 {
            guard count < 40, let nibble = hexValue(c) else { return nil }
            switch count {
            case 0..<16: words.0 = words.0 << 4 | UInt64(nibble)
            case 16..<32: words.1 = words.1 << 4 | UInt64(nibble)
            default: words.2 = words.2 << 4 | UInt32(nibble)
            }
            count += 1
        }
        guard count == 40 else { return nil }
        (high, middle, low) = words
    }

    /// Parses 40 hexadecimal digits or throws `LabGitError.invalidObjectID`.
    public init(parsing text: String) throws {
        guard let id = ObjectID(hex: text) else { throw LabGitError.invalidObjectID(text) }
        self = id
    }

    init(_ oid: UnsafePointer<git_oid>) {
        (high, middle, low) = withUnsafeBytes(of: oid.pointee.id) { bytes in
            (UInt64(bigEndian: bytes.loadUnaligned(fromByteOffset: 0, as: UInt64.self)),
             UInt64(bigEndian: bytes.loadUnaligned(fromByteOffset: 8, as: UInt64.self)),
             UInt32(bigEndian: bytes.loadUnaligned(fromByteOffset: 16, as: UInt32.self)))
        }
    }

    /// The id whose 20 bytes are `bytes` (a digest's); nil when there are not 20.
    init?(bytes: UnsafeRawBufferPointer) {
        guard bytes.count == 20 else { return nil }
        (high, middle, low) = (UInt64(bigEndian: bytes.loadUnaligned(fromByteOffset: 0, as: UInt64.self)),
                               UInt64(bigEndian: bytes.loadUnaligned(fromByteOffset: 8, as: UInt64.self)),
                               UInt32(bigEndian: bytes.loadUnaligned(fromByteOffset: 16, as: UInt32.self)))
    }

    init(_ oid: git_oid) {
        var copy = oid
        self.init(&copy)
    }

    /// The 40 lowercase hexadecimal digits.
    public var hex: String {
        String(unsafeUninitializedCapacity: 40) { buffer in
            let digits: StaticString = "0123456789abcdef"
            func spell<W: FixedWidthInteger>(_ word: W, at start: Int) {
                for index in 0..<(W.bitWidth / 4) {
                    let nibble = Int(truncatingIfNeeded: word >> (W.bitWidth - 4 - 4 * index)) & 0xf
                    buffer[start + index] = digits.utf8Start[nibble]
                }
            }
            spell(high, at: 0)
            spell(middle, at: 16)
            spell(low, at: 32)
            return 40
        }
    }

    /// The first seven digits, as `git log --oneline` shows them.
    public var short: String { String(hex.prefix(7)) }

    public var description: String { hex }

    public static func < (lhs: ObjectID, rhs: ObjectID) -> Bool {
        (lhs.high, lhs.middle, lhs.low) < (rhs.high, rhs.middle, rhs.low)
    }

    /// The libgit2 form.
    var raw: git_oid {
        var oid = git_oid()
        withUnsafeMutableBytes(of: &oid.id) { bytes in
            bytes.storeBytes(of: high.bigEndian, toByteOffset: 0, as: UInt64.self)
            bytes.storeBytes(of: middle.bigEndian, toByteOffset: 8, as: UInt64.self)
            bytes.storeBytes(of: low.bigEndian, toByteOffset: 16, as: UInt32.self)
        }
        return oid
    }
}

private func hexValue(_ c: UInt8) -> UInt8? {
    switch c {
    case 48...57: c - 48
    case 97...102: c - 87
    case 65...70: c - 55
    default: nil
    }
}
