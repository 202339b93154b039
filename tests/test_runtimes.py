"""Each agent CLI is one description (kubeclip/renderer/runtimes.py) plus one output reader:
what a `runtime: claude` Job looks like, and the rules every runtime shares."""

from __future__ import annotations

import base64
import json
from pathlib import Path
from typing import Any

import pytest

from kubeclip.errors import InputError
from kubeclip.paperclip.readers import READERS, reader
from kubeclip.renderer.runtimes import RUNTIMES
from tests.test_dropin import RUN_ARGS, job_body, opencode, paperclip_env
from tests.test_plan import RUN, env_of, plan

SESSION = "0b0e4a52-5d2a-4c4e-9b7e-3f1c2d3e4f5a"
CWD = RUN["context"]["paperclipWorkspace"]["cwd"]


def claude(run: dict[str, Any] | None = None, **config: Any) -> Any:
    return plan({"runtime": "claude", "model": "claude-sonnet-4-5", **config}, run)


def argv(p: Any) -> list[str]:
    return list(p["job"]["command"][4:])  # after /bin/sh -c SCRIPT kubeclip-agent


def test_a_claude_job_runs_claude_as_claude_local_does_with_its_state_per_agent() -> None:
    p = claude(variant="high", extraArgs=["--max-turns", "5"])
    assert argv(p) == ["claude", "--print", "--output-format", "stream-json", "--verbose",
                       "--dangerously-skip-permissions", "--model", "claude-sonnet-4-5",
                       "--effort", "high", "--max-turns", "5"]  # fmt: skip
    env = env_of(p)
    assert env["CLAUDE_CONFIG_DIR"]["value"] == (
        "/paperclip/.kubeclip/agents/agent-1/claude-config")  # fmt: skip
    assert env["IS_SANDBOX"]["value"] == "1"  # the CLI refuses the bypass as root without it
    assert env["HOME"]["value"] == "/paperclip"
    assert not [name for name in env if name.startswith(("OPENCODE_", "XDG_DATA_HOME"))]
    no_bypass = claude(dangerouslySkipPermissions=False)
    assert "--dangerously-skip-permissions" not in argv(no_bypass)
    assert "IS_SANDBOX" not in env_of(no_bypass)


def test_claude_resumes_only_its_own_session_ids_and_only_in_their_cwd() -> None:
    stored = {**RUN, "runtime": {"sessionParams": {"sessionId": SESSION, "cwd": CWD}}}
    assert argv(claude(stored))[5:7] == ["--resume", SESSION]
    assert claude(stored)["run"]["resumesSession"]
    opencode_id = {**RUN, "runtime": {"sessionParams": {"sessionId": "ses_abc", "cwd": CWD}}}
    fresh = claude(opencode_id)
    assert "--resume" not in argv(fresh) and not fresh["run"]["resumesSession"]
    assert any("not a Claude Code session id" in w for w in fresh["warnings"])
    elsewhere = {**RUN, "runtime": {"sessionParams": {"sessionId": SESSION, "cwd": "/tmp"}}}
    assert "--resume" not in argv(claude(elsewhere))


def test_flags_kubeclip_sets_for_claude_are_refused_in_extra_args() -> None:
    with pytest.raises(InputError) as e:
        claude(extraArgs=["--resume", SESSION, "--output-format=json"])
    assert "extraArgs[0]: --resume is set by kubeclip" in str(e.value)
    assert "extraArgs[2]: --output-format is set by kubeclip" in str(e.value)


def test_a_model_name_is_provider_slash_model_for_opencode_only() -> None:
    assert argv(claude())[-2:] == ["--model", "claude-sonnet-4-5"]
    with pytest.raises(InputError, match=r"must be provider/model for OpenCode.*runtime: claude"):
        plan({"model": "claude-sonnet-4-5"})
    with pytest.raises(InputError, match="runtime: \"gemini\" is not one of opencode, claude"):
        plan({"runtime": "gemini"})


