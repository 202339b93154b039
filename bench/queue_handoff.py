#!/usr/bin/env python3
"""Queued runs of one agent (``concurrency.whenBusy: wait``, one run at a time), on the real
control plane and node (tests/realkube): how soon the next run starts once the previous one
let go of the agent.

    python bench/queue_handoff.py [--handoffs 10] [--seconds 2] [--json]

--handoffs + 1 runs of one agent are started together (0.2 s apart, so that they queue in
order), each agent printing a line and sleeping --seconds. Twice: (1) every run a relay
(`kubeclip-opencode`) of one `kubeclip serve`, (2) every run its own `python -m kubeclip
run` process. A handoff is the time from the previous run's Job being deleted (its Secret,
the agent's lock, goes with it) to the next run's Job being created (the one whose pod
ran), both as a watch of Jobs sees them (same latency for both ends). Target: p50 <= 1 s
in both cases (issue #22, 7). Also reported: one agent's end to the next agent's start as
the agents themselves print them (what a user waits: the holder's log drained and its Job
deleted, the next Job, pod and container started), and the whole queue's wall time.
"""

from __future__ import annotations

import argparse
import itertools
import json
import os
import signal
import statistics
import subprocess
import sys
import tempfile
import textwrap
import threading
import time
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.realkube.cluster import NAMESPACE, SMALL_REQUESTS, RealCluster  # noqa: E402
from tests.realkube.controlplane import find_binaries  # noqa: E402

TARGET_S = 1.0


class JobWatch:
    """Every Job ADDED/DELETED (or marked for deletion) of one agent, with arrival times."""

    def __init__(self, real: RealCluster, agent: str) -> None:
        self.events: list[tuple[float, str, str]] = []  # (time, what, job name)
        self.pods: set[str] = set()  # Jobs that had a pod
        self.spans: list[tuple[float, float]] = []  # each agent's own start and end
        selector = f"kubeclip.dev/agent={agent}"
        for kind in ("jobs", "pods"):
            threading.Thread(target=self._watch, args=(real, kind, selector), daemon=True).start()
        time.sleep(0.5)  # both watches open

    def _watch(self, real: RealCluster, kind: str, selector: str) -> None:
        group = "/apis/batch/v1" if kind == "jobs" else "/api/v1"
        path = f"{group}/namespaces/{NAMESPACE}/{kind}"
        for event in real.api.watch(path, timeout=600, labelSelector=selector):
            now, obj = time.time(), event["object"]
            if kind == "pods":
                self.pods.add((obj["metadata"].get("labels") or {}).get("job-name", ""))
                continue
            name = obj["metadata"]["name"]
            if event["type"] == "ADDED":
                self.events.append((now, "added", name))
            elif event["type"] == "DELETED" or obj["metadata"].get("deletionTimestamp"):
                self.events.append((now, "gone", name))

    def handoffs(self) -> list[float]:
        """For the Jobs that ran, in order: next one's (last) creation - this one's deletion."""
        ran = [n for n in dict.fromkeys(n for _, w, n in self.events if w == "added")
               if n in self.pods]  # fmt: skip
        added = {n: t for t, w, n in self.events if w == "added"}  # the last ADDED of each
        ran.sort(key=lambda n: added[n])
        out = []
        for this, following in itertools.pairwise(ran):
            gone = min(t for t, w, n in self.events
                       if w == "gone" and n == this and t > added[this])  # fmt: skip
            out.append(added[following] - gone)
        return out


def _prompt(seconds: float) -> str:
    return "#scenario\n" + textwrap.dedent(f"""
        import json, time
        print(json.dumps({{"type": "text", "part": {{"text": "my turn"}}, "t0": time.time()}}),
              flush=True)
        time.sleep({seconds})
        print(json.dumps({{"type": "text", "part": {{"text": "done"}}, "t1": time.time()}}),
              flush=True)
    """)


def _config(real: RealCluster, tmp: Path) -> Path:
    path = tmp / "agent.yaml"
    path.write_text(yaml.safe_dump({
        "model": "openai/gpt-5", "kubeconfig": str(real.kubeconfig), "graceSec": 2,
        "resources": SMALL_REQUESTS,
        "concurrency": {"maxRunsPerAgent": 1, "whenBusy": "wait"}}))  # fmt: skip
    return path


