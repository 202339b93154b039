"""Hostile input, secret hygiene and lossless output: one regression test per attack that got
through once (issue #10), each named after the attack. Rendering attacks run in-process; the
ones that need a cluster run on the real control plane (tests/realkube)."""

from __future__ import annotations

import json
import re
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
from kubeclip.renderer import naming
from tests.realkube.cluster import NAMESPACE, RealCluster
from tests.test_real_run import Agent, scenario

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE_RUN = json.loads((ROOT / "examples/run-context.json").read_text())
POD = ROOT / "examples/paperclip-deployment.yaml"
TOKEN = "eyJhbGciOiJIUzI1NiJ9.attack-token-value.c2lnbmF0dXJl"


def render(
    tmp: Path,
    capsys: pytest.CaptureFixture[str],
    config: dict[str, Any] | str,
    run: dict[str, Any] | None = None,
    *extra: str,
    pod: Path = POD,
    config_name: str = "agent.yaml",
) -> tuple[int, str, str]:
    cfg = tmp / config_name
    cfg.write_text(config if isinstance(config, str) else yaml.safe_dump(config))
    run_file = tmp / "run.json"
    run_file.write_text(json.dumps(run or EXAMPLE_RUN))
    code = main(["render", "--config", str(cfg), "--pod", str(pod), "--run", str(run_file),
                 *extra])  # fmt: skip
    out, err = capsys.readouterr()
    return code, out, err


def job_of(out: str) -> dict[str, Any]:
    docs = [d for d in yaml.safe_load_all(out) if d]
    job: dict[str, Any] = next(d for d in docs if d["kind"] == "Job")
    return job


def job_env(out: str) -> dict[str, dict[str, Any]]:
    container = job_of(out)["spec"]["template"]["spec"]["containers"][0]
    return {e["name"]: e for e in container["env"]}


# --- credentials in error messages ------------------------------------------------------------


def test_a_broken_secret_template_does_not_quote_the_token(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    templates = tmp_path / "templates"
    shutil.copytree(ROOT / "templates", templates)
    secret = (templates / "secret.yaml").read_text()
    run = {**EXAMPLE_RUN, "authToken": TOKEN}
    # the run Secret's keys are prefixed with the Job's name
    job = job_of(render(tmp_path, capsys, {"model": "a/b"}, run)[1])["metadata"]["name"]
    # Jinja's error for a missing item quotes the key: here, the token itself
    secret += f"""\nbroken: "{{{{ {{}}[secret.stringData['{job}.paperclip-api-key']] }}}}"\n"""
    (templates / "secret.yaml").write_text(secret)
    code, out, err = render(tmp_path, capsys, {"model": "a/b"}, run, "--reveal-secrets",
                            "--templates", str(templates))  # fmt: skip
    assert code == 2 and out == ""
    assert "has no attribute '<redacted>'" in err  # Jinja quoted the token: scrubbed
    assert TOKEN not in err and "attack-token-value" not in err


@pytest.mark.parametrize("token", [[TOKEN], {"value": TOKEN}, 12345678987654321])
def test_a_mistyped_auth_token_is_not_printed(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], token: Any
) -> None:
    code, _, err = render(tmp_path, capsys, {"model": "a/b"}, {**EXAMPLE_RUN, "authToken": token})
    assert code == 2 and "authToken" in err
    assert "attack-token-value" not in err and "12345678987654321" not in err


@pytest.mark.parametrize("value", [{"nested": TOKEN}, 98765432123456789, [TOKEN]])
def test_a_mistyped_token_env_is_not_printed(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], value: Any
) -> None:
    code, _, err = render(tmp_path, capsys, {"model": "a/b", "env": {"GITHUB_TOKEN": value}})
    assert code == 2 and "env.GITHUB_TOKEN" in err
    assert "attack-token-value" not in err and "98765432123456789" not in err


