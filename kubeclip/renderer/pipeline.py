"""The render path end to end: files in, manifests out. Shared by the CLI and the runner."""

from __future__ import annotations

import os

from kubeclip.errors import InputError
from kubeclip.renderer.builder import build_plan
from kubeclip.renderer.config import AgentConfig, load_config
from kubeclip.renderer.podfacts import PodFacts, load_pod_facts
from kubeclip.renderer.render import Rendered, render
from kubeclip.renderer.runcontext import RunContext, load_run_context


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


def render_files(
    config_path: str,
    pod_path: str,
    run_path: str,
    *,
    prompt_file: str | None = None,
    template_dir: str | os.PathLike[str] | None = None,
    reveal_secrets: bool = False,
) -> Rendered:
    config, facts, run = load_inputs(config_path, pod_path, run_path, prompt_file)
    assert facts is not None
    plan = build_plan(config, facts, run, reveal_secrets=reveal_secrets, config_source=config_path)
    return render(plan, template_dir)
