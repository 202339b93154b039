"""A real node for the real tier: the kubelet built from the same Debian source as the control
plane, Debian's containerd and runc, and images built on this machine.

Why real: our own simulated kubelet decided how logs are stored, how a wiped Secret key is
refused, how SIGTERM reaches the agent, what OOM looks like and whether ``runAsNonRoot`` is
enforced. Every one of those is a promise kubeclip makes; here the upstream code keeps it or
breaks it.

What it takes to run one on a shared machine without touching it (each checked here):

- **containerd** gets its own root, state dir, socket and CNI directories under the tier's
  temp dir, and runs in a **network namespace of its own** with only ``lo``: an image pull can
  never reach out (a missing image fails at once, no DNS query leaves the machine), and a
  ``hostNetwork`` pod shares that namespace, where a test may start a server of its own.
- **Pod networks**: ``tests/realkube/cni/kubeclip-isolated``, a CNI plugin that puts both ends
  of a veth pair inside the pod's namespace: an ``eth0`` with an address, no route out.
- **The kubelet** runs in a **mount namespace of its own**: it writes ``vm.overcommit_memory``,
  ``kernel.panic`` and ``kernel.panic_on_oops`` at start, so those ``/proc/sys`` files are
  covered there by files already holding the values it wants (the machine's kernel settings
  stay as they are). Its root dir is a *shared* mount, so the Secret and emptyDir volumes it
  mounts there still reach containerd. Its cgroups live under a root of this node's own.
- **The Node object** is named ``localhost``: the kubelet refuses ``127.0.0.1`` as its
  address and rewrites a patched ``InternalIP`` on its next status update (seen here), so the
  apiserver reaches kubelets by their ``Hostname`` address, which resolves to 127.0.0.1 only.
  The ``not-ready`` taint the apiserver puts on a new Node is removed (no node-lifecycle
  controller runs).
- **Cleanup**: every task and container in containerd's ``k8s.io`` namespace stopped,
  everything mounted under the node's dirs unmounted (deepest first), its cgroups, pod network
  namespaces, log directories and the network namespace removed.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import signal
import subprocess
import time
import uuid
from pathlib import Path
from typing import Any

import yaml

from tests.realkube.controlplane import ControlPlane, _b64, _openssl, end, free_port, until
from tests.realkube.rest import HttpError

HERE = Path(__file__).resolve().parent
CNI_PLUGIN = HERE / "cni" / "kubeclip-isolated"
NODE_IMAGES = HERE.parents[1] / "scripts" / "node_images.py"
# The values the kubelet 1.20 wants (pkg/kubelet/cm/container_manager_linux.go,
# setupKernelTunables): files holding them cover the real ones in its mount namespace.
KUBELET_SYSCTLS = {
    "vm/overcommit_memory": "1",
    "vm/panic_on_oom": "0",
    "kernel/panic": "10",
    "kernel/panic_on_oops": "1",
    "kernel/keys/root_maxkeys": "1000000",
    "kernel/keys/root_maxbytes": "25000000",
}
CGROUP = Path("/sys/fs/cgroup")
POD_LOGS = (Path("/var/log/pods"), Path("/var/log/containers"))
NETNS_DIR = Path("/var/run/netns").resolve()  # mountinfo names /run/netns
# The node's name is "localhost": the kubelet refuses a loopback --node-ip and rewrites the
# Node's addresses on every status update, so the apiserver is told to reach kubelets by
# their Hostname address, which then resolves to 127.0.0.1 and nowhere else.
NODE_NAME = "localhost"


def tool_path(name: str) -> str:
    path = shutil.which(name) or shutil.which(name, path="/usr/sbin:/sbin")
    if path is None:
        raise RuntimeError(f"{name} is missing: run scripts/get-kube.sh as root once")
    return path


def images_archive(kube_dir: Path) -> Path:
    """The tier's images (scripts/node_images.py, cached by the stamp of its inputs)."""
    pause = kube_dir / "gopath/src/k8s.io/kubernetes/build/pause/linux/pause.c"
    proc = subprocess.run(
        ["python3", str(NODE_IMAGES), "--pause-src", str(pause), "--out", str(kube_dir / "images")],
        capture_output=True, text=True,
    )  # fmt: skip
    if proc.returncode != 0:
        raise RuntimeError(f"{NODE_IMAGES.name} failed: {proc.stderr.strip()[-500:]}")
    return Path(proc.stdout.strip().splitlines()[-1])


