"""The system side of an EKS 1.32 cluster made by eksctl, shared by the chapters that look at
it: worker nodes of a managed node group, aws-node, kube-proxy, coredns, kube-dns, aws-auth."""

import copy
import json

import kube
from kube import ContainerRun

ECR = "602401143452.dkr.ecr.us-west-2.amazonaws.com"
CNI_IMAGE = f"{ECR}/amazon-k8s-cni:v1.19.2-eksbuild.1"
NODEAGENT_IMAGE = f"{ECR}/amazon/aws-network-policy-agent:v1.1.6-eksbuild.1"
PROXY_IMAGE = f"{ECR}/eks/kube-proxy:v1.32.0-minimal-eksbuild.2"
COREDNS_IMAGE = f"{ECR}/eks/coredns:v1.11.4-eksbuild.2"
ACCOUNT = "123456789012"
NODE_ROLE = f"arn:aws:iam::{ACCOUNT}:role/eksctl-eksworkshop-nodegroup-worke-NodeInstanceRole-Qm7Vx2LpR9Ta"
CREATED = -2 * 86400
for image in (CNI_IMAGE, NODEAGENT_IMAGE, PROXY_IMAGE, COREDNS_IMAGE):
    kube.IMAGE_DIGESTS[image] = (image, image.split(":")[0] + "@sha256:")

# eksctl's managed node group "workers": t3.large nodes in three zones (private subnets)
NODE_IPS = [("10.0.96.41", "us-west-2a"), ("10.0.130.17", "us-west-2b"), ("10.0.171.208", "us-west-2c"),
            ("10.0.107.92", "us-west-2a"), ("10.0.148.63", "us-west-2b"), ("10.0.183.150", "us-west-2c"),
            ("10.0.122.11", "us-west-2a"), ("10.0.139.245", "us-west-2b"), ("10.0.160.77", "us-west-2c"),
            ("10.0.99.130", "us-west-2a")]


def nodes(count=2, not_ready=(), created=None, offset=0, nodegroup="workers"):
    out = []
    for i in range(offset, offset + count):
        ip, zone = NODE_IPS[i]
        at = (CREATED + 600 + 5 * i) if created is None else created[i - offset]
        out.append(kube.node(ip, zone, at, nodegroup=nodegroup, instance_type="t3.large", ready=i not in not_ready))
    return out


def daemonset(name, containers, labels, created, node_list, unready=(), selector_key="k8s-app"):
    """A DaemonSet with one pod per node; `unready` holds node indices whose pod is not ready."""
    sel = {selector_key: name}
    template_spec = {"containers": containers, "hostNetwork": True, "priorityClassName": "system-node-critical",
                     "serviceAccountName": name,
                     "affinity": {"nodeAffinity": {"requiredDuringSchedulingIgnoredDuringExecution": {
                         "nodeSelectorTerms": [{"matchExpressions": [
                             {"key": "kubernetes.io/os", "operator": "In", "values": ["linux"]},
                             {"key": "eks.amazonaws.com/compute-type", "operator": "NotIn",
                              "values": ["fargate", "hybrid", "auto"]}]}]}}},
                     "tolerations": [{"operator": "Exists"}]}
    rev = kube.pod_hash("ds", name)[:10]
    n = len(node_list)
    ready = n - len([i for i in unready if i < n])
    ds = {
        "apiVersion": "apps/v1", "kind": "DaemonSet",
        "metadata": {"annotations": {"deprecated.daemonset.template.generation": "1"},
                     "creationTimestamp": kube.ts(CREATED), "generation": 1,
                     "labels": {**labels, selector_key: name}, "name": name, "namespace": "kube-system",
                     "resourceVersion": kube.RV.next(), "uid": kube.uid("daemonset", "kube-system", name)},
        "spec": {"revisionHistoryLimit": 10, "selector": {"matchLabels": sel},
                 "template": {"metadata": {"creationTimestamp": None, "labels": {**sel, **labels}},
                              "spec": kube.pod_template_spec(template_spec)},
                 "updateStrategy": {"rollingUpdate": {"maxSurge": 0, "maxUnavailable": "10%"},
                                    "type": "RollingUpdate"}},
        "status": {"currentNumberScheduled": n, "desiredNumberScheduled": n, "numberMisscheduled": 0,
                   "numberReady": ready, "observedGeneration": 1, "updatedNumberScheduled": n},
    }
    if ready:
        ds["status"]["numberAvailable"] = ready
    if n - ready:
        ds["status"]["numberUnavailable"] = n - ready
    pods = []
    for i, nd in enumerate(node_list):
        node_name = nd["metadata"]["name"]
        node_ip = nd["status"]["addresses"][0]["address"]
        pod_name = f"{name}-{kube.suffix(name, node_name)}"
        runs = None
        if i in unready:
            runs = {c["name"]: ContainerRun(ready=False, restarts=4, started_at=created + 400,
                                            last_terminated=(1, "Error", created + 300, created + 360),
                                            waiting=("CrashLoopBackOff", f"back-off 1m20s restarting failed "
                                                                         f"container={c['name']} pod={pod_name}"))
                    for c in containers[:1]}
        spec = copy.deepcopy(template_spec)
        spec["affinity"] = {"nodeAffinity": {"requiredDuringSchedulingIgnoredDuringExecution": {
            "nodeSelectorTerms": [{"matchFields": [{"key": "metadata.name", "operator": "In",
                                                    "values": [node_name]}]}]}}}
        p = kube.pod(pod_name, "kube-system", created, spec, node_name=node_name, node_ip=node_ip,
                     pod_ip=node_ip, generate_name=name + "-", runs=runs,
                     labels={**sel, **labels, "controller-revision-hash": rev, "pod-template-generation": "1"})
        p["metadata"]["ownerReferences"] = [{"apiVersion": "apps/v1", "blockOwnerDeletion": True,
                                             "controller": True, "kind": "DaemonSet", "name": name,
                                             "uid": ds["metadata"]["uid"]}]
        p["spec"]["priority"] = 2000001000
        pods.append(p)
    return ds, pods