def codex(run: dict[str, Any] | None = None, **config: Any) -> Any:
    return plan({"runtime": "codex", "model": "gpt-5", **config}, run)


def test_a_codex_job_runs_codex_exec_as_codex_local_does_its_session_last() -> None:
    p = codex(extraArgs=["-c", 'model_reasoning_effort="high"'])
    assert argv(p) == ["codex", "exec", "--json", "--dangerously-bypass-approvals-and-sandbox",
                       "--model", "gpt-5", "-c", 'model_reasoning_effort="high"', "-"]
    env = env_of(p)
    assert env["CODEX_HOME"]["value"] == "/paperclip/.kubeclip/agents/agent-1/codex-home"
    assert env["KUBECLIP_STATE_ENV"]["value"] == "CODEX_HOME"  # the pod's script makes it
    stored = {**RUN, "runtime": {"sessionParams": {"sessionId": SESSION, "cwd": CWD}}}
    assert argv(codex(stored))[-3:] == ["resume", SESSION, "-"]  # a subcommand: after all
    assert "resume" not in argv(codex({**RUN, "runtime": {"sessionParams": {
        "sessionId": "ses_abc", "cwd": CWD}}}))  # fmt: skip
    with pytest.raises(InputError) as e:
        codex(variant="high", extraArgs=["resume", SESSION, "--json"])
    assert "variant: Codex has no variant flag" in str(e.value)
    assert "extraArgs[0]: resume is set by kubeclip" in str(e.value)
    assert "extraArgs[2]: --json is set by kubeclip" in str(e.value)


def test_what_each_runtime_always_gets_no_config_may_set() -> None:
    for name in ("IS_SANDBOX", "OPENCODE_CONFIG_CONTENT"):
        with pytest.raises(InputError, match=f"env.{name}: is set by kubeclip"):
            claude(env={name: "0"})
    # the state home may be moved on purpose, as before
    assert env_of(claude(env={"CLAUDE_CONFIG_DIR": "/x"}))["CLAUDE_CONFIG_DIR"]["value"] == "/x"


def test_an_opencode_config_from_paperclip_is_not_given_to_claude() -> None:
    p = claude({**RUN, "opencodeConfig": {"provider": {"x": {"options": {"apiKey": "k" * 20}}}}})
    assert "OPENCODE_CONFIG_CONTENT" not in env_of(p)
    assert "k" * 20 not in json.dumps(p)
    assert any("Claude Code reads no OpenCode config" in n for n in p["notes"])


def test_every_runtime_has_an_output_reader() -> None:
    assert set(READERS) == set(RUNTIMES)
    for key in RUNTIMES:
        assert reader(key).name == RUNTIMES[key].title


def test_the_opencode_drop_in_refuses_a_claude_config(emu: Any, tmp_path: Path) -> None:
    env = paperclip_env(tmp_path, emu, runtime="claude", model="claude-sonnet-4-5")
    proc = opencode(env, *RUN_ARGS)
    assert proc.returncode == 2
    message = json.loads(proc.stdout.decode().splitlines()[0])["error"]["message"]
    assert "runtime: claude, but Paperclip runs OpenCode here" in message
    assert emu.count() == 0  # nothing applied


