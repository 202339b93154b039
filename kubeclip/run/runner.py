"""Apply mode: run one rendered agent run on a cluster, follow it, report, clean up.

The runner is deliberately thin: the renderer decides every field of the manifests;
this module only sequences API calls. A normal run costs seven requests whatever its
length: Job, lock, Secret, one pod watch, one log stream, the Secret's early deletion,
and the Job's deletion at the end.

Why in this order (each was a defect on a real control plane):

- **The Job first, then the lock.** The per-agent Lease is created *owned by the Job*, so a
  Lease can only exist while its Job does: a lock whose Job is gone is provably stale and
  is taken over at once, and a crashed runner's lock goes with its Job (TTL, deletion)
  instead of outliving it. The runner that loses the race for the lock deletes its own
  Job, whose pod cannot have started: its Secret does not exist yet.
- **The run Secret goes as soon as the agent runs.** A pod deleted from a Job is not a
  failure to Kubernetes < 1.26: the Job controller makes a replacement pod at once,
  whatever ``backoffLimit`` says. Without the Secret (prompt, credentials) no later pod of
  the Job can ever start a second agent, on any version; and credentials live in the
  cluster only until the agent has read them.
- **One pod per run.** The first pod seen is pinned by uid; another pod of the Job is never
  followed. A pod that is being deleted (by someone, an eviction, a drain) ends the run as
  ``pod_lost``/``evicted`` even though the kubelet reports the agent "exited 143".
- **Outages are ridden through.** Watch, logs and cleanup retry an unreachable API for as
  long as the run's own deadline allows (``API_PATIENCE`` without one); the log stream
  resumes from its last line, so nothing is lost or doubled.

Cleanup is unconditional: deleting the Job at the end garbage-collects its pod, the Secret
and the Lease; with ``retainJobs`` only the Lease is deleted. If the runner dies, the Job's
``ttlSecondsAfterFinished`` removes all of it.
"""

from __future__ import annotations

import contextlib
import json
import queue
import signal
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from types import FrameType
from typing import Any

from kubeclip.cluster.kube import ApiError, Conflict, Kube, NotFound, iter_lines, ns_path
from kubeclip.cluster.logs import LineDeduper, split_streams
from kubeclip.cluster.podstatus import Failure, PodView, job_failure, job_finished, view
from kubeclip.errors import KubeclipError
from kubeclip.renderer import naming
from kubeclip.renderer.plan import RunPlan
from kubeclip.renderer.render import Rendered
from kubeclip.run.result import RunResult

NO_POD_EVENTS_AFTER = 4.0  # seconds without a pod before the Job's events are watched
LOCK_WITHOUT_JOB_GRACE = 60.0  # a lock of an older kubeclip (not owned by its Job)
CONFIG_ERROR_GRACE = 15.0  # the run Secret is created right after the Job
LOG_IDLE_AFTER_EXIT = 60.0  # the container ended and its log stream sent nothing this long
API_PATIENCE = 900.0  # seconds of API outage ridden through by a run without a deadline
CLEANUP_PATIENCE = 300.0  # seconds the final cleanup waits for an unreachable API
FORBIDDEN_GRACE = 60.0  # a 403 for a call that worked in this run: an apiserver warming up
BUSY_POLL = 2.0  # seconds between looks at a busy agent's locks while waiting for a turn
BUSY_REPEAT = 60.0  # seconds between repeats of the "waiting for its turn" line


class _Warming:
    """A 403 for a request that already succeeded in this run is retried for a while:
    right after an apiserver restart its RBAC caches are empty, and for seconds it refuses
    what it allowed a moment ago ('role "kubeclip" not found'). A lasting 403 stays fatal."""

    def __init__(self, grace: float = FORBIDDEN_GRACE) -> None:
        self.grace = grace
        self.worked = False
        self.since: float | None = None

    def ok(self) -> None:
        self.worked, self.since = True, None

    def retry(self) -> bool:
        if not self.worked:
            return False
        now = time.monotonic()
        self.since = self.since or now
        return now - self.since < self.grace


class AgentBusy(KubeclipError):
    exit_code = 75


class _Waited(Exception):
    """Waiting for a turn ended without one: cancelled or out of time."""

    def __init__(self, reason: str, message: str) -> None:
        super().__init__(message)
        self.reason, self.message = reason, message


class RefusedObject(KubeclipError):
    """An object kubeclip would use exists and is not this run's: never adopt it."""

    exit_code = 6


def _now_iso() -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())


def _micro_now() -> str:
    t = time.time()
    return time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(t)) + f".{int(t % 1 * 1e6):06d}Z"


def _parse_time(text: str | None) -> float | None:
    if not text:
        return None
    import calendar

    main = text.rstrip("Z").split(".")[0]
    try:
        return float(calendar.timegm(time.strptime(main, "%Y-%m-%dT%H:%M:%S")))
    except ValueError:
        return None


_STDERR: Any = object()  # Output's default progress stream: its stderr


