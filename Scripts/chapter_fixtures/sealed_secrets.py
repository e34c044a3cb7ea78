"""Snapshots of the sealed-secrets lab: the Secret database-credentials in octank read by
pod-variable (env) and pod-volume (files), the Sealed Secrets controller in kube-system, and
the SealedSecret the controller unsealed into a Secret it owns.

What the pods print is recorded as klab keeps it with `redact: true`: a sha256 digest, never
the value. Secrets keep their data as kubectl prints it (base64) in the hand-made
`complete` state and as klab's evidence keeps it (digests) in the others."""

import base64
import hashlib

import access
import kube
from common import begin_state, lab_dir, manifest, node_ip, node_name, place, workers

LAB = "sealed-secrets"
NS = "octank"
KLAB = {"klab.dev/lab": LAB, "klab.dev/learner": "ana"}
SECRET_AT = 100
POD_AT = 200
CONTROLLER_AT = 400
SEALED_AT = 700
VALUES = {"username": "admin", "password": "Tru5tN0!"}
CONTROLLER_HASH = "7c5d8f9b46"


def digest(text):
    return "sha256:" + hashlib.sha256(text.encode()).hexdigest()


def secret(sealed=False, keys=("username", "password"), as_evidence=True):
    data = {}
    for key in keys:
        encoded = base64.b64encode(VALUES[key].encode()).decode()
        data[key] = digest(encoded) if as_evidence else encoded
    m = access.meta("secret", "database-credentials", NS, SEALED_AT + 2 if sealed else SECRET_AT)
    if sealed:
        m["ownerReferences"] = [{"apiVersion": "bitnami.com/v1alpha1", "controller": True, "kind": "SealedSecret",
                                 "name": "database-credentials",
                                 "uid": kube.uid("sealedsecret", NS, "database-credentials")}]
        m = dict(sorted(m.items()))
    s = {"apiVersion": "v1", "kind": "Secret", "data": data, "metadata": m, "type": "Opaque"}
    if as_evidence:
        s["klabRedacted"] = {"data": {k: len(VALUES[k]) for k in keys}}
    return s


def sealed_secret(synced=True, klab=False):
    encrypted = {k: "AgB" + base64.b64encode(hashlib.sha512(("sealed/" + k).encode()).digest() * 6).decode()
                 for k in ("password", "username")}
    meta = access.meta("sealedsecret", "database-credentials", NS, SEALED_AT, generation=1,
                       labels=KLAB if klab else None)
    meta["uid"] = kube.uid("sealedsecret", NS, "database-credentials")
    if synced:
        condition = {"lastTransitionTime": kube.ts(SEALED_AT + 2), "lastUpdateTime": kube.ts(SEALED_AT + 2),
                     "status": "True", "type": "Synced"}
    else:
        condition = {"lastTransitionTime": kube.ts(SEALED_AT + 2), "lastUpdateTime": kube.ts(SEALED_AT + 30),
                     "message": "no key could decrypt secret (password, username)", "reason": "ErrUnsealFailed",
                     "status": "False", "type": "Synced"}
    return {"apiVersion": "bitnami.com/v1alpha1", "kind": "SealedSecret", "metadata": meta,
            "spec": {"encryptedData": encrypted, "template": {"metadata": {
                "creationTimestamp": None, "name": "database-credentials", "namespace": NS}, "type": "Opaque"}},
            "status": {"conditions": [condition], "observedGeneration": 1}}


def crd():
    return {"apiVersion": "apiextensions.k8s.io/v1", "kind": "CustomResourceDefinition",
            "metadata": access.meta("crd", "sealedsecrets.bitnami.com", None, CONTROLLER_AT, generation=1),
            "spec": {"group": "bitnami.com", "names": {"kind": "SealedSecret", "listKind": "SealedSecretList",
                                                       "plural": "sealedsecrets", "singular": "sealedsecret"},
                     "scope": "Namespaced", "versions": [{"name": "v1alpha1", "served": True, "storage": True,
                                                          "subresources": {"status": {}}}]},
            "status": {"acceptedNames": {"kind": "SealedSecret", "listKind": "SealedSecretList",
                                         "plural": "sealedsecrets", "singular": "sealedsecret"},
                       "conditions": [
                           {"lastTransitionTime": kube.ts(CONTROLLER_AT), "message": "no conflicts found",
                            "reason": "NoConflicts", "status": "True", "type": "NamesAccepted"},
                           {"lastTransitionTime": kube.ts(CONTROLLER_AT), "message": "the initial names have been "
                            "accepted", "reason": "InitialNamesAccepted", "status": "True", "type": "Established"}],
                       "storedVersions": ["v1alpha1"]}}


