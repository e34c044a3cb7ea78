"""Snapshots of the pod-autoscaling lab: metrics-server (Helm) in metrics, php-apache with a
HorizontalPodAutoscaler (50% CPU, 1..10) in default, the load generator, scale-out and
scale-in."""

import copy
import os

import yaml

import kube
from common import begin_state, lab_dir, place, workers
from kube import ContainerRun

LAB = "pod-autoscaling"
NS = "default"
MNS = "metrics"
MS_IMAGE = "registry.k8s.io/metrics-server/metrics-server:v0.7.2"
PHP_IMAGE = "registry.k8s.io/hpa-example"
BUSYBOX = "busybox:1.36"
INSTALL_AT = 60
PHP_AT = 400
HPA_AT = 700
LOAD_AT = 1000
SCALED_AT = 1075
STOP_AT = 1800
SCALED_IN_AT = 2130
PHP_HASH = "d4cf67d68"
MS_HASH = "5f8c5c8b7d"
KLAB_LABELS = {"klab.dev/lab": "pod-autoscaling", "klab.dev/learner": "ana"}
TOP = ["kubectl", "top", "nodes"]

kube.IMAGE_DIGESTS[MS_IMAGE] = (MS_IMAGE, "registry.k8s.io/metrics-server/metrics-server@sha256:")
kube.IMAGE_DIGESTS[PHP_IMAGE] = ("registry.k8s.io/hpa-example:latest", "registry.k8s.io/hpa-example@sha256:")
kube.IMAGE_DIGESTS[BUSYBOX] = ("docker.io/library/busybox:1.36", "docker.io/library/busybox@sha256:")


def metrics_server(ready=True):
    labels = {"app.kubernetes.io/instance": "metrics-server", "app.kubernetes.io/name": "metrics-server"}
    m = {"apiVersion": "apps/v1", "kind": "Deployment",
         "metadata": {"labels": {**labels, "app.kubernetes.io/managed-by": "Helm",
                                 "app.kubernetes.io/version": "0.7.2", "helm.sh/chart": "metrics-server-3.12.2"},
                      "name": "metrics-server", "namespace": MNS},
         "spec": {"replicas": 1, "selector": {"matchLabels": labels}, "template": {
             "metadata": {"labels": labels},
             "spec": {"containers": [{
                 "args": ["--secure-port=10250", "--cert-dir=/tmp", "--kubelet-preferred-address-types=InternalIP,"
                          "ExternalIP,Hostname", "--kubelet-use-node-status-port", "--metric-resolution=15s"],
                 "image": MS_IMAGE, "name": "metrics-server",
                 "ports": [{"containerPort": 10250, "name": "https"}],
                 "readinessProbe": {"httpGet": {"path": "/readyz", "port": "https", "scheme": "HTTPS"},
                                    "initialDelaySeconds": 20, "periodSeconds": 10},
                 "resources": {"requests": {"cpu": "100m", "memory": "200Mi"}}}],
                 "priorityClassName": "system-cluster-critical", "serviceAccountName": "metrics-server"}}}}
    n = 1 if ready else 0
    d = kube.deployment(m, INSTALL_AT, (1, 1, n, n), MS_HASH, unavailable_since=INSTALL_AT)
    del d["metadata"]["annotations"]["kubectl.kubernetes.io/last-applied-configuration"]
    d["metadata"]["annotations"].update({"meta.helm.sh/release-name": "metrics-server",
                                         "meta.helm.sh/release-namespace": MNS})
    runs = None if ready else {0: {"metrics-server": ContainerRun(ready=False, started_at=INSTALL_AT + 9)}}
    pods = kube.deployment_pods(m, INSTALL_AT, MS_HASH, [place(1, "10.0.2.61")], runs=runs)
    return d, pods


def api_service(available=True):
    if available:
        cond = {"lastTransitionTime": kube.ts(INSTALL_AT + 41), "message": "all checks passed", "reason": "Passed",
                "status": "True", "type": "Available"}
    else:
        cond = {"lastTransitionTime": kube.ts(INSTALL_AT + 2),
                "message": "failing or missing response from https://10.0.2.61:10250/apis/metrics.k8s.io/v1beta1: "
                           "Get \"https://10.0.2.61:10250/apis/metrics.k8s.io/v1beta1\": dial tcp 10.0.2.61:10250: "
                           "i/o timeout", "reason": "FailedDiscoveryCheck", "status": "False", "type": "Available"}
    return {"apiVersion": "apiregistration.k8s.io/v1", "kind": "APIService",
            "metadata": {"annotations": {"meta.helm.sh/release-name": "metrics-server",
                                         "meta.helm.sh/release-namespace": MNS},
                         "creationTimestamp": kube.ts(INSTALL_AT),
                         "labels": {"app.kubernetes.io/instance": "metrics-server",
                                    "app.kubernetes.io/managed-by": "Helm", "app.kubernetes.io/name": "metrics-server",
                                    "app.kubernetes.io/version": "0.7.2", "helm.sh/chart": "metrics-server-3.12.2"},
                         "name": "v1beta1.metrics.k8s.io", "resourceVersion": kube.RV.next(),
                         "uid": kube.uid("apiservice", "v1beta1.metrics.k8s.io")},
            "spec": {"group": "metrics.k8s.io", "groupPriorityMinimum": 100, "insecureSkipTLSVerify": True,
                     "service": {"name": "metrics-server", "namespace": MNS, "port": 443}, "version": "v1beta1",
                     "versionPriority": 100},
            "status": {"conditions": [cond]}}


