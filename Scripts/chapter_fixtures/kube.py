"""Builders for Kubernetes objects as `kubectl get -o json` prints them on EKS 1.32.

Everything is deterministic: uids, hashes and container ids derive from names, times from
offsets (in seconds) after a fixed start, so regenerating the fixtures gives the same bytes.
"""

import copy
import hashlib
import json
import os
import shutil
import uuid
from datetime import datetime, timedelta, timezone

START = datetime(2026, 11, 25, 14, 0, 0, tzinfo=timezone.utc)
REGION = "us-west-2"
ZONE_IDS = {"us-west-2a": "usw2-az1", "us-west-2b": "usw2-az2", "us-west-2c": "usw2-az3"}
KUBELET = "v1.32.3-eks-473151a"
FARGATE_KUBELET = "v1.32.3-eks-4a79c6a"


def ts(seconds):
    return (START + timedelta(seconds=seconds)).strftime("%Y-%m-%dT%H:%M:%SZ")


def micro_ts(seconds):
    return (START + timedelta(seconds=seconds)).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def uid(*key):
    return str(uuid.uuid5(uuid.NAMESPACE_URL, "klab-fixture/" + "/".join(key)))


def hexdigest(*key, length=64):
    return hashlib.sha256("/".join(key).encode()).hexdigest()[:length]


def pod_hash(*key):
    """A pod-template-hash like the deployment controller makes (10 chars, safe alphabet)."""
    alphabet = "bcdfghjklmnpqrstvwxz2456789"
    digest = hashlib.sha256("/".join(key).encode()).digest()
    return "".join(alphabet[b % len(alphabet)] for b in digest[:10])


def suffix(*key, length=5):
    alphabet = "bcdfghjklmnpqrstvwxz2456789"
    digest = hashlib.sha256(("sfx/" + "/".join(key)).encode()).digest()
    return "".join(alphabet[b % len(alphabet)] for b in digest[:length])


class ResourceVersions:
    """Hands out increasing resourceVersions, as etcd revisions grow."""

    def __init__(self, start=1187340):
        self.value = start

    def next(self):
        self.value += 17
        return str(self.value)


RV = ResourceVersions()


def last_applied(manifest):
    return json.dumps(manifest, separators=(",", ":")) + "\n"


def ip_name(ip):
    return "ip-" + ip.replace(".", "-") + f".{REGION}.compute.internal"


# ---------------------------------------------------------------- nodes


