"""Snapshots of the spot-ocean lab: the ConfigMap spotinst-kubernetes-cluster-controller-config
and the Ocean controller as its Helm chart (1.0.96) installs it in kube-system. The Secret
spotinst-kubernetes-cluster-controller is in no snapshot: no check reads it; the controller
pod answers whether it got a token and an account (recorded exec output, no values)."""

import copy

import kube
from aws_outputs import exec_output
from common import begin_state, lab_dir, manifest, place, workers
from kube import ContainerRun, event

LAB = "spot-ocean"
NS = "kube-system"
NAME = "spotinst-kubernetes-cluster-controller"
IMAGE = "gcr.io/spotinst-artifacts/kubernetes-cluster-controller:1.0.79"
KLAB_LABELS = {"klab.dev/lab": LAB, "klab.dev/learner": "ana"}
CONFIG_AT = -600
CONTROLLER_AT = 0
RS_HASH = "84d9c7b6f5"
PROBE = ['sh', '-c', 'test -n "$SPOTINST_TOKEN" || { echo "SPOTINST_TOKEN is empty: the Secret or its key token '
         'is missing" >&2; exit 1; }; test -n "$SPOTINST_ACCOUNT" || { echo "SPOTINST_ACCOUNT is empty: the Secret '
         'or its key account is missing" >&2; exit 1; }; echo token and account present']

kube.IMAGE_DIGESTS[IMAGE] = (IMAGE, IMAGE.split(":")[0] + "@sha256:")


def config_map(klab=True, identifier="eksworkshop-ocean", legacy=False):
    m = manifest(LAB, "controller-config.yaml")
    m["data"]["spotinst.cluster-identifier"] = identifier
    if legacy:
        m["data"]["spotinst.token"] = "<redacted in this fixture>"
        m["data"]["spotinst.account"] = "act-1a2b3c4d"
    if klab:
        m["metadata"]["labels"] = dict(KLAB_LABELS)
    meta = {"annotations": {"kubectl.kubernetes.io/last-applied-configuration": kube.last_applied(m)},
            "creationTimestamp": kube.ts(CONFIG_AT)}
    if klab:
        meta["labels"] = dict(KLAB_LABELS)
    meta.update({"name": m["metadata"]["name"], "namespace": NS, "resourceVersion": kube.RV.next(),
                 "uid": kube.uid("configmap", NS, m["metadata"]["name"])})
    return {"apiVersion": "v1", "data": m["data"], "kind": "ConfigMap", "metadata": meta}


def env(secret=NAME, config=f"{NAME}-config"):
    def secret_ref(n, key):
        return {"name": n, "valueFrom": {"secretKeyRef": {"key": key, "name": secret, "optional": True}}}

    def config_ref(n, key, optional=True):
        ref = {"key": key, "name": config}
        if optional:
            ref["optional"] = True
        return {"name": n, "valueFrom": {"configMapKeyRef": ref}}
    return [secret_ref("SPOTINST_TOKEN", "token"), secret_ref("SPOTINST_ACCOUNT", "account"),
            config_ref("SPOTINST_TOKEN_LEGACY", "spotinst.token"),
            config_ref("SPOTINST_ACCOUNT_LEGACY", "spotinst.account"),
            config_ref("CLUSTER_IDENTIFIER", "spotinst.cluster-identifier", optional=False),
            config_ref("BASE_SPOTINST_URL", "base-url"), config_ref("PROXY_URL", "proxy-url"),
            config_ref("DISABLE_AUTO_UPDATE", "disable-auto-update"),
            config_ref("ENABLE_CSR_APPROVAL", "enable-csr-approval"),
            {"name": "USER_ENV_CERTIFICATES", "valueFrom": {"secretKeyRef": {
                "key": "userEnvCertificates.pem", "name": NAME, "optional": True}}},
            {"name": "POD_ID", "valueFrom": {"fieldRef": {"apiVersion": "v1", "fieldPath": "metadata.uid"}}},
            {"name": "POD_NAME", "valueFrom": {"fieldRef": {"apiVersion": "v1", "fieldPath": "metadata.name"}}},
            {"name": "POD_NAMESPACE", "valueFrom": {"fieldRef": {"apiVersion": "v1",
                                                                  "fieldPath": "metadata.namespace"}}}]