def top_output(ok=True):
    if not ok:
        return {"command": TOP, "result": {"exitCode": 1, "stdout": "",
                                           "stderr": "error: Metrics API not available\n"}}
    rows = ["NAME                                         CPU(cores)   CPU(%)   MEMORY(bytes)   MEMORY(%)"]
    for i, (cpu, pct, mem, mpct) in enumerate([("187m", "9%", "1193Mi", "36%"), ("96m", "4%", "987Mi", "30%"),
                                                ("143m", "7%", "1076Mi", "32%")]):
        name = kube.ip_name(["10.0.1.57", "10.0.2.143", "10.0.3.201"][i])
        rows.append(f"{name:<45}{cpu:<13}{pct:<9}{mem:<16}{mpct}")
    return {"command": TOP, "result": {"exitCode": 0, "stdout": "\n".join(rows) + "\n", "stderr": ""}}


def php_manifests(cpu_request=True, klab=True):
    with open(os.path.join(lab_dir(LAB), "manifests", "php-apache.yaml")) as f:
        dep, svc = [d for d in yaml.safe_load_all(f.read().replace('"{{namespace}}"', NS))]
    if not cpu_request:
        dep["spec"]["template"]["spec"]["containers"][0].pop("resources")
    if klab:
        for meta in (dep["metadata"], dep["spec"]["template"]["metadata"], svc["metadata"]):
            meta["labels"] = {**meta.get("labels", {}), **KLAB_LABELS}
    return dep, svc


def php_apache(replicas=1, ready=None, cpu_request=True, klab=True, generation=1, service=True):
    dep_m, svc_m = php_manifests(cpu_request, klab)
    ready = replicas if ready is None else ready
    dep_m = copy.deepcopy(dep_m)
    dep_m["spec"]["replicas"] = replicas
    applied = copy.deepcopy(dep_m)
    del applied["spec"]["replicas"]  # the file leaves replicas to the autoscaler
    d = kube.deployment(dep_m, PHP_AT, (replicas, replicas, ready, ready), PHP_HASH, unavailable_since=PHP_AT)
    d["metadata"]["annotations"]["kubectl.kubernetes.io/last-applied-configuration"] = kube.last_applied(applied)
    d["metadata"]["generation"] = generation
    d["status"]["observedGeneration"] = generation
    places = []
    for i in range(replicas):
        if i < ready:
            places.append(place(i % 3, f"10.0.{i % 3 + 1}.{130 + i}"))
        else:
            places.append("0/3 nodes are available: 3 Insufficient cpu. preemption: 0/3 nodes are available: "
                          "3 No preemption victims found for incoming pod.")
    pods = kube.deployment_pods(dep_m, PHP_AT, PHP_HASH, places)
    for p in pods:
        if cpu_request:
            p["status"]["qosClass"] = "Burstable"
    svcs = [kube.service(svc_m, PHP_AT, "172.20.226.71")] if service else []
    return d, pods, svcs


