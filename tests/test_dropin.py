"""The Paperclip drop-in end to end: invoked exactly as opencode_local invokes `opencode`
(argv, prompt on stdin, PAPERCLIP_* environment, workspace as cwd), running a Job on the
API emulator whose container prints a recorded OpenCode transcript."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import yaml

from tests.emulator import Emulator, PodScript

ROOT = Path(__file__).resolve().parent.parent
TRANSCRIPTS = ROOT / "tests" / "transcripts"
TOKEN = "eyJhbGciOiJIUzI1NiJ9.eyJydW4iOiJydW4tNDIifQ.dG9rZW4tc2lnbmF0dXJl"
CWD = "/paperclip/instances/default/workspaces/agent-7"


def transcript(name: str) -> list[str]:
    return (TRANSCRIPTS / f"{name}.jsonl").read_text().splitlines()


def paperclip_env(tmp: Path, emu: Emulator, **config: Any) -> dict[str, str]:
    """The environment opencode_local gives its child, plus kubeclip's own settings."""
    kubeconfig = emu.write_kubeconfig(tmp / "kubeconfig")
    (tmp / "kubeclip.yaml").write_text(
        yaml.safe_dump(
            {
                "model": "anthropic/claude-sonnet-4-5",
                "kubeconfig": str(kubeconfig),
                "graceSec": 1,
                **config,
            }
        )
    )
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PAPERCLIP_", "KUBECLIP_"))}
    env.update(
        {
            "PYTHONPATH": str(ROOT),
            "KUBECLIP_CONFIG": str(tmp / "kubeclip.yaml"),
            "KUBECLIP_POD_FILE": str(ROOT / "examples" / "paperclip-deployment.yaml"),
            "KUBECLIP_RESULT_FILE": str(tmp / "result.json"),
            "PAPERCLIP_AGENT_ID": "agent-7",
            "PAPERCLIP_COMPANY_ID": "company-1",
            "PAPERCLIP_RUN_ID": "run-42",
            "PAPERCLIP_API_URL": "http://paperclip.paperclip.svc:3100",
            "PAPERCLIP_API_KEY": TOKEN,
            "PAPERCLIP_TASK_ID": "ISS-7",
            "PAPERCLIP_WAKE_REASON": "comment",
            "PAPERCLIP_WAKE_COMMENT_ID": "cmt-9",
            "PAPERCLIP_LINKED_ISSUE_IDS": "ISS-7,ISS-8",
            "PAPERCLIP_WAKE_PAYLOAD_JSON": '{"reason":"comment","commentId":"cmt-9"}',
            "PAPERCLIP_WORKSPACE_CWD": CWD,
            "PAPERCLIP_WORKSPACE_SOURCE": "agent_home",
            "PAPERCLIP_WORKSPACE_ID": "ws-1",
            "AGENT_HOME": CWD,
            "PAPERCLIP_RUNTIME_TOOLS_GITHUB": "enabled",
            "OPENCODE_DISABLE_PROJECT_CONFIG": "true",
        }
    )
    return env


def opencode(
    env: dict[str, str], *args: str, prompt: str = "Fix ISS-7.\n"
) -> subprocess.CompletedProcess[bytes]:
    return subprocess.run(
        [sys.executable, "-m", "kubeclip.dropin", *args],
        input=prompt.encode(),
        capture_output=True,
        env=env,
        timeout=60,
    )


def job_body(emu: Emulator, n: int = 0) -> dict[str, Any]:
    posts = [r for r in emu.requests if r.verb == "create" and r.resource == "jobs"]
    body: Any = posts[n].body
    return dict(json.loads(body) if isinstance(body, (str, bytes)) else body)


def container_env(job: dict[str, Any]) -> dict[str, dict[str, Any]]:
    container = job["spec"]["template"]["spec"]["containers"][0]
    return {e["name"]: e for e in container["env"]}


