"""A published Paperclip adapter (its own execute() and testEnvironment(), engine "cli",
Node 24; ``tests/paperclip/driver.mjs``) driven twice for one case: once with the real CLI
on this machine as its ``command``, once with ``kubeclip-agent`` (the relay -> ``kubeclip
serve`` -> a Job on the real node whose pod runs the same real CLI). Only the model is ours:
the stub model server beside the CLI, in the CLI's own network namespace
(tests/realagent/bin). Used by each runtime's contract tier (test_<runtime>_contract.py).
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.realkube.cluster import SMALL_REQUESTS, RealCluster
from tests.test_real_codex import PROVIDER as CODEX_PROVIDER

ROOT = Path(__file__).resolve().parent.parent
DRIVER = ROOT / "tests/paperclip/driver.mjs"
LAUNCHERS = ROOT / "tests/realagent/bin"  # the real binary beside the stub model, by name
UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")
FIELDS = ("exitCode", "signal", "timedOut", "errorMessage", "errorCode", "usage", "costUsd",
          "summary", "clearSession", "provider", "biller", "billingType", "model")  # fmt: skip
READ = re.compile(r"\(\d+ characters read\)")


@dataclass(frozen=True)
class Adapter:
    """One published adapter and the CLI it runs."""

    cli: str  # the CLI's name (its launcher in tests/realagent/bin, its image's /opt/<cli>)
    package: str  # @paperclipai/<package>
    adapter_type: str
    image: str  # the real node tier's agent image with the real CLI (scripts/node_images.py)
    key: tuple[str, str]  # the API key's variable and a test value (never in a spec)
    api_error: str  # words of the adapter's errorMessage when the model API answers 500
    env: dict[str, str] = field(default_factory=dict)  # the adapter config's env besides
    config: dict[str, Any] = field(default_factory=dict)  # the adapter config's besides
    server_env: dict[str, str] = field(default_factory=dict)  # the server's, besides
    fields: tuple[str, ...] = FIELDS  # the result's fields that must be equal


def require_root() -> None:
    if os.geteuid() != 0:  # the launcher makes the local CLI's network namespace
        if os.environ.get("CI"):
            pytest.fail("CI runs as root: a contract tier needs it")
        pytest.skip("the local CLI runs in a network namespace of its own: root only")


class Contract:
    def __init__(
        self, adapter: Adapter, real: RealCluster, modules: Path, binary: Path, tmp: Path
    ) -> None:
        self.adapter, self.real, self.modules, self.binary, self.tmp = (
            adapter, real, modules, binary, tmp)  # fmt: skip
        config = {"runtime": adapter.cli, "model": "stub-ok", "kubeconfig": str(real.kubeconfig),
                  "image": adapter.image, "command": f"/opt/kubeclip-stub/bin/{adapter.cli}",
                  "graceSec": 2, "timeoutSec": 240, "resources": SMALL_REQUESTS,
                  "env": {"PAPERCLIP_API_URL": "http://paperclip.paperclip.svc:3100"}}  # fmt: skip
        (tmp / "kubeclip.yaml").write_text(yaml.safe_dump(config))
        self.pod = real.paperclip_deployment(tmp / "paperclip.yaml")
        self.runtime_dir = tmp / "xdg"
        self.runtime_dir.mkdir()

    @property
    def launcher(self) -> Path:
        return LAUNCHERS / self.adapter.cli

    def local_env(self) -> dict[str, str]:
        """The server's variables that make the local command the real CLI beside the stub."""
        return {f"KUBECLIP_REAL_{self.adapter.cli.upper()}": str(self.binary),
                "KUBECLIP_STUB_UNSHARE": "1"}  # fmt: skip

    def kubeclip_env(self) -> dict[str, str]:
        return {"KUBECLIP_CONFIG": str(self.tmp / "kubeclip.yaml"),
                "KUBECLIP_POD_FILE": str(self.pod)}  # fmt: skip

    def driver(self, mode: str, body: dict[str, Any], env: dict[str, str],
               timeout: int = 400) -> dict[str, Any]:  # fmt: skip
        proc = subprocess.run(
            [str(self.modules / ".bin" / "node"), str(DRIVER), str(self.modules), mode],
            input=json.dumps(body), capture_output=True, text=True, timeout=timeout,
            env={**os.environ, "PYTHONPATH": str(ROOT), "XDG_RUNTIME_DIR": str(self.runtime_dir),
                 "KUBECLIP_LOG_DIR": str(self.runtime_dir / "logs"), **env,
                 "KUBECLIP_PAPERCLIP_ADAPTER": self.adapter.package},
        )  # fmt: skip
        assert proc.returncode == 0, proc.stderr
        out: dict[str, Any] = json.loads(proc.stdout.strip().splitlines()[-1])
        return out

    def case(self, *, kubeclip: bool, agent: str, model: str = "stub-ok", cwd: str = "",
             **over: Any) -> dict[str, Any]:  # fmt: skip
        key, value = self.adapter.key
        env = {key: value, **self.adapter.env, **over.pop("env", {})}
        side = self.tmp / ("k8s" if kubeclip else "local")
        server_env = {"PAPERCLIP_HOME": str(side / "paperclip"), "HOME": str(side / "home" / agent),
                      **self.adapter.server_env}  # fmt: skip
        for name in ("TMPDIR",):  # a temporary directory of the server's own, where asked
            if name in server_env:
                server_env[name] = str(side / server_env[name])
                Path(server_env[name]).mkdir(parents=True, exist_ok=True)
        if kubeclip:
            command = shutil.which("kubeclip-agent", path=str(Path(sys.executable).parent))
            assert command, "kubeclip-agent is not installed next to this Python"
            env.update(self.kubeclip_env())
        else:
            command = str(self.launcher)
            server_env.update(self.local_env())
        config = {"engine": "cli", "command": command, "model": model, "env": env,
                  "graceSec": 3, "promptTemplate": "Say hello.", **self.adapter.config,
                  **over.pop("config", {})}  # fmt: skip
        body = {"runId": over.pop("runId", f"run-{uuid.uuid4().hex[:8]}"),
                "agent": {"id": agent, "companyId": "co-1", "name": "Coder",
                          "adapterType": self.adapter.adapter_type, "adapterConfig": config},
                "runtime": over.pop("runtime", {}), "config": config,
                "context": {"taskId": "ISS-7", "paperclipWorkspace": {
                    "cwd": cwd or f"/tmp/kubeclip-contract/{agent}",
                    "source": "project_primary"}},
                "authToken": "pcp_contract_token", **over}  # fmt: skip
        out = self.driver("execute", body, server_env)
        out["agent"] = agent
        return out

    def both(self, **over: Any) -> tuple[dict[str, Any], dict[str, Any]]:
        agent = f"agent-{uuid.uuid4().hex[:10]}"
        local = self.case(kubeclip=False, agent=agent, **json.loads(json.dumps(over)))
        return local, self.case(kubeclip=True, agent=agent, **over)

    def same(self, local: dict[str, Any], k8s: dict[str, Any]) -> None:
        assert_same(self.adapter, local, k8s)

    def run_then_resume(self) -> dict[str, Any]:
        """A run on each side, then the next wake of the same agent in the same cwd (a tool
        call): each side resumes its own session (kubeclip's: in the agent's state home on
        the claim, read by another pod); two Jobs, each cleaned up. kubeclip's first run."""
        agent = f"agent-{uuid.uuid4().hex[:10]}"
        mark = self.real.audit_mark()
        local, k8s = (self.case(kubeclip=side, agent=agent) for side in (False, True))
        self.same(local, k8s)
        assert k8s["result"]["exitCode"] == 0 and UUID.fullmatch(k8s["result"]["sessionId"])
        resumed = [self.case(kubeclip=first is k8s, agent=agent, model="stub-tools",
                             runtime=resume(first)) for first in (local, k8s)]  # fmt: skip
        assert resumed[0]["result"]["sessionId"] == local["result"]["sessionId"]
        assert resumed[1]["result"]["sessionId"] == k8s["result"]["sessionId"]
        self.same(*resumed)
        assert resumed[1]["result"]["summary"] == "The tool ran; done."
        assert self.jobs_since(mark) == (2, 2)
        return k8s

    def not_resumed_from_another_cwd(self) -> None:
        """A session saved in one cwd is not resumed in another, on either side: the
        adapter says so and starts a new one."""
        agent = f"agent-{uuid.uuid4().hex[:10]}"
        first = {side: self.case(kubeclip=side, agent=agent, cwd="/tmp/kubeclip-contract/a")
                 for side in (False, True)}  # fmt: skip
        local, k8s = (self.case(kubeclip=side, agent=agent, cwd="/tmp/kubeclip-contract/b",
                                runtime=resume(first[side])) for side in (False, True))  # fmt: skip
        self.same(local, k8s)
        assert "will not be resumed" in k8s["stdout"]
        for side, later in ((False, local), (True, k8s)):
            assert later["result"]["sessionId"] != first[side]["result"]["sessionId"]

    def stopped(self, *, timeout: bool) -> None:
        """The model streams one word per 0.5 s; the adapter's timeout (15 s) or a board
        cancel (after 15 s) ends the run mid-reply: the pod's CLI is told as the local one
        is (SIGTERM, then the grace), and nothing of the run is left in the cluster."""
        over: dict[str, Any] = ({"config": {"timeoutSec": 15}} if timeout
                                else {"cancelAfterMs": 15000})  # fmt: skip
        local, k8s = self.both(model="stub-slow", **over)
        assert local["result"]["timedOut"] is timeout
        self.same(local, k8s)
        assert self.real.leftovers(k8s["agent"]) == {}

    def probe_checks(self, tmp: Path) -> dict[bool, dict[str, str]]:
        """The adapter's Test environment, with the real CLI first on the server's PATH and
        with kubeclip-agent linked under the CLI's name (docs/runtimes.md): each side's checks
        (code -> level). The adapters probe only a command of the CLI's name, the first on
        the server's PATH: kubeclip's probe is a real run, one Job."""
        shims = tmp / "shims"
        shims.mkdir()
        agent_bin = shutil.which("kubeclip-agent", path=str(Path(sys.executable).parent))
        assert agent_bin
        (shims / self.adapter.cli).symlink_to(agent_bin)
        cwd = Path("/tmp/kubeclip-contract/probe")
        cwd.mkdir(parents=True, exist_ok=True)
        mark = self.real.audit_mark()
        key, value = self.adapter.key
        checks = {}
        for kubeclip in (False, True):
            first = shims if kubeclip else self.launcher.parent
            server = self.kubeclip_env() if kubeclip else self.local_env()
            config = {"engine": "cli", "command": self.adapter.cli, "model": "stub-ok",
                      "cwd": str(cwd), "env": {key: value}, **self.adapter.config}  # fmt: skip
            body = {"agent": {"id": "probe", "companyId": "co-1",
                              "adapterType": self.adapter.adapter_type}, "config": config}
            out = self.driver("test", body, {**server, "PATH": f"{first}:{os.environ['PATH']}"},
                              timeout=300)  # fmt: skip
            assert value not in json.dumps(out)
            checks[kubeclip] = {c["code"]: c["level"] for c in out["result"]["checks"]}
            assert out["result"]["status"] == "pass", out["result"]
        assert checks[True] == checks[False]
        assert self.jobs_since(mark) == (1, 1)
        return checks

    def jobs_since(self, mark: int) -> tuple[int, int]:
        """kubeclip's Jobs on the real node since ``mark``: (created, deleted), from the
        audit log: each run its own Job, each cleaned up."""
        time.sleep(1.5)  # the audit backend writes asynchronously
        requests = self.real.requests_since(mark)
        return requests["create jobs"], requests["delete jobs"]


