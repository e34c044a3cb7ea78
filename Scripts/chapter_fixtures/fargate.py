"""Snapshots of the fargate lab: a Fargate profile for 2048-game, the 2048 game on five
Fargate nodes, an ALB ingress in IP mode, and the load balancer controller in kube-system."""

import copy
import json

import kube
from common import begin_state, lab_dir, manifest, place, workers
from kube import ContainerRun, event

LAB = "fargate"
NS = "2048-game"
PROFILE = "fp-2048"
CLUSTER = "eksworkshop"
ACCOUNT = "123456789012"
RS_HASH = "5c9f7d8b64"
CONTROLLER_HASH = "6b9f4d7c85"
NAMESPACE_AT = -600
DEPLOY_AT = 200
INGRESS_AT = 500
ALB_HOST = "k8s-2048game-2048ingr-6fa0f7d2b2-1563425674.us-west-2.elb.amazonaws.com"
# Fargate gives each pod a node of its own; the node's IP is the pod's IP (private subnets).
FARGATE_IPS = [("10.0.1.212", "us-west-2a"), ("10.0.2.77", "us-west-2b"), ("10.0.3.158", "us-west-2c"),
               ("10.0.1.34", "us-west-2a"), ("10.0.2.190", "us-west-2b")]
KLAB_LABELS = {"klab.dev/lab": "fargate", "klab.dev/learner": "ana"}

PROFILE_COMMAND = ["aws", "eks", "describe-fargate-profile", "--cluster-name", CLUSTER, "--fargate-profile-name",
                   PROFILE, "--region", "us-west-2", "--output", "json"]


def profile_output(status="ACTIVE", exists=True):
    if not exists:
        return {"command": PROFILE_COMMAND, "result": {
            "exitCode": 254, "stdout": "",
            "stderr": "\nAn error occurred (ResourceNotFoundException) when calling the DescribeFargateProfile "
                      f"operation: No Fargate Profile found with name: {PROFILE}.\n"}}
    body = {"fargateProfile": {
        "fargateProfileName": PROFILE,
        "fargateProfileArn": f"arn:aws:eks:us-west-2:{ACCOUNT}:fargateprofile/{CLUSTER}/{PROFILE}/"
                             "2ec9a8d2-5b1f-7e3c-90a4-6d8e1f2a3b4c",
        "clusterName": CLUSTER,
        "createdAt": "2026-11-25T13:50:12.418000+00:00",
        "podExecutionRoleArn": f"arn:aws:iam::{ACCOUNT}:role/eksctl-{CLUSTER}-fargate-FargatePodExecutionRole-Xk2PqR7sT1uV",
        "subnets": ["subnet-0c1d2e3f4a5b6c7d8", "subnet-0d2e3f4a5b6c7d8e9", "subnet-0e3f4a5b6c7d8e9f0"],
        "selectors": [{"namespace": NS}],
        "status": status,
        "tags": {},
        "health": {"issues": []},
    }}
    return {"command": PROFILE_COMMAND, "result": {"exitCode": 0, "stdout": json.dumps(body, indent=4) + "\n",
                                                   "stderr": ""}}


def http_output(status=200):
    if status == 200:
        body = ('<!DOCTYPE html>\n<html>\n<head>\n  <meta charset="utf-8">\n  <title>2048</title>\n\n'
                '  <link href="style/main.css" rel="stylesheet" type="text/css">\n'
                '  <link rel="shortcut icon" href="favicon.ico">\n  <link rel="apple-touch-icon" '
                'href="meta/apple-touch-icon.png">\n  <meta name="apple-mobile-web-app-capable" content="yes">\n\n'
                '  <meta name="HandheldFriendly" content="True">\n  <meta name="viewport" content="width=device-width, '
                'target-densitydpi=160dpi, initial-scale=1.0, maximum-scale=1, user-scalable=no, minimal-ui">\n'
                '</head>\n<body>\n  <div class="container">\n    <div class="heading">\n      '
                '<h1 class="title">2048</h1>\n      <div class="scores-container">\n        '
                '<div class="score-container">0</div>\n        <div class="best-container">0</div>\n      </div>\n'
                '    </div>\n')
    else:
        body = ("<html>\r\n<head><title>503 Service Temporarily Unavailable</title></head>\r\n<body>\r\n"
                "<center><h1>503 Service Temporarily Unavailable</h1></center>\r\n</body>\r\n</html>\r\n")
    return {"http": {"url": f"http://{ALB_HOST}/"}, "result": {"status": status, "body": body}}


