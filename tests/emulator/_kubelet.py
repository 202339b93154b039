"""The simulated kubelet: one thread per pod, driving its status through realistic states."""

from __future__ import annotations

import hashlib
import threading
import time
import traceback
from collections.abc import Callable
from typing import Any

from ._cluster import TERMINAL_PHASES, Cluster
from ._util import JsonObj, rfc3339
from .script import PodScript

NODE_NAME = "emulator-node"
HOST_IP = "10.0.0.10"

EVICTION_MESSAGE = "The node was low on resource: memory."


def _container_id(uid: str, name: str) -> str:
    return "containerd://" + hashlib.sha256(f"{uid}/{name}".encode()).hexdigest()


def _image_id(image: str) -> str:
    digest = hashlib.sha256(image.encode()).hexdigest()
    return f"{image.split('@', 1)[0].rsplit(':', 1)[0]}@sha256:{digest}"


def set_condition(
    status: JsonObj,
    ctype: str,
    value: bool,
    reason: str | None = None,
    message: str | None = None,
) -> None:
    conds: list[JsonObj] = status.setdefault("conditions", [])
    text = "True" if value else "False"
    for c in conds:
        if c["type"] == ctype:
            if c["status"] != text:
                c["lastTransitionTime"] = rfc3339()
            c["status"] = text
            c["lastProbeTime"] = None
            for k, v in (("reason", reason), ("message", message)):
                if v is None:
                    c.pop(k, None)
                else:
                    c[k] = v
            return
    cond: JsonObj = {
        "type": ctype,
        "status": text,
        "lastProbeTime": None,
        "lastTransitionTime": rfc3339(),
    }
    if reason is not None:
        cond["reason"] = reason
    if message is not None:
        cond["message"] = message
    conds.append(cond)


class Killed(Exception):
    pass


class Evicted(Exception):
    """The kubelet ends the pod: eviction, or the pod's own activeDeadlineSeconds."""

    def __init__(self, reason: str = "Evicted", message: str = EVICTION_MESSAGE) -> None:
        super().__init__(message)
        self.reason = reason
        self.message = message


POD_DEADLINE_MESSAGE = "Pod was active on the node longer than the specified deadline"


