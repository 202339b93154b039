"""Paperclip fidelity for Claude Code: the **published** `@paperclipai/adapter-claude-local`
2026.916.1 (its own execute(), engine "cli", Node 24) drives once the real `claude` on this
machine and once `kubeclip-agent` as its `command` (the relay -> `kubeclip serve` -> a Job on
the real node whose pod runs the same real `claude`). Only the model is ours: the stub
Messages API beside the CLI, in the CLI's own network namespace (tests/realagent/bin).

claude_local parses what it reads on the child's stdout and stderr itself, so what a user
sees in Paperclip is equal when kubeclip relays the CLI's streams unchanged and exits as
the CLI did; and the prompt bundle claude_local prepares (its skills symlinked into its
node_modules) and the files its argv names must reach the pod.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import subprocess
import sys
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.realkube.cluster import SMALL_REQUESTS, RealCluster

ROOT = Path(__file__).resolve().parent.parent
DRIVER = ROOT / "tests/paperclip/driver.mjs"
LAUNCHER = ROOT / "tests/realagent/bin/claude"  # the real binary beside the stub model
IN_POD = "/opt/kubeclip-stub/bin/claude"  # the same launcher, in kubeclip.test/agent-claude:1
KEY = "sk-ant-api03-kubeclip-contract-key-0123456789"
UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")
FIELDS = ("exitCode", "signal", "timedOut", "errorMessage", "errorCode", "usage", "costUsd",
          "summary", "clearSession", "provider", "biller", "billingType", "model")  # fmt: skip


@pytest.fixture(autouse=True)
def _root() -> None:
    if os.geteuid() != 0:  # the launcher makes the local CLI's network namespace
        if os.environ.get("CI"):
            pytest.fail("CI runs as root: the Claude Code contract tier needs it")
        pytest.skip("the local claude runs in a network namespace of its own: root only")


class ClaudeContract:
    def __init__(self, real: RealCluster, modules: Path, claude: Path, tmp: Path) -> None:
        self.real, self.modules, self.claude, self.tmp = real, modules, claude, tmp
        config = {"runtime": "claude", "model": "stub-ok", "kubeconfig": str(real.kubeconfig),
                  "image": "kubeclip.test/agent-claude:1", "command": IN_POD, "graceSec": 2,
                  "timeoutSec": 240, "resources": SMALL_REQUESTS,
                  "env": {"PAPERCLIP_API_URL": "http://paperclip.paperclip.svc:3100"}}  # fmt: skip
        (tmp / "kubeclip.yaml").write_text(yaml.safe_dump(config))
        self.pod = real.paperclip_deployment(tmp / "paperclip.yaml")
        self.runtime_dir = tmp / "xdg"
        self.runtime_dir.mkdir()

    def case(self, *, kubeclip: bool, agent: str, model: str = "stub-ok", cwd: str = "",
             **over: Any) -> dict[str, Any]:  # fmt: skip
        env = {"ANTHROPIC_API_KEY": KEY, "CLAUDE_CODE_MAX_RETRIES": "0", **over.pop("env", {})}
        side = "k8s" if kubeclip else "local"
        server_env = {"PAPERCLIP_HOME": str(self.tmp / side / "paperclip"),
                      "HOME": str(self.tmp / side / "home" / agent),
                      "XDG_RUNTIME_DIR": str(self.runtime_dir),
                      "KUBECLIP_LOG_DIR": str(self.runtime_dir / "logs")}  # fmt: skip
        if kubeclip:
            command = shutil.which("kubeclip-agent", path=str(Path(sys.executable).parent))
            assert command, "kubeclip-agent is not installed next to this Python"
            env.update({"KUBECLIP_CONFIG": str(self.tmp / "kubeclip.yaml"),
                        "KUBECLIP_POD_FILE": str(self.pod)})  # fmt: skip
        else:
            command = str(LAUNCHER)
            server_env.update({"KUBECLIP_REAL_CLAUDE": str(self.claude),
                               "KUBECLIP_STUB_UNSHARE": "1"})  # fmt: skip
        config = {"engine": "cli", "command": command, "model": model, "env": env,
                  "graceSec": 3, "promptTemplate": "Say hello.", **over.pop("config", {})}
        body = {"runId": over.pop("runId", f"run-{uuid.uuid4().hex[:8]}"),
                "agent": {"id": agent, "companyId": "co-1", "name": "Coder",
                          "adapterType": "claude_local", "adapterConfig": config},
                "runtime": over.pop("runtime", {}), "config": config,
                "context": {"taskId": "ISS-7", "paperclipWorkspace": {
                    "cwd": cwd or f"/tmp/kubeclip-contract/{agent}",
                    "source": "project_primary"}},
                "authToken": "pcp_contract_token", **over}  # fmt: skip
        proc = subprocess.run(
            [str(self.modules / ".bin" / "node"), str(DRIVER), str(self.modules), "execute"],
            input=json.dumps(body), capture_output=True, text=True, timeout=400,
            env={**os.environ, "PYTHONPATH": str(ROOT), **server_env,
                 "KUBECLIP_PAPERCLIP_ADAPTER": "adapter-claude-local"},
        )  # fmt: skip
        assert proc.returncode == 0, proc.stderr
        out: dict[str, Any] = json.loads(proc.stdout.strip().splitlines()[-1])
        out["agent"] = agent
        return out

    def both(self, **over: Any) -> tuple[dict[str, Any], dict[str, Any]]:
        agent = f"agent-{uuid.uuid4().hex[:10]}"
        local = self.case(kubeclip=False, agent=agent, **json.loads(json.dumps(over)))
        return local, self.case(kubeclip=True, agent=agent, **over)


READ = re.compile(r"\(\d+ characters read\)")


def comparable(result: dict[str, Any], field: str) -> Any:
    """The stub's reply counts the request's characters: the one difference is the path
    of the prompt bundle the CLI is told (--add-dir), its copy in the pod being elsewhere
    (/tmp/kubeclip-files/N/<bundle>) than where claude_local wrote it."""
    value = result.get(field)
    return READ.sub("(N characters read)", value) if isinstance(value, str) else value


def assert_same(local: dict[str, Any], k8s: dict[str, Any]) -> None:
    differ = {f: (local["result"].get(f), k8s["result"].get(f)) for f in FIELDS
              if comparable(local["result"], f) != comparable(k8s["result"], f)}  # fmt: skip
    assert not differ, f"fields differ (local, kubeclip): {differ}\nkubeclip: {k8s['stderr']}"
    for result in (local["result"], k8s["result"]):
        session = result.get("sessionId")
        assert session is None or UUID.fullmatch(session)
    params = [set(r["result"].get("sessionParams") or {}) for r in (local, k8s)]
    assert params[0] == params[1]
    assert KEY not in json.dumps(k8s)


def jobs_since(contract: ClaudeContract, mark: int) -> tuple[int, int]:
    """kubeclip's Jobs on the real node since ``mark``: (created, deleted), from the audit
    log: each run its own Job, each cleaned up."""
    time.sleep(1.5)  # the audit backend writes asynchronously
    requests = contract.real.requests_since(mark)
    return requests["create jobs"], requests["delete jobs"]


@pytest.fixture
def contract(
    real: RealCluster, paperclip_modules: Path, claude_binary: Path, tmp_path: Path
) -> ClaudeContract:
    return ClaudeContract(real, paperclip_modules, claude_binary, tmp_path)


def test_a_run_and_its_resume_in_the_same_cwd_are_what_claude_local_reports(
    contract: ClaudeContract,
) -> None:
    agent = f"agent-{uuid.uuid4().hex[:10]}"
    mark = contract.real.audit_mark()
    local, k8s = (contract.case(kubeclip=side, agent=agent) for side in (False, True))
    assert_same(local, k8s)
    assert k8s["result"]["exitCode"] == 0 and UUID.fullmatch(k8s["result"]["sessionId"])
    assert k8s["result"]["usage"]["outputTokens"] > 0
    # the next wake of the same agent in the same cwd resumes, on each side its own session
    # (kubeclip's: on the claim, in the agent's CLAUDE_CONFIG_DIR, read by another pod)
    resumed = [contract.case(kubeclip=first is k8s, agent=agent, model="stub-tools",
                             runtime={"sessionParams": first["result"]["sessionParams"],
                                      "sessionId": first["result"]["sessionId"]})
               for first in (local, k8s)]  # fmt: skip
    assert resumed[0]["result"]["sessionId"] == local["result"]["sessionId"]
    assert resumed[1]["result"]["sessionId"] == k8s["result"]["sessionId"]
    assert_same(*resumed)
    assert resumed[1]["result"]["summary"] == "The tool ran; done."
    # kubeclip's runs were Jobs of the real node, each its own, each cleaned up
    assert jobs_since(contract, mark) == (2, 2)


def test_an_unknown_session_is_retried_fresh_as_claude_local_does(
    contract: ClaudeContract,
) -> None:
    unknown = str(uuid.uuid4())
    local, k8s = contract.both(runtime={"sessionId": unknown, "sessionParams": {
        "sessionId": unknown}})  # fmt: skip
    assert_same(local, k8s)
    assert k8s["result"]["exitCode"] == 0 and k8s["result"]["sessionId"] != unknown
    assert "retrying with a fresh session" in k8s["stdout"]


def test_a_failing_model_api_is_the_same_failure(contract: ClaudeContract) -> None:
    local, k8s = contract.both(model="stub-e500")
    assert_same(local, k8s)
    assert k8s["result"]["exitCode"] == 1
    assert "API Error: 500" in k8s["result"]["errorMessage"]


def test_a_session_of_another_cwd_is_not_resumed_on_either_side(
    contract: ClaudeContract,
) -> None:
    agent = f"agent-{uuid.uuid4().hex[:10]}"
    first = {side: contract.case(kubeclip=side, agent=agent, cwd="/tmp/kubeclip-contract/a")
             for side in (False, True)}  # fmt: skip
    local, k8s = (contract.case(kubeclip=side, agent=agent, cwd="/tmp/kubeclip-contract/b",
                                runtime={"sessionParams": first[side]["result"]["sessionParams"],
                                         "sessionId": first[side]["result"]["sessionId"]})
                  for side in (False, True))  # fmt: skip
    assert_same(local, k8s)
    assert "will not be resumed" in k8s["stdout"]
    for side, later in ((False, local), (True, k8s)):
        assert later["result"]["sessionId"] != first[side]["result"]["sessionId"]


def test_the_clis_own_non_zero_exit_reaches_claude_local_unchanged(
    contract: ClaudeContract,
) -> None:
    """An option this Claude Code does not know (extraArgs): the CLI's usage error, its exit
    code, its stderr byte for byte and nothing of kubeclip's (claude_local reports the
    streams themselves in resultJson)."""
    local, k8s = contract.both(config={"extraArgs": ["--no-such-option"]})
    assert_same(local, k8s)
    assert local["result"]["exitCode"] not in (0, None)
    assert "--no-such-option" in local["result"]["errorMessage"]
    assert k8s["result"]["resultJson"] == local["result"]["resultJson"]


def test_a_timeout_is_claude_locals_timeout(contract: ClaudeContract) -> None:
    """The model streams one word per 0.5 s; claude_local's timeout ends the run mid-reply
    (the pod's CLI is told as the local one is: SIGTERM, then the grace)."""
    local, k8s = contract.both(model="stub-slow", config={"timeoutSec": 15})
    assert local["result"]["timedOut"] is True
    assert_same(local, k8s)
    assert contract.real.leftovers(k8s["agent"]) == {}


def test_a_cancel_is_claude_locals_cancel_and_leaves_nothing(contract: ClaudeContract) -> None:
    local, k8s = contract.both(model="stub-slow", cancelAfterMs=15000)
    assert local["result"]["timedOut"] is False
    assert_same(local, k8s)
    assert contract.real.leftovers(k8s["agent"]) == {}


def test_the_test_environment_hello_probe_runs_a_job_through_serve(
    contract: ClaudeContract, tmp_path: Path
) -> None:
    """claude_local probes only a command named `claude`, and then the `claude` first on
    the *server's* PATH with a filtered environment: kubeclip-agent linked under that name
    (docs/runtimes.md) is probed like the real CLI, and the probe is a real run, in a Job."""
    shims = tmp_path / "shims"
    shims.mkdir()
    agent_bin = shutil.which("kubeclip-agent", path=str(Path(sys.executable).parent))
    assert agent_bin
    (shims / "claude").symlink_to(agent_bin)
    cwd = Path("/tmp/kubeclip-contract/probe")
    cwd.mkdir(parents=True, exist_ok=True)
    mark = contract.real.audit_mark()
    checks = {}
    for kubeclip in (False, True):
        first = shims if kubeclip else LAUNCHER.parent
        server = ({"KUBECLIP_CONFIG": str(contract.tmp / "kubeclip.yaml"),
                   "KUBECLIP_POD_FILE": str(contract.pod)} if kubeclip else
                  {"KUBECLIP_REAL_CLAUDE": str(contract.claude), "KUBECLIP_STUB_UNSHARE": "1"})
        config = {"engine": "cli", "command": "claude", "model": "stub-ok", "cwd": str(cwd),
                  "env": {"ANTHROPIC_API_KEY": KEY}}  # fmt: skip
        body = {"agent": {"id": "probe", "companyId": "co-1", "adapterType": "claude_local"},
                "config": config}  # fmt: skip
        proc = subprocess.run(
            [str(contract.modules / ".bin/node"), str(DRIVER), str(contract.modules), "test"],
            input=json.dumps(body), capture_output=True, text=True, timeout=300,
            env={**os.environ, **server, "PYTHONPATH": str(ROOT),
                 "PATH": f"{first}:{os.environ['PATH']}",
                 "XDG_RUNTIME_DIR": str(contract.runtime_dir),
                 "KUBECLIP_LOG_DIR": str(contract.runtime_dir / "logs"),
                 "KUBECLIP_PAPERCLIP_ADAPTER": "adapter-claude-local"},
        )  # fmt: skip
        assert proc.returncode == 0, proc.stderr
        result = json.loads(proc.stdout.strip().splitlines()[-1])["result"]
        assert KEY not in proc.stdout
        checks[kubeclip] = {c["code"]: c["level"] for c in result["checks"]}
        assert result["status"] == "pass", result
    assert checks[True] == checks[False]
    assert checks[True].get("claude_hello_probe_passed") == "info", checks[True]
    assert jobs_since(contract, mark) == (1, 1)


def test_serve_killed_mid_run_claude_local_gets_the_undisturbed_result(
    contract: ClaudeContract,
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
    assert_same(local, k8s)
    assert k8s["result"]["exitCode"] == 0 and "hello from the stub" in k8s["result"]["summary"]
    assert k8s["stdout"].count('"subtype":"init"') == 1  # nothing doubled
    assert jobs_since(contract, mark) == (1, 1)
    assert contract.real.leftovers(agent) == {}
