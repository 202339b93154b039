"""``kubeclip run``: validate and render exactly as ``kubeclip render`` does, then hand the
manifests to the runner. Nothing is applied unless every input is valid."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from kubeclip.config import load_config
from kubeclip.errors import InputError
from kubeclip.plan import build_plan
from kubeclip.podfacts import PodFacts, load_pod_facts
from kubeclip.renderer import render
from kubeclip.result import RunResult
from kubeclip.runcontext import load_run_context


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("--config", required=True, metavar="FILE", help="agent config (YAML/JSON)")
    p.add_argument("--run", required=True, metavar="FILE", help="run context (JSON)")
    p.add_argument("--prompt-file", metavar="FILE")
    src = p.add_mutually_exclusive_group()
    src.add_argument("--pod", metavar="FILE", help="the Paperclip workload as a file")
    src.add_argument(
        "--from-pod", metavar="[NS/]NAME",
        help="read the Paperclip pod live (default in a pod: $KUBECLIP_POD_NAME or $HOSTNAME)",
    )  # fmt: skip
    p.add_argument("--templates", metavar="DIR")
    p.add_argument("--kubeconfig", metavar="FILE")
    p.add_argument("--context", metavar="NAME")
    p.add_argument("-n", "--namespace", metavar="NS", help="namespace of the Job")
    p.add_argument("--result", metavar="FILE", help="write the result as JSON")
    p.add_argument("--events", action="store_true", help="JSON lines on stdout")
    p.add_argument("--detach", action="store_true", help="start (or find) the Job and return")


def run_command(args: argparse.Namespace) -> int:
    config = load_config(args.config)
    run = load_run_context(args.run, args.prompt_file)
    if args.templates and not Path(args.templates).is_dir():
        raise InputError(args.templates, ["--templates: not a directory"])
    facts: PodFacts | None = load_pod_facts(args.pod) if args.pod else None

    # Everything below needs the cluster; only now is the kubernetes client imported.
    from kubeclip.introspect import live_pod_facts, self_pod_ref
    from kubeclip.kube import Kube, connect
    from kubeclip.runner import Output, Runner, RunSpec, signals_cancel

    connection = connect(args.kubeconfig or config["kubeconfig"], args.context)
    kube = Kube(connection.api_client)
    if facts is None:
        namespace, name = self_pod_ref(args.from_pod, connection)
        facts = live_pod_facts(kube, connection, namespace, name)
    if args.namespace:
        config["namespace"] = args.namespace
    elif not config["namespace"] and not facts["namespace"]:
        config["namespace"] = connection.namespace
    plan = build_plan(config, facts, run, reveal_secrets=True, config_source=args.config)
    rendered = render(plan, args.templates)
    for warning in plan["warnings"]:
        print(f"kubeclip: warning: {warning}", file=sys.stderr)
    spec = RunSpec(
        rendered=rendered,
        agent_id=run["agent"]["id"],
        run_id=run["runId"],
        retain=config["retainJobs"],
        timeout=config["timeoutSec"],
        grace=config["graceSec"],
        schedule_timeout=config["scheduleTimeoutSec"],
        detach=args.detach,
    )
    runner = Runner(kube, spec, Output(sys.stdout, sys.stderr, events=args.events))
    with signals_cancel(runner):
        result = runner.run()
    write_result(args.result, result)
    return result.process_exit_code()


def write_result(path: str | None, result: RunResult) -> None:
    if path:
        Path(path).write_text(result.dumps() + "\n", encoding="utf-8")
