"""`kubeclip check` against the API emulator: what is missing is named, with a hint."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from kubeclip.cli import main
from tests.emulator import Emulator, PodScript

ROOT = Path(__file__).resolve().parent.parent
POD = str(ROOT / "examples" / "paperclip-deployment.yaml")
CONFIG = str(ROOT / "examples" / "agent-config.yaml")


def pvc(modes: list[str], phase: str = "Bound") -> dict[str, Any]:
    return {
        "apiVersion": "v1",
        "kind": "PersistentVolumeClaim",
        "metadata": {"name": "paperclip-shared", "namespace": "paperclip"},
        "spec": {"accessModes": modes, "resources": {"requests": {"storage": "10Gi"}}},
        "status": {"phase": phase},
    }


def secret(name: str) -> dict[str, Any]:
    return {"apiVersion": "v1", "kind": "Secret",
            "metadata": {"name": name, "namespace": "paperclip"}}  # fmt: skip


@pytest.fixture(autouse=True)
def ready(emu: Emulator) -> None:
    """A cluster where everything the example needs exists."""
    emu.put_object(pvc(["ReadWriteMany"]))
    for name in ("ghcr-pull", "model-providers"):
        emu.put_object(secret(name))


def check(
    emu: Emulator, tmp: Path, capsys: pytest.CaptureFixture[str], *extra: str
) -> tuple[int, dict[str, Any]]:
    kubeconfig = str(emu.write_kubeconfig(tmp / "kubeconfig"))
    code = main(["check", "--kubeconfig", kubeconfig, "--pod", POD, "--json", *extra])
    return code, json.loads(capsys.readouterr().out)


def by_code(report: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {c["code"]: c for c in report["checks"]}


def test_a_ready_cluster_passes(
    emu: Emulator, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, report = check(emu, tmp_path, capsys, "--config", CONFIG)
    assert code == 0, report
    assert report["status"] == "pass" and report["testedAt"].endswith("Z")
    checks = by_code(report)
    assert set(checks) >= {"api_reachable", "identity", "namespace", "permissions",
                           "paperclip_claim", "config", "secrets"}  # fmt: skip
    assert all(c["level"] == "info" for c in checks.values())
    assert "system:serviceaccount:paperclip:kubeclip" in checks["identity"]["message"]


def test_a_denied_permission_fails_with_the_verb_and_a_hint(
    emu: Emulator, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    emu.faults.forbid("create", "jobs")
    emu.faults.forbid("get", "pods/log")
    code, report = check(emu, tmp_path, capsys)
    assert code == 1 and report["status"] == "fail"
    perms = by_code(report)["permissions"]
    assert perms["level"] == "error"
    assert "create jobs.batch" in perms["message"] and "get pods/log" in perms["message"]
    assert "charts/kubeclip" in perms["hint"]


def test_claim_problems(emu: Emulator, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    emu.put_object(pvc(["ReadWriteOnce"]))
    code, report = check(emu, tmp_path, capsys)
    claim = by_code(report)["paperclip_claim"]
    assert code == 0 and claim["level"] == "warn" and "ReadWriteMany" in claim["message"]
    emu.put_object(pvc(["ReadWriteMany"], phase="Pending"))
    code, report = check(emu, tmp_path, capsys)
    assert code == 1 and "Pending" in by_code(report)["paperclip_claim"]["message"]
    emu.delete("persistentvolumeclaims", "paperclip", "paperclip-shared")
    code, report = check(emu, tmp_path, capsys)
    assert code == 1 and "not found" in by_code(report)["paperclip_claim"]["message"]


def test_missing_secrets_are_named(
    emu: Emulator, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    emu.delete("secrets", "paperclip", "ghcr-pull")
    emu.delete("secrets", "paperclip", "model-providers")
    code, report = check(emu, tmp_path, capsys, "--config", CONFIG)
    secrets = by_code(report)["secrets"]
    assert code == 1 and secrets["level"] == "error"
    assert "ghcr-pull (imagePullSecret)" in secrets["message"]
    assert "model-providers (env ANTHROPIC_API_KEY)" in secrets["message"]


def test_missing_namespace(
    emu: Emulator, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, report = check(emu, tmp_path, capsys, "-n", "nowhere")
    assert code == 1
    ns = by_code(report)["namespace"]
    assert ns["level"] == "error" and "kubectl create namespace nowhere" in ns["hint"]


def test_invalid_config_fails_the_check(
    emu: Emulator, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bad = tmp_path / "agent.yaml"
    bad.write_text("model: openai/gpt-5\ntimeoutSecs: 5\n")
    code, report = check(emu, tmp_path, capsys, "--config", str(bad))
    assert code == 1 and "timeoutSec" in by_code(report)["config"]["message"]


def test_smoke_runs_a_job_and_cleans_up(
    emu: Emulator, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    emu.script = PodScript(log_lines=["run --format json --model kubeclip/smoke"])
    code, report = check(emu, tmp_path, capsys, "--smoke")
    assert code == 0, report
    assert by_code(report)["smoke"]["level"] == "info"
    assert emu.count(verb="create", resource="jobs") == 1


def test_human_table(emu: Emulator, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    emu.faults.forbid("watch", "events")
    kubeconfig = str(emu.write_kubeconfig(tmp_path / "kubeconfig"))
    code = main(["check", "--kubeconfig", kubeconfig, "--pod", POD])
    out = capsys.readouterr().out
    assert code == 1
    assert out.splitlines()[0].split() == ["STATUS", "CHECK", "MESSAGE"]
    assert "fail    permissions" in out and "hint: install or upgrade the chart" in out
    assert out.rstrip().endswith("result: fail")
