"""Fill the Jinja2 templates with a plan and turn the result into clean manifests.

Pure: no network, no ``kubernetes`` import; the same input gives byte-identical output.

Safety model. Templates are data layouts, not text concatenation: every ``{{ expr }}``
passes through :func:`yaml_value` (the environment's ``finalize``), which writes the
value as a JSON/YAML flow scalar or collection. A value can therefore never open a new
YAML key or document, whatever it contains. The environment is sandboxed with
``StrictUndefined``, so a template typo is an error, not an empty string. The rendered
text is parsed back (dropping nulls and empties on the way), checked (names, labels, no secret
value outside the Secret) and serialised by :mod:`kubeclip.emit`, whose output
round-trips by property test.
"""

from __future__ import annotations

import json
import traceback
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any, cast

import jinja2
import yaml
from jinja2.sandbox import SandboxedEnvironment

from kubeclip import emit, naming
from kubeclip.credentials import scrub
from kubeclip.errors import InputError, ManifestError, TemplateError
from kubeclip.kube_types import Manifest
from kubeclip.loader import load_all_fast
from kubeclip.plan import REDACTED, Plan
from kubeclip.resources import templates_dir

# (template file, the plan section it sees). The Secret template is the only one that
# sees secret values; the Job template sees only the Secret's name.
TEMPLATES = (("secret.yaml.j2", "secret"), ("job.yaml.j2", "job"))
KEEP_EMPTY = frozenset({"emptyDir"})  # empty mappings that mean something in Kubernetes


def yaml_value(value: Any) -> str:
    """The templates' ``finalize``: every ``{{ expression }}`` becomes one YAML flow node."""
    if isinstance(value, jinja2.Undefined):
        str(value)  # StrictUndefined raises UndefinedError naming the missing attribute
    return emit.flow(value)


@cache
def environment(directory: str | None) -> SandboxedEnvironment:
    """One compiled environment per template directory (templates are cached in it)."""
    if directory is not None and not Path(directory).is_dir():
        raise InputError(directory, ["--templates: not a directory"])
    search = [str(templates_dir())] if directory is None else [directory, str(templates_dir())]
    env = SandboxedEnvironment(
        loader=jinja2.FileSystemLoader(search),
        undefined=jinja2.StrictUndefined,
        finalize=yaml_value,
        autoescape=False,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        auto_reload=False,
    )
    env.filters["tojson"] = yaml_value  # Jinja's own escapes for HTML, not YAML
    return env


@dataclass
class Rendered:
    documents: list[Manifest]
    plan: Plan
    comments: list[list[str]] = field(default_factory=list)  # per document, for YAML output

    def to_yaml(self) -> str:
        parts = []
        for doc, comments in zip(self.documents, self.comments, strict=True):
            head = "".join(f"# {line}\n" for line in comments)
            parts.append(head + emit.dump(dict(doc)))
        return "---\n" + "---\n".join(parts)

    def to_json(self) -> str:
        body = {"apiVersion": "v1", "kind": "List", "items": self.documents}
        return json.dumps(body, indent=2, ensure_ascii=False) + "\n"


def render(plan: Plan, template_dir: str | Path | None = None) -> Rendered:
    """Fill the templates. An error message never carries a credential value: a broken
    template may quote a rendered line holding one, and that message ends up in logs."""
    try:
        return _render(plan, template_dir)
    except (TemplateError, ManifestError) as e:
        e.args = (scrub(str(e), plan["secretValues"]),)
        raise


def _render(plan: Plan, template_dir: str | Path | None) -> Rendered:
    env = environment(str(template_dir) if template_dir is not None else None)
    documents: list[Manifest] = []
    comments: list[list[str]] = []
    for template_name, section in TEMPLATES:
        text = _render_template(env, template_name, {section: plan[section]})  # type: ignore[literal-required]
        for doc in _parse(text, env, template_name):
            documents.append(doc)
            comments.append(_comments(doc, plan))
    check(documents, plan)
    return Rendered(documents=documents, plan=plan, comments=comments)


def _render_template(env: SandboxedEnvironment, name: str, context: dict[str, Any]) -> str:
    try:
        template = env.get_template(name)
    except jinja2.TemplateSyntaxError as e:
        raise TemplateError(
            e.filename or name, e.lineno, f"template syntax error: {e.message}"
        ) from None
    except jinja2.TemplateNotFound:
        raise TemplateError(name, None, "template not found") from None
    try:
        return template.render(context)
    except (jinja2.TemplateError, TypeError, ValueError, AttributeError, KeyError) as e:
        filename = template.filename or name
        line = _template_line(e, filename)
        raise TemplateError(filename, line, f"{type(e).__name__}: {e}") from None
    except OverflowError as e:  # the sandbox's range() limit
        raise TemplateError(template.filename or name, None, f"too large: {e}") from None
    except RecursionError:  # a template that includes or calls itself
        raise TemplateError(
            template.filename or name, None, "recursion too deep (does it include itself?)"
        ) from None


