"""Snapshots of the helm-nginx lab: the release mywebserver of bitnami/nginx in default,
installed (revision 1), upgraded to two replicas (2), rolled back to revision 1 (3)."""

import base64
import hashlib
import json

import kube
from common import begin_state, lab_dir, place, workers

LAB = "helm-nginx"
NS = "default"
CHART_VERSION = "21.1.23"
APP_VERSION = "1.29.1"
IMAGE = "docker.io/bitnami/nginx:1.29.1-debian-12-r0"
RS_HASH = "7b9d6c5f48"
INSTALL_AT = 120
UPGRADE_AT = 900
ROLLBACK_AT = 1500
LB_HOST = "a3f1c9e07b2d44e5a8c61f0d2b9e7a41-1187326645.us-west-2.elb.amazonaws.com"

kube.IMAGE_DIGESTS[IMAGE] = (IMAGE, "docker.io/bitnami/nginx@sha256:")
kube.IMAGE_DIGESTS["docker.io/bitnami/nginx:1.25.4-debian-12-r3"] = (
    "docker.io/bitnami/nginx:1.25.4-debian-12-r3", "docker.io/bitnami/nginx@sha256:")

DESCRIPTIONS = {"install": "Install complete", "upgrade": "Upgrade complete", "rollback": "Rollback to 1"}


def command_output(command, stdout="", exit_code=0, stderr=""):
    return {"command": command, "result": {"exitCode": exit_code, "stdout": stdout, "stderr": stderr}}


def repo_output(repos):
    command = ["helm", "repo", "list", "--output", "json"]
    if not repos:
        return command_output(command, exit_code=1, stderr="Error: no repositories to show\n")
    return command_output(command, json.dumps([{"name": n, "url": u} for n, u in repos], separators=(",", ":")) + "\n")


def labels(release="mywebserver"):
    return {"app.kubernetes.io/instance": release, "app.kubernetes.io/managed-by": "Helm",
            "app.kubernetes.io/name": "nginx", "app.kubernetes.io/version": APP_VERSION,
            "helm.sh/chart": f"nginx-{CHART_VERSION}"}


def selector(release="mywebserver"):
    return {"app.kubernetes.io/instance": release, "app.kubernetes.io/name": "nginx"}


def helm_meta(obj, release="mywebserver"):
    obj["metadata"]["annotations"].pop("kubectl.kubernetes.io/last-applied-configuration", None)
    obj["metadata"]["annotations"].update({"meta.helm.sh/release-name": release,
                                           "meta.helm.sh/release-namespace": NS})


def chart_deployment(replicas, release="mywebserver", image=IMAGE):
    """The Deployment the chart renders, as the manifest Helm sends."""
    name = f"{release}-nginx"
    return {
        "apiVersion": "apps/v1", "kind": "Deployment",
        "metadata": {"name": name, "namespace": NS, "labels": labels(release)},
        "spec": {
            "replicas": replicas,
            "selector": {"matchLabels": selector(release)},
            "template": {
                "metadata": {"labels": labels(release)},
                "spec": {
                    "automountServiceAccountToken": False,
                    "containers": [{
                        "env": [{"name": "BITNAMI_DEBUG", "value": "false"},
                                {"name": "NGINX_HTTP_PORT_NUMBER", "value": "8080"},
                                {"name": "NGINX_HTTPS_PORT_NUMBER", "value": "8443"}],
                        "image": image,
                        "imagePullPolicy": "IfNotPresent",
                        "livenessProbe": {"failureThreshold": 6, "initialDelaySeconds": 30, "periodSeconds": 10,
                                          "successThreshold": 1, "tcpSocket": {"port": "http"},
                                          "timeoutSeconds": 5},
                        "name": "nginx",
                        "ports": [{"containerPort": 8080, "name": "http"}, {"containerPort": 8443, "name": "https"}],
                        "readinessProbe": {"failureThreshold": 3, "httpGet": {"path": "/", "port": "http"},
                                           "initialDelaySeconds": 5, "periodSeconds": 5, "successThreshold": 1,
                                           "timeoutSeconds": 3},
                        "resources": {"limits": {"cpu": "150m", "ephemeral-storage": "2Gi", "memory": "192Mi"},
                                      "requests": {"cpu": "100m", "ephemeral-storage": "50Mi", "memory": "128Mi"}},
                        "securityContext": {"allowPrivilegeEscalation": False, "capabilities": {"drop": ["ALL"]},
                                            "privileged": False, "readOnlyRootFilesystem": True,
                                            "runAsGroup": 1001, "runAsNonRoot": True, "runAsUser": 1001,
                                            "seccompProfile": {"type": "RuntimeDefault"}},
                    }],
                    "securityContext": {"fsGroup": 1001, "fsGroupChangePolicy": "Always"},
                    "serviceAccountName": f"{release}-nginx",
                },
            },
        },
    }


