"""Snapshots of the stateful-ebs lab: the EBS CSI driver add-on in kube-system, the mysql-gp2
StorageClass, the mysql namespace with mysql-config and the services mysql (headless) and
mysql-read, the StatefulSet mysql of three with a gp2 EBS volume per pod, and reads on the
primary and a replica (recorded exec outputs).

A claim is made just before its pod, and it outlives the pod: `--pass-mysql-1-recreated` is
the state after `kubectl delete pod mysql-1` (the prose invites it), whose new pod is younger
than mysql-2 while its claim keeps its age."""

import copy

import kube
import storage
from aws_outputs import exec_output
from common import begin_state, lab_dir, manifest, node_ip, node_name, workers
from kube import ContainerRun, RV, event, ts, uid

LAB = "stateful-ebs"
NS = "mysql"
VERSION = "v1.38.1"
DRIVER_IMAGE = "602401143452.dkr.ecr.us-west-2.amazonaws.com/eks/aws-ebs-csi-driver:v1.38.1"
KLAB_LABELS = {"klab.dev/lab": LAB, "klab.dev/learner": "ana"}
DRIVER_AT = -7200
CLASS_AT = -3600
CONFIG_AT = -1800
SET_AT = 0
ZONES = ["us-west-2a", "us-west-2b", "us-west-2c"]
POD_IPS = ["10.0.1.148", "10.0.2.31", "10.0.3.97"]
REVISION = "mysql-6f8c5d7b94"

COUNT = ["mysql", "-h", "127.0.0.1", "-N", "-e", "SELECT COUNT(*) FROM test.messages"]
SLAVE_STATUS = ["mysql", "-h", "127.0.0.1", "-e", "SHOW SLAVE STATUS\\G"]

kube.IMAGE_DIGESTS[DRIVER_IMAGE] = (DRIVER_IMAGE, DRIVER_IMAGE.split(":")[0] + "@sha256:")


def namespaces(with_lab=True, klab=True):
    out = [kube.namespace_object(n, -3 * 86400 - 100) for n in ("default", "kube-node-lease", "kube-public",
                                                                 "kube-system")]
    if with_lab:
        out.append(kube.namespace_object(NS, CONFIG_AT, labels=KLAB_LABELS if klab else None))
    return out


def driver(crash=False, node_ready=3):
    d, pods = storage.controller("ebs-csi-controller", "kube-system", DRIVER_AT, DRIVER_IMAGE, "ebs-plugin",
                                 "ebs-csi-controller", "7d9c6b8f5d", VERSION, ready=0 if crash else 2,
                                 crash=crash)
    ds = storage.daemonset("ebs-csi-node", "kube-system", DRIVER_AT, DRIVER_IMAGE, "ebs-csi-node", VERSION,
                           ready=node_ready)
    return [storage.csidriver("ebs.csi.aws.com", DRIVER_AT)], [d], [ds], pods


def with_labels(m, klab):
    m = copy.deepcopy(m)
    if klab:
        m["metadata"]["labels"] = {**m["metadata"].get("labels", {}), **KLAB_LABELS}
    return m


def classes(provisioner="ebs.csi.aws.com", klab=True, present=True):
    out = [storage.default_gp2(-3 * 86400)]
    if present:
        m = manifest(LAB, "storageclass.yaml")
        m["provisioner"] = provisioner
        if provisioner == "kubernetes.io/aws-ebs":
            m["parameters"] = {"type": "gp2", "fsType": "ext4"}
        out.append(storage.storage_class(with_labels(m, klab), CLASS_AT, KLAB_LABELS if klab else None))
    return out


def config_and_services(klab=True, headless=True, config=True):
    docs = manifest_docs("mysql-services.yaml")
    services = []
    for m, ip in zip(docs, ["None", "172.20.93.211"]):
        m = with_labels(m, klab)
        if m["metadata"]["name"] == "mysql" and not headless:
            del m["spec"]["clusterIP"]
            ip = "172.20.41.18"
        svc = kube.service(m, CONFIG_AT + 5, ip)
        if ip == "None":
            storage.headless(svc)
        services.append(svc)
    cms = [storage.config_map(with_labels(manifest(LAB, "mysql-configmap.yaml"), klab), CONFIG_AT)] if config else []
    return cms, services


def manifest_docs(file_name):
    import yaml
    from common import lab_dir as _lab_dir
    import os
    import re
    with open(os.path.join(_lab_dir(LAB), "manifests", file_name)) as f:
        text = re.sub(r"\{\{\s*namespace\s*\}\}", NS, f.read())
    return [d for d in yaml.safe_load_all(text) if d]


RECREATED_AT = SET_AT + 2 + 75 * 3 + 1800
RECREATED_IPS = {0: "10.0.1.22", 1: "10.0.2.204", 2: "10.0.3.12"}


