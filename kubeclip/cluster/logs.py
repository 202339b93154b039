"""Lossless log following: reconnect from the last line seen, never emit a line twice.

The API's ``sinceTime`` has one-second precision, so a reconnect replays the second of
the last line. With ``timestamps=true`` every line carries the kubelet's RFC3339Nano
timestamp; lines before the last seen timestamp are dropped, and of the lines *at* it,
as many as were already emitted. Partial lines (a stream cut mid-line) are never
emitted until the rest arrives after the reconnect.

The hot path is bytes-only: one ``split`` per chunk and one ``partition`` per line; the
timestamp is parsed only while catching up after a reconnect.

Long lines: container runtimes store a line longer than their buffer as several *partial*
entries (containerd and Docker: 16 KiB each; CRI-O's conmon: 8 KiB), and with
``timestamps=true`` the kubelet prefixes **every** entry with its own timestamp, so a 40 KiB
line arrives as ``TS1 <16 KiB>TS2 <16 KiB>TS3 <rest>\n``. :func:`join_partials` removes the
inner timestamps: a boundary is recognised only at exactly those sizes, and only where a
kubelet timestamp (fixed nine fraction digits, UTC) that is not older than the line's own
stands. Bytes are never decoded, so a character split across entries is joined intact. The
one output this cannot tell apart: an agent line that itself holds a kubelet-format timestamp
(nine fraction digits, ``Z``, a space) at exactly such a boundary.

Lines with no timestamp are not the container's: with ``timestamps=true`` the kubelet
prefixes every entry the runtime stored, and what it writes into the stream itself has none.
A real kubelet following a container that is killed and removed (a deadline, a cancel) ends
the HTTP 200 stream with ``rpc error: code = NotFound desc = an error occurred when try to
find container "…": not found``: that goes to ``notice``, never into the agent's output.
"""

from __future__ import annotations

import calendar
import re
from collections.abc import Callable, Iterable

# containerd and Docker split at max_container_log_line_size; CRI-O at its 8 KiB buffer
PARTIAL_SIZES: tuple[int, ...] = (16384, 8192)
# The pod's runner script prefixes each line of the agent's stderr with this (RS "E"): the
# log API merges the container's streams and this is how they are told apart again.
STDERR_MARK = b"\x1eE"


def split_streams(data: bytes) -> tuple[bytes, bytes]:
    """(stdout, stderr) bytes of whole log lines; the marks are removed."""
    if STDERR_MARK not in data:
        return data, b""
    out: list[bytes] = []
    err: list[bytes] = []
    start = 0
    while start < len(data):  # only \n ends a line; \r is content
        end = data.find(b"\n", start) + 1 or len(data)
        if data.startswith(STDERR_MARK, start):
            err.append(data[start + len(STDERR_MARK) : end])
        else:
            out.append(data[start:end])
        start = end
    return b"".join(out), b"".join(err)


_TS = re.compile(rb"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{9}Z ")
_TS_LEN = 31  # "2026-12-02T00:22:58.604752804Z "
_TS_START = re.compile(rb"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d")  # RFC3339, any precision


def parse_ts(ts: bytes) -> int:
    """RFC3339(Nano) timestamp -> integer nanoseconds since the epoch (UTC only)."""
    text = ts.decode("ascii")
    if text.endswith("Z"):
        text = text[:-1]
    main, _, frac = text.partition(".")
    seconds = calendar.timegm(
        (int(main[0:4]), int(main[5:7]), int(main[8:10]), int(main[11:13]),
         int(main[14:16]), int(main[17:19]), 0, 0, 0)
    )  # fmt: skip
    return seconds * 1_000_000_000 + int((frac + "000000000")[:9] or 0)


def join_partials(content: bytes, line_ts: bytes) -> bytes:
    """A long line's content with the timestamps of its partial entries taken out."""
    pieces: list[bytes] = []
    previous = line_ts
    rest = content
    sizes: tuple[int, ...] = PARTIAL_SIZES
    while len(rest) >= sizes[-1] + _TS_LEN:
        for size in sizes:
            candidate = rest[size : size + _TS_LEN]
            if (
                len(candidate) == _TS_LEN
                and _TS.fullmatch(candidate)
                and candidate[:-1] >= previous  # fixed width, UTC: bytes order is time order
            ):
                pieces.append(rest[:size])
                previous = candidate[:-1]
                rest = rest[size + _TS_LEN :]
                sizes = (size,)  # one runtime wrote the whole line
                break
        else:
            break
    if not pieces:
        return content
    pieces.append(rest)
    return b"".join(pieces)


def since_time(ns: int) -> str:
    """The second the ``ns`` timestamp falls in, as the API's sinceTime wants it."""
    import time

    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(ns // 1_000_000_000))


class LineDeduper:
    """Feeds timestamped log bytes in, emits the container's bytes out, exactly once."""

    def __init__(
        self, emit: Callable[[bytes], None], notice: Callable[[bytes], None] | None = None
    ) -> None:
        self.emit = emit
        self.notice = notice  # the kubelet's own words in the stream (no timestamp)
        self.last_ts = b""  # raw timestamp of the last emitted line
        self.last_ns = -1
        self.at_last = 0  # lines emitted with timestamp == last_ts
        self.lines = 0
        self._pieces: list[bytes] = []  # an unfinished line, as received
        self._catching_up = False
        self._replayed_at_last = 0

    def reconnecting(self) -> str | None:
        """Call before a new stream; returns the sinceTime to ask for (None: from start)."""
        self._pieces = []  # the rest of a cut line comes again, whole
        self._catching_up = self.lines > 0
        self._replayed_at_last = 0
        if self.last_ts and self.last_ns < 0:
            self.last_ns = parse_ts(self.last_ts)
        return since_time(self.last_ns) if self.lines else None

    def feed(self, chunk: bytes) -> None:
        end = chunk.rfind(b"\n") + 1
        if not end:  # still inside a line: keep the piece, join once when the line is whole
            if chunk:
                self._pieces.append(chunk)
            return
        if self._pieces or end < len(chunk):
            data = b"".join([*self._pieces, chunk[:end]])
            self._pieces = [chunk[end:]] if end < len(chunk) else []
        else:
            data = chunk  # the common case: whole lines, no copy
        lines = data.split(b"\n")
        lines.pop()  # b"": data ends with a newline
        out: list[bytes] = []
        for line in lines:
            self._line(line, out)
        if out:
            self.emit(b"".join(out))

    def finish(self) -> None:
        """The container ended: a last line without a newline is still output."""
        if self._pieces:
            out: list[bytes] = []
            self._line(b"".join(self._pieces), out, newline=False)
            self._pieces = []
            if out:
                self.emit(b"".join(out))

    def _line(self, line: bytes, out: list[bytes], newline: bool = True) -> None:
        ts, sep, content = line.partition(b" ")
        if not sep or not _TS_START.match(ts):
            if line and self.notice is not None:
                self.notice(line)
            return
        if len(content) >= PARTIAL_SIZES[-1] + _TS_LEN:
            content = join_partials(content, ts)
        if self._catching_up and ts:
            ns = parse_ts(ts)
            if ns < self.last_ns:
                return
            if ns == self.last_ns:
                self._replayed_at_last += 1
                if self._replayed_at_last <= self.at_last:
                    return
            self._catching_up = False
        if ts == self.last_ts:
            self.at_last += 1
        else:
            self.last_ts, self.last_ns, self.at_last = ts, -1, 1
        self.lines += 1
        out.append(content + b"\n" if newline else content)

    def feed_all(self, chunks: Iterable[bytes]) -> None:
        for chunk in chunks:
            self.feed(chunk)