def resume(first: dict[str, Any]) -> dict[str, Any]:
    """The runtime state Paperclip stores after ``first``: the next wake's ``runtime``."""
    return {"sessionParams": first["result"]["sessionParams"],
            "sessionId": first["result"]["sessionId"]}  # fmt: skip


def comparable(result: dict[str, Any], name: str) -> Any:
    """The stub's reply counts the request's characters: what the CLI is told of where it
    runs (a prompt bundle's copy, the pod's paths) is all that differs."""
    value = result.get(name)
    return READ.sub("(N characters read)", value) if isinstance(value, str) else value


def assert_same(adapter: Adapter, local: dict[str, Any], k8s: dict[str, Any]) -> None:
    differ = {f: (local["result"].get(f), k8s["result"].get(f)) for f in adapter.fields
              if comparable(local["result"], f) != comparable(k8s["result"], f)}  # fmt: skip
    assert not differ, f"fields differ (local, kubeclip): {differ}\nkubeclip: {k8s['stderr']}"
    for result in (local["result"], k8s["result"]):
        session = result.get("sessionId")
        assert not session or UUID.fullmatch(session)  # codex_local: "" when none
    params = [set(r["result"].get("sessionParams") or {}) for r in (local, k8s)]
    assert params[0] == params[1]
    assert adapter.key[1] not in json.dumps(k8s)


