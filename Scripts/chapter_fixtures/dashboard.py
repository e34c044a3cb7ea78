"""Snapshots of the dashboard lab: the v2.7 manifest in kubernetes-dashboard, the eks-admin
service account bound to cluster-admin, a token's rights, and the UI through kubectl proxy."""

import json

import kube
from common import begin_state, lab_dir, place, workers
from kube import ContainerRun

LAB = "dashboard"
NS = "kubernetes-dashboard"
INSTALL_AT = 100
ADMIN_AT = 400
DASH_HASH = "6c7ccbcf87"
SCRAPER_HASH = "5657497c4c"
PROXY_URL = f"http://127.0.0.1:8080/api/v1/namespaces/{NS}/services/https:kubernetes-dashboard:/proxy/"
KLAB_LABELS = {"klab.dev/lab": "dashboard", "klab.dev/learner": "ana"}
CAN_I = ["kubectl", "auth", "can-i", "*", "*", "--all-namespaces", "--as=system:serviceaccount:kube-system:eks-admin"]

for image in ("kubernetesui/dashboard:v2.7.0", "kubernetesui/metrics-scraper:v1.0.8",
              "docker.io/kubernetesui/dashboard-web:1.6.0", "docker.io/kubernetesui/dashboard-api:1.10.1",
              "docker.io/kubernetesui/dashboard-auth:1.2.2", "docker.io/kubernetesui/dashboard-metrics-scraper:1.2.1",
              "kong:3.6"):
    ref = image if "/" in image and image.startswith("docker.io") else "docker.io/" + (
        image if "/" in image else "library/" + image)
    kube.IMAGE_DIGESTS[image] = (ref, ref.split(":")[0] + "@sha256:")


def upstream_deployment(name, image, port, args=None, probe_scheme="HTTPS", volumes=True):
    labels = {"k8s-app": name}
    c = {"name": name, "image": image, "imagePullPolicy": "Always" if "dashboard:" in image else "IfNotPresent",
         "ports": [{"containerPort": port, "protocol": "TCP"}],
         "livenessProbe": {"httpGet": {"path": "/", "port": port, "scheme": probe_scheme},
                           "initialDelaySeconds": 30, "timeoutSeconds": 30},
         "securityContext": {"allowPrivilegeEscalation": False, "readOnlyRootFilesystem": True,
                             "runAsGroup": 2001, "runAsUser": 1001}}
    if args:
        c["args"] = args
    c["volumeMounts"] = [{"mountPath": "/certs", "name": "kubernetes-dashboard-certs"},
                         {"mountPath": "/tmp", "name": "tmp-volume"}] if volumes else [
        {"mountPath": "/tmp", "name": "tmp-volume"}]
    spec = {"containers": [c], "nodeSelector": {"kubernetes.io/os": "linux"},
            "securityContext": {"seccompProfile": {"type": "RuntimeDefault"}},
            "serviceAccountName": "kubernetes-dashboard",
            "tolerations": [{"effect": "NoSchedule", "key": "node-role.kubernetes.io/master"}],
            "volumes": ([{"name": "kubernetes-dashboard-certs",
                          "secret": {"defaultMode": 420, "secretName": "kubernetes-dashboard-certs"}}]
                        if volumes else []) + [{"emptyDir": {}, "name": "tmp-volume"}]}
    return {"apiVersion": "apps/v1", "kind": "Deployment",
            "metadata": {"labels": labels, "name": name, "namespace": NS},
            "spec": {"replicas": 1, "revisionHistoryLimit": 10, "selector": {"matchLabels": labels},
                     "template": {"metadata": {"labels": labels}, "spec": spec}}}


def dashboard(crash=False):
    """The two Deployments, their pods and Services of the v2.7.0 manifest."""
    out_d, out_p, out_s = [], [], []
    parts = [("kubernetes-dashboard", "kubernetesui/dashboard:v2.7.0", 8443, DASH_HASH, 443,
              ["--auto-generate-certificates", f"--namespace={NS}"], "HTTPS", True),
             ("dashboard-metrics-scraper", "kubernetesui/metrics-scraper:v1.0.8", 8000, SCRAPER_HASH, 8000,
              None, "HTTP", False)]
    for i, (name, image, port, rs_hash, svc_port, args, scheme, vols) in enumerate(parts):
        m = upstream_deployment(name, image, port, args, scheme, vols)
        runs = None
        ready = 1
        if crash and name == "kubernetes-dashboard":
            runs = {0: {name: ContainerRun(
                ready=False, restarts=5, started_at=INSTALL_AT + 300, last_terminated=(
                    2, "Error", INSTALL_AT + 290, INSTALL_AT + 292),
                waiting=("CrashLoopBackOff", f"back-off 2m40s restarting failed container={name} "
                                             f"pod={name}-{rs_hash}-{kube.suffix(f'{name}-{rs_hash}', '0')}"))}}
            ready = 0
        d = kube.deployment(m, INSTALL_AT, (1, 1, ready, ready), rs_hash, unavailable_since=INSTALL_AT)
        out_d.append(d)
        out_p += kube.deployment_pods(m, INSTALL_AT, rs_hash, [place(i + 1, f"10.0.{i + 2}.{88 + i}")], runs=runs)
        svc = {"apiVersion": "v1", "kind": "Service",
               "metadata": {"labels": {"k8s-app": name}, "name": name, "namespace": NS},
               "spec": {"ports": [{"port": svc_port, "targetPort": port}], "selector": {"k8s-app": name}}}
        out_s.append(kube.service(svc, INSTALL_AT, f"172.20.{31 + i * 90}.{140 + i}"))
    return out_d, out_p, out_s


