"""Capture what the real ``opencode`` prints, one JSON file per scenario.

    python -m tests.realagent.capture [--out DIR] [SCENARIO ...]     (as root: unshare)

Why captures and not hand-written transcripts: our own transcripts hid how the real binary
reports an unknown session (stderr only), provider errors (no ``step_start``, exit 1) and
signals (nothing after the last complete event). Every parser test reads these files, and
``tests/test_opencode_captures.py`` holds kubeclip's reading of each one equal to
Paperclip's own ``parseOpenCodeJsonl``.

The binary is the pinned one of ``scripts/get-opencode.sh``; the model is the stub of
``stub_model.py``, reached only inside a network namespace of the capture's own (the
launcher ``bin/opencode``); HOME and every XDG directory point at a scratch dir. A file:
``{"opencode": version, "scenario", "argv", "exitCode", "signal", "stdout", "stderr"}``.
Ids and timestamps differ from one capture to the next; nothing else does.
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent.parent
LAUNCHER = ROOT / "tests" / "realagent" / "bin" / "opencode"
OUT = ROOT / "tests" / "captures"
PROMPT = b"Fix the failing test in ISS-7, then say what you changed.\n"


def real_binary() -> tuple[Path, str]:
    """The pinned binary (fetched and cached by scripts/get-opencode.sh) and its version."""
    proc = subprocess.run([str(ROOT / "scripts" / "get-opencode.sh")], capture_output=True,
                          text=True, check=False)  # fmt: skip
    if proc.returncode != 0:
        raise RuntimeError(f"scripts/get-opencode.sh failed: {proc.stderr.strip()}")
    binary = Path(proc.stdout.strip().splitlines()[-1])
    return binary, binary.parent.name


def agent_env(home: Path, binary: Path, **extra: str) -> dict[str, str]:
    """A clean environment: HOME and every XDG directory in ``home``, the stub wired in."""
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": str(home),
        "XDG_CONFIG_HOME": str(home / ".config"),
        "XDG_DATA_HOME": str(home / ".local" / "share"),
        "XDG_CACHE_HOME": str(home / ".cache"),
        "XDG_STATE_HOME": str(home / ".local" / "state"),
        "KUBECLIP_REAL_OPENCODE": str(binary),
        "KUBECLIP_STUB_UNSHARE": "1",
    }
    env.update(extra)
    return env


def run(argv: list[str], env: dict[str, str], cwd: Path, prompt: bytes = PROMPT,
        term_after: float | None = None, timeout: float = 200) -> dict[str, Any]:  # fmt: skip
    """One run of the launcher (pid = the real binary's): its streams and how it ended."""
    env = {**env, "PWD": str(cwd)}
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        proc = subprocess.Popen([str(LAUNCHER), *argv], cwd=cwd, env=env,
                                stdin=subprocess.PIPE, stdout=out, stderr=err)  # fmt: skip
        assert proc.stdin is not None
        proc.stdin.write(prompt)
        proc.stdin.close()
        if term_after is not None:
            time.sleep(term_after)
            proc.send_signal(signal.SIGTERM)
        try:
            code = proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
            raise
        out.seek(0)
        err.seek(0)
        stdout, stderr = out.read().decode("utf-8"), err.read().decode("utf-8")
    return {
        "exitCode": code if code >= 0 else None,
        "signal": signal.Signals(-code).name if code < 0 else None,
        "stdout": stdout,
        "stderr": stderr,
    }


def first_session(stdout: str) -> str:
    for line in stdout.splitlines():
        session = json.loads(line).get("sessionID")
        if session:
            return str(session)
    raise RuntimeError("no sessionID in the output")


def scenarios(binary: Path, scratch: Path) -> dict[str, Any]:
    """name -> a function returning (argv, result)."""

    def plain(model: str, *more: str, **kw: Any) -> Any:
        def go() -> tuple[list[str], dict[str, Any]]:
            home, ws = Path(tempfile.mkdtemp(dir=scratch)), Path(tempfile.mkdtemp(dir=scratch))
            argv = ["run", "--format", "json", *more, "--model", f"stub/{model}"]
            env = agent_env(home, binary, **kw.pop("env", {}))
            return argv, run(argv, env, ws, **kw)
        return go

    def resume() -> tuple[list[str], dict[str, Any]]:
        home, ws = Path(tempfile.mkdtemp(dir=scratch)), Path(tempfile.mkdtemp(dir=scratch))
        env = agent_env(home, binary)
        first = run(["run", "--format", "json", "--model", "stub/ok"], env, ws)
        argv = ["run", "--format", "json", "--session", first_session(first["stdout"]),
                "--model", "stub/tools"]  # fmt: skip
        return argv, run(argv, env, ws)

    steps = json.dumps({"agent": {"build": {"steps": 2}}})
    return {
        "success": plain("ok"),
        "tool-use": plain("tools"),
        "tool-error": plain("tool-error"),
        "resume": resume,
        "unknown-session": plain("ok", "--session", "ses_0123456789abcdefghijklmnop"),
        "provider-error-401": plain("e401"),
        "provider-error-500": plain("e500", timeout=300),
        "unknown-model": plain("no-such-model"),
        "unknown-model-print-logs": plain("no-such-model", "--print-logs"),
        "unknown-session-print-logs": plain("ok", "--print-logs", "--session",
                                            "ses_0123456789abcdefghijklmnop"),
        "step-limit": plain("loop", env={"OPENCODE_CONFIG_CONTENT": steps}),
        "sigterm-mid-part": plain("slow", term_after=6.0),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--out", type=Path, default=OUT)
    parser.add_argument("names", nargs="*")
    args = parser.parse_args()
    if os.geteuid() != 0:
        sys.exit("capture: run as root (each run gets a network namespace of its own)")
    binary, version = real_binary()
    out = args.out / f"opencode-{version}"
    out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="kubeclip-capture-") as scratch:
        table = scenarios(binary, Path(scratch))
        for name in args.names or list(table):
            argv, result = table[name]()
            record = {"opencode": version, "scenario": name, "argv": argv, **result}
            (out / f"{name}.json").write_text(json.dumps(record, indent=1) + "\n")
            print(f"capture: {name}: exit {result['exitCode']} signal {result['signal']}, "
                  f"{len(result['stdout'])} + {len(result['stderr'])} characters", flush=True)


if __name__ == "__main__":
    main()