class PodRunner:
    def __init__(self, kubelet: Kubelet, pod: JsonObj, script: PodScript) -> None:
        self.kubelet = kubelet
        self.cluster = kubelet.cluster
        self.uid: str = pod["metadata"]["uid"]
        self.name: str = pod["metadata"]["name"]
        self.script = script
        spec = pod.get("spec") or {}
        self.containers: list[JsonObj] = [
            c for c in spec.get("containers") or [] if isinstance(c, dict)
        ]
        self.init_containers: list[JsonObj] = [
            c for c in spec.get("initContainers") or [] if isinstance(c, dict)
        ]
        if script.init_failure and not self.init_containers:
            self.init_containers = [{"name": "init", "image": "busybox:1.36"}]
        names = [c.get("name", "") for c in self.containers]
        self.main = "agent" if "agent" in names else (names[0] if names else "agent")
        self.kill_event = threading.Event()
        self.kill_exit_code = 143
        self.running = False  # a container process exists (so deletion is graceful)
        self.done = False
        self.started_at: str | None = None
        self.evict_at: float | None = None
        self.deadline_at: float | None = None
        ads = spec.get("activeDeadlineSeconds")
        self.pod_deadline = float(ads) if isinstance(ads, int | float) else None
        self.thread = threading.Thread(target=self._run, name=f"kubelet-{self.name}", daemon=True)

    # -- helpers ------------------------------------------------------------------------

    def kill(self, exit_code: int) -> None:
        self.kill_exit_code = exit_code
        self.kill_event.set()

    def _pause(self, seconds: float) -> None:
        """Sleep, raising Killed or Evicted when that happens first."""
        end = time.monotonic() + max(0.0, seconds)
        while True:
            now = time.monotonic()
            if self.kill_event.is_set() or self.kubelet.stopping:
                raise Killed
            if self.evict_at is not None and now >= self.evict_at:
                raise Evicted
            if self.deadline_at is not None and now >= self.deadline_at:
                raise Evicted("DeadlineExceeded", POD_DEADLINE_MESSAGE)
            wait = end - now
            for at in (self.evict_at, self.deadline_at):
                if at is not None:
                    wait = min(wait, at - now)
            if wait <= 0:
                return
            self.kill_event.wait(wait)

    def _forever(self) -> None:
        while True:
            self._pause(3600.0)

    def _update(self, mutate: Callable[[JsonObj], None]) -> JsonObj:
        with self.cluster.lock:
            obj = self.cluster.modify(self.uid, mutate)
        if obj is None:
            raise Killed
        return obj

    def _event(self, etype: str, reason: str, message: str) -> None:
        with self.cluster.lock:
            found = self.cluster.by_uid_obj(self.uid)
            if found is not None:
                self.cluster.record_event(found[1], etype, reason, message, "kubelet", NODE_NAME)

    def _statuses(
        self,
        status: JsonObj,
        state_for: Callable[[JsonObj], JsonObj],
        ready: bool = False,
        started: bool = False,
    ) -> None:
        status["containerStatuses"] = [
            {
                "name": c.get("name"),
                "image": c.get("image", ""),
                "imageID": _image_id(c.get("image", "")) if started else "",
                **({"containerID": _container_id(self.uid, c.get("name", ""))} if started else {}),
                "ready": ready,
                "restartCount": 0,
                "started": started,
                "state": state_for(c),
                "lastState": {},
            }
            for c in self.containers
        ]

    def _terminated(self, exit_code: int, reason: str, name: str) -> JsonObj:
        state: JsonObj = {
            "exitCode": exit_code,
            "reason": reason,
            "startedAt": self.started_at or rfc3339(),
            "finishedAt": rfc3339(),
            "containerID": _container_id(self.uid, name),
        }
        return {"terminated": state}

    # -- the lifecycle --------------------------------------------------------------------

    def _run(self) -> None:
        try:
            self._lifecycle()
        except _Finished:
            pass
        except Killed:
            self._on_killed()
        except Evicted as ev:
            self._on_evicted(ev)
        except Exception:
            self.kubelet.errors.append(traceback.format_exc())
        finally:
            self.done = True
            self.running = False

    def _lifecycle(self) -> None:
        s = self.script
        self._pause(s.schedule_delay)
        if s.unschedulable is not None:
            message = s.unschedulable

            def unsched(o: JsonObj) -> None:
                set_condition(o["status"], "PodScheduled", False, "Unschedulable", message)

            self._update(unsched)
            with self.cluster.lock:
                found = self.cluster.by_uid_obj(self.uid)
                if found is not None:
                    self.cluster.record_event(
                        found[1], "Warning", "FailedScheduling", message, "default-scheduler"
                    )
            self._forever()

        def bind(o: JsonObj) -> None:
            o["spec"]["nodeName"] = NODE_NAME
            st = o["status"]
            set_condition(st, "PodScheduled", True)

        pod = self._update(bind)
        if self.pod_deadline is not None:
            self.deadline_at = time.monotonic() + self.pod_deadline * self.kubelet.time_scale
        ns = pod["metadata"].get("namespace", "")
        self._event("Normal", "Scheduled", f"Successfully assigned {ns}/{self.name} to {NODE_NAME}")
        has_init = bool(self.init_containers)
        waiting_reason = "PodInitializing" if has_init else "ContainerCreating"

        def creating(o: JsonObj) -> None:
            st = o["status"]
            st["hostIP"] = HOST_IP
            st["hostIPs"] = [{"ip": HOST_IP}]
            st["podIP"] = "10.244.0." + str(int(self.uid[:2], 16) % 250 + 2)
            st["podIPs"] = [{"ip": st["podIP"]}]
            st["startTime"] = rfc3339()
            set_condition(st, "PodReadyToStartContainers", True)
            if has_init:
                set_condition(
                    st,
                    "Initialized",
                    False,
                    "ContainersNotInitialized",
                    "containers with incomplete status: ["
                    + " ".join(c.get("name", "") for c in self.init_containers)
                    + "]",
                )
            else:
                set_condition(st, "Initialized", True)
            names = " ".join(c.get("name", "") for c in self.containers)
            set_condition(
                st,
                "Ready",
                False,
                "ContainersNotReady",
                f"containers with unready status: [{names}]",
            )
            set_condition(
                st,
                "ContainersReady",
                False,
                "ContainersNotReady",
                f"containers with unready status: [{names}]",
            )
            self._statuses(st, lambda c: {"waiting": {"reason": waiting_reason}})
            if self.init_containers:
                st["initContainerStatuses"] = [
                    {
                        "name": c.get("name"),
                        "image": c.get("image", ""),
                        "imageID": "",
                        "ready": False,
                        "restartCount": 0,
                        "started": False,
                        "state": {"waiting": {"reason": "PodInitializing"}},
                        "lastState": {},
                    }
                    for c in self.init_containers
                ]

        self._update(creating)
        if has_init:
            self._run_init()
        self._pause(s.start_delay)
        image = next(
            (c.get("image", "") for c in self.containers if c.get("name") == self.main), ""
        )
        if s.invalid_image:
            msg = (
                f'Failed to apply default image tag "{image}": couldn\'t parse image name '
                f'"{image}": invalid reference format'
            )
            self._wait_reason("InvalidImageName", msg)
            self._event("Warning", "InspectFailed", msg)
            self._event("Warning", "Failed", "Error: InvalidImageName")
            self._forever()
        if s.image_pull_error is not None:
            # Like the kubelet: try, fail (ErrImagePull), back off (ImagePullBackOff) for
            # longer and longer, try again.
            backoff = self.kubelet.pull_backoff
            while True:
                self._event("Normal", "Pulling", f'Pulling image "{image}"')
                self._wait_reason("ErrImagePull", s.image_pull_error)
                self._event(
                    "Warning", "Failed", f'Failed to pull image "{image}": {s.image_pull_error}'
                )
                self._event("Warning", "Failed", "Error: ErrImagePull")
                self._pause(self.kubelet.pull_backoff)
                self._wait_reason("ImagePullBackOff", f'Back-off pulling image "{image}"')
                self._event("Normal", "BackOff", f'Back-off pulling image "{image}"')
                self._event("Warning", "Failed", "Error: ImagePullBackOff")
                self._pause(backoff)
                backoff = min(backoff * 2, self.kubelet.pull_backoff_max)
        if s.create_container_config_error is not None:
            self._wait_reason("CreateContainerConfigError", s.create_container_config_error)
            self._event("Warning", "Failed", f"Error: {s.create_container_config_error}")
            self._forever()
        self._start_containers(image)
        for line in s.log_lines:
            self._pause(s.line_interval)
            with self.cluster.lock:
                for part in line.split("\n"):
                    self.cluster.append_log(self.uid, self.main, part.encode("utf-8"))
        if s.hang or s.evict_after is not None:
            self._forever()
        if s.termination_reason == "OOMKilled":
            code, reason = 137, "OOMKilled"
        else:
            code = s.exit_code
            reason = s.termination_reason or ("Completed" if code == 0 else "Error")
        self._finish(code, reason)

    def _wait_reason(self, reason: str, message: str) -> None:
        def apply(o: JsonObj) -> None:
            for cs in o["status"].get("containerStatuses") or []:
                if cs["name"] == self.main:
                    cs["state"] = {"waiting": {"reason": reason, "message": message}}

        self._update(apply)

    def _run_init(self) -> None:
        for i, c in enumerate(self.init_containers):
            name = c.get("name", "")
            self._event("Normal", "Created", f"Created container {name}")
            self._event("Normal", "Started", f"Started container {name}")
            fail = self.script.init_failure and i == 0
            code = 1 if fail else 0

            def term(
                o: JsonObj,
                i: int = i,
                code: int = code,
                name: str = name,
                image: str = c.get("image", ""),
            ) -> None:
                st = o["status"]
                statuses = st.get("initContainerStatuses")
                if statuses is None or i >= len(statuses):
                    return
                statuses[i]["state"] = self._terminated(
                    code, "Error" if code else "Completed", name
                )
                statuses[i]["ready"] = not code
                statuses[i]["containerID"] = _container_id(self.uid, name)
                statuses[i]["imageID"] = _image_id(image)
                if code:
                    st["phase"] = "Failed"
                    set_condition(st, "Ready", False, "PodFailed")
                    set_condition(st, "ContainersReady", False, "PodFailed")

            self._update(term)
            if fail:
                raise _Finished

        def inited(o: JsonObj) -> None:
            set_condition(o["status"], "Initialized", True)
            self._statuses(o["status"], lambda c: {"waiting": {"reason": "ContainerCreating"}})

        self._update(inited)

    def _start_containers(self, image: str) -> None:
        self.started_at = rfc3339()
        self.running = True
        if self.script.evict_after is not None:
            self.evict_at = time.monotonic() + self.script.evict_after
        started = self.started_at

        def run(o: JsonObj) -> None:
            st = o["status"]
            st["phase"] = "Running"
            self._statuses(
                st, lambda c: {"running": {"startedAt": started}}, ready=True, started=True
            )
            set_condition(st, "Initialized", True)
            set_condition(st, "Ready", True)
            set_condition(st, "ContainersReady", True)

        self._event("Normal", "Pulled", f'Container image "{image}" already present on machine')
        self._event("Normal", "Created", f"Created container {self.main}")
        self._update(run)
        self._event("Normal", "Started", f"Started container {self.main}")

    def _finish(
        self, code: int, reason: str, pod_reason: str | None = None, pod_message: str | None = None
    ) -> None:
        def term(o: JsonObj) -> None:
            st = o["status"]
            if st.get("phase") in TERMINAL_PHASES:
                return
            self._statuses(
                st,
                lambda c: self._terminated(
                    code if c.get("name") == self.main else (code if pod_reason else 0),
                    reason
                    if c.get("name") == self.main
                    else (reason if pod_reason else "Completed"),
                    c.get("name", ""),
                ),
                started=True,
            )
            for cs in st["containerStatuses"]:
                cs["started"] = False
            st["phase"] = "Succeeded" if code == 0 and pod_reason is None else "Failed"
            set_condition(st, "Ready", False, "PodCompleted")
            set_condition(st, "ContainersReady", False, "PodCompleted")
            if pod_reason is not None:
                st["reason"] = pod_reason
                st["message"] = pod_message or ""
                if pod_reason == "Evicted":
                    set_condition(st, "DisruptionTarget", True, "TerminationByKubelet", pod_message)

        self._update(term)
        self.running = False

    def _on_evicted(self, ev: Evicted) -> None:
        self._event("Warning", ev.reason, ev.message)
        self._event("Normal", "Killing", f"Stopping container {self.main}")
        try:
            self._finish(137, "Error", ev.reason, ev.message)
        except Killed:
            pass

    def _on_killed(self) -> None:
        if self.kubelet.stopping:
            return
        if self.running:
            self._event("Normal", "Killing", f"Stopping container {self.main}")
            time.sleep(self.kubelet.kill_grace)
            try:
                self._finish(self.kill_exit_code, "Error")
            except Killed:
                pass
        time.sleep(self.kubelet.removal_delay)
        with self.cluster.lock:
            found = self.cluster.by_uid_obj(self.uid)
            if found is None:
                return
            info, pod = found
            if not pod["metadata"].get("deletionTimestamp"):
                return  # killed without deletion (e.g. stop): leave it
            self.cluster.deleting_since.pop(self.uid, None)
            if pod["metadata"].get("finalizers"):
                self.cluster.touch()
                return
            self.cluster.remove(info, pod)


