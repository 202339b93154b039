#!/usr/bin/env python3
"""Many concurrent agent runs through `kubeclip-opencode` (relay) -> `kubeclip serve`, on the
real control plane (tests/realkube: Kubernetes 1.20 built by scripts/get-kube.sh).

    python bench/serve_scale.py [--runs 100] [--lines 2000] [--seconds 10] [--burst 100]
        [--latency-runs 50] [--stagger 5] [--soak-runs 5000] [--soak-wave 50] [--json]

Part 1, memory: --runs concurrent runs, each agent printing --lines JSON lines over
--seconds. Sampled every 0.2 s from /proc: the total RSS of every kubeclip process (serve
and all relays; target <= 600 MiB at 100 runs) and each relay's peak RSS (VmHWM; target
<= 12 MiB; the CPython start of one relay is watched apart, every ~1 ms, before it execs
the native kubeclip-relay). Every run's stdout must be exact. CPU seconds of kubeclip
(serve + relays) and of the API server and the real node are reported apart.
Part 2, starts: --burst runs started at once (a company's heartbeat burst) and
--latency-runs started over --stagger seconds: relay process start -> the Job-create
request as the apiserver received it (audit log; targets p99 <= 1 s for both, p50 <= 150 ms
paced); requests per run (kubeclip's ServiceAccount; target <= 5 plus the shared watches);
watches the runs left open (the apiserver's gauge; target none); and where a run's time
goes (audit log of every user): start -> Job create -> pod bound (Job controller,
scheduler) -> log stream opened (the container runs) -> Job deleted (the agent ended, the
log drained) -> the relay's exit.
Part 3, soak: --soak-runs short runs through the same serve, --soak-wave at a time: serve's
RSS and PSS after the first wave, after 500, 1,000 and --soak-runs (target: after 5,000
within 10 MiB of after 500).
"""

from __future__ import annotations

import argparse
import calendar
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import textwrap
import threading
import time
from collections import Counter
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parent.parent
# what Paperclip runs: the installed kubeclip-opencode (pip install), else the module
_SCRIPT = shutil.which("kubeclip-opencode", path=str(Path(sys.executable).parent))
RELAY = [_SCRIPT] if _SCRIPT else [sys.executable, "-m", "kubeclip.paperclip.relay"]
sys.path.insert(0, str(ROOT))

from kubeclip.renderer.naming import slug  # noqa: E402
from tests.realkube.cluster import SMALL_REQUESTS, RealCluster  # noqa: E402
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
            [*RELAY, "run", "--format", "json", "--model", "openai/gpt-5"],
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
FRONT = str(Path(sys.executable).parent / "kubeclip-opencode")  # installed where C was built


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
        if exe in (NATIVE, FRONT):  # the C pump, exec'd by the Python start or the C start
            native_rss = max(native_rss, _status(proc.pid, "VmRSS"))
        else:
            python_peak = max(python_peak, _status(proc.pid, "VmHWM"))
        time.sleep(0.001)
    proc.communicate()
    return {"python_phase_peak_rss_mib": round(python_peak / 1024, 2),
            "native_rss_mib": round(native_rss / 1024, 2) if native_rss else None}  # fmt: skip


def _pct(values: list[float], q: float) -> float | None:
    values = sorted(values)
    return round(1000 * values[min(len(values) - 1, int(q * len(values)))], 1) if values else None


