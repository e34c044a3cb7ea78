"""Snapshots of the cluster-access lab: the eksworkshop cluster made by eksctl, two t3.large
worker nodes, aws-node, kube-proxy and coredns in kube-system, aws-auth, /version, and
aws eks describe-cluster."""

import json

import kube
import system
from common import begin_state, lab_dir

LAB = "cluster-access"
CLUSTER = "eksworkshop"
DESCRIBE = ["aws", "eks", "describe-cluster", "--name", CLUSTER, "--region", "us-west-2", "--output", "json"]


# an admin role mapped by hand, as the rbac lab does: a role, but no node role
ADMIN_ROLE = (f"- rolearn: arn:aws:iam::{system.ACCOUNT}:role/k8sAdmin\n  username: admin-user\n  groups:\n"
              "  - system:masters\n")


def describe_output(status="ACTIVE", version="1.32", exists=True):
    if not exists:
        return {"command": DESCRIBE, "result": {
            "exitCode": 254, "stdout": "",
            "stderr": "\nAn error occurred (ResourceNotFoundException) when calling the DescribeCluster operation: "
                      f"No cluster found for name: {CLUSTER}.\n"}}
    body = {"cluster": {
        "name": CLUSTER,
        "arn": f"arn:aws:eks:us-west-2:{system.ACCOUNT}:cluster/{CLUSTER}",
        "createdAt": "2026-11-23T13:41:07.512000+00:00",
        "version": version,
        "endpoint": "https://9C1E5A7B3D2F4E6A8B0C1D2E3F4A5B6C.gr7.us-west-2.eks.amazonaws.com",
        "roleArn": f"arn:aws:iam::{system.ACCOUNT}:role/eksctl-{CLUSTER}-cluster-ServiceRole-Hq3Zr8Xk2PwL",
        "resourcesVpcConfig": {
            "subnetIds": ["subnet-0a1b2c3d4e5f60001", "subnet-0a1b2c3d4e5f60002", "subnet-0a1b2c3d4e5f60003",
                          "subnet-0a1b2c3d4e5f60004", "subnet-0a1b2c3d4e5f60005", "subnet-0a1b2c3d4e5f60006"],
            "securityGroupIds": ["sg-0f1e2d3c4b5a69788"],
            "clusterSecurityGroupId": "sg-0a9b8c7d6e5f40312",
            "vpcId": "vpc-0a9b8c7d6e5f40312",
            "endpointPublicAccess": True, "endpointPrivateAccess": False, "publicAccessCidrs": ["0.0.0.0/0"]},
        "kubernetesNetworkConfig": {"serviceIpv4Cidr": "10.100.0.0/16", "ipFamily": "ipv4",
                                    "elasticLoadBalancing": {"enabled": False}},
        "logging": {"clusterLogging": [{"types": ["api", "audit", "authenticator", "controllerManager",
                                                  "scheduler"], "enabled": False}]},
        "identity": {"oidc": {"issuer": "https://oidc.eks.us-west-2.amazonaws.com/id/"
                                        "9C1E5A7B3D2F4E6A8B0C1D2E3F4A5B6C"}},
        "status": status,
        "certificateAuthority": {"data": "LS0tLS1CRUdJTiBDRVJUSUZJQ0FURS0tLS0tCk1JSURCVENDQWUyZ0F3SUJBZ0lJ"},
        "platformVersion": "eks.12" if status == "ACTIVE" else "",
        "tags": {"alpha.eksctl.io/cluster-name": CLUSTER, "eksctl.cluster.k8s.io/v1alpha1/cluster-name": CLUSTER,
                 "alpha.eksctl.io/eksctl-version": "0.207.0"},
        "health": {"issues": []},
        "accessConfig": {"bootstrapClusterCreatorAdminPermissions": True,
                         "authenticationMode": "CONFIG_MAP"},
        "upgradePolicy": {"supportType": "STANDARD"},
    }}
    return {"command": DESCRIBE, "result": {"exitCode": 0, "stdout": json.dumps(body, indent=4) + "\n",
                                            "stderr": ""}}