class Output:
    """Where a run's output goes. Plain mode: the agent's stdout to stdout, the agent's
    stderr to stderr (split again from the log API's merged stream, see
    :data:`kubeclip.cluster.logs.STDERR_MARK`), kubeclip's own lines to ``progress`` (stderr unless
    told otherwise: Paperclip takes the first stderr line as the agent's error)."""

    def __init__(
        self,
        stdout: Any,
        stderr: Any,
        events: bool = False,
        tap: Callable[[bytes], None] | None = None,
        err_tap: Callable[[bytes], None] | None = None,
        progress: Any = _STDERR,
    ) -> None:
        self.stdout = stdout
        self.stderr = stderr
        self.progress = stderr if progress is _STDERR else progress  # None: kept quiet
        self.events = events
        self.tap = tap  # e.g. the OpenCode output parser, fed the same bytes
        self.err_tap = err_tap  # the agent's stderr bytes, e.g. for its first line
        self._lock = threading.Lock()

    def log(self, data: bytes) -> None:
        """The agent's bytes, written before anything else looks at them. A slow reader
        blocks this write, and so the log stream: back-pressure, never a dropped line."""
        out, err = split_streams(data)
        with self._lock:
            if self.events:
                for stream, chunk in (("stdout", out), ("stderr", err)):
                    lines = chunk.split(b"\n")  # only \n ends a line; \r is content
                    if lines and lines[-1] == b"":
                        lines.pop()
                    for line in lines:
                        event = {"type": "log", "line": line.decode("utf-8", "replace")}
                        if stream == "stderr":
                            event["stream"] = stream
                        self._event(event)
            else:
                if out:
                    self.stdout.buffer.write(out)
                    self.stdout.buffer.flush()
                if err:
                    self.stderr.buffer.write(err)
                    self.stderr.buffer.flush()
            for tap, chunk in (("tap", out), ("err_tap", err)):
                fn = getattr(self, tap)
                if fn is None or not chunk:
                    continue
                try:
                    fn(chunk)
                except Exception as e:  # a tap is an observer: it never costs output
                    setattr(self, tap, None)
                    self._say(f"kubeclip: output parser disabled: {e!r}")

    def _say(self, line: str) -> None:
        if self.progress is not None:
            self.progress.write(line + "\n")
            self.progress.flush()

    def status(self, stage: str, message: str) -> None:
        with self._lock:
            if self.events:
                self._event({"type": "status", "stage": stage, "message": message})
            else:
                self._say(f"kubeclip: {message}")

    def notice(self, stage: str, message: str) -> None:
        """A status line the user must see even when progress is kept quiet (e.g. waiting
        for a turn): stderr, or an event."""
        with self._lock:
            if self.events:
                self._event({"type": "status", "stage": stage, "message": message})
            else:
                self.stderr.write(f"kubeclip: {message}\n")
                self.stderr.flush()

    def result(self, result: RunResult) -> None:
        with self._lock:
            self._say(result.line())
            if self.events:
                self._event({"type": "result", **result.to_json()})

    def _event(self, body: dict[str, Any]) -> None:
        self.stdout.write(json.dumps(body, ensure_ascii=False) + "\n")
        self.stdout.flush()


@dataclass
class RunSpec:
    """What to run: the rendered manifests. Everything else is read from the plan's ``run``
    section (the contract the renderer verified the Job against), never from the config."""

    rendered: Rendered
    detach: bool = False

    @property
    def run(self) -> RunPlan:
        return self.rendered.plan["run"]

    @property
    def namespace(self) -> str:
        return self.run["namespace"]

    @property
    def job_name(self) -> str:
        return self.run["jobName"]

    @property
    def container(self) -> str:
        return self.run["container"]

    @property
    def agent_id(self) -> str:
        return self.run["agentId"]

    @property
    def run_id(self) -> str:
        return self.run["runId"]

    @property
    def retain(self) -> bool:
        return self.run["retainJobs"]

    @property
    def timeout(self) -> int:
        return self.run["timeoutSec"]

    @property
    def grace(self) -> int:
        return self.run["graceSec"]

    @property
    def schedule_timeout(self) -> int:
        return self.run["scheduleTimeoutSec"]

    @property
    def max_runs(self) -> int:
        return self.run["maxRunsPerAgent"]

    @property
    def when_busy(self) -> str:
        return self.run["whenBusy"]

    @property
    def selector(self) -> str:
        return ",".join(f"{k}={v}" for k, v in self.run["selector"].items())

    def document(self, kind: str) -> dict[str, Any]:
        for doc in self.rendered.documents:
            if doc.get("kind") == kind:
                return dict(doc)
        raise AssertionError(f"no {kind} rendered")


@dataclass
class _State:
    pod_name: str | None = None
    pod_uid: str | None = None  # the one pod this run follows
    deleting: bool = False  # our pod got a deletionTimestamp we did not cause
    disruption: str = ""  # the DisruptionTarget condition's message (Kubernetes >= 1.26)
    view: PodView | None = None
    stage: str = ""
    started_at: str | None = None
    terminated: threading.Event = field(default_factory=threading.Event)
    pod_gone: bool = False
    unschedulable_since: float | None = None
    config_error_since: float | None = None
    recheck_at: float | None = None  # when to look at the last pod again


