"""Lossless, duplicate-free log following across cut streams (the API's sinceTime has
second precision, so every reconnect replays part of the last second)."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from kubeclip.cluster.logs import LineDeduper, parse_ts, since_time

BASE = 1_795_597_200  # 2026-11-25T09:00:00Z


def ts(ns: int) -> bytes:
    import time

    sec, frac = divmod(ns, 1_000_000_000)
    text = time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(sec))
    frac_text = f"{frac:09d}".rstrip("0")  # RFC3339Nano trims zeros, like the kubelet
    return (text + (f".{frac_text}" if frac_text else "") + "Z").encode()


def server(lines: list[tuple[int, bytes]], since: str | None) -> bytes:
    """What the API returns for follow+timestamps(+sinceTime): lines at or after the second."""
    start = 0 if since is None else parse_ts(since.encode())
    return b"".join(ts(n) + b" " + c + b"\n" for n, c in lines if n >= start)


LINE = st.binary(max_size=40).map(lambda b: b.replace(b"\n", b"~"))


@st.composite
def transcripts(draw: st.DrawFn) -> list[tuple[int, bytes]]:
    steps = draw(st.lists(st.sampled_from([0, 0, 1, 999, 10**6, 7 * 10**8, 10**9]), max_size=60))
    out, t = [], BASE * 10**9
    for step in steps:
        t += step
        out.append((t, draw(LINE)))
    return out


@settings(max_examples=300, deadline=None)
@given(transcripts(), st.lists(st.integers(min_value=0, max_value=5000), max_size=6))
def test_reconnects_lose_nothing_and_repeat_nothing(
    lines: list[tuple[int, bytes]], cuts: list[int]
) -> None:
    out: list[bytes] = []
    dedupe = LineDeduper(out.append)
    for cut in cuts:  # each connection is cut after `cut` bytes, possibly mid-line
        body = server(lines, dedupe.reconnecting())
        dedupe.feed(body[:cut])
    body = server(lines, dedupe.reconnecting())
    dedupe.feed(body)
    dedupe.finish()
    assert b"".join(out) == b"".join(c + b"\n" for _, c in lines)


def test_final_line_without_newline_is_emitted_at_the_end() -> None:
    out: list[bytes] = []
    dedupe = LineDeduper(out.append)
    dedupe.feed(ts(BASE * 10**9) + b' {"type":"text"}\n' + ts(BASE * 10**9 + 5) + b" tail")
    assert b"".join(out) == b'{"type":"text"}\n'
    dedupe.finish()
    assert b"".join(out) == b'{"type":"text"}\ntail'


def test_since_time_is_the_second_of_the_last_line() -> None:
    assert since_time(parse_ts(b"2026-11-25T09:00:07.999999999Z")) == "2026-11-25T09:00:07Z"
    assert parse_ts(b"2026-11-25T09:00:00Z") == BASE * 10**9
    assert parse_ts(b"2026-11-25T09:00:00.5Z") == BASE * 10**9 + 500_000_000


@settings(max_examples=100, deadline=None)
@given(transcripts(), st.integers(min_value=1, max_value=64))
def test_any_chunking_gives_the_same_bytes(lines: list[tuple[int, bytes]], size: int) -> None:
    body = server(lines, None)
    out: list[bytes] = []
    dedupe = LineDeduper(out.append)
    for i in range(0, len(body), size):
        dedupe.feed(body[i : i + size])
    dedupe.finish()
    assert b"".join(out) == b"".join(c + b"\n" for _, c in lines)


def kubelet_ts(ns: int) -> bytes:
    """The kubelet's output format: fixed nine fraction digits."""
    import time

    sec, frac = divmod(ns, 1_000_000_000)
    return (time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(sec)) + f".{frac:09d}Z").encode()


def as_partials(content: bytes, first_ns: int, size: int) -> bytes:
    """A long line as the kubelet streams it: every partial entry with its own timestamp."""
    pieces = [content[i : i + size] for i in range(0, max(len(content), 1), size)]
    return b"".join(kubelet_ts(first_ns + i * 1000) + b" " + p for i, p in enumerate(pieces))


@settings(max_examples=60)
@given(
    n=st.integers(min_value=0, max_value=70_000),
    size=st.sampled_from([16384, 8192]),
    fill=st.sampled_from(["é", "x", "€", "2026-12-02T00:00:00Z ", '{"a": "\\u00e9"}']),
)
def test_long_lines_lose_their_inner_timestamps_and_nothing_else(
    n: int, size: int, fill: str
) -> None:
    content = ("a" + fill * n).encode()[:n]
    out: list[bytes] = []
    deduper = LineDeduper(out.append)
    deduper.feed(as_partials(content, BASE * 1_000_000_000, size) + b"\n")
    assert b"".join(out) == content + b"\n"


def test_a_timestamp_in_the_agents_own_output_is_kept() -> None:
    line = b"x" * 100 + kubelet_ts(BASE * 1_000_000_000 + 5) + b" y" * 9000
    out: list[bytes] = []
    LineDeduper(out.append).feed(kubelet_ts(BASE * 1_000_000_000) + b" " + line + b"\n")
    assert b"".join(out) == line + b"\n"


def test_what_the_kubelet_writes_into_the_stream_is_never_the_agents_output() -> None:
    # A real kubelet 1.20 following a container that a deadline or a cancel killed ends the
    # HTTP 200 stream with its own error text, without a timestamp (seen on the real node).
    out: list[bytes] = []
    said: list[bytes] = []
    dedupe = LineDeduper(out.append, said.append)
    rpc = b'rpc error: code = NotFound desc = an error occurred when try to find container "ab12": not found'  # noqa: E501
    dedupe.feed(ts(BASE * 10**9) + b" working\n" + rpc + b"\n")
    dedupe.finish()
    assert b"".join(out) == b"working\n"
    assert said == [rpc]
