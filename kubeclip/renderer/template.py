"""Structured templates: YAML documents whose values may be Jinja expressions.

A template is parsed once as YAML. A string value that is exactly one ``{{ expression }}``
is compiled once as a Jinja expression and replaced, at render time, by the value it
evaluates to — a string, a number, a whole mapping or list — placed *into the tree*. Any
other string holding ``{{`` is a small Jinja string template and renders to a string. No
rendered text is ever parsed again, so no value can change the document's shape (open a
key, a document, an anchor) whatever it contains, and templates may carry YAML comments.

Why not text templates: a YAML text template has to be re-parsed after rendering (the
slowest part of a render), and its safety rests on quoting every value correctly.

Expressions run in Jinja's ``SandboxedEnvironment`` with ``StrictUndefined``: a typo is an
error naming the template file and line, not an empty value. Nulls and empty collections
are dropped from the result (``emptyDir: {}`` is kept), so optional fields need no ``if``.

A template says which layout version it is (``kubeclipTemplate: N``, removed from the
output): a copy older or newer than this kubeclip is refused, not half-used. An override
file (``job.override.yaml`` beside ``job.yaml``) is merged into the template before it is
compiled — mappings key by key, ``null`` deletes a key, anything else replaces — so a user
changes one part (the security context, the volumes) without copying the whole file.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import yaml

from kubeclip.errors import InputError, TemplateError
from kubeclip.renderer.loader import (
    MAX_DEPTH,
    InputRefused,
    bounded,
    refuse_many_nodes,
    refuse_oversized,
)

if TYPE_CHECKING:  # Jinja is imported only for a template that needs more than lookups
    import jinja2
    from jinja2.sandbox import SandboxedEnvironment

VERSION = 2  # the layout version of the bundled templates
VERSION_KEY = "kubeclipTemplate"
KEEP_EMPTY = frozenset({"emptyDir"})  # empty mappings that mean something in Kubernetes

Context = dict[str, Any]


class _Expr:
    """One ``{{ expression }}`` value: evaluated into the tree. (Plain classes, not
    dataclasses: importing dataclasses costs a cold `kubeclip render` ~10 ms.)"""

    __slots__ = ("evaluate", "file", "line", "source")

    def __init__(self, source: str, line: int, evaluate: Callable[..., Any], file: str) -> None:
        self.source, self.line, self.evaluate, self.file = source, line, evaluate, file


class _Text:
    """A string with expressions inside: renders to a string."""

    __slots__ = ("file", "line", "source", "template")

    def __init__(self, source: str, line: int, template: jinja2.Template, file: str) -> None:
        self.source, self.line, self.template, self.file = source, line, template, file


class Undefined(Exception):
    """A name or key the template asks for does not exist (Jinja's StrictUndefined)."""


_ENV: list[SandboxedEnvironment] = []


def environment() -> SandboxedEnvironment:
    """Jinja's sandbox, made on first need: the bundled templates are plain lookups, and a
    cold `kubeclip render` should not pay for importing Jinja."""
    if not _ENV:
        import jinja2
        from jinja2.sandbox import SandboxedEnvironment

        class Sandbox(SandboxedEnvironment):
            """Jinja's sandbox, and no power that runs forever ({{ 9 ** (9 ** 9) }})."""

            intercepted_binops = frozenset({"**"})

            def call_binop(self, context: Any, operator: str, left: Any, right: Any) -> Any:
                if operator == "**" and isinstance(right, int | float) and abs(right) > 64:
                    raise jinja2.exceptions.SecurityError(
                        f"an exponent of {right} is above the templates' limit of 64")
                return super().call_binop(context, operator, left, right)

        _ENV.append(
            Sandbox(undefined=jinja2.StrictUndefined, autoescape=False, keep_trailing_newline=True)
        )
    return _ENV[0]


class Template:
    """A compiled template file (plus its override, if any)."""

    def __init__(self, path: str, override: str | None = None):
        self.path = path
        self.filename = path
        self.override = override
        tree = self._load(path)
        if override is not None:
            tree = _merge(tree, self._load(override), override)
        version = tree.pop(VERSION_KEY, None) if isinstance(tree, dict) else None
        if version != VERSION:
            found = f"is version {version}" if version is not None else "has no version"
            raise TemplateError(
                self.filename, None,
                f"{found}; this kubeclip reads kubeclipTemplate: {VERSION}. Compare your copy "
                "with kubeclip's bundled templates/ and carry your changes over",
            )  # fmt: skip
        if not isinstance(tree, dict) or not {"apiVersion", "kind", "metadata"} <= tree.keys():
            raise TemplateError(self.filename, None, "needs apiVersion, kind and metadata")
        self.tree = self._compile(tree)

    # --- loading ---------------------------------------------------------------------------
    def _load(self, path: str) -> Any:
        """The YAML with each string scalar's line kept (for error messages)."""
        try:
            with open(path, encoding="utf-8") as fh:
                bounded(os.fstat(fh.fileno()).st_size, path)
                text = fh.read()
        except InputError as e:
            raise TemplateError(path, None, e.problems[0]) from None
        except OSError as e:
            raise TemplateError(path, None, f"cannot read: {e.strerror}") from None
        except UnicodeDecodeError as e:
            raise TemplateError(path, None, f"is not UTF-8 text ({e.reason} at byte "
                                f"{e.start})") from None  # fmt: skip
        loader = _LineLoader(text)
        loader.file = path
        try:
            refuse_many_nodes(text)
            node = loader.get_single_node()
            if node is not None:
                refuse_oversized(node)  # the config's bounds
            return loader.construct_document(node) if node is not None else None
        except InputRefused as e:
            raise TemplateError(path, None, f"refused: {e}") from None
        except RecursionError:
            raise TemplateError(path, None, f"refused: nested deeper than {MAX_DEPTH} levels"
                                ) from None  # fmt: skip
        except yaml.MarkedYAMLError as e:
            lines = text.splitlines()
            mark = e.problem_mark or e.context_mark
            if mark is not None and mark.line >= len(lines) and e.context_mark is not None:
                mark = e.context_mark  # the end of the file: where what was left open began
            line = mark.line + 1 if mark else None
            hint = ""
            if "unhashable" in str(e) or "{{" in (lines[line - 1] if line and line <= len(
                    lines) else ""):  # fmt: skip
                hint = ' (write an expression value quoted: image: "{{ job.image }}")'
            what = f"{e.context}: {e.problem}" if e.context else e.problem
            raise TemplateError(path, line, f"invalid YAML: {what}{hint}") from None
        except yaml.YAMLError as e:
            raise TemplateError(path, None, f"invalid YAML: {e}") from None
        finally:
            loader.dispose()

    def _compile(self, node: Any) -> Any:
        if isinstance(node, dict):
            return {k: self._compile(v) for k, v in node.items()}
        if isinstance(node, list):
            return [self._compile(v) for v in node]
        if isinstance(node, _Scalar):
            text, line, file = node.text, node.line, node.file
            inner = text.strip()
            whole = (
                inner.startswith("{{") and inner.endswith("}}")
                and inner.count("{{") == 1 and "{%" not in inner
            )  # fmt: skip
            source = inner[2:-2].strip()
            if whole and _PATH.match(source):  # `job.image`: plain lookups, no Jinja
                return _Expr(text, line, _lookup(tuple(source.split("."))), file)
            import jinja2

            try:
                if whole:
                    expr = environment().compile_expression(source, undefined_to_none=False)
                    return _Expr(text, line, expr, file)
                return _Text(text, line, environment().from_string(text), file)
            except jinja2.TemplateSyntaxError as e:
                message = f"template syntax error: {e.message}"
                raise TemplateError(file, line, message) from None
        return node

    # --- rendering -------------------------------------------------------------------------
    def render(self, context: Context) -> dict[str, Any]:
        out = _evaluate(self.tree, context, self.filename)
        return out if isinstance(out, dict) else {}


_PATH = re.compile(r"[A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z_][A-Za-z0-9_]*)*\Z")


def _lookup(path: tuple[str, ...]) -> Callable[..., Any]:
    """``a.b.c`` over the plan's mappings, as Jinja reads it (a missing key is an error
    naming it, as with StrictUndefined), without building a Jinja context per value: the
    renderer's hot path. Only mapping items are read, never Python attributes."""
    head, rest = path[0], path[1:]

    def evaluate(**context: Any) -> Any:
        if head not in context:
            raise Undefined(f"'{head}' is undefined")
        value = context[head]
        for depth, name in enumerate(rest, 1):
            if not isinstance(value, dict) or name not in value:
                kind = "dict object" if isinstance(value, dict) else type(value).__name__
                raise Undefined(f"'{kind}' has no attribute '{name}'"
                                f"{_did_you_mean(name, value, path[:depth])}")  # fmt: skip
            value = value[name]
        return value

    return evaluate


def _did_you_mean(name: str, value: Any, prefix: tuple[str, ...]) -> str:
    if not isinstance(value, dict):
        return ""
    import difflib

    close = difflib.get_close_matches(name, [str(k) for k in value], n=1)
    return f" (did you mean {'.'.join((*prefix, close[0]))}?)" if close else ""


class _Scalar:
    """A string scalar holding ``{{`` or ``{%``, with its file and line (an override's
    values are blamed on the override, not on the template it was merged into)."""

    __slots__ = ("file", "line", "text")

    def __init__(self, text: str, line: int, file: str) -> None:
        self.text, self.line, self.file = text, line, file


_BASE_LOADER: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # libyaml's parser when built


class _LineLoader(_BASE_LOADER):  # type: ignore[misc]
    file = ""

    def construct_scalar(self, node: yaml.ScalarNode) -> Any:
        value = super().construct_scalar(node)
        if isinstance(value, str) and ("{{" in value or "{%" in value):
            return _Scalar(value, node.start_mark.line + 1, self.file)
        return value


def _merge(base: Any, override: Any, source: str) -> Any:
    if not isinstance(override, dict):
        raise TemplateError(source, None, "an override file is a mapping merged into its template")
    out = dict(base) if isinstance(base, dict) else {}
    for key, value in override.items():
        if value is None:
            out.pop(key, None)
        elif isinstance(value, dict) and isinstance(out.get(key), dict):
            out[key] = _merge(out[key], value, source)
        else:
            out[key] = value
    return out


def _evaluate(node: Any, context: Context, filename: str) -> Any:
    """The node with every expression evaluated; nulls and empty collections dropped."""
    kind = type(node)
    if kind is dict:
        out: dict[str, Any] = {}
        for key, value in node.items():
            if type(value) in _NODES:
                value = _evaluate(value, context, filename)
                if value is None or (
                    not value and type(value) in _COLLECTIONS and key not in KEEP_EMPTY
                ):
                    continue
            elif value is None:
                continue
            out[key] = value
        return out
    if kind is _Expr:
        try:
            value = node.evaluate(**context)
            if _ENV and type(value).__name__ == "StrictUndefined":
                str(value)  # StrictUndefined raises, naming what is missing
        except Undefined as e:
            raise TemplateError(node.file, node.line, f"UndefinedError: {e}") from None
        except (OverflowError, MemoryError) as e:  # the sandbox's range() limit
            raise TemplateError(node.file, node.line, f"too large: {e}") from None
        except RecursionError:
            raise
        except Exception as e:  # anything a template expression raises is the template's
            raise TemplateError(node.file, node.line, f"{type(e).__name__}: {e}") from None
        return _prune(value)
    if kind is list:
        items = [_evaluate(v, context, filename) for v in node]
        return [v for v in items if v is not None]
    if kind is _Text:
        try:
            return node.template.render(context)
        except (OverflowError, MemoryError) as e:
            raise TemplateError(node.file, node.line, f"too large: {e}") from None
        except RecursionError:
            raise
        except Exception as e:
            raise TemplateError(node.file, node.line, f"{type(e).__name__}: {e}") from None
    return node


def _prune(value: Any) -> Any:
    """A value from the plan, copied without nulls and empty collections (as the template's
    own nodes): the output never aliases the plan, and optional fields simply vanish."""
    kind = type(value)
    if kind is str or kind is int or kind is bool or value is None or kind is float:
        return value
    if kind is dict:
        out = {}
        for k, v in value.items():
            if type(k) is not str:
                raise TypeError(f"a mapping key must be a string, not {type(k).__name__}")
            if type(v) is not str:
                v = _prune(v)
                if v is None or (not v and type(v) in _COLLECTIONS and k not in KEEP_EMPTY):
                    continue
            out[k] = v
        return out
    if kind is list or kind is tuple:
        return [v for v in (_prune(v) for v in value) if v is not None]
    if isinstance(value, (str, bool, int, float)):
        return value
    raise TypeError(f"cannot write a {type(value).__name__} into a manifest")


_COLLECTIONS = (dict, list)
_NODES = frozenset({dict, list, _Expr, _Text})