def aws_node(node_list, unready=(), created=CREATED + 660):
    containers = [
        {"name": "aws-node", "image": CNI_IMAGE, "ports": [{"containerPort": 61678, "name": "metrics"}],
         "env": [{"name": "AWS_VPC_K8S_CNI_LOGLEVEL", "value": "DEBUG"}, {"name": "WARM_ENI_TARGET", "value": "1"},
                 {"name": "MY_NODE_NAME", "valueFrom": {"fieldRef": {"apiVersion": "v1",
                                                                      "fieldPath": "spec.nodeName"}}}],
         "resources": {"requests": {"cpu": "25m"}}},
        {"name": "aws-eks-nodeagent", "image": NODEAGENT_IMAGE, "args": ["--enable-network-policy=false"],
         "resources": {"requests": {"cpu": "25m"}}},
    ]
    return daemonset("aws-node", containers, {"app.kubernetes.io/instance": "aws-vpc-cni",
                                              "app.kubernetes.io/name": "aws-node"}, created, node_list, unready)


def kube_proxy(node_list, unready=(), created=CREATED + 660):
    containers = [{"name": "kube-proxy", "image": PROXY_IMAGE,
                   "command": ["kube-proxy", "--v=2", "--config=/var/lib/kube-proxy-config/config",
                               "--hostname-override=$(NODE_NAME)"],
                   "resources": {"requests": {"cpu": "100m"}}, "securityContext": {"privileged": True}}]
    return daemonset("kube-proxy", containers, {"eks.amazonaws.com/component": "kube-proxy"}, created,
                     node_list, unready)


def coredns(node_list, ready=2, created=CREATED + 30):
    labels = {"eks.amazonaws.com/component": "coredns", "k8s-app": "kube-dns"}
    m = {"apiVersion": "apps/v1", "kind": "Deployment",
         "metadata": {"labels": labels, "name": "coredns", "namespace": "kube-system"},
         "spec": {"replicas": 2, "selector": {"matchLabels": labels}, "template": {
             "metadata": {"labels": labels},
             "spec": {"containers": [{
                 "args": ["-conf", "/etc/coredns/Corefile"], "image": COREDNS_IMAGE, "name": "coredns",
                 "ports": [{"containerPort": 53, "name": "dns", "protocol": "UDP"},
                           {"containerPort": 53, "name": "dns-tcp", "protocol": "TCP"},
                           {"containerPort": 9153, "name": "metrics", "protocol": "TCP"}],
                 "readinessProbe": {"httpGet": {"path": "/ready", "port": 8181}},
                 "resources": {"limits": {"memory": "170Mi"}, "requests": {"cpu": "100m", "memory": "70Mi"}}}],
                 "priorityClassName": "system-cluster-critical", "serviceAccountName": "coredns"}}}}
    rs = "5b9dfbf96"
    d = kube.deployment(m, created, (2, 2, ready, ready), rs, unavailable_since=created)
    del d["metadata"]["annotations"]["kubectl.kubernetes.io/last-applied-configuration"]
    placements = []
    for i in range(2):
        nd = node_list[i % len(node_list)]
        ip = nd["status"]["addresses"][0]["address"]
        placements.append((nd["metadata"]["name"], ip, ip.rsplit(".", 1)[0] + f".{200 + 11 * i}"))
    runs = {i: {"coredns": ContainerRun(ready=False, started_at=created + 900)} for i in range(ready, 2)}
    pods = kube.deployment_pods(m, created, rs, placements, runs=runs)
    for p in pods:
        p["spec"]["priority"] = 2000000000
    return d, pods


