"""Fill the structured templates with a plan: clean manifests, no text in between.

Pure: no network, no ``kubernetes`` import; the same input gives byte-identical output.

Safety model. Templates are YAML data (see :mod:`kubeclip.renderer.template`): each
``{{ expression }}`` is evaluated into the document tree, so a value can never open a new
YAML key or document, whatever it contains; the sandbox with ``StrictUndefined`` turns a
typo into an error naming the file and line. The result is checked — names, labels, no
secret value outside the Secret, and the plan's contract with the runner (the Job's name,
its container, the pod labels the runner selects on, the run Secret) — and serialised by
:mod:`kubeclip.renderer.emit`, whose output round-trips by property test.
"""

from __future__ import annotations

import json
import os
import os.path
from functools import cache
from typing import TYPE_CHECKING, Any, cast

from kubeclip.errors import InputError, ManifestError, TemplateError
from kubeclip.renderer import emit, naming
from kubeclip.renderer.credentials import scrub
from kubeclip.renderer.plan import REDACTED, Plan
from kubeclip.renderer.resources import templates_dir
from kubeclip.renderer.template import Template

if TYPE_CHECKING:
    from kubeclip.renderer.kube_types import Manifest

# (template file, the plan section it sees). The Secret template is the only one that
# sees secret values; the Job template sees only the Secret's name.
TEMPLATES = (("secret.yaml", "secret"), ("job.yaml", "job"))
KINDS = {"secret.yaml": "Secret", "job.yaml": "Job"}  # what each template must make


@cache
def compiled_templates(directory: str | None) -> dict[str, Template]:
    """The compiled templates of a directory (a user's copy falls back file by file to the
    bundled ones; ``NAME.override.yaml`` is merged into NAME.yaml). Compiled once."""
    if directory is not None and not os.path.isdir(directory):
        raise InputError(directory, ["--templates: not a directory"])
    bundled = templates_dir()
    user = directory
    if user is not None:
        stale = sorted(n for n in os.listdir(user) if n.endswith(".yaml.j2"))
        if stale:
            raise TemplateError(
                os.path.join(user, stale[0]), None,
                "text templates (*.yaml.j2) are no longer read: kubeclip's templates are YAML "
                "with quoted {{ expression }} values now (kubeclipTemplate: 2). Port your "
                "changes to a copy of the bundled templates/ or to a NAME.override.yaml",
            )  # fmt: skip
        stems = tuple(name.removesuffix("yaml") for name, _ in TEMPLATES)  # "job.", ...
        known = {n for stem in stems for n in (f"{stem}yaml", f"{stem}override.yaml")}
        unread = sorted(n for n in os.listdir(user) if n.startswith(stems)
                        and n.endswith((".yaml", ".yml")) and n not in known)  # fmt: skip
        if unread:  # e.g. job.override.yml, job.overrides.yaml: never silently ignored
            raise TemplateError(
                os.path.join(user, unread[0]), None,
                "is not a file kubeclip reads; the templates are "
                + ", ".join(sorted(known)) + _close_to(unread[0], known),
            )  # fmt: skip
    out: dict[str, Template] = {}
    for name, _section in TEMPLATES:
        mine = os.path.join(user, name) if user is not None else None
        base = mine if mine is not None and os.path.isfile(mine) else os.path.join(bundled, name)
        stem = name.removesuffix(".yaml")
        override = os.path.join(user, f"{stem}.override.yaml") if user is not None else None
        out[name] = Template(base, override if override and os.path.isfile(override) else None)
    return out


def _close_to(name: str, known: set[str]) -> str:
    import difflib

    close = difflib.get_close_matches(name, sorted(known), n=1, cutoff=0.6)
    return f" (did you mean {close[0]}?)" if close else ""


class Rendered:
    """The manifests of one run, the plan they came from, and per-document reviewer
    comments (for YAML output)."""

    def __init__(
        self, documents: list[Manifest], plan: Plan, comments: list[list[str]] | None = None
    ) -> None:
        self.documents = documents
        self.plan = plan
        self.comments = comments if comments is not None else [[] for _ in documents]

    def to_yaml(self) -> str:
        parts = []
        for doc, comments in zip(self.documents, self.comments, strict=True):
            head = "".join(f"# {line}\n" for line in comments)
            parts.append(head + emit.dump(dict(doc)))
        return "---\n" + "---\n".join(parts)

    def to_json(self) -> str:
        body = {"apiVersion": "v1", "kind": "List", "items": self.documents}
        return json.dumps(body, indent=2, ensure_ascii=False) + "\n"


def render(plan: Plan, template_dir: str | os.PathLike[str] | None = None) -> Rendered:
    """Fill the templates. An error message never carries a credential value: a broken
    template may quote a value holding one, and that message ends up in logs."""
    try:
        return _render(plan, template_dir)
    except (TemplateError, ManifestError) as e:
        e.args = (scrub(str(e), plan["secretValues"]),)
        raise