def starts(bench: Bench, runs: int, over: float, agent_seconds: float = 4.0) -> dict[str, Any]:
    """``runs`` relays started over ``over`` seconds (0: all at once, a heartbeat burst):
    relay start -> the Job-create request as the apiserver received it, the requests each
    run made (kubeclip's ServiceAccount, audit log), the watches open before and after (the
    apiserver's gauge: a run must open none of its own), and where a run's time goes."""
    tag = f"l{int(time.time()) % 100000}"
    mark, mark_all = bench.real.audit_mark(), len(bench.real.cp.audit_events())
    watches = {k: bench.real.open_watches(k) for k in ("Pod", "Event")}
    started: dict[str, float] = {}
    procs = []
    for i in range(runs):
        run = f"{tag}-{i}"
        proc, t0 = bench.relay(run, _prompt(20, agent_seconds))
        started[f"kc-{slug(f'agent-{run}', 24)}-"] = t0  # kubeclip.renderer.naming.job_name
        procs.append(proc)
        if over:
            time.sleep(over / runs)
    ended: dict[str, float] = {}

    def wait(prefix: str, proc: subprocess.Popen[bytes]) -> None:
        proc.communicate()
        ended[prefix] = time.time()

    pairs = zip(started, procs, strict=True)
    waiting = [threading.Thread(target=wait, args=pair) for pair in pairs]
    for t in waiting:
        t.start()
    for t in waiting:
        t.join()
    open_after = {k: bench.real.open_watches(k) - v for k, v in watches.items()}
    time.sleep(1.5)  # the audit backend writes events asynchronously
    counts = bench.real.requests_since(mark)
    phases = _phases(bench.real.cp.audit_events()[mark_all:], started, ended)
    requests = sum(v for k, v in counts.items() if not k.startswith("watch "))
    create = phases.pop("start_to_create")
    return {"runs": runs, "over_s": over, "matched": len(create),
            "p50_ms": _pct(create, 0.5), "p99_ms": _pct(create, 0.99),
            "requests_per_run": round(requests / runs, 2),
            "watches_left_open": open_after,
            "phases_p50_p99_ms": {k: (_pct(v, 0.5), _pct(v, 0.99)) for k, v in phases.items()},
            "by_kind": dict(sorted(counts.items()))}  # fmt: skip


def _phases(
    events: list[dict[str, Any]], started: dict[str, float], ended: dict[str, float]
) -> dict[str, list[float]]:
    """Each run's way, from the audit log (every user: the Job controller, the scheduler):
    Job created by kubeclip -> its pod bound by the scheduler -> its log stream opened by
    kubeclip (the container runs) -> its Job deleted by kubeclip (the agent ended, the log
    drained) -> the relay's exit."""
    marks: dict[str, dict[str, float]] = {p: {} for p in started}
    for e in events:
        ref, verb = e.get("objectRef") or {}, e["verb"]
        what = {("create", "jobs", ""): "create", ("create", "pods", "binding"): "bound",
                ("get", "pods", "log"): "logs", ("delete", "jobs", ""): "deleted",
                }.get((verb, ref.get("resource", ""), ref.get("subresource", "")))  # fmt: skip
        name = ref.get("name", "")
        owner = [p for p in started if name.startswith(p)]
        if what and len(owner) == 1:  # the log is in the file at its end: the earliest
            t = _audit_time(e)
            marks[owner[0]][what] = min(t, marks[owner[0]].get(what, t))
    out: dict[str, list[float]] = {k: [] for k in (
        "start_to_create", "create_to_bound", "bound_to_running", "running_to_deleted",
        "deleted_to_exit")}  # fmt: skip
    for prefix, m in marks.items():
        chain = [started[prefix], m.get("create"), m.get("bound"), m.get("logs"),
                 m.get("deleted"), ended.get(prefix)]  # fmt: skip
        for key, a, b in zip(out, chain, chain[1:], strict=False):
            if a is not None and b is not None:
                out[key].append(b - a)
    return out


def soak(bench: Bench, total: int, wave: int, report_at: list[int]) -> dict[str, Any]:
    """``total`` short runs through the one serve, ``wave`` in flight at any time (a run
    that ends makes room for the next, as a company's heartbeats do): serve's RSS and PSS
    after the first wave and at each of ``report_at`` runs. Every output must be exact."""
    tag = f"k{int(time.time()) % 100000}"
    pid, lock, samples = bench.serve.pid, threading.Lock(), []
    state = {"next": 0, "done": 0, "exact": 0}
    failed: Counter[str] = Counter()
    began = time.monotonic()
    marks = set(report_at) | {min(wave, total)}

    def worker() -> None:
        while True:
            with lock:
                if state["next"] >= total:
                    return
                i, state["next"] = state["next"], state["next"] + 1
            proc = bench.relay(f"{tag}-{i}", _prompt(3, 0.2))[0]
            out, err = proc.communicate()
            with lock:
                exact = out == _expected(3) and proc.returncode == 0
                state["exact"] += exact
                if not exact:  # why, in kubeclip's words (its first line on stderr)
                    why = (err.decode("utf-8", "replace").strip().splitlines() or ["-"])[0]
                    failed[f"exit {proc.returncode}: {why[:160]}"] += 1
                state["done"] += 1
                if state["done"] in marks:
                    samples.append(_sample(pid, state["done"], began))
                    print(f"  soak: {samples[-1]}", file=sys.stderr, flush=True)

    workers = [threading.Thread(target=worker) for _ in range(min(wave, total))]
    for t in workers:
        t.start()
    for t in workers:
        t.join()
    return {"runs": total, "wave": wave, "exact": state["exact"], "samples": samples,
            "not_exact": dict(failed.most_common(5))}


