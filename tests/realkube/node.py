"""A simulated node: a kubelet stand-in (kwok-style) for the real control plane.

It registers a Node, runs each pod bound to it as a local process and reports it the way the
upstream kubelet does, because those details are exactly where our own emulator agreed with
our own assumptions:

- the container's argv after Kubernetes' ``$(VAR)`` expansion, its env (secretKeyRef,
  configMapKeyRef, envFrom), secret/configMap/PVC/emptyDir volumes bind-mounted at their
  mountPath in a private mount namespace, workingDir, runAsUser/runAsGroup/fsGroup
  (``tests/realkube/shim.py``);
- container states through the pods/status subresource: ContainerCreating,
  CreateContainerConfigError for a missing Secret, ErrImagePull/ImagePullBackOff for an image
  it cannot "pull", running, terminated with the exit code (128+signal when killed);
- output stored like containerd's CRI logger (``TS stream P|F content``, lines over 16 KiB
  split into partial entries) and served on ``/containerLogs`` over HTTPS like the kubelet:
  ``timestamps`` prefixes *every* entry (partials included) with a fixed 9-digit RFC3339Nano
  timestamp, ``sinceTime`` is inclusive, ``follow`` ends when the container has ended;
- graceful deletion: SIGTERM, SIGKILL after the grace period, the terminated state posted
  (143 / 137), then the pod removed with grace 0 and a uid precondition.

Run as its own process (``python -m tests.realkube.node ...``) so it outlives apiserver
restarts; every API call it makes is retried until the apiserver answers again.
"""

from __future__ import annotations

import argparse
import base64
import contextlib
import json
import os
import re
import shutil
import signal
import ssl
import subprocess
import sys
import threading
import time
import traceback
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, quote, urlsplit

from tests.realkube.rest import HttpError, Rest

MAX_LOG_LINE = 16384  # containerd's max_container_log_line_size default
SHIM = Path(__file__).with_name("shim.py")
PYTHON = "/usr/bin/python3"
UNPULLABLE = re.compile(r"(\.invalid[/:]|does-not-exist)")
DEFAULT_PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"
# Where the "image" (the fake opencode) appears in every container, like a file in an image:
# a fixed path, whatever the host path (which may be under /tmp, private in the container).
IMAGE_MOUNT = "/opt/kubeclip-sim-image"


def rfc3339(t: float | None = None) -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(time.time() if t is None else t))


def nano_ts(ns: int) -> str:
    """The kubelet's output format: RFC3339 with exactly nine fraction digits."""
    return time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(ns // 1_000_000_000)) + (
        f".{ns % 1_000_000_000:09d}Z"
    )


def parse_since(text: str) -> int:
    import calendar

    main = text.rstrip("Z").split(".")[0]
    return calendar.timegm(time.strptime(main, "%Y-%m-%dT%H:%M:%S")) * 1_000_000_000


def expand(text: str, env: dict[str, str]) -> str:
    """Kubernetes' $(VAR) expansion (third_party/forked/golang/expansion), rule for rule."""
    out: list[str] = []
    checkpoint = 0
    cursor = 0
    while cursor < len(text):
        if text[cursor] == "$" and cursor + 1 < len(text):
            out.append(text[checkpoint:cursor])
            rest = text[cursor + 1 :]
            if rest[0] == "$":
                read, advance = "$", 1
            elif rest[0] == "(":
                close = rest.find(")", 1)
                if close == -1:
                    read, advance = "$(", 1
                else:
                    name = rest[1:close]
                    read = env.get(name, f"$({name})")
                    advance = close + 1
            else:
                read, advance = "$" + rest[0], 1
            out.append(read)
            cursor += advance
            checkpoint = cursor + 1
        cursor += 1
    out.append(text[checkpoint:])
    return "".join(out)


class Blocked(Exception):
    """The container cannot start yet: (waiting reason, message)."""

    def __init__(self, reason: str, message: str) -> None:
        super().__init__(message)
        self.reason = reason
        self.message = message


