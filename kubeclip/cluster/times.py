"""Timestamps as the Kubernetes API writes and reads them (one place for all of them)."""

from __future__ import annotations

import time


def now_iso() -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())


def micro_now() -> str:
    t = time.time()
    return time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(t)) + f".{int(t % 1 * 1e6):06d}Z"


def parse_time(text: str | None) -> float | None:
    if not text:
        return None
    import calendar

    main = text.rstrip("Z").split(".")[0]
    try:
        return float(calendar.timegm(time.strptime(main, "%Y-%m-%dT%H:%M:%S")))
    except ValueError:
        return None
