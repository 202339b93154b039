"""The Paperclip drop-in on the real control plane: invoked exactly as opencode_local invokes
`opencode` (argv, prompt on stdin, PAPERCLIP_* environment), running a real Job whose agent
replays what the real OpenCode printed (tests/captures: stdout, stderr and exit code); the
real binary itself runs in tests/test_real_opencode.py. kubeclip runs as the chart's
ServiceAccount."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.realagent.captures import load
from tests.realkube.cluster import SMALL_REQUESTS, RealCluster
from tests.test_dropin import RUN_ARGS, TOKEN
from tests.test_real_run import scenario

ROOT = Path(__file__).resolve().parent.parent


class Paperclip:
    """One agent's environment, as opencode_local builds it for its child. ``module`` is
    the drop-in in-process or the relay to a `kubeclip serve` (started on first use)."""

    module = "kubeclip.paperclip.dropin"
    command: list[str] | None = None  # instead of the module: a program, as Paperclip runs it

    def __init__(self, real: RealCluster, tmp: Path, **config: Any) -> None:
        self.real = real
        self.tmp = tmp
        self.agent = f"agent-{uuid.uuid4().hex[:10]}"
        self.cwd = f"/paperclip/workspaces/{self.agent}"
        (tmp / "kubeclip.yaml").write_text(yaml.safe_dump({
            "model": "anthropic/claude-sonnet-4-5", "kubeconfig": str(real.kubeconfig),
            "graceSec": 2, "resources": SMALL_REQUESTS, **config}))  # fmt: skip
        pod = real.paperclip_deployment(tmp / "paperclip.yaml")
        self.env = {k: v for k, v in os.environ.items()
                    if not k.startswith(("PAPERCLIP_", "KUBECLIP_"))}  # fmt: skip
        self.env.update({
            "PYTHONPATH": str(ROOT),
            "KUBECLIP_CONFIG": str(tmp / "kubeclip.yaml"),
            "KUBECLIP_POD_FILE": str(pod),
            "KUBECLIP_RESULT_FILE": str(tmp / "result.json"),
            "PAPERCLIP_AGENT_ID": self.agent,
            "PAPERCLIP_COMPANY_ID": "company-1",
            "PAPERCLIP_RUN_ID": "run-42",
            "PAPERCLIP_API_URL": "http://paperclip.paperclip.svc:3100",
            "PAPERCLIP_API_KEY": TOKEN,
            "PAPERCLIP_TASK_ID": "ISS-7",
            "PAPERCLIP_WORKSPACE_CWD": self.cwd,
            "AGENT_HOME": self.cwd,
        })  # fmt: skip

    def argv(self) -> list[str]:
        return self.command or [sys.executable, "-m", self.module]

    def start(self, *args: str, prompt: str) -> subprocess.Popen[bytes]:
        proc = subprocess.Popen(
            [*self.argv(), *args], stdin=subprocess.PIPE,
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=self.env,
        )  # fmt: skip
        assert proc.stdin is not None
        proc.stdin.write(prompt.encode())
        proc.stdin.close()
        proc.stdin = None  # written: communicate() reads only
        return proc

    def run(self, *args: str, prompt: str) -> subprocess.CompletedProcess[bytes]:
        return subprocess.run(
            [*self.argv(), *args], input=prompt.encode(),
            capture_output=True, env=self.env, timeout=120,
        )  # fmt: skip

    def result(self) -> dict[str, Any]:
        data: dict[str, Any] = json.loads((self.tmp / "result.json").read_text())
        return data


def plays(name: str, only_with_session: str | None = None) -> str:
    """A prompt whose agent replays the capture NAME byte for byte, exit code included."""
    cap = load(name)
    check = (
        f"assert ARGV[ARGV.index('--session') + 1] == {only_with_session!r}, ARGV"
        if only_with_session
        else ""
    )
    return scenario(f"""
        import sys
        {check}
        sys.stdout.buffer.write({cap.stdout!r})
        sys.stdout.flush()
        sys.stderr.buffer.write({cap.stderr!r})
        sys.stderr.flush()
        sys.exit({cap.exit_code})
    """)


def in_mode(paperclip: Paperclip, mode: str, runtime: Path) -> Paperclip:
    if mode == "relay":  # what Paperclip runs: the installed kubeclip-opencode (C where built)
        paperclip.module = "kubeclip.paperclip.relay"
        installed = shutil.which("kubeclip-opencode", path=str(Path(sys.executable).parent))
        paperclip.command = [installed] if installed else None
        paperclip.env["XDG_RUNTIME_DIR"] = str(runtime)
        paperclip.env["KUBECLIP_LOG_DIR"] = str(runtime / "logs")
    return paperclip


@pytest.fixture(params=["in-process", "relay"])
def paperclip(
    request: pytest.FixtureRequest, real: RealCluster, tmp_path: Path, serve_runtime: Path
) -> Paperclip:
    return in_mode(Paperclip(real, tmp_path), request.param, serve_runtime)


def test_output_is_byte_identical_and_result_is_parsed(paperclip: Paperclip) -> None:
    progress = paperclip.tmp / "progress.log"
    paperclip.env["KUBECLIP_PROGRESS"] = str(progress)
    proc = paperclip.run(*RUN_ARGS, "--variant", "high", prompt=plays("success"))
    assert proc.returncode == 0, proc.stderr.decode()
    assert proc.stdout == load("success").stdout
    # stderr is OpenCode's alone (it printed nothing there); kubeclip's progress went aside
    assert proc.stderr == b""
    assert "running" in progress.read_text()
    assert TOKEN not in progress.read_text() and TOKEN.encode() not in proc.stdout
    result = paperclip.result()
    assert result["exitCode"] == 0 and result["reason"] == "succeeded"
    assert result["sessionId"].startswith("ses_") and result["sessionId"].encode() in proc.stdout
    assert result["sessionParams"]["cwd"] == paperclip.cwd
    assert result["usage"] == {"inputTokens": 1000, "outputTokens": 60, "cachedInputTokens": 200}
    assert paperclip.real.leftovers(paperclip.agent) == {}


def test_the_pod_gets_the_run_and_the_key(paperclip: Paperclip) -> None:
    prompt = scenario("""
        import os
        for name in ("PAPERCLIP_AGENT_ID", "PAPERCLIP_RUN_ID", "PAPERCLIP_TASK_ID", "HOME",
                     "PAPERCLIP_WORKSPACE_CWD", "PAPERCLIP_API_KEY"):
            print(name + "=" + os.environ.get(name, "<unset>"))
        print("cwd=" + os.getcwd())
    """)
    proc = paperclip.run(*RUN_ARGS, prompt=prompt)
    assert proc.returncode == 0, proc.stderr.decode()
    assert proc.stdout.decode().splitlines() == [
        f"PAPERCLIP_AGENT_ID={paperclip.agent}",
        "PAPERCLIP_RUN_ID=run-42",
        "PAPERCLIP_TASK_ID=ISS-7",
        "HOME=/paperclip",
        f"PAPERCLIP_WORKSPACE_CWD={paperclip.cwd}",
        f"PAPERCLIP_API_KEY={TOKEN}",
        f"cwd={paperclip.cwd}",
    ]


def test_resume_passes_the_session(paperclip: Paperclip) -> None:
    session = load("resume").session_arg
    prompt = plays("resume", only_with_session=session)
    proc = paperclip.run(*RUN_ARGS, "--session", str(session), prompt=prompt)
    assert proc.returncode == 0, proc.stderr.decode()
    assert paperclip.result()["sessionId"] == session


def test_unknown_session_is_reported_for_paperclip_to_retry(paperclip: Paperclip) -> None:
    prompt = plays("unknown-session", only_with_session="ses_gone123")
    proc = paperclip.run(*RUN_ARGS, "--session", "ses_gone123", prompt=prompt)
    assert proc.returncode == 1
    # nothing on stdout, OpenCode's coloured line on stderr, both passed on untouched
    assert proc.stdout == b"" and proc.stderr == load("unknown-session").stderr
    result = paperclip.result()
    assert result["clearSession"] is True and result["errorCode"] == "session_not_found"
    assert result["errorMessage"] == "Error: Session not found"


def test_a_provider_error_is_a_failure_with_its_message(paperclip: Paperclip) -> None:
    proc = paperclip.run(*RUN_ARGS, prompt=plays("provider-error-401"))
    result = paperclip.result()
    assert result["exitCode"] == 1 and result["reason"] == "failed"
    assert result["errorMessage"] == "Incorrect API key provided: sk-stub***"
    assert proc.returncode == 1


@pytest.mark.parametrize("mode", ["in-process", "relay"])
def test_infrastructure_failure_is_an_opencode_error_line(
    real: RealCluster, tmp_path: Path, serve_runtime: Path, mode: str
) -> None:
    paperclip = in_mode(Paperclip(real, tmp_path, image="registry.invalid/nope:1"), mode,
                        serve_runtime)  # fmt: skip
    proc = paperclip.run(*RUN_ARGS, prompt=plays("success"))
    assert proc.returncode == 4
    (line,) = proc.stdout.decode().splitlines()
    event = json.loads(line)
    assert event["type"] == "error" and "image_pull_failed" in event["error"]["data"]["message"]
    assert real.leftovers(paperclip.agent) == {}


def test_sigterm_from_paperclip_deletes_the_job(paperclip: Paperclip) -> None:
    prompt = scenario("""
        import time
        print('{"type":"step_start","sessionID":"ses_1"}', flush=True)
        time.sleep(120)
    """)
    proc = paperclip.start(*RUN_ARGS, prompt=prompt)
    assert proc.stdout is not None
    assert json.loads(proc.stdout.readline())["type"] == "step_start"
    proc.send_signal(signal.SIGTERM)
    # like a local opencode: ended by the signal (Paperclip reports signal: SIGTERM), and
    # only after the Job is deleted and the result written
    assert proc.wait(timeout=30) == -signal.SIGTERM
    assert paperclip.result()["reason"] == "cancelled"
    assert proc.stdout.read() == b""  # no error line: a killed opencode prints none
    started = time.monotonic()
    assert paperclip.real.leftovers(paperclip.agent) == {}
    assert time.monotonic() - started < 20
