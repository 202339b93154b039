"""OpenCode ``run --format json`` output -> a Paperclip AdapterExecutionResult.

Streaming: lines are fed as they arrive, so memory stays bounded whatever the run's
length (the summary keeps at most ``SUMMARY_LIMIT`` characters). Shared by every bridge.

Rules (shared/reference/opencode-jsonl.md):
- any event's ``sessionID`` is the session to resume;
- ``text`` parts form the summary;
- ``step_finish`` parts carry usage: input += input, cached += cache.read,
  output += output + reasoning, cost += cost. A part id seen twice (a reconnect that
  replayed a line) is counted once;
- ``error`` events are errors; a run that printed one and exited 0 failed (exit 1);
- failed tool calls are recorded, not fatal;
- "session not found/unknown" asks to clear the session (and retry fresh);
  step/turn limits ask to clear it too.
Anything else, malformed lines included, is plain log output.
"""

from __future__ import annotations

import json
import math
import re
from dataclasses import dataclass, field
from typing import Any

SUMMARY_LIMIT = 64 * 1024
UNKNOWN_SESSION = re.compile(
    r"(session\b.*\b(not found|unknown|does not exist|doesn't exist|no such))"
    r"|(unknown session|no session found|invalid session)",
    re.IGNORECASE,
)
STEP_LIMIT = re.compile(
    r"max(imum)?[ _-]?(steps|turns)|(step|turn)s?[ _-]limit|too many (steps|turns)",
    re.IGNORECASE,
)


@dataclass
class Usage:
    inputTokens: int = 0
    outputTokens: int = 0
    cachedInputTokens: int = 0