class RealNode:
    """One kubelet + containerd, registered as ``kubeclip-node`` with the control plane."""

    def __init__(self, cp: ControlPlane, bin_dir: Path) -> None:
        self.cp = cp
        self.bin_dir = bin_dir
        self.id = uuid.uuid4().hex[:8]
        self.dir = cp.state / "node"
        self.netns = f"kubeclip-{self.id}"
        self.cgroup_root = f"/kubeclip-{self.id}"
        self.port = free_port()
        self.procs: dict[str, subprocess.Popen[bytes]] = {}
        self.containerd_sock = self.dir / "containerd" / "containerd.sock"
        self.kubelet_dir = self.dir / "kubelet"
        self._netns_before: set[str] = set()
        self._logs_before: dict[Path, set[str]] = {}

    # --- start --------------------------------------------------------------------------------
    def start(self) -> RealNode:
        self.dir.mkdir(parents=True, exist_ok=True)
        self._netns_before = set(os.listdir(NETNS_DIR)) if NETNS_DIR.is_dir() else set()
        self._logs_before = {d: set(os.listdir(d)) if d.is_dir() else set() for d in POD_LOGS}
        subprocess.run(["ip", "netns", "add", self.netns], check=True)
        subprocess.run(["ip", "-n", self.netns, "link", "set", "lo", "up"], check=True)
        self._start_containerd()
        self._import_images()
        self._cgroups()
        self._start_kubelet()
        self._register()
        return self

    def _start_containerd(self) -> None:
        d = self.dir / "containerd"
        cni_bin, cni_conf = self.dir / "cni" / "bin", self.dir / "cni" / "net.d"
        for p in (d / "root", d / "state", cni_bin, cni_conf):
            p.mkdir(parents=True, exist_ok=True)
        shutil.copy(CNI_PLUGIN, cni_bin / "kubeclip-isolated")
        shutil.copy(CNI_PLUGIN, cni_bin / "loopback")
        (cni_conf / "10-kubeclip.conflist").write_text(json.dumps({
            "cniVersion": "0.4.0", "name": "kubeclip-isolated",
            "plugins": [{"type": "kubeclip-isolated"}],
        }))  # fmt: skip
        cri = 'plugins."io.containerd.grpc.v1.cri"'
        (d / "config.toml").write_text(f"""\
version = 2
root = "{d / 'root'}"
state = "{d / 'state'}"
[grpc]
  address = "{self.containerd_sock}"
[ttrpc]
  address = "{d / 'containerd.sock.ttrpc'}"
[metrics]
  address = ""
[{cri}]
  sandbox_image = "registry.k8s.io/pause:3.4.1"
  restrict_oom_score_adj = true
  max_container_log_line_size = 16384
  enable_selinux = false
  stream_server_address = "127.0.0.1"
  stream_server_port = "0"
[{cri}.containerd]
  snapshotter = "overlayfs"
  default_runtime_name = "runc"
[{cri}.containerd.runtimes.runc]
  runtime_type = "io.containerd.runc.v2"
[{cri}.containerd.runtimes.runc.options]
  SystemdCgroup = false
  BinaryName = "{tool_path('runc')}"
[{cri}.cni]
  bin_dir = "{cni_bin}"
  conf_dir = "{cni_conf}"
""")
        self._spawn("containerd", [
            tool_path("nsenter"), f"--net={NETNS_DIR / self.netns}",
            tool_path("containerd"), "--config", str(d / "config.toml"),
        ])  # fmt: skip
        self._until(self.containerd_sock.exists, 30, "containerd's socket")

    def ctr(self, *args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [tool_path("ctr"), "--address", str(self.containerd_sock), "-n", "k8s.io", *args],
            capture_output=True, text=True, check=check,
        )  # fmt: skip

    def _import_images(self) -> None:
        archive = images_archive(self.bin_dir.parent)  # get-kube.sh's kube dir
        self.ctr("images", "import", "--no-unpack=false", str(archive))

    def _cgroups(self) -> None:
        """The kubelet's cgroup root must exist in every controller it uses."""
        for ctrl in CGROUP.iterdir():
            if not ctrl.is_dir() or ctrl.is_symlink():
                continue
            root = ctrl / self.cgroup_root.lstrip("/")
            with contextlib.suppress(OSError):
                root.mkdir(exist_ok=True)
                if ctrl.name == "cpuset":  # a new cpuset starts empty: inherit the parent's
                    for f in ("cpuset.cpus", "cpuset.mems"):
                        (root / f).write_text((ctrl / f).read_text())

    def _start_kubelet(self) -> None:
        pki, d = self.cp.pki, self.dir
        _openssl("req", "-newkey", "rsa:2048", "-nodes", "-keyout", "node.key", "-out", "node.csr",
                 "-subj", f"/O=system:nodes/CN=system:node:{NODE_NAME}", cwd=pki)  # fmt: skip
        _openssl("x509", "-req", "-in", "node.csr", "-CA", "ca.crt", "-CAkey", "ca.key",
                 "-CAcreateserial", "-out", "node.crt", "-days", "30", cwd=pki)  # fmt: skip
        kubeconfig = d / "kubelet.kubeconfig"
        kubeconfig.write_text(json.dumps({
            "apiVersion": "v1", "kind": "Config", "current-context": "node",
            "clusters": [{"name": "real", "cluster": {
                "server": self.cp.server, "certificate-authority-data": _b64(pki / "ca.crt")}}],
            "users": [{"name": "node", "user": {
                "client-certificate-data": _b64(pki / "node.crt"),
                "client-key-data": _b64(pki / "node.key")}}],
            "contexts": [{"name": "node", "context": {"cluster": "real", "user": "node"}}],
        }))  # fmt: skip
        resolv = d / "resolv.conf"
        resolv.write_text("nameserver 127.0.0.1\n")  # no pod may ask a resolver off the machine
        config = {
            "apiVersion": "kubelet.config.k8s.io/v1beta1",
            "kind": "KubeletConfiguration",
            "address": "127.0.0.1",
            "port": self.port,
            "readOnlyPort": 0,
            "healthzPort": 0,
            "tlsCertFile": str(pki / "kubelet.crt"),
            "tlsPrivateKeyFile": str(pki / "kubelet.key"),
            "authentication": {
                "anonymous": {"enabled": False},
                "webhook": {"enabled": False},
                "x509": {"clientCAFile": str(pki / "ca.crt")},
            },
            "authorization": {"mode": "AlwaysAllow"},
            "cgroupDriver": "cgroupfs",
            "cgroupRoot": self.cgroup_root,
            "failSwapOn": False,
            "oomScoreAdj": 0,
            "makeIPTablesUtilChains": False,
            "imageGCHighThresholdPercent": 100,
            "imageGCLowThresholdPercent": 99,
            "evictionHard": {"memory.available": "100Mi", "nodefs.available": "1%",
                             "imagefs.available": "1%", "nodefs.inodesFree": "1%"},
            "resolvConf": str(resolv),
            "serializeImagePulls": False,
            "maxPods": 250,
            "syncFrequency": "10s",
            "fileCheckFrequency": "10s",
            # Every kubelet since 1.27 talks to the API at 50/100 (kubernetes#116121; EKS and
            # OpenShift set that before). Debian's 1.20 defaults to 5/10: in a burst of 100
            # pods it told the API a container ran up to two minutes late, which no current
            # cluster does, and runs waited on that instead of on kubeclip.
            "kubeAPIQPS": 50,
            "kubeAPIBurst": 100,
        }  # fmt: skip
        (d / "kubelet.yaml").write_text(yaml.safe_dump(config))
        sysctl = d / "sysctl"
        sysctl.mkdir(exist_ok=True)
        covers = []
        for name, value in KUBELET_SYSCTLS.items():
            f = sysctl / name.replace("/", ".")
            f.write_text(value + "\n")
            covers.append(f'mount --bind "{f}" /proc/sys/{name}')
        self.kubelet_dir.mkdir(exist_ok=True)
        # the kubelet's root dir: a shared mount, so its volume mounts reach containerd
        subprocess.run(["mount", "--bind", str(self.kubelet_dir), str(self.kubelet_dir)],
                       check=True)  # fmt: skip
        subprocess.run(["mount", "--make-shared", str(self.kubelet_dir)], check=True)
        kubelet = [
            str(self.bin_dir / "kubelet"),
            "--config", str(d / "kubelet.yaml"),
            "--kubeconfig", str(kubeconfig),
            "--container-runtime=remote",
            f"--container-runtime-endpoint=unix://{self.containerd_sock}",
            f"--root-dir={self.kubelet_dir}",
            f"--hostname-override={NODE_NAME}",
            f"--cert-dir={d / 'kubelet-pki'}",
            "--pod-infra-container-image=registry.k8s.io/pause:3.4.1",
            "--v=2",
        ]  # fmt: skip
        script = "mount --make-rprivate /proc && " + " && ".join(covers) + ' && exec "$@"'
        self._spawn("kubelet", [tool_path("unshare"), "--mount", "--propagation", "unchanged",
                                "--", "/bin/sh", "-c", script, "kubelet", *kubelet])  # fmt: skip

    def _register(self) -> None:
        api = self.cp.admin()
        path = f"/api/v1/nodes/{NODE_NAME}"
        self._until(lambda: self._exists(api, path), 60, "the kubelet to register its Node")

        def ready() -> bool:
            node = api.get(path)
            taints = (node.get("spec") or {}).get("taints") or []
            if taints:
                api.merge_patch(path, {"spec": {"taints": None}})
                return False
            conditions = (node.get("status") or {}).get("conditions") or []
            return any(c["type"] == "Ready" and c["status"] == "True" for c in conditions)

        self._until(ready, 60, "the Node to be Ready and untainted")

    def cpu_seconds(self) -> float:
        """CPU time of the node so far: the kubelet, containerd and every pod's processes (the
        cgroups under this node's root: agents, pod scripts, shims' children)."""
        total = 0.0
        tick = os.sysconf("SC_CLK_TCK")
        for proc in self.procs.values():
            with contextlib.suppress(OSError, IndexError):
                fields = Path(f"/proc/{proc.pid}/stat").read_text().rsplit(")", 1)[1].split()
                total += (int(fields[11]) + int(fields[12])) / tick
        with contextlib.suppress(OSError, ValueError):
            usage = CGROUP / "cpuacct" / self.cgroup_root.lstrip("/") / "cpuacct.usage"
            total += int(usage.read_text()) / 1e9
        return total

    # --- stop ---------------------------------------------------------------------------------
    def stop(self) -> None:
        kubelet = self.procs.pop("kubelet", None)
        if kubelet is not None:
            end(kubelet)
        if self.containerd_sock.exists() and "containerd" in self.procs:
            self._stop_containers()
        containerd = self.procs.pop("containerd", None)
        if containerd is not None:
            end(containerd)
        self._kill_leftover_shims()
        self._unmount_below(self.dir)
        for name in set(os.listdir(NETNS_DIR)) - self._netns_before if NETNS_DIR.is_dir() else ():
            if name.startswith("cni-"):
                self._unmount_below(NETNS_DIR / name)
                with contextlib.suppress(OSError):
                    (NETNS_DIR / name).unlink()
        subprocess.run(["ip", "netns", "delete", self.netns], capture_output=True)
        self._remove_cgroups()
        for d, before in self._logs_before.items():
            for name in set(os.listdir(d)) - before if d.is_dir() else ():
                p = d / name
                if p.is_dir() and not p.is_symlink():
                    shutil.rmtree(p, ignore_errors=True)
                else:
                    with contextlib.suppress(OSError):
                        p.unlink()

    def _stop_containers(self) -> None:
        tasks = self.ctr("tasks", "ls", "-q", check=False).stdout.split()
        for task in tasks:
            self.ctr("tasks", "kill", "-a", "-s", "SIGKILL", task, check=False)
        deadline = time.monotonic() + 10
        for task in tasks:
            while time.monotonic() < deadline:
                if self.ctr("tasks", "rm", "-f", task, check=False).returncode == 0:
                    break
                time.sleep(0.1)
        for container in self.ctr("containers", "ls", "-q", check=False).stdout.split():
            self.ctr("containers", "rm", container, check=False)

    def _kill_leftover_shims(self) -> None:
        """A shim outlives containerd by design; ours name our state dir in their argv."""
        marker = str(self.dir).encode()
        for pid in os.listdir("/proc"):
            if not pid.isdigit():
                continue
            with contextlib.suppress(OSError):
                cmdline = Path(f"/proc/{pid}/cmdline").read_bytes()
                if b"containerd-shim" in cmdline and marker in cmdline:
                    os.kill(int(pid), signal.SIGKILL)

    @staticmethod
    def _unmount_below(top: Path) -> None:
        prefix = str(top)
        for _ in range(5):
            mounts = []
            with open("/proc/self/mountinfo") as f:
                for line in f:
                    point = line.split()[4].replace("\\040", " ")
                    if point == prefix or point.startswith(prefix + "/"):
                        mounts.append(point)
            if not mounts:
                return
            for point in sorted(set(mounts), key=lambda p: p.count("/"), reverse=True):
                subprocess.run(["umount", "-l", point], capture_output=True)

    def _remove_cgroups(self) -> None:
        for ctrl in CGROUP.iterdir():
            root = ctrl / self.cgroup_root.lstrip("/")
            if not root.is_dir():
                continue
            dirs = sorted((p for p in root.rglob("*") if p.is_dir()),
                          key=lambda p: len(p.parts), reverse=True)  # fmt: skip
            for p in [*dirs, root]:
                with contextlib.suppress(OSError):
                    p.rmdir()

    # --- helpers ------------------------------------------------------------------------------
    def _spawn(self, name: str, argv: list[str]) -> None:
        log = open(self.cp.logs / f"{name}.log", "ab")  # noqa: SIM115 - owned by the child
        self.procs[name] = subprocess.Popen(argv, stdout=log, stderr=subprocess.STDOUT,
                                            stdin=subprocess.DEVNULL, start_new_session=True)
        log.close()

    @staticmethod
    def _exists(api: Any, path: str) -> bool:
        try:
            api.get(path)
            return True
        except HttpError as e:
            if e.status == 404:
                return False
            raise

    def _until(self, check: Any, timeout: float, what: str) -> None:
        until(check, timeout, what, alive=self._alive)

    def _alive(self) -> None:
        for name, proc in self.procs.items():
            if proc.poll() is not None:
                tail = (self.cp.logs / f"{name}.log").read_text(errors="replace")[-2000:]
                raise RuntimeError(f"{name} exited ({proc.returncode}):\n{tail}")
