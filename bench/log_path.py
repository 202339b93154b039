#!/usr/bin/env python3
"""Log-path benchmark: a pod log stream through kubeclip to its stdout.

A fake API server (stdlib, HTTP/1.1, chunked, TCP_NODELAY) on 127.0.0.1 answers
``GET /api/v1/namespaces/bench/pods/agent-pod/log?follow=true&timestamps=true`` with
kubelet-style lines (``<RFC3339Nano> <JSONL>``). A child process runs kubeclip's real
log path on it -- ``kubernetes.client.ApiClient`` -> ``kubeclip.cluster.kube.Kube`` ->
``kubeclip.cluster.follow.follow_logs`` -> ``LineDeduper`` -> ``Output.log`` -> its stdout, a
pipe this process reads. Targets (the project's issue note):

    latency     added latency per line (median, p99, max)       <= 50 ms
    throughput  JSONL bytes out of kubeclip, first to last byte >= 20 MiB/s
    memory      child VmRSS growth, after 50 MiB -> end of 1 GiB <= 10 MiB

Modes: ``latency`` (one line every 10 ms, each carrying its send time in ns; the
arrival time on the pipe minus the send time is the added latency) and ``throughput``
(the server streams pre-built ~64 KiB chunks of OpenCode-like JSONL lines as fast as
it can; ``memory`` samples the child's /proc/<pid>/status during that same run). Both
check that the bytes out are exactly the JSONL sent, timestamps stripped (a running
SHA-256 and byte count, nothing stored).

    python bench/log_path.py                        # all modes, 1 GiB, table
    python bench/log_path.py --mode latency --json
    python bench/log_path.py --mb 256 --profile /tmp/child.prof   # cProfile the child
    python bench/log_path.py --mode throughput --split-lines      # chunks end mid-line
    python bench/log_path.py --mode throughput --chunk-bytes 1    # one line per chunk

Units: MiB (2**20 bytes) throughout. The throughput stream stops early (cleanly) after
``--time-limit`` seconds; the report then says how much was streamed. Stdlib only,
plus kubeclip and kubernetes in the child. Not a test: ``--check`` exits 1 on a FAIL.
"""

from __future__ import annotations

import argparse
import hashlib
import io
import json
import os
import platform
import random
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, Protocol
from urllib.parse import parse_qs, unquote, urlsplit

REPO_ROOT = Path(__file__).resolve().parent.parent
MIB = 1 << 20
NAMESPACE = "bench"
POD = "agent-pod"
CONTAINER = "agent"
LOG_PATH = f"/api/v1/namespaces/{NAMESPACE}/pods/{POD}/log"
CHUNK_TARGET = 64 * 1024  # default payload bytes per HTTP chunk in throughput mode
DISTINCT_BYTES = 4 * MIB  # pre-built chunks hold this much distinct content, rotated
CHILD_TAG = "BENCH-CHILD "

TARGET_LATENCY_MS = 50.0
TARGET_THROUGHPUT_MIBS = 20.0
TARGET_RSS_GROWTH_MIB = 10.0
RSS_BASELINE_MIB = 50

Write = Callable[[bytes], object]


class BenchError(Exception):
    """A fatal, user-facing error."""


# --- timestamps ---------------------------------------------------------------------------
def rfc3339nano(ns: int) -> bytes:
    """Go's time.RFC3339Nano, as the kubelet writes it: trailing zeros of the fraction cut."""
    sec, frac = divmod(ns, 1_000_000_000)
    main = time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(sec))
    digits = f"{frac:09d}".rstrip("0")
    return f"{main}.{digits}Z".encode() if digits else f"{main}Z".encode()


def chunk(payload: bytes | memoryview) -> bytes:
    return b"".join((b"%x\r\n" % len(payload), payload, b"\r\n"))


# --- the stream sources -------------------------------------------------------------------
class Source(Protocol):
    def stream(self, write: Write) -> None: ...


