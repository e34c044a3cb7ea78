"""Snapshots of the rbac lab: IAM roles k8sAdmin and k8sDev, the aws-auth ConfigMap mapping
them (and the node role), the development namespace with dev-role and dev-role-binding, and
what `kubectl auth can-i --as dev-user --as-group dev-group` answers."""

import access
import kube
from common import begin_state, lab_dir, manifest

LAB = "rbac"
NS = "development"
ACCOUNT = "123456789012"
NODE_ROLE = f"arn:aws:iam::{ACCOUNT}:role/eksctl-eksworkshop-nodegroup-ng-NodeInstanceRole-1RCZUX1KZ3U9H"
DEV_ROLE = f"arn:aws:iam::{ACCOUNT}:role/k8sDev"
ADMIN_ROLE = f"arn:aws:iam::{ACCOUNT}:role/k8sAdmin"
KLAB = {"klab.dev/lab": LAB, "klab.dev/learner": "ana"}
ROLE_AT = 600

NODE_ENTRY = {"groups": ["system:bootstrappers", "system:nodes"], "rolearn": NODE_ROLE,
              "username": "system:node:{{EC2PrivateDNSName}}"}
DEV_ENTRY = {"groups": ["dev-group"], "rolearn": DEV_ROLE, "username": "dev-user"}
ADMIN_ENTRY = {"groups": ["system:masters"], "rolearn": ADMIN_ROLE, "username": "admin-user"}


def map_roles_yaml(entries, style="eksctl"):
    """mapRoles as the tools write it: eksctl's layout, or a hand edit's."""
    lines = []
    for e in entries:
        if style == "eksctl":
            lines.append("- groups:")
            lines += [f"  - {g}" for g in e["groups"]]
            lines.append(f"  rolearn: {e['rolearn']}")
            lines.append(f"  username: {e['username']}")
        else:
            lines.append(f"- rolearn: {e['rolearn']}")
            lines.append(f"  username: {e['username']}")
            lines.append("  groups:")
            lines += [f"    - {g}" for g in e["groups"]]
    return "\n".join(lines) + "\n"


def aws_auth(entries, style="eksctl", raw=None):
    data = {"mapRoles": raw if raw is not None else map_roles_yaml(entries, style)}
    return {"apiVersion": "v1", "kind": "ConfigMap", "data": data,
            "metadata": access.meta("configmap", "aws-auth", "kube-system", -3 * 86400 + 400)}


def namespace(klab=True):
    return kube.namespace_object(NS, ROLE_AT - 30, labels=KLAB if klab else None)


def role(klab=True, rules=None):
    m = manifest(LAB, "dev-role.yaml")
    if rules is not None:
        m["rules"] = rules
    if klab:
        m["metadata"]["labels"] = dict(KLAB)
    return {"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "Role",
            "metadata": access.meta("role", "dev-role", NS, ROLE_AT, labels=m["metadata"].get("labels"), applied=m),
            "rules": m["rules"]}


def role_binding(klab=True, subject=None, role_ref=None):
    m = manifest(LAB, "dev-role-binding.yaml")
    if subject:
        m["subjects"] = [subject]
    if role_ref:
        m["roleRef"] = role_ref
    if klab:
        m["metadata"]["labels"] = dict(KLAB)
    return {"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "RoleBinding",
            "metadata": access.meta("rolebinding", "dev-role-binding", NS, ROLE_AT + 5,
                                    labels=m["metadata"].get("labels"), applied=m),
            "roleRef": m["roleRef"], "subjects": m["subjects"]}


