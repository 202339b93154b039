"""Apply mode against the Kubernetes API emulator: only what a real control plane cannot
produce here — injected faults (cut streams, 5xx/429 bursts, conflicts, denied verbs, expired
watches) and states of newer or busier clusters (Pod Security admission, OOM, kubelet
evictions, init containers). Every other scenario runs on the real control plane in
tests/test_real_run.py."""

from __future__ import annotations

import json
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
        (PodScript(invalid_image=True), {}, 4, "image_pull_failed", "InvalidImageName"),
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
    ],
    ids=["invalid-image", "admission", "init", "config-error", "evicted", "oom"],
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


def test_a_waiting_run_sleeps_between_ticks_and_a_cancel_wakes_it_at_once(
    emu: Emulator, inputs: Inputs, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Issue #25: each run's main loop looked at the clock ten times a second; in a burst of
    100 runs that was 1,000 wake-ups a second fighting over serve's GIL, the largest share
    of serve's CPU in a profile. It now looks once a second (RunnerSettings.tick), and a
    cancel through the run's handle wakes it at once. (Against the emulator: what is held
    here is kubeclip's own loop, which no API server's behaviour changes.)"""
    import io
    import threading

    from kubeclip.paperclip.opencode import RUNTIME
    from kubeclip.renderer.pipeline import load_inputs
    from kubeclip.run.engine import Engine
    from kubeclip.run.handle import RunHandle
    from kubeclip.run.request import RunOptions, RunRequest
    from kubeclip.run.runner import Runner

    emu.script = PodScript(log_lines=["working"], hang=True)
    argv = inputs.argv()
    config, facts, run = load_inputs(argv[2], argv[6], argv[4], None)
    ticks: list[float] = []
    real_tick = Runner._tick

    def counted(self: Runner, state: Any, now: float) -> Any:
        ticks.append(now)
        return real_tick(self, state, now)

    monkeypatch.setattr(Runner, "_tick", counted)
    handle = RunHandle()
    out = io.TextIOWrapper(io.BytesIO(), encoding="utf-8")
    options = RunOptions(runtime=RUNTIME, kubeconfig=str(inputs.kubeconfig), progress=None,
                         stdout=out, stderr=out, handle=handle)  # fmt: skip
    request = RunRequest(config, run, options, facts)
    worker = threading.Thread(target=Engine().run, args=(request,), daemon=True)
    worker.start()
    deadline = time.monotonic() + 30
    while handle.status().stage != "running" and time.monotonic() < deadline:
        time.sleep(0.05)
    assert handle.status().stage == "running", handle.status()
    before = len(ticks)
    time.sleep(3.0)
    assert len(ticks) - before <= 6, f"{len(ticks) - before} looks in 3 s"  # was 30
    asked = time.monotonic()
    handle.cancel("SIGTERM")
    result = handle.result(timeout=30)
    assert result is not None and result.reason == "cancelled"
    assert ticks[-1] - asked < 0.5  # the cancel was seen at once, not at the next tick
    worker.join(30)
    assert leftovers(emu, wait=5.0) == {}
