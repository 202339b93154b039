"""The real binary's captures (``tests/captures/opencode-<version>/*.json``), for every test
that reads OpenCode output. Regenerate: ``python -m tests.realagent.capture`` (as root)."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent.parent
CAPTURES = ROOT / "tests" / "captures"
# the pin lives in one place: the script that fetches the binary
VERSION = re.search(r'KUBECLIP_OPENCODE_VERSION:-([0-9.]+)',
                    (ROOT / "scripts" / "get-opencode.sh").read_text()).group(1)  # type: ignore[union-attr]  # fmt: skip


@dataclass(frozen=True)
class Capture:
    name: str
    opencode: str
    argv: list[str]
    exit_code: int | None  # None: ended by ``signal``
    signal: str | None
    stdout: bytes
    stderr: bytes

    @property
    def session_arg(self) -> str | None:
        return self.argv[self.argv.index("--session") + 1] if "--session" in self.argv else None


def read(path: Path) -> Capture:
    data = json.loads(path.read_text(encoding="utf-8"))
    return Capture(name=path.stem, opencode=data["opencode"], argv=data["argv"],
                   exit_code=data["exitCode"], signal=data["signal"],
                   stdout=data["stdout"].encode(), stderr=data["stderr"].encode())  # fmt: skip


def load(name: str) -> Capture:
    """A capture of the pinned version."""
    return read(CAPTURES / f"opencode-{VERSION}" / f"{name}.json")


def every() -> list[Capture]:
    """Every capture there is (any version, any scenario): what the comparison reads."""
    return [read(p) for p in sorted(CAPTURES.glob("opencode-*/*.json"))]
