"""The Paperclip drop-in without a cluster to run on: `models`, `--version`/`--help`, and a bad
config that must apply nothing (counted by the API emulator). Runs end to end on the real
control plane in tests/test_real_dropin.py, which shares the helpers here."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import yaml

from tests.emulator import Emulator

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


def test_bad_config_is_an_error_line_and_exit_2(emu: Emulator, tmp_path: Path) -> None:
    env = paperclip_env(tmp_path, emu, timeoutSecs=5)
    proc = opencode(env, *RUN_ARGS)
    assert proc.returncode == 2
    event = json.loads(proc.stdout.decode().splitlines()[0])
    assert 'did you mean "timeoutSec"' in event["error"]["message"]
    assert emu.count() == 0  # nothing applied
