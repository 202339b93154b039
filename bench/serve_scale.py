#!/usr/bin/env python3
"""Many concurrent agent runs through `kubeclip-opencode` (relay) -> `kubeclip serve`, on the
real control plane (tests/realkube: Kubernetes 1.20 built by scripts/get-kube.sh).

    python bench/serve_scale.py [--runs 100] [--lines 2000] [--seconds 10]
                                [--latency-runs 50] [--stagger 5] [--json]

Part 1, memory: --runs concurrent runs, each agent printing --lines JSON lines over
--seconds. Sampled every 0.2 s from /proc: the total RSS of every kubeclip process (serve
and all relays; target <= 600 MiB at 100 runs) and each relay's peak RSS (VmHWM; target
<= 12 MiB; the CPython start of one relay is watched apart, every ~1 ms, before it execs
the native kubeclip-relay). Every run's stdout must be exact. CPU seconds of kubeclip
(serve + relays) and of the API server and the real node are reported apart.
Part 2, latency: --latency-runs runs started over --stagger seconds (so that that many
are in flight): relay process start -> the Job-create request as the apiserver received
it (audit log). Targets p50 <= 150 ms, p99 <= 1 s at 50.
Part 3, API: requests per run (audit log, kubeclip's ServiceAccount; target <= 5 plus
the shared watches) and pod watches opened during the runs (target: none per run).
"""

from __future__ import annotations

import argparse
import calendar
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

from kubeclip.renderer.naming import slug  # noqa: E402
from tests.realkube.cluster import SA_USER, SMALL_REQUESTS, RealCluster  # noqa: E402
from tests.realkube.controlplane import find_binaries  # noqa: E402

PAGE = os.sysconf("SC_PAGE_SIZE")


def _status(pid: int, field: str) -> int:
    """A /proc/PID/status field in KiB (0 when the process is gone)."""
    try:
        with open(f"/proc/{pid}/status") as f:
            for line in f:
                if line.startswith(field + ":"):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0


def _rollup(pid: int) -> tuple[int, int]:
    """(Pss, Private_Clean + Private_Dirty) in KiB: memory a process really costs, its shared
    pages (libpython, libc) divided among the processes sharing them / not counted."""
    pss = private = 0
    try:
        with open(f"/proc/{pid}/smaps_rollup") as f:
            for line in f:
                if line.startswith("Pss:"):
                    pss = int(line.split()[1])
                elif line.startswith(("Private_Clean:", "Private_Dirty:")):
                    private += int(line.split()[1])
    except OSError:
        pass
    return pss, private


def _cpu(pid: int) -> float:
    try:
        with open(f"/proc/{pid}/stat") as f:
            fields = f.read().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    except (OSError, IndexError):
        return 0.0


def _audit_time(event: dict[str, Any]) -> float:
    text = event["requestReceivedTimestamp"].rstrip("Z")
    main, _, frac = text.partition(".")
    return calendar.timegm(time.strptime(main, "%Y-%m-%dT%H:%M:%S")) + float("0." + (frac or "0"))


def _prompt(lines: int, seconds: float) -> str:
    return "#scenario\n" + textwrap.dedent(f"""
        import sys, time
        start = time.monotonic()
        for i in range({lines}):
            sys.stdout.write('{{"type":"text","part":{{"text":"line ' + str(i) + '"}}}}\\n')
            sys.stdout.flush()
            delay = start + (i + 1) * {seconds / max(lines, 1)} - time.monotonic()
            if delay > 0:
                time.sleep(delay)
    """)


def _expected(lines: int) -> bytes:
    return b"".join(
        b'{"type":"text","part":{"text":"line %d"}}\n' % i for i in range(lines)
    )


class Bench:
    def __init__(self, real: RealCluster, tmp: Path) -> None:
        self.real, self.tmp = real, tmp
        (tmp / "kubeclip.yaml").write_text(yaml.safe_dump({
            "model": "openai/gpt-5", "kubeconfig": str(real.kubeconfig), "graceSec": 2,
            "resources": SMALL_REQUESTS, "concurrency": {"maxRunsPerAgent": 1}}))  # fmt: skip
        self.pod = real.paperclip_deployment(tmp / "paperclip.yaml")
        self.socket = tmp / "run" / "serve.sock"
        self.env = {k: v for k, v in os.environ.items()
                    if not k.startswith(("PAPERCLIP_", "KUBECLIP_"))}  # fmt: skip
        self.env.update({"PYTHONPATH": str(ROOT), "KUBECLIP_SERVE_SOCKET": str(self.socket),
                         "KUBECLIP_LOG_DIR": str(tmp / "logs")})  # fmt: skip
        self.serve = subprocess.Popen(
            [sys.executable, "-m", "kubeclip", "serve", "--socket", str(self.socket)],
            env=self.env, stderr=open(tmp / "serve.log", "ab"),  # noqa: SIM115
        )  # fmt: skip
        while not self.socket.exists():
            time.sleep(0.05)

    def relay(self, run: str, prompt: str) -> tuple[subprocess.Popen[bytes], float]:
        env = {**self.env,
               "KUBECLIP_CONFIG": str(self.tmp / "kubeclip.yaml"),
               "KUBECLIP_POD_FILE": str(self.pod),
               "PAPERCLIP_AGENT_ID": f"agent-{run}", "PAPERCLIP_COMPANY_ID": "bench",
               "PAPERCLIP_RUN_ID": run,
               "PAPERCLIP_API_URL": "http://paperclip.paperclip.svc:3100",
               "PAPERCLIP_WORKSPACE_CWD": f"/paperclip/workspaces/{run}"}  # fmt: skip
        started = time.time()
        proc = subprocess.Popen(
            [sys.executable, "-m", "kubeclip.paperclip.relay", "run", "--format", "json",
             "--model", "openai/gpt-5"],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env,
        )  # fmt: skip
        assert proc.stdin is not None
        proc.stdin.write(prompt.encode())
        proc.stdin.close()
        proc.stdin = None
        return proc, started

    def stop(self) -> None:
        self.serve.send_signal(signal.SIGTERM)
        self.serve.wait(timeout=30)


