"""The apply-mode scenarios against a real cluster. Opt-in: ``pytest -m cluster`` with
KUBECONFIG set and tests/cluster/setup.yaml applied (docs/development.md: "Your own cluster").

The agent container runs busybox with a scenario script instead of opencode: the test
passes its own copy of the templates (``--templates``), as a user may.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest
import yaml

ROOT = Path(__file__).resolve().parent.parent
NAMESPACE = os.environ.get("KUBECLIP_TEST_NAMESPACE", "kubeclip-test")
IMAGE = os.environ.get("KUBECLIP_TEST_IMAGE", "busybox:1.36")

pytestmark = [
    pytest.mark.cluster,
    pytest.mark.skipif(
        not os.environ.get("KUBECONFIG"),
        reason="set KUBECONFIG (and apply tests/cluster/setup.yaml) to run against a cluster",
    ),
]


def _setup(tmp: Path, script: str, config: dict[str, Any], run_id: str) -> list[str]:
    templates = tmp / "templates"
    shutil.copytree(ROOT / "templates", templates, dirs_exist_ok=True)
    job = (templates / "job.yaml").read_text()
    job = job.replace('command: "{{ job.command }}"',
                      f"command: {json.dumps(['sh', '-c', script])}")  # fmt: skip
    (templates / "job.yaml").write_text(job)
    pod = {
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": {"name": "paperclip", "namespace": NAMESPACE},
        "spec": {
            "containers": [{"name": "paperclip", "image": IMAGE,
                            "volumeMounts": [{"name": "data", "mountPath": "/paperclip"}]}],
            "volumes": [{"name": "data",
                         "persistentVolumeClaim": {"claimName": "paperclip-shared"}}],
        },
    }  # fmt: skip
    (tmp / "pod.yaml").write_text(yaml.safe_dump(pod))
    (tmp / "agent.yaml").write_text(
        yaml.safe_dump({"model": "openai/gpt-5", "graceSec": 2, **config})
    )
    run = {
        "runId": run_id,
        "agent": {"id": f"cluster-test-{run_id}", "companyId": "kubeclip-tests"},
        "context": {"paperclipWorkspace": {"cwd": "/paperclip"}},
        "paperclipApiUrl": "http://paperclip.invalid:3100",
        "prompt": "cluster test\n",
    }
    (tmp / "run.json").write_text(json.dumps(run))
    return [
        sys.executable, "-m", "kubeclip", "run", "--config", str(tmp / "agent.yaml"),
        "--run", str(tmp / "run.json"), "--pod", str(tmp / "pod.yaml"),
        "--templates", str(templates), "--result", str(tmp / "result.json"),
    ]  # fmt: skip


def _run(argv: list[str], timeout: float = 300) -> tuple[int, str, str]:
    proc = subprocess.run(argv, capture_output=True, text=True, timeout=timeout)
    return proc.returncode, proc.stdout, proc.stderr


def _result(tmp: Path) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((tmp / "result.json").read_text())
    return data


def test_success_streams_output(tmp_path: Path) -> None:
    script = "for i in 1 2 3; do echo line $i; sleep 1; done"
    code, out, err = _run(_setup(tmp_path, script, {}, "ok"))
    assert code == 0, err
    assert out == "line 1\nline 2\nline 3\n"


def test_agent_exit_code_is_mirrored(tmp_path: Path) -> None:
    code, _, err = _run(_setup(tmp_path, "echo bye; exit 3", {}, "exit3"))
    assert code == 3, err
    assert _result(tmp_path)["reason"] == "failed"


def test_image_pull_failure(tmp_path: Path) -> None:
    argv = _setup(tmp_path, "true", {"image": "registry.invalid/nope:1"}, "pull")
    code, _, err = _run(argv)
    assert code == 4, err


def test_unschedulable(tmp_path: Path) -> None:
    config = {"nodeSelector": {"kubeclip.dev/no-such-node": "x"}, "scheduleTimeoutSec": 5}
    code, _, err = _run(_setup(tmp_path, "true", config, "unsched"))
    assert code == 5, err


def test_deadline(tmp_path: Path) -> None:
    code, _, err = _run(_setup(tmp_path, "sleep 300", {"timeoutSec": 5}, "deadline"))
    assert code == 124, err
    assert _result(tmp_path)["timedOut"] is True


def test_sigterm_cancels_and_cleans_up(tmp_path: Path) -> None:
    proc = subprocess.Popen(
        _setup(tmp_path, "echo started; sleep 300", {}, "cancel"),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert proc.stdout is not None
    assert proc.stdout.readline() == "started\n"
    proc.send_signal(signal.SIGTERM)
    assert proc.wait(timeout=120) == 143
    job = _result(tmp_path)["jobName"]
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        left = subprocess.run(
            ["kubectl", "-n", NAMESPACE, "get", "job,secret", "-o", "name",
             "-l", "kubeclip.dev/agent=cluster-test-cancel"],
            capture_output=True, text=True,
        ).stdout  # fmt: skip
        if job not in left and not left.strip():
            return
        time.sleep(1)
    pytest.fail(f"left behind: {left}")


def test_two_runners_racing(tmp_path: Path) -> None:
    a, b = tmp_path / "a", tmp_path / "b"
    a.mkdir()
    b.mkdir()
    argv_a = _setup(a, "sleep 5", {}, "race-a")
    argv_b = _setup(b, "sleep 5", {}, "race-b")
    # same agent for both runs
    for d in (a, b):
        run = json.loads((d / "run.json").read_text())
        run["agent"]["id"] = "cluster-test-race"
        (d / "run.json").write_text(json.dumps(run))
    procs = [subprocess.Popen(argv, stderr=subprocess.PIPE, text=True) for argv in (argv_a, argv_b)]
    assert sorted(p.wait(timeout=300) for p in procs) == [0, 75]
