"""``kubeclip`` command line. Exit codes: 0 ok, 2 invalid input (nothing on stdout,
nothing applied), 1 internal error (a bug: please report it with the traceback)."""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Callable, Sequence
from typing import Any, NoReturn

from kubeclip import __version__
from kubeclip.errors import KubeclipError

# Commands that touch no network and start no thread: the process can end without
# Python's finalization (module teardown is ~8 ms of a ~60 ms `kubeclip render`).
_PURE_COMMANDS = ("render", "validate", "schema")


def _command(argv: Sequence[str]) -> str | None:
    """The subcommand named on the command line (the first word that is not an option)."""
    return next((a for a in argv if not a.startswith("-")), None)


def _columns() -> int:
    """The terminal width as `shutil.get_terminal_size` finds it ($COLUMNS, then the
    terminal, then 80) without importing shutil (~1 ms of a cold `kubeclip render`)."""
    try:
        columns = int(os.environ.get("COLUMNS", "0"))
    except ValueError:
        columns = 0
    if columns <= 0:
        try:
            columns = os.get_terminal_size(sys.__stdout__.fileno()).columns  # type: ignore[union-attr]
        except (AttributeError, ValueError, OSError):
            columns = 0
    return columns or 80


class _Formatter(argparse.HelpFormatter):
    def __init__(self, prog: str) -> None:
        super().__init__(prog, width=_columns() - 2)


class _Parser(argparse.ArgumentParser):
    """argparse's parser, formatting help with `_Formatter` (its subcommands too)."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("formatter_class", _Formatter)
        super().__init__(**kwargs)


class _Help(argparse.HelpFormatter):
    """Every option's default in its help, unless there is none or the help says it."""

    def _get_help_string(self, action: argparse.Action) -> str | None:
        text = action.help or ""
        default = action.default
        if default is None or default is False or default == [] or "default" in text:
            return text
        return f"{text} (default: {default})"


def _parser(command: str | None = None) -> argparse.ArgumentParser:
    """The parser; only ``command``'s arguments are declared (all of them when it is None or
    unknown), since declaring every subcommand's options costs a cold start ~3 ms."""
    p = _Parser(
        prog="kubeclip",
        description="Run Paperclip AI agents as reviewable, isolated Kubernetes Jobs.",
    )
    p.add_argument("--version", action="version", version=f"kubeclip {__version__}")
    p.add_argument("--debug", action="store_true",
                   help="anywhere on the line: log every API request and library message to "
                   "stderr, and show where an error came from")  # fmt: skip
    sub = p.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for name, texts, declare in _SUBCOMMANDS:
        parser = sub.add_parser(
            name, help=texts["help"], epilog=texts.get("epilog"),
            description=texts.get("description") or texts["help"][:1].upper() + texts["help"][1:],
            formatter_class=_Help,
        )  # fmt: skip
        if command not in _COMMANDS or command == name:
            declare(parser)
    return p




def _completion_arguments(c: argparse.ArgumentParser) -> None:
    c.add_argument("shell", choices=("bash", "zsh", "fish"), help="the shell to complete in")


def _connection_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("--kubeconfig", metavar="FILE", help="default: the config's kubeconfig, else "
                   "$KUBECONFIG or ~/.kube/config, else the in-cluster service account")
    p.add_argument("--context", metavar="NAME", help="a context of the kubeconfig (default: its "
                   "current-context)")


def _validate_arguments(v: argparse.ArgumentParser) -> None:
    v.add_argument("--config", required=True, metavar="FILE", help="agent config (YAML/JSON)")


def _schema_arguments(s: argparse.ArgumentParser) -> None:
    s.add_argument(
        "name", nargs="?", choices=("agent-config", "run-context"), default="agent-config",
        help="which schema (default: agent-config)",
    )


def _ps_arguments(ps: argparse.ArgumentParser) -> None:
    ps.add_argument("--socket", metavar="PATH", help="serve's socket (default: as the relay)")
    ps.add_argument("-o", "--output", choices=("table", "json"), default="table",
                    help="table (default) or json")


