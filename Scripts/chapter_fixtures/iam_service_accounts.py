"""Snapshots of the iam-service-accounts lab: the cluster's OIDC provider in IAM, the role
iam-test-s3-read trusting it for default/iam-test, the annotated service account, and the
Job eks-iam-test-s3 whose pod got the role and token injected and listed S3."""

import copy

import access
import kube
from common import begin_state, lab_dir, manifest, node_ip, node_name, workers

LAB = "iam-service-accounts"
NS = "default"
CLUSTER = "eksworkshop"
ACCOUNT = "123456789012"
OIDC_ID = "5C2B7E9A41D3F6B8E0A2C4D6F8B1E3A5"
ISSUER = f"https://oidc.eks.us-west-2.amazonaws.com/id/{OIDC_ID}"
OTHER_ISSUER_ID = "9F1E3D5C7B9A2E4F6A8C0E2B4D6F8A1C"
ROLE = "iam-test-s3-read"
ROLE_ARN = f"arn:aws:iam::{ACCOUNT}:role/{ROLE}"
S3_POLICY = "arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess"
SA_AT = 300
JOB_AT = 600
KLAB = {"klab.dev/lab": LAB, "klab.dev/learner": "ana"}
TOKEN_FILE = "/var/run/secrets/eks.amazonaws.com/serviceaccount/token"
BUCKETS = "2026-10-02 09:14:51 eksworkshop-artifacts-123456789012\n2026-11-20 17:40:03 klab-class-handins\n"
NODE_DENIED = ("\nAn error occurred (AccessDenied) when calling the ListBuckets operation: User: "
               f"arn:aws:sts::{ACCOUNT}:assumed-role/eksctl-eksworkshop-nodegroup-ng-NodeInstanceRole-1RCZUX1KZ3U9H/"
               "i-0a1b2c3d4e5f60718 is not authorized to perform: s3:ListAllMyBuckets because no identity-based "
               "policy allows the s3:ListAllMyBuckets action\n")

DESCRIBE = ["aws", "eks", "describe-cluster", "--name", CLUSTER, "--region", "us-west-2", "--output", "json"]
LIST_PROVIDERS = ["aws", "iam", "list-open-id-connect-providers", "--region", "us-west-2", "--output", "json"]
GET_ROLE = ["aws", "iam", "get-role", "--role-name", ROLE, "--region", "us-west-2", "--output", "json"]
LIST_POLICIES = ["aws", "iam", "list-attached-role-policies", "--role-name", ROLE, "--region", "us-west-2",
                 "--output", "json"]


def describe_cluster():
    return access.command_output(DESCRIBE, body={"cluster": {
        "name": CLUSTER, "arn": f"arn:aws:eks:us-west-2:{ACCOUNT}:cluster/{CLUSTER}",
        "createdAt": "2026-11-22T10:02:19.511000+00:00", "version": "1.32",
        "endpoint": "https://4F1C3A5E7B9D2F4A6C8E0B2D4F6A8C1E.gr7.us-west-2.eks.amazonaws.com",
        "roleArn": f"arn:aws:iam::{ACCOUNT}:role/eksworkshop-cluster-ServiceRole-8KXW3T2Q9Z1N",
        "resourcesVpcConfig": {"subnetIds": ["subnet-0c1d2e3f4a5b6c7d8", "subnet-0d2e3f4a5b6c7d8e9"],
                               "vpcId": "vpc-0a9b8c7d6e5f40312", "endpointPublicAccess": True},
        "kubernetesNetworkConfig": {"serviceIpv4Cidr": "172.20.0.0/16", "ipFamily": "ipv4"},
        "identity": {"oidc": {"issuer": ISSUER}},
        "status": "ACTIVE", "platformVersion": "eks.9",
        "accessConfig": {"authenticationMode": "API_AND_CONFIG_MAP"}}})


