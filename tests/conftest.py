"""Shared fixtures. ``emu``: a fresh Kubernetes API emulator (tests/emulator) with the
"paperclip" namespace, served over HTTP on 127.0.0.1 and stopped after the test."""

from __future__ import annotations

import contextlib
import os
import signal
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from hypothesis import settings

from tests.emulator import Emulator

if TYPE_CHECKING:
    from tests.realkube.cluster import RealCluster

# CI (CI=true) explores the same examples every run, so a landing never depends on luck;
# developers keep random exploration, which is what finds new bugs.
settings.register_profile("ci", derandomize=True, print_blob=True)
if os.environ.get("CI"):
    settings.load_profile("ci")


@pytest.fixture
def emu() -> Iterator[Emulator]:
    with Emulator(namespaces=["paperclip"]) as emulator:
        yield emulator


# --- the real control plane tier (tests/realkube) -------------------------------------------
# One real kube-apiserver + etcd + controller-manager + scheduler and a simulated node for the
# whole session (about 10 s to start). Without the built binaries the tier is skipped with
# one line saying why; under CI (CI=true) a missing control plane is a failure, not a skip.


_BINARIES: list[tuple[object, str]] = []


def _real_binaries() -> tuple[object, str]:
    """Found (or, under CI, built) once per session."""
    from tests.realkube.controlplane import find_binaries

    if not _BINARIES:
        _BINARIES.append(find_binaries())
    return _BINARIES[0]


def pytest_report_header(config: pytest.Config) -> str:
    bin_dir, why = _real_binaries()
    if bin_dir is None:
        return f"real control plane tier: SKIPPED: {why}"
    return f"real control plane tier: Kubernetes 1.20.2 from {bin_dir}"


@pytest.fixture(scope="session")
def real() -> Iterator[RealCluster]:
    from tests.realkube.cluster import RealCluster

    bin_dir, why = _real_binaries()
    if bin_dir is None:
        if os.environ.get("CI"):
            pytest.fail(f"CI must run the real control plane tier: {why}")
        pytest.skip(why)
    assert isinstance(bin_dir, Path)
    cluster = RealCluster(bin_dir)
    try:
        cluster.start()
        yield cluster
    finally:
        cluster.stop()


@pytest.fixture(scope="session")
def serve_runtime(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """XDG_RUNTIME_DIR of the relays: the serve they start on first use lives there."""
    runtime = tmp_path_factory.mktemp("runtime")
    runtime.chmod(0o700)
    yield runtime
    for pid_file in runtime.glob("kubeclip-*/serve.sock.pid"):
        with contextlib.suppress(ProcessLookupError, ValueError):
            os.kill(int(pid_file.read_text()), signal.SIGTERM)
