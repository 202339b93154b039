"""What a user reads when an agent config or run context is wrong.

One test per kind of mistake. Each asserts the whole story of the message: the file it is
in, the JSON path of the bad value, what is wrong and, where kubeclip can tell, how to fix
it. ``InputError.problems`` holds the messages without the file name; ``str(error)`` is
what the CLI prints, one ``<file>: <problem>`` line per problem.
"""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import pytest

from kubeclip.errors import InputError
from kubeclip.renderer.config import load_config, parse_config
from kubeclip.renderer.runcontext import parse_run_context

SOURCE = "cfg.yaml"
# Every agent-config problem below is judged against an otherwise valid config.
VALID: dict[str, Any] = {"model": "anthropic/claude-sonnet-4-5"}


def config_error(raw: dict[str, Any]) -> InputError:
    with pytest.raises(InputError) as info:
        parse_config(raw, SOURCE)
    return info.value


def one_problem(error: InputError, path: str, *fragments: str) -> str:
    """The error holds exactly one problem, at ``path``, saying every fragment."""
    assert len(error.problems) == 1, error.problems
    problem = error.problems[0]
    assert problem.startswith(f"{path}: "), problem
    for fragment in fragments:
        assert fragment in problem, f"{fragment!r} not in {problem!r}"
    assert str(error) == f"{SOURCE}: {problem}"
    return problem


# --- agent config: structure -------------------------------------------------------------


def test_required_model_missing_says_add_it_with_an_example() -> None:
    error = config_error({"timeoutSec": 60})
    one_problem(
        error,
        "model",
        "is required but missing; add it",
        "e.g. model: anthropic/claude-sonnet-4-5",
    )


def test_unknown_key_suggests_the_closest_known_key() -> None:
    error = config_error({**VALID, "timeoutSecs": 600})
    one_problem(error, "timeoutSecs", "unknown key", 'did you mean "timeoutSec"?')


def test_unknown_key_without_a_close_match_lists_the_allowed_keys() -> None:
    error = config_error({**VALID, "zzz": 1})
    problem = one_problem(error, "zzz", "unknown key; allowed keys here:")
    for key in ("model", "resources", "timeoutSec", "inherit"):
        assert key in problem


def test_unknown_nested_key_names_its_full_path() -> None:
    error = config_error({**VALID, "resources": {"limts": {"memory": "8Gi"}}})
    one_problem(error, "resources.limts", "unknown key", 'did you mean "limits"?')


# --- agent config: types and enums --------------------------------------------------------


def test_quoted_number_says_write_it_without_quotes() -> None:
    error = config_error({**VALID, "timeoutSec": "600"})
    one_problem(
        error,
        "timeoutSec",
        'expected a whole number, got a string ("600")',
        "write the number without quotes",
    )


def test_yes_for_a_boolean_says_write_true_or_false() -> None:
    error = config_error({**VALID, "dangerouslySkipPermissions": "yes"})
    one_problem(
        error,
        "dangerouslySkipPermissions",
        'expected true or false, got a string ("yes")',
        "write true or false without quotes",
    )


def test_enum_with_wrong_case_suggests_the_right_spelling() -> None:
    error = config_error({**VALID, "imagePullPolicy": "always"})
    one_problem(
        error,
        "imagePullPolicy",
        '"always" is not one of Always, IfNotPresent, Never',
        'did you mean "Always"?',
    )


# --- agent config: patterns ----------------------------------------------------------------


def test_quantity_in_gigabytes_suggests_gibibytes() -> None:
    error = config_error({**VALID, "resources": {"limits": {"memory": "8GB"}}})
    one_problem(
        error,
        "resources.limits.memory",
        'resources.limits.memory: "8GB" is not a Kubernetes quantity; did you mean "8Gi"?',
    )


def test_quantity_in_cores_suggests_the_bare_number() -> None:
    error = config_error({**VALID, "resources": {"requests": {"cpu": "2 cores"}}})
    one_problem(
        error,
        "resources.requests.cpu",
        '"2 cores" is not a Kubernetes quantity; did you mean "2"?',
    )


def test_unguessable_quantity_shows_examples() -> None:
    error = config_error({**VALID, "resources": {"requests": {"cpu": "lots"}}})
    problem = one_problem(
        error,
        "resources.requests.cpu",
        '"lots" is not a Kubernetes quantity',
        'use e.g. "500m", "2" or "8Gi"',
    )
    assert "did you mean" not in problem


def test_model_without_provider_says_provider_slash_model() -> None:
    error = config_error({"model": "gpt-4"})
    one_problem(
        error, "model", '"gpt-4" must be provider/model', 'e.g. "anthropic/claude-sonnet-4-5"'
    )


