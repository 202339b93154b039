"""Paperclip fidelity for Claude Code beyond every runtime's cases
(test_adapter_contracts.py): the published claude_local drives the real `claude` locally
and `kubeclip-agent` as its `command` (tests/adaptercontract.py), and `kubeclip serve` is
killed mid-run.
"""

from __future__ import annotations

import json
import os
import signal
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from tests.adaptercontract import CLAUDE, Contract, require_root
from tests.realkube.cluster import RealCluster


@pytest.fixture(autouse=True)
def _root() -> None:
    require_root()


@pytest.fixture
def contract(
    real: RealCluster, paperclip_modules: Path, claude_binary: Path, tmp_path: Path
) -> Contract:
    return Contract(CLAUDE, real, paperclip_modules, claude_binary, tmp_path)


def test_serve_killed_mid_run_claude_local_gets_the_undisturbed_result(
    contract: Contract,
) -> None:
    """`kubeclip serve` is killed while the pod's CLI waits 8 s for the model: the relay
    starts another serve, which takes the run over (from its journal, which says whose
    output to read) and streams the rest; claude_local's result is the local run's, from
    the one Job made."""
    agent = f"agent-{uuid.uuid4().hex[:10]}"
    local = contract.case(kubeclip=False, agent=agent, model="stub-pause")
    home = contract.runtime_dir / f"kubeclip-{os.getuid()}"
    mark = contract.real.audit_mark()
    with ThreadPoolExecutor(1) as pool:
        running = pool.submit(contract.case, kubeclip=True, agent=agent, model="stub-pause")
        deadline = time.monotonic() + 120
        while not list(home.glob("serve.sock.runs/*.json")):
            assert time.monotonic() < deadline and not running.done(), "no run in the journal"
            time.sleep(0.1)
        (entry,) = home.glob("serve.sock.runs/*.json")
        assert json.loads(entry.read_text())["runtime"] == "claude"
        time.sleep(3)  # the pod starts; its CLI asks the model
        old = int((home / "serve.sock.pid").read_text())
        os.kill(old, signal.SIGKILL)
        k8s = running.result(timeout=300)
    assert int((home / "serve.sock.pid").read_text()) != old
    contract.same(local, k8s)
    assert k8s["result"]["exitCode"] == 0 and "hello from the stub" in k8s["result"]["summary"]
    assert k8s["stdout"].count('"subtype":"init"') == 1  # nothing doubled
    assert contract.jobs_since(mark) == (1, 1)
    assert contract.real.leftovers(agent) == {}
