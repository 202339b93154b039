"""The watches of one namespace, shared by every run of a shared engine (``kubeclip serve``).

A run following its pod used to open its own watch: N runs, N long-lived watches. Here
one pod watch (every pod labelled ``kubeclip.dev/run``) keeps the current pods and hands
each subscribed run the events of its own Job's pods — current state first, so a run
that subscribes after its pod appeared (a reattach) misses nothing.

A run whose pod does not appear reads its Job's events (an admission rejection is only
said there). In a burst the Job controller takes seconds to create the last pods, and
every run past ``no_pod_events_after`` used to open an events watch of its own: 61 of
100 runs, each watch left open until its server timeout. One events watch (every Job's
events) serves them all: it hands each run its Job's events, the recent ones first, and
the run reads them from the moment it decides to.

The pod watch also wakes a run waiting for its agent's turn while another process holds
the agent's lock: a change to a pod of the holder's Job (ending, deleted with its Job) is
when the lock is looked at again, instead of every few seconds.
"""

from __future__ import annotations

import sys
import threading
from collections import OrderedDict
from collections.abc import Callable
from typing import Any

from kubeclip.cluster.kube import Kube
from kubeclip.cluster.resources import EVENTS, PODS, Resource
from kubeclip.cluster.retry import RETRY
from kubeclip.cluster.watch import watch
from kubeclip.renderer import naming
from kubeclip.run.readers import Readers

RECENT_JOBS = 256  # Jobs whose latest events are kept for a run that subscribes late
RECENT_PER_JOB = 8  # events kept per Job (a FailedCreate repeats: the newest tells)
# Jobs whose pod changes are counted for runs waiting for a turn: the latest changed. One
# entry per Job ever seen was ~150 bytes a run for the life of serve (10,000 runs a day).
JOB_CHANGES_KEPT = 1024


def job_of(pod: dict[str, Any]) -> str | None:
    labels = (pod.get("metadata") or {}).get("labels") or {}
    name = labels.get("batch.kubernetes.io/job-name") or labels.get("job-name")
    if name:
        return str(name)
    for owner in (pod.get("metadata") or {}).get("ownerReferences") or []:
        if owner.get("kind") == "Job":
            return str(owner.get("name"))
    return None


class NamespaceWatches:
    def __init__(self, kube: Kube, namespace: str) -> None:
        self.kube = kube
        self.namespace = namespace
        self.lock = threading.Lock()
        self.pods: dict[str, dict[str, Any]] = {}  # uid -> pod
        self.subscribers: dict[str, set[Readers]] = {}  # Job name -> its runs' readers
        self.changes = threading.Condition(self.lock)  # a pod of some Job changed
        # Job name -> events of its pods seen, the latest changed last (bounded)
        self.job_changes: OrderedDict[str, int] = OrderedDict()
        # Job name -> its latest (reason, message): bounded, oldest Job dropped first
        self.recent: OrderedDict[str, list[tuple[str | None, str]]] = OrderedDict()
        self.down = False
        self.stop = threading.Event()
        self.threads: list[threading.Thread] = []

    # --- what runs ask ------------------------------------------------------------------
    def subscribe(self, readers: Readers) -> None:
        job = readers.spec.job_name
        with self.lock:
            self.subscribers.setdefault(job, set()).add(readers)
            for pod in self.pods.values():
                if job_of(pod) == job:
                    readers.deliver("ADDED", pod)
            for reason, message in self.recent.get(job, ()):
                readers.job_event(reason, message)
            if self.down:
                readers.api_down(True)
            self._start_locked()

    def unsubscribe(self, readers: Readers) -> None:
        with self.lock:
            mine = self.subscribers.get(readers.spec.job_name)
            if mine is not None:
                mine.discard(readers)
                if not mine:
                    del self.subscribers[readers.spec.job_name]

    def changes_seen(self) -> dict[str, int]:
        """Events seen so far, per Job (the watch runs from now on)."""
        with self.lock:
            self._start_locked()
            return dict(self.job_changes)

    def wait_change(self, jobs: list[str], seen: dict[str, int], timeout: float) -> bool:
        """True once a pod of one of ``jobs`` changed since ``seen``; False after ``timeout``."""
        with self.changes:
            return self.changes.wait_for(
                lambda: any(self.job_changes.get(j, 0) != seen.get(j, 0) for j in jobs), timeout
            )

    # --- the watches --------------------------------------------------------------------
    def _start_locked(self) -> None:
        if self.threads:
            return
        pods = {"labelSelector": naming.LABEL_RUN}
        events = {"fieldSelector": "involvedObject.kind=Job"}
        for name, resource, query, handle, on_down in (
            ("pods", PODS, pods, self._pod_event, self._api_down),
            ("events", EVENTS, events, self._job_event, _ignore),  # the pod watch says down
        ):
            thread = threading.Thread(
                target=self._run, args=(resource, query, handle, on_down),
                name=f"kubeclip-{name}-{self.namespace}", daemon=True,
            )  # fmt: skip
            self.threads.append(thread)
            thread.start()

    def _run(
        self,
        resource: Resource,
        query: dict[str, Any],
        handle: Callable[[str, dict[str, Any]], None],
        on_down: Callable[[bool], None],
    ) -> None:
        while not self.stop.is_set():
            try:
                for event in watch(self.kube, resource, self.namespace, query, stop=self.stop,
                                   timeout_seconds=3600, on_down=on_down):  # fmt: skip
                    handle(event["type"], event["object"])
            except Exception as e:  # a watch error is every run's: each rides it out
                on_down(True)
                print(f"kubeclip serve: the shared {resource.plural} watch of {self.namespace} "
                      f"failed: {e}; reconnecting", file=sys.stderr, flush=True)  # fmt: skip
                for readers in self._all():
                    readers.out.status("watch", f"shared {resource.plural} watch failed: {e}; "
                                       "reconnecting")  # fmt: skip
                self.stop.wait(RETRY.down_pause)

    def _pod_event(self, kind: str, pod: dict[str, Any]) -> None:
        uid = (pod.get("metadata") or {}).get("uid", "")
        with self.lock:
            if kind == "DELETED":
                self.pods.pop(uid, None)
            else:
                self.pods[uid] = pod
            for readers in self.subscribers.get(job_of(pod) or "", ()):
                readers.deliver(kind, pod)
            job = job_of(pod)
            if job:
                self.job_changes[job] = self.job_changes.pop(job, 0) + 1
                if len(self.job_changes) > JOB_CHANGES_KEPT:
                    self.job_changes.popitem(last=False)
                self.changes.notify_all()

    def _job_event(self, kind: str, event: dict[str, Any]) -> None:
        if kind == "DELETED":  # an event expired: nothing new about its Job
            return
        job = str((event.get("involvedObject") or {}).get("name") or "")
        said = (event.get("reason"), str(event.get("message") or ""))
        with self.lock:
            recent = self.recent.pop(job, [])
            self.recent[job] = [*recent, said][-RECENT_PER_JOB:]
            while len(self.recent) > RECENT_JOBS:
                self.recent.popitem(last=False)
            for readers in self.subscribers.get(job, ()):
                readers.job_event(*said)

    def _api_down(self, down: bool) -> None:
        with self.lock:
            self.down = down
            for readers in self._all_locked():
                readers.api_down(down)

    def _all(self) -> list[Readers]:
        with self.lock:
            return self._all_locked()

    def _all_locked(self) -> list[Readers]:
        return [r for runs in self.subscribers.values() for r in runs]


def _ignore(down: bool) -> None:
    pass