@dataclass
class LatencySource:
    """One line per HTTP chunk every ``interval`` seconds, stamped with its send time."""

    lines: int
    interval: float
    sent: list[bytes] = field(default_factory=list)  # the JSONL lines, without timestamps

    def stream(self, write: Write) -> None:
        rng = random.Random(7)
        start = time.monotonic() + self.interval
        for seq in range(self.lines):
            delay = start + seq * self.interval - time.monotonic()
            if delay > 0:
                time.sleep(delay)
            ns = time.time_ns()
            words = " ".join(rng.choice(WORDS) for _ in range(rng.randint(8, 30)))
            body = _dumps(
                {
                    "type": "text",
                    "t": ns,
                    "seq": seq,
                    "sessionID": "ses_bench",
                    "part": {"type": "text", "text": words},
                }
            )
            write(chunk(rfc3339nano(ns) + b" " + body + b"\n"))
            self.sent.append(body + b"\n")


@dataclass
class Template:
    """A pre-built HTTP chunk, minus the per-chunk part of its lines' timestamps.

    ``parts`` joined with the 23-byte ``YYYY-MM-DDTHH:MM:SS.mmm`` of a chunk is the
    whole wire chunk: ``[size\\r\\n, 'nnnnn1Z ' line 0, 'nnnnn1Z ' line 1, ...\\r\\n]``,
    so each chunk costs the server one ``bytes.join`` -- no per-line Python work.
    """

    parts: list[bytes]
    jsonl: bytes  # the chunk's lines without timestamps: what kubeclip must output
    lines: int


@dataclass
class ThroughputStats:
    chunks: int = 0
    lines: int = 0
    wire_bytes: int = 0
    jsonl_bytes: int = 0
    first_send: float = 0.0
    last_send: float = 0.0
    build_s: float = 0.0  # time spent making chunks (join)
    blocked_s: float = 0.0  # time spent in sendall (backpressure from the reader)
    stopped_by_time_limit: bool = False
    error: str = ""


class ThroughputSource:
    """Streams ``total`` bytes of JSONL as fast as the socket takes them."""

    def __init__(
        self, total: int, time_limit: float, chunk_bytes: int, split: bool, seed: int = 1
    ) -> None:
        self.total = total
        self.time_limit = time_limit
        self.split = split  # cut each payload mid-line into two HTTP chunks
        self.templates = build_templates(random.Random(seed), chunk_bytes)
        self.stats = ThroughputStats()
        self.base_second = int(time.time())

    def _sep(self, k: int, cache: dict[int, bytes]) -> bytes:
        second = self.base_second + k // 1000  # 1000 chunks a second, 1 ms apart
        prefix = cache.get(second)
        if prefix is None:
            cache.clear()
            prefix = cache[second] = time.strftime(
                "%Y-%m-%dT%H:%M:%S", time.gmtime(second)
            ).encode()
        return prefix + b".%03d" % (k % 1000)

    def stream(self, write: Write) -> None:
        st, templates, n = self.stats, self.templates, len(self.templates)
        cache: dict[int, bytes] = {}
        clock = time.perf_counter
        st.first_send = clock()
        deadline = st.first_send + self.time_limit
        k = 0
        while st.jsonl_bytes < self.total:
            t0 = clock()
            if t0 > deadline:
                st.stopped_by_time_limit = True
                break
            tpl = templates[k % n]
            wire = self._sep(k, cache).join(tpl.parts)
            if self.split:  # as the API server relays the kubelet: chunks end anywhere
                payload = memoryview(wire)[len(tpl.parts[0]) : -2]
                cut = 1 + (k * 7919) % (len(payload) - 1) if len(payload) > 1 else 1
                wire = chunk(payload[:cut]) + chunk(payload[cut:])
            t1 = clock()
            write(wire)
            st.blocked_s += clock() - t1
            st.build_s += t1 - t0
            st.wire_bytes += len(wire)
            st.jsonl_bytes += len(tpl.jsonl)
            st.lines += tpl.lines
            k += 1
        st.chunks = k
        st.last_send = clock()

    def expected_digest(self) -> str:
        """SHA-256 of the JSONL of every chunk sent (computed after the timed run)."""
        h = hashlib.sha256()
        for k in range(self.stats.chunks):
            h.update(self.templates[k % len(self.templates)].jsonl)
        return h.hexdigest()


