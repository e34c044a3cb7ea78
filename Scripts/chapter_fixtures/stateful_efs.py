"""Snapshots of the stateful-efs lab: an EFS file system with three mount targets and the NFS
security group (recorded aws outputs), the EFS CSI driver add-on, the efs-sc StorageClass, the
claim efs-claim (ReadWriteMany) and the pods efs-writer and efs-reader in the storage namespace.

Every zone with a worker node needs a mount target: the checks list the zones of the available
mount targets (`aws efs describe-mount-targets --query`, joined by commas) and ask kubectl for
the worker nodes outside them (`-l 'topology.kubernetes.io/zone notin (...)'`); the recorded
answer is computed here from the snapshot's own nodes."""

import copy

import kube
import storage
from aws_outputs import ACCOUNT, aws_error, command_output, exec_output, with_volumes
from common import begin_state, lab_dir, manifest, node_ip, node_name, workers
from kube import ContainerRun, event

LAB = "stateful-efs"
NS = "storage"
REGION = "us-west-2"
TOKEN = "eksworkshop-efs"
SG_NAME = "eksworkshop-efs-nfs"
FS_ID = "fs-0a1b2c3d4e5f60718"
SG_ID = "sg-0e1f2a3b4c5d6e7f8"
DEFAULT_SG = "sg-0b1c2d3e4f5a6b7c8"
VPC = "vpc-0a9b8c7d6e5f40312"
SUBNETS = [("subnet-0c1d2e3f4a5b6c7d8", "us-west-2a", "10.0.1.35"), ("subnet-0d2e3f4a5b6c7d8e9", "us-west-2b", "10.0.2.77"),
           ("subnet-0e3f4a5b6c7d8e9f0", "us-west-2c", "10.0.3.19")]
VERSION = "v2.1.4"
DRIVER_IMAGE = "602401143452.dkr.ecr.us-west-2.amazonaws.com/eks/aws-efs-csi-driver:v2.1.4"
KLAB_LABELS = {"klab.dev/lab": LAB, "klab.dev/learner": "ana"}
DRIVER_AT = -7200
CLASS_AT = -3600
CLAIM_AT = 0
GREP = ["grep", "-c", "^efs-writer ", "/shared/out.txt"]

kube.IMAGE_DIGESTS[DRIVER_IMAGE] = (DRIVER_IMAGE, DRIVER_IMAGE.split(":")[0] + "@sha256:")


def argv(*words):
    return ["aws", *words, "--region", REGION, "--output", "json"]


def file_system_body(state="available", fs_id=FS_ID):
    return {"OwnerId": ACCOUNT, "CreationToken": TOKEN, "FileSystemId": fs_id,
            "FileSystemArn": f"arn:aws:elasticfilesystem:{REGION}:{ACCOUNT}:file-system/{fs_id}",
            "CreationTime": "2026-11-25T12:31:04+00:00", "LifeCycleState": state, "Name": TOKEN,
            "NumberOfMountTargets": 3, "SizeInBytes": {"Value": 6144, "ValueInIA": 0, "ValueInStandard": 6144,
                                                       "ValueInArchive": 0},
            "PerformanceMode": "generalPurpose", "Encrypted": True,
            "KmsKeyId": f"arn:aws:kms:{REGION}:{ACCOUNT}:key/7c1d2e3f-4a5b-4c6d-8e7f-9a0b1c2d3e4f",
            "ThroughputMode": "elastic", "Tags": [{"Key": "Name", "Value": TOKEN}],
            "FileSystemProtection": {"ReplicationOverwriteProtection": "ENABLED"}}


def by_token(state="available", exists=True):
    a = argv("efs", "describe-file-systems", "--creation-token", TOKEN)
    return command_output(a, {"FileSystems": [file_system_body(state)] if exists else []})


def by_id(fs_id=FS_ID, exists=True):
    a = argv("efs", "describe-file-systems", "--file-system-id", fs_id)
    if not exists:
        return aws_error(a, "FileSystemNotFound", "DescribeFileSystems", "File system 'fs-0123456789abcdef0' does "
                         "not exist." if fs_id == "fs-0123456789abcdef0" else f"File system '{fs_id}' does not exist.",
                         exit_code=254)
    return command_output(a, {"FileSystems": [file_system_body(fs_id=fs_id)]})


