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
  KUBECLIP_MODELS        comma-separated models for `models` (else the config's)
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
            return _models()
        if args[0] == "run":
            return _run(args[1:])
        raise UsageError(f"unknown command {args[0]!r}\n{USAGE}")
    except KubeclipError as e:
        # Paperclip reads stdout: say it the way OpenCode would, then exit non-zero.
        from kubeclip.opencode import error_line

        print(error_line(str(e)), flush=True)
        print(f"kubeclip-opencode: error: {e}", file=sys.stderr)
        return e.exit_code


def _raw_config(model: str | None) -> tuple[dict[str, Any], str]:
    from kubeclip.loader import load_mapping

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


def _models() -> int:
    """Answer quickly, without a pod: Paperclip may probe before every run."""
    listed = [m.strip() for m in os.environ.get("KUBECLIP_MODELS", "").split(",") if m.strip()]
    if not listed:
        raw, _ = _raw_config(None)
        listed = list(raw.get("models") or []) + ([raw["model"]] if raw.get("model") else [])
    for model in dict.fromkeys(listed):
        print(model)
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


def run_context_from_env(env: dict[str, str], prompt: str, session: str | None) -> dict[str, Any]:
    """The run context Paperclip's execute() had, rebuilt from what opencode_local exported."""

    def get(name: str) -> str | None:
        return env.get(name) or None

    def as_json(name: str) -> Any:
        text = get(name)
        if not text:
            return None
        try:
            return json.loads(text)
        except ValueError:
            return text

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
    cwd = get("PAPERCLIP_WORKSPACE_CWD") or os.getcwd()
    workspace = {
        "cwd": cwd,
        "source": get("PAPERCLIP_WORKSPACE_SOURCE"),
        "strategy": get("PAPERCLIP_WORKSPACE_STRATEGY"),
        "workspaceId": get("PAPERCLIP_WORKSPACE_ID"),
        "repoUrl": get("PAPERCLIP_WORKSPACE_REPO_URL"),
        "repoRef": get("PAPERCLIP_WORKSPACE_REPO_REF"),
        "branchName": get("PAPERCLIP_WORKSPACE_BRANCH"),
        "worktreePath": get("PAPERCLIP_WORKSPACE_WORKTREE_PATH"),
        "agentHome": get("AGENT_HOME"),
    }
    issue_ids = [i for i in (get("PAPERCLIP_LINKED_ISSUE_IDS") or "").split(",") if i]
    context = {
        "taskId": get("PAPERCLIP_TASK_ID"),
        "wakeReason": get("PAPERCLIP_WAKE_REASON"),
        "wakeCommentId": get("PAPERCLIP_WAKE_COMMENT_ID"),
        "approvalId": get("PAPERCLIP_APPROVAL_ID"),
        "approvalStatus": get("PAPERCLIP_APPROVAL_STATUS"),
        "issueIds": issue_ids or None,
        "paperclipWake": as_json("PAPERCLIP_WAKE_PAYLOAD_JSON"),
        "paperclipWorkspace": workspace,
        "paperclipWorkspaces": as_json("PAPERCLIP_WORKSPACES_JSON"),
    }
    run: dict[str, Any] = {
        "runId": env["PAPERCLIP_RUN_ID"],
        "agent": {"id": env["PAPERCLIP_AGENT_ID"], "companyId": env["PAPERCLIP_COMPANY_ID"]},
        # Paperclip passes --session only for a session started in this cwd
        "runtime": {"sessionId": session, "sessionParams": {"sessionId": session, "cwd": cwd}},
        "context": context,
        "prompt": prompt,
        # everything else run-specific that Paperclip exported (tools, …) goes along
        "env": {k: v for k, v in env.items() if k.startswith("PAPERCLIP_RUNTIME_TOOLS_")},
    }
    if get("PAPERCLIP_API_URL"):
        run["paperclipApiUrl"] = env["PAPERCLIP_API_URL"]
    if get("PAPERCLIP_API_KEY"):
        run["authToken"] = env["PAPERCLIP_API_KEY"]
    return run


def _run(args: list[str]) -> int:
    from kubeclip.apply import Target, execute, write_result
    from kubeclip.runner import ignore_signals_until_exit, latch_signals

    latch_signals()  # Paperclip's SIGTERM never kills us before the result is written
    from kubeclip.config import parse_config
    from kubeclip.podfacts import load_pod_facts
    from kubeclip.runcontext import parse_run_context

    opts = parse_run_args(args)
    prompt = sys.stdin.buffer.read().decode("utf-8", "replace") if not sys.stdin.isatty() else ""
    raw, source = _raw_config(opts["model"])
    if "model" not in raw:
        raise UsageError("no model: Paperclip passes --model, or set model in KUBECLIP_CONFIG")
    if opts["variant"]:
        raw["variant"] = opts["variant"]
    raw["extraArgs"] = [*(raw.get("extraArgs") or []), *opts["extra"]]
    config = parse_config(raw, source)
    run = parse_run_context(
        run_context_from_env(dict(os.environ), prompt, opts["session"]), "PAPERCLIP_* environment"
    )
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
        from kubeclip.opencode import error_line

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