def statefulset(replicas=3, ready=3, klab=True, claim_class="mysql-gp2", bound=None, policy=None, recreated=(),
                claim_remade=(), claim_gap=75):
    """The StatefulSet, its pods (the first `ready` Ready, the next one Pending when fewer), the
    claims and volumes. bound: how many claims are Bound (default: as many as pods exist).
    Under `Parallel` every pod and claim is made at once. recreated: ordinals whose pod was
    deleted and made again later (same claim); claim_remade: ordinals whose pod and claim were
    both deleted and made again (a new, empty volume). claim_gap: seconds between one ordinal's
    claim and the next's (0: a state whose timestamps coincide, as a hand-built one may)."""
    m = with_labels(manifest(LAB, "mysql-statefulset.yaml"), klab)
    m["spec"]["replicas"] = replicas
    m["spec"]["volumeClaimTemplates"][0]["spec"]["storageClassName"] = claim_class
    if policy:
        m["spec"]["podManagementPolicy"] = policy
    if klab:
        m["spec"]["template"]["metadata"]["labels"].update(KLAB_LABELS)
    created_pods = min(replicas, ready + 1)
    bound = created_pods if bound is None else bound
    spec = copy.deepcopy(m["spec"])
    template = spec["template"]
    template["metadata"] = {"creationTimestamp": None, **template["metadata"]}
    template["spec"] = kube.pod_template_spec(template["spec"])
    template["spec"]["initContainers"] = [kube.container_spec(c) for c in template["spec"]["initContainers"]]
    spec.update({"minReadySeconds": 0, "persistentVolumeClaimRetentionPolicy": {"whenDeleted": "Retain",
                                                                                 "whenScaled": "Retain"},
                 "podManagementPolicy": policy or "OrderedReady", "revisionHistoryLimit": 10,
                 "updateStrategy": {"rollingUpdate": {"partition": 0}, "type": "RollingUpdate"}})
    vct = spec["volumeClaimTemplates"][0]
    vct.update({"apiVersion": "v1", "kind": "PersistentVolumeClaim"})
    vct["metadata"]["creationTimestamp"] = None
    vct["spec"]["volumeMode"] = "Filesystem"
    vct["status"] = {"phase": "Pending"}
    status = {"availableReplicas": ready, "collisionCount": 0, "currentReplicas": created_pods,
              "currentRevision": REVISION, "observedGeneration": 1, "readyReplicas": ready,
              "replicas": created_pods, "updateRevision": REVISION, "updatedReplicas": created_pods}
    if not ready:
        del status["readyReplicas"]
    meta = {"annotations": {"kubectl.kubernetes.io/last-applied-configuration": kube.last_applied(m)},
            "creationTimestamp": ts(SET_AT), "generation": 1}
    if klab:
        meta["labels"] = dict(KLAB_LABELS)
    meta.update({"name": "mysql", "namespace": NS, "resourceVersion": RV.next(), "uid": uid("statefulset", NS, "mysql")})
    sts = {"apiVersion": "apps/v1", "kind": "StatefulSet", "metadata": meta, "spec": dict(sorted(spec.items())),
           "status": status}

    pods, claims, volumes, events = [], [], [], []
    selector = m["spec"]["selector"]["matchLabels"]
    for i in range(created_pods):
        name = f"mysql-{i}"
        claim_at = SET_AT + 2 if policy == "Parallel" else SET_AT + 2 + claim_gap * i
        if i in claim_remade:
            claim_at = RECREATED_AT
        created = RECREATED_AT + 3 if i in recreated else claim_at
        pod_ip = RECREATED_IPS[i % 3] if i in recreated or i in claim_remade else POD_IPS[i % 3]
        is_ready = i < ready
        claim_name = f"data-{name}"
        labels = {**template["metadata"]["labels"], "apps.kubernetes.io/pod-index": str(i),
                  "controller-revision-hash": REVISION, "statefulset.kubernetes.io/pod-name": name}
        pspec = copy.deepcopy(m["spec"]["template"]["spec"])
        pspec["hostname"] = name
        pspec["subdomain"] = "mysql"
        pspec["volumes"] = [{"name": "data", "persistentVolumeClaim": {"claimName": claim_name}}] + pspec["volumes"]
        if i < bound:
            runs = None if is_ready else {"mysql": ContainerRun(ready=False, started_at=created + 40),
                                          "xtrabackup": ContainerRun(started_at=created + 40)}
            p = kube.pod(name, NS, created, pspec, node_name=node_name(i % 3), node_ip=node_ip(i % 3),
                         pod_ip=pod_ip, labels=labels, runs=runs or {
                             "mysql": ContainerRun(started_at=created + 38),
                             "xtrabackup": ContainerRun(started_at=created + 38)})
        else:
            p = kube.pod(name, NS, created, pspec, labels=labels, unschedulable_message=(
                "0/3 nodes are available: pod has unbound immediate PersistentVolumeClaims. preemption: 0/3 "
                "nodes are available: 3 Preemption is not helpful for scheduling."))
        p["metadata"]["ownerReferences"] = [{"apiVersion": "apps/v1", "blockOwnerDeletion": True, "controller": True,
                                             "kind": "StatefulSet", "name": "mysql",
                                             "uid": uid("statefulset", NS, "mysql")}]
        p["metadata"]["generateName"] = "mysql-"
        pods.append(p)
        if i < bound:
            vol = f"pvc-{uid('volume', NS, claim_name)}"
            if i in claim_remade:
                vol = f"pvc-{uid('volume', NS, claim_name, 'remade')}"
            c = storage.pvc(claim_name, NS, claim_at, claim_class, "10Gi", vol, labels=selector,
                            node=node_name(i % 3))
            claims.append(c)
            volumes.append(storage.pv(c, claim_at + 4, "ebs.csi.aws.com",
                                      "vol-0" + kube.hexdigest("ebs", claim_name, *(["remade"] if i in claim_remade
                                                                                      else []), length=16),
                                      zone=ZONES[i % 3]))
            events.append(event(NS, c, "ProvisioningSucceeded", f"Successfully provisioned volume {vol}",
                                claim_at + 4, "ebs.csi.aws.com_ebs-csi-controller-7d9c6b8f5d-x2k9p_" +
                                kube.uid("lease")))
        else:
            c = storage.pvc(claim_name, NS, created, claim_class, "10Gi", None, labels=selector, phase="Pending")
            claims.append(c)
            events.append(event(NS, c, "ProvisioningFailed",
                                f'storageclass.storage.k8s.io "{claim_class}" not found', created + 300,
                                "persistentvolume-controller", count=21, first=created, kind_type="Warning"))
        events.append(event(NS, sts, "SuccessfulCreate", f"create Claim {claim_name} Pod {name} in StatefulSet "
                            "mysql success", claim_at, "statefulset-controller"))
        events.append(event(NS, sts, "SuccessfulCreate", f"create Pod {name} in StatefulSet mysql successful",
                            created, "statefulset-controller"))
    return [sts], pods, claims, volumes, events


