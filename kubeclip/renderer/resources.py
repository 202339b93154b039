"""Where the bundled templates and schemas live.

A wheel carries them as ``kubeclip/templates`` and ``kubeclip/schema``; a source
checkout (or an editable install) has them at the repository root, where reviewers
read them. Both layouts resolve to plain directories.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

_PACKAGE_DIR = Path(__file__).resolve().parent.parent  # the kubeclip package


def _find(name: str) -> Path:
    for candidate in (_PACKAGE_DIR / name, _PACKAGE_DIR.parent / name):
        if candidate.is_dir():
            return candidate
    raise RuntimeError(f"kubeclip is installed without its {name}/ directory")  # a packaging bug


@cache
def templates_dir() -> Path:
    return _find("templates")


@cache
def schema_dir() -> Path:
    return _find("schema")
