"""The public Emulator object."""

from __future__ import annotations

import builtins
import threading
import time
from collections.abc import Callable, Iterable
from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING, Any, TypeVar

import yaml

from . import _errors as err
from ._cluster import Cluster, info_for_object
from ._controllers import ControllerManager
from ._kubelet import Kubelet
from ._resources import BY_PLURAL, resource_for
from ._selectors import make_filter
from ._server import Api, EmulatorHTTPServer, RequestRecord
from ._util import JsonObj, deep
from .faults import Faults
from .script import PodScript

if TYPE_CHECKING:
    from kubernetes.client import ApiClient

T = TypeVar("T")

DEFAULT_USER = "system:serviceaccount:paperclip:kubeclip"
AGENT_LABEL = "kubeclip.dev/agent"


class Emulator:
    """A Kubernetes API emulator on http://127.0.0.1:<port>, with a simulated Job controller,
    garbage collector and kubelet. Starts serving on construction; ``stop()`` (or leaving a
    ``with`` block) shuts it down."""

    def __init__(
        self,
        namespaces: Iterable[str] = ("paperclip",),
        *,
        host: str = "127.0.0.1",
        port: int = 0,
        user: str = DEFAULT_USER,
        validate: bool = True,
    ) -> None:
        self.cluster = Cluster(user=user, validate=validate)
        self.script: PodScript = PodScript()
        self.scripts_by_agent: dict[str, PodScript] = {}
        self.script_queue: list[PodScript] = []  # if set, the next pods take these in order
        self._queued: dict[str, PodScript] = {}  # namespace/pod -> its script from the queue
        self.agent_label = AGENT_LABEL
        self.faults = Faults(self.cluster)
        self._requests: builtins.list[RequestRecord] = []
        self.namespaces = builtins.list(namespaces)
        self.kubelet = Kubelet(self.cluster, self._choose_script)
        self.controllers = ControllerManager(self.cluster, self._choose_script)
        self.api = Api(self)
        with self.cluster.lock:
            for ns in self.namespaces:
                self._seed_namespace(ns)
        self._server = EmulatorHTTPServer((host, port), self.api)
        self._thread = threading.Thread(
            target=self._server.serve_forever,
            kwargs={"poll_interval": 0.05},
            name="emulator-http",
            daemon=True,
        )
        self._thread.start()
        self.controllers.start()
        self._stopped = False

    # -- lifecycle --------------------------------------------------------------------------

    @property
    def port(self) -> int:
        return int(self._server.server_address[1])

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def stop(self) -> None:
        if self._stopped:
            return
        self._stopped = True
        with self.cluster.lock:
            self.cluster.stopping = True
            self.cluster.cond.notify_all()
        self._server.wait_streams_ended(2.0)
        self.faults.reset()
        self.kubelet.stop()
        self.controllers.join()
        self._server.shutdown()
        self._server.close_connections()
        self._server.server_close()
        self._thread.join(timeout=2)

    def __enter__(self) -> Emulator:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    # -- clients ----------------------------------------------------------------------------

    def write_kubeconfig(self, path: str | Path, namespace: str | None = None) -> Path:
        """A kubeconfig with one cluster/user/context named "emulator"."""
        ns = namespace or (self.namespaces[0] if self.namespaces else "default")
        doc = {
            "apiVersion": "v1",
            "kind": "Config",
            "clusters": [{"name": "emulator", "cluster": {"server": self.url}}],
            "users": [{"name": "emulator", "user": {"token": "emulator-token"}}],
            "contexts": [
                {
                    "name": "emulator",
                    "context": {"cluster": "emulator", "user": "emulator", "namespace": ns},
                }
            ],
            "current-context": "emulator",
            "preferences": {},
        }
        target = Path(path)
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(yaml.safe_dump(doc, sort_keys=False), encoding="utf-8")
        return target

    def api_client(self) -> ApiClient:
        """A ``kubernetes.client.ApiClient`` pointed at the emulator."""
        from kubernetes import client

        cfg = client.Configuration()
        cfg.host = self.url
        cfg.api_key = {"BearerToken": "emulator-token"}
        cfg.api_key_prefix = {"BearerToken": "Bearer"}
        return client.ApiClient(cfg)

    # -- knobs ------------------------------------------------------------------------------

    @property
    def kill_grace(self) -> float:
        """Seconds a deleted running container takes to exit (143) after SIGTERM."""
        return self.kubelet.kill_grace

    @kill_grace.setter
    def kill_grace(self, value: float) -> None:
        self.kubelet.kill_grace = value

    @property
    def gc_delay(self) -> float:
        """Seconds before the garbage collector acts on orphans and foreground deletions."""
        return self.controllers.gc_delay

    @gc_delay.setter
    def gc_delay(self, value: float) -> None:
        self.controllers.gc_delay = value

    @property
    def time_scale(self) -> float:
        """Multiplies activeDeadlineSeconds (the Job's and the pod's) and
        ttlSecondsAfterFinished (e.g. 0.1 makes a 1-second deadline fire after 0.1 s)."""
        return self.controllers.time_scale

    @time_scale.setter
    def time_scale(self, value: float) -> None:
        self.controllers.time_scale = value
        self.kubelet.time_scale = value

    @property
    def bookmark_interval(self) -> float:
        return self.api.bookmark_interval

    @bookmark_interval.setter
    def bookmark_interval(self, value: float) -> None:
        self.api.bookmark_interval = value

    @property
    def job_default_propagation(self) -> str:
        """What deleting a batch/v1 Job without propagationPolicy does: "Orphan", as the
        real apiserver (pods and owned objects stay, with a Warning header)."""
        return self.cluster.job_default_propagation

    @job_default_propagation.setter
    def job_default_propagation(self, value: str) -> None:
        self.cluster.job_default_propagation = value

    # -- inspection -------------------------------------------------------------------------

    @property
    def requests(self) -> builtins.list[RequestRecord]:
        with self.cluster.lock:
            return builtins.list(self._requests)

    def count(self, verb: str | None = None, resource: str | None = None) -> int:
        with self.cluster.lock:
            return sum(
                1
                for r in self._requests
                if (verb is None or r.verb == verb) and (resource is None or r.resource == resource)
            )

    def clear_requests(self) -> None:
        with self.cluster.lock:
            self._requests.clear()

    @property
    def errors(self) -> builtins.list[str]:
        """Tracebacks of emulator bugs (should stay empty)."""
        return self.api.errors + self.kubelet.errors + self.controllers.errors

    def get(self, resource: str, namespace: str | None, name: str) -> JsonObj | None:
        info = resource_for(resource)
        with self.cluster.lock:
            obj = self.cluster.find(info, namespace, name)
            return deep(obj) if obj is not None else None

    def list(
        self,
        resource: str,
        namespace: str | None,
        label_selector: str | None = None,
        field_selector: str | None = None,
    ) -> builtins.list[JsonObj]:
        info = resource_for(resource)
        match = make_filter(label_selector, field_selector, info.plural)
        with self.cluster.lock:
            objs = [deep(o) for o in self.cluster.iter_objects(info.plural, namespace) if match(o)]
        return sorted(objs, key=lambda o: int(o["metadata"]["resourceVersion"]))

    def put_object(self, obj: JsonObj) -> JsonObj:
        """Seed (or overwrite) an object as-is: no validation, no kubelet for pods; metadata
        (uid, resourceVersion, creationTimestamp) is filled in when missing."""
        info = info_for_object(obj)
        body = deep(obj)
        m = body.setdefault("metadata", {})
        if info.namespaced:
            m.setdefault("namespace", self.namespaces[0] if self.namespaces else "default")
        with self.cluster.lock:
            if info.plural == "namespaces":
                self._seed_namespace(m["name"], body)
                return self.cluster.get(info, None, m["name"])
            cur = self.cluster.find(info, m.get("namespace"), m["name"])
            if cur is not None:
                m.setdefault("uid", cur["metadata"]["uid"])
                m.setdefault("creationTimestamp", cur["metadata"]["creationTimestamp"])
                m["resourceVersion"] = cur["metadata"]["resourceVersion"]
                return deep(self.cluster.replace(info, cur, body))
            return self.cluster.create(info, m.get("namespace"), body, seed=True)

    def delete(
        self, resource: str, namespace: str | None, name: str, propagation: str = "Background"
    ) -> bool:
        """Delete as a client would (graceful for running pods; the garbage collector then
        takes the dependents). False if there was no such object."""
        info = resource_for(resource)
        with self.cluster.lock:
            try:
                self.cluster.delete(info, namespace, name, {"propagationPolicy": propagation})
            except err.ApiError:
                return False
            return True

    delete_object = delete

    def logs(self, namespace: str, pod: str, container: str | None = None) -> builtins.list[str]:
        """The lines a pod's container has written so far."""
        with self.cluster.lock:
            obj = self.cluster.find(BY_PLURAL["pods"], namespace, pod)
            if obj is None:
                return []
            per = self.cluster.logs.get(obj["metadata"]["uid"], {})
            if container is None:
                container = next(iter(per), None)
            if container is None:
                return []
            return [ln.data.decode("utf-8", "replace") for ln in per.get(container, [])]

    def wait_for(
        self, predicate: Callable[[], T | None], timeout: float = 2.0, message: str = "condition"
    ) -> T:
        """Wait until ``predicate()`` is truthy (re-checked on every state change)."""
        deadline = time.monotonic() + timeout
        with self.cluster.cond:
            while True:
                value = predicate()
                if value:
                    return value
                left = deadline - time.monotonic()
                if left <= 0:
                    raise TimeoutError(
                        f"emulator: timed out after {timeout}s waiting for {message}"
                    )
                self.cluster.cond.wait(min(left, 0.05))

    # -- internals --------------------------------------------------------------------------

    def _seed_namespace(self, name: str, body: JsonObj | None = None) -> None:
        c = self.cluster
        ns_info = BY_PLURAL["namespaces"]
        if c.find(ns_info, None, name) is None:
            obj = body or {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": name}}
            obj = deep(obj)
            obj.setdefault("status", {"phase": "Active"})
            obj.setdefault("spec", {"finalizers": ["kubernetes"]})
            obj["metadata"].setdefault("labels", {})["kubernetes.io/metadata.name"] = name
            c.create(ns_info, None, obj, seed=True)
        sa = BY_PLURAL["serviceaccounts"]
        if c.find(sa, name, "default") is None:
            c.create(
                sa,
                name,
                {
                    "apiVersion": "v1",
                    "kind": "ServiceAccount",
                    "metadata": {"name": "default", "namespace": name},
                },
                seed=True,
            )

    def _choose_script(self, pod: JsonObj) -> PodScript:
        if self.script_queue or self._queued:  # one script per pod, in creation order
            meta = pod.get("metadata") or {}
            key = f"{meta.get('namespace')}/{meta.get('name')}"
            if key not in self._queued and self.script_queue:
                self._queued[key] = self.script_queue.pop(0)
            if key in self._queued:
                return self._queued[key]
        labels: dict[str, Any] = (pod.get("metadata") or {}).get("labels") or {}
        agent = labels.get(self.agent_label)
        if agent is not None and agent in self.scripts_by_agent:
            return self.scripts_by_agent[agent]
        return self.script
