#!/usr/bin/env python3
"""feast_pod.py -- run the containers of a rendered Deployment's pod as local processes.

  layout MANIFEST PODDIR          lay out the pod's volumes under PODDIR and pick a free
                                  loopback port for each containerPort; prints "PORT LOCAL"
  exec MANIFEST PODDIR CONTAINER [ARG...]
                                  exec CONTAINER's own command and args (+ ARG...), in its
                                  workingDir, with its env

Run with the python of scripts/feast-env.sh (it has PyYAML). What a kubelet would give the
container is stood in for, and nothing else is changed:
  - mounts: every absolute path under a mountPath -- in argv, in env values and inside the
    inline feature_store.yaml (TMP_FEATURE_STORE_YAML_BASE64) -- points at the volume's
    directory: an emptyDir at PODDIR/vol/NAME, a persistentVolumeClaim at
    $FEAST_POD_SHARED/CLAIM, shared by every pod as a ReadWriteMany volume would be;
  - the pod's network: pods share the host's loopback, so each containerPort is mapped to the
    free port `layout` picked (in argv: a bare port, or 127.0.0.1:PORT), and 0.0.0.0 binds to
    127.0.0.1;
  - the downward API: POD_NAME is PODDIR's name, POD_NAMESPACE is $FEAST_POD_NAMESPACE;
  - the image: PATH is $FEAST_POD_PATH (the Feast venv's bin and this build's binaries), HOME
    is PODDIR/home, FEAST_USAGE=False (no telemetry from tests); the API server's address and
    credentials pass through (PASSED); FEAST_SIDECAR_SOCKET is the default socket under the
    sidecar volume's mount, where a pod's feast-lock and feast-sidecar look by default.
Volume contents from Secrets and ConfigMaps are laid out as tests/feast_configs.py does.
"""
import base64
import json
import os
import re
import socket
import sys
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from feast_configs import Pod, docs_of  # noqa: E402

INLINE = ("TMP_FEATURE_STORE_YAML_BASE64", "FEATURE_STORE_YAML_BASE64")
SOCKET_DEFAULT = "/run/feast-sidecar/sock"
# The API server's address and credentials: a kubeconfig, or the in-cluster configuration
# (feast-sidecar reads the service-account files from FEAST_SERVICEACCOUNT_DIR).
PASSED = ("KUBECONFIG", "KUBERNETES_SERVICE_HOST", "KUBERNETES_SERVICE_PORT", "FEAST_SERVICEACCOUNT_DIR")


class LocalPod(Pod):
    """Pod whose claims live in one shared directory instead of one per pod."""

    def make_volume(self, v):
        claim = (v.get("persistentVolumeClaim") or {}).get("claimName")
        if claim:
            d = Path(os.environ["FEAST_POD_SHARED"]) / claim
            d.mkdir(parents=True, exist_ok=True)
            return d
        return super().make_volume(v)


def template(manifest):
    for d in docs_of(manifest):
        if d.get("kind") == "Deployment":
            return d["spec"]["template"]
    sys.exit("feast_pod: no Deployment in %s" % manifest)


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def ports_of(tmpl, poddir):
    path = Path(poddir) / "ports.json"
    if path.exists():
        return json.loads(path.read_text())
    spec = tmpl["spec"]
    wanted = sorted({str(p["containerPort"]) for c in spec.get("initContainers", []) + spec["containers"]
                     for p in c.get("ports") or []})
    ports = {p: str(free_port()) for p in wanted}
    path.write_text(json.dumps(ports))
    return ports


def rewriter(pod, c, ports):
    one, text = pod.mapper(c)
    loopback = re.compile(r"\b(127\.0\.0\.1|localhost):(\d+)\b")

    def arg(a):
        a = text(a)
        if a == "0.0.0.0":
            return "127.0.0.1"
        if a in ports:
            return ports[a]
        return loopback.sub(lambda m: "127.0.0.1:" + ports.get(m.group(2), m.group(2)), a)
    return one, text, arg


def environment(pod, c, poddir, one, text):
    env = {k: v for k, v in pod.env(c, one).items()}
    name = Path(poddir).name
    field = {"metadata.name": name, "metadata.namespace": os.environ.get("FEAST_POD_NAMESPACE", "default"),
             "metadata.uid": str(uuid.uuid5(uuid.NAMESPACE_URL, str(poddir)))}
    for e in c.get("env") or []:
        ref = (e.get("valueFrom") or {}).get("fieldRef")
        if ref:
            env[e["name"]] = field.get(ref["fieldPath"], "")
        elif e["name"] in INLINE and "value" in e:
            yaml_text = base64.b64decode(e["value"]).decode()
            env[e["name"]] = base64.b64encode(text(yaml_text).encode()).decode()
    env.update(PATH=os.environ["FEAST_POD_PATH"], HOME=str(Path(poddir) / "home"), FEAST_USAGE="False")
    for k in PASSED:
        if k in os.environ:
            env[k] = os.environ[k]
    sock = one(SOCKET_DEFAULT)
    if "/image/" not in sock:
        env["FEAST_SIDECAR_SOCKET"] = sock
    return env


def main(argv):
    cmd, manifest, poddir = argv[1], argv[2], os.path.abspath(argv[3])
    tmpl = template(manifest)
    Path(poddir, "home").mkdir(parents=True, exist_ok=True)
    pod = LocalPod(poddir, docs_of(manifest), "default", tmpl["spec"])
    ports = ports_of(tmpl, poddir)
    if cmd == "layout":
        for k, v in sorted(ports.items()):
            print(k, v)
        return 0
    name, extra = argv[4], argv[5:]
    c = next((c for c in pod.inits + pod.containers if c["name"] == name), None)
    if c is None:
        sys.exit("feast_pod: no container %s" % name)
    one, text, arg = rewriter(pod, c, ports)
    env = environment(pod, c, poddir, one, text)
    argv = [arg(a) for a in (c.get("command") or []) + (c.get("args") or [])] + extra
    cwd = Path(one(c.get("workingDir", "/")))
    cwd.mkdir(parents=True, exist_ok=True)
    os.chdir(cwd)
    sys.stdout.flush()
    os.execvpe(argv[0], argv, env)


if __name__ == "__main__":
    sys.exit(main(sys.argv))
