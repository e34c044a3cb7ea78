import Foundation
import KubeJSON
import XCTest
@testable import Checks

/// kubectl's watch output decoded into events, and the list the events keep current.
final class WatchEventTests: XCTestCase {
    /// What kubectl 1.32 prints for `get secrets -o json --watch --output-watch-events`: each
    /// event an indented object, one after another.
    static let output = """
        {
            "type": "ADDED",
            "object": {
                "apiVersion": "v1",
                "kind": "Secret",
                "metadata": {"name": "db", "namespace": "shop", "annotations": {"note": "a } and a { and a \\" in a string"}}
            }
        }
        {
            "type": "MODIFIED",
            "object": {"apiVersion": "v1", "kind": "Secret", "metadata": {"name": "db", "namespace": "shop"}, "data": {"k": "dg=="}}
        }
        {"type":"DELETED","object":{"apiVersion":"v1","kind":"Secret","metadata":{"name":"db","namespace":"shop"}}}

        """

    func testEventsAreFoundByTheirBracesWhereverTheChunksBreak() {
        var whole = WatchEventDecoder()
        let expected = whole.feed(Data(Self.output.utf8))
        XCTAssertEqual(expected.count, 3)
        XCTAssertEqual(expected.compactMap { item -> WatchEvent.EventType? in
            if case .event(let e) = item { return e.type }
            return nil
        }, [.added, .modified, .deleted])
        guard case .event(let first) = expected[0] else { return XCTFail() }
        XCTAssertEqual(first.object["metadata"]?["annotations"]?["note"]?.stringValue, "a } and a { and a \" in a string")

        // Byte by byte, and in uneven chunks: the same events, each once, when it completes.
        for size in [1, 7, 64] {
            var decoder = WatchEventDecoder()
            var items: [WatchEventDecoder.Item] = []
            let bytes = Array(Self.output.utf8)
            for start in stride(from: 0, to: bytes.count, by: size) {
                items += decoder.feed(Data(bytes[start..<min(start + size, bytes.count)]))
            }
            XCTAssertEqual(items, expected, "chunks of \(size)")
        }
    }

    func testAnythingElseIsGarbageOnceItsLineEnds() {
        var decoder = WatchEventDecoder()
        XCTAssertEqual(decoder.feed(Data("<html>502 Bad".utf8)), [], "an unfinished line waits")
        XCTAssertEqual(decoder.feed(Data(" Gateway</html>\n".utf8)), [.garbage("<html>502 Bad Gateway</html>")])
        guard case .garbage? = decoder.feed(Data((#"{"kind": "Status"}"# + "\n").utf8)).first else {
            return XCTFail("an object that is not an event is garbage")
        }
        var other = WatchEventDecoder()
        guard case .garbage? = other.feed(Data(#"{"type": "ADDED"}"#.utf8)).first else {
            return XCTFail("an object that is not an event (no object) is garbage")
        }
        var unknown = WatchEventDecoder()
        guard case .garbage? = unknown.feed(Data(#"{"type": "RENAMED", "object": {}}"#.utf8)).first else {
            return XCTFail("an unknown event type is garbage")
        }
    }

    func testAnErrorEventCarriesTheAPIServersWords() {
        var decoder = WatchEventDecoder()
        let items = decoder.feed(Data(#"{"type":"ERROR","object":{"kind":"Status","status":"Failure","message":"too old resource version: 1 (5)","reason":"Expired","code":410}}"#.utf8))
        guard case .event(let event)? = items.first else { return XCTFail("\(items)") }
        XCTAssertEqual(event.type, .error)
        XCTAssertEqual(event.errorMessage, "too old resource version: 1 (5)")
    }

    func secret(_ name: String, namespace: String = "shop", data: String? = nil) -> JSONValue {
        var text = #"{"apiVersion":"v1","kind":"Secret","metadata":{"name":"\#(name)","namespace":"\#(namespace)"}"#
        if let data { text += #","data":{"k":"\#(data)"}"# }
        return try! JSONParser.parse(text + "}")
    }

    func testTheListChangesOnlyWhenAnEventMakesADifference() {
        var list = WatchedList()
        XCTAssertTrue(list.replace(with: [secret("b"), secret("a")], vouched: false))
        XCTAssertEqual(list.version, 1)
        XCTAssertEqual(ClusterFixtures.names(list.items), ["a", "b"], "in the API server's order")
        XCTAssertFalse(list.replace(with: [secret("a"), secret("b")], vouched: false), "the same objects read again change nothing")
        XCTAssertFalse(list.apply(WatchEvent(type: .added, object: secret("a"))), "a watch's initial ADDED for an object held as it is")
        XCTAssertEqual(list.version, 1)

        XCTAssertTrue(list.apply(WatchEvent(type: .modified, object: secret("a", data: "dg=="))))
        XCTAssertEqual(list.items.first?["data"]?["k"]?.stringValue, "dg==")
        XCTAssertTrue(list.apply(WatchEvent(type: .added, object: secret("c", namespace: "other"))))
        XCTAssertTrue(list.apply(WatchEvent(type: .deleted, object: secret("b"))))
        XCTAssertEqual(ClusterFixtures.names(list.items), ["c", "a"], "namespace other sorts before shop; b is gone")
        XCTAssertFalse(list.apply(WatchEvent(type: .deleted, object: secret("b"))), "deleting what is gone changes nothing")
        XCTAssertFalse(list.apply(WatchEvent(type: .bookmark, object: secret("a"))))
        XCTAssertEqual(list.version, 4)
    }

    func testAListIsVouchedForOnceItsWatchHasPrintedEachObjectItHolds() {
        var list = WatchedList()
        XCTAssertTrue(list.vouched, "nothing held, nothing to vouch for")
        list.replace(with: [secret("a"), secret("b")], vouched: false)
        XCTAssertFalse(list.vouched, "read before the watch printed anything")
        list.apply(WatchEvent(type: .added, object: secret("a")))
        XCTAssertFalse(list.vouched, "b is known only from the read: it may have been deleted since")
        list.apply(WatchEvent(type: .bookmark, object: secret("b")))
        XCTAssertFalse(list.vouched, "a bookmark says nothing about b")
        list.apply(WatchEvent(type: .added, object: secret("b")))
        XCTAssertTrue(list.vouched, "the watch's initial ADDED for an object held as it is vouches for it")

        list.unvouchAll()
        XCTAssertFalse(list.vouched, "a new watch vouches again")
        list.apply(WatchEvent(type: .added, object: secret("a")))
        list.apply(WatchEvent(type: .deleted, object: secret("b")))
        XCTAssertTrue(list.vouched)

        list.replace(with: [secret("c")], vouched: true)
        XCTAssertTrue(list.vouched, "read after the watch had printed something: it reports whatever follows")
        list.replace(with: [secret("c")], vouched: false)
        XCTAssertFalse(list.vouched, "the same objects, read when the watch could not vouch")
    }
}