def memory(bench: Bench, runs: int, lines: int, seconds: float) -> dict[str, Any]:
    tag = f"m{int(time.time()) % 100000}"
    procs = [bench.relay(f"{tag}-{i}", _prompt(lines, seconds))[0] for i in range(runs)]
    outputs: dict[int, bytes] = {}

    def drain(i: int, proc: subprocess.Popen[bytes]) -> None:
        outputs[i], _ = proc.communicate()

    threads = [threading.Thread(target=drain, args=(i, p)) for i, p in enumerate(procs)]
    for t in threads:
        t.start()
    peak_total, peak_pss, peak_private, relay_peak, samples = 0, 0, 0, 0, 0
    serve_pid = bench.serve.pid
    while any(t.is_alive() for t in threads):
        total = _status(serve_pid, "VmRSS")
        pss, private = _rollup(serve_pid)
        for p in procs:
            if p.returncode is None:
                total += _status(p.pid, "VmRSS")
                relay_peak = max(relay_peak, _status(p.pid, "VmHWM"))
                if samples % 5 == 0:  # smaps_rollup walks every mapping: once a second
                    one_pss, one_private = _rollup(p.pid)
                    pss, private = pss + one_pss, private + one_private
        peak_total = max(peak_total, total)
        if samples % 5 == 0:
            peak_pss, peak_private = max(peak_pss, pss), max(peak_private, private)
        samples += 1
        time.sleep(0.2)
    exact = sum(outputs[i] == _expected(lines) for i in range(runs))
    codes = [p.returncode for p in procs]
    return {"runs": runs, "lines": lines, "seconds": seconds, "exact_outputs": exact,
            "exit_codes_zero": codes.count(0), "peak_total_rss_mib": round(peak_total / 1024, 1),
            "peak_total_pss_mib": round(peak_pss / 1024, 1),
            "peak_total_private_mib": round(peak_private / 1024, 1),
            "relay_peak_rss_mib": round(relay_peak / 1024, 2),
            "serve_peak_rss_mib": round(_status(serve_pid, "VmHWM") / 1024, 1),
            "samples": samples}  # fmt: skip


NATIVE = str(ROOT / "kubeclip" / "paperclip" / "kubeclip-relay")


def start_phase(bench: Bench) -> dict[str, Any]:
    """One relay watched every ~1 ms: its peak RSS while it is CPython (gathering the run,
    finding serve, sending it), and its RSS once it has become kubeclip-relay. Needed apart
    because the exec starts a new VmHWM: the memory run's samples see mostly the second."""
    proc, _ = bench.relay(f"s{int(time.time()) % 100000}", _prompt(20, 1.0))
    python_peak, native_rss, exe = 0, 0, ""
    while proc.poll() is None:
        try:
            exe = os.readlink(f"/proc/{proc.pid}/exe")
        except OSError:
            break
        if exe == NATIVE:
            native_rss = max(native_rss, _status(proc.pid, "VmRSS"))
        else:
            python_peak = max(python_peak, _status(proc.pid, "VmHWM"))
        time.sleep(0.001)
    proc.communicate()
    return {"python_phase_peak_rss_mib": round(python_peak / 1024, 2),
            "native_rss_mib": round(native_rss / 1024, 2) if native_rss else None}  # fmt: skip


