"""Snapshots of the health-probes lab: a liveness pod that gets restarted, a readiness
deployment with one pod taken out of service."""

import kube
from common import begin_state, lab_dir, manifest, place, node_name, workers
from kube import ContainerRun, event

LAB = "health-probes"
NS = "default"
LIVENESS_AT = 100          # kubectl apply -f liveness-app.yaml
KILL_AT = 300              # kubectl exec liveness-app -- kill -s SIGUSR1 1
READINESS_AT = 600         # kubectl apply -f readiness-deployment.yaml
RM_AT = 900                # kubectl exec <pod> -- rm /tmp/healthy
RS_HASH = "7d9c5b8f6d"
LIVENESS_IP = "10.0.1.88"
READINESS_PLACES = [place(0, "10.0.1.140"), place(1, "10.0.2.36"), place(2, "10.0.3.17")]


def liveness_pod(state, created=LIVENESS_AT, with_probe=True):
    """state: 'running', 'failing' (one probe failed, not yet restarted) or 'restarted'."""
    m = manifest(LAB, "liveness-app.yaml")
    if not with_probe:
        # what `kubectl run liveness-app --image=brentley/ecsdemo-nodejs` makes
        m = {"apiVersion": "v1", "kind": "Pod",
             "metadata": {"name": "liveness-app", "namespace": NS, "labels": {"run": "liveness-app"}},
             "spec": {"containers": [{"name": "liveness-app", "image": "brentley/ecsdemo-nodejs"}]}}
    container = m["spec"]["containers"][0]["name"]
    if state == "restarted":
        run = ContainerRun(restarts=1, started_at=KILL_AT + 17, last_terminated=(137, "Error", created + 9, KILL_AT + 16))
    elif state == "restarted-twice":
        run = ContainerRun(restarts=2, started_at=KILL_AT + 400,
                           last_terminated=(137, "Error", KILL_AT + 17, KILL_AT + 399))
    else:
        run = ContainerRun(started_at=created + 9)
    return kube.pod("liveness-app", NS, created, m["spec"], node_name=node_name(0), node_ip="10.0.1.57",
                    pod_ip=LIVENESS_IP, labels=m["metadata"].get("labels"), runs={container: run},
                    applied=None if not with_probe else m)


def liveness_events(p, failed=0, restarted=False):
    events = kube.start_events(p, "brentley/ecsdemo-nodejs", 5.268, LIVENESS_AT)
    host = p["spec"]["nodeName"]
    fp = "spec.containers{liveness}"
    if failed:
        events.append(event(NS, p, "Unhealthy", "Liveness probe failed: HTTP probe failed with statuscode: 500",
                            KILL_AT + 5 * failed, "kubelet", count=failed, first=KILL_AT + 5, kind_type="Warning",
                            field_path=fp, host=host))
    if restarted:
        events.append(event(NS, p, "Killing", "Container liveness failed liveness probe, will be restarted",
                            KILL_AT + 15, "kubelet", kind_type="Normal", field_path=fp, host=host))
        for e in events:
            if e["reason"] in ("Pulling", "Created", "Started"):
                e["count"] = 2
                e["lastTimestamp"] = kube.ts(KILL_AT + 16)
        events.append(event(NS, p, "Pulled", 'Successfully pulled image "brentley/ecsdemo-nodejs" in 412ms '
                            '(412ms including waiting). Image size: 40122187 bytes.', KILL_AT + 16, "kubelet",
                            field_path=fp, host=host))
    return events


def readiness(unready=(), created=READINESS_AT, starting=False):
    """The deployment and its pods; `unready` lists pod indexes whose /tmp/healthy is gone."""
    m = manifest(LAB, "readiness-deployment.yaml")
    n = m["spec"]["replicas"]
    runs = {}
    for i in range(n):
        if starting:
            runs[i] = {"readiness-deployment": ContainerRun(ready=False, started_at=created + 6)}
        elif i in unready:
            runs[i] = {"readiness-deployment": ContainerRun(ready=False, started_at=created + 6)}
        else:
            runs[i] = {"readiness-deployment": ContainerRun(started_at=created + 6)}
    pods = kube.deployment_pods(m, created, RS_HASH, READINESS_PLACES[:n], runs=runs)
    if unready:
        for i in unready:
            for c in pods[i]["status"]["conditions"]:
                if c["type"] in ("Ready", "ContainersReady"):
                    c["lastTransitionTime"] = kube.ts(RM_AT + 3)
    ready = 0 if starting else n - len(unready)
    d = kube.deployment(m, created, (n, n, ready, ready), RS_HASH, unavailable_since=created if starting else RM_AT + 3)
    if unready and ready:
        # the rollout had finished before a pod went unready: Progressing keeps its reason
        d["status"]["conditions"][1] = {
            "lastTransitionTime": kube.ts(created), "lastUpdateTime": kube.ts(created + 20),
            "message": f'ReplicaSet "readiness-deployment-{RS_HASH}" has successfully progressed.',
            "reason": "NewReplicaSetAvailable", "status": "True", "type": "Progressing"}
    return d, pods


