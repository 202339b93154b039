"""The Paperclip drop-in without a cluster to run on: `models`, `--version`/`--help`, and a bad
config that must apply nothing (counted by the API emulator). Runs end to end on the real
control plane in tests/test_real_dropin.py, which shares the helpers here."""

from __future__ import annotations

import io
import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path
from typing import Any
from unittest.mock import patch

import pytest
import yaml

from tests.emulator import Emulator

ROOT = Path(__file__).resolve().parent.parent
TOKEN = "eyJhbGciOiJIUzI1NiJ9.eyJydW4iOiJydW4tNDIifQ.dG9rZW4tc2lnbmF0dXJl"
CWD = "/paperclip/instances/default/workspaces/agent-7"


def paperclip_env(tmp: Path, emu: Emulator, **config: Any) -> dict[str, str]:
    """The environment opencode_local gives its child, plus kubeclip's own settings."""
    kubeconfig = emu.write_kubeconfig(tmp / "kubeconfig")
    (tmp / "kubeclip.yaml").write_text(
        yaml.safe_dump(
            {
                "model": "anthropic/claude-sonnet-4-5",
                "kubeconfig": str(kubeconfig),
                "graceSec": 1,
                **config,
            }
        )
    )
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PAPERCLIP_", "KUBECLIP_"))}
    env.update(
        {
            "PYTHONPATH": str(ROOT),
            "KUBECLIP_CONFIG": str(tmp / "kubeclip.yaml"),
            "KUBECLIP_POD_FILE": str(ROOT / "examples" / "paperclip-deployment.yaml"),
            "KUBECLIP_RESULT_FILE": str(tmp / "result.json"),
            "PAPERCLIP_AGENT_ID": "agent-7",
            "PAPERCLIP_COMPANY_ID": "company-1",
            "PAPERCLIP_RUN_ID": "run-42",
            "PAPERCLIP_API_URL": "http://paperclip.paperclip.svc:3100",
            "PAPERCLIP_API_KEY": TOKEN,
            "PAPERCLIP_TASK_ID": "ISS-7",
            "PAPERCLIP_WAKE_REASON": "comment",
            "PAPERCLIP_WAKE_COMMENT_ID": "cmt-9",
            "PAPERCLIP_LINKED_ISSUE_IDS": "ISS-7,ISS-8",
            "PAPERCLIP_WAKE_PAYLOAD_JSON": '{"reason":"comment","commentId":"cmt-9"}',
            "PAPERCLIP_WORKSPACE_CWD": CWD,
            "PAPERCLIP_WORKSPACE_SOURCE": "agent_home",
            "PAPERCLIP_WORKSPACE_ID": "ws-1",
            "AGENT_HOME": CWD,
            "PAPERCLIP_RUNTIME_TOOLS_GITHUB": "enabled",
            "OPENCODE_DISABLE_PROJECT_CONFIG": "true",
        }
    )
    return env


def opencode(
    env: dict[str, str], *args: str, prompt: str = "Fix ISS-7.\n"
) -> subprocess.CompletedProcess[bytes]:
    return subprocess.run(
        [sys.executable, "-m", "kubeclip.paperclip.dropin", *args],
        input=prompt.encode(),
        capture_output=True,
        env=env,
        timeout=60,
    )


def job_body(emu: Emulator, n: int = 0) -> dict[str, Any]:
    posts = [r for r in emu.requests if r.verb == "create" and r.resource == "jobs"]
    body: Any = posts[n].body
    return dict(json.loads(body) if isinstance(body, (str, bytes)) else body)


def container_env(job: dict[str, Any]) -> dict[str, dict[str, Any]]:
    container = job["spec"]["template"]["spec"]["containers"][0]
    return {e["name"]: e for e in container["env"]}


RUN_ARGS = ("run", "--format", "json", "--print-logs", "--model", "anthropic/claude-sonnet-4-5")


def test_models_answers_without_a_pod(emu: Emulator, tmp_path: Path) -> None:
    env = paperclip_env(tmp_path, emu, models=["anthropic/claude-opus-4-1", "openai/gpt-5"])
    started = time.monotonic()
    proc = subprocess.run(
        [sys.executable, "-m", "kubeclip.paperclip.dropin", "models"], capture_output=True, env=env
    )
    assert proc.returncode == 0
    assert proc.stdout.decode().splitlines() == [
        "anthropic/claude-opus-4-1",
        "openai/gpt-5",
        "anthropic/claude-sonnet-4-5",
    ]
    assert emu.count() == 0 and time.monotonic() - started < 5


