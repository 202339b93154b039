"""Paperclip fidelity: the **published** `@paperclipai/adapter-opencode-local` (its own
execute() and testEnvironment(), from npm, on Node 24) drives once a local `opencode` and once
`kubeclip-opencode` on the real control plane. Both run the same scenario program as the agent
(tests/realkube/bin/opencode plays the prompt), so a user must not be able to tell them apart:
the results must be equal field by field and the stdout Paperclip sees byte-identical.

Cases that still differ are strict xfails naming the item of issue #9 that fixes them: they
turn into failures the moment the behaviour matches, so the list cannot go stale.
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
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.realagent.captures import load
from tests.realkube.cluster import SMALL_REQUESTS, RealCluster

ROOT = Path(__file__).resolve().parent.parent
DRIVER = ROOT / "tests/paperclip/driver.mjs"
FAKE_OPENCODE = ROOT / "tests/realkube/bin/opencode"
LAUNCHER = ROOT / "tests/realagent/bin/opencode"  # the real binary beside the stub model
REAL_IN_POD = "/opt/kubeclip-stub/bin/opencode"  # the same, in the agent image
FIELDS = ("exitCode", "signal", "timedOut", "errorMessage", "usage", "sessionId",
          "sessionParams", "costUsd", "summary", "clearSession")  # fmt: skip


def dropin() -> str:
    found = shutil.which("kubeclip-opencode", path=str(Path(sys.executable).parent))
    assert found, "kubeclip-opencode is not installed next to this Python"
    return found


class Contract:
    """The published opencode_local (local opencode) against kubeclip, either as its
    `command` (kubeclip-opencode, relaying to serve) or as kubeclip's own adapter package
    (opencode_k8s, in the server process, talking to a serve sidecar)."""

    adapter: Path | None = None  # set for mode "adapter": adapters/paperclip/dist/index.js
    serve_socket: Path | None = None

    def __init__(
        self, real: RealCluster, modules: Path, tmp: Path, runtime: Path, **kubeclip: Any
    ) -> None:
        self.real, self.modules, self.tmp = real, modules, tmp
        self.kubeclip_config = {
            "model": "openai/gpt-5", "kubeconfig": str(real.kubeconfig), "graceSec": 2,
            "models": ["openai/gpt-5"], "resources": SMALL_REQUESTS,
            # as an operator sets it: Paperclip's Service, not its loopback default
            "env": {"PAPERCLIP_API_URL": "http://paperclip.paperclip.svc:3100"},
            **kubeclip}  # fmt: skip
        # kubeclip-opencode relays to a `kubeclip serve` it starts on first use, here
        self.serve_env = {"XDG_RUNTIME_DIR": str(runtime),
                          "KUBECLIP_LOG_DIR": str(runtime / "logs")}  # fmt: skip
        (tmp / "kubeclip.yaml").write_text(yaml.safe_dump(self.kubeclip_config))
        self.pod = real.paperclip_deployment(tmp / "paperclip.yaml")

    real_agent = False  # the real OpenCode and the stub model on both sides, not a scenario
    opencode: Path | None = None  # the real binary on this machine (scripts/get-opencode.sh)

    def case(self, scenario: str, *, kubeclip: bool, agent: str, **over: Any) -> dict[str, Any]:
        cwd = over.pop("cwd", f"/tmp/kubeclip-contract/{agent}")
        env = {"OPENCODE_ALLOW_ALL_MODELS": "true", **over.pop("env", {})}
        server_env: dict[str, str] = {}
        if self.real_agent and not kubeclip:  # the server's own env, which opencode_local passes
            home = self.tmp / "home" / agent
            server_env = {"HOME": str(home), "XDG_CONFIG_HOME": str(home / ".config"),
                          "XDG_DATA_HOME": str(home / ".local/share"),
                          "XDG_CACHE_HOME": str(home / ".cache"),
                          "XDG_STATE_HOME": str(home / ".local/state"),
                          "KUBECLIP_REAL_OPENCODE": str(self.opencode),
                          "KUBECLIP_STUB_UNSHARE": "1"}  # fmt: skip
        if kubeclip:
            env.update({"KUBECLIP_CONFIG": str(self.tmp / "kubeclip.yaml"),
                        "KUBECLIP_POD_FILE": str(self.pod)})  # fmt: skip
        local_command = LAUNCHER if self.real_agent else FAKE_OPENCODE
        config = {
            "command": dropin() if kubeclip else str(local_command),
            "model": "openai/gpt-5",
            "promptTemplate": scenario if self.real_agent else "#scenario\n" + scenario.strip()
            + "\n",
            "env": env,
            "graceSec": 3,
            **over.pop("config", {}),
        }
        adapter = kubeclip and self.adapter is not None
        if adapter:  # kubeclip's settings are the adapter config's own (the form's fields)
            env.pop("KUBECLIP_CONFIG")
            config.pop("command")
            own = {k: v for k, v in self.kubeclip_config.items() if k != "env"}
            config = {**own, "jobEnv": self.kubeclip_config["env"],
                      "serveSocket": str(self.serve_socket), **config}  # fmt: skip
        body = {
            "runId": over.pop("runId", f"run-{uuid.uuid4().hex[:8]}"),
            "agent": {"id": agent, "companyId": "co-1", "name": "Coder",
                      "adapterType": "opencode_k8s" if adapter else "opencode_local",
                      "adapterConfig": config},
            "runtime": over.pop("runtime", {}),
            "context": {"taskId": "ISS-7",
                        "paperclipWorkspace": {"cwd": cwd, "source": "project_primary"}},
            "config": config,
            "authToken": "pcp_contract_token",
            **over,
        }  # fmt: skip
        node = self.modules / ".bin" / "node"
        proc = subprocess.run(
            [str(node), str(DRIVER), str(self.modules), "execute",
             *([str(self.adapter)] if adapter else [])], input=json.dumps(body),
            capture_output=True, text=True, timeout=180,
            env={**os.environ, "PYTHONPATH": str(ROOT), **self.serve_env, **server_env},
        )  # fmt: skip
        assert proc.returncode == 0, proc.stderr
        out: dict[str, Any] = json.loads(proc.stdout.strip().splitlines()[-1])
        out["agent"] = agent
        return out

    def both(self, scenario: str, **over: Any) -> tuple[dict[str, Any], dict[str, Any]]:
        agent = f"agent-{uuid.uuid4().hex[:10]}"
        local = self.case(scenario, kubeclip=False, agent=agent, **json.loads(json.dumps(over)))
        k8s = self.case(scenario, kubeclip=True, agent=agent, **over)
        return local, k8s


def assert_same(local: dict[str, Any], k8s: dict[str, Any]) -> None:
    differ = {f: (local["result"].get(f), k8s["result"].get(f)) for f in FIELDS
              if local["result"].get(f) != k8s["result"].get(f)}  # fmt: skip
    assert not differ, (
        f"fields differ (local, kubeclip): {differ}\nkubeclip stderr: {k8s['stderr']}"
    )
    assert k8s["stdout"] == local["stdout"]


@pytest.fixture(params=["dropin", "adapter"])
def contract(
    request: pytest.FixtureRequest, real: RealCluster, paperclip_modules: Path, tmp_path: Path,
    serve_runtime: Path,
) -> Contract:
    """Every case twice: kubeclip-opencode as opencode_local's command, and kubeclip's own
    adapter package (opencode_k8s) with a serve sidecar."""
    contract = Contract(real, paperclip_modules, tmp_path, serve_runtime)
    if request.param == "adapter":
        contract.adapter = request.getfixturevalue("adapter_package")
        contract.serve_socket = request.getfixturevalue("sidecar_serve")
    return contract


SUCCESS = """
import json
def emit(kind, **part):
    print(json.dumps({"type": kind, "sessionID": "ses_c1", "part": part}))
