"""The ``kubeclip`` command as a user runs it: exit codes, stdout, stderr.

Contract (kubeclip/cli.py): exit 0 prints manifests on stdout; exit 2 means invalid input
or templates, with nothing on stdout and a message naming the file on stderr. Most tests
call ``main()`` in-process; a few run ``python -m kubeclip`` as a real subprocess.
"""

from __future__ import annotations

import json
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest
import yaml

from kubeclip.cli import main

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "examples"
CONFIG = EXAMPLES / "agent-config.yaml"
POD = EXAMPLES / "paperclip-deployment.yaml"
RUN = EXAMPLES / "run-context.json"
TOKEN = "eyJhbGciOiJIUzI1NiJ9.run-token-0123456789abcdef"

Captured = pytest.CaptureFixture[str]



def run_values(secret: dict[str, Any]) -> dict[str, str]:
    """The run Secret's values by key, without the Job-name prefix each key carries."""
    return {k.partition(".")[2]: v for k, v in secret["stringData"].items()}

def run_cli(capsys: Captured, *argv: str | Path) -> tuple[int, str, str]:
    code = main([str(a) for a in argv])
    out, err = capsys.readouterr()
    return code, out, err


def render(capsys: Captured, *extra: str | Path, **files: Path) -> tuple[int, str, str]:
    argv: list[str | Path] = ["render"]
    argv += ["--config", files.get("config", CONFIG)]
    argv += ["--pod", files.get("pod", POD)]
    argv += ["--run", files.get("run", RUN)]
    return run_cli(capsys, *argv, *extra)


def documents(out: str) -> list[dict[str, Any]]:
    return [d for d in yaml.safe_load_all(out) if d is not None]


def example_run(**changes: Any) -> dict[str, Any]:
    run: dict[str, Any] = json.loads(RUN.read_text())
    for key, value in changes.items():
        if value is None:
            run.pop(key, None)
        else:
            run[key] = value
    return run


def write_json(path: Path, data: Any) -> Path:
    path.write_text(json.dumps(data))
    return path


def assert_invalid(code: int, out: str, err: str, *fragments: str) -> None:
    assert code == 2
    assert out == ""
    assert err.startswith("kubeclip: error:")
    assert "Traceback" not in err
    for fragment in fragments:
        assert fragment in err, f"{fragment!r} not in {err!r}"


# --- render ------------------------------------------------------------------------------


def test_render_examples_prints_secret_then_job(capsys: Captured) -> None:
    code, out, err = render(capsys)
    assert code == 0
    assert err == ""
    assert out.startswith("---\n")
    docs = documents(out)
    assert [(d["apiVersion"], d["kind"]) for d in docs] == [("v1", "Secret"), ("batch/v1", "Job")]
    secret, job = docs
    assert job["metadata"]["namespace"] == "paperclip"
    volumes = {v["name"]: v for v in job["spec"]["template"]["spec"]["volumes"]}
    assert volumes["paperclip"]["persistentVolumeClaim"]["claimName"] == "paperclip-shared"
    assert volumes["kubeclip-run"]["secret"]["secretName"] == secret["metadata"]["name"]
    container = job["spec"]["template"]["spec"]["containers"][0]
    assert container["command"][-4:] == [
        "--model",
        "anthropic/claude-sonnet-4-5",
        "--variant",
        "high",
    ]
    assert container["resources"]["requests"] == {"cpu": "500m", "memory": "1Gi"}
    assert run_values(secret)["prompt"] == json.loads(RUN.read_text())["prompt"]


def test_render_json_output_is_a_v1_list(capsys: Captured) -> None:
    code, out, err = render(capsys, "-o", "json")
    assert code == 0
    assert err == ""
    body = json.loads(out)
    assert (body["apiVersion"], body["kind"]) == ("v1", "List")
    assert [i["kind"] for i in body["items"]] == ["Secret", "Job"]
    _, yaml_out, _ = render(capsys)
    assert body["items"] == documents(yaml_out)