def hpa(current=1, desired=None, utilization=0, scaled_at=None, metrics=True, target=50, max_replicas=10,
        klab=True, limited=False):
    desired = current if desired is None else desired
    spec = {"maxReplicas": max_replicas,
            "metrics": [{"resource": {"name": "cpu", "target": {"averageUtilization": target,
                                                                 "type": "Utilization"}}, "type": "Resource"}],
            "minReplicas": 1,
            "scaleTargetRef": {"apiVersion": "apps/v1", "kind": "Deployment", "name": "php-apache"}}
    meta = {"annotations": {}, "creationTimestamp": kube.ts(HPA_AT), "name": "php-apache", "namespace": NS,
            "resourceVersion": kube.RV.next(), "uid": kube.uid("hpa", NS, "php-apache")}
    applied = {"apiVersion": "autoscaling/v2", "kind": "HorizontalPodAutoscaler",
               "metadata": {"name": "php-apache", "namespace": NS}, "spec": spec}
    if klab:
        meta["labels"] = dict(KLAB_LABELS)
        applied["metadata"]["labels"] = dict(KLAB_LABELS)
    meta["annotations"]["kubectl.kubernetes.io/last-applied-configuration"] = kube.last_applied(applied)
    last = kube.ts(scaled_at if scaled_at is not None else HPA_AT + 15)
    if metrics:
        conditions = [
            {"lastTransitionTime": last, "message": "recommended size matches current size", "reason":
             "ReadyForNewScale", "status": "True", "type": "AbleToScale"},
            {"lastTransitionTime": kube.ts(HPA_AT + 15), "message": "the HPA was able to successfully calculate a "
             "replica count from cpu resource utilization (percentage of request)", "reason": "ValidMetricFound",
             "status": "True", "type": "ScalingActive"},
            {"lastTransitionTime": kube.ts(HPA_AT + 15), "message": "the desired count is within the acceptable "
             "range", "reason": "DesiredWithinRange", "status": "False", "type": "ScalingLimited"},
        ]
        if limited:
            conditions[2] = {"lastTransitionTime": last, "message": "the desired replica count is more than the "
                             "maximum replica count", "reason": "TooManyReplicas", "status": "True",
                             "type": "ScalingLimited"}
        if desired != current:
            conditions[0] = {"lastTransitionTime": last, "message": "the HPA controller was able to update the "
                             "target scale to %d" % desired, "reason": "SucceededRescale", "status": "True",
                             "type": "AbleToScale"}
        status = {"conditions": conditions,
                  "currentMetrics": [{"resource": {"current": {"averageUtilization": utilization,
                                                               "averageValue": f"{utilization * 2}m"},
                                                   "name": "cpu"}, "type": "Resource"}],
                  "currentReplicas": current, "desiredReplicas": desired}
    else:
        status = {"conditions": [
            {"lastTransitionTime": kube.ts(HPA_AT + 15), "message": "the HPA controller was able to get the target's "
             "current scale", "reason": "SucceededGetScale", "status": "True", "type": "AbleToScale"},
            {"lastTransitionTime": kube.ts(HPA_AT + 15), "message": "the HPA was unable to compute the replica count: "
             "failed to get cpu utilization: unable to get metrics for resource cpu: unable to fetch metrics from "
             "resource metrics API: the server is currently unable to handle the request (get pods.metrics.k8s.io)",
             "reason": "FailedGetResourceMetric", "status": "False", "type": "ScalingActive"}],
            "currentMetrics": None, "currentReplicas": current, "desiredReplicas": 0}
    if scaled_at is not None:
        status["lastScaleTime"] = kube.ts(scaled_at)
    return {"apiVersion": "autoscaling/v2", "kind": "HorizontalPodAutoscaler", "metadata": meta, "spec": spec,
            "status": status}


def load_generator(phase="Running"):
    spec = {"containers": [{"args": ["/bin/sh", "-c", "while sleep 0.01; do wget -q -O- http://php-apache; done"],
                            "image": BUSYBOX, "name": "load-generator"}], "restartPolicy": "Never"}
    node_name, node_ip, _ = place(2, "")
    p = kube.pod("load-generator", NS, LOAD_AT, spec, node_name=node_name, node_ip=node_ip, pod_ip="10.0.3.177",
                 labels={"run": "load-generator"})
    if phase != "Running":
        st = p["status"]["containerStatuses"][0]
        st["ready"] = False
        st["started"] = False
        st["state"] = {"terminated": {"containerID": st["containerID"], "exitCode": 0, "finishedAt":
                                      kube.ts(STOP_AT), "reason": "Completed", "startedAt": kube.ts(LOAD_AT + 8)}}
        p["status"]["phase"] = phase
        for c in p["status"]["conditions"]:
            if c["type"] in ("Ready", "ContainersReady"):
                c.update(status="False", reason="PodCompleted", lastTransitionTime=kube.ts(STOP_AT))
    return p


def hpa_events(h, scaled_out=None, scaled_in=False):
    out = []
    if scaled_out:
        out.append(kube.event(NS, h, "SuccessfulRescale", f"New size: {scaled_out}; reason: cpu resource utilization "
                              "(percentage of request) above target", SCALED_AT, "horizontal-pod-autoscaler"))
    if scaled_in:
        out.append(kube.event(NS, h, "SuccessfulRescale", "New size: 1; reason: All metrics below target",
                              SCALED_IN_AT, "horizontal-pod-autoscaler"))
    return out