def helm_v7():
    """What the v7 Helm chart installs instead: other names, Kong in front."""
    out_d, out_p, out_s = [], [], []
    parts = [("kubernetes-dashboard-api", "docker.io/kubernetesui/dashboard-api:1.10.1", 8000),
             ("kubernetes-dashboard-auth", "docker.io/kubernetesui/dashboard-auth:1.2.2", 8000),
             ("kubernetes-dashboard-kong", "kong:3.6", 8443),
             ("kubernetes-dashboard-metrics-scraper", "docker.io/kubernetesui/dashboard-metrics-scraper:1.2.1", 8000),
             ("kubernetes-dashboard-web", "docker.io/kubernetesui/dashboard-web:1.6.0", 8000)]
    for i, (name, image, port) in enumerate(parts):
        labels = {"app.kubernetes.io/instance": "kubernetes-dashboard", "app.kubernetes.io/managed-by": "Helm",
                  "app.kubernetes.io/name": name, "app.kubernetes.io/part-of": "kubernetes-dashboard",
                  "helm.sh/chart": "kubernetes-dashboard-7.10.0"}
        sel = {"app.kubernetes.io/instance": "kubernetes-dashboard", "app.kubernetes.io/name": name}
        m = {"apiVersion": "apps/v1", "kind": "Deployment",
             "metadata": {"labels": labels, "name": name, "namespace": NS},
             "spec": {"replicas": 1, "selector": {"matchLabels": sel}, "template": {
                 "metadata": {"labels": labels},
                 "spec": {"containers": [{"name": name.replace("kubernetes-dashboard-", ""), "image": image,
                                          "ports": [{"containerPort": port, "name": "http"}]}]}}}}
        rs = kube.pod_hash("v7", name)
        d = kube.deployment(m, INSTALL_AT, (1, 1, 1, 1), rs)
        del d["metadata"]["annotations"]["kubectl.kubernetes.io/last-applied-configuration"]
        d["metadata"]["annotations"].update({"meta.helm.sh/release-name": "kubernetes-dashboard",
                                             "meta.helm.sh/release-namespace": NS})
        out_d.append(d)
        out_p += kube.deployment_pods(m, INSTALL_AT, rs, [place(i % 3, f"10.0.{i % 3 + 1}.{150 + i}")])
        svc = {"apiVersion": "v1", "kind": "Service",
               "metadata": {"labels": labels, "name": name + ("-proxy" if "kong" in name else ""), "namespace": NS},
               "spec": {"ports": [{"port": 443 if "kong" in name else port, "targetPort": port}], "selector": sel}}
        out_s.append(kube.service(svc, INSTALL_AT, f"172.20.{60 + i}.{17 + i}"))
    return out_d, out_p, out_s


def service_account(name, namespace, created, klab=True):
    meta = {"creationTimestamp": kube.ts(created), "name": name, "namespace": namespace,
            "resourceVersion": kube.RV.next(), "uid": kube.uid("serviceaccount", namespace, name)}
    if klab:
        meta["annotations"] = {"kubectl.kubernetes.io/last-applied-configuration": kube.last_applied(
            {"apiVersion": "v1", "kind": "ServiceAccount",
             "metadata": {"labels": KLAB_LABELS, "name": name, "namespace": namespace}})}
        meta["labels"] = dict(KLAB_LABELS)
    return {"apiVersion": "v1", "kind": "ServiceAccount", "metadata": dict(sorted(meta.items()))}


def system_service_accounts():
    return [service_account(n, "kube-system", -3 * 86400, klab=False)
            for n in ("aws-node", "coredns", "default", "kube-proxy")] + [
        service_account(n, NS, INSTALL_AT, klab=False) for n in ("default", "kubernetes-dashboard")]


def binding(name, role, subject_ns="kube-system", subject="eks-admin", klab=True, at=ADMIN_AT):
    obj = {"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "ClusterRoleBinding",
           "metadata": {"creationTimestamp": kube.ts(at), "name": name, "resourceVersion": kube.RV.next(),
                        "uid": kube.uid("clusterrolebinding", name)},
           "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": "ClusterRole", "name": role},
           "subjects": [{"kind": "ServiceAccount", "name": subject, "namespace": subject_ns}]}
    if klab:
        obj["metadata"]["labels"] = dict(KLAB_LABELS)
        obj["metadata"]["annotations"] = {"kubectl.kubernetes.io/last-applied-configuration": kube.last_applied(
            {k: v for k, v in obj.items() if k != "metadata"} | {"metadata": {"labels": KLAB_LABELS, "name": name}})}
        obj["metadata"] = dict(sorted(obj["metadata"].items()))
    return obj


