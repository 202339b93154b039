"""``kubeclip serve``: the Unix socket, the runs, and what they share.

ACCEPTORS threads take connections; one thread per connection reads its frames (a run
request, then cancels); one thread per run executes it exactly as the in-process drop-in
does (``dropin.run_invocation``), with serve's one shared
:class:`~kubeclip.run.engine.Engine`: one connection pool per kubeconfig, one pod watch per
namespace, each agent's turns. A run belongs to ``serve``,
not to the connection that asked for it: a relay that disconnects leaves it running (its
output is archived), a relay that asks for the same run id again is attached to it.

Only this user (or the uids given with ``--allow-uid``, e.g. the Paperclip container's
when ``serve`` is its sidecar) may connect: every peer's uid is checked (SO_PEERCRED).
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import signal
import socket
import stat
import struct
import sys
import threading
import time
import traceback
from collections.abc import Callable
from typing import Any

from kubeclip.errors import KubeclipError, UsageError
from kubeclip.paperclip import invocation, protocol
from kubeclip.run.engine import Engine
from kubeclip.run.handle import RunHandle
from kubeclip.serve.adopt import Journal, adopt_run, entry_for
from kubeclip.serve.lockfile import take_lock
from kubeclip.serve.session import (
    Session,
    archive_name,
    find_archive,
    is_archive,
    log_dir,
    read_archive,
)

# A finished run stays attachable (a relay reconnecting) and in `kubeclip ps` for
# FINISHED_KEPT seconds; serve keeps at most FINISHED_MAX of them and FINISHED_BYTES in all
# (a result holds at most ~130 KB: OpenCode's summary and errors), the newest first
FINISHED_KEPT = 600.0
FINISHED_MAX = 1000
FINISHED_BYTES = 16 * 1024 * 1024
# threads accepting connections at once (see Serve._accept)
ACCEPTORS = 16


class Serve:
    def __init__(
        self,
        socket_path: str,
        logs: str | None = None,
        idle_exit: float = 0.0,
        allow_uids: set[int] | None = None,
        keep_logs_days: float = 7.0,
    ) -> None:
        self.keep_logs_days = keep_logs_days
        self.socket_path = socket_path
        self.allow_uids = allow_uids or {os.getuid()}
        self.logs = logs or log_dir()
        self.idle_exit = idle_exit
        self.lock = threading.Lock()
        self.sessions: dict[str, Session] = {}
        self.last_busy = time.monotonic()
        self.stopping = threading.Event()
        self.engine = Engine(shared=True)
        self.journal = Journal(socket_path + ".runs")

    def _journal(self, key: str, task: str) -> Callable[[RunHandle], None]:
        """What a run's handle calls once its Job and Secret exist (the run may have moved
        to another slot of its agent by then): the next serve adopts the run from this
        entry if we die with the relay."""

        def write(handle: RunHandle) -> None:
            if handle.spec is not None and not handle.spec.detach:
                self.journal.write(key, entry_for(handle.spec, {**handle.about, "task": task}))

        return write

    # --- the socket ---------------------------------------------------------------------
    def serve_forever(self) -> int:
        if os.path.lexists(self.socket_path) and not stat.S_ISSOCK(
            os.lstat(self.socket_path).st_mode
        ):  # a user's file: never replaced (only a socket of a dead serve is)
            raise UsageError(f"{self.socket_path} exists and is not a socket: kubeclip serve "
                             "never replaces it; choose another --socket")  # fmt: skip
        directory = os.path.dirname(self.socket_path) or "."
        os.makedirs(directory, mode=0o700, exist_ok=True)
        os.makedirs(self.logs, mode=0o700, exist_ok=True)
        lock = take_lock(self.socket_path + ".lock")
        if lock is None:
            print(f"kubeclip serve: another serve owns {self.socket_path}", file=sys.stderr)
            return 0
        if os.path.exists(self.socket_path):
            os.unlink(self.socket_path)  # a dead serve's: we hold the lock
        self._prune_archives()
        self._adopt_journal()  # before any relay connects: a returning one attaches to it
        if threading.current_thread() is threading.main_thread():
            # a stop (kubelet, idle) ends serve cleanly: its runs' Jobs carry on to their own
            # deadline and TTL, as after a crash; relays reconnect to the next serve
            for signum in (signal.SIGTERM, signal.SIGINT):  # Ctrl-C: the same, no traceback
                signal.signal(signum, lambda signum, frame: self.stopping.set())
        listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        listener.bind(self.socket_path)
        # another uid allowed (a sidecar's Paperclip container) must be able to connect; who
        # may talk to serve is then decided by the peer uid check alone
        os.chmod(self.socket_path, 0o666 if self.allow_uids - {os.getuid()} else 0o600)
        listener.listen(256)
        with open(self.socket_path + ".pid", "w") as f:
            f.write(f"{os.getpid()}\n")
        print(f"kubeclip serve: listening on {self.socket_path}, archives in {self.logs}",
              file=sys.stderr, flush=True)  # fmt: skip
        threading.Thread(target=_warm, daemon=True, name="kubeclip-warm").start()
        acceptors = [threading.Thread(target=self._accept, args=(listener,), daemon=True,
                                      name=f"kubeclip-accept-{i}") for i in range(ACCEPTORS)]
        try:
            for acceptor in acceptors:
                acceptor.start()
            while not self.stopping.wait(1.0) and not self._idle_too_long():
                pass
        finally:
            self.stopping.set()
            with contextlib.suppress(OSError):  # wakes every accept() (EINVAL; Linux)
                listener.shutdown(socket.SHUT_RDWR)
            for acceptor in acceptors:
                acceptor.join(timeout=1)
            listener.close()
            # the lock file last, while still held (see take_lock): nothing is left behind
            for path in (self.socket_path, self.socket_path + ".pid", lock.name):
                if os.path.exists(path):
                    os.unlink(path)
            lock.close()
        return 0

    def _prune_archives(self) -> None:
        """Archives older than --keep-logs days go: agents print megabytes, on a shared claim."""
        if self.keep_logs_days <= 0:
            return
        horizon = time.time() - self.keep_logs_days * 86400
        for entry in os.scandir(self.logs):
            try:
                if is_archive(entry.name) and entry.stat().st_mtime < horizon:
                    os.unlink(entry.path)
            except OSError:
                pass  # another serve pruned it, or it is not ours to remove

    def _adopt_journal(self) -> None:
        for entry in self.journal.entries():
            run_id, key = str(entry.get("runId")), str(entry["key"])
            env = {"PAPERCLIP_AGENT_ID": entry.get("agentId", ""),
                   "PAPERCLIP_TASK_ID": entry.get("task", "")}  # fmt: skip
            archive = os.path.join(self.logs, archive_name(run_id))
            session = self.sessions[key] = Session(run_id, {"env": env}, archive, key)
            print(f"kubeclip serve: adopting run {run_id} (Job {entry['job']['metadata']['name']})",
                  file=sys.stderr, flush=True)  # fmt: skip
            threading.Thread(target=self._execute, args=(session, entry), daemon=True,
                             name=f"kubeclip-adopt-{run_id[:12]}").start()  # fmt: skip

    def _idle_too_long(self) -> bool:
        if not self.idle_exit:
            return False
        with self.lock:
            busy = any(not s.done.is_set() for s in self.sessions.values())
        if busy:
            self.last_busy = time.monotonic()
        return time.monotonic() - self.last_busy > self.idle_exit

    def _accept(self, listener: socket.socket) -> None:
        """One of ACCEPTORS threads taking connections. Starting a thread waits until the OS
        runs it: ~5 ms while a burst's pods start on the same cores (2026-12-08, 100 relays
        at once: 5.5 ms p50, 119 ms max), which one accepting thread paid 100 times in a row
        (the last relay accepted after 1.2 s, its Job created after 1.3 s)."""
        while True:
            try:
                conn, _ = listener.accept()
            except OSError:
                if self.stopping.is_set():
                    return
                time.sleep(0.01)  # EMFILE and the like: the relay retries
                continue
            if self.stopping.is_set():
                conn.close()
                return
            threading.Thread(target=self._connection, args=(conn,), daemon=True).start()

    def _connection(self, conn: socket.socket) -> None:
        try:
            if _peer_uid(conn) not in self.allow_uids:
                return
            reader = protocol.FrameReader(conn)
            first = reader.read()
            if first is None:
                return
            kind, payload = first
            if kind == protocol.RUN:
                self._run_request(conn, reader, json.loads(payload))
            elif kind == protocol.GATHERED:
                request = {"invocation": invocation.from_raw(payload), "reconnect": False,
                           "offsets": {"stdout": 0, "stderr": 0}}  # fmt: skip
                self._run_request(conn, reader, request)
            elif kind == protocol.QUERY:
                conn.sendall(protocol.frame(protocol.TABLE, self._table()))
            elif kind == protocol.LOGS:
                self._logs(conn, json.loads(payload))
            elif kind == protocol.CHECK:
                conn.sendall(protocol.frame(protocol.TABLE, _check(json.loads(payload))))
        except (OSError, ValueError):
            pass
        finally:
            conn.close()

    # --- runs ---------------------------------------------------------------------------
    def _run_request(
        self, conn: socket.socket, reader: protocol.FrameReader, request: dict[str, Any]
    ) -> None:
        inv = request["invocation"]
        run_id = _run_id(inv)
        # one run id may be invoked twice (Paperclip retries an unknown session itself):
        # a session is one invocation, and a finished one is only replayed to a reconnect
        digest = hashlib.sha256(json.dumps(inv, sort_keys=True).encode()).hexdigest()
        key = f"{run_id}/{digest[:16]}"
        new = False
        with self.lock:
            self.last_busy = time.monotonic()
            self._forget_old()
            session = self.sessions.get(key)
            if session is not None and session.done.is_set() and not request.get("reconnect"):
                session = None
            if session is None:
                archive = os.path.join(self.logs, archive_name(run_id))
                task = (inv.get("env") or {}).get("PAPERCLIP_TASK_ID", "")
                handle = RunHandle(on_created=self._journal(key, task))
                session = self.sessions[key] = Session(run_id, inv, archive, key, handle)
                new = True
        if new:  # not under the lock: a thread's start waits for the GIL, and 100 relays
            # of a burst would each wait for every other run's thread to be scheduled
            threading.Thread(target=self._execute, args=(session,), daemon=True,
                             name=f"kubeclip-run-{run_id[:12]}").start()  # fmt: skip
        session.attach(conn, request.get("offsets") or {})
        try:
            while True:  # cancels, until the relay goes away
                got = reader.read()
                if got is None:
                    break
                kind, payload = got
                if kind == protocol.CANCEL:
                    session.cancel(payload.decode("ascii", "replace") or "SIGTERM")
        except (OSError, ValueError):
            pass
        finally:
            session.detach(conn)

    def _execute(self, session: Session, adopted: dict[str, Any] | None = None) -> None:
        from kubeclip.paperclip.dropin import answer_error, ending, run_invocation, tell_reason

        code, signal_name, result_json = 1, None, None
        try:
            if adopted is None:
                runtime = invocation.run_runtime(session.invocation["args"]) or "opencode"
                result = run_invocation(session.invocation, session.stdout, session.stderr,
                                        session.progress, self.engine, session.handle)  # fmt: skip
            else:
                runtime = str(adopted.get("runtime") or "opencode")
                result = adopt_run(self.engine, session, adopted)
                tell_reason(result, session.stdout, session.stderr, runtime)
            result_json = result.dumps().encode()
            code, signal_name = ending(result, runtime)
        except KubeclipError as e:
            code = answer_error(e, session.stdout, session.stderr)
        except Exception:  # a bug: the relay gets an error, serve's log the traceback
            traceback.print_exc()
            answer_error(UsageError("kubeclip serve failed on this run (see its log)"),
                         session.stdout, session.stderr)  # fmt: skip
            code = 1
        finally:
            self.journal.remove(session.key)
            session.finish(code, signal_name, result_json)

    def _forget_old(self) -> None:
        now = time.time()
        finished = [(key, s) for key, s in self.sessions.items() if s.done.is_set()]
        finished.sort(key=lambda pair: -(pair[1].ended or pair[1].started))  # newest first
        total = 0
        for kept, (key, s) in enumerate(finished):
            total += s.kept_bytes()
            too_old = now - (s.ended or s.started) > FINISHED_KEPT
            if too_old or kept >= FINISHED_MAX or total > FINISHED_BYTES:
                del self.sessions[key]

    # --- ps / logs ----------------------------------------------------------------------
    def _table(self) -> bytes:
        with self.lock:
            rows = [s.row() for s in self.sessions.values()]
        return json.dumps(rows).encode()

    def _logs(self, conn: socket.socket, request: dict[str, Any]) -> None:
        wanted = str(request.get("run", ""))
        with self.lock:
            matches = [s for s in self.sessions.values() if s.run_id.startswith(wanted)]
            exact = [s for s in matches if s.run_id == wanted]
            matches = exact[-1:] or matches
        if len(matches) == 1:
            watcher = matches[0].watch(conn, bool(request.get("follow")))
            if watcher is not None:
                watcher.done.wait()  # the connection closes once all was sent
            return
        try:
            path = find_archive(self.logs, wanted)
        except UsageError as e:
            message = f"several runs match: {wanted}" if matches else str(e)
        else:
            for kind, data in read_archive(path):
                conn.sendall(protocol.frame(kind, data))
            conn.sendall(protocol.frame(protocol.EXIT, b"0"))
            return
        conn.sendall(protocol.frame(protocol.STDERR, f"kubeclip: {message}\n".encode()))
        conn.sendall(protocol.frame(protocol.EXIT, b"2"))


def _check(request: dict[str, Any]) -> bytes:
    """`kubeclip check --json` for an agent config sent as data (the adapter's config)."""

    from kubeclip.run.check import CheckRequest, run_checks

    config = request.get("config")
    report = run_checks(CheckRequest(
        config=config if isinstance(config, dict) else None,
        # serve's own KUBECLIP_POD_FILE (serve outside a pod, e.g. in development); in the
        # chart's sidecar serve reads its own pod
        pod_file=os.environ.get("KUBECLIP_POD_FILE"), from_pod=request.get("pod"),
        namespace=request.get("namespace"),
    ))  # fmt: skip
    return json.dumps(report.to_json()).encode()


def _run_id(inv: dict[str, Any]) -> str:
    env = inv.get("env") or {}
    run_id = env.get("PAPERCLIP_RUN_ID")
    if run_id:
        return str(run_id)
    # no Paperclip run (the environment probe): every request is its own run
    return f"probe-{os.urandom(6).hex()}"


def _warm() -> None:
    """Import what a run needs (the kubernetes client alone is ~0.4 s of CPU) before the
    first relays come: a company's first heartbeat burst would otherwise wait for it, 100
    threads each holding the GIL in turn."""
    from kubernetes import client  # noqa: F401

    import kubeclip.paperclip.dropin
    import kubeclip.run.runner  # noqa: F401


def _peer_uid(conn: socket.socket) -> int | None:
    try:
        creds = conn.getsockopt(socket.SOL_SOCKET, socket.SO_PEERCRED, struct.calcsize("3i"))
    except OSError:
        return None
    _pid, uid, _gid = struct.unpack("3i", creds)
    return int(uid)
