"""Each runtime's output reader, by the agent config's ``runtime``
(:data:`kubeclip.renderer.runtimes.RUNTIMES` names the same keys; a test holds them equal).
A reader is imported only when a run needs it."""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from kubeclip.run.runtime import Runtime

READERS = {"opencode": "kubeclip.paperclip.opencode", "claude": "kubeclip.paperclip.claude",
           "codex": "kubeclip.paperclip.codex"}


def reader(key: str) -> Runtime:
    runtime: Runtime = importlib.import_module(READERS[key]).RUNTIME
    return runtime
