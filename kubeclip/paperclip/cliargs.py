"""How each Paperclip adapter calls its CLI, read back: which runtime an argv is, and what
in it kubeclip decides itself (the session, the model and its variant, the permission
bypass, the output mode) versus what passes through to the CLI in the pod.

Why a table per runtime here and not the renderer's :data:`RUNTIMES`: the renderer says
how kubeclip *builds* an argv; this is how Paperclip's adapters *wrote* one (aliases,
``--print -`` for stdin, the files they name), which only the bridges read.

Files named by path (claude_local's prompt bundle, instructions file and MCP config)
were read by the relay where Paperclip runs (:func:`kubeclip.paperclip.invocation.
named_files`): they go into the run's ``files`` and the argv names their copy in the
pod (:data:`kubeclip.renderer.plan.FILES_DIR`).
"""

from __future__ import annotations

import base64
import posixpath
from dataclasses import dataclass, field
from typing import Any

from kubeclip.errors import UsageError
from kubeclip.paperclip.invocation import FILE_FLAGS, run_runtime
from kubeclip.renderer.plan import FILES_DIR
from kubeclip.renderer.runtimes import RUNTIMES, AgentRuntime


@dataclass(frozen=True)
class AdapterArgv:
    runtime: str
    values: dict[str, str]  # flag -> what it sets: session, model, variant, format
    consumed: tuple[str, ...] = ()  # flags with no value that kubeclip's render sets again
    bypass: str | None = None  # the permission bypass flag, when the adapter passed it
    file_flags: tuple[str, ...] = ()  # flags whose value is a local path to carry
    credential_flags: tuple[str, ...] = ()  # ...and whose file holds a credential
    formats: tuple[str, ...] = ()  # the output format the adapter's parser reads
    stdin_dash: bool = False  # a lone "-" means "the prompt on stdin"
    first: str | None = None  # the argv's first element, when it is the mode
    resume_tail: str | None = None  # `<this> <session> -` ends a resume (Codex's subcommand)


ADAPTERS = {
    "opencode": AdapterArgv(
        runtime="opencode", first="run", formats=("json",),
        values={"--format": "format", "--session": "session", "-s": "session",
                "--model": "model", "-m": "model", "--variant": "variant"},
    ),
    "claude": AdapterArgv(
        runtime="claude", formats=("stream-json",), stdin_dash=True,
        values={"--output-format": "format", "--resume": "session", "-r": "session",
                "--model": "model", "--effort": "variant"},
        consumed=("--print", "-p", "--verbose"),
        bypass="--dangerously-skip-permissions",
        file_flags=FILE_FLAGS["claude"],
        credential_flags=("--mcp-config",),  # the run's bearer tokens for its MCP servers
    ),
    "codex": AdapterArgv(
        runtime="codex", first="exec", stdin_dash=True, resume_tail="resume",
        values={"--model": "model", "-m": "model"},
        consumed=("--json",),
        bypass="--dangerously-bypass-approvals-and-sandbox",
    ),
}  # fmt: skip


def runtime_of(args: list[str]) -> AgentRuntime | None:
    """The runtime whose adapter wrote this argv (:func:`invocation.run_runtime`)."""
    key = run_runtime(args)
    return RUNTIMES[key] if key else None


@dataclass
class ParsedArgv:
    session: str | None = None
    model: str | None = None
    variant: str | None = None
    bypass: bool = False
    extra: list[str] = field(default_factory=list)
    named: list[tuple[int, str]] = field(default_factory=list)  # (index in extra, flag)