def snapshot(state, ms=True, ms_ready=True, php=None, h=None, load=None, events=(), top=True, klab_hpa=True,
             captures=None):
    begin_state()
    deployments, pods, services = [], [], []
    if ms:
        d, p = metrics_server(ms_ready)
        deployments.append(d)
        pods += p
    if php:
        d, p, s = php
        deployments.append(d)
        pods += p
        services += s
    if load:
        pods.append(load)
    kube.write_snapshot(lab_dir(LAB), state, {
        "namespaces.json": [kube.namespace_object(n, -3 * 86400) for n in ("default", "kube-system")]
                           + ([kube.namespace_object(MNS, INSTALL_AT)] if ms else []),
        "nodes.json": workers(),
        "deployments.json": deployments,
        "pods.json": pods,
        "services.json": services,
        "apiservices.json": [api_service(ms_ready)] if ms else [],
        "horizontalpodautoscalers.json": [h] if h else [],
        "events.json": list(events),
    }, outputs={"top-nodes.json": top_output(top and ms and ms_ready)})
    if captures:
        with open(os.path.join(lab_dir(LAB), "fixtures", state, "captures.env"), "w") as f:
            f.write("# what the load step captured: when the autoscaler scaled out\n")
            f.writelines(f"{k}={v}\n" for k, v in captures.items())


def generate():
    kube.clean_fixtures(lab_dir(LAB))

    snapshot("metrics-server--pass")
    snapshot("metrics-server--fail-api-service-unavailable", ms_ready=False)
    snapshot("metrics-server--fail-not-installed", ms=False)

    snapshot("php-apache--pass", php=php_apache())
    snapshot("php-apache--fail-no-cpu-request", php=php_apache(cpu_request=False))
    snapshot("php-apache--fail-service-missing", php=php_apache(service=False))

    snapshot("hpa--pass", php=php_apache(), h=hpa(utilization=1))
    snapshot("hpa--fail-no-metrics", ms_ready=False, php=php_apache(), h=hpa(metrics=False))
    snapshot("hpa--fail-target-80-max-5", php=php_apache(), h=hpa(utilization=1, target=80, max_replicas=5))

    def under_load(name, replicas=5, **kw):
        h = hpa(current=replicas, utilization=58, scaled_at=SCALED_AT, klab=kw.pop("klab_hpa", True))
        snapshot(name, php=php_apache(replicas, generation=2, klab=kw.pop("klab", True)), h=h,
                 load=load_generator(), events=hpa_events(h, scaled_out=replicas), **kw)

    under_load("load--pass")
    h = hpa(current=1, utilization=247)
    snapshot("load--fail-not-scaled-yet", php=php_apache(), h=h, load=load_generator())
    h = hpa(current=1, utilization=0, scaled_at=SCALED_IN_AT)
    snapshot("load--fail-load-generator-exited", php=php_apache(generation=3), h=h,
             load=load_generator("Succeeded"), events=hpa_events(h, scaled_out=4, scaled_in=True))

    scaled_out = {"scaledOutAt": kube.ts(SCALED_AT)}

    def scaled_in(name, **kw):
        h = hpa(current=1, utilization=0, scaled_at=SCALED_IN_AT, klab=kw.pop("klab_hpa", True))
        snapshot(name, php=php_apache(generation=3, klab=kw.pop("klab", True)), h=h,
                 events=hpa_events(h, scaled_out=5, scaled_in=True), **kw)

    scaled_in("scale-in--pass", captures=scaled_out)
    under_load("scale-in--fail-still-under-load", captures=scaled_out)
    h = hpa(current=5, utilization=0, scaled_at=SCALED_AT)
    snapshot("scale-in--fail-within-the-stabilization-window", php=php_apache(5, generation=2), h=h,
             events=hpa_events(h, scaled_out=5), captures=scaled_out)

    # completion, from one snapshot: after the load stopped (applied by hand) or under load
    scaled_in("complete", klab=False, klab_hpa=False)
    under_load("complete--pass-under-load", replicas=7, klab=False, klab_hpa=False)
    h = hpa(metrics=False)
    snapshot("complete--fail-stuck-at-one-under-load", ms_ready=False, php=php_apache(), h=h, load=load_generator())
    snapshot("complete--fail-never-put-under-load", php=php_apache(), h=hpa(utilization=1))
    h = hpa(metrics=False)
    h["status"]["conditions"][1].update(message="the HPA was unable to compute the replica count: failed to get cpu "
                                                "utilization: missing request for cpu in container php-apache of "
                                                "Pod php-apache-d4cf67d68-x2v9q")
    snapshot("complete--fail-no-cpu-request", php=php_apache(cpu_request=False), h=h, load=load_generator())
    h = hpa(current=5, utilization=96, scaled_at=SCALED_AT, max_replicas=5, limited=True)
    snapshot("complete--fail-max-5-replicas", php=php_apache(5, generation=2), h=h, load=load_generator(),
             events=hpa_events(h, scaled_out=5))
