"""No config, run-context or pod value can inject YAML keys, Jinja code or shell.

Each property draws hostile strings (tests/strategies.py) into input fields, runs the
whole pipeline in-process (parse_config, extract_pod_facts, parse_run_context,
build_plan, render), reads the output back both ways (``to_yaml`` with
``yaml.safe_load_all``, ``to_json`` with ``json.loads``) and asserts on the parsed
objects: the value arrives exactly where it belongs, and the manifests keep the
templates' layout. Values in ``command`` and container ``env`` are compared after
kubelet's ``$(VAR)`` expansion, with a Python port of Kubernetes' own ``Expand``.
"""

from __future__ import annotations

import base64
import copy
import gzip
import json
import random
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from kubeclip.errors import InputError, ManifestError
from kubeclip.renderer import naming
from kubeclip.renderer.builder import build_plan
from kubeclip.renderer.config import parse_config
from kubeclip.renderer.credentials import is_credential_name
from kubeclip.renderer.plan import (
    DEFAULT_RESTRICTED_ANNOTATIONS,
    PROMPT_DIR,
    PROMPT_GZIP_ABOVE,
    REDACTED,
    RUNNER_SCRIPT,
    SECRET_API_KEY,
    SECRET_PROMPT_GZ_KEY,
    SECRET_PROMPT_KEY,
)
from kubeclip.renderer.podfacts import PAPERCLIP_MOUNT, extract_pod_facts
from kubeclip.renderer.render import Rendered, render
from kubeclip.renderer.resources import templates_dir
from kubeclip.renderer.runcontext import parse_run_context
from kubeclip.renderer.runenv import KUBECLIP_ENV
from tests.strategies import (
    ABS_PATH,
    ENV_NAME,
    ID,
    INVALID_ENV_NAME,
    INVALID_LABEL_VALUE,
    INVALID_MODEL,
    INVALID_QUALIFIED_NAME,
    INVALID_WORD,
    LONG_TEXT,
    MODEL,
    NONEMPTY_TEXT,
    QUALIFIED_NAME,
    TEXT,
    WORD,
)

Doc = dict[str, Any]
ROOT = Path(__file__).resolve().parent.parent
DEPLOYMENT: Doc = yaml.safe_load((ROOT / "examples/paperclip-deployment.yaml").read_text())

# Markers no template, default or drawn text contains: a secret carrying one
# is found wherever it leaks, whatever else it holds.
TOKEN_MARK = "\u2063kc-token:"
SECRET_MARK = "\u2063kc-secret:"

BASE_CONFIG: Doc = {"model": "openai/gpt-5"}
BASE_RUN: Doc = {
    "runId": "run-1",
    "agent": {"id": "agent-1", "companyId": "co-1", "name": "Backend Engineer"},
    "context": {
        "taskId": "T-1",
        "wakeReason": "assignment",
        "paperclipWorkspace": {"cwd": "/paperclip/ws/agent-1"},
    },
    "paperclipApiUrl": "http://paperclip:3100",
    "authToken": TOKEN_MARK + "base",
    "prompt": "Do the task.",
}

FAST = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
SLOW = settings(max_examples=8, deadline=None, suppress_health_check=[HealthCheck.too_slow])


# --- kubelet's $(VAR) expansion, ported from Kubernetes -----------------------------------
# third_party/forked/golang/expansion/expand.go (the rune-aware version): "$$" -> "$",
# "$(NAME)" -> the mapping's value ("$(NAME)" again when undefined), an unterminated "$("
# and "$" before anything else are kept. Works on UTF-8 bytes as Go does.

Mapping = Callable[[str], str]


def mapping_func_for(*contexts: dict[str, str]) -> Mapping:
    def mapping(name: str) -> str:
        for context in contexts:
            if name in context:
                return context[name]
        return f"$({name})"

    return mapping


def _try_read_variable_name(data: bytes, start: int) -> tuple[bytes, bool, int]:
    """What follows a ``$`` at ``start``: (bytes read, is a variable name, bytes consumed)."""
    lead = data[start]
    if lead == 0x24:  # "$$": an escaped operator
        return b"$", False, 1
    if lead == 0x28:  # "(": scan to the closer
        close = data.find(b")", start + 1)
        if close != -1:
            return data[start + 1 : close], True, close - start + 1
        return b"$(", False, 1  # incomplete reference, kept as it is
    size = 1 if lead < 0x80 else 2 if lead < 0xE0 else 3 if lead < 0xF0 else 4
    return b"$" + data[start : start + size], False, size


def k8s_expand(value: str, mapping: Mapping) -> str:
    data = value.encode("utf-8")
    out = bytearray()
    checkpoint = 0
    cursor = 0
    while cursor < len(data):
        if data[cursor] == 0x24 and cursor + 1 < len(data):
            out += data[checkpoint:cursor]
            read, is_var, advance = _try_read_variable_name(data, cursor + 1)
            out += mapping(read.decode("utf-8")).encode("utf-8") if is_var else read
            cursor += advance
            checkpoint = cursor + 1
        cursor += 1
    out += data[checkpoint:]
    return out.decode("utf-8")


# The "kubernetes" Service's variables: kubelet adds them even with enableServiceLinks off.
SERVICE_ENV = {
    "KUBERNETES_SERVICE_HOST": "10.96.0.1",
    "KUBERNETES_SERVICE_PORT": "443",
    "KUBERNETES_SERVICE_PORT_HTTPS": "443",
    "KUBERNETES_PORT": "tcp://10.96.0.1:443",
    "KUBERNETES_PORT_443_TCP": "tcp://10.96.0.1:443",
    "KUBERNETES_PORT_443_TCP_PROTO": "tcp",
    "KUBERNETES_PORT_443_TCP_PORT": "443",
    "KUBERNETES_PORT_443_TCP_ADDR": "10.96.0.1",
}


def _every_name_defined(name: str) -> str:
    """A hostile mapping: any reference that survives escaping turns into this."""
    return f"\u2063INJECTED[{name}]"


def process_env(container: Doc, mapping: Mapping | None = None) -> dict[str, str]:
    """The environment kubelet gives the process (makeEnvironmentVariables): env values are
    expanded in order against the variables before them and the service variables."""
    env: dict[str, str] = {}
    expand_with = mapping or mapping_func_for(env, SERVICE_ENV)
    for var in container.get("env", []):
        name = var["name"]
        if "valueFrom" in var:
            env[name] = f"<{name} from {json.dumps(var['valueFrom'], sort_keys=True)}>"
        else:
            value = var.get("value", "")
            env[name] = k8s_expand(value, expand_with) if value else value
    return {**SERVICE_ENV, **env}