emit("step_start", type="step-start")
emit("text", type="text", text="Done: hello")
emit("step_finish", type="step-finish", cost=0.0042,
     tokens={"input": 120, "output": 30, "reasoning": 5, "cache": {"read": 50}})
"""


def test_success(contract: Contract) -> None:
    assert_same(*contract.both(SUCCESS))


def test_resume_in_the_same_cwd_passes_the_session(contract: Contract) -> None:
    scenario = """
import json
sid = ARGV[ARGV.index("--session") + 1]
print(json.dumps({"type": "text", "sessionID": sid, "part": {"type": "text", "text": "resumed"}}))
"""
    cwd = "/tmp/kubeclip-contract/resume"
    runtime = {"sessionParams": {"sessionId": "ses_old", "cwd": cwd}}
    local, k8s = contract.both(scenario, cwd=cwd, runtime=runtime)
    assert local["result"]["sessionId"] == "ses_old"
    assert_same(local, k8s)


def test_a_session_from_another_cwd_is_not_resumed(contract: Contract) -> None:
    scenario = """
import json
assert "--session" not in ARGV, ARGV
print(json.dumps({"type": "text", "sessionID": "ses_new", "part": {"text": "fresh"}}))
"""
    runtime = {"sessionParams": {"sessionId": "ses_old", "cwd": "/somewhere/else"}}
    assert_same(*contract.both(scenario, runtime=runtime))


def test_a_provider_error_with_exit_0_is_a_failure(contract: Contract) -> None:
    scenario = """
