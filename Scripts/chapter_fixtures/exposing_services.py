"""Snapshots of the exposing-services lab: my-nginx behind a ClusterIP (later LoadBalancer)
Service, the curl pod that reads its environment variables and resolves it by DNS, the AWS
Load Balancer Controller, and the 2048 game behind an ALB in instance mode."""

import copy

import access
import kube
from common import begin_state, lab_dir, manifest, node_ip, node_name, place, workers
from fargate import FARGATE_IPS, controller
from kube import event

LAB = "exposing-services"
NS = "default"
GAME_NS = "2048-game"
NGINX_AT = 100
SVC_AT = 110
CURL_AT = 300
LB_AT = 900
GAME_AT = 1500
INGRESS_AT = 1560
NGINX_HASH = "5d9f8c7b64"
GAME_HASH = "6c8d9b7f45"
CLUSTER_IP = "172.20.165.84"
ELB_HOST = "a3f5c7e9b1d24f6a8c0e2b4d6f8a0c2e-1290467735.us-west-2.elb.amazonaws.com"
NLB_HOST = "k8s-default-mynginx-4e7a9c1b3d-5f2a8c6e0b1d3f57.elb.us-west-2.amazonaws.com"
ALB_HOST = "k8s-2048game-2048ingr-9b1e4c7a25-702318594.us-west-2.elb.amazonaws.com"
KLAB = {"klab.dev/lab": LAB, "klab.dev/learner": "ana"}
NGINX_PODS = [place(0, "10.0.1.4"), place(1, "10.0.2.52")]
WELCOME = ('<!DOCTYPE html>\n<html>\n<head>\n<title>Welcome to nginx!</title>\n<style>\nhtml { color-scheme: light '
           'dark; }\nbody { width: 35em; margin: 0 auto;\nfont-family: Tahoma, Verdana, Arial, sans-serif; }\n'
           '</style>\n</head>\n<body>\n<h1>Welcome to nginx!</h1>\n<p>If you see this page, the nginx web server is '
           'successfully installed and\nworking. Further configuration is required.</p>\n</body>\n</html>\n')
GAME_PAGE = ('<!DOCTYPE html>\n<html>\n<head>\n  <meta charset="utf-8">\n  <title>2048</title>\n\n  <link '
             'href="style/main.css" rel="stylesheet" type="text/css">\n</head>\n<body>\n  <div class="container">\n'
             '    <div class="heading">\n      <h1 class="title">2048</h1>\n')


def labelled(m, klab):
    if klab:
        m["metadata"]["labels"] = {**m["metadata"].get("labels", {}), **KLAB}
        if "template" in m.get("spec", {}):
            m["spec"]["template"]["metadata"]["labels"].update(KLAB)
    return m


def nginx(replicas=2, klab=True, unready=()):
    m = labelled(manifest(LAB, "run-my-nginx.yaml"), klab)
    m["spec"]["replicas"] = replicas
    runs = {i: {"my-nginx": kube.ContainerRun(ready=False, started_at=NGINX_AT + 9)} for i in unready}
    pods = kube.deployment_pods(m, NGINX_AT, NGINX_HASH, NGINX_PODS[:replicas], runs=runs)
    ready = replicas - len(unready)
    d = kube.deployment(m, NGINX_AT, (replicas, replicas, ready, ready), NGINX_HASH)
    events = [event(NS, d, "ScalingReplicaSet", f"Scaled up replica set my-nginx-{NGINX_HASH} from 0 to {replicas}",
                    NGINX_AT, "deployment-controller")]
    for p in pods:
        events += kube.start_events(p, "nginx", 4.118, NGINX_AT + 1)
    return d, pods, events


def nginx_service(lb=None, klab=True, selector="my-nginx"):
    """lb: None (ClusterIP), 'pending', 'ready' (a Classic Load Balancer) or 'nlb' (the AWS
    Load Balancer Controller took the Service over)."""
    m = labelled(manifest(LAB, "nginx-svc-lb.yaml" if lb else "nginx-svc.yaml"), klab)
    if selector != "my-nginx":
        m["spec"]["selector"] = {"app": selector}
    s = kube.service(m, SVC_AT, CLUSTER_IP, node_port=30418)
    if lb == "ready":
        s["status"] = {"loadBalancer": {"ingress": [{"hostname": ELB_HOST}]}}
    if lb == "nlb":
        s["spec"]["loadBalancerClass"] = "service.k8s.aws/nlb"
        s["metadata"]["finalizers"] = ["service.k8s.aws/resources"]
        s["status"] = {"loadBalancer": {"ingress": [{"hostname": NLB_HOST}]}}
    if lb:
        s["spec"]["allocateLoadBalancerNodePorts"] = True
    return s