def process_argv(container: Doc, env: dict[str, str], mapping: Mapping | None = None) -> list[str]:
    """ExpandContainerCommandAndArgs: command and args expanded against the final env."""
    expand_with = mapping or mapping_func_for(env)
    return [k8s_expand(a, expand_with) for a in [*container["command"], *container.get("args", [])]]


def what_the_process_sees(container: Doc) -> tuple[dict[str, str], list[str]]:
    """Env and argv after kubelet; asserts a hostile mapping gives the very same result,
    so no ``$(NAME)`` survived escaping whatever the pod's variables are."""
    env = process_env(container)
    argv = process_argv(container, env)
    assert process_env(container, _every_name_defined) == env
    assert process_argv(container, env, _every_name_defined) == argv
    return env, argv


# --- the pipeline ------------------------------------------------------------------------


@dataclass(frozen=True)
class Output:
    rendered: Rendered
    yaml_text: str
    json_text: str
    views: tuple[tuple[Doc, Doc], ...]  # (Secret, Job) read back from YAML, then from JSON

    @property
    def job(self) -> Doc:
        return self.views[0][1]

    @property
    def secret(self) -> Doc:
        return self.views[0][0]


def render_inputs(
    config: Doc | None = None,
    run: Doc | None = None,
    *,
    pod: Doc | None = None,
    reveal: bool = True,
) -> Output:
    raw = (config or BASE_CONFIG, run or BASE_RUN, pod or DEPLOYMENT)
    before = copy.deepcopy(raw)
    plan = build_plan(
        parse_config(copy.deepcopy(raw[0]), "agent.yaml"),
        extract_pod_facts(copy.deepcopy(raw[2]), "pod.yaml"),
        parse_run_context(copy.deepcopy(raw[1]), "run.json"),
        reveal_secrets=reveal,
    )
    rendered = render(plan)
    assert raw == before, "the pipeline changed its input"
    yaml_text = rendered.to_yaml()
    json_text = rendered.to_json()
    from_yaml = list(yaml.safe_load_all(yaml_text))
    body = json.loads(json_text)
    assert list(body) == ["apiVersion", "kind", "items"]
    assert body["apiVersion"] == "v1" and body["kind"] == "List"
    from_json = body["items"]
    assert from_yaml == from_json == rendered.documents
    for docs in (from_yaml, from_json):
        assert_layout(docs)
    assert_comments_stay_comments(rendered, yaml_text)
    views = tuple((docs[0], docs[1]) for docs in (from_yaml, from_json))
    return Output(rendered, yaml_text, json_text, views)


@cache
def skeleton(template: str) -> Any:
    """The template's own YAML: every ``{{ value }}`` slot read as null."""

    def slots(node: Any) -> Any:
        if isinstance(node, dict):
            return {k: slots(v) for k, v in node.items() if k != "kubeclipTemplate"}
        if isinstance(node, list):
            return [slots(v) for v in node]
        return None if isinstance(node, str) and "{{" in node else node

    return slots(yaml.safe_load(Path(templates_dir(), template).read_text(encoding="utf-8")))


def fits(node: Any, skel: Any, path: str) -> None:
    """``node`` has the template's layout: its keys, its literals; slots hold anything."""
    if skel is None:
        return
    if isinstance(skel, dict):
        assert isinstance(node, dict), path
        extra = node.keys() - skel.keys()
        assert not extra, f"{path}: keys not in the template: {extra}"
        literal = {k for k, v in skel.items() if v is not None}
        assert literal <= node.keys(), f"{path}: template keys missing: {literal - node.keys()}"
        for key, value in node.items():
            fits(value, skel[key], f"{path}.{key}")
    elif isinstance(skel, list):
        assert isinstance(node, list) and len(node) == len(skel), path
        for i, (item, skel_item) in enumerate(zip(node, skel, strict=True)):
            fits(item, skel_item, f"{path}[{i}]")
    else:
        assert node == skel, path


def assert_layout(docs: list[Doc]) -> None:
    assert [d.get("kind") for d in docs] == ["Secret", "Job"]
    secret, job = docs
    fits(secret, skeleton("secret.yaml"), "Secret")
    fits(job, skeleton("job.yaml"), "Job")
    assert list(job) == ["apiVersion", "kind", "metadata", "spec"]
    assert {"apiVersion", "kind", "metadata", "type"} <= secret.keys()
    for doc in docs:
        assert list(doc["metadata"]) == ["name", "namespace", "labels", "annotations"]
        assert all(isinstance(v, str) for v in doc["metadata"]["annotations"].values())
    assert secret["metadata"]["namespace"] == job["metadata"]["namespace"]
    assert is_dns_label(job["metadata"]["name"]) and is_dns_label(secret["metadata"]["name"])
    agent_id = job["metadata"]["annotations"]["kubeclip.dev/agent-id"]
    assert secret["metadata"]["name"] == naming.run_secret_name(agent_id)
    values = {**(secret.get("stringData") or {}), **(secret.get("data") or {})}
    assert values and all(k.startswith(job["metadata"]["name"] + ".") for k in values)
    pod = job["spec"]["template"]["spec"]
    assert [c["name"] for c in pod["containers"]] == ["agent"]
    assert [v["name"] for v in pod["volumes"]] == ["paperclip", "kubeclip-run"]
    container = pod["containers"][0]
    assert container["command"][:4] == ["/bin/sh", "-c", RUNNER_SCRIPT, "kubeclip-agent"]
    assert "args" not in container
    for data_map in ("stringData", "data"):
        for key in secret.get(data_map, {}):
            assert re.fullmatch(r"[-._a-zA-Z0-9]+", key), key


def assert_comments_stay_comments(rendered: Rendered, yaml_text: str) -> None:
    """Comment lines (which quote run ids, cwds, names) never end early: the only line
    break in the output is \\n, and the comment lines are exactly kubeclip's."""
    assert not set("\r\x85\u2028\u2029") & set(yaml_text)
    comment_lines = [line for line in yaml_text.split("\n") if line.startswith("#")]
    assert comment_lines == [f"# {c}" for doc in rendered.comments for c in doc]
    assert all(c.isprintable() for doc in rendered.comments for c in doc)