def release_objects(replicas=1, ready=None, generation=1, release="mywebserver", image_pull_fails=False):
    """The Deployment, its pods and the Service of the release."""
    ready = replicas if ready is None else ready
    image = "docker.io/bitnami/nginx:1.25.4-debian-12-r3" if image_pull_fails else IMAGE
    m = chart_deployment(replicas, release, image)
    d = kube.deployment(m, INSTALL_AT, (replicas, replicas, ready, ready), RS_HASH + release[:0],
                        unavailable_since=INSTALL_AT)
    helm_meta(d, release)
    d["metadata"]["generation"] = generation
    d["status"]["observedGeneration"] = generation
    runs = None
    if image_pull_fails:
        wait = kube.ContainerRun(ready=False, waiting=(
            "ImagePullBackOff", f'Back-off pulling image "{image}": ErrImagePull: failed to pull and unpack image '
                                f'"{image}": failed to resolve reference "{image}": {image}: not found'))
        runs = {i: {"nginx": wait} for i in range(replicas)}
    placements = [place(i % 3, f"10.0.{i % 3 + 1}.{40 + i}") for i in range(replicas)]
    pods = kube.deployment_pods(m, INSTALL_AT, RS_HASH, placements, runs=runs)
    svc_manifest = {"apiVersion": "v1", "kind": "Service",
                    "metadata": {"name": f"{release}-nginx", "namespace": NS, "labels": labels(release)},
                    "spec": {"type": "LoadBalancer", "selector": selector(release),
                             "ports": [{"name": "http", "port": 80, "targetPort": "http"},
                                       {"name": "https", "port": 443, "targetPort": "https"}]}}
    svc = kube.service(svc_manifest, INSTALL_AT, "172.20.87.203", node_port=31080)
    svc["spec"]["ports"][1]["nodePort"] = 30443
    svc["spec"]["allocateLoadBalancerNodePorts"] = True
    svc["spec"] = dict(sorted(svc["spec"].items()))
    svc["status"] = {"loadBalancer": {"ingress": [{"hostname": LB_HOST}]}}
    helm_meta(svc, release)
    return d, pods, svc


def release_secret(revision, status, kind, at, release="mywebserver"):
    """Helm's record of one revision: a Secret whose labels say what it is."""
    name = f"sh.helm.release.v1.{release}.v{revision}"
    blob = base64.b64encode(b"H4sIAAAAAAAC/" + hashlib.sha256(name.encode()).hexdigest().encode()).decode()
    return {
        "apiVersion": "v1", "kind": "Secret",
        "data": {"release": blob},
        "metadata": {
            "creationTimestamp": kube.ts(at),
            "labels": {"modifiedAt": str(int(kube.START.timestamp()) + at + 30), "name": release, "owner": "helm",
                       "status": status, "version": str(revision)},
            "name": name, "namespace": NS, "resourceVersion": kube.RV.next(),
            "uid": kube.uid("secret", NS, name),
        },
        "type": "helm.sh/release.v1",
    }


def history(*steps, failed_last=False):
    """Secrets and `helm history` rows for the revisions made by `steps` (install, upgrade,
    rollback), the last one deployed."""
    times = {"install": INSTALL_AT, "upgrade": UPGRADE_AT, "rollback": ROLLBACK_AT}
    secrets, rows = [], []
    for i, step in enumerate(steps):
        last = i == len(steps) - 1
        status = ("failed" if failed_last else "deployed") if last else "superseded"
        secrets.append(release_secret(i + 1, status, step, times[step]))
        rows.append({"revision": i + 1, "updated": kube.micro_ts(times[step] + 0.412345),
                     "status": status, "chart": f"nginx-{CHART_VERSION}", "app_version": APP_VERSION,
                     "description": DESCRIPTIONS[step] if not (last and failed_last)
                     else "Rollback \"mywebserver\" failed: context deadline exceeded"})
    return secrets, rows


def history_output(rows):
    command = ["helm", "history", "mywebserver", "--namespace", NS, "--output", "json"]
    if not rows:
        return command_output(command, exit_code=1, stderr="Error: release: not found\n")
    return command_output(command, json.dumps(rows, separators=(",", ":")) + "\n")


def status_output(rows, config=None):
    command = ["helm", "status", "mywebserver", "--namespace", NS, "--output", "json"]
    if not rows:
        return command_output(command, exit_code=1, stderr="Error: release: not found\n")
    last = rows[-1]
    body = {
        "name": "mywebserver",
        "info": {"first_deployed": rows[0]["updated"], "last_deployed": last["updated"], "deleted": "",
                 "description": last["description"], "status": last["status"],
                 "notes": "CHART NAME: nginx\nCHART VERSION: " + CHART_VERSION + "\nAPP VERSION: " + APP_VERSION
                          + "\n\n** Please be patient while the chart is being deployed **\nNGINX can be accessed "
                            "through the following DNS name from within your cluster:\n\n    mywebserver-nginx."
                          + NS + ".svc.cluster.local (port 80)\n"},
        "chart": {"metadata": {"name": "nginx", "home": "https://bitnami.com", "version": CHART_VERSION,
                               "appVersion": APP_VERSION, "apiVersion": "v2",
                               "description": "NGINX Open Source is a web server that can be also used as a "
                                              "reverse proxy, load balancer, and HTTP cache."}},
        "config": config or {},
        "version": last["revision"],
        "namespace": NS,
    }
    return command_output(command, json.dumps(body, separators=(",", ":")) + "\n")