def system_namespaces():
    return [kube.namespace_object(n, -3 * 86400 - 100) for n in ("default", "kube-node-lease", "kube-public",
                                                                    "kube-system")]


def controller(ready=True):
    """The AWS Load Balancer Controller as its Helm chart installs it (two replicas)."""
    labels = {"app.kubernetes.io/instance": "aws-load-balancer-controller",
              "app.kubernetes.io/name": "aws-load-balancer-controller"}
    m = {"apiVersion": "apps/v1", "kind": "Deployment",
         "metadata": {"name": "aws-load-balancer-controller", "namespace": "kube-system",
                      "labels": {**labels, "app.kubernetes.io/managed-by": "Helm",
                                 "app.kubernetes.io/version": "v2.11.0",
                                 "helm.sh/chart": "aws-load-balancer-controller-1.11.0"}},
         "spec": {"replicas": 2, "selector": {"matchLabels": labels}, "template": {
             "metadata": {"annotations": {"prometheus.io/port": "8080", "prometheus.io/scrape": "true"},
                          "labels": labels},
             "spec": {
                 "containers": [{
                     "args": [f"--cluster-name={CLUSTER}", "--ingress-class=alb", "--aws-region=us-west-2",
                              "--aws-vpc-id=vpc-0a9b8c7d6e5f40312"],
                     "image": "public.ecr.aws/eks/aws-load-balancer-controller:v2.11.0",
                     "livenessProbe": {"failureThreshold": 2, "httpGet": {"path": "/healthz", "port": 61779},
                                       "initialDelaySeconds": 30, "timeoutSeconds": 10},
                     "name": "aws-load-balancer-controller",
                     "ports": [{"containerPort": 9443, "name": "webhook-server"},
                               {"containerPort": 8080, "name": "metrics-server"}],
                     "readinessProbe": {"failureThreshold": 2, "httpGet": {"path": "/readyz", "port": 61779},
                                        "initialDelaySeconds": 10, "timeoutSeconds": 10},
                 }],
                 "priorityClassName": "system-cluster-critical",
                 "serviceAccountName": "aws-load-balancer-controller",
             }}}}
    created = -86400
    if ready:
        runs = None
        status = (2, 2, 2, 2)
    else:
        crash = ContainerRun(ready=False, restarts=6, started_at=created + 900,
                             last_terminated=(1, "Error", created + 890, created + 899),
                             waiting=("CrashLoopBackOff", "back-off 5m0s restarting failed container="
                                      "aws-load-balancer-controller pod=aws-load-balancer-controller-"))
        runs = {0: {"aws-load-balancer-controller": crash}, 1: {"aws-load-balancer-controller": crash}}
        status = (2, 2, 0, 0)
    d = kube.deployment(m, created, status, CONTROLLER_HASH)
    del d["metadata"]["annotations"]["kubectl.kubernetes.io/last-applied-configuration"]
    d["metadata"]["annotations"].update({"meta.helm.sh/release-name": "aws-load-balancer-controller",
                                         "meta.helm.sh/release-namespace": "kube-system"})
    pods = kube.deployment_pods(m, created, CONTROLLER_HASH, [place(0, "10.0.1.71"), place(2, "10.0.3.66")],
                                runs=runs)
    for p in pods:
        p["spec"]["priority"] = 2000000000
    return d, pods


