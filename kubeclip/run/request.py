"""One run asked for, as data: what to run (the validated config, the run context, the
pod facts or where to read them) and how (the agent's runtime, the connection flags, where
the output and kubeclip's own lines go, the handle the caller cancels it with).

Every bridge builds one (``kubeclip run`` from its flags, the drop-in from Paperclip's
``opencode`` invocation, serve's adopter from its journal) and hands it to an
:class:`~kubeclip.run.engine.Engine`: nothing else passes between them.
"""

from __future__ import annotations

import secrets
import sys
from dataclasses import dataclass, field
from typing import Any, TextIO

from kubeclip.renderer.config import AgentConfig
from kubeclip.renderer.podfacts import PodFacts
from kubeclip.renderer.runcontext import RunContext
from kubeclip.run.handle import RunHandle
from kubeclip.run.runtime import Runtime


@dataclass
class RunOptions:
    """How to run: the agent's runtime, connection flags, output mode and sinks."""

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
    handle: RunHandle | None = None  # how the caller cancels the run and reads its status


@dataclass(frozen=True)
class RunRequest:
    """What to run. ``facts`` None: read from the Paperclip pod (``options.from_pod``, or
    the pod this process runs in) once connected."""

    config: AgentConfig
    run: RunContext
    options: RunOptions
    facts: PodFacts | None = None


def new_nonce() -> str:
    """The runner's proof of authorship of one rendering's Secret (RUNNER_SCRIPT says why):
    32 random bytes only this process knows."""
    return secrets.token_hex(32)


def say(options: RunOptions, line: str) -> None:
    if options.progress is not None:
        options.progress.write(line + "\n")
        options.progress.flush()
