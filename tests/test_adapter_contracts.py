"""Paperclip fidelity, every runtime: each **published** local adapter (2026.916.1; its own
execute() and testEnvironment(), engine "cli", Node 24) drives once its real CLI on this
machine and once `kubeclip-agent` as its `command` (relay -> `kubeclip serve` -> a Job on
the real node whose pod runs the same real CLI): tests/adaptercontract.py. The adapters
parse what they read on the child's stdout and stderr themselves, so what a user sees in
Paperclip is equal when kubeclip relays the CLI's streams unchanged and ends as the CLI
did; the result is compared field by field, case by case, the issue's list:

success with usage and a resume in the same cwd, no resume from another cwd, an unknown
session retried fresh, a failing model API, the CLI's own non-zero exit, a timeout, a
cancel, and Test environment's hello probe. (`kubeclip serve` killed mid-run:
test_claude_contract.py.)
"""

from __future__ import annotations

import uuid
from pathlib import Path

import pytest

from tests.adaptercontract import ADAPTERS, Contract, require_root
from tests.realkube.cluster import RealCluster


@pytest.fixture(autouse=True)
def _root() -> None:
    require_root()


@pytest.fixture(params=sorted(ADAPTERS))
def contract(
    request: pytest.FixtureRequest, real: RealCluster, paperclip_modules: Path, tmp_path: Path
) -> Contract:
    binary: Path = request.getfixturevalue(f"{request.param}_binary")
    return Contract(ADAPTERS[request.param], real, paperclip_modules, binary, tmp_path)


def test_a_run_and_its_resume_in_the_same_cwd_are_what_the_adapter_reports(
    contract: Contract,
) -> None:
    k8s = contract.run_then_resume()
    assert k8s["result"]["usage"]["outputTokens"] > 0


def test_an_unknown_session_is_retried_fresh_as_the_adapter_does(contract: Contract) -> None:
    unknown = str(uuid.uuid4())
    local, k8s = contract.both(runtime={"sessionId": unknown, "sessionParams": {
        "sessionId": unknown}})  # fmt: skip
    contract.same(local, k8s)
    assert k8s["result"]["exitCode"] == 0 and k8s["result"]["sessionId"] != unknown
    assert "retrying with a fresh session" in k8s["stdout"]


def test_a_session_of_another_cwd_is_not_resumed_on_either_side(contract: Contract) -> None:
    contract.not_resumed_from_another_cwd()


def test_a_failing_model_api_is_the_same_failure(contract: Contract) -> None:
    local, k8s = contract.both(model="stub-e500")
    contract.same(local, k8s)
    assert k8s["result"]["exitCode"] == 1
    assert contract.adapter.api_error in k8s["result"]["errorMessage"]


def test_the_clis_own_non_zero_exit_reaches_the_adapter_unchanged(contract: Contract) -> None:
    """An option this CLI does not know (extraArgs): its usage error, its exit code, its
    stderr byte for byte and nothing of kubeclip's."""
    extra = [*contract.adapter.config.get("extraArgs", []), "--no-such-option"]
    local, k8s = contract.both(config={"extraArgs": extra})
    contract.same(local, k8s)
    assert local["result"]["exitCode"] not in (0, None)
    assert "--no-such-option" in local["result"]["errorMessage"]
    assert k8s["result"]["resultJson"] == local["result"]["resultJson"]


def test_a_timeout_is_the_adapters_timeout(contract: Contract) -> None:
    contract.stopped(timeout=True)


def test_a_cancel_is_the_adapters_cancel_and_leaves_nothing(contract: Contract) -> None:
    contract.stopped(timeout=False)


def test_the_test_environment_hello_probe_runs_a_job_through_serve(
    contract: Contract, tmp_path: Path
) -> None:
    checks = contract.probe_checks(tmp_path)
    probe = f"{contract.adapter.cli}_hello_probe_passed"
    assert checks[True].get(probe) == "info", checks[True]