def test_render_invalid_config_exits_2_with_the_message_only_on_stderr(
    tmp_path: Path, capsys: Captured
) -> None:
    config = tmp_path / "agent.yaml"
    config.write_text("model: a/b\nresources:\n  limits:\n    memory: 8GB\n")
    code, out, err = render(capsys, config=config)
    assert_invalid(
        code,
        out,
        err,
        f'{config}: resources.limits.memory: "8GB" is not a Kubernetes quantity; '
        'did you mean "8Gi"?',
    )


def test_render_reports_a_bad_config_and_a_bad_run_context_together(
    tmp_path: Path, capsys: Captured
) -> None:
    config = tmp_path / "agent.yaml"
    config.write_text("model: gpt-4\n")
    run = write_json(tmp_path / "run.json", example_run(runId=None))
    code, out, err = render(capsys, config=config, run=run)
    assert_invalid(
        code,
        out,
        err,
        f'{config}: model: "gpt-4" must be provider/model',
        f"{run}: runId: is required but missing",
    )


@pytest.mark.parametrize("flag", ["config", "pod", "run"])
def test_render_missing_file_exits_2(tmp_path: Path, capsys: Captured, flag: str) -> None:
    missing = tmp_path / "missing.yaml"
    code, out, err = render(capsys, **{flag: missing})
    assert_invalid(code, out, err, f"{missing}:", "file not found")


def test_render_missing_prompt_file_exits_2(tmp_path: Path, capsys: Captured) -> None:
    missing = tmp_path / "prompt.txt"
    code, out, err = render(capsys, "--prompt-file", missing)
    assert_invalid(code, out, err, f"{missing}: prompt file not found")


def test_render_pod_without_paperclip_mount_explains_the_shared_claim(
    tmp_path: Path, capsys: Captured
) -> None:
    pod = tmp_path / "pod.yaml"
    pod.write_text(
        "apiVersion: v1\nkind: Pod\nmetadata: {name: paperclip, namespace: pc}\nspec:\n"
        "  containers:\n    - name: paperclip\n      image: img:1\n"
        "      volumeMounts: [{name: data, mountPath: /data}]\n"
        "  volumes: [{name: data, persistentVolumeClaim: {claimName: c}}]\n"
    )
    code, out, err = render(capsys, pod=pod)
    assert_invalid(code, out, err, f"{pod}:", "no volume mounted at /paperclip", "ReadWriteMany")


def test_prompt_file_replaces_the_run_context_prompt(tmp_path: Path, capsys: Captured) -> None:
    prompt = tmp_path / "prompt.txt"
    prompt.write_text("Fix the flaky test in ci.yml, nothing else.\n")
    code, out, _ = render(capsys, "--prompt-file", prompt)
    assert code == 0
    secret = documents(out)[0]
    assert run_values(secret)["prompt"] == "Fix the flaky test in ci.yml, nothing else.\n"
    assert "rate limiting" not in out  # the example run context's own prompt


def test_prompt_file_supplies_a_prompt_the_run_context_lacks(
    tmp_path: Path, capsys: Captured
) -> None:
    run = write_json(tmp_path / "run.json", example_run(prompt=None))
    code, out, err = render(capsys, run=run)
    assert_invalid(code, out, err, f"{run}: prompt: is missing", "--prompt-file")
    prompt = tmp_path / "prompt.txt"
    prompt.write_text("hello")
    code, out, _ = render(capsys, "--prompt-file", prompt, run=run)
    assert code == 0
    assert run_values(documents(out)[0])["prompt"] == "hello"


def test_credentials_are_redacted_unless_reveal_secrets(tmp_path: Path, capsys: Captured) -> None:
    run = write_json(tmp_path / "run.json", example_run(authToken=TOKEN))
    code, out, err = render(capsys, run=run)
    assert code == 0
    assert TOKEN not in out
    assert TOKEN not in err
    secret, job = documents(out)
    assert "--reveal-secrets" in run_values(secret)["paperclip-api-key"]
    env = {e["name"]: e for e in job["spec"]["template"]["spec"]["containers"][0]["env"]}
    ref = env["PAPERCLIP_API_KEY"]["valueFrom"]["secretKeyRef"]
    assert ref == {"name": secret["metadata"]["name"],
                   "key": f"{job['metadata']['name']}.paperclip-api-key"}

    code, out, err = render(capsys, "--reveal-secrets", run=run)
    assert code == 0
    assert TOKEN not in err
    secret, job = documents(out)
    assert run_values(secret)["paperclip-api-key"] == TOKEN
    assert TOKEN not in json.dumps(job)  # only the Secret carries it


