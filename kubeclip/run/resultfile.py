"""A run's result file (`kubeclip run --result`, the bridges' ``KUBECLIP_RESULT_FILE``):
the one rule for whether it can be written, checked before anything is applied (a run whose
result would be lost never starts), and the one way of writing it. Standard library only:
the relay imports it."""

from __future__ import annotations

import os


def writable(path: str) -> bool:
    """An existing file we may write (a symlink counts as what it points to: a dangling one
    is not writable), or a new name in a directory we may create files in."""
    if os.path.lexists(path):
        return os.access(path, os.W_OK) and not os.path.isdir(path)
    parent = os.path.dirname(path) or "."
    return os.path.isdir(parent) and os.access(parent, os.W_OK | os.X_OK)


def write(path: str | None, data: bytes) -> str | None:
    """The result (one JSON document, without its newline) to ``path``; what went wrong, or
    None. The run has happened by now: its own outcome and exit code stand."""
    if not path:
        return None
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC | os.O_CLOEXEC, 0o666)
    except OSError as e:
        return f"cannot write the result to {path}: {e.strerror}"
    try:
        view = memoryview(data + b"\n")
        while view:
            view = view[os.write(fd, view):]
    except OSError as e:
        return f"cannot write the result to {path}: {e.strerror}"
    finally:
        os.close(fd)
    return None
