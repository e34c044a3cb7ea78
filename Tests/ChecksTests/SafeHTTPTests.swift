import Foundation
import KubeCore
import KubeJSON
import LabSpec
import TestSupport
import XCTest
@testable import Checks

/// The http source on a grader's machine: http/https only, no link-local or metadata address,
/// redirects only when asked and never to another scheme or a forbidden address, a capped
/// body, headers, and `error` when nothing answered. Against a real local server
/// (`Tests/Fixtures/http-server/server.py`).
final class SafeHTTPTests: XCTestCase {
    private var server: TestProcess.Running?
    private var port = 0

    override func setUpWithError() throws {
        let process = try TestProcess.start("/usr/bin/python3", [ClusterFixtures.path("http-server/server.py")], readingOutput: true)
        server = process
        // The server prints its port once it listens.
        port = try XCTUnwrap(process.readLine().flatMap { Int($0.trimmingCharacters(in: .whitespacesAndNewlines)) })
    }

    override func tearDown() {
        server?.stop()
        server?.wait()
    }

    private func get(_ path: String, followRedirects: Bool = false, headers: [HTTPHeader] = []) throws -> HTTPOutput {
        try KubectlCluster().http(HTTPRequest(url: "http://127.0.0.1:\(port)\(path)", timeout: 10, headers: headers, followRedirects: followRedirects))
    }

    func testARedirectToTheMetadataAddressIsNeverFollowed() throws {
        // Not asked to follow: the redirect itself is the answer.
        let answer = try get("/to-metadata")
        XCTAssertEqual(answer.status, 302)
        XCTAssertNil(answer.error)
        // Asked to follow: refused before any connection to 169.254.169.254.
        let followed = try get("/to-metadata", followRedirects: true)
        XCTAssertEqual(followed.status, 0)
        XCTAssertEqual(followed.error, "refused: 169.254.169.254 is a link-local or instance-metadata address")
    }

    func testRedirectsAreFollowedOnlyWhenAskedAndNeverAcrossSchemes() throws {
        XCTAssertEqual(try get("/to-ok").status, 302)
        XCTAssertEqual(try get("/to-ok", followRedirects: true), HTTPOutput(status: 200, body: "ok"))
        let https = try get("/to-https", followRedirects: true)
        XCTAssertEqual(https.status, 0)
        XCTAssertEqual(https.error, "refused: a redirect from http to https://127.0.0.1:\(port)/ok changes the scheme")
        XCTAssertEqual(try get("/loop", followRedirects: true).error, "more than 5 redirects")
    }

    func testOnlyHTTPAndHTTPSAndNoForbiddenAddress() throws {
        let cluster = KubectlCluster()
        XCTAssertEqual(try cluster.http(url: "file:///etc/passwd", timeout: 2).error, "refused: file:///etc/passwd is not an http or https URL")
        XCTAssertEqual(try cluster.http(url: "gopher://127.0.0.1:\(port)/", timeout: 2).error?.hasPrefix("refused:"), true)
        XCTAssertEqual(try cluster.http(url: "http://169.254.169.254/latest/meta-data/", timeout: 2).error,
                       "refused: 169.254.169.254 is a link-local or instance-metadata address")
        XCTAssertEqual(try cluster.http(url: "http://[fd00:ec2::254]/", timeout: 2).error,
                       "refused: fd00:ec2::254 is a link-local or instance-metadata address")
        XCTAssertEqual(try cluster.http(url: "http://[::ffff:169.254.169.254]/", timeout: 2).status, 0)
        XCTAssertEqual(SafeHTTP.forbiddenReason("169.254.170.2"), "refused: 169.254.170.2 is a link-local or instance-metadata address")
        XCTAssertNil(SafeHTTP.forbiddenReason("10.0.0.1"))
        XCTAssertNil(SafeHTTP.forbiddenReason("127.0.0.1"))
    }

    func testHeadersAreSentAndLineBreaksRefused() throws {
        let answer = try get("/headers", headers: [HTTPHeader(name: "Host", value: "shop.example.com"), HTTPHeader(name: "X-Klab", value: "1")])
        XCTAssertEqual(answer.status, 200)
        XCTAssertEqual(try JSONParser.parse(answer.body), json(#"{"host":"shop.example.com","klab":"1"}"#))
        let injected = try get("/headers", headers: [HTTPHeader(name: "X-Klab", value: "1\r\nX-Other: 2")])
        XCTAssertEqual(injected.status, 0)
        XCTAssertEqual(injected.error?.hasPrefix("refused: the header"), true)
    }

    func testABodyLargerThanTheCapIsAnError() throws {
        let answer = try get("/big")
        XCTAssertEqual(answer.status, 0)
        XCTAssertEqual(answer.error, "the body is larger than 1 MiB")
    }

    func testTheResultCarriesErrorForChecks() throws {
        let evaluator = CheckEvaluator(reader: ClusterReader(cluster: KubectlCluster(), labNamespace: "default"), clock: FakeClock())
        let result = try evaluator.evaluate(Check(
            name: "metadata", source: .http(HTTPRequest(url: "http://127.0.0.1:\(port)/to-metadata", followRedirects: true)),
            expectation: Expectation(all: [value("{.error}", .matches("link-local"))])))
        XCTAssertEqual(result.status, .passed, result.message.joined(separator: "\n"))
    }
}
