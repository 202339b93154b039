"""One run inside ``kubeclip serve``: its output, its archive, the relay attached to it.

The run writes through :class:`Stream` objects (what the in-process drop-in writes to
stdout and stderr). Every byte of the agent's two streams is appended to the run's archive
first, then sent to the attached relay, if any. A relay that attaches (or re-attaches after
a dropped connection, saying how many bytes of each stream it already wrote) is sent the
archive from there on, then the live output: nothing is lost or written twice, and a
relay that goes away never stops the run.
"""

from __future__ import annotations

import json
import os
import queue
import re
import socket
import threading
import time
from collections.abc import Iterator
from typing import Any

from kubeclip.errors import UsageError
from kubeclip.paperclip import protocol
from kubeclip.run.handle import RunHandle

_UNSAFE = re.compile(r"[^A-Za-z0-9._-]")


# An archive holds the run's stdout and stderr as framed records (kind, length, bytes), so
# that `kubeclip logs` gives each stream back apart: not text, so not named .log (older
# serves named them so; they are still found, read and pruned).
ARCHIVE_SUFFIX = ".kubeclip-output"
OLD_SUFFIX = ".log"


def archive_name(run_id: str) -> str:
    """A file name for a run id (any characters: Paperclip's ids are UUIDs, tests' are not)."""
    safe = _UNSAFE.sub("_", run_id)[:100]
    return f"{safe}{ARCHIVE_SUFFIX}"


def is_archive(name: str) -> bool:
    return name.endswith((ARCHIVE_SUFFIX, OLD_SUFFIX))


def find_archive(directory: str, run: str) -> str:
    """The archive of run id ``run``, or of the one run id it is a unique prefix of."""
    exact = archive_name(run)
    stem = exact[: -len(ARCHIVE_SUFFIX)]
    try:
        names = sorted(n for n in os.listdir(directory) if is_archive(n))
    except OSError:
        names = []
    for name in (exact, stem + OLD_SUFFIX):
        if name in names:
            return os.path.join(directory, name)
    found = [n for n in names if n.startswith(stem)]
    if len(found) == 1:
        return os.path.join(directory, found[0])
    if found:
        runs = ", ".join(n.rsplit(".", 1)[0] for n in found[:10])
        raise UsageError(f"{run!r} is the start of {len(found)} runs' ids in {directory} "
                         f"({runs}): give more of it")  # fmt: skip
    raise UsageError(f"no archive of run {run} in {directory} (and no serve to ask)")


def read_archive(path: str, upto: int | None = None) -> Iterator[tuple[bytes, bytes]]:
    """The (kind, bytes) records of an archive, in order (its first ``upto`` bytes)."""
    with open(path, "rb") as f:
        data = f.read() if upto is None else f.read(upto)
    at = 0
    while at + 5 <= len(data):
        size = int.from_bytes(data[at + 1 : at + 5], "big")
        if at + 5 + size > len(data):
            break  # a record cut by a crash: the rest was never sent either
        yield data[at : at + 1], data[at + 5 : at + 5 + size]
        at += 5 + size


class Stream:
    """A text stream with a binary ``.buffer``, as :class:`kubeclip.run.output.Output` and
    the drop-in write them; ``kind`` is protocol.STDOUT or protocol.STDERR."""

    def __init__(self, session: Session, kind: bytes) -> None:
        self.session = session
        self.kind = kind
        self.buffer = self

    def write(self, data: str | bytes) -> int:
        raw = data.encode("utf-8", "surrogateescape") if isinstance(data, str) else bytes(data)
        if raw:
            self.session.output(self.kind, raw)
        return len(data)

    def flush(self) -> None:
        pass


class Progress:
    """kubeclip's own lines: sent live to the relay (which decides where they go)."""

    def __init__(self, session: Session) -> None:
        self.session = session

    def write(self, text: str) -> int:
        for line in text.splitlines():
            self.session.send(protocol.PROGRESS, line.encode("utf-8", "replace"))
        return len(text)

    def flush(self) -> None:
        pass


# How far a `kubeclip logs -f` reader may fall behind the run before it is dropped.
WATCHER_BACKLOG = 16 * 1024 * 1024
WATCHER_GRACE = 30.0  # seconds a let-go reader has to read what was queued for it


