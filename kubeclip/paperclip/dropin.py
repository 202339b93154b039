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

import copy
import functools
import os
import sys
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from kubeclip import __version__
from kubeclip.errors import KubeclipError, Reason, UsageError
from kubeclip.paperclip import invocation, sinks
from kubeclip.run import resultfile

if TYPE_CHECKING:
    from kubeclip.renderer.podfacts import PodFacts
    from kubeclip.run.engine import Engine
    from kubeclip.run.handle import RunHandle
    from kubeclip.run.result import RunResult

USAGE = """\
usage: kubeclip-opencode run --format json [--print-logs] [--session ID]
                             [--model PROVIDER/MODEL] [--variant V] [ARGS...]  < prompt
       kubeclip-opencode models
       kubeclip-opencode --version

Runs OpenCode for Paperclip in a Kubernetes Job (see `kubeclip --help`).
"""

# What kubeclip-opencode reads from its environment besides Paperclip's own variables (the
# --help lists them; docs/paperclip.md's table says the same, tests/test_dropin.py holds both).
SETTINGS: tuple[tuple[str, str], ...] = (
    ("KUBECLIP_CONFIG", "the agent config file (YAML/JSON); --model/--variant override it"),
    ("KUBECLIP_NAMESPACE", "the Jobs' namespace (overrides the config's)"),
    ("KUBECLIP_IMAGE", "the agent image (overrides the config's)"),
    ("KUBECLIP_SERVICE_ACCOUNT", "the agent pod's ServiceAccount (overrides the config's)"),
    ("KUBECLIP_KUBECONFIG", "the kubeconfig (overrides the config's)"),
    ("KUBECLIP_TIMEOUT_SEC", "the run's timeout in seconds (overrides the config's)"),
    ("KUBECLIP_POD_FILE", "the Paperclip workload as a file (default: read this pod live)"),
    ("KUBECLIP_POD_NAME", "this pod's name, to read it live (default: $HOSTNAME)"),
    ("KUBECLIP_MODELS", "comma-separated models `models` adds to the real list"),
    ("KUBECLIP_OPENCODE", "the real opencode whose `models` are passed on"),
    ("KUBECLIP_AGENT_ENV", "names to carry when the server's environment cannot be read"),
    ("KUBECLIP_RESULT_FILE", "write the result (Paperclip's AdapterExecutionResult) as JSON"),
    ("KUBECLIP_PROGRESS", "where kubeclip's progress goes: unset (nowhere), stderr, or a file"),
    ("KUBECLIP_SERVE_SOCKET", "the socket of a kubeclip serve sidecar to relay to"),
    ("KUBECLIP_SERVE_PATIENCE", "seconds a relay waits for serve (default 60)"),
    ("KUBECLIP_SERVE", "off: run in this process, no serve"),
    ("KUBECLIP_RELAY_NATIVE", "off: the relay stays Python instead of exec'ing kubeclip-relay"),
    ("KUBECLIP_LOG_DIR", "where an auto-started serve archives run output"),
)


def usage() -> str:
    width = max(len(name) for name, _ in SETTINGS)
    rows = "".join(f"  {name:{width}}  {meaning}\n" for name, meaning in SETTINGS)
    return f"{USAGE}\nSettings (environment variables):\n{rows}"

ENV_OVERRIDES = {
    "KUBECLIP_NAMESPACE": ("namespace", str),
    "KUBECLIP_IMAGE": ("image", str),
    "KUBECLIP_SERVICE_ACCOUNT": ("serviceAccountName", str),
    "KUBECLIP_KUBECONFIG": ("kubeconfig", str),
    "KUBECLIP_TIMEOUT_SEC": ("timeoutSec", int),
}




