"""Builders for the storage chapters' objects (stateful-ebs, stateful-efs): CSI drivers as
their EKS add-ons install them, StorageClasses, ConfigMaps, StatefulSets, claims and volumes,
as `kubectl get -o json` prints them on EKS 1.32."""

import copy

import kube
from common import node_ip, node_name, workers
from kube import RV, ts, uid


def csidriver(name, created, attach_required=True, klass="Persistent", extra_labels=None):
    return {"apiVersion": "storage.k8s.io/v1", "kind": "CSIDriver", "metadata": {
        "annotations": {},
        "creationTimestamp": ts(created),
        "labels": {"app.kubernetes.io/component": "csi-driver", "app.kubernetes.io/managed-by": "EKS",
                   "app.kubernetes.io/name": name.split(".")[0] + "-csi-driver", **(extra_labels or {})},
        "name": name, "resourceVersion": RV.next(), "uid": uid("csidriver", name)},
        "spec": {"attachRequired": attach_required, "fsGroupPolicy": "ReadWriteOnceWithFSType",
                 "podInfoOnMount": False, "requiresRepublish": False, "seLinuxMount": False,
                 "storageCapacity": False, "volumeLifecycleModes": [klass]}}


def addon_labels(name, version):
    return {"app.kubernetes.io/component": "csi-driver", "app.kubernetes.io/managed-by": "EKS",
            "app.kubernetes.io/name": name, "app.kubernetes.io/version": version}


def controller(name, namespace, created, image, plugin, app_label, rs_hash, version, ready=2, sa=None,
               crash=False):
    """A CSI controller Deployment (two replicas on two workers) and its pods."""
    selector = {"app": app_label, "app.kubernetes.io/name": name.replace("-controller", "-driver")
                .replace("ebs-csi-driver", "aws-ebs-csi-driver").replace("efs-csi-driver", "aws-efs-csi-driver")}
    m = {"apiVersion": "apps/v1", "kind": "Deployment",
         "metadata": {"name": name, "namespace": namespace,
                      "labels": {**addon_labels(selector["app.kubernetes.io/name"], version), "app": app_label}},
         "spec": {"replicas": 2, "selector": {"matchLabels": selector}, "template": {
             "metadata": {"labels": {**selector, "app.kubernetes.io/component": "csi-driver",
                                     "app.kubernetes.io/managed-by": "EKS",
                                     "app.kubernetes.io/version": version}},
             "spec": {"containers": [{"name": plugin, "image": image, "args": ["controller",
                                                                              "--endpoint=$(CSI_ENDPOINT)",
                                                                              "--v=2"],
                                      "env": [{"name": "CSI_ENDPOINT",
                                               "value": "unix:///var/lib/csi/sockets/pluginproxy/csi.sock"}],
                                      "ports": [{"containerPort": 9808, "name": "healthz", "protocol": "TCP"}]}],
                      "priorityClassName": "system-cluster-critical",
                      "serviceAccountName": sa or (name + "-sa")}}}}
    status = (2, 2, ready, ready)
    d = kube.deployment(m, created, status, rs_hash)
    del d["metadata"]["annotations"]["kubectl.kubernetes.io/last-applied-configuration"]
    runs = None
    if crash:
        crashed = kube.ContainerRun(ready=False, restarts=5, started_at=created + 600,
                                    last_terminated=(1, "Error", created + 590, created + 599),
                                    waiting=("CrashLoopBackOff", f"back-off 2m40s restarting failed container={plugin}"))
        runs = {0: {plugin: crashed}, 1: {plugin: crashed}}
    pods = kube.deployment_pods(m, created, rs_hash, [(node_name(0), node_ip(0), "10.0.1.93"),
                                                      (node_name(2), node_ip(2), "10.0.3.41")], runs=runs)
    for p in pods:
        p["spec"]["priority"] = 2000000000
    return d, pods