def test_model_with_trailing_newline_is_rejected() -> None:
    # YAML `model: |` keeps a final newline; it must not reach `--model` in the Job.
    error = config_error({"model": "anthropic/claude-sonnet-4-5\n"})
    one_problem(error, "model", '"anthropic/claude-sonnet-4-5\\n"')


@pytest.mark.parametrize(
    ("raw", "path"),
    [
        ({"model": "a/b\n"}, "model"),
        ({**VALID, "inherit": {"env": ["ANTHROPIC_*\n"]}}, "inherit.env[0]"),
        (
            {**VALID, "resources": {"limits": {"nvidia.com/gpu": "1\n"}}},
            'resources.limits["nvidia.com/gpu"]',
        ),
    ],
)
def test_trailing_newline_message_names_the_users_path_and_no_internals(
    raw: dict[str, Any], path: str
) -> None:
    problem = one_problem(config_error(raw), path)
    assert "data." not in problem
    assert "must match pattern" not in problem


def test_namespace_that_is_not_a_dns_label_suggests_a_fixed_name() -> None:
    error = config_error({**VALID, "namespace": "My_NS"})
    one_problem(
        error,
        "namespace",
        '"My_NS" is not a valid Kubernetes name',
        "lowercase letters, digits and '-'",
        "at most 63 characters",
        'did you mean "my-ns"?',
    )


def test_env_var_name_starting_with_a_digit() -> None:
    error = config_error({**VALID, "env": {"1BAD": "x"}})
    one_problem(
        error,
        "env",
        '"1BAD" is not a valid environment variable name',
        "not starting with a digit (e.g. MY_VAR)",
    )


def test_empty_env_reference_is_rejected_at_its_path() -> None:
    error = config_error({**VALID, "env": {"A": {}}})
    one_problem(error, "env.A")


@pytest.mark.parametrize(
    "ref",
    [
        {},
        {
            "secretKeyRef": {"name": "s", "key": "k"},
            "configMapKeyRef": {"name": "c", "key": "k"},
        },
    ],
)
def test_env_reference_needs_exactly_one_of_secret_or_configmap(ref: dict[str, Any]) -> None:
    error = config_error({**VALID, "env": {"A": ref}})
    one_problem(error, "env.A", "give exactly one of secretKeyRef or configMapKeyRef")


def test_annotation_key_that_is_not_a_kubernetes_key() -> None:
    error = config_error({**VALID, "annotations": {"bad key!": "v"}})
    one_problem(
        error,
        "annotations",
        '"bad key!" is not a valid Kubernetes key',
        "(e.g. example.com/team)",
    )


def test_label_key_that_is_not_a_kubernetes_key() -> None:
    error = config_error({**VALID, "labels": {"bad key!": "v"}})
    one_problem(error, "labels", '"bad key!" is not a valid Kubernetes key')


@pytest.mark.parametrize("labels", [{"team": "has space"}, "team=has space"])
def test_label_value_that_is_not_a_label_value(labels: Any) -> None:
    error = config_error({**VALID, "labels": labels})
    one_problem(error, "labels.team", '"has space" is not a valid label value', "at most 63")


def test_toleration_effect_with_wrong_case() -> None:
    error = config_error({**VALID, "tolerations": '[{"effect": "noschedule"}]'})
    one_problem(error, "tolerations[0].effect", 'did you mean "NoSchedule"?')


def test_glob_with_a_space_in_inherit_env() -> None:
    error = config_error({**VALID, "inherit": {"env": ["FOO BAR"]}})
    one_problem(
        error,
        "inherit.env[0]",
        '"FOO BAR" is not a name pattern',
        'use letters, digits, "_", "-", "." and * ? [ ]',
    )


# --- agent config: bounds ------------------------------------------------------------------


def test_below_minimum() -> None:
    one_problem(config_error({**VALID, "graceSec": -1}), "graceSec", "-1 is below the minimum 0")
    assert parse_config({**VALID, "graceSec": 0}, SOURCE)["graceSec"] == 0


def test_above_maximum() -> None:
    error = config_error({**VALID, "graceSec": 3601})
    one_problem(error, "graceSec", "3601 is above the maximum 3600")
    assert parse_config({**VALID, "graceSec": 3600}, SOURCE)["graceSec"] == 3600


def test_empty_string_where_a_value_is_needed() -> None:
    one_problem(config_error({**VALID, "command": ""}), "command", "must not be empty")
    one_problem(config_error({**VALID, "kubeconfig": ""}), "kubeconfig", "must not be empty")