def test_credentials_are_redacted_in_json_output(tmp_path: Path, capsys: Captured) -> None:
    run = write_json(tmp_path / "run.json", example_run(authToken=TOKEN))
    code, out, err = render(capsys, "-o", "json", run=run)
    assert code == 0
    assert TOKEN not in out + err


def test_warning_goes_to_stderr_and_stdout_stays_manifests(
    tmp_path: Path, capsys: Captured
) -> None:
    config = tmp_path / "agent.yaml"
    config.write_text("model: a/b\ninherit:\n  env: []\n")  # the pod's PAPERCLIP_API_URL too
    run = write_json(tmp_path / "run.json", example_run(paperclipApiUrl=None))
    code, out, err = render(capsys, config=config, run=run)
    assert code == 0
    assert err.startswith("kubeclip: warning: no PAPERCLIP_API_URL")
    assert err.count("\n") == 1
    assert "kubeclip: warning" not in out
    assert [d["kind"] for d in documents(out)] == ["Secret", "Job"]  # nothing but manifests


def test_templates_dir_must_exist(tmp_path: Path, capsys: Captured) -> None:
    missing = tmp_path / "no-such-dir"
    code, out, err = render(capsys, "--templates", missing)
    assert_invalid(code, out, err, f"{missing}: --templates: not a directory")


# --- --templates with broken templates ----------------------------------------------------


def templates_with(tmp_path: Path, edit: Any) -> tuple[Path, Path]:
    """A copy of templates/ whose job.yaml lines went through ``edit``."""
    directory = tmp_path / "templates"
    shutil.copytree(ROOT / "templates", directory)
    job = directory / "job.yaml"
    job.write_text("".join(edit(job.read_text().splitlines(keepends=True))))
    return directory, job


def line_of(path: Path, text: str) -> int:
    return next(n for n, line in enumerate(path.read_text().splitlines(), 1) if text in line)


def insert_after_kind(line: str) -> Any:
    def edit(lines: list[str]) -> list[str]:
        at = lines.index("kind: Job\n") + 1
        return [*lines[:at], line, *lines[at:]]

    return edit


def test_template_syntax_error_names_template_file_and_line(
    tmp_path: Path, capsys: Captured
) -> None:
    def edit(lines: list[str]) -> list[str]:
        return [line.replace('"{{ job.image }}"', '"{{ job.image }}{% if %}"') for line in lines]

    directory, job = templates_with(tmp_path, edit)
    code, out, err = render(capsys, "--templates", directory)
    assert_invalid(code, out, err, f"{job}:{line_of(job, '{% if %}')}:", "template syntax error")


def test_template_undefined_variable_names_template_file_and_line(
    tmp_path: Path, capsys: Captured
) -> None:
    def edit(lines: list[str]) -> list[str]:
        return [line.replace("{{ job.image }}", "{{ job.nope }}") for line in lines]

    directory, job = templates_with(tmp_path, edit)
    code, out, err = render(capsys, "--templates", directory)
    assert_invalid(code, out, err, f"{job}:{line_of(job, 'job.nope')}:")


def test_template_undefined_variable_message_names_the_variable(
    tmp_path: Path, capsys: Captured
) -> None:
    def edit(lines: list[str]) -> list[str]:
        return [line.replace("{{ job.image }}", "{{ job.nope }}") for line in lines]

    directory, _ = templates_with(tmp_path, edit)
    code, out, err = render(capsys, "--templates", directory)
    assert_invalid(code, out, err, "nope")
    assert "StrictUndefined" not in err


def test_template_rendering_invalid_yaml_names_the_template(
    tmp_path: Path, capsys: Captured
) -> None:
    directory, job = templates_with(tmp_path, insert_after_kind(": : garbage\n"))
    code, out, err = render(capsys, "--templates", directory)
    assert_invalid(code, out, err, f"{job}:{line_of(job, ': : garbage')}: invalid YAML")


