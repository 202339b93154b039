"""Reading YAML/JSON input files with errors that name the file and line."""

from __future__ import annotations

import io
import json
import os
import sys
from typing import Any

import yaml

from kubeclip.errors import InputError

__all__ = [
    "InputLoader",
    "SafeLoader",
    "bounded",
    "load_documents",
    "load_mapping",
    "parse_document",
    "read_text",
    "refuse_many_nodes",
    "refuse_oversized",
]

try:  # libyaml is several times faster; PyYAML wheels ship it on every major platform
    from yaml import CSafeLoader as SafeLoader
except ImportError:  # pragma: no cover
    from yaml import SafeLoader  # type: ignore[assignment]


# Bounds for every input document (config, pod file, run context). A real config has a few
# hundred nodes and a Deployment a few thousand; a 1 MiB prompt is one node.
MAX_NODES = 100_000
MAX_DEPTH = 64
# Read before parsing, so that memory stays bounded (parsing YAML costs ~10x its size): a
# run context with a prompt of several MiB fits, a 50 MB file of plain keys does not.
MAX_BYTES = 16 * 1024 * 1024


class InputRefused(Exception):
    pass


def expanded_size(root: yaml.Node) -> int:
    """How many nodes ``root`` becomes once aliases are expanded (a 400-byte "billion
    laughs" document becomes 10^9), without expanding anything. Recursive aliases refused."""
    sizes: dict[int, int] = {}
    on_path: set[int] = set()
    stack: list[tuple[yaml.Node, bool]] = [(root, False)]
    while stack:
        node, done = stack.pop()
        key = id(node)
        if done:
            on_path.discard(key)
            children: list[yaml.Node] = []
            if isinstance(node, yaml.SequenceNode):
                children = list(node.value)
            elif isinstance(node, yaml.MappingNode):
                children = [n for pair in node.value for n in pair]
            total = 1 + sum(sizes[id(c)] for c in children)
            sizes[key] = min(total, MAX_NODES + 1)
            continue
        if key in sizes:
            continue
        if key in on_path:
            raise InputRefused("a recursive YAML alias (a node that contains itself)")
        on_path.add(key)
        stack.append((node, True))
        if isinstance(node, yaml.SequenceNode):
            stack.extend((c, False) for c in node.value if id(c) not in sizes)
        elif isinstance(node, yaml.MappingNode):
            stack.extend((c, False) for pair in node.value for c in pair if id(c) not in sizes)
        if len(on_path) > MAX_DEPTH + 1:
            raise InputRefused(f"nested deeper than {MAX_DEPTH} levels")
    return sizes[id(root)]


_TOO_MANY = (
    f"holds more than {MAX_NODES:,} values (counting what YAML aliases expand to); "
    "kubeclip's inputs hold a few thousand at most"
)
# A text this short cannot hold enough nodes to cost much memory (2 bytes a node at least).
SCAN_ABOVE = 256 * 1024


def refuse_oversized(node: yaml.Node) -> None:
    """Every YAML input's bound: config, pod file, run context, templates, overrides."""
    if expanded_size(node) > MAX_NODES:
        raise InputRefused(_TOO_MANY)


def refuse_many_nodes(text: str) -> None:
    """The same bound, kept while parsing a long text, before any node is built: composing
    250,000 plain keys cost 270 MB before :func:`refuse_oversized` could count them."""
    if len(text) <= SCAN_ABOVE:
        return
    count = 0
    for event in yaml.parse(text, Loader=SafeLoader):
        if isinstance(event, _NODE_EVENTS):
            count += 1
            if count > MAX_NODES:
                raise InputRefused(_TOO_MANY)


_NODE_EVENTS = (yaml.ScalarEvent, yaml.SequenceStartEvent, yaml.MappingStartEvent,
                yaml.AliasEvent)  # fmt: skip


def _check_json_shape(data: Any) -> None:
    """The same bounds for JSON, which has no aliases but may nest and repeat."""
    count = 0
    stack: list[tuple[Any, int]] = [(data, 0)]
    while stack:
        item, depth = stack.pop()
        count += 1
        if depth > MAX_DEPTH:
            raise InputRefused(f"nested deeper than {MAX_DEPTH} levels")
        if count > MAX_NODES:
            raise InputRefused(f"holds more than {MAX_NODES:,} values; kubeclip's inputs hold "
                                "a few thousand at most")  # fmt: skip
        if isinstance(item, dict):
            stack.extend((v, depth + 1) for v in item.values())
        elif isinstance(item, list):
            stack.extend((v, depth + 1) for v in item)