def endpoints(name, namespace, pods, ports, labels=None, not_ready=()):
    addresses, unready = [], []
    for i, p in enumerate(pods):
        a = {"ip": p["status"]["podIP"], "nodeName": p["spec"]["nodeName"],
             "targetRef": {"kind": "Pod", "name": p["metadata"]["name"], "namespace": namespace,
                           "uid": p["metadata"]["uid"]}}
        (unready if i in not_ready else addresses).append(a)
    subset = {}
    if addresses:
        subset["addresses"] = addresses
    if unready:
        subset["notReadyAddresses"] = unready
    subset["ports"] = ports
    e = {"apiVersion": "v1", "kind": "Endpoints",
         "metadata": access.meta("endpoints", name, namespace, SVC_AT, labels=labels,
                                 annotations={"endpoints.kubernetes.io/last-change-trigger-time": kube.ts(SVC_AT + 9)})}
    if addresses or unready:
        e["subsets"] = [subset]
    return e


def nginx_endpoints(pods, klab=True, not_ready=()):
    labels = {"run": "my-nginx", **(KLAB if klab else {})}
    return endpoints("my-nginx", NS, pods, [{"port": 80, "protocol": "TCP"}], labels=labels, not_ready=not_ready)


def curl_pod(created=CURL_AT, klab=True):
    m = labelled(manifest(LAB, "curl.yaml"), klab)
    return kube.pod("curl", NS, created, m["spec"], node_name=node_name(2), node_ip=node_ip(2), pod_ip="10.0.3.77",
                    labels=m["metadata"]["labels"], applied=m)


def printenv(name, value):
    if value is None:
        return access.exec_output(NS, "curl", ["printenv", name], exit_code=1)
    return access.exec_output(NS, "curl", ["printenv", name], stdout=value + "\n")


def no_pod(command):
    """What kubectl exec prints when there is no pod curl: the command never ran."""
    return access.exec_output(NS, "curl", command, exit_code=1,
                              stderr='Error from server (NotFound): pods "curl" not found\n')


def env_outputs(ok=True):
    return [printenv("MY_NGINX_SERVICE_HOST", CLUSTER_IP if ok else None),
            printenv("MY_NGINX_SERVICE_PORT", "80" if ok else None)]


def nslookup(ok=True):
    if ok:
        out = ("Server:    172.20.0.10\nAddress 1: 172.20.0.10 kube-dns.kube-system.svc.cluster.local\n\n"
               f"Name:      my-nginx\nAddress 1: {CLUSTER_IP} my-nginx.default.svc.cluster.local\n")
        return access.exec_output(NS, "curl", ["nslookup", "my-nginx"], stdout=out)
    return access.exec_output(NS, "curl", ["nslookup", "my-nginx"], exit_code=1,
                              stdout="Server:    172.20.0.10\nAddress 1: 172.20.0.10\n\n",
                              stderr="nslookup: can't resolve 'my-nginx'\n")


def wget(ok=True):
    if ok:
        return access.exec_output(NS, "curl", ["wget", "-q", "-O", "-", "my-nginx"], stdout=WELCOME)
    return access.exec_output(NS, "curl", ["wget", "-q", "-O", "-", "my-nginx"], exit_code=1,
                              stderr="wget: bad address 'my-nginx'\n")


def dns_outputs(ok=True):
    return [nslookup(ok), wget(ok)]