import json
print(json.dumps({"type": "error", "error": {"name": "APIError",
      "data": {"message": "AnthropicError: 401 invalid x-api-key"}}}))
"""
    local, k8s = contract.both(scenario)
    assert local["result"]["errorMessage"]
    assert_same(local, k8s)


def test_tool_errors(contract: Contract) -> None:
    scenario = """
import json
print(json.dumps({"type": "tool_use", "sessionID": "ses_t", "part": {"type": "tool",
      "tool": "bash", "state": {"status": "error", "error": "command not found"}}}))
print(json.dumps({"type": "text", "sessionID": "ses_t", "part": {"text": "gave up"}}))
"""
    assert_same(*contract.both(scenario))


def test_truncated_output_arrives_byte_for_byte(contract: Contract) -> None:
    # Our simulated kubelet used to end such a line with a newline, and the README called it
    # an inherent difference; real containerd 1.6 stores a last line without a newline as a
    # partial entry, and the real kubelet passes it on as it is.
    scenario = """
import sys
sys.stdout.write('{"type": "text", "sessionID": "ses_t", "part": {"text": "cut')
"""
    local, k8s = contract.both(scenario)
    assert k8s["stdout"] == local["stdout"] and not k8s["stdout"].endswith("\n")
    assert_same(local, k8s)


UNKNOWN_SESSION = f"""
import json, sys
if "--session" in ARGV:  # what the real binary does (tests/captures): stderr only, exit 1
    sys.stderr.buffer.write({load("unknown-session").stderr!r})
    sys.exit(1)
print(json.dumps({{"type": "text", "sessionID": "ses_fresh", "part": {{"text": "fresh start"}}}}))
"""


def test_an_unknown_session_is_retried_fresh_by_paperclip(contract: Contract) -> None:
    cwd = "/tmp/kubeclip-contract/unknown"
    runtime = {"sessionParams": {"sessionId": "ses_gone", "cwd": cwd}}
    local, k8s = contract.both(UNKNOWN_SESSION, cwd=cwd, runtime=runtime)
    assert local["result"]["sessionId"] == "ses_fresh"
    assert_same(local, k8s)


def test_an_unknown_session_is_retried_fresh_with_retained_jobs(
    real: RealCluster, paperclip_modules: Path, tmp_path: Path, serve_runtime: Path
) -> None:
    contract = Contract(real, paperclip_modules, tmp_path, serve_runtime, retainJobs=True)
    cwd = "/tmp/kubeclip-contract/unknown-retained"
    runtime = {"sessionParams": {"sessionId": "ses_gone", "cwd": cwd}}
    local, k8s = contract.both(UNKNOWN_SESSION, cwd=cwd, runtime=runtime)
    assert_same(local, k8s)


def test_a_crash_reports_opencodes_first_stderr_line(contract: Contract) -> None:
    scenario = """
import sys
print("Error: provider config is broken", file=sys.stderr, flush=True)
sys.exit(2)
"""
    local, k8s = contract.both(scenario)
    assert local["result"]["errorMessage"] == "Error: provider config is broken"
    assert_same(local, k8s)
    assert k8s["stderr"] == local["stderr"]  # the agent's stderr, and nothing of kubeclip's


def test_a_timeout_looks_like_a_local_timeout(contract: Contract) -> None:
    scenario = """
