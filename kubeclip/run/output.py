"""Where a run's output goes: the agent's two streams and kubeclip's own lines."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable
from typing import Any

from kubeclip.cluster.logs import split_streams
from kubeclip.run.result import RunResult

_STDERR: Any = object()  # Output's default progress stream: its stderr


class Output:
    """Where a run's output goes. Plain mode: the agent's stdout to stdout, the agent's
    stderr to stderr (split again from the log API's merged stream, see
    :data:`kubeclip.cluster.logs.STDERR_MARK`), kubeclip's own lines to ``progress`` (stderr unless
    told otherwise: Paperclip takes the first stderr line as the agent's error)."""

    def __init__(
        self,
        stdout: Any,
        stderr: Any,
        events: bool = False,
        tap: Callable[[bytes], None] | None = None,
        err_tap: Callable[[bytes], None] | None = None,
        progress: Any = _STDERR,
    ) -> None:
        self.stdout = stdout
        self.stderr = stderr
        self.progress = stderr if progress is _STDERR else progress  # None: kept quiet
        self.events = events
        self.tap = tap  # e.g. the OpenCode output parser, fed the same bytes
        self.err_tap = err_tap  # the agent's stderr bytes, e.g. for its first line
        self._lock = threading.Lock()
        self.last_log = time.monotonic()  # when the agent last printed (idleTimeoutSec)

    def log(self, data: bytes) -> None:
        """The agent's bytes, written before anything else looks at them. A slow reader
        blocks this write, and so the log stream: back-pressure, never a dropped line."""
        out, err = split_streams(data)
        self.last_log = time.monotonic()
        with self._lock:
            if self.events:
                for stream, chunk in (("stdout", out), ("stderr", err)):
                    lines = chunk.split(b"\n")  # only \n ends a line; \r is content
                    if lines and lines[-1] == b"":
                        lines.pop()
                    for line in lines:
                        event = {"type": "log", "line": line.decode("utf-8", "replace")}
                        if stream == "stderr":
                            event["stream"] = stream
                        self._event(event)
            else:
                if out:
                    self.stdout.buffer.write(out)
                    self.stdout.buffer.flush()
                if err:
                    self.stderr.buffer.write(err)
                    self.stderr.buffer.flush()
            for tap, chunk in (("tap", out), ("err_tap", err)):
                fn = getattr(self, tap)
                if fn is None or not chunk:
                    continue
                try:
                    fn(chunk)
                except Exception as e:  # a tap is an observer: it never costs output
                    setattr(self, tap, None)
                    self._say(f"kubeclip: output parser disabled: {e!r}")

    def _say(self, line: str) -> None:
        if self.progress is not None:
            self.progress.write(line + "\n")
            self.progress.flush()

    def status(self, stage: str, message: str) -> None:
        with self._lock:
            if self.events:
                self._event({"type": "status", "stage": stage, "message": message})
            else:
                self._say(f"kubeclip: {message}")

    def notice(self, stage: str, message: str) -> None:
        """A status line the user must see even when progress is kept quiet (e.g. waiting
        for a turn): stderr, or an event."""
        with self._lock:
            if self.events:
                self._event({"type": "status", "stage": stage, "message": message})
            else:
                self.stderr.write(f"kubeclip: {message}\n")
                self.stderr.flush()

    def result(self, result: RunResult) -> None:
        with self._lock:
            self._say(result.line())
            if self.events:
                self._event({"type": "result", **result.to_json()})

    def _event(self, body: dict[str, Any]) -> None:
        self.stdout.write(json.dumps(body, ensure_ascii=False) + "\n")
        self.stdout.flush()