def providers(ids=(OIDC_ID,)):
    return access.command_output(LIST_PROVIDERS, body={"OpenIDConnectProviderList": [
        {"Arn": f"arn:aws:iam::{ACCOUNT}:oidc-provider/oidc.eks.us-west-2.amazonaws.com/id/{i}"} for i in ids]})


def get_role(exists=True, subject=f"system:serviceaccount:{NS}:iam-test", issuer_id=OIDC_ID):
    if not exists:
        return access.aws_error(GET_ROLE, "NoSuchEntity", "GetRole", f"The role with name {ROLE} cannot be found.")
    host = f"oidc.eks.us-west-2.amazonaws.com/id/{issuer_id}"
    document = {"Version": "2012-10-17", "Statement": [{
        "Effect": "Allow",
        "Principal": {"Federated": f"arn:aws:iam::{ACCOUNT}:oidc-provider/{host}"},
        "Action": "sts:AssumeRoleWithWebIdentity",
        "Condition": {"StringEquals": {f"{host}:aud": "sts.amazonaws.com", f"{host}:sub": subject}}}]}
    return access.command_output(GET_ROLE, body={"Role": {
        "Path": "/", "RoleName": ROLE, "RoleId": "AROA3XK7Q2M9P4W6R8T1Y", "Arn": ROLE_ARN,
        "CreateDate": "2026-11-25T14:05:02+00:00", "AssumeRolePolicyDocument": document,
        "Description": "", "MaxSessionDuration": 3600,
        "Tags": [{"Key": "alpha.eksctl.io/cluster-name", "Value": CLUSTER},
                 {"Key": "alpha.eksctl.io/iamserviceaccount-name", "Value": f"{NS}/iam-test"}],
        "RoleLastUsed": {}}})


def policies(attached=(S3_POLICY,)):
    return access.command_output(LIST_POLICIES, body={"AttachedPolicies": [
        {"PolicyName": arn.rsplit("/", 1)[1], "PolicyArn": arn} for arn in attached]})


def aws_outputs(**changes):
    return [describe_cluster(), providers(changes.get("provider_ids", (OIDC_ID,))),
            get_role(**changes.get("role", {})), policies(changes.get("policies", (S3_POLICY,)))]


def service_account(annotated=True, eksctl=True):
    labels = {"app.kubernetes.io/managed-by": "eksctl"} if eksctl else None
    annotations = {"eks.amazonaws.com/role-arn": ROLE_ARN} if annotated else None
    return {"apiVersion": "v1", "kind": "ServiceAccount",
            "metadata": access.meta("serviceaccount", "iam-test", NS, SA_AT, labels=labels, annotations=annotations)}


