"""``kubeclip-opencode`` against a scripted ``serve`` (no cluster): what Paperclip sees of
the relay, started in C (``front.c``, as pip installs it where a C compiler is found), started
in Python then become the native ``kubeclip-relay``, and kept in Python throughout.

The scripted serve speaks the wire protocol (kubeclip/paperclip/protocol.py) and can drop the
connection mid-run, as a restarting serve does. Runs through a real serve and cluster are
in tests/test_real_serve.py and tests/test_real_dropin.py; those use the native relay where
it was built, so this file is also where the Python relay keeps its coverage.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kubeclip.paperclip import invocation, protocol
from tests.procio import first_line

ROOT = Path(__file__).resolve().parent.parent
NATIVE = ROOT / "kubeclip" / "paperclip" / "kubeclip-relay"
RELAY = [sys.executable, "-c", "import sys; from kubeclip.paperclip.relay import main; "
         "sys.exit(main())"]  # fmt: skip


def test_the_native_relay_is_built_where_ci_runs() -> None:
    """CI has a C compiler: a missing kubeclip-relay there is a broken build, not a skip."""
    if not os.environ.get("CI") and not NATIVE.exists():
        pytest.skip("kubeclip-relay was not built here (no C compiler at install time)")
    assert os.access(NATIVE, os.X_OK), f"{NATIVE} missing: pip install -e . builds it"


Script = Callable[[socket.socket, dict[str, object], int], None]


class ScriptedServe:
    """Accepts relays on a Unix socket; each connection's run request is recorded and
    answered by ``script(conn, request, connection_number)``."""

    def __init__(self, path: Path, script: Script) -> None:
        self.path, self.script = path, script
        self.requests: list[dict[str, object]] = []
        self.cancels: list[tuple[int, bytes]] = []  # (connection number, signal)
        self.errors: list[BaseException] = []
        self.accepted = threading.Event()
        self.listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.listener.bind(str(path))
        self.listener.listen(8)
        self.thread = threading.Thread(target=self._accept, daemon=True)
        self.thread.start()

    def _accept(self) -> None:
        n = 0
        while True:
            try:
                conn, _ = self.listener.accept()
            except OSError:
                return
            self.accepted.set()
            reader = protocol.FrameReader(conn)
            got = reader.read()
            assert got is not None and got[0] in (protocol.RUN, protocol.GATHERED)
            request = as_request(*got)
            self.requests.append(request)
            threading.Thread(target=self._cancels, args=(reader, n), daemon=True).start()
            try:
                self.script(conn, request, n)
            except BaseException as e:  # seen by the test, not lost in this thread
                self.errors.append(e)
                hangup(conn)
            n += 1

    def _cancels(self, reader: protocol.FrameReader, n: int) -> None:
        try:
            while (got := reader.read()) is not None:
                if got[0] == protocol.CANCEL:
                    self.cancels.append((n, got[1]))
        except OSError:
            pass

    def close(self) -> None:
        self.listener.close()
        assert not self.errors, self.errors


def as_request(kind: bytes, payload: bytes) -> dict[str, object]:
    """A run frame as serve reads it: the relay's JSON, or the C start's raw record."""
    if kind == protocol.RUN:
        request: dict[str, object] = json.loads(payload)
        return request
    return {"invocation": invocation.from_raw(payload), "reconnect": False,
            "offsets": {"stdout": 0, "stderr": 0}}  # fmt: skip


def hangup(conn: socket.socket) -> None:
    """Close for the relay too (a thread of ours may still be reading the socket)."""
    try:
        conn.shutdown(socket.SHUT_RDWR)
    except OSError:
        pass
    conn.close()


def send(conn: socket.socket, kind: bytes, payload: bytes) -> None:
    conn.sendall(protocol.frame(kind, payload))


def start_relay(tmp: Path, mode: str, **extra: str) -> subprocess.Popen[bytes]:
    env = {
        "PATH": os.environ.get("PATH", ""),
        "PYTHONPATH": str(ROOT),
        "KUBECLIP_SERVE_SOCKET": str(tmp / "serve.sock"),
        "KUBECLIP_SERVE_PATIENCE": "10",
        "KUBECLIP_RESULT_FILE": str(tmp / "result.json"),
        "KUBECLIP_PROGRESS": str(tmp / "progress.log"),
        "KUBECLIP_RELAY_NATIVE": "off" if mode == "python" else "on",
        **extra,
    }
    command = [str(installed_front(tmp))] if mode == "front" else RELAY
    proc = subprocess.Popen([*command, "run", "--format", "json"], env=env, cwd=tmp,
                            stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE)  # fmt: skip
    assert proc.stdin is not None
    proc.stdin.write(b"the prompt")
    proc.stdin.close()
    proc.stdin = None  # sent: communicate() must not flush it again
    return proc


def installed_front(tmp: Path) -> Path:
    """What pip installs where a C compiler is found: kubeclip-relay as kubeclip-opencode,
    the Python relay beside it as kubeclip-opencode-python (bin/kubeclip-opencode)."""
    scripts = tmp / "bin"
    if not scripts.exists():
        scripts.mkdir()
        shutil.copy2(NATIVE, scripts / "kubeclip-opencode")
        source = (ROOT / "bin" / "kubeclip-opencode").read_text().split("\n", 1)[1]
        python = scripts / "kubeclip-opencode-python"
        python.write_text(f"#!{sys.executable}\n{source}")
        python.chmod(0o755)
    return scripts / "kubeclip-opencode"


def exe_of(pid: int) -> str:
    try:
        return os.readlink(f"/proc/{pid}/exe")
    except OSError:
        return ""


def rss_kib(pid: int) -> int:
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return 0


# Output no text decoder would pass through unchanged: invalid UTF-8, NULs, no final newline.
CHUNKS = [b'{"type":"step_start"}\n', b"\xff\xfe\x00binary\r\n", b"x" * 300_000, b"tail"]


def test_output_result_progress_and_exit_code_arrive_exactly(workdir: Path, mode: str) -> None:
    seen: dict[str, object] = {}

    def script(conn: socket.socket, request: dict[str, object], n: int) -> None:
        for i, chunk in enumerate(CHUNKS):
            send(conn, protocol.STDOUT, chunk)
            send(conn, protocol.STDERR, b"err%d\n" % i)
        send(conn, protocol.PROGRESS, b"kubeclip: pod running")
        send(conn, protocol.RESULT, b'{"exitCode": 7}')
        time.sleep(0.3)  # the relay is in its steady state now
        seen["exe"] = exe_of(proc.pid)
        seen["rss"] = rss_kib(proc.pid)
        send(conn, protocol.EXIT, b"7")
        hangup(conn)

    serve = ScriptedServe(workdir / "serve.sock", script)
    proc = start_relay(workdir, mode)
    out, err = proc.communicate(timeout=60)
    serve.close()
    assert proc.returncode == 7, err
    assert out == b"".join(CHUNKS)
    assert err == b"".join(b"err%d\n" % i for i in range(len(CHUNKS)))
    assert (workdir / "result.json").read_bytes() == b'{"exitCode": 7}\n'
    assert (workdir / "progress.log").read_bytes() == b"kubeclip: pod running\n"
    invocation = serve.requests[0]["invocation"]
    assert isinstance(invocation, dict) and invocation["prompt"] == "the prompt"
    if mode != "python":
        # Paperclip's process is now ~1 MiB of C, not ~8.5 MiB of CPython, for the whole run
        assert seen["exe"] == str(NATIVE if mode == "native" else installed_front(workdir))
        assert isinstance(seen["rss"], int) and seen["rss"] < 4096, seen
    else:
        assert seen["exe"] != str(NATIVE)


def test_a_dropped_connection_resumes_without_losing_or_repeating_a_byte(
    workdir: Path, mode: str
) -> None:
    """serve restarts mid-run: the relay reconnects, says what it has written, and the new
    serve sends only the rest. The invocation arrives again, unchanged."""
    first_half = [b"line %d\n" % i for i in range(500)]
    second_half = [b"more %d\n" % i for i in range(500)]

    def script(conn: socket.socket, request: dict[str, object], n: int) -> None:
        if n == 0:
            for line in first_half:
                send(conn, protocol.STDOUT, line)
            send(conn, protocol.STDERR, b"first stderr\n")
            time.sleep(0.2)
            hangup(conn)  # serve is gone
            return
        offsets = request["offsets"]
        assert isinstance(offsets, dict)
        assert offsets == {"stdout": sum(map(len, first_half)), "stderr": 13}, offsets
        assert request["reconnect"] is True
        for line in second_half:
            send(conn, protocol.STDOUT, line)
        send(conn, protocol.EXIT, b"0")
        hangup(conn)

    serve = ScriptedServe(workdir / "serve.sock", script)
    proc = start_relay(workdir, mode)
    out, err = proc.communicate(timeout=60)
    serve.close()
    assert proc.returncode == 0, err
    assert out == b"".join(first_half + second_half)
    assert err == b"first stderr\n"
    assert len(serve.requests) == 2
    assert serve.requests[0]["invocation"] == serve.requests[1]["invocation"]


def test_sigterm_becomes_a_cancel_and_the_relay_ends_by_the_signal(
    workdir: Path, mode: str
) -> None:
    """Paperclip's timeout sends SIGTERM: serve gets a cancel; the process then ends *by*
    SIGTERM, as a local opencode does (Paperclip reads a null exit code and the signal)."""
    cancelled = threading.Event()

    def script(conn: socket.socket, request: dict[str, object], n: int) -> None:
        send(conn, protocol.STDOUT, b"working\n")
        deadline = time.monotonic() + 30
        while not serve.cancels and time.monotonic() < deadline:
            time.sleep(0.05)
        cancelled.set()
        send(conn, protocol.STDOUT, b"cancelled\n")
        send(conn, protocol.EXIT, b"143 SIGTERM")
        hangup(conn)

    serve = ScriptedServe(workdir / "serve.sock", script)
    proc = start_relay(workdir, mode)
    assert proc.stdout is not None
    assert first_line(proc) == b"working\n"
    proc.send_signal(signal.SIGTERM)
    out, err = proc.communicate(timeout=60)
    serve.close()
    assert cancelled.is_set() and serve.cancels == [(0, b"SIGTERM")], serve.cancels
    assert out == b"cancelled\n"
    assert proc.returncode == -signal.SIGTERM, err


# Every recv() of the relay starts a second late: a signal sent meanwhile is handled before
# the recv() starts waiting, the window CI once hit by chance.
LATE_RECV = r"""
#define _GNU_SOURCE
#include <dlfcn.h>
#include <sys/socket.h>
#include <time.h>
ssize_t recv(int fd, void *buf, size_t n, int flags) {
    static ssize_t (*real)(int, void *, size_t, int);
    if (!real) real = (ssize_t (*)(int, void *, size_t, int))dlsym(RTLD_NEXT, "recv");
    struct timespec late = {1, 0};
    nanosleep(&late, NULL); /* a signal ends it early: its handler has run */
    return real(fd, buf, n, flags);
}
"""


def late_recv(tmp: Path) -> Path:
    compiler = shutil.which("cc") or shutil.which("gcc")
    if compiler is None:
        if os.environ.get("CI"):
            pytest.fail("CI has a C compiler (kubeclip-relay is built there)")
        pytest.skip("no C compiler to build the LD_PRELOAD library")
    source, library = tmp / "late_recv.c", tmp / "late_recv.so"
    source.write_text(LATE_RECV)
    subprocess.run([compiler, "-shared", "-fPIC", "-O2", "-o", str(library), str(source),
                    "-ldl"], check=True)  # fmt: skip
    return library


def test_a_sigterm_just_before_the_relay_waits_for_serve_still_cancels(
    workdir: Path, mode: str
) -> None:
    """CI saw a SIGTERM lost for 30 s (test_real_dropin): it came after the relay looked for
    a signal and before it waited for serve's next frame, and a quiet agent sends none. The
    relay's waits now wake for a signal however late it comes (a self-pipe in C, the wakeup
    fd in Python); here every recv() starts late, so the signal lands in that gap."""
    library = late_recv(workdir)

    def script(conn: socket.socket, request: dict[str, object], n: int) -> None:
        send(conn, protocol.STDOUT, b"working\n")
        deadline = time.monotonic() + 15
        while not serve.cancels and time.monotonic() < deadline:
            time.sleep(0.05)
        send(conn, protocol.STDOUT, b"cancelled\n" if serve.cancels else b"no cancel\n")
        send(conn, protocol.EXIT, b"143 SIGTERM")
        hangup(conn)

    serve = ScriptedServe(workdir / "serve.sock", script)
    proc = start_relay(workdir, mode, LD_PRELOAD=str(library))
    assert first_line(proc) == b"working\n"
    time.sleep(0.3)  # the relay is in its next recv()'s late start (a second long)
    proc.send_signal(signal.SIGTERM)
    out, err = proc.communicate(timeout=60)
    serve.close()
    assert out == b"cancelled\n", err
    assert serve.cancels == [(0, b"SIGTERM")]
    assert proc.returncode == -signal.SIGTERM, err


def test_a_signal_while_serve_is_away_is_passed_on_after_reconnecting(
    workdir: Path, mode: str
) -> None:
    """SIGTERM between serve's death and its return: the new serve still gets the cancel."""

    def script(conn: socket.socket, request: dict[str, object], n: int) -> None:
        if n == 0:
            send(conn, protocol.STDOUT, b"before\n")
            time.sleep(0.3)
            hangup(conn)  # serve is gone; the signal comes before the relay is back
            proc.send_signal(signal.SIGTERM)
            return
        deadline = time.monotonic() + 30
        while (1, b"SIGTERM") not in serve.cancels and time.monotonic() < deadline:
            time.sleep(0.05)
        send(conn, protocol.EXIT, b"143 SIGTERM")
        hangup(conn)

    serve = ScriptedServe(workdir / "serve.sock", script)
    proc = start_relay(workdir, mode)
    out, err = proc.communicate(timeout=60)
    serve.close()
    assert out == b"before\n"
    assert (1, b"SIGTERM") in serve.cancels, (serve.cancels, err)
    assert proc.returncode == -signal.SIGTERM, err