# --- credential detection ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("DB_PASS", "hunter2-db"),
        ("PGPASS", "hunter2-pg"),
        ("OPENAI_AUTH", "sk-auth-value"),
        ("MY_SERVICE_URL", "https://bob:pw-in-url@host.example/x"),
        ("github_token", "ghp_lowercase_name"),
    ],
)
def test_credential_shapes_never_reach_the_job_spec(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], name: str, value: str
) -> None:
    code, out, err = render(tmp_path, capsys, {"model": "a/b", "env": {name: value}},
                            None, "--reveal-secrets")  # fmt: skip
    assert code == 0, err
    job = job_of(out)
    assert value not in json.dumps(job)
    assert "secretKeyRef" in job_env(out)[name]["valueFrom"]


def test_a_long_value_does_not_make_credential_detection_quadratic(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # an unbounded URL pattern backtracks over a long run of letters: seconds per MiB
    # (this process's CPU time, not the wall clock: other work on the machine does not count)
    config = {"model": "a/b", "env": {"NOTES": "a" * 300_000, "MORE": "ab:" * 100_000}}
    started = time.process_time()
    code, _, err = render(tmp_path, capsys, config)
    assert code == 0, err
    assert time.process_time() - started < 2


def test_forcing_credentials_either_way(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    config = {"model": "a/b", "env": {"BUILD_ID": "b-1", "TOKEN_DIR": "/paperclip/tokens"},
              "secretEnv": {"always": ["BUILD_*"], "never": ["TOKEN_DIR"]}}  # fmt: skip
    code, out, err = render(tmp_path, capsys, config)
    assert code == 0, err
    env = job_env(out)
    assert "valueFrom" in env["BUILD_ID"] and env["TOKEN_DIR"]["value"] == "/paperclip/tokens"


def test_the_inherit_denylist_is_case_insensitive(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    deploy = yaml.safe_load(POD.read_text())
    container = deploy["spec"]["template"]["spec"]["containers"][0]
    container["env"] = [*container.get("env", []),
                        {"name": "database_url", "value": "postgres://u:pw-db@db/x"},
                        {"name": "Better_Auth_Secret", "value": "auth-secret-value"}]  # fmt: skip
    pod = tmp_path / "pod.yaml"
    pod.write_text(yaml.safe_dump(deploy))
    config = {"model": "a/b", "inherit": {"env": ["*"]}}
    code, out, err = render(tmp_path, capsys, config, None, "--reveal-secrets", pod=pod)
    assert code == 0, err
    assert "pw-db" not in out and "auth-secret-value" not in out
    assert "database_url" not in job_env(out)


# --- reserved variables and owned flags -------------------------------------------------------


@pytest.mark.parametrize(
    "name",
    ["PAPERCLIP_RUN_ID", "PAPERCLIP_AGENT_ID", "HOME", "KUBECLIP_PROMPT_FILE",
     "OPENCODE_CONFIG_CONTENT", "PAPERCLIP_API_KEY"],
)  # fmt: skip
def test_the_run_context_cannot_override_reserved_variables(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], name: str
) -> None:
    run = {**EXAMPLE_RUN, "env": {name: '{"permission":{"external_directory":"allow"}}'}}
    code, out, err = render(tmp_path, capsys, {"model": "a/b"}, run)
    assert code == 2 and out == ""
    assert f"env.{name}" in err and "reserved" in err


def test_the_config_cannot_re_enable_the_permission_bypass(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bypass = '{"permission":{"external_directory":"allow"}}'
    config = {"model": "a/b", "dangerouslySkipPermissions": False,
              "env": {"OPENCODE_CONFIG_CONTENT": bypass}}  # fmt: skip
    code, out, err = render(tmp_path, capsys, config)
    assert code == 2 and out == "" and "env.OPENCODE_CONFIG_CONTENT" in err


def test_an_inherited_home_does_not_move_the_agents_home(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    deploy = yaml.safe_load(POD.read_text())
    container = deploy["spec"]["template"]["spec"]["containers"][0]
    container["env"] = [*container.get("env", []), {"name": "HOME", "value": "/home/node"},
                        {"name": "PAPERCLIP_RUN_ID", "value": "someone-elses-run"}]  # fmt: skip
    pod = tmp_path / "pod.yaml"
    pod.write_text(yaml.safe_dump(deploy))
    code, out, err = render(tmp_path, capsys, {"model": "a/b", "inherit": {"env": ["*"]}},
                            pod=pod)  # fmt: skip
    assert code == 0, err
    env = job_env(out)
    assert env["HOME"]["value"] == "/paperclip"
    assert env["PAPERCLIP_RUN_ID"]["value"] == EXAMPLE_RUN["runId"]


@pytest.mark.parametrize(
    "args",
    [["--format", "text"], ["--session", "ses_other"], ["--model=evil/model"], ["-m", "x/y"],
     ["--variant", "max"], ["-s", "ses_x"], ["--continue"]],
)  # fmt: skip
def test_extra_args_cannot_smuggle_owned_flags(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], args: list[str]
) -> None:
    code, out, err = render(tmp_path, capsys, {"model": "a/b", "extraArgs": args})
    assert code == 2 and out == ""
    assert "extraArgs[0]" in err and "set by kubeclip" in err


# --- input robustness ---------------------------------------------------------------------------

BILLION_LAUGHS = "model: a/b\n" + "".join(
    f"l{i}: &l{i} [{', '.join([f'*l{i - 1}'] * 9) if i else ', '.join(['lol'] * 9)}]\n"
    for i in range(9)
)


@pytest.mark.parametrize("where", ["config", "pod", "run"])
def test_billion_laughs_is_refused_quickly(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], where: str
) -> None:
    bomb = tmp_path / "bomb.yaml"
    bomb.write_text(BILLION_LAUGHS if where == "config" else BILLION_LAUGHS.replace("model", "x"))
    cfg, pod, run = tmp_path / "agent.yaml", POD, tmp_path / "run.json"
    cfg.write_text(yaml.safe_dump({"model": "a/b"}))
    run.write_text(json.dumps(EXAMPLE_RUN))
    if where == "config":
        cfg = bomb
    elif where == "pod":
        pod = bomb
    else:
        run = bomb
    started = time.monotonic()
    code = main(["render", "--config", str(cfg), "--pod", str(pod), "--run", str(run)])
    _, err = capsys.readouterr()
    assert time.monotonic() - started < 2
    assert code == 2 and "aliases" in err


def test_a_config_of_many_plain_keys_is_refused_for_what_it_is_in_bounded_memory(
    tmp_path: Path,
) -> None:
    # 250,000 plain keys (no alias anywhere) were refused as "expands through YAML aliases",
    # after 415 MB of memory; and a 20 MB file is refused before it is parsed at all
    many = tmp_path / "many.yaml"
    many.write_text("model: a/b\nlabels:\n" + "".join(f"  k{i}: v\n" for i in range(250_000)))
    big = tmp_path / "big.yaml"
    big.write_text("model: a/b\n" + "".join(f"# {'x' * 98}\n" for i in range(200_000)))
    script = (
        "import resource, sys\n"
        "from kubeclip.cli import main\n"
        "code = main(['validate', '--config', sys.argv[1]])\n"
        "print(code, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024, "
        "file=sys.stderr)\n"
    )
    said = {}
    for path in (many, big):
        proc = subprocess.run([sys.executable, "-c", script, str(path)], capture_output=True,
                              text=True, cwd=ROOT)  # fmt: skip
        *message, last = proc.stderr.strip().splitlines()
        code, rss_mib = map(int, last.split())
        assert code == 2, proc.stderr
        assert rss_mib < 200, f"{path.name}: {rss_mib} MiB"
        said[path.name] = "\n".join(message)
    assert "holds more than 100,000 values" in said["many.yaml"]
    assert "aliases expand to" in said["many.yaml"]  # counted with them, not blamed on them
    assert "is 19.3 MiB; kubeclip reads input files of at most 16 MiB" in said["big.yaml"]


def test_a_json_config_with_a_duplicate_key_is_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, _, err = render(tmp_path, capsys, '{"model": "a/b", "model": "c/d"}',
                          config_name="agent.json")  # fmt: skip
    assert code == 2 and "duplicate key 'model'" in err


def test_deeply_nested_json_is_a_user_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    deep = '{"model": "a/b", "affinity": ' + "[" * 5000 + "]" * 5000 + "}"
    code, _, err = render(tmp_path, capsys, deep, config_name="agent.json")
    assert code == 2 and "nested deeper" in err


@pytest.mark.parametrize(
    ("body", "words"),
    [("\"{% include 'job.yaml' %}\"", "no loader"),
     ('"{% for i in range(10**9) %}{% endfor %}"', "too large"),
     ('"{{ range(10**9) | list }}"', "too large")],
)  # fmt: skip
def test_runaway_templates_are_user_errors(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], body: str, words: str
) -> None:
    templates = tmp_path / "templates"
    shutil.copytree(ROOT / "templates", templates)
    job = (templates / "job.yaml").read_text()
    (templates / "job.yaml").write_text(job.replace('"{{ job.image }}"', body))
    code, out, err = render(tmp_path, capsys, {"model": "a/b"}, None, "--templates",
                            str(templates))  # fmt: skip
    assert code == 2 and out == "" and words in err


def test_job_names_do_not_collide_for_ambiguous_ids() -> None:
    assert naming.job_name("a", None, "\0c") != naming.job_name("a\0", None, "c")
    assert naming.job_name("a", None, "r#1") != naming.job_name("a", None, "r", attempt=1)
    assert naming.job_name("a", "x", "r") != naming.job_name("a", "x", "r", attempt=1)


# --- lossless output and results (on the real control plane) --------------------------------


def test_a_slow_reader_loses_no_line(real: RealCluster, tmp_path: Path) -> None:
    # Paperclip reads stdout slowly: 1.5 MB of output, reader paused 35 s after the
    # container ended. Back-pressure must slow kubeclip down, not drop lines.
    agent = Agent(real, tmp_path)
    prompt = scenario("""
        import sys
        for i in range(1500):
            sys.stdout.write(f'{{"type":"text","n":{i},"pad":"' + "x" * 1000 + '"}\\n')
        sys.stdout.flush()
    """)
    proc = agent.start(prompt)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        pods = agent.pods()
        if pods and (pods[0].get("status") or {}).get("phase") == "Succeeded":
            break
        time.sleep(0.2)
    time.sleep(35)
    out, err = proc.communicate(timeout=120)
    assert proc.returncode == 0, err.decode()
    lines = out.decode().splitlines()
    assert len(lines) == 1500 and json.loads(lines[-1])["n"] == 1499


def test_a_line_that_crashes_the_parser_still_reaches_stdout(
    real: RealCluster, tmp_path: Path
) -> None:
    agent = Agent(real, tmp_path)
    bad = '{"type":"step_finish","part":{"tokens":{"input":1e999},"cost":1e999}}'
    prompt = scenario(f"""
        print('{{"type":"text","part":{{"text":"before"}}}}')
        print({bad!r})
        print('{{"type":"text","part":{{"text":"after"}}}}')
    """)
    done = agent.run(prompt)
    assert done.code == 0, done.err
    assert done.out.decode().splitlines()[1] == bad
    assert len(done.out.decode().splitlines()) == 3
    result = json.loads(agent.result_file().read_text(), parse_constant=_no_constants)
    assert result["reason"] == "succeeded"


def _no_constants(name: str) -> Any:
    raise AssertionError(f"--result is not valid JSON: it holds {name}")


def test_events_mode_splits_lines_only_at_newlines(real: RealCluster, tmp_path: Path) -> None:
    agent = Agent(real, tmp_path)
    prompt = scenario("""
        import sys
        sys.stdout.write("progress 10%\\rprogress 100%\\n")
    """)
    done = agent.run(prompt, "--events")
    assert done.code == 0, done.err
    logs = [e["line"] for e in map(json.loads, done.out.decode().splitlines())
            if e["type"] == "log"]  # fmt: skip
    assert logs == ["progress 10%\rprogress 100%"]


def test_a_second_sigterm_during_cleanup_still_writes_the_result(
    real: RealCluster, tmp_path: Path
) -> None:
    agent = Agent(real, tmp_path)
    proc = agent.start(scenario("import time; print('working', flush=True); time.sleep(120)"))
    agent.wait_for_pod()
    time.sleep(1)
    proc.send_signal(signal.SIGTERM)
    for delay in (0.05, 0.2, 0.5, 1.0):
        time.sleep(delay)
        if proc.poll() is None:
            proc.send_signal(signal.SIGTERM)
    assert proc.wait(timeout=60) == 143
    result = agent.result()
    assert result["reason"] == "cancelled" and result["signal"] == "SIGTERM"
    assert agent.leftovers() == {}


# --- adoption of objects kubeclip did not create (on the real control plane) -----------------


def test_a_pre_created_run_secret_is_never_adopted(real: RealCluster, tmp_path: Path) -> None:
    # Anyone who can create Secrets could pre-create the run's Secret with their own prompt
    # and API key; kubeclip must refuse to run with it, and run nothing.
    agent = Agent(real, tmp_path)
    argv = agent.argv(scenario("print('the real prompt ran')"))
    rendered = subprocess.run(
        [sys.executable, "-m", "kubeclip", "render", *argv[1:7]], capture_output=True, text=True,
        cwd=ROOT, check=True,
    ).stdout  # fmt: skip
    secret_name = next(d for d in yaml.safe_load_all(rendered) if d and d["kind"] == "Secret")[
        "metadata"
    ]["name"]
    real.apply({
        "apiVersion": "v1", "kind": "Secret",
        "metadata": {"name": secret_name, "namespace": NAMESPACE,
                     "labels": {"kubeclip.dev/agent": agent.id}},
        "stringData": {"prompt": scenario("print('ATTACKER PROMPT RAN')"),
                       "paperclip-api-key": "attacker-key"},
    })  # fmt: skip
    done = agent.run(scenario("print('the real prompt ran')"))
    assert done.code == 6, done.err
    assert b"ATTACKER" not in done.out
    assert "not made by this run" in agent.result()["message"]
    left = agent.leftovers(wait=20)
    assert left == {"secrets": [secret_name]}, left  # theirs, untouched; nothing of ours
    real.api.delete(f"/api/v1/namespaces/{NAMESPACE}/secrets/{secret_name}")


def test_a_pre_created_job_of_the_runs_name_is_never_adopted(
    real: RealCluster, tmp_path: Path
) -> None:
    # Someone who can create Jobs makes one under the run's Job name: kubeclip must not stream
    # its output as the agent's, lock the agent for it, or hand it the run's Secret.
    agent = Agent(real, tmp_path)
    prompt = scenario("print('the real prompt ran')")
    argv = agent.argv(prompt)
    rendered = subprocess.run(
        [sys.executable, "-m", "kubeclip", "render", *argv[1:7]], capture_output=True, text=True,
        cwd=ROOT, check=True,
    ).stdout  # fmt: skip
    job = next(d for d in yaml.safe_load_all(rendered) if d and d["kind"] == "Job")
    job["metadata"]["annotations"]["kubeclip.dev/run-id"] = "someone-else"
    job["spec"]["template"]["spec"]["volumes"] = job["spec"]["template"]["spec"]["volumes"][:1]
    job["spec"]["template"]["spec"]["containers"][0]["volumeMounts"] = job["spec"]["template"][
        "spec"
    ]["containers"][0]["volumeMounts"][:1]
    job["spec"]["template"]["spec"]["containers"][0]["command"] = ["python3", "-c", "1"]
    for env in job["spec"]["template"]["spec"]["containers"][0]["env"]:
        env.pop("valueFrom", None)
        env.setdefault("value", "x")
    real.api.post(f"/apis/batch/v1/namespaces/{NAMESPACE}/jobs", job)
    done = agent.run(prompt)
    assert done.code == 6, done.err
    assert "refusing to adopt" in agent.result()["message"]
    assert b"real prompt" not in done.out
    assert not real.objects("secrets", f"kubeclip.dev/agent={agent.id}")  # no Secret handed over
    real.api.delete(f"/apis/batch/v1/namespaces/{NAMESPACE}/jobs/{job['metadata']['name']}",
                    {"propagationPolicy": "Background"})  # fmt: skip


@pytest.mark.parametrize(
    ("override", "said"),
    [
        ("kind: ConfigMap\ntype: null\n", "kind: 'ConfigMap' (must be 'Secret')"),
        ("metadata:\n  namespace: kube-system\n", "metadata.namespace: 'kube-system'"),
        ("metadata:\n  name: someone-elses\n", "metadata.name: 'someone-elses'"),
        ("type: kubernetes.io/basic-auth\n", "type: 'kubernetes.io/basic-auth'"),
    ],
)  # fmt: skip
def test_an_override_cannot_move_the_credentials_out_of_the_run_secret(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], override: str, said: str
) -> None:
    """Issue #22 (13): a secret.override.yaml setting kind: ConfigMap rendered the run's
    token into a ConfigMap (exit 0), and one setting the namespace moved it elsewhere."""
    templates = tmp_path / "templates"
    shutil.copytree(ROOT / "templates", templates)
    (templates / "secret.override.yaml").write_text(override)
    run = {**EXAMPLE_RUN, "authToken": TOKEN}
    code, out, err = render(tmp_path, capsys, {"model": "a/b"}, run, "--reveal-secrets",
                            "--templates", str(templates))  # fmt: skip
    assert code == 2 and out == "", err
    assert "the run Secret must stay the run's Secret" in err and said in err
    assert TOKEN not in err