class CriLog:
    """A container's log file in the CRI format containerd writes."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.lock = threading.Lock()
        self.file = open(path, "ab")  # noqa: SIM115 - closed by close()
        self.closed = threading.Event()

    def write(self, stream: str, tag: str, content: bytes) -> None:
        with self.lock:
            ts = nano_ts(time.time_ns()).encode()
            self.file.write(
                ts + b" " + stream.encode() + b" " + tag.encode() + b" " + content + b"\n"
            )
            self.file.flush()

    def pump(self, pipe: Any, stream: str) -> None:
        """containerd's redirectLogs: whole lines as F; a line over 16 KiB as 16 KiB P pieces."""
        buf = b""
        while True:
            data = os.read(pipe.fileno(), 65536)
            if not data:
                break
            buf += data
            while True:
                nl = buf.find(b"\n")
                if nl == -1 or nl > MAX_LOG_LINE:
                    if len(buf) >= MAX_LOG_LINE:
                        self.write(stream, "P", buf[:MAX_LOG_LINE])
                        buf = buf[MAX_LOG_LINE:]
                        continue
                    break
                self.write(stream, "F", buf[:nl])
                buf = buf[nl + 1 :]
        if buf:
            self.write(stream, "F", buf)
        pipe.close()

    def close(self) -> None:
        self.closed.set()
        with self.lock:
            self.file.close()


