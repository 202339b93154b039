"""What apply mode knows of the agent CLI a run runs (its *runtime*): how to read its output
as it streams by, whether it refused the session it was asked to resume, and what its output
says for the result. ``run/`` never imports a runtime: a bridge hands one in (the CLI's
``kubeclip run`` and the Paperclip drop-in: OpenCode, :data:`kubeclip.paperclip.opencode.
RUNTIME`). This is the one seam every further runtime (Claude Code, Codex, …) plugs into.
"""

from __future__ import annotations

from typing import Any, Protocol


class AgentOutput(Protocol):
    """One run's output, read as it streams (the runner's taps), then asked about."""

    errors: list[str]  # the error messages the agent itself reported
    resumed: bool  # the run resumes a session (Codex's usage is then the thread's total)

    def feed_bytes(self, data: bytes) -> None: ...

    def feed_stderr(self, data: bytes) -> None: ...

    def close(self) -> None: ...

    def unknown_session(self, exit_code: int | None) -> bool:
        """The agent failed because it does not know the session it was to resume."""

    def result_fields(
        self, exit_code: int | None, model: str, workspace: dict[str, Any]
    ) -> dict[str, Any]:
        """The result's fields its output tells (usage, cost, session, summary, error)."""


class Runtime(Protocol):
    name: str  # as users know it ("OpenCode"), for kubeclip's own lines

    def output(self) -> AgentOutput: ...