def system_bindings():
    return [binding("kubernetes-dashboard", "kubernetes-dashboard", NS, "kubernetes-dashboard", False, INSTALL_AT),
            binding("eks:addon-manager", "eks:addon-manager", "kube-system", "eks:addon-manager", False, -3 * 86400),
            binding("system:coredns", "system:coredns", "kube-system", "coredns", False, -3 * 86400)]


def can_i(allowed):
    if allowed:
        return {"command": CAN_I, "result": {"exitCode": 0, "stdout": "yes\n", "stderr": ""}}
    return {"command": CAN_I, "result": {"exitCode": 1, "stdout": "no\n", "stderr": ""}}


def http_output(kind="ok"):
    if kind == "ok":
        body = ('<!--\nCopyright 2017 The Kubernetes Authors.\n\nLicensed under the Apache License, Version 2.0 '
                '(the "License");\n-->\n\n<!doctype html>\n<html lang="en">\n\n<head>\n  <meta charset="utf-8">\n'
                '  <title>Kubernetes Dashboard</title>\n  <link rel="icon" type="image/png" '
                'href="assets/images/kubernetes-logo.png" />\n  <meta name="viewport" '
                'content="width=device-width">\n<link rel="stylesheet" href="styles.243e6d874431c8e8.css"></head>\n\n'
                '<body>\n  <kd-root></kd-root>\n<script src="runtime.4e7ea1a3a8a7ee5c.js" type="module"></script>'
                '</body>\n\n</html>\n')
        return {"http": {"url": PROXY_URL}, "result": {"status": 200, "body": body}}
    if kind == "refused":
        return {"http": {"url": PROXY_URL}, "result": {
            "status": 0, "body": "", "error": "Could not connect to the server. (connection refused)"}}
    body = json.dumps({"kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Failure",
                       "message": 'no endpoints available for service "https:kubernetes-dashboard:"',
                       "reason": "ServiceUnavailable", "code": 503}, indent=2)
    return {"http": {"url": PROXY_URL}, "result": {"status": 503, "body": body}}


def namespaces(installed=True):
    names = ["default", "kube-node-lease", "kube-public", "kube-system"]
    out = [kube.namespace_object(n, -3 * 86400 - 100) for n in names]
    if installed:
        out.append(kube.namespace_object(NS, INSTALL_AT))
    return out


def snapshot(state, install="v2", crash=False, sa=True, role="cluster-admin", subject_ns="kube-system",
             klab=True, allowed=None, http="ok"):
    begin_state()
    if install == "v2":
        deps, pods, svcs = dashboard(crash)
    elif install == "v7":
        deps, pods, svcs = helm_v7()
    else:
        deps, pods, svcs = [], [], []
    accounts = system_service_accounts() if install else []
    bindings = system_bindings()
    if sa:
        accounts.append(service_account("eks-admin", "kube-system", ADMIN_AT, klab))
    if role:
        bindings.append(binding("eks-admin", role, subject_ns, klab=klab))
    if allowed is None:
        allowed = role == "cluster-admin" and subject_ns == "kube-system"
    kube.write_snapshot(lab_dir(LAB), state, {
        "namespaces.json": namespaces(install is not None),
        "nodes.json": workers(),
        "deployments.json": deps,
        "pods.json": pods,
        "services.json": svcs,
        "serviceaccounts.json": accounts,
        "clusterrolebindings.json": bindings,
    }, outputs={"can-i.json": can_i(allowed), "http-proxy.json": http_output(http)})


def generate():
    kube.clean_fixtures(lab_dir(LAB))

    snapshot("install--pass", sa=False, role=None, http="refused")
    snapshot("install--fail-helm-chart-v7", install="v7", sa=False, role=None, http="refused")
    snapshot("install--fail-dashboard-crash-looping", crash=True, sa=False, role=None, http="refused")
    snapshot("install--fail-not-applied", install=None, sa=False, role=None, http="refused")

    snapshot("eks-admin--pass", http="refused")
    snapshot("eks-admin--fail-bound-to-view", role="view", http="refused")
    snapshot("eks-admin--fail-subject-in-dashboard-namespace", subject_ns=NS, http="refused")
    snapshot("eks-admin--fail-only-the-binding", sa=False, http="refused")

    snapshot("token--pass", http="refused")
    snapshot("token--fail-not-admin", role="view", http="refused")
    snapshot("token--fail-no-service-account", sa=False, http="refused")

    snapshot("proxy--pass")
    snapshot("proxy--fail-proxy-not-running", http="refused")
    snapshot("proxy--fail-dashboard-not-ready", crash=True, http="unavailable")

    # completion: applied by hand, without klab's labels
    snapshot("complete", klab=False)
    snapshot("complete--fail-helm-chart-v7", install="v7", http="refused")
    snapshot("complete--fail-bound-to-view", role="view")
    snapshot("complete--fail-no-service-account", sa=False)
    snapshot("complete--fail-proxy-not-running", http="refused")