RUN_ARGS = ("run", "--format", "json", "--print-logs", "--model", "anthropic/claude-sonnet-4-5")


def test_output_is_byte_identical_and_result_is_parsed(emu: Emulator, tmp_path: Path) -> None:
    emu.script = PodScript(log_lines=transcript("success"), line_interval=0.01)
    env = paperclip_env(tmp_path, emu)
    proc = opencode(env, *RUN_ARGS, "--variant", "high")
    assert proc.returncode == 0, proc.stderr.decode()
    assert proc.stdout == (TRANSCRIPTS / "success.jsonl").read_bytes()
    assert b"running" in proc.stderr  # progress goes to stderr only
    result = json.loads((tmp_path / "result.json").read_text())
    assert result["exitCode"] == 0 and result["reason"] == "succeeded"
    assert result["sessionId"] == "ses_1d63d5485ffeA1"
    assert result["sessionParams"]["cwd"] == CWD
    assert result["usage"] == {"inputTokens": 2700, "outputTokens": 160, "cachedInputTokens": 1400}
    assert result["costUsd"] == 0.0168 and result["provider"] == "anthropic"
    assert result["summary"].endswith("Tests pass.")


def test_the_pod_gets_the_run_and_the_key_only_by_reference(emu: Emulator, tmp_path: Path) -> None:
    emu.script = PodScript(log_lines=transcript("success"))
    proc = opencode(paperclip_env(tmp_path, emu), *RUN_ARGS)
    assert proc.returncode == 0, proc.stderr.decode()
    job = job_body(emu)
    env = container_env(job)
    for name, value in {
        "PAPERCLIP_AGENT_ID": "agent-7",
        "PAPERCLIP_COMPANY_ID": "company-1",
        "PAPERCLIP_RUN_ID": "run-42",
        "PAPERCLIP_TASK_ID": "ISS-7",
        "PAPERCLIP_WAKE_REASON": "comment",
        "PAPERCLIP_LINKED_ISSUE_IDS": "ISS-7,ISS-8",
        "PAPERCLIP_WORKSPACE_CWD": CWD,
        "PAPERCLIP_RUNTIME_TOOLS_GITHUB": "enabled",
        "HOME": "/paperclip",
    }.items():
        assert env[name]["value"] == value, name
    assert json.loads(env["PAPERCLIP_WAKE_PAYLOAD_JSON"]["value"])["commentId"] == "cmt-9"
    key_ref = env["PAPERCLIP_API_KEY"]["valueFrom"]["secretKeyRef"]
    assert key_ref["name"].endswith("-run") and "value" not in env["PAPERCLIP_API_KEY"]
    assert TOKEN not in json.dumps(job)
    assert TOKEN.encode() not in proc.stdout + proc.stderr
    pod = job["spec"]["template"]["spec"]
    assert pod["containers"][0]["workingDir"] == CWD
    argv = pod["containers"][0]["command"]
    assert argv[argv.index("--model") + 1] == "anthropic/claude-sonnet-4-5"
    assert "--print-logs" in argv


def test_resume_passes_the_session(emu: Emulator, tmp_path: Path) -> None:
    emu.script = PodScript(log_lines=transcript("resume"))
    proc = opencode(paperclip_env(tmp_path, emu), *RUN_ARGS, "--session", "ses_1d63d5485ffeA1")
    assert proc.returncode == 0, proc.stderr.decode()
    argv = job_body(emu)["spec"]["template"]["spec"]["containers"][0]["command"]
    assert argv[argv.index("--session") + 1] == "ses_1d63d5485ffeA1"
    assert json.loads((tmp_path / "result.json").read_text())["sessionId"] == "ses_1d63d5485ffeA1"