import time
print('{"type": "text", "sessionID": "ses_s", "part": {"text": "working"}}', flush=True)
time.sleep(120)
"""
    # 15 s from the relay's start: a pod start on a busy CI node must fit before it.
    local, k8s = contract.both(scenario, config={"timeoutSec": 15})
    assert local["result"]["timedOut"] is True
    assert_same(local, k8s)


def test_the_test_environment_hello_probe_passes(
    real: RealCluster, paperclip_modules: Path, tmp_path: Path, serve_runtime: Path
) -> None:
    """opencode_local's Test environment with kubeclip-opencode as its command (opencode_k8s's
    own: test_the_adapters_test_environment_is_kubeclip_check_via_serve)."""
    contract = Contract(real, paperclip_modules, tmp_path, serve_runtime)
    env = {"KUBECLIP_CONFIG": str(contract.tmp / "kubeclip.yaml"),
           "KUBECLIP_POD_FILE": str(contract.pod)}  # fmt: skip
    cwd = Path("/tmp/kubeclip-contract/probe")
    cwd.mkdir(parents=True, exist_ok=True)  # Paperclip validates the configured cwd first
    config = {"command": dropin(), "model": "openai/gpt-5", "env": env, "cwd": str(cwd)}
    body = {"agent": {"id": "probe", "companyId": "co-1"}, "config": config}
    proc = subprocess.run(
        [str(contract.modules / ".bin/node"), str(DRIVER), str(contract.modules), "test"],
        input=json.dumps(body), capture_output=True, text=True, timeout=120,
        env={**os.environ, **contract.serve_env},
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    result = json.loads(proc.stdout.strip().splitlines()[-1])["result"]
    assert result["status"] == "pass", result
    # the probe ran a real Job of its own and left nothing behind
    left = []
    for _ in range(100):
        selector = "kubeclip.dev/company=kubeclip-probe"
        left = [
            o for k in ("jobs", "secrets", "leases") for o in contract.real.objects(k, selector)
        ]
        if not left:
            break
        time.sleep(0.2)
    assert left == []


AGENT_ENV = """
import json, os
keys = ("MY_FLAG", "OPENROUTER_API_KEY", "PAPERCLIP_ISSUE_WORK_MODE",
        "PAPERCLIP_OPENCODE_PRINT_LOGS")
seen = {k: os.environ.get(k) for k in keys}
scratch = os.environ["PAPERCLIP_RUN_SCRATCH_DIR"]
for var in ("TMPDIR", "PAPERCLIP_TMPDIR", "PAPERCLIP_SCRATCH_DIR"):
    seen[var + " is the scratch dir"] = os.environ.get(var) == scratch
with open(os.path.join(scratch, "note.txt"), "w") as f:
    f.write("scratch is writable")
seen["scratch listing"] = sorted(os.listdir(scratch))
seen["server secret"] = os.environ.get("BETTER_AUTH_SECRET")
print(json.dumps({"type": "text", "sessionID": "ses_env",
                  "part": {"text": json.dumps(seen, sort_keys=True)}}))
"""


def test_the_agents_env_and_the_runs_scratch_dir_reach_the_agent(
    contract: Contract, tmp_path: Path
) -> None:
    # Paperclip's server puts the run's scratch dir (created under its tmpdir) into the
    # adapter config's env, next to the agent's own env
    scratch = tmp_path / "paperclip-run-iss-7-run-x"
    env = {"MY_FLAG": "on", "OPENROUTER_API_KEY": "or-v1-contract-1234567890",
           "PAPERCLIP_ISSUE_WORK_MODE": "standard", "PAPERCLIP_OPENCODE_PRINT_LOGS": "",
           **{v: str(scratch) for v in ("PAPERCLIP_SCRATCH_DIR", "PAPERCLIP_RUN_SCRATCH_DIR",
              "PAPERCLIP_TASK_SCRATCH_DIR", "PAPERCLIP_TMPDIR", "TMPDIR")}}  # fmt: skip
    scratch.mkdir()
    local = contract.case(AGENT_ENV, kubeclip=False, agent="agent-env", env=env)
    (scratch / "note.txt").unlink()
    k8s = contract.case(AGENT_ENV, kubeclip=True, agent="agent-env",
                        env={**env, "BETTER_AUTH_SECRET": "must-not-pass"})  # fmt: skip
    seen = json.loads(local["result"]["summary"])
    assert seen["MY_FLAG"] == "on" and seen["scratch listing"] == ["note.txt"]
    assert seen["TMPDIR is the scratch dir"] is True
    assert_same(local, k8s)
    # the key reached the pod through the run Secret: never in the Job spec
    assert not (scratch / "note.txt").exists()  # the pod wrote into its own, empty dir


GENERATED_CONFIG = """
import json, os
config = {}
home = os.environ.get("XDG_CONFIG_HOME")
if home and os.path.exists(os.path.join(home, "opencode", "opencode.json")):
    config.update(json.load(open(os.path.join(home, "opencode", "opencode.json"))))