CLAUDE = Adapter(
    cli="claude", package="adapter-claude-local", adapter_type="claude_local",
    image="kubeclip.test/agent-claude:1",
    key=("ANTHROPIC_API_KEY", "sk-ant-api03-kubeclip-contract-key-0123456789"),
    api_error="API Error: 500", env={"CLAUDE_CODE_MAX_RETRIES": "0"},
)  # fmt: skip
# codex_local's home is one per company where Paperclip runs (the key written into its
# auth.json), the pod's the agent's own on the claim (the key as CODEX_API_KEY); the
# provider is the user's own, as `-c` pairs in extraArgs (requires_openai_auth: a key sent)
CODEX = Adapter(
    cli="codex", package="adapter-codex-local", adapter_type="codex_local",
    image="kubeclip.test/agent-codex:1",
    key=("OPENAI_API_KEY", "sk-proj-kubeclip-contract-key-0123456789"),
    api_error="high demand",
    config={"dangerouslyBypassApprovalsAndSandbox": True, "extraArgs": CODEX_PROVIDER},
    # the server's temporary directory apart from its homes: Codex warns on stderr of a
    # CODEX_HOME under it (and codex_local reports that line as a failure's message)
    server_env={"TMPDIR": "tmp"}, fields=(*FIELDS, "usageBasis"),
)  # fmt: skip
ADAPTERS = {a.cli: a for a in (CLAUDE, CODEX)}
