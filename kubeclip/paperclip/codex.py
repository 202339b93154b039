"""Codex ``exec --json`` output -> a Paperclip AdapterExecutionResult, as Paperclip's
codex_local reads it (``parseCodexJsonl`` and its execute, @paperclipai/adapter-codex-local
2026.916.1), checked against what the real CLI prints (@openai/codex 0.171.0,
tests/test_real_codex.py):

- ``thread.started`` carries the session (thread) id; ``item.completed`` items of type
  ``agent_message`` the text (the last one is the summary); ``turn.completed`` the usage
  (``input_tokens``, ``cached_input_tokens``, ``output_tokens``); a top-level ``error`` or
  ``turn.failed`` the error (the last one said). An ``error`` *item* is a warning (the
  real CLI says one for every model it has no metadata for): not an error;
- **usage on a resumed thread is the thread's running total** (codex 0.171.0 sums every
  turn of the thread): codex_local reports it as this run's; kubeclip says which it is
  (``usageBasis``: ``per_run`` for a new thread, ``session_cumulative`` on a resume).
  Codex reports no cost (``costUsd`` null, as codex_local);
- an unknown thread on resume is said on stderr only (``no rollout found for thread id``,
  exit 1, no ``thread.started``); a failed run's errorMessage is codex_local's: the error
  said, else the first stderr line, else ``Codex exited with code N``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from kubeclip.paperclip.jsonlines import JsonLines, as_dict, as_int

# codex_local's isCodexUnknownSessionError
UNKNOWN_SESSION = re.compile(
    r"unknown (session|thread)|session .* not found|thread .* not found"
    r"|conversation .* not found|missing rollout path for thread"
    r"|state db missing rollout path|state db returned stale rollout path"
    r"|no rollout found for thread id",
    re.IGNORECASE,
)
# stderr lines codex_local never reports as a run's error (its firstMeaningfulStderrLine)
NOT_A_REASON = re.compile(r"YOLO mode is enabled|\[paperclip\]|.*state db missing rollout path")


@dataclass
class CodexOutput(JsonLines):
    session_id: str | None = None
    summary: str = ""
    usage_said: dict[str, Any] | None = None  # the last turn.completed's usage
    errors: list[str] = field(default_factory=list)
    unknown_said: bool = False  # stderr said the thread to resume is not in CODEX_HOME
    stderr_line: str | None = None  # the first stderr line codex_local would report

    def event(self, event: dict[str, Any]) -> None:
        kind = event.get("type")
        if kind == "thread.started" and isinstance(event.get("thread_id"), str):
            self.session_id = event["thread_id"]
        elif kind == "item.completed":
            item = as_dict(event.get("item"))
            if item.get("type") == "agent_message" and isinstance(item.get("text"), str):
                self.summary = item["text"].strip()
        elif kind == "turn.completed":
            self.usage_said = as_dict(event.get("usage"))
        elif kind == "error" and isinstance(event.get("message"), str):
            self.errors.append(event["message"])
        elif kind == "turn.failed":
            message = as_dict(event.get("error")).get("message")
            if isinstance(message, str):
                self.errors.append(message)

    def stderr_text(self, text: str) -> None:
        self.unknown_said = self.unknown_said or bool(UNKNOWN_SESSION.search(text))
        if self.stderr_line is None and not NOT_A_REASON.match(text):
            self.stderr_line = text

    # --- results ---------------------------------------------------------------------------
    def unknown_session(self, exit_code: int | None) -> bool:
        if self.session_id is not None or exit_code in (0, None):
            return False
        return self.unknown_said or any(UNKNOWN_SESSION.search(e) for e in self.errors)

    def error_message(self, exit_code: int | None) -> str | None:
        if exit_code == 0:
            return None
        if self.errors:
            return self.errors[-1]
        if self.stderr_line:
            return self.stderr_line
        return f"Codex exited with code {exit_code if exit_code is not None else -1}"

    def result_fields(
        self, exit_code: int | None, model: str | None, workspace: dict[str, Any] | None
    ) -> dict[str, Any]:
        """The reader's share of Paperclip's AdapterExecutionResult (codex_local's)."""
        ws = workspace or {}
        clear = self.unknown_session(exit_code)
        session = self.session_id
        said = self.usage_said or {}
        fields: dict[str, Any] = {
            "usage": {"inputTokens": as_int(said.get("input_tokens")),
                      "cachedInputTokens": as_int(said.get("cached_input_tokens")),
                      "outputTokens": as_int(said.get("output_tokens"))},
            "usageBasis": "session_cumulative" if self.resumed else "per_run",
            "costUsd": None,
            "summary": self.summary,
            "sessionId": session,
            "sessionDisplayId": session,
            "sessionParams": None if session is None else {
                "sessionId": session, "cwd": ws.get("cwd"),
                **{k: ws[k] for k in ("workspaceId", "repoUrl", "repoRef") if ws.get(k)},
            },
            "clearSession": clear,
            "provider": "openai",
            "model": model,
            "resultJson": self.usage_said and {"usage": self.usage_said},
        }  # fmt: skip
        message = self.error_message(exit_code)
        if message is not None:
            fields["errorMessage"] = message
            if clear:
                fields["errorCode"] = "session_not_found"
        return fields


class _Codex:
    """Codex as a runtime of apply mode (kubeclip.run.runtime.Runtime)."""

    name = "Codex"

    def output(self) -> CodexOutput:
        return CodexOutput()


RUNTIME = _Codex()