if os.environ.get("OPENCODE_CONFIG_CONTENT"):  # OpenCode merges this one over the file
    config.update(json.loads(os.environ["OPENCODE_CONFIG_CONTENT"]))
print(json.dumps({"type": "text", "sessionID": "ses_cfg",
                  "part": {"text": json.dumps(config, sort_keys=True)}}))
"""


def test_paperclips_generated_opencode_config_reaches_the_agent(contract: Contract) -> None:
    providers = {"gateway": {"npm": "@ai-sdk/openai-compatible",
                             "options": {"baseURL": "https://llm.example/v1",
                                         "apiKey": "{env:GATEWAY_KEY}"},
                             "models": {"eu-large": {}}}}  # fmt: skip
    env = {"PAPERCLIP_OPENCODE_PROVIDERS": json.dumps(providers),
           "PAPERCLIP_OPENCODE_SMALL_MODEL": "gateway/eu-large",
           "GATEWAY_KEY": "gw-key-0123456789"}  # fmt: skip
    local, k8s = contract.both(GENERATED_CONFIG, env=env,
                               config={"model": "gateway/eu-large-2026"})  # fmt: skip
    config = json.loads(local["result"]["summary"])
    assert config["small_model"] == "gateway/eu-large"
    assert "eu-large-2026" in config["provider"]["gateway"]["models"]  # registered by Paperclip
    assert config["provider"]["gateway"]["options"]["apiKey"] == "gw-key-0123456789"
    assert_same(local, k8s)


def test_step_limit(contract: Contract) -> None:
    """What the real binary printed for a step limit (tests/captures): a successful run."""
    scenario = f"""
import sys
sys.stdout.buffer.write({load("step-limit").stdout!r})
"""
    local, k8s = contract.both(scenario)
    assert local["result"]["exitCode"] == 0 and local["result"]["errorMessage"] is None
    assert_same(local, k8s)


ECHOES_ITS_ARGV = """
import json, os
print(json.dumps({"type": "text", "sessionID": "ses_argv",
                  "part": {"text": json.dumps(ARGV[1:])}}), flush=True)
if "--print-logs" in ARGV:
    import sys
    print("INFO  opencode log line", file=sys.stderr, flush=True)
"""


def test_variant_extra_args_and_print_logs_reach_opencode(contract: Contract) -> None:
    local, k8s = contract.both(
        ECHOES_ITS_ARGV, env={"PAPERCLIP_OPENCODE_PRINT_LOGS": "true"},
        config={"variant": "high", "extraArgs": ["--agent", "build", "--title=a b $(x)"]},
    )  # fmt: skip
    argv = json.loads(local["result"]["summary"])
    assert argv[:4] == ["--format", "json", "--print-logs", "--model"]
    assert argv[-5:] == ["--variant", "high", "--agent", "build", "--title=a b $(x)"]
    assert_same(local, k8s)
    assert k8s["stderr"] == local["stderr"] == "INFO  opencode log line\n"


def test_models_are_listed_for_paperclips_check(contract: Contract) -> None:
    """Without OPENCODE_ALLOW_ALL_MODELS Paperclip asks `<command> models` first and refuses
    a run whose model is not listed: the configured model must be, like a local opencode's."""
    local, k8s = contract.both(SUCCESS, env={"OPENCODE_ALLOW_ALL_MODELS": ""})
    assert local["result"]["exitCode"] == 0
    assert_same(local, k8s)


def test_a_cancel_looks_like_a_local_cancel_and_leaves_nothing(contract: Contract) -> None:
    scenario = """
import time
print('{"type": "text", "sessionID": "ses_c", "part": {"text": "working"}}', flush=True)
time.sleep(120)
"""
    local, k8s = contract.both(scenario, cancelAfterMs=15000)  # after a busy node's pod start
    assert local["result"]["signal"] == "SIGTERM", local["result"]
    assert_same(local, k8s)
    agent = k8s["agent"]
    assert contract.real.leftovers(agent) == {}