# --- realistic OpenCode-like events -------------------------------------------------------
_PROSE = (
    "the function returns a dict of pods keyed by name; I will read kubeclip/runner.py "
    "first, then run the tests. Looking at `follow_logs` -> LineDeduper.feed(): the "
    "partial line is kept until the newline arrives. Let me check the Helm chart's Role "
    "and the renderer. Done \u2713 \u2014 r\u00e9sum\u00e9 of changes: 3 files, +42/-7. "
    "error: AssertionError in tests/test_logs.py::test_reconnect line 118 expected 'ok' got None"
)
WORDS = _PROSE.split(" ")  # with some non-ASCII: agents' output is UTF-8
TOOLS = ("bash", "read", "edit", "grep", "glob", "write", "todowrite")


def _dumps(obj: Any) -> bytes:
    return json.dumps(obj, ensure_ascii=False, separators=(",", ":")).encode()


def _text(rng: random.Random, size: int) -> str:
    out: list[str] = []
    length = 0
    while length < size:
        w = rng.choice(WORDS)
        if rng.random() < 0.06:
            w += "\n"
        elif rng.random() < 0.02:
            w = f'"{w}"'
        out.append(w)
        length += len(w) + 1
    return " ".join(out)


def _ids(rng: random.Random, prefix: str) -> str:
    alphabet = "0123456789abcdefABCDEFGHJKLMNPQRSTUVWXYZ"
    return prefix + "".join(rng.choice(alphabet) for _ in range(26))


def opencode_event(rng: random.Random, session: str, message: str, ms: int) -> bytes:
    """One `opencode run --format json` event, 200..2000 bytes of JSON."""
    kind = rng.choices(("text", "tool_use", "step_start", "step_finish"), (35, 35, 15, 15))[0]
    part_id = _ids(rng, "prt_")
    base: dict[str, Any] = {"type": kind, "timestamp": ms, "sessionID": session}
    if kind == "step_start":
        snap = "".join(rng.choice("0123456789abcdef") for _ in range(40))
        base["part"] = {
            "id": part_id,
            "sessionID": session,
            "messageID": message,
            "type": "step-start",
            "snapshot": snap,
        }
        return _dumps(base)
    if kind == "step_finish":
        inp, outp = rng.randint(2_000, 90_000), rng.randint(20, 4_000)
        base["part"] = {
            "id": part_id,
            "sessionID": session,
            "messageID": message,
            "type": "step-finish",
            "reason": rng.choice(("tool-calls", "stop")),
            "snapshot": _ids(rng, ""),
            "cost": round(inp * 3e-6 + outp * 15e-6, 6),
            "tokens": {
                "input": inp,
                "output": outp,
                "reasoning": rng.randint(0, 2_000),
                "cache": {"read": rng.randint(0, 80_000), "write": rng.randint(0, 9_000)},
            },
        }
        return _dumps(base)
    target = int(rng.triangular(200, 2000, 500))
    if kind == "text":
        part: dict[str, Any] = {
            "id": part_id,
            "sessionID": session,
            "messageID": message,
            "type": "text",
            "text": "",
            "time": {"start": ms - 900, "end": ms},
        }
        key: tuple[str, ...] = ("text",)
    else:
        tool = rng.choice(TOOLS)
        part = {
            "id": part_id,
            "sessionID": session,
            "messageID": message,
            "type": "tool",
            "callID": _ids(rng, "toolu_"),
            "tool": tool,
            "state": {
                "status": "completed",
                "input": {"command": f"{tool} " + _text(rng, 30), "description": "run it"},
                "output": "",
                "title": f"{tool} kubeclip/runner.py",
                "metadata": {"exit": 0, "truncated": False},
                "time": {"start": ms - 2400, "end": ms},
            },
        }
        key = ("state", "output")
    base["part"] = part
    holder = part
    for k in key[:-1]:
        holder = holder[k]
    room = max(target - len(_dumps(base)), 10)
    text = _text(rng, room)
    for _ in range(4):  # JSON escapes and multibyte characters: trim to the target size
        holder[key[-1]] = text
        over = len(_dumps(base)) - 2000
        if over <= 0:
            break
        text = text[: len(text) - over - 8]
    return _dumps(base)