def node(ip, zone, created, nodegroup="workers", instance_type="t3.medium", labels=None,
         ready=True, unschedulable=False, taints=None):
    name = ip_name(ip)
    instance = "i-0" + hexdigest("instance", name, length=16)
    all_labels = {
        "beta.kubernetes.io/arch": "amd64",
        "beta.kubernetes.io/instance-type": instance_type,
        "beta.kubernetes.io/os": "linux",
        "eks.amazonaws.com/capacityType": "ON_DEMAND",
        "eks.amazonaws.com/nodegroup": nodegroup,
        "eks.amazonaws.com/nodegroup-image": "ami-0d1e7c6b5a4f3e2d1",
        "eks.amazonaws.com/sourceLaunchTemplateId": "lt-0a1b2c3d4e5f60718",
        "eks.amazonaws.com/sourceLaunchTemplateVersion": "1",
        "failure-domain.beta.kubernetes.io/region": REGION,
        "failure-domain.beta.kubernetes.io/zone": zone,
        "k8s.io/cloud-provider-aws": "5f7a1c2b3d4e5f60718293a4b5c6d7e8",
        "kubernetes.io/arch": "amd64",
        "kubernetes.io/hostname": name,
        "kubernetes.io/os": "linux",
        "node.kubernetes.io/instance-type": instance_type,
        "topology.k8s.aws/zone-id": ZONE_IDS[zone],
        "topology.kubernetes.io/region": REGION,
        "topology.kubernetes.io/zone": zone,
    }
    all_labels.update(labels or {})
    spec = {"providerID": f"aws:///{zone}/{instance}"}
    node_taints = list(taints or [])
    if unschedulable:
        spec["unschedulable"] = True
        node_taints.append({"effect": "NoSchedule", "key": "node.kubernetes.io/unschedulable",
                            "timeAdded": ts(created + 3000)})
    if node_taints:
        spec["taints"] = node_taints
    return {
        "apiVersion": "v1",
        "kind": "Node",
        "metadata": {
            "annotations": {
                "alpha.kubernetes.io/provided-node-ip": ip,
                "node.alpha.kubernetes.io/ttl": "0",
                "volumes.kubernetes.io/controller-managed-attach-detach": "true",
            },
            "creationTimestamp": ts(created),
            "labels": dict(sorted(all_labels.items())),
            "name": name,
            "resourceVersion": RV.next(),
            "uid": uid("node", name),
        },
        "spec": spec,
        "status": {
            "addresses": [
                {"address": ip, "type": "InternalIP"},
                {"address": name, "type": "InternalDNS"},
                {"address": name, "type": "Hostname"},
            ],
            "allocatable": {"cpu": "1930m", "ephemeral-storage": "18242267924", "hugepages-1Gi": "0",
                            "hugepages-2Mi": "0", "memory": "3364756Ki", "pods": "17"},
            "capacity": {"cpu": "2", "ephemeral-storage": "20959212Ki", "hugepages-1Gi": "0",
                         "hugepages-2Mi": "0", "memory": "3919252Ki", "pods": "17"},
            "conditions": node_conditions(created, ready),
            "daemonEndpoints": {"kubeletEndpoint": {"Port": 10250}},
            "images": [
                {"names": ["602401143452.dkr.ecr.us-west-2.amazonaws.com/amazon-k8s-cni@sha256:" + hexdigest("cni"),
                           "602401143452.dkr.ecr.us-west-2.amazonaws.com/amazon-k8s-cni:v1.19.2-eksbuild.1"],
                 "sizeBytes": 48513246},
                {"names": ["602401143452.dkr.ecr.us-west-2.amazonaws.com/eks/kube-proxy@sha256:" + hexdigest("kp"),
                           "602401143452.dkr.ecr.us-west-2.amazonaws.com/eks/kube-proxy:v1.32.0-minimal-eksbuild.2"],
                 "sizeBytes": 36016012},
            ],
            "nodeInfo": {
                "architecture": "amd64",
                "bootID": uid("boot", name),
                "containerRuntimeVersion": "containerd://1.7.25",
                "kernelVersion": "6.1.128-136.201.amzn2023.x86_64",
                "kubeProxyVersion": "",
                "kubeletVersion": KUBELET,
                "machineID": hexdigest("machine", name, length=32),
                "operatingSystem": "linux",
                "osImage": "Amazon Linux 2023.6.20250303",
                "systemUUID": "ec2" + hexdigest("sys", name, length=5) + "-" + hexdigest("sys2", name, length=4)
                              + "-" + hexdigest("sys3", name, length=4) + "-" + hexdigest("sys4", name, length=4)
                              + "-" + hexdigest("sys5", name, length=12),
            },
        },
    }