def snapshot(state, node_count=2, not_ready=(), proxy_unready=(), aws_auth=True, extra=(), outputs=None,
             coredns_ready=2, fargate=False, cdk=False, proxy_missing_on=None, admin_only_auth=False):
    begin_state()
    node_list = system.nodes(node_count, not_ready=not_ready,
                             nodegroup="ClusterNodegroupDefaultCapacity-Jq2kR8sWm3Lx" if cdk else "workers")
    aws_node_ds, aws_node_pods = system.aws_node(node_list, unready=not_ready)
    proxy_ds, proxy_pods = system.kube_proxy(node_list, unready=proxy_unready)
    if proxy_missing_on is not None:
        # the node joined after someone gave kube-proxy a nodeSelector it does not match
        missing = node_list[proxy_missing_on]["metadata"]["name"]
        proxy_pods = [p for p in proxy_pods if p["spec"]["nodeName"] != missing]
        proxy_ds["status"].update(currentNumberScheduled=len(proxy_pods), desiredNumberScheduled=len(proxy_pods),
                                  numberAvailable=len(proxy_pods), numberReady=len(proxy_pods),
                                  updatedNumberScheduled=len(proxy_pods))
    dns, dns_pods = system.coredns(node_list, ready=coredns_ready)
    all_nodes = list(node_list)
    if fargate:
        # a Fargate node from a later lab: no aws-node or kube-proxy pod there, by design
        all_nodes.append(kube.fargate_node("10.0.151.9", "us-west-2b", 3000, "fp-2048"))
    files = {
        "namespaces.json": system.namespaces(),
        "nodes.json": all_nodes,
        "kube-system-pods.json": aws_node_pods + proxy_pods + dns_pods,
        "kube-system-daemonsets.json": [aws_node_ds, proxy_ds],
        "kube-system-deployments.json": [dns],
        "kube-system-services.json": [system.kube_dns("172.20.0.10" if cdk else "10.100.0.10")],
        "kube-system-configmaps.json": ([system.aws_auth_cdk() if cdk else system.aws_auth(
            roles=[] if admin_only_auth else None, extra_roles=[ADMIN_ROLE] if admin_only_auth else ())]
            if aws_auth else []),
    }
    kube.write_snapshot(lab_dir(LAB), state, files, outputs=outputs or {
        "version.json": system.version_output(), "describe-cluster.json": describe_output()})


def generate():
    kube.clean_fixtures(lab_dir(LAB))
    ok = lambda **kw: {"version.json": system.version_output(), "describe-cluster.json": describe_output(**kw)}  # noqa

    snapshot("create-cluster--pass")
    snapshot("create-cluster--fail-still-creating", outputs=ok(status="CREATING"))
    snapshot("create-cluster--fail-older-version", outputs=ok(version="1.31"))
    snapshot("create-cluster--fail-no-such-cluster", outputs=ok(exists=False))

    snapshot("kubeconfig--pass")
    snapshot("kubeconfig--fail-not-logged-in", outputs={
        "version.json": system.version_output(error="error: You must be logged in to the server (the server has "
                                                    "asked for the client to provide credentials)"),
        "describe-cluster.json": describe_output()})
    snapshot("kubeconfig--fail-context-of-another-cluster", outputs={
        "version.json": system.version_output(version="1.31", eks=False), "describe-cluster.json": describe_output()})

    snapshot("look-around--pass")
    snapshot("look-around--fail-node-not-ready", not_ready=(1,))
    snapshot("look-around--fail-one-node", node_count=1)
    snapshot("look-around--fail-no-aws-auth", aws_auth=False)
    snapshot("look-around--fail-coredns-not-ready", coredns_ready=1)
    snapshot("look-around--pass-cdk-cluster", cdk=True)
    # someone replaced mapRoles with their own entry and dropped the node role
    snapshot("look-around--fail-aws-auth-without-node-role", admin_only_auth=True)

    # three nodes (one more than asked) and a Fargate node from a later lab: still complete
    snapshot("complete", node_count=3, fargate=True)
    # the original workshop's CDK app: its own node group name, aws-auth written as JSON,
    # the service range 172.20.0.0/16
    snapshot("complete--pass-cdk-cluster", cdk=True)
    snapshot("complete--fail-node-not-ready", not_ready=(0,))
    snapshot("complete--fail-kube-proxy-crash-looping-on-a-node", proxy_unready=(1,))
    snapshot("complete--fail-no-aws-auth", aws_auth=False)
    snapshot("complete--fail-no-kube-proxy-on-a-node", node_count=3, proxy_missing_on=2)
    snapshot("complete--fail-cluster-deleted", outputs={
        "version.json": system.version_output(error="Unable to connect to the server: dial tcp: lookup "
                                                    "9C1E5A7B3D2F4E6A8B0C1D2E3F4A5B6C.gr7.us-west-2.eks.amazonaws"
                                                    ".com: no such host"),
        "describe-cluster.json": describe_output(exists=False)})
