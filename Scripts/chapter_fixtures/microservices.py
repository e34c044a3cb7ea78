"""Snapshots of the microservices lab: ecsdemo-nodejs and ecsdemo-crystal behind ClusterIP
services, ecsdemo-frontend behind a LoadBalancer service, then scaled to three."""

import os
import re

import yaml

import kube
from common import begin_state, lab_dir, place, workers
from kube import ContainerRun

LAB = "microservices"
NS = "default"
BACKENDS_AT = 100
FRONTEND_AT = 600
SCALE_AT = 1400
ELB_HOST = "a8d3f0c2b71e44c6b5e9a0d1c2f3e4a5-1739254710.us-west-2.elb.amazonaws.com"
# what the AWS Load Balancer Controller makes of the same Service: a Network Load Balancer
NLB_HOST = "k8s-default-ecsdemof-5e0a8c7d21-3f9b2c6a1d4e8f70.elb.us-west-2.amazonaws.com"
HASHES = {"ecsdemo-nodejs": "6d9f8c7b5d", "ecsdemo-crystal": "78c6d9b4f7", "ecsdemo-frontend": "5f6b9d8c47"}
CLUSTER_IPS = {"ecsdemo-nodejs": "172.20.144.18", "ecsdemo-crystal": "172.20.61.240",
               "ecsdemo-frontend": "172.20.203.5"}
KLAB_LABELS = {"klab.dev/lab": "microservices", "klab.dev/learner": "ana"}

for name in HASHES:
    ref = f"docker.io/brentley/{name}:latest"
    kube.IMAGE_DIGESTS[f"brentley/{name}"] = (ref, f"docker.io/brentley/{name}@sha256:")


def documents(file_name, **parameters):
    """Both objects of a manifest file (Deployment, Service), rendered as common.manifest does."""
    with open(os.path.join(lab_dir(LAB), "lab.yaml")) as f:
        spec = yaml.safe_load(f)
    values = {p["name"]: str(p["default"]) for p in spec["parameters"]}
    values.update({k: str(v) for k, v in parameters.items()})
    with open(os.path.join(lab_dir(LAB), "manifests", file_name)) as f:
        text = f.read()
    text = re.sub(r"\{\{\s*([A-Za-z0-9_]+)\s*\}\}", lambda m: values[m.group(1)], text)
    return list(yaml.safe_load_all(text))


def app(name, created, replicas, ready=None, klab=True, service_type=None, lb=True, crash=0, pending=0,
        host=ELB_HOST):
    """Deployment, pods and Service of one ecsdemo service."""
    ready = replicas - crash - pending if ready is None else ready
    dep_m, svc_m = documents(f"{name}.yaml")
    dep_m["spec"]["replicas"] = replicas
    if klab:
        for meta in (dep_m["metadata"], dep_m["spec"]["template"]["metadata"], svc_m["metadata"]):
            meta["labels"] = {**meta.get("labels", {}), **KLAB_LABELS}
    if service_type:
        svc_m["spec"]["type"] = service_type
    rs = HASHES[name]
    places, runs = [], {}
    for i in range(replicas):
        if i >= replicas - pending:
            places.append("0/3 nodes are available: 3 Insufficient cpu. preemption: 0/3 nodes are available: "
                          "3 No preemption victims found for incoming pod.")
            continue
        n = (i + len(name)) % 3
        places.append(place(n, f"10.0.{n + 1}.{20 + i * 7}"))
        if i < crash:
            runs[i] = {name: ContainerRun(ready=False, restarts=7, started_at=created + 700,
                                          last_terminated=(1, "Error", created + 640, created + 652),
                                          waiting=("CrashLoopBackOff", f"back-off 5m0s restarting failed "
                                                                       f"container={name}"))}
    d = kube.deployment(dep_m, created, (replicas, replicas, ready, ready), rs, unavailable_since=created)
    pods = kube.deployment_pods(dep_m, created, rs, places, runs=runs)
    svc = kube.service(svc_m, created, CLUSTER_IPS[name], node_port=31778)
    svc["metadata"]["annotations"] = dict(sorted({**svc_m["metadata"].get("annotations", {}),
                                                  **svc["metadata"]["annotations"]}.items()))
    if svc["spec"]["type"] == "LoadBalancer":
        svc["spec"]["allocateLoadBalancerNodePorts"] = True
        svc["spec"] = dict(sorted(svc["spec"].items()))
        if lb:
            svc["status"] = {"loadBalancer": {"ingress": [{"hostname": host}]}}
        if host == NLB_HOST:
            svc["spec"]["loadBalancerClass"] = "service.k8s.aws/nlb"
            svc["metadata"]["finalizers"] = ["service.k8s.aws/resources"]
    return d, pods, svc


def stable_ips(pods):
    """Pod IPs from a hash of the name would change between Python runs; number them instead."""
    for i, p in enumerate(pods):
        if "podIP" in p["status"]:
            node_ip = p["status"]["hostIP"]
            ip = node_ip.rsplit(".", 1)[0] + f".{100 + i * 3}"
            p["status"]["podIP"] = ip
            p["status"]["podIPs"] = [{"ip": ip}]
    return pods


