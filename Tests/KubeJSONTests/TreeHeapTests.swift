import Foundation
@testable import KubeJSON
import XCTest

/// The heap room a large parse prepares (TreeHeap): marked for huge pages where the kernel has
/// them, nothing for small inputs, and the tree read into it whole.
final class TreeHeapTests: XCTestCase {
    /// Bytes of this process's mappings that are marked for transparent huge pages ("hg").
    private func hugePageMarkedBytes() throws -> Int {
        // Read to the end by hand: Foundation stops at the first page of a /proc file.
        let fd = open("/proc/self/smaps", O_RDONLY)
        guard fd >= 0 else { throw CocoaError(.fileReadNoSuchFile) }
        defer { close(fd) }
        var bytes: [UInt8] = [], chunk = [UInt8](repeating: 0, count: 1 << 16)
        while true {
            let n = chunk.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            guard n > 0 else { break }
            bytes += chunk[0..<n]
        }
        let smaps = String(decoding: bytes, as: UTF8.self)
        var total = 0, size = 0
        for line in smaps.split(separator: "\n") {
            if line.hasPrefix("Size:") {
                size = Int(line.split(separator: " ").dropFirst().first ?? "") ?? 0
            } else if line.hasPrefix("VmFlags:"), line.split(separator: " ").contains("hg") {
                total += size << 10
            }
        }
        return total
    }

    private var kernelHasHugePages: Bool {
        FileManager.default.fileExists(atPath: "/sys/kernel/mm/transparent_hugepage/enabled")
    }

    func testSmallInputsAreLeftAlone() {
        XCTAssertEqual(DeepStack.run { TreeHeap.prepare(forInputBytes: TreeHeap.smallestInput - 1) }, 0)
        XCTAssertEqual(DeepStack.run { TreeHeap.prepare(forInputBytes: 0) }, 0)
    }

    func testALargeInputsRoomIsMarkedForHugePages() throws {
        let before = try hugePageMarkedBytes()
        let marked = DeepStack.run { TreeHeap.prepare(forInputBytes: 64 << 20) }
        let after = try hugePageMarkedBytes()
        guard kernelHasHugePages else { return XCTAssertEqual(marked, 0, "no huge pages here: nothing marked") }
        // Two pieces of 24 MiB side by side: all but the huge pages cut at either end.
        XCTAssertGreaterThanOrEqual(marked, TreeHeap.mostRoom - 2 * TreeHeap.hugePage)
        XCTAssertLessThanOrEqual(marked, TreeHeap.mostRoom)
        XCTAssertGreaterThanOrEqual(after - before, marked, "the room is marked in the process's mappings")
    }

    func testTheSmallestLargeInputGetsRoomOfItsSize() {
        let marked = DeepStack.run { TreeHeap.prepare(forInputBytes: TreeHeap.smallestInput) }
        if kernelHasHugePages {
            XCTAssertGreaterThanOrEqual(marked, TreeHeap.smallestInput - 2 * TreeHeap.hugePage)
            XCTAssertLessThanOrEqual(marked, TreeHeap.smallestInput)
        } else {
            XCTAssertEqual(marked, 0)
        }
    }

    func testALargeListIsReadWholeIntoThePreparedHeap() throws {
        // About 12 MB: past `smallestInput`, so the heap is prepared before the tree is built.
        var json = #"{"kind": "PodList", "items": ["#
        let count = 60_000
        for n in 0..<count {
            if n > 0 { json += "," }
            json += #"{"metadata": {"name": "pod-\#(n)", "labels": {"app": "web-\#(n % 13)"}}, "spec": {"nodeName": "ip-10-0-\#(n % 250)-1.ec2.internal", "containers": [{"name": "c", "image": "registry.example/app:\#(n % 97)"}]}, "status": {"phase": "Running", "restartCount": \#(n)}}"#
        }
        json += "]}"
        XCTAssertGreaterThan(json.utf8.count, TreeHeap.smallestInput)
        let items = try DeepStack.run { Result { try JSONParser.parse(json) } }.get()["items"]?.arrayValue
        XCTAssertEqual(items?.count, count)
        for n in [0, 1, 12_345, 59_999] {
            XCTAssertEqual(items?[n]["metadata"]?["name"], .string("pod-\(n)"))
            XCTAssertEqual(items?[n]["metadata"]?["labels"]?["app"], .string("web-\(n % 13)"))
            XCTAssertEqual(items?[n]["spec"]?["containers"]?[0]?["image"], .string("registry.example/app:\(n % 97)"))
            XCTAssertEqual(items?[n]["status"]?["restartCount"], .int(Int64(n)))
        }
    }
}