_LABEL_VALUE = re.compile(r"(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?")
_DNS_LABEL = re.compile(r"[a-z0-9]([-a-z0-9]*[a-z0-9])?")


def is_label_value(value: Any) -> bool:
    """Kubernetes' IsValidLabelValue (full match: no trailing newline slips through)."""
    return isinstance(value, str) and len(value) <= 63 and bool(_LABEL_VALUE.fullmatch(value))


def is_dns_label(value: Any) -> bool:
    return isinstance(value, str) and len(value) <= 63 and bool(_DNS_LABEL.fullmatch(value))


def strings(node: Any) -> Iterator[str]:
    if isinstance(node, str):
        yield node
    elif isinstance(node, dict):
        for key, value in node.items():
            yield from strings(key)
            yield from strings(value)
    elif isinstance(node, list):
        for item in node:
            yield from strings(item)


def container_of(job: Doc) -> Doc:
    container: Doc = job["spec"]["template"]["spec"]["containers"][0]
    return container


def env_entries(job: Doc) -> dict[str, Doc]:
    entries = container_of(job).get("env", [])
    names = [e["name"] for e in entries]
    assert len(names) == len(set(names)), "duplicate env names"
    return {e["name"]: e for e in entries}


def with_run(**changes: Any) -> Doc:
    run = copy.deepcopy(BASE_RUN)
    run.update(changes)
    return run


def with_context(run: Doc, **changes: Any) -> Doc:
    run = copy.deepcopy(run)
    run["context"] = {**run.get("context", {}), **changes}
    return run


def with_workspace(run: Doc, **changes: Any) -> Doc:
    run = copy.deepcopy(run)
    context = run.setdefault("context", {})
    context["paperclipWorkspace"] = {**(context.get("paperclipWorkspace") or {}), **changes}
    return run


@cache
def reference_job(field: str, value: str) -> Doc:
    """The Job for the base inputs with one run-context field set (rendered once)."""
    return render_inputs(run=with_run(**{field: value})).job


def sometimes_long(strategy: st.SearchStrategy[str], one_in: int = 8) -> st.SearchStrategy[str]:
    """``strategy``, and about once in ``one_in`` draws a string of 100 000+ characters."""
    return st.integers(1, one_in).flatmap(lambda n: LONG_TEXT if n == 1 else strategy)


# 100 000+ characters of everything at once, for explicit examples
LONG_EXAMPLE = "x\nkind: Secret\n---\n$(id)$$'\"\\#: {{ 7*7 }}\u2028\x85\ufeff\x00😀 " * 3000
assert len(LONG_EXAMPLE) >= 100_000


# --- the kubelet port itself --------------------------------------------------------------

_DEFINED = {"A": "1", "B": "two", "EMPTY": "", "REF": "$(A)"}


@pytest.mark.parametrize(
    ("value", "expanded"),
    [
        ("$(A)", "1"),
        ("x$(A)y$(B)z", "x1ytwoz"),
        ("$(EMPTY)!", "!"),
        ("$(REF)", "$(A)"),  # values are not expanded twice
        ("$(NOPE)", "$(NOPE)"),
        ("$$(A)", "$(A)"),
        ("$$$(A)", "$1"),
        ("$$$$", "$$"),
        ("$$", "$"),
        ("$", "$"),
        ("a$", "a$"),
        ("$A", "$A"),
        ("${A}", "${A}"),
        ("$(A", "$(A"),
        ("$(", "$("),
        ("$($(A)", "$($(A)"),  # the name is "$(A", undefined
        ("$(A$(B))", "$(A$(B))"),
        ("\\$(A)", "\\1"),
        ("$é$😀", "$é$😀"),
        ("é$(A)é", "é1é"),
    ],
)
def test_kubelet_expand_port(value: str, expanded: str) -> None:
    assert k8s_expand(value, mapping_func_for(_DEFINED)) == expanded


# --- identity: ids and names --------------------------------------------------------------

OPTIONAL_TEXT = st.one_of(st.none(), TEXT)


@FAST
@given(
    agent_id=ID,
    company_id=ID,
    run_id=ID,
    task_id=st.one_of(st.none(), sometimes_long(TEXT, 25)),
    name=st.one_of(st.none(), sometimes_long(TEXT, 25)),
)
@example(
    agent_id="x\nkind: Secret",
    company_id="{{ 7*7 }}",
    run_id="$(id)",
    task_id="'; rm -rf / #",
    name="---\n# \u2028\x85\ufeff",
)
@example(agent_id="a", company_id="c", run_id="r", task_id=LONG_EXAMPLE, name=LONG_EXAMPLE)
def test_ids_and_agent_name_are_kept_exactly_in_annotations(
    agent_id: str, company_id: str, run_id: str, task_id: str | None, name: str | None
) -> None:
    agent: Doc = {"id": agent_id, "companyId": company_id}
    if name is not None:
        agent["name"] = name
    context: Doc = {"paperclipWorkspace": {"cwd": "/paperclip/ws"}}
    if task_id is not None:
        context["taskId"] = task_id
    held = sum(len(v.encode()) for v in (agent_id, run_id, company_id, task_id or "", name or ""))
    try:
        out = render_inputs(run=with_run(runId=run_id, agent=agent, context=context))
    except ManifestError as e:  # the API server refuses more than 256 KiB of annotations
        assert held > 256 * 1024 - 16 * 1024, "refused although the ids fit"
        assert "the API server accepts at most 262144" in str(e)
        return

    ids = {
        "kubeclip.dev/agent-id": agent_id,
        "kubeclip.dev/run-id": run_id,
        "kubeclip.dev/company-id": company_id,
    }
    if name:
        ids["kubeclip.dev/agent-name"] = name
    if task_id:
        ids["kubeclip.dev/task-id"] = task_id
    for secret, job in out.views:
        secret_annotations = dict(secret["metadata"]["annotations"])
        invocation = secret_annotations.pop("kubeclip.dev/invocation")
        assert len(invocation) == 16 and int(invocation, 16) >= 0  # a digest, not a value
        assert secret_annotations == ids
        job_annotations = dict(job["metadata"]["annotations"])
        json.loads(job_annotations.pop("kubeclip.dev/inherited"))
        assert job_annotations.pop("kubeclip.dev/invocation") == invocation
        assert job_annotations == ids
        pod_annotations = dict(job["spec"]["template"]["metadata"]["annotations"])
        assert pod_annotations.pop("kubeclip.dev/invocation") == invocation
        assert pod_annotations == {**DEFAULT_RESTRICTED_ANNOTATIONS, **ids}
        label_keys = {
            "app.kubernetes.io/name",
            naming.MANAGED_BY,
            naming.COMPONENT,
            naming.LABEL_AGENT,
            naming.LABEL_RUN,
            naming.LABEL_COMPANY,
        } | ({naming.LABEL_TASK} if task_id else set())
        for labels in (
            secret["metadata"]["labels"],
            job["metadata"]["labels"],
            job["spec"]["template"]["metadata"]["labels"],
        ):
            assert labels.keys() == label_keys
            for label, raw in ((naming.LABEL_RUN, run_id), (naming.LABEL_AGENT, agent_id)):
                if is_label_value(raw):
                    assert labels[label] == raw  # a valid id is its own label
    env, _ = what_the_process_sees(container_of(out.job))
    assert env["PAPERCLIP_AGENT_ID"] == agent_id
    assert env["PAPERCLIP_COMPANY_ID"] == company_id
    assert env["PAPERCLIP_RUN_ID"] == run_id
    assert env.get("PAPERCLIP_TASK_ID") == (task_id or None)


