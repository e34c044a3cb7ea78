"""Snapshots of the spot-instances lab: the on-demand workers labelled lifecycle=OnDemand, a
managed spot node group ng-spot (lifecycle=Ec2Spot, taint spotInstance=true:PreferNoSchedule),
the AWS Node Termination Handler on the spot nodes, and ecsdemo-frontend preferring them."""

import access
import kube
from common import begin_state, lab_dir, manifest, node_ip, node_name, WORKERS, NODE_CREATED
from kube import event

LAB = "spot-instances"
NS = "default"
CLUSTER = "eksworkshop"
ACCOUNT = "123456789012"
NODEGROUP = "ng-spot"
SPOT = [("10.0.1.88", "us-west-2a"), ("10.0.2.214", "us-west-2b")]
SPOT_AT = -7200
NTH_AT = -3600
FRONTEND_AT = 300
FRONTEND_HASH = "7f9c4d8b65"
SPOT_TAINT = {"effect": "PreferNoSchedule", "key": "spotInstance", "value": "true"}
NTH_LABELS = {"app.kubernetes.io/instance": "aws-node-termination-handler",
              "app.kubernetes.io/name": "aws-node-termination-handler"}

DESCRIBE = ["aws", "eks", "describe-nodegroup", "--cluster-name", CLUSTER, "--nodegroup-name", NODEGROUP,
            "--region", "us-west-2", "--output", "json"]


def on_demand(labelled=True, which=(0, 1, 2)):
    nodes = []
    for i, (ip, zone) in enumerate(WORKERS):
        labels = {"lifecycle": "OnDemand"} if labelled and i in which else None
        nodes.append(kube.node(ip, zone, NODE_CREATED + i * 4, nodegroup="eksworkshop-workers", labels=labels))
    return nodes


def spot(count=2, label="Ec2Spot", taint=True, ready=True):
    nodes = []
    for i, (ip, zone) in enumerate(SPOT[:count]):
        labels = {"eks.amazonaws.com/capacityType": "SPOT", "node.kubernetes.io/instance-type": "m5.large",
                  "beta.kubernetes.io/instance-type": "m5.large"}
        if label:
            labels["lifecycle"] = label
        n = kube.node(ip, zone, SPOT_AT + 60 + i * 5, nodegroup=NODEGROUP, instance_type="m5.large",
                      labels=labels, taints=[dict(SPOT_TAINT)] if taint else None, ready=ready)
        nodes.append(n)
    return nodes


def spot_place(i, pod_ip):
    ip, _ = SPOT[i]
    return (kube.ip_name(ip), ip, pod_ip)


def nodegroup_output(exists=True, status="ACTIVE", capacity="SPOT", taint=True, label=True):
    if not exists:
        return access.aws_error(DESCRIBE, "ResourceNotFoundException", "DescribeNodegroup",
                                f"No node group found for name: {NODEGROUP}.")
    body = {"nodegroup": {
        "nodegroupName": NODEGROUP,
        "nodegroupArn": f"arn:aws:eks:us-west-2:{ACCOUNT}:nodegroup/{CLUSTER}/{NODEGROUP}/"
                        "46c9a2b1-8d3e-4f5a-b6c7-d8e9f0a1b2c3",
        "clusterName": CLUSTER,
        "version": "1.32",
        "releaseVersion": "1.32.3-20250403",
        "createdAt": "2026-11-25T12:01:14.116000+00:00",
        "modifiedAt": "2026-11-25T12:09:40.552000+00:00",
        "status": status,
        "capacityType": capacity,
        "scalingConfig": {"minSize": 1, "maxSize": 4, "desiredSize": 2},
        "instanceTypes": ["m5.large", "m5a.large", "m5d.large", "m6i.large"],
        "subnets": ["subnet-0c1d2e3f4a5b6c7d8", "subnet-0d2e3f4a5b6c7d8e9", "subnet-0e3f4a5b6c7d8e9f0"],
        "amiType": "AL2023_x86_64_STANDARD",
        "nodeRole": f"arn:aws:iam::{ACCOUNT}:role/eksctl-{CLUSTER}-nodegroup-{NODEGROUP}-NodeInstanceRole-Q4wE8rT2yU6i",
        "labels": {"alpha.eksctl.io/cluster-name": CLUSTER, "alpha.eksctl.io/nodegroup-name": NODEGROUP,
                   **({"lifecycle": "Ec2Spot"} if label else {})},
        "resources": {"autoScalingGroups": [{"name": "eks-ng-spot-46c9a2b1-8d3e-4f5a-b6c7-d8e9f0a1b2c3"}]},
        "health": {"issues": []},
        "updateConfig": {"maxUnavailable": 1},
        "tags": {"alpha.eksctl.io/cluster-name": CLUSTER, "alpha.eksctl.io/nodegroup-name": NODEGROUP,
                 "alpha.eksctl.io/nodegroup-type": "managed"},
    }}
    if taint:
        body["nodegroup"]["taints"] = [{"key": "spotInstance", "value": "true", "effect": "PREFER_NO_SCHEDULE"}]
    return access.command_output(DESCRIBE, body=body)