def count_output(pod, rows=1, missing=False):
    if missing:
        return exec_output(NS, pod, COUNT, container="mysql", exit_code=1,
                           stderr="ERROR 1146 (42S02) at line 1: Table 'test.messages' doesn't exist\n")
    return exec_output(NS, pod, COUNT, container="mysql", stdout=f"{rows}\n")


def slave_status(running=True):
    io = "Yes" if running else "Connecting"
    text = ("*************************** 1. row ***************************\n"
            "               Slave_IO_State: Waiting for master to send event\n"
            "                  Master_Host: mysql-0.mysql\n"
            "                  Master_User: root\n"
            "                  Master_Port: 3306\n"
            "                Connect_Retry: 10\n"
            "              Master_Log_File: mysql-0-bin.000003\n"
            "          Read_Master_Log_Pos: 1207\n"
            "               Relay_Log_File: mysql-1-relay-bin.000002\n"
            "                Relay_Log_Pos: 1421\n"
            f"             Slave_IO_Running: {io}\n"
            "            Slave_SQL_Running: Yes\n"
            "                   Last_Errno: 0\n"
            "        Seconds_Behind_Master: " + ("0" if running else "NULL") + "\n"
            "                Last_IO_Errno: " + ("0" if running else "2005") + "\n"
            "                Last_IO_Error: " + ("" if running else
                                                "error connecting to master 'root@mysql-0.mysql:3306' - retry-time: "
                                                "10  retries: 14") + "\n"
            "             Master_Server_Id: 100\n")
    return exec_output(NS, "mysql-1", SLAVE_STATUS, container="mysql", stdout=text)


def snapshot(state, ns, drivers, deployments, daemonsets, pods, classes_, cms, services, statefulsets, claims,
             volumes, events, outputs=()):
    files = {"namespaces.json": ns, "nodes.json": workers(), "csidrivers.json": drivers,
             "deployments.json": deployments, "daemonsets.json": daemonsets, "pods.json": pods,
             "storageclasses.json": classes_, "configmaps.json": cms, "services.json": services,
             "statefulsets.json": statefulsets, "persistentvolumeclaims.json": claims,
             "persistentvolumes.json": volumes, "events.json": events}
    kube.write_snapshot(lab_dir(LAB), state, files,
                        outputs={f"{i:02d}-{name}.json": o for i, (name, o) in enumerate(outputs)} or None)


