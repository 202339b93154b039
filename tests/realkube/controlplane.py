"""A real Kubernetes control plane on 127.0.0.1: etcd, kube-apiserver, kube-controller-manager
and kube-scheduler, built by ``scripts/get-kube.sh`` (Kubernetes 1.20.2 from Debian's source).

Why real: the project's API emulator shares our own assumptions about Kubernetes; this does
not. RBAC and ServiceAccount admission are on, every request is audited (the audit log is how
the benchmarks and tests count kubeclip's requests), the Job controller, garbage collector,
TTL-after-finished, PV binder, resource-quota and service-account token controllers run for
real. Pods are run by the real node in :mod:`tests.realkube.realnode`.
"""

from __future__ import annotations

import base64
import contextlib
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from tests.realkube.rest import HttpError, Rest

ROOT = Path(__file__).resolve().parents[2]
GET_KUBE = ROOT / "scripts" / "get-kube.sh"

AUDIT_POLICY = """\
apiVersion: audit.k8s.io/v1
kind: Policy
omitStages: ["RequestReceived"]
rules:
  - level: Metadata
"""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


def end(proc: subprocess.Popen[bytes], grace: float = 10.0) -> None:
    """SIGTERM, then SIGKILL after ``grace`` seconds."""
    proc.terminate()
    try:
        proc.wait(grace)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait(10)