def readiness_events(d, pods, unready=(), probe_failures=20, starting=False):
    events = [event(NS, d, "ScalingReplicaSet", f"Scaled up replica set readiness-deployment-{RS_HASH} from 0 to 3",
                    READINESS_AT, "deployment-controller")]
    for p in pods:
        events += kube.start_events(p, "alpine", 1.204, READINESS_AT + 1)
    for i in unready:
        p = pods[i]
        events.append(event(NS, p, "Unhealthy",
                            "Readiness probe failed: cat: can't open '/tmp/healthy': No such file or directory",
                            RM_AT + 3 * probe_failures, "kubelet", count=probe_failures, first=RM_AT + 3,
                            kind_type="Warning", field_path="spec.containers{readiness-deployment}",
                            host=p["spec"]["nodeName"]))
    return events


def snapshot(state, pods, deployments, events):
    kube.write_snapshot(lab_dir(LAB), state, {
        "nodes.json": workers(),
        "pods.json": pods,
        "deployments.json": deployments,
        "events.json": events,
    })


def generate():
    kube.clean_fixtures(lab_dir(LAB))

    # step liveness
    begin_state()
    p = liveness_pod("running")
    snapshot("liveness--pass", [p], [], liveness_events(p))

    begin_state()
    snapshot("liveness--fail-no-pod", [], [], [])

    begin_state()
    p = liveness_pod("running", with_probe=False)
    snapshot("liveness--fail-no-probe", [p], [], kube.start_events(p, "brentley/ecsdemo-nodejs", 5.268, LIVENESS_AT))

    # step fail-liveness
    begin_state()
    p = liveness_pod("restarted")
    snapshot("fail-liveness--pass", [p], [], liveness_events(p, failed=3, restarted=True))

    begin_state()
    p = liveness_pod("failing")
    snapshot("fail-liveness--fail-not-restarted-yet", [p], [], liveness_events(p, failed=1))

    begin_state()
    # events are kept for an hour: a restarted pod whose events have expired
    p = liveness_pod("restarted")
    snapshot("fail-liveness--fail-no-event", [p], [], [])

    # step readiness
    begin_state()
    p = liveness_pod("restarted")
    d, pods = readiness()
    snapshot("readiness--pass", [p] + pods, [d], liveness_events(p, 3, True) + readiness_events(d, pods))

    begin_state()
    p = liveness_pod("restarted")
    snapshot("readiness--fail-no-deployment", [p], [], liveness_events(p, 3, True))

    begin_state()
    p = liveness_pod("restarted")
    d, pods = readiness(starting=True)
    snapshot("readiness--fail-not-ready-yet", [p] + pods, [d], liveness_events(p, 3, True) + readiness_events(d, pods))

    # step fail-readiness
    begin_state()
    p = liveness_pod("restarted")
    d, pods = readiness(unready=(1,))
    snapshot("fail-readiness--pass", [p] + pods, [d],
             liveness_events(p, 3, True) + readiness_events(d, pods, unready=(1,)))

    begin_state()
    p = liveness_pod("restarted")
    d, pods = readiness()
    snapshot("fail-readiness--fail-all-ready", [p] + pods, [d], liveness_events(p, 3, True) + readiness_events(d, pods))

    begin_state()
    p = liveness_pod("restarted")
    d, pods = readiness(unready=(0, 2))
    snapshot("fail-readiness--fail-two-unready", [p] + pods, [d],
             liveness_events(p, 3, True) + readiness_events(d, pods, unready=(0, 2)))

    # completion: some time later, the liveness events have expired, the readiness probe
    # keeps failing in one pod
    begin_state()
    p = liveness_pod("restarted-twice")
    d, pods = readiness(unready=(1,))
    snapshot("complete", [p] + pods, [d], readiness_events(d, pods, unready=(1,), probe_failures=1180)[-1:])

    begin_state()
    p = liveness_pod("running")
    d, pods = readiness(unready=(1,))
    snapshot("complete--fail-liveness-not-restarted", [p] + pods, [d],
             readiness_events(d, pods, unready=(1,), probe_failures=1180)[-1:])

    begin_state()
    d, pods = readiness(unready=(1,))
    snapshot("complete--fail-no-liveness-pod", pods, [d], readiness_events(d, pods, unready=(1,), probe_failures=1180)[-1:])

    begin_state()
    p = liveness_pod("restarted-twice")
    d, pods = readiness()
    snapshot("complete--fail-all-ready", [p] + pods, [d], [])