def test_models_asks_the_images_real_opencode_and_adds_the_configured(
    emu: Emulator, tmp_path: Path
) -> None:
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    real = bin_dir / "opencode"
    real.write_text(
        "#!/bin/sh\n"
        'echo "$@" > "$(dirname "$0")/args"\n'
        'echo "openai/gpt-5"\necho "openrouter/qwen/qwen3-coder:nitro"\n'
    )
    real.chmod(0o755)
    env = paperclip_env(tmp_path, emu, models=["openai/gpt-5", "gateway/eu-large"])
    env["PATH"] = f"{bin_dir}:{env['PATH']}"
    proc = subprocess.run(
        [sys.executable, "-m", "kubeclip.paperclip.dropin", "models", "--refresh"],
        capture_output=True, env=env,
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.decode().splitlines() == [
        "openai/gpt-5", "openrouter/qwen/qwen3-coder:nitro",  # the real list, as it printed it
        "gateway/eu-large", "anthropic/claude-sonnet-4-5",  # plus the config's, once each
    ]  # fmt: skip
    assert (bin_dir / "args").read_text().split() == ["models", "--refresh"]
    # an `opencode` that is really kubeclip-opencode is not asked (no recursion)
    real.write_text(f"#!/bin/sh\nexec {sys.executable} -m kubeclip.paperclip.dropin \"$@\"\n")
    proc = subprocess.run(
        [sys.executable, "-m", "kubeclip.paperclip.dropin", "models"], capture_output=True, env=env,
        timeout=30,
    )  # fmt: skip
    assert proc.returncode == 0 and proc.stdout.decode().splitlines() == [
        "openai/gpt-5", "gateway/eu-large", "anthropic/claude-sonnet-4-5"]  # fmt: skip
    assert emu.count() == 0
    # nor a copy of the C start of kubeclip-opencode (kubeclip-relay) named opencode
    native = ROOT / "kubeclip" / "paperclip" / "kubeclip-relay"
    if native.exists() or os.environ.get("CI"):
        shutil.copy2(native, real)
        proc = subprocess.run(
            [sys.executable, "-m", "kubeclip.paperclip.dropin", "models"], capture_output=True,
            env=env, timeout=30,
        )  # fmt: skip
        assert proc.returncode == 0 and proc.stdout.decode().splitlines() == [
            "openai/gpt-5", "gateway/eu-large", "anthropic/claude-sonnet-4-5"]  # fmt: skip


def test_version_and_help() -> None:
    for flag, words in (("--version", b"kubeclip-opencode"), ("--help", b"usage:")):
        proc = subprocess.run(
            [sys.executable, "-m", "kubeclip.paperclip.dropin", flag],
            capture_output=True,
            env={**os.environ, "PYTHONPATH": str(ROOT)},
        )
        assert proc.returncode == 0 and words in proc.stdout


def test_help_lists_every_setting_the_drop_in_reads_and_the_docs_say_the_same() -> None:
    """Issue #22 (12): `kubeclip-opencode --help` did not name one KUBECLIP_* variable."""
    import re

    from kubeclip.paperclip.dropin import SETTINGS

    source = "".join(p.read_text() for p in (ROOT / "kubeclip/paperclip").glob("*.py"))
    read = set(re.findall(r"[\"'](KUBECLIP_[A-Z_]+)[\"']", source))
    # markers kubeclip sets for itself (the second in every agent pod it runs)
    internal = {"KUBECLIP_OPENCODE_DELEGATED", "KUBECLIP_RUN_PROOF"}
    named = {name for name, _ in SETTINGS}
    assert read - internal - {n for n in read if n.endswith("_")} <= named, read - named
    proc = subprocess.run([sys.executable, "-m", "kubeclip.paperclip.relay", "--help"],
                          capture_output=True, text=True, cwd=ROOT, check=True)  # fmt: skip
    for name in named:
        assert f"\n  {name} " in proc.stdout, name
    docs = (ROOT / "docs/paperclip.md").read_text()
    table = docs[docs.index("Its own settings:"):].split("\n\n")[1]
    assert set(re.findall(r"`(KUBECLIP_[A-Z_]+)`", table)) == named


def test_bad_config_is_an_error_line_and_exit_2(emu: Emulator, tmp_path: Path) -> None:
    env = paperclip_env(tmp_path, emu, timeoutSecs=5)
    proc = opencode(env, *RUN_ARGS)
    assert proc.returncode == 2
    event = json.loads(proc.stdout.decode().splitlines()[0])
    assert 'did you mean "timeoutSec"' in event["error"]["message"]
    assert emu.count() == 0  # nothing applied


def test_what_paperclip_added_is_carried_by_meaning(tmp_path: Path) -> None:
    """The server's environment (our parent's) is the baseline: the rest is the run's."""
    from kubeclip.paperclip.environment import run_env_from_paperclip

    local_dir = tmp_path / "gh"  # a path in the Paperclip container only
    local_dir.mkdir()
    scratch = "/tmp/paperclip-run-iss-7-run-42-x1"
    server = {"PATH": "/usr/bin", "NODE_ENV": "production", "SERVER_SECRET_THING": "s3"}
    child = {
        **server,
        "PATH": "/usr/local/bin:/usr/bin",  # ensurePathInEnv: the process's, not the agent's
        "PORT": "3100",  # set by the server at runtime
        "OPENROUTER_API_KEY": "or-key-12345678",  # the agent's env (adapterConfig)
        "MY_FLAG": "1",
        "PAPERCLIP_OPENCODE_PRINT_LOGS": "true",
        "PAPERCLIP_ISSUE_WORK_MODE": "standard",
        "PAPERCLIP_RUN_SCRATCH_DIR": scratch, "PAPERCLIP_TMPDIR": scratch, "TMPDIR": scratch,
        "GH_CONFIG_DIR": str(local_dir),
        "GIT_CONFIG_GLOBAL": "/paperclip/.gitconfig",  # on the shared claim: same in the pod
        "BETTER_AUTH_SECRET": "runtime-generated",
        "PAPERCLIP_RUN_ID": "run-42", "XDG_CONFIG_HOME": "/tmp/x", "KUBECLIP_CONFIG": "/k",
    }  # fmt: skip
    notes: list[str] = []
    out = run_env_from_paperclip(child, server, notes)
    assert out["agentEnv"] == {
        "GIT_CONFIG_GLOBAL": "/paperclip/.gitconfig", "MY_FLAG": "1",
        "OPENROUTER_API_KEY": "or-key-12345678", "PAPERCLIP_OPENCODE_PRINT_LOGS": "true",
    }  # fmt: skip
    assert out["env"] == {
        "PAPERCLIP_ISSUE_WORK_MODE": "standard", "TMPDIR": scratch,
        "PAPERCLIP_RUN_SCRATCH_DIR": scratch, "PAPERCLIP_TMPDIR": scratch,
    }  # fmt: skip
    assert out["scratchDirs"] == [scratch]
    (note,) = notes
    assert "GH_CONFIG_DIR (a local path" in note and "BETTER_AUTH_SECRET" in note
    # the server's own temp dir is not the run's
    out = run_env_from_paperclip({**server, "TMPDIR": "/var/tmp"}, server, [])
    assert out == {}
    # parent unreadable: only what KUBECLIP_AGENT_ENV names
    notes = []
    out = run_env_from_paperclip({**child, "KUBECLIP_AGENT_ENV": "MY_FLAG, NOPE"}, None, notes)
    assert out["agentEnv"] == {"MY_FLAG": "1"} and "not readable" in notes[0]


def test_a_loopback_api_url_becomes_this_pods_address(monkeypatch: Any) -> None:
    import socket

    from kubeclip.paperclip.environment import reachable_api_url

    monkeypatch.setattr(socket, "gethostname", lambda: "paperclip-7d9")
    monkeypatch.setattr(socket, "gethostbyname", lambda name: "10.42.0.17")
    url = "http://127.0.0.1:3100/api"
    assert reachable_api_url(url, {}) == "http://10.42.0.17:3100/api"
    assert reachable_api_url(url, {"PAPERCLIP_LISTEN_HOST": "0.0.0.0"}) == (
        "http://10.42.0.17:3100/api"
    )
    # a server listening on loopback only is not reachable on the pod IP either
    assert reachable_api_url(url, {"PAPERCLIP_LISTEN_HOST": "127.0.0.1"}) == url
    assert reachable_api_url("http://paperclip.svc:3100", {}) == "http://paperclip.svc:3100"
    monkeypatch.setattr(socket, "gethostbyname", lambda name: "127.0.1.1")
    assert reachable_api_url(url, {}) == url


def test_paperclips_generated_opencode_config_is_read(tmp_path: Path) -> None:
    from kubeclip.paperclip.environment import opencode_config_from
    from kubeclip.paperclip.invocation import gather

    def opencode_config(env: dict[str, str]) -> dict[str, Any] | None:
        """As the drop-in reads it: gathered where Paperclip runs, parsed by kubeclip."""
        no_prompt = io.TextIOWrapper(io.BytesIO(b""))
        with patch.dict(os.environ, env, clear=True), patch("sys.stdin", no_prompt):
            return opencode_config_from(gather(["run"])["files"]["opencode"])

    (tmp_path / "opencode").mkdir()
    (tmp_path / "opencode" / "opencode.json").write_text('{"small_model": "gw/m1"}')
    assert opencode_config({"XDG_CONFIG_HOME": str(tmp_path)}) == {"small_model": "gw/m1"}
    assert opencode_config({"XDG_CONFIG_HOME": str(tmp_path / "none")}) is None
    assert opencode_config({}) is None


def test_every_hello_probe_shares_one_opencode_data_directory() -> None:
    """Each probe is a new agent id: without this, every click on "Test environment" would
    leave one more OpenCode database on the claim."""
    from kubeclip.paperclip.environment import PROBE_DATA_HOME, run_context

    inv = {"env": {}, "files": {}, "cwd": "/paperclip/probe", "prompt": "Respond with hello."}
    first, second = run_context(inv, None), run_context(inv, None)
    assert first["agent"]["id"] != second["agent"]["id"]
    assert first["env"]["XDG_DATA_HOME"] == second["env"]["XDG_DATA_HOME"] == PROBE_DATA_HOME


def test_a_pod_file_is_parsed_once_per_content_and_never_served_stale(tmp_path: Path) -> None:
    """serve reads KUBECLIP_POD_FILE again for every run (the file may change between runs:
    a redeployed Paperclip): the same content is parsed once, changed content is read anew,
    and a file that cannot be read is an error every time, never an old answer."""
    from kubeclip.errors import KubeclipError
    from kubeclip.paperclip import dropin, invocation

    path = tmp_path / "paperclip.yaml"
    deployment = (ROOT / "examples" / "paperclip-deployment.yaml").read_text()
    path.write_text(deployment)
    first = dropin.pod_facts(str(path), invocation.read_file(str(path)))
    again = dropin.pod_facts(str(path), invocation.read_file(str(path)))
    assert again is first  # parsed once
    path.write_text(deployment.replace(first["image"] or "", "registry.example/paperclip:2"))
    changed = dropin.pod_facts(str(path), invocation.read_file(str(path)))
    assert changed["image"] == "registry.example/paperclip:2"
    path.unlink()
    with pytest.raises(KubeclipError):
        dropin.pod_facts(str(path), invocation.read_file(str(path)))


def test_the_servers_environment_is_read_through_a_shell_that_passes_ours_on() -> None:
    """codex_local's Test-environment probe starts the CLI as `sh -c '…; "$0" "$@"'` after
    unsetting its own variable: what the server added is still told from the server's
    environment, not the shell's (which holds all of ours: nothing would look added)."""
    env = {**os.environ, "PAPERCLIP_ADDED": "by-the-server", "_SHELL_ONLY": "x"}
    script = ("import json; from kubeclip.paperclip.invocation import parent_environ; "
              "print(json.dumps(parent_environ()))")  # fmt: skip
    argv = ["sh", "-c", 'unset _SHELL_ONLY; "$0" -c "$1"; true', sys.executable, script]
    proc = subprocess.run(argv, env={**env, "PYTHONPATH": str(ROOT)}, capture_output=True,
                          text=True, check=True)  # fmt: skip
    server = json.loads(proc.stdout)
    assert "PAPERCLIP_ADDED" not in server  # this test's process: its environment at start
    with open(f"/proc/{os.getpid()}/environ", "rb") as f:
        pairs = [item.partition(b"=") for item in f.read().split(b"\0")]
    assert server == {os.fsdecode(k): os.fsdecode(v) for k, eq, v in pairs if eq}
