"""What the `aws` CLI prints, and recorded exec/command outputs, for the storage, VPC and
KMS chapters (kms-secrets, stateful-ebs, stateful-efs, secondary-cidr, spot-ocean).

Also registers the images those chapters' pods run with kube.IMAGE_DIGESTS, and gives their
pods the volumes their manifests declare (kube.pod keeps only the service account token)."""

import copy
import json

import kube

ACCOUNT = "123456789012"

kube.IMAGE_DIGESTS.update({
    "busybox:1.36": ("docker.io/library/busybox:1.36", "docker.io/library/busybox@sha256:"),
    "mysql:5.7": ("docker.io/library/mysql:5.7", "docker.io/library/mysql@sha256:"),
    "gcr.io/google-samples/xtrabackup:1.0": ("gcr.io/google-samples/xtrabackup:1.0",
                                             "gcr.io/google-samples/xtrabackup@sha256:"),
    "nginx:1.27": ("docker.io/library/nginx:1.27", "docker.io/library/nginx@sha256:"),
    "centos:7": ("docker.io/library/centos:7", "docker.io/library/centos@sha256:"),
})


def command_output(argv, body=None, exit_code=0, stderr=""):
    """A recorded `command` call; `body` is printed as the aws CLI prints JSON (4 spaces)."""
    stdout = json.dumps(body, indent=4) + "\n" if body is not None else ""
    return {"command": list(argv), "result": {"exitCode": exit_code, "stdout": stdout, "stderr": stderr}}


def aws_error(argv, code, operation, message, exit_code=254):
    return command_output(argv, exit_code=exit_code,
                          stderr=f"\nAn error occurred ({code}) when calling the {operation} operation: {message}\n")


def exec_output(namespace, pod, command, exit_code=0, stdout="", stderr="", container=None):
    call = {"namespace": namespace, "pod": pod}
    if container:
        call["container"] = container
    call["command"] = list(command)
    return {"exec": call, "result": {"exitCode": exit_code, "stdout": stdout, "stderr": stderr}}


def with_volumes(p, volumes, mounts=None):
    """Gives a pod built by kube.pod the volumes of its manifest (before the token volume), as
    the API server prints them (secret volumes get defaultMode 420), and the containers' mounts
    in their status."""
    out = []
    for v in copy.deepcopy(volumes):
        if "secret" in v:
            v["secret"].setdefault("defaultMode", 420)
        if "configMap" in v:
            v["configMap"].setdefault("defaultMode", 420)
        out.append(v)
    p["spec"]["volumes"] = out + p["spec"]["volumes"]
    by_container = {c["name"]: c for c in p["spec"]["containers"]}
    for st in p.get("status", {}).get("containerStatuses", []):
        spec_mounts = by_container[st["name"]].get("volumeMounts", [])
        st["volumeMounts"] = [{**m, **({"recursiveReadOnly": "Disabled"} if m.get("readOnly") else {})}
                              for m in spec_mounts]
    return p