def fargate_node(ip, zone, created, profile):
    name = "fargate-" + ip_name(ip)
    host = ip_name(ip)
    labels = {
        "beta.kubernetes.io/arch": "amd64",
        "beta.kubernetes.io/os": "linux",
        "eks.amazonaws.com/compute-type": "fargate",
        "failure-domain.beta.kubernetes.io/region": REGION,
        "failure-domain.beta.kubernetes.io/zone": zone,
        "kubernetes.io/arch": "amd64",
        "kubernetes.io/hostname": host,
        "kubernetes.io/os": "linux",
        "topology.k8s.aws/zone-id": ZONE_IDS[zone],
        "topology.kubernetes.io/region": REGION,
        "topology.kubernetes.io/zone": zone,
    }
    return {
        "apiVersion": "v1",
        "kind": "Node",
        "metadata": {
            "annotations": {
                "node.alpha.kubernetes.io/ttl": "0",
                "volumes.kubernetes.io/controller-managed-attach-detach": "true",
            },
            "creationTimestamp": ts(created),
            "labels": labels,
            "name": name,
            "resourceVersion": RV.next(),
            "uid": uid("node", name),
        },
        "spec": {
            "providerID": f"aws:///{zone}/{hexdigest('fargate-task', name, length=10)}-{hexdigest('task', name, length=32)}/{name}",
            "taints": [{"effect": "NoSchedule", "key": "eks.amazonaws.com/compute-type", "value": "fargate"}],
        },
        "status": {
            "addresses": [
                {"address": ip, "type": "InternalIP"},
                {"address": host, "type": "InternalDNS"},
                {"address": host, "type": "Hostname"},
            ],
            "allocatable": {"cpu": "2", "ephemeral-storage": "19316009748", "hugepages-1Gi": "0",
                            "hugepages-2Mi": "0", "memory": "3900484Ki", "pods": "1"},
            "capacity": {"cpu": "2", "ephemeral-storage": "30787492Ki", "hugepages-1Gi": "0",
                         "hugepages-2Mi": "0", "memory": "4002884Ki", "pods": "1"},
            "conditions": node_conditions(created, True),
            "daemonEndpoints": {"kubeletEndpoint": {"Port": 10250}},
            "nodeInfo": {
                "architecture": "amd64",
                "bootID": uid("boot", name),
                "containerRuntimeVersion": "containerd://1.7.27",
                "kernelVersion": "5.10.234-225.910.amzn2.x86_64",
                "kubeProxyVersion": "",
                "kubeletVersion": FARGATE_KUBELET,
                "machineID": "",
                "operatingSystem": "linux",
                "osImage": "Amazon Linux 2",
                "systemUUID": "ec2" + hexdigest("sys", name, length=5) + "-" + hexdigest("sys2", name, length=4)
                              + "-" + hexdigest("sys3", name, length=4) + "-" + hexdigest("sys4", name, length=4)
                              + "-" + hexdigest("sys5", name, length=12),
            },
        },
    }


def node_conditions(created, ready):
    t = ts(created + 12)
    now = ts(created + 30)
    conds = [
        {"lastHeartbeatTime": now, "lastTransitionTime": ts(created), "message": "kubelet has sufficient memory available",
         "reason": "KubeletHasSufficientMemory", "status": "False", "type": "MemoryPressure"},
        {"lastHeartbeatTime": now, "lastTransitionTime": ts(created), "message": "kubelet has no disk pressure",
         "reason": "KubeletHasNoDiskPressure", "status": "False", "type": "DiskPressure"},
        {"lastHeartbeatTime": now, "lastTransitionTime": ts(created), "message": "kubelet has sufficient PID available",
         "reason": "KubeletHasSufficientPID", "status": "False", "type": "PIDPressure"},
    ]
    if ready:
        conds.append({"lastHeartbeatTime": now, "lastTransitionTime": t, "message": "kubelet is posting ready status",
                      "reason": "KubeletReady", "status": "True", "type": "Ready"})
    else:
        conds.append({"lastHeartbeatTime": now, "lastTransitionTime": t,
                      "message": "Kubelet stopped posting node status.", "reason": "NodeStatusUnknown",
                      "status": "Unknown", "type": "Ready"})
    return conds


# ---------------------------------------------------------------- pods

DEFAULT_TOLERATIONS = [
    {"effect": "NoExecute", "key": "node.kubernetes.io/not-ready", "operator": "Exists", "tolerationSeconds": 300},
    {"effect": "NoExecute", "key": "node.kubernetes.io/unreachable", "operator": "Exists", "tolerationSeconds": 300},
]