def kube_dns(cluster_ip="10.100.0.10"):
    return {"apiVersion": "v1", "kind": "Service",
            "metadata": {"annotations": {"prometheus.io/port": "9153", "prometheus.io/scrape": "true"},
                         "creationTimestamp": kube.ts(CREATED + 30),
                         "labels": {"eks.amazonaws.com/component": "kube-dns", "k8s-app": "kube-dns",
                                    "kubernetes.io/cluster-service": "true", "kubernetes.io/name": "CoreDNS"},
                         "name": "kube-dns", "namespace": "kube-system", "resourceVersion": "291",
                         "uid": kube.uid("service", "kube-system", "kube-dns")},
            "spec": {"clusterIP": cluster_ip, "clusterIPs": [cluster_ip], "internalTrafficPolicy": "Cluster",
                     "ipFamilies": ["IPv4"], "ipFamilyPolicy": "SingleStack",
                     "ports": [{"name": "dns", "port": 53, "protocol": "UDP", "targetPort": 53},
                               {"name": "dns-tcp", "port": 53, "protocol": "TCP", "targetPort": 53},
                               {"name": "metrics", "port": 9153, "protocol": "TCP", "targetPort": 9153}],
                     "selector": {"k8s-app": "kube-dns"}, "sessionAffinity": "None", "type": "ClusterIP"},
            "status": {"loadBalancer": {}}}


CDK_NODE_ROLE = f"arn:aws:iam::{ACCOUNT}:role/EksworkshopStack-ClusterNodegroupDefaultCapacityNo-1JX0Q7ABCD2EF"


def aws_auth_cdk():
    """aws-auth as the CDK app writes it: mapRoles as JSON, the default capacity's role."""
    roles = [{"rolearn": CDK_NODE_ROLE, "username": "system:node:{{EC2PrivateDNSName}}",
              "groups": ["system:bootstrappers", "system:nodes"]},
             {"rolearn": f"arn:aws:iam::{ACCOUNT}:role/EksworkshopStack-AdminRole38563C57-5QJ0L8VP2N1K",
              "username": f"arn:aws:iam::{ACCOUNT}:role/EksworkshopStack-AdminRole38563C57-5QJ0L8VP2N1K",
              "groups": ["system:masters"]}]
    return {"apiVersion": "v1", "kind": "ConfigMap",
            "data": {"mapAccounts": "[]", "mapRoles": json.dumps(roles, separators=(",", ":")), "mapUsers": "[]"},
            "metadata": {"creationTimestamp": kube.ts(CREATED + 700),
                         "labels": {"aws.cdk.eks/prune-c8d4f1a2b3e5f6a7b8c9d0e1f2a3b4c5d6e7f8a9b0": ""},
                         "name": "aws-auth", "namespace": "kube-system", "resourceVersion": kube.RV.next(),
                         "uid": kube.uid("configmap", "kube-system", "aws-auth")}}


def aws_auth(roles=None, extra_roles=()):
    """The aws-auth ConfigMap: mapRoles as EKS writes it for a managed node group."""
    entries = [] if roles == [] else [
        "- groups:\n  - system:bootstrappers\n  - system:nodes\n  rolearn: " + NODE_ROLE
        + "\n  username: system:node:{{EC2PrivateDNSName}}\n"]
    entries += list(extra_roles)
    return {"apiVersion": "v1", "kind": "ConfigMap",
            "data": {"mapRoles": "".join(entries) if entries else "[]\n"},
            "metadata": {"creationTimestamp": kube.ts(CREATED + 700), "name": "aws-auth",
                         "namespace": "kube-system", "resourceVersion": kube.RV.next(),
                         "uid": kube.uid("configmap", "kube-system", "aws-auth")}}


def namespaces():
    return [kube.namespace_object(n, CREATED - 100) for n in ("default", "kube-node-lease", "kube-public",
                                                               "kube-system")]


def version_output(version="1.32", eks=True, error=None):
    command = ["kubectl", "get", "--raw", "/version"]
    if error:
        return {"command": command, "result": {"exitCode": 1, "stdout": "", "stderr": error + "\n"}}
    git = f"v{version}.3-eks-bc803b4" if eks else f"v{version}.2"
    body = {"major": "1", "minor": version.split(".")[1] + ("+" if eks else ""), "gitVersion": git,
            "gitCommit": "52f2a8ddcd9ba2e18a8bdcd2cda0cb3e2e9bbd15", "gitTreeState": "clean",
            "buildDate": "2025-03-14T19:37:58Z", "goVersion": "go1.23.6", "compiler": "gc",
            "platform": "linux/amd64"}
    return {"command": command, "result": {"exitCode": 0, "stdout": json.dumps(body, indent=2) + "\n",
                                           "stderr": ""}}