def _env(tmp: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PAPERCLIP_", "KUBECLIP_"))}
    env.update({"PYTHONPATH": str(ROOT), "KUBECLIP_LOG_DIR": str(tmp / "logs")})
    return env


def through_serve(real: RealCluster, tmp: Path, runs: int, seconds: float) -> JobWatch:
    agent = f"handoff-serve-{int(time.time()) % 100000}"
    env = _env(tmp)
    sock = tmp / "serve.sock"
    env["KUBECLIP_SERVE_SOCKET"] = str(sock)
    serve = subprocess.Popen([sys.executable, "-m", "kubeclip", "serve", "--socket", str(sock)],
                             env=env, stderr=open(tmp / "serve.log", "ab"))  # noqa: SIM115
    while not sock.exists():
        time.sleep(0.05)
    watch = JobWatch(real, agent)
    env.update({"KUBECLIP_CONFIG": str(_config(real, tmp)),
                "KUBECLIP_POD_FILE": str(real.paperclip_deployment(tmp / "paperclip.yaml")),
                "PAPERCLIP_AGENT_ID": agent, "PAPERCLIP_COMPANY_ID": "bench",
                "PAPERCLIP_API_URL": "http://paperclip.paperclip.svc:3100",
                "PAPERCLIP_WORKSPACE_CWD": f"/paperclip/workspaces/{agent}"})  # fmt: skip
    procs = []
    try:
        for i in range(runs):
            procs.append(subprocess.Popen(
                [sys.executable, "-m", "kubeclip.paperclip.relay", "run", "--format", "json",
                 "--model", "openai/gpt-5"], env={**env, "PAPERCLIP_RUN_ID": f"run-{i}"},
                stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
            ))  # fmt: skip
            stdin, procs[-1].stdin = procs[-1].stdin, None
            assert stdin is not None
            stdin.write(_prompt(seconds).encode())
            stdin.close()
            time.sleep(0.2)
        watch.spans = _finish(procs)
    finally:
        serve.send_signal(signal.SIGTERM)
        serve.wait(timeout=60)
    return watch


def as_processes(real: RealCluster, tmp: Path, runs: int, seconds: float) -> JobWatch:
    agent = f"handoff-procs-{int(time.time()) % 100000}"
    watch = JobWatch(real, agent)
    config, pod = _config(real, tmp), real.paperclip_deployment(tmp / "paperclip.yaml")
    procs = []
    for i in range(runs):
        run = tmp / f"run-{i}.json"
        run.write_text(json.dumps({
            "runId": f"run-{i}", "agent": {"id": agent, "companyId": "bench"},
            "context": {"paperclipWorkspace": {"cwd": f"/paperclip/workspaces/{agent}"}},
            "paperclipApiUrl": "http://paperclip.paperclip.svc:3100",
            "prompt": _prompt(seconds)}))  # fmt: skip
        procs.append(subprocess.Popen(
            [sys.executable, "-m", "kubeclip", "run", "--config", str(config), "--run", str(run),
             "--pod", str(pod)], env=_env(tmp), stdout=subprocess.PIPE, stderr=subprocess.PIPE,
        ))  # fmt: skip
        time.sleep(0.2)
    watch.spans = _finish(procs)
    return watch


def _finish(procs: list[subprocess.Popen[bytes]]) -> list[tuple[float, float]]:
    """Each agent's (start, end), as the agent itself printed them (one machine, one clock)."""
    spans = []
    for proc in procs:
        out, err = proc.communicate(timeout=900)
        if proc.returncode != 0 or b"my turn" not in out:
            raise SystemExit(f"a run failed ({proc.returncode}): {err.decode()[-2000:]}")
        times = {k: v for line in out.splitlines() for k, v in json.loads(line).items()
                 if k in ("t0", "t1")}  # fmt: skip
        spans.append((times["t0"], times["t1"]))
    return sorted(spans)


def _summary(watch: JobWatch, wall: float, runs: int, seconds: float) -> dict[str, Any]:
    gaps = watch.handoffs()
    between = [b[0] - a[1] for a, b in itertools.pairwise(watch.spans)]
    return {
        "agent_to_agent_p50_s": round(statistics.median(between), 3) if between else None,
        "handoffs": len(gaps),
        "p50_s": round(statistics.median(gaps), 3) if gaps else None,
        "max_s": round(max(gaps), 3) if gaps else None,
        "all_s": [round(g, 3) for g in gaps],
        "wall_s": round(wall, 1),
        "agents_s": runs * seconds,
        "target_p50_s": TARGET_S,
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--handoffs", type=int, default=10)
    parser.add_argument("--seconds", type=float, default=2.0)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    bin_dir, why = find_binaries()
    if bin_dir is None:
        print(f"bench/queue_handoff.py: {why}", file=sys.stderr)
        return 2
    runs = args.handoffs + 1
    real = RealCluster(bin_dir).start()
    report: dict[str, Any] = {}
    try:
        for name, way in (("one serve", through_serve), ("separate processes", as_processes)):
            with tempfile.TemporaryDirectory() as tmp:
                t0 = time.monotonic()
                watch = way(real, Path(tmp), runs, args.seconds)
                report[name] = _summary(watch, time.monotonic() - t0, runs, args.seconds)
    finally:
        real.stop()
    if args.json:
        print(json.dumps(report, indent=2))
        return 0
    good = True
    for name, r in report.items():
        verdict = r["handoffs"] == args.handoffs and (r["p50_s"] or 0) <= TARGET_S
        good &= verdict
        print(f"{name}: {r['handoffs']} handoffs, previous Job deleted -> next Job created "
              f"p50 {r['p50_s']} s, max {r['max_s']} s (target p50 <= {TARGET_S} s: "
              f"{'PASS' if verdict else 'FAIL'}); one agent's end -> the next one's start p50 "
              f"{r['agent_to_agent_p50_s']} s; {runs} runs of {args.seconds} s took "
              f"{r['wall_s']} s  {r['all_s']}")  # fmt: skip
    return 0 if good else 1


if __name__ == "__main__":
    sys.exit(main())