def controller(ready=True):
    labels = {"name": "sealed-secrets-controller"}
    m = {"apiVersion": "apps/v1", "kind": "Deployment",
         "metadata": {"name": "sealed-secrets-controller", "namespace": "kube-system", "labels": labels},
         "spec": {"replicas": 1, "selector": {"matchLabels": labels}, "template": {
             "metadata": {"labels": labels},
             "spec": {"containers": [{"name": "sealed-secrets-controller",
                                      "image": "docker.io/bitnami/sealed-secrets-controller:0.41.2",
                                      "args": [], "command": ["controller"],
                                      "ports": [{"containerPort": 8080, "name": "http"},
                                                {"containerPort": 8081, "name": "metrics"}]}],
                      "serviceAccountName": "sealed-secrets-controller"}}}}
    runs = None
    status = (1, 1, 1, 1)
    if not ready:
        runs = {0: {"sealed-secrets-controller": kube.ContainerRun(
            ready=False, started_at=CONTROLLER_AT + 5,
            waiting=("ImagePullBackOff", 'Back-off pulling image "docker.io/bitnami/sealed-secrets-controller:0.41.2"'))}}
        status = (1, 1, 0, 0)
    d = kube.deployment(m, CONTROLLER_AT, status, CONTROLLER_HASH)
    pods = kube.deployment_pods(m, CONTROLLER_AT, CONTROLLER_HASH, [place(1, "10.0.2.31")], runs=runs)
    return d, pods


def pod_variable(klab=True, refs=True, waiting=None):
    m = manifest(LAB, "pod-variable.yaml")
    if not refs:
        # values written into the manifest: the Secret is not used at all
        m["spec"]["containers"][0]["env"] = [{"name": "DATABASE_USER", "value": "admin"},
                                             {"name": "DATABASE_PASSWORD", "value": "changeme"}]
    if klab:
        m["metadata"]["labels"] = dict(KLAB)
    runs = None
    if waiting:
        runs = {"busybox": kube.ContainerRun(ready=False, started_at=POD_AT + 2, waiting=waiting)}
    return kube.pod("pod-variable", NS, POD_AT, m["spec"], node_name=node_name(0), node_ip=node_ip(0),
                    pod_ip="10.0.1.61", labels=m["metadata"].get("labels"), applied=m, runs=runs)


def pod_volume(klab=True, waiting=None):
    m = manifest(LAB, "pod-volume.yaml")
    if klab:
        m["metadata"]["labels"] = dict(KLAB)
    runs = None
    if waiting:
        runs = {"busybox": kube.ContainerRun(ready=False, started_at=POD_AT + 12, waiting=waiting)}
    p = kube.pod("pod-volume", NS, POD_AT + 10, m["spec"], node_name=node_name(1), node_ip=node_ip(1),
                 pod_ip="10.0.2.62", labels=m["metadata"].get("labels"), applied=m, runs=runs)
    # kube.pod keeps only the service account token volume; add the manifest's own
    p["spec"]["volumes"] = [{"name": v["name"], "secret": {"defaultMode": 420, **v["secret"]}}
                            for v in m["spec"]["volumes"]] + p["spec"]["volumes"]
    return p


def printenv(name, value=None, ran=True):
    command = ["printenv", name]
    if not ran:
        return access.exec_output(NS, "pod-variable", command, exit_code=1,
                                  stderr='Error from server (NotFound): pods "pod-variable" not found\n')
    if value is None:
        return access.exec_output(NS, "pod-variable", command, exit_code=1, stdout=digest(""))
    return access.exec_output(NS, "pod-variable", command, stdout=digest(value + "\n"))