def termination_handler(nodes, selector=True, unready=()):
    """The DaemonSet the chart (0.27.1) makes, with a pod on each of `nodes` (placements)."""
    template_labels = {**NTH_LABELS, "app.kubernetes.io/component": "daemonset", "kubernetes.io/os": "linux",
                       "k8s-app": "aws-node-termination-handler"}
    node_selector = {"kubernetes.io/os": "linux"}
    if selector:
        node_selector["lifecycle"] = "Ec2Spot"
    template = {"metadata": {"labels": template_labels}, "spec": {
        "containers": [{
            "name": "aws-node-termination-handler",
            "image": "public.ecr.aws/aws-ec2/aws-node-termination-handler:v1.25.1",
            "env": [{"name": "NODE_NAME", "valueFrom": {"fieldRef": {"apiVersion": "v1",
                                                                       "fieldPath": "spec.nodeName"}}},
                    {"name": "ENABLE_SPOT_INTERRUPTION_DRAINING", "value": "true"},
                    {"name": "ENABLE_SCHEDULED_EVENT_DRAINING", "value": "true"},
                    {"name": "ENABLE_SQS_TERMINATION_DRAINING", "value": "false"}],
            "securityContext": {"allowPrivilegeEscalation": False, "readOnlyRootFilesystem": True,
                                "runAsGroup": 1000, "runAsNonRoot": True, "runAsUser": 1000},
            "volumeMounts": [{"mountPath": "/proc/uptime", "name": "uptime", "readOnly": True}],
        }],
        "dnsPolicy": "ClusterFirstWithHostNet",
        "hostNetwork": True,
        "nodeSelector": node_selector,
        "priorityClassName": "system-node-critical",
        "serviceAccountName": "aws-node-termination-handler",
        "tolerations": [{"operator": "Exists"}],
        "volumes": [{"hostPath": {"path": "/proc/uptime", "type": ""}, "name": "uptime"}],
    }}
    labels = {**NTH_LABELS, "app.kubernetes.io/component": "daemonset", "app.kubernetes.io/managed-by": "Helm",
              "app.kubernetes.io/part-of": "aws-node-termination-handler", "app.kubernetes.io/version": "1.25.1",
              "helm.sh/chart": "aws-node-termination-handler-0.27.1", "k8s-app": "aws-node-termination-handler"}
    placements = [(name, ip, ip) for name, ip in nodes]  # host network: the pod's IP is the node's
    return access.daemonset("aws-node-termination-handler", "kube-system", NTH_AT,
                            {**NTH_LABELS, "app.kubernetes.io/component": "daemonset",
                             "kubernetes.io/os": "linux"}, template, placements, labels=labels,
                            annotations={"meta.helm.sh/release-name": "aws-node-termination-handler",
                                         "meta.helm.sh/release-namespace": "kube-system"}, unready=unready)


def spot_hosts(count=2):
    return [(kube.ip_name(ip), ip) for ip, _ in SPOT[:count]]