class Runner:
    def __init__(self, kube: Kube, spec: RunSpec, out: Output) -> None:
        self.kube = kube
        self.spec = spec
        self.out = out
        self.ns = spec.namespace
        self.cancel_signal: str | None = None
        self._events: queue.Queue[tuple[str, Any]] = queue.Queue()
        self._stop = threading.Event()
        self.job: dict[str, Any] | None = None  # ours: created or reattached by this runner
        self.lease: dict[str, Any] | None = None
        self._last_pod: dict[str, Any] = {}
        self._created: float | None = None
        self._secret_gone = False
        self._deadline: float | None = None
        self._api_down_since: float | None = None  # set by the watch while it cannot connect
        self._log_progress = 0.0  # when the log stream last delivered output
        self._log_writing = False  # the log thread is blocked writing to a slow reader

    # --- the lifecycle ------------------------------------------------------------------
    def run(self) -> RunResult:
        started = _now_iso()
        result: RunResult
        if self.cancel_signal:  # a signal came before anything was created
            result = self._result("cancelled", f"cancelled by {self.cancel_signal}")
            result.cancelled, result.signal = True, self.cancel_signal
            result.startedAt = result.finishedAt = started
            self.out.result(result)
            return result
        try:
            job = self._start()
            if self.spec.detach:
                result = self._result(
                    "detached", "the Job runs on; run again with the same run id to reattach"
                )
            else:
                result = self._follow(job)
        except AgentBusy as e:
            result = self._result("agent_busy", str(e))
        except _Waited as e:
            result = self._result(e.reason, e.message, timed_out=e.reason == "timed_out")
            if e.reason == "cancelled":
                result.cancelled, result.signal = True, self.cancel_signal
        except RefusedObject as e:
            result = self._result("create_failed", str(e))
        except ApiError as e:
            result = self._result("api_error", str(e))
        finally:
            self._stop.set()
        result.startedAt = result.startedAt or started
        result.finishedAt = result.finishedAt or _now_iso()
        if not self.spec.detach:
            self._cleanup(result)
        self.out.result(result)
        return result

    def _start(self) -> dict[str, Any]:
        started = time.monotonic()
        while True:  # the free path costs no extra request: the lock is tried first
            job, reattached = self._create_job()
            self.job = job
            try:
                self._lock(job, reattached)
                break
            except AgentBusy:
                self.job = None
                if reattached:
                    raise
                self._delete_job(propagation="Background")  # its pod never had its Secret
                if self.spec.when_busy != "wait":
                    raise
                self._wait_job_gone(started)  # the name is reused when the turn comes
                self._wait_for_a_turn(started)
        if reattached:
            self.out.status("attach", f"reattaching to Job {self.spec.job_name}")
        else:
            self.out.status("created", f"created Job {self.ns}/{self.spec.job_name}")
        self._create_secret(job)  # after a reattach too: the old runner may have died first
        return job

    def _create_job(self) -> tuple[dict[str, Any], bool]:
        """POST the Job; (job, True) when this run's Job exists already (reattach)."""
        body = self.spec.document("Job")
        for _ in range(3):
            try:
                created: dict[str, Any] = self.kube.request(
                    "POST", ns_path("batch", "v1", self.ns, "jobs"),
                    verb="create", group="batch", resource="jobs", body=body,
                )  # fmt: skip
                return created, False
            except Conflict:
                try:  # our own POST, retried after a lost response, or a reattach
                    existing = self._get_job()
                except NotFound:
                    continue  # a conflict on something already gone: create again
                annotations = existing["metadata"].get("annotations") or {}
                key = f"{naming.DOMAIN}/invocation"
                mine = (body["metadata"].get("annotations") or {}).get(key)
                if annotations.get(f"{naming.DOMAIN}/run-id") != self.spec.run_id or (
                    annotations.get(key) != mine
                ):
                    raise RefusedObject(
                        f"Job {self.ns}/{self.spec.job_name} exists but was not made by this "
                        f"invocation of run {self.spec.run_id}; refusing to adopt it"
                    ) from None
                return existing, True
        raise ApiError(f"could not create Job {self.spec.job_name}: conflicts persisted")

    def _get_job(self) -> dict[str, Any]:
        job: dict[str, Any] = self.kube.request(
            "GET", ns_path("batch", "v1", self.ns, "jobs", self.spec.job_name),
            verb="get", group="batch", resource="jobs",
        )  # fmt: skip
        return job

    def _create_secret(self, job: dict[str, Any]) -> None:
        """The run Secret, owned by the Job. An existing one is used only when it is ours:
        owned by this very Job (uid). Anyone may have pre-created a Secret of that name."""
        secret = self.spec.document("Secret")
        secret["metadata"] = {**secret["metadata"], "ownerReferences": [_owner(job)]}
        path = ns_path("", "v1", self.ns, "secrets")
        try:
            self.kube.request("POST", path, verb="create", group="", resource="secrets",
                              body=secret)  # fmt: skip
            return
        except Conflict:
            pass
        name = secret["metadata"]["name"]
        try:
            existing = self.kube.request("GET", f"{path}/{name}", verb="get", group="",
                                         resource="secrets")  # fmt: skip
        except NotFound:  # gone meanwhile: once more, then give up
            self.kube.request("POST", path, verb="create", group="", resource="secrets",
                              body=secret)  # fmt: skip
            return
        owners = {o.get("uid") for o in existing["metadata"].get("ownerReferences") or []}
        if job["metadata"]["uid"] not in owners:
            raise RefusedObject(
                f"Secret {self.ns}/{name} already exists and was not made by this run (it is "
                f"not owned by Job {self.spec.job_name}); refusing to run the agent with it. "
                "Someone who can create Secrets in this namespace made it: delete it and "
                "look into who did"
            )

    # --- the per-agent lock -------------------------------------------------------------
    def _lock_names(self) -> list[str]:
        base = f"kc-lock-{naming.short_hash(self.spec.agent_id, length=16)}"
        return [base] + [f"{base}-{i}" for i in range(1, self.spec.max_runs)]

    def _wait_for_a_turn(self, started: float) -> None:
        """Wait until one of the agent's lock slots is free, stale or this run's own; then
        the Job is made again. Bounded by timeoutSec and by cancellation."""
        path = ns_path("coordination.k8s.io", "v1", self.ns, "leases")
        said = 0.0
        while True:
            holders: list[str] = []
            for name in self._lock_names():
                try:
                    held = self.kube.request(
                        "GET", f"{path}/{name}", verb="get", group="coordination.k8s.io",
                        resource="leases",
                    )  # fmt: skip
                except NotFound:
                    return
                notes = held["metadata"].get("annotations") or {}
                job_name = notes.get(f"{naming.DOMAIN}/job-name", "")
                if job_name == self.spec.job_name:
                    return  # ours: a reattach
                owners = {o.get("uid") for o in held["metadata"].get("ownerReferences") or []}
                if self._stale(held, job_name, owners):
                    return  # taken over by the lock step
                holders.append(f"run {notes.get(f'{naming.DOMAIN}/run-id')} (Job {job_name})")
            now = time.monotonic()
            if now - said >= BUSY_REPEAT:
                said = now
                self.out.notice(
                    "waiting",
                    f"agent {self.spec.agent_id} is busy with {', '.join(holders)}; this run "
                    f"waits its turn (at most {self.spec.max_runs} active per agent)",
                )
            self._pause_waiting(started, BUSY_POLL)

    def _pause_waiting(self, started: float, seconds: float) -> None:
        end = time.monotonic() + seconds
        while time.monotonic() < end:
            if self.cancel_signal:
                raise _Waited("cancelled", f"cancelled by {self.cancel_signal} while waiting")
            if self.spec.timeout and time.monotonic() - started > self.spec.timeout:
                raise _Waited("timed_out", "the run hit its timeout waiting for its turn")
            time.sleep(0.1)

    def _wait_job_gone(self, started: float) -> None:
        """Our Job was deleted after a lost race; it must be gone before it is made again
        under the same name."""
        while True:
            try:
                self._get_job()
            except NotFound:
                return
            self._pause_waiting(started, 0.5)

    def _lock(self, job: dict[str, Any], reattached: bool) -> None:
        busy: list[str] = []
        for name in self._lock_names():
            try:
                self._lock_slot(name, job)
                return
            except AgentBusy as e:
                busy.append(str(e))
        raise AgentBusy(
            f"agent {self.spec.agent_id} is busy with {'; '.join(busy)} (at most "
            f"{self.spec.max_runs} active run(s) per agent; concurrency.whenBusy: wait queues)"
        )

    def _lock_slot(self, name: str, job: dict[str, Any]) -> None:
        """Take the agent's Lease, owned by ``job``.

        Creating an object is atomic in Kubernetes: of two runners racing, one gets 409. A
        Lease is created only after its Job, so a Lease whose Job is gone (or finished, or
        being deleted) is stale for certain; it is deleted with a uid/resourceVersion
        precondition and created anew, so two takeovers cannot both win.
        """
        path = ns_path("coordination.k8s.io", "v1", self.ns, "leases")
        labels = {
            naming.MANAGED_BY: "kubeclip",
            naming.COMPONENT: "agent-lock",
            naming.LABEL_AGENT: naming.label_value(self.spec.agent_id),
        }
        body = {
            "apiVersion": "coordination.k8s.io/v1",
            "kind": "Lease",
            "metadata": {
                "name": name,
                "namespace": self.ns,
                "labels": labels,
                "annotations": {
                    f"{naming.DOMAIN}/agent-id": self.spec.agent_id,
                    f"{naming.DOMAIN}/run-id": self.spec.run_id,
                    f"{naming.DOMAIN}/job-name": self.spec.job_name,
                },
                "ownerReferences": [_owner(job)],
            },
            "spec": {"holderIdentity": self.spec.run_id[:128], "acquireTime": _micro_now()},
        }
        for _ in range(5):
            try:
                self.lease = self.kube.request(
                    "POST", path, verb="create", group="coordination.k8s.io",
                    resource="leases", body=body,
                )  # fmt: skip
                return
            except Conflict:
                pass
            try:
                held: dict[str, Any] = self.kube.request(
                    "GET", f"{path}/{name}", verb="get", group="coordination.k8s.io",
                    resource="leases",
                )  # fmt: skip
            except NotFound:
                continue  # released meanwhile: try again
            annotations = held["metadata"].get("annotations") or {}
            owners = {o.get("uid") for o in held["metadata"].get("ownerReferences") or []}
            if job["metadata"]["uid"] in owners:
                self.lease = held  # ours: a reattach, or our own retried POST
                return
            holder_run = annotations.get(f"{naming.DOMAIN}/run-id")
            if not self._stale(held, annotations.get(f"{naming.DOMAIN}/job-name", ""), owners):
                raise AgentBusy(
                    f"run {holder_run} (Job {annotations.get(f'{naming.DOMAIN}/job-name')})"
                )
            self.out.status("lock", f"taking over the stale lock of run {holder_run}")
            try:
                self.kube.request(
                    "DELETE", f"{path}/{name}", verb="delete", group="coordination.k8s.io",
                    resource="leases",
                    body={"preconditions": {
                        "uid": held["metadata"]["uid"],
                        "resourceVersion": held["metadata"]["resourceVersion"]}},
                )  # fmt: skip
            except (Conflict, NotFound):
                pass  # someone else took it over first; look again
        raise AgentBusy(f"lock {name} changed hands too often")

    def _stale(self, lease: dict[str, Any], job_name: str, owners: set[str | None]) -> bool:
        try:
            job = self.kube.request(
                "GET", ns_path("batch", "v1", self.ns, "jobs", job_name),
                verb="get", group="batch", resource="jobs",
            )  # fmt: skip
        except NotFound:
            if owners:
                return True  # the lock was made after its Job: the Job is gone for good
            acquired = _parse_time((lease.get("spec") or {}).get("acquireTime"))
            return acquired is None or time.time() - acquired > LOCK_WITHOUT_JOB_GRACE
        if owners and job["metadata"]["uid"] not in owners:
            return True  # a Job of that name, but not the lock's
        if job["metadata"].get("deletionTimestamp"):
            return True
        return job_finished(job)

    # --- following -----------------------------------------------------------------------
    def _follow(self, job: dict[str, Any]) -> RunResult:
        state = _State()
        created = self._created = time.monotonic()
        deadline = created + self.spec.timeout + self.spec.grace if self.spec.timeout else None
        self._deadline = deadline
        self._spawn(self._watch_pods, name="pod-watch")
        events_started = False
        log_thread: threading.Thread | None = None
        ended_at: float | None = None  # when the container's termination was seen
        while True:
            if self.cancel_signal:
                return self._cancel(state)
            now = time.monotonic()
            if deadline and now > deadline:
                self._delete_job()
                return self._result("timed_out", "the run hit its timeout", state, timed_out=True)
            down = self._api_down_since
            if down and not deadline and now - down > API_PATIENCE:
                return self._result(
                    "api_error",
                    f"the Kubernetes API has been unreachable for {API_PATIENCE:.0f} s",
                    state,
                )
            if state.recheck_at and now >= state.recheck_at and self._last_pod:
                state.recheck_at = None
                self._events.put(("pod", self._last_pod))
            if ended_at and self._log_stream_stalled(ended_at, now):
                return self._finished(state)  # the log stream never closed: do not hang
            if (
                not events_started
                and state.pod_name is None
                and now - created > NO_POD_EVENTS_AFTER
            ):
                events_started = True
                self._spawn(self._watch_job_events, name="event-watch")
            try:
                kind, payload = self._events.get(timeout=0.1)
            except queue.Empty:
                continue
            if kind == "error":
                raise payload
            if kind == "event":
                reason, message = payload
                if reason == "FailedCreate" and state.pod_name is None:
                    return self._result(
                        "create_failed", f"the Job cannot create its pod: {message}", state
                    )
                continue
            if kind == "logs-done":
                if state.view and state.view.terminated:
                    return self._finished(state)
                continue
            if kind == "pod-deleted":
                if payload["metadata"].get("uid") != state.pod_uid:
                    continue  # not the pod this run follows
                if state.view and state.view.terminated:
                    continue
                return self._lost(state, "the pod was deleted before the agent finished")
            pod: dict[str, Any] = payload
            if not self._ours(state, pod):
                continue
            v = view(pod, self.spec.container)
            state.view = v
            self._noticed_deletion(state, pod)
            self._progress(state, v)
            if v.stage in ("running", "terminated"):
                self._drop_secret()  # the agent has read it; no later pod can start
            if v.failure:
                return self._result(
                    v.failure.reason, v.failure.message, state,
                    timed_out=v.failure.reason == "timed_out",
                )  # fmt: skip
            if state.deleting and not v.terminated and v.stage not in ("running",):
                return self._lost(state, "the pod was deleted before the agent started")
            failed = self._slow_failure(state, v, now)
            if failed:
                return failed
            if v.stage in ("running", "terminated") and log_thread is None:
                state.started_at = v.started_at
                log_thread = self._spawn(lambda: self._stream_logs(state), name="logs")
            if v.terminated:
                state.terminated.set()
                ended_at = ended_at or now
                if log_thread is None or not log_thread.is_alive():
                    return self._finished(state)

    def _log_stream_stalled(self, ended_at: float, now: float) -> bool:
        """Never end before the log stream's end while it still delivers: a slow reader
        (Paperclip reading stdout slowly) blocks our writes, and that is not a stall."""
        if self._log_writing:
            return False
        return now - max(ended_at, self._log_progress) > LOG_IDLE_AFTER_EXIT

    def _ours(self, state: _State, pod: dict[str, Any]) -> bool:
        """Pin the first pod of the Job; any other (the Job controller's replacement for a
        deleted pod) is never followed as if it were this run."""
        uid = pod["metadata"].get("uid")
        if state.pod_uid is None:
            state.pod_uid = uid
            state.pod_name = pod["metadata"]["name"]
            return True
        if uid != state.pod_uid:
            self.out.status(
                "replacement",
                f"ignoring pod {pod['metadata']['name']}: the Job replaced the run's pod "
                f"{state.pod_name}; it cannot start without the run's Secret",
            )
            return False
        return True

    def _noticed_deletion(self, state: _State, pod: dict[str, Any]) -> None:
        if state.deleting or not pod["metadata"].get("deletionTimestamp") or self.cancel_signal:
            return
        state.deleting = True
        conditions = {c.get("type"): c for c in (pod.get("status") or {}).get("conditions") or []}
        disruption = conditions.get("DisruptionTarget") or {}
        if disruption.get("status") == "True":
            state.disruption = disruption.get("message") or disruption.get("reason") or ""
        if not self._deadline_passed():
            self.out.status("deleting", f"pod {state.pod_name} is being deleted")
            self._drop_secret()  # no replacement pod may start an agent

    def _deadline_passed(self) -> bool:
        """The Job controller deletes the pod when activeDeadlineSeconds is over."""
        if not self.spec.timeout or self._created is None:
            return False
        return time.monotonic() - self._created >= self.spec.timeout - 1.0

    def _lost(self, state: _State, message: str) -> RunResult:
        if self._deadline_passed() or (self._job_verdict() or Failure("", "")).reason == (
            "timed_out"
        ):
            return self._result("timed_out", "the run hit its timeout", state, timed_out=True)
        if state.disruption:
            return self._result("evicted", f"the pod was evicted: {state.disruption}", state)
        self._delete_job(propagation="Background")  # stop the Job: no second agent run
        return self._result("pod_lost", message, state)

    def _drop_secret(self) -> None:
        if self._secret_gone:
            return
        name = self.spec.rendered.plan["secret"]["name"]
        try:
            self.kube.request(
                "DELETE", ns_path("", "v1", self.ns, "secrets", name),
                verb="delete", group="", resource="secrets",
            )  # fmt: skip
        except NotFound:
            pass
        except ApiError as e:
            self.out.status("secret", f"could not delete the run Secret yet: {e}")
            return
        self._secret_gone = True

    def _progress(self, state: _State, v: PodView) -> None:
        if v.stage == state.stage:
            return
        state.stage = v.stage
        messages = {
            "pending": "pod pending: waiting for the scheduler",
            "unschedulable": f"pod unschedulable: {v.detail}",
            "scheduled": f"pod scheduled {v.detail}".rstrip(),
            "creating": f"pod starting: {v.detail}",
            "running": f"pod {state.pod_name} running",
        }
        if v.stage in messages:
            self.out.status(v.stage, messages[v.stage])

    def _slow_failure(self, state: _State, v: PodView, now: float) -> RunResult | None:
        """Failures that may resolve by themselves get a grace period before they count."""
        if v.stage == "unschedulable":
            state.unschedulable_since = state.unschedulable_since or now
            limit = self.spec.schedule_timeout
            if now - state.unschedulable_since >= limit:
                return self._result(
                    "unschedulable", f"the pod cannot be scheduled: {v.detail}", state
                )
            self._wake_after(limit - (now - state.unschedulable_since), state)
        elif v.config_error_mentions:
            # The run Secret is created just after the Job; give it a moment to appear.
            state.config_error_since = state.config_error_since or now
            ours = self.spec.rendered.plan["secret"]["name"] in v.config_error_mentions
            if not ours or now - state.config_error_since >= CONFIG_ERROR_GRACE:
                return self._result(
                    "create_failed", f"the container cannot start: {v.config_error_mentions}", state
                )
            self._wake_after(CONFIG_ERROR_GRACE - (now - state.config_error_since), state)
        else:
            state.unschedulable_since = None
        return None

    def _wake_after(self, seconds: float, state: _State) -> None:
        """Re-examine the pod after ``seconds`` even if no event arrives (main loop timer)."""
        state.recheck_at = time.monotonic() + max(seconds, 0.0) + 0.05

    def _finished(self, state: _State) -> RunResult:
        assert state.view is not None and state.view.terminated is not None
        t = state.view.terminated
        if state.deleting and t.exit_code != 0 and t.reason != "OOMKilled":
            # A real kubelet reports the kill as the agent "exiting 143": it did not fail.
            lost = self._lost(
                state, f"the pod was deleted before the agent finished (stopped with exit "
                f"code {t.exit_code})",
            )  # fmt: skip
            lost.startedAt, lost.finishedAt = t.started_at, t.finished_at
            return lost
        verdict = None
        if t.exit_code != 0 and t.reason != "OOMKilled":
            # A Job deadline kills the container too; the Job says whether that was it.
            verdict = self._job_verdict()
            elapsed = time.monotonic() - (self._created or time.monotonic())
            if verdict is None and self.spec.timeout and elapsed >= self.spec.timeout:
                verdict = Failure("timed_out", "the run hit its timeout")
        if verdict is not None and verdict.reason == "timed_out":
            reason, message = verdict.reason, verdict.message
        elif t.reason == "OOMKilled":
            reason, message = "oom_killed", "the agent was killed: out of memory (OOMKilled)"
        elif t.exit_code == 0:
            reason, message = "succeeded", "the agent finished"
        else:
            reason, message = "failed", f"the agent exited with code {t.exit_code} ({t.reason})"
        result = self._result(reason, message, state, timed_out=reason == "timed_out")
        result.exitCode = t.exit_code
        result.startedAt = t.started_at
        result.finishedAt = t.finished_at
        return result

    def _job_verdict(self) -> Failure | None:
        try:
            return job_failure(self._get_job())
        except ApiError:  # gone, or the API is away: no verdict
            return None

    def _cancel(self, state: _State) -> RunResult:
        self.out.status("cancel", f"{self.cancel_signal}: deleting Job {self.spec.job_name}")
        self._delete_job()
        result = self._result("cancelled", f"cancelled by {self.cancel_signal}", state)
        result.cancelled = True
        result.signal = self.cancel_signal
        return result

    def _delete_job(self, propagation: str = "Foreground") -> None:
        try:
            self.kube.request(
                "DELETE", ns_path("batch", "v1", self.ns, "jobs", self.spec.job_name),
                verb="delete", group="batch", resource="jobs",
                body={"propagationPolicy": propagation},
            )  # fmt: skip
        except NotFound:
            pass

    def _cleanup(self, result: RunResult) -> None:
        """Delete the Job (its pod, Secret and the lock go with it), or with retainJobs only
        the lock. Waits out an unreachable API for a while: nothing is left behind."""
        if self.job is None:
            return  # nothing of ours exists (busy, refused before the Job)
        if self.spec.retain:
            if self.lease is None:
                return
            meta = self.lease["metadata"]
            what = "the agent lock"

            def call() -> None:
                self.kube.request(
                    "DELETE",
                    ns_path("coordination.k8s.io", "v1", self.ns, "leases", meta["name"]),
                    verb="delete", group="coordination.k8s.io", resource="leases",
                    body={"propagationPolicy": "Background",
                          "preconditions": {"uid": meta["uid"]}},
                )  # fmt: skip
        else:
            what = f"Job {self.spec.job_name}"

            def call() -> None:
                self._delete_job("Background")

        give_up = time.monotonic() + CLEANUP_PATIENCE
        warming = _Warming()
        warming.ok()  # creating them worked: a 403 now is an apiserver warming up
        while True:
            try:
                call()
                break
            except (NotFound, Conflict):
                break
            except ApiError as e:
                transient = e.code in (0, 429, 500, 502, 503, 504) or (
                    e.code == 403 and warming.retry()
                )
                if not transient or time.monotonic() > give_up:
                    self.out.status("cleanup", f"could not delete {what}: {e}")
                    return
                time.sleep(1.0)
        if self.spec.retain:
            self.out.status("cleanup", f"kept Job {self.ns}/{self.spec.job_name} (retainJobs)")

    def _result(
        self, reason: str, message: str, state: _State | None = None, timed_out: bool = False
    ) -> RunResult:
        return RunResult(
            reason=reason,
            message=message,
            timedOut=timed_out,
            jobName=self.spec.job_name,
            namespace=self.ns,
            podName=state.pod_name if state else None,
        )

    # --- background readers ---------------------------------------------------------------

    def _spawn(self, target: Callable[[], None], name: str) -> threading.Thread:
        def guarded() -> None:
            try:
                target()
            except BaseException as e:  # reported to the main loop
                if not self._stop.is_set():
                    self._events.put(("error", e))

        thread = threading.Thread(target=guarded, name=f"kubeclip-{name}", daemon=True)
        thread.start()
        return thread

    def _watch(self, path: str, query: dict[str, Any], resource: str) -> Iterator[dict[str, Any]]:
        """Watch events until stopped; resumes after timeouts and drops, restarts after 410.

        One request normally: the watch is opened without a resourceVersion (the API
        sends the current state as ADDED events first) and with a timeout covering the run.
        """
        rv: str | None = None
        watch_timeout = max(self.spec.timeout + self.spec.grace + 600, 6 * 3600)
        delay = 0.1
        warming = _Warming()
        while not self._stop.is_set():
            try:
                response = self.kube.request(
                    "GET", path, verb="watch", group="", resource=resource, stream=True,
                    query={**query, "watch": True, "allowWatchBookmarks": True,
                           "timeoutSeconds": watch_timeout, "resourceVersion": rv},
                    timeout=(10, None),
                )  # fmt: skip
            except ApiError as e:
                if e.code == 410:
                    rv = None
                    continue
                if e.code not in (0, 429, 500, 502, 503, 504) and not (
                    e.code == 403 and warming.retry()
                ):
                    raise
                # unreachable or failing: ride it out (the main loop owns the deadline)
                self._api_down_since = self._api_down_since or time.monotonic()
                if self._stop.wait(1.0):
                    return
                continue
            self._api_down_since = None
            warming.ok()
            try:
                for event in _json_lines(response):
                    if self._stop.is_set():
                        return
                    obj = event.get("object") or {}
                    if event.get("type") == "ERROR":
                        if obj.get("code") == 410:
                            rv = None  # too old: start over from the current state
                            break
                        raise ApiError(
                            f"watch failed: {obj.get('message')}", obj, obj.get("code", 0)
                        )
                    rv = (obj.get("metadata") or {}).get("resourceVersion") or rv
                    if event.get("type") != "BOOKMARK":
                        yield event
                    delay = 0.1
            except (ApiError, json.JSONDecodeError):
                raise
            except Exception:  # a dropped watch is resumed from rv
                if self._stop.wait(delay):
                    return
                delay = min(delay * 2, 2.0)
            finally:
                response.release_conn()

    def _watch_pods(self) -> None:
        path = ns_path("", "v1", self.ns, "pods")
        for event in self._watch(path, {"labelSelector": self.spec.selector}, "pods"):
            pod = event["object"]
            if pod.get("metadata", {}).get("labels", {}).get("job-name") not in (
                None,
                self.spec.job_name,
            ):
                continue
            if event["type"] == "DELETED":
                self._events.put(("pod-deleted", pod))
            else:
                self._last_pod = pod
                self._events.put(("pod", pod))

    def _watch_job_events(self) -> None:
        selector = f"involvedObject.name={self.spec.job_name},involvedObject.kind=Job"
        path = ns_path("", "v1", self.ns, "events")
        for event in self._watch(path, {"fieldSelector": selector}, "events"):
            obj = event["object"]
            self._events.put(("event", (obj.get("reason"), obj.get("message", ""))))

    def _stream_logs(self, state: _State) -> None:
        assert state.pod_name is not None

        def emit(data: bytes) -> None:
            self._log_writing = True
            try:
                self.out.log(data)
            finally:
                self._log_writing = False
                self._log_progress = time.monotonic()

        deduper = LineDeduper(emit)
        follow_logs(self.kube, self.ns, state.pod_name, deduper, state.terminated, self._stop,
                    self.spec.container)  # fmt: skip
        self._events.put(("logs-done", None))