def test_two_concurrent_runs_of_one_agent_both_succeed(contract: Contract) -> None:
    scenario = """
import json, time
time.sleep(3)
print(json.dumps({"type": "text", "sessionID": "ses_cc", "part": {"text": "done"}}))
"""
    agent = f"agent-{uuid.uuid4().hex[:10]}"
    local = contract.case(scenario, kubeclip=False, agent=agent)
    with ThreadPoolExecutor(2) as pool:
        runs = list(pool.map(lambda _: contract.case(scenario, kubeclip=True, agent=agent),
                             range(2)))  # fmt: skip
    for k8s in runs:
        assert_same(local, k8s)
    assert contract.real.leftovers(agent) == {}


def test_the_adapters_test_environment_is_kubeclip_check_via_serve(
    real: RealCluster, paperclip_modules: Path, adapter_package: Path, sidecar_serve: Path,
    tmp_path: Path, serve_runtime: Path,
) -> None:
    """opencode_k8s's Test environment, as Paperclip's endpoint calls it: kubeclip check run
    by serve for the agent's config, in Paperclip's shape (and a config error is a fail)."""
    contract = Contract(real, paperclip_modules, tmp_path, serve_runtime)
    config = {k: v for k, v in contract.kubeclip_config.items() if k != "env"}

    def test(config: dict[str, Any]) -> dict[str, Any]:
        body = {"agent": {"id": "t", "companyId": "co-1", "adapterType": "opencode_k8s"},
                "config": {**config, "serveSocket": str(sidecar_serve)}}  # fmt: skip
        proc = subprocess.run(
            [str(paperclip_modules / ".bin/node"), str(DRIVER), str(paperclip_modules), "test",
             str(adapter_package)], input=json.dumps(body), capture_output=True, text=True,
            timeout=120,
        )  # fmt: skip
        assert proc.returncode == 0, proc.stderr
        result: dict[str, Any] = json.loads(proc.stdout.strip().splitlines()[-1])["result"]
        return result

    good = test(config)
    assert good["adapterType"] == "opencode_k8s" and good["status"] in ("pass", "warn"), good
    codes = {c["code"]: c["level"] for c in good["checks"]}
    assert codes["api_reachable"] == "info" and codes["config"] == "info", codes
    assert all(level != "error" for level in codes.values()), good
    bad = test({**config, "timeoutSec": "-5"})
    assert bad["status"] == "fail"
    assert any(c["code"] == "config" and "timeoutSec" in c["message"] for c in bad["checks"])


# --- the real OpenCode on both sides ------------------------------------------------------
# opencode_local runs the real binary here (in a network namespace of its own, the stub model
# on its 127.0.0.1); kubeclip runs the same binary in a pod of the real node. Session, message
# and part ids and timestamps differ between two real runs, and so does the git snapshot id
# OpenCode records where git exists (this machine; the test image has no git).

IDS = re.compile(rb'"(ses|msg|prt)_[A-Za-z0-9]+"|"(timestamp|start|end|created|updated)":\d+'
                 rb'|"date":"[^"]*"')  # fmt: skip
SNAPSHOT = re.compile(rb'"snapshot":"[0-9a-f]*",?')


def same_but_ids(local: dict[str, Any], k8s: dict[str, Any]) -> None:
    """Equal field by field and byte for byte, but for the ids a real run makes up."""
    for side in (local, k8s):
        result = side["result"]
        if result.get("sessionId"):
            assert result["sessionId"].startswith("ses_"), result
            assert result["sessionParams"]["sessionId"] == result["sessionId"]
    differ = {f: (local["result"].get(f), k8s["result"].get(f)) for f in FIELDS
              if f not in ("sessionId", "sessionParams")
              and local["result"].get(f) != k8s["result"].get(f)}  # fmt: skip
    assert not differ, f"fields differ (local, kubeclip): {differ}\nkubeclip: {k8s['stderr']}"
    assert bool(local["result"].get("sessionId")) == bool(k8s["result"].get("sessionId"))
    def norm(text: str) -> bytes:
        return IDS.sub(b"<id>", SNAPSHOT.sub(b"", text.encode()))
    assert norm(k8s["stdout"]) == norm(local["stdout"])


