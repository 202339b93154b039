"""What Paperclip gave a run, as a run context: the PAPERCLIP_* variables (through the
renderer's own table), the agent's env and the other variables Paperclip added, its
generated OpenCode config, the scratch dir, and an API URL an agent pod can reach.

What Paperclip *added* is what this process's environment has beyond the server's: the
server is our parent, and ``/proc/<ppid>/environ`` is its environment as it started.
"""

from __future__ import annotations

import json
import os
import uuid
from collections.abc import Callable
from typing import Any

from kubeclip.errors import UsageError
from kubeclip.renderer.podfacts import PAPERCLIP_MOUNT
from kubeclip.renderer.runenv import RUN_ENV

# Set by Paperclip for the run and carried by the run context's own fields (the one table,
# RUN_ENV), or decided by kubeclip for the pod (OpenCode's config comes in as the run's
# opencodeConfig).
_HANDLED = RUN_ENV | {"OPENCODE_DISABLE_PROJECT_CONFIG", "XDG_CONFIG_HOME"}
# The server's own, set in its process at runtime (so missing from its initial environ),
# and the process basics: never the agent's.
_SERVER = frozenset({
    "PORT", "PAPERCLIP_LISTEN_HOST", "PAPERCLIP_LISTEN_PORT", "PAPERCLIP_RUNTIME_API_URL",
    "PAPERCLIP_RUNTIME_API_CANDIDATES_JSON", "PATH", "HOME", "PWD", "OLDPWD", "SHLVL", "_",
    "HOSTNAME", "USER", "LOGNAME", "SHELL",
})  # fmt: skip
_SCRATCH = ("PAPERCLIP_SCRATCH_DIR", "PAPERCLIP_RUN_SCRATCH_DIR", "PAPERCLIP_TASK_SCRATCH_DIR",
            "PAPERCLIP_TMPDIR")  # fmt: skip
_TEMP = ("TMPDIR", "TMP", "TEMP")
# A CLI's state home its adapter chose where Paperclip runs (codex_local: one per company,
# every agent's SQLite databases in it): the pod's is kubeclip's, the agent's own on the claim.
_STATE_HOMES = frozenset({"CODEX_HOME"})
# Run variables Paperclip adds whose values are policy, not secrets: plain in the Job spec.
_PUBLIC = frozenset({
    "PAPERCLIP_ISSUE_WORK_MODE", "PAPERCLIP_RUNNER_NETWORK_ACCESS",
    "PAPERCLIP_RUNNER_NETWORK_ROOTS", "PAPERCLIP_GITHUB_AUTH_MODE",
    "PAPERCLIP_GIT_METADATA_ROOTS", "GIT_TERMINAL_PROMPT", *_SCRATCH, *_TEMP,
})  # fmt: skip


# the hello probes' OpenCode data (sessions), shared by every probe, on the claim
PROBE_DATA_HOME = f"{PAPERCLIP_MOUNT}/.kubeclip/probe/opencode-data"


def run_env_from_paperclip(
    env: dict[str, str],
    parent: dict[str, str] | None,
    notes: list[str],
    exists: Callable[[str], bool] = os.path.exists,
) -> dict[str, Any]:
    """What Paperclip added for this run beyond the run's own PAPERCLIP_* fields, as run
    context fields: ``env`` (policy variables, plain), ``agentEnv`` (the agent's env from
    its adapterConfig and everything else: values only through the per-run Secret) and
    ``scratchDirs`` (the run's scratch directory: an empty pod-local one at the same path).
    A local path the pod does not have (outside the shared claim and the scratch dir) is
    left out: it would mean something else, or nothing, in the pod. ``exists`` answers
    whether a path exists where Paperclip runs (another container, for ``serve``)."""
    from kubeclip.renderer.credentials import matches
    from kubeclip.renderer.plan import BUILTIN_ENV_DENY
    from kubeclip.renderer.podfacts import PAPERCLIP_MOUNT

    if parent is None:
        named = [n.strip() for n in env.get("KUBECLIP_AGENT_ENV", "").split(",") if n.strip()]
        added = {n: env[n] for n in named if n in env}
        notes.append("the Paperclip server's environment is not readable: only "
                     "KUBECLIP_AGENT_ENV names are carried")  # fmt: skip
    else:
        added = {k: v for k, v in env.items() if parent.get(k) != v}
    scratch = [env[n] for n in _SCRATCH if env.get(n, "").startswith("/")]
    plain: dict[str, str] = {}
    secret: dict[str, str] = {}
    dropped: list[str] = []
    for name, value in sorted(added.items()):
        if (
            name in _HANDLED or name in _SERVER or name.startswith("KUBECLIP_")
            or name.startswith("PAPERCLIP_RUNTIME_TOOLS_")
        ):  # fmt: skip
            continue
        if name in _STATE_HOMES:
            dropped.append(f"{name} (the agent's own is on the claim)")
            continue
        if matches(name, BUILTIN_ENV_DENY):
            dropped.append(f"{name} (the server's own secrets are never passed)")
            continue
        if name in _TEMP and value not in scratch:
            continue  # the server's temp dir: the pod has its own
        if (
            value.startswith("/") and value not in scratch
            and not (value == PAPERCLIP_MOUNT or value.startswith(PAPERCLIP_MOUNT + "/"))
            and exists(value)
        ):  # fmt: skip
            dropped.append(f"{name} (a local path the pod does not have)")
            continue
        (plain if name in _PUBLIC else secret)[name] = value
    if dropped:
        notes.append("not carried into the pod: " + ", ".join(dropped))
    out: dict[str, Any] = {}
    if plain:
        out["env"] = plain
    if secret:
        out["agentEnv"] = secret
    if scratch:
        out["scratchDirs"] = list(dict.fromkeys(scratch))
    return out


