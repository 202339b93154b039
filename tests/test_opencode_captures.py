"""Every capture of the real binary reads the same through kubeclip as through Paperclip's own
``parseOpenCodeJsonl`` (the published @paperclipai/adapter-opencode-local, run by Node):
session id, usage, cost, summary, error message and the unknown-session verdict.

Where they differ, Paperclip is wrong, and only in these ways (docs/opencode.md, "OpenCode output"):
- its errorMessage keeps the ANSI escape codes of OpenCode's stderr (``\\x1b[91m…Error:``);
  kubeclip's has them taken out;
- its unknown-session rule matches ``NotFoundError`` anywhere in stdout or stderr, which
  also matches ``ProviderModelNotFoundError`` (a wrong model, printed with --print-logs):
  it would drop a good session and retry; kubeclip's does not.
"""

from __future__ import annotations

import json
import re
import subprocess
from pathlib import Path
from typing import Any

import pytest

from kubeclip.paperclip.opencode import OpenCodeOutput, strip_ansi
from tests.realagent.captures import VERSION, Capture, every

ROOT = Path(__file__).resolve().parent.parent
CAPTURES = every()
# Paperclip's isOpenCodeUnknownSessionError without its NotFoundError alternative
PAPERCLIP_RULE_WITHOUT_NOTFOUNDERROR = re.compile(
    r"unknown\s+session|session\b.*\bnot\s+found|resource\s+not\s+found:.*[\\/]session[\\/]"
    r".*\.json|no session", re.IGNORECASE,
)


@pytest.fixture(scope="module")
def paperclip(paperclip_modules: Path) -> dict[str, dict[str, Any]]:
    node = str(paperclip_modules / ".bin" / "node")
    cases = [{"stdout": c.stdout.decode(), "stderr": c.stderr.decode(), "exitCode": c.exit_code}
             for c in CAPTURES]  # fmt: skip
    proc = subprocess.run([node, str(ROOT / "tests/paperclip/parse_captures.mjs"),
                           str(paperclip_modules)], input=json.dumps(cases), capture_output=True,
                          text=True, timeout=120, check=True)  # fmt: skip
    answers = json.loads(proc.stdout)
    return {f"{c.opencode}/{c.name}": r for c, r in zip(CAPTURES, answers, strict=True)}


def kubeclip(capture: Capture) -> OpenCodeOutput:
    out = OpenCodeOutput()
    out.feed_bytes(capture.stdout)
    out.feed_stderr(capture.stderr)
    out.close()
    return out


def test_there_are_captures_of_the_pinned_binary() -> None:
    names = {c.name for c in CAPTURES}
    assert {"success", "unknown-session", "provider-error-401", "sigterm-mid-part"} <= names


@pytest.mark.parametrize("capture", CAPTURES, ids=lambda c: f"{c.opencode}/{c.name}")
def test_kubeclip_reads_it_as_paperclip_does(
    capture: Capture, paperclip: dict[str, dict[str, Any]]
) -> None:
    theirs = paperclip[f"{capture.opencode}/{capture.name}"]
    ours = kubeclip(capture)
    assert ours.session_id == theirs["sessionId"]
    assert ours.summary == theirs["summary"]
    assert {"inputTokens": ours.usage.inputTokens, "outputTokens": ours.usage.outputTokens,
            "cachedInputTokens": ours.usage.cachedInputTokens} == theirs["usage"]  # fmt: skip
    assert ours.cost_usd == pytest.approx(theirs["costUsd"], rel=1e-12, abs=1e-15)
    their_error = theirs["errorMessage"]
    assert ours.reported_error(capture.exit_code) == (
        None if their_error is None else strip_ansi(their_error)
    )
    verdict = ours.unknown_session(capture.exit_code)
    if theirs["unknownSession"] and not verdict:  # Paperclip's NotFoundError rule, only
        haystack = (capture.stdout + b"\n" + capture.stderr).decode()
        assert re.search("notfounderror", haystack, re.IGNORECASE)
        assert not PAPERCLIP_RULE_WITHOUT_NOTFOUNDERROR.search(haystack)
    else:
        assert verdict == theirs["unknownSession"]


def test_the_two_differences_are_real(paperclip: dict[str, dict[str, Any]]) -> None:
    """Both differences show up in the pinned binary's own output."""
    unknown = paperclip[f"{VERSION}/unknown-session"]
    assert "\x1b[" in unknown["errorMessage"]
    wrong_model = paperclip[f"{VERSION}/unknown-model-print-logs"]
    assert wrong_model["unknownSession"] is True
