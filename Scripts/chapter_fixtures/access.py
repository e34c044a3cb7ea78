"""Builders the access-and-network chapters share (rbac, iam-service-accounts,
calico-network-policy, exposing-services, spot-instances, sealed-secrets): DaemonSets and
their pods, bare pods, Jobs, generic objects, recorded exec/command/http outputs."""

import copy
import json

import kube
from kube import RV, ts, uid

kube.IMAGE_DIGESTS.update({
    "brentley/ecsdemo-frontend": ("docker.io/brentley/ecsdemo-frontend:latest",
                                  "docker.io/brentley/ecsdemo-frontend@sha256:"),
    "public.ecr.aws/aws-ec2/aws-node-termination-handler:v1.25.1": (
        "public.ecr.aws/aws-ec2/aws-node-termination-handler:v1.25.1",
        "public.ecr.aws/aws-ec2/aws-node-termination-handler@sha256:"),
    "radial/busyboxplus:curl": ("docker.io/radial/busyboxplus:curl", "docker.io/radial/busyboxplus@sha256:"),
    "amazon/aws-cli": ("docker.io/amazon/aws-cli:latest", "docker.io/amazon/aws-cli@sha256:"),
    "busybox": ("docker.io/library/busybox:latest", "docker.io/library/busybox@sha256:"),
    "docker.io/bitnami/sealed-secrets-controller:0.41.2": (
        "docker.io/bitnami/sealed-secrets-controller:0.41.2", "docker.io/bitnami/sealed-secrets-controller@sha256:"),
    "calico/star-probe:v0.1.0": ("docker.io/calico/star-probe:v0.1.0", "docker.io/calico/star-probe@sha256:"),
    "busybox:1.36": ("docker.io/library/busybox:1.36", "docker.io/library/busybox@sha256:"),
    "calico/star-collect:v0.1.0": ("docker.io/calico/star-collect:v0.1.0", "docker.io/calico/star-collect@sha256:"),
    "docker.io/calico/node:v3.29.3": ("docker.io/calico/node:v3.29.3", "docker.io/calico/node@sha256:"),
})


def meta(kind_key, name, namespace, created, labels=None, annotations=None, applied=None, owner=None,
         generation=None):
    """metadata as the API server returns it (keys sorted)."""
    m = {}
    ann = dict(annotations or {})
    if applied is not None:
        ann["kubectl.kubernetes.io/last-applied-configuration"] = kube.last_applied(applied)
    if ann:
        m["annotations"] = dict(sorted(ann.items()))
    m["creationTimestamp"] = ts(created)
    if generation is not None:
        m["generation"] = generation
    if labels:
        m["labels"] = dict(sorted(labels.items()))
    m["name"] = name
    if namespace is not None:
        m["namespace"] = namespace
    if owner:
        m["ownerReferences"] = [owner]
    m["resourceVersion"] = RV.next()
    m["uid"] = uid(kind_key, namespace or "", name)
    return m


def owner_ref(obj, api_version=None):
    return {"apiVersion": api_version or obj["apiVersion"], "blockOwnerDeletion": True, "controller": True,
            "kind": obj["kind"], "name": obj["metadata"]["name"], "uid": obj["metadata"]["uid"]}


def obj(api_version, kind, metadata, **rest):
    return {"apiVersion": api_version, "kind": kind, "metadata": metadata, **rest}


# ---------------------------------------------------------------- DaemonSets