def _sample(pid: int, runs: int, began: float) -> dict[str, Any]:
    pss, _ = _rollup(pid)
    return {"runs": runs, "rss_mib": round(_status(pid, "VmRSS") / 1024, 1),
            "pss_mib": round(pss / 1024, 1),
            "minutes": round((time.monotonic() - began) / 60, 1)}  # fmt: skip


def ok(good: bool) -> str:
    return "PASS" if good else "FAIL"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=100, help="concurrent runs, memory part")
    parser.add_argument("--lines", type=int, default=2000)
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--burst", type=int, default=100, help="runs started at once")
    parser.add_argument("--latency-runs", type=int, default=50, help="runs started paced")
    parser.add_argument("--stagger", type=float, default=5.0, help="...over these seconds")
    parser.add_argument("--soak-runs", type=int, default=5000)
    parser.add_argument("--soak-wave", type=int, default=50)
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
                report = _measure(bench, real, args)
            finally:
                bench.stop()
    finally:
        real.stop()
    if args.json:
        print(json.dumps(report, indent=2))
    else:
        _print(report)
    return 0


def _busy() -> tuple[float, float]:
    """The machine's busy and total CPU time so far, from /proc/stat (every core)."""
    fields = [float(v) for v in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    idle = fields[3] + fields[4]  # idle + iowait
    return sum(fields) - idle, sum(fields)


def settle(real: RealCluster, wait: float = 300.0, quiet: float = 0.25) -> bool:
    """Each timed phase starts on a quiet machine: no agent pod of the last phase in the API,
    then the machine's CPUs busy less than ``quiet`` of the time over 3 s. The API alone is
    not enough: the kubelet tears the memory phase's 100 pods down (containers, mounts,
    cgroups) for longer, on the 2 cores the burst needs (2026-12-07, in one run: burst p99
    1.03 and 1.26 s with the API empty after 5 s; on a quiet machine 0.76-0.80 s)."""
    began = time.monotonic()
    while (real.objects("pods", "app.kubernetes.io/managed-by=kubeclip")
           and time.monotonic() - began < wait):
        time.sleep(1)
    empty, load = time.monotonic() - began, 1.0
    while time.monotonic() - began < wait:
        busy0, total0 = _busy()
        time.sleep(3)
        busy1, total1 = _busy()
        load = (busy1 - busy0) / max(total1 - total0, 1.0)
        if load < quiet:
            break
    print(f"  settled: {empty:.0f} s until no agent pod was left, {time.monotonic() - began:.0f}"
          f" s until the CPUs were {100 * load:.0f}% busy", file=sys.stderr, flush=True)
    return True


def _measure(bench: Bench, real: RealCluster, args: argparse.Namespace) -> dict[str, Any]:
    cpu0 = {"serve": _cpu(bench.serve.pid), "node": real.node.cpu_seconds() if real.node else 0.0}
    children0 = os.times()
    phase = start_phase(bench)
    mem = memory(bench, args.runs, args.lines, args.seconds)
    children1 = os.times()
    cpu = {
        "serve_s": round(_cpu(bench.serve.pid) - cpu0["serve"], 2),
        "relays_s": round(children1.children_user + children1.children_system
                          - children0.children_user - children0.children_system, 2),
        "node_s": round((real.node.cpu_seconds() if real.node else 0) - cpu0["node"], 2),
    }  # fmt: skip
    burst = starts(bench, args.burst, 0.0) if args.burst and settle(real) else None
    paced = (starts(bench, args.latency_runs, args.stagger)
             if args.latency_runs and settle(real) else None)  # fmt: skip
    reports = [*range(500, args.soak_runs, 500), args.soak_runs]
    soaked = soak(bench, args.soak_runs, args.soak_wave, reports) if args.soak_runs else None
    return {"memory": mem, "cpu": cpu, "burst": burst, "paced": paced, "soak": soaked,
            "relay_phases": phase}  # fmt: skip


def _print(report: dict[str, Any]) -> None:
    mem, cpu, phase = report["memory"], report["cpu"], report["relay_phases"]
    relay_peak = max(mem["relay_peak_rss_mib"], phase["python_phase_peak_rss_mib"])
    print(f"{mem['runs']} concurrent runs x {mem['lines']} lines / {mem['seconds']:.0f} s: "
          f"{mem['exact_outputs']}/{mem['runs']} outputs exact, {mem['exit_codes_zero']} exit 0")
    print(f"  total RSS of kubeclip (serve + relays), peak: {mem['peak_total_rss_mib']} MiB "
          f"(target <= 600: {ok(mem['peak_total_rss_mib'] <= 600)}); serve alone "
          f"{mem['serve_peak_rss_mib']} MiB")
    print(f"  the same as PSS (shared pages divided among the processes): "
          f"{mem['peak_total_pss_mib']} MiB; private pages only: "
          f"{mem['peak_total_private_mib']} MiB")
    print(f"  relay peak RSS: {relay_peak} MiB (target <= 12: {ok(relay_peak <= 12)}): "
          f"{phase['python_phase_peak_rss_mib']} MiB while it starts the run, then "
          f"{phase['native_rss_mib'] or 'no kubeclip-relay (not built):'} MiB as kubeclip-relay "
          f"for the rest of it (peak of the 100: {mem['relay_peak_rss_mib']} MiB)")
    print(f"  CPU seconds: serve {cpu['serve_s']}, relays {cpu['relays_s']}, "
          f"real node (kubelet, containerd, pods) {cpu['node_s']}")
    for name, p50_target in (("burst", 1000), ("paced", 150)):
        lat = report[name]
        if lat is None:
            continue
        when = f"over {lat['over_s']} s" if lat["over_s"] else "at once"
        print(f"{name}: {lat['runs']} runs started {when}: relay start -> Job create "
              f"p50 {lat['p50_ms']} ms (target <= {p50_target}: "
              f"{ok((lat['p50_ms'] or 1e9) <= p50_target)}), p99 {lat['p99_ms']} ms "
              f"(target <= 1000: {ok((lat['p99_ms'] or 1e9) <= 1000)}), {lat['matched']} matched")
        print(f"  requests per run (audit, watches apart): {lat['requests_per_run']} "
              f"(target <= 5: {ok(lat['requests_per_run'] <= 5)}); watches left open by the "
              f"runs: {lat['watches_left_open']} (target: none); {lat['by_kind']}")
        print("  where a run's time goes, p50/p99 ms (4 s agents): " + ", ".join(
            f"{k.replace('_', ' ')} {v[0]}/{v[1]}" for k, v in lat["phases_p50_p99_ms"].items()))
    soaked = report["soak"]
    if soaked:
        first = soaked["samples"][0]
        at = {s["runs"]: s for s in soaked["samples"]}
        print(f"soak: {soaked['runs']} runs through one serve, {soaked['wave']} at a time, "
              f"{soaked['exact']} exact: serve RSS/PSS MiB " + ", ".join(
                  f"after {s['runs']}: {s['rss_mib']}/{s['pss_mib']} ({s['minutes']} min)"
                  for s in soaked["samples"]))  # fmt: skip
        if soaked.get("not_exact"):
            print(f"  not exact, why (the 5 most frequent): {soaked['not_exact']}")
        if 500 in at and soaked["runs"] in at:
            grew = at[soaked["runs"]]["rss_mib"] - at[500]["rss_mib"]
            print(f"  RSS after {soaked['runs']} - after 500: {grew:+.1f} MiB (target <= 10: "
                  f"{ok(grew <= 10)}); after the first wave {first['rss_mib']} MiB")


if __name__ == "__main__":
    raise SystemExit(main())