IMAGE_DIGESTS = {
    "brentley/ecsdemo-nodejs": ("docker.io/brentley/ecsdemo-nodejs:latest", "docker.io/brentley/ecsdemo-nodejs@sha256:"),
    "alpine": ("docker.io/library/alpine:latest", "docker.io/library/alpine@sha256:"),
    "nginx": ("docker.io/library/nginx:latest", "docker.io/library/nginx@sha256:"),
    "alexwhen/docker-2048": ("docker.io/alexwhen/docker-2048:latest", "docker.io/alexwhen/docker-2048@sha256:"),
    "redis:3.2-alpine": ("docker.io/library/redis:3.2-alpine", "docker.io/library/redis@sha256:"),
    "nginx:1.16-alpine": ("docker.io/library/nginx:1.16-alpine", "docker.io/library/nginx@sha256:"),
    "registry.k8s.io/pause:3.10": ("registry.k8s.io/pause:3.10", "registry.k8s.io/pause@sha256:"),
    "public.ecr.aws/eks/aws-load-balancer-controller:v2.11.0": (
        "public.ecr.aws/eks/aws-load-balancer-controller:v2.11.0",
        "public.ecr.aws/eks/aws-load-balancer-controller@sha256:"),
}


def container_spec(c):
    """Fills in the defaults the API server adds to a container."""
    out = dict(c)
    image = out["image"]
    out.setdefault("imagePullPolicy", "IfNotPresent" if ":" in image.split("/")[-1] else "Always")
    out.setdefault("resources", {})
    out.setdefault("terminationMessagePath", "/dev/termination-log")
    out.setdefault("terminationMessagePolicy", "File")
    for key in ("livenessProbe", "readinessProbe"):
        if key in out:
            probe = dict(out[key])
            if "httpGet" in probe:
                probe["httpGet"] = {**probe["httpGet"], "scheme": "HTTP"}
            probe.setdefault("failureThreshold", 3)
            probe.setdefault("successThreshold", 1)
            probe.setdefault("timeoutSeconds", 1)
            out[key] = dict(sorted(probe.items()))
    if "ports" in out:
        out["ports"] = [{**p, "protocol": p.get("protocol", "TCP")} for p in out["ports"]]
    return dict(sorted(out.items()))


def pod_template_spec(spec):
    out = dict(spec)
    out["containers"] = [container_spec(c) for c in spec["containers"]]
    out.setdefault("dnsPolicy", "ClusterFirst")
    out.setdefault("restartPolicy", "Always")
    out.setdefault("schedulerName", "default-scheduler")
    out.setdefault("securityContext", {})
    out.setdefault("terminationGracePeriodSeconds", 30)
    return dict(sorted(out.items()))


class ContainerRun:
    """How one container of a pod is doing."""

    def __init__(self, ready=True, restarts=0, started_at=0, last_terminated=None, waiting=None):
        self.ready = ready
        self.restarts = restarts
        self.started_at = started_at
        self.last_terminated = last_terminated  # (exitCode, reason, started, finished)
        self.waiting = waiting  # (reason, message)


