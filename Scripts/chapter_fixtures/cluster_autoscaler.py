"""Snapshots of the cluster-autoscaler lab: the node group's ASG tagged for auto-discovery,
cluster-autoscaler in kube-system, nginx-to-scaleout scaled from 1 to 10, nodes from 2 to 4+."""

import json
import os

import yaml

import kube
import system
from common import begin_state, lab_dir
from kube import ContainerRun

LAB = "cluster-autoscaler"
CLUSTER = "eksworkshop"
CA_IMAGE = "registry.k8s.io/autoscaling/cluster-autoscaler:v1.32.1"
CA_AT = 300
NGINX_AT = 900
SCALE_AT = 1300
CA_HASH = "7d9b8c6f5c"
NGINX_HASH = "84bb5b9cf7"
ASG = "eks-workers-8ec9d4b2-41f3-7a55-0b6d-2f7c1e9a3d58"
KLAB_LABELS = {"klab.dev/lab": "cluster-autoscaler", "klab.dev/learner": "ana"}
DESCRIBE = ["aws", "autoscaling", "describe-auto-scaling-groups", "--filters",
            f"Name=tag-key,Values=k8s.io/cluster-autoscaler/{CLUSTER}",
            "Name=tag:k8s.io/cluster-autoscaler/enabled,Values=true", "--region", "us-west-2", "--output", "json"]
kube.IMAGE_DIGESTS[CA_IMAGE] = (CA_IMAGE, "registry.k8s.io/autoscaling/cluster-autoscaler@sha256:")


def asg_output(tagged=True, min_size=2, max_size=8, desired=2):
    if not tagged:
        return {"command": DESCRIBE, "result": {"exitCode": 0, "stdout": json.dumps({"AutoScalingGroups": []},
                                                                                      indent=4) + "\n", "stderr": ""}}
    tags = [("eks:cluster-name", CLUSTER), ("eks:nodegroup-name", "workers"),
            ("k8s.io/cluster-autoscaler/enabled", "true"), (f"k8s.io/cluster-autoscaler/{CLUSTER}", "owned"),
            (f"kubernetes.io/cluster/{CLUSTER}", "owned")]
    instances = [{"InstanceId": "i-0" + kube.hexdigest("instance", kube.ip_name(ip), length=16),
                  "InstanceType": "t3.large", "AvailabilityZone": zone, "LifecycleState": "InService",
                  "HealthStatus": "Healthy",
                  "LaunchTemplate": {"LaunchTemplateId": "lt-0a1b2c3d4e5f60718",
                                     "LaunchTemplateName": "eks-8ec9d4b2-41f3-7a55-0b6d-2f7c1e9a3d58", "Version": "1"},
                  "ProtectedFromScaleIn": False} for ip, zone in system.NODE_IPS[:desired]]
    group = {
        "AutoScalingGroupName": ASG,
        "AutoScalingGroupARN": f"arn:aws:autoscaling:us-west-2:{system.ACCOUNT}:autoScalingGroup:"
                               f"5d2a9e31-7c4b-4f0e-9a1d-6b3c8e2f7a40:autoScalingGroupName/{ASG}",
        "MixedInstancesPolicy": {
            "LaunchTemplate": {"LaunchTemplateSpecification": {"LaunchTemplateId": "lt-0a1b2c3d4e5f60718",
                                                               "LaunchTemplateName": "eks-8ec9d4b2-41f3-7a55-0b6d-"
                                                                                     "2f7c1e9a3d58",
                                                               "Version": "1"},
                               "Overrides": [{"InstanceType": "t3.large"}]},
            "InstancesDistribution": {"OnDemandAllocationStrategy": "prioritized", "OnDemandBaseCapacity": 0,
                                      "OnDemandPercentageAboveBaseCapacity": 100,
                                      "SpotAllocationStrategy": "lowest-price", "SpotInstancePools": 2}},
        "MinSize": min_size, "MaxSize": max_size, "DesiredCapacity": desired, "DefaultCooldown": 300,
        "AvailabilityZones": ["us-west-2a", "us-west-2b", "us-west-2c"], "LoadBalancerNames": [],
        "TargetGroupARNs": [], "HealthCheckType": "EC2", "HealthCheckGracePeriod": 15, "Instances": instances,
        "CreatedTime": "2026-11-23T13:55:41.208000+00:00", "SuspendedProcesses": [],
        "VPCZoneIdentifier": "subnet-0a1b2c3d4e5f60004,subnet-0a1b2c3d4e5f60005,subnet-0a1b2c3d4e5f60006",
        "EnabledMetrics": [],
        "Tags": [{"ResourceId": ASG, "ResourceType": "auto-scaling-group", "Key": k, "Value": v,
                  "PropagateAtLaunch": True} for k, v in tags],
        "TerminationPolicies": ["AllocationStrategy", "OldestLaunchTemplate", "OldestInstance"],
        "NewInstancesProtectedFromScaleIn": False,
        "ServiceLinkedRoleARN": f"arn:aws:iam::{system.ACCOUNT}:role/aws-service-role/autoscaling.amazonaws.com/"
                                "AWSServiceRoleForAutoScaling",
        "CapacityRebalance": True, "TrafficSources": [],
    }
    return {"command": DESCRIBE, "result": {"exitCode": 0, "stdout": json.dumps({"AutoScalingGroups": [group]},
                                                                                  indent=4) + "\n", "stderr": ""}}


