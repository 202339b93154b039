"""The one table between a run context and the environment Paperclip gives a run.

The renderer writes these variables from the run context into the pod; the drop-in
(``kubeclip-opencode``) reads them back into a run context from the environment Paperclip's
opencode_local exported. Both directions use :data:`RUN_ENV_TABLE`, so they cannot drift.
"""

from __future__ import annotations

import json
import posixpath
from typing import Any

from kubeclip.renderer.runcontext import RunContext
from kubeclip.renderer.runtimes import RUNTIMES, AgentRuntime

# (variable, path in the run context, kind): str as is, list joined with ",", json compact.
RUN_ENV_TABLE: tuple[tuple[str, tuple[str, ...], str], ...] = (
    ("PAPERCLIP_AGENT_ID", ("agent", "id"), "str"),
    ("PAPERCLIP_COMPANY_ID", ("agent", "companyId"), "str"),
    ("PAPERCLIP_RUN_ID", ("runId",), "str"),
    ("PAPERCLIP_API_URL", ("paperclipApiUrl",), "str"),
    ("PAPERCLIP_TASK_ID", ("context", "taskId"), "str"),  # or context.issueId
    ("PAPERCLIP_WAKE_REASON", ("context", "wakeReason"), "str"),
    ("PAPERCLIP_WAKE_COMMENT_ID", ("context", "wakeCommentId"), "str"),
    ("PAPERCLIP_APPROVAL_ID", ("context", "approvalId"), "str"),
    ("PAPERCLIP_APPROVAL_STATUS", ("context", "approvalStatus"), "str"),
    ("PAPERCLIP_LINKED_ISSUE_IDS", ("context", "issueIds"), "list"),
    ("PAPERCLIP_WAKE_PAYLOAD_JSON", ("context", "paperclipWake"), "json"),
    ("PAPERCLIP_WORKSPACE_CWD", ("context", "paperclipWorkspace", "cwd"), "str"),
    ("PAPERCLIP_WORKSPACE_SOURCE", ("context", "paperclipWorkspace", "source"), "str"),
    ("PAPERCLIP_WORKSPACE_STRATEGY", ("context", "paperclipWorkspace", "strategy"), "str"),
    ("PAPERCLIP_WORKSPACE_ID", ("context", "paperclipWorkspace", "workspaceId"), "str"),
    ("PAPERCLIP_WORKSPACE_REPO_URL", ("context", "paperclipWorkspace", "repoUrl"), "str"),
    ("PAPERCLIP_WORKSPACE_REPO_REF", ("context", "paperclipWorkspace", "repoRef"), "str"),
    ("PAPERCLIP_WORKSPACE_BRANCH", ("context", "paperclipWorkspace", "branchName"), "str"),
    (
        "PAPERCLIP_WORKSPACE_WORKTREE_PATH",
        ("context", "paperclipWorkspace", "worktreePath"),
        "str",
    ),
    ("AGENT_HOME", ("context", "paperclipWorkspace", "agentHome"), "str"),
    ("PAPERCLIP_WORKSPACES_JSON", ("context", "paperclipWorkspaces"), "json"),
)
# Owned by the run context: set from its fields (the key from authToken), never from env maps.
RUN_ENV = frozenset({name for name, _, _ in RUN_ENV_TABLE} | {"PAPERCLIP_API_KEY"})


# Owned by kubeclip itself (the prompt file, the proof, and what each runtime always gets:
# OpenCode's config and its permission bypass, Claude Code's sandbox flag): no source may
# set them.
KUBECLIP_ENV = frozenset(
    {"KUBECLIP_PROMPT_FILE", "KUBECLIP_RUN_NONCE", "KUBECLIP_RUN_PROOF", "KUBECLIP_WORKDIR",
     "KUBECLIP_FILES"}
    | {name for r in RUNTIMES.values() for name, _ in (*r.env, *r.skip_permissions_env)}
    | {r.config_env for r in RUNTIMES.values() if r.config_env}
)
# The agent config may set PAPERCLIP_API_URL (documented) and HOME (an explicit override).
CONFIG_MAY_SET = frozenset({"PAPERCLIP_API_URL", "HOME"})


