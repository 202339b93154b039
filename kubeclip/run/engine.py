"""The run engine: what runs share, and one run from its request to its result.

An :class:`Engine` owns the connections, each namespace's shared pod and Job-events watch
(:mod:`kubeclip.run.watches`) and each agent's in-memory turns (:mod:`kubeclip.run.turns`).
``kubeclip run`` and the in-process drop-in use a one-run engine (a direct connection, the
run's own watch of its pods: a namespace-wide watch would stream every pod of a busy
namespace for one run's sake; a signal before the run interrupts any retry of a silent
API). ``kubeclip serve`` keeps one shared engine for its whole life.

:meth:`Engine.run` validates the templates, connects, renders exactly as ``kubeclip
render`` does and follows the run; the agent's output is read on the way through by the
runtime the bridge gave (:mod:`kubeclip.run.runtime`), and a resumed session the agent
does not know is retried once fresh. Nothing is applied unless every input is valid.
"""

from __future__ import annotations

import hashlib
import os
import sys
import threading
from typing import TYPE_CHECKING, Any

from kubeclip.errors import Reason
from kubeclip.renderer.builder import build_plan
from kubeclip.renderer.render import Rendered, compiled_templates, render
from kubeclip.renderer.runcontext import RunContext, workspace
from kubeclip.run.handle import RunHandle
from kubeclip.run.request import RunOptions, RunRequest, new_nonce, say
from kubeclip.run.result import RunResult
from kubeclip.run.runtime import AgentOutput
from kubeclip.run.turns import Turns

if TYPE_CHECKING:
    from kubeclip.cluster.kube import Connection, Kube
    from kubeclip.run.spec import RunSpec
    from kubeclip.run.watches import NamespaceWatches

AGENT_REASONS = frozenset({Reason.SUCCEEDED, Reason.FAILED, Reason.OOM_KILLED})
POOL_SIZE = 512  # a shared engine: one pooled connection per concurrent stream and request