def _assert_label_values_valid(agent_id: str, company_id: str, run_id: str, task_id: str) -> None:
    run = with_run(
        runId=run_id,
        agent={"id": agent_id, "companyId": company_id},
        context={"taskId": task_id},
    )
    out = render_inputs(run=run)
    for secret, job in out.views:
        for labels in (
            secret["metadata"]["labels"],
            job["metadata"]["labels"],
            job["spec"]["template"]["metadata"]["labels"],
        ):
            for key, value in labels.items():
                assert is_label_value(value), f"{key}={value!r}"
        assert job["metadata"]["labels"][naming.LABEL_RUN] == naming.label_value(run_id)


@FAST
@given(agent_id=ID, company_id=ID, run_id=ID, task_id=NONEMPTY_TEXT)
# a final newline once passed naming.is_label_value (re.match with `$`)
@example(agent_id="agent-1", company_id="co-1", run_id="run-1\n", task_id="T-1")
@example(agent_id="a\n", company_id="\n", run_id="r", task_id="t\n")
def test_label_values_are_valid_for_any_id(
    agent_id: str, company_id: str, run_id: str, task_id: str
) -> None:
    _assert_label_values_valid(agent_id, company_id, run_id, task_id)


# --- config env ------------------------------------------------------------------------


def _plain_env_name(name: str) -> bool:
    """Not a credential (those go to the Secret), not set by the run context, not kubeclip's."""
    return not (
        is_credential_name(name)
        or name.startswith("PAPERCLIP_")
        or name in ("AGENT_HOME", "HOME")
        or name in KUBECLIP_ENV
    )


PLAIN_ENV_NAME = ENV_NAME.filter(_plain_env_name)
CREDENTIAL_ENV_NAME = st.one_of(
    st.sampled_from(["GITHUB_TOKEN", "OPENAI_API_KEY", "DB_PASSWORD", "MY_SECRET", "GH_PAT"]),
    ENV_NAME.map(lambda n: n + "_TOKEN"),
).filter(lambda n: not n.startswith("PAPERCLIP_"))
SECRET_VALUE = TEXT.map(lambda s: SECRET_MARK + s)


@FAST
@given(env=st.dictionaries(PLAIN_ENV_NAME, sometimes_long(TEXT, 30), max_size=6))
@example(env={"A": "$(B)", "B": "x\nkind: Secret", "C": "$$(A)$$$", "HOME": "$(HOME)"})
@example(env={"X": "{{ 7*7 }}{% raw %}", "Y": "'; rm -rf / #", "Z": "\u2028\x85\ufeff\x00"})
@example(env={"LONG": LONG_EXAMPLE})
def test_config_env_values_reach_the_process_unchanged(env: dict[str, str]) -> None:
    out = render_inputs({**BASE_CONFIG, "env": env})
    for _, job in out.views:
        entries = env_entries(job)
        for name in env:
            assert set(entries[name]) == {"name", "value"}
    seen, _ = what_the_process_sees(container_of(out.job))
    for name, value in env.items():
        assert seen[name] == value


@FAST
@given(env=st.dictionaries(CREDENTIAL_ENV_NAME, SECRET_VALUE, min_size=1, max_size=3))
@example(env={"GITHUB_TOKEN": SECRET_MARK + "$(id)\nkind: Secret"})
def test_credential_env_values_go_only_to_the_secret(env: dict[str, str]) -> None:
    # the Job does not depend on the credential values at all
    other = {name: SECRET_MARK + "other" for name in env}
    reference = render_inputs({**BASE_CONFIG, "env": other}).job
    for reveal in (True, False):
        out = render_inputs({**BASE_CONFIG, "env": env}, reveal=reveal)
        for secret, job in out.views:
            assert job == reference
            assert not any(SECRET_MARK in s for s in strings(job))
            entries = env_entries(job)
            for name, value in env.items():
                key = f"{job['metadata']['name']}.env.{name}"
                assert entries[name] == {
                    "name": name,
                    "valueFrom": {"secretKeyRef": {"name": secret["metadata"]["name"], "key": key}},
                }
                assert secret["stringData"][key] == (value if reveal else REDACTED)
        if not reveal:
            for secret, job in out.views:
                assert not any(SECRET_MARK in s for s in strings([secret, job]))
            assert SECRET_MARK not in out.yaml_text and SECRET_MARK not in out.json_text


# --- the command: constant script, values as argv -----------------------------------------