def daemonset(name, namespace, created, image, app_label, version, nodes=3, ready=None):
    ready = nodes if ready is None else ready
    selector = {"app": app_label, "app.kubernetes.io/name": name.replace("-node", "-driver")
                .replace("ebs-csi-driver", "aws-ebs-csi-driver").replace("efs-csi-driver", "aws-efs-csi-driver")}
    status = {"currentNumberScheduled": nodes, "desiredNumberScheduled": nodes, "numberMisscheduled": 0,
              "numberReady": ready, "observedGeneration": 1, "updatedNumberScheduled": nodes}
    if ready:
        status["numberAvailable"] = ready
    if nodes - ready:
        status["numberUnavailable"] = nodes - ready
    return {"apiVersion": "apps/v1", "kind": "DaemonSet", "metadata": {
        "annotations": {"deprecated.daemonset.template.generation": "1"},
        "creationTimestamp": ts(created), "generation": 1,
        "labels": {**addon_labels(selector["app.kubernetes.io/name"], version), "app": app_label},
        "name": name, "namespace": namespace, "resourceVersion": RV.next(),
        "uid": uid("daemonset", namespace, name)},
        "spec": {"revisionHistoryLimit": 10, "selector": {"matchLabels": selector}, "template": {
            "metadata": {"creationTimestamp": None, "labels": {**selector, "app.kubernetes.io/version": version}},
            "spec": kube.pod_template_spec({
                "containers": [{"name": name.split("-")[0] + "-plugin", "image": image,
                                "args": ["node", "--endpoint=$(CSI_ENDPOINT)", "--v=2"],
                                "securityContext": {"privileged": True}}],
                "hostNetwork": True, "priorityClassName": "system-node-critical",
                "serviceAccountName": name.split("-")[0] + "-csi-node-sa",
                "tolerations": [{"operator": "Exists"}]})},
            "updateStrategy": {"rollingUpdate": {"maxSurge": 0, "maxUnavailable": "10%"}, "type": "RollingUpdate"}},
        "status": status}


def storage_class(manifest, created, klab_labels=None):
    m = copy.deepcopy(manifest)
    meta = {"annotations": {"kubectl.kubernetes.io/last-applied-configuration": kube.last_applied(manifest)},
            "creationTimestamp": ts(created)}
    if klab_labels:
        meta["labels"] = dict(klab_labels)
    meta.update({"name": m["metadata"]["name"], "resourceVersion": RV.next(),
                 "uid": uid("storageclass", m["metadata"]["name"])})
    out = {"apiVersion": "storage.k8s.io/v1", "kind": "StorageClass", "metadata": meta}
    for key in ("allowVolumeExpansion", "mountOptions", "parameters", "provisioner"):
        if key in m:
            out[key] = m[key]
    out["reclaimPolicy"] = m.get("reclaimPolicy", "Delete")
    out["volumeBindingMode"] = m.get("volumeBindingMode", "Immediate")
    return out


def default_gp2(created):
    """The gp2 class every EKS cluster comes with."""
    sc = storage_class({"apiVersion": "storage.k8s.io/v1", "kind": "StorageClass",
                        "metadata": {"name": "gp2"}, "provisioner": "kubernetes.io/aws-ebs",
                        "parameters": {"fsType": "ext4", "type": "gp2"},
                        "volumeBindingMode": "WaitForFirstConsumer"}, created)
    sc["metadata"]["annotations"]["storageclass.kubernetes.io/is-default-class"] = "true"
    return sc


def config_map(manifest, created):
    meta = {"annotations": {"kubectl.kubernetes.io/last-applied-configuration": kube.last_applied(manifest)},
            "creationTimestamp": ts(created)}
    if manifest["metadata"].get("labels"):
        meta["labels"] = manifest["metadata"]["labels"]
    meta.update({"name": manifest["metadata"]["name"], "namespace": manifest["metadata"]["namespace"],
                 "resourceVersion": RV.next(),
                 "uid": uid("configmap", manifest["metadata"]["namespace"], manifest["metadata"]["name"])})
    return {"apiVersion": "v1", "data": manifest["data"], "kind": "ConfigMap", "metadata": meta}