# --- agent config: Paperclip's alternative spellings ---------------------------------------


def test_key_value_lines_without_equals_sign() -> None:
    error = config_error({**VALID, "labels": "novalue"})
    one_problem(error, "labels", "line 1 ('novalue') is not key=value")


def test_key_value_lines_name_the_bad_line_and_parse_the_good_ones() -> None:
    error = config_error({**VALID, "nodeSelector": "disk=ssd\n=orphan"})
    one_problem(error, "nodeSelector", "line 2 ('=orphan') is not key=value")
    parsed = parse_config({**VALID, "nodeSelector": "disk=ssd\n# comment\n zone = a \n"}, SOURCE)
    assert parsed["nodeSelector"] == {"disk": "ssd", "zone": "a"}


def test_tolerations_string_that_is_not_json() -> None:
    error = config_error({**VALID, "tolerations": "[{key: gpu}"})
    one_problem(error, "tolerations", "is a string but not valid JSON", "give a list")


def test_tolerations_json_string_is_parsed() -> None:
    parsed = parse_config({**VALID, "tolerations": '[{"key": "gpu", "operator": "Exists"}]'})
    assert parsed["tolerations"] == [{"key": "gpu", "operator": "Exists"}]


def test_flat_dotted_keys_merge_over_the_defaults() -> None:
    raw = {"model": "a/b", "resources.requests.cpu": "2"}
    before = copy.deepcopy(raw)
    resources = parse_config(raw, SOURCE)["resources"]
    assert resources["requests"] == {"cpu": "2", "memory": "2Gi"}
    assert resources["limits"] == {"cpu": "4000m", "memory": "8Gi"}
    assert raw == before  # the caller's mapping is untouched


def test_flat_dotted_key_and_nested_key_for_the_same_value_conflict() -> None:
    raw = {"model": "a/b", "resources.requests.cpu": "2", "resources": {"requests": {"cpu": "1"}}}
    one_problem(config_error(raw), "resources.requests.cpu", "set twice")


def test_flat_dotted_key_bad_value_is_reported_at_the_nested_path() -> None:
    error = config_error({**VALID, "resources.limits.memory": "8GB"})
    one_problem(error, "resources.limits.memory", 'did you mean "8Gi"?')


# --- agent config: several problems ---------------------------------------------------------


def test_every_problem_is_reported_at_once() -> None:
    error = config_error(
        {"timeoutSec": "600", "imagePullPolicy": "always", "namespace": "My_NS", "zzz": 1}
    )
    assert len(error.problems) == 5, error.problems
    paths = sorted(p.split(": ", 1)[0] for p in error.problems)
    assert paths == ["imagePullPolicy", "model", "namespace", "timeoutSec", "zzz"]
    lines = str(error).splitlines()
    assert len(lines) == 5
    assert all(line.startswith(f"{SOURCE}: ") for line in lines)


# --- agent config files ---------------------------------------------------------------------


def file_error(path: Path) -> InputError:
    with pytest.raises(InputError) as info:
        load_config(str(path))
    return info.value


def test_yaml_syntax_error_names_file_and_line(tmp_path: Path) -> None:
    path = tmp_path / "agent.yaml"
    path.write_text("model: a/b\ntimeoutSec: 5\n  graceSec: 3\n")
    error = file_error(path)
    assert error.problems[0].startswith("line 3, column ")
    assert "not valid YAML" in error.problems[0]
    assert str(error).startswith(f"{path}: line 3, column ")


def test_json_syntax_error_names_file_and_line(tmp_path: Path) -> None:
    path = tmp_path / "agent.json"
    path.write_text('{\n  "model": "a/b",\n}\n')
    error = file_error(path)
    assert str(error).startswith(f"{path}: line 3: not valid JSON")


def test_top_level_list_is_not_a_config(tmp_path: Path) -> None:
    path = tmp_path / "agent.yaml"
    path.write_text("- model: a/b\n")
    error = file_error(path)
    assert str(error) == f"{path}: expected a mapping at the top level of the agent config"


def test_missing_config_file(tmp_path: Path) -> None:
    path = tmp_path / "nope.yaml"
    assert str(file_error(path)) == f"{path}: agent config file not found"


def test_schema_problems_in_a_file_name_that_file(tmp_path: Path) -> None:
    path = tmp_path / "agent.yaml"
    path.write_text("model: a/b\nresources:\n  limits:\n    memory: 8GB\n")
    error = file_error(path)
    assert str(error) == (
        f'{path}: resources.limits.memory: "8GB" is not a Kubernetes quantity; did you mean "8Gi"?'
    )


