"""Reading YAML/JSON input files with errors that name the file and line."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import yaml

from kubeclip.errors import InputError

__all__ = ["SafeLoader", "load_mapping", "parse_document", "read_text"]

try:  # libyaml is several times faster; PyYAML wheels ship it on every major platform
    from yaml import CSafeLoader as SafeLoader
except ImportError:  # pragma: no cover
    from yaml import SafeLoader  # type: ignore[assignment]


def read_text(path: str | Path, what: str) -> str:
    try:
        return Path(path).read_text(encoding="utf-8")
    except FileNotFoundError:
        raise InputError(str(path), [f"{what} file not found"]) from None
    except IsADirectoryError:
        raise InputError(str(path), [f"is a directory, expected a {what} file"]) from None
    except UnicodeDecodeError as e:
        raise InputError(str(path), [f"is not UTF-8 text ({e.reason} at byte {e.start})"]) from None
    except OSError as e:
        raise InputError(str(path), [f"cannot read {what} file: {e.strerror}"]) from None


def parse_document(text: str, source: str) -> Any:
    """Parse one YAML (or JSON, a subset of YAML) document."""
    if source.endswith(".json"):
        try:
            data = json.loads(text)
        except json.JSONDecodeError as e:
            raise InputError(source, [f"line {e.lineno}: not valid JSON: {e.msg}"]) from None
        try:  # JSON may spell lone surrogates (\ud800) that no UTF-8 manifest can carry
            json.dumps(data, ensure_ascii=False).encode("utf-8")
        except UnicodeEncodeError:
            raise InputError(
                source, ["contains an invalid \\u escape (a lone surrogate)"]
            ) from None
        return data
    try:
        docs = [d for d in yaml.load_all(text, Loader=SafeLoader) if d is not None]
    except yaml.MarkedYAMLError as e:
        mark = e.problem_mark
        line = f"line {mark.line + 1}, column {mark.column + 1}: " if mark else ""
        raise InputError(source, [f"{line}not valid YAML: {e.problem}"]) from None
    except yaml.YAMLError as e:
        raise InputError(source, [f"not valid YAML: {e}"]) from None
    if len(docs) != 1:
        raise InputError(source, [f"expected exactly one YAML document, found {len(docs)}"])
    return docs[0]


def load_mapping(path: str | Path, what: str) -> dict[str, Any]:
    source = str(path)
    data = parse_document(read_text(path, what), source)
    if not isinstance(data, dict):
        raise InputError(source, [f"expected a mapping at the top level of the {what}"])
    return data
