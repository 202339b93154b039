"""``kubeclip-opencode``: a drop-in ``opencode`` for Paperclip's built-in opencode_local adapter.

Paperclip runs ``<command> run --format json [--print-logs] [--session ID] [--model M]
[--variant V] [extra…]`` with the prompt on stdin and the run in PAPERCLIP_* variables
(shared/reference/paperclip-contract.md). Pointing the adapter's ``command`` here runs
the same OpenCode in a Kubernetes Job instead of a local process: stdout carries the
pod's JSONL unchanged and in real time, so Paperclip's own parser sees what a local
opencode would print; kubeclip's progress goes to stderr; the exit code is opencode's.

Configuration (all optional but the model, which Paperclip passes as --model):
  KUBECLIP_CONFIG        agent config file (YAML/JSON), as for `kubeclip run`
  KUBECLIP_POD_FILE      the Paperclip workload as a file (default: read own pod live)
  KUBECLIP_POD_NAME      the Paperclip pod to read live ([NS/]NAME; default $HOSTNAME)
  KUBECLIP_NAMESPACE, KUBECLIP_IMAGE, KUBECLIP_SERVICE_ACCOUNT, KUBECLIP_KUBECONFIG,
  KUBECLIP_TIMEOUT_SEC   override the config's namespace/image/serviceAccountName/
                         kubeconfig/timeoutSec
  KUBECLIP_MODELS        comma-separated models `models` adds (else the config's)
  KUBECLIP_OPENCODE      the real opencode whose `models` is asked (default: on PATH)
  KUBECLIP_RESULT_FILE   write the run's result (AdapterExecutionResult shape) as JSON
  KUBECLIP_PROGRESS      where kubeclip's own progress lines go: unset = nowhere (stderr
                         is the agent's: Paperclip takes its first line as the error),
                         "stderr", or a file to append to
"""

from __future__ import annotations

import json
import os
import sys
import uuid
from collections.abc import Sequence
from typing import Any

from kubeclip import __version__
from kubeclip.errors import KubeclipError

USAGE = """\
usage: kubeclip-opencode run --format json [--print-logs] [--session ID]
                             [--model PROVIDER/MODEL] [--variant V] [ARGS...]  < prompt
       kubeclip-opencode models
       kubeclip-opencode --version

Runs OpenCode for Paperclip in a Kubernetes Job (see `kubeclip --help`).
"""

ENV_OVERRIDES = {
    "KUBECLIP_NAMESPACE": ("namespace", str),
    "KUBECLIP_IMAGE": ("image", str),
    "KUBECLIP_SERVICE_ACCOUNT": ("serviceAccountName", str),
    "KUBECLIP_KUBECONFIG": ("kubeconfig", str),
    "KUBECLIP_TIMEOUT_SEC": ("timeoutSec", int),
}


class UsageError(KubeclipError):
    exit_code = 2


