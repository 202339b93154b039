"""Each agent CLI is one description (kubeclip/renderer/runtimes.py) plus one output reader:
what a `runtime: claude` Job looks like, and the rules every runtime shares."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from kubeclip.errors import InputError
from kubeclip.paperclip.readers import READERS, reader
from kubeclip.renderer.runtimes import RUNTIMES
from tests.test_dropin import RUN_ARGS, opencode, paperclip_env
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
    with pytest.raises(InputError, match="runtime: \"codex\" is not one of opencode, claude"):
        plan({"runtime": "codex"})


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
    assert "runtime: claude cannot run as Paperclip's opencode" in message
    assert emu.count() == 0  # nothing applied
