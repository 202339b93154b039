#!/usr/bin/env python3
"""How long N relays started at once take to hand their run to serve, with no cluster and
no serve work: a Unix socket that only records when each run arrives.

    python bench/relay_start.py [--runs 100] [--repeat 3]

Why: a heartbeat burst starts one ``kubeclip-opencode`` per agent at the same moment. This
is the part of the burst's start -> Job create that serve cannot change: on a 2-core machine
it is the floor under ``bench/serve_scale.py``'s burst figure. Measured side by side: the
installed ``kubeclip-opencode`` (the C start, front.c, where pip found a C compiler) and the
relay kept in CPython (``KUBECLIP_RELAY_NATIVE=off``), and the CPU each start costs.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from kubeclip.paperclip.invocation import from_raw  # noqa: E402

# what Paperclip runs: the installed kubeclip-opencode (pip install), else the module
_SCRIPT = shutil.which("kubeclip-opencode", path=str(Path(sys.executable).parent))
RELAY = [_SCRIPT] if _SCRIPT else [sys.executable, "-m", "kubeclip.paperclip.relay"]


def _arrivals(server: socket.socket, got: dict[str, float]) -> None:
    held = []  # open until the burst ends: a relay whose serve hangs up reconnects

    def read(conn: socket.socket) -> None:
        data = b""
        while len(data) < 5 or len(data) < 5 + int.from_bytes(data[1:5], "big"):
            chunk = conn.recv(1 << 16)
            if not chunk:
                return
            data += chunk
        kind, payload = data[:1], data[5:]
        inv = from_raw(payload) if kind == b"G" else json.loads(payload)["invocation"]
        got[inv["env"]["PAPERCLIP_RUN_ID"]] = time.time()
        held.append(conn)

    while True:
        try:
            conn, _ = server.accept()
        except OSError:  # closed: this burst is over
            return
        threading.Thread(target=read, args=(conn,), daemon=True).start()


def burst(runs: int, directory: str, python: bool) -> tuple[list[float], float]:
    path = os.path.join(directory, f"s{time.monotonic_ns()}.sock")
    server = socket.socket(socket.AF_UNIX)
    server.bind(path)
    server.listen(1024)
    got: dict[str, float] = {}
    threading.Thread(target=_arrivals, args=(server, got), daemon=True).start()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PAPERCLIP_", "KUBECLIP_"))}
    env.update({"PYTHONPATH": str(ROOT), "KUBECLIP_SERVE_SOCKET": path,
                "KUBECLIP_RELAY_NATIVE": "off" if python else "on",
                "PAPERCLIP_COMPANY_ID": "bench"})  # fmt: skip
    started, procs = {}, []
    cpu0 = os.times()
    for i in range(runs):
        run = f"r{i}"
        started[run] = time.time()
        proc = subprocess.Popen(
            [*RELAY, "run", "--format", "json"],
            stdin=subprocess.PIPE, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
            env={**env, "PAPERCLIP_RUN_ID": run, "PAPERCLIP_AGENT_ID": f"agent-{i}"},
        )  # fmt: skip
        assert proc.stdin is not None
        proc.stdin.write(b"the prompt")
        proc.stdin.close()
        procs.append(proc)
    deadline = time.monotonic() + 60
    while len(got) < runs and time.monotonic() < deadline:
        time.sleep(0.01)
    for proc in procs:
        proc.kill()
        proc.wait()
    cpu1 = os.times()
    server.close()
    cpu = cpu1.children_user + cpu1.children_system - cpu0.children_user - cpu0.children_system
    return sorted(got[r] - started[r] for r in got), cpu / runs


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=100)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    subprocess.run([sys.executable, "-m", "compileall", "-q", str(ROOT / "kubeclip")],
                   check=True)  # fmt: skip  (as `pip install` would)
    with tempfile.TemporaryDirectory() as directory:
        for _ in range(args.repeat):
            for python, name in ((False, RELAY[-1]), (True, "relay in CPython")):
                delays, cpu = burst(args.runs, directory, python)
                p99 = delays[min(len(delays) - 1, int(0.99 * len(delays)))]
                print(f"{name}: {args.runs} at once, {len(delays)} arrived: start -> run sent "
                      f"p50 {1000 * statistics.median(delays):.0f} ms, p99 {1000 * p99:.0f} ms, "
                      f"{1000 * cpu:.1f} ms CPU each ({os.cpu_count()} CPUs)")  # fmt: skip
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