BOMB = "".join(f"{c}: &{c} [{', '.join([f'*{p}'] * 9) if p else ', '.join(['x'] * 9)}]\n"
               for p, c in zip(["", "a", "b", "c", "d", "e"], "abcdef", strict=True))  # fmt: skip


@pytest.mark.parametrize(
    ("override", "said"),
    [
        (b"x: &a [*a]\n", "refused: a recursive YAML alias"),
        (BOMB.encode(), "refused: holds more than 100,000 values (counting what YAML alias"),
        (b"kind: \xff\xfe\n", "is not UTF-8 text"),
        (b'metadata:\n  annotations:\n    x: "{{ 9 ** (9 ** 9) }}"\n',
         ":3: SecurityError: an exponent of 387420489 is above"),
    ],
)  # fmt: skip
def test_an_override_file_is_bounded_like_the_config_and_blamed_by_name(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], override: bytes, said: str
) -> None:
    """Issue #22 (14): tracebacks, gigabytes of memory or a render that never ends, and an
    error blamed on the bundled job.yaml instead of the override file."""
    templates = tmp_path / "templates"
    shutil.copytree(ROOT / "templates", templates)
    (templates / "job.override.yaml").write_bytes(override)
    code, out, err = render(tmp_path, capsys, {"model": "a/b"}, None, "--templates",
                            str(templates))  # fmt: skip
    assert code == 2 and out == "" and "Traceback" not in err
    assert f"{templates / 'job.override.yaml'}" in err and said in err, err


