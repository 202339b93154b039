"""`kubeclip serve` and the `kubeclip-opencode` relay on the real control plane: what one
process running every run must keep (output exact, nothing orphaned) when relays die,
serve itself is killed, and many runs share one watch. The drop-in's own behaviour is
tested in both modes in tests/test_real_dropin.py."""

from __future__ import annotations

import contextlib
import json
import os
import signal
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.procio import first_line
from tests.realkube.cluster import NAMESPACE, SA_USER, RealCluster
from tests.test_dropin import RUN_ARGS, TOKEN
from tests.test_real_dropin import Paperclip, in_mode
from tests.test_real_run import scenario

ROOT = Path(__file__).resolve().parent.parent


def numbered(lines: int, seconds: float) -> str:
    """An agent printing `lines` numbered JSON lines over `seconds`."""
    return scenario(f"""
        import json, sys, time
        for i in range({lines}):
            print(json.dumps({{"type": "text", "part": {{"text": f"line {{i}}"}}}}), flush=True)
            time.sleep({seconds / lines})
    """)


def expected(lines: int) -> bytes:
    return b"".join(
        json.dumps({"type": "text", "part": {"text": f"line {i}"}}).encode() + b"\n"
        for i in range(lines)
    )


@pytest.fixture
def runtime(tmp_path: Path) -> Iterator[Path]:
    """A runtime dir of this test alone: its own serve (killed afterwards)."""
    directory = tmp_path / "runtime"
    directory.mkdir(mode=0o700)
    yield directory
    for pid in _serve_pids(directory):
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGKILL)


def _serve_pids(runtime: Path) -> list[int]:
    return [int(p.read_text()) for p in runtime.glob("kubeclip-*/serve.sock.pid")]


def relay(real: RealCluster, tmp: Path, runtime: Path, run_id: str = "run-42") -> Paperclip:
    paperclip = in_mode(Paperclip(real, tmp), "relay", runtime)
    paperclip.env["PAPERCLIP_RUN_ID"] = run_id
    return paperclip


def start_relays(
    real: RealCluster, tmp: Path, runtime: Path, prefix: str, count: int, prompt: str
) -> list[tuple[Paperclip, subprocess.Popen[bytes]]]:
    """``count`` relays started at once, runs ``<prefix>-<i>``, each in its own directory."""
    runs = []
    for i in range(count):
        (tmp / f"{prefix}-{i}").mkdir()
        paperclip = relay(real, tmp / f"{prefix}-{i}", runtime, run_id=f"{prefix}-{i}")
        runs.append((paperclip, paperclip.start(*RUN_ARGS, prompt=prompt)))
    return runs


def kubeclip(runtime: Path, *args: str) -> subprocess.CompletedProcess[bytes]:
    env = {**os.environ, "PYTHONPATH": str(ROOT), "XDG_RUNTIME_DIR": str(runtime),
           "KUBECLIP_LOG_DIR": str(runtime / "logs")}  # fmt: skip
    return subprocess.run([sys.executable, "-m", "kubeclip", *args], capture_output=True,
                          env=env, timeout=60)  # fmt: skip


def _exe(pid: int) -> str:
    try:
        return os.readlink(f"/proc/{pid}/exe")
    except OSError:
        return ""


def wait_for(predicate: object, timeout: float = 60.0) -> None:
    assert callable(predicate)
    deadline = time.monotonic() + timeout
    while not predicate():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.1)


def active(runtime: Path) -> list[dict[str, object]]:
    proc = kubeclip(runtime, "ps", "-o", "json")
    return json.loads(proc.stdout) if proc.returncode == 0 else []


def test_ps_and_logs_show_a_live_run_and_its_archive(
    real: RealCluster, tmp_path: Path, runtime: Path
) -> None:
    paperclip = relay(real, tmp_path, runtime, run_id="run-ps-1")
    proc = paperclip.start(*RUN_ARGS, prompt=numbered(40, 4.0))
    wait_for(lambda: any(r["phase"] == "running" for r in active(runtime)))
    (row,) = active(runtime)
    assert row["run"] == "run-ps-1" and row["agent"] == paperclip.agent
    assert row["pod"] and row["node"] and row["attached"] is True
    table = kubeclip(runtime, "ps").stdout.decode().splitlines()
    assert table[0].split() == ["RUN", "AGENT", "TASK", "PHASE", "AGE", "POD", "NODE"]
    assert table[1].split()[:4] == ["run-ps-1", paperclip.agent, "ISS-7", "running"]
    follow = kubeclip(runtime, "logs", "run-ps", "-f")  # a unique prefix, to the end
    out, _ = proc.communicate(timeout=60)
    assert proc.returncode == 0 and out == expected(40)
    assert follow.returncode == 0 and follow.stdout == expected(40)
    # after the run, from serve's archive; and without serve, from the archive on disk
    assert kubeclip(runtime, "logs", "run-ps-1").stdout == expected(40)
    archive = kubeclip(runtime, "logs", "run-ps-1", "--log-dir", str(runtime / "logs"))
    assert archive.stdout == expected(40)
    assert real.leftovers(paperclip.agent) == {}


