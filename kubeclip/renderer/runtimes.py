"""Every agent CLI kubeclip runs, as data: one :class:`AgentRuntime` per runtime.

The renderer reads nothing about a CLI from anywhere else: its argv (the non-interactive
mode and its JSON output, how a session is resumed, how the model and its variant are
given, the flags kubeclip owns), its state home (per agent on the claim: one SQLite home
in WAL mode shared by pods of several agents can be corrupted on a network filesystem),
the variables it always gets, and how permission prompts are turned off in a pod that no
one watches. Reading a CLI's output is the bridge's part (:mod:`kubeclip.run.runtime`).

Adding a runtime: one description here, its output reader beside
:mod:`kubeclip.paperclip.opencode`, and their tests (docs/runtimes.md).
"""

from __future__ import annotations

import re
from dataclasses import dataclass


@dataclass(frozen=True)
class AgentRuntime:
    key: str  # the config's `runtime`
    title: str  # as users know it, for messages
    command: str  # the executable when the config names none
    mode: tuple[str, ...]  # first: the non-interactive mode and its JSON output
    resume: tuple[str, ...]  # "{session}" is the session id
    model: tuple[str, ...]  # "{model}"
    variant: tuple[str, ...]  # "{variant}"; () when the CLI has none
    owned_flags: tuple[str, ...]  # set by kubeclip: refused in extraArgs
    state_env: str  # the variable naming the CLI's state home
    state_dir: str  # its name under the agent's directory on the claim
    state_note: str  # what is in it, for the warning about runs sharing it
    env: tuple[tuple[str, str], ...] = ()  # always set; no other source may set them
    early_flags: tuple[str, ...] = ()  # extraArgs the CLI wants before the session flag
    skip_permissions_args: tuple[str, ...] = ()
    skip_permissions_env: tuple[tuple[str, str], ...] = ()
    config_env: str | None = None  # where a Paperclip-generated CLI config goes
    session_id: str | None = None  # the session ids the CLI accepts (None: any)
    # Paperclip's timeout and cancel are a SIGTERM: OpenCode dies *by* it (Paperclip then
    # reports exitCode null, signal SIGTERM), Claude Code 2.1.332 catches it and exits 143
    # (exitCode 143, signal null). The drop-in ends as the CLI would have.
    exits_on_sigterm: int | None = None
    # Codex resumes with a subcommand, `exec [options] resume <id> -`: after every option
    resume_last: bool = False
    tail: tuple[str, ...] = ()  # the argv's last elements ("-": the prompt is on stdin)
    # (the CLI's name, the name users set): the same value under the CLI's, unless set
    key_aliases: tuple[tuple[str, str], ...] = ()

    def accepts_session(self, session: str) -> bool:
        return self.session_id is None or re.fullmatch(self.session_id, session) is not None


OPENCODE = AgentRuntime(
    key="opencode",
    title="OpenCode",
    command="opencode",
    mode=("run", "--format", "json"),
    resume=("--session", "{session}"),
    model=("--model", "{model}"),
    variant=("--variant", "{variant}"),
    owned_flags=("--format", "--session", "-s", "--continue", "-c", "--model", "-m",
                 "--variant"),
    # OpenCode keeps every session in one SQLite database in WAL mode under $XDG_DATA_HOME,
    # whose -shm file is shared memory.
    state_env="XDG_DATA_HOME",
    state_dir="opencode-data",
    state_note="database (SQLite, WAL mode, under XDG_DATA_HOME)",
    env=(("OPENCODE_DISABLE_PROJECT_CONFIG", "true"),),
    early_flags=("--print-logs",),  # where opencode_local puts it: before --session/--model
    # Per pod, never on the shared volume: one agent's bypass must not leak to another.
    skip_permissions_env=(
        ("OPENCODE_CONFIG_CONTENT", '{"permission":{"external_directory":"allow"}}'),
    ),
    config_env="OPENCODE_CONFIG_CONTENT",
)

CLAUDE = AgentRuntime(
    key="claude",
    title="Claude Code",
    command="claude",
    # as claude_local runs it: the prompt on stdin, one JSON event per line
    mode=("--print", "--output-format", "stream-json", "--verbose"),
    resume=("--resume", "{session}"),
    model=("--model", "{model}"),
    variant=("--effort", "{variant}"),
    owned_flags=("--print", "-p", "--output-format", "--input-format", "--resume", "-r",
                 "--continue", "-c", "--session-id", "--model", "--effort"),
    # sessions: <dir>/projects/<cwd, non-alphanumerics as ->/<uuid>.jsonl, state in
    # .claude.json beside them: a resume needs the same directory and the same cwd
    state_env="CLAUDE_CONFIG_DIR",
    state_dir="claude-config",
    state_note="config directory (CLAUDE_CONFIG_DIR: sessions and .claude.json)",
    env=(("DISABLE_AUTOUPDATER", "1"),),  # the pod's image is what runs, never an update
    # the CLI refuses --dangerously-skip-permissions as root unless told it is sandboxed:
    # an agent pod is
    skip_permissions_args=("--dangerously-skip-permissions",),
    skip_permissions_env=(("IS_SANDBOX", "1"),),
    session_id=r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}",
    exits_on_sigterm=143,
)

CODEX = AgentRuntime(
    key="codex",
    title="Codex",
    command="codex",
    # as codex_local runs it (engine "cli"): `codex exec --json [flags] [resume <id>] -`, the
    # prompt on stdin; its provider (a custom base_url) and reasoning effort are `-c`
    # overrides, in extraArgs (Codex reads no OPENAI_BASE_URL; the key: CODEX_API_KEY)
    mode=("exec", "--json"),
    resume=("resume", "{session}"),
    model=("--model", "{model}"),
    variant=(),
    owned_flags=("--json", "--experimental-json", "--model", "-m", "resume"),
    # several SQLite databases in WAL mode, session rollouts under sessions/YYYY/MM/DD
    state_env="CODEX_HOME",
    state_dir="codex-home",
    state_note="home (CODEX_HOME: SQLite databases in WAL mode, session rollouts)",
    # the pod is the sandbox: Codex's own (workspace-write) needs bubblewrap, which
    # codex 0.171.0 finds on PATH or beside its binary, and user namespaces in the pod
    skip_permissions_args=("--dangerously-bypass-approvals-and-sandbox",),
    session_id=r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}",
    resume_last=True,
    tail=("-",),
    # `codex exec` reads its key from CODEX_API_KEY, never from OPENAI_API_KEY, which is
    # the name codex_local's agents (and their docs) give it
    key_aliases=(("CODEX_API_KEY", "OPENAI_API_KEY"),),
)

RUNTIMES = {r.key: r for r in (OPENCODE, CLAUDE, CODEX)}