def coredns(available=True):
    m = {"apiVersion": "apps/v1", "kind": "Deployment",
         "metadata": {"name": "coredns", "namespace": "kube-system",
                      "labels": {"eks.amazonaws.com/component": "coredns", "k8s-app": "kube-dns",
                                 "kubernetes.io/name": "CoreDNS"}},
         "spec": {"replicas": 2, "selector": {"matchLabels": {"eks.amazonaws.com/component": "coredns",
                                                               "k8s-app": "kube-dns"}},
                  "template": {"metadata": {"labels": {"eks.amazonaws.com/component": "coredns",
                                                       "k8s-app": "kube-dns"}},
                               "spec": {"containers": [{"name": "coredns", "image": "nginx",
                                                        "args": ["-conf", "/etc/coredns/Corefile"]}]}}}}
    m["spec"]["template"]["spec"]["containers"][0]["image"] = "registry.k8s.io/pause:3.10"
    status = (2, 2, 2, 2) if available else (2, 2, 0, 0)
    d = kube.deployment(m, -3 * 86400, status, "5b8f7d6c49")
    del d["metadata"]["annotations"]["kubectl.kubernetes.io/last-applied-configuration"]
    d["spec"]["template"]["spec"]["containers"][0]["image"] = (
        "602401143452.dkr.ecr.us-west-2.amazonaws.com/eks/coredns:v1.11.4-eksbuild.2")
    return d


def game(klab=True, on="ec2", service_type="NodePort"):
    m = labelled(manifest(LAB, "2048-deployment.yaml"), klab)
    replicas = m["spec"]["replicas"]
    nodes = []
    if on == "fargate":
        places = []
        for i in range(replicas):
            ip, zone = FARGATE_IPS[i]
            nodes.append(kube.fargate_node(ip, zone, GAME_AT + 48 + 7 * i, "fp-2048"))
            places.append((nodes[-1]["metadata"]["name"], ip, ip))
        pods = kube.deployment_pods(m, GAME_AT, GAME_HASH, places, scheduler="fargate-scheduler",
                                    extra_labels={"eks.amazonaws.com/fargate-profile": "fp-2048"})
    else:
        pods = kube.deployment_pods(m, GAME_AT, GAME_HASH,
                                    [place(i % 3, f"10.0.{i % 3 + 1}.{200 + i}") for i in range(replicas)])
    d = kube.deployment(m, GAME_AT, (replicas,) * 4, GAME_HASH)
    sm = labelled(manifest(LAB, "2048-service.yaml"), klab)
    sm["spec"]["type"] = service_type
    svc = kube.service(sm, GAME_AT, "172.20.91.203", node_port=31876)
    if service_type == "ClusterIP":
        for port in svc["spec"]["ports"]:
            port.pop("nodePort", None)
    events = [event(GAME_NS, d, "ScalingReplicaSet",
                    f"Scaled up replica set 2048-deployment-{GAME_HASH} from 0 to {replicas}", GAME_AT,
                    "deployment-controller")]
    return d, pods, svc, nodes, events


def ingress(klab=True, target_type="instance", address=True, class_annotation=False):
    m = labelled(manifest(LAB, "2048-ingress.yaml"), klab)
    if target_type is None:
        del m["metadata"]["annotations"]["alb.ingress.kubernetes.io/target-type"]
    else:
        m["metadata"]["annotations"]["alb.ingress.kubernetes.io/target-type"] = target_type
    if class_annotation:
        # the workshop's older YAML: the class as an annotation, no ingressClassName
        del m["spec"]["ingressClassName"]
        m["metadata"]["annotations"]["kubernetes.io/ingress.class"] = "alb"
    ing = {"apiVersion": "networking.k8s.io/v1", "kind": "Ingress",
           "metadata": access.meta("ingress", "2048-ingress", GAME_NS, INGRESS_AT, labels=m["metadata"].get("labels"),
                                   annotations=m["metadata"]["annotations"], applied=m, generation=1),
           "spec": copy.deepcopy(m["spec"]),
           "status": {"loadBalancer": {"ingress": [{"hostname": ALB_HOST}]} if address else {}}}
    if address:
        ing["metadata"]["finalizers"] = ["ingress.k8s.aws/resources"]
    return ing


def ingress_events(ing, error=None):
    if error:
        return [event(GAME_NS, ing, "FailedDeployModel", error, INGRESS_AT + 3, "ingress", count=4,
                      kind_type="Warning")]
    return [event(GAME_NS, ing, "SuccessfullyReconciled", "Successfully reconciled", INGRESS_AT + 3, "ingress")]


