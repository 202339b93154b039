"""The real Claude Code (@anthropic-ai/claude-code 2.1.332, ``scripts/get-claude.sh``) run with
the argv and env kubeclip renders for ``runtime: claude``, its output read by kubeclip's
reader (:mod:`kubeclip.paperclip.claude`).

Only the model is ours: the stub Messages API (``tests/realagent/stub_model.py``) on
127.0.0.1 of a network namespace the launcher makes for the CLI (no route out). The model
name picks the scenario. These are the CLI's own behaviours the reader relies on: the
session id of its init event, usage and cost that are the session's running totals on a
resume (and this run's ledger beside them), an unknown session said in the result's
``errors``, a refused key said as a result with ``is_error``.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
from pathlib import Path
from typing import Any

import pytest

from kubeclip.paperclip.claude import ClaudeOutput
from kubeclip.renderer.builder import build_plan
from kubeclip.renderer.config import parse_config
from kubeclip.renderer.plan import Plan
from kubeclip.renderer.podfacts import PAPERCLIP_MOUNT, extract_pod_facts
from kubeclip.renderer.runcontext import parse_run_context
from tests.test_plan import DEPLOYMENT, RUN

Done = subprocess.CompletedProcess[bytes]
ROOT = Path(__file__).resolve().parent.parent
LAUNCHER = ROOT / "tests" / "realagent" / "bin" / "claude"
UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")
KEY = "sk-ant-api03-kubeclip-test-key-0123456789"


@pytest.fixture(autouse=True)
def _root() -> None:
    if os.geteuid() != 0:  # the launcher makes the CLI's network namespace: root only
        if os.environ.get("CI"):
            pytest.fail("CI runs as root: the real Claude Code tier needs it")
        pytest.skip("the real Claude Code tier runs the CLI in a network namespace: root only")


class Claim:
    """The claim as a directory: /paperclip in the rendered env is this directory."""

    def __init__(self, root: Path, claude: Path) -> None:
        self.root, self.claude = root, claude
        (root / "ws").mkdir(parents=True)

    def plan(self, model: str, session: str | None = None, **config: Any) -> Plan:
        run: dict[str, Any] = {**RUN, "context": {**RUN["context"], "paperclipWorkspace": {
            "cwd": f"{PAPERCLIP_MOUNT}/ws"}}}  # fmt: skip
        if session:
            run["runtime"] = {"sessionParams": {"sessionId": session,
                                                "cwd": f"{PAPERCLIP_MOUNT}/ws"}}  # fmt: skip
        raw = {"runtime": "claude", "model": model, "env": {"ANTHROPIC_API_KEY": KEY}, **config}
        return build_plan(parse_config(raw), extract_pod_facts(DEPLOYMENT),
                          parse_run_context(run, "run.json"), reveal_secrets=True)  # fmt: skip

    def container(
        self, plan: Plan, cli: str, binary: Path, prompt: str, **extra: str
    ) -> Done:
        """The Job's container as the pod would run it, here: its argv after the pod script
        (the CLI started by the launcher named ``cli``), its env (the Secret's values where
        the Job refers to them), in its working dir."""
        job = plan["job"]
        argv = [a.replace("$$", "$") for a in job["command"][4:]]  # after sh -c SCRIPT $0
        secret = plan["secret"]["stringData"]
        env = {"PATH": "/usr/bin:/bin", "KUBECLIP_STUB_UNSHARE": "1",
               f"KUBECLIP_REAL_{cli.upper()}": str(binary), **extra}  # fmt: skip
        for var in job["env"]:
            ref = (var.get("valueFrom") or {}).get("secretKeyRef")
            if ref and ref["name"] != plan["secret"]["name"]:
                continue  # the Paperclip pod's own Secrets: not on this machine
            value = secret[ref["key"]] if ref else var.get("value", "")
            if not var["name"].startswith("KUBECLIP_"):
                env[var["name"]] = self.here(value)
        state = next(v["value"] for v in job["env"] if v["name"] == "KUBECLIP_STATE_ENV")
        Path(env[state]).mkdir(parents=True, exist_ok=True)  # as RUNNER_SCRIPT does
        return subprocess.run([str(LAUNCHER.parent / cli), *argv[1:]], input=prompt.encode(),
                              env=env, cwd=self.here(job_cwd(plan)), capture_output=True,
                              timeout=120)  # fmt: skip

    def run(self, plan: Plan, prompt: str = "Say hello.") -> tuple[ClaudeOutput, Done]:
        done = self.container(plan, "claude", self.claude, prompt)
        out = ClaudeOutput()
        out.feed_bytes(done.stdout)
        out.feed_stderr(done.stderr)
        out.close()
        assert out.result is not None, done.stderr  # the CLI always ends with its result
        return out, done

    def here(self, value: str) -> str:
        return str(self.root) + value[len(PAPERCLIP_MOUNT):] if value.startswith(
            PAPERCLIP_MOUNT) else value  # fmt: skip


def final(out: ClaudeOutput) -> dict[str, Any]:
    """The CLI's result event (every run of the real CLI ends with one)."""
    assert out.result is not None
    return out.result


