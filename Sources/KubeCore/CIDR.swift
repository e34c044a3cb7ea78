import KubeJSON
import Foundation

/// An IPv4 or IPv6 address block (`10.0.0.0/16`, `100.64.0.0/10`, `fd00::/8`), for the
/// `cidr` predicate ("the pod IP lies in the secondary CIDR") and the `subnetOf` predicate
/// ("the subnet 100.64.32.0/19 lies in the VPC's block 100.64.0.0/16").
public struct CIDR: Sendable, Equatable, CustomStringConvertible {
    /// The network address bytes (4 for IPv4, 16 for IPv6).
    public let address: [UInt8]
    public let prefixLength: Int
    public let text: String

    public var description: String { text }

    /// Parses `ADDRESS/PREFIX`; a bare address is a block of one (`/32` or `/128`).
    public init?(_ text: String) {
        self.text = text
        let parts = text.split(separator: "/", maxSplits: 1, omittingEmptySubsequences: false)
        guard let address = IPAddress.parse(String(parts[0])) else { return nil }
        let maxLength = address.count * 8
        if parts.count == 2 {
            guard !parts[1].isEmpty, parts[1].allSatisfy(\.isASCII), parts[1].allSatisfy(\.isNumber),
                  let length = Int(parts[1]), length <= maxLength else { return nil }
            prefixLength = length
        } else {
            prefixLength = maxLength
        }
        self.address = address
    }

    /// Whether the address is inside the block; an address of the other family never is.
    public func contains(_ ip: String) -> Bool {
        guard let bytes = IPAddress.parse(ip) else { return false }
        return contains(bytes)
    }

    /// Whether the whole of another block lies inside this one: the same family, a prefix at
    /// least as long, and its network address inside. A block contains itself; host bits set in
    /// either block (`10.0.1.7/24`) do not matter, as for the network it names.
    public func contains(_ block: CIDR) -> Bool {
        block.prefixLength >= prefixLength && contains(block.address)
    }

    private func contains(_ bytes: [UInt8]) -> Bool {
        guard bytes.count == address.count else { return false }
        var remaining = prefixLength
        for i in bytes.indices where remaining > 0 {
            let bits = min(8, remaining)
            let mask = UInt8(truncatingIfNeeded: 0xFF << (8 - bits))
            if bytes[i] & mask != address[i] & mask { return false }
            remaining -= bits
        }
        return true
    }
}

/// Textual IP addresses as Go's `net.ParseIP` reads them (dotted quads; IPv6 with `::` and an
/// optional embedded IPv4 tail).
public enum IPAddress {
    /// The address bytes: 4 for IPv4, 16 for IPv6; nil when the text is not an address.
    public static func parse(_ text: String) -> [UInt8]? {
        if text.contains(":") { return parseV6(text) }
        return parseV4(Substring(text))
    }

    private static func parseV4(_ text: Substring) -> [UInt8]? {
        let parts = text.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 4 else { return nil }
        var bytes: [UInt8] = []
        for part in parts {
            // Go rejects leading zeros ("010.0.0.1") since 1.17, as ambiguous octal.
            guard !part.isEmpty, part.count <= 3, part.allSatisfy({ $0.isASCII && $0.isNumber }),
                  part == "0" || !part.hasPrefix("0"), let value = UInt8(part) else { return nil }
            bytes.append(value)
        }
        return bytes
    }

    private static func parseV6(_ text: String) -> [UInt8]? {
        var head: [UInt16] = [], tail: [UInt16] = []
        var sawGap = false
        var groups = Substring(text)
        var v4Tail: [UInt8]?
        if let lastColon = groups.lastIndex(of: ":"), groups[groups.index(after: lastColon)...].contains(".") {
            guard let v4 = parseV4(groups[groups.index(after: lastColon)...]) else { return nil }
            v4Tail = v4
            groups = groups[...lastColon]
            // Keep "::" intact; a single trailing ":" before the IPv4 part is a separator.
            if groups.hasSuffix("::") == false { groups = groups.dropLast() }
        }
        let pieces = String(groups).components(separatedBy: "::")
        guard pieces.count <= 2 else { return nil }
        sawGap = pieces.count == 2
        func hex(_ part: Substring) -> [UInt16]? {
            if part.isEmpty { return [] }
            var out: [UInt16] = []
            for group in part.split(separator: ":", omittingEmptySubsequences: false) {
                guard !group.isEmpty, group.count <= 4, let v = UInt16(group, radix: 16) else { return nil }
                out.append(v)
            }
            return out
        }
        guard let h = hex(Substring(pieces[0])) else { return nil }
        head = h
        if sawGap {
            guard let t = hex(Substring(pieces[1])) else { return nil }
            tail = t
        }
        let v4Groups = v4Tail == nil ? 0 : 2
        let used = head.count + tail.count + v4Groups
        if sawGap {
            guard used < 8 else { return nil }
        } else {
            guard used == 8 else { return nil }
        }
        let middle = [UInt16](repeating: 0, count: 8 - used)
        var bytes: [UInt8] = []
        for group in head + middle + tail {
            bytes.append(UInt8(group >> 8))
            bytes.append(UInt8(group & 0xFF))
        }
        if let v4Tail { bytes += v4Tail }
        return bytes
    }
}