def daemonset(name, namespace, created, selector_labels, template, placements, labels=None, annotations=None,
              unready=(), misscheduled=0, applied=None):
    """A DaemonSet and its pods. `placements` is a list of (node_name, node_ip, pod_ip); the
    pods at the indices in `unready` are not ready."""
    spec_template = copy.deepcopy(template)
    spec_template["metadata"] = {"creationTimestamp": None, **spec_template.get("metadata", {})}
    spec_template["spec"] = kube.pod_template_spec(spec_template["spec"])
    desired = len(placements)
    ready = desired - len(unready)
    status = {"currentNumberScheduled": desired, "desiredNumberScheduled": desired,
              "numberAvailable": ready, "numberMisscheduled": misscheduled, "numberReady": ready,
              "observedGeneration": 1, "updatedNumberScheduled": desired}
    if not ready:
        del status["numberAvailable"]
    if desired - ready:
        status["numberUnavailable"] = desired - ready
    ds = obj("apps/v1", "DaemonSet",
             meta("daemonset", name, namespace, created, labels=labels, applied=applied,
                  annotations={"deprecated.daemonset.template.generation": "1", **(annotations or {})},
                  generation=1),
             spec={"revisionHistoryLimit": 10, "selector": {"matchLabels": selector_labels},
                   "template": spec_template,
                   "updateStrategy": {"rollingUpdate": {"maxSurge": 0, "maxUnavailable": 1},
                                      "type": "RollingUpdate"}},
             status=dict(sorted(status.items())))
    revision = kube.pod_hash("controller-revision", namespace, name)
    pods = []
    for i, (node_name, node_ip, pod_ip) in enumerate(placements):
        pod_name = f"{name}-{kube.suffix(name, node_name)}"
        spec = copy.deepcopy(template["spec"])
        spec["affinity"] = {"nodeAffinity": {"requiredDuringSchedulingIgnoredDuringExecution": {
            "nodeSelectorTerms": [{"matchFields": [{"key": "metadata.name", "operator": "In",
                                                    "values": [node_name]}]}]}}}
        run = None
        if i in unready:
            c = spec["containers"][0]["name"]
            run = {c: kube.ContainerRun(ready=False, restarts=4, started_at=created + 600,
                                        last_terminated=(1, "Error", created + 500, created + 590),
                                        waiting=("CrashLoopBackOff", f"back-off 2m40s restarting failed container={c}"))}
        p = kube.pod(pod_name, namespace, created + 1, spec, node_name=node_name, node_ip=node_ip, pod_ip=pod_ip,
                     labels={**template["metadata"]["labels"], "controller-revision-hash": revision,
                             "pod-template-generation": "1"},
                     generate_name=name + "-", runs=run)
        p["metadata"]["ownerReferences"] = [owner_ref(ds)]
        p["spec"]["tolerations"] = p["spec"]["tolerations"] + [
            {"effect": "NoSchedule", "key": "node.kubernetes.io/disk-pressure", "operator": "Exists"},
            {"effect": "NoSchedule", "key": "node.kubernetes.io/memory-pressure", "operator": "Exists"},
            {"effect": "NoSchedule", "key": "node.kubernetes.io/pid-pressure", "operator": "Exists"},
            {"effect": "NoSchedule", "key": "node.kubernetes.io/unschedulable", "operator": "Exists"},
        ]
        pods.append(p)
    return ds, pods


# ---------------------------------------------------------------- recorded outputs


def exec_output(namespace, pod, command, exit_code=0, stdout="", stderr="", container=None):
    call = {"namespace": namespace, "pod": pod}
    if container:
        call["container"] = container
    call["command"] = command
    return {"exec": call, "result": {"exitCode": exit_code, "stdout": stdout, "stderr": stderr}}


def command_output(arguments, exit_code=0, body=None, stdout=None, stderr=""):
    if body is not None:
        stdout = json.dumps(body, indent=4) + "\n"
    return {"command": arguments, "result": {"exitCode": exit_code, "stdout": stdout or "", "stderr": stderr}}


def http_output(url, status=200, body="", error=None):
    result = {"status": status, "body": body}
    if error:
        result["error"] = error
    return {"http": {"url": url}, "result": result}


def probe_output(namespace, command, exit_code=0, stdout="", labels=None, image="busybox:1.36", error=None):
    """A probe pod's recorded run; with `error`, a probe that could not run."""
    call = {"namespace": namespace, "image": image}
    if labels:
        call["labels"] = labels
    call["command"] = command
    if error:
        return {"probe": call, "result": {"ran": False, "error": error}}
    return {"probe": call, "result": {"exitCode": exit_code, "stdout": stdout, "stderr": ""}}


def aws_error(arguments, code, operation, message, exit_code=254):
    return command_output(arguments, exit_code=exit_code,
                          stderr=f"\nAn error occurred ({code}) when calling the {operation} operation: {message}\n")


def snapshot(lab_dir, state, files, outputs=None):
    """Writes one snapshot; `outputs` is a list of recorded calls, named by position."""
    named = {}
    for i, output in enumerate(outputs or []):
        if "exec" in output:
            what = "exec-" + output["exec"]["pod"]
        elif "http" in output:
            what = "http"
        elif "probe" in output:
            what = "probe-" + output["probe"]["namespace"]
        elif "workspace" in output:
            what = "workspace"
        else:
            what = "-".join(a for a in output["command"][:3] if not a.startswith("-"))
        named[f"{i:02d}-{what}.json"] = output
    kube.write_snapshot(lab_dir, state, files, outputs=named)


def system_namespaces(*extra):
    return [kube.namespace_object(n, -3 * 86400 - 100) for n in ("default", "kube-node-lease", "kube-public",
                                                                    "kube-system") + tuple(extra)]