def test_an_unquoted_expression_is_explained(tmp_path: Path, capsys: Captured) -> None:
    def edit(lines: list[str]) -> list[str]:
        return [line.replace('"{{ job.image }}"', "{{ job.image }}") for line in lines]

    directory, job = templates_with(tmp_path, edit)
    code, out, err = render(capsys, "--templates", directory)
    assert_invalid(code, out, err, f"{job}:", 'quoted: image: "{{ job.image }}"')


def test_a_template_that_drops_what_the_runner_relies_on_is_refused(
    tmp_path: Path, capsys: Captured
) -> None:
    """Renaming the container made apply mode fail with a 400 reported as api_error, and
    dropping the pod labels made a run without timeout wait forever."""

    def rename(lines: list[str]) -> list[str]:
        return [line.replace('"{{ job.container }}"', "main") for line in lines]

    def unlabel(lines: list[str]) -> list[str]:
        return [line.replace('labels: "{{ job.podLabels }}"', "labels: {app: x}") for line in lines]

    for edit, words in ((rename, "a container named 'agent'"),
                        (unlabel, "spec.template.metadata.labels")):  # fmt: skip
        directory, job = templates_with(tmp_path / edit.__name__, edit)
        code, out, err = render(capsys, "--templates", directory)
        assert_invalid(code, out, err, f"{job}:", "must keep what kubeclip's runner relies on",
                       words)  # fmt: skip


def test_an_override_file_changes_one_part(tmp_path: Path, capsys: Captured) -> None:
    directory = tmp_path / "mine"
    directory.mkdir()
    (directory / "job.override.yaml").write_text(
        "# only the security context and the backoff\n"
        "spec:\n  backoffLimit: 1\n  template:\n    spec:\n"
        "      securityContext: {runAsUser: 2000, runAsNonRoot: true}\n"
        "      enableServiceLinks: null\n"
    )
    code, out, _ = render(capsys, "--templates", directory)
    assert code == 0
    _secret, job = documents(out)
    pod = job["spec"]["template"]["spec"]
    assert job["spec"]["backoffLimit"] == 1
    # merged key by key: the other restricted settings stay
    assert pod["securityContext"]["runAsUser"] == 2000
    assert pod["securityContext"]["seccompProfile"] == {"type": "RuntimeDefault"}
    assert "enableServiceLinks" not in pod
    assert pod["containers"][0]["name"] == "agent"  # the rest is the bundled template's


def test_a_stale_template_copy_is_refused(tmp_path: Path, capsys: Captured) -> None:
    def edit(lines: list[str]) -> list[str]:
        return [line for line in lines if not line.startswith("kubeclipTemplate:")]

    directory, job = templates_with(tmp_path, edit)
    code, out, err = render(capsys, "--templates", directory)
    assert_invalid(code, out, err, f"{job}:", "has no version", "kubeclipTemplate: 2")
    old = tmp_path / "old"
    old.mkdir()
    (old / "job.yaml.j2").write_text("apiVersion: batch/v1\n")
    code, out, err = render(capsys, "--templates", old)
    assert_invalid(code, out, err, "text templates (*.yaml.j2) are no longer read")


def test_templates_dir_overrides_only_the_files_it_holds(tmp_path: Path, capsys: Captured) -> None:
    def edit(lines: list[str]) -> list[str]:
        return [line.replace("backoffLimit: 0", "backoffLimit: 3") for line in lines]

    directory, _ = templates_with(tmp_path, edit)
    (directory / "secret.yaml").unlink()  # falls back to the bundled Secret template
    code, out, _ = render(capsys, "--templates", directory)
    assert code == 0
    secret, job = documents(out)
    assert job["spec"]["backoffLimit"] == 3
    assert secret["kind"] == "Secret"


# --- validate and schema --------------------------------------------------------------------


def test_validate_valid_config(capsys: Captured) -> None:
    code, out, err = run_cli(capsys, "validate", "--config", CONFIG)
    assert code == 0
    assert out == ""
    assert err == f"{CONFIG}: valid (model anthropic/claude-sonnet-4-5)\n"


