#!/usr/bin/env python3
"""Cold-CLI benchmark: wall time of a fresh `kubeclip render` vs `helm template`.

Each command is started as a new process N times (interleaved, alternating
which goes first), after a few warm-up runs each so that the OS page cache and
Python's bytecode cache are warm but no process is reused.  Reports median,
p90 and min wall time per command and the kubeclip/helm ratio, which the
project targets to be <= 1.5 (median; issue #11).

Usage (from anywhere; paths are resolved relative to the repo root):

    python bench/cold_cli.py                  # 20 runs each, table output
    python bench/cold_cli.py --runs 50 --json
    python bench/cold_cli.py --helm /usr/local/bin/helm --check

helm is taken from --helm, else $PATH, else installed by scripts/get-helm.sh.
Stdlib only.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shlex
import shutil
import statistics
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

REPO_ROOT = Path(__file__).resolve().parent.parent
CHART_DIR = "bench/one-job-chart"
GET_HELM = REPO_ROOT / "scripts" / "get-helm.sh"
TARGET_RATIO = 1.5

KUBECLIP_ARGS = [
    "render",
    "--config",
    "examples/agent-config.yaml",
    "--pod",
    "examples/paperclip-deployment.yaml",
    "--run",
    "examples/run-context.json",
]
HELM_ARGS = ["template", "bench-run", CHART_DIR]


class BenchError(Exception):
    """A fatal, user-facing error."""


@dataclass
class Subject:
    name: str
    argv: list[str]
    version: str = ""
    samples_ns: list[int] = field(default_factory=list)
    output_bytes: int = 0

    def stats_ms(self) -> dict[str, float]:
        ms = sorted(s / 1e6 for s in self.samples_ns)
        return {"median": statistics.median(ms), "p90": _p90(ms), "min": ms[0]}


def _p90(sorted_ms: list[float]) -> float:
    if len(sorted_ms) < 2:
        return sorted_ms[0]
    return statistics.quantiles(sorted_ms, n=10, method="inclusive")[8]


def _tail(text: bytes, lines: int = 15) -> str:
    return "\n".join(text.decode(errors="replace").rstrip().splitlines()[-lines:])


def run_once(subject: Subject, *, capture: bool) -> int:
    """Run the subject once from the repo root; return wall time in ns."""
    start = time.perf_counter_ns()
    proc = subprocess.run(
        subject.argv,
        cwd=REPO_ROOT,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE if capture else subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        check=False,
    )
    elapsed = time.perf_counter_ns() - start
    if proc.returncode != 0:
        raise BenchError(
            f"{subject.name} exited with status {proc.returncode}: "
            f"{shlex.join(subject.argv)}\n{_tail(proc.stderr)}"
        )
    if capture:
        subject.output_bytes = len(proc.stdout)
    return elapsed


def find_kubeclip(override: str | None) -> list[str]:
    if override is not None:
        argv = shlex.split(override)
        if not argv:
            raise BenchError("--kubeclip-cmd is empty")
        return argv
    missing = [
        p for p in KUBECLIP_ARGS if p.startswith("examples/") and not (REPO_ROOT / p).is_file()
    ]
    if missing:
        raise BenchError(f"missing input files: {', '.join(missing)} (under {REPO_ROOT})")
    venv_bin = REPO_ROOT / ".venv" / "bin"
    if (venv_bin / "kubeclip").is_file():
        return [str(venv_bin / "kubeclip"), *KUBECLIP_ARGS]
    on_path = shutil.which("kubeclip")
    if on_path is not None:
        return [on_path, *KUBECLIP_ARGS]
    python = venv_bin / "python"
    interpreter = str(python) if python.is_file() else sys.executable
    return [interpreter, "-m", "kubeclip", *KUBECLIP_ARGS]


def find_helm(explicit: str | None) -> str:
    if explicit is not None:
        resolved = shutil.which(explicit)
        if resolved is None:
            raise BenchError(f"--helm {explicit}: not an executable")
        return resolved
    on_path = shutil.which("helm")
    if on_path is not None:
        return on_path
    print(f"helm not on $PATH; running {GET_HELM.relative_to(REPO_ROOT)} ...", file=sys.stderr)
    proc = subprocess.run(
        ["bash", str(GET_HELM)],
        cwd=REPO_ROOT,
        stdout=subprocess.PIPE,
        text=True,
        check=False,
    )
    lines = proc.stdout.strip().splitlines()
    if proc.returncode != 0 or not lines:
        raise BenchError(f"{GET_HELM} failed (status {proc.returncode})")
    return lines[-1]


def helm_version(helm: str) -> str:
    proc = subprocess.run(
        [helm, "version", "--template", "{{.Version}}"],
        capture_output=True,
        text=True,
        check=False,
    )
    if proc.returncode != 0:
        raise BenchError(f"`{helm} version` failed: {proc.stderr.strip()}")
    return proc.stdout.strip()


def benchmark(subjects: list[Subject], runs: int, warmup: int) -> None:
    for subject in subjects:
        for _ in range(warmup):
            run_once(subject, capture=True)
        if warmup and subject.output_bytes == 0:
            print(f"warning: {subject.name} produced no output", file=sys.stderr)
    for i in range(runs):
        order = subjects if i % 2 == 0 else subjects[::-1]
        for subject in order:
            subject.samples_ns.append(run_once(subject, capture=False))


def report_json(kubeclip: Subject, helm: Subject, runs: int, warmup: int, target: float) -> str:
    ks, hs = kubeclip.stats_ms(), helm.stats_ms()
    ratio = ks["median"] / hs["median"]
    doc: dict[str, Any] = {
        "runs": runs,
        "warmup": warmup,
        "target_ratio": target,
        "ratio": round(ratio, 3),
        "ratio_ok": ratio <= target,
        "python": platform.python_version(),
        "platform": platform.platform(),
        "cpus": os.cpu_count(),
    }
    for subject, stats in ((kubeclip, ks), (helm, hs)):
        doc[subject.name] = {
            "argv": subject.argv,
            "version": subject.version or None,
            "output_bytes": subject.output_bytes,
            **{f"{k}_ms": round(v, 2) for k, v in stats.items()},
            "samples_ms": [round(s / 1e6, 2) for s in subject.samples_ns],
        }
    return json.dumps(doc, indent=2)


def report_text(kubeclip: Subject, helm: Subject, runs: int, warmup: int, target: float) -> str:
    ks, hs = kubeclip.stats_ms(), helm.stats_ms()
    ratio = ks["median"] / hs["median"]
    cols = ("median", "p90", "min")
    out = [
        f"cold CLI benchmark: {runs} runs each, interleaved, after {warmup} warm-up runs each",
        f"  cwd:      {REPO_ROOT}",
    ]
    for subject in (kubeclip, helm):
        version = f"  [{subject.version}]" if subject.version else ""
        out.append(f"  {subject.name + ':':<9} {shlex.join(subject.argv)}{version}")
    out.append("")
    out.append(f"{'':<10}" + "".join(f"{c:>11}" for c in cols))
    for subject, stats in ((kubeclip, ks), (helm, hs)):
        out.append(f"{subject.name:<10}" + "".join(f"{stats[c]:>9.1f}ms" for c in cols))
    out.append(f"{'ratio':<10}" + "".join(f"{ks[c] / hs[c]:>10.2f}x" for c in cols))
    out.append("")
    verdict = "PASS" if ratio <= target else "FAIL"
    out.append(f"kubeclip/helm median ratio {ratio:.2f} (target <= {target:.1f}): {verdict}")
    return "\n".join(out)


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description="Compare cold-start wall time of `kubeclip render` and `helm template`.",
    )
    parser.add_argument("--runs", type=int, default=20, help="timed runs per command (default: 20)")
    parser.add_argument(
        "--warmup", type=int, default=2, help="untimed warm-up runs per command (default: 2)"
    )
    parser.add_argument(
        "--helm", metavar="PATH", help="helm binary (default: $PATH, else scripts/get-helm.sh)"
    )
    parser.add_argument(
        "--json", action="store_true", help="print machine-readable JSON instead of a table"
    )
    parser.add_argument(
        "--target",
        type=float,
        default=TARGET_RATIO,
        help=f"max acceptable kubeclip/helm median ratio (default: {TARGET_RATIO})",
    )
    parser.add_argument(
        "--check", action="store_true", help="exit with status 1 if the ratio exceeds --target"
    )
    # Hidden: replace the whole kubeclip command line (shell-split string),
    # e.g. --kubeclip-cmd 'python -c pass' to test the harness itself.
    parser.add_argument("--kubeclip-cmd", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.runs < 1:
        parser.error("--runs must be >= 1")
    if args.warmup < 0:
        parser.error("--warmup must be >= 0")
    return args


def precompile() -> None:
    """Write kubeclip's bytecode as `pip install` does.

    An editable checkout under PYTHONDONTWRITEBYTECODE=1 (as on these machines) would
    otherwise recompile every module on every run, which no installed user sees.
    """
    subprocess.run(
        [sys.executable, "-m", "compileall", "-q", str(REPO_ROOT / "kubeclip")],
        check=True,
    )


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    precompile()
    try:
        kubeclip = Subject("kubeclip", find_kubeclip(args.kubeclip_cmd))
        helm_bin = find_helm(args.helm)
        helm = Subject("helm", [helm_bin, *HELM_ARGS], version=helm_version(helm_bin))
        benchmark([kubeclip, helm], args.runs, args.warmup)
    except BenchError as exc:
        print(f"cold_cli: error: {exc}", file=sys.stderr)
        return 2
    except OSError as exc:
        print(f"cold_cli: error: cannot run command: {exc}", file=sys.stderr)
        return 2
    report = report_json if args.json else report_text
    print(report(kubeclip, helm, args.runs, args.warmup, args.target))
    ratio = kubeclip.stats_ms()["median"] / helm.stats_ms()["median"]
    return 1 if args.check and ratio > args.target else 0


if __name__ == "__main__":
    sys.exit(main())
