"""``kubeclip run``: validate and render exactly as ``kubeclip render`` does, then hand the
manifests to the runner. Nothing is applied unless every input is valid.

:func:`execute` is shared by every bridge (the CLI, the Paperclip drop-in): it runs one
agent run, reads the agent's output on the way through with the runtime the bridge gave
(:mod:`kubeclip.run.runtime`), and retries once without ``--session`` when the agent says
the session is unknown.
"""

from __future__ import annotations

import secrets
import sys
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Protocol, TextIO

from kubeclip.errors import Reason
from kubeclip.renderer.builder import build_plan
from kubeclip.renderer.config import AgentConfig
from kubeclip.renderer.podfacts import PodFacts
from kubeclip.renderer.render import Rendered, compiled_templates, render
from kubeclip.renderer.runcontext import RunContext, workspace
from kubeclip.run.handle import RunHandle
from kubeclip.run.result import RunResult
from kubeclip.run.runtime import AgentOutput, Runtime

if TYPE_CHECKING:
    from kubeclip.cluster.kube import Connection, Kube
    from kubeclip.run.lock import Turns
    from kubeclip.run.readers import PodSource
    from kubeclip.run.spec import RunSpec

AGENT_REASONS = frozenset({Reason.SUCCEEDED, Reason.FAILED, Reason.OOM_KILLED})


class Host(Protocol):
    """A long-lived process running many runs (``kubeclip serve``): it shares one
    connection pool and one pod watch per namespace between them, and can cancel each."""

    def connect(self, kubeconfig: str | None, context: str | None) -> Connection: ...

    def pods(self, kube: Kube, namespace: str) -> PodSource: ...

    @property
    def turns(self) -> Turns: ...


@dataclass
class Target:
    """Where and how to run: the agent's runtime, connection flags and output mode."""

    runtime: Runtime
    kubeconfig: str | None = None
    context: str | None = None
    namespace: str | None = None
    from_pod: str | None = None
    templates: str | None = None
    events: bool = False
    detach: bool = False
    config_source: str = "agent config"
    # Paperclip's opencode_local retries an unknown session itself: the drop-in must not.
    retry_unknown_session: bool = True
    # where kubeclip's own lines go (None: nowhere); the agent's stderr always goes to stderr
    progress: TextIO | None = field(default_factory=lambda: sys.stderr)
    # the agent's output (text streams with a binary .buffer); None: this process's own
    stdout: Any = None
    stderr: Any = None
    host: Host | None = None
    handle: RunHandle | None = None  # how the caller cancels the run and reads its status


def new_nonce() -> str:
    """The runner's proof of authorship of one rendering's Secret (RUNNER_SCRIPT says why):
    32 random bytes only this process knows."""
    return secrets.token_hex(32)


def say(target: Target, line: str) -> None:
    if target.progress is not None:
        target.progress.write(line + "\n")
        target.progress.flush()


