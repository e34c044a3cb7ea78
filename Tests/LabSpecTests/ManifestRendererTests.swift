import Foundation
import KubeJSON
import XCTest
@testable import LabSpec

final class ManifestRendererTests: XCTestCase {
    private func render(_ manifest: String, parameters: [String: String] = [:], learner: String? = "alice") throws -> [JSONValue] {
        let (loader, base) = try Fixtures.temporaryLab("""
            format: 1
            id: scratch
            title: Scratch
            parameters:
              - {name: replicas, default: "2"}
            steps:
              - id: one
                title: One
                manifests: [m.yaml]
            """)
        try manifest.write(to: base.appendingPathComponent("labs/scratch/m.yaml"), atomically: true, encoding: .utf8)
        let lab = try loader.load("scratch")
        return try ManifestRenderer(lab: lab).render(parameters: parameters, learner: learner).flatMap(\.objects)
    }

    private func labels(_ object: JSONValue, _ path: [String]) -> JSONValue? {
        var value: JSONValue? = object
        for key in path { value = value?[key] }
        return value?["labels"]
    }

    func testLabelsGoOnEveryObjectAndEveryPodTemplate() throws {
        let workloads = ["Deployment", "ReplicaSet", "StatefulSet", "DaemonSet", "Job"].map { kind in
            "apiVersion: apps/v1\nkind: \(kind)\nmetadata: {name: w}\nspec:\n  template:\n    metadata:\n      labels: {app: w}\n    spec: {containers: [{name: c, image: i}]}\n"
        }
        let cron = "apiVersion: batch/v1\nkind: CronJob\nmetadata: {name: c}\nspec:\n  schedule: '* * * * *'\n  jobTemplate:\n    spec:\n      template:\n        spec: {containers: [{name: c, image: i}]}\n"
        let config = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c\n  labels: {keep: me}\n"
        let objects = try render((workloads + [cron, config]).joined(separator: "---\n"))
        XCTAssertEqual(objects.count, 7)
        let expected = #"{"klab.dev/lab": "scratch", "klab.dev/learner": "alice"}"#
        let bookkeeping = try JSONParser.parse(expected)
        for object in objects.prefix(5) {
            XCTAssertEqual(labels(object, ["metadata"]), bookkeeping)
            XCTAssertEqual(labels(object, ["spec", "template", "metadata"]),
                           try JSONParser.parse(#"{"app": "w", "klab.dev/lab": "scratch", "klab.dev/learner": "alice"}"#))
        }
        XCTAssertEqual(labels(objects[5], ["spec", "jobTemplate", "spec", "template", "metadata"]), bookkeeping)
        XCTAssertEqual(labels(objects[6], ["metadata"]),
                       try JSONParser.parse(#"{"keep": "me", "klab.dev/lab": "scratch", "klab.dev/learner": "alice"}"#))
        XCTAssertNil(objects[6]["spec"], "a ConfigMap gets no pod template")
    }

    func testParametersAreSubstitutedAndNothingElseChanges() throws {
        let manifest = """
            apiVersion: apps/v1
            kind: Deployment
            metadata:
              name: web-{{learner}}
              namespace: {{namespace}}
              annotations: {note: "<b>&'x'</b>", port: "80"}
            spec:
              replicas: {{replicas}}
              template:
                spec: {containers: [{name: c, image: 'nginx:1.27', args: ["--flag", "on"]}]}

            """
        let objects = try render(manifest, parameters: ["replicas": "5", "namespace": "shop"], learner: "bob")
        let object = try XCTUnwrap(objects.first)
        XCTAssertEqual(object["metadata"]?["name"], .string("web-bob"))
        XCTAssertEqual(object["metadata"]?["namespace"], .string("shop"))
        XCTAssertEqual(object["spec"]?["replicas"], .int(5))
        XCTAssertEqual(object["metadata"]?["annotations"], try JSONParser.parse(#"{"note": "<b>&'x'</b>", "port": "80"}"#))
        XCTAssertEqual(object["spec"]?["template"]?["spec"]?["containers"]?[0]?["args"], try JSONParser.parse(#"["--flag", "on"]"#))
        XCTAssertEqual(labels(object, ["metadata"])?["klab.dev/learner"], .string("bob"))
    }

    func testYAMLOutputKeepsQuotedStringsStrings() throws {
        let (loader, base) = try Fixtures.temporaryLab("format: 1\nid: scratch\ntitle: S\nsteps:\n  - {id: one, title: One, manifests: [m.yaml]}\n")
        try "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\ndata: {port: \"80\", on: 'yes'}\n"
            .write(to: base.appendingPathComponent("labs/scratch/m.yaml"), atomically: true, encoding: .utf8)
        let yaml = try ManifestRenderer(lab: try loader.load("scratch")).renderYAML(learner: "007")
        XCTAssertTrue(yaml.hasPrefix("---\n# Source: m.yaml\napiVersion: v1\nkind: ConfigMap\n"), yaml)
        XCTAssertTrue(yaml.contains("port: \"80\""), yaml)
        XCTAssertTrue(yaml.contains("klab.dev/learner: \"007\""), yaml)
    }

    func testUnknownSetIsAnErrorNamingTheKnownParameters() throws {
        XCTAssertThrowsError(try render("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\n", parameters: ["replica": "3"])) { error in
            XCTAssertEqual("\(error)", "lab scratch has no parameter 'replica'; known: replicas, namespace, learner")
        }
    }

    func testAnObjectWithoutKindIsAnErrorAtItsLine() throws {
        XCTAssertThrowsError(try render("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}\n---\napiVersion: v1\nmetadata: {name: b}\n")) { error in
            let problem = (error as? LabSpecError)?.all.first
            XCTAssertEqual(problem?.location?.line, 5)
            XCTAssertEqual(problem?.message, "a Kubernetes object needs kind; add it")
            XCTAssertTrue(problem?.location?.file.hasSuffix("labs/scratch/m.yaml") ?? false)
        }
    }
}
