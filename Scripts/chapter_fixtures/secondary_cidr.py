"""Snapshots of the secondary-cidr lab: the VPC with 100.64.0.0/16 and three pod subnets
(recorded aws outputs), the aws-node DaemonSet with custom networking on, an ENIConfig per
zone, the nodes replaced by new ones, CoreDNS and the nginx deployment with pod addresses in
100.64.0.0/16 while the nodes keep theirs in 10.0.0.0/16."""

import copy

import kube
from aws_outputs import ACCOUNT, command_output
from common import begin_state, lab_dir, manifest
from kube import ContainerRun, RV, event, ts, uid

LAB = "secondary-cidr"
REGION = "us-west-2"
CLUSTER = "eksworkshop"
VPC = "vpc-0a9b8c7d6e5f40312"
CLUSTER_SG = "sg-0b1c2d3e4f5a6b7c8"
ZONES = ["us-west-2a", "us-west-2b", "us-west-2c"]
POD_SUBNETS = [("subnet-0a64a64a64a64a640", "100.64.0.0/19"), ("subnet-0b64b64b64b64b640", "100.64.32.0/19"),
               ("subnet-0c64c64c64c64c640", "100.64.64.0/19")]
OLD_NODES = ["10.0.1.57", "10.0.2.143", "10.0.3.201"]
NEW_NODES = ["10.0.1.118", "10.0.2.36", "10.0.3.74"]
OLD_AT = -3 * 86400
CNI_AT = -5400
ENI_AT = -4800
NEW_AT = -3600
NGINX_AT = 0
KLAB_LABELS = {"klab.dev/lab": LAB, "klab.dev/learner": "ana"}
CNI_IMAGE = "602401143452.dkr.ecr.us-west-2.amazonaws.com/amazon-k8s-cni:v1.19.2-eksbuild.1"
COREDNS_IMAGE = "602401143452.dkr.ecr.us-west-2.amazonaws.com/eks/coredns:v1.11.4-eksbuild.2"

kube.IMAGE_DIGESTS[COREDNS_IMAGE] = (COREDNS_IMAGE, COREDNS_IMAGE.split(":")[0] + "@sha256:")


def argv(*words):
    return ["aws", *words, "--region", REGION, "--output", "json"]


def describe_cluster():
    return command_output(argv("eks", "describe-cluster", "--name", CLUSTER), {"cluster": {
        "name": CLUSTER, "arn": f"arn:aws:eks:{REGION}:{ACCOUNT}:cluster/{CLUSTER}",
        "createdAt": "2026-11-22T09:12:44.203000+00:00", "version": "1.32",
        "roleArn": f"arn:aws:iam::{ACCOUNT}:role/eksworkshop-ClusterRole-7QmZr2Lk9VbN",
        "resourcesVpcConfig": {"subnetIds": ["subnet-0c1d2e3f4a5b6c7d8", "subnet-0d2e3f4a5b6c7d8e9",
                                             "subnet-0e3f4a5b6c7d8e9f0"], "securityGroupIds": [],
                               "clusterSecurityGroupId": CLUSTER_SG, "vpcId": VPC, "endpointPublicAccess": True,
                               "endpointPrivateAccess": True, "publicAccessCidrs": ["0.0.0.0/0"]},
        "kubernetesNetworkConfig": {"serviceIpv4Cidr": "172.20.0.0/16", "ipFamily": "ipv4"},
        "status": "ACTIVE", "platformVersion": "eks.9", "tags": {}}})


def describe_vpcs(state="associated", extra=()):
    blocks = [{"AssociationId": "vpc-cidr-assoc-0f1e2d3c4b5a69788", "CidrBlock": "10.0.0.0/16",
               "CidrBlockState": {"State": "associated"}}]
    if state:
        blocks.append({"AssociationId": "vpc-cidr-assoc-0a1b2c3d4e5f6a7b8", "CidrBlock": "100.64.0.0/16",
                       "CidrBlockState": {"State": state}})
    blocks += list(extra)
    return command_output(argv("ec2", "describe-vpcs", "--vpc-ids", VPC), {"Vpcs": [{
        "OwnerId": ACCOUNT, "InstanceTenancy": "default", "CidrBlockAssociationSet": blocks, "IsDefault": False,
        "Tags": [{"Key": "Name", "Value": "eksworkshop/Vpc"}], "VpcId": VPC, "State": "available",
        "CidrBlock": "10.0.0.0/16", "DhcpOptionsId": "dopt-0a1b2c3d4e5f60718"}]})