def test_validate_invalid_config_lists_every_problem(tmp_path: Path, capsys: Captured) -> None:
    config = tmp_path / "agent.yaml"
    config.write_text("model: a/b\ntimeoutSecs: 600\nimagePullPolicy: always\n")
    code, out, err = run_cli(capsys, "validate", "--config", config)
    assert_invalid(
        code,
        out,
        err,
        f'{config}: timeoutSecs: unknown key; did you mean "timeoutSec"?',
        f'{config}: imagePullPolicy: "always" is not one of',
    )


@pytest.mark.parametrize(
    ("config", "said"),
    [
        ({"env": {"PAPERCLIP_API_KEY": "x"}}, "env.PAPERCLIP_API_KEY: is set by the run context"),
        ({"extraArgs": ["--model", "x/y"]}, "extraArgs[0]: --model is set by kubeclip"),
        ({"labels": {"app.kubernetes.io/managed-by": "me"}},
         "labels: app.kubernetes.io/managed-by is set by kubeclip"),
    ],
)  # fmt: skip
def test_validate_refuses_what_render_refuses(
    tmp_path: Path, capsys: Captured, config: dict[str, Any], said: str
) -> None:
    """Issue #22 (4): validate said "valid" for configs that render and run refuse."""
    path = tmp_path / "agent.yaml"
    path.write_text(yaml.safe_dump({"model": "a/b", **config}))
    code, out, err = run_cli(capsys, "validate", "--config", path)
    assert_invalid(code, out, err, f"{path}: {said}")
    assert_invalid(*render(capsys, config=path), f"{path}: {said}")


def test_validate_yaml_syntax_error_names_the_line(tmp_path: Path, capsys: Captured) -> None:
    config = tmp_path / "agent.yaml"
    config.write_text("model: a/b\ntimeoutSec: 5\n  graceSec: 3\n")
    code, out, err = run_cli(capsys, "validate", "--config", config)
    assert_invalid(code, out, err, f"{config}: line 3, column ", "not valid YAML")


@pytest.mark.parametrize(
    ("argv", "title"),
    [(["schema", "run-context"], "kubeclip run context"), (["schema"], "kubeclip agent config")],
)
def test_schema_prints_a_json_schema(capsys: Captured, argv: list[str], title: str) -> None:
    code, out, err = run_cli(capsys, *argv)
    assert code == 0
    assert err == ""
    schema = json.loads(out)
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    assert schema["title"] == title


def test_schema_run_context_describes_the_run_context(capsys: Captured) -> None:
    _, out, _ = run_cli(capsys, "schema", "run-context")
    schema = json.loads(out)
    assert schema["required"] == ["runId", "agent"]
    assert {"prompt", "authToken", "paperclipApiUrl"} <= schema["properties"].keys()


# --- as a real process ------------------------------------------------------------------------


def kubeclip(*argv: str | Path, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "kubeclip", *map(str, argv)],
        capture_output=True,
        text=True,
        cwd=cwd,
        check=False,
        timeout=60,
    )


def test_subprocess_render_examples(tmp_path: Path) -> None:
    proc = kubeclip("render", "--config", CONFIG, "--pod", POD, "--run", RUN, cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert proc.stderr == ""
    assert [d["kind"] for d in documents(proc.stdout)] == ["Secret", "Job"]


def test_subprocess_render_output_is_complete_in_a_file_and_a_closed_pipe_is_not_an_error(
    tmp_path: Path,
) -> None:
    # render ends its process without Python's finalization: what it printed must still
    # arrive whole (a prompt larger than any buffer), and `| head -1` must stay quiet.
    run = write_json(tmp_path / "run.json", example_run(prompt="x" * 300_000))
    argv = [sys.executable, "-m", "kubeclip", "render", "--config", str(CONFIG), "--pod", str(POD)]
    argv += ["--run", str(run), "--reveal-secrets"]
    with open(tmp_path / "out.yaml", "w") as out:
        assert subprocess.run(argv, stdout=out, cwd=tmp_path, timeout=60).returncode == 0
    docs = documents((tmp_path / "out.yaml").read_text())
    assert [d["kind"] for d in docs] == ["Secret", "Job"]
    assert "x" * 300_000 in json.dumps(docs[0])

    proc = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE, cwd=tmp_path)
    assert proc.stdout is not None and proc.stderr is not None
    assert proc.stdout.readline() == b"---\n"
    proc.stdout.close()  # what `head -1` does
    assert proc.wait(timeout=60) == 0
    assert proc.stderr.read() == b""