def test_a_relay_killed_mid_run_leaves_the_run_to_serve(
    real: RealCluster, tmp_path: Path, runtime: Path
) -> None:
    paperclip = relay(real, tmp_path, runtime, run_id="run-orphan-1")
    proc = paperclip.start(*RUN_ARGS, prompt=numbered(30, 3.0))
    wait_for(lambda: any(r["phase"] == "running" for r in active(runtime)))
    proc.kill()  # Paperclip gone without a word: the run is serve's, not the relay's
    proc.wait()
    wait_for(lambda: [r["phase"] for r in active(runtime)] == ["done"])
    assert kubeclip(runtime, "logs", "run-orphan-1").stdout == expected(30)
    assert real.leftovers(paperclip.agent) == {}


def test_serve_killed_mid_run_loses_and_doubles_nothing(
    real: RealCluster, tmp_path: Path, runtime: Path
) -> None:
    paperclip = relay(real, tmp_path, runtime, run_id="run-restart-1")
    proc = paperclip.start(*RUN_ARGS, prompt=numbered(60, 6.0))
    assert proc.stdout is not None
    first = first_line(proc)  # the agent is printing: serve is mid-run
    native = ROOT / "kubeclip" / "paperclip" / "kubeclip-relay"
    front = str(Path(sys.executable).parent / "kubeclip-opencode")  # the C start, installed
    if native.exists():  # Paperclip's process is the ~1 MiB relay once the run was sent
        assert _exe(proc.pid) in (str(native), front)
    (old,) = _serve_pids(runtime)
    os.kill(old, signal.SIGKILL)
    if native.exists():  # back to Python to reconnect, then native again (same pid)
        wait_for(lambda: _serve_pids(runtime) not in ([], [old]) and _exe(proc.pid) == str(native))
    rest, err = proc.communicate(timeout=120)
    assert proc.returncode == 0, err.decode()
    assert first + rest == expected(60)
    assert _serve_pids(runtime) != [old]  # the relay started a new one and reattached
    assert paperclip.result()["reason"] == "succeeded"
    assert real.leftovers(paperclip.agent) == {}


def test_serve_and_relay_killed_together_the_next_serve_adopts_the_run(
    real: RealCluster, tmp_path: Path, runtime: Path
) -> None:
    """No one holds the invocation any more (the relay died with serve): the next serve
    follows the Job from its journal to the end — the whole output archived, the objects
    cleaned up — without making anything again."""
    paperclip = relay(real, tmp_path, runtime, run_id="run-adopt-1")
    mark = real.audit_mark()
    proc = paperclip.start(*RUN_ARGS, prompt=numbered(60, 6.0))
    assert proc.stdout is not None
    first_line(proc)  # the agent is printing
    (old,) = _serve_pids(runtime)
    journal = next(runtime.glob("kubeclip-*/serve.sock.runs"))
    assert len(list(journal.glob("*.json"))) == 1
    entry = next(journal.glob("*.json")).read_text()
    assert TOKEN not in entry and '"Secret"' not in entry  # no credential is kept
    proc.kill()
    os.kill(old, signal.SIGKILL)
    proc.wait()
    env = {**os.environ, "PYTHONPATH": str(ROOT), "XDG_RUNTIME_DIR": str(runtime),
           "KUBECLIP_LOG_DIR": str(runtime / "logs")}  # fmt: skip
    socket = journal.parent / "serve.sock"
    log = (runtime / "next-serve.log").open("wb")
    subprocess.Popen([sys.executable, "-m", "kubeclip", "serve", "--socket", str(socket)],
                     env=env, stderr=log)  # fmt: skip
    wait_for(lambda: [r["phase"] for r in active(runtime)] == ["done"], timeout=120)
    assert b"adopting run run-adopt-1" in (runtime / "next-serve.log").read_bytes()
    assert kubeclip(runtime, "logs", "run-adopt-1").stdout == expected(60)
    assert list(journal.glob("*.json")) == []
    assert real.leftovers(paperclip.agent) == {}
    assert real.requests_since(mark)["create jobs"] == 1  # adopted, never made again