SUBNETS_QUERY = "Subnets[?starts_with(CidrBlock, '100.') || starts_with(CidrBlock, '198.19.')]"


def describe_subnets(subnets=None):
    subnets = POD_SUBNETS if subnets is None else subnets
    body = []
    for (sid, cidr), zone in zip(subnets, ZONES):
        body.append({"AvailabilityZoneId": kube.ZONE_IDS[zone], "MapCustomerOwnedIpOnLaunch": False,
                     "OwnerId": ACCOUNT, "AssignIpv6AddressOnCreation": False, "Ipv6CidrBlockAssociationSet": [],
                     "Tags": [{"Key": "Name", "Value": f"eksworkshop-pods-{zone}"}],
                     "SubnetArn": f"arn:aws:ec2:{REGION}:{ACCOUNT}:subnet/{sid}", "EnableDns64": False,
                     "Ipv6Native": False, "SubnetId": sid, "State": "available", "VpcId": VPC, "CidrBlock": cidr,
                     "AvailableIpAddressCount": 8187, "AvailabilityZone": zone, "DefaultForAz": False,
                     "MapPublicIpOnLaunch": False})
    return command_output(argv("ec2", "describe-subnets", "--filters", f"Name=vpc-id,Values={VPC}", "--query",
                               SUBNETS_QUERY), body)


def nodes(recycled=True, keep_old=0):
    out = []
    if not recycled or keep_old:
        for i, ip in enumerate(OLD_NODES[:3 if not recycled else keep_old]):
            out.append(kube.node(ip, ZONES[i], OLD_AT + 4 * i, nodegroup="eksworkshop-workers"))
    if recycled:
        for i, ip in enumerate(NEW_NODES):
            out.append(kube.node(ip, ZONES[i], NEW_AT + 40 * i, nodegroup="eksworkshop-workers"))
    return out


def node_of(i, recycled=True):
    ip = (NEW_NODES if recycled else OLD_NODES)[i % 3]
    return kube.ip_name(ip), ip