def get_role(name, exists=True, trust_account=ACCOUNT):
    args = ["aws", "iam", "get-role", "--role-name", name, "--region", "us-west-2", "--output", "json"]
    if not exists:
        return access.aws_error(args, "NoSuchEntity", "GetRole", f"The role with name {name} cannot be found.")
    document = {"Version": "2012-10-17", "Statement": [{
        "Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{trust_account}:root"}, "Action": "sts:AssumeRole"}]}
    body = {"Role": {"Path": "/", "RoleName": name, "RoleId": "AROA" + kube.hexdigest("role", name, length=17).upper(),
                     "Arn": f"arn:aws:iam::{ACCOUNT}:role/{name}", "CreateDate": "2026-11-25T13:12:40+00:00",
                     "AssumeRolePolicyDocument": document,
                     "Description": "Kubernetes developers" if name == "k8sDev" else "Kubernetes administrators",
                     "MaxSessionDuration": 3600, "RoleLastUsed": {}}}
    return access.command_output(args, body=body)


def can_i(verb, resource, namespace, answer, subresource=None):
    """`kubectl auth can-i` as klab's canI source runs it. answer: 'yes', 'no' or 'forbidden'
    (klab's own identity may not impersonate: the question could not be asked)."""
    args = ["kubectl", "auth", "can-i", verb, resource] + ([f"--subresource={subresource}"] if subresource else []) + \
        ["-n", namespace, "--as=dev-user", "--as-group=dev-group"]
    if answer == "yes":
        return access.command_output(args, stdout="yes\n")
    if answer == "no":
        return access.command_output(args, exit_code=1, stdout="no\n")
    return access.command_output(args, exit_code=1, stderr=(
        'Error from server (Forbidden): users "dev-user" is forbidden: User '
        '"arn:aws:sts::123456789012:assumed-role/workshop-participant/ana" cannot impersonate resource "users" '
        'in API group "" at the cluster scope\n'))


def can_i_outputs(list_pods="yes", list_deployments="yes", delete_pods="no", list_system="no", pod_logs=None):
    return [can_i("list", "pods", NS, list_pods), can_i("list", "deployments.apps", NS, list_deployments),
            can_i("delete", "pods", NS, delete_pods), can_i("list", "pods", "kube-system", list_system),
            can_i("get", "pods", NS, pod_logs or list_pods, subresource="log")]


ALL_ROLES = [get_role("k8sAdmin"), get_role("k8sDev")]


def snapshot(state, configmaps, namespaces=(), roles=(), bindings=(), outputs=()):
    access.snapshot(lab_dir(LAB), state, {
        "namespaces.json": access.system_namespaces() + list(namespaces),
        "configmaps.json": list(configmaps),
        "roles.json": list(roles),
        "rolebindings.json": list(bindings),
    }, outputs=list(outputs))


