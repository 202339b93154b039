"""The run's Job and its deletion; its Secret (which is also the agent's lock) is
:mod:`kubeclip.run.lock`'s. Between the two, every request apply mode makes about a run's
objects can be read (the request budget: :mod:`kubeclip.run.runner`).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from kubeclip.cluster.kube import ApiError, Conflict, Kube, NotFound
from kubeclip.cluster.resources import JOBS, SECRETS
from kubeclip.cluster.retry import RETRY
from kubeclip.cluster.watch import Warming
from kubeclip.errors import RefusedObject
from kubeclip.renderer import naming
from kubeclip.run.output import Output
from kubeclip.run.settings import RunnerSettings
from kubeclip.run.spec import RunSpec


class RunObjects:
    def __init__(self, kube: Kube, spec: RunSpec, out: Output, settings: RunnerSettings) -> None:
        self.kube = kube
        self.spec = spec
        self.out = out
        self.settings = settings
        self.ns = spec.namespace
        self.job: dict[str, Any] | None = None  # ours: created, reattached or adopted

    def create_job(self) -> tuple[dict[str, Any], bool]:
        """POST the Job; (job, True) when this run's Job exists already (reattach)."""
        body = self.spec.document("Job")
        for _ in range(3):
            try:
                created: dict[str, Any] = self.kube.create(JOBS, body, self.ns)
                self.job = created
                return created, False
            except Conflict:
                try:  # our own POST, retried after a lost response, or a reattach
                    existing = self.get_job()
                except NotFound:
                    continue  # a conflict on something already gone: create again
                self._refuse_unless_ours(existing, body)
                self.job = existing
                return existing, True
        raise ApiError(f"could not create Job {self.spec.job_name}: conflicts persisted")

    def adopted_job(self) -> dict[str, Any]:
        """The Job of a journaled run, if it is still the one that run made."""
        try:
            existing = self.get_job()
        except NotFound:
            raise RefusedObject(
                f"Job {self.ns}/{self.spec.job_name} of run {self.spec.run_id} is gone: "
                "nothing to adopt (it is not made again)"
            ) from None
        self._refuse_unless_ours(existing, self.spec.document("Job"))
        self.job = existing
        return existing

    def _refuse_unless_ours(self, existing: dict[str, Any], body: dict[str, Any]) -> None:
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

    def get_job(self) -> dict[str, Any]:
        job: dict[str, Any] = self.kube.get(JOBS, self.spec.job_name, self.ns)
        return job

    def withdraw(self) -> None:
        """Delete the Job of a run that lost the race for its slot (its pod cannot start)."""
        self.delete_job(propagation="Background")
        self.job = None

    def delete_job(self, propagation: str = "Foreground") -> None:
        try:
            self.kube.delete(JOBS, self.spec.job_name, self.ns,
                             {"propagationPolicy": propagation})  # fmt: skip
        except NotFound:
            pass

    def cleanup(self, secret: dict[str, Any] | None, ran: bool = True) -> None:
        """Delete the Job (its pod and its Secret, the lock, go with it), or with retainJobs
        only the Secret (``secret``: its metadata) of a Job that ``ran``. Waits out an
        unreachable API for a while: nothing is left behind."""
        call: Callable[[], None]
        if self.spec.retain and ran:
            if secret is None:
                return
            meta = secret["metadata"]
            what = "the run Secret (the agent's lock)"

            def call() -> None:
                self.kube.delete(SECRETS, meta["name"], self.ns, {
                    "propagationPolicy": "Background", "preconditions": {"uid": meta["uid"]}})
        else:
            what = f"Job {self.spec.job_name}"

            def call() -> None:
                self.delete_job("Background")

        if self._patiently(call, what) and self.spec.retain and ran:
            self.out.status("cleanup", f"kept Job {self.ns}/{self.spec.job_name} (retainJobs)")

    def _patiently(self, call: Callable[[], None], what: str) -> bool:
        give_up = time.monotonic() + self.settings.cleanup_patience
        warming = Warming()
        warming.ok()  # creating them worked: a 403 now is an apiserver warming up
        while True:
            try:
                call()
                return True
            except (NotFound, Conflict):
                return True
            except ApiError as e:
                transient = e.code in (0, 429, 500, 502, 503, 504) or (
                    e.code == 403 and warming.retry()
                )
                if not transient or time.monotonic() > give_up:
                    self.out.status("cleanup", f"could not delete {what}: {e}")
                    return False
                time.sleep(RETRY.down_pause)
