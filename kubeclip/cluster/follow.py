"""Following a container's log across dropped streams, without losing or doubling a line
(the deduplication is :class:`kubeclip.cluster.logs.LineDeduper`'s)."""

from __future__ import annotations

import threading

from kubeclip.cluster.kube import ApiError, Kube, NotFound, iter_chunks
from kubeclip.cluster.logs import LineDeduper
from kubeclip.cluster.resources import POD_LOG
from kubeclip.cluster.retry import RETRY
from kubeclip.cluster.watch import Warming


def follow_logs(
    kube: Kube,
    namespace: str,
    pod: str,
    deduper: LineDeduper,
    terminated: threading.Event,
    stop: threading.Event,
    container: str,
) -> None:
    """Follow a container's output until it ends, across dropped streams.

    A clean end of the stream means the container stopped (or the kubelet hung up): the
    pod watch sets ``terminated`` to tell which. A cut stream is resumed at once from the
    last line's second; the API returns the remaining lines even if the container has
    ended meanwhile, and ``deduper`` drops what was already emitted.
    """
    delay = RETRY.stream_first_delay
    warming = Warming()
    while not stop.is_set():
        since = deduper.reconnecting()
        clean_end = False
        try:
            response = kube.stream(POD_LOG, namespace, {
                "container": container, "follow": True, "timestamps": True, "sinceTime": since,
            }, name=pod)  # fmt: skip
            warming.ok()
            try:
                for chunk in iter_chunks(response):
                    deduper.feed(chunk)
                    delay = RETRY.stream_first_delay
                clean_end = True
            finally:
                response.release_conn()
        except NotFound:
            break  # the pod is gone: nothing more to read
        except ApiError as e:
            if e.code == 400 or (e.code == 403 and not warming.retry()):
                raise
        except Exception:  # a cut stream is resumed from the last line
            pass
        if clean_end and terminated.wait(RETRY.log_end_wait):
            break
        if stop.wait(delay if not clean_end else 0):
            break
        delay = RETRY.next_stream_delay(delay)
    deduper.finish()
