"""Apply mode end to end: `kubeclip run` against the Kubernetes API emulator, over real HTTP,
through the unmodified `kubernetes` client. Each scenario is one a user hits in the field."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest
import yaml

from kubeclip.cli import main
from tests.emulator import Emulator, PodScript

ROOT = Path(__file__).resolve().parent.parent
AGENT = "agent-1234"
TRANSCRIPT = [
    '{"type":"step_start","sessionID":"ses_1","part":{"type":"step-start"}}',
    '{"type":"text","sessionID":"ses_1","part":{"type":"text","text":"Looking at ISS-7…"}}',
    "plain log line with unicode ✓ and a tab\there",
    '{"type":"step_finish","sessionID":"ses_1","part":{"tokens":{"input":10,"output":5}}}',
]


class Inputs:
    def __init__(self, tmp: Path, emu: Emulator) -> None:
        self.tmp = tmp
        self.kubeconfig = emu.write_kubeconfig(tmp / "kubeconfig")
        self.pod = ROOT / "examples" / "paperclip-deployment.yaml"
        self.config: dict[str, Any] = {"model": "openai/gpt-5", "graceSec": 1}
        self.run: dict[str, Any] = json.loads((ROOT / "tests/golden/_inputs/run.json").read_text())

    def argv(self, *extra: str, run_id: str | None = None) -> list[str]:
        config = self.tmp / "agent.yaml"
        config.write_text(yaml.safe_dump(self.config))
        run = dict(self.run, runId=run_id or self.run["runId"])
        run_file = self.tmp / f"run-{run['runId']}.json"
        run_file.write_text(json.dumps(run))
        return [
            "run", "--config", str(config), "--run", str(run_file), "--pod", str(self.pod),
            "--kubeconfig", str(self.kubeconfig), "--result", str(self.tmp / "result.json"),
            *extra,
        ]  # fmt: skip

    def result(self) -> dict[str, Any]:
        data: dict[str, Any] = json.loads((self.tmp / "result.json").read_text())
        return data


@pytest.fixture
def inputs(tmp_path: Path, emu: Emulator) -> Inputs:
    return Inputs(tmp_path, emu)


def run(inputs: Inputs, capfd: pytest.CaptureFixture[str], *extra: str) -> tuple[int, str, str]:
    code = main(inputs.argv(*extra))
    out, err = capfd.readouterr()
    return code, out, err


def leftovers(emu: Emulator, wait: float = 3.0) -> dict[str, list[str]]:
    """Objects kubeclip made that still exist once garbage collection had its chance."""
    deadline = time.monotonic() + wait
    while True:
        left = {
            r: [o["metadata"]["name"] for o in emu.list(r, "paperclip")]
            for r in ("jobs", "secrets", "pods", "leases")
        }
        if not any(left.values()) or time.monotonic() > deadline:
            return {k: v for k, v in left.items() if v}
        time.sleep(0.05)


def test_a_run_streams_output_exactly_and_cleans_up(
    emu: Emulator, inputs: Inputs, capfd: pytest.CaptureFixture[str]
) -> None:
    emu.script = PodScript(log_lines=TRANSCRIPT, line_interval=0.01)
    code, out, err = run(inputs, capfd)
    assert code == 0, err
    assert out == "".join(line + "\n" for line in TRANSCRIPT)
    result = inputs.result()
    assert result["reason"] == "succeeded" and result["exitCode"] == 0
    assert result["jobName"].startswith("kc-coder-") and result["namespace"] == "paperclip"
    assert result["startedAt"] and result["finishedAt"]
    assert "running" in err and "succeeded" in err  # progress and the result line: stderr
    assert leftovers(emu) == {}
    # the reference adapter polled every 2 s; a run here costs a handful of requests
    assert emu.count() <= 8


def test_the_secret_is_owned_by_the_job_and_holds_the_prompt(
    emu: Emulator, inputs: Inputs, capfd: pytest.CaptureFixture[str]
) -> None:
    inputs.config["retainJobs"] = True
    inputs.run["authToken"] = "eyJhbGciOiJIUzI1NiJ9.run-token-value.signature"
    code, _, err = run(inputs, capfd)
    assert code == 0, err
    (job,) = emu.list("jobs", "paperclip")
    (secret,) = emu.list("secrets", "paperclip")
    assert secret["metadata"]["ownerReferences"][0]["uid"] == job["metadata"]["uid"]
    assert "eyJhbGciOiJIUzI1NiJ9.run-token-value.signature" not in json.dumps(job)
    assert "run-token-value" not in err
    env = {e["name"]: e for e in job["spec"]["template"]["spec"]["containers"][0]["env"]}
    assert (
        env["PAPERCLIP_API_KEY"]["valueFrom"]["secretKeyRef"]["name"]
        == (secret["metadata"]["name"])
    )
    emu.delete("jobs", "paperclip", job["metadata"]["name"])
    assert leftovers(emu) == {}  # deleting the Job garbage-collects the Secret


def test_log_stream_cut_mid_run_loses_and_repeats_nothing(
    emu: Emulator, inputs: Inputs, capfd: pytest.CaptureFixture[str]
) -> None:
    lines = [f'{{"type":"text","n":{i},"part":{{"text":"{"x" * (i % 50)}"}}}}' for i in range(300)]
    emu.script = PodScript(log_lines=lines, line_interval=0.002)
    emu.faults.cut_log_stream(after_lines=40, times=4, mid_line=True)
    code, out, err = run(inputs, capfd)
    assert code == 0, err
    assert out.splitlines() == lines
    assert emu.count(resource="pods/log") >= 5  # it really reconnected


@pytest.mark.parametrize("status", [500, 503, 429])
def test_transient_api_errors_are_retried(
    emu: Emulator, inputs: Inputs, capfd: pytest.CaptureFixture[str], status: int
) -> None:
    emu.script = PodScript(log_lines=["ok"])
    emu.faults.fail_next(3, status, retry_after=0.05 if status == 429 else None)
    code, out, err = run(inputs, capfd)
    assert code == 0, err
    assert out == "ok\n"


def test_conflict_on_create_is_resolved(
    emu: Emulator, inputs: Inputs, capfd: pytest.CaptureFixture[str]
) -> None:
    emu.script = PodScript(log_lines=["ok"])
    emu.faults.conflict_on_create("jobs", n=1)
    code, out, err = run(inputs, capfd)
    assert code == 0, err
    assert out == "ok\n"


def test_missing_permission_names_the_verb_and_the_chart(
    emu: Emulator, inputs: Inputs, capfd: pytest.CaptureFixture[str]
) -> None:
    emu.faults.forbid("create", "jobs")
    code, out, err = run(inputs, capfd)
    assert code == 3
    assert out == ""
    assert "may not create jobs.batch" in err and "charts/kubeclip" in err
    assert inputs.result()["reason"] == "api_error"
    assert leftovers(emu) == {}  # the lock was released


def test_missing_namespace_says_so(
    emu: Emulator, inputs: Inputs, capfd: pytest.CaptureFixture[str]
) -> None:
    code, _, err = run(inputs, capfd, "-n", "nowhere")
    assert code == 3
    assert "namespace 'nowhere' does not exist" in err


def test_expired_watch_is_restarted(
    emu: Emulator, inputs: Inputs, capfd: pytest.CaptureFixture[str]
) -> None:
    emu.script = PodScript(log_lines=["a", "b"], start_delay=0.3, line_interval=0.05)
    emu.faults.expire_watches()
    emu.faults.drop_watches_after(0.15)
    code, out, err = run(inputs, capfd)
    assert code == 0, err
    assert out == "a\nb\n"


@pytest.mark.parametrize(
    ("script", "config", "exit_code", "reason", "words"),
    [
        (PodScript(image_pull_error="ErrImagePull"), {}, 4, "image_pull_failed", "cannot pull"),
        (PodScript(invalid_image=True), {}, 4, "image_pull_failed", "InvalidImageName"),
        (
            PodScript(unschedulable="0/3 nodes are available: 3 Insufficient cpu."),
            {"scheduleTimeoutSec": 1},
            5,
            "unschedulable",
            "Insufficient cpu",
        ),
        (
            PodScript(admission_error='pods "x" is forbidden: violates PodSecurity "restricted"'),
            {},
            6,
            "create_failed",
            "violates PodSecurity",
        ),
        (PodScript(init_failure=True), {}, 6, "create_failed", "init container"),
        (
            PodScript(create_container_config_error='configmap "missing" not found'),
            {},
            6,
            "create_failed",
            "configmap",
        ),
        (PodScript(evict_after=0.2, hang=True), {}, 7, "evicted", "low on resource"),
        (PodScript(log_lines=["x"], termination_reason="OOMKilled"), {}, 137, "oom_killed", "OOM"),
        (PodScript(log_lines=["boom"], exit_code=3), {}, 3, "failed", "exited with code 3"),
        (PodScript(hang=True), {"timeoutSec": 1}, 124, "timed_out", "timeout"),
    ],
    ids=["image-pull", "invalid-image", "unschedulable", "admission", "init", "config-error",
         "evicted", "oom", "agent-failed", "deadline"],
)  # fmt: skip
def test_failures_have_distinct_reasons_and_exit_codes(
    emu: Emulator,
    inputs: Inputs,
    capfd: pytest.CaptureFixture[str],
    script: PodScript,
    config: dict[str, Any],
    exit_code: int,
    reason: str,
    words: str,
) -> None:
    emu.script = script
    inputs.config.update(config)
    code, _, err = run(inputs, capfd)
    result = inputs.result()
    assert (code, result["reason"]) == (exit_code, reason), err
    assert words in result["message"] + err
    assert result["timedOut"] is (reason == "timed_out")
    assert leftovers(emu, wait=5.0) == {}


def test_events_mode_emits_json_lines(
    emu: Emulator, inputs: Inputs, capfd: pytest.CaptureFixture[str]
) -> None:
    emu.script = PodScript(log_lines=TRANSCRIPT, start_delay=0.2, line_interval=0.05)
    code, out, _ = run(inputs, capfd, "--events")
    assert code == 0
    events = [json.loads(line) for line in out.splitlines()]
    assert [e["line"] for e in events if e["type"] == "log"] == TRANSCRIPT
    assert any(e["type"] == "status" and e["stage"] == "running" for e in events)
    assert events[-1]["type"] == "result" and events[-1]["reason"] == "succeeded"


def test_detach_then_reattach_by_run_id(
    emu: Emulator, inputs: Inputs, capfd: pytest.CaptureFixture[str]
) -> None:
    emu.script = PodScript(log_lines=["first", "second"], start_delay=0.2, line_interval=0.1)
    code, out, err = run(inputs, capfd, "--detach")
    assert code == 0 and out == "", err
    assert len(emu.list("jobs", "paperclip")) == 1
    code, out, err = run(inputs, capfd)
    assert code == 0, err
    assert "reattaching" in err
    assert out == "first\nsecond\n"
    assert emu.count(verb="create", resource="jobs") == 1
    assert leftovers(emu) == {}


def test_a_second_run_of_a_busy_agent_is_refused(
    emu: Emulator, inputs: Inputs, capfd: pytest.CaptureFixture[str]
) -> None:
    emu.script = PodScript(hang=True)
    assert main(inputs.argv("--detach", run_id="run-a")) == 0
    code = main(inputs.argv(run_id="run-b"))
    _, err = capfd.readouterr()
    assert code == 75 and "busy with run run-a" in err
    assert len(emu.list("jobs", "paperclip")) == 1


def _kubeclip(argv: list[str], **kw: Any) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "kubeclip", *argv],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        **kw,
    )


def test_two_runners_racing_never_make_two_jobs(emu: Emulator, inputs: Inputs) -> None:
    emu.script = PodScript(log_lines=["done"], start_delay=0.5)
    argv_a, argv_b = inputs.argv(run_id="run-a"), inputs.argv(run_id="run-b")
    procs = [_kubeclip(argv_a), _kubeclip(argv_b)]
    codes = sorted(p.wait(timeout=60) for p in procs)
    assert codes == [0, 75], [p.stderr.read() if p.stderr else "" for p in procs]
    assert emu.count(verb="create", resource="jobs") == 1


def test_sigterm_mid_run_deletes_the_job_and_its_secret(emu: Emulator, inputs: Inputs) -> None:
    emu.script = PodScript(log_lines=["working"], hang=True)
    proc = _kubeclip(inputs.argv())
    deadline = time.monotonic() + 20
    while not emu.list("pods", "paperclip") and time.monotonic() < deadline:
        time.sleep(0.05)
    time.sleep(0.5)
    proc.send_signal(signal.SIGTERM)
    assert proc.wait(timeout=20) == 143
    assert json.loads((inputs.tmp / "result.json").read_text())["reason"] == "cancelled"
    assert leftovers(emu, wait=5.0) == {}


def test_a_1_mib_prompt_runs(
    emu: Emulator, inputs: Inputs, capfd: pytest.CaptureFixture[str]
) -> None:
    emu.script = PodScript(log_lines=["read it"])
    inputs.config["retainJobs"] = True
    prompt = inputs.tmp / "prompt.txt"
    prompt.write_text("".join(f"{i:07d} please review the attached diff\n" for i in range(27_000)))
    assert prompt.stat().st_size >= 1024 * 1024
    code, _, err = run(inputs, capfd, "--prompt-file", str(prompt))
    assert code == 0, err
    (secret,) = emu.list("secrets", "paperclip")
    assert "prompt.gz" in secret["data"]


def test_live_introspection_of_the_paperclip_pod(
    emu: Emulator, inputs: Inputs, capfd: pytest.CaptureFixture[str]
) -> None:
    deployment = yaml.safe_load(inputs.pod.read_text())
    emu.put_object(
        {
            "apiVersion": "v1",
            "kind": "Pod",
            "metadata": {"name": "paperclip-abc12", "namespace": "paperclip"},
            "spec": deployment["spec"]["template"]["spec"],
        }
    )
    emu.script = PodScript(log_lines=["hi"])
    argv = inputs.argv()
    i = argv.index("--pod")
    argv[i : i + 2] = ["--from-pod", "paperclip/paperclip-abc12"]
    code = main(argv)
    _, err = capfd.readouterr()
    assert code == 0, err
    assert emu.count(verb="get", resource="pods") == 1


def test_unknown_session_is_retried_once_fresh(
    emu: Emulator, inputs: Inputs, capfd: pytest.CaptureFixture[str]
) -> None:
    unknown = (
        '{"type":"error","error":{"name":"UnknownError","data":{"message":"Session not found"}}}'
    )
    fresh = '{"type":"text","sessionID":"ses_new","part":{"text":"started over"}}'
    emu.script_queue = [PodScript(log_lines=[unknown], exit_code=1), PodScript(log_lines=[fresh])]
    cwd = inputs.run["context"]["paperclipWorkspace"]["cwd"]
    inputs.run["runtime"] = {"sessionParams": {"sessionId": "ses_gone", "cwd": cwd}}
    code, out, err = run(inputs, capfd)
    assert code == 0, err
    assert out.splitlines() == [unknown, fresh]
    result = inputs.result()
    assert result["clearSession"] is True and result["sessionId"] == "ses_new"
    bodies = [r.body for r in emu.requests if r.verb == "create" and r.resource == "jobs"]
    jobs = [json.loads(b) if isinstance(b, (str, bytes)) else b for b in bodies]
    commands = [j["spec"]["template"]["spec"]["containers"][0]["command"] for j in jobs]
    assert "--session" in commands[0] and "--session" not in commands[1]
    assert leftovers(emu) == {}