def volume_outputs(ran=True):
    if not ran:
        err = 'Error from server (BadRequest): container "busybox" in pod "pod-volume" is waiting to start: ' \
              'ContainerCreating\n'
        return [access.exec_output(NS, "pod-volume", ["ls", "/etc/data"], exit_code=1, stderr=err),
                access.exec_output(NS, "pod-volume", ["test", "-s", "/etc/data/password"], exit_code=1, stderr=err)]
    return [access.exec_output(NS, "pod-volume", ["ls", "/etc/data"], stdout="password\nusername\n"),
            access.exec_output(NS, "pod-volume", ["test", "-s", "/etc/data/password"])]


def env_outputs(ran=True, values=True):
    return [printenv("DATABASE_USER", VALUES["username"] if values else None, ran),
            printenv("DATABASE_PASSWORD", VALUES["password"] if values else None, ran)]


SEALED_FILE = {"path": "sealed-secrets/sealed-secret.yaml", "kinds": ["SealedSecret"]}
LAB_FILES = [{"path": f"sealed-secrets/{f}", "kinds": k} for f, k in (
    ("README.md", []), ("octank-namespace.yaml", ["Namespace"]), ("pod-variable.yaml", ["Pod"]), ("pod-volume.yaml", ["Pod"]))]


def workspace_output(files=(SEALED_FILE,), plaintext=(), uncommitted=(), commits=9):
    """What `workspace: history` read: the lab's files (as the pass will commit them), the
    history, and every commit holding a plaintext Secret."""
    listed = sorted(LAB_FILES + list(files), key=lambda f: f["path"])
    history = [{"path": f["path"], "commit": "3f1c2a9b7d04"} for f in LAB_FILES] + \
        [{"path": p["path"], "commit": p["commit"]} for p in plaintext] + \
        [{"path": f["path"], "commit": "9a7e5c3b1d20"} for f in files if f not in LAB_FILES]
    return {"workspace": {}, "result": {
        "commits": commits, "files": listed, "history": history, "plaintextSecrets": list(plaintext),
        "uncommittedSecrets": list(uncommitted)}}


def snapshot(state, namespaces=(), secrets=(), pods=(), deployments=(), crds=(), sealed=(), outputs=()):
    access.snapshot(lab_dir(LAB), state, {
        "namespaces.json": access.system_namespaces() + list(namespaces), "nodes.json": workers(),
        "secrets.json": list(secrets), "pods.json": list(pods), "deployments.json": list(deployments),
        "customresourcedefinitions.json": list(crds), "sealedsecrets.json": list(sealed)}, outputs=list(outputs))