def main(argv: Sequence[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    if not args or args[0] in ("-h", "--help", "help"):
        sys.stdout.write(usage())
        return 0
    if args[0] in ("--version", "-v", "version"):
        print(f"kubeclip-opencode {__version__} (OpenCode in Kubernetes Jobs)")
        return 0
    try:
        if args[0] == "models":
            return _models(args[1:])
        if invocation.run_runtime(args):
            return _run(args)
        raise UsageError(f"unknown command {args[0]!r}\n{USAGE}")
    except KubeclipError as e:
        return answer_error(e, sys.stdout, sys.stderr)


def answer_error(e: KubeclipError, stdout: Any, stderr: Any) -> int:
    """Paperclip reads stdout: say it the way OpenCode would, then exit non-zero."""
    _say_failure(str(e), stdout, stderr)
    return e.exit_code


def _say_failure(message: str, stdout: Any, stderr: Any) -> None:
    out, err = sinks.failure(message)
    for stream, data in ((stdout, out), (stderr, err)):
        stream.flush()
        stream.buffer.write(data)
        stream.flush()


def _raw_config(
    model: str | None, env: dict[str, str], file: dict[str, Any] | None = None
) -> tuple[dict[str, Any], str]:
    path = env.get("KUBECLIP_CONFIG")
    if path and file is None:
        file = invocation.read_file(path)
    raw: dict[str, Any] = _config_mapping(path, file) if path else {}
    for var, (key, kind) in ENV_OVERRIDES.items():
        value = env.get(var)
        if value:
            try:
                raw[key] = kind(value)
            except ValueError:
                raise UsageError(f"{var}={value!r} is not a {kind.__name__}") from None
    if model:
        raw["model"] = model
    return raw, path or "kubeclip-opencode config"


def _config_mapping(path: str, file: dict[str, Any] | None) -> dict[str, Any]:
    """The agent config's mapping (the caller's copy), parsed once per content: see pod_facts."""
    from kubeclip.renderer.loader import load_mapping

    if file is None or "data" not in file:
        return dict(load_mapping(path, "agent config", file))  # an error to report: not kept
    return copy.deepcopy(_config_of(path, file["data"]))


@functools.lru_cache(maxsize=8)
def _config_of(path: str, data: str) -> dict[str, Any]:
    from kubeclip.renderer.loader import load_mapping

    return load_mapping(path, "agent config", {"path": path, "data": data})


def real_opencode() -> str | None:
    """The real ``opencode`` of this image, if any: $KUBECLIP_OPENCODE, else ``opencode`` on
    PATH — never this program itself (a link named opencode), never when we are its child."""
    import shutil

    if os.environ.get("KUBECLIP_OPENCODE_DELEGATED"):
        return None
    found = os.environ.get("KUBECLIP_OPENCODE") or shutil.which("opencode")
    if not found:
        return None
    beside = os.path.join(os.path.dirname(sys.argv[0]), "kubeclip-opencode")  # the C start
    ours = (sys.argv[0], beside, shutil.which("kubeclip-opencode") or "")
    if os.path.realpath(found) in {os.path.realpath(p) for p in ours}:
        return None
    try:
        with open(found, "rb") as f:
            head = f.read(65536)  # the C start names its Python side in its first 64 KiB
    except OSError:
        return None
    if b"kubeclip.paperclip.dropin" in head or b"kubeclip-opencode" in head:
        return None  # a script or the C start of ours under another name
    return found


def _models(args: list[str]) -> int:
    """Every model the agent image's OpenCode can run: the real ``opencode models`` (with
    --refresh and a provider filter passed on) when this image has one, plus the models
    the config names. Answered without a pod: Paperclip asks before every run (cached 60 s).
    """
    import subprocess

    listed = [m.strip() for m in os.environ.get("KUBECLIP_MODELS", "").split(",") if m.strip()]
    if not listed:
        raw, _ = _raw_config(None, dict(os.environ))
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


def _run(args: list[str]) -> int:
    from kubeclip.run.signals import latch_signals

    latch_signals()  # Paperclip's SIGTERM never kills us before the result is written
    return run_gathered(invocation.gather(args))


def run_gathered(inv: dict[str, Any], pending_signal: str | None = None) -> int:
    """The run in this process: its output on our stdout/stderr, the result file, and
    the exit status (or the signal) a local opencode would end with."""
    from kubeclip.run.signals import ignore_signals_until_exit, latch_signals

    latch_signals(pending_signal)
    try:
        problem = sinks.unusable(inv["env"])
        if problem:
            raise UsageError(problem)
        result = run_invocation(inv, sys.stdout, sys.stderr, progress_stream())
    except KubeclipError as e:
        return answer_error(e, sys.stdout, sys.stderr)
    problem = resultfile.write(inv["env"].get("KUBECLIP_RESULT_FILE"), result.dumps().encode())
    if problem:
        _say_failure(problem, sys.stdout, sys.stderr)
    code, signal_name = ending(result, invocation.run_runtime(inv["args"]) or "opencode")
    if signal_name:
        _end_by(signal_name)
    ignore_signals_until_exit()
    return code


def ending(result: RunResult, runtime: str) -> tuple[int, str | None]:
    """How the drop-in ends, as the CLI itself would have: an exit code, or the signal it
    dies by (a cancelled run of a CLI that does not catch Paperclip's SIGTERM)."""
    from kubeclip.renderer.runtimes import RUNTIMES

    code = result.process_exit_code()
    if result.reason is not Reason.CANCELLED or not result.signal:
        return code, None
    caught = RUNTIMES[runtime].exits_on_sigterm if runtime in RUNTIMES else None
    if caught is not None and result.signal == "SIGTERM":
        return caught, None
    return code, result.signal


def run_invocation(
    inv: dict[str, Any],
    stdout: Any,
    stderr: Any,
    progress: Any,
    engine: Engine | None = None,
    handle: RunHandle | None = None,
) -> RunResult:
    """One agent CLI run as Paperclip's adapter started it (``opencode run …``, ``claude
    --print …``; :func:`kubeclip.paperclip.invocation.gather`'s data) as a Job:
    here (a one-run engine), or with ``kubeclip serve``'s shared ``engine`` for a relay.
    The agent's output goes to ``stdout``/``stderr`` (text streams with a binary
    ``.buffer``), kubeclip's lines to
    ``progress`` (None: nowhere); ``handle``, if given, cancels it and tells its status.
    Raises :class:`KubeclipError` for bad input."""
    from kubeclip.paperclip import cliargs
    from kubeclip.paperclip.environment import run_context
    from kubeclip.paperclip.readers import reader
    from kubeclip.renderer.config import parse_config
    from kubeclip.renderer.runcontext import parse_run_context
    from kubeclip.run.engine import Engine
    from kubeclip.run.request import RunOptions, RunRequest

    def say(line: str) -> None:
        if progress is not None:
            progress.write(line + "\n")
            progress.flush()

    env: dict[str, str] = inv["env"]
    runtime = cliargs.runtime_of(inv["args"])
    if runtime is None:
        raise UsageError(f"not a run of a runtime kubeclip knows: {inv['args'][:3]}")
    opts = cliargs.parse(runtime, inv["args"])
    raw, source = _raw_config(opts.model, env, inv["files"].get("config"))
    notes: list[str] = []
    context = run_context(inv, opts.session, notes, say=say)
    for note in notes:
        say(f"kubeclip: {note}")
    files = cliargs.carry_files(runtime, opts, inv["files"].get("named") or {})
    if files:
        context["files"] = files
    cliargs.into_config(runtime, opts, raw, source)
    _warn_loopback(context.get("paperclipApiUrl") or "", raw, stderr)
    config = parse_config(raw, source)
    run = parse_run_context(context, "PAPERCLIP_* environment")
    pod_file = env.get("KUBECLIP_POD_FILE")
    facts = pod_facts(pod_file, inv["files"].get("pod")) if pod_file else None
    options = RunOptions(
        runtime=reader(runtime.key),
        from_pod=env.get("KUBECLIP_POD_NAME"),
        config_source=source,
        retry_unknown_session=False,  # Paperclip retries fresh itself
        progress=progress,
        stdout=stdout,
        stderr=stderr,
        handle=handle,
    )
    result = (engine or Engine()).run(RunRequest(config, run, options, facts))
    tell_reason(result, stdout, stderr, runtime.key)
    return result


def _warn_loopback(url: str, raw: dict[str, Any], stderr: Any) -> None:
    """The one warning that is not kept quiet: the agent could not call Paperclip."""
    from kubeclip.renderer.runenv import is_loopback_url

    if is_loopback_url(url) and not (raw.get("env") or {}).get("PAPERCLIP_API_URL"):
        stderr.write(f"kubeclip-opencode: warning: PAPERCLIP_API_URL {url} is loopback and "
                     "this pod's address is unknown or not listened on: the agent pod cannot "
                     "reach Paperclip. Set env.PAPERCLIP_API_URL in the kubeclip config to "
                     "Paperclip's Service\n")  # fmt: skip
        stderr.flush()


def pod_facts(path: str, file: dict[str, Any] | None) -> PodFacts:
    """KUBECLIP_POD_FILE's facts. serve reads the same file for every run of its pod: parsed
    once per content (0.7 ms of every run's start in a burst otherwise), and shared between
    runs as the facts read from the live pod are (kubeclip.cluster.introspect)."""
    from kubeclip.renderer.podfacts import load_pod_facts

    if file is None or "data" not in file:
        return load_pod_facts(path, file)  # read here, or an error to report: never kept
    return _pod_facts_of(path, file["data"])


@functools.lru_cache(maxsize=8)
def _pod_facts_of(path: str, data: str) -> PodFacts:
    from kubeclip.renderer.podfacts import load_pod_facts

    return load_pod_facts(path, {"path": path, "data": data})


def tell_reason(result: RunResult, stdout: Any, stderr: Any, runtime: str) -> None:
    """A run that ended for a reason of kubeclip's, not the agent's, says so where the
    runtime's Paperclip adapter takes its error message from: an OpenCode error event on
    stdout; for Claude Code (no `result` line: claude_local's message is the exit code and
    the first stderr line) a line on stderr."""
    agents = (Reason.SUCCEEDED, Reason.FAILED, Reason.OOM_KILLED, Reason.CANCELLED)
    if result.reason in agents:
        return
    said = f"kubeclip: {result.reason}: {result.message}"
    if runtime == "opencode":
        from kubeclip.paperclip.opencode import error_line

        stdout.write(error_line(said) + "\n")
        stdout.flush()
    else:
        stderr.write(said + "\n")
        stderr.flush()


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