BITNAMI = ("bitnami", "https://charts.bitnami.com/bitnami")


def snapshot(state, deployments=(), pods=(), services=(), secrets=(), outputs=()):
    kube.write_snapshot(lab_dir(LAB), state, {
        "nodes.json": workers(),
        "deployments.json": list(deployments),
        "pods.json": list(pods),
        "services.json": [kube_service()] + list(services),
        "secrets.json": list(secrets),
    }, outputs={f"{o['command'][1]}-{o['command'][2]}.json": o for o in outputs})


def kube_service():
    return {"apiVersion": "v1", "kind": "Service",
            "metadata": {"creationTimestamp": kube.ts(-3 * 86400), "labels": {"component": "apiserver",
                                                                              "provider": "kubernetes"},
                         "name": "kubernetes", "namespace": "default", "resourceVersion": "198",
                         "uid": kube.uid("service", "default", "kubernetes")},
            "spec": {"clusterIP": "172.20.0.1", "clusterIPs": ["172.20.0.1"], "internalTrafficPolicy": "Cluster",
                     "ipFamilies": ["IPv4"], "ipFamilyPolicy": "SingleStack",
                     "ports": [{"name": "https", "port": 443, "protocol": "TCP", "targetPort": 443}],
                     "sessionAffinity": "None", "type": "ClusterIP"},
            "status": {"loadBalancer": {}}}


def state(name, steps, replicas, config=None, repos=(BITNAMI,), generation=None, **kw):
    begin_state()
    secrets, rows = history(*steps, failed_last=kw.pop("failed_last", False)) if steps else ([], [])
    objs = ([], [], [])
    if steps or kw.get("release"):
        d, pods, svc = release_objects(replicas, generation=generation or len(steps) or 1, **kw)
        objs = ([d], pods, [svc])
    snapshot(name, objs[0], objs[1], objs[2], secrets,
             [repo_output(list(repos)), status_output(rows, config), history_output(rows)])


def generate():
    kube.clean_fixtures(lab_dir(LAB))
    old = ("bitnami", "https://kubernetes-charts.storage.googleapis.com")

    state("repo--pass", [], 0)
    state("repo--fail-no-repositories", [], 0, repos=())
    state("repo--fail-bitnami-points-elsewhere", [], 0, repos=(old, ("eks", "https://aws.github.io/eks-charts")))

    state("install--pass", ["install"], 1)
    state("install--fail-image-pull-back-off", ["install"], 1, ready=0, image_pull_fails=True)
    # installed under the name the chart's README uses: my-release-nginx, and no mywebserver
    begin_state()
    d, pods, svc = release_objects(1, release="my-release")
    snapshot("install--fail-other-release-name", [d], pods, [svc],
             [release_secret(1, "deployed", "install", INSTALL_AT, release="my-release")],
             [repo_output([BITNAMI]), status_output([]), history_output([])])

    state("upgrade--pass", ["install", "upgrade"], 2, config={"replicaCount": 2})
    state("upgrade--fail-not-upgraded", ["install"], 1)
    # kubectl scale instead of helm upgrade: two pods, but the release still says one
    state("upgrade--fail-scaled-with-kubectl", ["install"], 2, generation=2)

    state("rollback--pass", ["install", "upgrade", "rollback"], 1, generation=3)
    state("rollback--fail-still-upgraded", ["install", "upgrade"], 2, config={"replicaCount": 2})
    state("rollback--fail-reinstalled", ["install"], 1)

    state("complete", ["install", "upgrade", "rollback"], 1, generation=3)
    begin_state()
    snapshot("complete--fail-uninstalled", outputs=[repo_output([BITNAMI]), status_output([]), history_output([])])
    # from the objects alone this is a healthy release; helm history shows no upgrade or rollback
    state("complete--fail-installed-only", ["install"], 1)
    state("complete--fail-upgrade-not-rolled-back", ["install", "upgrade"], 2, config={"replicaCount": 2})
    state("complete--fail-pods-not-ready", ["install", "upgrade", "rollback"], 1, ready=0, generation=3,
          image_pull_fails=True)
    state("complete--fail-rollback-failed", ["install", "upgrade", "rollback"], 2, config={"replicaCount": 2},
          failed_last=True)
