"""The render path end to end: files in, manifests out. Shared by the CLI and the runner."""

from __future__ import annotations

import os

from kubeclip.errors import InputError
from kubeclip.renderer.builder import build_plan
from kubeclip.renderer.config import AgentConfig, load_config
from kubeclip.renderer.podfacts import PAPERCLIP_MOUNT, PodFacts, extract_pod_facts, load_pod_facts
from kubeclip.renderer.render import Rendered, render
from kubeclip.renderer.runcontext import RunContext, load_run_context, parse_run_context

# What `kubeclip validate` builds a plan with: a Paperclip pod and a run that cannot be the
# cause of an error, so that every check of the config that needs neither is made.
_NEUTRAL_POD = {
    "kind": "Pod",
    "metadata": {"name": "paperclip", "namespace": "paperclip"},
    "spec": {
        "containers": [{"name": "paperclip", "image": "example.invalid/paperclip:0",
                        "volumeMounts": [{"name": "data", "mountPath": PAPERCLIP_MOUNT}]}],
        "volumes": [{"name": "data", "persistentVolumeClaim": {"claimName": "paperclip-data"}}],
    },
}  # fmt: skip
_NEUTRAL_RUN = {"runId": "validate", "agent": {"id": "validate", "companyId": "validate"},
                "prompt": "validate"}


def load_inputs(
    config_path: str, pod_path: str | None, run_path: str, prompt_file: str | None = None
) -> tuple[AgentConfig, PodFacts | None, RunContext]:
    """Load the inputs, reporting every invalid one at once (nothing is applied).

    Without ``pod_path`` the pod facts are None: apply mode reads the pod live.
    """
    errors: list[InputError] = []
    config = facts = run = None
    try:
        config = load_config(config_path)
    except InputError as e:
        errors.append(e)
    try:
        facts = load_pod_facts(pod_path) if pod_path else None
    except InputError as e:
        errors.append(e)
    try:
        run = load_run_context(run_path, prompt_file)
    except InputError as e:
        errors.append(e)
    if errors:
        raise InputError.merged(errors)
    assert config is not None and run is not None
    return config, facts, run


def validate_config(config_path: str) -> AgentConfig:
    """Every check of an agent config that needs no Paperclip pod and no run: the schema,
    then what only building a plan finds (reserved env names and labels, flags kubeclip
    owns in ``extraArgs``). What ``validate`` accepts, ``render`` and ``run`` accept."""
    config = load_config(config_path)
    facts = extract_pod_facts(_NEUTRAL_POD, "<validate>")
    run = parse_run_context(_NEUTRAL_RUN, "<validate>")
    render(build_plan(config, facts, run, config_source=config_path))
    return config


def render_files(
    config_path: str,
    pod_path: str,
    run_path: str,
    *,
    prompt_file: str | None = None,
    template_dir: str | os.PathLike[str] | None = None,
    reveal_secrets: bool = False,
    namespace: str | None = None,
) -> Rendered:
    config, facts, run = load_inputs(config_path, pod_path, run_path, prompt_file)
    assert facts is not None
    plan = build_plan(config, facts, run, reveal_secrets=reveal_secrets, config_source=config_path,
                      namespace_flag=namespace)  # fmt: skip
    return render(plan, template_dir)
