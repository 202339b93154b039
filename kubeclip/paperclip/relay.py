"""``kubeclip-opencode`` as a relay: Paperclip's ``opencode`` process hands its run to
``kubeclip serve`` and copies the agent's output back, byte for byte.

Paperclip starts one ``kubeclip-opencode`` per agent run; importing the Kubernetes client
in each cost ~50 MiB and ~0.4 CPU-seconds per run. The relay imports the standard library
only (no ``kubernetes``, Jinja or PyYAML): it gathers the run where Paperclip runs
(:mod:`kubeclip.paperclip.invocation`), sends it over a Unix socket, writes the agent's
stdout and stderr as they arrive, turns a SIGTERM/SIGINT into a cancel, writes the result
file and exits with the run's status — as the in-process drop-in does.

Which ``serve``: ``$KUBECLIP_SERVE_SOCKET`` (a sidecar: waited for, never started here),
else a per-user socket, started on first use (it leaves after ``--idle-exit`` seconds
without runs). ``KUBECLIP_SERVE=off`` (or no way to start one) runs in this process, as
before. When the connection drops mid-run (``serve`` restarted), the relay reconnects and
says how many bytes of each stream it has written: none is lost or written twice.

Once the run is sent, the relay execs ``kubeclip-relay`` (``pump.c``, built with the
package where a C compiler is found): the same pid, ~1 MiB instead of CPython's ~8.5 MiB
for the hours a run may last. It copies the frames and, if the connection drops, execs
this module again (``--kubeclip-resume``) to reconnect. Without it (no compiler, not Linux,
``KUBECLIP_RELAY_NATIVE=off``) this process copies the frames itself.
"""

from __future__ import annotations

# The C modules under `socket` and `signal`: those wrap them in enum classes (and import
# selectors), ~0.7 MiB more in each of the relays Paperclip runs at once.
import _signal  # type: ignore[import-not-found]
import _socket
import os
import sys
import time

from kubeclip.paperclip import invocation, protocol, sinks
from kubeclip.run import resultfile

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

SIGNALS = {_signal.SIGTERM: "SIGTERM", _signal.SIGINT: "SIGINT"}
RESUME = "--kubeclip-resume"

# What an auto-started serve inherits: never a run's variables (PAPERCLIP_*), only what
# finding the cluster and Python need.
_SERVE_ENV = ("PATH", "HOME", "HOSTNAME", "LANG", "LC_ALL", "TZ", "TMPDIR", "XDG_RUNTIME_DIR",
              "KUBECONFIG", "KUBERNETES_SERVICE_HOST", "KUBERNETES_SERVICE_PORT",
              "PYTHONPATH", "VIRTUAL_ENV", "KUBECLIP_LOG_DIR")  # fmt: skip


class _Run:
    """The relay's side of one run: what it has written, and a cancel to pass on."""

    def __init__(self) -> None:
        self.sock: _socket.socket | None = None
        self.sending = False
        self.signal: str | None = None
        self.cancel_sent = False
        self.written = {"stdout": 0, "stderr": 0}

    def on_signal(self, signum: int, frame: Any) -> None:
        self.signal = self.signal or SIGNALS.get(signum, "SIGTERM")
        if not self.sending:
            self.send_cancel()

    def send_cancel(self) -> None:
        if self.signal and self.sock is not None and not self.cancel_sent:
            try:
                self.sock.sendall(protocol.frame(protocol.CANCEL, self.signal.encode()))
                self.cancel_sent = True
            except OSError:
                pass  # sent again after reconnecting


# Set in every agent pod kubeclip runs, and kept for the CLI (the pod script's review proof).
IN_AGENT_POD = "KUBECLIP_RUN_PROOF"


def main() -> int:
    args = sys.argv[1:]
    if args[:1] == [RESUME]:
        return _resume(args[1:])
    cli = invocation.run_runtime(args)
    if os.environ.get(IN_AGENT_POD) and cli:
        # kubeclip-agent linked under the CLI's name (docs/runtimes.md), in an image whose
        # PATH the agent pod shares: the pod would run kubeclip instead of the CLI
        _fail(f"kubeclip-agent was started as the agent CLI inside an agent pod: the agent "
              f"image's PATH finds kubeclip's link ({sys.argv[0]}) before the real CLI. Set "
              f"`command` in the agent config to the CLI's own path (e.g. /usr/local/bin/{cli})")
        return 2
    if cli is None or os.environ.get("KUBECLIP_SERVE") == "off":
        _signal.pthread_sigmask(_signal.SIG_UNBLOCK, set(SIGNALS))  # see below
        from kubeclip.paperclip.dropin import main as in_process

        return in_process(args)
    state = _Run()
    for sig in SIGNALS:
        _signal.signal(sig, state.on_signal)
    # The C start (front.c) hands over with SIGTERM/SIGINT blocked: one that came before
    # this process had a handler is pending, and is this run's cancel.
    _signal.pthread_sigmask(_signal.SIG_UNBLOCK, set(SIGNALS))
    problem = sinks.unusable(os.environ)
    if problem:  # before the run is sent: nothing runs
        _fail(problem)
        return 2
    inv = invocation.gather(args)
    path = protocol.default_socket()
    sidecar = bool(os.environ.get("KUBECLIP_SERVE_SOCKET"))
    sock = _connect(path) or (_wait_for(path) if sidecar else _start_serve(path))
    if sock is None:
        if sidecar:
            _fail(f"no kubeclip serve at {path} (KUBECLIP_SERVE_SOCKET)")
            return 3
        from kubeclip.paperclip.dropin import run_gathered

        return run_gathered(inv, state.signal)  # no serve here: the run in this process
    return _relay(state, sock, inv, path, sidecar)