@dataclass
class OpenCodeOutput:
    """What a run's JSONL said, accumulated line by line."""

    session_id: str | None = None
    usage: Usage = field(default_factory=Usage)
    cost_usd: float = 0.0
    errors: list[str] = field(default_factory=list)
    tool_errors: list[dict[str, Any]] = field(default_factory=list)
    unknown_session: bool = False
    step_limit: bool = False
    plain_lines: int = 0
    first_stderr_line: str | None = None  # Paperclip's errorMessage when no error event
    _summary: list[str] = field(default_factory=list)
    _summary_len: int = 0
    _seen_steps: set[str] = field(default_factory=set)
    _pieces: list[bytes] = field(default_factory=list)  # an unfinished line

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
        """The agent's stderr: only its first non-empty line matters (Paperclip's
        errorMessage for a crash that printed no error event)."""
        if self.first_stderr_line is not None:
            return
        for line in data.split(b"\n"):
            text = line.decode("utf-8", "replace").strip()
            if text:
                self.first_stderr_line = text
                return

    def close(self) -> None:
        if self._pieces:
            self.feed_line(b"".join(self._pieces).decode("utf-8", "replace"))
            self._pieces = []

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
            self._event(event)
        except (TypeError, ValueError, KeyError, AttributeError, OverflowError):
            self.plain_lines += 1  # an event of an unexpected shape is only log output

    def _event(self, event: dict[str, Any]) -> None:
        kind = event.get("type")
        raw_part = event.get("part")
        part: dict[str, Any] = raw_part if isinstance(raw_part, dict) else {}
        session = event.get("sessionID") or part.get("sessionID")
        if isinstance(session, str) and session:
            self.session_id = session
        if kind == "text":
            self._add_summary(str(part.get("text", "")))
        elif kind == "step_finish":
            step_id = part.get("id")
            if isinstance(step_id, str):
                if step_id in self._seen_steps:
                    return
                self._seen_steps.add(step_id)
            tokens = part.get("tokens") or {}
            cache = tokens.get("cache") or {}
            self.usage.inputTokens += _int(tokens.get("input"))
            self.usage.cachedInputTokens += _int(cache.get("read"))
            self.usage.outputTokens += _int(tokens.get("output")) + _int(tokens.get("reasoning"))
            self.cost_usd += _float(part.get("cost"))
        elif kind == "tool_use":
            state = part.get("state") or {}
            if state.get("status") == "error":
                self.tool_errors.append(
                    {"tool": part.get("tool"), "error": _message(state.get("error"))}
                )
        elif kind == "error":
            message = _message(event.get("error")) or "OpenCode reported an error"
            self.errors.append(message)
            self._classify(message)

    def _classify(self, message: str) -> None:
        if UNKNOWN_SESSION.search(message):
            self.unknown_session = True
        if STEP_LIMIT.search(message):
            self.step_limit = True

    def _add_summary(self, text: str) -> None:
        if not text or self._summary_len >= SUMMARY_LIMIT:
            return
        text = text[: SUMMARY_LIMIT - self._summary_len]
        self._summary.append(text)
        self._summary_len += len(text)

    # --- results ---------------------------------------------------------------------------
    @property
    def summary(self) -> str:
        return "\n".join(self._summary).strip()

    @property
    def clear_session(self) -> bool:
        return self.unknown_session or self.step_limit

    def result_fields(
        self, exit_code: int | None, model: str | None, workspace: dict[str, Any] | None
    ) -> dict[str, Any]:
        """The parser's share of Paperclip's AdapterExecutionResult."""
        ws = workspace or {}
        provider = model.split("/", 1)[0] if model and "/" in model else None
        fields: dict[str, Any] = {
            "usage": {
                "inputTokens": self.usage.inputTokens,
                "outputTokens": self.usage.outputTokens,
                "cachedInputTokens": self.usage.cachedInputTokens,
            },
            "costUsd": round(self.cost_usd, 10),
            "summary": self.summary,
            "sessionId": None if self.clear_session else self.session_id,
            "sessionDisplayId": None if self.clear_session else self.session_id,
            "sessionParams": None,
            "clearSession": self.clear_session,
            "provider": provider,
            "model": model,
            "toolErrors": self.tool_errors,
        }
        if self.session_id and not self.clear_session:
            fields["sessionParams"] = {
                "sessionId": self.session_id,
                "cwd": ws.get("cwd"),
                "workspaceId": ws.get("workspaceId"),
                "repoUrl": ws.get("repoUrl"),
                "repoRef": ws.get("repoRef"),
            }
        if self.errors:
            fields["errorMessage"] = self.errors[-1]
            fields["errorCode"] = (
                "session_not_found"
                if self.unknown_session
                else "step_limit"
                if self.step_limit
                else "opencode_error"
            )
            if exit_code == 0:
                fields["exitCode"] = 1  # printed an error yet exited 0: a failed run
        return fields


def _int(value: Any) -> int:
    """A count, or 0 for anything else (1e999, NaN, strings): a number the parser cannot
    represent is ignored, never fatal — the parser only taps the byte stream."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return 0
    return int(value) if math.isfinite(value) else 0


def _float(value: Any) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return 0.0
    number = float(value)
    return number if math.isfinite(number) else 0.0


def _message(error: Any) -> str:
    """OpenCode errors: {name, data: {message}} or {message}, or a plain string."""
    if isinstance(error, str):
        return error
    if not isinstance(error, dict):
        return ""
    raw_data = error.get("data")
    data: dict[str, Any] = raw_data if isinstance(raw_data, dict) else {}
    for candidate in (data.get("message"), error.get("message"), error.get("name")):
        if isinstance(candidate, str) and candidate:
            return candidate
    return json.dumps(error, ensure_ascii=False)[:500]


def error_line(message: str, session_id: str | None = None) -> str:
    """An OpenCode-style error event, for failures OpenCode itself never saw (infra)."""
    event: dict[str, Any] = {
        "type": "error",
        "error": {"name": "KubeclipError", "message": message, "data": {"message": message}},
    }
    if session_id:
        event["sessionID"] = session_id
    return json.dumps(event, ensure_ascii=False)
