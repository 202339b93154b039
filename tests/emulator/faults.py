"""Fault injection for the emulator (``emu.faults``)."""

from __future__ import annotations

import threading
from dataclasses import dataclass

from . import _errors as err
from ._cluster import Cluster


@dataclass
class FailRule:
    remaining: int
    status: int
    verb: str | None
    resource: str | None
    retry_after: float | None
    message: str | None

    def matches(self, verb: str, resource: str) -> bool:
        return (self.verb in (None, "*", verb)) and (self.resource in (None, "*", resource))


@dataclass
class LogCut:
    after_lines: int
    times: int
    mid_line: bool
    generation: int


@dataclass(frozen=True)
class DenyRule:
    verb: str
    resource: str
    namespace: str | None

    def matches(self, verb: str, resource: str, namespace: str | None) -> bool:
        base = resource.split("/", 1)[0]
        return (
            self.verb in ("*", verb)
            and self.resource in ("*", resource, base if "/" not in self.resource else resource)
            and (self.namespace is None or self.namespace == namespace)
        )


class Faults:
    """What goes wrong next. All methods are thread-safe."""

    def __init__(self, cluster: Cluster) -> None:
        self._cluster = cluster
        self._fail: list[FailRule] = []
        self._create_conflicts: dict[str, int] = {}
        self._deny: list[DenyRule] = []
        self._cut: LogCut | None = None
        self._cut_generation = 0
        self._timers: list[threading.Timer] = []

    def fail_next(
        self,
        n: int,
        status: int,
        verb: str | None = None,
        resource: str | None = None,
        retry_after: float | None = None,
        message: str | None = None,
    ) -> None:
        """The next ``n`` requests matching ``verb``/``resource`` (e.g. "get", "pods/log";
        None matches any) are answered with ``status`` and a Status body. With
        ``retry_after``, a ``Retry-After`` header (whole seconds, rounded up) and
        ``details.retryAfterSeconds`` are sent, as the apiserver does for 429."""
        with self._cluster.lock:
            self._fail.append(FailRule(n, status, verb, resource, retry_after, message))

    def conflict_on_create(self, resource: str, n: int = 1) -> None:
        """The next ``n`` creates of ``resource`` answer 409 AlreadyExists (as if someone
        else created an object of that name first)."""
        with self._cluster.lock:
            self._create_conflicts[resource] = self._create_conflicts.get(resource, 0) + n

    def forbid(self, verb: str, resource: str, namespace: str | None = None) -> None:
        """RBAC says no: matching requests get 403 Forbidden and SelfSubjectAccessReviews
        answer ``allowed: false``. ``verb``/``resource`` may be "*"; a resource without a
        subresource also covers its subresources."""
        with self._cluster.lock:
            self._deny.append(DenyRule(verb, resource, namespace))

    def allow(self, verb: str, resource: str) -> None:
        with self._cluster.lock:
            self._deny = [d for d in self._deny if (d.verb, d.resource) != (verb, resource)]

    def cut_log_stream(self, after_lines: int, times: int = 1, mid_line: bool = False) -> None:
        """Abruptly close following (follow=true) log streams after ``after_lines`` more lines
        each, ``times`` times. With ``mid_line`` the stream first sends the first half of
        the next line (no newline) and then closes."""
        with self._cluster.lock:
            self._cut_generation += 1
            self._cut = LogCut(after_lines, times, mid_line, self._cut_generation)

    def expire_watches(self) -> None:
        """Forget the watch history: a watch from any resourceVersion before now gets an
        ERROR event with a 410 Expired Status."""
        with self._cluster.lock:
            self._cluster.expire_history()

    def drop_watches(self, abrupt: bool = False) -> None:
        """End every open watch stream: cleanly (as on a server-side timeout) or, with
        ``abrupt``, by closing the connection mid-stream."""
        with self._cluster.lock:
            self._cluster.watch_generation += 1
            self._cluster.abrupt_drop = abrupt
            self._cluster.cond.notify_all()

    def drop_watches_after(self, seconds: float, abrupt: bool = False) -> None:
        """``drop_watches`` once, ``seconds`` from now (for watches not yet open)."""
        timer = threading.Timer(seconds, self.drop_watches, kwargs={"abrupt": abrupt})
        timer.daemon = True
        with self._cluster.lock:
            self._timers.append(timer)
        timer.start()

    def reset(self) -> None:
        """Clear every fault (armed drops included; forgotten watch history stays
        forgotten)."""
        with self._cluster.lock:
            for timer in self._timers:
                timer.cancel()
            self._timers.clear()
            self._fail.clear()
            self._create_conflicts.clear()
            self._deny.clear()
            self._cut = None

    # -- used by the server (lock held) -----------------------------------------------------

    def is_denied(self, verb: str, resource: str, namespace: str | None) -> bool:
        return any(d.matches(verb, resource, namespace) for d in self._deny)

    def take_failure(self, verb: str, resource: str) -> err.ApiError | None:
        for rule in self._fail:
            if rule.remaining > 0 and rule.matches(verb, resource):
                rule.remaining -= 1
                if rule.remaining == 0:
                    self._fail.remove(rule)
                return err.injected(rule.status, rule.retry_after, rule.message)
        return None

    def take_create_conflict(self, resource: str) -> bool:
        left = self._create_conflicts.get(resource, 0)
        if left <= 0:
            return False
        self._create_conflicts[resource] = left - 1
        return True

    def log_cut(self) -> LogCut | None:
        cut = self._cut
        return cut if cut is not None and cut.times > 0 else None

    def consume_cut(self, cut: LogCut) -> bool:
        if self._cut is cut and cut.times > 0:
            cut.times -= 1
            return True
        return False