ZONES_QUERY = "join(',', sort(MountTargets[?LifeCycleState=='available'].AvailabilityZoneName))"


def mount_targets(states=("available",) * 3, fs_id=FS_ID):
    a = argv("efs", "describe-mount-targets", "--file-system-id", fs_id)
    targets = []
    for (subnet, zone, ip), state in zip(SUBNETS, states):
        targets.append({"OwnerId": ACCOUNT, "MountTargetId": "fsmt-0" + kube.hexdigest("mt", subnet, length=16),
                        "FileSystemId": fs_id, "SubnetId": subnet, "LifeCycleState": state, "IpAddress": ip,
                        "NetworkInterfaceId": "eni-0" + kube.hexdigest("eni", subnet, length=16),
                        "AvailabilityZoneId": kube.ZONE_IDS[zone], "AvailabilityZoneName": zone, "VpcId": VPC})
    return command_output(a, {"MountTargets": targets})


def mount_target_zones(states=("available",) * 3, fs_id=FS_ID):
    """The zones of the available mount targets, as the aws CLI prints the query's text."""
    a = ["aws", "efs", "describe-mount-targets", "--file-system-id", fs_id, "--region", REGION,
         "--query", ZONES_QUERY, "--output", "text"]
    zones = sorted(zone for (_, zone, _), state in zip(SUBNETS, states) if state == "available")
    return {"command": a, "result": {"exitCode": 0, "stdout": ",".join(zones) + "\n", "stderr": ""}}


def nodes_outside(nodes, states=("available",) * 3):
    """`kubectl get nodes -o name` for the worker nodes in no zone of an available mount target."""
    zones = sorted(zone for (_, zone, _), state in zip(SUBNETS, states) if state == "available")
    selector = ("topology.kubernetes.io/zone,eks.amazonaws.com/compute-type!=fargate,"
                f"topology.kubernetes.io/zone notin ({','.join(zones)})")
    outside = sorted(n["metadata"]["name"] for n in nodes
                     if n["metadata"]["labels"]["topology.kubernetes.io/zone"] not in zones)
    stdout = "".join(f"node/{name}\n" for name in outside)
    return {"command": ["kubectl", "get", "nodes", "-l", selector, "-o", "name"],
            "result": {"exitCode": 0, "stdout": stdout, "stderr": "" if outside else "No resources found\n"}}


def zone_outputs(nodes, states=("available",) * 3):
    return [("describe-mount-target-zones", mount_target_zones(states)),
            ("kubectl-nodes-outside-mount-target-zones", nodes_outside(nodes, states))]


# The CDK app's default capacity: two nodes, here in us-west-2a and us-west-2c (two of the
# three zones that have a mount target).
TWO_WORKERS = [("10.0.1.112", "us-west-2a"), ("10.0.3.66", "us-west-2c")]


def two_workers():
    return [kube.node(ip, zone, -86400 + 8 * i, nodegroup="eksworkshop-ng-2f1c") for i, (ip, zone) in
            enumerate(TWO_WORKERS)]


def first_target():
    return "fsmt-0" + kube.hexdigest("mt", SUBNETS[0][0], length=16)


def security_groups(port=2049, exists=True):
    a = argv("ec2", "describe-security-groups", "--filters", f"Name=group-name,Values={SG_NAME}")
    if not exists:
        return command_output(a, {"SecurityGroups": []})
    perms = [{"FromPort": port, "IpProtocol": "tcp", "IpRanges": [{"CidrIp": "10.0.0.0/16"}], "Ipv6Ranges": [],
              "PrefixListIds": [], "ToPort": port, "UserIdGroupPairs": []}]
    return command_output(a, {"SecurityGroups": [{
        "GroupId": SG_ID, "IpPermissionsEgress": [{"IpProtocol": "-1", "IpRanges": [{"CidrIp": "0.0.0.0/0"}],
                                                   "Ipv6Ranges": [], "PrefixListIds": [], "UserIdGroupPairs": []}],
        "VpcId": VPC, "SecurityGroupArn": f"arn:aws:ec2:{REGION}:{ACCOUNT}:security-group/{SG_ID}",
        "OwnerId": ACCOUNT, "GroupName": SG_NAME, "Description": "NFS from the nodes of eksworkshop",
        "IpPermissions": perms}]})


