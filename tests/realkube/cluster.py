"""The test tier's cluster: a real control plane, a real node (kubelet, containerd, runc) and
the namespace set up the way a user sets it up — with the Helm chart (ServiceAccount, RBAC,
the claim) rendered by the real helm and applied as the admin. kubeclip itself then runs as
the chart's ServiceAccount (a token kubeconfig), so the chart's RBAC is what is tested.
"""

from __future__ import annotations

import base64
import json
import os
import subprocess
import tempfile
import time
from collections import Counter
from pathlib import Path
from typing import Any

import yaml

from tests.realkube.controlplane import ROOT, ControlPlane, until
from tests.realkube.realnode import RealNode
from tests.realkube.rest import HttpError

NAMESPACE = "paperclip"
CLAIM = "kubeclip-shared"
SA_USER = f"system:serviceaccount:{NAMESPACE}:kubeclip"
IMAGE = "ghcr.io/paperclipai/paperclip:2026.916.2"  # built here: scripts/node_images.py
# The real node has this machine's 2 CPUs and kubeclip's default request is a whole CPU: the
# tier's agents ask for what a small node gives, as a user of a small node would set it.
SMALL_REQUESTS = {"requests": {"cpu": "10m", "memory": "32Mi"}}

_PATHS = {
    "ServiceAccount": "/api/v1/namespaces/{ns}/serviceaccounts",
    "PersistentVolumeClaim": "/api/v1/namespaces/{ns}/persistentvolumeclaims",
    "Role": "/apis/rbac.authorization.k8s.io/v1/namespaces/{ns}/roles",
    "RoleBinding": "/apis/rbac.authorization.k8s.io/v1/namespaces/{ns}/rolebindings",
    "ClusterRole": "/apis/rbac.authorization.k8s.io/v1/clusterroles",
    "Secret": "/api/v1/namespaces/{ns}/secrets",
    "Namespace": "/api/v1/namespaces",
    "Pod": "/api/v1/namespaces/{ns}/pods",
}

KINDS = {
    "jobs": "/apis/batch/v1/namespaces/{ns}/jobs",
    "pods": "/api/v1/namespaces/{ns}/pods",
    "secrets": "/api/v1/namespaces/{ns}/secrets",
    "leases": "/apis/coordination.k8s.io/v1/namespaces/{ns}/leases",
}


def helm() -> str:
    proc = subprocess.run([str(ROOT / "scripts/get-helm.sh")], capture_output=True, text=True)
    if proc.returncode != 0:
        raise RuntimeError(f"scripts/get-helm.sh failed: {proc.stderr.strip()[-500:]}")
    return proc.stdout.strip().splitlines()[-1]