def build_templates(rng: random.Random, chunk_bytes: int) -> list[Template]:
    """Chunks of whole lines, each at most ``chunk_bytes`` (but at least one line)."""
    templates: list[Template] = []
    session, message = _ids(rng, "ses_"), _ids(rng, "msg_")
    ms = 1_764_061_200_000
    pending: bytes | None = None
    distinct = 0
    while distinct < DISTINCT_BYTES:
        suffixes: list[bytes] = []
        jsonl: list[bytes] = []
        size = 0
        while True:
            if pending is None:
                ms += rng.randint(5, 400)
                if rng.random() < 0.05:
                    message = _ids(rng, "msg_")
                pending = opencode_event(rng, session, message, ms)
            # wire line: 23-byte per-chunk prefix + 'nnnnn1Z ' + JSON + '\n'
            line_size = 23 + 8 + len(pending) + 1
            if suffixes and size + line_size > chunk_bytes:
                break
            suffixes.append(b"%05d1Z " % len(suffixes) + pending + b"\n")
            jsonl.append(pending + b"\n")
            size += line_size
            pending = None
        suffixes[-1] += b"\r\n"
        templates.append(Template([b"%x\r\n" % size, *suffixes], b"".join(jsonl), len(jsonl)))
        distinct += size
    return templates


# --- the fake API server ------------------------------------------------------------------
class LogServer(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, source: Source) -> None:
        super().__init__(("127.0.0.1", 0), LogHandler)
        self.source = source
        self.requests: list[str] = []
        self.errors: list[str] = []

    @property
    def url(self) -> str:
        host, port = self.server_address[:2]
        return f"http://{host!s}:{port}"


class LogHandler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True
    server: LogServer

    def do_GET(self) -> None:
        self.server.requests.append(self.path)
        url = urlsplit(self.path)
        query = parse_qs(url.query)
        # kubeclip sends ".../pods/agent-pod%2Flog"; the API server (Go) routes on the
        # decoded path, so this one does too.
        if unquote(url.path) != LOG_PATH:
            return self._status(404, "NotFound", f"no such path {url.path}")
        for key, want in (("follow", "true"), ("timestamps", "true"), ("container", CONTAINER)):
            if query.get(key) != [want]:
                return self._status(400, "BadRequest", f"want {key}={want}")
        self.send_response(200)
        self.send_header("Content-Type", "text/plain")
        self.send_header("Transfer-Encoding", "chunked")
        self.send_header("Connection", "close")
        self.end_headers()
        self.close_connection = True
        try:
            if len(self.server.requests) == 1 and "sinceTime" not in query:
                self.server.source.stream(self.wfile.write)
            # else: a reconnect, which this benchmark never expects: an empty stream
            self.wfile.write(b"0\r\n\r\n")
        except OSError as e:
            self.server.errors.append(f"{type(e).__name__}: {e}")

    def _status(self, code: int, reason: str, message: str) -> None:
        body = _dumps(
            {
                "kind": "Status",
                "apiVersion": "v1",
                "status": "Failure",
                "message": message,
                "reason": reason,
                "code": code,
            }
        )
        self.send_response(code)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: Any) -> None:
        pass


# --- the child: kubeclip's log path -------------------------------------------------------
def proc_status(pid: int | str) -> dict[str, int]:
    """VmRSS / VmHWM of a process, in KiB (empty once it is gone)."""
    out: dict[str, int] = {}
    try:
        with open(f"/proc/{pid}/status", "rb") as f:
            for line in f:
                if line.startswith((b"VmRSS:", b"VmHWM:")):
                    key, value = line.split(b":", 1)
                    out[key.decode()] = int(value.split()[0])
    except (FileNotFoundError, ProcessLookupError):
        pass
    return out


def child_main(url: str, profile: str | None) -> int:
    from kubernetes import client

    from kubeclip.cluster.follow import follow_logs
    from kubeclip.cluster.kube import Kube
    from kubeclip.cluster.logs import LineDeduper
    from kubeclip.run.output import Output

    configuration = client.Configuration(host=url)
    kube = Kube(client.ApiClient(configuration))
    out = Output(sys.stdout, sys.stderr)
    terminated = threading.Event()
    terminated.set()  # the container has ended: a clean end of the stream ends the follow
    stop = threading.Event()
    deduper = LineDeduper(out.log)
    profiler = None
    if profile:
        import cProfile

        profiler = cProfile.Profile()
        profiler.enable()
    follow_logs(kube, NAMESPACE, POD, deduper, terminated, stop, "agent")
    if profiler is not None and profile:
        profiler.disable()
        profiler.dump_stats(profile)
    sys.stdout.flush()
    mem = proc_status("self")
    report = {
        "requests": kube.requests,
        "lines": deduper.lines,
        "rss_kib": mem.get("VmRSS", 0),
        "hwm_kib": mem.get("VmHWM", 0),
    }
    print(CHILD_TAG + json.dumps(report), file=sys.stderr, flush=True)
    return 0


