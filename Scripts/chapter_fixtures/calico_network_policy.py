"""Snapshots of the calico-network-policy lab: calico-node on every EC2 node (calico-system,
as the Tigera operator installs it, or kube-system, as the workshop's manifest did), the stars
demo (management-ui, backend, frontend, client) and the policies of steps 40-60."""

import copy

import access
import kube
from common import begin_state, lab_dir, node_ip, node_name, place, workers

LAB = "calico-network-policy"
KLAB = {"klab.dev/lab": LAB, "klab.dev/learner": "ana"}
CALICO_AT = -7200
NS_AT = 100
UI_AT = 200
APPS_AT = 300
CLIENT_AT = 400
DENY_AT = 600
ALLOW_UI_AT = 700
ALLOW_AT = 800
HASHES = {"management-ui": "6f8d7c9b54", "backend": "5b7c9d8f46", "frontend": "7d9b5c8f64", "client": "8c6d9f7b45"}
MANIFESTS = {"management-ui": "10-management-ui.yaml", "backend": "20-backend.yaml", "frontend": "20-frontend.yaml",
             "client": "30-client.yaml"}
NAMESPACE_OF = {"management-ui": "management-ui", "backend": "stars", "frontend": "stars", "client": "client"}
POD_IPS = {"management-ui": place(0, "10.0.1.140"), "backend": place(1, "10.0.2.141"),
           "frontend": place(2, "10.0.3.142"), "client": place(0, "10.0.1.143")}
CLUSTER_IPS = {"management-ui": "172.20.40.11", "backend": "172.20.40.12", "frontend": "172.20.40.13",
               "client": "172.20.40.14"}


def documents(file_name):
    """The documents of one of the lab's manifests (several per file)."""
    import os
    import re
    import yaml
    from common import lab_dir as folder
    with open(os.path.join(folder(LAB), "manifests", file_name)) as f:
        text = f.read()
    text = re.sub(r"\{\{\s*namespace\s*\}\}", "stars", text)
    return [d for d in yaml.safe_load_all(text) if d]


def find(file_name, kind, namespace=None):
    for d in documents(file_name):
        if d["kind"] == kind and (namespace is None or d["metadata"].get("namespace") == namespace):
            return copy.deepcopy(d)
    raise KeyError((file_name, kind, namespace))


def calico(namespace="calico-system", unready=()):
    labels = {"k8s-app": "calico-node"}
    template = {"metadata": {"labels": dict(labels)}, "spec": {
        "containers": [{"name": "calico-node", "image": "docker.io/calico/node:v3.29.3",
                        "env": [{"name": "CALICO_NETWORKING_BACKEND", "value": "none"},
                                {"name": "FELIX_IPTABLESBACKEND", "value": "auto"}],
                        "securityContext": {"privileged": True}}],
        "hostNetwork": True, "nodeSelector": {"kubernetes.io/os": "linux"},
        "priorityClassName": "system-node-critical", "serviceAccountName": "calico-node",
        "tolerations": [{"effect": "NoSchedule", "operator": "Exists"},
                        {"key": "CriticalAddonsOnly", "operator": "Exists"},
                        {"effect": "NoExecute", "operator": "Exists"}]}}
    placements = [(node_name(i), node_ip(i), node_ip(i)) for i in range(3)]
    return access.daemonset("calico-node", namespace, CALICO_AT, labels, template, placements,
                            labels={"k8s-app": "calico-node"}, unready=unready)


def namespace(name, labels=None, klab=True, phase="Active"):
    return kube.namespace_object(name, NS_AT, labels={**(labels or {}), **(KLAB if klab else {})} or None,
                                 phase=phase)


def app(name, klab=True, ready=True, template_label=None, waiting=None):
    """Deployment, its pod and its Service for one of the demo's apps."""
    file_name = MANIFESTS[name]
    ns = NAMESPACE_OF[name]
    m = find(file_name, "Deployment")
    if template_label:
        m["spec"]["template"]["metadata"]["labels"]["role"] = template_label
        m["spec"]["selector"]["matchLabels"]["role"] = template_label
    if klab:
        m["metadata"]["labels"] = {**m["metadata"].get("labels", {}), **KLAB}
        m["spec"]["template"]["metadata"]["labels"].update(KLAB)
    created = {"management-ui": UI_AT, "client": CLIENT_AT}.get(name, APPS_AT)
    runs = None
    if not ready:
        runs = {0: {name: kube.ContainerRun(ready=False, started_at=created + 3, waiting=waiting or (
            "ImagePullBackOff", f'Back-off pulling image "{m["spec"]["template"]["spec"]["containers"][0]["image"]}"'))}}
    d = kube.deployment(m, created, (1, 1, 1, 1) if ready else (1, 1, 0, 0), HASHES[name])
    pods = kube.deployment_pods(m, created, HASHES[name], [POD_IPS[name]], runs=runs)
    s = find(file_name, "Service")
    if klab:
        s["metadata"]["labels"] = dict(KLAB)
    if "type" in s["spec"]:
        svc = kube.service(s, created, CLUSTER_IPS[name], node_port=31942)
        svc["status"] = {"loadBalancer": {"ingress": [{"hostname": "a5c1e7b9d3f2-1187362954.us-west-2.elb.amazonaws.com"}]}}
    else:
        svc = kube.service(s, created, CLUSTER_IPS[name])
    return d, pods, svc