def job(klab=True, outcome="ok", injected=True, service_account_name="iam-test"):
    """The Job and its pod. outcome: ok (aws s3 ls exited 0), denied (AccessDenied, three
    failed pods) or running."""
    m = manifest(LAB, "job-s3.yaml")
    if klab:
        m["metadata"]["labels"] = dict(KLAB)
        m["spec"]["template"]["metadata"]["labels"].update(KLAB)
    m["spec"]["template"]["spec"]["serviceAccountName"] = service_account_name
    controller_uid = kube.uid("job", NS, "eks-iam-test-s3")
    selector_labels = {"batch.kubernetes.io/controller-uid": controller_uid}
    template = copy.deepcopy(m["spec"]["template"])
    template["metadata"]["labels"].update({**selector_labels, "batch.kubernetes.io/job-name": "eks-iam-test-s3",
                                           "controller-uid": controller_uid, "job-name": "eks-iam-test-s3"})
    template["spec"] = kube.pod_template_spec(template["spec"])
    template["spec"]["restartPolicy"] = "Never"
    template["metadata"] = {"creationTimestamp": None, **template["metadata"]}
    attempts = 3 if outcome == "denied" else 1
    pods = []
    for i in range(attempts):
        spec = copy.deepcopy(m["spec"]["template"]["spec"])
        if injected:
            c = spec["containers"][0]
            c["env"] = [{"name": "AWS_STS_REGIONAL_ENDPOINTS", "value": "regional"},
                        {"name": "AWS_DEFAULT_REGION", "value": "us-west-2"},
                        {"name": "AWS_REGION", "value": "us-west-2"},
                        {"name": "AWS_ROLE_ARN", "value": ROLE_ARN},
                        {"name": "AWS_WEB_IDENTITY_TOKEN_FILE", "value": TOKEN_FILE}]
            c["volumeMounts"] = [{"mountPath": "/var/run/secrets/eks.amazonaws.com/serviceaccount",
                                  "name": "aws-iam-token", "readOnly": True}]
        name = f"eks-iam-test-s3-{kube.suffix('job-pod', str(i))}"
        created = JOB_AT + 1 + 40 * i
        p = kube.pod(name, NS, created, spec, node_name=node_name(i % 3), node_ip=node_ip(i % 3),
                     pod_ip=f"10.0.{i % 3 + 1}.{90 + i}", labels=template["metadata"]["labels"],
                     generate_name="eks-iam-test-s3-")
        p["metadata"]["ownerReferences"] = [{"apiVersion": "batch/v1", "blockOwnerDeletion": True,
                                             "controller": True, "kind": "Job", "name": "eks-iam-test-s3",
                                             "uid": controller_uid}]
        p["metadata"]["finalizers"] = ["batch.kubernetes.io/job-tracking"] if outcome == "running" else []
        if not p["metadata"]["finalizers"]:
            del p["metadata"]["finalizers"]
        if injected:
            p["spec"]["volumes"].insert(0, {"name": "aws-iam-token", "projected": {"defaultMode": 420, "sources": [
                {"serviceAccountToken": {"audience": "sts.amazonaws.com", "expirationSeconds": 86400,
                                         "path": "token"}}]}})
        st = p["status"]["containerStatuses"][0]
        if outcome == "running":
            pass
        else:
            code = 0 if outcome == "ok" else 254
            st["state"] = {"terminated": {"containerID": st["containerID"], "exitCode": code,
                                          "finishedAt": kube.ts(created + 14),
                                          "reason": "Completed" if code == 0 else "Error",
                                          "startedAt": kube.ts(created + 9)}}
            st["ready"] = False
            st["started"] = False
            p["status"]["phase"] = "Succeeded" if code == 0 else "Failed"
            for cond in p["status"]["conditions"]:
                if cond["type"] in ("Ready", "ContainersReady"):
                    cond.update(status="False", reason="PodCompleted")
                if cond["type"] == "PodReadyToStartContainers":
                    cond["status"] = "False"
        pods.append(p)
    status = {"active": 0, "startTime": kube.ts(JOB_AT), "uncountedTerminatedPods": {}, "ready": 0,
              "terminating": 0}
    if outcome == "ok":
        status.update(succeeded=1, completionTime=kube.ts(JOB_AT + 16), conditions=[
            {"lastProbeTime": kube.ts(JOB_AT + 16), "lastTransitionTime": kube.ts(JOB_AT + 16), "message":
             "Reached expected number of succeeded pods", "reason": "CompletionsReached", "status": "True",
             "type": "SuccessCriteriaMet"},
            {"lastProbeTime": kube.ts(JOB_AT + 16), "lastTransitionTime": kube.ts(JOB_AT + 16), "message":
             "Reached expected number of succeeded pods", "reason": "CompletionsReached", "status": "True",
             "type": "Complete"}])
    elif outcome == "denied":
        status.update(failed=3, conditions=[
            {"lastProbeTime": kube.ts(JOB_AT + 120), "lastTransitionTime": kube.ts(JOB_AT + 120),
             "message": "Job has reached the specified backoff limit", "reason": "BackoffLimitExceeded",
             "status": "True", "type": "FailureTarget"},
            {"lastProbeTime": kube.ts(JOB_AT + 120), "lastTransitionTime": kube.ts(JOB_AT + 120),
             "message": "Job has reached the specified backoff limit", "reason": "BackoffLimitExceeded",
             "status": "True", "type": "Failed"}])
    else:
        status.update(active=1, ready=1)
    j = {"apiVersion": "batch/v1", "kind": "Job",
         "metadata": access.meta("job", "eks-iam-test-s3", NS, JOB_AT, labels=m["metadata"].get("labels"),
                                 applied=m, generation=1),
         "spec": {"backoffLimit": 2, "completionMode": "NonIndexed", "completions": 1, "manualSelector": False,
                  "parallelism": 1, "podReplacementPolicy": "TerminatingOrFailed",
                  "selector": {"matchLabels": selector_labels}, "suspend": False, "template": template},
         "status": dict(sorted(status.items()))}
    j["metadata"]["uid"] = controller_uid
    return j, pods