def _relay(
    state: _Run,
    sock: _socket.socket,
    inv: dict[str, Any],
    path: str,
    sidecar: bool,
    reconnect: bool = False,
) -> int:
    native = _native()
    while True:
        state.sock, state.cancel_sent = sock, False
        try:
            request = {"invocation": inv, "offsets": dict(state.written),
                       "reconnect": reconnect}  # fmt: skip
            state.sending = True
            body = protocol.to_json(request)  # ASCII: non-ASCII (and surrogates) escaped
            sock.sendall(protocol.frame(protocol.RUN, body))
            state.sending = False
            if native:
                # blocked across the exec: a signal now stays pending for kubeclip-relay
                _signal.pthread_sigmask(_signal.SIG_BLOCK, set(SIGNALS))
            state.send_cancel()
            if native:
                _exec_native(native, state, sock, inv)  # returns only if the exec failed
                native = None
                _signal.pthread_sigmask(_signal.SIG_UNBLOCK, set(SIGNALS))
            end = _copy(state, protocol.FrameReader(sock, _SignalAwareWait(sock)))
        except OSError:
            end = None
        finally:
            state.sending = False
        sock.close()
        state.sock = None
        if end is not None:
            return _finish(*end)
        # the connection dropped before the end: serve restarted, or is restarting
        again = _reconnect(path, sidecar)
        if again is None:
            _fail(f"lost kubeclip serve at {path} and it did not come back")
            return 3
        sock, reconnect = again, True


class _SignalAwareWait:
    """A wait for the socket that a signal always ends. Python runs a signal handler only
    between bytecodes: a SIGTERM that comes after the last one and before ``recv`` starts
    waiting would wait with it until serve sends a frame (never, for a quiet agent). The
    signal also writes a byte to a wakeup socket (``set_wakeup_fd``) that ``select`` waits
    on beside serve's: it returns, the handler runs, the cancel is sent."""

    def __init__(self, sock: _socket.socket) -> None:
        self.sock = sock
        self.wake_r, self.wake_w = _socket.socketpair()  # both open while this wait lives
        self.wake_r.setblocking(False)
        self.wake_w.setblocking(False)
        _signal.set_wakeup_fd(self.wake_w.fileno(), warn_on_full_buffer=False)
        import select  # here, not at the relay's start: only a relay that copies frames

        self.select = select.select

    def __call__(self) -> None:
        while True:
            readable, _, _ = self.select([self.sock, self.wake_r], [], [])
            if self.wake_r in readable:
                try:
                    while self.wake_r.recv(64):
                        pass
                except BlockingIOError:
                    pass
            if self.sock in readable:
                return


def _native() -> str | None:
    """The path of ``kubeclip-relay`` when it was built and may be used, else None."""
    if os.environ.get("KUBECLIP_RELAY_NATIVE", "").strip().lower() in ("off", "0", "false"):
        return None
    binary = os.path.join(os.path.dirname(__file__), "kubeclip-relay")
    if not hasattr(os, "memfd_create") or not os.access(binary, os.X_OK):
        return None
    return binary


def _exec_native(binary: str, state: _Run, sock: _socket.socket, inv: dict[str, Any]) -> None:
    """Become ``kubeclip-relay`` for the rest of the run (same pid). The invocation goes
    in a memfd (never a file on disk: it holds the run's variables) for a resume."""
    fd = -1
    try:
        fd = os.memfd_create("kubeclip-invocation", 0)  # no MFD_CLOEXEC: the exec keeps it
        data = protocol.to_json(inv)
        view = memoryview(data)
        while view:
            view = view[os.write(fd, view) :]
        os.set_inheritable(sock.fileno(), True)
        argv = ["kubeclip-relay", str(sock.fileno()), str(fd), str(state.written["stdout"]),
                str(state.written["stderr"]), state.signal or "-",
                "1" if state.cancel_sent else "0", "--", sys.executable, "-P", "-m",
                "kubeclip.paperclip.relay", RESUME]  # fmt: skip
        os.execv(binary, argv)
    except OSError:
        if fd >= 0:
            os.close(fd)
        os.set_inheritable(sock.fileno(), False)


