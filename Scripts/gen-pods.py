#!/usr/bin/env python3
"""Writes a realistic `kubectl get pods -A -o json` of N pods (default 5,000, about 40 MB).

The pods look like those of an EKS cluster: Deployment and DaemonSet pods with several
containers, probes, resources, projected service-account volumes, managedFields, conditions
and container statuses, spread over namespaces and nodes. The output is deterministic (a
fixed seed), pretty-printed with four spaces as kubectl prints it.

    Scripts/gen-pods.py [--pods N] [--seed S] OUT.json
"""
import argparse
import hashlib
import json
import random

NAMESPACES = ["default", "kube-system", "shop", "payments", "checkout", "catalog", "orders",
              "monitoring", "logging", "ingress-nginx", "cert-manager", "argocd", "data",
              "search", "auth", "frontend", "backend", "batch", "ml", "team-a"]
APPS = ["web", "api", "worker", "redis", "cart", "checkout", "catalog", "orders", "payments",
        "search", "auth", "frontend", "gateway", "scheduler", "exporter", "fluent-bit",
        "aws-node", "kube-proxy", "coredns", "ebs-csi-node"]
IMAGES = ["public.ecr.aws/nginx/nginx:1.25.3", "redis:7.2.4-alpine",
          "602401143452.dkr.ecr.us-west-2.amazonaws.com/amazon-k8s-cni:v1.16.0-eksbuild.1",
          "602401143452.dkr.ecr.us-west-2.amazonaws.com/eks/kube-proxy:v1.29.0-minimal-eksbuild.1",
          "ghcr.io/example/shop/api:2.14.1", "ghcr.io/example/shop/worker:2.14.1",
          "docker.io/bitnami/postgresql:16.1.0", "quay.io/prometheus/node-exporter:v1.7.0",
          "public.ecr.aws/aws-observability/aws-for-fluent-bit:2.32.0"]


def uid(rng):
    h = "%032x" % rng.getrandbits(128)
    return "%s-%s-%s-%s-%s" % (h[:8], h[8:12], h[12:16], h[16:20], h[20:])


def stamp(rng, day=None):
    d = day if day is not None else rng.randint(1, 28)
    return "2024-03-%02dT%02d:%02d:%02dZ" % (d, rng.randint(0, 23), rng.randint(0, 59), rng.randint(0, 59))


def managed_fields(containers, t):
    fields = {"f:metadata": {"f:generateName": {}, "f:labels": {".": {}, "f:app": {}, "f:pod-template-hash": {}},
                             "f:ownerReferences": {".": {}, "k:{\"uid\":\"x\"}": {}}},
              "f:spec": {"f:dnsPolicy": {}, "f:restartPolicy": {}, "f:schedulerName": {}}}
    fields["f:spec"]["k:{\"name\":\"%s\"}" % containers[0]] = {".": {}, "f:image": {}, "f:name": {}}
    status = {"f:status": {"f:conditions": {"k:{\"type\":\"Ready\"}": {".": {}, "f:lastProbeTime": {}, "f:lastTransitionTime": {}, "f:status": {}, "f:type": {}}},
                          "f:containerStatuses": {}, "f:hostIP": {}, "f:phase": {}, "f:podIP": {}, "f:podIPs": {".": {}, "k:{\"ip\":\"10.0.0.1\"}": {".": {}, "f:ip": {}}}, "f:startTime": {}}}
    return [
        {"apiVersion": "v1", "fieldsType": "FieldsV1", "fieldsV1": fields, "manager": "kube-controller-manager", "operation": "Update", "time": t},
        {"apiVersion": "v1", "fieldsType": "FieldsV1", "fieldsV1": status, "manager": "kubelet", "operation": "Update", "subresource": "status", "time": t},
    ]


def container(rng, name, image, restarts, running, t, main):
    spec = {
        "env": [{"name": "AWS_REGION", "value": "us-west-2"}, {"name": "LOG_LEVEL", "value": rng.choice(["info", "debug"])}],
        "image": image, "imagePullPolicy": "IfNotPresent",
        "livenessProbe": {"failureThreshold": 3, "httpGet": {"path": "/healthz", "port": 8080, "scheme": "HTTP"},
                          "initialDelaySeconds": 10, "periodSeconds": 10, "successThreshold": 1, "timeoutSeconds": 1},
        "name": name,
        "ports": [{"containerPort": 8080, "name": "http", "protocol": "TCP"}],
        "readinessProbe": {"failureThreshold": 3, "httpGet": {"path": "/ready", "port": 8080, "scheme": "HTTP"},
                           "periodSeconds": 5, "successThreshold": 1, "timeoutSeconds": 1},
        "resources": {"limits": {"memory": "%dMi" % rng.choice([128, 256, 512])},
                      "requests": {"cpu": "%dm" % rng.choice([50, 100, 250, 500]), "memory": "%dMi" % rng.choice([64, 128, 256])}},
        "securityContext": {"runAsNonRoot": True},
        "terminationMessagePath": "/dev/termination-log", "terminationMessagePolicy": "File",
        "volumeMounts": [{"mountPath": "/var/run/secrets/kubernetes.io/serviceaccount", "name": "kube-api-access-%05x" % rng.getrandbits(20), "readOnly": True}],
    }
    if not main:
        # Sidecars are lighter: no probes, no environment.
        for key in ("env", "livenessProbe", "readinessProbe", "ports"):
            del spec[key]
    digest = hashlib.sha256(image.encode()).hexdigest()
    status = {"containerID": "containerd://%064x" % rng.getrandbits(256), "image": image,
              "imageID": image.split(":")[0] + "@sha256:" + digest, "name": name,
              "ready": running, "restartCount": restarts, "started": running,
              "state": {"running": {"startedAt": t}} if running else {"waiting": {"reason": "ContainerCreating"}}}
    status["lastState"] = {"terminated": {"containerID": "containerd://%064x" % rng.getrandbits(256), "exitCode": 137,
                                          "finishedAt": t, "reason": "OOMKilled", "startedAt": t}} if restarts else {}
    return spec, status


