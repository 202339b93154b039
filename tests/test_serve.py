"""`kubeclip serve` as a process, without a cluster: it owns its socket alone, leaves
cleanly on SIGTERM, and the client commands say clearly when no serve runs. Runs through
serve are tested on the real control plane (tests/test_real_serve.py)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from types import SimpleNamespace

import pytest

ROOT = Path(__file__).resolve().parent.parent


def serve(socket: Path) -> subprocess.Popen[bytes]:
    env = {**os.environ, "PYTHONPATH": str(ROOT), "KUBECLIP_LOG_DIR": str(socket.parent / "logs")}
    proc = subprocess.Popen([sys.executable, "-m", "kubeclip", "serve", "--socket", str(socket)],
                            env=env, stderr=subprocess.PIPE)  # fmt: skip
    deadline = time.monotonic() + 30
    while not socket.exists():
        assert proc.poll() is None, proc.stderr.read() if proc.stderr else b""
        assert time.monotonic() < deadline
        time.sleep(0.05)
    return proc


def test_serve_owns_its_socket_alone_and_leaves_cleanly_on_sigterm(tmp_path: Path) -> None:
    socket = tmp_path / "run" / "serve.sock"
    first = serve(socket)
    assert (socket.parent / "serve.sock.pid").read_text().strip() == str(first.pid)
    assert oct(socket.stat().st_mode & 0o777) == "0o600"  # this user's alone
    second = subprocess.run(
        [sys.executable, "-m", "kubeclip", "serve", "--socket", str(socket)],
        capture_output=True, text=True, timeout=30, env={**os.environ, "PYTHONPATH": str(ROOT)},
    )  # fmt: skip
    assert second.returncode == 0 and "another serve owns" in second.stderr
    first.send_signal(signal.SIGTERM)
    assert first.wait(timeout=30) == 0
    assert not socket.exists() and not (socket.parent / "serve.sock.pid").exists()


@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGTERM])
def test_serve_leaves_nothing_behind_and_no_traceback(tmp_path: Path, sig: signal.Signals) -> None:
    """Issue #22 (12): Ctrl-C printed a KeyboardInterrupt traceback, and every serve left its
    serve.sock.lock behind."""
    socket = tmp_path / "run" / "serve.sock"
    proc = serve(socket)
    proc.send_signal(sig)
    assert proc.wait(timeout=30) == 0
    assert proc.stderr is not None and b"Traceback" not in proc.stderr.read()
    assert os.listdir(socket.parent) == ["logs"]  # the archives (KUBECLIP_LOG_DIR), kept
    again = serve(socket)  # and the next serve takes the path as usual
    again.send_signal(signal.SIGTERM)
    assert again.wait(timeout=30) == 0


def test_serve_never_replaces_a_file_that_is_not_its_socket(tmp_path: Path) -> None:
    """Issue #22 (1): a regular file at --socket was deleted and replaced by the socket."""
    mine = tmp_path / "notes.txt"
    mine.write_text("a user's own file\n")
    proc = subprocess.run(
        [sys.executable, "-m", "kubeclip", "serve", "--socket", str(mine), "--idle-exit", "1"],
        capture_output=True, text=True, timeout=30, env={**os.environ, "PYTHONPATH": str(ROOT)},
    )  # fmt: skip
    assert proc.returncode == 2, proc.stderr
    assert "exists and is not a socket" in proc.stderr and "Traceback" not in proc.stderr
    assert mine.read_text() == "a user's own file\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["notes.txt"]  # nothing else made


def test_ps_and_logs_without_serve_say_so(tmp_path: Path) -> None:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    socket = str(tmp_path / "none.sock")
    ps = subprocess.run([sys.executable, "-m", "kubeclip", "ps", "--socket", socket],
                        capture_output=True, text=True, timeout=30, env=env)  # fmt: skip
    assert ps.returncode == 2 and f"no kubeclip serve at {socket}" in ps.stderr
    assert f"start one with `kubeclip serve --socket {socket}`" in ps.stderr
    logs = subprocess.run(
        [sys.executable, "-m", "kubeclip", "logs", "run-1", "--log-dir", str(tmp_path)],
        capture_output=True, text=True, timeout=30, env=env,
    )  # fmt: skip
    assert logs.returncode == 2 and "no archive of run run-1" in logs.stderr