def test_the_drop_in_runs_claude_locals_argv_with_its_bundle_carried_into_the_pod(
    emu: Any, tmp_path: Path
) -> None:
    """claude_local's files exist where Paperclip runs: its prompt bundle (the skill a
    symlink into the adapter's node_modules), the instructions file, the MCP config with
    the run's bearer token. The pod gets their contents through the run Secret, at the
    paths its argv names; the token is in no Job."""
    skill = tmp_path / "node_modules/adapter/skills/paperclip"
    skill.mkdir(parents=True)
    (skill / "SKILL.md").write_text("# Paperclip skill\n")
    bundle = tmp_path / "home/claude-prompt-cache/0f1e"
    (bundle / ".claude/skills").mkdir(parents=True)
    (bundle / ".claude/skills/paperclip").symlink_to(skill)
    (bundle / "agent-instructions.md").write_text("You are Coder.\n")
    mcp = tmp_path / "home/runs/run-42/mcp-config.json"
    mcp.parent.mkdir(parents=True)
    mcp.write_text('{"mcpServers":{"p":{"headers":{"Authorization":"Bearer mcp-tok-8c1d2e3f"}}}}')
    env = paperclip_env(tmp_path, emu, runtime="claude", model="claude-sonnet-4-5")
    args = ["--print", "-", "--output-format", "stream-json", "--verbose",
            "--dangerously-skip-permissions", "--model", "claude-opus-5",
            "--append-system-prompt-file", str(bundle / "agent-instructions.md"),
            "--mcp-config", str(mcp), "--strict-mcp-config", "--add-dir", str(bundle)]  # fmt: skip
    opencode(env, *args)
    job = job_body(emu)
    container = job["spec"]["template"]["spec"]["containers"][0]
    assert container["command"][4:] == [
        "claude", "--print", "--output-format", "stream-json", "--verbose",
        "--dangerously-skip-permissions", "--model", "claude-opus-5",
        "--append-system-prompt-file", "/tmp/kubeclip-files/0/0f1e/agent-instructions.md",
        "--mcp-config", "/tmp/kubeclip-files/1/mcp-config.json", "--strict-mcp-config",
        "--add-dir", "/tmp/kubeclip-files/0/0f1e"]  # fmt: skip
    items = next(v for v in job["spec"]["template"]["spec"]["volumes"]
                 if v["name"] == "kubeclip-run")["secret"]["items"]  # fmt: skip
    paths = {i["path"]: i["key"] for i in items}
    posts = [r for r in emu.requests if r.verb == "create" and r.resource == "secrets"]
    body = posts[0].body if isinstance(posts[0].body, dict) else json.loads(posts[0].body)
    data = body["data"]
    skill_key = paths["files/0/0f1e/.claude/skills/paperclip/SKILL.md"]
    assert base64.b64decode(data[skill_key]) == b"# Paperclip skill\n"
    assert b"mcp-tok-8c1d2e3f" in base64.b64decode(data[paths["files/1/mcp-config.json"]])
    assert "mcp-tok-8c1d2e3f" not in json.dumps(job)


def test_a_claude_argv_with_an_opencode_config_or_a_missing_file_applies_nothing(
    emu: Any, tmp_path: Path
) -> None:
    env = paperclip_env(tmp_path, emu, runtime="opencode", model="openai/gpt-5")
    proc = opencode(env, "--print", "-", "--output-format", "stream-json", "--model", "x")
    assert proc.returncode == 2 and b"runtime: opencode, but Paperclip runs Claude Code" in (
        proc.stdout + proc.stderr)  # fmt: skip
    env = paperclip_env(tmp_path, emu, runtime="claude", model="claude-sonnet-4-5")
    proc = opencode(env, "--print", "-", "--output-format", "stream-json",
                    "--mcp-config", str(tmp_path / "gone.json"))  # fmt: skip
    assert proc.returncode == 2 and b"--mcp-config " in proc.stderr
    assert b"cannot read it" in proc.stderr
    assert emu.count() == 0


def test_a_cancelled_run_ends_as_its_cli_ends_on_paperclips_sigterm() -> None:
    """Seen with the real CLIs: OpenCode dies by SIGTERM, Claude Code 2.1.332 catches it
    and exits 143; Paperclip reports one as `signal: SIGTERM`, the other as `exitCode: 143`
    (the contract tiers compare both with their published adapters)."""
    from kubeclip.errors import Reason
    from kubeclip.paperclip.dropin import ending
    from kubeclip.run.result import RunResult

    cancelled = RunResult(Reason.CANCELLED, "cancelled", exitCode=143, signal="SIGTERM")
    assert ending(cancelled, "opencode") == (143, "SIGTERM")
    assert ending(cancelled, "claude") == (143, None)
    failed = RunResult(Reason.FAILED, "exit 2", exitCode=2)
    assert ending(failed, "claude") == ending(failed, "opencode") == (2, None)