@dataclass
class Child:
    proc: subprocess.Popen[bytes]
    stderr: Any  # a temporary file

    @classmethod
    def start(cls, url: str, profile: str | None = None) -> Child:
        argv = [sys.executable, str(Path(__file__).resolve()), "--child", url]
        if profile:
            argv += ["--profile", profile]
        err = tempfile.TemporaryFile()  # noqa: SIM115 (closed by finish())
        proc = subprocess.Popen(
            argv,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=err,
            bufsize=0,
            cwd=REPO_ROOT,
        )
        return cls(proc, err)

    def finish(self, timeout: float = 30.0) -> dict[str, Any]:
        try:
            code = self.proc.wait(timeout)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
            raise BenchError("the child did not exit after its stream ended") from None
        self.stderr.seek(0)
        text = self.stderr.read().decode(errors="replace")
        self.stderr.close()
        report = [ln for ln in text.splitlines() if ln.startswith(CHILD_TAG)]
        if code != 0 or not report:
            tail = "\n".join(text.rstrip().splitlines()[-15:])
            raise BenchError(f"the child exited with status {code}:\n{tail}")
        others = [ln for ln in text.splitlines() if not ln.startswith(CHILD_TAG)]
        result: dict[str, Any] = json.loads(report[-1][len(CHILD_TAG) :])
        result["stderr"] = others[-5:]
        return result


def _watchdog(child: Child, seconds: float) -> threading.Timer:
    timer = threading.Timer(seconds, child.proc.kill)
    timer.daemon = True
    timer.start()
    return timer


# --- latency ------------------------------------------------------------------------------
def run_latency(lines: int, interval_ms: float) -> dict[str, Any]:
    source = LatencySource(lines, interval_ms / 1000)
    server = LogServer(source)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    child = Child.start(server.url)
    timer = _watchdog(child, 60 + lines * interval_ms / 1000)
    assert child.proc.stdout is not None
    fd = child.proc.stdout.fileno()
    arrivals: list[tuple[bytes, int]] = []
    partial = b""
    try:
        while True:
            data = os.read(fd, 1 << 16)
            now = time.time_ns()
            if not data:
                break
            *complete, partial = (partial + data).split(b"\n")
            arrivals.extend((line + b"\n", now) for line in complete)
        child_report = child.finish()
    finally:
        timer.cancel()
        server.shutdown()
        server.server_close()
    received = [line for line, _ in arrivals] + ([partial] if partial else [])
    latencies = sorted((now - json.loads(line)["t"]) / 1e6 for line, now in arrivals)
    if not latencies:
        raise BenchError(f"no line arrived; server requests: {server.requests}")
    return {
        "lines_sent": len(source.sent),
        "lines_received": len(arrivals),
        "interval_ms": interval_ms,
        "median_ms": statistics.median(latencies),
        "p99_ms": _quantile(latencies, 0.99),
        "max_ms": latencies[-1],
        "min_ms": latencies[0],
        "identical": received == source.sent,
        "requests": len(server.requests),
        "server_errors": server.errors,
        "child": child_report,
    }


def _quantile(sorted_values: list[float], q: float) -> float:
    if len(sorted_values) < 2:
        return sorted_values[0]
    return statistics.quantiles(sorted_values, n=100, method="inclusive")[round(q * 100) - 1]


# --- throughput + memory ------------------------------------------------------------------
@dataclass
class Progress:
    received: int = 0


def _sample_rss(
    pid: int, progress: Progress, done: threading.Event, out: list[tuple[float, int, int, int]]
) -> None:
    start = time.perf_counter()
    while not done.is_set():
        mem = proc_status(pid)
        if "VmRSS" in mem:
            out.append(
                (time.perf_counter() - start, progress.received, mem["VmRSS"], mem.get("VmHWM", 0))
            )
        done.wait(0.25)


