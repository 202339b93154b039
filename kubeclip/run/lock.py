"""The per-agent lock *is* the run Secret: one Secret name per run slot of the agent
(``concurrency.maxRunsPerAgent``, :func:`naming.run_secret_name`), created *owned by its run's
Job*. Making the lock and the Secret one object saves a request per run (#12: a run costs five).

Creating an object is atomic, so of two runners racing for a slot one gets 409. Because a
run Secret exists only while its Job does, one whose Job is gone (or finished, or being
deleted) is stale for certain: it is deleted with a uid/resourceVersion precondition and
created anew, so two takeovers cannot both win. Its keys are prefixed with its Job's name,
so the pod of a runner that lost the race (it is deleted at once) finds none of its keys in
the holder's Secret and cannot start with the holder's prompt or credentials.

Once the agent has read it, the Secret's values are wiped (:meth:`AgentLock.wipe`): the
lock stays, the credentials go, and no later pod of the Job can start (its keys are gone).
Deleting the Job at the end deletes the Secret with it (garbage collection), which frees
the slot.

A run that finds every slot busy waits its turn (``whenBusy: wait``), bounded by its
timeout and by cancellation, or fails at once with :class:`AgentBusy`. It looks at the
locks again when a pod of a holder's Job changes (under ``kubeclip serve``, whose shared pod
watch sees the holder's pod end: no polling; at least every
``RunnerSettings.busy_fallback`` seconds), else every ``RunnerSettings.busy_poll``. A
holder's Secret is read as metadata only: a waiting run never holds another run's values.
"""

from __future__ import annotations

import base64
import hashlib
import time
from collections.abc import Callable
from typing import Any

from kubeclip.cluster.kube import ApiError, Conflict, NotFound
from kubeclip.cluster.podstatus import job_finished
from kubeclip.cluster.resources import JOBS, SECRETS
from kubeclip.errors import AgentBusy, Reason, RefusedObject
from kubeclip.renderer import naming
from kubeclip.renderer.plan import SECRET_NONCE_KEY

TYPE_CHECKING = False
if TYPE_CHECKING:
    from kubeclip.run.objects import RunObjects
    from kubeclip.run.readers import PodSource
    from kubeclip.run.turns import Turns


class Waited(Exception):
    """Waiting for a turn ended without one: cancelled or out of time."""

    def __init__(self, reason: Reason, message: str) -> None:
        super().__init__(message)
        self.reason, self.message = reason, message


def owner_reference(obj: dict[str, Any]) -> dict[str, Any]:
    """Makes ``obj`` (a Job) the owner: the run Secret goes with it."""
    return {
        "apiVersion": obj.get("apiVersion", "batch/v1"),
        "kind": obj.get("kind", "Job"),
        "name": obj["metadata"]["name"],
        "uid": obj["metadata"]["uid"],
    }


def _owner_job(obj: dict[str, Any]) -> tuple[str, str] | None:
    for ref in obj["metadata"].get("ownerReferences") or []:
        if ref.get("kind") == "Job" and ref.get("name") and ref.get("uid"):
            return str(ref["name"]), str(ref["uid"])
    return None