class _Finished(Killed):
    """The pod reached a terminal state early (init failure)."""


class Kubelet:
    def __init__(self, cluster: Cluster, choose_script: Callable[[JsonObj], PodScript]) -> None:
        self.cluster = cluster
        self.choose_script = choose_script
        self.runners: dict[str, PodRunner] = {}
        self.errors: list[str] = []
        self.stopping = False
        self.kill_grace = 0.05
        self.removal_delay = 0.02
        self.pull_backoff = 0.05
        self.pull_backoff_max = 1.0
        self.time_scale = 1.0
        cluster.on_pod_created = self._created
        cluster.on_pod_deleting = self._deleting

    def _created(self, pod: JsonObj) -> None:
        runner = PodRunner(self, pod, self.choose_script(pod))
        self.runners[runner.uid] = runner
        runner.thread.start()

    def _deleting(self, uid: str, exit_code: int) -> bool:
        runner = self.runners.get(uid)
        if runner is None or runner.done:
            return False
        found = self.cluster.by_uid_obj(uid)
        if found is not None and (found[1].get("status") or {}).get("phase") in TERMINAL_PHASES:
            return False
        runner.kill(exit_code)
        return True

    def stop(self) -> None:
        self.stopping = True
        for runner in list(self.runners.values()):
            runner.kill_event.set()
        for runner in list(self.runners.values()):
            runner.thread.join(timeout=2)


def script_label(pod: JsonObj, key: str) -> Any:
    return ((pod.get("metadata") or {}).get("labels") or {}).get(key)