def pod(rng, n):
    ns = NAMESPACES[n % len(NAMESPACES)] if rng.random() < 0.9 else rng.choice(NAMESPACES)
    app = rng.choice(APPS)
    rs_hash = "%010x" % rng.getrandbits(40)
    name = "%s-%s-%05x" % (app, rs_hash[:10], rng.getrandbits(20))
    node_ip = "10.0.%d.%d" % (rng.randint(0, 63), rng.randint(1, 254))
    node = "ip-%s.us-west-2.compute.internal" % node_ip.replace(".", "-")
    phase = rng.choices(["Running", "Pending", "Succeeded", "Failed"], [85, 8, 4, 3])[0]
    running = phase == "Running"
    t = stamp(rng)
    names = [app] + rng.sample(["istio-proxy", "log-shipper", "metrics", "config-reloader"], rng.choice([0, 0, 1, 1]))
    specs, statuses = [], []
    for c in names:
        restarts = rng.choice([0] * 8 + [1, 3])
        s, st = container(rng, c, rng.choice(IMAGES), restarts, running, t, c == app)
        specs.append(s)
        statuses.append(st)
    ready = "True" if running else "False"
    pod_ip = "10.0.%d.%d" % (rng.randint(64, 127), rng.randint(1, 254))
    return {
        "apiVersion": "v1", "kind": "Pod",
        "metadata": {
            "annotations": {"kubernetes.io/psp": "eks.privileged", "prometheus.io/scrape": "true",
                            "prometheus.io/port": "9102", "kubectl.kubernetes.io/restartedAt": t},
            "creationTimestamp": t, "generateName": "%s-%s-" % (app, rs_hash),
            "labels": {"app": app, "app.kubernetes.io/name": app, "app.kubernetes.io/part-of": "shop",
                       "pod-template-hash": rs_hash, "version": "v%d" % rng.randint(1, 4)},
            "managedFields": managed_fields(names, t),
            "name": name, "namespace": ns,
            "ownerReferences": [{"apiVersion": "apps/v1", "blockOwnerDeletion": True, "controller": True,
                                 "kind": "ReplicaSet", "name": "%s-%s" % (app, rs_hash), "uid": uid(rng)}],
            "resourceVersion": str(rng.randint(1000000, 99999999)), "uid": uid(rng),
        },
        "spec": {
            "containers": specs, "dnsPolicy": "ClusterFirst", "enableServiceLinks": True,
            "nodeName": node, "preemptionPolicy": "PreemptLowerPriority", "priority": 0,
            "restartPolicy": "Always", "schedulerName": "default-scheduler",
            "securityContext": {"fsGroup": 65534}, "serviceAccount": app, "serviceAccountName": app,
            "terminationGracePeriodSeconds": 30,
            "tolerations": [{"effect": "NoExecute", "key": "node.kubernetes.io/unreachable", "operator": "Exists", "tolerationSeconds": 300}],
            "volumes": [{"name": "kube-api-access", "projected": {"defaultMode": 420, "sources": [
                {"serviceAccountToken": {"expirationSeconds": 3607, "path": "token"}},
                {"configMap": {"items": [{"key": "ca.crt", "path": "ca.crt"}], "name": "kube-root-ca.crt"}}]}}],
        },
        "status": {
            "conditions": [{"lastProbeTime": None, "lastTransitionTime": t, "status": "True", "type": "Initialized"},
                           {"lastProbeTime": None, "lastTransitionTime": t, "status": ready, "type": "Ready"},
                           {"lastProbeTime": None, "lastTransitionTime": t, "status": "True", "type": "PodScheduled"}],
            "containerStatuses": statuses, "hostIP": node_ip, "hostIPs": [{"ip": node_ip}],
            "phase": phase, "podIP": pod_ip, "podIPs": [{"ip": pod_ip}], "qosClass": "Burstable", "startTime": t,
        },
    }


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pods", type=int, default=5000)
    parser.add_argument("--seed", type=int, default=2024)
    parser.add_argument("out")
    args = parser.parse_args()
    rng = random.Random(args.seed)
    doc = {"apiVersion": "v1", "items": [pod(rng, n) for n in range(args.pods)], "kind": "List",
           "metadata": {"resourceVersion": ""}}
    with open(args.out, "w") as f:
        json.dump(doc, f, indent=4, sort_keys=True, ensure_ascii=False)
        f.write("\n")


if __name__ == "__main__":
    main()