def _logs_arguments(lg: argparse.ArgumentParser) -> None:
    lg.add_argument("run", metavar="RUN", help="the run id (a unique prefix will do)")
    lg.add_argument("-f", "--follow", action="store_true", help="follow until the run ends")
    lg.add_argument("--socket", metavar="PATH", help="serve's socket (default: as the relay)")
    lg.add_argument("--log-dir", metavar="DIR", help="read the archive here without serve")


def _serve_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("--socket", metavar="PATH",
                   help="Unix socket (default: $KUBECLIP_SERVE_SOCKET, else a per-user one)")
    p.add_argument("--log-dir", metavar="DIR",
                   help="run archives (default: $KUBECLIP_LOG_DIR, /paperclip/.kubeclip/logs)")
    p.add_argument("--idle-exit", type=_non_negative, default=0.0, metavar="SEC",
                   help="leave after SEC seconds without runs (0: never)")
    p.add_argument("--allow-uid", type=int, action="append", default=[], metavar="UID",
                   help="also accept this uid's relays (a sidecar's Paperclip container)")
    p.add_argument("--keep-logs", type=_non_negative, default=7.0, metavar="DAYS",
                   help="remove run archives older than DAYS when starting (0: keep all)")


def _render_arguments(r: argparse.ArgumentParser) -> None:
    r.add_argument("--config", required=True, metavar="FILE", help="agent config (YAML/JSON)")
    r.add_argument(
        "--pod",
        required=True,
        metavar="FILE",
        help="the Paperclip Pod/Deployment/StatefulSet (e.g. kubectl get deploy paperclip -o yaml)",
    )
    r.add_argument("--run", required=True, metavar="FILE", help="run context (JSON; - reads stdin)")
    r.add_argument("--prompt-file", metavar="FILE", help="read the prompt from FILE")
    r.add_argument("-o", "--output", choices=("yaml", "json"), default="yaml",
                   help="yaml (default, with reviewer comments) or json (a v1 List)")
    r.add_argument("-n", "--namespace", metavar="NS",
                   help="namespace of the Job (default: the config's, else the Paperclip pod's)")
    r.add_argument("--templates", metavar="DIR", help="render with your own copy of templates/")
    r.add_argument(
        "--reveal-secrets",
        action="store_true",
        help="include credential values in the Secret (to debug a render; never committed)",
    )


def _run_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("--config", required=True, metavar="FILE", help="agent config (YAML/JSON)")
    p.add_argument("--run", required=True, metavar="FILE", help="run context (JSON; - reads stdin)")
    p.add_argument("--prompt-file", metavar="FILE", help="read the prompt from FILE")
    src = p.add_mutually_exclusive_group()
    src.add_argument("--pod", metavar="FILE", help="the Paperclip workload as a file")
    src.add_argument(
        "--from-pod", metavar="[NS/]NAME",
        help="read the Paperclip pod live (default in a pod: $KUBECLIP_POD_NAME or $HOSTNAME)",
    )  # fmt: skip
    p.add_argument("--templates", metavar="DIR", help="render with your own copy of templates/")
    _connection_arguments(p)
    p.add_argument("-n", "--namespace", metavar="NS", help="namespace of the Job (default: the "
                   "config's, else the Paperclip pod's, else the context's)")
    p.add_argument("--result", metavar="FILE", help="write the result as JSON")
    p.add_argument("--events", action="store_true", help="JSON lines on stdout")
    p.add_argument("--detach", action="store_true", help="start (or find) the Job and return")