def pod(name, namespace, created, spec, node_name=None, node_ip=None, pod_ip=None, labels=None,
        owner=None, generate_name=None, runs=None, annotations=None, unschedulable_message=None,
        applied=None):
    """A pod. `runs` maps container name → ContainerRun; absent means running and ready."""
    full_spec = pod_template_spec(spec)
    token = "kube-api-access-" + suffix("token", namespace, name)
    mount = {"mountPath": "/var/run/secrets/kubernetes.io/serviceaccount", "name": token, "readOnly": True}
    full_spec["containers"] = [dict(sorted({**c, "volumeMounts": c.get("volumeMounts", []) + [mount]}.items()))
                               for c in full_spec["containers"]]
    full_spec["enableServiceLinks"] = True
    full_spec["preemptionPolicy"] = "PreemptLowerPriority"
    full_spec["priority"] = 0
    full_spec.setdefault("serviceAccountName", "default")
    full_spec["serviceAccount"] = full_spec["serviceAccountName"]
    full_spec["tolerations"] = full_spec.get("tolerations", []) + DEFAULT_TOLERATIONS
    full_spec["volumes"] = [{
        "name": token,
        "projected": {"defaultMode": 420, "sources": [
            {"serviceAccountToken": {"expirationSeconds": 3607, "path": "token"}},
            {"configMap": {"items": [{"key": "ca.crt", "path": "ca.crt"}], "name": "kube-root-ca.crt"}},
            {"downwardAPI": {"items": [{"fieldRef": {"apiVersion": "v1", "fieldPath": "metadata.namespace"},
                                        "path": "namespace"}]}},
        ]},
    }]
    if node_name:
        full_spec["nodeName"] = node_name
    full_spec = dict(sorted(full_spec.items()))

    meta = {"creationTimestamp": ts(created)}
    if annotations or applied:
        meta["annotations"] = dict(annotations or {})
        if applied:
            meta["annotations"]["kubectl.kubernetes.io/last-applied-configuration"] = last_applied(applied)
    if generate_name:
        meta["generateName"] = generate_name
    if labels:
        meta["labels"] = dict(sorted(labels.items()))
    meta["name"] = name
    meta["namespace"] = namespace
    if owner:
        meta["ownerReferences"] = [{"apiVersion": "apps/v1", "blockOwnerDeletion": True, "controller": True,
                                    "kind": "ReplicaSet", "name": owner, "uid": uid("replicaset", namespace, owner)}]
    meta["resourceVersion"] = RV.next()
    meta["uid"] = uid("pod", namespace, name, str(created))

    if not node_name:
        status = {
            "conditions": [{
                "lastProbeTime": None, "lastTransitionTime": ts(created), "message": unschedulable_message,
                "reason": "Unschedulable", "status": "False", "type": "PodScheduled"}],
            "phase": "Pending",
            "qosClass": "BestEffort",
        }
        return {"apiVersion": "v1", "kind": "Pod", "metadata": meta, "spec": full_spec, "status": status}

    runs = runs or {}
    statuses = []
    all_ready = True
    any_waiting = False
    for c in full_spec["containers"]:
        run = runs.get(c["name"], ContainerRun(started_at=created + 8))
        image, digest_prefix = IMAGE_DIGESTS[c["image"]]
        st = {
            "containerID": "containerd://" + hexdigest("container", namespace, name, c["name"], str(run.restarts)),
            "image": image,
            "imageID": digest_prefix + hexdigest("image", c["image"]),
            "lastState": {},
            "name": c["name"],
            "ready": run.ready,
            "restartCount": run.restarts,
            "started": run.waiting is None,
            "state": {"running": {"startedAt": ts(run.started_at)}},
            "volumeMounts": [{**mount, "recursiveReadOnly": "Disabled"}],
        }
        if run.waiting:
            any_waiting = any_waiting or run.restarts == 0  # crash-looping pods stay Running
            reason, message = run.waiting
            if run.restarts == 0:
                del st["containerID"]
                st["image"] = c["image"]
                st["imageID"] = ""
            st["state"] = {"waiting": {"reason": reason, **({"message": message} if message else {})}}
        if run.last_terminated:
            code, reason, started, finished = run.last_terminated
            st["lastState"] = {"terminated": {
                "containerID": "containerd://" + hexdigest("container", namespace, name, c["name"], str(run.restarts - 1)),
                "exitCode": code, "finishedAt": ts(finished), "reason": reason, "startedAt": ts(started)}}
        all_ready = all_ready and run.ready
        statuses.append(st)

    started = max(r.started_at for r in runs.values()) if runs else created + 8
    not_ready_names = [s["name"] for s in statuses if not s["ready"]]
    ready_cond = {"lastProbeTime": None, "lastTransitionTime": ts(started + (6 if all_ready else 0)),
                  "status": "True" if all_ready else "False", "type": "Ready"}
    cready_cond = dict(ready_cond, type="ContainersReady")
    if not all_ready:
        msg = "containers with unready status: [" + " ".join(not_ready_names) + "]"
        ready_cond.update(message=msg, reason="ContainersNotReady")
        cready_cond.update(message=msg, reason="ContainersNotReady")
        ready_cond = dict(sorted(ready_cond.items()))
        cready_cond = dict(sorted(cready_cond.items()))
    status = {
        "conditions": [
            {"lastProbeTime": None, "lastTransitionTime": ts(created + (1 if any_waiting else 7)),
             "status": "False" if any_waiting else "True", "type": "PodReadyToStartContainers"},
            {"lastProbeTime": None, "lastTransitionTime": ts(created + 1), "status": "True", "type": "Initialized"},
            ready_cond,
            cready_cond,
            {"lastProbeTime": None, "lastTransitionTime": ts(created + 1), "status": "True", "type": "PodScheduled"},
        ],
        "containerStatuses": statuses,
        "hostIP": node_ip,
        "hostIPs": [{"ip": node_ip}],
        "phase": "Pending" if any_waiting else "Running",
        "podIP": pod_ip,
        "podIPs": [{"ip": pod_ip}],
        "qosClass": "BestEffort",
        "startTime": ts(created + 1),
    }
    if any_waiting:
        del status["podIP"], status["podIPs"]
    return {"apiVersion": "v1", "kind": "Pod", "metadata": meta, "spec": full_spec, "status": status}