class Engine:
    def __init__(self, shared: bool = False) -> None:
        """``shared``: many runs at once for a long life (serve): pooled connections, one
        pod watch per namespace, in-memory turns. Else one run (``kubeclip run``)."""
        self.shared = shared
        self.turns: Turns | None = Turns() if shared else None
        self.connections: dict[tuple[str | None, str | None, str], Connection] = {}
        self.watches: dict[tuple[int, str], NamespaceWatches] = {}
        self.connecting = threading.Lock()  # the first import of the client takes ~0.4 s
        self.lock = threading.Lock()

    def connect(self, kubeconfig: str | None, context: str | None) -> Connection:
        """A shared engine keeps one connection per kubeconfig *as it reads now*: a file
        rewritten in place (rotated credentials, a re-created cluster, a mounted Secret
        updated) is read again, never served from a connection made of its old contents."""
        from kubeclip.cluster.kube import connect

        if not self.shared:
            return connect(kubeconfig, context)
        key = (kubeconfig, context, _kubeconfig_digest(kubeconfig))  # file I/O: not locked
        with self.connecting:
            if key not in self.connections:
                for stale in [k for k in self.connections if k[:2] == key[:2]]:
                    del self.connections[stale]  # its runs keep their own; new ones do not
                connection = connect(kubeconfig, context)
                pool = connection.api_client.rest_client.pool_manager
                pool.connection_pool_kw["maxsize"] = POOL_SIZE
                self.connections[key] = connection
            return self.connections[key]

    def pods(self, kube: Kube, namespace: str) -> NamespaceWatches | None:
        """The namespace's shared watches (None for a one-run engine: the run's own)."""
        if not self.shared:
            return None
        from kubeclip.cluster.kube import Kube
        from kubeclip.run.watches import NamespaceWatches

        with self.lock:
            key = (id(kube.api_client), namespace)
            if key not in self.watches:
                self.watches[key] = NamespaceWatches(Kube(kube.api_client), namespace)
            return self.watches[key]

    def run(self, request: RunRequest) -> RunResult:
        """One run, start to result; raises KubeclipError for what is refused before it."""
        options, config = request.options, request.config
        compiled_templates(options.templates)  # a bad --templates fails before the cluster

        # Everything below needs the cluster; only now is the kubernetes client imported.
        from kubeclip.cluster.introspect import live_pod_facts, self_pod_ref
        from kubeclip.cluster.kube import Kube
        from kubeclip.run.spec import RunSpec

        kubeconfig = options.kubeconfig or config["kubeconfig"]
        connection = self.connect(kubeconfig, options.context)
        kube = Kube(connection.api_client)
        if not self.shared:  # a signal before the run: no retry of a silent API outlives it
            from kubeclip.run.signals import pending_signal

            kube.interrupted = pending_signal
        facts, run = request.facts, request.run
        if facts is None:
            namespace, name = self_pod_ref(options.from_pod, connection)
            facts = live_pod_facts(kube, connection, namespace, name)
        about = {"kubeconfig": kubeconfig, "context": options.context, "model": config["model"],
                 "runtime": config["runtime"], "workspace": workspace(run)}  # fmt: skip

        result: RunResult | None = None
        parser = options.runtime.output()
        for attempt in range(2):
            # one nonce per attempt (the default is evaluated here), the same for every slot
            def rendered(
                slot: int, attempt: int = attempt, run: RunContext = run, nonce: str = new_nonce()
            ) -> Rendered:
                plan = build_plan(
                    config, facts, run, reveal_secrets=True, config_source=options.config_source,
                    attempt=attempt, namespace_flag=options.namespace,
                    namespace_fallback=connection.namespace, slot=slot, nonce=nonce,
                )  # fmt: skip
                return render(plan, options.templates)

            first = rendered(0)
            for warning in first.plan["warnings"] if attempt == 0 else []:
                say(options, f"kubeclip: warning: {warning}")
            spec = RunSpec(first, detach=options.detach, render_slot=rendered)
            result, parser = self.follow(kube, spec, options, about)
            if not (
                options.retry_unknown_session
                and parser.unknown_session(result.exitCode)
                and first.plan["run"]["resumesSession"]
                and result.reason in AGENT_REASONS
            ):
                break
            say(options, f"kubeclip: {options.runtime.name} does not know the session; "
                "retrying once fresh")
            run = _without_session(run)
        assert result is not None
        attach_parsed(result, parser, config["model"], workspace(run))
        if attempt:  # the stored session was unknown: Paperclip must forget it
            result.extra["clearSession"] = True
        return result

    def follow(
        self, kube: Kube, spec: RunSpec, options: RunOptions, about: dict[str, Any]
    ) -> tuple[RunResult, AgentOutput]:
        """One rendered run (or one adopted from serve's journal) through the runner, the
        runtime's output parsed on the way; its handle learns ``about`` (what serve
        journals)."""
        from kubeclip.run.output import Output
        from kubeclip.run.runner import Runner
        from kubeclip.run.signals import signals_cancel

        parser = options.runtime.output()
        parser.resumed = bool(spec.run.get("resumesSession"))
        out = Output(
            options.stdout or sys.stdout, options.stderr or sys.stderr, events=options.events,
            tap=parser.feed_bytes, err_tap=parser.feed_stderr, progress=options.progress,
        )  # fmt: skip
        kube.on_unreachable = lambda said: out.status("api", said)
        handle = options.handle or RunHandle()
        runner = Runner(kube, spec, out, pods=self.pods(kube, spec.namespace),
                        turns=self.turns, handle=handle)  # fmt: skip
        handle.bind(runner, about)
        with signals_cancel(handle):
            result = runner.run()
        parser.close()
        handle.finish(result)
        return result, parser


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


def _kubeconfig_digest(kubeconfig: str | None) -> str:
    """What the kubeconfig file(s) kubectl would read say now (--kubeconfig, else every file
    of $KUBECONFIG, else ~/.kube/config); in-cluster credentials are the client's to refresh."""
    paths = [kubeconfig] if kubeconfig else [
        p for p in os.environ.get("KUBECONFIG", "").split(os.pathsep) if p
    ] or [os.path.expanduser("~/.kube/config")]  # fmt: skip
    digest = hashlib.sha256()
    for path in paths:
        try:
            with open(path, "rb") as f:
                digest.update(hashlib.sha256(f.read()).digest())
        except OSError as e:
            digest.update(f"<{e.errno}>".encode())
    return digest.hexdigest()
