"""``kubeclip-opencode``'s start in C (``front.c``) against the Python relay it stands in for.

Where a C compiler is found at install, Paperclip's ``kubeclip-opencode`` is the C program
(issue #25: 100 CPython starts at once cost ~1.1 CPU-seconds on 2 cores, while serve and
the control plane start those runs). It must send serve the run the Python relay would
have sent, field for field, and hand everything else to the Python relay untouched.
Both programs run for real here, against a socket that records what arrives.
"""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import threading
import time
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kubeclip.paperclip import invocation, protocol
from tests.test_relay_native import NATIVE, RELAY, ROOT, installed_front, send

pytestmark = pytest.mark.skipif(
    not NATIVE.exists() and not os.environ.get("CI"),
    reason="kubeclip-relay was not built here (no C compiler at install time)",
)


class Recorder:
    """A serve that records each connection's first frame and ends the run with exit 0."""

    def __init__(self, path: Path, cancels: bool = False) -> None:
        self.wait_for_cancel = cancels
        self.frames: list[tuple[bytes, bytes]] = []
        self.cancels: list[bytes] = []
        self.accepted = threading.Event()
        self.listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.listener.bind(str(path))
        self.listener.listen(8)
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        while True:
            try:
                conn, _ = self.listener.accept()
            except OSError:
                return
            self.accepted.set()
            reader = protocol.FrameReader(conn)
            got = reader.read()
            if got is not None:
                self.frames.append(got)
                send(conn, protocol.STDOUT, b"done\n")
                if self.wait_for_cancel:
                    conn.settimeout(10)
                    try:
                        more = reader.read()
                        if more and more[0] == protocol.CANCEL:
                            self.cancels.append(more[1])
                    except OSError:
                        pass
                send(conn, protocol.EXIT, b"0")
            conn.close()

    def invocation(self, i: int = 0) -> dict[str, object]:
        kind, payload = self.frames[i]
        if kind == protocol.GATHERED:
            return invocation.from_raw(payload)
        assert kind == protocol.RUN
        inv: dict[str, object] = json.loads(payload)["invocation"]
        return inv

    def close(self) -> None:
        self.listener.close()


def _run(command: list[str | bytes], env: dict[bytes, bytes], cwd: Path, prompt: bytes) -> bytes:
    done = subprocess.run(command, env=env, cwd=cwd, input=prompt, capture_output=True,
                          timeout=60)  # fmt: skip
    assert done.returncode == 0, done.stderr
    return done.stdout


# values no text codec passes unchanged: invalid UTF-8, non-ASCII, JSON's specials
VALUES = st.binary(max_size=40).filter(lambda b: b"\0" not in b)
NAMES = st.from_regex(rb"\A[A-Z][A-Z0-9_]{0,12}\Z").filter(  # not what decodes them
    lambda n: not n.startswith((b"PAPERCLIP_", b"KUBECLIP_", b"PYTHON", b"LD_", b"LC_", b"LANG"))
)
BASICS = {name.encode() for name in invocation.BASICS}


SLOW_OK = [HealthCheck.too_slow, HealthCheck.function_scoped_fixture]


@settings(max_examples=25, deadline=None, suppress_health_check=SLOW_OK)
@given(added=st.dictionaries(NAMES, VALUES, max_size=6), prompt=st.binary(max_size=200),
       arg=VALUES, run_value=VALUES)  # fmt: skip
def test_the_c_start_sends_the_invocation_the_python_relay_would_have(
    tmp_path: Path, added: dict[bytes, bytes], prompt: bytes, arg: bytes, run_value: bytes
) -> None:
    """The same environment, argv, prompt, working directory and files, through both: serve
    decodes the same invocation. Among them: what Paperclip added and what it did not (a
    variable of this process's, unchanged), values that are existing paths and that are
    not, a config file of any bytes, a pod file that is missing, an opencode.json that is a
    directory, a working directory named outside ASCII."""
    cwd = tmp_path / "wörk ✓"
    cwd.mkdir(exist_ok=True)
    (tmp_path / "conf").mkdir(exist_ok=True)
    (tmp_path / "conf" / "opencode" / "opencode.json").mkdir(parents=True, exist_ok=True)
    (tmp_path / "kubeclip.yaml").write_bytes(b"model: x\n\xff\xfe" + prompt[:20])
    sock = tmp_path / "s.sock"
    inherited = next((k for k in os.environb if k not in BASICS and k not in added
                      and not k.startswith((b"PAPERCLIP_", b"KUBECLIP_"))), None)  # fmt: skip
    assert inherited, "this test needs one variable of its own environment to pass on"
    env = {
        **{k: v for k, v in added.items()},
        b"PATH": os.environb.get(b"PATH", b""),
        b"PYTHONPATH": str(ROOT).encode(),
        # Without a locale CPython sets LC_CTYPE=C.UTF-8 in its own environment (PEP 538),
        # which the Python relay then sends as added and the C start rightly does not.
        b"LC_ALL": b"C.UTF-8",
        inherited: os.environb[inherited],  # the server's, unchanged: not sent
        b"KUBECLIP_SERVE_SOCKET": str(sock).encode(),
        b"KUBECLIP_CONFIG": str(tmp_path / "kubeclip.yaml").encode(),
        b"KUBECLIP_POD_FILE": str(tmp_path / "missing-pod.yaml").encode(),
        b"XDG_CONFIG_HOME": str(tmp_path / "conf").encode() + b"/",
        b"PAPERCLIP_RUN_ID": run_value,
        b"AGENT_WORKSPACE": str(cwd).encode(),  # an existing path Paperclip added
        b"AGENT_CACHE": b"/nonexistent/\xff",
    }
    front = installed_front(tmp_path)
    results = []
    for command in ([str(front)], RELAY):
        if sock.exists():
            sock.unlink()
        serve = Recorder(sock)
        try:
            out = _run([*command, "run", arg], env, cwd, prompt)
        finally:
            serve.close()
        assert out == b"done\n"
        results.append((serve.frames[0][0], serve.invocation()))
    (c_kind, from_c), (py_kind, from_python) = results
    assert (c_kind, py_kind) == (protocol.GATHERED, protocol.RUN)
    assert from_c == from_python
    env_sent = from_c["env"]
    assert isinstance(env_sent, dict) and os.fsdecode(inherited) not in env_sent


