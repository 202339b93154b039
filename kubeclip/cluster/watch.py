"""One generic watch for every kind the runner follows: resumes from its resourceVersion
after a drop or a server timeout, starts over after 410 Gone, rides out an unreachable
or failing API (reporting it through ``on_down``) and a just-restarted apiserver's
transient 403s. One request normally, whatever the run's length."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable, Iterator
from typing import Any

from kubeclip.cluster.kube import ApiError, Kube, iter_chunks
from kubeclip.cluster.resources import Resource
from kubeclip.cluster.retry import RETRY


class Warming:
    """A 403 for a request that already succeeded in this run is retried for a while:
    right after an apiserver restart its RBAC caches are empty, and for seconds it refuses
    what it allowed a moment ago ('role "kubeclip" not found'). A lasting 403 stays fatal."""

    def __init__(self, grace: float = RETRY.forbidden_grace) -> None:
        self.grace = grace
        self.worked = False
        self.since: float | None = None

    def ok(self) -> None:
        self.worked, self.since = True, None

    def retry(self) -> bool:
        if not self.worked:
            return False
        now = time.monotonic()
        self.since = self.since or now
        return now - self.since < self.grace



def watch(
    kube: Kube,
    resource: Resource,
    namespace: str,
    query: dict[str, Any],
    *,
    stop: threading.Event,
    timeout_seconds: int,
    on_down: Callable[[bool], None],
) -> Iterator[dict[str, Any]]:
    """Watch events until stopped; resumes after timeouts and drops, restarts after 410.

    One request normally: the watch is opened without a resourceVersion (the API
    sends the current state as ADDED events first) and with a timeout covering the run.
    """
    cursor = _Cursor()
    warming = Warming()
    while not stop.is_set():
        query_now = {**query, "watch": True, "allowWatchBookmarks": True,
                     "timeoutSeconds": timeout_seconds, "resourceVersion": cursor.rv}  # fmt: skip
        try:
            response = kube.stream(resource, namespace, query_now, watch=True)
        except ApiError as e:
            if e.code == 410:
                cursor.rv = None
                continue
            if e.code not in (0, 429, 500, 502, 503, 504) and not (
                e.code == 403 and warming.retry()
            ):
                raise
            # unreachable or failing: ride it out (the main loop owns the deadline)
            on_down(True)
            if stop.wait(RETRY.down_pause):
                return
            continue
        on_down(False)
        warming.ok()
        try:
            yield from cursor.read(response, stop)
        except (ApiError, json.JSONDecodeError):
            raise
        except Exception:  # a dropped watch is resumed from the last resourceVersion
            if stop.wait(cursor.delay):
                return
            cursor.delay = RETRY.next_stream_delay(cursor.delay)
        finally:
            response.release_conn()


class _Cursor:
    """Where a watch is: the last resourceVersion seen, and the back-off after a drop."""

    def __init__(self) -> None:
        self.rv: str | None = None
        self.delay = RETRY.stream_first_delay

    def read(self, response: Any, stop: threading.Event) -> Iterator[dict[str, Any]]:
        """The events of one watch response (bookmarks only move the cursor)."""
        for event in json_lines(response):
            if stop.is_set():
                return
            obj = event.get("object") or {}
            if event.get("type") == "ERROR":
                if obj.get("code") == 410:
                    self.rv = None  # too old: start over from the current state
                    return
                raise ApiError(f"watch failed: {obj.get('message')}", obj, obj.get("code", 0))
            self.rv = (obj.get("metadata") or {}).get("resourceVersion") or self.rv
            if event.get("type") != "BOOKMARK":
                yield event
            self.delay = RETRY.stream_first_delay


def json_lines(response: Any) -> Iterator[dict[str, Any]]:
    buffer = b""
    for chunk in iter_chunks(response):
        buffer += chunk
        *lines, buffer = buffer.split(b"\n")
        for line in lines:
            if line.strip():
                yield json.loads(line)