def _resume(args: list[str]) -> int:
    """Back from ``kubeclip-relay`` after the connection dropped: reconnect and go on
    (the invocation: ours as JSON, or the raw record of kubeclip-opencode's C start).
    args: the invocation's memfd, bytes written to stdout and to stderr, pending signal."""
    import json

    try:
        fd, out, err, pending = int(args[0]), int(args[1]), int(args[2]), args[3]
        with os.fdopen(fd, "rb") as f:
            f.seek(0)
            data = f.read()
        raw = data.startswith(invocation.RAW_MAGIC)  # from front.c, else our own JSON
        inv = invocation.from_raw(data) if raw else json.loads(data)
    except (IndexError, ValueError, OSError):
        _fail("kubeclip-opencode --kubeclip-resume is for kubeclip-relay only")
        return 2
    state = _Run()
    state.written = {"stdout": out, "stderr": err}
    state.signal = pending if pending in SIGNALS.values() else None
    for sig in SIGNALS:
        _signal.signal(sig, state.on_signal)
    _signal.pthread_sigmask(_signal.SIG_UNBLOCK, set(SIGNALS))
    path = protocol.default_socket()
    sidecar = bool(os.environ.get("KUBECLIP_SERVE_SOCKET"))
    sock = _reconnect(path, sidecar)
    if sock is None:
        _fail(f"lost kubeclip serve at {path} and it did not come back")
        return 3
    return _relay(state, sock, inv, path, sidecar, reconnect=True)


def _copy(state: _Run, reader: protocol.FrameReader) -> tuple[int, str | None] | None:
    """Copy frames until the end (exit code, signal), or None if the connection drops."""
    while True:
        got = reader.read()
        if got is None:
            return None
        kind, payload = got
        if kind == protocol.STDOUT:
            sinks.write_all(1, payload)
            state.written["stdout"] += len(payload)
        elif kind == protocol.STDERR:
            sinks.write_all(2, payload)
            state.written["stderr"] += len(payload)
        elif kind == protocol.PROGRESS:
            sinks.write_progress(sinks.progress_target(os.environ), payload)
        elif kind == protocol.RESULT:
            problem = resultfile.write(os.environ.get("KUBECLIP_RESULT_FILE"), payload)
            if problem:
                _fail(problem)
        elif kind == protocol.EXIT:
            code, _, name = payload.decode("ascii").partition(" ")
            return int(code), name or None


def _fail(message: str) -> None:
    out, err = sinks.failure(message)
    sinks.write_all(1, out)
    sinks.write_all(2, err)


def _finish(code: int, signal_name: str | None) -> int:
    numbers = {name: number for number, name in SIGNALS.items()}
    if signal_name in numbers:  # end *by* the signal, as a local opencode does (exitCode null)
        sig = numbers[signal_name]
        _signal.signal(sig, _signal.SIG_DFL)
        os.kill(os.getpid(), sig)
        time.sleep(5)  # pragma: no cover - the signal ends the process
    return code


def _connect(path: str) -> _socket.socket | None:
    sock = _socket.socket(_socket.AF_UNIX, _socket.SOCK_STREAM)
    try:
        sock.connect(path)
        return sock
    except OSError:
        sock.close()
        return None


def _wait_for(path: str, patience: float | None = None) -> _socket.socket | None:
    if patience is None:
        try:
            patience = float(os.environ.get("KUBECLIP_SERVE_PATIENCE", "60"))
        except ValueError:  # a mistyped setting must not cost the run
            patience = 60.0
    give_up = time.monotonic() + patience
    while time.monotonic() < give_up:
        sock = _connect(path)
        if sock is not None:
            return sock
        time.sleep(0.1)
    return None


def _reconnect(path: str, sidecar: bool) -> _socket.socket | None:
    sock = _connect(path) or (None if sidecar else _start_serve(path))
    return sock or _wait_for(path)


def _start_serve(path: str) -> _socket.socket | None:
    """Start ``kubeclip serve`` for this user, detached (its own session: Paperclip's
    SIGTERM to our process group must not reach it); None if it cannot be."""
    directory = os.path.dirname(path)
    try:
        os.makedirs(directory, mode=0o700, exist_ok=True)
        st = os.stat(directory)
        if st.st_uid != os.getuid() or st.st_mode & 0o077:
            return None  # not ours alone: never start a serve whose socket others can reach
        flags = os.O_WRONLY | os.O_CREAT | os.O_APPEND
        log = os.open(os.path.join(directory, "serve.log"), flags, 0o600)
    except OSError:
        return None
    env = {k: v for k, v in os.environ.items()
           if k in _SERVE_ENV or k.startswith("KUBECLIP_SERVE_")}  # fmt: skip
    argv = [sys.executable, "-m", "kubeclip", "serve", "--socket", path, "--idle-exit", "600"]
    pid = os.fork()
    if pid == 0:  # pragma: no cover - the child
        try:
            os.setsid()
            os.chdir("/")  # not the run's workspace: serve outlives it
            if os.fork() == 0:
                null = os.open(os.devnull, os.O_RDONLY)
                os.dup2(null, 0)
                os.dup2(log, 1)
                os.dup2(log, 2)
                os.execve(sys.executable, argv, env)
        finally:
            os._exit(0)
    os.close(log)
    os.waitpid(pid, 0)
    return _wait_for(path, patience=15)
if __name__ == "__main__":
    raise SystemExit(main())