def game(replicas=5, on="fargate", pending=0, klab=True):
    """The 2048 deployment, its pods and the Fargate nodes they got.

    on: 'fargate' (the profile caught the pods) or 'ec2' (the pods landed on worker nodes).
    pending: how many of the pods Fargate has not started yet."""
    m = manifest(LAB, "2048-deployment.yaml", replicas=replicas)
    if klab:
        for meta in (m["metadata"], m["spec"]["template"]["metadata"]):
            meta["labels"] = {**meta.get("labels", {}), **KLAB_LABELS}
    nodes, places = [], []
    for i in range(replicas):
        if on == "ec2":
            places.append(place(i % 3, f"10.0.{i % 3 + 1}.{120 + i}"))
        elif i >= replicas - pending:
            places.append("Pod provisioning timed out (will retry) for pod: "
                          f"{NS}/2048-deployment-{RS_HASH}-{kube.suffix(f'2048-deployment-{RS_HASH}', str(i))}")
        else:
            ip, zone = FARGATE_IPS[i]
            nodes.append(kube.fargate_node(ip, zone, DEPLOY_AT + 48 + 7 * i, PROFILE))
            places.append((nodes[-1]["metadata"]["name"], ip, ip))
    if on == "fargate":
        pods = kube.deployment_pods(
            m, DEPLOY_AT, RS_HASH, places, scheduler="fargate-scheduler",
            annotations={"CapacityProvisioned": "0.25vCPU 0.5GB",
                         "Logging": "LoggingDisabled: LOGGING_CONFIGMAP_NOT_FOUND"},
            extra_labels={"eks.amazonaws.com/fargate-profile": PROFILE},
            runs={i: {"2048": ContainerRun(started_at=DEPLOY_AT + 70 + 7 * i)} for i in range(replicas)})
    else:
        pods = kube.deployment_pods(m, DEPLOY_AT, RS_HASH, places)
    ready = replicas - pending
    d = kube.deployment(m, DEPLOY_AT, (replicas, replicas, ready, ready), RS_HASH,
                        unavailable_since=DEPLOY_AT)
    events = [event(NS, d, "ScalingReplicaSet",
                    f"Scaled up replica set 2048-deployment-{RS_HASH} from 0 to {replicas}", DEPLOY_AT,
                    "deployment-controller")]
    for p in pods:
        if p["spec"].get("nodeName"):
            events += kube.start_events(p, "alexwhen/docker-2048", 9.841, DEPLOY_AT + 60)
    return d, pods, nodes, events


def service_2048(klab=True):
    m = manifest(LAB, "2048-service.yaml")
    if klab:
        m["metadata"]["labels"] = dict(KLAB_LABELS)
    return kube.service(m, DEPLOY_AT, "172.20.118.47", node_port=31642)


def ingress(target_type="ip", address=True, klab=True):
    m = manifest(LAB, "2048-ingress.yaml")
    if klab:
        m["metadata"]["labels"] = dict(KLAB_LABELS)
    if target_type is None:
        del m["metadata"]["annotations"]["alb.ingress.kubernetes.io/target-type"]
    annotations = dict(m["metadata"]["annotations"])
    annotations["kubectl.kubernetes.io/last-applied-configuration"] = kube.last_applied(m)
    obj = {
        "apiVersion": "networking.k8s.io/v1",
        "kind": "Ingress",
        "metadata": {
            "annotations": annotations,
            "creationTimestamp": kube.ts(INGRESS_AT),
            "finalizers": ["ingress.k8s.aws/resources"],
            "generation": 1,
            **({"labels": m["metadata"]["labels"]} if klab else {}),
            "name": "2048-ingress",
            "namespace": NS,
            "resourceVersion": kube.RV.next(),
            "uid": kube.uid("ingress", NS, "2048-ingress"),
        },
        "spec": copy.deepcopy(m["spec"]),
        "status": {"loadBalancer": {"ingress": [{"hostname": ALB_HOST}]} if address else {}},
    }
    if not address:
        del obj["metadata"]["finalizers"]
    return obj


def ingress_events(ing, ok=True):
    if ok:
        return [event(NS, ing, "SuccessfullyReconciled", "Successfully reconciled", INGRESS_AT + 3, "ingress",
                      count=1)]
    return []


def snapshot(state, namespaces, nodes, pods, deployments, services, ingresses, events, outputs):
    kube.write_snapshot(lab_dir(LAB), state, {
        "namespaces.json": system_namespaces() + namespaces,
        "nodes.json": workers() + nodes,
        "pods.json": pods,
        "deployments.json": deployments,
        "services.json": services,
        "ingresses.json": ingresses,
        "events.json": events,
    }, outputs={"describe-fargate-profile.json": outputs[0], **({"http-alb.json": outputs[1]}
                                                                 if len(outputs) > 1 else {})})


