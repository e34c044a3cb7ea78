"""What the three chapter generators share: reading a lab's manifests, the worker nodes."""

import os
import re

import yaml

import kube

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def lab_dir(lab):
    return os.path.join(ROOT, "labs", lab)


def manifest(lab, file_name, **parameters):
    """A lab manifest rendered with the lab's default parameters (plus overrides), parsed."""
    with open(os.path.join(lab_dir(lab), "lab.yaml")) as f:
        spec = yaml.safe_load(f)
    values = {p["name"]: str(p["default"]) for p in spec.get("parameters", [])}
    values.update({k: str(v) for k, v in parameters.items()})
    with open(os.path.join(lab_dir(lab), "manifests", file_name)) as f:
        text = f.read()
    text = re.sub(r"\{\{\s*([A-Za-z0-9_]+)\s*\}\}", lambda m: values[m.group(1)], text)
    return yaml.safe_load(text)


# The workshop's managed node group: three t3.medium nodes, one per zone, in VPC 10.0.0.0/16.
WORKERS = [
    ("10.0.1.57", "us-west-2a"),
    ("10.0.2.143", "us-west-2b"),
    ("10.0.3.201", "us-west-2c"),
]
NODE_CREATED = -3 * 86400


def workers(labels=None, extra=(), unschedulable=()):
    """The worker nodes; `labels` maps a node index to extra labels."""
    nodes = []
    for i, (ip, zone) in enumerate(list(WORKERS) + list(extra)):
        nodes.append(kube.node(ip, zone, NODE_CREATED + i * 4, nodegroup="eksworkshop-workers",
                               labels=(labels or {}).get(i), unschedulable=i in unschedulable))
    return nodes


def node_name(i):
    ip, _ = (list(WORKERS) + [("10.0.1.199", "us-west-2a")])[i]
    return kube.ip_name(ip)


def node_ip(i):
    return (list(WORKERS) + [("10.0.1.199", "us-west-2a")])[i][0]


def place(i, pod_ip):
    """Where a pod runs: (node name, node ip, pod ip)."""
    return (node_name(i), node_ip(i), pod_ip)


def begin_state():
    """Every snapshot starts its resourceVersions from the same number, so one state's
    change does not ripple through the others."""
    kube.RV.value = 1187340