def ingress_class():
    return {"apiVersion": "networking.k8s.io/v1", "kind": "IngressClass",
            "metadata": access.meta("ingressclass", "alb", None, -86400,
                                    labels={"app.kubernetes.io/instance": "aws-load-balancer-controller",
                                            "app.kubernetes.io/managed-by": "Helm",
                                            "app.kubernetes.io/name": "aws-load-balancer-controller"},
                                    generation=1),
            "spec": {"controller": "ingress.k8s.aws/alb"}}


def http_nginx(status=200, host=ELB_HOST):
    return access.http_output(f"http://{host}/", status, WELCOME if status == 200 else "")


def http_game(status=200):
    return access.http_output(f"http://{ALB_HOST}/", status, GAME_PAGE if status == 200 else "")


class State:
    """What one snapshot holds, built up step by step."""

    def __init__(self, klab=True):
        self.klab = klab
        self.namespaces = access.system_namespaces()
        self.nodes = workers()
        self.pods, self.deployments, self.services, self.endpoints = [], [coredns()], [], []
        self.ingresses, self.ingress_classes, self.events, self.outputs = [], [], [], []

    def add_nginx(self, replicas=2, unready=(), lb=None, selector="my-nginx"):
        d, pods, events = nginx(replicas, self.klab, unready)
        self.deployments.append(d)
        self.pods += pods
        self.events += events
        self.services.append(nginx_service(lb, self.klab, selector))
        if selector == "my-nginx":
            self.endpoints.append(nginx_endpoints(pods, self.klab, not_ready=unready))
        else:
            self.endpoints.append(nginx_endpoints([], self.klab))
        return self

    def add_curl(self, created=CURL_AT):
        self.pods.append(curl_pod(created, self.klab))
        return self

    def add_controller(self, ready=True):
        c, cpods = controller(ready)
        self.deployments.append(c)
        self.pods += cpods
        self.ingress_classes.append(ingress_class())
        return self

    def add_game(self, on="ec2", service_type="NodePort", **ingress_options):
        error = ingress_options.pop("error", None)
        d, pods, svc, nodes, events = game(self.klab, on, service_type)
        self.namespaces.append(kube.namespace_object(GAME_NS, GAME_AT - 60, labels=KLAB if self.klab else None))
        self.deployments.append(d)
        self.pods += pods
        self.services.append(svc)
        self.nodes += nodes
        self.events += events
        ing = ingress(self.klab, **ingress_options)
        self.ingresses.append(ing)
        self.events += ingress_events(ing, error)
        if not (on == "fargate"):
            self.endpoints.append(endpoints("service-2048", GAME_NS, pods, [{"port": 80, "protocol": "TCP"}]))
        return self

    def write(self, name):
        access.snapshot(lab_dir(LAB), name, {
            "namespaces.json": self.namespaces, "nodes.json": self.nodes, "pods.json": self.pods,
            "deployments.json": self.deployments, "services.json": self.services,
            "endpoints.json": self.endpoints, "ingresses.json": self.ingresses,
            "ingressclasses.json": self.ingress_classes, "events.json": self.events,
        }, outputs=self.outputs)