class PodWorker(threading.Thread):
    def __init__(self, node: Node, pod: dict[str, Any]) -> None:
        super().__init__(daemon=True, name=f"pod-{pod['metadata']['name']}")
        self.node = node
        self.pod = pod
        meta = pod["metadata"]
        self.ns, self.name, self.uid = meta["namespace"], meta["name"], meta["uid"]
        self.container = pod["spec"]["containers"][0]
        self.dir = node.state / "pods" / self.uid
        self.dir.mkdir(parents=True, exist_ok=True)
        self.log = CriLog(self.dir / "container.log")
        self.proc: subprocess.Popen[bytes] | None = None
        self.started = threading.Event()
        self.exited = threading.Event()
        self.deleting = threading.Event()
        self.grace = 30.0
        self.status: dict[str, Any] = {}
        self._status_lock = threading.Lock()
        self._status_dirty = threading.Event()
        self.done = False

    # --- status reporting (the kubelet's status manager: the latest status wins) ---------
    def post(self, status: dict[str, Any]) -> None:
        with self._status_lock:
            self.status = status
            self._status_dirty.set()

    def status_loop(self) -> None:
        path = f"/api/v1/namespaces/{self.ns}/pods/{quote(self.name)}/status"
        while not self.done or self._status_dirty.is_set():
            if not self._status_dirty.wait(0.2):
                continue
            with self._status_lock:
                status = self.status
                self._status_dirty.clear()
            while True:
                try:
                    self.node.api.merge_patch(
                        path, {"metadata": {"uid": self.uid}, "status": status}
                    )
                    break
                except HttpError as e:
                    if e.status in (404, 409, 422):
                        return  # the pod is gone (or another incarnation)
                    time.sleep(0.5)
                except OSError:
                    time.sleep(0.5)  # the apiserver is down: keep the latest status and retry

    def _base(self, phase: str) -> dict[str, Any]:
        ready = "True" if phase == "Running" else "False"
        conds: list[dict[str, Any]] = [
            {"type": "Initialized", "status": "True"},
            {"type": "Ready", "status": ready},
            {"type": "ContainersReady", "status": ready},
            {"type": "PodScheduled", "status": "True"},
        ]
        for c in conds:
            c["lastProbeTime"] = None
            c["lastTransitionTime"] = rfc3339()
        return {
            "phase": phase,
            "conditions": conds,
            "hostIP": "127.0.0.1",
            "podIP": "127.0.0.1",
            "podIPs": [{"ip": "127.0.0.1"}],
            "startTime": self.start_time,
            "qosClass": "Burstable",
        }

    def _cs(self, state: dict[str, Any], ready: bool = False) -> dict[str, Any]:
        image = self.container.get("image", "")
        cs = {
            "name": self.container["name"],
            "state": state,
            "lastState": {},
            "ready": ready,
            "restartCount": 0,
            "image": image,
            "imageID": "",
            "started": "running" in state,
        }
        if "waiting" not in state:
            cs["containerID"] = f"containerd://{self.uid.replace('-', '')}"
            cs["imageID"] = f"{image.split(':')[0]}@sha256:{'0' * 64}"
        return cs

    def waiting(self, reason: str, message: str | None = None) -> None:
        state: dict[str, Any] = {"waiting": {"reason": reason}}
        if message:
            state["waiting"]["message"] = message
        self.post({**self._base("Pending"), "containerStatuses": [self._cs(state)]})

    # --- the pod's life --------------------------------------------------------------------
    def run(self) -> None:
        self.start_time = rfc3339()
        threading.Thread(target=self.status_loop, daemon=True).start()
        try:
            self._run()
        except Exception:
            traceback.print_exc()
        finally:
            self.done = True

    def _run(self) -> None:
        self.waiting("ContainerCreating")
        image = self.container.get("image", "")
        if UNPULLABLE.search(image):
            msg = f'rpc error: code = NotFound desc = failed to pull and unpack image "{image}"'
            self.waiting("ErrImagePull", msg)
            if self.deleting.wait(1.0):
                return self._remove()
            self.waiting("ImagePullBackOff", f'Back-off pulling image "{image}"')
            self.deleting.wait()
            return self._remove()
        while True:
            try:
                launch = self._prepare()
                break
            except Blocked as e:
                if e.reason == "FailedMount":
                    self.waiting("ContainerCreating")
                else:
                    self.waiting(e.reason, e.message)
                if self.deleting.wait(1.0):
                    return self._remove()
        if self.deleting.is_set():
            return self._remove()
        self._start(launch)
        self._finish()

    def _prepare(self) -> dict[str, Any]:
        spec = self.pod["spec"]
        c = self.container
        psc = spec.get("securityContext") or {}
        csc = c.get("securityContext") or {}
        uid = csc.get("runAsUser", psc.get("runAsUser", 0))
        gid = csc.get("runAsGroup", psc.get("runAsGroup", 0))
        fs_group = psc.get("fsGroup")
        groups = sorted({*(psc.get("supplementalGroups") or []), *([fs_group] if fs_group else [])})
        volumes = {v["name"]: v for v in spec.get("volumes") or []}
        tmp = self.dir / "rootfs-tmp"  # the container's own writable /tmp, as in an image
        tmp.mkdir(exist_ok=True)
        os.chmod(tmp, 0o1777)
        mounts = [[str(self.node.image_dir), IMAGE_MOUNT, True]] if self.node.image_dir else []
        for m in c.get("volumeMounts") or []:
            src = self._volume(volumes[m["name"]], fs_group)
            if m.get("subPath"):
                src = src / m["subPath"]
                src.mkdir(parents=True, exist_ok=True)
            mounts.append([str(src), m["mountPath"], bool(m.get("readOnly"))])
        mounts.append([str(tmp), "/tmp", False])  # the shim mounts parents first
        env = {"PATH": self.node.image_path, "HOSTNAME": self.name}
        for ef in c.get("envFrom") or []:
            data = self._ref_data(
                ef,
                optional=bool(
                    (ef.get("secretRef") or ef.get("configMapRef") or {}).get("optional")
                ),
            )
            for k, v in data.items():
                env[ef.get("prefix", "") + k] = v
        for e in c.get("env") or []:
            if "value" in e or "valueFrom" not in e:
                env[e["name"]] = expand(e.get("value", ""), env)
                continue
            value = self._env_ref(e["valueFrom"])
            if value is not None:
                env[e["name"]] = value
        argv = [expand(a, env) for a in (c.get("command") or [])] + [
            expand(a, env) for a in (c.get("args") or [])
        ]
        if "HOME" not in env:
            env["HOME"] = "/" if uid else "/root"
        return {
            "mounts": mounts,
            "workingDir": c.get("workingDir") or "/",
            "uid": uid,
            "gid": gid,
            "groups": groups,
            "argv": argv,
            "env": env,
        }

    def _get(self, kind: str, name: str) -> dict[str, Any] | None:
        try:
            obj: dict[str, Any] = self.node.api.get(
                f"/api/v1/namespaces/{self.ns}/{kind}/{quote(name)}"
            )
            return obj
        except HttpError as e:
            if e.status == 404:
                return None
            raise Blocked("CreateContainerConfigError", str(e)) from None
        except OSError as e:
            raise Blocked("ContainerCreating", str(e)) from None

    def _data(self, kind: str, name: str, optional: bool) -> dict[str, str] | None:
        obj = self._get(kind, name)
        if obj is None:
            if optional:
                return None
            singular = "secret" if kind == "secrets" else "configmap"
            raise Blocked("CreateContainerConfigError", f'{singular} "{name}" not found')
        if kind == "secrets":
            return {
                k: base64.b64decode(v).decode("utf-8", "replace")
                for k, v in (obj.get("data") or {}).items()
            }
        return dict(obj.get("data") or {})

    def _ref_data(self, ef: dict[str, Any], optional: bool) -> dict[str, str]:
        if "secretRef" in ef:
            return self._data("secrets", ef["secretRef"]["name"], optional) or {}
        return self._data("configmaps", ef["configMapRef"]["name"], optional) or {}

    def _env_ref(self, vf: dict[str, Any]) -> str | None:
        for key, kind, singular in (
            ("secretKeyRef", "secrets", "secret"),
            ("configMapKeyRef", "configmaps", "configmap"),
        ):
            if key in vf:
                ref = vf[key]
                data = self._data(kind, ref["name"], bool(ref.get("optional")))
                if data is None:
                    return None
                if ref["key"] not in data:
                    if ref.get("optional"):
                        return None
                    raise Blocked(
                        "CreateContainerConfigError",
                        f"couldn't find key {ref['key']} in {singular.capitalize()} "
                        f"{self.ns}/{ref['name']}",
                    )
                return data[ref["key"]]
        if "fieldRef" in vf:
            path = str(vf["fieldRef"]["fieldPath"])
            fields: dict[str, str] = {
                "metadata.name": self.name,
                "metadata.namespace": self.ns,
                "metadata.uid": self.uid,
                "spec.nodeName": self.node.name,
                "status.podIP": "127.0.0.1",
                "status.hostIP": "127.0.0.1",
            }
            return fields.get(path, "")
        return ""

    def _volume(self, vol: dict[str, Any], fs_group: int | None) -> Path:
        target: Path = self.dir / "volumes" / str(vol["name"])
        if "persistentVolumeClaim" in vol:
            claim = vol["persistentVolumeClaim"]["claimName"]
            pvc = self._get("persistentvolumeclaims", claim)
            if pvc is None or (pvc.get("status") or {}).get("phase") != "Bound":
                raise Blocked("FailedMount", f"persistentvolumeclaim {claim} not bound")
            pv = self.node.api.get(f"/api/v1/persistentvolumes/{pvc['spec']['volumeName']}")
            return Path(str(pv["spec"]["hostPath"]["path"]))
        if "emptyDir" in vol:
            target.mkdir(parents=True, exist_ok=True)
            os.chmod(target, 0o777)
            return target
        if "secret" in vol or "configMap" in vol:
            src = vol.get("secret") or vol["configMap"]
            kind = "secrets" if "secret" in vol else "configmaps"
            name = src.get("secretName") or src.get("name")
            data = self._get(kind, name)
            if data is None:
                if src.get("optional"):
                    target.mkdir(parents=True, exist_ok=True)
                    return target
                raise Blocked("FailedMount", f'{kind[:-1]} "{name}" not found')
            raw = {
                k: (base64.b64decode(v) if kind == "secrets" else v.encode())
                for k, v in (data.get("data") or {}).items()
            }
            shutil.rmtree(target, ignore_errors=True)
            target.mkdir(parents=True)
            items = src.get("items") or [{"key": k, "path": k} for k in raw]
            default = src.get("defaultMode", 0o644)
            for item in items:
                if item["key"] not in raw:
                    if src.get("optional"):
                        continue
                    # the kubelet's MakePayload (pkg/volume/secret, pkg/volume/configmap)
                    raise Blocked("FailedMount", (
                        "references non-existent secret key" if kind == "secrets"
                        else "configmap references non-existent config key"
                    ) + f": {item['key']}")  # fmt: skip
                path = target / item["path"]
                path.parent.mkdir(parents=True, exist_ok=True)
                path.write_bytes(raw[item["key"]])
                mode = item.get("mode", default)
                if fs_group is not None:  # SetVolumeOwnership: group fsGroup, read-only mask
                    os.chown(path, 0, fs_group)
                    mode |= 0o440
                os.chmod(path, mode)
            os.chmod(target, 0o755)
            return target
        raise Blocked("FailedMount", f"volume type of {vol['name']} not supported by the test node")

    def _start(self, launch: dict[str, Any]) -> None:
        spec_file = self.dir / "launch.json"
        spec_file.write_text(json.dumps(launch))
        os.chmod(spec_file, 0o600)
        self.proc = subprocess.Popen(
            ["unshare", "--mount", "--propagation", "private", PYTHON, str(SHIM), str(spec_file)],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            start_new_session=True,
        )
        self.started_at = rfc3339()
        pumps = [
            threading.Thread(target=self.log.pump, args=(self.proc.stdout, "stdout"), daemon=True),
            threading.Thread(target=self.log.pump, args=(self.proc.stderr, "stderr"), daemon=True),
        ]
        for t in pumps:
            t.start()
        self.started.set()
        running = {"running": {"startedAt": self.started_at}}
        self.post({**self._base("Running"), "containerStatuses": [self._cs(running, ready=True)]})
        killer = threading.Thread(target=self._kill_on_delete, daemon=True)
        killer.start()
        self.proc.wait()
        for t in pumps:
            t.join()
        self.log.close()
        self.exited.set()

    def _kill_on_delete(self) -> None:
        self.deleting.wait()
        proc = self.proc
        if proc is None or proc.poll() is not None:
            return
        with contextlib.suppress(ProcessLookupError):
            os.kill(proc.pid, signal.SIGTERM)
        if not self.exited.wait(self.grace):
            with contextlib.suppress(ProcessLookupError):
                os.killpg(proc.pid, signal.SIGKILL)

    def _finish(self) -> None:
        assert self.proc is not None
        code = self.proc.returncode
        if code < 0:
            code = 128 - code
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.proc.pid, signal.SIGKILL)  # the container's other processes
        phase = "Succeeded" if code == 0 else "Failed"
        term = {
            "terminated": {
                "exitCode": code,
                "reason": "Completed" if code == 0 else "Error",
                "startedAt": self.started_at,
                "finishedAt": rfc3339(),
                "containerID": f"containerd://{self.uid.replace('-', '')}",
            }
        }
        self.post({**self._base(phase), "containerStatuses": [self._cs(term)]})
        if self.deleting.is_set():
            self._remove()

    def _remove(self) -> None:
        """The kubelet's final delete: grace 0, only this incarnation (uid precondition)."""
        time.sleep(0.3)  # let the status manager post the last state first
        while self._status_dirty.is_set():
            time.sleep(0.05)
        body = {
            "apiVersion": "v1",
            "kind": "DeleteOptions",
            "gracePeriodSeconds": 0,
            "preconditions": {"uid": self.uid},
        }
        while True:
            try:
                self.node.api.delete(f"/api/v1/namespaces/{self.ns}/pods/{quote(self.name)}", body)
                return
            except HttpError as e:
                if e.status in (404, 409):
                    return
                time.sleep(0.5)
            except OSError:
                time.sleep(0.5)

    def on_update(self, pod: dict[str, Any]) -> None:
        meta = pod["metadata"]
        if meta.get("deletionTimestamp") and not self.deleting.is_set():
            self.grace = float(meta.get("deletionGracePeriodSeconds") or 0)
            self.deleting.set()
            if self.done and not self.proc:
                return
            if self.exited.is_set() or (self.done and self.proc is not None):
                threading.Thread(target=self._remove, daemon=True).start()


