"""The relay <-> serve wire protocol: length-prefixed frames over a Unix socket.

A frame is one kind byte, a 4-byte big-endian length and the payload. Stdlib only and
no JSON parsing on the relay side: the relay encodes its request with :func:`to_json`
(the ``json`` package imports ``re`` and ``enum``: 6 ms of each relay's start, which a
burst of 100 relays on 2 cores waits for 100 times) and only ever reads bytes back.

relay -> serve
  ``R`` a run: JSON {"invocation": …, "offsets": {"stdout": n, "stderr": n}}; the offsets
        say how many bytes of each stream the relay has already written (a reconnect
        after ``serve`` restarted: those bytes are not sent again)
  ``G`` a run as ``kubeclip-opencode``'s C start (front.c) gathered it: raw bytes that
        ``invocation.from_raw`` decodes (no offsets: nothing is written yet)
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
    from collections.abc import Callable

RUN, GATHERED, CANCEL, QUERY, LOGS, CHECK = b"R", b"G", b"C", b"Q", b"L", b"K"
STDOUT, STDERR, PROGRESS, RESULT, TABLE, EXIT = b"O", b"E", b"P", b"F", b"T", b"X"
MAX_FRAME = 64 << 20  # a request with a large prompt still fits; garbage does not


def to_json(value: object) -> bytes:
    """``json.dumps(value).encode()``, byte for byte (ASCII: non-ASCII and lone surrogates
    escaped), for the plain data a run is (dicts with string keys, lists, strings, ints,
    bools, None), with json's own C string encoder and without importing ``json``."""
    try:
        from _json import encode_basestring_ascii
    except ImportError:  # a Python built without its C accelerator
        return _json_dumps(value)
    quote: Callable[[str], str] = encode_basestring_ascii
    parts: list[str] = []

    def put(v: object) -> bool:
        if isinstance(v, str):
            parts.append(quote(v))
        elif v is None or v is True or v is False:
            parts.append("null" if v is None else "true" if v else "false")
        elif type(v) is int:
            parts.append(int.__repr__(v))
        elif isinstance(v, dict):
            parts.append("{")
            for i, (k, item) in enumerate(v.items()):
                if not isinstance(k, str):
                    return False
                parts.append((", " if i else "") + quote(k) + ": ")
                if not put(item):
                    return False
            parts.append("}")
        elif isinstance(v, list | tuple):
            parts.append("[")
            for i, item in enumerate(v):
                parts.append(", " if i else "")
                if not put(item):
                    return False
            parts.append("]")
        else:
            return False  # floats, subclasses, anything else: json itself says it
        return True

    return "".join(parts).encode("ascii") if put(value) else _json_dumps(value)


def _json_dumps(value: object) -> bytes:
    import json

    return json.dumps(value).encode()


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
    """Frames from a socket; None at a clean end of stream. ``wait``, if given, is called
    before each receive: it returns once the socket can be read (the relay's wait also
    wakes for a signal, see relay.py)."""

    def __init__(self, sock: _socket.socket, wait: Callable[[], None] | None = None) -> None:
        self.sock = sock
        self.buf = bytearray()
        self.wait = wait

    def _fill(self, n: int) -> bool:
        while len(self.buf) < n:
            if self.wait is not None:
                self.wait()
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