def test_unknown_session_is_reported_for_paperclip_to_retry(emu: Emulator, tmp_path: Path) -> None:
    emu.script = PodScript(log_lines=transcript("unknown-session"), exit_code=1)
    proc = opencode(paperclip_env(tmp_path, emu), *RUN_ARGS, "--session", "ses_gone123")
    assert proc.returncode == 1
    assert proc.stdout == (TRANSCRIPTS / "unknown-session.jsonl").read_bytes()
    result = json.loads((tmp_path / "result.json").read_text())
    assert result["clearSession"] is True and result["errorCode"] == "session_not_found"
    assert emu.count(verb="create", resource="jobs") == 1  # Paperclip retries, not us


def test_provider_error_with_exit_0_is_a_failure(emu: Emulator, tmp_path: Path) -> None:
    emu.script = PodScript(log_lines=transcript("provider-error"), exit_code=0)
    proc = opencode(paperclip_env(tmp_path, emu), *RUN_ARGS)
    result = json.loads((tmp_path / "result.json").read_text())
    assert result["exitCode"] == 1 and result["reason"] == "failed"
    assert result["errorMessage"] == "AnthropicError: 401 invalid x-api-key"
    assert proc.returncode == 1


def test_infrastructure_failure_is_an_opencode_error_line(emu: Emulator, tmp_path: Path) -> None:
    emu.script = PodScript(image_pull_error="manifest unknown")
    proc = opencode(paperclip_env(tmp_path, emu), *RUN_ARGS)
    assert proc.returncode == 4
    (line,) = proc.stdout.decode().splitlines()
    event = json.loads(line)
    assert event["type"] == "error" and "image_pull_failed" in event["error"]["data"]["message"]


def test_models_answers_without_a_pod(emu: Emulator, tmp_path: Path) -> None:
    env = paperclip_env(tmp_path, emu, models=["anthropic/claude-opus-4-1", "openai/gpt-5"])
    started = time.monotonic()
    proc = subprocess.run(
        [sys.executable, "-m", "kubeclip.dropin", "models"], capture_output=True, env=env
    )
    assert proc.returncode == 0
    assert proc.stdout.decode().splitlines() == [
        "anthropic/claude-opus-4-1",
        "openai/gpt-5",
        "anthropic/claude-sonnet-4-5",
    ]
    assert emu.count() == 0 and time.monotonic() - started < 5


def test_version_and_help() -> None:
    for flag, words in (("--version", b"kubeclip-opencode"), ("--help", b"usage:")):
        proc = subprocess.run(
            [sys.executable, "-m", "kubeclip.dropin", flag],
            capture_output=True,
            env={**os.environ, "PYTHONPATH": str(ROOT)},
        )
        assert proc.returncode == 0 and words in proc.stdout


def test_sigterm_from_paperclip_deletes_the_job(emu: Emulator, tmp_path: Path) -> None:
    emu.script = PodScript(log_lines=transcript("success")[:2], hang=True)
    proc = subprocess.Popen(
        [sys.executable, "-m", "kubeclip.dropin", *RUN_ARGS],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=paperclip_env(tmp_path, emu),
    )
    assert proc.stdin is not None and proc.stdout is not None
    proc.stdin.write(b"Fix ISS-7.\n")
    proc.stdin.close()
    assert json.loads(proc.stdout.readline())["type"] == "step_start"
    proc.send_signal(signal.SIGTERM)
    assert proc.wait(timeout=30) == 143
    deadline = time.monotonic() + 5
    while emu.list("jobs", "paperclip") or emu.list("secrets", "paperclip"):
        assert time.monotonic() < deadline, "Job or Secret left behind"
        time.sleep(0.05)


def test_bad_config_is_an_error_line_and_exit_2(emu: Emulator, tmp_path: Path) -> None:
    env = paperclip_env(tmp_path, emu, timeoutSecs=5)
    proc = opencode(env, *RUN_ARGS)
    assert proc.returncode == 2
    event = json.loads(proc.stdout.decode().splitlines()[0])
    assert 'did you mean "timeoutSec"' in event["error"]["message"]
    assert emu.count() == 0  # nothing applied