def execute(
    config: AgentConfig, facts: PodFacts | None, run: RunContext, target: Target
) -> RunResult:
    compiled_templates(target.templates)  # a bad --templates fails before the cluster is touched

    # Everything below needs the cluster; only now is the kubernetes client imported.
    from kubeclip.cluster.introspect import live_pod_facts, self_pod_ref
    from kubeclip.cluster.kube import Kube, connect
    from kubeclip.run.spec import RunSpec

    kubeconfig = target.kubeconfig or config["kubeconfig"]
    host = target.host
    connection = (host.connect if host else connect)(kubeconfig, target.context)
    kube = Kube(connection.api_client)
    if host is None:  # a signal before the run: no retry of a silent API outlives it
        from kubeclip.run.signals import pending_signal

        kube.interrupted = pending_signal
    if facts is None:
        namespace, name = self_pod_ref(target.from_pod, connection)
        facts = live_pod_facts(kube, connection, namespace, name)

    result: RunResult | None = None
    parser = target.runtime.output()
    for attempt in range(2):
        # one nonce per attempt (the default is evaluated here), the same for every slot
        def rendered(
            slot: int, attempt: int = attempt, run: RunContext = run, nonce: str = new_nonce()
        ) -> Rendered:
            plan = build_plan(
                config, facts, run, reveal_secrets=True, config_source=target.config_source,
                attempt=attempt, namespace_flag=target.namespace,
                namespace_fallback=connection.namespace, slot=slot, nonce=nonce,
            )  # fmt: skip
            return render(plan, target.templates)

        first = rendered(0)
        plan = first.plan
        for warning in plan["warnings"] if attempt == 0 else []:
            say(target, f"kubeclip: warning: {warning}")
        spec = RunSpec(first, detach=target.detach, render_slot=rendered)
        result, parser = run_spec(kube, spec, target, _about(kubeconfig, target, config, run))
        resumed = plan["run"]["resumesSession"]
        if not (
            target.retry_unknown_session
            and parser.unknown_session(result.exitCode)
            and resumed
            and result.reason in AGENT_REASONS
        ):
            break
        say(target, f"kubeclip: {target.runtime.name} does not know the session; retrying "
            "once fresh")
        run = _without_session(run)
    assert result is not None
    attach_parsed(result, parser, config["model"], workspace(run))
    if attempt:  # the stored session was unknown: Paperclip must forget it
        result.extra["clearSession"] = True
    return result


def run_spec(
    kube: Kube, spec: RunSpec, target: Target, about: dict[str, Any]
) -> tuple[RunResult, AgentOutput]:
    """One rendered run through the runner, the runtime's output parsed on the way; the
    run's handle learns ``about`` (what serve journals), a host shares its pod watch and
    agent turns."""
    from kubeclip.run.output import Output
    from kubeclip.run.runner import Runner
    from kubeclip.run.signals import signals_cancel

    parser = target.runtime.output()
    out = Output(
        target.stdout or sys.stdout, target.stderr or sys.stderr, events=target.events,
        tap=parser.feed_bytes, err_tap=parser.feed_stderr, progress=target.progress,
    )  # fmt: skip
    host = target.host
    pods = host.pods(kube, spec.namespace) if host is not None else None
    kube.on_unreachable = lambda said: out.status("api", said)
    handle = target.handle or RunHandle()
    runner = Runner(kube, spec, out, pods=pods, turns=host.turns if host else None,
                    handle=handle)  # fmt: skip
    handle.bind(runner, about)
    with signals_cancel(handle):
        result = runner.run()
    parser.close()
    handle.finish(result)
    return result, parser


def _about(
    kubeconfig: str | None, target: Target, config: AgentConfig, run: RunContext
) -> dict[str, Any]:
    """For a host's journal (kubeclip.serve.adopt): what following the run again needs."""
    return {"kubeconfig": kubeconfig, "context": target.context, "model": config["model"],
            "workspace": workspace(run)}  # fmt: skip


def _without_session(run: RunContext) -> RunContext:
    runtime = dict(run.get("runtime") or {})
    runtime["sessionId"] = None
    runtime["sessionParams"] = None
    return {**run, "runtime": runtime}


def attach_parsed(
    result: RunResult, parser: AgentOutput, model: str, ws: dict[str, Any]
) -> None:
    """Fill the result with what the agent's output said, in AdapterExecutionResult shape."""
    fields = parser.result_fields(result.exitCode, model, ws)
    if result.reason not in (Reason.FAILED, Reason.SUCCEEDED) and not parser.errors:
        fields.pop("errorMessage", None)  # a stderr line says less than the runner's reason
    if "exitCode" in fields:  # an error event with exit code 0 is a failed run
        result.exitCode = fields.pop("exitCode")
        if result.reason is Reason.SUCCEEDED:
            result.reason, result.message = Reason.FAILED, fields["errorMessage"]
    if result.reason not in (Reason.SUCCEEDED, Reason.DETACHED):
        fields.setdefault("errorMessage", result.message)
        fields.setdefault("errorCode", result.reason)
    result.extra.update(fields)