class RealCluster:
    def __init__(self, bin_dir: Path) -> None:
        self.cp = ControlPlane(bin_dir)
        self.state = self.cp.state
        self.bin_dir = bin_dir
        self.node: RealNode | None = None

    # --- set-up ------------------------------------------------------------------------------
    def start(self) -> RealCluster:
        self.cp.start()
        self.api = self.cp.admin()
        self.start_node()
        self._namespace(NAMESPACE)
        self._chart()
        self.kubeconfig = self._sa_kubeconfig()
        self.admin_kubeconfig = self.cp.admin_kubeconfig
        return self

    def start_node(self) -> None:
        self.node = RealNode(self.cp, self.bin_dir)  # set first: stop() cleans a half start
        self.node.start()

    def _namespace(self, name: str) -> None:
        self.apply({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": name}})
        # the serviceaccount controller makes "default"; pods are refused until it exists
        self._until(
            lambda: self._exists(f"/api/v1/namespaces/{name}/serviceaccounts/default"),
            30,
            f"ServiceAccount {name}/default",
        )

    def _chart(self) -> None:
        out = subprocess.run(
            [
                helm(),
                "template",
                "kubeclip",
                str(ROOT / "charts/kubeclip"),
                "-n",
                NAMESPACE,
                "--set",
                "persistence.storageClassName=-",
                "--set",
                "persistence.size=1Gi",
            ],
            capture_output=True,
            text=True,
            check=True,
        ).stdout
        pv_dir = self.state / "pv" / CLAIM
        pv_dir.mkdir(parents=True)
        os.chown(pv_dir, 1000, 1000)  # what an admin does for the agents' uid on NFS
        os.chmod(pv_dir, 0o775)
        self.api.post(
            "/api/v1/persistentvolumes",
            {
                "apiVersion": "v1",
                "kind": "PersistentVolume",
                "metadata": {"name": "shared-pv"},
                "spec": {
                    "capacity": {"storage": "1Gi"},
                    "accessModes": ["ReadWriteMany"],
                    "storageClassName": "",
                    "persistentVolumeReclaimPolicy": "Retain",
                    "hostPath": {"path": str(pv_dir)},
                },
            },
        )
        for doc in yaml.safe_load_all(out):
            if doc:
                self.apply(doc)
        self._until(lambda: self._claim_bound(), 60, f"claim {CLAIM} to bind")
        self.pv_dir = pv_dir

    def _claim_bound(self) -> bool:
        pvc = self.api.get(f"/api/v1/namespaces/{NAMESPACE}/persistentvolumeclaims/{CLAIM}")
        return bool((pvc.get("status") or {}).get("phase") == "Bound")

    def _sa_kubeconfig(self) -> Path:
        sa_path = f"/api/v1/namespaces/{NAMESPACE}/serviceaccounts/kubeclip"
        self._until(lambda: bool(self.api.get(sa_path).get("secrets")), 30, "the SA token")
        name = self.api.get(sa_path)["secrets"][0]["name"]
        token = base64.b64decode(
            self.api.get(f"/api/v1/namespaces/{NAMESPACE}/secrets/{name}")["data"]["token"]
        ).decode()
        self.token = token
        return self.cp.write_kubeconfig(self.state / "kubeclip.kubeconfig", token, NAMESPACE)

    def apply(self, doc: dict[str, Any], ns: str = NAMESPACE) -> Any:
        path = _PATHS[doc["kind"]].format(ns=doc["metadata"].get("namespace", ns))
        try:
            return self.api.post(path, doc)
        except HttpError as e:
            if e.status != 409:
                raise
            return None

    def stop(self) -> None:
        try:
            if self.node:
                self.node.stop()
        finally:
            self.cp.stop()

    # --- helpers for tests ------------------------------------------------------------------
    def _exists(self, path: str) -> bool:
        try:
            self.api.get(path)
            return True
        except HttpError as e:
            if e.status == 404:
                return False
            raise

    @staticmethod
    def _until(check: Any, timeout: float, what: str) -> None:
        until(check, timeout, what)

    def objects(self, kind: str, selector: str = "", ns: str = NAMESPACE) -> list[dict[str, Any]]:
        query = {"labelSelector": selector} if selector else {}
        items: list[dict[str, Any]] = self.api.get(KINDS[kind].format(ns=ns), **query)["items"]
        return items

    def leftovers(self, agent_label: str, wait: float = 90.0) -> dict[str, list[str]]:
        """kubeclip's objects of one agent still there once garbage collection had its chance.

        The wait is a real kubelet's: it removes a deleted pod once its status sync sees the
        containers gone and the volumes unmounted (seen: up to ~35 s for a pod whose container
        never started, under load more); it returns as soon as nothing is left."""
        deadline = time.monotonic() + wait
        while True:
            left = {
                k: [
                    o["metadata"]["name"]
                    for o in self.objects(k, f"kubeclip.dev/agent={agent_label}")
                ]
                for k in KINDS
            }
            if not any(left.values()) or time.monotonic() > deadline:
                return {k: v for k, v in left.items() if v}
            time.sleep(0.2)

    def audit_mark(self) -> int:
        return len(self.cp.audit_events(SA_USER))

    def open_watches(self, kind: str, group: str = "") -> int:
        """Watches of ``kind`` open now, by everyone (the apiserver's gauge): the audit log
        writes a watch's events only once the watch ends."""
        metrics = self.api.text("/metrics")
        line = f'apiserver_registered_watchers{{group="{group}",kind="{kind}",version="v1"}} '
        return sum(int(float(m[len(line):])) for m in metrics.splitlines() if m.startswith(line))

    def requests_since(self, mark: int) -> Counter[str]:
        return self.cp.request_count(SA_USER, since_line=mark)

    def paperclip_deployment(self, path: Path, **container: Any) -> Path:
        """The Paperclip workload as `kubectl get deploy -o yaml` prints it (the --pod input)."""
        deploy = {
            "apiVersion": "apps/v1",
            "kind": "Deployment",
            "metadata": {"name": "paperclip", "namespace": NAMESPACE},
            "spec": {
                "template": {
                    "spec": {
                        "serviceAccountName": "kubeclip",
                        "containers": [
                            {
                                "name": "paperclip",
                                "image": IMAGE,
                                "env": [
                                    {
                                        "name": "PAPERCLIP_API_URL",
                                        "value": "http://paperclip.paperclip.svc:3100",
                                    }
                                ],
                                "volumeMounts": [{"name": "data", "mountPath": "/paperclip"}],
                                **container,
                            }
                        ],
                        "volumes": [
                            {"name": "data", "persistentVolumeClaim": {"claimName": CLAIM}}
                        ],
                    }
                }
            },
        }
        path.write_text(yaml.safe_dump(deploy))
        return path


def scratch() -> Path:
    return Path(tempfile.mkdtemp(prefix="kubeclip-real-"))


def dump(obj: Any) -> str:
    return json.dumps(obj, indent=1, sort_keys=True)
