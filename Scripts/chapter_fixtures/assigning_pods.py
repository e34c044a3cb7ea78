"""Snapshots of the assigning-pods lab: a node labelled disktype=ssd and azname=az1, the
nginx and with-node-affinity pods on it, redis-cache spread over three nodes and web-store
beside it."""


import kube
from common import begin_state, lab_dir, manifest, node_name, place, workers
from kube import event

LAB = "assigning-pods"
NS = "default"
NGINX_AT = 200
AFFINITY_AT = 400
REDIS_AT = 600
WEB_AT = 800
REDIS_HASH = "6d4c9f8b7b"
WEB_HASH = "7b8d5c6f49"
SSD = {"disktype": "ssd"}
SSD_AZ1 = {"disktype": "ssd", "azname": "az1"}
EXTRA_NODE = [("10.0.1.199", "us-west-2a")]
NO_MATCH = ("0/3 nodes are available: 3 node(s) didn't match Pod's node affinity/selector. preemption: 0/3 nodes "
            "are available: 3 Preemption is not helpful for scheduling.")


def nginx(node=0, with_selector=True, pending=False):
    m = manifest(LAB, "nginx-nodeselector.yaml")
    applied = m
    if not with_selector:
        # what `kubectl run nginx --image=nginx` makes
        m = {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "nginx", "namespace": NS,
                                                               "labels": {"run": "nginx"}},
             "spec": {"containers": [{"name": "nginx", "image": "nginx"}]}}
        applied = None
    if pending:
        return kube.pod("nginx", NS, NGINX_AT, m["spec"], labels=m["metadata"]["labels"], applied=applied,
                        unschedulable_message=NO_MATCH)
    return kube.pod("nginx", NS, NGINX_AT, m["spec"], node_name=node_name(node), node_ip=kube_ip(node),
                    pod_ip=f"10.0.{node % 3 + 1}.{30 + node}", labels=m["metadata"]["labels"], applied=applied)


def kube_ip(i):
    from common import node_ip
    return node_ip(i)


def with_node_affinity(node=0, pending=False):
    m = manifest(LAB, "with-node-affinity.yaml")
    if pending:
        return kube.pod("with-node-affinity", NS, AFFINITY_AT, m["spec"], applied=m, unschedulable_message=NO_MATCH)
    return kube.pod("with-node-affinity", NS, AFFINITY_AT, m["spec"], node_name=node_name(node),
                    node_ip=kube_ip(node), pod_ip=f"10.0.{node % 3 + 1}.{60 + node}", applied=m)


def redis(nodes=(0, 1, 2), anti_affinity=True, pending_message=None):
    """redis-cache; `nodes` gives each pod's node index, None for a pod left Pending."""
    m = manifest(LAB, "redis-cache.yaml")
    if not anti_affinity:
        del m["spec"]["template"]["spec"]["affinity"]
    places = [place(n, f"10.0.{n % 3 + 1}.{100 + i}") if n is not None else pending_message
              for i, n in enumerate(nodes)]
    pods = kube.deployment_pods(m, REDIS_AT, REDIS_HASH, places)
    ready = sum(1 for n in nodes if n is not None)
    d = kube.deployment(m, REDIS_AT, (3, 3, ready, ready), REDIS_HASH)
    events = [event(NS, d, "ScalingReplicaSet", f"Scaled up replica set redis-cache-{REDIS_HASH} from 0 to 3",
                    REDIS_AT, "deployment-controller")]
    for p in pods:
        if p["spec"].get("nodeName"):
            events += kube.start_events(p, "redis:3.2-alpine", 2.817, REDIS_AT + 1)
        else:
            events.append(event(NS, p, "FailedScheduling", pending_message, REDIS_AT + 300, "default-scheduler",
                                kind_type="Warning"))
    return d, pods, events


def web(nodes=(0, 1, 2), pod_affinity=True):
    m = manifest(LAB, "web-store.yaml")
    if not pod_affinity:
        del m["spec"]["template"]["spec"]["affinity"]["podAffinity"]
    places = [place(n, f"10.0.{n % 3 + 1}.{150 + i}") for i, n in enumerate(nodes)]
    pods = kube.deployment_pods(m, WEB_AT, WEB_HASH, places)
    d = kube.deployment(m, WEB_AT, (3, 3, 3, 3), WEB_HASH)
    events = [event(NS, d, "ScalingReplicaSet", f"Scaled up replica set web-store-{WEB_HASH} from 0 to 3",
                    WEB_AT, "deployment-controller")]
    for p in pods:
        events += kube.start_events(p, "nginx:1.16-alpine", 3.402, WEB_AT + 1)
    return d, pods, events


def pod_events(pods, at):
    events = []
    for p in pods:
        if p["spec"].get("nodeName"):
            events += kube.start_events(p, p["spec"]["containers"][0]["image"], 1.622, at)
        else:
            events.append(event(NS, p, "FailedScheduling", NO_MATCH, at + 120, "default-scheduler",
                                kind_type="Warning"))
    return events


