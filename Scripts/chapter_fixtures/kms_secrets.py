"""Snapshots of the kms-secrets lab: a KMS key with an alias, the cluster's encryptionConfig
naming it for secrets, the secretslab namespace, the Secret test-creds and the pod
test-secret that mounts it at /etc/test-creds.

The checks remember the digest of each of the Secret's values and compare it with the digest
of what the pod reads (`redact: true`). The Secret keeps its data as kubectl prints it
(base64) in most states and as klab's evidence keeps it (digests, `klabRedacted` lengths) in
`secret-and-pod--pass-recorded-from-files`, whose pod output is recorded as digests too."""

import base64
import copy
import hashlib

import access
import kube
from aws_outputs import ACCOUNT, aws_error, command_output, exec_output, with_volumes
from common import begin_state, lab_dir, manifest, place, workers
from kube import ContainerRun, event

LAB = "kms-secrets"
NS = "secretslab"
CLUSTER = "eksworkshop"
REGION = "us-west-2"
ALIAS = "alias/eksworkshop-secrets"
KEY_ID = "5d8f1a2b-3c4d-4e5f-8a9b-0c1d2e3f4a5b"
KEY_ARN = f"arn:aws:kms:{REGION}:{ACCOUNT}:key/{KEY_ID}"
OTHER_KEY_ID = "9e8d7c6b-5a4f-4e3d-9c2b-1a0f9e8d7c6b"
KLAB_LABELS = {"klab.dev/lab": LAB, "klab.dev/learner": "ana"}
POD_AT = 400
SECRET_AT = POD_AT - 30
# `kubectl create secret generic --from-literal=username=admin --from-literal=password=...`
VALUES = {"username": "admin", "password": "Jq4vN8sXw2bT0pLk7RzYc1Ue"}
# The same Secret made again with a new password while the pod still reads the old one.
OLD_PASSWORD = "x7Hc2mQ9LrT4wVb8NdK1pZsE"
# `--from-file` (each file ends in a newline) and a third key the checks do not read.
FROM_FILES = {"username": "admin\n", "password": "S0me-L0nger passphrase, with spaces & symbols: %$!\n",
              "host": "mysql.example.internal"}


def b64(text):
    return base64.b64encode(text.encode()).decode()


def digest(text):
    return "sha256:" + hashlib.sha256(text.encode()).hexdigest()


def read_command(key):
    return ["sh", "-c", f'test -r /etc/test-creds/{key} && base64 /etc/test-creds/{key} | tr -d "\\n"']


def secret(values=VALUES, created=SECRET_AT, as_evidence=False):
    """The Secret as kubectl prints it, or as klab's evidence keeps it (values as digests)."""
    data = {k: digest(b64(v)) if as_evidence else b64(v) for k, v in sorted(values.items())}
    s = {"apiVersion": "v1", "kind": "Secret", "data": data, "metadata": access.meta("secret", "test-creds", NS, created),
         "type": "Opaque"}
    if as_evidence:
        s["klabRedacted"] = {"data": {k: len(v.encode()) for k, v in sorted(values.items())}}
    return s


def describe_key_argv(key):
    return ["aws", "kms", "describe-key", "--key-id", key, "--region", REGION, "--output", "json"]


def describe_key(key=ALIAS, state="Enabled", exists=True, key_id=KEY_ID):
    argv = describe_key_argv(key)
    if not exists:
        return aws_error(argv, "NotFoundException", "DescribeKey",
                         f"Alias arn:aws:kms:{REGION}:{ACCOUNT}:{key} is not found." if key.startswith("alias/")
                         else f"Key '{key}' does not exist")
    meta = {
        "AWSAccountId": ACCOUNT, "KeyId": key_id, "Arn": f"arn:aws:kms:{REGION}:{ACCOUNT}:key/{key_id}",
        "CreationDate": "2026-11-25T13:41:07.512000+00:00", "Enabled": state == "Enabled",
        "Description": f"Envelope encryption of Secrets in EKS cluster {CLUSTER}",
        "KeyUsage": "ENCRYPT_DECRYPT", "KeyState": state, "Origin": "AWS_KMS", "KeyManager": "CUSTOMER",
        "CustomerMasterKeySpec": "SYMMETRIC_DEFAULT", "KeySpec": "SYMMETRIC_DEFAULT",
        "EncryptionAlgorithms": ["SYMMETRIC_DEFAULT"], "MultiRegion": False,
    }
    if state == "PendingDeletion":
        meta["DeletionDate"] = "2026-12-02T13:55:00+00:00"
        meta["PendingDeletionWindowInDays"] = 7
    return command_output(argv, {"KeyMetadata": meta})


