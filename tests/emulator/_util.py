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


def dumps(obj: Any) -> bytes:
    return json.dumps(obj, separators=(",", ":"), ensure_ascii=False).encode("utf-8")


def get_path(obj: Any, dotted: str) -> Any:
    cur = obj
    for part in dotted.split("."):
        if not isinstance(cur, dict):
            return None
        cur = cur.get(part)
    return cur


def merge_patch(target: Any, patch: Any) -> Any:
    """RFC 7386 JSON merge patch (also used for strategic merge patches)."""
    if not isinstance(patch, dict):
        return deep(patch)
    result: JsonObj = deep(target) if isinstance(target, dict) else {}
    for key, value in patch.items():
        if value is None:
            result.pop(key, None)
        else:
            result[key] = merge_patch(result.get(key), value)
    return result


class JsonPatchError(Exception):
    pass


def _pointer(path: str) -> list[str]:
    if path == "":
        return []
    if not path.startswith("/"):
        raise JsonPatchError(f"invalid JSON pointer {path!r}")
    return [p.replace("~1", "/").replace("~0", "~") for p in path[1:].split("/")]


def _resolve(doc: Any, parts: list[str]) -> Any:
    cur = doc
    for part in parts:
        if isinstance(cur, dict):
            if part not in cur:
                raise JsonPatchError(f"path element {part!r} not found")
            cur = cur[part]
        elif isinstance(cur, list):
            try:
                cur = cur[int(part)]
            except (ValueError, IndexError) as exc:
                raise JsonPatchError(f"bad array index {part!r}") from exc
        else:
            raise JsonPatchError(f"cannot descend into {part!r}")
    return cur


def _add(doc: Any, parts: list[str], value: Any) -> Any:
    if not parts:
        return value
    parent = _resolve(doc, parts[:-1])
    last = parts[-1]
    if isinstance(parent, dict):
        parent[last] = value
    elif isinstance(parent, list):
        if last == "-":
            parent.append(value)
        else:
            idx = int(last)
            if idx < 0 or idx > len(parent):
                raise JsonPatchError(f"array index {idx} out of range")
            parent.insert(idx, value)
    else:
        raise JsonPatchError("cannot add to a scalar")
    return doc


def _remove(doc: Any, parts: list[str]) -> tuple[Any, Any]:
    if not parts:
        raise JsonPatchError("cannot remove the whole document")
    parent = _resolve(doc, parts[:-1])
    last = parts[-1]
    if isinstance(parent, dict):
        if last not in parent:
            raise JsonPatchError(f"path element {last!r} not found")
        return doc, parent.pop(last)
    if isinstance(parent, list):
        try:
            return doc, parent.pop(int(last))
        except (ValueError, IndexError) as exc:
            raise JsonPatchError(f"bad array index {last!r}") from exc
    raise JsonPatchError("cannot remove from a scalar")


def json_patch(doc: Any, ops: list[Any]) -> Any:
    """RFC 6902 JSON patch."""
    result = deep(doc)
    for op in ops:
        if not isinstance(op, dict) or "op" not in op or "path" not in op:
            raise JsonPatchError(f"invalid operation {op!r}")
        kind = op["op"]
        parts = _pointer(op["path"])
        if kind == "add":
            result = _add(result, parts, deep(op.get("value")))
        elif kind == "remove":
            result, _ = _remove(result, parts)
        elif kind == "replace":
            _resolve(result, parts)
            if parts:
                result, _ = _remove(result, parts)
            result = _add(result, parts, deep(op.get("value")))
        elif kind == "test":
            if _resolve(result, parts) != op.get("value"):
                raise JsonPatchError(f"test operation failed at {op['path']}")
        elif kind in ("move", "copy"):
            src = _pointer(op.get("from", ""))
            if kind == "move":
                result, value = _remove(result, src)
            else:
                value = deep(_resolve(result, src))
            result = _add(result, parts, value)
        else:
            raise JsonPatchError(f"unknown operation {kind!r}")
    return result