def _refuse_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in pairs:
        if key in out:
            raise InputRefused(f"duplicate key {key!r}")
        out[key] = value
    return out


class InputLoader(SafeLoader):
    """Safe loading that refuses duplicate keys (YAML would silently keep the last one, and a
    config with ``model`` twice is a mistake, not a choice) and documents that expand beyond
    :data:`MAX_NODES` nodes through aliases or nest deeper than :data:`MAX_DEPTH`."""

    def construct_document(self, node: yaml.Node) -> Any:
        refuse_oversized(node)
        return super().construct_document(node)

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict[Any, Any]:
        seen: set[Any] = set()
        for key_node, _ in node.value:
            key = self.construct_object(key_node, deep=True)
            if isinstance(key, (str, int, float, bool)) and key in seen:
                raise yaml.constructor.ConstructorError(
                    None, None, f"duplicate key {key!r}", key_node.start_mark
                )
            seen.add(key)
        return super().construct_mapping(node, deep=deep)


def bounded(size: int, path: str | os.PathLike[str]) -> None:
    if size > MAX_BYTES:
        raise InputError(str(path), [
            f"is {size / 2**20:.1f} MiB; kubeclip reads input files of at most "
            f"{MAX_BYTES // 2**20} MiB (a long prompt: --prompt-file, or attach files through "
            "the workspace)"])  # fmt: skip


def read_text(path: str | os.PathLike[str], what: str, file: dict[str, Any] | None = None) -> str:
    """The file's text; ``file``: the same file as read in another process (the Paperclip
    container, :func:`kubeclip.paperclip.invocation.read_file`), judged alike."""
    try:
        if file is None and str(path) == "-":  # `--run -`: stdin, bounded alike
            data = sys.stdin.buffer.read(MAX_BYTES + 1)
            bounded(len(data), "stdin")
            return data.decode("utf-8")
        if file is None:
            with open(path, encoding="utf-8") as fh:
                bounded(os.fstat(fh.fileno()).st_size, path)
                return fh.read(MAX_BYTES + 1)
        if "data" not in file:
            raise OSError(file["errno"], file["strerror"])
        bounded(len(file["data"]), path)
        raw = io.BytesIO(file["data"].encode("latin-1"))
        return io.TextIOWrapper(raw, encoding="utf-8").read()
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
            data = json.loads(text, object_pairs_hook=_refuse_duplicates)
            _check_json_shape(data)
        except json.JSONDecodeError as e:
            raise InputError(source, [f"line {e.lineno}: not valid JSON: {e.msg}"]) from None
        except InputRefused as e:
            raise InputError(source, [f"refused: {e}"]) from None
        except RecursionError:
            raise InputError(source, [f"refused: nested deeper than {MAX_DEPTH} levels"]) from None
        try:  # JSON may spell lone surrogates (\ud800) that no UTF-8 manifest can carry
            json.dumps(data, ensure_ascii=False).encode("utf-8")
        except UnicodeEncodeError:
            raise InputError(
                source, ["contains an invalid \\u escape (a lone surrogate)"]
            ) from None
        return data
    docs = load_documents(text, source)
    if len(docs) != 1:
        raise InputError(source, [f"expected exactly one YAML document, found {len(docs)}"])
    return docs[0]


def load_documents(text: str, source: str) -> list[Any]:
    """Every non-empty YAML document of ``text``, bounded (:class:`InputLoader`); any problem
    is an :class:`InputError` naming ``source``."""
    try:
        refuse_many_nodes(text)
        return [d for d in yaml.load_all(text, Loader=InputLoader) if d is not None]
    except InputRefused as e:
        raise InputError(source, [f"refused: {e}"]) from None
    except RecursionError:
        raise InputError(source, [f"refused: nested deeper than {MAX_DEPTH} levels"]) from None
    except yaml.MarkedYAMLError as e:
        mark = e.problem_mark
        line = f"line {mark.line + 1}, column {mark.column + 1}: " if mark else ""
        raise InputError(source, [f"{line}not valid YAML: {e.problem}"]) from None
    except yaml.YAMLError as e:
        raise InputError(source, [f"not valid YAML: {e}"]) from None


def load_mapping(
    path: str | os.PathLike[str], what: str, file: dict[str, Any] | None = None
) -> dict[str, Any]:
    source = str(path)
    data = parse_document(read_text(path, what, file), source)
    if not isinstance(data, dict):
        raise InputError(source, [f"expected a mapping at the top level of the {what}"])
    return data