def reachable_api_url(url: str, env: dict[str, str]) -> str:
    """Paperclip's API URL is loopback unless the server was told otherwise, and an agent pod
    cannot reach the Paperclip pod's loopback. The same server is reachable on this pod's
    own IP when it listens on all addresses: use that. Otherwise the URL stays, and the
    plan warns (a reachable env.PAPERCLIP_API_URL in the agent config wins over it)."""
    import socket
    from urllib.parse import urlsplit, urlunsplit

    from kubeclip.renderer.runenv import is_loopback_url

    if not is_loopback_url(url):
        return url
    listen = env.get("PAPERCLIP_LISTEN_HOST", "0.0.0.0")
    if listen not in ("0.0.0.0", "::", "") :
        return url  # listening on loopback (or one address): the pod IP would not answer
    try:
        ip = socket.gethostbyname(socket.gethostname())
    except OSError:
        return url
    if is_loopback_url(f"http://{ip}/") or ip.startswith("127."):
        return url
    parts = urlsplit(url)
    netloc = ip + (f":{parts.port}" if parts.port else "")
    return urlunsplit((parts.scheme, netloc, parts.path, parts.query, parts.fragment))


def opencode_config_from(file: dict[str, Any] | None) -> dict[str, Any] | None:
    """The opencode.json in XDG_CONFIG_HOME (Paperclip's generated one: the configured model
    registered, custom providers, small_model), as :func:`invocation.read_file` read it
    where Paperclip runs; None when there is none."""
    if file is None:
        return None
    path = file["path"]
    if "data" not in file:
        raise UsageError(f"{path}: cannot read OpenCode's config: {file['strerror']}")
    try:
        config = json.loads(file["data"].encode("latin-1").decode("utf-8"))
    except ValueError as e:
        raise UsageError(f"{path}: cannot read OpenCode's config: {e}") from None
    return config if isinstance(config, dict) else None


def _identified(env: dict[str, str], say: Callable[[str], None]) -> tuple[dict[str, str], bool]:
    """The run's ids, or a probe's: Paperclip's "Test environment" runs a hello probe
    without any run. It is answered by a real Job of its own (its own agent id, so it never
    waits for an agent's lock), which proves the whole cluster path, not a canned "hello"."""
    ids = ("PAPERCLIP_RUN_ID", "PAPERCLIP_AGENT_ID", "PAPERCLIP_COMPANY_ID")
    missing = [n for n in ids if not env.get(n)]
    if missing and len(missing) < len(ids):
        raise UsageError(
            f"{', '.join(missing)} not set: kubeclip-opencode must be started by Paperclip"
        )
    if not missing:
        return env, False
    probe = f"probe-{uuid.uuid4().hex[:12]}"
    say(f"kubeclip-opencode: no Paperclip run: answering the environment probe with "
        f"Job run {probe}")  # fmt: skip
    return {**env, "PAPERCLIP_RUN_ID": probe, "PAPERCLIP_AGENT_ID": probe,
            "PAPERCLIP_COMPANY_ID": "kubeclip-probe"}, True  # fmt: skip


def run_context(
    inv: dict[str, Any],
    session: str | None,
    notes: list[str] | None = None,
    say: Callable[[str], None] = lambda line: None,
) -> dict[str, Any]:
    """The run context Paperclip's execute() had, rebuilt from what opencode_local exported,
    as :func:`kubeclip.paperclip.invocation.gather` collected it where Paperclip runs: the
    server's environment is what it had before adding ``added``, a path exists there when it
    is one of ``localPaths``, and its generated OpenCode config came along as a file."""
    from kubeclip.renderer.runenv import run_context_fields

    env: dict[str, str] = inv["env"]
    added = inv.get("added")
    parent = None if added is None else {k: v for k, v in env.items() if k not in set(added)}
    local = set(inv.get("localPaths") or ())
    opencode = opencode_config_from(inv["files"].get("opencode"))

    def get(name: str) -> str | None:
        return env.get(name) or None

    env, probe = _identified(env, say)
    # the run's own fields, read through the same table the renderer writes them with
    run: dict[str, Any] = run_context_fields(env)
    context = run.setdefault("context", {})
    workspace = context.setdefault("paperclipWorkspace", {})
    cwd = workspace.setdefault("cwd", inv["cwd"])
    run.pop("paperclipApiUrl", None)  # made reachable below
    # Paperclip passes --session only for a session started in this cwd
    run["runtime"] = {"sessionId": session, "sessionParams": {"sessionId": session, "cwd": cwd}}
    run["prompt"] = inv["prompt"]
    # everything else run-specific that Paperclip exported (tools, …) goes along
    run["env"] = {k: v for k, v in env.items() if k.startswith("PAPERCLIP_RUNTIME_TOOLS_")}
    if probe:  # every probe is a new agent id: one data directory for all of them
        run["env"]["XDG_DATA_HOME"] = PROBE_DATA_HOME
    if parent is not None or notes is not None:
        extra = run_env_from_paperclip(
            env, parent, notes if notes is not None else [], local.__contains__
        )
        run["env"].update(extra.pop("env", {}))
        run.update(extra)
    if opencode is not None:
        run["opencodeConfig"] = opencode
    if get("PAPERCLIP_API_URL"):
        run["paperclipApiUrl"] = reachable_api_url(env["PAPERCLIP_API_URL"], env)
    if get("PAPERCLIP_API_KEY"):
        run["authToken"] = env["PAPERCLIP_API_KEY"]
    return run
