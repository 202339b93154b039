"""Golden cases: tests/golden/<case>/ holds the inputs and the expected output.

Each case has ``config.yaml``; ``pod.yaml``, ``run.json`` and ``prompt.txt`` are taken
from the case directory when present, else from ``tests/golden/_inputs/``; ``flags``
(optional) holds extra CLI flags, one per line. ``expected.yaml`` is what
``kubeclip render`` prints, ``expected.stderr`` its warnings.

Regenerate after an intended change with ``python scripts/regen.py`` and review the diff.
"""

from __future__ import annotations

import contextlib
import io
from dataclasses import dataclass
from pathlib import Path

from kubeclip.cli import main

GOLDEN = Path(__file__).resolve().parent / "golden"
SHARED = GOLDEN / "_inputs"


@dataclass(frozen=True)
class Case:
    name: str
    directory: Path

    def input(self, filename: str) -> Path | None:
        for base in (self.directory, SHARED):
            if (base / filename).exists():
                return base / filename
        return None

    def argv(self) -> list[str]:
        pod, run = self.input("pod.yaml"), self.input("run.json")
        assert pod and run, f"{self.name}: no pod.yaml/run.json"
        argv = ["render", "--config", str(self.directory / "config.yaml")]
        argv += ["--pod", str(pod), "--run", str(run)]
        prompt = self.directory / "prompt.txt"
        if prompt.exists():
            argv += ["--prompt-file", str(prompt)]
        flags = self.directory / "flags"
        if flags.exists():
            argv += [f for f in flags.read_text().splitlines() if f.strip()]
        return argv

    def run(self) -> tuple[int, str, str]:
        out, err = io.StringIO(), io.StringIO()
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            code = main(self.argv())
        # paths in messages are made relative so goldens do not depend on the checkout
        stderr = err.getvalue().replace(str(GOLDEN) + "/", "")
        return code, out.getvalue(), stderr


def cases() -> list[Case]:
    return [
        Case(d.name, d)
        for d in sorted(GOLDEN.iterdir())
        if d.is_dir() and not d.name.startswith("_") and (d / "config.yaml").exists()
    ]


def regenerate() -> list[str]:
    written = []
    for case in cases():
        code, stdout, stderr = case.run()
        if code != 0:
            raise SystemExit(f"{case.name}: kubeclip render exited {code}:\n{stderr}")
        (case.directory / "expected.yaml").write_text(stdout)
        (case.directory / "expected.stderr").write_text(stderr)
        written.append(case.name)
    return written