def policy(file_name, namespace, klab=True, change=None):
    m = find(file_name, "NetworkPolicy", namespace)
    if change:
        change(m)
    if klab:
        m["metadata"]["labels"] = dict(KLAB)
    at = {"40-default-deny.yaml": DENY_AT, "50-allow-ui.yaml": ALLOW_UI_AT}.get(file_name, ALLOW_AT)
    spec = copy.deepcopy(m["spec"])
    # what the API server returns: an empty matchLabels is dropped, policyTypes defaulted
    if spec.get("podSelector", {}).get("matchLabels") == {}:
        spec["podSelector"] = {}
    for rule in spec.get("ingress", []):
        for peer in rule.get("from", []):
            for key in ("podSelector", "namespaceSelector"):
                if peer.get(key, {}).get("matchLabels") == {}:
                    peer[key] = {}
    spec["policyTypes"] = ["Ingress"]
    return {"apiVersion": "networking.k8s.io/v1", "kind": "NetworkPolicy",
            "metadata": access.meta("networkpolicy", m["metadata"]["name"], namespace, at,
                                    labels=m["metadata"].get("labels"), applied=m, generation=1),
            "spec": spec}


# The probes the checks run (labs/calico-network-policy/lab.yaml): from where, with which
# labels, to which app of stars and port.
PROBES = {
    "client-frontend": ("client", None, "frontend", 80),
    "client-backend": ("client", None, "backend", 6379),
    "frontend-backend": ("stars", {"role": "frontend"}, "backend", 6379),
    "ui-frontend": ("management-ui", None, "frontend", 80),
}


def url(app, port):
    return f"http://{app}.stars/" if port == 80 else f"http://{app}.stars:{port}/"


def wget(app, port):
    return ["wget", "-S", "-T", "2", "-O", "/dev/null", url(app, port)]


def selects(selector, labels):
    """A label selector's matchLabels (all the lab's policies use) against labels; {} selects all."""
    return all(labels.get(k) == v for k, v in (selector or {}).get("matchLabels", {}).items())


