"""The relay <-> serve wire protocol: length-prefixed frames over a Unix socket.

A frame is one kind byte, a 4-byte big-endian length and the payload. Stdlib only and
no JSON parsing on the relay side: the relay encodes its request as JSON (json is nearly
free next to the ``re`` its console script imports) and only ever reads bytes back.

relay -> serve
  ``R`` a run: JSON {"invocation": …, "offsets": {"stdout": n, "stderr": n}}; the offsets
        say how many bytes of each stream the relay has already written (a reconnect
        after ``serve`` restarted: those bytes are not sent again)
  ``C`` cancel the run: the signal's name (SIGTERM, SIGINT)
  ``Q`` list the active runs (``kubeclip ps``); ``L`` a run's output: JSON {"run", "follow"}
  ``K`` check the cluster for an agent config (Paperclip's "Test environment"): JSON
        {"config": {...}, "namespace": …}; answered with ``T``: ``kubeclip check --json``
serve -> relay
  ``O``/``E`` the agent's stdout/stderr bytes; ``P`` a progress line of kubeclip's own
  ``F`` the run's result as JSON (for KUBECLIP_RESULT_FILE); ``T`` the answer to ``Q``
  ``X`` the end: ASCII "<exit code>" or "<exit code> <SIGNAL>" (the run ended by it)
"""

from __future__ import annotations

import os

TYPE_CHECKING = False
if TYPE_CHECKING:
    import _socket

RUN, CANCEL, QUERY, LOGS, CHECK = b"R", b"C", b"Q", b"L", b"K"
STDOUT, STDERR, PROGRESS, RESULT, TABLE, EXIT = b"O", b"E", b"P", b"F", b"T", b"X"
MAX_FRAME = 64 << 20  # a request with a large prompt still fits; garbage does not


def frame(kind: bytes, payload: bytes) -> bytes:
    return kind + len(payload).to_bytes(4, "big") + payload


def default_socket() -> str:
    """$KUBECLIP_SERVE_SOCKET, else a per-user directory nobody else can enter."""
    explicit = os.environ.get("KUBECLIP_SERVE_SOCKET")
    if explicit:
        return explicit
    base = os.environ.get("XDG_RUNTIME_DIR") or "/tmp"
    return os.path.join(base, f"kubeclip-{os.getuid()}", "serve.sock")


class FrameReader:
    """Frames from a socket; None at a clean end of stream."""

    def __init__(self, sock: _socket.socket) -> None:
        self.sock = sock
        self.buf = bytearray()

    def _fill(self, n: int) -> bool:
        while len(self.buf) < n:
            chunk = self.sock.recv(max(65536, n - len(self.buf)))
            if not chunk:
                return False
            self.buf += chunk
        return True

    def read(self) -> tuple[bytes, bytes] | None:
        if not self._fill(5):
            if self.buf:
                raise ConnectionError("the connection ended inside a frame")
            return None
        kind = bytes(self.buf[:1])
        size = int.from_bytes(self.buf[1:5], "big")
        if size > MAX_FRAME:
            raise ConnectionError(f"frame of {size} bytes refused")
        if not self._fill(5 + size):
            raise ConnectionError("the connection ended inside a frame")
        payload = bytes(self.buf[5 : 5 + size])
        del self.buf[: 5 + size]
        return kind, payload