def run_throughput(
    total_mib: float, time_limit: float, chunk_bytes: int, split: bool, profile: str | None
) -> dict[str, Any]:
    source = ThroughputSource(int(total_mib * MIB), time_limit, chunk_bytes, split)
    server = LogServer(source)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    child = Child.start(server.url, profile)
    timer = _watchdog(child, time_limit + 120)
    assert child.proc.stdout is not None
    reader = child.proc.stdout  # bufsize=0: an unbuffered FileIO on the pipe
    assert isinstance(reader, io.RawIOBase)
    progress, done = Progress(), threading.Event()
    samples: list[tuple[float, int, int, int]] = []
    sampler = threading.Thread(
        target=_sample_rss, args=(child.proc.pid, progress, done, samples), daemon=True
    )
    sampler.start()
    buf = bytearray(1 << 20)
    view = memoryview(buf)
    digest = hashlib.sha256()
    first_ns = last_ns = 0
    first_bytes = 0
    baseline_at = min(RSS_BASELINE_MIB * MIB, source.total // 2)
    base: tuple[float, int, int, int] | None = None  # (t, received, VmRSS, VmHWM)
    try:
        while True:
            n = reader.readinto(buf)
            if not n:
                break
            last_ns = time.perf_counter_ns()
            if not first_ns:
                first_ns, first_bytes = last_ns, n
            digest.update(view[:n])
            progress.received += n
            if base is None and progress.received >= baseline_at:
                mem = proc_status(child.proc.pid)  # once, exactly when the baseline is crossed
                base = (0.0, progress.received, mem.get("VmRSS", 0), mem.get("VmHWM", 0))
        done.set()
        sampler.join()
        child_report = child.finish()
    finally:
        done.set()
        timer.cancel()
        server.shutdown()
        server.server_close()
    st = source.stats
    if not progress.received:
        raise BenchError(f"no byte arrived; server requests: {server.requests} {server.errors}")
    elapsed = max((last_ns - first_ns) / 1e9, 1e-9)
    server_elapsed = max(st.last_send - st.first_send, 1e-9)
    expected = source.expected_digest()
    rss_end = child_report["rss_kib"]
    return {
        "target_mib": total_mib,
        "jsonl_mib_sent": st.jsonl_bytes / MIB,
        "wire_mib_sent": st.wire_bytes / MIB,
        "mib_received": progress.received / MIB,
        "lines": st.lines,
        "chunk_bytes": chunk_bytes,
        "split_lines": split,
        "chunks": st.chunks,
        "stopped_by_time_limit": st.stopped_by_time_limit,
        "elapsed_s": elapsed,
        "mib_per_s": (progress.received - first_bytes) / MIB / elapsed,
        "lines_per_s": st.lines / elapsed,
        "server": {
            "elapsed_s": server_elapsed,
            "wire_mib_per_s": st.wire_bytes / MIB / server_elapsed,
            "build_only_mib_per_s": st.wire_bytes / MIB / max(st.build_s, 1e-9),
            "blocked_in_send_pct": 100 * st.blocked_s / server_elapsed,
        },
        "identical": progress.received == st.jsonl_bytes and digest.hexdigest() == expected,
        "sha256": digest.hexdigest(),
        "requests": len(server.requests),
        "server_errors": server.errors,
        "profiled": bool(profile),
        "memory": {
            "baseline_at_mib": (base[1] / MIB) if base else None,
            "rss_baseline_mib": (base[2] / 1024) if base else None,
            "rss_end_mib": rss_end / 1024,
            "growth_mib": (rss_end - base[2]) / 1024 if base else None,
            "peak_mib": child_report["hwm_kib"] / 1024,
            "peak_growth_mib": (child_report["hwm_kib"] - base[2]) / 1024 if base else None,
            "samples": len(samples),
        },
        "child": child_report,
    }


# --- reporting ----------------------------------------------------------------------------
@dataclass
class Verdict:
    target: str
    limit: str
    measured: str
    ok: bool


def verdicts(results: dict[str, Any]) -> list[Verdict]:
    out: list[Verdict] = []
    lat = results.get("latency")
    if lat:
        worst = max(lat["p99_ms"], lat["max_ms"])
        out.append(
            Verdict(
                "latency per line",
                f"<= {TARGET_LATENCY_MS:g} ms",
                f"median {lat['median_ms']:.2f} / p99 {lat['p99_ms']:.2f} / "
                f"max {lat['max_ms']:.2f} ms",
                worst <= TARGET_LATENCY_MS,
            )
        )
        out.append(
            Verdict(
                "latency: bytes identical",
                "exact",
                f"{lat['lines_received']}/{lat['lines_sent']} lines",
                lat["identical"],
            )
        )
    thr = results.get("throughput")
    if thr:
        if "throughput" in results["modes"]:
            note = " (profiled)" if thr["profiled"] else ""
            out.append(
                Verdict(
                    "throughput (JSONL out)",
                    f">= {TARGET_THROUGHPUT_MIBS:g} MiB/s",
                    f"{thr['mib_per_s']:.1f} MiB/s over {thr['mib_received']:.0f} MiB{note}",
                    thr["mib_per_s"] >= TARGET_THROUGHPUT_MIBS,
                )
            )
        mem = thr["memory"]
        if "memory" in results["modes"] and mem["growth_mib"] is not None:
            out.append(
                Verdict(
                    "RSS growth",
                    f"<= {TARGET_RSS_GROWTH_MIB:g} MiB",
                    f"{mem['rss_baseline_mib']:.1f} -> {mem['rss_end_mib']:.1f} MiB "
                    f"({mem['growth_mib']:+.2f})",
                    mem["growth_mib"] <= TARGET_RSS_GROWTH_MIB,
                )
            )
        out.append(
            Verdict(
                "throughput: bytes identical",
                "exact",
                f"{thr['mib_received']:.1f}/{thr['jsonl_mib_sent']:.1f} MiB, sha256",
                thr["identical"],
            )
        )
    return out


def report_text(results: dict[str, Any]) -> str:
    out = [
        f"log-path benchmark: python {results['python']}, {results['cpus']} CPUs, "
        f"{results['platform']}"
    ]
    lat = results.get("latency")
    if lat:
        out.append(
            f"  latency:    {lat['lines_received']} lines, one every {lat['interval_ms']:g} ms; "
            f"added latency min {lat['min_ms']:.3f}, median {lat['median_ms']:.3f}, "
            f"p99 {lat['p99_ms']:.3f}, max {lat['max_ms']:.3f} ms"
        )
    thr = results.get("throughput")
    if thr:
        srv, mem = thr["server"], thr["memory"]
        out.append(
            f"  throughput: {thr['mib_received']:.1f} MiB JSONL ({thr['lines']} lines, "
            f"{thr['chunks']} payloads of <= {thr['chunk_bytes']} B"
            f"{', each cut mid-line in 2 HTTP chunks' if thr['split_lines'] else ''}) "
            f"in {thr['elapsed_s']:.2f} s "
            "first->last byte: "
            f"{thr['mib_per_s']:.1f} MiB/s, {thr['lines_per_s']:,.0f} lines/s"
        )
        out.append(
            f"  server:     sent {thr['wire_mib_sent']:.1f} MiB on the wire at "
            f"{srv['wire_mib_per_s']:.1f} MiB/s; could build {srv['build_only_mib_per_s']:,.0f} "
            f"MiB/s; {srv['blocked_in_send_pct']:.0f}% of its time blocked in send "
            "(=> the reader side is the bottleneck)"
            if srv["blocked_in_send_pct"] > 50
            else f"  server:     sent {thr['wire_mib_sent']:.1f} MiB at "
            f"{srv['wire_mib_per_s']:.1f} MiB/s, only {srv['blocked_in_send_pct']:.0f}% blocked "
            "in send: the SERVER may be the bottleneck"
        )
        if mem["growth_mib"] is not None:
            out.append(
                f"  memory:     child VmRSS {mem['rss_baseline_mib']:.1f} MiB after "
                f"{mem['baseline_at_mib']:.0f} MiB, {mem['rss_end_mib']:.1f} MiB at the end, "
                f"peak {mem['peak_mib']:.1f} MiB ({mem['samples']} samples)"
            )
        if thr["stopped_by_time_limit"]:
            out.append(
                f"  NOTE: stopped at the --time-limit after {thr['mib_received']:.0f} of "
                f"{thr['target_mib']:g} MiB: the full volume was NOT streamed"
            )
        if thr["profiled"]:
            out.append("  NOTE: the child ran under cProfile: its rate is not representative")
    for part in ("latency", "throughput"):
        r = results.get(part)
        if r and (r["requests"] != 1 or r["server_errors"]):
            out.append(
                f"  WARNING {part}: {r['requests']} requests (expected 1), "
                f"server errors {r['server_errors']}"
            )
    out.append("")
    rows = verdicts(results)
    width = max(len(v.target) for v in rows)
    lim = max(len(v.limit) for v in rows)
    for v in rows:
        out.append(
            f"  {v.target:<{width}}  {v.limit:<{lim}}  {v.measured:<52}  "
            f"{'PASS' if v.ok else 'FAIL'}"
        )
    return "\n".join(out)


def print_profile(path: str, limit: int = 25) -> None:
    import pstats

    print(f"\nchild profile ({path}), top {limit} by own time:", file=sys.stderr)
    stats = pstats.Stats(path, stream=sys.stderr)
    stats.strip_dirs().sort_stats("tottime").print_stats(limit)


# --- main ---------------------------------------------------------------------------------
def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description="Benchmark kubeclip's pod-log path: latency, throughput, memory."
    )
    parser.add_argument(
        "--mode",
        choices=("all", "latency", "throughput", "memory"),
        action="append",
        help="repeatable (default: all)",
    )
    parser.add_argument(
        "--mb", type=float, default=1024, help="MiB of JSONL for the throughput run (default: 1024)"
    )
    parser.add_argument(
        "--lines", type=int, default=500, help="lines in the latency run (default: 500)"
    )
    parser.add_argument(
        "--interval-ms",
        type=float,
        default=10.0,
        help="latency run: ms between lines (default: 10)",
    )
    parser.add_argument(
        "--time-limit",
        type=float,
        default=100.0,
        help="stop the throughput stream after this many s (default: 100)",
    )
    parser.add_argument(
        "--chunk-bytes",
        type=int,
        default=CHUNK_TARGET,
        help="throughput run: max HTTP chunk payload, whole lines; 1 = one line per chunk, "
        f"like a slow kubelet (default: {CHUNK_TARGET})",
    )
    parser.add_argument(
        "--split-lines",
        action="store_true",
        help="throughput run: send each payload as two HTTP chunks cut mid-line",
    )
    parser.add_argument(
        "--profile",
        metavar="PATH",
        help="run the throughput child under cProfile, save stats to PATH",
    )
    parser.add_argument("--json", action="store_true", help="print JSON instead of a table")
    parser.add_argument("--check", action="store_true", help="exit 1 if any target fails")
    parser.add_argument("--child", metavar="URL", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if min(args.lines, args.mb, args.interval_ms, args.time_limit, args.chunk_bytes) <= 0:
        parser.error("--lines, --mb, --interval-ms, --time-limit, --chunk-bytes must be > 0")
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    if args.child:
        return child_main(args.child, args.profile)
    modes = set(args.mode or ["all"])
    if "all" in modes:
        modes = {"latency", "throughput", "memory"}
    results: dict[str, Any] = {
        "modes": sorted(modes),
        "python": platform.python_version(),
        "platform": platform.platform(),
        "cpus": os.cpu_count(),
        "targets": {
            "latency_ms": TARGET_LATENCY_MS,
            "throughput_mib_s": TARGET_THROUGHPUT_MIBS,
            "rss_growth_mib": TARGET_RSS_GROWTH_MIB,
        },
    }
    try:
        if "latency" in modes:
            results["latency"] = run_latency(args.lines, args.interval_ms)
        if modes & {"throughput", "memory"}:
            results["throughput"] = run_throughput(
                args.mb, args.time_limit, args.chunk_bytes, args.split_lines, args.profile
            )
    except BenchError as e:
        print(f"log_path: error: {e}", file=sys.stderr)
        return 2
    rows = verdicts(results)
    results["verdicts"] = [asdict(v) for v in rows]
    results["pass"] = all(v.ok for v in rows)
    print(json.dumps(results, indent=2) if args.json else report_text(results))
    if args.profile and "throughput" in results:
        print_profile(args.profile)
    return 1 if args.check and not results["pass"] else 0


if __name__ == "__main__":
    sys.exit(main())