def all_hosts():
    return [(node_name(i), node_ip(i)) for i in range(3)] + spot_hosts()


def frontend(on=("spot", "spot", "od"), required=False, toleration_effect="PreferNoSchedule", klab=True):
    m = manifest(LAB, "ecsdemo-frontend.yaml")
    spec = m["spec"]["template"]["spec"]
    if required:
        pref = spec["affinity"]["nodeAffinity"].pop("preferredDuringSchedulingIgnoredDuringExecution")
        spec["affinity"]["nodeAffinity"]["requiredDuringSchedulingIgnoredDuringExecution"] = {
            "nodeSelectorTerms": [pref[0]["preference"]]}
    if toleration_effect is None:
        del spec["tolerations"]
    else:
        spec["tolerations"][0]["effect"] = toleration_effect
    if klab:
        labels = {"klab.dev/lab": LAB, "klab.dev/learner": "ana"}
        m["metadata"]["labels"].update(labels)
        m["spec"]["template"]["metadata"]["labels"].update(labels)
    places = []
    for i, where in enumerate(on):
        if where == "spot":
            places.append(spot_place(i % 2, f"10.0.{i % 2 + 1}.{140 + i}"))
        elif where == "od":
            places.append((node_name(i % 3), node_ip(i % 3), f"10.0.{i % 3 + 1}.{170 + i}"))
        else:
            places.append("0/5 nodes are available: 5 node(s) didn't match Pod's node affinity/selector. "
                          "preemption: 0/5 nodes are available: 5 Preemption is not helpful for scheduling.")
    ready = sum(1 for w in on if w != "pending")
    d = kube.deployment(m, FRONTEND_AT, (len(on), len(on), ready, ready), FRONTEND_HASH)
    pods = kube.deployment_pods(m, FRONTEND_AT, FRONTEND_HASH, places)
    events = [event(NS, d, "ScalingReplicaSet",
                    f"Scaled up replica set ecsdemo-frontend-{FRONTEND_HASH} from 0 to {len(on)}", FRONTEND_AT,
                    "deployment-controller")]
    for p in pods:
        if p["spec"].get("nodeName"):
            events += kube.start_events(p, "brentley/ecsdemo-frontend", 6.214, FRONTEND_AT + 2)
    return d, pods, events


def snapshot(state, nodes, pods=(), daemonsets=(), deployments=(), events=(), outputs=()):
    access.snapshot(lab_dir(LAB), state, {
        "nodes.json": list(nodes),
        "pods.json": list(pods),
        "daemonsets.json": list(daemonsets),
        "deployments.json": list(deployments),
        "events.json": list(events),
    }, outputs=list(outputs))