def aws_node(custom=True, label_def=True, unavailable=0, nodes_count=3):
    env = [{"name": "ADDITIONAL_ENI_TAGS", "value": "{}"}, {"name": "AWS_VPC_CNI_NODE_PORT_SUPPORT", "value": "true"},
           {"name": "AWS_VPC_ENI_MTU", "value": "9001"}]
    if custom:
        env.append({"name": "AWS_VPC_K8S_CNI_CUSTOM_NETWORK_CFG", "value": "true"})
    else:
        env.append({"name": "AWS_VPC_K8S_CNI_CUSTOM_NETWORK_CFG", "value": "false"})
    env += [{"name": "AWS_VPC_K8S_CNI_EXTERNALSNAT", "value": "false"},
            {"name": "AWS_VPC_K8S_CNI_LOGLEVEL", "value": "DEBUG"}, {"name": "AWS_VPC_K8S_CNI_VETHPREFIX", "value": "eni"}]
    if label_def:
        env.append({"name": "ENI_CONFIG_LABEL_DEF", "value": "topology.kubernetes.io/zone"})
    env += [{"name": "MY_NODE_NAME", "valueFrom": {"fieldRef": {"apiVersion": "v1", "fieldPath": "spec.nodeName"}}},
            {"name": "WARM_ENI_TARGET", "value": "1"}]
    selector = {"k8s-app": "aws-node"}
    status = {"currentNumberScheduled": nodes_count, "desiredNumberScheduled": nodes_count, "numberMisscheduled": 0,
              "numberReady": nodes_count - unavailable, "numberAvailable": nodes_count - unavailable,
              "observedGeneration": 2 if custom else 1, "updatedNumberScheduled": nodes_count}
    if unavailable:
        status["numberUnavailable"] = unavailable
        del status["numberAvailable"]
        status["numberAvailable"] = nodes_count - unavailable
    return {"apiVersion": "apps/v1", "kind": "DaemonSet", "metadata": {
        "annotations": {"deprecated.daemonset.template.generation": "2" if custom else "1"},
        "creationTimestamp": ts(OLD_AT - 300), "generation": 2 if custom else 1,
        "labels": {"app.kubernetes.io/instance": "aws-vpc-cni", "app.kubernetes.io/name": "aws-node",
                   "app.kubernetes.io/version": "v1.19.2", "k8s-app": "aws-node"},
        "name": "aws-node", "namespace": "kube-system", "resourceVersion": RV.next(),
        "uid": uid("daemonset", "kube-system", "aws-node")},
        "spec": {"revisionHistoryLimit": 10, "selector": {"matchLabels": selector}, "template": {
            "metadata": {"creationTimestamp": None, "labels": {**selector, "app.kubernetes.io/instance": "aws-vpc-cni",
                                                                "app.kubernetes.io/name": "aws-node"}},
            "spec": kube.pod_template_spec({
                "containers": [kube.container_spec({"name": "aws-node", "image": CNI_IMAGE, "env": env,
                                                    "ports": [{"containerPort": 61678, "name": "metrics"}],
                                                    "securityContext": {"capabilities": {"add": ["NET_ADMIN",
                                                                                                 "NET_RAW"]}}})],
                "hostNetwork": True, "priorityClassName": "system-node-critical", "serviceAccountName": "aws-node",
                "tolerations": [{"operator": "Exists"}]})},
            "updateStrategy": {"rollingUpdate": {"maxSurge": 0, "maxUnavailable": "10%"}, "type": "RollingUpdate"}},
        "status": status}


def eniconfigs(zones=ZONES, klab=True, names=None):
    out = []
    m_all = manifest_docs()
    for i, zone in enumerate(zones):
        m = copy.deepcopy(m_all[ZONES.index(zone)])
        name = (names or zones)[i]
        m["metadata"]["name"] = name
        if klab:
            m["metadata"]["labels"] = dict(KLAB_LABELS)
        meta = {"annotations": {"kubectl.kubernetes.io/last-applied-configuration": kube.last_applied(m)},
                "creationTimestamp": ts(ENI_AT + i), "generation": 1}
        if klab:
            meta["labels"] = dict(KLAB_LABELS)
        meta.update({"name": name, "resourceVersion": RV.next(), "uid": uid("eniconfig", name)})
        out.append({"apiVersion": "crd.k8s.amazonaws.com/v1alpha1", "kind": "ENIConfig", "metadata": meta,
                    "spec": m["spec"]})
    return out


def manifest_docs():
    import os
    import re

    import yaml
    with open(os.path.join(lab_dir(LAB), "manifests", "eniconfigs.yaml")) as f:
        text = f.read()
    values = {"zoneA": ZONES[0], "zoneB": ZONES[1], "zoneC": ZONES[2], "subnetA": POD_SUBNETS[0][0],
              "subnetB": POD_SUBNETS[1][0], "subnetC": POD_SUBNETS[2][0], "clusterSecurityGroup": CLUSTER_SG}
    text = re.sub(r"\{\{\s*([A-Za-z0-9_]+)\s*\}\}", lambda m: values[m.group(1)], text)
    return [d for d in yaml.safe_load_all(text) if d]