def main(argv: Sequence[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    if not args or args[0] in ("-h", "--help", "help"):
        sys.stdout.write(USAGE)
        return 0
    if args[0] in ("--version", "-v", "version"):
        print(f"kubeclip-opencode {__version__} (OpenCode in Kubernetes Jobs)")
        return 0
    try:
        if args[0] == "models":
            return _models(args[1:])
        if args[0] == "run":
            return _run(args[1:])
        raise UsageError(f"unknown command {args[0]!r}\n{USAGE}")
    except KubeclipError as e:
        # Paperclip reads stdout: say it the way OpenCode would, then exit non-zero.
        from kubeclip.paperclip.opencode import error_line

        print(error_line(str(e)), flush=True)
        print(f"kubeclip-opencode: error: {e}", file=sys.stderr)
        return e.exit_code


def _raw_config(model: str | None) -> tuple[dict[str, Any], str]:
    from kubeclip.renderer.loader import load_mapping

    path = os.environ.get("KUBECLIP_CONFIG")
    raw: dict[str, Any] = dict(load_mapping(path, "agent config")) if path else {}
    for var, (key, kind) in ENV_OVERRIDES.items():
        value = os.environ.get(var)
        if value:
            try:
                raw[key] = kind(value)
            except ValueError:
                raise UsageError(f"{var}={value!r} is not a {kind.__name__}") from None
    if model:
        raw["model"] = model
    return raw, path or "kubeclip-opencode config"


def real_opencode() -> str | None:
    """The real ``opencode`` of this image, if any: $KUBECLIP_OPENCODE, else ``opencode`` on
    PATH — never this program itself (a link named opencode), never when we are its child."""
    import shutil

    if os.environ.get("KUBECLIP_OPENCODE_DELEGATED"):
        return None
    found = os.environ.get("KUBECLIP_OPENCODE") or shutil.which("opencode")
    if not found:
        return None
    me = {os.path.realpath(p) for p in (sys.argv[0], shutil.which("kubeclip-opencode") or "")}
    if os.path.realpath(found) in me:
        return None
    try:
        with open(found, "rb") as f:
            head = f.read(4096)
    except OSError:
        return None
    if b"kubeclip.paperclip.dropin" in head or b"kubeclip-opencode" in head:
        return None  # a console script of ours under another name
    return found


def _models(args: list[str]) -> int:
    """Every model the agent image's OpenCode can run: the real ``opencode models`` (with
    --refresh and a provider filter passed on) when this image has one, plus the models
    the config names. Answered without a pod: Paperclip asks before every run (cached 60 s).
    """
    import subprocess

    listed = [m.strip() for m in os.environ.get("KUBECLIP_MODELS", "").split(",") if m.strip()]
    if not listed:
        raw, _ = _raw_config(None)
        listed = list(raw.get("models") or []) + ([raw["model"]] if raw.get("model") else [])
    real = real_opencode()
    seen: set[str] = set()
    if real:
        try:
            proc = subprocess.run(
                [real, "models", *args], capture_output=True, timeout=18,
                env={**os.environ, "KUBECLIP_OPENCODE_DELEGATED": "1"},
            )  # fmt: skip
        except (OSError, subprocess.TimeoutExpired) as e:
            print(f"kubeclip-opencode: {real} models: {e}", file=sys.stderr)
        else:
            sys.stdout.buffer.write(proc.stdout)
            sys.stderr.buffer.write(proc.stderr)
            if proc.returncode != 0 and not listed:
                return proc.returncode
            for line in proc.stdout.decode("utf-8", "replace").splitlines():
                if "/" in line and line.split():
                    seen.add(line.split()[0])
    for model in dict.fromkeys(listed):
        if model not in seen:
            print(model)
    sys.stdout.flush()
    return 0


def parse_run_args(args: list[str]) -> dict[str, Any]:
    """opencode_local's argv: known flags are taken, everything else is passed through."""
    out: dict[str, Any] = {"session": None, "model": None, "variant": None, "extra": []}
    i = 0
    while i < len(args):
        arg = args[i]
        name, eq, inline = arg.partition("=")
        if name in ("--format", "--session", "--model", "--variant", "-m", "-s"):
            value = inline if eq else (args[i + 1] if i + 1 < len(args) else None)
            if value is None:
                raise UsageError(f"{name} needs a value")
            i += 1 if eq else 2
            if name == "--format":
                if value != "json":
                    raise UsageError("only --format json is supported (Paperclip's adapter)")
                continue
            key = {"-m": "model", "-s": "session"}.get(name, name.lstrip("-"))
            out[key] = value
            continue
        out["extra"].append(arg)  # --print-logs and anything the agent config adds
        i += 1
    return out


# Set by Paperclip for the run and carried by the run context's own fields (or kubeclip's).
_HANDLED = frozenset({
    "PAPERCLIP_RUN_ID", "PAPERCLIP_AGENT_ID", "PAPERCLIP_COMPANY_ID", "PAPERCLIP_API_URL",
    "PAPERCLIP_API_KEY", "PAPERCLIP_TASK_ID", "PAPERCLIP_WAKE_REASON",
    "PAPERCLIP_WAKE_COMMENT_ID", "PAPERCLIP_APPROVAL_ID", "PAPERCLIP_APPROVAL_STATUS",
    "PAPERCLIP_LINKED_ISSUE_IDS", "PAPERCLIP_WAKE_PAYLOAD_JSON", "PAPERCLIP_WORKSPACE_CWD",
    "PAPERCLIP_WORKSPACE_SOURCE", "PAPERCLIP_WORKSPACE_STRATEGY", "PAPERCLIP_WORKSPACE_ID",
    "PAPERCLIP_WORKSPACE_REPO_URL", "PAPERCLIP_WORKSPACE_REPO_REF", "PAPERCLIP_WORKSPACE_BRANCH",
    "PAPERCLIP_WORKSPACE_WORKTREE_PATH", "AGENT_HOME", "PAPERCLIP_WORKSPACES_JSON",
    "OPENCODE_DISABLE_PROJECT_CONFIG", "XDG_CONFIG_HOME",
})  # fmt: skip
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
# Run variables Paperclip adds whose values are policy, not secrets: plain in the Job spec.
_PUBLIC = frozenset({
    "PAPERCLIP_ISSUE_WORK_MODE", "PAPERCLIP_RUNNER_NETWORK_ACCESS",
    "PAPERCLIP_RUNNER_NETWORK_ROOTS", "PAPERCLIP_GITHUB_AUTH_MODE",
    "PAPERCLIP_GIT_METADATA_ROOTS", "GIT_TERMINAL_PROMPT", *_SCRATCH, *_TEMP,
})  # fmt: skip


def parent_environ() -> dict[str, str] | None:
    """The Paperclip server's environment as it started (we are its child): what it added
    for this run is what our environment has on top. None when it cannot be read."""
    try:
        raw = open(f"/proc/{os.getppid()}/environ", "rb").read()  # noqa: SIM115
    except OSError:
        return None
    out: dict[str, str] = {}
    for item in raw.split(b"\0"):
        name, eq, value = item.partition(b"=")
        if eq:
            out[name.decode("utf-8", "replace")] = value.decode("utf-8", "replace")
    return out


def run_env_from_paperclip(
    env: dict[str, str], parent: dict[str, str] | None, notes: list[str]
) -> dict[str, Any]:
    """What Paperclip added for this run beyond the run's own PAPERCLIP_* fields, as run
    context fields: ``env`` (policy variables, plain), ``agentEnv`` (the agent's env from
    its adapterConfig and everything else: values only through the per-run Secret) and
    ``scratchDirs`` (the run's scratch directory: an empty pod-local one at the same path).

    A local path the pod does not have (outside the shared claim and the scratch dir) is
    left out: it would mean something else, or nothing, in the pod."""
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
        if matches(name, BUILTIN_ENV_DENY):
            dropped.append(f"{name} (the server's own secrets are never passed)")
            continue
        if name in _TEMP and value not in scratch:
            continue  # the server's temp dir: the pod has its own
        if (
            value.startswith("/") and value not in scratch
            and not (value == PAPERCLIP_MOUNT or value.startswith(PAPERCLIP_MOUNT + "/"))
            and os.path.exists(value)
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


def opencode_config(env: dict[str, str]) -> dict[str, Any] | None:
    """The opencode.json in XDG_CONFIG_HOME (Paperclip's generated one: the configured model
    registered, custom providers, small_model), or None."""
    home = env.get("XDG_CONFIG_HOME")
    if not home:
        return None
    path = os.path.join(home, "opencode", "opencode.json")
    try:
        with open(path, encoding="utf-8") as f:
            config = json.load(f)
    except FileNotFoundError:
        return None
    except (OSError, ValueError) as e:
        raise UsageError(f"{path}: cannot read OpenCode's config: {e}") from None
    return config if isinstance(config, dict) else None


def run_context_from_env(
    env: dict[str, str],
    prompt: str,
    session: str | None,
    parent: dict[str, str] | None = None,
    notes: list[str] | None = None,
) -> dict[str, Any]:
    """The run context Paperclip's execute() had, rebuilt from what opencode_local exported.
    ``parent``: the server's environment (:func:`parent_environ`), to tell what it added."""

    from kubeclip.renderer.runenv import run_context_fields

    def get(name: str) -> str | None:
        return env.get(name) or None

    ids = ("PAPERCLIP_RUN_ID", "PAPERCLIP_AGENT_ID", "PAPERCLIP_COMPANY_ID")
    missing = [n for n in ids if not get(n)]
    if len(missing) == len(ids):
        # Paperclip's "Test environment" runs a hello probe without any run: it is answered
        # by a real Job of its own (its own agent id, so it never waits for an agent's lock),
        # which proves the whole cluster path, not a canned "hello".
        probe = f"probe-{uuid.uuid4().hex[:12]}"
        env = {**env, "PAPERCLIP_RUN_ID": probe, "PAPERCLIP_AGENT_ID": probe,
               "PAPERCLIP_COMPANY_ID": "kubeclip-probe"}  # fmt: skip
        _say(f"kubeclip-opencode: no Paperclip run: answering the environment probe with "
             f"Job run {probe}")  # fmt: skip
    elif missing:
        raise UsageError(
            f"{', '.join(missing)} not set: kubeclip-opencode must be started by Paperclip"
        )
    # the run's own fields, read through the same table the renderer writes them with
    run: dict[str, Any] = run_context_fields(env)
    context = run.setdefault("context", {})
    workspace = context.setdefault("paperclipWorkspace", {})
    cwd = workspace.setdefault("cwd", os.getcwd())
    run.pop("paperclipApiUrl", None)  # made reachable below
    # Paperclip passes --session only for a session started in this cwd
    run["runtime"] = {"sessionId": session, "sessionParams": {"sessionId": session, "cwd": cwd}}
    run["prompt"] = prompt
    # everything else run-specific that Paperclip exported (tools, …) goes along
    run["env"] = {k: v for k, v in env.items() if k.startswith("PAPERCLIP_RUNTIME_TOOLS_")}
    if parent is not None or notes is not None:
        extra = run_env_from_paperclip(env, parent, notes if notes is not None else [])
        run["env"].update(extra.pop("env", {}))
        run.update(extra)
    config = opencode_config(env)
    if config is not None:
        run["opencodeConfig"] = config
    if get("PAPERCLIP_API_URL"):
        run["paperclipApiUrl"] = reachable_api_url(env["PAPERCLIP_API_URL"], env)
    if get("PAPERCLIP_API_KEY"):
        run["authToken"] = env["PAPERCLIP_API_KEY"]
    return run


def _run(args: list[str]) -> int:
    from kubeclip.run.apply import Target, execute, write_result
    from kubeclip.run.signals import ignore_signals_until_exit, latch_signals

    latch_signals()  # Paperclip's SIGTERM never kills us before the result is written
    from kubeclip.renderer.config import parse_config
    from kubeclip.renderer.podfacts import load_pod_facts
    from kubeclip.renderer.runcontext import parse_run_context
    from kubeclip.renderer.runenv import is_loopback_url

    opts = parse_run_args(args)
    prompt = sys.stdin.buffer.read().decode("utf-8", "replace") if not sys.stdin.isatty() else ""
    raw, source = _raw_config(opts["model"])
    notes: list[str] = []
    context = run_context_from_env(
        dict(os.environ), prompt, opts["session"], parent_environ(), notes
    )
    for note in notes:
        _say(f"kubeclip-opencode: {note}")
    if "model" not in raw:
        raise UsageError("no model: Paperclip passes --model, or set model in KUBECLIP_CONFIG")
    url = context.get("paperclipApiUrl") or ""
    if is_loopback_url(url) and not (raw.get("env") or {}).get("PAPERCLIP_API_URL"):
        # the one warning that is not kept quiet: the agent cannot call Paperclip
        print(f"kubeclip-opencode: warning: PAPERCLIP_API_URL {url} is loopback and this pod's "
              "address is unknown or not listened on: the agent pod cannot reach Paperclip. "
              "Set env.PAPERCLIP_API_URL in the kubeclip config to Paperclip's Service",
              file=sys.stderr, flush=True)  # fmt: skip
    if opts["variant"]:
        raw["variant"] = opts["variant"]
    raw["extraArgs"] = [*(raw.get("extraArgs") or []), *opts["extra"]]
    config = parse_config(raw, source)
    run = parse_run_context(context, "PAPERCLIP_* environment")
    pod_file = os.environ.get("KUBECLIP_POD_FILE")
    facts = load_pod_facts(pod_file) if pod_file else None
    target = Target(
        from_pod=os.environ.get("KUBECLIP_POD_NAME"),
        config_source=source,
        retry_unknown_session=False,  # Paperclip retries fresh itself
        progress=progress_stream(),
    )
    result = execute(config, facts, run, target)
    if result.reason not in ("succeeded", "failed", "oom_killed", "cancelled"):
        from kubeclip.paperclip.opencode import error_line

        print(error_line(f"kubeclip: {result.reason}: {result.message}"), flush=True)
    write_result(os.environ.get("KUBECLIP_RESULT_FILE"), result)
    if result.reason == "cancelled" and result.signal:
        _end_by(result.signal)
    ignore_signals_until_exit()
    return result.process_exit_code()


_PROGRESS: list[Any] = []


def progress_stream() -> Any:
    """KUBECLIP_PROGRESS: None (quiet), sys.stderr, or an append-mode file. Opened once."""
    if not _PROGRESS:
        where = os.environ.get("KUBECLIP_PROGRESS", "").strip()
        if not where:
            _PROGRESS.append(None)
        elif where == "stderr":
            _PROGRESS.append(sys.stderr)
        else:
            try:
                _PROGRESS.append(open(where, "a", encoding="utf-8"))  # noqa: SIM115 - process-long
            except OSError as e:
                raise UsageError(f"KUBECLIP_PROGRESS={where!r}: cannot open: {e}") from None
    return _PROGRESS[0]


def _say(line: str) -> None:
    stream = progress_stream()
    if stream is not None:
        stream.write(line + "\n")
        stream.flush()


def _end_by(signal_name: str) -> None:
    """Paperclip's timeout and cancel are a SIGTERM to the process group; a local opencode
    then dies *by* the signal, and Paperclip reports ``exitCode: null, signal: "SIGTERM"``.
    The Job is deleted and the result written by now: end the same way."""
    import signal

    sys.stdout.flush()
    sys.stderr.flush()
    sig = signal.Signals[signal_name]
    signal.signal(sig, signal.SIG_DFL)
    os.kill(os.getpid(), sig)
    signal.pause()  # pragma: no cover - the signal ends the process


if __name__ == "__main__":
    raise SystemExit(main())