def _check_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("--config", metavar="FILE", help="also validate and render this agent config")
    src = p.add_mutually_exclusive_group()
    src.add_argument("--pod", metavar="FILE", help="the Paperclip workload as a file")
    src.add_argument("--from-pod", metavar="[NS/]NAME", help="read the Paperclip pod live")
    _connection_arguments(p)
    p.add_argument("-n", "--namespace", metavar="NS", help="namespace of the agent Jobs")
    p.add_argument("-o", "--output", choices=("table", "json"), default="table",
                   help="table (default), or json: Paperclip's testEnvironment shape")
    p.add_argument("--json", action="store_true", help="the same as -o json")
    p.add_argument("--smoke", action="store_true", help="also run a tiny Job and read its log")


_SUBCOMMANDS: list[tuple[str, dict[str, str], Callable[[argparse.ArgumentParser], None]]] = [
    ("render", {
        "help": "print the manifests of one agent run, for review (`run` applies them)",
        "description": "Validate the inputs and print the per-run Secret and the Job, for "
        "review. Credential values are redacted unless --reveal-secrets. The output is not "
        "for `kubectl apply`: its Job carries no proof of authorship, so its pod refuses to "
        "start the agent; `kubeclip run` renders the same manifests with one and applies them.",
        "epilog": "Found a credential value in a manifest, log, error or result? Rotate it, "
        "then open a private security advisory on the kubeclip repository with the command "
        "and the output (value removed). docs/security.md.",
    }, _render_arguments),
    ("run", {
        "help": "run one agent run as a Job: create, follow, stream logs, report, clean up",
        "description": "Apply mode. stdout carries the agent's output exactly as produced "
        "(or JSON lines with --events); kubeclip's own messages go to stderr. The exit code "
        "is the agent's, or one per infrastructure failure (see the README).",
    }, _run_arguments),
    ("check", {
        "help": "check that the cluster is ready: API, identity, namespace, permissions, "
        "claim, secrets (and --smoke: a tiny Job)",
    }, _check_arguments),
    ("validate", {"help": "validate an agent config"}, _validate_arguments),
    ("schema", {"help": "print a JSON Schema"}, _schema_arguments),
    ("serve", {
        "help": "run every agent run of this Paperclip pod in one process (kubeclip-opencode "
        "relays to it)",
    }, _serve_arguments),
    ("ps", {"help": "the runs a kubeclip serve is running"}, _ps_arguments),
    ("logs", {"help": "a run's output, live from serve or from its archive"}, _logs_arguments),
    ("completion", {
        "help": "print a shell completion script: "
        "source <(kubeclip completion bash), or zsh, or fish",
    }, _completion_arguments),
]  # fmt: skip
_COMMANDS = tuple(name for name, _, _ in _SUBCOMMANDS)


def entry() -> NoReturn:
    """The `kubeclip` executable: `main`, then a pure command's process ends at once, its
    output flushed (a closed pipe, as in `kubeclip render | head`, is not an error)."""
    argv = sys.argv[1:]
    code = main(argv)
    if _command(argv) not in _PURE_COMMANDS:
        sys.exit(code)
    try:
        sys.stdout.flush()
    except BrokenPipeError:
        pass
    try:
        sys.stderr.flush()
    finally:
        os._exit(code)


def _non_negative(value: str) -> float:
    number = float(value)
    if not number >= 0:  # also NaN
        raise argparse.ArgumentTypeError(f"must be 0 or more, not {value}")
    return number


