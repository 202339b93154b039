"""The runs a ``serve`` owns, written beside its socket, so that the next serve adopts them.

Why: a relay whose serve restarts reconnects and has its run re-rendered from the
invocation it still holds. But when serve and the relay die together (the Paperclip pod's
containers restarted, an OOM kill of both), no one holds the invocation: the run's Job went
on to its own deadline, its output after the crash was never archived and its objects
waited for the TTL. The journal keeps what following the Job needs — the plan's ``run``
contract and the rendered Job, **never a credential** (no Secret data, no environment) —
one file per active run in a 0700 directory, removed when the run ends. The next serve
reads it before it accepts a connection and follows each Job to its end as the first
serve would have: output archived (``kubeclip logs``), the Secret dropped, the Job
deleted, the agent's in-memory turn held. A relay that does come back attaches to the
adopted run like to any other. An adopter never creates anything: a Job that is gone is
reported, not made again. A run is journaled only once its Job *and its Secret* exist (a
serve dying before that leaves the run to its relay's reconnect, which re-renders it).
"""

from __future__ import annotations

import json
import os
import sys
from typing import TYPE_CHECKING, Any

from kubeclip.renderer import naming

if TYPE_CHECKING:
    from kubeclip.run.engine import Engine
    from kubeclip.run.result import RunResult
    from kubeclip.run.spec import RunSpec
    from kubeclip.serve.session import Session


class Journal:
    def __init__(self, directory: str) -> None:
        self.directory = directory

    def _path(self, key: str) -> str:
        return os.path.join(self.directory, naming.short_hash(key, length=24) + ".json")

    def write(self, key: str, entry: dict[str, Any]) -> None:
        """Record a run (atomically: a crash leaves the old entry or the new one)."""
        os.makedirs(self.directory, mode=0o700, exist_ok=True)
        path = self._path(key)
        tmp = f"{path}.{os.getpid()}.tmp"
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            # dumps, not dump: dump streams through the pure-Python encoder, 10x slower
            # (a burst of 100 runs spent a third of serve's CPU here)
            f.write(json.dumps({**entry, "key": key}))
        os.replace(tmp, path)

    def remove(self, key: str) -> None:
        _remove(self._path(key))

    def entries(self) -> list[dict[str, Any]]:
        """The runs a previous serve left (an unreadable entry is dropped, and said)."""
        try:
            names = sorted(os.listdir(self.directory))
        except FileNotFoundError:
            return []
        found = []
        for name in names:
            path = os.path.join(self.directory, name)
            if not name.endswith(".json"):
                if name.endswith(".tmp"):
                    _remove(path)  # a write cut short by a crash
                continue
            try:
                with open(path, encoding="utf-8") as f:
                    entry = json.load(f)
                if not isinstance(entry, dict) or not isinstance(entry.get("job"), dict):
                    raise ValueError("not a journal entry")
                found.append(entry)
            except (OSError, ValueError) as e:
                print(f"kubeclip serve: dropping unreadable run journal {path}: {e}",
                      file=sys.stderr, flush=True)  # fmt: skip
                _remove(path)
        return found


def _remove(path: str) -> None:
    """Never a reason for serve not to start."""
    try:
        os.unlink(path)
    except OSError:
        pass


def entry_for(spec: RunSpec, about: dict[str, Any]) -> dict[str, Any]:
    """What adopting the run of ``spec`` needs: no Secret, no environment, no prompt."""
    return {
        "runId": spec.run_id,
        "agentId": spec.agent_id,
        "run": spec.run,
        "job": spec.document("Job"),
        "kubeconfig": about.get("kubeconfig"),
        "context": about.get("context"),
        "model": about.get("model"),
        "runtime": about.get("runtime") or "opencode",  # whose output to read
        "workspace": about.get("workspace") or {},
        "task": about.get("task") or "",
    }


def adopt_run(engine: Engine, session: Session, entry: dict[str, Any]) -> RunResult:
    """Follow a journaled run's Job to its end, as the serve that started it would have."""
    from kubeclip.cluster.kube import Kube
    from kubeclip.paperclip.readers import reader
    from kubeclip.run.engine import attach_parsed
    from kubeclip.run.request import RunOptions
    from kubeclip.run.spec import RunSpec

    connection = engine.connect(entry.get("kubeconfig"), entry.get("context"))
    spec = RunSpec.adopted(entry["run"], entry["job"])
    progress: Any = session.progress  # a text stream to the relay (drop-in's shape)
    runtime = reader(str(entry.get("runtime") or "opencode"))
    options = RunOptions(runtime=runtime, progress=progress, stdout=session.stdout,
                         stderr=session.stderr, handle=session.handle)  # fmt: skip
    # the adopter makes no Secret, so serve's journal entry stays as it is
    result, parser = engine.follow(Kube(connection.api_client), spec, options, entry)
    attach_parsed(result, parser, str(entry.get("model") or ""), entry.get("workspace") or {})
    return result