def latency(bench: Bench, runs: int, stagger: float) -> dict[str, Any]:
    tag = f"l{int(time.time()) % 100000}"
    mark = bench.real.audit_mark()
    started: dict[str, float] = {}
    procs = []
    for i in range(runs):
        run = f"{tag}-{i}"
        proc, t0 = bench.relay(run, _prompt(20, 4.0))
        started[f"agent-{run}"] = t0
        procs.append(proc)
        time.sleep(stagger / runs)
    for proc in procs:
        proc.communicate()
    time.sleep(1.5)  # the audit backend writes events asynchronously
    events = bench.real.cp.audit_events(SA_USER)[mark:]
    counts = bench.real.requests_since(mark)
    # Job names are kc-<agent slug>-<run slug>-<hash> (kubeclip.renderer.naming.job_name)
    prefixes = {f"kc-{slug(agent, 24)}-": t0 for agent, t0 in started.items()}
    delays = []
    for e in events:
        ref = e.get("objectRef") or {}
        if e["verb"] == "create" and ref.get("resource") == "jobs":
            t0s = [t0 for prefix, t0 in prefixes.items() if ref.get("name", "").startswith(prefix)]
            if len(t0s) == 1:
                delays.append(_audit_time(e) - t0s[0])
    delays.sort()
    requests = sum(v for k, v in counts.items() if not k.startswith("watch "))
    return {"runs": runs, "stagger_s": stagger, "matched": len(delays),
            "p50_ms": round(1000 * statistics.median(delays), 1) if delays else None,
            "p99_ms": round(1000 * delays[min(len(delays) - 1, int(0.99 * len(delays)))], 1)
            if delays else None,
            "requests_per_run": round(requests / runs, 2),
            "pod_watches_opened": counts.get("watch pods", 0),
            "by_kind": dict(sorted(counts.items()))}  # fmt: skip


def ok(good: bool) -> str:
    return "PASS" if good else "FAIL"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=100)
    parser.add_argument("--lines", type=int, default=2000)
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--latency-runs", type=int, default=50)
    parser.add_argument("--stagger", type=float, default=5.0)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    bin_dir, why = find_binaries()
    if bin_dir is None:
        print(f"bench/serve_scale.py: {why}", file=sys.stderr)
        return 2
    subprocess.run([sys.executable, "-m", "compileall", "-q", str(ROOT / "kubeclip")],
                   check=True)  # fmt: skip  (as `pip install` would)
    real = RealCluster(bin_dir).start()
    try:
        with tempfile.TemporaryDirectory() as tmp:
            bench = Bench(real, Path(tmp))
            try:
                cpu0 = {"serve": _cpu(bench.serve.pid),
                        "node": real.node.cpu_seconds() if real.node else 0.0}  # fmt: skip
                children0 = os.times()
                phase = start_phase(bench)
                mem = memory(bench, args.runs, args.lines, args.seconds)
                children1 = os.times()
                cpu = {
                    "serve_s": round(_cpu(bench.serve.pid) - cpu0["serve"], 2),
                    "relays_s": round(children1.children_user + children1.children_system
                                      - children0.children_user - children0.children_system, 2),
                    "node_s": round((real.node.cpu_seconds() if real.node else 0)
                                    - cpu0["node"], 2),
                }  # fmt: skip
                lat = latency(bench, args.latency_runs, args.stagger)
            finally:
                bench.stop()
    finally:
        real.stop()
    report = {"memory": mem, "cpu": cpu, "latency": lat, "relay_phases": phase}
    relay_peak = max(mem["relay_peak_rss_mib"], phase["python_phase_peak_rss_mib"])
    if args.json:
        print(json.dumps(report, indent=2))
        return 0
    print(f"{mem['runs']} concurrent runs x {mem['lines']} lines / {mem['seconds']:.0f} s: "
          f"{mem['exact_outputs']}/{mem['runs']} outputs exact, {mem['exit_codes_zero']} exit 0")
    print(f"  total RSS of kubeclip (serve + relays), peak: {mem['peak_total_rss_mib']} MiB "
          f"(target <= 600: {ok(mem['peak_total_rss_mib'] <= 600)}); serve alone "
          f"{mem['serve_peak_rss_mib']} MiB")
    print(f"  the same as PSS (shared pages divided among the processes): "
          f"{mem['peak_total_pss_mib']} MiB; private pages only: "
          f"{mem['peak_total_private_mib']} MiB")
    print(f"  relay peak RSS: {relay_peak} MiB (target <= 12: {ok(relay_peak <= 12)}): "
          f"{phase['python_phase_peak_rss_mib']} MiB while CPython starts the run, then "
          f"{phase['native_rss_mib'] or 'no kubeclip-relay (not built):'} MiB as kubeclip-relay "
          f"for the rest of it (peak of the 100: {mem['relay_peak_rss_mib']} MiB)")
    print(f"  CPU seconds: serve {cpu['serve_s']}, relays {cpu['relays_s']}, "
          f"real node (kubelet, containerd, pods) {cpu['node_s']}")
    print(f"{lat['runs']} runs started over {lat['stagger_s']} s: relay start -> Job create "
          f"p50 {lat['p50_ms']} ms (target <= 150: {ok((lat['p50_ms'] or 1e9) <= 150)}), "
          f"p99 {lat['p99_ms']} ms (target <= 1000: {ok((lat['p99_ms'] or 1e9) <= 1000)}), "
          f"{lat['matched']} matched")
    print(f"  requests per run (audit, watches apart): {lat['requests_per_run']} "
          f"(target <= 5: {ok(lat['requests_per_run'] <= 5)}); pod watches opened during "
          f"the runs: {lat['pod_watches_opened']}  {lat['by_kind']}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