def main(argv: Sequence[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if not argv:  # like kubectl and helm: a bare command prints its help
        _parser().print_help()
        return 0
    debug = "--debug" in argv  # a global flag, before or after the command (as kubectl's)
    if debug:
        import logging

        argv = [a for a in argv if a != "--debug"]
        logging.basicConfig(level=logging.DEBUG, format="%(name)s: %(message)s")
    args = _parser(_command(argv)).parse_args(argv)
    try:
        return _dispatch(args)
    except KubeclipError as e:
        if debug:
            import traceback

            traceback.print_exc()
        print(
            f"kubeclip: error: {e}" if "\n" not in str(e) else f"kubeclip: error:\n{e}",
            file=sys.stderr,
        )
        return e.exit_code
    except BrokenPipeError:  # e.g. `kubeclip render ... | head`
        return 0


def _dispatch(args: argparse.Namespace) -> int:
    if args.command == "render":
        from kubeclip.renderer.pipeline import render_files

        rendered = render_files(
            args.config,
            args.pod,
            args.run,
            prompt_file=args.prompt_file,
            template_dir=args.templates,
            reveal_secrets=args.reveal_secrets,
            namespace=args.namespace,
        )
        out = rendered.to_yaml() if args.output == "yaml" else rendered.to_json()
        for warning in rendered.plan["warnings"]:
            print(f"kubeclip: warning: {warning}", file=sys.stderr)
        sys.stdout.write(out)
        return 0
    if args.command == "run":
        return _run(args)
    if args.command == "check":
        from kubeclip.run.check import check_command

        return check_command(args)
    if args.command == "validate":
        from kubeclip.renderer.pipeline import validate_config

        config = validate_config(args.config)
        print(f"{args.config}: valid (model {config['model']})", file=sys.stderr)
        return 0
    if args.command in ("serve", "ps", "logs"):
        from kubeclip.serve.commands import serve_command

        return serve_command(args)
    if args.command == "completion":
        from kubeclip.completion import script

        sys.stdout.write(script(args.shell, _parser()))
        return 0
    if args.command == "schema":
        from kubeclip.renderer.validation import load_schema

        sys.stdout.write(json.dumps(load_schema(args.name), indent=2) + "\n")
        return 0
    raise AssertionError(args.command)  # pragma: no cover


def _run(args: argparse.Namespace) -> int:
    """`kubeclip run`: the flags -> a one-run :class:`kubeclip.run.engine.Engine` with the
    config's runtime reading the output, and the result to --result / --events even when
    the run is refused before it starts."""
    from kubeclip.cluster.times import now_iso
    from kubeclip.errors import Interrupted, Reason, UsageError, exit_code
    from kubeclip.paperclip.readers import reader
    from kubeclip.renderer.pipeline import load_inputs
    from kubeclip.run import resultfile
    from kubeclip.run.engine import Engine
    from kubeclip.run.request import RunOptions, RunRequest
    from kubeclip.run.result import RunResult
    from kubeclip.run.signals import ignore_signals_until_exit, latch_signals

    def write_result(result: RunResult) -> None:  # the run's outcome stands if this fails
        problem = resultfile.write(args.result, result.dumps().encode())
        if problem:
            print(f"kubeclip: error: {problem}", file=sys.stderr, flush=True)

    latch_signals()  # from here on a signal never kills us before the result is written
    if args.result and not resultfile.writable(args.result):  # a lost result: never run
        raise UsageError(f"--result {args.result}: cannot be written (a directory, or a "
                         "directory that does not exist or is not writable); nothing was "
                         "applied")  # fmt: skip
    started = now_iso()
    try:
        config, facts, run = load_inputs(args.config, args.pod, args.run, args.prompt_file)
        options = RunOptions(runtime=reader(config["runtime"]), kubeconfig=args.kubeconfig,
                             context=args.context, namespace=args.namespace,
                             from_pod=args.from_pod, templates=args.templates,
                             events=args.events, detach=args.detach,
                             config_source=args.config)  # fmt: skip
        result = Engine().run(RunRequest(config, run, options, facts))
    except KubeclipError as e:  # refused before a run: the result says so all the same
        reason = Reason.API_ERROR if e.exit_code == exit_code(Reason.API_ERROR) else (
            Reason.INVALID_INPUT)  # fmt: skip
        if isinstance(e, Interrupted):
            reason = Reason.CANCELLED
        refused = RunResult(reason=reason, message=str(e), startedAt=started,
                            finishedAt=now_iso(), cancelled=isinstance(e, Interrupted),
                            signal=getattr(e, "signal", None))  # fmt: skip
        write_result(refused)
        if args.events:
            print(json.dumps({"type": "result", **refused.to_json()}), flush=True)
        raise
    write_result(result)
    ignore_signals_until_exit()
    return result.process_exit_code()