def job_cwd(plan: Plan) -> str:
    return next(v["value"] for v in plan["job"]["env"] if v["name"] == "KUBECLIP_WORKDIR")


@pytest.fixture
def claim(tmp_path: Path, claude_binary: Path) -> Claim:
    return Claim(tmp_path / "claim", claude_binary)


def test_the_real_cli_takes_the_rendered_argv_and_its_result_is_read(claim: Claim) -> None:
    plan = claim.plan("stub-ok")
    assert plan["job"]["command"][4:8] == ["claude", "--print", "--output-format", "stream-json"]
    assert KEY not in str(plan["job"])  # the key reaches the pod through the run Secret only
    out, done = claim.run(plan)
    assert done.returncode == 0, done.stderr
    fields = out.result_fields(done.returncode, "stub-ok", {"cwd": f"{PAPERCLIP_MOUNT}/ws"})
    assert UUID.fullmatch(fields["sessionId"])
    assert fields["sessionParams"] == {"sessionId": fields["sessionId"],
                                       "cwd": f"{PAPERCLIP_MOUNT}/ws"}  # fmt: skip
    assert fields["summary"].startswith("hello from the stub model")
    # one request: input 1000 + 100 cache writes, 200 cache reads, 60 out
    assert fields["usage"] == {"inputTokens": 1100, "cachedInputTokens": 200, "outputTokens": 60}
    assert fields["costUsd"] == pytest.approx(final(out)["total_cost_usd"]) and fields["costUsd"]
    assert "errorMessage" not in fields and not fields["clearSession"]
    # the CLI's state lives in the agent's own directory on the claim
    state = claim.root / ".kubeclip" / "agents"
    assert list(state.glob(f"*/claude-config/projects/*/{fields['sessionId']}.jsonl"))


def test_a_resumed_session_reports_this_runs_usage_not_the_sessions_total(claim: Claim) -> None:
    first, _ = claim.run(claim.plan("stub-ok"))
    session = first.session_id
    assert session is not None
    plan = claim.plan("stub-tools", session=session)
    assert ["--resume", session] == plan["job"]["command"][9:11]
    out, done = claim.run(plan, "Run the tool.")
    assert done.returncode == 0, done.stderr
    fields = out.result_fields(done.returncode, "stub-tools", {"cwd": f"{PAPERCLIP_MOUNT}/ws"})
    assert fields["sessionId"] == session
    assert fields["summary"] == "The tool ran; done."
    # two requests this run (the tool call, then the answer); the CLI's own totals count
    # the first run's too
    assert fields["usage"] == {"inputTokens": 2200, "cachedInputTokens": 400, "outputTokens": 120}
    total = final(out)["total_cost_usd"]
    assert fields["costUsd"] == pytest.approx(total - first.result_fields(0, "", {})["costUsd"])
    assert final(out)["usage"]["input_tokens"] == 2000  # and not from modelUsage (cumulative)
    assert set(final(out)["modelUsage"]) == {"stub-ok", "stub-tools"}


