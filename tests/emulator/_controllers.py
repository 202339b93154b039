"""The simulated kube-controller-manager: the Job controller (with activeDeadlineSeconds,
backoffLimit, suspend and ttlSecondsAfterFinished) and the garbage collector."""

from __future__ import annotations

import threading
import time
import traceback
from collections.abc import Callable

from . import _errors as err
from ._cluster import TERMINAL_PHASES, Cluster, WatchEvent, owner_uids
from ._kubelet import set_condition
from ._resources import BY_PLURAL, ResourceInfo
from ._util import JsonObj, deep, random_suffix, rfc3339
from .script import PodScript

JOBS = BY_PLURAL["jobs"]
PODS = BY_PLURAL["pods"]


def controller_uid(obj: JsonObj, kind: str = "Job") -> str | None:
    for ref in (obj.get("metadata") or {}).get("ownerReferences") or []:
        if ref.get("controller") and ref.get("kind") == kind:
            uid = ref.get("uid")
            return str(uid) if uid else None
    return None


def job_finished(job: JsonObj) -> str | None:
    for c in (job.get("status") or {}).get("conditions") or []:
        if c.get("type") in ("Complete", "Failed") and c.get("status") == "True":
            return str(c["type"])
    return None


class ControllerManager:
    def __init__(self, cluster: Cluster, choose_script: Callable[[JsonObj], PodScript]) -> None:
        self.cluster = cluster
        self.choose_script = choose_script
        self.errors: list[str] = []
        self.tick = 0.02
        self.gc_delay = 0.05
        self.time_scale = 1.0
        self.job_started: dict[str, float] = {}
        self.job_finished: dict[str, float] = {}
        self.job_counts: dict[str, list[int]] = {}  # job uid -> [succeeded, failed]
        self.counted: set[str] = set()
        self.admission_failed: set[str] = set()
        self.orphan_seen: dict[str, float] = {}
        cluster.listeners.append(self._on_event)
        self.thread = threading.Thread(target=self._loop, name="controller-manager", daemon=True)

    def start(self) -> None:
        self.thread.start()

    def join(self) -> None:
        self.thread.join(timeout=2)

    # -- pod accounting (called under the lock for every stored change) --------------------

    def _on_event(self, ev: WatchEvent) -> None:
        if ev.plural != "pods":
            return
        uid = ev.obj["metadata"].get("uid", "")
        job_uid = controller_uid(ev.obj)
        if job_uid is None or uid in self.counted:
            return
        phase = (ev.obj.get("status") or {}).get("phase")
        if phase in TERMINAL_PHASES or ev.type == "DELETED":
            self.counted.add(uid)
            counts = self.job_counts.setdefault(job_uid, [0, 0])
            counts[0 if phase == "Succeeded" else 1] += 1

    # -- the loop -------------------------------------------------------------------------

    def _loop(self) -> None:
        c = self.cluster
        while True:
            with c.cond:
                if c.stopping:
                    return
                if not c.dirty:
                    c.cond.wait(self.tick)
                if c.stopping:
                    return
                c.dirty = False
                try:
                    self.reconcile()
                except Exception:
                    self.errors.append(traceback.format_exc())

    def reconcile(self) -> None:
        for job in list(self.cluster.iter_objects("jobs")):
            if self.cluster.by_uid_obj(job["metadata"]["uid"]) is not None:
                self._sync_job(job)
        self._collect_garbage()

    # -- Job controller -------------------------------------------------------------------

    def _sync_job(self, job: JsonObj) -> None:
        c = self.cluster
        m = job["metadata"]
        uid, ns = m["uid"], m.get("namespace", "")
        spec = job.get("spec") or {}
        now = time.monotonic()
        pods = [p for p in c.iter_objects("pods", ns) if controller_uid(p) == uid]
        active = [
            p
            for p in pods
            if (p.get("status") or {}).get("phase") not in TERMINAL_PHASES
            and not p["metadata"].get("deletionTimestamp")
        ]
        terminating = [
            p
            for p in pods
            if (p.get("status") or {}).get("phase") not in TERMINAL_PHASES
            and p["metadata"].get("deletionTimestamp")
        ]
        succeeded, failed = self.job_counts.get(uid, [0, 0])
        status: JsonObj = deep(job.get("status") or {})
        events: list[tuple[str, str, str]] = []
        done = job_finished(job)

        if done:
            ttl = spec.get("ttlSecondsAfterFinished")
            finished_at = self.job_finished.setdefault(uid, now)
            if (
                ttl is not None
                and now - finished_at >= ttl * self.time_scale
                and not m.get("deletionTimestamp")
            ):
                c.delete(JOBS, ns, m["name"], {"propagationPolicy": "Background"})
                return
        elif m.get("deletionTimestamp"):
            pass  # the garbage collector is taking it down
        elif _condition(status, "FailureTarget") is not None:
            target = _condition(status, "FailureTarget") or {}
            for p in active:
                c.delete_pod(p, None)
            terminating += active
            active = []
            if not terminating:
                set_condition(status, "Failed", True, target.get("reason"), target.get("message"))
                self.job_finished[uid] = now
        elif spec.get("suspend"):
            for p in active:
                c.delete_pod(p, None)
            active = []
            if not any(
                x.get("type") == "Suspended" and x.get("status") == "True"
                for x in status.get("conditions") or []
            ):
                set_condition(status, "Suspended", True, "JobSuspended", "Job suspended")
                events.append(("Normal", "Suspended", "Job suspended"))
            status.pop("startTime", None)
            self.job_started.pop(uid, None)
        else:
            if any(
                x.get("type") == "Suspended" and x.get("status") == "True"
                for x in status.get("conditions") or []
            ):
                set_condition(status, "Suspended", False, "JobResumed", "Job resumed")
                events.append(("Normal", "Resumed", "Job resumed"))
            if uid not in self.job_started:
                self.job_started[uid] = now
                status["startTime"] = rfc3339()
            deadline = spec.get("activeDeadlineSeconds")
            completions = int(spec.get("completions") or 1)
            backoff_limit = int(spec.get("backoffLimit", 6))
            if deadline is not None and now - self.job_started[uid] >= deadline * self.time_scale:
                for p in active:
                    c.delete_pod(p, None, exit_code=137)
                terminating += active
                active = []
                self._fail(
                    status,
                    "DeadlineExceeded",
                    "Job was active longer than specified deadline",
                    events,
                )
            elif succeeded >= completions:
                set_condition(
                    status,
                    "SuccessCriteriaMet",
                    True,
                    "CompletionsReached",
                    "Reached expected number of succeeded pods",
                )
                set_condition(
                    status,
                    "Complete",
                    True,
                    "CompletionsReached",
                    "Reached expected number of succeeded pods",
                )
                status["completionTime"] = rfc3339()
                self.job_finished[uid] = now
                events.append(("Normal", "Completed", "Job completed"))
            elif failed > backoff_limit:
                for p in active:
                    c.delete_pod(p, None)
                terminating += active
                active = []
                self._fail(
                    status,
                    "BackoffLimitExceeded",
                    "Job has reached the specified backoff limit",
                    events,
                )
            elif not active and not terminating and uid not in self.admission_failed:
                pod = self._create_pod(job, events)
                active = [pod] if pod is not None else []
        failure_target = _condition(status, "FailureTarget")
        if (
            failure_target is not None
            and not done
            and not active
            and not terminating
            and _condition(status, "Failed") is None
        ):
            set_condition(
                status, "Failed", True, failure_target.get("reason"), failure_target.get("message")
            )
            self.job_finished[uid] = now
        if active:
            status["active"] = len(active)
        else:
            status.pop("active", None)
        status["ready"] = sum(1 for p in active if _is_ready(p))
        status["terminating"] = len(terminating)
        for fld, val in (("succeeded", succeeded), ("failed", failed)):
            if val:
                status[fld] = val
            else:
                status.pop(fld, None)
        status.setdefault("uncountedTerminatedPods", {})

        def write(o: JsonObj) -> None:
            o["status"] = status

        stored = c.modify(uid, write)
        for etype, reason, message in events:
            c.record_event(stored or job, etype, reason, message, "job-controller")

    def _fail(
        self, status: JsonObj, reason: str, message: str, events: list[tuple[str, str, str]]
    ) -> None:
        # Since Kubernetes 1.31 the terminal condition waits for the pods to terminate;
        # FailureTarget says it is coming.
        set_condition(status, "FailureTarget", True, reason, message)
        events.append(("Warning", reason, message))

    def _create_pod(self, job: JsonObj, events: list[tuple[str, str, str]]) -> JsonObj | None:
        c = self.cluster
        m = job["metadata"]
        template = deep((job.get("spec") or {}).get("template") or {})
        tmeta = template.get("metadata") or {}
        labels = dict(tmeta.get("labels") or {})
        labels.update(
            {
                "batch.kubernetes.io/controller-uid": m["uid"],
                "batch.kubernetes.io/job-name": m["name"],
                "controller-uid": m["uid"],
                "job-name": m["name"],
            }
        )
        pod_meta: JsonObj = {
            "name": f"{m['name']}-{random_suffix()}",
            "generateName": f"{m['name']}-",
            "namespace": m.get("namespace"),
            "labels": labels,
            "ownerReferences": [
                {
                    "apiVersion": "batch/v1",
                    "kind": "Job",
                    "name": m["name"],
                    "uid": m["uid"],
                    "controller": True,
                    "blockOwnerDeletion": True,
                }
            ],
        }
        if tmeta.get("annotations"):
            pod_meta["annotations"] = dict(tmeta["annotations"])
        spec = template.get("spec") or {}
        spec.setdefault("serviceAccountName", "default")
        spec["serviceAccount"] = spec["serviceAccountName"]
        spec.setdefault("enableServiceLinks", True)
        spec.setdefault("priority", 0)
        spec.setdefault("preemptionPolicy", "PreemptLowerPriority")
        pod: JsonObj = {"apiVersion": "v1", "kind": "Pod", "metadata": pod_meta, "spec": spec}
        script = self.choose_script(pod)
        if script.admission_error is not None:
            self.admission_failed.add(m["uid"])
            events.append(("Warning", "FailedCreate", script.admission_error))
            return None
        try:
            created = c.create(PODS, m.get("namespace"), pod)
        except err.ApiError as exc:
            self.admission_failed.add(m["uid"])
            events.append(("Warning", "FailedCreate", f"Error creating: {exc.message}"))
            return None
        events.append(("Normal", "SuccessfulCreate", f"Created pod: {created['metadata']['name']}"))
        return created

    # -- garbage collector ------------------------------------------------------------------

    def _delete_dependent(self, info: ResourceInfo, obj: JsonObj) -> None:
        m = obj["metadata"]
        if m.get("deletionTimestamp"):
            return
        if info.plural == "pods":
            self.cluster.delete_pod(obj, None)
        else:
            self.cluster.delete(
                info, m.get("namespace"), m["name"], {"propagationPolicy": "Background"}
            )

    def _collect_garbage(self) -> None:
        c = self.cluster
        now = time.monotonic()
        for (plural, _, _), obj in list(c.objects.items()):
            m = obj["metadata"]
            uid = m["uid"]
            if c.by_uid_obj(uid) is None:
                continue
            fins = m.get("finalizers") or []
            if m.get("deletionTimestamp") and ("orphan" in fins or "foregroundDeletion" in fins):
                since = c.deleting_since.setdefault(uid, now)
                if now - since < self.gc_delay:
                    continue
                if "orphan" in fins:
                    for _dinfo, dep in c.dependents(uid):

                        def strip(o: JsonObj, owner: str = uid) -> None:
                            refs = [
                                r
                                for r in o["metadata"].get("ownerReferences") or []
                                if r.get("uid") != owner
                            ]
                            if refs:
                                o["metadata"]["ownerReferences"] = refs
                            else:
                                o["metadata"].pop("ownerReferences", None)

                        c.modify(dep["metadata"]["uid"], strip)
                    c.modify(uid, lambda o: _drop_finalizer(o, "orphan"))
                    continue
                deps = c.dependents(uid)
                for dinfo, dep in deps:
                    self._delete_dependent(dinfo, dep)
                if not c.dependents(uid):
                    c.modify(uid, lambda o: _drop_finalizer(o, "foregroundDeletion"))
                continue
            owners = owner_uids(obj)
            if not owners:
                continue
            if any(o in c.by_uid for o in owners):
                self.orphan_seen.pop(uid, None)
                continue
            first = self.orphan_seen.setdefault(uid, now)
            if now - first >= self.gc_delay and not m.get("deletionTimestamp"):
                self.orphan_seen.pop(uid, None)
                self._delete_dependent(BY_PLURAL[plural], obj)


def _condition(status: JsonObj, ctype: str) -> JsonObj | None:
    for cond in status.get("conditions") or []:
        if cond.get("type") == ctype and cond.get("status") == "True":
            return dict(cond)
    return None


def _drop_finalizer(obj: JsonObj, name: str) -> None:
    fins = [f for f in obj["metadata"].get("finalizers") or [] if f != name]
    if fins:
        obj["metadata"]["finalizers"] = fins
    else:
        obj["metadata"].pop("finalizers", None)


def _is_ready(pod: JsonObj) -> bool:
    return any(
        c.get("type") == "Ready" and c.get("status") == "True"
        for c in (pod.get("status") or {}).get("conditions") or []
    )
