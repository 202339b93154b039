"""Where kubeclip-opencode's own words go, for Paperclip: each rule once, for the Python
relay and the drop-in (the C relay, ``pump.c``/``front.c``, writes the same bytes:
``tests/test_relay_sinks.py`` holds all of them to the golden files in
``tests/golden/relay``). Standard library only (the relay imports it).

- A failure of kubeclip's own: an OpenCode-style error event on stdout (Paperclip's parser
  takes it as the run's error) and a ``kubeclip-opencode: error:`` line on stderr.
- ``KUBECLIP_PROGRESS``: unset = nowhere (stderr is the agent's), ``stderr``, or a file
  appended to. ``KUBECLIP_RESULT_FILE``: the run's result, one JSON line.
- Both are checked before the run is sent or applied: a path that cannot be written is a
  clear error, exit 2, and nothing runs (the result file's rule is
  :mod:`kubeclip.run.resultfile`'s, `kubeclip run --result`'s too). One that fails later
  (its directory removed mid-run) loses progress lines silently, but never the result
  without saying so.
"""

from __future__ import annotations

import os

from kubeclip.run.resultfile import writable

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Mapping
    from typing import Any


def error_event(message: str, session_id: str | None = None) -> str:
    """The event as one JSON line (without its newline)."""
    import json  # a failure's path only: the relay's start does without json

    event: dict[str, Any] = {
        "type": "error",
        "error": {"name": "KubeclipError", "message": message, "data": {"message": message}},
    }
    if session_id:
        event["sessionID"] = session_id
    return json.dumps(event, ensure_ascii=False)


def failure(message: str) -> tuple[bytes, bytes]:
    """A failure of kubeclip-opencode's own: (what goes to stdout, what goes to stderr)."""
    return ((error_event(message) + "\n").encode("utf-8", "replace"),
            f"kubeclip-opencode: error: {message}\n".encode("utf-8", "replace"))  # fmt: skip


def progress_target(env: Mapping[str, str]) -> str | None:
    """None (nowhere), "stderr", or a file's path."""
    return env.get("KUBECLIP_PROGRESS", "").strip() or None


def unusable(env: Mapping[str, str]) -> str | None:
    """What is wrong with KUBECLIP_PROGRESS or KUBECLIP_RESULT_FILE, before anything runs."""
    where = progress_target(env)
    if where is not None and where != "stderr":
        try:
            os.close(os.open(where, os.O_WRONLY | os.O_CREAT | os.O_APPEND | os.O_CLOEXEC, 0o666))
        except OSError as e:
            return f"KUBECLIP_PROGRESS={where}: cannot open: {e.strerror}; nothing was run"
    path = env.get("KUBECLIP_RESULT_FILE")
    if path and not writable(path):
        return (f"KUBECLIP_RESULT_FILE={path}: cannot be written (a directory, or in a directory "
                "that does not exist or is not writable); nothing was run")  # fmt: skip
    return None


def write_progress(where: str | None, line: bytes) -> None:
    """One progress line (without its newline) to ``where``; lost if it cannot be written."""
    if where is None:
        return
    if where == "stderr":
        write_all(2, line + b"\n")
        return
    try:
        fd = os.open(where, os.O_WRONLY | os.O_CREAT | os.O_APPEND | os.O_CLOEXEC, 0o666)
    except OSError:
        return
    try:
        write_all(fd, line + b"\n")
    finally:
        os.close(fd)


_BROKEN: set[int] = set()  # stdout/stderr whose reader went away: the run goes on


def write_all(fd: int, data: bytes) -> None:
    """All of ``data`` to a file; to stdout/stderr, nothing more once their reader is gone
    (EPIPE: Paperclip stopped reading, never a reason to stop the run)."""
    view = memoryview(data)
    if fd in (1, 2):
        if fd in _BROKEN:
            return
        try:
            while view:
                view = view[os.write(fd, view) :]
        except OSError:
            _BROKEN.add(fd)
        return
    while view:
        view = view[os.write(fd, view) :]
