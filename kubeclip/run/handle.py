"""One run as whoever started it sees it while it runs, from any thread.

``kubeclip run`` and the drop-in make one per run (their signal handlers cancel through
it); ``kubeclip serve`` makes one per session before the run starts, so that a relay's
cancel frame, ``kubeclip ps`` and serve's journal reach the run through it alone — no
thread-local to find the session, no attribute of the runner set from outside, no probing
of the runner's insides for a status.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from kubeclip.run.result import RunResult
    from kubeclip.run.runner import Runner
    from kubeclip.run.spec import RunSpec


@dataclass(frozen=True)
class RunStatus:
    stage: str  # "starting" until the pod is followed, then the pod's stage
    job: str = ""
    pod: str = ""
    node: str = ""


class RunHandle:
    def __init__(self, on_created: Callable[[RunHandle], None] | None = None) -> None:
        # called once the Job and its Secret exist: serve journals the run then, so that
        # whoever adopts it never needs the Secret's values
        self.on_created = on_created
        self.cancel_signal: str | None = None
        self.spec: RunSpec | None = None
        self.about: dict[str, Any] = {}  # kubeconfig, context, model, workspace
        self._runner: Runner | None = None
        self._result: RunResult | None = None
        self._final: RunStatus | None = None
        self._done = threading.Event()

    def cancel(self, signal_name: str) -> None:
        """Cancel the run: its main loop deletes the Job and reports. The latest signal is
        the one the run says it ended by; before the run starts, it never starts."""
        self.cancel_signal = signal_name
        runner = self._runner
        if runner is not None:  # its main loop looks now, not at its next tick
            runner.readers.wake()

    def status(self) -> RunStatus:
        runner = self._runner
        if runner is None:
            return self._final or RunStatus("starting")
        state, pod = runner.state, runner.readers.last_pod or {}
        return RunStatus(
            stage=(state.stage if state is not None else None) or "starting",
            job=runner.spec.job_name,
            pod=(pod.get("metadata") or {}).get("name", ""),
            node=(pod.get("spec") or {}).get("nodeName", ""),
        )

    def result(self, timeout: float | None = None) -> RunResult | None:
        """The run's result once it ended (None while it runs, after ``timeout``)."""
        self._done.wait(timeout)
        return self._result

    # --- for the engine (kubeclip.run.engine.Engine.follow) and the runner ---------------
    def bind(self, runner: Runner, about: dict[str, Any]) -> None:
        """The runner of this run, once before it runs (again for a retried session)."""
        self._runner, self.spec, self.about = runner, runner.spec, about
        self._result = self._final = None
        self._done.clear()

    def created(self) -> None:
        if self.on_created is not None:
            self.on_created(self)

    def finish(self, result: RunResult) -> None:
        """The run ended: its status is kept, its runner (plan, readers, pod) let go."""
        last = self.status()
        self._final = RunStatus("done", last.job, last.pod, last.node)
        self._result, self._runner = result, None
        self._done.set()
