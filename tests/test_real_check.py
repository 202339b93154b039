"""`kubeclip check` on the real control plane, as the chart's ServiceAccount: what a user
sees right after `helm install` on a real cluster (here Kubernetes 1.20)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import yaml

from kubeclip.cli import main
from tests.realkube.cluster import RealCluster


def check(
    real: RealCluster, tmp: Path, capsys: pytest.CaptureFixture[str], *extra: str
) -> tuple[int, dict[str, dict[str, Any]]]:
    pod = real.paperclip_deployment(tmp / "paperclip.yaml")
    config = tmp / "agent.yaml"
    config.write_text(yaml.safe_dump({"model": "openai/gpt-5"}))
    code = main(["check", "--kubeconfig", str(real.kubeconfig), "--pod", str(pod),
                 "--config", str(config), "--json", *extra])  # fmt: skip
    report = json.loads(capsys.readouterr().out)
    return code, {c["code"]: c for c in report["checks"]}


def test_the_chart_makes_a_real_cluster_ready(
    real: RealCluster, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, checks = check(real, tmp_path, capsys, "--smoke")
    failed = {k: v for k, v in checks.items() if v["level"] == "fail"}
    assert code == 0 and not failed, failed
    assert "v1.20.2" in checks["api_reachable"]["message"]
    assert "Bound and ReadWriteMany" in checks["paperclip_claim"]["message"]
    assert checks["smoke"]["message"] == "a Job ran in paperclip and its log was read back"


def test_identity_on_a_cluster_without_selfsubjectreview(
    real: RealCluster, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # SelfSubjectReview is 1.26+ (v1alpha1), v1 in 1.28: on 1.20 there is nothing to grant.
    _, checks = check(real, tmp_path, capsys)
    identity = checks["identity"]
    assert identity["level"] == "warn"
    assert "not available" in identity["message"] and "v1.20" in identity["message"]
    assert "chart" not in (identity.get("hint") or "") + identity["message"]
    permissions = [c for k, c in checks.items() if "selfsubjectreview" in json.dumps(c).lower()]
    assert all(c["level"] != "fail" for c in permissions), permissions
