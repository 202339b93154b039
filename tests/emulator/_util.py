"""Small helpers: timestamps in the apiserver's formats, JSON patches, names."""

from __future__ import annotations

import copy
import datetime as dt
import json
import random
import time
import uuid
from typing import Any, TypeVar

JsonObj = dict[str, Any]
T = TypeVar("T")

# The apiserver's generateName alphabet (no vowels, no confusable digits).
NAME_ALPHABET = "bcdfghjklmnpqrstvwxz2456789"


def now_ns() -> int:
    return time.time_ns()


def rfc3339(ts_ns: int | None = None) -> str:
    """metav1.Time: second precision, UTC, 'Z'."""
    ts = (now_ns() if ts_ns is None else ts_ns) // 1_000_000_000
    return dt.datetime.fromtimestamp(ts, dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def rfc3339_micro(ts_ns: int | None = None) -> str:
    """metav1.MicroTime: six fractional digits."""
    ns = now_ns() if ts_ns is None else ts_ns
    base = dt.datetime.fromtimestamp(ns // 1_000_000_000, dt.UTC).strftime("%Y-%m-%dT%H:%M:%S")
    return f"{base}.{(ns % 1_000_000_000) // 1000:06d}Z"


def rfc3339_nano(ts_ns: int) -> str:
    """The kubelet's log timestamp format (RFC3339NanoFixed: always nine digits)."""
    base = dt.datetime.fromtimestamp(ts_ns // 1_000_000_000, dt.UTC).strftime("%Y-%m-%dT%H:%M:%S")
    return f"{base}.{ts_ns % 1_000_000_000:09d}Z"


def parse_time_seconds(value: str) -> int:
    """Parse an RFC3339 timestamp to whole epoch seconds (fraction dropped, as the
    apiserver's metav1.Time does for sinceTime)."""
    text = value.strip()
    if text.endswith(("Z", "z")):
        text = text[:-1] + "+00:00"
    # datetime.fromisoformat handles at most 6 fractional digits before 3.11's
    # relaxed parser; trim any longer fraction to be safe.
    if "." in text:
        head, _, rest = text.partition(".")
        digits = ""
        while rest and rest[0].isdigit():
            digits, rest = digits + rest[0], rest[1:]
        text = head + (("." + digits[:6]) if digits else "") + rest
    parsed = dt.datetime.fromisoformat(text)
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=dt.UTC)
    return int(parsed.timestamp())


def new_uid() -> str:
    return str(uuid.uuid4())


def random_suffix(n: int = 5) -> str:
    return "".join(random.choice(NAME_ALPHABET) for _ in range(n))


def deep(obj: T) -> T:
    return copy.deepcopy(obj)


def merge_patch(target: Any, patch: Any) -> Any:
    """RFC 7386 JSON merge patch: null deletes a key, objects merge, anything else replaces."""
    if not isinstance(patch, dict):
        return deep(patch)
    out = dict(target) if isinstance(target, dict) else {}
    for key, value in patch.items():
        if value is None:
            out.pop(key, None)
        else:
            out[key] = merge_patch(out.get(key), value)
    return out


def dumps(obj: Any) -> bytes:
    return json.dumps(obj, separators=(",", ":"), ensure_ascii=False).encode("utf-8")


def get_path(obj: Any, dotted: str) -> Any:
    cur = obj
    for part in dotted.split("."):
        if not isinstance(cur, dict):
            return None
        cur = cur.get(part)
    return cur
