"""Signals in apply mode: a SIGTERM from Paperclip (its timeout, a cancel) or a Ctrl-C
cancels the run cleanly, never kills kubeclip half-way."""

from __future__ import annotations

import contextlib
import signal
import threading
from collections.abc import Iterator
from types import FrameType
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from kubeclip.run.handle import RunHandle


class _Latch:
    """SIGINT/SIGTERM received while no run is being followed (before the Job exists, or
    after cleanup while the result is written): recorded, never fatal. A run about to start
    sees it and cancels before creating anything; after a run the result is still written
    and the exit status is the documented one."""

    signal: str | None = None

    @classmethod
    def handler(cls, signum: int, frame: FrameType | None) -> None:
        cls.signal = cls.signal or signal.Signals(signum).name


def latch_signals(pending: str | None = None) -> None:
    """Install the latch for the whole command (`kubeclip run`, the drop-in); ``pending``:
    a signal that arrived before (the relay's own handler caught it)."""
    _Latch.signal = _Latch.signal or pending
    if threading.current_thread() is threading.main_thread():
        for sig in (signal.SIGINT, signal.SIGTERM):
            signal.signal(sig, _Latch.handler)


def pending_signal() -> str | None:
    """The signal latched before the run, if one came."""
    return _Latch.signal


def ignore_signals_until_exit() -> None:
    """The result is written: nothing is left to cancel. Python resets its own handlers to
    the default while the interpreter shuts down, so a SIGTERM then would still end the
    process *by the signal*; an ignored signal stays ignored through shutdown."""
    if threading.current_thread() is threading.main_thread():
        for sig in (signal.SIGINT, signal.SIGTERM):
            signal.signal(sig, signal.SIG_IGN)


@contextlib.contextmanager
def signals_cancel(handle: RunHandle) -> Iterator[None]:
    """While running, SIGINT/SIGTERM cancel the run: the main loop deletes the Job and
    reports. Previous handlers come back afterwards (kubeclip may run inside a host); a
    signal latched before the run cancels it at once."""
    if threading.current_thread() is not threading.main_thread():
        yield  # only the main thread can receive signals
        return
    if _Latch.signal:
        handle.cancel(_Latch.signal)

    def handler(signum: int, frame: FrameType | None) -> None:
        handle.cancel(signal.Signals(signum).name)

    previous = {s: signal.signal(s, handler) for s in (signal.SIGINT, signal.SIGTERM)}
    try:
        yield
    finally:
        for sig, old in previous.items():
            signal.signal(sig, old)
