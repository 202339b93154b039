"""The per-agent lock: one Lease per run slot (``concurrency.maxRunsPerAgent``), each
created *owned by its run's Job*.

Creating an object is atomic, so of two runners racing for a slot one gets 409. Because a
Lease exists only while its Job does, a Lease whose Job is gone (or finished, or being
deleted) is stale for certain: it is deleted with a uid/resourceVersion precondition and
created anew, so two takeovers cannot both win. A run that finds every slot busy waits
its turn (``whenBusy: wait``), bounded by its timeout and by cancellation, or fails at once
with :class:`AgentBusy`. It looks at the locks again when a pod of a holder's Job changes (under
``kubeclip serve``, whose shared pod watch sees the holder's pod end: no polling; at least
every ``RunnerSettings.busy_fallback`` seconds), else every ``RunnerSettings.busy_poll``.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any, Protocol

from kubeclip.cluster.kube import Conflict, Kube, NotFound, ns_path
from kubeclip.cluster.podstatus import job_finished
from kubeclip.cluster.times import micro_now, parse_time
from kubeclip.errors import AgentBusy, Reason
from kubeclip.renderer import naming
from kubeclip.run.output import Output
from kubeclip.run.settings import RunnerSettings
from kubeclip.run.spec import RunSpec

TYPE_CHECKING = False
if TYPE_CHECKING:
    from kubeclip.run.readers import PodSource


class Waited(Exception):
    """Waiting for a turn ended without one: cancelled or out of time."""

    def __init__(self, reason: Reason, message: str) -> None:
        super().__init__(message)
        self.reason, self.message = reason, message




def owner_reference(obj: dict[str, Any]) -> dict[str, Any]:
    """Makes ``obj`` (a Job) the owner: the Lease and the Secret go with it."""
    return {
        "apiVersion": obj.get("apiVersion", "batch/v1"),
        "kind": obj.get("kind", "Job"),
        "name": obj["metadata"]["name"],
        "uid": obj["metadata"]["uid"],
    }


class Turns(Protocol):
    """Per-agent slots kept in memory by a host running many runs (``kubeclip serve``):
    runs of one agent there queue without a request and without polling."""

    def acquire(self, key: tuple[str, str], slots: int, timeout: float | None) -> bool: ...

    def release(self, key: tuple[str, str], slots: int) -> None: ...


class AgentLock:
    """The lock of one run's agent. ``lease`` is this run's Lease once taken."""

    def __init__(
        self,
        kube: Kube,
        spec: RunSpec,
        out: Output,
        get_job: Callable[[], dict[str, Any]],
        cancelled: Callable[[], str | None],
        settings: RunnerSettings,
        turns: Turns | None = None,
        pods: PodSource | None = None,
    ) -> None:
        self.turns, self.holding, self.pods = turns, False, pods
        self.kube, self.spec, self.out, self.settings = kube, spec, out, settings
        self.ns = spec.namespace
        self.get_job, self.cancelled = get_job, cancelled
        self.lease: dict[str, Any] | None = None

    def names(self) -> list[str]:
        base = f"kc-lock-{naming.short_hash(self.spec.agent_id, length=16)}"
        return [base] + [f"{base}-{i}" for i in range(1, self.spec.max_runs)]

    def wait_for_a_turn(self, started: float) -> None:
        """Wait until one of the agent's lock slots is free, stale or this run's own; then
        the Job is made again. Bounded by timeoutSec and by cancellation."""
        path = ns_path("coordination.k8s.io", "v1", self.ns, "leases")
        said = 0.0
        while True:
            seen = self.pods.changes_seen() if self.pods is not None else {}
            holders: list[str] = []
            jobs: list[str] = []
            for name in self.names():
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
                jobs.append(job_name)
            now = time.monotonic()
            if now - said >= self.settings.busy_repeat:
                said = now
                self.out.notice(
                    "waiting",
                    f"agent {self.spec.agent_id} is busy with {', '.join(holders)}; this run "
                    f"waits its turn (at most {self.spec.max_runs} active per agent)",
                )
            self._wait_for_change(started, jobs, seen)

    def local_turn(self, started: float) -> None:
        """With a host's in-memory slots: this agent's turn among the host's runs first (no
        request while waiting); the Lease then decides against runs elsewhere."""
        if self.turns is None:
            return
        key, slots = (self.ns, self.spec.agent_id), self.spec.max_runs
        if not self.turns.acquire(key, slots, None):
            if self.spec.when_busy != "wait":
                raise AgentBusy(
                    f"agent {self.spec.agent_id} is busy with {slots} run(s) of this kubeclip "
                    "serve (concurrency.whenBusy: wait queues)"
                )
            self.out.notice("waiting", f"agent {self.spec.agent_id} is busy; this run waits "
                            f"its turn (at most {slots} active per agent)")  # fmt: skip
            while not self.turns.acquire(key, slots, 0.1):
                self._give_up_if_due(started)
        self.holding = True

    def release_local(self) -> None:
        if self.turns is not None and self.holding:
            self.holding = False
            self.turns.release((self.ns, self.spec.agent_id), self.spec.max_runs)

    def _wait_for_change(self, started: float, jobs: list[str], seen: dict[str, int]) -> None:
        """Until a pod of a holder's Job changes (its run ending), or the fallback."""
        if self.pods is None:
            self._pause(started, self.settings.busy_poll)
            return
        end = time.monotonic() + self.settings.busy_fallback
        while time.monotonic() < end:
            self._give_up_if_due(started)
            if self.pods.wait_change(jobs, seen, 0.1):
                return

    def _pause(self, started: float, seconds: float) -> None:
        end = time.monotonic() + seconds
        while time.monotonic() < end:
            self._give_up_if_due(started)
            time.sleep(0.1)

    def _give_up_if_due(self, started: float) -> None:
        if self.cancelled():
            raise Waited(Reason.CANCELLED, f"cancelled by {self.cancelled()} while waiting")
        if self.spec.timeout and time.monotonic() - started > self.spec.timeout:
            raise Waited(Reason.TIMED_OUT, "the run hit its timeout waiting for its turn")

    def wait_job_gone(self, started: float) -> None:
        """Our Job was deleted after a lost race; it must be gone before it is made again
        under the same name."""
        while True:
            try:
                self.get_job()
            except NotFound:
                return
            self._pause(started, 0.5)

    def take(self, job: dict[str, Any]) -> None:
        busy: list[str] = []
        for name in self.names():
            try:
                self._take_slot(name, job)
                return
            except AgentBusy as e:
                busy.append(str(e))
        raise AgentBusy(
            f"agent {self.spec.agent_id} is busy with {'; '.join(busy)} (at most "
            f"{self.spec.max_runs} active run(s) per agent; concurrency.whenBusy: wait queues)"
        )

    def _take_slot(self, name: str, job: dict[str, Any]) -> None:
        """Take the agent's Lease, owned by ``job``.

        Creating an object is atomic in Kubernetes: of two runners racing, one gets 409. A
        Lease is created only after its Job, so a Lease whose Job is gone (or finished, or
        being deleted) is stale for certain; it is deleted with a uid/resourceVersion
        precondition and created anew, so two takeovers cannot both win.
        """
        path = ns_path("coordination.k8s.io", "v1", self.ns, "leases")
        body = self._lease(name, job)
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

    def _lease(self, name: str, job: dict[str, Any]) -> dict[str, Any]:
        """The Lease of one slot, owned by the run's Job: it cannot outlive it."""
        labels = {
            naming.MANAGED_BY: "kubeclip",
            naming.COMPONENT: "agent-lock",
            naming.LABEL_AGENT: naming.label_value(self.spec.agent_id),
        }
        return {
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
                "ownerReferences": [owner_reference(job)],
            },
            "spec": {"holderIdentity": self.spec.run_id[:128], "acquireTime": micro_now()},
        }

    def _stale(self, lease: dict[str, Any], job_name: str, owners: set[str | None]) -> bool:
        try:
            job = self.kube.request(
                "GET", ns_path("batch", "v1", self.ns, "jobs", job_name),
                verb="get", group="batch", resource="jobs",
            )  # fmt: skip
        except NotFound:
            if owners:
                return True  # the lock was made after its Job: the Job is gone for good
            acquired = parse_time((lease.get("spec") or {}).get("acquireTime"))
            return acquired is None or time.time() - acquired > self.settings.lock_without_job_grace
        if owners and job["metadata"]["uid"] not in owners:
            return True  # a Job of that name, but not the lock's
        if job["metadata"].get("deletionTimestamp"):
            return True
        return job_finished(job)
