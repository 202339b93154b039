"""Claude Code ``--print --output-format stream-json --verbose`` output -> a Paperclip
AdapterExecutionResult, as Paperclip's claude_local reads it (``parseClaudeStreamJson`` and
``toAdapterResult``, @paperclipai/adapter-claude-local 2026.916.1), checked against what the
real CLI prints (@anthropic-ai/claude-code 2.1.332, tests/test_real_claude.py):

- ``system``/``init`` carries the session id and the model; ``assistant`` events carry
  text blocks (the summary when the result has none); the one ``result`` event ends the
  run: ``subtype`` (``success``, ``error_during_execution``, ``error_max_turns``),
  ``is_error``, ``result`` (the last text, or the API's error), ``errors`` (a resume
  the CLI does not know: ``No conversation found with session ID: …``), usage and cost;
- **usage and cost are per run.** ``total_cost_usd`` and ``modelUsage`` are the session's
  running totals: a resumed session reports the earlier runs again (claude_local reports
  them as this run's). The CLI's ``model_usage_since_last_result`` is this run's own
  ledger per model (subagents included): input = input + cache creation, cached = cache
  reads, cost = the models' ``costUSD``. Without it, the result's ``usage`` (this run's
  main loop) and ``total_cost_usd``;
- a run failed when it did not end in ``success`` without ``is_error`` and it exited
  non-zero or said ``is_error`` (a 401 ends ``success`` with ``is_error`` and exit 1);
  its errorMessage is claude_local's: ``Claude run failed: subtype=…: <result|errors[0]>``,
  without a result event ``Claude exited with code N: <first stderr line>``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from kubeclip.paperclip.jsonlines import JsonLines, Summary, as_dict, as_float, as_int

# claude_local's isClaudeUnknownSessionError
UNKNOWN_SESSION = re.compile(
    r"no conversation found with session id|unknown session|session .* not found"
    r"|not a valid UUID|--resume requires a valid session|is not a UUID"
    r"|does not match any session title",
    re.IGNORECASE,
)
# claude_local's login-prompt markers. The CLI says a key the API refused (401) as
# "Invalid API key · Fix external API key", which they miss: kubeclip reads the 401 too.
LOGIN_REQUIRED = re.compile(
    r"not\s+logged\s+in|please\s+log\s+in|please\s+run\s+(?:`?claude\s+login`?|/login)"
    r"|login\s+required|requires\s+login|unauthorized|authentication\s+required"
    r"|invalid\s+api\s+key[\s\S]{0,120}(?:/login|claude\s+login|log\s+in)",
    re.IGNORECASE,
)


@dataclass
class ClaudeOutput(JsonLines):
    session_id: str | None = None
    model: str | None = None
    result: dict[str, Any] | None = None  # the result event
    errors: list[str] = field(default_factory=list)  # the result's, and its failure text
    _texts: Summary = field(default_factory=Summary)

    def event(self, event: dict[str, Any]) -> None:
        kind = event.get("type")
        session = event.get("session_id")
        if kind in ("system", "assistant", "result") and isinstance(session, str) and session:
            self.session_id = session
        if kind == "system" and event.get("subtype") == "init":
            if isinstance(event.get("model"), str):
                self.model = event["model"]
        elif kind == "assistant":
            for block in as_dict(event.get("message")).get("content") or []:
                if isinstance(block, dict) and block.get("type") == "text":
                    text = block.get("text")
                    self._texts.add(text if isinstance(text, str) else "")
        elif kind == "result":
            self.result = event
            self.errors = _error_messages(event)

    # --- results ---------------------------------------------------------------------------
    @property
    def summary(self) -> str:
        text = (self.result or {}).get("result")
        return text.strip() if isinstance(text, str) else self._texts.text

    def failed(self, exit_code: int | None) -> bool:
        if self.result is None:
            return exit_code not in (0, None)
        ok = self.result.get("subtype") == "success" and not self.result.get("is_error")
        return not ok and (exit_code != 0 or bool(self.result.get("is_error")))

    def unknown_session(self, exit_code: int | None) -> bool:
        if self.result is None or not self.failed(exit_code):
            return False
        said = [str(self.result.get("result") or ""), *self.errors]
        return any(UNKNOWN_SESSION.search(text) for text in said)

    def usage(self) -> tuple[dict[str, int], float | None]:
        """This run's tokens and cost (see the module's docstring)."""
        result = self.result or {}
        since = result.get("model_usage_since_last_result")
        if isinstance(since, dict):
            models = [as_dict(m) for m in since.values()]
            return {
                "inputTokens": sum(as_int(m.get("inputTokens"))
                                   + as_int(m.get("cacheCreationInputTokens")) for m in models),
                "cachedInputTokens": sum(as_int(m.get("cacheReadInputTokens")) for m in models),
                "outputTokens": sum(as_int(m.get("outputTokens")) for m in models),
            }, round(sum(as_float(m.get("costUSD")) for m in models), 10)  # fmt: skip
        usage = as_dict(result.get("usage"))
        cost = result.get("total_cost_usd")
        return {
            "inputTokens": as_int(usage.get("input_tokens")),
            "cachedInputTokens": as_int(usage.get("cache_read_input_tokens")),
            "outputTokens": as_int(usage.get("output_tokens")),
        }, (as_float(cost) if isinstance(cost, (int, float)) else None)

    def error_message(self, exit_code: int | None) -> str | None:
        if not self.failed(exit_code):
            return None
        if self.result is None:
            if exit_code == 0:
                return "Failed to parse claude JSON output"
            line = f": {self.first_stderr_line}" if self.first_stderr_line else ""
            return f"Claude exited with code {exit_code}{line}"
        parts = ["Claude run failed"]
        subtype = self.result.get("subtype")
        if isinstance(subtype, str) and subtype:
            parts.append(f"subtype={subtype}")
        text = self.result.get("result")
        detail = text.strip() if isinstance(text, str) else ""
        detail = detail or (self.errors[0] if self.errors else "")
        if detail:
            parts.append(detail)
        return ": ".join(parts) if len(parts) > 1 else f"Claude exited with code {exit_code}"

    def error_code(self, exit_code: int | None) -> str | None:
        """claude_local's codes a failed run can carry (None: the runner's reason)."""
        if not self.failed(exit_code):
            return None
        if self.unknown_session(exit_code):
            return "session_not_found"
        result = self.result or {}
        said = "\n".join([str(result.get("result") or ""), *self.errors,
                          self.first_stderr_line or ""])  # fmt: skip
        if result.get("api_error_status") == 401 or LOGIN_REQUIRED.search(said):
            return "claude_auth_required"
        if result.get("subtype") == "error_max_turns":
            return "max_turns_exhausted"
        return None

    def result_fields(
        self, exit_code: int | None, model: str | None, workspace: dict[str, Any] | None
    ) -> dict[str, Any]:
        """The reader's share of Paperclip's AdapterExecutionResult (claude_local's)."""
        ws = workspace or {}
        clear = self.unknown_session(exit_code)
        session = None if clear else self.session_id
        usage, cost = self.usage()
        fields: dict[str, Any] = {
            "usage": usage,
            "usageBasis": "per_run",
            "costUsd": cost,
            "summary": self.summary,
            "sessionId": session,
            "sessionDisplayId": session,
            "sessionParams": None if session is None else {
                "sessionId": session, "cwd": ws.get("cwd"),
                **{k: ws[k] for k in ("workspaceId", "repoUrl", "repoRef") if ws.get(k)},
            },
            "clearSession": clear,
            "provider": "anthropic",
            "model": self.model or model,
            "resultJson": self.result,
        }  # fmt: skip
        message, code = self.error_message(exit_code), self.error_code(exit_code)
        if message is not None:
            fields["errorMessage"] = message
            if code is not None:
                fields["errorCode"] = code
            if exit_code == 0:
                fields["exitCode"] = 1  # said is_error yet exited 0: a failed run
        return fields


def _error_messages(result: dict[str, Any]) -> list[str]:
    """claude_local's extractClaudeErrorMessages: strings, else message/error/code."""
    out: list[str] = []
    for entry in result.get("errors") or []:
        if isinstance(entry, str) and entry.strip():
            out.append(entry.strip())
        elif isinstance(entry, dict):
            text = entry.get("message") or entry.get("error") or entry.get("code")
            if isinstance(text, str) and text:
                out.append(text)
    return out


class _Claude:
    """Claude Code as a runtime of apply mode (kubeclip.run.runtime.Runtime)."""

    name = "Claude Code"

    def output(self) -> ClaudeOutput:
        return ClaudeOutput()


RUNTIME = _Claude()
