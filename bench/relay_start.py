#!/usr/bin/env python3
"""How long N relays started at once take to hand their run to serve, with no cluster and
no serve work: a Unix socket that only records when each run arrives.

    python bench/relay_start.py [--runs 100] [--repeat 3]

Why: a heartbeat burst starts one ``kubeclip-opencode`` per agent at the same moment, and
each is a CPython process until it has sent its run (then it execs the ~1 MiB
``kubeclip-relay``). This is the part of the burst's start -> Job create that serve cannot
change: on a 2-core machine it is the floor under ``bench/serve_scale.py``'s burst figure.
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
# what Paperclip runs: the installed kubeclip-opencode (pip install), else the module
_SCRIPT = shutil.which("kubeclip-opencode", path=str(Path(sys.executable).parent))
RELAY = [_SCRIPT] if _SCRIPT else [sys.executable, "-m", "kubeclip.paperclip.relay"]


def _arrivals(server: socket.socket, got: dict[str, float]) -> None:
    def read(conn: socket.socket) -> None:
        data = b""
        while len(data) < 5 or len(data) < 5 + int.from_bytes(data[1:5], "big"):
            chunk = conn.recv(1 << 16)
            if not chunk:
                return
            data += chunk
        run = json.loads(data[5:])["invocation"]["env"]["PAPERCLIP_RUN_ID"]
        got[run] = time.time()
        conn.close()

    while True:
        try:
            conn, _ = server.accept()
        except OSError:  # closed: this burst is over
            return
        threading.Thread(target=read, args=(conn,), daemon=True).start()


def burst(runs: int, directory: str) -> list[float]:
    path = os.path.join(directory, f"s{time.monotonic_ns()}.sock")
    server = socket.socket(socket.AF_UNIX)
    server.bind(path)
    server.listen(1024)
    got: dict[str, float] = {}
    threading.Thread(target=_arrivals, args=(server, got), daemon=True).start()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PAPERCLIP_", "KUBECLIP_"))}
    env.update({"PYTHONPATH": str(ROOT), "KUBECLIP_SERVE_SOCKET": path,
                "KUBECLIP_RELAY_NATIVE": "off", "PAPERCLIP_COMPANY_ID": "bench"})  # fmt: skip
    started, procs = {}, []
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
    server.close()
    return sorted(got[r] - started[r] for r in got)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=100)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    subprocess.run([sys.executable, "-m", "compileall", "-q", str(ROOT / "kubeclip")],
                   check=True)  # fmt: skip  (as `pip install` would)
    with tempfile.TemporaryDirectory() as directory:
        for _ in range(args.repeat):
            delays = burst(args.runs, directory)
            p99 = delays[min(len(delays) - 1, int(0.99 * len(delays)))]
            print(f"{args.runs} relays at once, {len(delays)} arrived: start -> run sent "
                  f"p50 {1000 * statistics.median(delays):.0f} ms, p99 {1000 * p99:.0f} ms "
                  f"({os.cpu_count()} CPUs)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