class Watcher:
    """A `kubeclip logs -f` reader. The run's output reaches it through its own queue and
    thread, so that a reader who stops reading (a paused terminal, a pager) never stalls the
    run (whose own relay keeps back-pressure); one WATCHER_BACKLOG behind is told and let go.
    """

    def __init__(self, sock: socket.socket) -> None:
        self.sock = sock
        self.frames: queue.Queue[bytes | None] = queue.Queue()
        self.backlog = 0  # bytes queued, not yet sent
        self.counting = threading.Lock()
        self.dropped = False
        self.done = threading.Event()

    def offer(self, frame: bytes) -> None:
        """Called under the session's lock: never blocks."""
        if self.dropped:
            return
        with self.counting:
            behind = self.backlog + len(frame) > WATCHER_BACKLOG
            if not behind:
                self.backlog += len(frame)
        if behind:
            self.dropped = True
            self.frames.put(protocol.frame(protocol.STDERR, b"kubeclip: this reader fell "
                                           b"behind the run and was let go; run `kubeclip "
                                           b"logs` again\n"))  # fmt: skip
            self.frames.put(protocol.frame(protocol.EXIT, b"1"))
            self.frames.put(None)
            # one that reads nothing at all is hung up on, so its thread ends too
            hang_up = threading.Timer(WATCHER_GRACE, self._hang_up)
            hang_up.daemon = True
            hang_up.start()
            return
        self.frames.put(frame)

    def _hang_up(self) -> None:
        if not self.done.is_set():
            try:
                self.sock.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass

    def close(self, end: bytes) -> None:
        if not self.dropped:
            self.dropped = True
            self.frames.put(protocol.frame(protocol.EXIT, end))
            self.frames.put(None)

    def start(self) -> None:
        threading.Thread(target=self._pump, name="kubeclip-logs-reader", daemon=True).start()

    def _pump(self) -> None:
        try:
            while (frame := self.frames.get()) is not None:
                self.sock.sendall(frame)
                with self.counting:
                    self.backlog -= len(frame)
        except OSError:
            self.dropped = True
        finally:
            self.done.set()


