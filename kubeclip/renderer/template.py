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

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import jinja2
import yaml
from jinja2.sandbox import SandboxedEnvironment

from kubeclip.errors import TemplateError

VERSION = 2  # the layout version of the bundled templates
VERSION_KEY = "kubeclipTemplate"
KEEP_EMPTY = frozenset({"emptyDir"})  # empty mappings that mean something in Kubernetes

Context = dict[str, Any]


@dataclass(frozen=True)
class _Expr:
    """One ``{{ expression }}`` value: evaluated into the tree."""

    source: str
    line: int
    evaluate: Callable[..., Any]


@dataclass(frozen=True)
class _Text:
    """A string with expressions inside: renders to a string."""

    source: str
    line: int
    template: jinja2.Template


def environment() -> SandboxedEnvironment:
    env = SandboxedEnvironment(
        undefined=jinja2.StrictUndefined, autoescape=False, keep_trailing_newline=True
    )
    return env


class Template:
    """A compiled template file (plus its override, if any)."""

    def __init__(self, path: Path, env: SandboxedEnvironment, override: Path | None = None):
        self.path = path
        self.filename = str(path)
        self.env = env
        tree = self._load(path)
        if override is not None:
            tree = _merge(tree, self._load(override), str(override))
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
    def _load(self, path: Path) -> Any:
        """The YAML with each string scalar's line kept (for error messages)."""
        try:
            text = path.read_text(encoding="utf-8")
        except OSError as e:
            raise TemplateError(str(path), None, f"cannot read: {e.strerror}") from None
        loader = _LineLoader(text)
        try:
            node = loader.get_single_node()
            return loader.construct_document(node) if node is not None else None
        except yaml.MarkedYAMLError as e:
            mark = e.problem_mark or e.context_mark
            line = mark.line + 1 if mark else None
            hint = ""
            if "unhashable" in str(e) or "{{" in text.splitlines()[(line or 1) - 1]:
                hint = ' (write an expression value quoted: image: "{{ job.image }}")'
            raise TemplateError(str(path), line, f"invalid YAML: {e.problem}{hint}") from None
        except yaml.YAMLError as e:
            raise TemplateError(str(path), None, f"invalid YAML: {e}") from None
        finally:
            loader.dispose()

    def _compile(self, node: Any) -> Any:
        if isinstance(node, dict):
            return {k: self._compile(v) for k, v in node.items()}
        if isinstance(node, list):
            return [self._compile(v) for v in node]
        if isinstance(node, _Scalar):
            text, line = node.text, node.line
            inner = text.strip()
            try:
                if (
                    inner.startswith("{{") and inner.endswith("}}")
                    and inner.count("{{") == 1 and "{%" not in inner
                ):  # fmt: skip
                    expr = self.env.compile_expression(inner[2:-2], undefined_to_none=False)
                    return _Expr(text, line, expr)
                return _Text(text, line, self.env.from_string(text))
            except jinja2.TemplateSyntaxError as e:
                message = f"template syntax error: {e.message}"
                raise TemplateError(self.filename, line, message) from None
        return node

    # --- rendering -------------------------------------------------------------------------
    def render(self, context: Context) -> dict[str, Any]:
        out = _evaluate(self.tree, context, self.filename)
        return out if isinstance(out, dict) else {}


class _Scalar:
    """A string scalar holding ``{{`` or ``{%``, with its line."""

    __slots__ = ("line", "text")

    def __init__(self, text: str, line: int) -> None:
        self.text, self.line = text, line


class _LineLoader(yaml.SafeLoader):
    def construct_scalar(self, node: yaml.ScalarNode) -> Any:  # type: ignore[override]
        value = super().construct_scalar(node)
        if isinstance(value, str) and ("{{" in value or "{%" in value):
            return _Scalar(value, node.start_mark.line + 1)
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
    if isinstance(node, dict):
        out: dict[str, Any] = {}
        for key, value in node.items():
            value = _evaluate(value, context, filename)
            if value is None or (value == {} and key not in KEEP_EMPTY) or value == []:
                continue
            out[key] = value
        return out
    if isinstance(node, list):
        items = [_evaluate(v, context, filename) for v in node]
        return [v for v in items if v is not None]
    if isinstance(node, _Expr):
        try:
            value = node.evaluate(**context)
            if isinstance(value, jinja2.Undefined):
                str(value)  # StrictUndefined raises, naming what is missing
        except (jinja2.TemplateError, TypeError, ValueError, AttributeError, KeyError) as e:
            raise TemplateError(filename, node.line, f"{type(e).__name__}: {e}") from None
        except OverflowError as e:  # the sandbox's range() limit
            raise TemplateError(filename, node.line, f"too large: {e}") from None
        return _prune(value)
    if isinstance(node, _Text):
        try:
            return node.template.render(context)
        except (jinja2.TemplateError, TypeError, ValueError, AttributeError, KeyError) as e:
            raise TemplateError(filename, node.line, f"{type(e).__name__}: {e}") from None
        except OverflowError as e:
            raise TemplateError(filename, node.line, f"too large: {e}") from None
    return node


def _prune(value: Any, key: str = "") -> Any:
    """A value from the plan, copied without nulls and empty collections (as the template's
    own nodes): the output never aliases the plan, and optional fields simply vanish."""
    if isinstance(value, dict):
        out = {}
        for k, v in value.items():
            if not isinstance(k, str):
                raise TypeError(f"a mapping key must be a string, not {type(k).__name__}")
            v = _prune(v, k)
            if v is None or (v == {} and k not in KEEP_EMPTY) or v == []:
                continue
            out[k] = v
        return out
    if isinstance(value, (list, tuple)):
        return [v for v in (_prune(v) for v in value) if v is not None]
    if value is None or isinstance(value, (str, bool, int, float)):
        return value
    raise TypeError(f"cannot write a {type(value).__name__} into a manifest")