DESCRIBE_CLUSTER = ["aws", "eks", "describe-cluster", "--name", CLUSTER, "--region", REGION, "--output", "json"]


def describe_cluster(key_arn=KEY_ARN, status="ACTIVE"):
    cluster = {
        "name": CLUSTER,
        "arn": f"arn:aws:eks:{REGION}:{ACCOUNT}:cluster/{CLUSTER}",
        "createdAt": "2026-11-22T09:12:44.203000+00:00",
        "version": "1.32",
        "endpoint": "https://4F1A2B3C5D6E7F8091A2B3C4D5E6F708.gr7.us-west-2.eks.amazonaws.com",
        "roleArn": f"arn:aws:iam::{ACCOUNT}:role/eksworkshop-ClusterRole-7QmZr2Lk9VbN",
        "resourcesVpcConfig": {
            "subnetIds": ["subnet-0c1d2e3f4a5b6c7d8", "subnet-0d2e3f4a5b6c7d8e9", "subnet-0e3f4a5b6c7d8e9f0"],
            "securityGroupIds": [], "clusterSecurityGroupId": "sg-0b1c2d3e4f5a6b7c8",
            "vpcId": "vpc-0a9b8c7d6e5f40312", "endpointPublicAccess": True, "endpointPrivateAccess": True,
            "publicAccessCidrs": ["0.0.0.0/0"]},
        "kubernetesNetworkConfig": {"serviceIpv4Cidr": "172.20.0.0/16", "ipFamily": "ipv4"},
        "identity": {"oidc": {"issuer": "https://oidc.eks.us-west-2.amazonaws.com/id/4F1A2B3C5D6E7F8091A2B3C4D5E6F708"}},
        "status": status,
        "certificateAuthority": {"data": "LS0tLS1CRUdJTiBDRVJUSUZJQ0FURS0tLS0tCk1JSUMvakNDQWVhZ0F3SUJBZ0lCQURBTkJna3Foa2lHOXcwQkFRc0ZBREFWTVJNd0VRWURWUVFERXdwcmRXSmwKY201bGRHVnpNQjRYRFRJMk1URXlNakE1TVRJME5Gb1hEVE0yTVRFeU1EQTVNVEkwTkZvd0ZURVRNQkVHQTFVRQpBeE1LYTNWaVpYSnVaWFJsY3pDQ0FTSXdEUVlKS29aSWh2Y05BUUVCQlFBRGdnRVBBRENDQVFvQ2dnRUJBTXZ5Ci0tLS0tRU5EIENFUlRJRklDQVRFLS0tLS0K"},
        "platformVersion": "eks.9",
        "tags": {},
    }
    if key_arn:
        cluster["encryptionConfig"] = [{"resources": ["secrets"], "provider": {"keyArn": key_arn}}]
    return command_output(DESCRIBE_CLUSTER, {"cluster": cluster})


def namespaces(with_lab=True, klab=True):
    out = [kube.namespace_object(n, -3 * 86400 - 100) for n in ("default", "kube-node-lease", "kube-public",
                                                                 "kube-system")]
    if with_lab:
        out.append(kube.namespace_object(NS, POD_AT - 60, labels=KLAB_LABELS if klab else None))
    return out