def test_concurrent_runs_share_one_pod_watch(
    real: RealCluster, tmp_path: Path, runtime: Path
) -> None:
    (tmp_path / "warm").mkdir()
    first = relay(real, tmp_path / "warm", runtime, run_id="run-warm")
    warm = first.run(*RUN_ARGS, prompt=numbered(2, 0.1))  # serve and its watch are up
    assert warm.returncode == 0, warm.stderr.decode()
    mark = real.audit_mark()
    runs = start_relays(real, tmp_path, runtime, "run-many", 4, numbered(10, 1.0))
    for paperclip, proc in runs:
        out, err = proc.communicate(timeout=120)
        assert proc.returncode == 0, err.decode()
        assert out == expected(10)
        assert real.leftovers(paperclip.agent) == {}
    requests = real.requests_since(mark)
    # no run opened a pod watch of its own; the shared one (opened before) stays open
    assert requests["watch pods"] == 0, requests
    # one log stream per run, counted per pod: the ServiceAccount is shared with every other
    # kubeclip process of the session, whose requests the audit log counts as well
    streams = Counter(
        (e.get("objectRef") or {}).get("name") for e in real.cp.audit_events(SA_USER)[mark:]
        if (e.get("objectRef") or {}).get("subresource") == "log"
    )  # fmt: skip
    ours = {p.result()["podName"] for p, _ in runs}
    assert {pod: streams[pod] for pod in ours} == dict.fromkeys(ours, 1), streams
    assert requests["create jobs"] == 4 and requests["delete jobs"] == 4, requests


def test_a_sidecar_serve_is_waited_for_and_never_started_by_the_relay(
    real: RealCluster, tmp_path: Path, runtime: Path
) -> None:
    socket_path = runtime / "sidecar" / "serve.sock"
    paperclip = relay(real, tmp_path, runtime, run_id="run-sidecar-1")
    paperclip.env["KUBECLIP_SERVE_SOCKET"] = str(socket_path)
    paperclip.env["KUBECLIP_SERVE_PATIENCE"] = "1"
    missing = paperclip.run(*RUN_ARGS, prompt=numbered(2, 0.1))
    assert missing.returncode == 3
    assert b"no kubeclip serve at" in missing.stderr
    assert json.loads(missing.stdout)["type"] == "error"
    assert not socket_path.exists() and _serve_pids(runtime) == []
    env = {**os.environ, "PYTHONPATH": str(ROOT), "KUBECLIP_LOG_DIR": str(runtime / "logs")}
    sidecar = subprocess.Popen(
        [sys.executable, "-m", "kubeclip", "serve", "--socket", str(socket_path)], env=env,
        stderr=subprocess.PIPE,
    )  # fmt: skip
    try:
        paperclip.env["KUBECLIP_SERVE_PATIENCE"] = "30"
        done = paperclip.run(*RUN_ARGS, prompt=numbered(5, 0.5))
        assert done.returncode == 0, done.stderr.decode()
        assert done.stdout == expected(5)
        assert real.leftovers(paperclip.agent) == {}
    finally:
        sidecar.terminate()
        sidecar.wait(timeout=30)


def test_runs_of_one_agent_queue_inside_serve_without_a_request(
    real: RealCluster, tmp_path: Path, runtime: Path
) -> None:
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    first = relay(real, tmp_path / "a", runtime, run_id="run-queue-1")
    second = relay(real, tmp_path / "b", runtime, run_id="run-queue-2")
    second.agent = first.agent
    second.env["PAPERCLIP_AGENT_ID"] = first.agent
    mark = real.audit_mark()
    one = first.start(*RUN_ARGS, prompt=numbered(20, 3.0))
    wait_for(lambda: any(r["phase"] == "running" for r in active(runtime)))
    two = second.start(*RUN_ARGS, prompt=numbered(5, 0.5))
    out_one, _ = one.communicate(timeout=120)
    out_two, err_two = two.communicate(timeout=120)
    assert one.returncode == 0 and two.returncode == 0, err_two.decode()
    assert out_one == expected(20) and out_two == expected(5)
    assert real.leftovers(first.agent) == {}
    time.sleep(1.0)  # the audit backend writes events asynchronously
    requests = real.requests_since(mark)
    # the second run waited in serve: no Job made and deleted again, no lock polled. (When
    # its turn comes the garbage collector may not have removed the first run's Secret, the
    # lock, yet: then it takes that stale lock over, one look at it, as any run would.)
    assert requests["create jobs"] == 2 and requests["delete jobs"] == 2, requests
    assert requests["get secrets"] <= 1 and requests["create secrets"] <= 3, requests
    assert requests["patch secrets"] == 2, requests  # each run's values wiped once