class Node:
    def __init__(
        self, api: Rest, name: str, state: Path, port: int, image_dir: Path | None
    ) -> None:
        self.api = api
        self.name = name
        self.state = state
        self.port = port
        self.image_dir = image_dir
        self.image_path = f"{IMAGE_MOUNT}:{DEFAULT_PATH}" if image_dir else DEFAULT_PATH
        self.workers: dict[str, PodWorker] = {}  # by uid
        self.by_name: dict[tuple[str, str], PodWorker] = {}

    def register(self) -> None:
        node = {
            "apiVersion": "v1",
            "kind": "Node",
            "metadata": {
                "name": self.name,
                "labels": {
                    "kubernetes.io/hostname": self.name,
                    "kubernetes.io/os": "linux",
                    "kubernetes.io/arch": "amd64",
                    "type": "kubeclip-sim",
                },
            },
            "status": self._status(),
        }
        with contextlib.suppress(HttpError):
            self.api.post("/api/v1/nodes", node)
        self.heartbeat()
        # No node-lifecycle controller runs: lift the not-ready taint admission put there.
        self.api.merge_patch(f"/api/v1/nodes/{self.name}", {"spec": {"taints": None}})

    def _status(self) -> dict[str, Any]:
        now = rfc3339()
        cap = {"cpu": "32", "memory": "128Gi", "pods": "110", "ephemeral-storage": "100Gi"}
        return {
            "capacity": cap,
            "allocatable": cap,
            "conditions": [
                {
                    "type": "Ready",
                    "status": "True",
                    "reason": "KubeletReady",
                    "message": "kubeclip simulated node",
                    "lastHeartbeatTime": now,
                    "lastTransitionTime": now,
                }
            ],
            "addresses": [
                {"type": "InternalIP", "address": "127.0.0.1"},
                {"type": "Hostname", "address": self.name},
            ],
            "daemonEndpoints": {"kubeletEndpoint": {"Port": self.port}},
            "nodeInfo": {
                "machineID": "",
                "systemUUID": "",
                "bootID": "",
                "kernelVersion": "",
                "osImage": "kubeclip-sim",
                "containerRuntimeVersion": "containerd://sim",
                "kubeletVersion": "v1.20.2",
                "kubeProxyVersion": "v1.20.2",
                "operatingSystem": "linux",
                "architecture": "amd64",
            },
        }

    def heartbeat(self) -> None:
        self.api.merge_patch(f"/api/v1/nodes/{self.name}/status", {"status": self._status()})

    def watch_pods(self) -> None:
        while True:
            try:
                for event in self.api.watch(
                    "/api/v1/pods", timeout=300, fieldSelector=f"spec.nodeName={self.name}"
                ):
                    self._event(event)
            except (OSError, HttpError, ValueError):
                time.sleep(0.3)  # apiserver down or restarting: watch again (full re-list)

    def _event(self, event: dict[str, Any]) -> None:
        pod = event.get("object") or {}
        meta = pod.get("metadata") or {}
        uid = meta.get("uid")
        if not uid or event.get("type") == "ERROR":
            return
        worker = self.workers.get(uid)
        if event["type"] == "DELETED":
            if worker:
                worker.grace = 0
                worker.deleting.set()
            return
        if worker is None:
            phase = (pod.get("status") or {}).get("phase")
            if phase in ("Succeeded", "Failed"):
                if meta.get("deletionTimestamp"):  # a finished pod we no longer run
                    body = {"gracePeriodSeconds": 0, "preconditions": {"uid": uid}}
                    with contextlib.suppress(HttpError, OSError):
                        self.api.delete(
                            f"/api/v1/namespaces/{meta['namespace']}/pods/{quote(meta['name'])}",
                            body,
                        )
                return
            worker = PodWorker(self, pod)
            self.workers[uid] = worker
            self.by_name[(meta["namespace"], meta["name"])] = worker
            worker.start()
        worker.on_update(pod)

    def heartbeat_loop(self) -> None:
        while True:
            time.sleep(20)
            with contextlib.suppress(OSError, HttpError):
                self.heartbeat()


