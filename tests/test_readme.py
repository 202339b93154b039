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


def test_the_readme_exit_code_table_is_the_code_table() -> None:
    """One exit-code table (kubeclip.errors.EXIT_CODES); the README's must say the same."""
    from kubeclip.errors import EXIT_CODES, Reason

    text = (ROOT / "README.md").read_text()
    table = text[text.index("| `kubeclip run` exit code | reason") :].split("\n\n")[0]
    documented: dict[str, str] = {}
    for row in table.splitlines()[2:]:
        code, reasons = (cell.strip() for cell in row.strip("|").split("|", 1))
        for reason in re.findall(r"`([a-z_]+)`", reasons.split(":")[0]):
            documented[reason] = code
    for reason, exit_code in EXIT_CODES.items():
        if reason is Reason.DETACHED:
            continue  # --detach exits 0 once the Job runs on; said in the text above the table
        want = "the agent's exit code" if exit_code is None else str(exit_code)
        if reason is Reason.CANCELLED:
            want = "130 / 143"
        assert documented.get(reason) == want, (reason, documented.get(reason), want)
