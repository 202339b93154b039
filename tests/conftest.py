"""Shared fixtures. ``emu``: a fresh Kubernetes API emulator (tests/emulator) with the
"paperclip" namespace, served over HTTP on 127.0.0.1 and stopped after the test."""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import subprocess
import sys
import time
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
# One real kube-apiserver + etcd + controller-manager + scheduler and a real node (kubelet,
# containerd, runc) for the whole session (about 25 s to start). Without the built binaries
# the tier is skipped with one line saying why; under CI (CI=true) a missing control plane
# is a failure, not a skip.


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


def _fetched(script: str, what: str) -> Path:
    """What one of the project's fetch scripts installed (its last stdout line). Under CI a
    script that fails is a failure, never a skip."""
    root = Path(__file__).resolve().parent.parent
    proc = subprocess.run([str(root / "scripts" / script)], capture_output=True, text=True)
    if proc.returncode != 0:
        why = (proc.stderr.strip().splitlines() or ["no output"])[-1]
        if os.environ.get("CI"):
            pytest.fail(f"CI must run the tests that need {what}: {why}")
        pytest.skip(f"{what} is not installable here: {why}")
    return Path(proc.stdout.strip().splitlines()[-1])


@pytest.fixture(scope="session")
def paperclip_modules() -> Path:
    """Paperclip's published adapter packages and Node 24 (scripts/get-paperclip.sh)."""
    return _fetched("get-paperclip.sh", "Paperclip's published packages")


@pytest.fixture(scope="session")
def opencode_binary() -> Path:
    """The real OpenCode, pinned, from npm (scripts/get-opencode.sh, cached)."""
    return _fetched("get-opencode.sh", "the real OpenCode")


@pytest.fixture(scope="session")
def claude_binary() -> Path:
    """The real Claude Code, pinned, from npm (scripts/get-claude.sh, cached)."""
    return _fetched("get-claude.sh", "the real Claude Code")


@pytest.fixture(scope="session")
def codex_binary() -> Path:
    """The real Codex, pinned, from npm (scripts/get-codex.sh, cached)."""
    return _fetched("get-codex.sh", "the real Codex")


@pytest.fixture(scope="session")
def adapter_package(paperclip_modules: Path) -> Path:
    """adapters/paperclip built (npm ci, tsc) with Node 24: its dist/index.js."""
    package = Path(__file__).resolve().parent.parent / "adapters" / "paperclip"
    node = str(paperclip_modules / ".bin" / "node")
    npm = shutil.which("npm")
    if npm is None:
        if os.environ.get("CI"):
            pytest.fail("CI must build the Paperclip adapter package: no npm")
        pytest.skip("no npm to build the Paperclip adapter package")
    # npm ci rejects this lock (bundled esbuild platform packages of adapter-utils): npm
    # install follows the committed lock all the same
    for argv in ([npm, "install", "--no-audit", "--no-fund", "--loglevel=error"],
                 [node, "scripts/gen-config-schema.mjs"],
                 [node, "node_modules/typescript/bin/tsc", "-p", "tsconfig.json"]):  # fmt: skip
        proc = subprocess.run(argv, cwd=package, capture_output=True, text=True, timeout=600)
        assert proc.returncode == 0, f"{' '.join(argv)}:\n{proc.stdout}{proc.stderr}"
    return package / "dist" / "index.js"


@pytest.fixture(scope="session")
def sidecar_serve(serve_runtime: Path, real: RealCluster) -> Iterator[Path]:
    """A `kubeclip serve` on its own socket, as the chart's sidecar runs (for the adapter).
    Outside a pod it reads the Paperclip workload from KUBECLIP_POD_FILE (for its checks)."""
    root = Path(__file__).resolve().parent.parent
    socket = serve_runtime / "sidecar" / "serve.sock"
    pod = real.paperclip_deployment(serve_runtime / "paperclip.yaml")
    env = {**os.environ, "PYTHONPATH": str(root), "KUBECLIP_LOG_DIR": str(serve_runtime / "logs"),
           "KUBECLIP_POD_FILE": str(pod)}  # fmt: skip
    proc = subprocess.Popen(
        [sys.executable, "-m", "kubeclip", "serve", "--socket", str(socket)], env=env,
        stderr=open(serve_runtime / "sidecar.log", "ab"),  # noqa: SIM115 - the child owns it
    )  # fmt: skip
    for _ in range(200):
        if socket.exists():
            break
        time.sleep(0.05)
    yield socket
    proc.terminate()
    proc.wait(timeout=30)


# --- the relays (tests/test_relay_*.py) -----------------------------------------------
NATIVE_RELAY = Path(__file__).resolve().parent.parent / "kubeclip" / "paperclip" / "kubeclip-relay"


@pytest.fixture(params=["front", "native", "python"])
def mode(request: pytest.FixtureRequest) -> str:
    """How Paperclip's kubeclip-opencode runs: the C start (as pip installs it where a C
    compiler is found), the Python relay that execs the C pump, or Python throughout."""
    if request.param != "python" and not NATIVE_RELAY.exists():
        if os.environ.get("CI"):
            pytest.fail(f"{NATIVE_RELAY} was not built")
        pytest.skip("kubeclip-relay was not built here")
    return str(request.param)


@pytest.fixture
def workdir(tmp_path: Path) -> Iterator[Path]:
    yield tmp_path