def test_a_run_waiting_for_another_process_is_woken_by_the_watch_not_a_poll(
    real: RealCluster, tmp_path: Path, runtime: Path
) -> None:
    """The agent's lock is held by a run outside serve (the in-process drop-in): the serve
    run waiting for it looks at the lock when the holder's pod changes, not every 2 s."""
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    holder = Paperclip(real, tmp_path / "a")  # in its own process, not serve's
    holder.env["PAPERCLIP_RUN_ID"] = "run-hold-1"
    waiter = relay(real, tmp_path / "b", runtime, run_id="run-wait-1")
    waiter.agent = holder.agent
    waiter.env["PAPERCLIP_AGENT_ID"] = holder.agent
    one = holder.start(*RUN_ARGS, prompt=numbered(80, 16.0))
    assert one.stdout is not None
    first = first_line(one)  # the holder's agent is running
    mark = real.audit_mark()
    two = waiter.start(*RUN_ARGS, prompt=numbered(5, 0.5))
    rest, _ = one.communicate(timeout=120)
    out_two, err_two = two.communicate(timeout=120)
    assert one.returncode == 0 and two.returncode == 0, err_two.decode()
    assert first + rest == expected(80) and out_two == expected(5)
    assert real.leftovers(holder.agent) == {}
    time.sleep(1.0)  # the audit backend writes events asynchronously
    requests = real.requests_since(mark)
    # one look when it finds the lock busy, one per change of the holder's pod (its end,
    # its deletion), one to take the lock over: 4-5. Polling every 2 s read it 13 times.
    assert 1 <= requests["get secrets"] <= 6, requests


def test_runs_whose_pods_cannot_be_made_share_one_job_events_watch(
    real: RealCluster, tmp_path: Path, runtime: Path
) -> None:
    """A pod the Job controller cannot make is only explained in the Job's events. Under
    serve every run reads them from one shared watch: in a burst, where the last pods take
    seconds to appear, each run past 4 s without a pod used to open a watch of its own
    (61 of 100) and leave it open until the server's timeout. A ResourceQuota of zero pods
    makes that moment certain here: each run ends ``create_failed`` with the quota's words."""
    (tmp_path / "warm").mkdir()
    warm = relay(real, tmp_path / "warm", runtime, run_id="run-warm-events")
    done = warm.run(*RUN_ARGS, prompt=numbered(2, 0.1))  # serve and its watches are up
    assert done.returncode == 0, done.stderr.decode()
    opened = real.open_watches("Event")
    quota_path = f"/api/v1/namespaces/{NAMESPACE}/resourcequotas"
    quota = {"apiVersion": "v1", "kind": "ResourceQuota", "metadata": {"name": "no-pods"},
             "spec": {"hard": {"pods": "0"}}}  # fmt: skip
    real.api.post(quota_path, quota)
    try:  # the quota controller has counted: admission refuses from its cache, not a lookup
        wait_for(lambda: "pods" in (real.api.get(f"{quota_path}/no-pods").get("status") or {})
                 .get("used", {}))  # fmt: skip
        runs = start_relays(real, tmp_path, runtime, "run-quota", 3, numbered(2, 0.1))
        for paperclip, proc in runs:
            _, err = proc.communicate(timeout=120)
            result = paperclip.result()
            assert result["reason"] == "create_failed", (result, err.decode())
            assert "exceeded quota: no-pods" in result["errorMessage"], result
            assert real.leftovers(paperclip.agent) == {}
        # none of the runs opened a watch of its own (each used to stay open after its run)
        assert real.open_watches("Event") == opened
    finally:
        real.api.delete(f"{quota_path}/no-pods")
