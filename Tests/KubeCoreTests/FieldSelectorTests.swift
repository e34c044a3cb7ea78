import KubeJSON
import XCTest
@testable import KubeCore

final class FieldSelectorTests: XCTestCase {
    private func object(_ json: String) throws -> JSONValue { try JSONParser.parse(json) }

    private func matches(_ selector: String, kind: String, _ json: String) throws -> Bool {
        try FieldSelector(parsing: selector, kind: kind).matches(object: try object(json))
    }

    private let runningPod = """
        {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "web-1", "namespace": "shop"},
         "spec": {"nodeName": "node-a", "restartPolicy": "Always", "schedulerName": "default-scheduler",
                  "serviceAccountName": "web"},
         "status": {"phase": "Running", "podIP": "10.0.0.7", "podIPs": [{"ip": "10.0.0.7"}, {"ip": "fd00::7"}]}}
        """
    private let pendingPod = """
        {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "web-2", "namespace": "shop"},
         "spec": {"hostNetwork": true}, "status": {"phase": "Pending", "nominatedNodeName": "node-b"}}
        """

    func testMetadataFieldsWorkForEveryKind() throws {
        XCTAssertTrue(try matches("metadata.name=web-1", kind: "Pod", runningPod))
        XCTAssertTrue(try matches("metadata.namespace==shop", kind: "Pod", runningPod))
        XCTAssertTrue(try matches("metadata.name=cm", kind: "ConfigMap", #"{"kind": "ConfigMap", "metadata": {"name": "cm"}}"#))
        XCTAssertTrue(try matches("metadata.name=x", kind: "Widget", #"{"kind": "Widget", "metadata": {"name": "x"}}"#))
        XCTAssertTrue(try matches("metadata.namespace=", kind: "Node", #"{"kind": "Node", "metadata": {"name": "n"}}"#))
    }

    func testPodFields() throws {
        XCTAssertTrue(try matches("status.phase=Running,spec.nodeName=node-a", kind: "Pod", runningPod))
        XCTAssertFalse(try matches("status.phase=Running", kind: "Pod", pendingPod))
        XCTAssertTrue(try matches("status.phase!=Running", kind: "Pod", pendingPod))
        XCTAssertTrue(try matches("spec.restartPolicy=Always,spec.schedulerName=default-scheduler", kind: "Pod", runningPod))
        XCTAssertTrue(try matches("spec.serviceAccountName=web", kind: "Pod", runningPod))
        XCTAssertTrue(try matches("status.podIP=10.0.0.7", kind: "pods", runningPod), "the kind may be named as kubectl names it")
        XCTAssertTrue(try matches("status.nominatedNodeName=node-b", kind: "Pod", pendingPod))
    }

    func testAnUnsetStringFieldIsEmpty() throws {
        XCTAssertTrue(try matches("spec.nodeName=", kind: "Pod", pendingPod), "unscheduled pods have nodeName \"\"")
        XCTAssertFalse(try matches("spec.nodeName=", kind: "Pod", runningPod))
    }

    func testBooleanFieldsDefaultToFalse() throws {
        XCTAssertTrue(try matches("spec.hostNetwork=true", kind: "Pod", pendingPod))
        XCTAssertTrue(try matches("spec.hostNetwork=false", kind: "Pod", runningPod))
        XCTAssertTrue(try matches("spec.unschedulable=false", kind: "Node", #"{"kind": "Node", "metadata": {"name": "n"}}"#))
        XCTAssertTrue(try matches("spec.unschedulable=true", kind: "Node", #"{"kind": "Node", "spec": {"unschedulable": true}}"#))
    }

    func testEventFields() throws {
        let event = """
            {"kind": "Event", "metadata": {"name": "web.1", "namespace": "shop"},
             "involvedObject": {"kind": "Pod", "name": "web-1", "namespace": "shop", "fieldPath": "spec.containers{web}"},
             "reason": "Unhealthy", "type": "Warning", "source": {"component": "kubelet"}}
            """
        XCTAssertTrue(try matches("involvedObject.kind=Pod,involvedObject.name=web-1,reason=Unhealthy", kind: "Event", event))
        XCTAssertTrue(try matches("type=Warning,source=kubelet", kind: "Event", event))
        XCTAssertTrue(try matches("involvedObject.fieldPath=spec.containers{web}", kind: "Event", event))
    }

    func testOtherKindsFields() throws {
        XCTAssertTrue(try matches("type=kubernetes.io/tls", kind: "Secret", #"{"kind": "Secret", "type": "kubernetes.io/tls"}"#))
        XCTAssertTrue(try matches("status.phase=Active", kind: "Namespace", #"{"kind": "Namespace", "status": {"phase": "Active"}}"#))
        XCTAssertTrue(try matches("status.replicas=3", kind: "ReplicaSet", #"{"kind": "ReplicaSet", "status": {"replicas": 3}}"#))
        XCTAssertTrue(try matches("status.replicas=0", kind: "ReplicaSet", #"{"kind": "ReplicaSet", "status": {}}"#))
        XCTAssertTrue(try matches("status.successful=1", kind: "Job", #"{"kind": "Job", "status": {"successful": 1}}"#))
    }

    func testUnsupportedFieldIsRefusedLikeTheServer() {
        XCTAssertThrowsError(try FieldSelector(parsing: "spec.foo=bar", kind: "Pod")) { error in
            XCTAssertEqual(
                String(describing: error),
                "invalid field selector \"spec.foo=bar\" for Pod: field label not supported: spec.foo")
        }
        XCTAssertThrowsError(try FieldSelector(parsing: "status.phase=Running", kind: "Deployment"),
                             "status.phase is a Pod field, not a Deployment one")
        XCTAssertThrowsError(try FieldSelector(parsing: "spec.replicas=1", kind: "Widget"))
    }

    func testTermWithoutOperatorIsAParseError() {
        XCTAssertThrowsError(try FieldSelector(parsing: "status.phase", kind: "Pod")) { error in
            guard let error = error as? SelectorError, error.syntax == .field(kind: "Pod") else { return XCTFail("\(error)") }
            XCTAssertEqual(error.reason, "invalid selector: 'status.phase'; can't understand 'status.phase'")
        }
    }

    func testEscapedCommaAndEqualsBelongToTheValue() throws {
        let selector = try FieldSelector(parsing: #"metadata.name=a\,b\=c,metadata.namespace!=x"#, kind: "ConfigMap")
        XCTAssertEqual(selector.terms.count, 2)
        XCTAssertEqual(selector.terms[0].value, "a,b=c")
        XCTAssertTrue(selector.terms[1].negated)
        XCTAssertTrue(selector.matches(object: try object(#"{"kind": "ConfigMap", "metadata": {"name": "a,b=c", "namespace": "y"}}"#)))
    }

    func testEmptySelectorMatchesEverything() throws {
        XCTAssertTrue(try matches("", kind: "Pod", runningPod))
    }
}

extension FieldSelectorTests {
    func testValuesAreValidatedAsTheAPIServerDoes() {
        // Each of these was evaluated here while the API server refuses it.
        for text in [#"spec.nodeName=a||y=b"#, "spec.nodeName==a==b", #"spec.nodeName=\"#, #"spec.nodeName=\a"#, #"spec.nodeName=\!x"#] {
            XCTAssertThrowsError(try FieldSelector(parsing: text, kind: "Pod"), text) { error in
                XCTAssertTrue((error as? SelectorError)?.reason.hasPrefix("invalid field selector: ") == true, "\(error)")
            }
        }
        XCTAssertEqual(try FieldSelector(parsing: #"spec.nodeName=a\=b\\\,"#, kind: "Pod").terms.first?.value, #"a=b\,"#)
    }
}