def controller(ready=True, restarts=0, secret=NAME):
    labels = {"k8s-app": NAME}
    common = {"app.kubernetes.io/instance": NAME, "app.kubernetes.io/managed-by": "Helm",
              "app.kubernetes.io/name": "ocean-controller", "app.kubernetes.io/version": "1.0.79",
              "helm.sh/chart": f"{NAME}-1.0.96"}
    probe = {"httpGet": {"path": "/healthcheck", "port": 4401}, "periodSeconds": 20, "timeoutSeconds": 2,
             "successThreshold": 1, "failureThreshold": 3}
    m = {"apiVersion": "apps/v1", "kind": "Deployment",
         "metadata": {"name": NAME, "namespace": NS, "labels": {**common, **labels}},
         "spec": {"replicas": 1, "selector": {"matchLabels": labels}, "template": {
             "metadata": {"labels": labels},
             "spec": {"containers": [{"name": NAME, "image": IMAGE, "imagePullPolicy": "Always", "env": env(secret),
                                      "livenessProbe": {**probe, "initialDelaySeconds": 300},
                                      "readinessProbe": {**probe, "initialDelaySeconds": 20}}],
                      "dnsPolicy": "Default", "priorityClassName": "system-cluster-critical",
                      "serviceAccountName": NAME,
                      "tolerations": [{"effect": "NoExecute", "key": "node.kubernetes.io/not-ready",
                                       "operator": "Exists", "tolerationSeconds": 150},
                                      {"effect": "NoExecute", "key": "node.kubernetes.io/unreachable",
                                       "operator": "Exists", "tolerationSeconds": 150}]}}}}
    n = 1 if ready else 0
    d = kube.deployment(m, CONTROLLER_AT, (1, 1, n, n), RS_HASH, unavailable_since=CONTROLLER_AT)
    del d["metadata"]["annotations"]["kubectl.kubernetes.io/last-applied-configuration"]
    d["metadata"]["annotations"].update({"meta.helm.sh/release-name": NAME, "meta.helm.sh/release-namespace": NS})
    if ready:
        run = ContainerRun(restarts=restarts, started_at=CONTROLLER_AT + 30 + 300 * restarts,
                           last_terminated=(1, "Error", CONTROLLER_AT + 20, CONTROLLER_AT + 300 * restarts)
                           if restarts else None)
    else:
        run = ContainerRun(ready=False, restarts=restarts, started_at=CONTROLLER_AT + 30 + 300 * restarts,
                           last_terminated=(1, "Error", CONTROLLER_AT + 20, CONTROLLER_AT + 300 * restarts)
                           if restarts else None,
                           waiting=("CrashLoopBackOff", f"back-off 5m0s restarting failed container={NAME}")
                           if restarts else None)
    pods = kube.deployment_pods(m, CONTROLLER_AT, RS_HASH, [place(1, "10.0.2.201")], runs={0: {NAME: run}})
    for p in pods:
        p["spec"]["priority"] = 2000000000
    events = [event(NS, d, "ScalingReplicaSet", f"Scaled up replica set {NAME}-{RS_HASH} from 0 to 1", CONTROLLER_AT,
                    "deployment-controller")]
    return d, pods, events


def probe_output(pod, missing=None):
    if missing:
        key = "token" if missing == "SPOTINST_TOKEN" else "account"
        return exec_output(NS, pod, PROBE, exit_code=1,
                           stderr=f"{missing} is empty: the Secret or its key {key} is missing\n")
    return exec_output(NS, pod, PROBE, stdout="token and account present\n")


def snapshot(state, cms, deployments, pods, events, outputs=()):
    files = {"namespaces.json": [kube.namespace_object(n, -3 * 86400 - 100) for n in
                                 ("default", "kube-node-lease", "kube-public", "kube-system")],
             "nodes.json": workers(), "configmaps.json": cms, "deployments.json": deployments, "pods.json": pods,
             "events.json": events}
    kube.write_snapshot(lab_dir(LAB), state, files,
                        outputs={f"{i:02d}-{name}.json": o for i, (name, o) in enumerate(outputs)} or None)


def state(name, cm_kw=None, no_cm=False, controller_kw=None, no_controller=False, missing=None):
    begin_state()
    cms = [] if no_cm else [config_map(**(cm_kw or {}))]
    deployments, pods, events, outputs = [], [], [], []
    if not no_controller:
        d, pods, events = controller(**(controller_kw or {}))
        deployments = [d]
        outputs = [("exec-credentials", probe_output(pods[0]["metadata"]["name"], missing))]
    snapshot(name, cms, deployments, pods, events, outputs)


def generate():
    kube.clean_fixtures(lab_dir(LAB))

    # step credentials-and-config
    state("credentials-and-config--pass", no_controller=True)
    state("credentials-and-config--fail-token-in-configmap", cm_kw={"legacy": True}, no_controller=True)
    state("credentials-and-config--fail-placeholder-identifier", cm_kw={"identifier": "<IDENTIFIER>"}, no_controller=True)
    state("credentials-and-config--fail-no-configmap", no_cm=True, no_controller=True)

    # step controller
    state("controller--pass")
    state("controller--fail-not-installed", no_controller=True)
    state("controller--fail-secret-missing", missing="SPOTINST_TOKEN")
    state("controller--fail-crash-looping", controller_kw={"ready": False, "restarts": 4})
    state("controller--fail-other-secret-name", controller_kw={"secret": "spot-controller"},
          missing="SPOTINST_TOKEN")

    # completion
    state("complete", cm_kw={"klab": False, "identifier": "o-5e2c7a91"})
    state("complete--fail-no-controller", no_controller=True)
    state("complete--fail-secret-missing", missing="SPOTINST_TOKEN")
    state("complete--fail-empty-identifier", cm_kw={"identifier": ""})
    state("complete--fail-controller-not-ready", controller_kw={"ready": False, "restarts": 4})