def target_groups(groups=(SG_ID,)):
    a = argv("efs", "describe-mount-target-security-groups", "--mount-target-id", first_target())
    return command_output(a, {"SecurityGroups": list(groups)})


def namespaces(with_lab=True, klab=True):
    out = [kube.namespace_object(n, -3 * 86400 - 100) for n in ("default", "kube-node-lease", "kube-public",
                                                                 "kube-system")]
    if with_lab:
        out.append(kube.namespace_object(NS, CLAIM_AT - 30, labels=KLAB_LABELS if klab else None))
    return out


def driver(crash=False, node_ready=3, nodes=3):
    d, pods = storage.controller("efs-csi-controller", "kube-system", DRIVER_AT, DRIVER_IMAGE, "efs-plugin",
                                 "efs-csi-controller", "5c8b9d7f64", VERSION, ready=0 if crash else 2, crash=crash)
    ds = storage.daemonset("efs-csi-node", "kube-system", DRIVER_AT, DRIVER_IMAGE, "efs-csi-node", VERSION,
                           nodes=nodes, ready=node_ready)
    drv = storage.csidriver("efs.csi.aws.com", DRIVER_AT, attach_required=False)
    return [drv], [d], [ds], pods


def with_labels(m, klab):
    m = copy.deepcopy(m)
    if klab:
        m["metadata"]["labels"] = {**m["metadata"].get("labels", {}), **KLAB_LABELS}
    return m


def classes(fs_id=FS_ID, mode="efs-ap", klab=True, present=True):
    out = [storage.default_gp2(-3 * 86400)]
    if present:
        m = manifest(LAB, "storageclass.yaml", fileSystemId=fs_id)
        m["parameters"]["provisioningMode"] = mode
        out.append(storage.storage_class(with_labels(m, klab), CLASS_AT, KLAB_LABELS if klab else None))
    return out


def claim(bound=True, access="ReadWriteMany", klab=True):
    m = with_labels(manifest(LAB, "efs-claim.yaml"), klab)
    vol = "pvc-" + kube.uid("volume", NS, "efs-claim")
    c = storage.pvc("efs-claim", NS, CLAIM_AT, "efs-sc", "5Gi", vol, labels=KLAB_LABELS if klab else None,
                    phase="Bound" if bound else "Pending", access=access, provisioner="efs.csi.aws.com",
                    manifest=m)
    volumes = []
    events = []
    if bound:
        ap = "fsap-0" + kube.hexdigest("ap", "efs-claim", length=16)
        p = storage.pv(c, CLAIM_AT + 2, "efs.csi.aws.com", f"{FS_ID}::{ap}",
                       attributes={"storage.kubernetes.io/csiProvisionerIdentity": "1732536000000-8081-efs.csi.aws.com"})
        del p["spec"]["csi"]["fsType"]
        volumes.append(p)
        events.append(event(NS, c, "ProvisioningSucceeded", f"Successfully provisioned volume {vol}", CLAIM_AT + 2,
                            "efs.csi.aws.com_efs-csi-controller-5c8b9d7f64-q7wzn_" + kube.uid("lease")))
    else:
        events.append(event(NS, c, "ProvisioningFailed", "failed to provision volume with StorageClass \"efs-sc\": "
                            "rpc error: code = Unauthenticated desc = Access Denied. Please ensure you have the right "
                            "AWS permissions: Access denied", CLAIM_AT + 240, "efs.csi.aws.com_efs-csi-controller-"
                            "5c8b9d7f64-q7wzn_" + kube.uid("lease"), count=12, first=CLAIM_AT + 1, kind_type="Warning"))
    return [c], volumes, events