class LogHandler(BaseHTTPRequestHandler):
    """``GET /containerLogs/{ns}/{pod}/{container}``, as the kubelet serves it."""

    node: Node
    protocol_version = "HTTP/1.1"

    def log_message(self, format: str, *args: Any) -> None:
        pass

    def do_GET(self) -> None:
        url = urlsplit(self.path)
        parts = url.path.strip("/").split("/")
        if len(parts) != 4 or parts[0] != "containerLogs":
            return self._plain(404, "404 page not found")
        _, ns, pod, container = parts
        query = {k: v[-1] for k, v in parse_qs(url.query).items()}
        worker = self.node.by_name.get((ns, pod))
        if worker is None:
            return self._plain(404, f'pod "{pod}" not found')
        if container != worker.container["name"]:
            return self._plain(400, f'container "{container}" not found in pod "{pod}"')
        if not worker.started.is_set():
            return self._plain(
                400,
                f'container "{container}" in pod "{pod}" is waiting to start: ContainerCreating',
            )
        follow = query.get("follow") == "true"
        timestamps = query.get("timestamps") == "true"
        since = parse_since(query["sinceTime"]) if query.get("sinceTime") else 0
        self.send_response(200)
        self.send_header("Content-Type", "text/plain")
        self.send_header("Transfer-Encoding", "chunked")
        self.end_headers()
        try:
            self._stream(worker, follow, timestamps, since)
            self.wfile.write(b"0\r\n\r\n")
            self.wfile.flush()
        except (BrokenPipeError, ConnectionResetError, ssl.SSLError, OSError):
            pass
        self.close_connection = True

    def _chunk(self, data: bytes) -> None:
        if data:
            self.wfile.write(f"{len(data):x}\r\n".encode() + data + b"\r\n")
            self.wfile.flush()

    def _stream(self, worker: PodWorker, follow: bool, timestamps: bool, since: int) -> None:
        with open(worker.log.path, "rb") as f:
            pending = b""
            while True:
                data = f.read(65536)
                if not data:
                    if not follow:
                        return
                    if worker.log.closed.is_set():
                        data = f.read()  # written between our last read and the close
                        if not data:
                            return
                    else:
                        time.sleep(0.02)
                        continue
                pending += data
                *lines, pending = pending.split(b"\n")
                out = []
                for line in lines:
                    ts, _stream, tag, content = line.split(b" ", 3)
                    ns = _parse_cri_ts(ts)
                    if ns < since:
                        continue
                    if timestamps:
                        out.append(nano_ts(ns).encode() + b" ")
                    out.append(content + (b"\n" if tag == b"F" else b""))
                self._chunk(b"".join(out))

    def _plain(self, code: int, message: str) -> None:
        body = message.encode()
        self.send_response(code)
        self.send_header("Content-Type", "text/plain")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


