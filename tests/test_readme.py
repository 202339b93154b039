"""The README's two opening commands are the contract with a newcomer and with CI."""

from __future__ import annotations

import re
import shlex
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _commands() -> list[str]:
    return re.findall(r"```sh\n(.+?)\n```", (ROOT / "README.md").read_text())


def test_ci_runs_exactly_the_readme_test_command() -> None:
    test_command = _commands()[1]
    assert "pytest" in test_command
    ci = (ROOT / ".ci" / "run").read_text().splitlines()
    assert test_command in ci


def test_first_command_renders_the_bundled_example() -> None:
    argv = shlex.split(_commands()[0].split("&&")[-1])
    assert argv[:2] == [".venv/bin/kubeclip", "render"]
    for flag in ("--config", "--pod", "--run"):
        assert (ROOT / argv[argv.index(flag) + 1]).is_file()