def test_logs_finds_an_archive_by_a_unique_prefix_and_says_when_it_is_not(
    tmp_path: Path,
) -> None:
    """Issue #22 (12): `logs PREFIX --log-dir DIR` wanted the whole run id, though the docs
    promise a unique prefix; the binary archive was named .log, as if it were text."""
    from kubeclip.serve.session import archive_name

    logs = tmp_path / "logs"
    logs.mkdir()
    assert archive_name("8f1c-4e2a") == "8f1c-4e2a.kubeclip-output"
    framed = b"O\x00\x00\x00\x03out" b"E\x00\x00\x00\x03err"  # (kind, length, bytes)
    (logs / "8f1c-4e2a.kubeclip-output").write_bytes(framed)
    (logs / "8f2d-0000.log").write_bytes(b"O\x00\x00\x00\x03old")  # an older serve's name
    env = {**os.environ, "PYTHONPATH": str(ROOT)}

    def logs_of(run: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run([sys.executable, "-m", "kubeclip", "logs", run, "--log-dir",
                               str(logs)], capture_output=True, text=True, env=env)  # fmt: skip

    found = logs_of("8f1")
    assert (found.returncode, found.stdout, found.stderr) == (0, "out", "err")
    assert logs_of("8f2d-0000").stdout == "old"
    both = logs_of("8f")
    assert both.returncode == 2 and "is the start of 2 runs' ids" in both.stderr
    assert "8f1c-4e2a, 8f2d-0000" in both.stderr


def test_serve_prunes_old_run_archives_when_it_starts(tmp_path: Path) -> None:
    logs = tmp_path / "run" / "logs"
    logs.mkdir(parents=True)
    old, fresh, other = logs / "run-old.log", logs / "run-new.log", logs / "notes.txt"
    for path in (old, fresh, other):
        path.write_bytes(b"O\x00\x00\x00\x01x")
    ten_days_ago = time.time() - 10 * 86400
    os.utime(old, (ten_days_ago, ten_days_ago))
    os.utime(other, (ten_days_ago, ten_days_ago))
    proc = serve(tmp_path / "run" / "serve.sock")  # archives in run/logs, kept 7 days
    proc.send_signal(signal.SIGTERM)
    assert proc.wait(timeout=30) == 0
    assert not old.exists() and fresh.exists() and other.exists()


def test_the_run_journal_keeps_good_entries_and_drops_what_it_cannot_read(
    tmp_path: Path,
) -> None:
    """What the next serve adopts: written atomically, read back; a half-written or corrupt
    entry is dropped, never a reason for serve not to start."""
    from kubeclip.serve.adopt import Journal

    journal = Journal(str(tmp_path / "serve.sock.runs"))
    job = {"metadata": {"name": "kc-a-run-1"}}
    journal.write("run-1/abc", {"runId": "run-1", "job": job})
    journal.write("run-2/def", {"runId": "run-2", "job": job})
    (tmp_path / "serve.sock.runs" / "zz.json").write_text("{not json")
    (tmp_path / "serve.sock.runs" / "x.json.123.tmp").write_text("{")
    assert oct((tmp_path / "serve.sock.runs").stat().st_mode & 0o777) == "0o700"
    entries = journal.entries()
    assert sorted(e["key"] for e in entries) == ["run-1/abc", "run-2/def"]
    left = list((tmp_path / "serve.sock.runs").iterdir())
    assert len(left) == 2 and all(p.suffix == ".json" and p.name != "zz.json" for p in left)
    journal.remove("run-1/abc")
    journal.remove("run-1/abc")  # twice: nothing to remove is fine
    assert [e["key"] for e in journal.entries()] == ["run-2/def"]


def test_a_kubeconfig_rewritten_in_place_is_read_again(tmp_path: Path) -> None:
    """Issue #22 (6): serve kept one connection per kubeconfig *path*, so a rotated or
    re-pointed kubeconfig was never read again while serve lived (the sidecar never exits)."""
    import yaml

    from kubeclip.serve.server import Serve

    def kubeconfig(port: int, token: str) -> None:
        path.write_text(yaml.safe_dump({
            "apiVersion": "v1", "kind": "Config", "current-context": "c",
            "clusters": [{"name": "c", "cluster": {"server": f"https://127.0.0.1:{port}"}}],
            "contexts": [{"name": "c", "context": {"cluster": "c", "user": "u"}}],
            "users": [{"name": "u", "user": {"token": token}}]}))  # fmt: skip

    path = tmp_path / "kubeconfig"
    serve = Serve(str(tmp_path / "serve.sock"), str(tmp_path / "logs"))
    kubeconfig(6443, "first-token")
    first = serve.engine.connect(str(path), None)
    assert serve.engine.connect(str(path), None) is first  # unchanged: the same pool
    kubeconfig(7443, "rotated-token")  # the same path, rewritten
    second = serve.engine.connect(str(path), None)
    assert second is not first and second.server == "https://127.0.0.1:7443"
    assert second.api_client.configuration.api_key["BearerToken"] == "Bearer rotated-token"
    assert len(serve.engine.connections) == 1


def test_an_expiring_credential_is_renewed_but_not_before_every_request(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Issue #25: the kubernetes client applies the whole kubeconfig again before every
    request (running an exec plugin whose token is near its expiry each time, and reading
    every proxy variable): a tenth of serve's CPU in a burst of 100 runs. A rotated token
    must still arrive: the plugin runs again once a second, and its new token is used."""
    import yaml

    from kubeclip.cluster import kube

    plugin, count = tmp_path / "plugin.py", tmp_path / "count"
    plugin.write_text(
        "import json, pathlib\n"
        f"p = pathlib.Path({str(count)!r})\n"
        "n = int(p.read_text()) + 1 if p.exists() else 1\n"
        "p.write_text(str(n))\n"
        "print(json.dumps({'apiVersion': 'client.authentication.k8s.io/v1beta1',\n"
        "  'kind': 'ExecCredential', 'status': {'token': f'token-{n}',\n"
        "  'expirationTimestamp': '2000-01-01T00:00:00Z'}}))\n"  # always near its expiry
    )
    path = tmp_path / "kubeconfig"
    path.write_text(yaml.safe_dump({
        "apiVersion": "v1", "kind": "Config", "current-context": "c",
        "clusters": [{"name": "c", "cluster": {"server": "https://127.0.0.1:1"}}],
        "contexts": [{"name": "c", "context": {"cluster": "c", "user": "u"}}],
        "users": [{"name": "u", "user": {"exec": {
            "apiVersion": "client.authentication.k8s.io/v1beta1", "command": sys.executable,
            "args": [str(plugin)], "interactiveMode": "Never"}}}]}))  # fmt: skip
    configuration = kube.connect(str(path)).api_client.configuration
    runs_at_connect = int(count.read_text())
    clock = [1000.0]
    monkeypatch.setattr(time, "monotonic", lambda: clock[0])
    tokens = {configuration.get_api_key_with_prefix("BearerToken") for _ in range(50)}
    assert int(count.read_text()) == runs_at_connect + 1  # 50 requests: one renewal
    assert tokens == {f"Bearer token-{runs_at_connect + 1}"}
    clock[0] += kube.REFRESH_EVERY
    renewed = configuration.get_api_key_with_prefix("BearerToken")
    assert renewed == f"Bearer token-{runs_at_connect + 2}"  # a second on: renewed again


def test_ps_answers_while_serve_makes_its_first_connection(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Issue #25: serve made its first connection (importing the kubernetes client, ~0.4 s
    of CPU, reading the kubeconfig) under the lock of its run table: every other relay of a
    burst, and `kubeclip ps`, waited for it."""
    import threading

    from kubeclip.cluster import kube
    from kubeclip.serve import server

    released = threading.Event()
    pool = SimpleNamespace(connection_pool_kw={})
    made = SimpleNamespace(api_client=SimpleNamespace(rest_client=SimpleNamespace(
        pool_manager=pool)))  # fmt: skip
    monkeypatch.setattr(kube, "connect", lambda *_: released.wait(30) and made)
    serve = server.Serve(str(tmp_path / "serve.sock"), str(tmp_path / "logs"))
    first = threading.Thread(target=serve.engine.connect, args=(None, None), daemon=True)
    first.start()
    time.sleep(0.2)  # the first connection is being made
    table = threading.Thread(target=serve._table, daemon=True)
    table.start()
    table.join(timeout=5)
    released.set()
    first.join(timeout=5)
    assert not table.is_alive(), "kubeclip ps waited for serve's first connection"
    assert serve.engine.connections and pool.connection_pool_kw["maxsize"] == 512


def test_the_serve_a_relay_starts_archives_where_the_relay_was_told(tmp_path: Path) -> None:
    """Issue #22 (12): KUBECLIP_LOG_DIR set for kubeclip-opencode must reach the serve it
    starts on first use (which keeps none of the run's other variables)."""
    runtime, logs = tmp_path / "runtime", tmp_path / "archives"
    runtime.mkdir(mode=0o700)
    env = {k: v for k, v in os.environ.items() if not k.startswith(("KUBECLIP_", "PAPERCLIP_"))}
    env.update({"PYTHONPATH": str(ROOT), "XDG_RUNTIME_DIR": str(runtime),
                "KUBECLIP_LOG_DIR": str(logs), "PAPERCLIP_RUN_ID": "run-logdir",
                "PAPERCLIP_AGENT_ID": "a", "PAPERCLIP_COMPANY_ID": "c",
                "KUBECLIP_CONFIG": str(ROOT / "examples/agent-config.yaml"),
                "KUBECLIP_POD_FILE": str(ROOT / "examples/paperclip-deployment.yaml"),
                "KUBECLIP_KUBECONFIG": str(tmp_path / "no-such-kubeconfig")})  # fmt: skip
    relay = subprocess.run(
        [sys.executable, "-m", "kubeclip.paperclip.relay", "run", "--format", "json"],
        input=b"hello", capture_output=True, env=env, timeout=120,
    )  # fmt: skip
    assert relay.returncode == 2  # the kubeconfig is missing: refused, after serve started
    directory = runtime / f"kubeclip-{os.getuid()}"
    try:
        assert f"archives in {logs}" in (directory / "serve.log").read_text()
    finally:
        os.kill(int((directory / "serve.sock.pid").read_text()), signal.SIGTERM)


def test_a_logs_reader_that_stops_reading_never_stalls_the_run(tmp_path: Path) -> None:
    """Issue #23: `kubeclip logs -f` was written to under the run's lock, with a blocking
    send: a reader who stopped reading (a paused terminal, a pager) stalled the run's output
    for its relay, and so Paperclip's view of the agent."""
    import socket as sockets
    import threading

    from kubeclip.paperclip import protocol
    from kubeclip.serve.session import WATCHER_BACKLOG, Session

    archive = tmp_path / "run-1.kubeclip-output"
    session = Session("run-1", {"env": {}}, str(archive))
    reader, serve_end = sockets.socketpair()
    session.output(protocol.STDOUT, b"before the reader came\n")
    watcher = session.watch(serve_end, follow=True)
    chunk = b"x" * 65536
    rounds = 2 * WATCHER_BACKLOG // len(chunk)

    def the_run() -> None:
        for _ in range(rounds):
            session.output(protocol.STDOUT, chunk)

    run = threading.Thread(target=the_run, daemon=True)
    run.start()
    run.join(timeout=60)
    assert not run.is_alive(), "the run's output stalled behind a reader who does not read"
    session.finish(0, None, None)
    assert archive.stat().st_size > rounds * len(chunk)  # the archive has all of it
    received = bytearray()
    reader.settimeout(10)
    while protocol.frame(protocol.EXIT, b"1") not in received[-64:]:  # what serve sends last
        received += reader.recv(1 << 20)
    assert received.startswith(protocol.frame(protocol.STDOUT, b"before the reader came\n"))
    assert b"this reader fell behind the run and was let go" in received
    assert watcher is not None and watcher.done.wait(10)


def test_a_finished_run_keeps_its_row_and_result_and_lets_go_of_the_rest(tmp_path: Path) -> None:
    """Issue #25: serve lives for weeks; each finished run held its runner (plan, readers,
    the pod as last seen) and its invocation for 10 minutes. It keeps its `ps` row and its
    result, and serve keeps a bounded number of finished runs and bytes, newest first."""
    import gc
    import weakref
    from types import SimpleNamespace

    from kubeclip.errors import Reason
    from kubeclip.run.result import RunResult
    from kubeclip.serve import server
    from kubeclip.serve.session import Session

    class Runner:  # what `kubeclip ps` reads of a live run
        spec = SimpleNamespace(job_name="kc-agent-1-run-1-abc")
        readers = SimpleNamespace(last_pod={"metadata": {"name": "kc-pod"},
                                            "spec": {"nodeName": "node-a"}})  # fmt: skip
        state = SimpleNamespace(stage="running")

    serve = server.Serve(str(tmp_path / "serve.sock"), str(tmp_path / "logs"))
    (tmp_path / "logs").mkdir()
    env = {"PAPERCLIP_AGENT_ID": "agent-1", "PAPERCLIP_TASK_ID": "task-1"}
    session = Session("run-1", {"env": env, "prompt": "p" * 100_000}, str(tmp_path / "logs/a"))
    runner = Runner()
    session.handle.bind(runner, {})  # type: ignore[arg-type]  # what `ps` reads of a runner
    gone = weakref.ref(runner)
    del runner
    assert session.row()["phase"] == "running"
    session.handle.finish(RunResult(Reason.SUCCEEDED, "the agent exited with code 0"))
    session.finish(0, None, b'{"reason": "succeeded"}')
    gc.collect()
    assert gone() is None and session.invocation == {}
    row = session.row()
    assert (row["phase"], row["job"], row["pod"], row["node"], row["agent"], row["task"]) == (
        "done", "kc-agent-1-run-1-abc", "kc-pod", "node-a", "agent-1", "task-1")  # fmt: skip
    assert session.kept_bytes() < 4096

    def finished(count: int, result: bytes) -> None:
        serve.sessions.clear()
        for i in range(count):
            s = Session(f"run-{i}", {"env": {}}, str(tmp_path / "logs" / f"r{i}"))
            s.finish(0, None, result)
            s.ended = time.time() - (count - i) / 100  # run-{count-1} is the newest
            serve.sessions[s.key] = s
        serve._forget_old()

    finished(server.FINISHED_MAX + 20, b"{}")
    assert len(serve.sessions) == server.FINISHED_MAX
    assert f"run-{server.FINISHED_MAX + 19}" in serve.sessions and "run-0" not in serve.sessions
    big = b'"' + b"x" * 130_000 + b'"'  # a result at its largest (summary and errors full)
    finished(300, big)
    assert sum(s.kept_bytes() for s in serve.sessions.values()) <= server.FINISHED_BYTES
    assert "run-299" in serve.sessions and len(serve.sessions) >= 100


def test_the_shared_pod_watch_keeps_a_bounded_memory_of_jobs_over_thousands_of_runs() -> None:
    """Issue #25: serve counted the pod changes of every Job it ever saw (for runs waiting
    for a turn), one entry per run for the life of the process. After thousands of runs
    the shared watch holds what it held after the first thousand, and a recent Job's
    change still wakes a waiting run."""
    import tracemalloc

    from kubeclip.run.watches import JOB_CHANGES_KEPT, NamespaceWatches

    watches = NamespaceWatches(None, "paperclip")  # type: ignore[arg-type]  # no API: fed by hand

    def runs(first: int, last: int) -> None:
        for i in range(first, last):
            labels = {"batch.kubernetes.io/job-name": f"kc-agent-{i}"}
            pod = {"metadata": {"uid": f"u{i}", "name": f"kc-agent-{i}-x", "labels": labels}}
            for kind in ("ADDED", "MODIFIED", "DELETED"):
                watches._pod_event(kind, pod)

    tracemalloc.start()
    runs(0, 2 * JOB_CHANGES_KEPT)
    before = tracemalloc.take_snapshot()
    runs(2 * JOB_CHANGES_KEPT, 6 * JOB_CHANGES_KEPT)
    grown = sum(s.size_diff for s in tracemalloc.take_snapshot().compare_to(before, "filename"))
    tracemalloc.stop()
    assert grown < 64 * 1024, f"{grown} bytes more after {4 * JOB_CHANGES_KEPT} runs"
    assert len(watches.job_changes) <= JOB_CHANGES_KEPT and not watches.pods
    recent = f"kc-agent-{6 * JOB_CHANGES_KEPT - 1}"
    seen = dict(watches.job_changes)  # what changes_seen() answers, without starting a watch
    watches._pod_event("ADDED", {"metadata": {"uid": "again", "labels": {
        "batch.kubernetes.io/job-name": recent}}})  # fmt: skip
    assert watches.wait_change([recent], seen, timeout=1.0)
