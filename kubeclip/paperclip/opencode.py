"""OpenCode ``run --format json`` output -> a Paperclip AdapterExecutionResult.

Streaming: lines are fed as they arrive, so memory stays bounded whatever the run's
length (the summary and the error text keep at most ``SUMMARY_LIMIT`` characters each).
Shared by every bridge.

The rules read the same fields as Paperclip's own ``parseOpenCodeJsonl`` (opencode_local),
so a run gives the same result through kubeclip as through Paperclip, and they follow what
the real binary prints (``tests/captures``, OpenCode 1.18.34), not what we once assumed:
- the top-level ``sessionID`` of any event is the session to resume (real ids: ``ses_``
  and 26 characters);
- ``text`` parts (one event per *completed* part: no deltas) form the summary, trimmed and
  joined by a blank line;
- ``step_finish`` parts carry usage: input += input, cached += cache.read, output +=
  output + reasoning, cost += cost (OpenCode's ``input`` already excludes the cached
  tokens and its ``output`` the reasoning ones). A part id seen twice (a reconnect that
  replayed a line) is counted once;
- ``error`` events are errors (their text: ``message``, else ``data.message``, else
  ``name``, ``code``), joined by newlines; a run that printed one and exited 0 failed
  (exit 1). Provider errors come this way, with exit 1 and no ``step_start`` before them;
- failed tool calls are recorded, not fatal;
- an **unknown session** is said only on stderr (``Error: Session not found``, in ANSI
  colours, nothing on stdout, exit 1): stderr lines and error events are matched, and only a
  failed run asks to clear the session. Unlike Paperclip's rule, ``NotFoundError`` alone
  is not enough (it also matches ``ProviderModelNotFoundError``: a wrong model is not a
  lost session), and the model's own text never counts;
- a step limit (``agent.<name>.steps``) prints nothing at all: OpenCode asks the model to
  stop and exits 0, so it is an ordinary successful run;
- ANSI escape codes are taken out of every message kubeclip reports.
Anything else, malformed lines included, is plain log output.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import Any

from kubeclip.paperclip.jsonlines import (
    ANSI,
    SUMMARY_LIMIT,
    JsonLines,
    Summary,
    as_dict,
    as_float,
    as_int,
    strip_ansi,
)
from kubeclip.paperclip.sinks import error_event

__all__ = ["ANSI", "RUNTIME", "UNKNOWN_SESSION", "OpenCodeOutput", "error_line", "strip_ansi"]

UNKNOWN_SESSION = re.compile(
    r"unknown\s+session|session\b.*\bnot\s+found|no\s+session\s+found|invalid\s+session"
    r"|session\b.*\b(does\s+not|doesn't)\s+exist"
    r"|resource\s+not\s+found:.*[\\/]session[\\/].*\.json",
    re.IGNORECASE,
)


@dataclass
class Usage:
    inputTokens: int = 0
    outputTokens: int = 0
    cachedInputTokens: int = 0


@dataclass
class OpenCodeOutput(JsonLines):
    """What a run's JSONL (stdout) and stderr said, accumulated line by line."""

    session_id: str | None = None
    usage: Usage = field(default_factory=Usage)
    cost_usd: float = 0.0
    errors: list[str] = field(default_factory=list)
    tool_errors: list[dict[str, Any]] = field(default_factory=list)
    says_unknown_session: bool = False  # an error event or stderr line said so
    _summary: Summary = field(default_factory=Summary)
    _errors_len: int = 0
    _seen_steps: set[str] = field(default_factory=set)

    def stderr_text(self, text: str) -> None:
        """The only place the real binary says the session is unknown."""
        if UNKNOWN_SESSION.search(text):
            self.says_unknown_session = True

    def event(self, event: dict[str, Any]) -> None:
        kind = event.get("type")
        raw_part = event.get("part")
        part: dict[str, Any] = raw_part if isinstance(raw_part, dict) else {}
        session = event.get("sessionID")
        if isinstance(session, str) and session.strip():
            self.session_id = session.strip()
        if kind == "text":
            text = part.get("text")
            self._summary.add(text.strip() if isinstance(text, str) else "")
        elif kind == "step_finish":
            step_id = part.get("id")
            if isinstance(step_id, str):
                if step_id in self._seen_steps:
                    return
                self._seen_steps.add(step_id)
            tokens = as_dict(part.get("tokens"))
            cache = as_dict(tokens.get("cache"))
            self.usage.inputTokens += as_int(tokens.get("input"))
            self.usage.cachedInputTokens += as_int(cache.get("read"))
            output = as_int(tokens.get("output")) + as_int(tokens.get("reasoning"))
            self.usage.outputTokens += output
            self.cost_usd += as_float(part.get("cost"))
        elif kind == "tool_use":
            state = as_dict(part.get("state"))
            if state.get("status") == "error":
                self.tool_errors.append(
                    {"tool": part.get("tool"), "error": strip_ansi(_message(state.get("error")))}
                )
        elif kind == "error":
            error = event.get("error")
            message = strip_ansi(_message(event.get("message") if error is None else error))
            message = message.strip()
            if message and self._errors_len < SUMMARY_LIMIT:
                self.errors.append(message[: SUMMARY_LIMIT - self._errors_len])
                self._errors_len += len(message) + 1
            if UNKNOWN_SESSION.search(message):
                self.says_unknown_session = True

    # --- results ---------------------------------------------------------------------------
    @property
    def summary(self) -> str:
        return self._summary.text

    @property
    def error_message(self) -> str | None:
        """Every error event's text, one per line (as Paperclip joins them)."""
        return "\n".join(self.errors) or None

    def reported_error(self, exit_code: int | None) -> str | None:
        """A failed run's errorMessage, in Paperclip's order: the error events' text, else
        the first stderr line, else the exit code. None when the run succeeded (or ended by a
        signal: ``exit_code`` None)."""
        code = 1 if self.errors and exit_code == 0 else exit_code
        if not code:
            return None
        return self.error_message or self.first_stderr_line or f"OpenCode exited with code {code}"

    def failed(self, exit_code: int | None) -> bool:
        return bool(self.errors) or exit_code not in (0, None)

    def unknown_session(self, exit_code: int | None) -> bool:
        """OpenCode did not know the ``--session`` it was given: a failed run that said so
        (a successful run that merely mentions it does not count)."""
        return self.says_unknown_session and self.failed(exit_code)

    def result_fields(
        self, exit_code: int | None, model: str | None, workspace: dict[str, Any] | None
    ) -> dict[str, Any]:
        """The parser's share of Paperclip's AdapterExecutionResult."""
        ws = workspace or {}
        provider = model.split("/", 1)[0] if model and "/" in model else None
        clear = self.unknown_session(exit_code)
        fields: dict[str, Any] = {
            "usage": {
                "inputTokens": self.usage.inputTokens,
                "outputTokens": self.usage.outputTokens,
                "cachedInputTokens": self.usage.cachedInputTokens,
            },
            "costUsd": round(self.cost_usd, 10),
            "summary": self.summary,
            "sessionId": None if clear else self.session_id,
            "sessionDisplayId": None if clear else self.session_id,
            "sessionParams": None,
            "clearSession": clear,
            "provider": provider,
            "model": model,
            "toolErrors": self.tool_errors,
        }
        if self.session_id and not clear:
            fields["sessionParams"] = {
                "sessionId": self.session_id,
                "cwd": ws.get("cwd"),
                "workspaceId": ws.get("workspaceId"),
                "repoUrl": ws.get("repoUrl"),
                "repoRef": ws.get("repoRef"),
            }
        said = self.reported_error(exit_code)
        if said and (self.errors or self.first_stderr_line):  # else: the runner's own words
            fields["errorMessage"] = said
        if self.errors or clear:
            fields["errorCode"] = "session_not_found" if clear else "opencode_error"
            if exit_code == 0:
                fields["exitCode"] = 1  # printed an error yet exited 0: a failed run
        return fields


def _message(error: Any) -> str:
    """An error's text, as Paperclip's ``errorText`` reads it: a string, else ``message``,
    ``data.message``, ``name``, ``code``, else the object as JSON."""
    if isinstance(error, str):
        return error
    if not isinstance(error, dict):
        return ""
    data = as_dict(error.get("data"))
    for candidate in (error.get("message"), data.get("message"), error.get("name"),
                      error.get("code")):  # fmt: skip
        if isinstance(candidate, str) and candidate.strip():
            return candidate.strip()
    return json.dumps(error, ensure_ascii=False, separators=(",", ":"))[:SUMMARY_LIMIT]


# An OpenCode-style error event, for failures OpenCode itself never saw (infra): the one
# format of kubeclip.paperclip.sinks, which the relays write too.
error_line = error_event


class _OpenCode:
    """OpenCode as a runtime of apply mode (kubeclip.run.runtime.Runtime)."""

    name = "OpenCode"

    def output(self) -> OpenCodeOutput:
        return OpenCodeOutput()


RUNTIME = _OpenCode()
