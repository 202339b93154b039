"""Golden files: the exact manifests a reviewer sees, validated against Kubernetes' own schemas."""

from __future__ import annotations

import json
from typing import Any

import kubernetes_validate
import pytest
import yaml

from tests.goldens import Case, cases

CASES = cases()
# The oldest Kubernetes we support and the newest schema kubernetes-validate bundles.
K8S_VERSIONS = ["1.30.0", kubernetes_validate.latest_version()]


def _documents(case: Case) -> list[dict[str, Any]]:
    text = (case.directory / "expected.yaml").read_text()
    if "json" in case.argv():
        items: list[dict[str, Any]] = json.loads(text)["items"]
        return items
    return [d for d in yaml.safe_load_all(text) if d is not None]


def test_there_are_enough_cases() -> None:
    names = {c.name for c in CASES}
    for required in (
        "minimal",
        "full",
        "deployment-input",
        "pod-input",
        "statefulset-input",
        "session-resume",
        "large-prompt",
        "inherit-env-none",
        "inherit-envfrom",
        "inherit-secret-volumes",
        "inherit-no-pull-secrets",
        "inherit-no-dns",
    ):
        assert required in names


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.name)
def test_render_matches_golden(case: Case) -> None:
    code, stdout, stderr = case.run()
    assert code == 0, stderr
    expected = (case.directory / "expected.yaml").read_text()
    assert stdout == expected, (
        f"{case.name}: output changed; if intended, run `python scripts/regen.py` "
        "and review the diff"
    )
    assert stderr == (case.directory / "expected.stderr").read_text()


@pytest.mark.parametrize("version", K8S_VERSIONS)
@pytest.mark.parametrize("case", CASES, ids=lambda c: c.name)
def test_golden_is_valid_kubernetes(case: Case, version: str) -> None:
    docs = _documents(case)
    assert [d["kind"] for d in docs] == ["Secret", "Job"]
    for doc in docs:
        kubernetes_validate.validate(doc, version, strict=True)


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.name)
def test_golden_job_is_restricted_and_clean(case: Case) -> None:
    secret, job = _documents(case)
    pod = job["spec"]["template"]["spec"]
    assert job["spec"]["backoffLimit"] == 0
    assert pod["restartPolicy"] == "Never"
    sc = pod["securityContext"]
    assert sc["runAsNonRoot"] is True and sc["seccompProfile"] == {"type": "RuntimeDefault"}
    (container,) = pod["containers"]
    assert container["securityContext"]["capabilities"]["drop"] == ["ALL"]
    assert container["securityContext"]["allowPrivilegeEscalation"] is False
    assert pod["automountServiceAccountToken"] is bool(pod.get("serviceAccountName"))
    assert len(job["metadata"]["name"]) <= 63
    text = json.dumps(job)
    assert ": null" not in text and '"status"' not in text and "creationTimestamp" not in text
    # the claim at /paperclip, HOME there, and the prompt only in the Secret
    mounts = {m["mountPath"]: m for m in container["volumeMounts"]}
    assert mounts["/paperclip"]["name"] == "paperclip"
    env = {e["name"]: e for e in container["env"]}
    assert env["HOME"]["value"] == "/paperclip"
    prompt = secret.get("stringData", {}).get("prompt")
    if prompt:
        assert prompt not in text
    for key, value in secret.get("stringData", {}).items():
        if key != "prompt" and not value.startswith("<redacted"):
            assert value not in text, f"secret {key} leaked into the Job"
    if "--reveal-secrets" not in case.argv():
        assert all(
            v.startswith("<redacted")
            for k, v in secret.get("stringData", {}).items()
            if not k.endswith(".prompt")  # keys are prefixed with the Job's name
        )