class State:
    def __init__(self, klab=True, calico_ns="calico-system", calico_unready=()):
        self.klab = klab
        self.namespaces = access.system_namespaces("calico-system", "tigera-operator")
        self.daemonsets, self.pods, self.deployments, self.services, self.policies = [], [], [], [], []
        self.outputs = []
        if calico_ns:
            ds, pods = calico(calico_ns, calico_unready)
            self.daemonsets.append(ds)
            self.pods += pods

    def add_namespace(self, name, labels=None, phase="Active"):
        self.namespaces.append(namespace(name, labels, self.klab, phase))
        return self

    def add_app(self, name, **options):
        d, pods, svc = app(name, self.klab, **options)
        self.deployments.append(d)
        self.pods += pods
        self.services.append(svc)
        return self

    def add_policy(self, file_name, namespace, change=None):
        self.policies.append(policy(file_name, namespace, self.klab, change))
        return self

    def demo(self, ui_label=True, client_label=True, skip=()):
        self.add_namespace("stars")
        self.add_namespace("management-ui", {"role": "management-ui"} if ui_label else None)
        for name in ("management-ui", "backend", "frontend"):
            if name not in skip:
                self.add_app(name)
        self.add_namespace("client", {"role": "client"} if client_label else None)
        if "client" not in skip:
            self.add_app("client")
        return self

    def deny(self, namespaces=("stars", "client")):
        for ns in namespaces:
            self.add_policy("40-default-deny.yaml", ns)
        return self

    def allow_ui(self, change=None):
        self.add_policy("50-allow-ui.yaml", "stars", change)
        self.add_policy("50-allow-ui.yaml", "client", change)
        return self

    def allow_client(self, backend_change=None, frontend_change=None, skip=()):
        if "backend" not in skip:
            self.add_policy("60-backend-policy.yaml", "stars", backend_change)
        if "frontend" not in skip:
            self.add_policy("60-frontend-policy.yaml", "stars", frontend_change)
        return self

    def namespace_labels(self, name):
        for n in self.namespaces:
            if n["metadata"]["name"] == name:
                return n["metadata"].get("labels") or {}
        return {}

    def reaches(self, source_ns, source_labels, app, port):
        """Whether the policies let a pod of source_ns with source_labels into app's pod on port."""
        target = {"role": app}
        selecting = [p for p in self.policies
                     if p["metadata"]["namespace"] == "stars" and selects(p["spec"].get("podSelector"), target)]
        if not selecting:
            return True
        for p in selecting:
            for rule in p["spec"].get("ingress", []):
                ports = [q.get("port") for q in rule.get("ports", [])]
                if ports and port not in ports:
                    continue
                peers = rule.get("from")
                if not peers:
                    return True
                for peer in peers:
                    if "namespaceSelector" in peer:
                        if selects(peer["namespaceSelector"], self.namespace_labels(source_ns)) and \
                                selects(peer.get("podSelector"), source_labels or {}):
                            return True
                    elif "podSelector" in peer and source_ns == "stars" and selects(peer["podSelector"], source_labels or {}):
                        return True
        return False

    def probe(self, key, error=None):
        """The recorded run of one of PROBES in this state (or one that could not run)."""
        namespace, labels, app, port = PROBES[key]
        command = wget(app, port)
        if error:
            return access.probe_output(namespace, command, labels=labels, error=error)
        host = f"{app}.stars"
        if not any(d["metadata"]["name"] == app for d in self.deployments):
            return access.probe_output(namespace, command, labels=labels, exit_code=1, stdout=f"wget: bad address '{host}'\n")
        connecting = f"Connecting to {host} ({CLUSTER_IPS[app]}:{port})\n"
        if self.reaches(namespace, labels, app, port):
            return access.probe_output(namespace, command, labels=labels, stdout=connecting + (
                "  HTTP/1.1 200 OK\n  Content-Type: text/plain; charset=utf-8\n  Content-Length: 2\n  Connection: close\n  \n"
                "saving to '/dev/null'\n'/dev/null' saved\n"))
        return access.probe_output(namespace, command, labels=labels, exit_code=1, stdout=connecting + "wget: download timed out\n")

    def probes(self, *keys, not_run=None):
        """Records the probes a step's checks run; `not_run` maps a probe to why it could not run."""
        for key in keys:
            self.outputs.append(self.probe(key, (not_run or {}).get(key)))
        return self

    def write(self, name):
        access.snapshot(lab_dir(LAB), name, {
            "nodes.json": workers(), "namespaces.json": self.namespaces, "daemonsets.json": self.daemonsets,
            "pods.json": self.pods, "deployments.json": self.deployments, "services.json": self.services,
            "networkpolicies.json": self.policies}, outputs=self.outputs)


CLIENT = ("client-frontend",)
DENY = ("client-frontend", "frontend-backend")
UI = ("ui-frontend", "client-frontend")
ALLOW = ("client-frontend", "client-backend", "frontend-backend")
IMAGE_PULL = 'the image busybox:1.36 could not be pulled (ImagePullBackOff: Back-off pulling image "busybox:1.36")'
FORBIDDEN = ('the probe pod was not created: Error from server (Forbidden): error when creating "STDIN": pods is forbidden: '
             'User "ana" cannot create resource "pods" in API group "" in the namespace "client"')
UNSCHEDULED = "the probe pod had not finished after 1m (not scheduled (Unschedulable: 0/3 nodes are available: 3 Too many pods.))"