def _render(plan: Plan, template_dir: str | os.PathLike[str] | None) -> Rendered:
    templates = compiled_templates(str(template_dir) if template_dir is not None else None)
    documents: list[Manifest] = []
    comments: list[list[str]] = []
    for name, section in TEMPLATES:
        template = templates[name]
        try:
            doc = template.render({section: plan[section]})  # type: ignore[literal-required]
        except RecursionError:
            raise TemplateError(template.filename, None, "recursion too deep") from None
        if not {"apiVersion", "kind", "metadata"} <= doc.keys():
            raise TemplateError(template.filename, None, "needs apiVersion, kind and metadata")
        documents.append(cast("Manifest", doc))
        comments.append(_comments(documents[-1], plan))
    for (name, _), manifest in zip(TEMPLATES, documents, strict=True):
        if template_dir is not None:  # the user's layout or overrides (why: k8s_schema)
            _as_kubernetes_accepts(manifest, templates[name], KINDS[name])
        _annotations_fit(manifest, templates[name], template_dir is not None)
    honours_the_plan(documents, plan, templates)  # first: which document is the Secret
    enforce_guarantees(documents, plan)
    return Rendered(documents=documents, plan=plan, comments=comments)


def _as_kubernetes_accepts(doc: Manifest, template: Template, kind: str) -> None:
    """Refuse what the API server would, naming the file (the override before the template
    it was merged into) and line that set it."""
    from kubeclip.renderer import k8s_schema

    found = k8s_schema.problems(dict(doc), kind)
    for key, message in found:
        for path in (template.override, template.path):
            line = k8s_schema.line_of(path, key)
            if path is not None and line is not None:
                raise TemplateError(path, line, message)
    if found:
        raise TemplateError(template.override or template.path, None, found[0][1])


def _annotations_fit(doc: Manifest, template: Template, users: bool) -> None:
    from kubeclip.renderer.k8s_schema import annotations_too_large

    for message in annotations_too_large(dict(doc)):
        if users:
            raise TemplateError(template.override or template.path, None, message)
        raise ManifestError(f"the {doc['kind']}'s {message}: shorten the agent config's "
                            "annotations, or the run's task id or agent name")  # fmt: skip


def honours_the_plan(documents: list[Manifest], plan: Plan, templates: dict[str, Template]) -> None:
    """The runner follows the Job by what the plan says: its name and namespace, the pod
    labels it selects on, the container whose log it reads, the Secret that carries the
    prompt. A template that drops one would make the run fail late or wait forever."""
    job_plan = plan["run"]
    by_section = {section: documents[i] for i, (_, section) in enumerate(TEMPLATES)}
    job = cast(dict[str, Any], by_section["job"])
    secret = cast(dict[str, Any], by_section["secret"])
    _is_the_run_secret(secret, plan, templates["secret.yaml"].filename)
    problems: list[str] = []
    meta = job.get("metadata") or {}
    if (meta.get("name"), meta.get("namespace")) != (job_plan["jobName"], job_plan["namespace"]):
        problems.append("metadata.name and metadata.namespace: {{ job.name }}, {{ job.namespace }}")
    pod = (job.get("spec") or {}).get("template") or {}
    labels = (pod.get("metadata") or {}).get("labels") or {}
    missing = [k for k, v in job_plan["selector"].items() if labels.get(k) != v]
    if missing:
        problems.append(f"spec.template.metadata.labels: the run's labels ({', '.join(missing)})")
    spec = pod.get("spec") or {}
    names = [c.get("name") for c in spec.get("containers") or []]
    if job_plan["container"] not in names:
        container = job_plan["container"]
        problems.append(f"spec.template.spec.containers: a container named {container!r}")
    volumes = [(v.get("secret") or {}).get("secretName") for v in spec.get("volumes") or []]
    if job_plan["secretName"] not in volumes:
        problems.append("spec.template.spec.volumes: the run Secret's volume ({{ job.volumes }})")
    if problems:
        raise TemplateError(
            templates["job.yaml"].filename, None,
            "the Job template must keep what kubeclip's runner relies on: " + "; ".join(problems),
        )  # fmt: skip


def _is_the_run_secret(secret: dict[str, Any], plan: Plan, filename: str) -> None:
    """The prompt and the credentials go into a Secret of the run's name, in the Job's
    namespace, of type Opaque: an override that made it a ConfigMap, or moved it to another
    namespace, would put the run's token where anyone may read it, or out of the Job's
    reach. Part of the run contract, like the container name."""
    meta = secret.get("metadata") or {}
    want = {"apiVersion": "v1", "kind": "Secret", "metadata.name": plan["run"]["secretName"],
            "metadata.namespace": plan["run"]["namespace"], "type": "Opaque"}  # fmt: skip
    got = {"apiVersion": secret.get("apiVersion"), "kind": secret.get("kind"),
           "metadata.name": meta.get("name"), "metadata.namespace": meta.get("namespace"),
           "type": secret.get("type", "Opaque")}  # fmt: skip
    wrong = [f"{k}: {got[k]!r} (must be {v!r})" for k, v in want.items() if got[k] != v]
    if wrong:
        raise TemplateError(filename, None, "the run Secret must stay the run's Secret, which "
                            "kubeclip's runner relies on: " + "; ".join(wrong))  # fmt: skip


def enforce_guarantees(documents: list[Manifest], plan: Plan) -> None:
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
        lines.append(
            "named for one of the agent's run slots: applied by kubeclip, creating it is the "
            "agent's lock, and its values are wiped once the agent has read them"
        )
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