def test_a_reader_that_stops_reading_does_not_stop_the_run(workdir: Path, mode: str) -> None:
    """Paperclip closing the relay's stdout (EPIPE) is not a dropped connection: the relay
    goes on to the run's end and its exit status, without reconnecting."""
    released = threading.Event()

    def script(conn: socket.socket, request: dict[str, object], n: int) -> None:
        send(conn, protocol.STDOUT, b"first\n")
        released.wait(30)
        for _ in range(200):
            send(conn, protocol.STDOUT, b"y" * 4096)
        send(conn, protocol.EXIT, b"4")
        hangup(conn)

    serve = ScriptedServe(workdir / "serve.sock", script)
    proc = start_relay(workdir, mode)
    assert proc.stdout is not None and proc.stderr is not None
    assert proc.stdout.readline() == b"first\n"
    proc.stdout.close()  # the reader is gone
    released.set()
    assert proc.wait(timeout=60) == 4, proc.stderr.read()
    serve.close()
    assert len(serve.requests) == 1  # never mistaken for serve going away


def test_a_relay_failure_is_the_same_error_event_in_c_and_in_python(
    workdir: Path, mode: str
) -> None:
    """Issue #23: the relays' error line ({"message"} only) differed from the drop-in's; all
    three write kubeclip.paperclip.sinks.error_event now, byte for byte."""
    from kubeclip.paperclip.sinks import error_event

    nowhere = workdir / 'no "such" dir\\\t\x01 ✓' / "result.json"
    nowhere.parent.mkdir()  # there at the start; gone when the result comes

    def script(conn: socket.socket, request: dict[str, object], n: int) -> None:
        nowhere.parent.rmdir()
        send(conn, protocol.RESULT, b'{"exitCode": 0}')
        send(conn, protocol.EXIT, b"0")
        hangup(conn)

    serve = ScriptedServe(workdir / "serve.sock", script)
    proc = start_relay(workdir, mode, KUBECLIP_RESULT_FILE=str(nowhere))
    out, err = proc.communicate(timeout=60)
    serve.close()
    message = f"cannot write the result to {nowhere}: No such file or directory"
    assert out == (error_event(message) + "\n").encode()
    assert err.decode().endswith(f"kubeclip-opencode: error: {message}\n")


def test_a_relays_start_imports_neither_json_nor_re() -> None:
    """Issue #25: a burst of 100 relays on 2 cores waits for each CPython start; json (with
    re and enum) was 6 ms of each. The relay's request is encoded without it."""
    probe = ("import sys; import kubeclip.paperclip.relay; print(sorted(m for m in "
             "('json', 're', 'enum', 'typing') if m in sys.modules))")  # fmt: skip
    proc = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True,
                          env={**os.environ, "PYTHONPATH": str(ROOT)}, check=True)  # fmt: skip
    assert proc.stdout.strip() == "[]"


_ANY_CHAR = st.characters(exclude_categories=())  # lone surrogates too
_PLAIN = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(_ANY_CHAR),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(), inner, max_size=4),
    max_leaves=20,
)


@settings(max_examples=300, deadline=None)
@given(_PLAIN)
def test_the_relays_request_is_json_dumps_byte_for_byte(value: object) -> None:
    """serve parses what json.dumps would have written: every string (non-ASCII, lone
    surrogates, controls), nesting and number, and a float falls back to json itself."""
    assert protocol.to_json(value) == json.dumps(value).encode()
    assert protocol.to_json({"f": [1.5, value]}) == json.dumps({"f": [1.5, value]}).encode()