def coredns(recycled=True):
    m = {"apiVersion": "apps/v1", "kind": "Deployment",
         "metadata": {"name": "coredns", "namespace": "kube-system",
                      "labels": {"eks.amazonaws.com/component": "coredns", "k8s-app": "kube-dns"}},
         "spec": {"replicas": 2, "selector": {"matchLabels": {"eks.amazonaws.com/component": "coredns",
                                                              "k8s-app": "kube-dns"}},
                  "template": {"metadata": {"labels": {"eks.amazonaws.com/component": "coredns",
                                                       "k8s-app": "kube-dns"}},
                               "spec": {"containers": [{"name": "coredns", "image": COREDNS_IMAGE,
                                                        "args": ["-conf", "/etc/coredns/Corefile"]}],
                                        "priorityClassName": "system-cluster-critical",
                                        "serviceAccountName": "coredns"}}}}
    created = NEW_AT + 900 if recycled else OLD_AT + 60
    places = []
    for i, pod_ip in enumerate(["100.64.5.23", "100.64.41.197"] if recycled else ["10.0.1.180", "10.0.2.54"]):
        name, ip = node_of(i, recycled)
        places.append((name, ip, pod_ip))
    d = kube.deployment(m, OLD_AT + 60, (2, 2, 2, 2), "7f8c6d9b5c")
    del d["metadata"]["annotations"]["kubectl.kubernetes.io/last-applied-configuration"]
    pods = kube.deployment_pods(m, created, "7f8c6d9b5c", places)
    return d, pods


def nginx(pod_ips=("100.64.12.87", "100.64.44.9", "100.64.70.151"), klab=True, recycled=True, ready=3):
    m = manifest(LAB, "nginx-deployment.yaml")
    if klab:
        for meta in (m["metadata"], m["spec"]["template"]["metadata"]):
            meta["labels"] = {**meta.get("labels", {}), **KLAB_LABELS}
    places = []
    runs = {}
    for i, pod_ip in enumerate(pod_ips):
        name, ip = node_of(i, recycled)
        if i >= ready:
            places.append((name, ip, None))
            runs[i] = {"nginx": ContainerRun(ready=False, waiting=("ContainerCreating", None))}
        else:
            places.append((name, ip, pod_ip))
    pods = kube.deployment_pods(m, NGINX_AT, "6d4c8f9b7d", places, runs=runs)
    d = kube.deployment(m, NGINX_AT, (3, 3, ready, ready), "6d4c8f9b7d", unavailable_since=NGINX_AT)
    events = []
    for p in pods[ready:]:
        events.append(event("default", p, "FailedCreatePodSandBox", 'Failed to create pod sandbox: rpc error: '
                            'code = Unknown desc = failed to setup network for sandbox: plugin type="aws-cni" '
                            'name="aws-cni" failed (add): add cmd: failed to assign an IP address to container',
                            NGINX_AT + 60, "kubelet", count=8, first=NGINX_AT + 3, kind_type="Warning",
                            host=p["spec"]["nodeName"]))
    return d, pods, events


def snapshot(state, node_list, daemonsets, eni, deployments, pods, events, outputs):
    files = {"namespaces.json": [kube.namespace_object(n, OLD_AT - 100) for n in
                                 ("default", "kube-node-lease", "kube-public", "kube-system")],
             "nodes.json": node_list, "daemonsets.json": daemonsets, "eniconfigs.json": eni,
             "deployments.json": deployments, "pods.json": pods, "events.json": events}
    kube.write_snapshot(lab_dir(LAB), state, files,
                        outputs={f"{i:02d}-{name}.json": o for i, (name, o) in enumerate(outputs)} or None)


def state(name, outputs=(), recycled=True, keep_old=0, cni_kw=None, eni_kw=None, no_eni=False, nginx_kw=None,
          no_nginx=False, dns_recycled=None):
    begin_state()
    ns = nodes(recycled, keep_old)
    ds = [aws_node(nodes_count=len(ns), **(cni_kw or {}))]
    eni = [] if no_eni else eniconfigs(**(eni_kw or {}))
    dns, dns_pods = coredns(recycled if dns_recycled is None else dns_recycled)
    deployments, pods, events = [dns], list(dns_pods), []
    if not no_nginx:
        d, p, e = nginx(recycled=recycled, **(nginx_kw or {}))
        deployments.append(d)
        pods += p
        events += e
    snapshot(name, ns, ds, eni, deployments, pods, events, outputs)