def test_pod(mounted=True, mount_path="/etc/test-creds", klab=True, name="test-secret", node=1, pod_ip="10.0.2.88"):
    """The pod; mounted=False: the Secret does not exist, so the kubelet cannot mount it."""
    m = manifest(LAB, "test-secret-pod.yaml")
    spec = copy.deepcopy(m["spec"])
    spec["containers"][0]["volumeMounts"][0]["mountPath"] = mount_path
    labels = dict(KLAB_LABELS) if klab else None
    applied = copy.deepcopy(m)
    if klab:
        applied["metadata"]["labels"] = dict(KLAB_LABELS)
    if mounted:
        runs = {"test-secret": ContainerRun(started_at=POD_AT + 6)}
    else:
        runs = {"test-secret": ContainerRun(ready=False, waiting=("ContainerCreating", None))}
    node, node_ip, pod_ip = place(node, pod_ip)
    p = kube.pod(name, NS, POD_AT, spec, node_name=node, node_ip=node_ip, pod_ip=pod_ip, labels=labels,
                 runs=runs, applied=applied)
    with_volumes(p, spec["volumes"])
    events = [event(NS, p, "Scheduled", f"Successfully assigned {NS}/{name} to {node}", POD_AT, "default-scheduler")]
    if not mounted:
        events.append(event(NS, p, "FailedMount", 'MountVolume.SetUp failed for volume "test-creds" : '
                            'secret "test-creds" not found', POD_AT + 130, "kubelet", count=9, first=POD_AT + 1,
                            kind_type="Warning", host=node))
    else:
        events += kube.start_events(p, "busybox:1.36", 1.204, POD_AT + 1)[1:]
    return p, events


def read_outputs(missing=(), pending=False, error=None, values=VALUES, redacted=False):
    """The two reads (base64 of each file, one line): (file name, recorded output) pairs.
    A missing file prints nothing and exits 1 (`test -r`); `redacted`: stdout as klab records
    it under `redact: true`, its digest."""
    out = []
    for key in ("username", "password"):
        if pending:
            o = exec_output(NS, "test-secret", read_command(key), exit_code=1,
                            stderr='error: unable to upgrade connection: container not found ("test-secret")\n')
        elif error:
            o = exec_output(NS, "test-secret", read_command(key), exit_code=1, stderr=error)
        elif key in missing:
            o = exec_output(NS, "test-secret", read_command(key), exit_code=1)
        else:
            printed = b64(values[key])
            o = exec_output(NS, "test-secret", read_command(key), stdout=digest(printed) if redacted else printed)
        out.append((f"exec-read-{key}", o))
    return out


def snapshot(state, ns, pods, events, outputs, secrets=None):
    """`secrets`: the Secret test-creds as created, when the namespace exists (default)."""
    has_namespace = any(n["metadata"]["name"] == NS for n in ns)
    if secrets is None:
        secrets = [secret()] if has_namespace else []
    files = {"namespaces.json": ns, "nodes.json": workers(), "pods.json": pods, "events.json": events}
    if has_namespace or secrets:
        files["secrets.json"] = list(secrets)
    kube.write_snapshot(lab_dir(LAB), state, files,
                        outputs={f"{i:02d}-{name}.json": o for i, (name, o) in enumerate(outputs)})


