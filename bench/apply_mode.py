#!/usr/bin/env python3
"""Apply-mode costs, measured against the Kubernetes API emulator (tests/emulator).

    python bench/apply_mode.py [--json]

1. API requests per run, counted by the emulator, for a short run and a long one
   (target: <= 8 whatever the length; the reference adapter polled every 2 s).
2. Process start to the Job-create request, for a fresh `python -m kubeclip run`
   process (target: <= 1.0 s; importing the kubernetes client alone costs a lot).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.emulator import Emulator, PodScript  # noqa: E402


def _inputs(tmp: Path, emu: Emulator, run_id: str) -> list[str]:
    config = tmp / "agent.yaml"
    config.write_text(yaml.safe_dump({"model": "openai/gpt-5", "graceSec": 1}))
    run = json.loads((ROOT / "tests/golden/_inputs/run.json").read_text())
    run["runId"] = run_id
    run_file = tmp / f"{run_id}.json"
    run_file.write_text(json.dumps(run))
    kubeconfig = emu.write_kubeconfig(tmp / "kubeconfig")
    return [
        "run", "--config", str(config), "--run", str(run_file),
        "--pod", str(ROOT / "examples/paperclip-deployment.yaml"),
        "--kubeconfig", str(kubeconfig),
    ]  # fmt: skip


def requests_per_run(seconds: float, lines: int) -> dict[str, Any]:
    with Emulator(namespaces=["paperclip"]) as emu, tempfile.TemporaryDirectory() as tmp:
        emu.script = PodScript(
            log_lines=[f'{{"type":"text","n":{i}}}' for i in range(lines)],
            line_interval=seconds / max(lines, 1),
        )
        argv = _inputs(Path(tmp), emu, f"bench-{int(seconds)}s")
        proc = subprocess.run(
            [sys.executable, "-m", "kubeclip", *argv], capture_output=True, text=True
        )
        assert proc.returncode == 0, proc.stderr
        assert len(proc.stdout.splitlines()) == lines
        records = emu.requests
        by_kind: dict[str, int] = {}
        for r in records:
            key = f"{r.verb} {r.resource}"
            by_kind[key] = by_kind.get(key, 0) + 1
        return {"run_seconds": seconds, "requests": len(records), "by_kind": by_kind}


def start_to_create(runs: int) -> dict[str, Any]:
    samples = []
    with Emulator(namespaces=["paperclip"]) as emu, tempfile.TemporaryDirectory() as tmp:
        emu.script = PodScript(log_lines=["ok"])
        for i in range(runs):
            argv = _inputs(Path(tmp), emu, f"start-{i}")
            emu.clear_requests()
            t0 = time.time()
            proc = subprocess.run(
                [sys.executable, "-m", "kubeclip", *argv],
                capture_output=True,
                text=True,
                env={**os.environ},
            )
            assert proc.returncode == 0, proc.stderr
            creates = [r.time for r in emu.requests if r.verb == "create" and r.resource == "jobs"]
            samples.append(creates[0] - t0)
    return {
        "runs": runs,
        "median_s": round(statistics.median(samples), 3),
        "max_s": round(max(samples), 3),
        "target_s": 1.0,
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--json", action="store_true")
    parser.add_argument("--long", type=float, default=30.0, help="seconds of the long run")
    parser.add_argument("--runs", type=int, default=7)
    args = parser.parse_args()
    subprocess.run(
        [sys.executable, "-m", "compileall", "-q", str(ROOT / "kubeclip")], check=True
    )  # as `pip install` would; this checkout may run with PYTHONDONTWRITEBYTECODE
    short = requests_per_run(0.5, 10)
    long = requests_per_run(args.long, 3000)
    start = start_to_create(args.runs)
    report = {"requests_short": short, "requests_long": long, "start_to_create": start}
    if args.json:
        print(json.dumps(report, indent=2))
        return 0
    for name, r in (("short", short), ("long", long)):
        verdict = "PASS" if r["requests"] <= 8 else "FAIL"
        print(f"requests per run ({name}, {r['run_seconds']:.0f}s): {r['requests']} "
              f"(target <= 8: {verdict})  {r['by_kind']}")  # fmt: skip
    verdict = "PASS" if start["median_s"] <= 1.0 else "FAIL"
    print(
        f"process start -> Job create: median {start['median_s']:.3f}s, max "
        f"{start['max_s']:.3f}s over {start['runs']} runs (target <= 1.0s: {verdict})"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