def parse(runtime: AgentRuntime, args: list[str]) -> ParsedArgv:
    """Split an adapter's argv: what kubeclip sets itself, and the rest passed through."""
    table = ADAPTERS[runtime.key]
    out = ParsedArgv()
    if table.first is not None:
        if args[:1] != [table.first]:  # codex_local's `search: true`: a flag of Codex's TUI
            raise UsageError(f"{args[0]} before {table.first}: not passed by kubeclip yet "
                             f"(codex_local's search setting); turn it off for this agent")
        args = args[1:]
    if table.resume_tail and args[-3:-2] == [table.resume_tail] and args[-1:] == ["-"]:
        out.session, args = args[-2], [*args[:-3], "-"]
    i = 0
    while i < len(args):
        arg = args[i]
        name, eq, inline = arg.partition("=")
        if name in table.values:
            value = inline if eq else (args[i + 1] if i + 1 < len(args) else None)
            if value is None:
                raise UsageError(f"{name} needs a value")
            i += 1 if eq else 2
            key = table.values[name]
            if key == "format":
                if value not in table.formats:
                    raise UsageError(f"only {name} {table.formats[0]} is supported (Paperclip's "
                                     "adapter reads that)")  # fmt: skip
                continue
            setattr(out, key, value)
            continue
        i += 1
        if arg in table.consumed or (arg == "-" and table.stdin_dash):
            continue
        if arg == table.bypass:
            out.bypass = True
            continue
        out.extra.append(arg)
        if name in table.file_flags:
            if not eq and i < len(args):
                out.extra.append(args[i])
                i += 1
            out.named.append((len(out.extra) - 1, name))
    return out


def into_config(
    runtime: AgentRuntime, parsed: ParsedArgv, raw: dict[str, Any], source: str
) -> None:
    """What the adapter's argv decides of the agent config: it wins over the file."""
    if raw.setdefault("runtime", runtime.key) != runtime.key:  # the argv says which CLI
        raise UsageError(f"{source}: runtime: {raw['runtime']}, but Paperclip runs "
                         f"{runtime.title} here (its adapter's command is kubeclip's): set "
                         f"runtime: {runtime.key}, or give this agent a config of its own")
    if "model" not in raw:
        raise UsageError("no model: Paperclip passes --model, or set model in KUBECLIP_CONFIG")
    if parsed.variant:
        raw["variant"] = parsed.variant
    if ADAPTERS[runtime.key].bypass:  # the adapter decided (claude_local: by its uid)
        raw["dangerouslySkipPermissions"] = parsed.bypass
    raw["extraArgs"] = [*(raw.get("extraArgs") or []), *parsed.extra]


def carry_files(
    runtime: AgentRuntime, parsed: ParsedArgv, named: dict[str, Any]
) -> list[dict[str, Any]]:
    """Each path the argv names, as the relay read it (``named``: path -> tree), into the
    run's files; the argv then names its copy in the pod. A path inside another carried
    directory (the instructions file in the bundle) names the copy there."""
    table = ADAPTERS[runtime.key]
    files: list[dict[str, Any]] = []
    placed: dict[str, str] = {}  # local directory -> its copy's directory in the pod
    dirs_first = sorted(parsed.named, key=lambda n: (named.get(_split(parsed.extra[n[0]])[2])
                                                     or {}).get("kind") != "dir")  # fmt: skip
    carried = 0
    for index, flag in dirs_first:
        prefix, eq, path = _split(parsed.extra[index])
        inside = next((d for d in placed if path.startswith(d.rstrip("/") + "/")), None)
        if inside is not None:
            pod = posixpath.join(placed[inside], posixpath.relpath(path, inside))
        else:
            tree = named.get(path)
            if tree is None or "error" in tree:
                why = (tree or {}).get("error", "not read where Paperclip runs")
                raise UsageError(f"{flag} {path}: {why}")
            top = f"{carried}/{posixpath.basename(path.rstrip('/')) or 'root'}"
            carried += 1
            for entry in tree["entries"]:
                files.append({
                    "path": posixpath.join(top, entry["rel"]) if entry["rel"] else top,
                    "data": base64.b64encode(entry["data"].encode("latin-1")).decode(),
                    "executable": bool(entry.get("exec")),
                    "credential": flag in table.credential_flags,
                })  # fmt: skip
            pod = posixpath.join(FILES_DIR, top)
            if tree["kind"] == "dir":
                placed[path] = pod
        parsed.extra[index] = f"{prefix}={pod}" if eq else pod
    return files


def _split(arg: str) -> tuple[str, str, str]:
    """``--flag=value`` -> (flag, "=", value); a bare value -> ("", "", value)."""
    return arg.partition("=") if arg.startswith("--") and "=" in arg else ("", "", arg)
