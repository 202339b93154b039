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
  long as the run's own deadline allows (``RunnerSettings.api_patience`` without one); the
  log stream resumes from its last line, so nothing is lost or doubled.

Cleanup is unconditional: deleting the Job at the end garbage-collects its pod, the Secret
and the Lease; with ``retainJobs`` only the Lease is deleted. If the runner dies, the Job's
``ttlSecondsAfterFinished`` removes all of it.
"""

from __future__ import annotations

import queue
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

from kubeclip.cluster.follow import follow_logs
from kubeclip.cluster.kube import ApiError, Conflict, Kube, NotFound, ns_path
from kubeclip.cluster.logs import LineDeduper
from kubeclip.cluster.podstatus import Failure, PodView, job_failure, view
from kubeclip.cluster.times import now_iso
from kubeclip.cluster.watch import Warming, watch
from kubeclip.errors import AgentBusy, RefusedObject
from kubeclip.renderer import naming
from kubeclip.run.lock import AgentLock, Waited, owner_reference
from kubeclip.run.output import Output
from kubeclip.run.result import RunResult
from kubeclip.run.settings import RunnerSettings
from kubeclip.run.spec import RunSpec


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
    def __init__(
        self, kube: Kube, spec: RunSpec, out: Output, settings: RunnerSettings | None = None
    ) -> None:
        self.settings = settings or RunnerSettings()
        self.kube = kube
        self.spec = spec
        self.out = out
        self.ns = spec.namespace
        self.cancel_signal: str | None = None
        self._events: queue.Queue[tuple[str, Any]] = queue.Queue()
        self._stop = threading.Event()
        self.job: dict[str, Any] | None = None  # ours: created or reattached by this runner
        self.locks = AgentLock(
            kube, spec, out, self._get_job, lambda: self.cancel_signal, self.settings
        )
        self._last_pod: dict[str, Any] = {}
        self._created: float | None = None
        self._secret_gone = False
        self._deadline: float | None = None
        self._api_down_since: float | None = None  # set by the watch while it cannot connect
        self._log_progress = 0.0  # when the log stream last delivered output
        self._log_writing = False  # the log thread is blocked writing to a slow reader

    # --- the lifecycle ------------------------------------------------------------------
    def run(self) -> RunResult:
        started = now_iso()
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
        except Waited as e:
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
        result.finishedAt = result.finishedAt or now_iso()
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
                self.locks.take(job)
                break
            except AgentBusy:
                self.job = None
                if reattached:
                    raise
                self._delete_job(propagation="Background")  # its pod never had its Secret
                if self.spec.when_busy != "wait":
                    raise
                self.locks.wait_job_gone(started)  # the name is reused when the turn comes
                self.locks.wait_for_a_turn(started)
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
        secret["metadata"] = {**secret["metadata"], "ownerReferences": [owner_reference(job)]}
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
            if down and not deadline and now - down > self.settings.api_patience:
                return self._result(
                    "api_error",
                    "the Kubernetes API has been unreachable for "
                    f"{self.settings.api_patience:.0f} s",
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
                and now - created > self.settings.no_pod_events_after
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
        return now - max(ended_at, self._log_progress) > self.settings.log_idle_after_exit

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
            if not ours or now - state.config_error_since >= self.settings.config_error_grace:
                return self._result(
                    "create_failed", f"the container cannot start: {v.config_error_mentions}", state
                )
            waited = now - state.config_error_since
            self._wake_after(self.settings.config_error_grace - waited, state)
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
            if self.locks.lease is None:
                return
            meta = self.locks.lease["metadata"]
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

        give_up = time.monotonic() + self.settings.cleanup_patience
        warming = Warming()
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
        yield from watch(
            self.kube, path, query, resource, stop=self._stop,
            timeout_seconds=max(self.spec.timeout + self.spec.grace + 600, 6 * 3600),
            on_down=self._api_down,
        )  # fmt: skip

    def _api_down(self, down: bool) -> None:
        """The watch cannot connect (True) or connected again (False): the main loop owns
        the patience (settings.api_patience) and the deadline."""
        self._api_down_since = (self._api_down_since or time.monotonic()) if down else None

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