def snapshot(state, nodes, pods, deployments, events):
    kube.write_snapshot(lab_dir(LAB), state, {
        "nodes.json": nodes,
        "pods.json": pods,
        "deployments.json": deployments,
        "events.json": events,
    })


def generate():
    kube.clean_fixtures(lab_dir(LAB))

    # step label-node
    begin_state()
    snapshot("label-node--pass", workers({0: SSD}), [], [], [])
    begin_state()
    snapshot("label-node--fail-no-label", workers(), [], [], [])
    begin_state()
    snapshot("label-node--fail-wrong-key", workers({0: {"disk-type": "ssd"}}), [], [], [])

    # step node-selector
    begin_state()
    p = nginx()
    snapshot("node-selector--pass", workers({0: SSD}), [p], [], pod_events([p], NGINX_AT))
    begin_state()
    p = nginx(pending=True)
    snapshot("node-selector--fail-pending-label-typo", workers({0: {"disktype": "sdd"}}), [p], [],
             pod_events([p], NGINX_AT))
    begin_state()
    p = nginx(node=1, with_selector=False)
    snapshot("node-selector--fail-no-node-selector", workers({0: SSD}), [p], [], pod_events([p], NGINX_AT))

    # step node-affinity
    begin_state()
    pods = [nginx(), with_node_affinity()]
    snapshot("node-affinity--pass", workers({0: SSD_AZ1}), pods, [], pod_events(pods, NGINX_AT))
    begin_state()
    pods = [nginx(), with_node_affinity(pending=True)]
    snapshot("node-affinity--fail-no-azname-label", workers({0: SSD}), pods, [], pod_events(pods, NGINX_AT))

    # step redis-cache
    begin_state()
    d, rpods, revents = redis()
    pods = [nginx(), with_node_affinity()]
    snapshot("redis-cache--pass", workers({0: SSD_AZ1}), pods + rpods, [d], pod_events(pods, NGINX_AT) + revents)
    begin_state()
    message = ("0/3 nodes are available: 1 node(s) were unschedulable, 2 node(s) didn't match pod anti-affinity "
               "rules. preemption: 0/3 nodes are available: 1 Preemption is not helpful for scheduling, 2 No "
               "preemption victims found for incoming pod.")
    d, rpods, revents = redis(nodes=(0, 1, None), pending_message=message)
    snapshot("redis-cache--fail-node-cordoned", workers({0: SSD_AZ1}, unschedulable=(2,)), pods + rpods, [d],
             pod_events(pods, NGINX_AT) + revents)
    begin_state()
    d, rpods, revents = redis(nodes=(0, 0, 1), anti_affinity=False)
    snapshot("redis-cache--fail-no-anti-affinity", workers({0: SSD_AZ1}), pods + rpods, [d],
             pod_events(pods, NGINX_AT) + revents)

    # step web-store
    begin_state()
    pods = [nginx(), with_node_affinity()]
    d, rpods, revents = redis()
    w, wpods, wevents = web()
    snapshot("web-store--pass", workers({0: SSD_AZ1}), pods + rpods + wpods, [d, w],
             pod_events(pods, NGINX_AT) + revents + wevents)
    begin_state()
    d, rpods, revents = redis()
    snapshot("web-store--fail-not-deployed", workers({0: SSD_AZ1}), pods + rpods, [d],
             pod_events(pods, NGINX_AT) + revents)
    begin_state()
    d, rpods, revents = redis()
    w, wpods, wevents = web(nodes=(1, 2, 3), pod_affinity=False)
    snapshot("web-store--fail-not-beside-cache", workers({0: SSD_AZ1}, extra=EXTRA_NODE),
             pods + rpods + wpods, [d, w], pod_events(pods, NGINX_AT) + revents + wevents)

    # completion
    begin_state()
    pods = [nginx(), with_node_affinity()]
    d, rpods, revents = redis()
    w, wpods, wevents = web()
    snapshot("complete", workers({0: SSD_AZ1}), pods + rpods + wpods, [d, w], revents[-3:] + wevents[-3:])
    begin_state()
    # `kubectl label node ... disktype-` after scheduling: the pod stays where it is
    # (IgnoredDuringExecution), but it no longer runs on an ssd node
    snapshot("complete--fail-ssd-label-removed", workers({0: {"azname": "az1"}}), pods + rpods + wpods, [d, w], [])
    begin_state()
    snapshot("complete--fail-no-affinity-pod", workers({0: SSD_AZ1}), [pods[0]] + rpods + wpods, [d, w], [])
    begin_state()
    # without pod affinity, anti-affinity alone happens to pair them up on three nodes
    w, wpods, wevents = web(pod_affinity=False)
    snapshot("complete--fail-web-store-without-pod-affinity", workers({0: SSD_AZ1}), pods + rpods + wpods, [d, w], [])
    begin_state()
    w, wpods, wevents = web(nodes=(1, 2, 3), pod_affinity=False)
    snapshot("complete--fail-web-not-beside-cache", workers({0: SSD_AZ1}, extra=EXTRA_NODE),
             pods + rpods + wpods, [d, w], [])