def test_the_drop_in_runs_codex_locals_argv_with_the_agents_own_home_and_key(
    emu: Any, tmp_path: Path
) -> None:
    """codex_local (engine "cli") runs `exec --json`, its sandbox as `-c` pairs, and resumes
    with `resume <thread> -` last; its CODEX_HOME is the company's, where Paperclip runs.
    The pod gets the agent's own home on the claim, and the key under the name Codex reads
    (CODEX_API_KEY), through the run Secret."""
    home = tmp_path / "instances/default/companies/company-1/codex-home"
    home.mkdir(parents=True)
    env = paperclip_env(tmp_path, emu, runtime="codex", model="gpt-5")
    env.update({"CODEX_HOME": str(home), "OPENAI_API_KEY": "sk-proj-3f9a8b7c6d5e4f3a",
                "KUBECLIP_PROGRESS": "stderr"})
    args = ["exec", "--json", "-c", 'sandbox_mode="workspace-write"',
            "-c", "sandbox_workspace_write.network_access=true", "--model", "gpt-5.5",
            "-c", 'model_reasoning_effort="high"', "resume", SESSION, "-"]  # fmt: skip
    proc = opencode(env, *args)
    assert b"not carried into the pod: CODEX_HOME (the agent's own is on the claim)" in (
        proc.stderr)  # fmt: skip
    job = job_body(emu)
    container = job["spec"]["template"]["spec"]["containers"][0]
    assert container["command"][4:] == [
        "codex", "exec", "--json", "--model", "gpt-5.5", "-c", 'sandbox_mode="workspace-write"',
        "-c", "sandbox_workspace_write.network_access=true",
        "-c", 'model_reasoning_effort="high"', "resume", SESSION, "-"]  # fmt: skip
    env_vars = {e["name"]: e for e in container["env"]}
    assert env_vars["CODEX_HOME"]["value"] == "/paperclip/.kubeclip/agents/agent-7/codex-home"
    key = env_vars["OPENAI_API_KEY"]["valueFrom"]["secretKeyRef"]
    assert env_vars["CODEX_API_KEY"]["valueFrom"]["secretKeyRef"] == key
    assert "sk-proj-3f9a8b7c6d5e4f3a" not in json.dumps(job)


def test_codex_locals_search_flag_is_refused_before_anything_is_applied(
    emu: Any, tmp_path: Path
) -> None:
    env = paperclip_env(tmp_path, emu, runtime="codex", model="gpt-5")
    proc = opencode(env, "--search", "exec", "--json", "--model", "gpt-5", "-")
    assert proc.returncode == 2
    assert b"--search before exec: not passed by kubeclip yet" in proc.stdout + proc.stderr
    assert emu.count() == 0


def test_codex_gets_an_openai_api_key_under_the_name_it_reads_unless_that_is_set() -> None:
    ref = {"secretKeyRef": {"name": "openai", "key": "api-key"}}
    p = codex(env={"OPENAI_API_KEY": ref})
    env = env_of(p)
    assert env["CODEX_API_KEY"]["valueFrom"] == ref == env["OPENAI_API_KEY"]["valueFrom"]
    assert any("CODEX_API_KEY: OPENAI_API_KEY's value" in n for n in p["notes"])
    own = {"secretKeyRef": {"name": "codex", "key": "key"}}
    assert env_of(codex(env={"OPENAI_API_KEY": ref, "CODEX_API_KEY": own}))[
        "CODEX_API_KEY"]["valueFrom"] == own  # fmt: skip
    assert "CODEX_API_KEY" not in env_of(claude(env={"OPENAI_API_KEY": ref}))