def generate():
    kube.clean_fixtures(lab_dir(LAB))
    octank = lambda klab=True: [kube.namespace_object(NS, SECRET_AT - 20, labels=KLAB if klab else None)]  # noqa

    # step secret
    begin_state()
    snapshot("secret--pass", octank(), [secret()])
    begin_state()
    snapshot("secret--fail-no-password-key", octank(), [secret(keys=("username",))])
    begin_state()
    snapshot("secret--fail-no-namespace", [], [])

    # step pod-variable
    begin_state()
    snapshot("pod-variable--pass", octank(), [secret()], [pod_variable()], outputs=env_outputs())
    begin_state()
    snapshot("pod-variable--fail-values-written-in-manifest", octank(), [secret()], [pod_variable(refs=False)],
             outputs=env_outputs())
    begin_state()
    # created before the Secret: the container never started, so nothing could be read
    snapshot("pod-variable--fail-secret-missing", octank(), [],
             [pod_variable(waiting=("CreateContainerConfigError", 'secret "database-credentials" not found'))],
             outputs=[access.exec_output(NS, "pod-variable", ["printenv", n], exit_code=1, stderr=(
                 'error: unable to upgrade connection: container not found ("busybox")\n'))
                 for n in ("DATABASE_USER", "DATABASE_PASSWORD")])

    # step pod-volume
    begin_state()
    snapshot("pod-volume--pass", octank(), [secret()], [pod_variable(), pod_volume()],
             outputs=env_outputs() + volume_outputs())
    begin_state()
    snapshot("pod-volume--fail-secret-missing", octank(), [],
             [pod_volume(waiting=("ContainerCreating", None))], outputs=volume_outputs(ran=False))
    begin_state()
    snapshot("pod-volume--fail-no-pod", octank(), [secret()], [pod_variable()],
             outputs=[access.exec_output(NS, "pod-volume", c, exit_code=1,
                                         stderr='Error from server (NotFound): pods "pod-volume" not found\n')
                      for c in (["ls", "/etc/data"], ["test", "-s", "/etc/data/password"])])

    # step controller
    pods_ok = [pod_variable(), pod_volume()]
    begin_state()
    d, cpods = controller()
    snapshot("controller--pass", octank(), [secret()], pods_ok + cpods, [d], [crd()])
    begin_state()
    d, cpods = controller(ready=False)
    snapshot("controller--fail-image-pull", octank(), [secret()], pods_ok + cpods, [d], [crd()])
    begin_state()
    snapshot("controller--fail-not-installed", octank(), [secret()], pods_ok)

    # step seal
    begin_state()
    d, cpods = controller()
    # a plaintext secret.yaml on disk that klab leaves uncommitted is fine
    snapshot("seal--pass", octank(), [secret(sealed=True)], pods_ok + cpods, [d], [crd()], [sealed_secret()],
             outputs=[workspace_output(uncommitted=["sealed-secrets/secret.yaml"])])
    begin_state()
    # the learner's own `git commit -a` took the plaintext secret.yaml into the history; removing
    # it later does not take it out
    snapshot("seal--fail-plaintext-secret-committed", octank(), [secret(sealed=True)], pods_ok + cpods, [d], [crd()],
             [sealed_secret()], outputs=[workspace_output(plaintext=[
                 {"path": "sealed-secrets/secret.yaml", "commit": "c4d2e8f6a1b3"}], commits=11)])
    begin_state()
    # sealed into the terminal (kubeseal without > file), so nothing to keep in git
    snapshot("seal--fail-sealed-secret-not-saved", octank(), [secret(sealed=True)], pods_ok + cpods, [d], [crd()],
             [sealed_secret()], outputs=[workspace_output(files=())])
    begin_state()
    snapshot("seal--fail-sealed-for-another-controller", octank(), [], pods_ok + cpods, [d], [crd()],
             [sealed_secret(synced=False)], outputs=[workspace_output()])
    begin_state()
    # the SealedSecret was applied, but the hand-made Secret still stands: the controller
    # does not take over a Secret it does not own
    snapshot("seal--fail-old-secret-kept", octank(), [secret()], pods_ok + cpods, [d], [crd()],
             [sealed_secret(synced=False)], outputs=[workspace_output()])

    # completion: by hand (kubectl's own output, base64 data, no klab labels) in complete
    begin_state()
    d, cpods = controller()
    snapshot("complete", octank(False), [secret(sealed=True, as_evidence=False)],
             [pod_variable(False), pod_volume(False)] + cpods, [d], [crd()], [sealed_secret()],
             outputs=env_outputs() + volume_outputs())
    begin_state()
    snapshot("complete--fail-not-sealed", octank(), [secret()], pods_ok + cpods, [d], [crd()], [],
             outputs=env_outputs() + volume_outputs())
    begin_state()
    snapshot("complete--fail-unseal-failed", octank(), [], pods_ok + cpods, [d], [crd()],
             [sealed_secret(synced=False)], outputs=env_outputs() + volume_outputs())
    begin_state()
    snapshot("complete--fail-no-controller", octank(), [secret(sealed=True)], pods_ok, [], [crd()],
             [sealed_secret(synced=False)], outputs=env_outputs() + volume_outputs())
    begin_state()
    snapshot("complete--fail-pod-variable-gone", octank(), [secret(sealed=True)], [pod_volume()] + cpods, [d],
             [crd()], [sealed_secret()], outputs=env_outputs(ran=False) + volume_outputs())