def generate():
    kube.clean_fixtures(lab_dir(LAB))
    game_ns = lambda: [kube.namespace_object(NS, NAMESPACE_AT, labels=KLAB_LABELS)]  # noqa: E731

    # step profile
    begin_state()
    snapshot("profile--pass", game_ns(), [], [], [], [], [], [], [profile_output()])
    begin_state()
    snapshot("profile--fail-still-creating", game_ns(), [], [], [], [], [], [], [profile_output("CREATING")])
    begin_state()
    snapshot("profile--fail-no-profile", game_ns(), [], [], [], [], [], [], [profile_output(exists=False)])
    begin_state()
    snapshot("profile--fail-no-namespace", [], [], [], [], [], [], [], [profile_output()])

    # step load-balancer-controller
    begin_state()
    c, cpods = controller()
    snapshot("load-balancer-controller--pass", game_ns(), [], cpods, [c], [], [], [], [profile_output()])
    begin_state()
    snapshot("load-balancer-controller--fail-not-installed", game_ns(), [], [], [], [], [], [], [profile_output()])
    begin_state()
    c, cpods = controller(ready=False)
    snapshot("load-balancer-controller--fail-crash-looping", game_ns(), [], cpods, [c], [], [], [],
             [profile_output()])

    # step deploy-2048
    begin_state()
    c, cpods = controller()
    d, pods, fnodes, events = game()
    snapshot("deploy-2048--pass", game_ns(), fnodes, cpods + pods, [c, d], [service_2048()], [], events,
             [profile_output()])
    begin_state()
    c, cpods = controller()
    d, pods, fnodes, events = game(on="ec2")
    snapshot("deploy-2048--fail-on-ec2-nodes", game_ns(), fnodes, cpods + pods, [c, d], [service_2048()], [],
             events, [profile_output(exists=False)])
    begin_state()
    c, cpods = controller()
    d, pods, fnodes, events = game(pending=1)
    snapshot("deploy-2048--fail-one-pod-pending", game_ns(), fnodes, cpods + pods, [c, d], [service_2048()], [],
             events, [profile_output()])

    # step ingress
    begin_state()
    c, cpods = controller()
    d, pods, fnodes, events = game()
    ing = ingress()
    snapshot("ingress--pass", game_ns(), fnodes, cpods + pods, [c, d], [service_2048()], [ing],
             events + ingress_events(ing), [profile_output(), http_output()])
    begin_state()
    c, cpods = controller()
    d, pods, fnodes, events = game()
    ing = ingress(target_type=None)
    snapshot("ingress--fail-instance-mode", game_ns(), fnodes, cpods + pods, [c, d], [service_2048()], [ing],
             events + ingress_events(ing), [profile_output(), http_output(503)])
    begin_state()
    c, cpods = controller(ready=False)
    d, pods, fnodes, events = game()
    ing = ingress(address=False)
    snapshot("ingress--fail-no-address", game_ns(), fnodes, cpods + pods, [c, d], [service_2048()], [ing],
             events, [profile_output()])

    # completion: applied by hand from the workshop's pages (no klab labels) in complete,
    # through klab in the failing states
    begin_state()
    c, cpods = controller()
    d, pods, fnodes, events = game(klab=False)
    ing = ingress(klab=False)
    snapshot("complete", [kube.namespace_object(NS, NAMESPACE_AT)], fnodes, cpods + pods, [c, d],
             [service_2048(klab=False)], [ing], events + ingress_events(ing), [profile_output(), http_output()])
    begin_state()
    c, cpods = controller()
    d, pods, fnodes, events = game()
    ing = ingress()
    snapshot("complete--fail-profile-deleted", game_ns(), fnodes, cpods + pods, [c, d], [service_2048()], [ing],
             events + ingress_events(ing), [profile_output(exists=False), http_output()])
    begin_state()
    c, cpods = controller()
    d, pods, fnodes, events = game(replicas=4)
    ing = ingress()
    snapshot("complete--fail-four-replicas", game_ns(), fnodes, cpods + pods, [c, d], [service_2048()], [ing],
             events + ingress_events(ing), [profile_output(), http_output()])
    begin_state()
    c, cpods = controller()
    d, pods, fnodes, events = game()
    ing = ingress(target_type=None)
    snapshot("complete--fail-instance-mode", game_ns(), fnodes, cpods + pods, [c, d], [service_2048()], [ing],
             events + ingress_events(ing), [profile_output(), http_output(503)])
    begin_state()
    d, pods, fnodes, events = game()
    ing = ingress()
    snapshot("complete--fail-no-controller", game_ns(), fnodes, pods, [d], [service_2048()], [ing],
             events + ingress_events(ing), [profile_output(), http_output()])