def http_output(kind="ok", host=ELB_HOST):
    url = f"http://{host}/"
    if kind == "ok":
        body = ("<!DOCTYPE html>\n<html>\n<head>\n  <title>Ecsdemo</title>\n  <link rel=\"stylesheet\" media=\"all\" "
                "href=\"/assets/application.css\" />\n</head>\n<body>\n<div class=\"container\">\n"
                "<h1>Rails frontend: Hello! from 10.0.2.103 in us-west-2b</h1>\n"
                "<p>Crystal backend: Hello! from 10.0.1.101 in us-west-2a - commit 8a4d1e0</p>\n"
                "<p>Node.js backend: Hello! from 10.0.3.106 in us-west-2c - commit 2b7c9f1</p>\n"
                "</div>\n</body>\n</html>\n")
        return {"http": {"url": url}, "result": {"status": 200, "body": body}}
    if kind == "dns":
        return {"http": {"url": url}, "result": {
            "status": 0, "body": "", "error": f"Could not resolve host: {ELB_HOST}"}}
    body = "<html><body><h1>503 Service Unavailable</h1>No healthy backend.</body></html>\n"
    return {"http": {"url": url}, "result": {"status": 503, "body": body}}


def snapshot(state, apps, http="ok", host=ELB_HOST):
    deps, pods, svcs = [], [], []
    for d, p, s in apps:
        deps.append(d)
        pods += p
        svcs.append(s)
    kube.write_snapshot(lab_dir(LAB), state, {
        "nodes.json": workers(),
        "deployments.json": deps,
        "pods.json": stable_ips(pods),
        "services.json": svcs,
    }, outputs={"http-frontend.json": http_output(http, host)} if http else None)


def backends(klab=True, nodejs=3, crystal=3, crystal_crash=0, with_crystal=True, nodejs_selector=None):
    out = [app("ecsdemo-nodejs", BACKENDS_AT, nodejs, klab=klab)]
    if nodejs_selector:
        out[0][2]["spec"]["selector"] = nodejs_selector
    if with_crystal:
        out.append(app("ecsdemo-crystal", BACKENDS_AT + 5, crystal, klab=klab, crash=crystal_crash))
    return out


def generate():
    kube.clean_fixtures(lab_dir(LAB))

    begin_state()
    snapshot("backends--pass", backends(), http=None)
    begin_state()
    snapshot("backends--fail-crystal-not-applied", backends(with_crystal=False), http=None)
    begin_state()
    # the original workshop's YAML: one replica of each backend
    snapshot("backends--fail-one-replica-each", backends(nodejs=1, crystal=1), http=None)

    begin_state()
    snapshot("frontend--pass", backends() + [app("ecsdemo-frontend", FRONTEND_AT, 1)])
    begin_state()
    snapshot("frontend--fail-cluster-ip-service",
             backends() + [app("ecsdemo-frontend", FRONTEND_AT, 1, service_type="ClusterIP")], http=None)
    begin_state()
    snapshot("frontend--fail-load-balancer-pending",
             backends() + [app("ecsdemo-frontend", FRONTEND_AT, 1, lb=False)], http=None)
    begin_state()
    snapshot("frontend--fail-dns-not-resolving-yet", backends() + [app("ecsdemo-frontend", FRONTEND_AT, 1)],
             http="dns")

    begin_state()
    snapshot("scale--pass", backends() + [app("ecsdemo-frontend", FRONTEND_AT, 3)])
    begin_state()
    snapshot("scale--fail-still-one-replica", backends() + [app("ecsdemo-frontend", FRONTEND_AT, 1)])
    begin_state()
    snapshot("scale--fail-one-pod-pending", backends() + [app("ecsdemo-frontend", FRONTEND_AT, 3, pending=1)])

    # completion: applied by hand from the workshop's pages, without klab's labels
    begin_state()
    snapshot("complete", backends(klab=False) + [app("ecsdemo-frontend", FRONTEND_AT, 3, klab=False)])
    begin_state()
    # the AWS Load Balancer Controller took the Service over: an internet-facing NLB
    snapshot("complete--pass-network-load-balancer",
             backends(klab=False) + [app("ecsdemo-frontend", FRONTEND_AT, 3, klab=False, host=NLB_HOST)],
             host=NLB_HOST)
    begin_state()
    snapshot("complete--fail-frontend-not-scaled", backends() + [app("ecsdemo-frontend", FRONTEND_AT, 1)])
    begin_state()
    snapshot("complete--fail-crystal-crash-looping",
             backends(crystal_crash=3) + [app("ecsdemo-frontend", FRONTEND_AT, 3)])
    begin_state()
    # a Service written by hand whose selector matches no pod: it has no endpoints
    snapshot("complete--fail-nodejs-service-selects-no-pods",
             backends(nodejs_selector={"app": "nodejs"}) + [app("ecsdemo-frontend", FRONTEND_AT, 3)])
    begin_state()
    snapshot("complete--fail-no-load-balancer",
             backends() + [app("ecsdemo-frontend", FRONTEND_AT, 3, service_type="ClusterIP")], http=None)
    begin_state()
    snapshot("complete--fail-load-balancer-unhealthy", backends() + [app("ecsdemo-frontend", FRONTEND_AT, 3)],
             http="unhealthy")