def generate():
    kube.clean_fixtures(lab_dir(LAB))

    # step label-on-demand
    begin_state()
    snapshot("label-on-demand--pass", on_demand())
    begin_state()
    snapshot("label-on-demand--fail-not-labelled", on_demand(labelled=False))
    begin_state()
    snapshot("label-on-demand--fail-one-node-missed", on_demand(which=(0, 2)))
    begin_state()
    # labelled the new spot nodes OnDemand too, by labelling every node
    nodes = on_demand() + spot(label="OnDemand")
    snapshot("label-on-demand--fail-spot-node-labelled-on-demand", nodes)

    # step spot-nodes
    begin_state()
    snapshot("spot-nodes--pass", on_demand() + spot(), outputs=[nodegroup_output()])
    begin_state()
    snapshot("spot-nodes--fail-no-taint", on_demand() + spot(taint=False), outputs=[nodegroup_output(taint=False)])
    begin_state()
    snapshot("spot-nodes--fail-no-node-group", on_demand(), outputs=[nodegroup_output(exists=False)])
    begin_state()
    # the group is still being created: no nodes have joined yet
    snapshot("spot-nodes--fail-still-creating", on_demand(), outputs=[nodegroup_output(status="CREATING")])
    begin_state()
    # an on-demand group labelled Ec2Spot: the labels lie about the capacity
    fake = [kube.node(ip, zone, SPOT_AT + 60 + i, nodegroup=NODEGROUP, labels={"lifecycle": "Ec2Spot"},
                      taints=[dict(SPOT_TAINT)]) for i, (ip, zone) in enumerate(SPOT)]
    snapshot("spot-nodes--fail-on-demand-capacity", on_demand() + fake,
             outputs=[nodegroup_output(capacity="ON_DEMAND")])

    # step termination-handler
    begin_state()
    nodes = on_demand() + spot()
    ds, pods = termination_handler(spot_hosts())
    snapshot("termination-handler--pass", nodes, pods, [ds], outputs=[nodegroup_output()])
    begin_state()
    nodes = on_demand() + spot()
    ds, pods = termination_handler(all_hosts(), selector=False)
    snapshot("termination-handler--fail-on-every-node", nodes, pods, [ds], outputs=[nodegroup_output()])
    begin_state()
    nodes = on_demand() + spot()
    snapshot("termination-handler--fail-not-installed", nodes, outputs=[nodegroup_output()])
    begin_state()
    nodes = on_demand() + spot()
    ds, pods = termination_handler(spot_hosts(), unready=(1,))
    snapshot("termination-handler--fail-pod-crash-looping", nodes, pods, [ds], outputs=[nodegroup_output()])

    # step frontend
    begin_state()
    nodes = on_demand() + spot()
    ds, hpods = termination_handler(spot_hosts())
    d, fpods, events = frontend()
    snapshot("frontend--pass", nodes, hpods + fpods, [ds], [d], events, outputs=[nodegroup_output()])
    begin_state()
    d, fpods, events = frontend(on=("od", "od", "od"), toleration_effect="NoSchedule")
    snapshot("frontend--fail-wrong-toleration-effect", nodes, hpods + fpods, [ds], [d], events,
             outputs=[nodegroup_output()])
    begin_state()
    d, fpods, events = frontend(on=("spot", "spot", "pending"), required=True)
    snapshot("frontend--fail-requires-spot", nodes, hpods + fpods, [ds], [d], events, outputs=[nodegroup_output()])
    begin_state()
    d, fpods, events = frontend(on=("od", "od", "od"), toleration_effect=None)
    snapshot("frontend--fail-no-toleration", nodes, hpods + fpods, [ds], [d], events, outputs=[nodegroup_output()])

    # completion: applied by hand (no klab labels) in complete
    begin_state()
    nodes = on_demand() + spot()
    ds, hpods = termination_handler(spot_hosts())
    d, fpods, events = frontend(klab=False)
    snapshot("complete", nodes, hpods + fpods, [ds], [d], events, outputs=[nodegroup_output()])
    begin_state()
    nodes = on_demand() + spot(taint=False)
    d, fpods, events = frontend()
    snapshot("complete--fail-spot-taint-missing", nodes, hpods + fpods, [ds], [d], events,
             outputs=[nodegroup_output(taint=False)])
    begin_state()
    nodes = on_demand() + spot()
    ds2, hpods2 = termination_handler(all_hosts(), selector=False)
    d, fpods, events = frontend()
    snapshot("complete--fail-handler-on-every-node", nodes, hpods2 + fpods, [ds2], [d], events,
             outputs=[nodegroup_output()])
    begin_state()
    nodes = on_demand() + spot()
    ds3, hpods3 = termination_handler(spot_hosts(), unready=(0,))
    d, fpods, events = frontend()
    snapshot("complete--fail-handler-crash-looping", nodes, hpods3 + fpods, [ds3], [d], events,
             outputs=[nodegroup_output()])
    begin_state()
    nodes = on_demand(which=(0, 1)) + spot()
    d, fpods, events = frontend()
    snapshot("complete--fail-on-demand-node-unlabelled", nodes, hpods + fpods, [ds], [d], events,
             outputs=[nodegroup_output()])
    begin_state()
    nodes = on_demand() + spot()
    d, fpods, events = frontend(on=("od", "od", "od"), toleration_effect=None)
    snapshot("complete--fail-frontend-without-toleration", nodes, hpods + fpods, [ds], [d], events,
             outputs=[nodegroup_output()])