def follow_logs(
    kube: Kube,
    namespace: str,
    pod: str,
    deduper: LineDeduper,
    terminated: threading.Event,
    stop: threading.Event,
    container: str,
) -> None:
    """Follow a container's output until it ends, across dropped streams.

    A clean end of the stream means the container stopped (or the kubelet hung up): the
    pod watch sets ``terminated`` to tell which. A cut stream is resumed at once from the
    last line's second; the API returns the remaining lines even if the container has
    ended meanwhile, and ``deduper`` drops what was already emitted.
    """
    path = ns_path("", "v1", namespace, "pods", pod) + "/log"  # the subresource: a real "/"
    delay = 0.1
    warming = _Warming()
    while not stop.is_set():
        since = deduper.reconnecting()
        clean_end = False
        try:
            response = kube.request(
                "GET", path, verb="get", group="", resource="pods/log", stream=True,
                query={"container": container, "follow": True, "timestamps": True,
                       "sinceTime": since},
                timeout=(10, None),
            )  # fmt: skip
            warming.ok()
            try:
                for chunk in iter_lines(response):
                    deduper.feed(chunk)
                    delay = 0.1
                clean_end = True
            finally:
                response.release_conn()
        except NotFound:
            break  # the pod is gone: nothing more to read
        except ApiError as e:
            if e.code == 400 or (e.code == 403 and not warming.retry()):
                raise
        except Exception:  # a cut stream is resumed from the last line
            pass
        if clean_end and terminated.wait(3.0):
            break
        if stop.wait(delay if not clean_end else 0):
            break
        delay = min(delay * 2, 2.0)
    deduper.finish()


