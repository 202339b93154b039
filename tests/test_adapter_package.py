"""The native Paperclip adapter package (adapters/paperclip, TypeScript): built from npm
packages with Node 24, and its own tests run by Node's test runner against a scripted serve.
The same adapter against the real serve and control plane: tests/test_paperclip_contract.py."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path


def test_the_adapter_package_builds_and_passes_its_node_tests(
    adapter_package: Path, paperclip_modules: Path
) -> None:
    package = adapter_package.parent.parent
    tests = sorted(str(p.relative_to(package)) for p in (package / "test").glob("*.test.mjs"))
    proc = subprocess.run(
        [str(paperclip_modules / ".bin" / "node"), "--test", "--test-reporter=tap", *tests],
        cwd=package,
        capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    assert proc.returncode == 0, proc.stdout + proc.stderr
    passed = re.search(r"^# pass (\d+)$", proc.stdout, re.M)
    assert "# fail 0" in proc.stdout and passed and int(passed[1]) >= 7, proc.stdout


def test_the_adapter_reads_opencode_with_kubeclips_own_patterns() -> None:
    """Each rule written once: the adapter's unknown-session and ANSI patterns are the very
    strings of kubeclip's parser (kubeclip/paperclip/opencode.py)."""
    from kubeclip.paperclip.opencode import ANSI, UNKNOWN_SESSION

    source = (Path(__file__).resolve().parent.parent / "adapters/paperclip/src/execute.ts")
    patterns = dict(re.findall(r"const (UNKNOWN_SESSION|ANSI) = new RegExp\(String\.raw`(.*?)`",
                               source.read_text()))  # fmt: skip
    assert patterns == {"UNKNOWN_SESSION": UNKNOWN_SESSION.pattern, "ANSI": ANSI.pattern}
