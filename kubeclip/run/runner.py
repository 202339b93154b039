"""Apply mode: run one rendered agent run on a cluster, follow it, report, clean up.

The runner is deliberately thin: the renderer decides every field of the manifests;
this module only sequences API calls. A normal run costs five requests whatever its
length (the Job, the run Secret, which is also the agent's lock, one log stream, the
wiping of the Secret's values, the Job's deletion at the end) and one pod watch: its own,
or under ``kubeclip serve`` one shared by all; it is cancelled through its ``RunHandle``.

Why in this order (each was a defect on a real control plane):

- **The Job first, then the Secret, which is the lock.** The run Secret is created *owned
  by the Job*, so it can only exist while its Job does: a lock whose Job is gone is
  provably stale and is taken over at once, and a crashed runner's lock and credentials go
  with its Job (TTL, deletion) instead of outliving it. The runner that loses the race for
  the slot deletes its own Job, whose pod cannot have started: the keys it names are
  prefixed with its Job's name, and are not in the holder's Secret.
- **The run Secret's values go as soon as the agent runs.** A pod deleted from a Job is
  not a failure to Kubernetes < 1.26: the Job controller makes a replacement pod at once,
  whatever ``backoffLimit`` says. Without the Secret's keys (prompt, credentials) no later
  pod of the Job can ever start a second agent, on any version; and credentials live in
  the cluster only until the agent has read them. The emptied Secret stays: it is the lock.
- **One pod per run.** The first pod seen is pinned by uid; another pod of the Job is never
  followed. A pod that is being deleted (by someone, an eviction, a drain) ends the run as
  ``pod_lost``/``evicted`` even though the kubelet reports the agent "exited 143".
- **Outages are ridden through.** Watch, logs and cleanup retry an unreachable API for as
  long as the run's own deadline allows (``RunnerSettings.api_patience`` without one); the
  log stream resumes from its last line, so nothing is lost or doubled.

Cleanup is unconditional: deleting the Job at the end garbage-collects its pod and the
Secret (with ``retainJobs`` only the Secret); if the runner dies, ``ttlSecondsAfterFinished``.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass
from typing import Any

from kubeclip.cluster import podstatus
from kubeclip.cluster.kube import ApiError, Kube
from kubeclip.cluster.podstatus import Failure, PodView, Stage, job_failure, view
from kubeclip.cluster.times import now_iso
from kubeclip.errors import AgentBusy, Interrupted, Reason, RefusedObject
from kubeclip.run.events import Event, JobEvent, LogsDone, PodDeleted, PodSeen, ReaderFailed
from kubeclip.run.handle import RunHandle
from kubeclip.run.lock import AgentLock, Waited
from kubeclip.run.objects import RunObjects
from kubeclip.run.output import Output
from kubeclip.run.readers import PodSource, Readers
from kubeclip.run.result import RunResult
from kubeclip.run.settings import RunnerSettings
from kubeclip.run.spec import RunSpec
from kubeclip.run.turns import Turns


@dataclass
class _State:
    created: float  # when following began (monotonic)
    deadline: float | None  # timeoutSec + graceSec after that, if the run has a timeout
    pod_name: str | None = None
    pod_uid: str | None = None  # the one pod this run follows
    deleting: bool = False  # our pod got a deletionTimestamp we did not cause
    disruption: str = ""  # the DisruptionTarget condition's message (Kubernetes >= 1.26)
    view: PodView | None = None
    stage: Stage | None = None
    started_at: str | None = None
    terminated: threading.Event | None = None
    unschedulable_since: float | None = None
    config_error_since: float | None = None
    recheck_at: float | None = None  # when to look at the last pod again
    events_watched: bool = False  # the Job's events are watched (no pod for a while)
    log_thread: threading.Thread | None = None
    ended_at: float | None = None  # when the container's termination was seen


class Runner:
    def __init__(
        self,
        kube: Kube,
        spec: RunSpec,
        out: Output,
        settings: RunnerSettings | None = None,
        pods: PodSource | None = None,
        turns: Turns | None = None,
        handle: RunHandle | None = None,
    ) -> None:
        self.handle = handle or RunHandle()  # how the run is cancelled, from any thread
        self.settings = settings or RunnerSettings()
        self.kube = kube
        self.spec = spec
        self.out = out
        self.ns = spec.namespace
        self._stop = threading.Event()
        self.objects = RunObjects(kube, spec, out, self.settings)
        self.readers = Readers(kube, spec, out, self._stop, pods)
        self.locks = AgentLock(self.objects, lambda: self.cancel_signal, turns, pods)
        self._created: float | None = None
        self.state: _State | None = None  # while following (RunHandle.status reads it)

    @property
    def cancel_signal(self) -> str | None:
        return self.handle.cancel_signal

    # --- the lifecycle ------------------------------------------------------------------
    def run(self) -> RunResult:
        started = now_iso()
        result: RunResult
        if self.cancel_signal:  # a signal came before anything was created
            result = self._result(Reason.CANCELLED, f"cancelled by {self.cancel_signal}")
            result.startedAt = result.finishedAt = started
            self.out.result(result)
            return result
        try:
            self.locks.local_turn(time.monotonic())
            self.kube.interrupted = lambda: self.cancel_signal  # nothing exists yet
            job = self._start()
            self.kube.interrupted = None  # from here on the main loop cancels
            if self.spec.detach:
                result = self._result(
                    Reason.DETACHED, "the Job runs on; run again with the same run id to reattach"
                )
            else:
                result = self._follow(job)
        except AgentBusy as e:
            result = self._result(Reason.AGENT_BUSY, str(e))
        except Waited as e:
            result = self._result(e.reason, e.message, timed_out=e.reason == Reason.TIMED_OUT)
        except Interrupted as e:
            result = self._result(Reason.CANCELLED, str(e), signal=e.signal)
        except RefusedObject as e:
            result = self._result(Reason.CREATE_FAILED, str(e))
        except ApiError as e:
            result = self._result(Reason.API_ERROR, str(e))
        finally:
            self._stop.set()
            self.readers.close()
            self.kube.interrupted = None
        result.startedAt = result.startedAt or started
        result.finishedAt = result.finishedAt or now_iso()
        if not self.spec.detach:
            self._cleanup(result)
        self.locks.release_local()  # the Job is gone: the next run of the agent may start
        self.out.result(result)
        return result

    def _start(self) -> dict[str, Any]:
        if self.spec.adopt:  # a Job of a serve that died: follow it, make nothing
            job = self.objects.adopted_job()
            self.locks.adopt(job)
            self.out.status("attach", f"adopting Job {self.spec.job_name} of a previous serve")
            return job
        job, reattached = self.locks.claim()
        if reattached:
            self.out.status("attach", f"reattaching to Job {self.spec.job_name}")
        else:
            self.out.status("created", f"created Job {self.ns}/{self.spec.job_name}")
        self.handle.created()  # the Job and its Secret exist
        return job

    # --- following -----------------------------------------------------------------------
    def _follow(self, job: dict[str, Any]) -> RunResult:
        created = self._created = time.monotonic()
        deadline = created + self.spec.timeout + self.spec.grace if self.spec.timeout else None
        state = _State(created=created, deadline=deadline, terminated=threading.Event())
        self.state = state
        self.readers.start_pod_watch()
        while True:
            result = self._tick(state, now := time.monotonic())
            if result is None:  # a cancel wakes it (RunHandle.cancel), and a second look
                soon = state.recheck_at - now if state.recheck_at else self.settings.tick
                event = self.readers.next(timeout=min(self.settings.tick, max(soon, 0.0)))
                result = self._on_event(state, event) if event is not None else None
            if result is not None:
                return result

    def _tick(self, state: _State, now: float) -> RunResult | None:
        """What time alone decides: cancel, deadline, patience with the API, second looks."""
        if self.cancel_signal:
            return self._cancel(state)
        if state.deadline and now > state.deadline:
            self.objects.delete_job()
            return self._result(Reason.TIMED_OUT, "the run hit its timeout", state, timed_out=True)
        idle = self.spec.idle_timeout
        if idle and state.log_thread and not state.ended_at and now - self.out.last_log > idle:
            self.objects.delete_job()  # a hung agent: OpenCode on another directory's session
            return self._result(Reason.IDLE_TIMEOUT, f"the agent printed nothing for {idle} s "
                                "(idleTimeoutSec)", state, timed_out=True)  # fmt: skip
        down = self.readers.api_down_since
        if down and not state.deadline and now - down > self.settings.api_patience:
            return self._result(
                Reason.API_ERROR,
                f"the Kubernetes API has been unreachable for {self.settings.api_patience:.0f} s",
                state,
            )
        if state.recheck_at and now >= state.recheck_at and self.readers.last_pod:
            state.recheck_at = None
            self.readers.events.put(PodSeen(self.readers.last_pod))
        if state.ended_at and self.readers.stalled(state.ended_at, now, self.settings):
            return self._finished(state)  # the log stream never closed: do not hang
        if (
            not state.events_watched
            and state.pod_name is None
            and now - state.created > self.settings.no_pod_events_after
        ):
            state.events_watched = True
            self.readers.start_job_events()
        return None

    def _on_event(self, state: _State, event: Event) -> RunResult | None:
        match event:
            case ReaderFailed(error):
                raise error
            case JobEvent(reason, message):
                if reason == "FailedCreate" and state.pod_name is None:
                    return self._result(
                        Reason.CREATE_FAILED, f"the Job cannot create its pod: {message}", state
                    )
            case LogsDone():
                if state.view and state.view.terminated:
                    return self._finished(state)
            case PodDeleted(pod):
                if pod["metadata"].get("uid") != state.pod_uid:
                    return None  # not the pod this run follows
                if state.view and state.view.terminated:
                    return None
                return self._lost(state, "the pod was deleted before the agent finished")
            case PodSeen(pod):
                return self._on_pod(state, pod) if self._ours(state, pod) else None
        return None

    def _on_pod(self, state: _State, pod: dict[str, Any]) -> RunResult | None:
        now = time.monotonic()
        v = view(pod, self.spec.container)
        state.view = v
        self._noticed_deletion(state, pod)
        self._progress(state, v)
        if v.stage in ("running", "terminated"):
            self.locks.wipe()  # the agent has read it; no later pod of the Job can start
        if v.failure:
            return self._result(
                v.failure.reason, v.failure.message, state,
                timed_out=v.failure.reason == Reason.TIMED_OUT,
            )  # fmt: skip
        if state.deleting and not v.terminated and v.stage != "running":
            return self._lost(state, "the pod was deleted before the agent started")
        failed = self._slow_failure(state, v, now)
        if failed:
            return failed
        assert state.terminated is not None and state.pod_name is not None
        if v.stage in ("running", "terminated") and state.log_thread is None:
            state.started_at, self.out.last_log = v.started_at, now
            state.log_thread = self.readers.start_logs(state.pod_name, state.terminated)
        if v.terminated:
            state.terminated.set()
            state.ended_at = state.ended_at or now
            if state.log_thread is None or not state.log_thread.is_alive():
                return self._finished(state)
        return None

    def _ours(self, state: _State, pod: dict[str, Any]) -> bool:
        """Pin the first pod of the Job (by its owner's uid: not a pod of an earlier Job of
        the same name); any other (the Job controller's replacement for a deleted pod) is
        never followed as if it were this run."""
        uid = pod["metadata"].get("uid")
        job = self.objects.job
        owners = {o.get("uid") for o in pod["metadata"].get("ownerReferences") or []}
        if job is not None and job["metadata"]["uid"] not in owners:
            return False  # a pod of an earlier Job of this name (a lost race), going away
        if state.pod_uid is None:
            state.pod_uid = uid
            state.pod_name = pod["metadata"]["name"]
            return True
        if uid != state.pod_uid:
            self.out.status(
                "replacement",
                f"ignoring pod {pod['metadata']['name']}: the Job replaced the run's pod "
                f"{state.pod_name}; it cannot start without the run Secret's values",
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
            self.locks.wipe()  # no replacement pod may start an agent

    def _deadline_passed(self) -> bool:
        """The Job controller deletes the pod when activeDeadlineSeconds is over."""
        if not self.spec.timeout or self._created is None:
            return False
        return time.monotonic() - self._created >= self.spec.timeout - 1.0

    def _lost(self, state: _State, message: str) -> RunResult:
        verdict = None if self._deadline_passed() else self._job_verdict()
        if self._deadline_passed() or (verdict and verdict.reason == Reason.TIMED_OUT):
            return self._result(Reason.TIMED_OUT, "the run hit its timeout", state, timed_out=True)
        if state.disruption:
            return self._result(Reason.EVICTED, f"the pod was evicted: {state.disruption}", state)
        self.objects.delete_job(propagation="Background")  # stop the Job: no second agent run
        return self._result(Reason.POD_LOST, message, state)

    def _progress(self, state: _State, v: PodView) -> None:
        if v.stage == state.stage:
            return
        if v.stage == "terminated" and state.stage != "running" and v.started_at:
            # A real kubelet may never post Running for a short container: it did run.
            self.out.status("running", f"pod {state.pod_name} running")
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
                    Reason.UNSCHEDULABLE, f"the pod cannot be scheduled: {v.detail}", state
                )
            self._wake_after(limit - (now - state.unschedulable_since), state)
        elif v.config_error_mentions:
            # The run Secret is created just after the Job; a kubelet still syncing its cache
            # says "failed to sync secret cache", naming nothing yet: both get a moment.
            since = state.config_error_since = state.config_error_since or now
            ours = self.spec.secret_name in v.config_error_mentions
            wait = ours or "failed to sync" in v.config_error_mentions
            if not wait or now - since >= self.settings.config_error_grace:
                message = f"the container cannot start: {v.config_error_mentions}"
                message += "" if ours else podstatus.config_error_fix(v.config_error_mentions)
                return self._result(Reason.CREATE_FAILED, message, state)
            self._wake_after(self.settings.config_error_grace - (now - since), state)
        else:
            state.unschedulable_since = None
        return None

    def _wake_after(self, seconds: float, state: _State) -> None:
        """Re-examine the pod after ``seconds`` even if no event arrives (main loop timer)."""
        state.recheck_at = time.monotonic() + max(seconds, 0.0) + 0.05

    def _finished(self, state: _State) -> RunResult:
        assert state.view is not None and state.view.terminated is not None
        t = state.view.terminated
        outcome = podstatus.agent_outcome(t)
        if state.deleting and outcome.reason == Reason.FAILED:
            # A real kubelet reports the kill as the agent "exiting 143": it did not fail.
            lost = self._lost(
                state, f"the pod was deleted before the agent finished (stopped with exit "
                f"code {t.exit_code})",
            )  # fmt: skip
            lost.startedAt, lost.finishedAt = t.started_at, t.finished_at
            return lost
        verdict = None
        if outcome.reason == Reason.FAILED:
            # A Job deadline kills the container too; the Job says whether that was it.
            verdict = self._job_verdict()
            elapsed = time.monotonic() - (self._created or time.monotonic())
            if verdict is None and self.spec.timeout and elapsed >= self.spec.timeout:
                verdict = Failure(Reason.TIMED_OUT, "the run hit its timeout")
        if verdict is None or verdict.reason != Reason.TIMED_OUT:
            verdict = outcome
        reason, message = verdict.reason, verdict.message
        result = self._result(reason, message, state, timed_out=reason == Reason.TIMED_OUT)
        result.exitCode = t.exit_code
        result.startedAt = t.started_at
        result.finishedAt = t.finished_at
        return result

    def _job_verdict(self) -> Failure | None:
        try:
            return job_failure(self.objects.get_job())
        except ApiError:  # gone, or the API is away: no verdict
            return None

    def _cancel(self, state: _State) -> RunResult:
        self.out.status("cancel", f"{self.cancel_signal}: deleting Job {self.spec.job_name}")
        self.objects.delete_job()
        return self._result(Reason.CANCELLED, f"cancelled by {self.cancel_signal}", state)

    def _cleanup(self, result: RunResult) -> None:
        if self.objects.job is None:  # nothing of ours exists when busy before the Job
            return
        # a Job whose slot was never this run's (refused) never ran: gone even if retainJobs
        ran = self.locks.secret is not None or self.spec.adopt
        self.objects.cleanup(self.locks.secret, ran=ran)

    def _result(self, reason: Reason, message: str, state: _State | None = None,
                timed_out: bool = False, signal: str | None = None) -> RunResult:  # fmt: skip
        cancelled = reason == Reason.CANCELLED
        return RunResult(reason=reason, message=message, timedOut=timed_out,
                         jobName=self.spec.job_name, namespace=self.ns,
                         podName=state.pod_name if state else None, cancelled=cancelled,
                         signal=signal or (self.cancel_signal if cancelled else None))  # fmt: skip