@FAST
@given(
    command=NONEMPTY_TEXT,
    model=MODEL,
    variant=st.one_of(st.none(), WORD),
    extra=st.lists(sometimes_long(TEXT, 30), max_size=6),
    session=st.one_of(st.none(), NONEMPTY_TEXT),
)
@example(
    command="opencode; id",
    model="a/$(id)",
    variant="{{7*7}}",
    extra=["x\nkind: Secret", "$(PAPERCLIP_API_KEY)", "'; rm -rf / #", "", "$$", "\\", '"'],
    session="$(HOME)",
)
@example(command=LONG_EXAMPLE, model="a/b", variant=None, extra=[LONG_EXAMPLE], session=None)
def test_values_reach_argv_as_separate_elements(
    command: str, model: str, variant: str | None, extra: list[str], session: str | None
) -> None:
    config: Doc = {**BASE_CONFIG, "command": command, "model": model, "extraArgs": extra}
    if variant is not None:
        config["variant"] = variant
    cwd = BASE_RUN["context"]["paperclipWorkspace"]["cwd"]  # stored with the session: resumed
    run = with_run(runtime={"sessionParams": {"sessionId": session, "cwd": cwd}})
    out = render_inputs(config, run)

    argv = [command, "run", "--format", "json"]
    argv += ["--session", session] if session else []
    argv += ["--model", model]
    argv += ["--variant", variant] if variant else []
    argv += extra
    for _, job in out.views:
        manifest_command = container_of(job)["command"]
        assert manifest_command[2] == RUNNER_SCRIPT  # byte-identical, never holds a value
        assert len(manifest_command) == 4 + len(argv)
    _, seen = what_the_process_sees(container_of(out.job))
    assert seen == ["/bin/sh", "-c", RUNNER_SCRIPT, "kubeclip-agent", *argv]


def test_runner_script_survives_kubelet_expansion() -> None:
    assert k8s_expand(RUNNER_SCRIPT, _every_name_defined) == RUNNER_SCRIPT


# --- prompt -------------------------------------------------------------------------------


def _prompt_checks(out: Output, prompt: str) -> None:
    compressed = len(prompt.encode("utf-8")) > PROMPT_GZIP_ABOVE
    file = SECRET_PROMPT_GZ_KEY if compressed else SECRET_PROMPT_KEY
    for secret, job in out.views:
        key = f"{job['metadata']['name']}.{file}"
        if compressed:
            assert f"{job['metadata']['name']}.{SECRET_PROMPT_KEY}" not in secret.get(
                "stringData", {})
            packed = base64.b64decode(secret["data"][key], validate=True)
            assert gzip.decompress(packed).decode("utf-8") == prompt
        else:
            assert "data" not in secret
            assert secret["stringData"][key] == prompt
        volume = job["spec"]["template"]["spec"]["volumes"][1]
        assert volume["secret"]["items"] == [{"key": key, "path": file}]
    env, _ = what_the_process_sees(container_of(out.job))
    assert env["KUBECLIP_PROMPT_FILE"] == f"{PROMPT_DIR}/{file}"


@FAST
@given(prompt=sometimes_long(NONEMPTY_TEXT))
@example(prompt="x\nkind: Secret\n---\napiVersion: v1\n")
@example(prompt="{% raw %}{{ secret.stringData }}\n  $(id)\n\n")
@example(prompt=" lead\n\ttab\n\u2028\x85\ufeff\x00\x7f")
@example(prompt=LONG_EXAMPLE)
@example(prompt="line: {{ 7*7 }} $(id) '\"\\# ---\n  - x: y\n" * 5000)  # a literal block
def test_prompt_is_kept_exactly_in_the_secret(prompt: str) -> None:
    out = render_inputs(run=with_run(prompt=prompt))
    _prompt_checks(out, prompt)
    # the prompt never reaches the Job: the Job does not depend on it
    assert out.job == reference_job("prompt", "other")


HUGE = 600 * 1024