def autoscaler(cluster_name=CLUSTER, denied=False):
    labels = {"app": "cluster-autoscaler"}
    m = {"apiVersion": "apps/v1", "kind": "Deployment",
         "metadata": {"labels": labels, "name": "cluster-autoscaler", "namespace": "kube-system"},
         "spec": {"replicas": 1, "selector": {"matchLabels": labels}, "template": {
             "metadata": {"annotations": {"prometheus.io/port": "8085", "prometheus.io/scrape": "true"},
                          "labels": labels},
             "spec": {"containers": [{
                 "command": ["./cluster-autoscaler", "--v=4", "--stderrthreshold=info", "--cloud-provider=aws",
                             "--skip-nodes-with-local-storage=false", "--expander=least-waste",
                             "--node-group-auto-discovery=asg:tag=k8s.io/cluster-autoscaler/enabled,"
                             f"k8s.io/cluster-autoscaler/{cluster_name}"],
                 "image": CA_IMAGE, "imagePullPolicy": "Always", "name": "cluster-autoscaler",
                 "resources": {"limits": {"cpu": "100m", "memory": "600Mi"},
                               "requests": {"cpu": "100m", "memory": "600Mi"}},
                 "volumeMounts": [{"mountPath": "/etc/ssl/certs/ca-certificates.crt", "name": "ssl-certs",
                                   "readOnly": True}]}],
                 "priorityClassName": "system-cluster-critical",
                 "securityContext": {"fsGroup": 65534, "runAsNonRoot": True, "runAsUser": 65534,
                                     "seccompProfile": {"type": "RuntimeDefault"}},
                 "serviceAccountName": "cluster-autoscaler",
                 "volumes": [{"hostPath": {"path": "/etc/ssl/certs/ca-bundle.crt"}, "name": "ssl-certs"}]}}}}
    runs = None
    ready = 1
    if denied:
        runs = {0: {"cluster-autoscaler": ContainerRun(
            ready=False, restarts=6, started_at=CA_AT + 600, last_terminated=(255, "Error", CA_AT + 540, CA_AT + 571),
            waiting=("CrashLoopBackOff", "back-off 5m0s restarting failed container=cluster-autoscaler"))}}
        ready = 0
    d = kube.deployment(m, CA_AT, (1, 1, ready, ready), CA_HASH, unavailable_since=CA_AT)
    node = system.nodes(2)[1]
    pods = kube.deployment_pods(m, CA_AT, CA_HASH, [(node["metadata"]["name"],
                                                     node["status"]["addresses"][0]["address"], "10.0.130.93")],
                                runs=runs)
    pods[0]["spec"]["priority"] = 2000000000
    return d, pods