def test_valid_file_with_paperclip_spellings_loads(tmp_path: Path) -> None:
    path = tmp_path / "agent.yaml"
    path.write_text(
        "model: a/b\nresources.limits.memory: 16Gi\nlabels: |\n  team=platform\n"
        'tolerations: \'[{"key": "gpu", "operator": "Exists"}]\'\n'
    )
    config = load_config(str(path))
    assert config["resources"]["limits"] == {"cpu": "4000m", "memory": "16Gi"}
    assert config["labels"] == {"team": "platform"}
    assert config["tolerations"] == [{"key": "gpu", "operator": "Exists"}]


# --- run context ------------------------------------------------------------------------------

RUN: dict[str, Any] = {
    "runId": "run-1",
    "agent": {"id": "agent-1", "companyId": "co-1"},
    "context": {"paperclipWorkspace": {"cwd": "/paperclip/ws"}},
    "prompt": "do the thing",
}


def run_error(run: dict[str, Any], prompt: str | None = None) -> InputError:
    with pytest.raises(InputError) as info:
        parse_run_context(run, "run.json", prompt)
    return info.value


def test_run_context_without_run_id() -> None:
    run = copy.deepcopy(RUN)
    del run["runId"]
    error = run_error(run)
    assert error.problems == ["runId: is required but missing; add it"]
    assert str(error) == "run.json: runId: is required but missing; add it"


def test_run_context_without_agent_id() -> None:
    run = copy.deepcopy(RUN)
    del run["agent"]["id"]
    assert str(run_error(run)) == "run.json: agent.id: is required but missing; add it"


def test_run_context_workspace_cwd_must_be_absolute() -> None:
    run = copy.deepcopy(RUN)
    run["context"]["paperclipWorkspace"]["cwd"] = "workspaces/a"
    assert str(run_error(run)) == (
        'run.json: context.paperclipWorkspace.cwd: "workspaces/a" must be an absolute path '
        "(starting with /)"
    )


@pytest.mark.parametrize("prompt", [None, ""])
def test_run_context_without_prompt_points_at_prompt_file(prompt: str | None) -> None:
    run = copy.deepcopy(RUN)
    del run["prompt"]
    if prompt is not None:
        run["prompt"] = prompt
    assert str(run_error(run)) == (
        "run.json: prompt: is missing; put it in the run context or use --prompt-file"
    )


def test_prompt_given_separately_replaces_the_run_contexts() -> None:
    run = copy.deepcopy(RUN)
    assert parse_run_context(run, "run.json", "from a file")["prompt"] == "from a file"
    assert run["prompt"] == "do the thing"  # the caller's mapping is untouched
    del run["prompt"]
    assert parse_run_context(run, "run.json", "from a file")["prompt"] == "from a file"


def test_run_context_unknown_key_suggests_the_known_one() -> None:
    run = {**RUN, "runID": "x"}
    assert 'runID: unknown key; did you mean "runId"?' in run_error(run).problems


def test_a_request_above_its_limit_is_refused_at_validation() -> None:
    """Issue #22 (10): render accepted what the API server refuses (the Job was created and
    its pod never came)."""
    with pytest.raises(InputError) as refused:
        parse_config({"model": "a/b", "resources": {"requests": {"cpu": "5", "memory": "10Gi"}}})
    message = str(refused.value)
    assert "resources.requests.cpu: 5 is above resources.limits.cpu (4000m)" in message
    assert "resources.requests.memory: 10Gi is above resources.limits.memory (8Gi)" in message
    # equal is fine, and a limit raised with the request too
    parse_config({"model": "a/b", "resources": {"requests": {"cpu": "4"}}})
    parse_config({"model": "a/b", "resources": {"requests": {"cpu": "6"}, "limits": {"cpu": "6"}}})


def test_every_mistake_only_a_plan_finds_is_reported_in_one_go(tmp_path: Path) -> None:
    # reserved labels, reserved env names and owned flags used to come one per run
    from kubeclip.renderer.pipeline import validate_config

    cfg = tmp_path / SOURCE
    cfg.write_text(
        "model: a/b\n"
        "labels: {app.kubernetes.io/managed-by: me}\n"
        "env: {PAPERCLIP_API_KEY: x, KUBECLIP_PROMPT_FILE: y}\n"
        "extraArgs: [--model=x, --variant, high]\n"
    )
    with pytest.raises(InputError) as info:
        validate_config(str(cfg))
    assert [p.split(":")[0] for p in info.value.problems] == [
        "labels", "env.PAPERCLIP_API_KEY", "env.KUBECLIP_PROMPT_FILE", "extraArgs[0]",
        "extraArgs[1]",
    ]  # fmt: skip
