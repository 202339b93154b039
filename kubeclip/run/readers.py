"""The run's background readers: the pod watch, the Job's events, the log stream.

Each runs in its own daemon thread and reports on one queue as typed events
(:mod:`kubeclip.run.events`); the runner's main loop is the only consumer and owns every
decision. The readers only record what the loop needs to judge time: since when the API
is unreachable, when the log stream last delivered, whether a write is blocked on a slow
reader of our stdout.
"""

from __future__ import annotations

import queue
import threading
import time
from collections.abc import Callable, Iterator
from typing import Any, Protocol

from kubeclip.cluster.follow import follow_logs
from kubeclip.cluster.kube import Kube
from kubeclip.cluster.logs import LineDeduper
from kubeclip.cluster.resources import EVENTS, PODS, Resource
from kubeclip.cluster.watch import watch
from kubeclip.run.events import (
    Event,
    JobEvent,
    LogsDone,
    PodDeleted,
    PodSeen,
    ReaderFailed,
    Woken,
)
from kubeclip.run.output import Output
from kubeclip.run.settings import RunnerSettings
from kubeclip.run.spec import RunSpec


class PodSource(Protocol):
    """Watches shared by a shared engine's runs (:mod:`kubeclip.run.watches`; a test's
    fake): they hand each run the events of its own Job's pods (:meth:`Readers.deliver`),
    current state first, and its Job's events (:meth:`Readers.job_event`), the recent
    ones first."""

    def subscribe(self, readers: Readers) -> None: ...

    def unsubscribe(self, readers: Readers) -> None: ...

    def changes_seen(self) -> dict[str, int]: ...

    def wait_change(self, jobs: list[str], seen: dict[str, int], timeout: float) -> bool: ...


class Readers:
    def __init__(
        self,
        kube: Kube,
        spec: RunSpec,
        out: Output,
        stop: threading.Event,
        pods: PodSource | None = None,
    ) -> None:
        self.pods = pods
        self.kube = kube
        self.spec = spec
        self.out = out
        self.stop = stop
        # SimpleQueue: put() is safe from a signal handler (a cancel wakes the loop, kubeclip run)
        self.events: queue.SimpleQueue[Event] = queue.SimpleQueue()
        self.last_pod: dict[str, Any] = {}  # the pod as last seen, for a timed second look
        self.api_down_since: float | None = None  # set while the watch cannot connect
        self.log_progress = 0.0  # when the log stream last delivered output
        self.log_writing = False  # the log thread is blocked writing to a slow reader
        # the Job's events from a shared watch, kept until the main loop wants them
        self._job_events: list[JobEvent] | None = []
        self._job_events_lock = threading.Lock()

    def wake(self) -> None:
        self.events.put(Woken())

    def next(self, timeout: float) -> Event | None:
        try:
            return self.events.get(timeout=timeout)
        except queue.Empty:
            return None

    def stalled(self, ended_at: float, now: float, settings: RunnerSettings) -> bool:
        """The log stream sent nothing for a while after the container ended. Never while
        it still delivers: a slow reader (Paperclip reading stdout slowly) blocks our
        writes, and that is not a stall."""
        if self.log_writing:
            return False
        return now - max(ended_at, self.log_progress) > settings.log_idle_after_exit

    def spawn(self, target: Callable[[], None], name: str) -> threading.Thread:
        def guarded() -> None:
            try:
                target()
            except BaseException as e:  # reported to the main loop
                if not self.stop.is_set():
                    self.events.put(ReaderFailed(e))

        thread = threading.Thread(target=guarded, name=f"kubeclip-{name}", daemon=True)
        thread.start()
        return thread

    def start_pod_watch(self) -> None:
        if self.pods is not None:
            self.pods.subscribe(self)
        else:
            self.spawn(self._watch_pods, name="pod-watch")

    def close(self) -> None:
        if self.pods is not None:
            self.pods.unsubscribe(self)

    def start_job_events(self) -> None:
        """From now on the main loop reads the Job's events: those a shared watch handed
        over so far, then live; without one, from a watch of this run's own."""
        if self.pods is None:
            self.spawn(self._watch_job_events, name="event-watch")
            return
        with self._job_events_lock:
            for event in self._job_events or ():
                self.events.put(event)
            self._job_events = None

    def job_event(self, reason: str | None, message: str) -> None:
        """An event of this run's Job, from a shared watch (kept, bounded, until read)."""
        with self._job_events_lock:
            if self._job_events is None:
                self.events.put(JobEvent(reason, message))
            elif len(self._job_events) < 64:
                self._job_events.append(JobEvent(reason, message))

    def start_logs(self, pod_name: str, terminated: threading.Event) -> threading.Thread:
        return self.spawn(lambda: self._stream_logs(pod_name, terminated), name="logs")

    def _watch(self, resource: Resource, query: dict[str, Any]) -> Iterator[dict[str, Any]]:
        yield from watch(
            self.kube, resource, self.spec.namespace, query, stop=self.stop,
            timeout_seconds=max(self.spec.timeout + self.spec.grace + 600, 6 * 3600),
            on_down=self.api_down,
        )  # fmt: skip

    def api_down(self, down: bool) -> None:
        """The watch cannot connect (True) or connected again (False): the main loop owns
        the patience (settings.api_patience) and the deadline."""
        self.api_down_since = (self.api_down_since or time.monotonic()) if down else None

    def _watch_pods(self) -> None:
        for event in self._watch(PODS, {"labelSelector": self.spec.selector}):
            pod = event["object"]
            job = pod.get("metadata", {}).get("labels", {}).get("job-name")
            if job in (None, self.spec.job_name):
                self.deliver(event["type"], pod)

    def deliver(self, kind: str, pod: dict[str, Any]) -> None:
        """A watch event (ADDED, MODIFIED, DELETED) about a pod of this run's Job."""
        if kind == "DELETED":
            self.events.put(PodDeleted(pod))
        else:
            self.last_pod = pod
            self.events.put(PodSeen(pod))

    def _watch_job_events(self) -> None:
        selector = f"involvedObject.name={self.spec.job_name},involvedObject.kind=Job"
        for event in self._watch(EVENTS, {"fieldSelector": selector}):
            obj = event["object"]
            self.events.put(JobEvent(obj.get("reason"), obj.get("message", "")))

    def _stream_logs(self, pod_name: str, terminated: threading.Event) -> None:
        def emit(data: bytes) -> None:
            self.log_writing = True
            try:
                self.out.log(data)
            finally:
                self.log_writing = False
                self.log_progress = time.monotonic()

        def notice(line: bytes) -> None:
            self.out.status("logs", "the kubelet: " + line.decode("utf-8", "replace")[:500])

        follow_logs(self.kube, self.spec.namespace, pod_name, LineDeduper(emit, notice),
                    terminated, self.stop, self.spec.container)  # fmt: skip
        self.events.put(LogsDone())