# ---------------------------------------------------------------- workloads


def deployment(manifest, created, replicas_status, rs_hash, labels_extra=None, unavailable_since=None):
    """A Deployment from its manifest, with the status the controller writes.

    `replicas_status` is (replicas, updated, ready, available)."""
    name = manifest["metadata"]["name"]
    namespace = manifest["metadata"].get("namespace", "default")
    replicas, updated, ready, available = replicas_status
    spec = copy.deepcopy(manifest["spec"])
    template = spec["template"]
    template["metadata"] = {"creationTimestamp": None, **template.get("metadata", {})}
    template["spec"] = pod_template_spec(template["spec"])
    full_spec = {
        "progressDeadlineSeconds": 600,
        "replicas": spec["replicas"],
        "revisionHistoryLimit": 10,
        "selector": spec["selector"],
        "strategy": {"rollingUpdate": {"maxSurge": "25%", "maxUnavailable": "25%"}, "type": "RollingUpdate"},
        "template": template,
    }
    desired = spec["replicas"]
    max_unavailable = desired * 25 // 100
    minimum = desired - max_unavailable
    rs_name = f"{name}-{rs_hash}"
    t_ready = ts(created + 20)
    if available >= minimum:
        available_cond = {"lastTransitionTime": t_ready, "lastUpdateTime": t_ready,
                          "message": "Deployment has minimum availability.", "reason": "MinimumReplicasAvailable",
                          "status": "True", "type": "Available"}
    else:
        since = ts(created if unavailable_since is None else unavailable_since)
        available_cond = {"lastTransitionTime": since, "lastUpdateTime": since,
                          "message": "Deployment does not have minimum availability.",
                          "reason": "MinimumReplicasUnavailable", "status": "False", "type": "Available"}
    if ready == desired and updated == desired:
        progressing = {"lastTransitionTime": ts(created), "lastUpdateTime": t_ready,
                       "message": f'ReplicaSet "{rs_name}" has successfully progressed.',
                       "reason": "NewReplicaSetAvailable", "status": "True", "type": "Progressing"}
    else:
        progressing = {"lastTransitionTime": ts(created), "lastUpdateTime": ts(created + 2),
                       "message": f'ReplicaSet "{rs_name}" is progressing.',
                       "reason": "ReplicaSetUpdated", "status": "True", "type": "Progressing"}
    status = {}
    if available:
        status["availableReplicas"] = available
    status["conditions"] = [available_cond, progressing]
    status["observedGeneration"] = 1
    if ready:
        status["readyReplicas"] = ready
    status["replicas"] = replicas
    if desired - available > 0:
        status["unavailableReplicas"] = desired - available
    status["updatedReplicas"] = updated
    meta = {
        "annotations": {"deployment.kubernetes.io/revision": "1",
                        "kubectl.kubernetes.io/last-applied-configuration": last_applied(manifest)},
        "creationTimestamp": ts(created),
        "generation": 1,
    }
    if manifest["metadata"].get("labels") or labels_extra:
        meta["labels"] = {**manifest["metadata"].get("labels", {}), **(labels_extra or {})}
    meta.update({"name": name, "namespace": namespace, "resourceVersion": RV.next(),
                 "uid": uid("deployment", namespace, name)})
    return {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": meta, "spec": full_spec, "status": status}


def deployment_pods(manifest, created, rs_hash, placements, runs=None, annotations=None, extra_labels=None,
                    scheduler=None):
    """Pods of a deployment: `placements` is a list of (node_name, node_ip, pod_ip) or a
    message string for a pod the scheduler could not place."""
    name = manifest["metadata"]["name"]
    namespace = manifest["metadata"].get("namespace", "default")
    template = manifest["spec"]["template"]
    rs_name = f"{name}-{rs_hash}"
    pods = []
    for i, place in enumerate(placements):
        pod_name = f"{rs_name}-{suffix(rs_name, str(i))}"
        labels = {**template["metadata"]["labels"], "pod-template-hash": rs_hash, **(extra_labels or {})}
        spec = copy.deepcopy(template["spec"])
        if scheduler:
            spec["schedulerName"] = scheduler
        kwargs = dict(labels=labels, owner=rs_name, generate_name=rs_name + "-", annotations=annotations,
                      runs=(runs or {}).get(i))
        if isinstance(place, str):
            pods.append(pod(pod_name, namespace, created + 1, spec, unschedulable_message=place, **kwargs))
        else:
            node_name, node_ip, pod_ip = place
            pods.append(pod(pod_name, namespace, created + 1, spec, node_name=node_name, node_ip=node_ip,
                            pod_ip=pod_ip, **kwargs))
    return pods


def namespace_object(name, created, labels=None, phase="Active"):
    return {
        "apiVersion": "v1",
        "kind": "Namespace",
        "metadata": {
            "annotations": {"kubectl.kubernetes.io/last-applied-configuration": last_applied(
                {"apiVersion": "v1", "kind": "Namespace", "metadata": {"labels": labels or {}, "name": name}}
                if labels else {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": name}})},
            "creationTimestamp": ts(created),
            "labels": {**(labels or {}), "kubernetes.io/metadata.name": name},
            "name": name,
            "resourceVersion": RV.next(),
            "uid": uid("namespace", name),
        },
        "spec": {"finalizers": ["kubernetes"]},
        "status": {"phase": phase},
    }


def service(manifest, created, cluster_ip, node_port=None):
    meta = manifest["metadata"]
    spec = copy.deepcopy(manifest["spec"])
    ports = []
    for p in spec["ports"]:
        q = {**p, "protocol": p.get("protocol", "TCP")}
        if spec.get("type") in ("NodePort", "LoadBalancer"):
            q["nodePort"] = node_port
        ports.append(dict(sorted(q.items())))
    full = {
        "clusterIP": cluster_ip,
        "clusterIPs": [cluster_ip],
        "internalTrafficPolicy": "Cluster",
        "ipFamilies": ["IPv4"],
        "ipFamilyPolicy": "SingleStack",
        "ports": ports,
        "selector": spec["selector"],
        "sessionAffinity": "None",
        "type": spec.get("type", "ClusterIP"),
    }
    if full["type"] != "ClusterIP":
        full["externalTrafficPolicy"] = "Cluster"
    return {
        "apiVersion": "v1",
        "kind": "Service",
        "metadata": {
            "annotations": {"kubectl.kubernetes.io/last-applied-configuration": last_applied(manifest)},
            "creationTimestamp": ts(created),
            **({"labels": meta["labels"]} if meta.get("labels") else {}),
            "name": meta["name"],
            "namespace": meta["namespace"],
            "resourceVersion": RV.next(),
            "uid": uid("service", meta["namespace"], meta["name"]),
        },
        "spec": dict(sorted(full.items())),
        "status": {"loadBalancer": {}},
    }


# ---------------------------------------------------------------- events


def event(namespace, involved, reason, message, at, source, count=1, first=None, kind_type="Normal",
          field_path=None, host=None):
    """A core/v1 Event as `kubectl get events -o json` prints it. `involved` is the object."""
    obj_meta = involved["metadata"]
    name = f"{obj_meta['name']}.{hexdigest('event', obj_meta['uid'], reason, message, length=16)}"
    involved_ref = {"apiVersion": involved["apiVersion"], "kind": involved["kind"], "name": obj_meta["name"],
                    "namespace": namespace, "resourceVersion": obj_meta["resourceVersion"], "uid": obj_meta["uid"]}
    if field_path:
        involved_ref["fieldPath"] = field_path
    involved_ref = dict(sorted(involved_ref.items()))
    meta = {"creationTimestamp": ts(first if first is not None else at), "name": name, "namespace": namespace,
            "resourceVersion": RV.next(), "uid": uid("event", name)}
    if source == "default-scheduler":
        return {
            "action": "Scheduling" if reason == "FailedScheduling" else "Binding", "apiVersion": "v1", "eventTime": micro_ts(at), "firstTimestamp": None,
            "involvedObject": involved_ref, "kind": "Event", "lastTimestamp": None, "message": message,
            "metadata": meta, "reason": reason, "reportingComponent": "default-scheduler",
            "reportingInstance": "default-scheduler-ip-10-0-0-12", "source": {}, "type": kind_type,
        }
    src = {"component": source}
    if host:
        src["host"] = host
    return {
        "apiVersion": "v1", "count": count, "eventTime": None, "firstTimestamp": ts(first if first is not None else at),
        "involvedObject": involved_ref, "kind": "Event", "lastTimestamp": ts(at), "message": message,
        "metadata": meta, "reason": reason, "reportingComponent": source, "reportingInstance": host or "",
        "source": src, "type": kind_type,
    }


def start_events(p, image, pull_seconds, at):
    """The events a pod gets from being scheduled to its container starting."""
    ns = p["metadata"]["namespace"]
    node_name = p["spec"]["nodeName"]
    container = p["spec"]["containers"][0]["name"]
    fp = "spec.containers{" + container + "}"
    scheduler = p["spec"].get("schedulerName", "default-scheduler")
    events = [event(ns, p, "Scheduled", f"Successfully assigned {ns}/{p['metadata']['name']} to {node_name}", at,
                    "default-scheduler" if scheduler == "default-scheduler" else scheduler)]
    if scheduler != "default-scheduler":
        events[0] = event(ns, p, "Scheduled", f"Successfully assigned {ns}/{p['metadata']['name']} to {node_name}",
                          at, scheduler)
    events += [
        event(ns, p, "Pulling", f'Pulling image "{image}"', at + 1, "kubelet", field_path=fp, host=node_name),
        event(ns, p, "Pulled", f'Successfully pulled image "{image}" in {pull_seconds:.3f}s '
              f'({pull_seconds:.3f}s including waiting). Image size: 40122187 bytes.', at + 1 + int(pull_seconds),
              "kubelet", field_path=fp, host=node_name),
        event(ns, p, "Created", f"Created container: {container}", at + 2 + int(pull_seconds), "kubelet",
              field_path=fp, host=node_name),
        event(ns, p, "Started", f"Started container {container}", at + 2 + int(pull_seconds), "kubelet",
              field_path=fp, host=node_name),
    ]
    return events


# ---------------------------------------------------------------- output


def as_list(items):
    return {"apiVersion": "v1", "items": items, "kind": "List", "metadata": {"resourceVersion": ""}}


def write_snapshot(lab_dir, state, files, outputs=None):
    """Writes one snapshot folder: `files` maps file name → object or list of items."""
    folder = os.path.join(lab_dir, "fixtures", state)
    os.makedirs(folder, exist_ok=True)
    for file_name, content in files.items():
        if isinstance(content, list):
            content = as_list(content)
        with open(os.path.join(folder, file_name), "w") as f:
            # kubectl prints objects as Go maps: keys sorted, four-space indent
            f.write(json.dumps(content, indent=4, sort_keys=True, ensure_ascii=False) + "\n")
    if outputs:
        os.makedirs(os.path.join(folder, "outputs"), exist_ok=True)
        for file_name, content in outputs.items():
            with open(os.path.join(folder, "outputs", file_name), "w") as f:
                f.write(json.dumps(content, indent=2, ensure_ascii=False) + "\n")


def clean_fixtures(lab_dir):
    folder = os.path.join(lab_dir, "fixtures")
    if os.path.isdir(folder):
        for entry in os.listdir(folder):
            path = os.path.join(folder, entry)
            if os.path.isdir(path):
                shutil.rmtree(path)