def headless(svc):
    """kube.service gives every service a cluster IP; a headless one has None."""
    svc["spec"]["clusterIP"] = "None"
    svc["spec"]["clusterIPs"] = ["None"]
    return svc


def pvc(name, namespace, created, storage_class_name, size, volume, labels=None, phase="Bound",
        access="ReadWriteOnce", provisioner="ebs.csi.aws.com", node=None, owner=None, manifest=None):
    meta = {"annotations": {"pv.kubernetes.io/bind-completed": "yes",
                            "pv.kubernetes.io/bound-by-controller": "yes",
                            "volume.beta.kubernetes.io/storage-provisioner": provisioner,
                            "volume.kubernetes.io/storage-provisioner": provisioner},
            "creationTimestamp": ts(created), "finalizers": ["kubernetes.io/pvc-protection"]}
    if node:
        meta["annotations"]["volume.kubernetes.io/selected-node"] = node
    if manifest:
        meta["annotations"]["kubectl.kubernetes.io/last-applied-configuration"] = kube.last_applied(manifest)
    if phase != "Bound":
        for key in ("pv.kubernetes.io/bind-completed", "pv.kubernetes.io/bound-by-controller"):
            del meta["annotations"][key]
    if labels:
        meta["labels"] = dict(labels)
    meta.update({"name": name, "namespace": namespace, "resourceVersion": RV.next(),
                 "uid": uid("pvc", namespace, name)})
    spec = {"accessModes": [access], "resources": {"requests": {"storage": size}},
            "storageClassName": storage_class_name, "volumeMode": "Filesystem"}
    status = {"phase": phase}
    if phase == "Bound":
        spec["volumeName"] = volume
        status.update({"accessModes": [access], "capacity": {"storage": size}})
    return {"apiVersion": "v1", "kind": "PersistentVolumeClaim", "metadata": meta,
            "spec": dict(sorted(spec.items())), "status": status}


def pv(claim, created, driver, handle, zone=None, attributes=None, reclaim="Delete"):
    name = claim["spec"]["volumeName"]
    spec = {
        "accessModes": claim["spec"]["accessModes"],
        "capacity": {"storage": claim["spec"]["resources"]["requests"]["storage"]},
        "claimRef": {"apiVersion": "v1", "kind": "PersistentVolumeClaim", "name": claim["metadata"]["name"],
                     "namespace": claim["metadata"]["namespace"],
                     "resourceVersion": claim["metadata"]["resourceVersion"], "uid": claim["metadata"]["uid"]},
        "csi": {"driver": driver, "fsType": "ext4", "volumeHandle": handle,
                **({"volumeAttributes": attributes} if attributes else {})},
        "persistentVolumeReclaimPolicy": reclaim,
        "storageClassName": claim["spec"]["storageClassName"],
        "volumeMode": "Filesystem",
    }
    if zone:
        spec["nodeAffinity"] = {"required": {"nodeSelectorTerms": [{"matchExpressions": [
            {"key": "topology.kubernetes.io/zone", "operator": "In", "values": [zone]}]}]}}
    return {"apiVersion": "v1", "kind": "PersistentVolume", "metadata": {
        "annotations": {"pv.kubernetes.io/provisioned-by": driver,
                        "volume.kubernetes.io/provisioner-deletion-secret-name": "",
                        "volume.kubernetes.io/provisioner-deletion-secret-namespace": ""},
        "creationTimestamp": ts(created), "finalizers": ["external-provisioner.volume.kubernetes.io/finalizer",
                                                          "kubernetes.io/pv-protection"],
        "name": name, "resourceVersion": RV.next(), "uid": uid("pv", name)},
        "spec": spec, "status": {"lastPhaseTransitionTime": ts(created), "phase": "Bound"}}


__all__ = ["csidriver", "controller", "daemonset", "storage_class", "default_gp2", "config_map", "headless",
           "pvc", "pv", "workers"]