def test_anything_but_a_run_is_the_python_relays(tmp_path: Path) -> None:
    """`kubeclip-opencode --version`, `models`, KUBECLIP_SERVE=off: the C start hands its
    argv to the Python relay beside it, which answers as it always has."""
    front = installed_front(tmp_path)
    env = {"PATH": os.environ.get("PATH", ""), "PYTHONPATH": str(ROOT)}
    done = subprocess.run([str(front), "--version"], env=env, capture_output=True, timeout=60)
    assert done.returncode == 0 and done.stdout.startswith(b"kubeclip-opencode "), done


def test_no_serve_yet_is_waited_for_by_the_python_relay_with_the_prompt_intact(
    tmp_path: Path,
) -> None:
    """The sidecar is not listening yet when the run starts: the C start has read nothing
    when it hands over, so the Python relay waits for serve and sends the whole prompt."""
    sock = tmp_path / "serve.sock"
    env = {"PATH": os.environ.get("PATH", ""), "PYTHONPATH": str(ROOT),
           "KUBECLIP_SERVE_SOCKET": str(sock), "KUBECLIP_SERVE_PATIENCE": "30",
           "PAPERCLIP_RUN_ID": "late"}  # fmt: skip
    proc = subprocess.Popen([str(installed_front(tmp_path)), "run"], env=env, cwd=tmp_path,
                            stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE)  # fmt: skip
    out, err = b"", b""
    try:
        time.sleep(0.5)
        serve = Recorder(sock)
        out, err = proc.communicate(b"the whole prompt", timeout=60)
    finally:
        proc.kill()
    serve.close()
    assert proc.returncode == 0, err
    assert out == b"done\n"
    assert serve.frames[0][0] == protocol.RUN  # Python's own request
    assert serve.invocation()["prompt"] == "the whole prompt"


def test_a_sigterm_while_the_c_start_reads_the_prompt_is_the_runs_cancel(
    tmp_path: Path,
) -> None:
    """Paperclip may time a run out before it has even written the prompt: the C start
    holds the signal until it can pass it on, and serve gets the run and its cancel."""
    sock = tmp_path / "serve.sock"
    serve = Recorder(sock, cancels=True)
    env = {"PATH": os.environ.get("PATH", ""), "PYTHONPATH": str(ROOT),
           "KUBECLIP_SERVE_SOCKET": str(sock)}  # fmt: skip
    proc = subprocess.Popen([str(installed_front(tmp_path)), "run"], env=env, cwd=tmp_path,
                            stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE)  # fmt: skip
    try:
        assert serve.accepted.wait(30)  # connected: it reads stdin now
        proc.send_signal(signal.SIGTERM)
        time.sleep(0.2)
        assert proc.poll() is None  # held, not the default action
        out, err = proc.communicate(b"prompt", timeout=60)
    finally:
        proc.kill()
    serve.close()
    assert serve.frames[0][0] == protocol.GATHERED
    assert serve.cancels == [b"SIGTERM"], err
    assert out == b"done\n"


def test_the_c_start_without_its_python_side_says_what_is_missing(tmp_path: Path) -> None:
    """kubeclip-relay run by hand (or an install that lost kubeclip-opencode-python)."""
    done = subprocess.run([str(NATIVE), "--version"], capture_output=True, timeout=60,
                          env={"PATH": os.environ.get("PATH", "")})  # fmt: skip
    assert done.returncode == 3
    assert b"cannot start the relay's Python side" in done.stderr
    assert b"kubeclip-opencode-python" in done.stderr


@pytest.mark.parametrize("cli,argv", [
    ("claude", ["--print", "-", "--output-format", "stream-json", "--verbose", "--model", "m"]),
    ("opencode", ["run", "--format", "json", "--model", "a/b"]),
])  # fmt: skip
def test_linked_as_the_cli_inside_an_agent_pod_it_refuses_and_starts_nothing(
    tmp_path: Path, cli: str, argv: list[str]
) -> None:
    """docs/runtimes.md links the drop-in under the CLI's name on Paperclip's PATH; an agent
    pod of the same image would find the link before the real CLI. Every agent pod has
    KUBECLIP_RUN_PROOF: there the drop-in says so, exits 2, and starts no serve."""
    (tmp_path / cli).symlink_to(installed_front(tmp_path))
    runtime = tmp_path / "runtime"
    runtime.mkdir(mode=0o700)
    env = {"PATH": os.environ.get("PATH", ""), "PYTHONPATH": str(ROOT),
           "XDG_RUNTIME_DIR": str(runtime), "KUBECLIP_RUN_PROOF": "0" * 64}  # fmt: skip
    done = subprocess.run([str(tmp_path / cli), *argv], input=b"Hello", env=env,
                          capture_output=True, timeout=60)  # fmt: skip
    assert done.returncode == 2, done
    assert b"inside an agent pod" in done.stderr and b"`command`" in done.stderr
    assert list(runtime.iterdir()) == []  # no serve, no socket