class AgentLock:
    """The lock of one run's agent. ``secret`` is this run's Secret once its slot is taken."""

    def __init__(
        self,
        objects: RunObjects,
        cancelled: Callable[[], str | None],
        turns: Turns | None = None,
        pods: PodSource | None = None,
    ) -> None:
        """``objects``: the run's Job (made and withdrawn here while waiting) and, with it,
        its client, spec, output and settings; ``turns`` and ``pods``: a shared engine's
        in-memory slots and pod watch (None: a run of its own)."""
        self.objects, self.turns, self.pods = objects, turns, pods
        self.local_slot: int | None = None  # the engine's slot this run holds
        self.kube, self.spec, self.out = objects.kube, objects.spec, objects.out
        self.settings, self.ns = objects.settings, objects.ns
        self.get_job, self.cancelled = objects.get_job, cancelled
        self.secret: dict[str, Any] | None = None
        self.wiped = False

    def names(self) -> list[str]:
        return [naming.run_secret_name(self.spec.agent_id, i) for i in range(self.spec.max_runs)]

    def _look(self, name: str) -> dict[str, Any]:
        """A slot's Secret, metadata only (never another run's values)."""
        held: dict[str, Any] = self.kube.get(SECRETS, name, self.ns, metadata_only=True)
        return held

    # --- waiting ------------------------------------------------------------------------
    def free_slot(self) -> int | None:
        """One look at every slot: the first that is free, stale or this run's own."""
        for i, name in enumerate(self.names()):
            if self._holder(name) is None:
                return i
        return None

    def wait_for_a_turn(self, started: float) -> int:
        """Wait until one of the agent's slots is free, stale or this run's own; its index.
        Bounded by timeoutSec and by cancellation."""
        said = 0.0
        while True:
            seen = self.pods.changes_seen() if self.pods is not None else {}
            holders: list[str] = []
            jobs: list[str] = []
            for i, name in enumerate(self.names()):
                holder = self._holder(name)
                if holder is None:
                    return i
                holders.append(f"run {holder[0]} (Job {holder[1]})")
                jobs.append(holder[1])
            now = time.monotonic()
            if now - said >= self.settings.busy_repeat:
                said = now
                self.out.notice(
                    "waiting",
                    f"agent {self.spec.agent_id} is busy with {', '.join(holders)}; this run "
                    f"waits its turn (at most {self.spec.max_runs} active per agent)",
                )
            self._wait_for_change(started, jobs, seen)

    def _holder(self, name: str) -> tuple[str, str] | None:
        """(run id, Job) of a live holder of the slot ``name``; None when it is free,
        stale (taken over by :meth:`take`) or this run's own (a reattach)."""
        try:
            held = self._look(name)
        except NotFound:
            return None
        owner = _owner_job(held)
        if owner is not None and owner[0] == self.spec.job_name:
            return None  # ours: a reattach
        if self._stale(owner):
            return None
        notes = held["metadata"].get("annotations") or {}
        return str(notes.get(f"{naming.DOMAIN}/run-id")), owner[0] if owner else "?"

    def local_turn(self, started: float) -> None:
        """With a shared engine's turns: this agent's turn among the engine's runs first (no
        request while waiting); the Secret then decides against runs elsewhere. The slot
        the engine gives is the one tried first."""
        if self.turns is None:
            return
        key, slots = (self.ns, self.spec.agent_id), self.spec.max_runs
        slot = self.turns.acquire(key, slots, None)
        if slot is None:
            if self.spec.when_busy != "wait":
                raise AgentBusy(
                    f"agent {self.spec.agent_id} is busy with {slots} run(s) of this kubeclip "
                    "serve (concurrency.whenBusy: wait queues)"
                )
            self.out.notice("waiting", f"agent {self.spec.agent_id} is busy; this run waits "
                            f"its turn (at most {slots} active per agent)")  # fmt: skip
            while slot is None:
                self._give_up_if_due(started)
                slot = self.turns.acquire(key, slots, 0.1)
        self.local_slot = slot

    def release_local(self) -> None:
        if self.turns is not None and self.local_slot is not None:
            slot, self.local_slot = self.local_slot, None
            self.turns.release((self.ns, self.spec.agent_id), slot)

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
            self._pause(started, self.settings.job_gone_poll)

    # --- taking, keeping, giving back ---------------------------------------------------
    def claim(self) -> tuple[dict[str, Any], bool]:
        """Make the run's Job and take its slot (create its Secret), waiting for a turn as
        ``whenBusy`` says: (the Job, whether it existed: a reattach). The free path costs
        two requests. A run that loses the race deletes its Job (whose pod cannot start:
        none of its keys are in the holder's Secret); with more than one slot it moves to
        a free one, else it waits for one and makes its Job again under the same name."""
        started = time.monotonic()
        self._use_slot(self.local_slot)
        while True:
            job, reattached = self.objects.create_job()
            try:
                self.take(job)
                return job, reattached
            except AgentBusy:
                if reattached:
                    raise
                self.objects.withdraw()
                slot = self.free_slot() if self.spec.can_reslot() else None
                if slot is None and self.spec.when_busy != "wait":
                    raise
                self.wait_job_gone(started)  # the name is reused when the turn comes
                if slot is None:
                    slot = self.wait_for_a_turn(started)
                self._use_slot(slot)

    def _use_slot(self, slot: int | None) -> None:
        """Render the run for the agent's slot ``slot`` when it is another than the one
        rendered (its Secret's name is the slot's); the Job's name stays."""
        if slot is not None and self.spec.can_reslot() and slot != self.spec.slot:
            self.spec.reslot(slot)

    def take(self, job: dict[str, Any]) -> None:
        """Take the run's slot by creating its Secret, owned by ``job``; :class:`AgentBusy`
        when a live run holds it.

        An existing Secret owned by this very Job (uid) is this run's: a reattach, or our own
        POST retried after a lost response. Its values may be wiped already (the agent has
        read them): they are never written again.
        """
        body = self.spec.document("Secret")
        body["metadata"] = {**body["metadata"], "ownerReferences": [owner_reference(job)]}
        name = body["metadata"]["name"]
        for _ in range(5):
            try:
                created = self.kube.create(SECRETS, body, self.ns)
                self.secret = {"metadata": created["metadata"]}  # not its values
                return
            except Conflict:
                pass
            try:
                held = self._look(name)
            except NotFound:
                continue  # released meanwhile: try again
            owner = _owner_job(held)
            if owner is None:
                raise RefusedObject(
                    f"Secret {self.ns}/{name} already exists and was not made by this run (nor "
                    "by any kubeclip run: it is owned by no Job); refusing to run the agent "
                    "with it. Someone who can create Secrets in this namespace made it: delete "
                    "it and look into who did"
                )
            if owner[1] == job["metadata"]["uid"]:
                self._written_for(job, name)
                self.secret = held
                return
            if not self._stale(owner):
                notes = held["metadata"].get("annotations") or {}
                raise AgentBusy(
                    f"agent {self.spec.agent_id} is busy with run "
                    f"{notes.get(f'{naming.DOMAIN}/run-id')} (Job {owner[0]}) (at most "
                    f"{self.spec.max_runs} active run(s) per agent; concurrency.whenBusy: "
                    "wait queues)"
                )
            self._take_over(held)
        raise AgentBusy(f"lock {name} changed hands too often")

    def _written_for(self, job: dict[str, Any], name: str) -> None:
        """A Secret owned by our Job that our create did not make: our own POST retried, a
        reattach, or one planted between the Job's creation and the Secret's (issue #22, 15).
        Only a Secret whose nonce hashes to the Job's proof was written by the run that made
        the Job (RUNNER_SCRIPT); a wiped one was read already by a pod that checked it."""
        proof = _proof_of(job, self.spec.container)
        if proof is None:
            return  # a Job of a kubeclip before proofs: its pod checks nothing either
        held = self.kube.get(SECRETS, name, self.ns)
        data = held.get("data") or {}
        if not data:
            return
        nonce = data.get(naming.run_secret_key(job["metadata"]["name"], SECRET_NONCE_KEY), "")
        if hashlib.sha256(base64.b64decode(nonce)).hexdigest() != proof:
            raise RefusedObject(
                f"Secret {self.ns}/{name} is owned by this run's Job but was not written by "
                "this run (its nonce does not match the Job's proof): someone who can create "
                "Secrets in this namespace planted it. The agent was not started; look into "
                "who did, and keep the Jobs' namespace free of other Secret writers"
            )

    def adopt(self, job: dict[str, Any]) -> None:
        """A journaled run's Secret (kubeclip.serve.adopt): held when it is still its Job's.
        Nothing is created: an adopter has no values to put in it."""
        try:
            held = self._look(self.spec.secret_name)
        except NotFound:
            return
        owner = _owner_job(held)
        if owner is not None and owner[1] == job["metadata"]["uid"]:
            self.secret = held

    def _take_over(self, held: dict[str, Any]) -> None:
        notes = held["metadata"].get("annotations") or {}
        self.out.status("lock", "taking over the stale lock of run "
                        f"{notes.get(f'{naming.DOMAIN}/run-id')}")  # fmt: skip
        try:
            self.kube.delete(SECRETS, held["metadata"]["name"], self.ns, {"preconditions": {
                "uid": held["metadata"]["uid"],
                "resourceVersion": held["metadata"]["resourceVersion"]}})  # fmt: skip
        except (Conflict, NotFound):
            pass  # someone else took it over first; look again

    def _stale(self, owner: tuple[str, str] | None) -> bool:
        """kubeclip makes a run Secret only owned by its Job: one without an owner is not a
        run's (someone else made it): not a holder to wait for, and :meth:`take` refuses
        it."""
        if owner is None:
            return True
        try:
            job = self.kube.get(JOBS, owner[0], self.ns)
        except NotFound:
            return True  # the Secret was made after its Job: the Job is gone for good
        if job["metadata"]["uid"] != owner[1]:
            return True  # a Job of that name, but not the lock's
        if job["metadata"].get("deletionTimestamp"):
            return True
        return job_finished(job)

    def wipe(self) -> bool:
        """Remove the Secret's values once the agent has read them; the Secret stays, as the
        lock. The patch carries the Secret's uid, which is immutable: the apiserver refuses
        the patch (422 on ``metadata.uid``) for a Secret of that name made since, when this
        run's slot was taken over (its Job finished), so that one is never wiped. False when
        the API refused otherwise (tried again on a later call)."""
        if self.wiped or self.secret is None:
            return True
        meta = self.secret["metadata"]
        try:
            self.kube.patch(SECRETS, meta["name"],
                            {"metadata": {"uid": meta["uid"]}, "data": None}, self.ns)
        except (NotFound, Conflict):
            pass  # gone with its Job, or no longer this run's
        except ApiError as e:
            if not _uid_refused(e):
                self.out.status("secret", f"could not wipe the run Secret yet: {e}")
                return False
        self.wiped = True
        return True


def _proof_of(job: dict[str, Any], container: str) -> str | None:
    for c in job["spec"]["template"]["spec"].get("containers") or []:
        if c.get("name") == container:
            for var in c.get("env") or []:
                if var.get("name") == "KUBECLIP_RUN_PROOF":
                    return str(var.get("value", ""))
    return None


def _uid_refused(error: ApiError) -> bool:
    """The apiserver refused a patch because its uid is another object's."""
    causes = (error.status.get("details") or {}).get("causes") or []
    return error.code == 422 and any(c.get("field") == "metadata.uid" for c in causes)