def generate():
    kube.clean_fixtures(lab_dir(LAB))

    # step cluster-ip
    begin_state()
    State().add_nginx().write("cluster-ip--pass")
    begin_state()
    State().add_nginx(selector="my-nginx-app").write("cluster-ip--fail-selector-matches-no-pod")
    begin_state()
    State().add_nginx(replicas=1).write("cluster-ip--fail-one-replica")
    begin_state()
    State().add_nginx(unready=(1,)).write("cluster-ip--fail-pod-not-ready")

    # step environment
    begin_state()
    s = State().add_nginx().add_curl()
    s.outputs = env_outputs()
    s.write("environment--pass")
    begin_state()
    s = State().add_nginx().add_curl(created=NGINX_AT - 50)  # curl started before the Service existed
    s.outputs = env_outputs(ok=False)
    s.write("environment--fail-curl-older-than-service")
    begin_state()
    s = State().add_nginx()
    s.outputs = [no_pod(["printenv", "MY_NGINX_SERVICE_HOST"]), no_pod(["printenv", "MY_NGINX_SERVICE_PORT"])]
    s.write("environment--fail-no-curl-pod")

    # step dns
    begin_state()
    s = State().add_nginx().add_curl()
    s.outputs = dns_outputs()
    s.write("dns--pass")
    begin_state()
    s = State().add_nginx().add_curl()
    s.deployments[0] = coredns(available=False)
    s.outputs = dns_outputs(ok=False)
    s.write("dns--fail-coredns-down")
    begin_state()
    s = State().add_nginx()
    s.outputs = [no_pod(["nslookup", "my-nginx"]), no_pod(["wget", "-q", "-O", "-", "my-nginx"])]
    s.write("dns--fail-no-curl-pod")

    # step load-balancer
    begin_state()
    s = State().add_nginx(lb="ready").add_curl()
    s.outputs = [http_nginx()]
    s.write("load-balancer--pass")
    begin_state()
    s = State().add_nginx(lb="nlb").add_controller().add_curl()
    s.outputs = [http_nginx(host=NLB_HOST)]
    s.write("load-balancer--pass-network-load-balancer")
    begin_state()
    State().add_nginx(lb="pending").add_curl().write("load-balancer--fail-pending")
    begin_state()
    State().add_nginx().add_curl().write("load-balancer--fail-still-cluster-ip")

    # step load-balancer-controller
    begin_state()
    State().add_nginx(lb="ready").add_controller().write("load-balancer-controller--pass")
    begin_state()
    State().add_nginx(lb="ready").write("load-balancer-controller--fail-not-installed")
    begin_state()
    State().add_nginx(lb="ready").add_controller(ready=False).write("load-balancer-controller--fail-crash-looping")

    # step ingress
    begin_state()
    s = State().add_nginx(lb="ready").add_controller().add_game()
    s.outputs = [http_game()]
    s.write("ingress--pass")
    begin_state()
    s = State().add_nginx(lb="ready").add_controller().add_game(target_type="ip")
    s.outputs = [http_game()]
    s.write("ingress--fail-ip-mode")
    begin_state()
    s = State().add_nginx(lb="ready").add_controller().add_game(
        service_type="ClusterIP", address=False,
        error='Failed deploy model due to InvalidParameter: 1 validation error(s) found.\n- service "service-2048" '
              'must be of type NodePort or LoadBalancer when targetType is instance')
    s.write("ingress--fail-cluster-ip-service")
    begin_state()
    s = State().add_nginx(lb="ready").add_controller().add_game(on="fargate", address=True)
    s.outputs = [http_game(504)]
    s.write("ingress--fail-pods-on-fargate")

    # completion: applied by hand from the workshop's pages (no klab labels) in complete
    def complete(klab=True, **changes):
        s = State(klab)
        s.add_nginx(replicas=changes.get("replicas", 2), lb=changes.get("lb", "ready"))
        if changes.get("curl", True):
            s.add_curl(created=changes.get("curl_at", CURL_AT))
        if changes.get("controller", True):
            s.add_controller()
        if klab:
            s.add_game(target_type=changes.get("target_type", "instance"))
        else:
            # the workshop's older YAML: class as an annotation, instance mode by default
            s.add_game(target_type=None, class_annotation=True)
        s.outputs = [no_pod(["printenv", "MY_NGINX_SERVICE_HOST"]), no_pod(["nslookup", "my-nginx"])]
        if changes.get("curl", True):
            s.outputs = [printenv("MY_NGINX_SERVICE_HOST", CLUSTER_IP if changes.get("env", True) else None),
                         nslookup()]
        return s

    begin_state()
    complete(klab=False).write("complete")
    begin_state()
    complete(lb=None).write("complete--fail-still-cluster-ip")
    begin_state()
    complete(target_type="ip").write("complete--fail-ip-mode")
    begin_state()
    complete(controller=False).write("complete--fail-no-controller")
    begin_state()
    complete(replicas=1).write("complete--fail-one-nginx-replica")
    begin_state()
    complete(curl=False).write("complete--fail-no-curl-pod")
    begin_state()
    complete(curl_at=NGINX_AT - 50, env=False).write("complete--fail-curl-without-service-variables")
