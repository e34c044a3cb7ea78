/// The files of a new lab, as `klab lab new` writes them: a lab with one step (run a web
/// server), its check, its prose, its manifest and a passing and a failing fixture. It passes
/// `klab lab lint` and `klab lab test` as written; the author then makes it their own.
///
/// The texts are data: `LabScaffold` only replaces `%LAB_ID%` and `%LAB_TITLE%` in them
/// (Mustache's `{{namespace}}` is left for the lab's own rendering).
public enum LabTemplate {
    /// Where a template file goes: the lab's folder (`labs/<id>/`) or its prose folder
    /// (`content/<id>/`).
    public enum Root: Sendable {
        case lab
        case content
    }

    public struct File: Sendable {
        public var root: Root
        /// Relative to the root's folder for the lab.
        public var path: String
        public var text: String
    }

    /// The step the template's lab has, for the messages that name it.
    public static let stepID = "deploy"

    public static let files: [File] = [
        File(root: .lab, path: "lab.yaml", text: """
        format: 1
        id: %LAB_ID%
        title: %LAB_TITLE%
        summary: >-
          Run a small web server and see Kubernetes keep it up. Say here, in a sentence or two,
          what the learner does and why it matters.
        scope: namespace
        parameters:
          - name: namespace
            default: default
            description: Namespace the lab's objects live in.
        steps:
          - id: deploy
            title: Run the web server
            manifests: [manifests/web.yaml]
            commands:
              - kubectl apply -f web.yaml
            hints:
              - The manifest is in the lab folder; apply it with kubectl apply -f web.yaml.
              - kubectl get deployment web shows how many of its pods are ready; wait for 1/1.
            checks:
              - name: The web deployment has a ready pod
                get: {kind: Deployment, name: web}
                expect:
                  - condition: Available
                  - path: '{.status.readyReplicas}'
                    compare: '>= 1'
        completion:
          - name: The web deployment has a ready pod
            get: {kind: Deployment, name: web}
            expect:
              - condition: Available

        """),
        File(root: .lab, path: "manifests/web.yaml", text: """
        apiVersion: apps/v1
        kind: Deployment
        metadata:
          name: web
          namespace: {{namespace}}
          labels:
            app: web
        spec:
          replicas: 1
          selector:
            matchLabels:
              app: web
          template:
            metadata:
              labels:
                app: web
            spec:
              containers:
                - name: web
                  image: nginx:1.27
                  ports:
                    - containerPort: 80

        """),
        File(root: .lab, path: "fixtures/deploy--pass/deployments.json", text: deployment(available: true)),
        File(root: .lab, path: "fixtures/deploy--fail-not-ready/deployments.json", text: deployment(available: false)),
        File(root: .content, path: "README.md", text: """
        # %LAB_TITLE%

        What this lab teaches, in a paragraph: the idea first, then what the learner will have
        running at the end.

        """),
        File(root: .content, path: "deploy.md", text: """
        # Run the web server

        A Deployment keeps a number of identical pods running. Apply the one in this folder:

        ```sh
        kubectl apply -f web.yaml
        ```

        Then watch its pod start with `kubectl get deployment web` and run `klab verify`
        when it shows `1/1`.

        """),
    ]

    /// A Deployment list as `kubectl get deployments -o json` prints it, with its pod ready or
    /// still starting.
    static func deployment(available: Bool) -> String {
        let status = available
            ? """
                            "availableReplicas": 1,
                            "conditions": [
                                {"lastTransitionTime": "2026-01-01T10:00:20Z", "lastUpdateTime": "2026-01-01T10:00:20Z", "message": "Deployment has minimum availability.", "reason": "MinimumReplicasAvailable", "status": "True", "type": "Available"},
                                {"lastTransitionTime": "2026-01-01T10:00:00Z", "lastUpdateTime": "2026-01-01T10:00:20Z", "message": "ReplicaSet \\"web-5d8f7c9b6d\\" has successfully progressed.", "reason": "NewReplicaSetAvailable", "status": "True", "type": "Progressing"}
                            ],
                            "observedGeneration": 1,
                            "readyReplicas": 1,
                            "replicas": 1,
                            "updatedReplicas": 1
            """
            : """
                            "conditions": [
                                {"lastTransitionTime": "2026-01-01T10:00:00Z", "lastUpdateTime": "2026-01-01T10:00:00Z", "message": "Deployment does not have minimum availability.", "reason": "MinimumReplicasUnavailable", "status": "False", "type": "Available"},
                                {"lastTransitionTime": "2026-01-01T10:00:00Z", "lastUpdateTime": "2026-01-01T10:00:00Z", "message": "ReplicaSet \\"web-5d8f7c9b6d\\" is progressing.", "reason": "ReplicaSetUpdated", "status": "True", "type": "Progressing"}
                            ],
                            "observedGeneration": 1,
                            "replicas": 1,
                            "unavailableReplicas": 1,
                            "updatedReplicas": 1
            """
        return """
        {
            "apiVersion": "v1",
            "kind": "List",
            "items": [
                {
                    "apiVersion": "apps/v1",
                    "kind": "Deployment",
                    "metadata": {
                        "creationTimestamp": "2026-01-01T10:00:00Z",
                        "generation": 1,
                        "labels": {"app": "web"},
                        "name": "web",
                        "namespace": "default",
                        "resourceVersion": "1200",
                        "uid": "0b5e8c1a-4f2d-4c3b-9a61-7d0e2f4a8b11"
                    },
                    "spec": {
                        "replicas": 1,
                        "selector": {"matchLabels": {"app": "web"}},
                        "template": {
                            "metadata": {"labels": {"app": "web"}},
                            "spec": {"containers": [{"image": "nginx:1.27", "name": "web", "ports": [{"containerPort": 80, "protocol": "TCP"}]}]}
                        }
                    },
                    "status": {
        \(status)
                    }
                }
            ]
        }

        """
    }
}