def _template_line(error: BaseException, filename: str) -> int | None:
    """Jinja rewrites tracebacks so template frames carry the template's own file and line."""
    line = None
    for frame in traceback.extract_tb(error.__traceback__):
        if frame.filename == filename:
            line = frame.lineno
    return line


def _parse(text: str, env: SandboxedEnvironment, name: str) -> list[Manifest]:
    filename = _filename(env, name)
    try:
        docs = [d for d in load_all_fast(text, prune=True, keep_empty=KEEP_EMPTY) if d is not None]
    except yaml.MarkedYAMLError as e:
        mark = e.problem_mark
        lines = text.splitlines()
        detail = ""
        if mark is not None and mark.line < len(lines):
            detail = f" (rendered line {mark.line + 1}: {lines[mark.line][:120]!r})"
        raise TemplateError(filename, None, f"renders invalid YAML: {e.problem}{detail}") from None
    out: list[Manifest] = []
    for doc in docs:
        if not isinstance(doc, dict) or not {"apiVersion", "kind", "metadata"} <= doc.keys():
            raise TemplateError(filename, None, "each document needs apiVersion, kind and metadata")
        out.append(cast(Manifest, doc))
    return out


def _filename(env: SandboxedEnvironment, name: str) -> str:
    try:
        return env.get_template(name).filename or name
    except jinja2.TemplateError:  # pragma: no cover - loaded before
        return name


def check(documents: list[Manifest], plan: Plan) -> None:
    """Guarantees that hold whatever the templates say.

    Credential values must not appear outside the Secret (nor in it, when redacted). A
    value that the Job legitimately holds as plain data too (say ``TOKEN_DIR=/paperclip``
    beside ``HOME=/paperclip``) is no secret, and is not looked for.
    """
    secrets = plan["secretValues"]
    if secrets:
        plain = _strings(plan["job"])
        secrets = [v for v in secrets if not any(v in text for text in plain)]
    revealed = any(v in plan["secret"]["stringData"].values() for v in secrets)
    for doc in documents:
        meta = doc.get("metadata") or {}
        name = meta.get("name", "")
        what = f"{doc.get('kind')} {name!r}"
        if not naming.is_label_value(name) or not name or name != name.lower():
            raise ManifestError(f"{what}: the name is not a valid DNS-1123 label")
        for labels in _label_maps(doc):
            for key, value in labels.items():
                if not isinstance(value, str) or not naming.is_label_value(value):
                    raise ManifestError(f"{what}: label {key}={value!r} is not a valid value")
        if not secrets or (doc.get("kind") == "Secret" and revealed):
            continue
        for text in _strings(doc):
            for secret in secrets:
                if secret in text and secret != REDACTED:
                    raise ManifestError(
                        f"{what}: a secret value appears in the manifest; templates must "
                        "reference the run Secret instead"
                    )


def _label_maps(doc: Manifest) -> list[dict[str, Any]]:
    maps = [(doc.get("metadata") or {}).get("labels") or {}]
    template = (doc.get("spec") or {}).get("template") or {}
    maps.append((template.get("metadata") or {}).get("labels") or {})
    return maps


def _strings(node: Any) -> list[str]:
    out: list[str] = []
    stack = [node]
    while stack:
        item = stack.pop()
        if isinstance(item, str):
            out.append(item)
        elif isinstance(item, dict):
            stack.extend(item.keys())
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)
    return out


def _comment(text: str) -> str:
    """A comment line that cannot end early: control characters and breaks are escaped."""
    if text.isprintable():
        return text
    return "".join(c if c.isprintable() else c.encode("unicode_escape").decode() for c in text)


def _comments(doc: Manifest, plan: Plan) -> list[str]:
    kind = doc.get("kind")
    run_id = plan["job"]["annotations"].get(f"{naming.DOMAIN}/run-id", "")
    lines: list[str] = []
    if kind == "Secret":
        lines.append(f"kubeclip: per-run Secret of run {run_id} (prompt and credentials)")
        if REDACTED in plan["secret"]["stringData"].values():
            lines.append(
                "credential values are redacted for review; pipe to kubectl only with "
                "--reveal-secrets"
            )
    elif kind == "Job":
        inh = plan["inherited"]
        lines.append(f"kubeclip: agent run {run_id}")
        lines.append(f"inherited from {inh['from']}:")
        for label, key in (
            ("env", "env"),
            ("envFrom", "envFrom"),
            ("secret volumes", "secretVolumes"),
            ("imagePullSecrets", "imagePullSecrets"),
        ):
            lines.append(f"  {label}: {', '.join(inh[key]) or '(none)'}")
        lines.append(f"  dns: {'yes' if inh['dns'] else 'no'}")
        lines.extend(plan["notes"])
        lines.extend(f"warning: {w}" for w in plan["warnings"])
    return [_comment(line) for line in lines]
