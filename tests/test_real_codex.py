"""The real Codex (@openai/codex 0.171.0, ``scripts/get-codex.sh``) run with the argv and env
kubeclip renders for ``runtime: codex``, its output read by kubeclip's reader
(:mod:`kubeclip.paperclip.codex`).

Only the model is ours: the stub Responses API (``tests/realagent/stub_model.py``) on
127.0.0.1 of a network namespace the launcher makes for the CLI (no route out), given to
Codex as a user gives a custom provider: ``-c`` overrides in the config's extraArgs (Codex
takes a ``base_url`` from its config only), the key as ``CODEX_API_KEY`` (through the run
Secret; Codex reads no ``OPENAI_API_KEY``). The model name picks the scenario. These are
the CLI's own behaviours the reader relies on: the thread id of ``thread.started``, usage
that is the thread's running total on a resume, an unknown thread said on stderr only, a
refused key said as ``error`` and ``turn.failed`` (an HTTP 500 in Codex's own words).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from kubeclip.paperclip.codex import CodexOutput
from kubeclip.renderer.builder import build_plan
from kubeclip.renderer.config import parse_config
from kubeclip.renderer.plan import Plan
from kubeclip.renderer.podfacts import PAPERCLIP_MOUNT, extract_pod_facts
from kubeclip.renderer.runcontext import parse_run_context
from tests.realagent.stub_model import KEY  # the key the stub's `key` scenario takes
from tests.test_plan import DEPLOYMENT, RUN
from tests.test_real_claude import UUID, Claim, Done, _root  # noqa: F401  (root only)

WS = f"{PAPERCLIP_MOUNT}/ws"
# a user's custom provider: the stub on the launcher's 127.0.0.1:18080, authenticated as
# OpenAI is (CODEX_API_KEY: a custom provider sends no key unless it says which), no retries
# (Codex's defaults retry a failing API 4 + 5 times); the workspace is no git repository
PROVIDER = ["-c", 'model_provider="stub"', "-c",
            'model_providers.stub={name="stub",base_url="http://127.0.0.1:18080/v1",'
            'wire_api="responses",requires_openai_auth=true,request_max_retries=0,'
            'stream_max_retries=0}', "--skip-git-repo-check"]  # fmt: skip


class Codex(Claim):
    def codex_plan(self, model: str, session: str | None = None, **config: Any) -> Plan:
        run: dict[str, Any] = {**RUN, "context": {**RUN["context"],
                                                  "paperclipWorkspace": {"cwd": WS}}}
        if session:
            run["runtime"] = {"sessionParams": {"sessionId": session, "cwd": WS}}
        raw = {"runtime": "codex", "model": model, "env": {"CODEX_API_KEY": KEY},
               "extraArgs": PROVIDER, **config}  # fmt: skip
        return build_plan(parse_config(raw), extract_pod_facts(DEPLOYMENT),
                          parse_run_context(run, "run.json"), reveal_secrets=True)  # fmt: skip

    def codex(self, plan: Plan, prompt: str = "Say hello.") -> tuple[CodexOutput, Done]:
        # the claim is under this machine's /tmp, a pod's is not: Codex warns on stderr of a
        # CODEX_HOME under the temporary directory (it makes no helper links there)
        (self.root / "tmp").mkdir(exist_ok=True)
        done = self.container(plan, "codex", self.claude, prompt, TMPDIR=str(self.root / "tmp"))
        out = CodexOutput()
        out.resumed = bool(plan["run"]["resumesSession"])  # as the engine tells it
        out.feed_bytes(done.stdout)
        out.feed_stderr(done.stderr)
        out.close()
        return out, done


@pytest.fixture
def claim(tmp_path: Path, codex_binary: Path) -> Codex:
    return Codex(tmp_path / "claim", codex_binary)


def test_the_real_cli_takes_the_rendered_argv_and_its_result_is_read(claim: Codex) -> None:
    plan = claim.codex_plan("stub-ok")
    argv = plan["job"]["command"][4:]
    assert argv[:3] == ["codex", "exec", "--json"] and argv[-1] == "-"
    assert "--dangerously-bypass-approvals-and-sandbox" in argv  # the pod is the sandbox
    assert KEY not in str(plan["job"])  # the key reaches the pod through the run Secret only
    out, done = claim.codex(plan)
    assert done.returncode == 0, done.stderr
    fields = out.result_fields(done.returncode, "stub-ok", {"cwd": WS})
    assert UUID.fullmatch(fields["sessionId"])
    assert fields["sessionParams"] == {"sessionId": fields["sessionId"], "cwd": WS}
    assert fields["summary"] == "hello from the stub model (10 characters read)."
    # one request: what the stub's usage says, as codex_local reads it
    assert fields["usage"] == {"inputTokens": 1200, "cachedInputTokens": 200, "outputTokens": 60}
    assert fields["usageBasis"] == "per_run" and fields["costUsd"] is None
    # the CLI's warning item (no metadata for the stub's model) is not the run's error
    assert "errorMessage" not in fields and not fields["clearSession"]
    # the CLI's state lives in the agent's own directory on the claim
    state = claim.root / ".kubeclip" / "agents"
    assert list(state.glob(f"*/codex-home/sessions/*/*/*/rollout-*-{fields['sessionId']}.jsonl"))


def test_a_tool_call_runs_in_the_workspace_and_a_resume_continues_the_thread(
    claim: Codex,
) -> None:
    first, done = claim.codex(claim.codex_plan("stub-ok"))
    assert done.returncode == 0, done.stderr
    session = first.session_id
    assert session is not None
    plan = claim.codex_plan("stub-tools", session=session)
    assert plan["job"]["command"][-3:] == ["resume", session, "-"]  # after every option
    out, done = claim.codex(plan, "Run the tool.")
    assert done.returncode == 0, done.stderr
    assert b'"aggregated_output":"tool-output\\n"' in done.stdout  # it ran, unsandboxed
    fields = out.result_fields(done.returncode, "stub-tools", {"cwd": WS})
    assert fields["sessionId"] == session and fields["summary"] == "The tool ran; done."
    # Codex's usage is the thread's running total: the first run's request and this run's
    # two; said as such, not as this run's
    assert fields["usage"] == {"inputTokens": 3600, "cachedInputTokens": 600,
                               "outputTokens": 180}  # fmt: skip
    assert fields["usageBasis"] == "session_cumulative"


def test_an_unknown_thread_is_said_on_stderr_and_asks_for_a_fresh_one(claim: Codex) -> None:
    unknown = "01a25266-d780-7e91-8582-000000000000"
    out, done = claim.codex(claim.codex_plan("stub-ok", session=unknown))
    assert done.returncode == 1 and done.stdout == b""
    assert out.unknown_session(done.returncode)
    fields = out.result_fields(done.returncode, "stub-ok", {})
    assert fields["errorCode"] == "session_not_found" and fields["clearSession"]
    assert fields["sessionId"] is None
    assert fields["errorMessage"] == ("Error: thread/resume: thread/resume failed: no rollout "
                                      f"found for thread id {unknown} (code -32600)")


def test_a_refused_key_and_a_failing_api_are_failed_runs_said_as_codex_says_them(
    claim: Codex,
) -> None:
    out, done = claim.codex(claim.codex_plan("stub-e401"))
    assert done.returncode == 1 and not out.unknown_session(1)
    fields = out.result_fields(done.returncode, "stub-e401", {})
    assert fields["errorMessage"].startswith("unexpected status 401 Unauthorized: Incorrect API")
    assert UUID.fullmatch(fields["sessionId"])  # the thread began before the request failed
    out, done = claim.codex(claim.codex_plan("stub-e500"))
    fields = out.result_fields(done.returncode, "stub-e500", {})
    assert done.returncode == 1 and "errorCode" not in fields
    # a 500 is said in Codex's words, not the API's
    assert fields["errorMessage"] == ("We\u2019re currently experiencing high demand, which "
                                      "may cause temporary errors.")


def test_codex_locals_argv_and_its_agents_key_name_reach_the_real_cli_through_the_drop_in(
    claim: Codex,
) -> None:
    """codex_local's argv (engine "cli", no bypass: its sandbox as `-c` pairs) read by the
    drop-in, and the key under the name codex_local's agents set (OPENAI_API_KEY): the real
    CLI runs the rendered argv and authenticates with CODEX_API_KEY, the same value. Without
    that variable it does not (OpenAI's auth reads no OPENAI_API_KEY): the `key` scenario.
    Also seen (by hand, 0.171.0): a provider without `requires_openai_auth` sends no key at
    all, and one with `env_key="OPENAI_API_KEY"` sends that variable's."""
    from kubeclip.paperclip import cliargs

    args = ["exec", "--json", "-c", 'sandbox_mode="workspace-write"',
            "-c", "sandbox_workspace_write.network_access=true", "--model", "stub-key",
            *PROVIDER, "-"]  # fmt: skip
    runtime = cliargs.runtime_of(args)
    assert runtime is not None and runtime.key == "codex"
    parsed = cliargs.parse(runtime, args)
    raw: dict[str, Any] = {"model": parsed.model, "env": {"OPENAI_API_KEY": KEY}}
    cliargs.into_config(runtime, parsed, raw, "kubeclip.yaml")
    plan = build_plan(parse_config(raw), extract_pod_facts(DEPLOYMENT),
                      parse_run_context({**RUN, "context": {**RUN["context"],
                                         "paperclipWorkspace": {"cwd": WS}}}, "run.json"),
                      reveal_secrets=True)  # fmt: skip
    argv = plan["job"]["command"][4:]
    assert "--dangerously-bypass-approvals-and-sandbox" not in argv  # the adapter's choice
    assert argv[argv.index("-c") + 1] == 'sandbox_mode="workspace-write"'
    out, done = claim.codex(plan)
    assert done.returncode == 0, done.stderr
    assert out.result_fields(0, "stub-key", {"cwd": WS})["summary"].startswith("hello")
    plan["job"]["env"] = [v for v in plan["job"]["env"] if v["name"] != "CODEX_API_KEY"]
    out, done = claim.codex(plan)
    assert done.returncode == 1
    assert "401 Unauthorized" in out.result_fields(1, "stub-key", {"cwd": WS})["errorMessage"]