def test_subprocess_invalid_input_exits_2_without_traceback(tmp_path: Path) -> None:
    config = tmp_path / "agent.yaml"
    config.write_text("model: a/b\ngraceSec: -1\n")
    run = write_json(tmp_path / "run.json", example_run(authToken=TOKEN, runId=None))
    proc = kubeclip("render", "--config", config, "--pod", POD, "--run", run, cwd=tmp_path)
    assert proc.returncode == 2
    assert proc.stdout == ""
    assert proc.stderr == (
        "kubeclip: error:\n"
        f"{config}: graceSec: -1 is below the minimum 0\n"
        f"{run}: runId: is required but missing; add it\n"
    )
    assert TOKEN not in proc.stderr


def kubeclip_run(*argv: str | Path) -> subprocess.CompletedProcess[str]:
    """`kubeclip run` in its own process (it installs signal handlers for the whole command)."""
    return subprocess.run([sys.executable, "-m", "kubeclip", "run", *map(str, argv)],
                          capture_output=True, text=True, timeout=60, cwd=ROOT)  # fmt: skip


def test_a_refused_run_still_writes_its_result_and_its_result_event(tmp_path: Path) -> None:
    """Issue #22 (2): on exit 2 there was no --result file and no --events result line."""
    bad = tmp_path / "agent.yaml"
    bad.write_text("model: a/b\ntimeoutSecs: 5\n")
    result = tmp_path / "result.json"
    proc = kubeclip_run("--config", bad, "--pod", POD, "--run", RUN, "--result", result,
                        "--events")  # fmt: skip
    assert proc.returncode == 2 and 'did you mean "timeoutSec"' in proc.stderr
    written = json.loads(result.read_text())
    assert written["reason"] == "invalid_input" and "timeoutSecs" in written["message"]
    (line,) = proc.stdout.splitlines()
    assert json.loads(line)["type"] == "result" and json.loads(line)["reason"] == "invalid_input"
    # a kubeconfig that cannot be loaded: refused the same way
    proc = kubeclip_run("--config", CONFIG, "--pod", POD, "--run", RUN, "--result", result,
                        "--kubeconfig", tmp_path / "none")  # fmt: skip
    assert proc.returncode == 2 and json.loads(result.read_text())["reason"] == "invalid_input"


def test_an_unwritable_result_path_is_refused_before_anything(tmp_path: Path) -> None:
    """Issue #23: `kubeclip run --result` and the bridges' KUBECLIP_RESULT_FILE had a rule
    each; `run`'s took a dangling symlink for a new file, ran the agent, then lost its result."""
    from kubeclip.paperclip.sinks import unusable

    dangling = tmp_path / "dangling.json"
    dangling.symlink_to(tmp_path / "missing" / "target.json")
    for path in (tmp_path, tmp_path / "missing" / "result.json", dangling):
        proc = kubeclip_run("--config", CONFIG, "--pod", POD, "--run", RUN, "--result", path,
                            "--kubeconfig", tmp_path / "none")  # fmt: skip
        assert proc.returncode == 2 and proc.stdout == ""
        assert f"--result {path}: cannot be written" in proc.stderr
        assert "Kubernetes configuration" not in proc.stderr  # refused before anything else
        assert "cannot be written" in (unusable({"KUBECLIP_RESULT_FILE": str(path)}) or "")
    fine = tmp_path / "result.json"
    assert unusable({"KUBECLIP_RESULT_FILE": str(fine)}) is None
    proc = kubeclip_run("--config", CONFIG, "--pod", POD, "--run", RUN, "--result", fine,
                        "--kubeconfig", tmp_path / "none")  # fmt: skip
    assert "cannot be written" not in proc.stderr and "kubeconfig" in proc.stderr  # got there


def dead_kubeconfig(path: Path) -> Path:
    """A kubeconfig of an API that is not there (127.0.0.1:1: refused at once)."""
    path.write_text(yaml.safe_dump({
        "apiVersion": "v1", "kind": "Config", "current-context": "dead",
        "clusters": [{"name": "dead", "cluster": {"server": "https://127.0.0.1:1"}}],
        "contexts": [{"name": "dead", "context": {"cluster": "dead", "user": "u"}}],
        "users": [{"name": "u", "user": {"token": "not-a-secret"}}]}))  # fmt: skip
    return path


