"""The run's objects in the cluster: the Job, its Secret, and their deletion.

Every request apply mode makes about them is here, so the request budget of a run (see
:mod:`kubeclip.run.runner`) can be read in one place.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from kubeclip.cluster.kube import ApiError, Conflict, Kube, NotFound, ns_path
from kubeclip.cluster.watch import Warming
from kubeclip.errors import RefusedObject
from kubeclip.renderer import naming
from kubeclip.run.lock import owner_reference
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
        self.secret_gone = False
        # called once the Job and its Secret exist: a host (serve) journals the run then,
        # so that whoever adopts it never needs the Secret's values
        self.on_created: Callable[[], None] | None = None

    def create_job(self) -> tuple[dict[str, Any], bool]:
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
                    existing = self.get_job()
                except NotFound:
                    continue  # a conflict on something already gone: create again
                self._refuse_unless_ours(existing, body)
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
        job: dict[str, Any] = self.kube.request(
            "GET", ns_path("batch", "v1", self.ns, "jobs", self.spec.job_name),
            verb="get", group="batch", resource="jobs",
        )  # fmt: skip
        return job

    def create_secret(self, job: dict[str, Any]) -> None:
        self._create_secret(job)
        if self.on_created is not None:
            self.on_created()

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

    def drop_secret(self) -> None:
        """Delete the run Secret once the agent has read it (once; retried on a later call
        when the API refuses)."""
        if self.secret_gone:
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
        self.secret_gone = True

    def delete_job(self, propagation: str = "Foreground") -> None:
        try:
            self.kube.request(
                "DELETE", ns_path("batch", "v1", self.ns, "jobs", self.spec.job_name),
                verb="delete", group="batch", resource="jobs",
                body={"propagationPolicy": propagation},
            )  # fmt: skip
        except NotFound:
            pass

    def cleanup(self, lease: dict[str, Any] | None) -> None:
        """Delete the Job (its pod, Secret and the lock go with it), or with retainJobs only
        the lock (``lease``). Waits out an unreachable API for a while: nothing is left
        behind."""
        call: Callable[[], None]
        if self.spec.retain:
            if lease is None:
                return
            meta = lease["metadata"]
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
                self.delete_job("Background")

        if self._patiently(call, what) and self.spec.retain:
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
                time.sleep(1.0)
