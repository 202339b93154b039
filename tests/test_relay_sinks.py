"""What Paperclip's process writes besides the agent's output (progress lines, the result
file, kubeclip's own failures), byte for byte from golden files, for every program that can
be Paperclip's ``kubeclip-opencode``: the C start, the Python relay become the C pump, the
relay kept in Python, and (for what happens before a run) the in-process drop-in.

Issue #23: these rules were written three times and had drifted (the drop-in refused an
unopenable progress file while the relays ignored it; a lost result file was a stderr line
in one and an error event in the others). They live in ``kubeclip/paperclip/sinks.py`` and
the C relay now; the golden files in ``tests/golden/relay`` are what all of them must write.
Each file: the environment, the frames a scripted serve sends (``rmdir`` removes a directory
mid-run), and what must come out; ``{tmp}`` is the test's directory.
"""

from __future__ import annotations

import errno
import json
import os
import shutil
import socket
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from tests.test_relay_native import ROOT, ScriptedServe, hangup, send, start_relay

GOLDEN = Path(__file__).parent / "golden" / "relay"
CASES = sorted(p.stem for p in GOLDEN.glob("*.json"))


def _load(name: str, tmp: Path) -> dict[str, Any]:
    text = (GOLDEN / f"{name}.json").read_text(encoding="utf-8")
    case: dict[str, Any] = json.loads(text.replace("{tmp}", str(tmp)))
    return case


def _remove_while_written(directory: Path) -> None:
    """The relay may still be appending the frame before (a progress line) when the
    directory goes: a file it creates between rmtree's listing and its rmdir makes the
    rmdir fail (CI saw ENOTEMPTY once). Try again: what the relay writes after the
    directory is gone is what the case is about."""
    for _ in range(100):
        try:
            shutil.rmtree(directory)
            return
        except OSError as e:
            if e.errno != errno.ENOTEMPTY:
                raise
    raise AssertionError(f"{directory} kept being written to")


@pytest.mark.parametrize("name", CASES)
def test_every_relay_writes_the_golden_bytes(name: str, workdir: Path, mode: str) -> None:
    case = _load(name, workdir)
    if case.get("mkdir"):
        (workdir / case["mkdir"]).mkdir()

    def script(conn: socket.socket, request: dict[str, object], n: int) -> None:
        for kind, text in case["frames"]:
            if kind == "rmdir":
                _remove_while_written(workdir / text)
            else:
                send(conn, kind.encode(), text.encode())
        hangup(conn)

    serve = ScriptedServe(workdir / "serve.sock", script)
    defaults = {"KUBECLIP_RESULT_FILE": "", "KUBECLIP_PROGRESS": ""}
    proc = start_relay(workdir, mode, **{**defaults, **case["env"]})
    out, err = proc.communicate(timeout=60)
    serve.close()
    want = case["expect"]
    assert (proc.returncode, out.decode(), err.decode()) == (
        want["exit"], want["stdout"], want["stderr"])  # fmt: skip
    assert len(serve.requests) == (1 if want["run_sent"] else 0)
    for sink in ("progress", "result"):
        path = case["env"].get(f"KUBECLIP_{'PROGRESS' if sink == 'progress' else 'RESULT_FILE'}")
        got = Path(path).read_text() if path and Path(path).is_file() else None
        assert got == want[sink], sink


@pytest.mark.parametrize("name", [n for n in CASES if n.endswith("runs_nothing")])
def test_the_drop_in_refuses_the_same_paths_with_the_same_bytes(name: str, tmp_path: Path) -> None:
    """The drop-in runs the run in its own process: it checks before anything is applied,
    and says it as the relays do."""
    case = _load(name, tmp_path)
    env = {"PATH": os.environ.get("PATH", ""), "PYTHONPATH": str(ROOT),
           "KUBECLIP_SERVE": "off", **case["env"]}  # fmt: skip
    done = subprocess.run([sys.executable, "-m", "kubeclip.paperclip.dropin", "run"],
                          input=b"prompt", capture_output=True, env=env, cwd=tmp_path,
                          timeout=60)  # fmt: skip
    want = case["expect"]
    assert (done.returncode, done.stdout.decode(), done.stderr.decode()) == (
        want["exit"], want["stdout"], want["stderr"])  # fmt: skip