@pytest.mark.parametrize(("sig", "status"), [(signal.SIGINT, 130), (signal.SIGTERM, 143)])
def test_a_signal_ends_a_run_promptly_while_the_api_is_unreachable(
    tmp_path: Path, sig: signal.Signals, status: int
) -> None:
    """Issue #22 (3): the signal was ignored until every retry had failed (~10 s, api_error)."""
    kubeconfig = dead_kubeconfig(tmp_path / "dead.kubeconfig")
    result = tmp_path / "result.json"
    proc = subprocess.Popen(
        [sys.executable, "-m", "kubeclip", "run", "--config", str(CONFIG), "--pod", str(POD),
         "--run", str(RUN), "--kubeconfig", str(kubeconfig), "--result", str(result)],
        cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
    )  # fmt: skip
    time.sleep(1.5)  # kubeclip is retrying the API by now
    proc.send_signal(sig)
    proc.communicate(timeout=60)
    assert proc.returncode == status  # not api_error once every retry had failed
    written = json.loads(result.read_text())
    assert written["reason"] == "cancelled" and written["cancelled"] is True
    assert written["signal"] == sig.name


def test_a_bare_kubeclip_prints_its_help(capsys: Captured) -> None:
    """Issue #22 (12): like kubectl and helm, not 'the following arguments are required'."""
    code, out, err = run_cli(capsys)
    assert code == 0 and out.startswith("usage: kubeclip") and "render" in out and err == ""


@pytest.mark.parametrize("flag", ["--idle-exit", "--keep-logs"])
@pytest.mark.parametrize("value", ["-1", "nan"])
def test_serve_refuses_negative_durations(capsys: Captured, flag: str, value: str) -> None:
    with pytest.raises(SystemExit) as exited:
        main(["serve", flag, value])
    assert exited.value.code == 2
    assert "must be 0 or more" in capsys.readouterr().err


def test_a_kubeconfig_that_cannot_be_used_says_what_and_where(tmp_path: Path) -> None:
    """Issue #22 (8): a traceback (exit 1) for a kubeconfig that is not YAML or not text,
    "No configuration found" for one that does not exist, no list for a wrong --context."""
    broken = tmp_path / "broken"
    broken.write_text("apiVersion: v1\nclusters: [\n")
    binary = tmp_path / "binary"
    binary.write_bytes(b"\xff\xfe\x00garbage")
    dead = dead_kubeconfig(tmp_path / "dead")
    cases: list[tuple[list[str | Path], str]] = [
        (["--kubeconfig", broken], f"kubeconfig {broken} is not a valid kubeconfig (line 3"),
        (["--kubeconfig", binary], f"kubeconfig {binary} is not a valid kubeconfig"),
        (["--kubeconfig", tmp_path / "none"], f"kubeconfig {tmp_path / 'none'}: no such file"),
        (["--kubeconfig", dead, "--context", "nope"], "the contexts there: dead"),
    ]
    for extra, said in cases:
        proc = kubeclip_run("--config", CONFIG, "--pod", POD, "--run", RUN, *extra)
        assert proc.returncode == 2 and said in proc.stderr, proc.stderr
        assert "Traceback" not in proc.stderr


def test_a_failing_credential_plugin_is_named_and_no_library_logs(tmp_path: Path) -> None:
    """Issue #22 (8): `ERROR:root:exec: process returned 1`, nine urllib3 warnings and a
    connection error, never "your credential plugin failed"."""
    plugin = dead_kubeconfig(tmp_path / "plugin")
    config = yaml.safe_load(plugin.read_text())
    config["users"][0]["user"] = {"exec": {
        "apiVersion": "client.authentication.k8s.io/v1beta1", "command": "false",
        "interactiveMode": "Never"}}  # fmt: skip
    plugin.write_text(yaml.safe_dump(config))
    proc = kubeclip_run("--config", CONFIG, "--pod", POD, "--run", RUN, "--kubeconfig", plugin)
    assert proc.returncode == 2, proc.stderr
    lines = proc.stderr.strip().splitlines()
    said = f"kubeclip: error: kubeconfig {plugin}: the user's credential plugin"
    assert lines[-1].startswith(f"{said} (users[].user.exec) failed: process returned 1")
    assert not [line for line in lines if line.startswith(("ERROR:", "WARNING:"))], lines
    debug = kubeclip_run("--config", CONFIG, "--pod", POD, "--run", RUN, "--kubeconfig", plugin,
                         "--debug")  # fmt: skip
    assert "root: exec: process returned 1" in debug.stderr  # the library's own words
    assert "Traceback" in debug.stderr and debug.returncode == 2


