"""One pod watch per namespace for every run of a ``kubeclip serve``.

A run following its pod used to open its own watch: N runs, N long-lived watches. Here
one watch (every pod labelled ``kubeclip.dev/run``) keeps the current pods and hands
each subscribed run the events of its own Job's pods — current state first, so a run
that subscribes after its pod appeared (a reattach) misses nothing.

The same watch wakes a run waiting for its agent's turn while another process holds the
agent's lock: a change to a pod of the holder's Job (ending, deleted with its Job) is when
the lock is looked at again, instead of every few seconds.
"""

from __future__ import annotations

import threading
from typing import Any

from kubeclip.cluster.kube import Kube
from kubeclip.cluster.resources import PODS
from kubeclip.cluster.retry import RETRY
from kubeclip.cluster.watch import watch
from kubeclip.renderer import naming
from kubeclip.run.readers import Readers


def job_of(pod: dict[str, Any]) -> str | None:
    labels = (pod.get("metadata") or {}).get("labels") or {}
    name = labels.get("batch.kubernetes.io/job-name") or labels.get("job-name")
    if name:
        return str(name)
    for owner in (pod.get("metadata") or {}).get("ownerReferences") or []:
        if owner.get("kind") == "Job":
            return str(owner.get("name"))
    return None


class SharedPods:
    def __init__(self, kube: Kube, namespace: str) -> None:
        self.kube = kube
        self.namespace = namespace
        self.lock = threading.Lock()
        self.pods: dict[str, dict[str, Any]] = {}  # uid -> pod
        self.subscribers: dict[str, set[Readers]] = {}  # Job name -> its runs' readers
        self.changes = threading.Condition(self.lock)  # a pod of some Job changed
        self.job_changes: dict[str, int] = {}  # Job name -> events of its pods seen
        self.down = False
        self.stop = threading.Event()
        self.thread: threading.Thread | None = None

    def subscribe(self, readers: Readers) -> None:
        job = readers.spec.job_name
        with self.lock:
            self.subscribers.setdefault(job, set()).add(readers)
            for pod in self.pods.values():
                if job_of(pod) == job:
                    readers.deliver("ADDED", pod)
            if self.down:
                readers.api_down(True)
            self._start_locked()

    def _start_locked(self) -> None:
        if self.thread is None:
            self.thread = threading.Thread(
                target=self._run, name=f"kubeclip-pods-{self.namespace}", daemon=True
            )
            self.thread.start()

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

    def unsubscribe(self, readers: Readers) -> None:
        with self.lock:
            mine = self.subscribers.get(readers.spec.job_name)
            if mine is not None:
                mine.discard(readers)
                if not mine:
                    del self.subscribers[readers.spec.job_name]

    def _run(self) -> None:
        query = {"labelSelector": naming.LABEL_RUN}
        while not self.stop.is_set():
            try:
                for event in watch(self.kube, PODS, self.namespace, query, stop=self.stop,
                                   timeout_seconds=3600, on_down=self._api_down):  # fmt: skip
                    self._event(event["type"], event["object"])
            except Exception as e:  # a watch error is every run's: each rides it out
                self._api_down(True)
                for readers in self._all():
                    readers.out.status("watch", f"shared pod watch failed: {e}; reconnecting")
                self.stop.wait(RETRY.down_pause)

    def _event(self, kind: str, pod: dict[str, Any]) -> None:
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
                self.job_changes[job] = self.job_changes.get(job, 0) + 1
                self.changes.notify_all()

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
