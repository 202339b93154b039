"""Where the bundled templates and schemas live.

A wheel carries them as ``kubeclip/templates`` and ``kubeclip/schema``; a source
checkout (or an editable install) has them at the repository root, where reviewers
read them. Both layouts resolve to plain directories.
"""

from __future__ import annotations

import os.path
from functools import cache

# Plain strings, not pathlib: pathlib costs a cold `kubeclip render` ~1.5 ms of imports.
_PACKAGE_DIR = os.path.dirname(os.path.dirname(os.path.realpath(__file__)))  # kubeclip/


def _find(name: str) -> str:
    for base in (_PACKAGE_DIR, os.path.dirname(_PACKAGE_DIR)):
        candidate = os.path.join(base, name)
        if os.path.isdir(candidate):
            return candidate
    raise RuntimeError(f"kubeclip is installed without its {name}/ directory")  # a packaging bug


@cache
def templates_dir() -> str:
    return _find("templates")


@cache
def schema_dir() -> str:
    return _find("schema")