def state(name, driver_kw=None, class_kw=None, config_kw=None, set_kw=None, outputs=(), ns_kw=None,
          no_driver=False, no_class=False, no_config=False, no_set=False):
    begin_state()
    drivers, deps, dss, dpods = ([], [], [], []) if no_driver else driver(**(driver_kw or {}))
    cls = classes(**(class_kw or {})) if not no_class else classes(present=False)
    cms, svcs = ([], []) if no_config else config_and_services(**(config_kw or {}))
    sts, pods, claims, vols, events = ([], [], [], [], []) if no_set else statefulset(**(set_kw or {}))
    ns = namespaces(with_lab=not no_config, **(ns_kw or {}))
    snapshot(name, ns, drivers, deps, dss, dpods + pods, cls, cms, svcs, sts, claims, vols, events, outputs)


def generate():
    kube.clean_fixtures(lab_dir(LAB))
    reads = [("exec-count-mysql-0", count_output("mysql-0")), ("exec-slave-status-mysql-1", slave_status()),
             ("exec-count-mysql-1", count_output("mysql-1"))]

    # step ebs-csi-driver
    state("ebs-csi-driver--pass", no_class=True, no_config=True, no_set=True)
    state("ebs-csi-driver--fail-not-installed", no_driver=True, no_class=True, no_config=True, no_set=True)
    state("ebs-csi-driver--fail-controller-crash-looping", driver_kw={"crash": True}, no_class=True,
          no_config=True, no_set=True)
    state("ebs-csi-driver--fail-node-pod-not-ready", driver_kw={"node_ready": 2}, no_class=True, no_config=True,
          no_set=True)

    # step storage-class
    state("storage-class--pass", no_config=True, no_set=True)
    state("storage-class--fail-in-tree-provisioner", class_kw={"provisioner": "kubernetes.io/aws-ebs"},
          no_config=True, no_set=True)
    state("storage-class--fail-not-created", no_class=True, no_config=True, no_set=True)

    # step config-and-services
    state("config-and-services--pass", no_set=True)
    state("config-and-services--fail-not-headless", config_kw={"headless": False}, no_set=True)
    state("config-and-services--fail-no-configmap", config_kw={"config": False}, no_set=True)

    # step statefulset
    state("statefulset--pass")
    state("statefulset--fail-class-misspelt", class_kw={}, set_kw={"claim_class": "mysql-gp", "ready": 0,
                                                                     "bound": 0})
    state("statefulset--fail-second-pod-not-ready", set_kw={"ready": 1})
    state("statefulset--fail-parallel-start", set_kw={"policy": "Parallel"})
    state("statefulset--pass-mysql-1-recreated", set_kw={"recreated": (1,)})
    state("statefulset--fail-primary-claim-remade", set_kw={"claim_remade": (0,)})

    # step replication
    state("replication--pass", outputs=reads)
    state("replication--fail-nothing-written", outputs=[("exec-count-mysql-0", count_output("mysql-0", missing=True)),
                                                         ("exec-slave-status-mysql-1", slave_status()),
                                                         ("exec-count-mysql-1", count_output("mysql-1", missing=True))])
    state("replication--fail-replica-not-replicating",
          outputs=[reads[0], ("exec-slave-status-mysql-1", slave_status(running=False)),
                   ("exec-count-mysql-1", count_output("mysql-1", missing=True))])

    # completion: applied by hand (no klab labels) in complete
    state("complete", class_kw={"klab": False}, config_kw={"klab": False}, set_kw={"klab": False},
          ns_kw={"klab": False}, outputs=[reads[2]])
    state("complete--fail-no-driver", no_driver=True, set_kw={"ready": 0, "bound": 0}, outputs=[
        ("exec-count-mysql-1", exec_output(NS, "mysql-1", COUNT, container="mysql", exit_code=1,
                                           stderr='Error from server (NotFound): pods "mysql-1" not found\n'))])
    state("complete--fail-not-headless", config_kw={"headless": False}, outputs=[reads[2]])
    state("complete--fail-two-of-three-ready", set_kw={"ready": 2}, outputs=[reads[2]])
    state("complete--fail-replica-empty", outputs=[("exec-count-mysql-1", count_output("mysql-1", missing=True))])
    state("complete--pass-mysql-1-recreated", class_kw={"klab": False}, config_kw={"klab": False},
          set_kw={"klab": False, "recreated": (1,)}, ns_kw={"klab": False}, outputs=[reads[2]])
    state("complete--fail-primary-claim-remade", set_kw={"claim_remade": (0,)}, outputs=[reads[2]])

    # a correct state whose claims were all made in the same second: order is not younger-than
    state("statefulset--pass-claims-same-second", set_kw={"claim_gap": 0})