def generate():
    kube.clean_fixtures(lab_dir(LAB))

    # step install-calico
    begin_state()
    State().write("install-calico--pass")
    begin_state()
    State(calico_ns="kube-system").write("install-calico--pass-workshop-manifest")
    begin_state()
    State(calico_unready=(2,)).write("install-calico--fail-one-node-not-ready")
    begin_state()
    State(calico_ns=None).write("install-calico--fail-not-installed")

    # step stars-namespace
    begin_state()
    State().add_namespace("stars").write("stars-namespace--pass")
    begin_state()
    State().write("stars-namespace--fail-missing")
    begin_state()
    State().add_namespace("stars", phase="Terminating").write("stars-namespace--fail-terminating")

    # step management-ui
    begin_state()
    State().add_namespace("stars").add_namespace("management-ui", {"role": "management-ui"}) \
        .add_app("management-ui").write("management-ui--pass")
    begin_state()
    State().add_namespace("stars").add_namespace("management-ui").add_app("management-ui") \
        .write("management-ui--fail-namespace-unlabelled")
    begin_state()
    State().add_namespace("stars").add_namespace("management-ui", {"role": "management-ui"}) \
        .add_app("management-ui", ready=False).write("management-ui--fail-image-pull")

    # step backend-frontend
    begin_state()
    State().demo(skip=("client",)).write("backend-frontend--pass")
    begin_state()
    State().demo(skip=("client", "frontend")).write("backend-frontend--fail-frontend-missing")
    begin_state()
    s = State().add_namespace("stars").add_namespace("management-ui", {"role": "management-ui"})
    s.add_app("management-ui").add_app("backend", template_label="back-end").add_app("frontend")
    s.write("backend-frontend--fail-backend-mislabelled")

    # step client
    begin_state()
    State().demo().probes(*CLIENT).write("client--pass")
    begin_state()
    State().demo(client_label=False).probes(*CLIENT).write("client--fail-namespace-unlabelled")
    begin_state()
    State().demo(skip=("client",)).probes(*CLIENT).write("client--fail-not-deployed")

    # step default-deny
    begin_state()
    State().demo().deny().probes(*DENY).write("default-deny--pass")
    begin_state()
    State().demo().deny(("stars",)).probes(*DENY).write("default-deny--fail-client-not-isolated")
    begin_state()
    s = State().demo().deny(("client",))
    s.add_policy("40-default-deny.yaml", "stars", lambda m: m["spec"].update(ingress=[{}]))
    s.probes(*DENY).write("default-deny--fail-allows-everything")
    # "blocked" must never pass because the probe could not run
    begin_state()
    State().demo().deny().probes(*DENY, not_run={"client-frontend": IMAGE_PULL}).write("default-deny--fail-probe-not-run")

    # step allow-ui
    begin_state()
    State().demo().deny().allow_ui().probes(*UI).write("allow-ui--pass")

    def pod_selector_peer(m):
        m["spec"]["ingress"] = [{"from": [{"podSelector": {"matchLabels": {"role": "management-ui"}}}]}]
    begin_state()
    State().demo().deny().allow_ui(pod_selector_peer).probes(*UI).write("allow-ui--fail-pod-selector-for-a-namespace")
    begin_state()
    State().demo().allow_ui().probes(*UI).write("allow-ui--fail-default-deny-deleted")

    # step allow-client
    begin_state()
    State().demo().deny().allow_ui().allow_client().probes(*ALLOW).write("allow-client--pass")

    def client_as_pods(m):
        m["spec"]["ingress"][0]["from"] = [{"podSelector": {"matchLabels": {"role": "client"}}}]
    begin_state()
    State().demo().deny().allow_ui().allow_client(frontend_change=client_as_pods).probes(*ALLOW) \
        .write("allow-client--fail-frontend-policy-selects-pods")

    def open_backend(m):
        del m["spec"]["ingress"][0]["from"]
    begin_state()
    State().demo().deny().allow_ui().allow_client(backend_change=open_backend).probes(*ALLOW) \
        .write("allow-client--fail-backend-open-to-all")
    begin_state()
    State().demo().deny().allow_ui().allow_client().probes(*ALLOW, not_run={"client-backend": FORBIDDEN}) \
        .write("allow-client--fail-probe-not-run")

    # completion: the workshop's manifest (kube-system) and hand-applied YAML in complete
    begin_state()
    s = State(klab=False, calico_ns="kube-system").demo().deny().allow_ui().allow_client()
    s.probes(*ALLOW).write("complete")
    begin_state()
    State().demo().deny().allow_ui().allow_client(skip=("frontend",)).probes(*ALLOW).write("complete--fail-no-frontend-policy")
    begin_state()
    State().demo().deny(("stars",)).allow_ui().allow_client().probes(*ALLOW).write("complete--fail-client-not-isolated")
    begin_state()
    State(calico_unready=(0,)).demo().deny().allow_ui().allow_client().probes(*ALLOW).write("complete--fail-calico-not-ready")
    begin_state()
    State().demo().deny().allow_ui().allow_client(backend_change=open_backend).probes(*ALLOW) \
        .write("complete--fail-backend-open-to-all")
    begin_state()
    State().demo().deny().allow_ui().allow_client().probes(*ALLOW, not_run={"client-backend": UNSCHEDULED}) \
        .write("complete--fail-probe-not-run")