def test_an_unknown_session_is_said_and_asks_for_a_fresh_one(claim: Claim) -> None:
    unknown = "11111111-2222-3333-4444-555555555555"
    out, done = claim.run(claim.plan("stub-ok", session=unknown))
    assert done.returncode == 1
    assert out.unknown_session(done.returncode)
    fields = out.result_fields(done.returncode, "stub-ok", {})
    assert fields["errorCode"] == "session_not_found" and fields["clearSession"]
    assert fields["sessionId"] is None
    assert fields["errorMessage"] == ("Claude run failed: subtype=error_during_execution: "
                                      f"No conversation found with session ID: {unknown}")


def test_a_refused_key_and_a_failing_api_are_failed_runs_with_the_apis_words(
    claim: Claim,
) -> None:
    # the CLI retries a refused key too, 10 times over ~3 minutes (a system/api_retry event
    # each time); the config's env caps it as a user would
    capped = {"ANTHROPIC_API_KEY": KEY, "CLAUDE_CODE_MAX_RETRIES": "0"}
    out, done = claim.run(claim.plan("stub-e401", env=capped))
    assert done.returncode == 1 and not out.unknown_session(1)
    fields = out.result_fields(done.returncode, "stub-e401", {})
    assert fields["errorCode"] == "claude_auth_required"
    assert fields["errorMessage"].startswith("Claude run failed: subtype=success: Invalid API key")
    out, done = claim.run(claim.plan("stub-e500", env=capped))
    fields = out.result_fields(done.returncode, "stub-e500", {})
    assert done.returncode == 1 and "errorCode" not in fields
    assert "API Error: 500 The stub model is down" in fields["errorMessage"]


# --- in pods of the real node (tests/realkube): `kubeclip run` with runtime: claude ----------
def claude_agent(real: Any, tmp: Path, model: str = "stub-ok") -> Any:
    from tests.test_real_run import Agent

    return Agent(real, tmp, runtime="claude", model=model, timeoutSec=240,
                 image="kubeclip.test/agent-claude:1",  # scripts/node_images.py
                 command="/opt/kubeclip-stub/bin/claude", env={"ANTHROPIC_API_KEY": KEY})


def test_the_real_claude_runs_in_a_pod_and_the_next_pod_resumes_its_session(
    real: Any, tmp_path: Path
) -> None:
    agent = claude_agent(real, tmp_path)
    done = agent.run("Say hello.", timeout=240)
    assert done.code == 0, done.err
    assert b'"type":"system","subtype":"init"' in done.out  # the CLI's own stream, relayed
    first = agent.result()
    assert first["reason"] == "succeeded" and UUID.fullmatch(first["sessionId"])
    assert first["usage"] == {"inputTokens": 1100, "cachedInputTokens": 200, "outputTokens": 60}
    assert first["summary"].startswith("hello from the stub model")
    # the next run, another pod: the session is on the claim, in the agent's own directory
    agent.config["model"] = "stub-tools"
    params = {"sessionId": first["sessionId"], "cwd": agent.cwd}
    done = agent.run("Run the tool.", run_id="run-2", timeout=240,
                     runtime={"sessionParams": params})  # fmt: skip
    assert done.code == 0, done.err
    second = agent.result("run-2")
    assert second["sessionId"] == first["sessionId"] and not second.get("clearSession")
    assert second["summary"] == "The tool ran; done."
    assert second["usage"] == {"inputTokens": 2200, "cachedInputTokens": 400, "outputTokens": 120}
    assert second["costUsd"] < second["resultJson"]["total_cost_usd"]  # this run's, not the total
    for text in (done.out.decode(), done.err, json.dumps(first), json.dumps(second)):
        assert KEY not in text
    assert agent.leftovers() == {}


def test_kubeclip_run_retries_a_session_claude_does_not_know_fresh(
    real: Any, tmp_path: Path
) -> None:
    agent = claude_agent(real, tmp_path)
    unknown = "11111111-2222-3333-4444-555555555555"
    done = agent.run("Say hello.", timeout=240,
                     runtime={"sessionParams": {"sessionId": unknown, "cwd": agent.cwd}})
    assert done.code == 0, done.err
    assert "Claude Code does not know the session; retrying once fresh" in done.err
    result = agent.result()
    assert result["clearSession"] is True and result["reason"] == "succeeded"
    assert UUID.fullmatch(result["sessionId"]) and result["sessionId"] != unknown
    assert agent.leftovers() == {}