@pytest.mark.parametrize(
    ("override", "said"),
    [
        ("spec:\n  templte:\n    spec: {nodeName: x}\n",
         "job.override.yaml:2: spec.templte: not a field of a Job here; did you mean "
         "'template'?"),
        ("spec:\n  backoffLimit: three\n",
         "job.override.yaml:2: spec.backoffLimit: 'three' is not a whole number"),
        ("spec:\n  template:\n    spec:\n      terminationGracePeriodSeconds: soon\n",
         "job.override.yaml:4: spec.template.spec.terminationGracePeriodSeconds: 'soon' is "
         "not a whole number"),
        ("spec:\n  template:\n    spec:\n      containers: oops\n",
         "job.override.yaml:4: spec.template.spec.containers: 'oops' is not a list"),
        ("kind: [Job]\n", "job.override.yaml:1: kind: ['Job'] is not one of ['Job']"),
        ("metadata: [a]\n", "job.override.yaml:1: metadata: ['a'] is not a mapping"),
        ("metadata:\n  annotations:\n    big: " + "x" * 300_000 + "\n",
         "job.override.yaml: metadata.annotations: 30"),
    ],
)  # fmt: skip
def test_an_override_the_api_server_would_refuse_is_refused_at_render_time(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], override: str, said: str
) -> None:
    # issue #22 (9, 10): merged silently into the Job, or left for the API server to refuse
    templates = tmp_path / "templates"
    templates.mkdir()
    (templates / "job.override.yaml").write_text(override)
    code, out, err = render(tmp_path, capsys, {"model": "a/b"}, None, "--templates",
                            str(templates))  # fmt: skip
    assert (code, out) == (2, "")
    assert f"kubeclip: error: {templates / said}" in err