def test_a_dead_api_is_said_at_once_and_in_one_line(tmp_path: Path) -> None:
    """Issue #22 (8): ~10 s of silence, then `HTTPSConnectionPool(…) Max retries exceeded…`."""
    proc = kubeclip_run("--config", CONFIG, "--pod", POD, "--run", RUN,
                        "--kubeconfig", dead_kubeconfig(tmp_path / "dead"))  # fmt: skip
    assert proc.returncode == 3, proc.stderr
    lines = proc.stderr.strip().splitlines()
    assert lines[0] == ("kubeclip: the Kubernetes API at https://127.0.0.1:1 does not answer "
                        "(connection refused); trying 6 more times")  # fmt: skip
    assert lines[-1].startswith("kubeclip: api_error: cannot reach the Kubernetes API at "
                                "https://127.0.0.1:1: connection refused (tried 7 times); is "
                                "the cluster up")  # fmt: skip
    assert "HTTPSConnectionPool" not in proc.stderr and "WARNING:" not in proc.stderr


def kubeclip_cmd(*argv: str | Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "kubeclip", *map(str, argv)],
                          capture_output=True, text=True, timeout=60, cwd=ROOT)  # fmt: skip


def test_completion_completes_every_command_and_flag_in_a_real_bash() -> None:
    """Issue #22 (12): kubectl and helm users expect `source <(kubeclip completion bash)`."""
    script = kubeclip_cmd("completion", "bash").stdout
    probe = ('source /dev/stdin; complete_at() { COMP_WORDS=("$@"); COMP_CWORD=$(($# - 1)); '
             '_kubeclip; echo "${COMPREPLY[*]}"; }; complete_at kubeclip ren; '
             "complete_at kubeclip check --js; complete_at kubeclip run --kube")  # fmt: skip
    proc = subprocess.run(["bash", "-c", probe], input=script, capture_output=True, text=True)
    assert proc.stdout.splitlines() == ["render", "--json", "--kubeconfig"], proc.stderr
    for shell in ("zsh", "fish"):
        text = kubeclip_cmd("completion", shell).stdout
        assert "serve" in text and "reveal-secrets" in text


def test_check_takes_o_json_and_run_reads_its_context_from_stdin(tmp_path: Path) -> None:
    """Issue #22 (12): one output flag, `-o json`, as kubectl; `--run -` reads stdin."""
    dead = dead_kubeconfig(tmp_path / "dead")
    proc = kubeclip_cmd("check", "-o", "json", "--kubeconfig", dead)
    assert json.loads(proc.stdout)["status"] == "fail"
    piped = subprocess.run(
        [sys.executable, "-m", "kubeclip", "render", "--config", str(CONFIG), "--pod", str(POD),
         "--run", "-"], input=RUN.read_text(), capture_output=True, text=True, cwd=ROOT,
    )  # fmt: skip
    assert piped.returncode == 0 and "kind: Job" in piped.stdout, piped.stderr


def test_every_command_and_option_says_what_it_does() -> None:
    """Issue #22 (12): options without a word of help, commands without a description."""
    import argparse

    from kubeclip.cli import _parser

    (sub,) = [a for a in _parser()._actions if isinstance(a, argparse._SubParsersAction)]
    for name, parser in sub.choices.items():
        assert parser.description, name
        for action in parser._actions:
            assert action.help, (name, action.option_strings or action.dest)
    text = " ".join(kubeclip_cmd("serve", "--help").stdout.split())  # unwrapped
    assert "(default: 7.0)" in text and "(default: 0.0)" in text  # defaults are shown
