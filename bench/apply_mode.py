#!/usr/bin/env python3
"""Apply-mode costs on a real cluster (tests/realkube: Kubernetes 1.20 built by
scripts/get-kube.sh, a real node: kubelet, containerd, runc), counted by the apiserver's own
audit log, as kubeclip's ServiceAccount.

    python bench/apply_mode.py [--json] [--long-minutes 10] [--runs 20]

1. API requests per run for a normal run (~1 s), a 10 s and a long run (default 10 min):
   target <= 7 for each, and the same number whatever the length (nothing is polled).
2. For a fresh `python -m kubeclip run` process, p50/p90 over --runs runs: process start to
   the Job-create request as the apiserver received it (target: <= 1.0 s), and process start
   to the agent's process running in its pod on the real node (the agent's first act is to
   print the time; one machine, one clock), with the part between the two (the Job
   controller, the scheduler, the kubelet's sandbox and container start) apart.
"""

from __future__ import annotations

import argparse
import calendar
import json
import statistics
import subprocess
import sys
import tempfile
import textwrap
import time
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.realkube.cluster import SA_USER, SMALL_REQUESTS, RealCluster  # noqa: E402
from tests.realkube.controlplane import find_binaries  # noqa: E402

TARGET_REQUESTS = 7


def _argv(real: RealCluster, tmp: Path, agent: str, seconds: float, lines: int) -> list[str]:
    (tmp / "agent.yaml").write_text(yaml.safe_dump(
        {"model": "openai/gpt-5", "graceSec": 2, "resources": SMALL_REQUESTS}))  # fmt: skip
    pod = real.paperclip_deployment(tmp / "paperclip.yaml")
    prompt = "#scenario\n" + textwrap.dedent(f"""
        import time
        print('{{"type":"text","started":' + repr(time.time()) + '}}', flush=True)
        for i in range({lines} - 1):
            print('{{"type":"text","n":' + str(i) + '}}', flush=True)
            time.sleep({seconds / max(lines, 1)})
    """)
    run = {
        "runId": f"bench-{int(seconds)}s",
        "agent": {"id": agent, "companyId": "bench"},
        "context": {"paperclipWorkspace": {"cwd": f"/paperclip/workspaces/{agent}"}},
        "paperclipApiUrl": "http://paperclip.paperclip.svc:3100",
        "prompt": prompt,
    }
    (tmp / "run.json").write_text(json.dumps(run))
    return ["run", "--config", str(tmp / "agent.yaml"), "--run", str(tmp / "run.json"),
            "--pod", str(pod), "--kubeconfig", str(real.kubeconfig)]  # fmt: skip


def _audit_time(event: dict[str, Any]) -> float:
    text = event["requestReceivedTimestamp"].rstrip("Z")
    main, _, frac = text.partition(".")
    return calendar.timegm(time.strptime(main, "%Y-%m-%dT%H:%M:%S")) + float("0." + (frac or "0"))


def one_run(real: RealCluster, seconds: float, lines: int, tag: str) -> dict[str, Any]:
    with tempfile.TemporaryDirectory() as tmp:
        agent = f"bench-{tag}-{int(time.time() * 1000) % 10**8}"
        argv = _argv(real, Path(tmp), agent, seconds, lines)
        mark = real.audit_mark()
        t0 = time.time()
        proc = subprocess.run([sys.executable, "-m", "kubeclip", *argv], capture_output=True,
                              text=True, cwd=ROOT)  # fmt: skip
        assert proc.returncode == 0, proc.stderr
        assert len(proc.stdout.splitlines()) == lines, "output lost"
        time.sleep(1.0)  # the audit backend writes a finished request's event asynchronously
        events = real.cp.audit_events(SA_USER)[mark:]
        counts = real.requests_since(mark)
        creates = [e for e in events if e["verb"] == "create"
                   and (e.get("objectRef") or {}).get("resource") == "jobs"]  # fmt: skip
        started = json.loads(proc.stdout.splitlines()[0])["started"]
        return {
            "run_seconds": seconds,
            "requests": sum(counts.values()),
            "by_kind": dict(sorted(counts.items())),
            "start_to_create_s": round(_audit_time(creates[0]) - t0, 3) if creates else None,
            "start_to_agent_s": round(started - t0, 3),
        }


def _p(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--json", action="store_true")
    parser.add_argument("--long-minutes", type=float, default=10.0)
    parser.add_argument("--runs", type=int, default=20, help="runs for start -> create/agent")
    args = parser.parse_args()
    bin_dir, why = find_binaries()
    if bin_dir is None:
        print(f"bench/apply_mode.py: {why}", file=sys.stderr)
        return 2
    subprocess.run(
        [sys.executable, "-m", "compileall", "-q", str(ROOT / "kubeclip")], check=True
    )  # fmt: skip  (as `pip install` would)
    real = RealCluster(bin_dir).start()
    try:
        runs = [
            one_run(real, 1.0, 10, "normal"),
            one_run(real, 10.0, 200, "10s"),
            one_run(real, args.long_minutes * 60, int(args.long_minutes * 600), "long"),
        ]
        quick = [one_run(real, 0.2, 2, f"start{i}") for i in range(args.runs)]
    finally:
        real.stop()
    starts = [r["start_to_create_s"] for r in quick]
    agents = [r["start_to_agent_s"] for r in quick]
    start = {"runs": len(starts), "median_s": statistics.median(starts), "max_s": max(starts),
             "p90_s": _p(starts, 0.9), "target_s": 1.0}  # fmt: skip
    between = [a - s for a, s in zip(agents, starts, strict=True)]
    agent = {"runs": len(agents), "p50_s": _p(agents, 0.5), "p90_s": _p(agents, 0.9),
             "create_to_agent_p50_s": _p(between, 0.5)}  # fmt: skip
    report = {"requests": runs, "start_to_create": start, "start_to_agent": agent}
    if args.json:
        print(json.dumps(report, indent=2))
        return 0
    same = len({r["requests"] for r in runs}) == 1
    for r in runs:
        verdict = "PASS" if r["requests"] <= TARGET_REQUESTS else "FAIL"
        print(f"requests per run ({r['run_seconds']:.0f} s, audit log): {r['requests']} "
              f"(target <= {TARGET_REQUESTS}: {verdict})  {r['by_kind']}")  # fmt: skip
    print(f"same count whatever the length: {'PASS' if same else 'FAIL'}")
    verdict = "PASS" if start["median_s"] <= 1.0 else "FAIL"
    print(
        f"process start -> Job create (apiserver receipt): median {start['median_s']:.3f} s, "
        f"p90 {start['p90_s']:.3f} s, max {start['max_s']:.3f} s over {start['runs']} runs "
        f"(target <= 1.0 s: {verdict})"
    )
    print(
        f"process start -> agent process running in its pod (real node): p50 "
        f"{agent['p50_s']:.3f} s, p90 {agent['p90_s']:.3f} s over {agent['runs']} runs "
        f"(of which Job create -> agent, p50: {agent['create_to_agent_p50_s']:.3f} s)"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