def test_an_unclosed_bracket_in_an_override_says_where_and_what(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # issue #22 (9): an IndexError traceback (the error's line was past the end of the file)
    templates = tmp_path / "templates"
    templates.mkdir()
    (templates / "job.override.yaml").write_text("metadata:\n  labels: [a\n")
    code, out, err = render(tmp_path, capsys, {"model": "a/b"}, None, "--templates",
                            str(templates))  # fmt: skip
    assert (code, out) == (2, "")
    assert err == (f"kubeclip: error: {templates / 'job.override.yaml'}:2: invalid YAML: while "
                   "parsing a flow sequence: did not find expected ',' or ']'\n")  # fmt: skip


def test_every_golden_manifest_is_one_the_bundled_kubernetes_schema_accepts() -> None:
    """The schema kubeclip holds users' templates to refuses nothing kubeclip renders."""
    from kubeclip.renderer import k8s_schema

    for expected in sorted((ROOT / "tests/golden").glob("*/expected.yaml")):
        for doc in yaml.safe_load_all(expected.read_text()):
            if doc and doc.get("kind") in ("Job", "Secret"):
                assert k8s_schema.problems(doc, doc["kind"]) == [], expected


def test_agent_config_annotations_the_api_server_would_refuse_are_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = render(tmp_path, capsys, {"model": "a/b", "annotations": {
        "a": "x" * 200_000, "b": "y" * 100_000}})  # fmt: skip
    assert (code, out) == (2, "")
    assert re.search(r"the Job's metadata.annotations: 30\d{4} bytes in all \(a 200001, b "
                     r"100001\); the API server accepts at most 262144 \(256 KiB\): shorten "
                     r"the agent config's annotations", err), err  # fmt: skip


@pytest.mark.parametrize("name", ["job.override.yml", "job.overrides.yaml", "secret.yml"])
def test_a_misnamed_override_is_never_ignored_silently(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], name: str
) -> None:
    """Issue #22 (9): job.override.yml and job.overrides.yaml were ignored without a word."""
    templates = tmp_path / "templates"
    shutil.copytree(ROOT / "templates", templates)
    (templates / name).write_text("metadata: {}\n")
    (templates / "kustomization.yaml").write_text("resources: []\n")  # not ours: left alone
    code, out, err = render(tmp_path, capsys, {"model": "a/b"}, None, "--templates",
                            str(templates))  # fmt: skip
    assert code == 2 and out == ""
    assert f"{templates / name}: is not a file kubeclip reads" in err


def test_a_misspelt_variable_gets_a_suggestion(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    templates = tmp_path / "templates"
    shutil.copytree(ROOT / "templates", templates)
    (templates / "job.override.yaml").write_text('metadata:\n  labels: "{{ job.lables }}"\n')
    code, _, err = render(tmp_path, capsys, {"model": "a/b"}, None, "--templates",
                          str(templates))  # fmt: skip
    assert code == 2 and "has no attribute 'lables' (did you mean job.labels?)" in err