def until(
    check: Callable[[], Any], timeout: float, what: str, alive: Callable[[], None] | None = None
) -> None:
    """Wait for ``check()`` to be true; API and OS errors count as not yet. ``alive`` raises
    when something the wait depends on has died (no point waiting out the timeout)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if alive is not None:
            alive()
        try:
            if check():
                return
        except (HttpError, OSError):
            pass
        time.sleep(0.1)
    raise TimeoutError(f"timed out waiting for {what}")


def find_binaries() -> tuple[Path | None, str]:
    """The directory of the built binaries, or None and the reason why not.

    Looks in the cache first; under CI (CI=true) or with KUBECLIP_BUILD_KUBE=1 it runs
    get-kube.sh, which builds them (as root, from Debian's packages) when they are missing
    or stale, so the README's one test command covers the tier on a fresh machine.
    """
    tools = Path(os.environ.get("KUBECLIP_TOOLS_DIR", Path.home() / ".cache/kubeclip-tools"))
    bin_dir = tools / "kube" / "bin"
    names = ("kube-apiserver", "kube-controller-manager", "kube-scheduler", "kubelet", "etcd")
    build = os.environ.get("KUBECLIP_BUILD_KUBE") == "1" or bool(os.environ.get("CI"))
    node = all(shutil.which(t) for t in ("containerd", "ctr", "musl-gcc")) and (
        shutil.which("runc") or os.path.exists("/usr/sbin/runc")
    )
    if all((bin_dir / n).exists() for n in names) and node and not build:
        return bin_dir, ""
    if not build:
        return None, (
            f"no real control plane and node in {bin_dir}: run scripts/get-kube.sh once "
            "(or set KUBECLIP_BUILD_KUBE=1 to build it from the tests)"
        )
    proc = subprocess.run(["bash", str(GET_KUBE)], capture_output=True, text=True)  # cached: ~0 s
    if proc.returncode != 0:
        tail = proc.stderr.strip().splitlines()[-1:] or ["(no output)"]
        return None, f"scripts/get-kube.sh failed: {tail[0]}"
    return Path(proc.stdout.strip().splitlines()[-1]), ""


def _openssl(*args: str, cwd: Path) -> None:
    subprocess.run(["openssl", *args], cwd=cwd, check=True, capture_output=True)


def make_pki(d: Path) -> None:
    """CA, apiserver serving cert, client certs (admin, apiserver->kubelet), kubelet serving
    cert and the service-account signing key, all with openssl."""
    d.mkdir(parents=True, exist_ok=True)
    _openssl(
        "req",
        "-x509",
        "-newkey",
        "rsa:2048",
        "-nodes",
        "-keyout",
        "ca.key",
        "-out",
        "ca.crt",
        "-days",
        "30",
        "-subj",
        "/CN=kubeclip-test-ca",
        cwd=d,
    )
    ext = d / "san.ext"
    ext.write_text("subjectAltName=IP:127.0.0.1,DNS:localhost,DNS:kubernetes\n")

    def signed(name: str, subj: str, extfile: Path | None = None) -> None:
        _openssl(
            "req",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-keyout",
            f"{name}.key",
            "-out",
            f"{name}.csr",
            "-subj",
            subj,
            cwd=d,
        )
        extra = ["-extfile", str(extfile)] if extfile else []
        _openssl(
            "x509",
            "-req",
            "-in",
            f"{name}.csr",
            "-CA",
            "ca.crt",
            "-CAkey",
            "ca.key",
            "-CAcreateserial",
            "-out",
            f"{name}.crt",
            "-days",
            "30",
            *extra,
            cwd=d,
        )

    signed("apiserver", "/CN=kube-apiserver", ext)
    signed("admin", "/O=system:masters/CN=kubeclip-test-admin")
    signed("kubelet-client", "/O=system:masters/CN=kube-apiserver-kubelet-client")
    signed("kubelet", "/CN=kubeclip-sim-node", ext)
    _openssl("genrsa", "-out", "sa.key", "2048", cwd=d)
    _openssl("rsa", "-in", "sa.key", "-pubout", "-out", "sa.pub", cwd=d)


def _b64(path: Path) -> str:
    return base64.b64encode(path.read_bytes()).decode()


@dataclass
class ControlPlane:
    bin_dir: Path
    state: Path = field(default_factory=lambda: Path(tempfile.mkdtemp(prefix="kubeclip-kube-")))
    procs: dict[str, subprocess.Popen[bytes]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.pki = self.state / "pki"
        self.etcd_port = free_port()
        self.etcd_peer = free_port()
        self.port = free_port()
        self.server = f"https://127.0.0.1:{self.port}"
        self.audit_log = self.state / "audit.log"
        self.logs = self.state / "logs"
        self.logs.mkdir(parents=True, exist_ok=True)
        shm = Path("/dev/shm")
        base = shm if shm.is_dir() and os.access(shm, os.W_OK) else self.state
        self.etcd_dir = Path(tempfile.mkdtemp(prefix="kubeclip-etcd-", dir=base))

    # --- lifecycle ------------------------------------------------------------------------
    def start(self) -> ControlPlane:
        make_pki(self.pki)
        (self.state / "audit-policy.yaml").write_text(AUDIT_POLICY)
        self.admin_kubeconfig = self.write_kubeconfig(self.state / "admin.kubeconfig")
        self._spawn(
            "etcd",
            [
                str(self.bin_dir / "etcd"),
                "--name",
                "default",
                "--data-dir",
                str(self.etcd_dir),
                "--listen-client-urls",
                f"http://127.0.0.1:{self.etcd_port}",
                "--advertise-client-urls",
                f"http://127.0.0.1:{self.etcd_port}",
                "--listen-peer-urls",
                f"http://127.0.0.1:{self.etcd_peer}",
                "--initial-advertise-peer-urls",
                f"http://127.0.0.1:{self.etcd_peer}",
                "--initial-cluster",
                f"default=http://127.0.0.1:{self.etcd_peer}",
                "--log-level",
                "warn",
            ],
        )
        self.start_apiserver()
        kubeconfig = str(self.admin_kubeconfig)
        self._spawn(
            "controller-manager",
            [
                str(self.bin_dir / "kube-controller-manager"),
                "--kubeconfig",
                kubeconfig,
                "--controllers=job,garbagecollector,ttl-after-finished,serviceaccount,"
                "serviceaccount-token,namespace,persistentvolume-binder,resourcequota",
                "--service-account-private-key-file",
                str(self.pki / "sa.key"),
                "--root-ca-file",
                str(self.pki / "ca.crt"),
                "--feature-gates=TTLAfterFinished=true",
                "--leader-elect=false",
                "--port=0",
                "--secure-port=0",
                "--concurrent-gc-syncs=5",
            ],
        )
        self._spawn(
            "scheduler",
            [
                str(self.bin_dir / "kube-scheduler"),
                "--kubeconfig",
                kubeconfig,
                "--leader-elect=false",
                "--port=0",
                "--secure-port=0",
            ],
        )
        return self

    def start_apiserver(self) -> None:
        p = self.pki
        self._spawn(
            "apiserver",
            [
                str(self.bin_dir / "kube-apiserver"),
                "--etcd-servers",
                f"http://127.0.0.1:{self.etcd_port}",
                "--bind-address=127.0.0.1",
                "--advertise-address=127.0.0.1",
                f"--secure-port={self.port}",
                "--insecure-port=0",
                "--tls-cert-file",
                str(p / "apiserver.crt"),
                "--tls-private-key-file",
                str(p / "apiserver.key"),
                "--client-ca-file",
                str(p / "ca.crt"),
                "--service-account-key-file",
                str(p / "sa.pub"),
                "--service-account-signing-key-file",
                str(p / "sa.key"),
                "--service-account-issuer",
                "https://kubernetes.default.svc",
                "--authorization-mode=Node,RBAC",
                "--service-cluster-ip-range=10.0.0.0/24",
                "--enable-admission-plugins=NamespaceLifecycle,ServiceAccount,LimitRanger,"
                "DefaultStorageClass,ResourceQuota,PersistentVolumeClaimResize",
                "--kubelet-client-certificate",
                str(p / "kubelet-client.crt"),
                "--kubelet-client-key",
                str(p / "kubelet-client.key"),
                "--kubelet-preferred-address-types=Hostname",  # the node is "localhost"
                "--audit-policy-file",
                str(self.state / "audit-policy.yaml"),
                "--audit-log-path",
                str(self.audit_log),
                "--audit-log-maxsize=1000",
                "--feature-gates=TTLAfterFinished=true",
                "--endpoint-reconciler-type=none",
            ],
        )
        self.admin().wait_ready(90)

    def stop_apiserver(self, sig: int = signal.SIGKILL) -> None:
        proc = self.procs.pop("apiserver")
        proc.send_signal(sig)
        proc.wait(30)

    def stop(self) -> None:
        for name in ("scheduler", "controller-manager", "apiserver", "etcd"):
            proc = self.procs.pop(name, None)
            if proc is not None:
                end(proc)
        shutil.rmtree(self.etcd_dir, ignore_errors=True)
        if not os.environ.get("KUBECLIP_KEEP_KUBE_STATE"):  # set it to read the logs after
            shutil.rmtree(self.state, ignore_errors=True)

    def _spawn(self, name: str, argv: list[str]) -> None:
        log = open(self.logs / f"{name}.log", "ab")  # noqa: SIM115 - owned by the child
        self.procs[name] = subprocess.Popen(
            argv,
            stdout=log,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            start_new_session=True,
        )
        log.close()

    def alive(self) -> dict[str, int | None]:
        return {name: proc.poll() for name, proc in self.procs.items()}

    # --- access -----------------------------------------------------------------------------
    def admin(self) -> Rest:
        return Rest(
            self.server,
            str(self.pki / "ca.crt"),
            str(self.pki / "admin.crt"),
            str(self.pki / "admin.key"),
        )

    def write_kubeconfig(
        self, path: Path, token: str | None = None, namespace: str = "default"
    ) -> Path:
        user: dict[str, Any] = (
            {"token": token}
            if token
            else {
                "client-certificate-data": _b64(self.pki / "admin.crt"),
                "client-key-data": _b64(self.pki / "admin.key"),
            }
        )
        config = {
            "apiVersion": "v1",
            "kind": "Config",
            "clusters": [
                {
                    "name": "real",
                    "cluster": {
                        "server": self.server,
                        "certificate-authority-data": _b64(self.pki / "ca.crt"),
                    },
                }
            ],
            "users": [{"name": "user", "user": user}],
            "contexts": [
                {
                    "name": "real",
                    "context": {"cluster": "real", "user": "user", "namespace": namespace},
                }
            ],
            "current-context": "real",
        }
        path.write_text(json.dumps(config))
        return path

    # --- the audit log ----------------------------------------------------------------------
    def audit_events(self, user: str | None = None) -> list[dict[str, Any]]:
        """Completed requests (one ResponseComplete event each), oldest first."""
        events = []
        with contextlib.suppress(FileNotFoundError), open(self.audit_log, "rb") as f:
            for raw in f:
                try:
                    e = json.loads(raw)
                except ValueError:
                    continue  # a line being written
                if e.get("stage") not in ("ResponseComplete", "Panic"):
                    continue
                if user and (e.get("user") or {}).get("username") != user:
                    continue
                events.append(e)
        return events

    def request_count(self, user: str, since_line: int = 0) -> Counter[str]:
        """Requests by ``verb resource`` that ``user`` made, counted by the apiserver itself.
        Long-running requests (watches, log streams) count when they end."""
        counts: Counter[str] = Counter()
        for e in self.audit_events(user)[since_line:]:
            ref = e.get("objectRef") or {}
            res = ref.get("resource", e.get("requestURI", ""))
            if ref.get("subresource"):
                res += "/" + ref["subresource"]
            counts[f"{e.get('verb')} {res}"] += 1
        return counts


def main() -> None:  # pragma: no cover - manual use: python -m tests.realkube.controlplane
    bin_dir, why = find_binaries()
    if bin_dir is None:
        sys.exit(why)
    cp = ControlPlane(bin_dir).start()
    print(f"apiserver {cp.server}; admin kubeconfig {cp.admin_kubeconfig}", flush=True)
    try:
        signal.pause()
    finally:
        cp.stop()


if __name__ == "__main__":  # pragma: no cover
    main()