def reserved_by(name: str, source: str) -> str | None:
    """Who owns the env name ``name`` that ``source`` ("inherited": the Paperclip container,
    "config": the agent config, "run": the run context's env maps) may not set: "kubeclip",
    "the run context", or None when it may. The one rule for all three."""
    if name in KUBECLIP_ENV:
        return "kubeclip"
    if name == "HOME":
        return None if source == "config" else "kubeclip"
    if name in RUN_ENV:
        may = CONFIG_MAY_SET if source in ("config", "inherited") else frozenset()
        return None if name in may else "the run context"
    return None


def compact_json(value: Any) -> str:
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False, sort_keys=True)


def _get(run: RunContext, path: tuple[str, ...]) -> Any:
    node: Any = run
    for key in path:
        if not isinstance(node, dict):
            return None
        node = node.get(key)
    return node


def run_env_pairs(run: RunContext, reachable_url: bool = False) -> list[tuple[str, str]]:
    """The run's variables for the pod, in table order, empty ones left out.
    ``reachable_url``: the pod already has a reachable PAPERCLIP_API_URL (config or
    Paperclip's pod), which a loopback one from the run never replaces."""
    pairs: list[tuple[str, str]] = []
    for name, path, kind in RUN_ENV_TABLE:
        value = _get(run, path)
        if name == "PAPERCLIP_TASK_ID":
            value = value or _get(run, ("context", "issueId"))
        elif name == "PAPERCLIP_API_URL" and value and reachable_url and is_loopback_url(value):
            value = None
        if kind == "list":
            value = ",".join(value or []) or None
        elif kind == "json":
            value = compact_json(value) if value else None
        if value not in (None, ""):
            pairs.append((name, str(value)))
    return pairs


def run_context_fields(env: dict[str, str]) -> dict[str, Any]:
    """The inverse: a run context's fields from the environment (empty ones left out)."""
    run: dict[str, Any] = {}
    for name, path, kind in RUN_ENV_TABLE:
        text = env.get(name) or None
        if text is None:
            continue
        value: Any = text
        if kind == "list":
            value = [i for i in text.split(",") if i] or None
        elif kind == "json":
            try:
                value = json.loads(text)
            except ValueError:
                value = text
        if value is None:
            continue
        node = run
        for key in path[:-1]:
            node = node.setdefault(key, {})
        node[path[-1]] = value
    return run


def resume_session(
    run: RunContext, cwd: str, cli: AgentRuntime
) -> tuple[str | None, str | None]:
    """The session to resume, or None and why not (a line for stderr).

    Only a session stored with this very cwd is resumed. Stricter than Paperclip's
    adapters, which also resume a session stored without a cwd: the real OpenCode takes
    its directory from ``$PWD``, and resuming a session created under another directory
    makes it start a second instance and hang forever, printing nothing; Claude Code keeps
    a session under its cwd (another cwd: "No conversation found")."""
    runtime = run.get("runtime") or {}
    params = runtime.get("sessionParams") or {}
    session = params.get("sessionId") or runtime.get("sessionId")
    if not session:
        return None, None
    if not cli.accepts_session(str(session)):
        return None, (f"session {session} is not a {cli.title} session id; it is not "
                      "resumed: starting a fresh one")  # fmt: skip
    stored_cwd = params.get("cwd")
    if not stored_cwd:
        return None, (f"session {session} was stored without its cwd; it is not resumed "
                      f"({cli.title} keeps a session to its directory): starting a fresh one")
    if posixpath.normpath(stored_cwd) != posixpath.normpath(cwd):
        return None, (f"session {session} was saved for cwd {stored_cwd!r} and is not resumed in "
                      f"{cwd!r}: starting a fresh one")
    return str(session), None


def is_loopback_url(url: str) -> bool:
    """http://127.0.0.1:3100, http://localhost:3100, http://[::1]/…: reachable only from the
    Paperclip container itself, never from an agent pod."""
    from urllib.parse import urlsplit

    try:
        host = (urlsplit(url).hostname or "").lower()
    except ValueError:
        return False
    return (
        host in ("localhost", "::1", "0.0.0.0", "::")
        or host.endswith(".localhost")
        or host.startswith("127.")
    )
