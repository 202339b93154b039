"""An agent CLI's JSON-lines output, read as it streams by: the part every runtime's reader
shares (:mod:`kubeclip.paperclip.opencode`, :mod:`kubeclip.paperclip.claude`).

Lines are fed as they arrive, in any chunking, so memory stays bounded whatever the run's
length; a malformed line, or an event of a shape the reader does not expect, is plain log
output and never fatal: the reader only taps the byte stream. stderr is read line by line
too (its first non-empty line is what Paperclip's adapters report when nothing else said
why a run failed); ANSI escape codes are taken out of every message kubeclip reports.
"""

from __future__ import annotations

import json
import math
import re
from dataclasses import dataclass, field
from typing import Any

SUMMARY_LIMIT = 64 * 1024  # a summary, or the errors' text, keeps at most this much
STDERR_LINE_LIMIT = 64 * 1024  # a longer stderr "line" is matched by its first 64 KiB
ANSI = re.compile(r"\x1b(\[[0-?]*[ -/]*[@-~]|\][^\x07\x1b]*(\x07|\x1b\\)|[@-Z\\-_])")


def strip_ansi(text: str) -> str:
    """``\\x1b[91m\\x1b[1mError: \\x1b[0mSession not found`` -> ``Error: Session not found``."""
    return ANSI.sub("", text)


@dataclass
class JsonLines:
    plain_lines: int = 0
    resumed: bool = False  # the run resumes a session (told by the engine)
    first_stderr_line: str | None = None
    _pieces: list[bytes] = field(default_factory=list)  # an unfinished stdout line
    _err_piece: bytes = b""  # an unfinished stderr line (its first STDERR_LINE_LIMIT bytes)

    # --- for a runtime's reader ------------------------------------------------------------
    def event(self, event: dict[str, Any]) -> None:
        """One JSON object the CLI printed."""
        raise NotImplementedError

    def stderr_text(self, text: str) -> None:
        """One non-empty stderr line, ANSI codes taken out."""

    # --- feeding ---------------------------------------------------------------------------
    def feed_bytes(self, data: bytes) -> None:
        """Feed raw output (any chunking); complete lines are parsed. A long line arriving
        in many pieces is joined once, when its newline comes (not re-copied per piece)."""
        end = data.rfind(b"\n") + 1
        if not end:
            if data:
                self._pieces.append(data)
            return
        whole = b"".join([*self._pieces, data[:end]]) if self._pieces else data[:end]
        self._pieces = [data[end:]] if end < len(data) else []
        for line in whole.split(b"\n")[:-1]:
            self.feed_line(line.decode("utf-8", "replace"))

    def feed_stderr(self, data: bytes) -> None:
        """The agent's stderr, any chunking."""
        lines = (self._err_piece + data).split(b"\n")
        self._err_piece = lines.pop()[:STDERR_LINE_LIMIT]
        for line in lines:
            self._stderr_line(line[:STDERR_LINE_LIMIT])

    def _stderr_line(self, raw: bytes) -> None:
        text = strip_ansi(raw.decode("utf-8", "replace")).strip()
        if not text:
            return
        if self.first_stderr_line is None:
            self.first_stderr_line = text
        self.stderr_text(text)

    def close(self) -> None:
        if self._pieces:
            self.feed_line(b"".join(self._pieces).decode("utf-8", "replace"))
            self._pieces = []
        if self._err_piece:
            self._stderr_line(self._err_piece)
            self._err_piece = b""

    def feed_line(self, line: str) -> None:
        text = line.strip()
        if not text.startswith("{"):
            self.plain_lines += bool(text)
            return
        try:
            event = json.loads(text)
        except ValueError:
            self.plain_lines += 1
            return
        if not isinstance(event, dict):
            self.plain_lines += 1
            return
        try:
            self.event(event)
        except (TypeError, ValueError, KeyError, AttributeError, OverflowError):
            self.plain_lines += 1  # an event of an unexpected shape is only log output


def as_int(value: Any) -> int:
    """A count, or 0 for anything else (1e999, NaN, strings): a number the reader cannot
    represent is ignored, never fatal."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return 0
    return int(value) if math.isfinite(value) else 0


def as_float(value: Any) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return 0.0
    number = float(value)
    return number if math.isfinite(number) else 0.0


def as_dict(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


@dataclass
class Summary:
    """Texts joined by a blank line, at most SUMMARY_LIMIT characters in all."""

    parts: list[str] = field(default_factory=list)
    size: int = 0

    def add(self, text: str) -> None:
        if not text or self.size >= SUMMARY_LIMIT:
            return
        text = text[: SUMMARY_LIMIT - self.size]
        self.parts.append(text)
        self.size += len(text) + 2

    @property
    def text(self) -> str:
        return "\n\n".join(self.parts).strip()