def generate():
    kube.clean_fixtures(lab_dir(LAB))
    only_nodes = aws_auth([NODE_ENTRY])
    mapped = aws_auth([NODE_ENTRY, DEV_ENTRY, ADMIN_ENTRY])

    # step iam-roles
    begin_state()
    snapshot("iam-roles--pass", [only_nodes], outputs=ALL_ROLES)
    begin_state()
    snapshot("iam-roles--fail-no-dev-role", [only_nodes], outputs=[get_role("k8sAdmin"), get_role("k8sDev", False)])
    begin_state()
    snapshot("iam-roles--fail-no-roles", [only_nodes],
             outputs=[get_role("k8sAdmin", False), get_role("k8sDev", False)])

    # step aws-auth
    begin_state()
    snapshot("aws-auth--pass", [mapped], outputs=ALL_ROLES)
    begin_state()
    # edited by hand, and the node role's entry was lost on the way
    snapshot("aws-auth--fail-node-role-dropped", [aws_auth([DEV_ENTRY, ADMIN_ENTRY], style="hand")],
             outputs=ALL_ROLES)
    begin_state()
    wrong_group = dict(DEV_ENTRY, groups=["system:masters"])
    snapshot("aws-auth--fail-dev-in-masters", [aws_auth([NODE_ENTRY, wrong_group, ADMIN_ENTRY])], outputs=ALL_ROLES)
    begin_state()
    # a regex over the string would see "dev-user" and "dev-group" here, but on other entries
    tangled = [NODE_ENTRY, dict(DEV_ENTRY, rolearn=ADMIN_ROLE), dict(ADMIN_ENTRY, rolearn=DEV_ROLE)]
    snapshot("aws-auth--fail-roles-swapped", [aws_auth(tangled)], outputs=ALL_ROLES)
    begin_state()
    snapshot("aws-auth--fail-not-mapped", [only_nodes], outputs=ALL_ROLES)

    # step dev-role
    begin_state()
    snapshot("dev-role--pass", [mapped], [namespace()], [role()], [role_binding()], ALL_ROLES)
    begin_state()
    snapshot("dev-role--fail-binding-to-user", [mapped], [namespace()], [role()],
             [role_binding(subject={"kind": "User", "name": "dev-user", "apiGroup": "rbac.authorization.k8s.io"})],
             ALL_ROLES)
    begin_state()
    writes = [{"apiGroups": ["", "apps"], "resources": ["pods", "pods/log", "services", "deployments"],
               "verbs": ["*"]}]
    snapshot("dev-role--fail-role-allows-everything", [mapped], [namespace()], [role(rules=writes)],
             [role_binding()], ALL_ROLES)
    begin_state()
    snapshot("dev-role--fail-no-binding", [mapped], [namespace()], [role()], [], ALL_ROLES)

    # step can-i
    full = ([mapped], [namespace()], [role()], [role_binding()])
    begin_state()
    snapshot("can-i--pass", *full, ALL_ROLES + can_i_outputs())
    begin_state()
    snapshot("can-i--fail-delete-allowed", [mapped], [namespace()], [role(rules=writes)], [role_binding()],
             ALL_ROLES + can_i_outputs(delete_pods="yes"))
    begin_state()
    # dev-group also bound to a ClusterRole cluster-wide: kube-system is readable
    snapshot("can-i--fail-kube-system-readable", *full, ALL_ROLES + can_i_outputs(list_system="yes"))
    begin_state()
    # the Role names pods but not pods/log: kubectl logs is refused to the developers
    no_logs = [{"apiGroups": ["", "apps"], "resources": ["pods", "services", "deployments"], "verbs": ["get", "list", "watch"]}]
    snapshot("can-i--fail-logs-denied", [mapped], [namespace()], [role(rules=no_logs)], [role_binding()],
             ALL_ROLES + can_i_outputs(pod_logs="no"))
    begin_state()
    # klab's identity may not impersonate: "denied" must not pass when nobody could ask
    snapshot("can-i--fail-could-not-ask", *full, ALL_ROLES + can_i_outputs(
        "forbidden", "forbidden", "forbidden", "forbidden"))

    # completion: applied by hand (no klab labels), aws-auth edited by hand, in complete
    begin_state()
    snapshot("complete", [aws_auth([NODE_ENTRY, DEV_ENTRY, ADMIN_ENTRY], style="hand")], [namespace(False)],
             [role(False)], [role_binding(False)], can_i_outputs())
    begin_state()
    snapshot("complete--fail-roles-swapped", [aws_auth(tangled)], [namespace()], [role()], [role_binding()],
             can_i_outputs(list_pods="no", list_deployments="no"))
    begin_state()
    snapshot("complete--fail-delete-allowed", [mapped], [namespace()], [role(rules=writes)], [role_binding()],
             can_i_outputs(delete_pods="yes"))
    begin_state()
    snapshot("complete--fail-no-binding", [mapped], [namespace()], [role()], [],
             can_i_outputs(list_pods="no", list_deployments="no"))
    begin_state()
    snapshot("complete--fail-could-not-ask", *full, can_i_outputs("forbidden", "forbidden", "forbidden", "forbidden"))
    begin_state()
    snapshot("complete--fail-node-role-dropped", [aws_auth([DEV_ENTRY, ADMIN_ENTRY], style="hand")],
             [namespace()], [role()], [role_binding()], can_i_outputs())