def nginx(replicas=1, nodes=None, cpu="500m", klab=True):
    """nginx-to-scaleout: three pods fit on a t3.large next to the system pods; the rest wait."""
    with open(os.path.join(lab_dir(LAB), "manifests", "nginx-to-scaleout.yaml")) as f:
        m = yaml.safe_load(f.read().replace('"{{namespace}}"', "default"))
    m["spec"]["replicas"] = replicas
    m["spec"]["template"]["spec"]["containers"][0]["resources"]["requests"]["cpu"] = cpu
    m["spec"]["template"]["spec"]["containers"][0]["resources"]["limits"]["cpu"] = cpu
    if klab:
        for meta in (m["metadata"], m["spec"]["template"]["metadata"]):
            meta["labels"] = {**meta.get("labels", {}), **KLAB_LABELS}
    ready_nodes = [n for n in nodes if n["status"]["conditions"][-1]["status"] == "True"]
    places = []
    for i in range(replicas):
        if i < 3 * len(ready_nodes):
            n = ready_nodes[i % len(ready_nodes)]
            ip = n["status"]["addresses"][0]["address"]
            places.append((n["metadata"]["name"], ip, ip.rsplit(".", 1)[0] + f".{int(ip.rsplit('.', 1)[1]) % 50 + 150 + i}"))
        else:
            places.append(f"0/{len(nodes)} nodes are available: {len(ready_nodes)} Insufficient cpu"
                          + (f", {len(nodes) - len(ready_nodes)} node(s) had untolerated taint "
                             "{node.kubernetes.io/not-ready: }" if len(nodes) > len(ready_nodes) else "")
                          + f". preemption: 0/{len(nodes)} nodes are available: {len(nodes)} No preemption victims "
                            "found for incoming pod.")
    ready = sum(1 for p in places if not isinstance(p, str))
    d = kube.deployment(m, NGINX_AT, (replicas, replicas, ready, ready), NGINX_HASH, unavailable_since=SCALE_AT)
    if replicas > 1:
        d["metadata"]["generation"] = 2
        d["status"]["observedGeneration"] = 2
    pods = kube.deployment_pods(m, NGINX_AT, NGINX_HASH, places)
    for p in pods:
        p["status"]["qosClass"] = "Guaranteed"
    return d, pods


def snapshot(state, node_count=2, not_ready=(), ca=True, ca_kw=None, replicas=None, nginx_kw=None, asg=None,
             captures=None, fargate=False):
    begin_state()
    created = [system.CREATED + 600 + 5 * i if i < 2 else SCALE_AT + 150 + 20 * i for i in range(node_count)]
    node_list = system.nodes(node_count, not_ready=not_ready, created=created)
    deployments, pods = [], []
    if ca:
        d, p = autoscaler(**(ca_kw or {}))
        deployments.append(d)
        pods += p
    if replicas:
        d, p = nginx(replicas, node_list, **(nginx_kw or {}))
        deployments.append(d)
        pods += p
    all_nodes = list(node_list)
    if fargate:
        all_nodes.append(kube.fargate_node("10.0.151.9", "us-west-2b", 3000, "fp-2048"))
    kube.write_snapshot(lab_dir(LAB), state, {
        "nodes.json": all_nodes,
        "deployments.json": deployments,
        "pods.json": pods,
    }, outputs={"describe-auto-scaling-groups.json": asg or asg_output(desired=node_count)})
    if captures:
        with open(os.path.join(lab_dir(LAB), "fixtures", state, "captures.env"), "w") as f:
            f.write("# what the baseline step captured before the scale-out\n")
            f.writelines(f"{k}={v}\n" for k, v in captures.items())


def generate():
    kube.clean_fixtures(lab_dir(LAB))

    snapshot("asg-tags--pass", ca=False)
    snapshot("asg-tags--fail-not-tagged", ca=False, asg=asg_output(tagged=False))
    snapshot("asg-tags--fail-max-size-2", ca=False, asg=asg_output(max_size=2))

    snapshot("deploy-autoscaler--pass")
    snapshot("deploy-autoscaler--fail-cluster-name-not-replaced", ca_kw={"cluster_name": "<YOUR CLUSTER NAME>"})
    snapshot("deploy-autoscaler--fail-access-denied", ca_kw={"denied": True})

    snapshot("baseline--pass", replicas=1)
    snapshot("baseline--fail-not-deployed")
    snapshot("baseline--fail-smaller-cpu-request", replicas=1, nginx_kw={"cpu": "100m"})

    before = {"baselineNodes": 2}
    snapshot("scale-out--pass", node_count=4, replicas=10, captures=before)
    snapshot("scale-out--fail-max-size-reached", node_count=2, replicas=10, captures=before,
             asg=asg_output(max_size=2, desired=2))
    snapshot("scale-out--fail-new-nodes-not-ready-yet", node_count=4, not_ready=(2, 3), replicas=10,
             captures=before)

    # five worker nodes with other names, a Fargate node, applied by hand: still complete
    snapshot("complete", node_count=5, replicas=10, nginx_kw={"klab": False}, fargate=True)
    # every pod placed while one more node is still joining: complete too
    snapshot("complete--pass-one-more-node-still-joining", node_count=6, not_ready=(5,), replicas=10,
             nginx_kw={"klab": False})
    snapshot("complete--fail-never-scaled", replicas=1)
    snapshot("complete--fail-pods-pending-at-max-size", node_count=2, replicas=10,
             asg=asg_output(max_size=2, desired=2))
    snapshot("complete--fail-autoscaler-crash-looping", node_count=2, replicas=10, ca_kw={"denied": True})