@SLOW
@given(parts=st.lists(st.one_of(TEXT, st.text(min_size=50)), min_size=1, max_size=6))
def test_huge_prompt_is_stored_gzip_and_unpacks_exactly(parts: list[str]) -> None:
    piece = "".join(parts) or "x"
    prompt = piece * (HUGE // max(1, len(piece.encode("utf-8"))) + 1)
    assert len(prompt.encode("utf-8")) >= HUGE
    out = render_inputs(run=with_run(prompt=prompt))
    _prompt_checks(out, prompt)
    assert out.job == render_inputs(run=with_run(prompt="y" * HUGE)).job


def test_huge_incompressible_prompt_unpacks_exactly() -> None:
    rng = random.Random(1)
    alphabet = [chr(c) for c in range(0x20, 0x3000) if not 0xD800 <= c < 0xE000]
    prompt = "".join(rng.choice(alphabet) for _ in range(HUGE // 3))
    prompt += "\nkind: Secret\n$(id)\u2028"
    assert len(prompt.encode("utf-8")) > PROMPT_GZIP_ABOVE
    _prompt_checks(render_inputs(run=with_run(prompt=prompt)), prompt)


@pytest.mark.parametrize("extra_bytes", [0, 1])
def test_prompt_compression_starts_just_above_the_limit(extra_bytes: int) -> None:
    prompt = "é" * (PROMPT_GZIP_ABOVE // 2 - 1) + "x\n" + "y" * extra_bytes
    assert len(prompt.encode("utf-8")) == PROMPT_GZIP_ABOVE + extra_bytes
    _prompt_checks(render_inputs(run=with_run(prompt=prompt)), prompt)


# --- workspace and the rest of the run context --------------------------------------------

JSON_VALUES = st.recursive(
    st.one_of(st.none(), st.booleans(), st.integers(), st.floats(allow_nan=False), TEXT),
    lambda children: st.one_of(
        st.lists(children, max_size=3), st.dictionaries(TEXT, children, max_size=3)
    ),
    max_leaves=10,
)
WORKSPACE_ENV = {
    "source": "PAPERCLIP_WORKSPACE_SOURCE",
    "strategy": "PAPERCLIP_WORKSPACE_STRATEGY",
    "workspaceId": "PAPERCLIP_WORKSPACE_ID",
    "repoUrl": "PAPERCLIP_WORKSPACE_REPO_URL",
    "repoRef": "PAPERCLIP_WORKSPACE_REPO_REF",
    "branchName": "PAPERCLIP_WORKSPACE_BRANCH",
    "worktreePath": "PAPERCLIP_WORKSPACE_WORKTREE_PATH",
    "agentHome": "AGENT_HOME",
}
CONTEXT_ENV = {
    "wakeReason": "PAPERCLIP_WAKE_REASON",
    "wakeCommentId": "PAPERCLIP_WAKE_COMMENT_ID",
    "approvalId": "PAPERCLIP_APPROVAL_ID",
    "approvalStatus": "PAPERCLIP_APPROVAL_STATUS",
}


@FAST
@given(
    cwd=sometimes_long(TEXT).map(lambda s: s if s.startswith("/") else "/" + s),
    workspace=st.fixed_dictionaries({}, optional={k: OPTIONAL_TEXT for k in WORKSPACE_ENV}),
    context=st.fixed_dictionaries({}, optional={k: OPTIONAL_TEXT for k in CONTEXT_ENV}),
    issue_ids=st.one_of(st.none(), st.lists(TEXT, max_size=4)),
    wake=JSON_VALUES,
    api_url=NONEMPTY_TEXT,
)
@example(
    cwd="/paperclip/ws\nkind: Secret/$(HOME)$$",
    workspace={"repoUrl": "https://x/$(id).git", "branchName": "'; rm -rf / #"},
    context={"wakeReason": "{{ 7*7 }}", "approvalStatus": "$$(HOME)"},
    issue_ids=["a,b", "$(id)"],
    wake={"k\nkind: Secret": "$(id)", "x": [None, 1.5, "\u2028"]},
    api_url="http://x/$(PAPERCLIP_API_KEY)#",
)
def test_run_context_values_reach_the_process_unchanged(
    cwd: str,
    workspace: dict[str, str | None],
    context: dict[str, str | None],
    issue_ids: list[str] | None,
    wake: Any,
    api_url: str,
) -> None:
    run = with_run(paperclipApiUrl=api_url, context={})
    run = with_context(run, issueIds=issue_ids, paperclipWake=wake, **context)
    run = with_workspace(run, cwd=cwd, **workspace)
    out = render_inputs(run=run)

    env, _ = what_the_process_sees(container_of(out.job))
    assert env["KUBECLIP_WORKDIR"] == cwd  # the pod script enters it (mkdir -p, cd)
    assert env["PAPERCLIP_WORKSPACE_CWD"] == cwd
    assert env["PAPERCLIP_API_URL"] == api_url
    for fields, names in ((workspace, WORKSPACE_ENV), (context, CONTEXT_ENV)):
        for field, name in names.items():
            assert env.get(name) == (fields.get(field) or None), name
    assert env.get("PAPERCLIP_LINKED_ISSUE_IDS") == (",".join(issue_ids or []) or None)
    if wake:
        assert json.loads(env["PAPERCLIP_WAKE_PAYLOAD_JSON"]) == wake
    else:
        assert "PAPERCLIP_WAKE_PAYLOAD_JSON" not in env


# --- the run's API token ------------------------------------------------------------------


@FAST
@given(token=sometimes_long(TEXT).map(lambda s: TOKEN_MARK + s), reveal=st.booleans())
@example(token=TOKEN_MARK + "x\nkind: Secret\n$(id)", reveal=True)
@example(token=TOKEN_MARK + "x\nkind: Secret\n$(id)", reveal=False)
@example(token=TOKEN_MARK + LONG_EXAMPLE, reveal=False)
def test_auth_token_is_only_in_the_secret(token: str, reveal: bool) -> None:
    out = render_inputs(run=with_run(authToken=token), reveal=reveal)
    reference = reference_job("authToken", TOKEN_MARK + "other")
    for secret, job in out.views:
        assert job == reference  # the Job does not depend on the token
        assert not any(TOKEN_MARK in s for s in strings(job))
        key = naming.run_secret_key(job["metadata"]["name"], SECRET_API_KEY)
        assert env_entries(job)["PAPERCLIP_API_KEY"] == {
            "name": "PAPERCLIP_API_KEY",
            "valueFrom": {"secretKeyRef": {"name": secret["metadata"]["name"], "key": key}},
        }
        assert secret["stringData"][key] == (token if reveal else REDACTED)
        if not reveal:
            assert not any(TOKEN_MARK in s for s in strings([secret, job]))
    if not reveal:
        assert TOKEN_MARK not in out.yaml_text and TOKEN_MARK not in out.json_text
        assert token not in out.yaml_text and token not in out.json_text


# --- free-text config fields --------------------------------------------------------------

ANNOTATION_KEY = st.one_of(
    QUALIFIED_NAME, st.sampled_from(list(DEFAULT_RESTRICTED_ANNOTATIONS))
).filter(lambda k: not k.startswith(f"{naming.DOMAIN}/"))


@FAST
@given(annotations=st.dictionaries(ANNOTATION_KEY, sometimes_long(TEXT, 30), max_size=5))
@example(annotations={"note": "x\nkind: Secret", "a.b/c": "{{ 7*7 }}", "linkerd.io/inject": ""})
@example(annotations={"note": LONG_EXAMPLE})
def test_config_annotations_are_kept_exactly(annotations: dict[str, str]) -> None:
    held = sum(len(k.encode()) + len(v.encode()) for k, v in annotations.items())
    try:
        out = render_inputs({**BASE_CONFIG, "annotations": annotations})
    except ManifestError as e:  # the API server refuses more than 256 KiB of annotations
        assert held > 256 * 1024 - 16 * 1024, "refused although the annotations fit"
        assert "the API server accepts at most 262144" in str(e)
        return
    for secret, job in out.views:
        ours = {k: v for k, v in job["metadata"]["annotations"].items() if k not in annotations}
        assert all(k.startswith(f"{naming.DOMAIN}/") for k in ours)
        assert {k: job["metadata"]["annotations"][k] for k in annotations} == annotations
        pod_annotations = job["spec"]["template"]["metadata"]["annotations"]
        assert {k: pod_annotations[k] for k in annotations} == annotations
        assert pod_annotations.keys() == (
            annotations.keys() | DEFAULT_RESTRICTED_ANNOTATIONS.keys() | ours.keys()
        ) - {f"{naming.DOMAIN}/inherited"}
        assert not annotations.keys() & secret["metadata"]["annotations"].keys()


TOLERATION = st.fixed_dictionaries(
    {"key": TEXT, "operator": st.sampled_from(["Equal", "Exists"]), "value": TEXT},
    optional={"effect": st.sampled_from(["NoSchedule", "PreferNoSchedule", "NoExecute"])},
)


@FAST
@given(tolerations=st.lists(TOLERATION, min_size=1, max_size=3), as_json=st.booleans())
def test_tolerations_are_kept_exactly(tolerations: list[Doc], as_json: bool) -> None:
    given_as = json.dumps(tolerations) if as_json else tolerations
    out = render_inputs({**BASE_CONFIG, "tolerations": given_as})
    for _, job in out.views:
        assert job["spec"]["template"]["spec"]["tolerations"] == tolerations


@FAST
@given(image=WORD)
@example(image="{{7*7}}$(id)'\"\\#:")
def test_image_is_kept_exactly(image: str) -> None:
    out = render_inputs({**BASE_CONFIG, "image": image})
    for _, job in out.views:
        assert container_of(job)["image"] == image


# --- the Paperclip workload's own values --------------------------------------------------


def _deployment(
    namespace: str,
    name: str,
    container: str,
    api_url: str,
    base_url: str,
    claim: str,
    sub_path: str,
) -> Doc:
    pod = copy.deepcopy(DEPLOYMENT)
    pod["metadata"] = {"name": name, "namespace": namespace}
    spec = pod["spec"]["template"]["spec"]
    spec["containers"][0]["name"] = container
    spec["containers"][0]["env"] = [
        {"name": "PAPERCLIP_API_URL", "value": api_url},
        {"name": "TOOLS_BASE_URL", "value": base_url},
    ]
    spec["containers"][0]["volumeMounts"][0]["subPath"] = sub_path
    spec["volumes"][0]["persistentVolumeClaim"]["claimName"] = claim
    return pod


@FAST
@given(
    namespace=TEXT,
    name=TEXT,
    container=TEXT,
    api_url=TEXT,
    base_url=TEXT,
    claim=NONEMPTY_TEXT,
    sub_path=TEXT,
)
@example(
    namespace="ns\nkind: Secret",
    name="x\u2028# y",
    container="c\x85d",
    api_url="http://$(SVC):1",
    base_url="$$",
    claim="{{ 7*7 }}",
    sub_path="a: b",
)
def test_pod_values_cannot_inject(
    namespace: str,
    name: str,
    container: str,
    api_url: str,
    base_url: str,
    claim: str,
    sub_path: str,
) -> None:
    pod = _deployment(namespace, name, container, api_url, base_url, claim, sub_path)
    run = {k: v for k, v in BASE_RUN.items() if k != "paperclipApiUrl"}
    out = render_inputs(run=run, pod=pod)
    for _, job in out.views:
        assert job["metadata"]["namespace"] == (namespace or "default")
        inherited = json.loads(job["metadata"]["annotations"]["kubeclip.dev/inherited"])
        where = f"{namespace}/" if namespace else ""
        assert inherited["from"] == f"Deployment {where}{name}, container {container}"
        spec = job["spec"]["template"]["spec"]
        assert spec["volumes"][0]["persistentVolumeClaim"] == {"claimName": claim}
        assert spec["containers"][0]["volumeMounts"][0].get("subPath") == (sub_path or None)
    env, _ = what_the_process_sees(container_of(out.job))
    # the agent gets the value as written in the Paperclip pod spec (docs/configuration.md:
    # "exactly the string you wrote"); $(VAR) references in it are not resolved again
    assert env["PAPERCLIP_API_URL"] == api_url
    assert env["TOOLS_BASE_URL"] == base_url


# --- everything at once: layout, determinism ----------------------------------------------


@st.composite
def scenarios(draw: st.DrawFn) -> Doc:
    return {
        "model": draw(MODEL),
        "variant": draw(st.one_of(st.none(), WORD)),
        "command": draw(NONEMPTY_TEXT),
        "image": draw(st.one_of(st.none(), WORD)),
        "extraArgs": draw(st.lists(TEXT, max_size=3)),
        "env": draw(st.dictionaries(PLAIN_ENV_NAME, TEXT, max_size=3)),
        "credentials": draw(st.dictionaries(CREDENTIAL_ENV_NAME, SECRET_VALUE, max_size=2)),
        "annotations": draw(st.dictionaries(ANNOTATION_KEY, TEXT, max_size=3)),
        "tolerations": draw(st.lists(TOLERATION, max_size=2)),
        "runId": draw(ID),
        "agentId": draw(ID),
        "companyId": draw(ID),
        "agentName": draw(OPTIONAL_TEXT),
        "taskId": draw(OPTIONAL_TEXT),
        "wakeReason": draw(OPTIONAL_TEXT),
        "cwd": draw(st.one_of(st.none(), ABS_PATH)),
        "branch": draw(OPTIONAL_TEXT),
        "apiUrl": draw(st.one_of(st.none(), NONEMPTY_TEXT)),
        "token": draw(st.one_of(st.none(), TEXT.map(lambda s: TOKEN_MARK + s))),
        "session": draw(OPTIONAL_TEXT),
        "prompt": draw(NONEMPTY_TEXT),
    }


def build_inputs(s: Doc, benign: bool) -> tuple[Doc, Doc]:
    """The scenario's config and run context; ``benign`` swaps every drawn string for a
    harmless one that is empty exactly when the drawn one is (the layout depends on that)."""

    def b(value: Any, harmless: str) -> Any:
        if not benign or not isinstance(value, str) or value == "":
            return value
        return harmless

    config: Doc = {
        "model": b(s["model"], "p/m"),
        "command": b(s["command"], "opencode"),
        "extraArgs": [b(a, "arg") for a in s["extraArgs"]],
        "env": {
            **{k: b(v, "v") for k, v in s["env"].items()},
            **{k: b(v, SECRET_MARK + "b") for k, v in s["credentials"].items()},
        },
        "annotations": {k: b(v, "v") for k, v in s["annotations"].items()},
        "tolerations": [
            {k: b(v, "v") if k in ("key", "value") else v for k, v in t.items()}
            for t in s["tolerations"]
        ],
    }
    if s["variant"] is not None:
        config["variant"] = b(s["variant"], "high")
    if s["image"] is not None:
        config["image"] = b(s["image"], "img")
    agent: Doc = {"id": b(s["agentId"], "a"), "companyId": b(s["companyId"], "c")}
    if s["agentName"] is not None:
        agent["name"] = b(s["agentName"], "n")
    cwd = s["cwd"]
    inside = cwd is not None and (cwd == PAPERCLIP_MOUNT or cwd.startswith(PAPERCLIP_MOUNT + "/"))
    workspace: Doc = {
        "cwd": b(cwd, "/paperclip/w" if inside else "/w"),  # outside /paperclip: a warning
        "branchName": b(s["branch"], "main"),
    }
    run: Doc = {
        "runId": b(s["runId"], "r"),
        "agent": agent,
        "runtime": {"sessionId": b(s["session"], "ses")},
        "context": {
            "taskId": b(s["taskId"], "t"),
            "wakeReason": b(s["wakeReason"], "w"),
            "paperclipWorkspace": workspace,
        },
        "prompt": b(s["prompt"], "p"),
    }
    if s["apiUrl"] is not None:
        run["paperclipApiUrl"] = b(s["apiUrl"], "http://x")
    if s["token"] is not None:
        run["authToken"] = b(s["token"], TOKEN_MARK + "b")
    return config, run


def unprefixed(secret: Doc, job: Doc) -> Doc:
    """``secret`` with its keys' prefix (the Job's name, whatever the ids made it) taken off:
    the layout a reviewer reads."""
    prefix = job["metadata"]["name"] + "."
    out = dict(secret)
    for field in ("stringData", "data"):
        if field in out:
            assert all(k.startswith(prefix) for k in out[field])
            out[field] = {k.removeprefix(prefix): v for k, v in out[field].items()}
    return out


def shape(node: Any) -> Any:
    """The layout of a document: keys (in order), list lengths and scalar types."""
    if isinstance(node, dict):
        return [(k, shape(v)) for k, v in node.items()]
    if isinstance(node, list):
        return [shape(item) for item in node]
    if isinstance(node, str):
        return "<str>"
    return node  # ints and booleans are kubeclip's own constants


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(scenario=scenarios(), reveal=st.booleans())
def test_hostile_values_never_change_the_layout(scenario: Doc, reveal: bool) -> None:
    hostile = render_inputs(*build_inputs(scenario, benign=False), reveal=reveal)
    harmless = render_inputs(*build_inputs(scenario, benign=True), reveal=reveal)
    for (h_secret, h_job), (b_secret, b_job) in zip(hostile.views, harmless.views, strict=True):
        assert shape(unprefixed(h_secret, h_job)) == shape(unprefixed(b_secret, b_job))
        assert shape(h_job) == shape(b_job)
    assert len(hostile.rendered.comments) == len(harmless.rendered.comments) == 2
    for h_comments, b_comments in zip(
        hostile.rendered.comments, harmless.rendered.comments, strict=True
    ):
        assert len(h_comments) == len(b_comments)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(scenario=scenarios(), reveal=st.booleans())
def test_rendering_is_deterministic(scenario: Doc, reveal: bool) -> None:
    config, run = build_inputs(scenario, benign=False)
    first = render_inputs(config, run, reveal=reveal)
    second = render_inputs(copy.deepcopy(config), copy.deepcopy(run), reveal=reveal)
    assert first.yaml_text.encode("utf-8") == second.yaml_text.encode("utf-8")
    assert first.json_text.encode("utf-8") == second.json_text.encode("utf-8")


# --- values the schema forbids are refused, never rendered --------------------------------


def _set(doc: Doc, path: tuple[str, ...], value: Any) -> Doc:
    doc = copy.deepcopy(doc)
    node = doc
    for part in path[:-1]:
        node = node.setdefault(part, {})
    node[path[-1]] = value
    return doc


NOT_A_STRING = st.one_of(
    st.integers(), st.booleans(), st.none(), st.floats(allow_nan=False), st.lists(TEXT, max_size=1)
)
INVALID_ID = st.one_of(st.just(""), st.text(min_size=257, max_size=300), NOT_A_STRING)
RELATIVE_PATH = TEXT.filter(lambda s: not s.startswith("/"))


def _case_id(value: Any) -> str:
    return ".".join(value) if isinstance(value, tuple) else "values"


INVALID_CONFIG: list[tuple[tuple[str, ...], st.SearchStrategy[Any]]] = [
    (("model",), st.one_of(INVALID_MODEL, NOT_A_STRING)),
    (("variant",), st.one_of(INVALID_WORD, NOT_A_STRING)),
    (("image",), st.one_of(INVALID_WORD, NOT_A_STRING)),
    (("command",), st.one_of(st.just(""), NOT_A_STRING)),
    (("extraArgs",), st.one_of(TEXT, st.lists(NOT_A_STRING, min_size=1, max_size=2))),
    (("env", "X"), st.one_of(NOT_A_STRING, st.just({"secretKeyRef": {"name": "a\n", "key": "k"}}))),
    (("annotations", "note"), NOT_A_STRING),
    (("labels", "team"), INVALID_LABEL_VALUE),
    (("nodeSelector", "zone"), INVALID_LABEL_VALUE),
    (("namespace",), st.sampled_from(["a\n", "A", "-a", "a_b", "a.b", "x" * 64, ""])),
]
INVALID_RUN: list[tuple[tuple[str, ...], st.SearchStrategy[Any]]] = [
    (("runId",), INVALID_ID),
    (("agent", "id"), INVALID_ID),
    (("agent", "companyId"), INVALID_ID),
    (("context", "paperclipWorkspace", "cwd"), st.one_of(RELATIVE_PATH, st.integers())),
    (("context", "wakeReason"), st.one_of(st.integers(), st.booleans(), st.just(["x"]))),
    (("paperclipApiUrl",), st.one_of(st.just(""), NOT_A_STRING)),
    (("authToken",), st.one_of(st.just(""), NOT_A_STRING)),
    (("prompt",), st.one_of(st.just(""), NOT_A_STRING)),
]


@pytest.mark.parametrize(("path", "values"), INVALID_CONFIG, ids=_case_id)
@settings(max_examples=15, deadline=None)
@given(data=st.data())
def test_invalid_config_values_are_refused(
    path: tuple[str, ...], values: st.SearchStrategy[Any], data: st.DataObject
) -> None:
    value = data.draw(values)
    with pytest.raises(InputError):
        render_inputs(_set(BASE_CONFIG, path, value))


@pytest.mark.parametrize(("path", "values"), INVALID_RUN, ids=_case_id)
@settings(max_examples=15, deadline=None)
@given(data=st.data())
def test_invalid_run_context_values_are_refused(
    path: tuple[str, ...], values: st.SearchStrategy[Any], data: st.DataObject
) -> None:
    value = data.draw(values)
    with pytest.raises(InputError):
        render_inputs(run=_set(BASE_RUN, path, value))


@settings(max_examples=30, deadline=None)
@given(name=INVALID_ENV_NAME, annotation_key=INVALID_QUALIFIED_NAME)
def test_invalid_names_are_refused(name: str, annotation_key: str) -> None:
    with pytest.raises(InputError):
        render_inputs({**BASE_CONFIG, "env": {name: "v"}})
    with pytest.raises(InputError):
        render_inputs({**BASE_CONFIG, "annotations": {annotation_key: "v"}})
    with pytest.raises(InputError):
        render_inputs({**BASE_CONFIG, "labels": {annotation_key: "v"}})