@pytest.fixture(params=["dropin", "adapter"])
def real_contract(
    request: pytest.FixtureRequest, real: RealCluster, paperclip_modules: Path, tmp_path: Path,
    serve_runtime: Path, opencode_binary: Path,
) -> Contract:
    contract = Contract(real, paperclip_modules, tmp_path, serve_runtime, command=REAL_IN_POD)
    contract.real_agent, contract.opencode = True, opencode_binary
    if request.param == "adapter":
        contract.adapter = request.getfixturevalue("adapter_package")
        contract.serve_socket = request.getfixturevalue("sidecar_serve")
    return contract


def test_real_opencode_succeeds_alike(real_contract: Contract) -> None:
    local, k8s = real_contract.both("Say hello.", config={"model": "stub/ok"})
    assert local["result"]["summary"].startswith("hello from the stub model")
    assert local["result"]["costUsd"] == pytest.approx(0.00396)
    same_but_ids(local, k8s)


def test_real_opencode_unknown_session_is_retried_fresh(real_contract: Contract) -> None:
    """(1) The real binary says it on stderr only; Paperclip retries fresh, on both sides."""
    cwd = "/tmp/kubeclip-contract/real-unknown"
    runtime = {"sessionParams": {"sessionId": "ses_0123456789abcdefghijklmnop", "cwd": cwd}}
    local, k8s = real_contract.both("Go on.", cwd=cwd, runtime=runtime,
                                    config={"model": "stub/ok"})  # fmt: skip
    assert "retrying with a fresh session" in local["stdout"]
    assert local["result"]["exitCode"] == 0 and local["result"]["sessionId"]
    same_but_ids(local, k8s)


def test_real_opencode_session_of_another_cwd_is_not_resumed_alike(
    real_contract: Contract,
) -> None:
    """(2) A real session made in one cwd is never resumed in another, on either side: the
    real binary, given a session of another directory, hangs (on this machine) or fails with
    "Unexpected server error" (in a pod) instead of resuming it."""
    agent = f"agent-{uuid.uuid4().hex[:10]}"
    first: dict[bool, str] = {}
    for kubeclip in (False, True):
        made = real_contract.case("Start.", kubeclip=kubeclip, agent=agent,
                                  cwd="/tmp/kubeclip-contract/real-a",
                                  config={"model": "stub/ok"})  # fmt: skip
        first[kubeclip] = made["result"]["sessionId"]
        assert first[kubeclip], made
    local, k8s = (real_contract.case(
        "Go on.", kubeclip=kubeclip, agent=agent, cwd="/tmp/kubeclip-contract/real-b",
        runtime={"sessionParams": {"sessionId": first[kubeclip],
                                   "cwd": "/tmp/kubeclip-contract/real-a"}},
        config={"model": "stub/ok"}) for kubeclip in (False, True))  # fmt: skip
    assert "will not be resumed" in local["stdout"] and local["result"]["exitCode"] == 0
    assert local["result"]["sessionId"] != first[False]
    assert k8s["result"]["sessionId"] != first[True]
    same_but_ids(local, k8s)


def test_real_opencode_provider_error_alike(real_contract: Contract) -> None:
    """(5) One error event, no step_start, exit 1."""
    local, k8s = real_contract.both("Hello?", config={"model": "stub/e401"})
    assert local["result"]["exitCode"] == 1
    assert local["result"]["errorMessage"] == "Incorrect API key provided: sk-stub***"
    same_but_ids(local, k8s)


def test_real_opencode_timeout_mid_part_alike(real_contract: Contract) -> None:
    """(6) Paperclip's timeout SIGTERMs OpenCode while a part streams: it ends at once, the
    part is lost, every complete event before it is kept. The timeout counts from the
    relay's start, so it must outlast a pod start on a busy CI node (8 s did not, once:
    the pod's OpenCode had printed nothing yet) and still end well before the ~60 s part."""
    local, k8s = real_contract.both("Talk slowly.", config={"model": "stub/slow",
                                                             "timeoutSec": 20})  # fmt: skip
    assert local["result"]["timedOut"] is True
    assert '"step_start"' in local["stdout"] and '"text"' not in local["stdout"]
    same_but_ids(local, k8s)