class Session:
    def __init__(
        self,
        run_id: str,
        invocation: dict[str, Any],
        archive: str,
        key: str | None = None,
        handle: RunHandle | None = None,
    ) -> None:
        self.run_id = run_id
        self.key = key or run_id  # serve's key: the run id and its invocation's digest
        self.handle = handle or RunHandle()  # the run: its cancel and its status
        self.invocation = invocation
        self.archive_path = archive
        self.started = time.time()
        self.ended: float | None = None
        self.lock = threading.Lock()
        self.done = threading.Event()
        self.end: bytes | None = None  # the EXIT payload
        self.result: bytes | None = None  # the RESULT payload
        self.kept: dict[str, Any] | None = None  # the `ps` row of a finished run
        self._kept_bytes: int | None = None
        self.client: socket.socket | None = None
        self.skip = {protocol.STDOUT: 0, protocol.STDERR: 0}
        self.watchers: list[Watcher] = []  # `kubeclip logs -f`
        self.stdout = Stream(self, protocol.STDOUT)
        self.stderr = Stream(self, protocol.STDERR)
        self.progress = Progress(self)
        # a new session starts the run's archive anew (a restarted serve replays the run)
        self._archive = open(archive, "wb", buffering=0)  # noqa: SIM115 - the session's life

    # --- output -----------------------------------------------------------------------
    def output(self, kind: bytes, data: bytes) -> None:
        """The agent's bytes: archived, then sent (a slow relay slows the run's log stream,
        as a slow reader of our stdout does in-process: back-pressure, never a loss)."""
        with self.lock:
            self._archive.write(protocol.frame(kind, data))
            if self.client is not None:
                self._send_skipping(kind, data)
            for watcher in self.watchers:
                watcher.offer(protocol.frame(kind, data))

    def _send_skipping(self, kind: bytes, data: bytes) -> None:
        skip = self.skip[kind]
        if skip:
            cut = min(skip, len(data))
            self.skip[kind] -= cut
            data = data[cut:]
        client = self.client
        if data and client is not None and not self._to(client, protocol.frame(kind, data)):
            self.client = None

    def _to(self, sock: socket.socket, payload: bytes) -> bool:
        try:
            sock.sendall(payload)
            return True
        except OSError:
            return False

    def send(self, kind: bytes, payload: bytes) -> None:
        """A frame for the relay only (progress, result, end): not archived."""
        with self.lock:
            client = self.client
            if client is not None and not self._to(client, protocol.frame(kind, payload)):
                self.client = None

    # --- relays -----------------------------------------------------------------------
    def attach(self, sock: socket.socket, offsets: dict[str, int]) -> None:
        """``sock`` becomes the run's relay: the archive from ``offsets`` on, then live."""
        with self.lock:
            self.client = sock
            self.skip = {
                protocol.STDOUT: int(offsets.get("stdout", 0)),
                protocol.STDERR: int(offsets.get("stderr", 0)),
            }
            for kind, data in read_archive(self.archive_path):
                self._send_skipping(kind, data)
                if self.client is None:
                    return
            if self.end is not None:
                self._finish_client()

    def detach(self, sock: socket.socket) -> None:
        with self.lock:
            if self.client is sock:
                self.client = None

    def watch(self, sock: socket.socket, follow: bool) -> Watcher | None:
        """``kubeclip logs``: the archive, then (``follow``) the live output to the end; the
        watcher of a live run (wait for its ``done``), else None once all is sent. The
        archive is replayed at the reader's pace outside the lock: the run goes on."""
        with self.lock:
            upto = self._archive.tell() if not self._archive.closed else None
            watcher = Watcher(sock) if follow and self.end is None else None
            if watcher is not None:
                self.watchers.append(watcher)  # live frames queue up from here
            end = self.end
        for kind, data in read_archive(self.archive_path, upto):
            if not self._to(sock, protocol.frame(kind, data)):
                if watcher is not None:
                    with self.lock:
                        self.watchers.remove(watcher)
                return None
        if watcher is None:
            self._to(sock, protocol.frame(protocol.EXIT, end or b"0"))
            return None
        watcher.start()
        return watcher

    def cancel(self, signal_name: str) -> None:
        if self.handle.cancel_signal is None:  # the first cancel is the one the run ends by
            self.handle.cancel(signal_name)

    def finish(self, code: int, signal_name: str | None, result: bytes | None) -> None:
        """The run ended: what a reconnecting relay and ``kubeclip ps`` need is kept (the
        row, the result, the exit), the rest let go — the runner with its plan, readers and
        pod, the invocation with its prompt — so that a finished run costs serve
        :meth:`kept_bytes`, not what it took to run."""
        self.kept = self.row()
        self.invocation = {}
        with self.lock:
            self.ended = time.time()
            self.result = result
            self.end = f"{code} {signal_name}".encode() if signal_name else str(code).encode()
            self._archive.close()
            if self.client is not None:
                self._finish_client()
            for watcher in self.watchers:
                watcher.close(self.end)
            self.watchers.clear()
        self.done.set()

    def _finish_client(self) -> None:
        assert self.client is not None and self.end is not None
        if self.result is not None:
            self._to(self.client, protocol.frame(protocol.RESULT, self.result))
        self._to(self.client, protocol.frame(protocol.EXIT, self.end))

    # --- for `kubeclip ps` --------------------------------------------------------------
    def kept_bytes(self) -> int:
        """Roughly what a finished run holds in serve: its result, its row, the objects.
        Counted once (serve sums it over every finished run at each new run, under its lock)."""
        if self._kept_bytes is None:
            self._kept_bytes = len(self.result or b"") + len(json.dumps(self.kept or {})) + 2048
        return self._kept_bytes

    def row(self) -> dict[str, Any]:
        if self.kept is not None:
            return {**self.kept, "phase": "done", "age": round(time.time() - self.started),
                    "attached": self.client is not None}  # fmt: skip
        env = self.invocation.get("env") or {}
        status = self.handle.status()
        return {
            "run": self.run_id,
            "agent": env.get("PAPERCLIP_AGENT_ID", ""),
            "task": env.get("PAPERCLIP_TASK_ID", ""),
            "phase": "done" if self.end is not None else status.stage,
            "age": round(time.time() - self.started),
            "job": status.job,
            "pod": status.pod,
            "node": status.node,
            "attached": self.client is not None,
        }


def log_dir() -> str:
    """Where run archives go: $KUBECLIP_LOG_DIR, else the shared claim, else the user's."""
    explicit = os.environ.get("KUBECLIP_LOG_DIR")
    if explicit:
        return explicit
    if os.access("/paperclip", os.W_OK):
        return "/paperclip/.kubeclip/logs"
    state = os.environ.get("XDG_STATE_HOME") or os.path.expanduser("~/.local/state")
    return os.path.join(state, "kubeclip", "logs")
