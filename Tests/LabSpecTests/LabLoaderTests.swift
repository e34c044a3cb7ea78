import Foundation
import KubeJSON
import XCTest
@testable import LabSpec

final class LabLoaderTests: XCTestCase {
    func testCompleteLabLoadsEveryPartOfTheFormat() throws {
        let lab = try Fixtures.loader.load("complete-lab")
        XCTAssertEqual(lab.format, 1)
        XCTAssertEqual(lab.id, "complete-lab")
        XCTAssertEqual(lab.prerequisites, ["cluster-access"])
        XCTAssertEqual(lab.scope, .namespace)
        XCTAssertEqual(lab.parameters.map(\.name), ["namespace", "replicas", "image"])
        XCTAssertEqual(lab.defaultParameters, ["namespace": "shop", "replicas": "2", "image": "nginx:1.27"])
        XCTAssertEqual(lab.steps.map(\.id), ["deploy", "spread"])
        XCTAssertEqual(lab.contentDirectory.lastPathComponent, "complete-lab")
        XCTAssertEqual(lab.contentDirectory.deletingLastPathComponent().lastPathComponent, "content")

        let deploy = lab.steps[0]
        XCTAssertEqual(deploy.content, "deploy.md")
        XCTAssertEqual(deploy.manifests, ["manifests/web.yaml"])
        XCTAssertEqual(deploy.commands, ["kubectl apply -f web.yaml"])
        XCTAssertEqual(deploy.hints.count, 2)
        XCTAssertEqual(deploy.points, 1)
        XCTAssertFalse(deploy.partialCredit)

        let available = deploy.checks[0]
        XCTAssertEqual(available.source, .get(ObjectSelector(apiVersion: "apps/v1", kind: "Deployment", name: "web")))
        XCTAssertEqual(available.expectation.all, [
            .condition(type: "Available", status: "True", reason: nil),
            .value(path: "{.spec.replicas}", predicate: .compare(.equal, "${replicas}")),
            .partial(try JSONParser.parse(#"{"spec": {"template": {"spec": {"containers": [{"name": "web", "image": "${image}"}]}}}}"#), anyOrder: false),
        ])
        XCTAssertEqual(available.location?.line, 26)
        XCTAssertEqual(available.location?.column, 9)
        XCTAssertEqual(available.location?.file, "Tests/Fixtures/labs/complete-lab/lab.yaml")

        let remember = deploy.checks[1]
        XCTAssertEqual(remember.source, .get(ObjectSelector(kind: "Pod", labels: "app=web")))
        XCTAssertEqual(remember.expectation.count, .range(min: 1, max: nil))
        XCTAssertEqual(remember.captures, [Capture(name: "webPods", path: "{.count}")])

        let spread = lab.steps[1]
        XCTAssertEqual(spread.content, "spread-out.md")
        XCTAssertEqual(spread.points, 2)
        XCTAssertTrue(spread.partialCredit)
        let asMany = spread.checks[0]
        XCTAssertEqual(asMany.wait, 30)
        XCTAssertEqual(asMany.weight, 2)
        XCTAssertEqual(asMany.expectation.count, .comparison(.greaterOrEqual, "${webPods}"))
        XCTAssertEqual(asMany.expectation.distinct, ["{.spec.nodeName}"])
        XCTAssertEqual(asMany.expectation.all, [.join(Join(relation: .node, expectation: Expectation(all: [
            .value(path: "{.metadata.labels.kubernetes\\.io/os}", predicate: .equals(.string("linux"))),
        ])))])
        XCTAssertEqual(spread.checks[1].source, .get(ObjectSelector(kind: "Pod")))
        XCTAssertEqual(spread.checks[1].expectation.none, [.value(path: "{.spec.containers[*].image}", predicate: .matches(":latest$"))])
        XCTAssertEqual(lab.completion.count, 1)
        XCTAssertEqual(lab.completion[0].source, .get(ObjectSelector(kind: "Deployment", name: "web")))
    }

    func testScalarsKeepTheirYAMLTypesUnlessQuoted() throws {
        let check = try loadCheck("""
            name: types
            get: Pod
            expect:
              - {path: '{.a}', equals: 3}
              - {path: '{.a}', equals: "3"}
              - {path: '{.a}', equals: true}
              - {path: '{.a}', equals: 'true'}
              - {path: '{.a}', equals: 2.5}
              - {path: '{.a}', equals: null}
              - {path: '{.a}', in: [Always, 1]}
            """)
        XCTAssertEqual(check.expectation.all.map { assertion -> ValuePredicate? in
            if case let .value(_, predicate) = assertion { return predicate }
            return nil
        }, [
            .equals(.int(3)), .equals(.string("3")), .equals(.bool(true)), .equals(.string("true")),
            .equals(.double(2.5)), .equals(.null), .oneOf([.string("Always"), .int(1)]),
        ])
    }

    func testSourcesAndShorthands() throws {
        XCTAssertEqual(try loadCheck("name: n\nget: {kind: Pod, namespace: '*'}\nabsent: true").source,
                       .get(ObjectSelector(kind: "Pod", namespace: .all)))
        XCTAssertEqual(try loadCheck("name: n\nget: {kind: Pod, namespace: kube-system}\ncount: 3").expectation.count, .exactly(3))
        XCTAssertEqual(try loadCheck("name: n\nexec: {labels: app=web, command: [ls, /]}").source,
                       .exec(ExecRequest(labels: "app=web", command: ["ls", "/"])))
        XCTAssertEqual(try loadCheck("name: n\nhttp: {url: 'http://x/', timeout: 2m}\nwait: 1h30m").source,
                       .http(HTTPRequest(url: "http://x/", timeout: 120)))
        XCTAssertEqual(try loadCheck("name: n\nhttp: {url: 'http://x/'}\nwait: 90").wait, 90)
        XCTAssertEqual(try loadCheck("name: n\ncommand: [helm, list]").source, .command(["helm", "list"]))
        let condition = try loadCheck("name: n\nget: Deployment/web\nexpect:\n  - condition: {type: Progressing, reason: NewReplicaSetAvailable}")
        XCTAssertEqual(condition.expectation.all, [.condition(type: "Progressing", status: "True", reason: "NewReplicaSetAvailable")])
        let quantity = try loadCheck("name: n\nget: Pod\nany:\n  - {path: '{.x}', quantity: '<= 2Gi'}\n  - {path: '{.y}', cidr: 10.0.0.0/16}\n  - {path: '{.z}', exists: false}")
        XCTAssertEqual(quantity.expectation.any, [
            .value(path: "{.x}", predicate: .quantity(.lessOrEqual, "2Gi")),
            .value(path: "{.y}", predicate: .cidr("10.0.0.0/16")),
            .value(path: "{.z}", predicate: .absent),
        ])
        let join = try loadCheck("""
            name: n
            get: {kind: Pod, labels: app=web-store}
            expect:
              - join: {kind: Pod, labels: app=store, fields: 'spec.nodeName={.spec.nodeName}'}
                count: {min: 1}
              - object: {spec: {ports: [{port: 80}]}}
                anyOrder: true
            distinct: ['{.spec.nodeName}', '{.status.podIP}']
            """)
        XCTAssertEqual(join.expectation.all, [
            .join(Join(relation: .selector(ObjectSelector(kind: "Pod", labels: "app=store", fields: "spec.nodeName={.spec.nodeName}")),
                       expectation: Expectation(count: .range(min: 1, max: nil)))),
            .partial(try JSONParser.parse(#"{"spec": {"ports": [{"port": 80}]}}"#), anyOrder: true),
        ])
        XCTAssertEqual(join.expectation.distinct, ["{.spec.nodeName}", "{.status.podIP}"])
    }

    func testEveryProblemIsReportedAtOnceWithItsPlace() throws {
        let (loader, _) = try Fixtures.temporaryLab("""
            format: 1
            id: scratch
            title: Broken
            steps:
              - id: one
                titel: One
                points: lots
                checks:
                  - name: no source
                    expect: []
                  - name: bad wait
                    get: Pod
                    wait: soon
            """)
        XCTAssertThrowsError(try loader.load("scratch")) { error in
            let problems = (error as? LabSpecError)?.all.map(\.message) ?? []
            XCTAssertEqual(problems, [
                "unknown key 'titel' in a step; did you mean 'title'?",
                "step 'one' has no 'title'; add one",
                "'points' must be a number, not the text 'lots'",
                "a check needs exactly one source: get, exec, http, command, canI, probe or workspace (found none)",
                "'wait': write a duration such as 30s, 2m, 1h30m or a number of seconds (got 'soon')",
            ])
            XCTAssertEqual((error as? LabSpecError)?.all.map { $0.location.map { "\($0.line):\($0.column)" } ?? "" },
                           ["6:5", "5:5", "7:13", "9:9", "13:15"])
        }
    }

    func testYAMLSyntaxErrorHasItsLine() throws {
        let (loader, _) = try Fixtures.temporaryLab("format: 1\nid: scratch\ntitle: [unclosed\nsteps: []\n")
        XCTAssertThrowsError(try loader.load("scratch")) { error in
            guard case let .yamlSyntax(_, location)? = (error as? LabSpecError)?.all.first else {
                return XCTFail("expected a YAML syntax error, got \(error)")
            }
            XCTAssertEqual(location.line, 4)
        }
    }

    func testUnknownLabNamesTheKnownOnes() {
        XCTAssertThrowsError(try Fixtures.loader.load("no-such-lab")) { error in
            guard case let .labNotFound(id, _, known)? = error as? LabSpecError else { return XCTFail("\(error)") }
            XCTAssertEqual(id, "no-such-lab")
            XCTAssertTrue(known.contains("complete-lab"))
        }
    }

    func testDigestPredicateTakesASha256DigestOrACapture() throws {
        let check = try loadCheck("name: n\nget: Secret/db\nexpect:\n  - {path: '{.data.password}', digest: 'sha256:abababababababababababababababababababababababababababababababab'}\n  - {path: '{.data.user}', digest: '${userDigest}'}")
        XCTAssertEqual(check.expectation.all, [
            .value(path: "{.data.password}", predicate: .digest("sha256:abababababababababababababababababababababababababababababababab")),
            .value(path: "{.data.user}", predicate: .digest("${userDigest}")),
        ])
        XCTAssertThrowsError(try loadCheck("name: n\nget: Secret/db\nexpect:\n  - {path: '{.data.password}', digest: hunter2}")) { error in
            XCTAssertTrue("\(error)".contains("write sha256: and 64 hex digits"), "\(error)")
        }
    }

    func testRedactIsForExecCommandAndProbeChecks() throws {
        XCTAssertTrue(try loadCheck("name: n\ncommand: [aws, sts, get-caller-identity]\nredact: true").redact)
        XCTAssertFalse(try loadCheck("name: n\ncommand: [aws, sts, get-caller-identity]").redact)
        XCTAssertTrue(try loadCheck("name: n\nprobe: {command: [cat, /etc/hostname]}\nredact: true").redact)
        XCTAssertThrowsError(try loadCheck("name: n\nget: Pod\nredact: true")) { error in
            XCTAssertTrue("\(error)".contains("'redact' applies to what an exec, command or probe check prints"), "\(error)")
        }
    }

    func testYAMLValuesReadAsKubectlReadsThem() throws {
        // go-yaml v2 (kubectl) reads 0755 as octal 493; this reader said 755.
        let check = try loadCheck("name: n\nget: ConfigMap/c\nexpect:\n  - {path: '{.spec.mode}', equals: 0755}\n  - {path: '{.spec.on}', equals: yes}\n  - {path: '{.spec.big}', equals: 1e3}\n  - {path: '{.spec.text}', equals: '0755'}")
        XCTAssertEqual(check.expectation.all, [
            .value(path: "{.spec.mode}", predicate: .equals(.int(493))),
            .value(path: "{.spec.on}", predicate: .equals(.bool(true))),
            .value(path: "{.spec.big}", predicate: .equals(.int(1000))),
            .value(path: "{.spec.text}", predicate: .equals(.string("0755"))),
        ])
        let partial = try loadCheck("name: n\nget: Pod/p\nexpect:\n  - {object: {spec: {volumes: [{configMap: {defaultMode: 0644}}]}}}")
        XCTAssertEqual(partial.expectation.all.first, .partial(try JSONParser.parse(#"{"spec":{"volumes":[{"configMap":{"defaultMode":420}}]}}"#), anyOrder: false))
    }

    private func loadCheck(_ yaml: String) throws -> Check {
        let check = yaml.split(separator: "\n", omittingEmptySubsequences: false).map { "      " + $0 }.joined(separator: "\n")
        let text = "format: 1\nid: scratch\ntitle: Scratch\nsteps:\n  - id: one\n    title: One\n    checks:\n    -\n" + check + "\n"
        let (loader, _) = try Fixtures.temporaryLab(text)
        let lab = try loader.load("scratch")
        return try XCTUnwrap(lab.steps.first?.checks.first)
    }
}