def _parse_cri_ts(ts: bytes) -> int:
    text = ts.decode()
    main, _, frac = text.rstrip("Z").partition(".")
    import calendar

    sec = calendar.timegm(time.strptime(main, "%Y-%m-%dT%H:%M:%S"))
    return sec * 1_000_000_000 + int((frac + "000000000")[:9])


def serve(node: Node, cert: str, key: str) -> ThreadingHTTPServer:
    handler = type("Handler", (LogHandler,), {"node": node})
    server = ThreadingHTTPServer(("127.0.0.1", node.port), handler)
    server.daemon_threads = True
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.load_cert_chain(cert, key)
    server.socket = ctx.wrap_socket(server.socket, server_side=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


def main() -> None:
    p = argparse.ArgumentParser()
    p.add_argument("--server", required=True)
    p.add_argument("--pki", required=True)
    p.add_argument("--state", required=True)
    p.add_argument("--name", default="sim-node")
    p.add_argument("--port", type=int, required=True)
    p.add_argument("--image-dir", help=f"files of the 'image', at {IMAGE_MOUNT} in containers")
    a = p.parse_args()
    pki = Path(a.pki)
    api = Rest(a.server, str(pki / "ca.crt"), str(pki / "admin.crt"), str(pki / "admin.key"))
    state = Path(a.state)
    state.mkdir(parents=True, exist_ok=True)
    node = Node(api, a.name, state, a.port, Path(a.image_dir) if a.image_dir else None)
    serve(node, str(pki / "kubelet.crt"), str(pki / "kubelet.key"))
    node.register()
    threading.Thread(target=node.heartbeat_loop, daemon=True).start()
    print("node ready", flush=True)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    try:
        node.watch_pods()
    finally:  # a stopped node takes its "containers" with it
        for worker in list(node.workers.values()):
            if worker.proc is not None and worker.proc.poll() is None:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(worker.proc.pid, signal.SIGKILL)


if __name__ == "__main__":
    main()