def pod(name, node, ip, klab=True, mounted=True, present=True):
    if not present:
        return [], []
    m = manifest(LAB, f"{name}.yaml")
    spec = copy.deepcopy(m["spec"])
    applied = with_labels(m, klab)
    labels = {**m["metadata"]["labels"], **(KLAB_LABELS if klab else {})}
    container = spec["containers"][0]["name"]
    created = CLAIM_AT + (10 if name == "efs-writer" else 12)
    runs = {container: ContainerRun(started_at=created + 9)} if mounted else {
        container: ContainerRun(ready=False, waiting=("ContainerCreating", None))}
    p = kube.pod(name, NS, created, spec, node_name=node_name(node), node_ip=node_ip(node), pod_ip=ip,
                 labels=labels, runs=runs, applied=applied)
    with_volumes(p, spec["volumes"])
    evs = [event(NS, p, "Scheduled", f"Successfully assigned {NS}/{name} to {node_name(node)}", created,
                 "default-scheduler")]
    if mounted:
        evs += kube.start_events(p, "busybox:1.36", 1.733, created + 1)[1:]
    else:
        evs.append(event(NS, p, "FailedMount", 'MountVolume.SetUp failed for volume "' + p["spec"]["volumes"][0][
            "persistentVolumeClaim"]["claimName"] + '" : rpc error: code = Internal desc = Could not mount "' + FS_ID +
            ':/" at "/var/lib/kubelet/pods/' + p["metadata"]["uid"] + '/volumes/kubernetes.io~csi/pvc/mount": mount '
            "failed: exit status 32 Mounting command: mount Mounting arguments: -t efs -o accesspoint=fsap-0,tls "
            "Output: mount.nfs4: Connection timed out", created + 130, "kubelet", count=3, first=created + 10,
            kind_type="Warning", host=node_name(node)))
    return [p], evs


def grep_output(lines=24, ok=True, pending=False):
    if pending:
        return exec_output(NS, "efs-reader", GREP, exit_code=1,
                           stderr='error: unable to upgrade connection: container not found ("reader")\n')
    if not ok:
        return exec_output(NS, "efs-reader", GREP, exit_code=1, stdout="0\n")
    return exec_output(NS, "efs-reader", GREP, stdout=f"{lines}\n")


def aws_step1(fs="available", targets=("available",) * 3, sg_port=2049, groups=(SG_ID,), fs_exists=True,
              nodes=None):
    out = [("describe-file-systems-token", by_token(fs, fs_exists))]
    if fs_exists:
        out += [("describe-mount-targets", mount_targets(targets))]
        out += zone_outputs(nodes or workers(), targets)
    out += [("describe-security-groups", security_groups(sg_port))]
    if fs_exists:
        out += [("describe-mount-target-security-groups", target_groups(groups))]
    return out


def comp_aws(targets=("available",) * 3, nodes=None):
    return [("describe-file-systems-id", by_id()), ("describe-mount-targets", mount_targets(targets)),
            *zone_outputs(nodes or workers(), targets)]


def snapshot(state, ns, drivers, deployments, daemonsets, pods, classes_, claims, volumes, events, outputs,
             nodes=None):
    files = {"namespaces.json": ns, "nodes.json": nodes or workers(), "csidrivers.json": drivers,
             "deployments.json": deployments, "daemonsets.json": daemonsets, "pods.json": pods,
             "storageclasses.json": classes_, "persistentvolumeclaims.json": claims,
             "persistentvolumes.json": volumes, "events.json": events}
    kube.write_snapshot(lab_dir(LAB), state, files,
                        outputs={f"{i:02d}-{name}.json": o for i, (name, o) in enumerate(outputs)} or None)


def state(name, outputs, driver_kw=None, class_kw=None, claim_kw=None, writer_kw=None, reader_kw=None,
          no_driver=False, no_class=False, no_claim=False, klab=True, nodes=None):
    begin_state()
    drivers, deps, dss, dpods = ([], [], [], []) if no_driver else driver(**(driver_kw or {}))
    cls = classes(klab=klab, **(class_kw or {})) if not no_class else classes(present=False)
    claims, vols, evs, pods = [], [], [], []
    if not no_claim:
        claims, vols, evs = claim(klab=klab, **(claim_kw or {}))
        wp, we = pod("efs-writer", 0, "10.0.1.204", klab=klab, **(writer_kw or {}))
        rp, re_ = pod("efs-reader", 1, "10.0.2.119", klab=klab, **(reader_kw or {}))
        pods, evs = wp + rp, evs + we + re_
    snapshot(name, namespaces(with_lab=not no_claim, klab=klab), drivers, deps, dss, dpods + pods, cls, claims,
             vols, evs, outputs, nodes=nodes)