def generate():
    kube.clean_fixtures(lab_dir(LAB))
    aws_ok = [("describe-cluster", describe_cluster()), ("describe-vpcs", describe_vpcs()),
              ("describe-subnets", describe_subnets())]

    # step add-cidr
    state("add-cidr--pass", aws_ok, recycled=False, cni_kw={"custom": False, "label_def": False}, no_eni=True,
          no_nginx=True)
    state("add-cidr--fail-block-not-associated", [aws_ok[0], ("describe-vpcs", describe_vpcs(state=None)),
                                                  ("describe-subnets", describe_subnets([]))],
          recycled=False, cni_kw={"custom": False, "label_def": False}, no_eni=True, no_nginx=True)
    state("add-cidr--fail-no-subnets", [aws_ok[0], aws_ok[1], ("describe-subnets", describe_subnets([]))],
          recycled=False, cni_kw={"custom": False, "label_def": False}, no_eni=True, no_nginx=True)
    # other sizes: a /18, a /20 and the block's last /24 (each within 100.64.0.0/16)
    state("add-cidr--pass-other-subnet-sizes", [aws_ok[0], aws_ok[1], ("describe-subnets", describe_subnets([
        ("subnet-07e1a64b2c3d4e5f6", "100.64.0.0/18"), ("subnet-08f2b75c3d4e5f607", "100.64.64.0/20"),
        ("subnet-09a3c86d4e5f60718", "100.64.255.0/24")]))],
          recycled=False, cni_kw={"custom": False, "label_def": False}, no_eni=True, no_nginx=True)
    # one pod subnet in a second 100.x block of the VPC (100.65.0.0/16), outside the lab's block
    state("add-cidr--fail-subnet-outside-block", [aws_ok[0], ("describe-vpcs", describe_vpcs(extra=[
        {"AssociationId": "vpc-cidr-assoc-0c2d3e4f5a6b7c8d9", "CidrBlock": "100.65.0.0/16",
         "CidrBlockState": {"State": "associated"}}])), ("describe-subnets", describe_subnets(
        POD_SUBNETS[:2] + [("subnet-0d65d65d65d65d650", "100.65.0.0/19")]))],
          recycled=False, cni_kw={"custom": False, "label_def": False}, no_eni=True, no_nginx=True)

    # step custom-networking
    state("custom-networking--pass", recycled=False, no_eni=True, no_nginx=True)
    state("custom-networking--fail-still-off", recycled=False, cni_kw={"custom": False, "label_def": False},
          no_eni=True, no_nginx=True)
    state("custom-networking--fail-no-label-def", recycled=False, cni_kw={"label_def": False}, no_eni=True,
          no_nginx=True)

    # step eniconfigs
    state("eniconfigs--pass", recycled=False, no_nginx=True)
    state("eniconfigs--fail-zone-ids-as-names", recycled=False, eni_kw={"names": ["usw2-az1", "usw2-az2",
                                                                                   "usw2-az3"]}, no_nginx=True)
    state("eniconfigs--fail-one-zone-missing", recycled=False, eni_kw={"zones": ZONES[:2]}, no_nginx=True)

    # step recycle-nodes
    state("recycle-nodes--pass", no_nginx=True)
    state("recycle-nodes--fail-not-recycled", recycled=False, no_nginx=True)
    state("recycle-nodes--fail-coredns-on-old-node", keep_old=1, dns_recycled=False, no_nginx=True)

    # step nginx
    state("nginx--pass")
    state("nginx--fail-nodes-not-recycled", recycled=False,
          nginx_kw={"pod_ips": ("10.0.1.66", "10.0.2.212", "10.0.3.15")}, dns_recycled=False)
    state("nginx--fail-one-pod-without-address", nginx_kw={"ready": 2})

    # completion: applied by hand (no klab labels) in complete
    comp_aws = aws_ok[:2]
    state("complete", comp_aws, eni_kw={"klab": False}, nginx_kw={"klab": False})
    state("complete--fail-block-disassociated", [aws_ok[0], ("describe-vpcs", describe_vpcs(state="disassociated"))])
    state("complete--fail-custom-networking-off", comp_aws, cni_kw={"custom": False})
    state("complete--fail-pods-in-primary-range", comp_aws, recycled=False,
          nginx_kw={"pod_ips": ("10.0.1.66", "10.0.2.212", "10.0.3.15")}, dns_recycled=False)
    state("complete--fail-eniconfig-missing", comp_aws, eni_kw={"zones": ZONES[1:]})