def snapshot(state, accounts=(), jobs=(), pods=(), outputs=()):
    access.snapshot(lab_dir(LAB), state, {
        "nodes.json": workers(), "serviceaccounts.json": list(accounts), "jobs.json": list(jobs),
        "pods.json": list(pods)}, outputs=list(outputs))


def generate():
    kube.clean_fixtures(lab_dir(LAB))
    oidc = [describe_cluster(), providers()]

    # step oidc-provider
    begin_state()
    snapshot("oidc-provider--pass", outputs=oidc)
    begin_state()
    snapshot("oidc-provider--fail-no-provider", outputs=[describe_cluster(), providers(ids=())])
    begin_state()
    # a provider exists, for another cluster's issuer
    snapshot("oidc-provider--fail-other-cluster-provider",
             outputs=[describe_cluster(), providers(ids=(OTHER_ISSUER_ID,))])

    # step service-account
    begin_state()
    snapshot("service-account--pass", [service_account()], outputs=aws_outputs())
    begin_state()
    snapshot("service-account--fail-not-annotated", [service_account(annotated=False, eksctl=False)],
             outputs=aws_outputs(role={"exists": False}, policies=()))
    begin_state()
    snapshot("service-account--fail-trusts-other-namespace", [service_account()],
             outputs=aws_outputs(role={"subject": "system:serviceaccount:kube-system:iam-test"}))
    begin_state()
    snapshot("service-account--fail-no-s3-policy", [service_account()], outputs=aws_outputs(policies=()))

    # step job
    begin_state()
    j, pods = job()
    snapshot("job--pass", [service_account()], [j], pods, aws_outputs())
    begin_state()
    # the Job started before the service account was annotated: the node's role was used
    j, pods = job(outcome="denied", injected=False)
    snapshot("job--fail-access-denied-without-injection", [service_account()], [j], pods, aws_outputs())
    begin_state()
    j, pods = job(service_account_name="default", injected=False)
    snapshot("job--fail-default-service-account", [service_account()], [j], pods, aws_outputs())
    begin_state()
    j, pods = job(outcome="running")
    snapshot("job--fail-still-running", [service_account()], [j], pods, aws_outputs())

    # completion
    begin_state()
    j, pods = job(klab=False)
    snapshot("complete", [service_account()], [j], pods, aws_outputs())
    begin_state()
    j, pods = job(outcome="denied")
    snapshot("complete--fail-job-denied", [service_account()], [j], pods,
             aws_outputs(role={"subject": "system:serviceaccount:default:iam-tester"}))
    begin_state()
    j, pods = job(outcome="denied", injected=False)
    snapshot("complete--fail-service-account-not-annotated", [service_account(annotated=False, eksctl=False)],
             [j], pods, aws_outputs())
    begin_state()
    j, pods = job()
    snapshot("complete--fail-provider-deleted", [service_account()], [j], pods,
             aws_outputs(provider_ids=()))
    begin_state()
    j, pods = job(service_account_name="default", injected=False)
    snapshot("complete--fail-default-service-account", [service_account()], [j], pods, aws_outputs())