def generate():
    kube.clean_fixtures(lab_dir(LAB))
    step1 = aws_step1()
    class_fs = [("describe-file-systems-id", by_id())]
    complete_aws = comp_aws()

    # step file-system
    state("file-system--pass", step1, no_driver=True, no_class=True, no_claim=True)
    state("file-system--fail-no-file-system", aws_step1(fs_exists=False), no_driver=True, no_class=True,
          no_claim=True)
    state("file-system--fail-mount-target-creating", aws_step1(targets=("available", "available", "creating")),
          no_driver=True, no_class=True, no_claim=True)
    state("file-system--fail-ssh-not-nfs", aws_step1(sg_port=22, groups=(DEFAULT_SG,)), no_driver=True,
          no_class=True, no_claim=True)
    # a mount target in two of the three zones the nodes run in
    state("file-system--fail-zone-without-mount-target", aws_step1(targets=("available", "available")),
          no_driver=True, no_class=True, no_claim=True)
    # two nodes, in two of the three zones with a mount target
    state("file-system--pass-nodes-in-two-zones", aws_step1(nodes=two_workers()), no_driver=True, no_class=True,
          no_claim=True, nodes=two_workers())

    # step efs-csi-driver
    state("efs-csi-driver--pass", step1, no_class=True, no_claim=True)
    state("efs-csi-driver--fail-not-installed", step1, no_driver=True, no_class=True, no_claim=True)
    state("efs-csi-driver--fail-node-pod-not-ready", step1, driver_kw={"node_ready": 2}, no_class=True,
          no_claim=True)

    # step storage-class
    state("storage-class--pass", class_fs, no_claim=True)
    state("storage-class--fail-placeholder-file-system", [("describe-file-systems-id",
                                                           by_id("fs-0123456789abcdef0", exists=False))],
          class_kw={"fs_id": "fs-0123456789abcdef0"}, no_claim=True)
    state("storage-class--fail-static-mode", class_fs, class_kw={"mode": "efs-static"}, no_claim=True)

    # step claim-and-pods
    state("claim-and-pods--pass", [("exec-grep", grep_output())])
    state("claim-and-pods--fail-read-write-once", [("exec-grep", grep_output())],
          claim_kw={"access": "ReadWriteOnce"})
    state("claim-and-pods--fail-claim-pending", [("exec-grep", grep_output(pending=True))],
          claim_kw={"bound": False}, writer_kw={"mounted": False}, reader_kw={"mounted": False})
    state("claim-and-pods--fail-no-writer", [("exec-grep", grep_output(ok=False))],
          writer_kw={"present": False})

    # completion: applied by hand (no klab labels) in complete
    state("complete", complete_aws + [("exec-grep", grep_output())], klab=False)
    state("complete--fail-file-system-deleted", [("describe-file-systems-id", by_id(exists=False)),
                                                 ("describe-mount-targets", command_output(
                                                     argv("efs", "describe-mount-targets", "--file-system-id", FS_ID),
                                                     exit_code=254, stderr="\nAn error occurred (FileSystemNotFound) "
                                                     "when calling the DescribeMountTargets operation: File system "
                                                     f"'{FS_ID}' does not exist.\n")),
                                                 ("describe-mount-target-zones", {**mount_target_zones(), "result": {
                                                     "exitCode": 254, "stdout": "", "stderr": "\nAn error occurred "
                                                     "(FileSystemNotFound) when calling the DescribeMountTargets "
                                                     f"operation: File system '{FS_ID}' does not exist.\n"}}),
                                                 ("exec-grep", grep_output(pending=True))],
          reader_kw={"mounted": False}, writer_kw={"mounted": False})
    state("complete--fail-no-driver", complete_aws + [("exec-grep", grep_output(pending=True))], no_driver=True,
          claim_kw={"bound": False}, writer_kw={"mounted": False}, reader_kw={"mounted": False})
    state("complete--fail-read-write-once", complete_aws + [("exec-grep", grep_output())],
          claim_kw={"access": "ReadWriteOnce"})
    state("complete--fail-reader-sees-nothing", complete_aws + [("exec-grep", grep_output(ok=False))],
          writer_kw={"present": False})
    state("complete--fail-zone-without-mount-target",
          comp_aws(targets=("available", "available")) + [("exec-grep", grep_output())])
    # a fourth node, in a zone that already has one (and its mount target)
    four = workers(extra=[("10.0.1.199", "us-west-2a")])
    state("complete--pass-second-node-in-a-zone", comp_aws(nodes=four) + [("exec-grep", grep_output())],
          klab=False, nodes=four, driver_kw={"nodes": 4, "node_ready": 4})