def _json_lines(response: Any) -> Iterator[dict[str, Any]]:
    buffer = b""
    for chunk in iter_lines(response):
        buffer += chunk
        *lines, buffer = buffer.split(b"\n")
        for line in lines:
            if line.strip():
                yield json.loads(line)


def _owner(obj: dict[str, Any], api_version: str = "batch/v1", kind: str = "Job") -> dict[str, Any]:
    return {
        "apiVersion": obj.get("apiVersion", api_version),
        "kind": obj.get("kind", kind),
        "name": obj["metadata"]["name"],
        "uid": obj["metadata"]["uid"],
    }


class _Latch:
    """SIGINT/SIGTERM received while no run is being followed (before the Job exists, or
    after cleanup while the result is written): recorded, never fatal. A run about to start
    sees it and cancels before creating anything; after a run the result is still written
    and the exit status is the documented one."""

    signal: str | None = None

    @classmethod
    def handler(cls, signum: int, frame: FrameType | None) -> None:
        cls.signal = cls.signal or signal.Signals(signum).name


def latch_signals() -> None:
    """Install the latch for the whole command (`kubeclip run`, the drop-in)."""
    if threading.current_thread() is threading.main_thread():
        for sig in (signal.SIGINT, signal.SIGTERM):
            signal.signal(sig, _Latch.handler)


def ignore_signals_until_exit() -> None:
    """The result is written: nothing is left to cancel. Python resets its own handlers to
    the default while the interpreter shuts down, so a SIGTERM then would still end the
    process *by the signal*; an ignored signal stays ignored through shutdown."""
    if threading.current_thread() is threading.main_thread():
        for sig in (signal.SIGINT, signal.SIGTERM):
            signal.signal(sig, signal.SIG_IGN)


@contextlib.contextmanager
def signals_cancel(runner: Runner) -> Iterator[None]:
    """While running, SIGINT/SIGTERM cancel the run: the main loop deletes the Job and
    reports. Previous handlers come back afterwards (kubeclip may run inside a host); a
    signal latched before the run cancels it at once."""
    if threading.current_thread() is not threading.main_thread():
        yield  # only the main thread can receive signals
        return
    if _Latch.signal:
        runner.cancel_signal = _Latch.signal

    def handler(signum: int, frame: FrameType | None) -> None:
        runner.cancel_signal = signal.Signals(signum).name

    previous = {s: signal.signal(s, handler) for s in (signal.SIGINT, signal.SIGTERM)}
    try:
        yield
    finally:
        for sig, old in previous.items():
            signal.signal(sig, old)
