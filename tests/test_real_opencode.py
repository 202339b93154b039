"""The real OpenCode as the agent, in pods of the real node (tests/realkube).

The agent image holds the pinned binary (``scripts/get-opencode.sh``, from npm) and the stub
model server (``tests/realagent``): ``command: /opt/kubeclip-stub/bin/opencode`` starts the
stub on the pod's own 127.0.0.1 (a network namespace with no route out), then execs the real
binary. The model name picks the stub's scenario. Nothing else is a stand-in: these are the
behaviours our own transcripts once hid (an unknown session said on stderr only, a resume
from another directory hanging forever, one SQLite database for every agent).
"""

from __future__ import annotations

import json
import signal
import time
from pathlib import Path
from typing import Any

import pytest

from tests.procio import first_line
from tests.realkube.cluster import CLAIM, RealCluster
from tests.test_real_run import Agent

REAL = "/opt/kubeclip-stub/bin/opencode"  # the launcher in the agent image


def opencode_agent(real: RealCluster, tmp: Path, model: str = "stub/ok", **config: Any) -> Agent:
    return Agent(real, tmp, **{"command": REAL, "model": model, "timeoutSec": 240, **config})


def events(out: bytes) -> list[dict[str, Any]]:
    return [json.loads(line) for line in out.splitlines() if line.strip()]


def sessions(out: bytes) -> set[str]:
    return {e["sessionID"] for e in events(out) if e.get("sessionID")}


def data_dir(real: RealCluster, agent: Agent) -> Path:
    """The agent's OpenCode data directory, on the claim (a hostPath volume here)."""
    return real.state / "pv" / CLAIM / ".kubeclip" / "agents" / agent.id / "opencode-data"


def test_the_real_opencode_runs_in_a_pod_and_its_result_is_read(
    real: RealCluster, tmp_path: Path
) -> None:
    agent = opencode_agent(real, tmp_path)
    done = agent.run("Say hello.", timeout=240)
    assert done.code == 0, done.err
    (session,) = sessions(done.out)
    assert session.startswith("ses_") and len(session) == 30
    result = agent.result()
    assert result["reason"] == "succeeded" and result["sessionId"] == session
    assert result["usage"] == {"inputTokens": 1000, "outputTokens": 60, "cachedInputTokens": 200}
    assert result["costUsd"] == pytest.approx(0.00396)
    assert result["summary"].startswith("hello from the stub model")
    # one SQLite database per agent, on the claim: never one shared by every agent
    assert (data_dir(real, agent) / "opencode" / "opencode.db").is_file()
    assert agent.leftovers() == {}


def test_a_tool_call_of_1_mib_comes_through_whole(real: RealCluster, tmp_path: Path) -> None:
    agent = opencode_agent(real, tmp_path, model="stub/big")
    done = agent.run("Write a lot.", timeout=240)
    assert done.code == 0, done.err
    tools = [e for e in events(done.out) if e["type"] == "tool_use"]  # every line is JSON
    assert [t["part"]["tool"] for t in tools] == ["write"]
    state = tools[0]["part"]["state"]
    assert state["status"] == "completed", state
    # one line of more than 1 MiB, through the kubelet's 16 KiB partial lines, whole
    assert state["input"]["content"] == "x" * 1024 * 1024
    written = real.state / "pv" / CLAIM / agent.cwd.removeprefix("/paperclip/") / "big.txt"
    assert written.stat().st_size == 1024 * 1024  # the agent wrote it on the claim, as uid 1000
    assert agent.result()["summary"] == "The tool ran; done."


def test_a_session_resumes_in_a_second_pod(real: RealCluster, tmp_path: Path) -> None:
    agent = opencode_agent(real, tmp_path)
    first = agent.run("Start.", run_id="run-1", timeout=240)
    assert first.code == 0, first.err
    stored = agent.result("run-1")["sessionParams"]
    agent.config["model"] = "stub/tools"
    second = agent.run("Go on.", run_id="run-2", runtime={"sessionParams": stored}, timeout=240)
    assert second.code == 0, second.err
    assert sessions(second.out) == {stored["sessionId"]}  # the same session, from the claim
    assert agent.result("run-2")["sessionId"] == stored["sessionId"]


def test_an_unknown_session_is_retried_fresh_and_cleared(real: RealCluster, tmp_path: Path) -> None:
    agent = opencode_agent(real, tmp_path)
    gone = {"sessionId": "ses_0123456789abcdefghijklmnop", "cwd": agent.cwd}
    done = agent.run("Go on.", runtime={"sessionParams": gone}, timeout=240)
    assert done.code == 0, done.err
    assert "Session not found" in done.err  # OpenCode's own line, passed on
    assert "retrying once fresh" in done.err
    result = agent.result()
    assert result["clearSession"] is True and result["reason"] == "succeeded"
    assert "\x1b" not in json.dumps(result)


def test_a_session_stored_without_its_cwd_is_not_resumed(
    real: RealCluster, tmp_path: Path
) -> None:
    """Resumed from another directory, the real OpenCode hangs forever printing nothing;
    a session id with no stored cwd could be of any directory: never resumed."""
    agent = opencode_agent(real, tmp_path, timeoutSec=90)
    first = agent.run("Start.", run_id="run-1", timeout=240)
    assert first.code == 0, first.err
    session = agent.result("run-1")["sessionId"]
    agent.cwd = agent.cwd + "-elsewhere"
    done = agent.run("Go on.", run_id="run-2", runtime={"sessionId": session}, timeout=240)
    assert done.code == 0, (done.code, done.err)
    assert f"session {session} was stored without its cwd" in done.err
    assert session not in sessions(done.out)


def test_a_hung_agent_ends_at_idle_timeout(real: RealCluster, tmp_path: Path) -> None:
    agent = opencode_agent(real, tmp_path, model="stub/hang", idleTimeoutSec=8)
    started = time.monotonic()
    done = agent.run("Wait.", timeout=240)
    assert done.code == 124, done.err
    result = agent.result()
    assert result["reason"] == "idle_timeout" and result["timedOut"] is True
    assert "printed nothing for 8 s" in result["message"]
    assert time.monotonic() - started < 120
    assert agent.leftovers() == {}


def test_a_provider_error_fails_the_run_with_its_message(real: RealCluster, tmp_path: Path) -> None:
    agent = opencode_agent(real, tmp_path, model="stub/e401")
    done = agent.run("Hello?", timeout=240)
    assert done.code == 1, done.err
    result = agent.result()
    assert result["reason"] == "failed"
    assert result["errorMessage"] == "Incorrect API key provided: sk-stub***"


def test_sigterm_mid_part_cancels_with_every_complete_event(
    real: RealCluster, tmp_path: Path
) -> None:
    agent = opencode_agent(real, tmp_path, model="stub/slow")
    proc = agent.start("Talk slowly.")
    assert proc.stdout is not None
    first = first_line(proc)  # step_start: the slow part is being streamed
    assert b'"step_start"' in first
    time.sleep(2)
    proc.send_signal(signal.SIGTERM)
    rest, err = proc.communicate(timeout=120)
    assert proc.returncode == 143, err.decode()
    out = first + rest
    assert out.endswith(b"\n") and all(json.loads(line) for line in out.splitlines())
    result = agent.result()
    assert result["reason"] == "cancelled" and result["signal"] == "SIGTERM"
    assert agent.leftovers() == {}