def generate():
    kube.clean_fixtures(lab_dir(LAB))
    key_ok = ("describe-key-alias", describe_key())
    cluster_ok = ("describe-cluster", describe_cluster())
    arn_ok = ("describe-key-arn", describe_key(KEY_ARN))

    # step create-key
    begin_state()
    snapshot("create-key--pass", namespaces(False), [], [], [key_ok])
    begin_state()
    snapshot("create-key--fail-no-alias", namespaces(False), [], [],
             [("describe-key-alias", describe_key(exists=False))])
    begin_state()
    snapshot("create-key--fail-pending-deletion", namespaces(False), [], [],
             [("describe-key-alias", describe_key(state="PendingDeletion"))])

    # step enable-encryption
    begin_state()
    snapshot("enable-encryption--pass", namespaces(False), [], [], [key_ok, cluster_ok, arn_ok])
    begin_state()
    snapshot("enable-encryption--fail-update-in-progress", namespaces(False), [], [],
             [key_ok, ("describe-cluster", describe_cluster(key_arn=None, status="UPDATING"))])
    begin_state()
    other = f"arn:aws:kms:{REGION}:{ACCOUNT}:key/{OTHER_KEY_ID}"
    snapshot("enable-encryption--fail-key-disabled", namespaces(False), [], [],
             [key_ok, ("describe-cluster", describe_cluster(key_arn=other)),
              ("describe-key-arn", describe_key(other, state="Disabled", key_id=OTHER_KEY_ID))])

    # step secret-and-pod
    begin_state()
    p, ev = test_pod()
    snapshot("secret-and-pod--pass", namespaces(), [p], ev, [key_ok, cluster_ok, arn_ok,
                                                             *read_outputs()])
    begin_state()
    p, ev = test_pod(mounted=False)
    snapshot("secret-and-pod--fail-secret-missing", namespaces(), [p], ev,
             [cluster_ok, arn_ok, *read_outputs(pending=True)], secrets=())
    begin_state()
    p, ev = test_pod(mount_path="/etc/creds")
    snapshot("secret-and-pod--fail-mounted-elsewhere", namespaces(), [p], ev,
             [cluster_ok, arn_ok, *read_outputs(missing=("username", "password"))])
    begin_state()
    snapshot("secret-and-pod--fail-no-pod", namespaces(), [], [],
             [cluster_ok, arn_ok, *read_outputs(error='Error from server (NotFound): pods "test-secret" not found\n')])
    begin_state()
    p, ev = test_pod()
    snapshot("secret-and-pod--fail-pod-sees-old-password", namespaces(), [p], ev,
             [cluster_ok, arn_ok, *read_outputs(values={**VALUES, "password": OLD_PASSWORD})],
             secrets=[secret(created=POD_AT + 900)])
    begin_state()
    p, ev = test_pod(node=0, pod_ip="10.0.1.77")
    snapshot("secret-and-pod--pass-recorded-from-files", namespaces(), [p], ev,
             [key_ok, cluster_ok, arn_ok, *read_outputs(values=FROM_FILES, redacted=True)],
             secrets=[secret(FROM_FILES, as_evidence=True)])

    # completion: the YAML applied by hand (no klab labels) in complete
    begin_state()
    p, ev = test_pod(klab=False)
    snapshot("complete", namespaces(klab=False), [p], ev, [cluster_ok, arn_ok, *read_outputs()])
    begin_state()
    p, ev = test_pod()
    snapshot("complete--fail-encryption-off", namespaces(), [p], ev,
             [("describe-cluster", describe_cluster(key_arn=None)), *read_outputs()])
    begin_state()
    p, ev = test_pod()
    snapshot("complete--fail-key-pending-deletion", namespaces(), [p], ev,
             [cluster_ok, ("describe-key-arn", describe_key(KEY_ARN, state="PendingDeletion")),
              *read_outputs()])
    begin_state()
    p, ev = test_pod(mounted=False)
    snapshot("complete--fail-secret-missing", namespaces(), [p], ev,
             [cluster_ok, arn_ok, *read_outputs(pending=True)], secrets=())
    begin_state()
    snapshot("complete--fail-no-namespace", namespaces(False), [], [],
             [cluster_ok, arn_ok, *read_outputs(error='Error from server (NotFound): namespaces "secretslab" not found\n')],
             secrets=())
    begin_state()
    p, ev = test_pod(klab=False)
    snapshot("complete--fail-pod-sees-old-password", namespaces(klab=False), [p], ev,
             [cluster_ok, arn_ok, *read_outputs(values={**VALUES, "password": OLD_PASSWORD})],
             secrets=[secret(created=POD_AT + 900)])
    begin_state()
    p, ev = test_pod(klab=False, node=2, pod_ip="10.0.3.19")
    snapshot("complete--pass-from-files", namespaces(klab=False), [p], ev,
             [cluster_ok, arn_ok, *read_outputs(values=FROM_FILES)], secrets=[secret(FROM_FILES)])
