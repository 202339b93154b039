"""Merge rules: defaults < pod facts < agent config < run context, and what is inherited."""

from __future__ import annotations

import copy
import json
import os
from pathlib import Path
from typing import Any

import pytest
import yaml

from kubeclip.errors import InputError
from kubeclip.renderer import naming
from kubeclip.renderer.builder import build_plan
from kubeclip.renderer.config import parse_config
from kubeclip.renderer.plan import Plan, k8s_escape
from kubeclip.renderer.podfacts import extract_pod_facts
from kubeclip.renderer.runcontext import parse_run_context
from kubeclip.renderer.runenv import is_loopback_url

ROOT = Path(__file__).resolve().parent.parent
DEPLOYMENT: dict[str, Any] = yaml.safe_load(
    (ROOT / "examples/paperclip-deployment.yaml").read_text()
)
RUN: dict[str, Any] = {
    "runId": "run-1",
    "agent": {"id": "agent-1", "companyId": "co-1"},
    "context": {"paperclipWorkspace": {"cwd": "/paperclip/ws/agent-1"}},
    "prompt": "hi",
}


def plan(
    config: dict[str, Any], run: dict[str, Any] | None = None, pod: Any = None,
    reveal: bool = False,
) -> Plan:  # fmt: skip
    return build_plan(
        parse_config({"model": "openai/gpt-5", **config}),
        extract_pod_facts(pod or DEPLOYMENT),
        parse_run_context(run or RUN, "run.json"),
        reveal_secrets=reveal,
    )


def env_of(p: Plan) -> dict[str, dict[str, Any]]:
    return {e["name"]: dict(e) for e in p["job"]["env"]}


def test_precedence_defaults_pod_config_run() -> None:
    # pod: PAPERCLIP_API_URL literal; config overrides it; the run context overrides both
    p = plan({"env": {"PAPERCLIP_API_URL": "http://from-config"}})
    assert env_of(p)["PAPERCLIP_API_URL"]["value"] == "http://from-config"
    run = {**RUN, "paperclipApiUrl": "http://from-run"}
    p = plan({"env": {"PAPERCLIP_API_URL": "http://from-config"}}, run)
    assert env_of(p)["PAPERCLIP_API_URL"]["value"] == "http://from-run"
    # defaults < config: HOME can be overridden on purpose
    assert env_of(plan({"env": {"HOME": "/tmp"}}))["HOME"]["value"] == "/tmp"
    # image: pod < config; namespace: pod < config
    assert plan({})["job"]["image"] == "ghcr.io/paperclipai/paperclip:2026.916.2"
    assert plan({"image": "x/y:1"})["job"]["image"] == "x/y:1"
    assert plan({"namespace": "other"})["job"]["namespace"] == "other"


def test_resources_merge_key_by_key_over_defaults() -> None:
    res = plan({"resources.limits.memory": "16Gi"})["job"]["resources"]
    assert res == {
        "requests": {"cpu": "1000m", "memory": "2Gi"},
        "limits": {"cpu": "4000m", "memory": "16Gi"},
    }


def test_default_allowlist_and_builtin_denylist() -> None:
    env = env_of(plan({}))
    assert "ANTHROPIC_API_KEY" in env and "valueFrom" in env["ANTHROPIC_API_KEY"]
    for server_only in ("DATABASE_URL", "BETTER_AUTH_SECRET", "PORT", "PAPERCLIP_HOME"):
        assert server_only not in env
    # even "*" never lets the server's own secrets through
    env = env_of(plan({"inherit": {"env": ["*"]}}))
    assert "PORT" in env and "DATABASE_URL" not in env and "BETTER_AUTH_SECRET" not in env


def test_env_by_reference_stays_a_reference() -> None:
    env = env_of(plan({}))
    assert env["OPENAI_API_KEY"]["valueFrom"] == {
        "secretKeyRef": {"name": "model-providers", "key": "openai"}
    }


def test_literal_credentials_move_to_the_run_secret() -> None:
    pod = copy.deepcopy(DEPLOYMENT)
    pod["spec"]["template"]["spec"]["containers"][0]["env"].append(
        {"name": "MISTRAL_API_KEY", "value": "literal-key-in-the-deployment"}
    )
    p = plan({"env": {"GITHUB_TOKEN": "ghp_literal_token_value"}}, pod=pod)
    env = env_of(p)
    for name in ("MISTRAL_API_KEY", "GITHUB_TOKEN"):
        assert env[name]["valueFrom"]["secretKeyRef"]["name"] == p["secret"]["name"]
    assert "literal-key-in-the-deployment" in p["secretValues"]
    assert "ghp_literal_token_value" not in str(p["job"])


def test_envfrom_and_secret_volumes_only_when_allowed() -> None:
    p = plan({})
    assert p["job"]["envFrom"] == []
    assert [v["name"] for v in p["job"]["volumes"]] == ["paperclip", "kubeclip-run"]
    p = plan({"inherit": {"envFrom": ["agent-*"], "secretVolumes": ["gcp-sa"]}})
    assert p["job"]["envFrom"] == [{"configMapRef": {"name": "agent-tools"}}]
    assert "gcp-sa" in [v["name"] for v in p["job"]["volumes"]]
    mount = next(m for m in p["job"]["volumeMounts"] if m["name"] == "gcp-sa")
    assert mount == {"name": "gcp-sa", "mountPath": "/var/secrets/gcp", "readOnly": True}


def test_pull_secrets_and_dns_switches() -> None:
    assert plan({})["job"]["imagePullSecrets"] == [{"name": "ghcr-pull"}]
    assert plan({"inherit": {"imagePullSecrets": False}})["job"]["imagePullSecrets"] == []
    p = plan({"inherit": {"dns": False}})
    assert p["job"]["dnsPolicy"] is None and p["job"]["dnsConfig"] is None


def test_reserved_labels_are_refused() -> None:
    with pytest.raises(InputError, match=r"kubeclip\.dev/run is set by kubeclip"):
        plan({"labels": {"kubeclip.dev/run": "mine"}})


def test_session_resumed_only_in_the_same_cwd() -> None:
    same = {
        **RUN,
        "runtime": {"sessionParams": {"sessionId": "ses_1", "cwd": "/paperclip/ws/agent-1"}},
    }
    assert "--session" in plan({}, same)["job"]["command"]
    other = {**RUN, "runtime": {"sessionParams": {"sessionId": "ses_1", "cwd": "/elsewhere"}}}
    assert "--session" not in plan({}, other)["job"]["command"]


def test_a_session_stored_without_its_cwd_is_started_fresh_and_said() -> None:
    """The real OpenCode hangs on a session of another directory (tests/test_real_opencode)."""
    bare = plan({}, {**RUN, "runtime": {"sessionId": "ses_1"}})
    assert "--session" not in bare["job"]["command"] and not bare["run"]["resumesSession"]
    assert any("ses_1 was stored without its cwd" in w for w in bare["warnings"])


def plain_env(p: Plan) -> dict[str, str]:
    return {e["name"]: e.get("value", "") for e in p["job"]["env"]}


def test_each_agent_has_its_own_opencode_data_directory() -> None:
    data = plain_env(plan({}))["XDG_DATA_HOME"]
    assert data == f"/paperclip/.kubeclip/agents/{RUN['agent']['id']}/opencode-data"
    odd = {**RUN, "agent": {**RUN["agent"], "id": "../../etc"}}
    path = plain_env(plan({}, odd))["XDG_DATA_HOME"]
    assert ".." not in path and path.startswith("/paperclip/.kubeclip/agents/id-")
    mine = plan({"env": {"XDG_DATA_HOME": "/data/mine"}})
    assert plain_env(mine)["XDG_DATA_HOME"] == "/data/mine"


def test_more_than_one_run_slot_per_agent_warns_of_the_shared_database() -> None:
    assert not any("SQLite" in w for w in plan({})["warnings"])
    warned = plan({"concurrency": {"maxRunsPerAgent": 3}})["warnings"]
    assert any("share one OpenCode database (SQLite" in w for w in warned)


def test_kubelet_expansion_cannot_change_values() -> None:
    assert k8s_escape("$(id)") == "$$(id)"
    assert k8s_escape("$$") == "$$$"  # kubelet: "$$" -> "$", then a lone trailing "$"
    assert k8s_escape("cost $5 and $HOME") == "cost $5 and $HOME"  # only $( and $$ expand
    p = plan({"extraArgs": ["--title", "$(whoami)"], "env": {"X": "a$(HOME)b"}})
    assert "$$(whoami)" in p["job"]["command"]
    assert env_of(p)["X"]["value"] == "a$$(HOME)b"


def test_timeout_and_ttl() -> None:
    job = plan({})["job"]
    assert job["activeDeadlineSeconds"] is None and job["ttlSecondsAfterFinished"] == 300
    job = plan({"timeoutSec": 60, "retainJobs": True})["job"]
    assert job["activeDeadlineSeconds"] == 60 and job["ttlSecondsAfterFinished"] is None


def test_names_and_label_values() -> None:
    name = naming.job_name("agent-" + "x" * 100, "Ünïcode Agent!!", "run/" + "y" * 100)
    assert len(name) <= 63 and name.startswith("kc-n-code-agent-")
    assert naming.job_name("a", None, "r1") != naming.job_name("a", None, "r2")
    assert naming.label_value("0f8e7d6c-5b4a-4938-8271-605f4e3d2c1b") == (
        "0f8e7d6c-5b4a-4938-8271-605f4e3d2c1b"
    )
    for raw in ("has space", "-leading", "x" * 80, "ünï", "", "a/b"):
        value = naming.label_value(raw)
        assert naming.is_label_value(value), (raw, value)
    assert naming.label_value("x" * 80) != naming.label_value("x" * 81)


def test_permission_bypass_is_per_pod() -> None:
    assert "OPENCODE_CONFIG_CONTENT" in env_of(plan({}))
    assert "OPENCODE_CONFIG_CONTENT" not in env_of(plan({"dangerouslySkipPermissions": False}))
    mounts = [m["mountPath"] for m in plan({})["job"]["volumeMounts"]]
    assert mounts == ["/paperclip", "/var/run/kubeclip"]  # nothing written onto the volume


def test_prompts_of_any_size_go_through_the_secret() -> None:
    big = "".join(f"line {i}: refactor the billing module\n" for i in range(40_000))  # ~1.4 MiB
    p = plan({}, {**RUN, "prompt": big})
    assert list(p["secret"]["data"]) == [f"{p['job']['name']}.prompt.gz"]
    assert env_of(p)["KUBECLIP_PROMPT_FILE"]["value"] == "/var/run/kubeclip/prompt.gz"
    assert big not in str(p["job"])
    noise = os.urandom(900_000).hex()  # does not compress below the Secret limit
    with pytest.raises(InputError, match="Secret holds at most 1 MiB"):
        plan({}, {**RUN, "prompt": noise})


def test_a_credential_named_value_that_is_also_plain_data_renders() -> None:
    from kubeclip.renderer.render import render

    rendered = render(plan({"env": {"TOKEN_DIR": "/paperclip"}}))  # HOME is /paperclip too
    assert [d["kind"] for d in rendered.documents] == ["Secret", "Job"]


def test_the_agents_env_from_paperclip_reaches_the_pod_only_through_the_secret() -> None:
    agent_env = {"OPENROUTER_KEY": "or-v1-abcdefgh12345", "FEATURE_X": "on",
                 "HOME": "/elsewhere", "DATABASE_URL": "postgres://u:p@db/x"}  # fmt: skip
    run = {**RUN, "agentEnv": agent_env}
    p = plan({}, run, reveal=True)
    env = env_of(p)
    for name in ("OPENROUTER_KEY", "FEATURE_X"):  # every value: Paperclip resolved secrets
        key = f"{p['job']['name']}.env.{name}"
        assert env[name] == {"name": name, "valueFrom": {"secretKeyRef": {
            "name": p["secret"]["name"], "key": key}}}  # fmt: skip
        assert p["secret"]["stringData"][key] == run["agentEnv"][name]
    assert env["HOME"]["value"] == "/paperclip"  # reserved
    assert "DATABASE_URL" not in env  # a server secret's name: denied
    assert any("DATABASE_URL" in n for n in p["notes"])
    # the values never reach the Job spec, nor the invocation digest on it
    job_text = json.dumps(p["job"])
    assert "or-v1-abcdefgh12345" not in job_text
    other_env = {**run["agentEnv"], "OPENROUTER_KEY": "or-v1-other-1"}
    other = plan({}, {**run, "agentEnv": other_env}, reveal=True)
    assert other["job"]["name"] == p["job"]["name"]


def test_paperclips_generated_opencode_config_goes_through_the_secret() -> None:
    generated = {"provider": {"gw": {"options": {"apiKey": "gw-secret-123456"},
                                     "models": {"m1": {}}}},
                 "small_model": "gw/m1", "permission": {"bash": "ask"}}  # fmt: skip
    p = plan({}, {**RUN, "opencodeConfig": generated}, reveal=True)
    ref = env_of(p)["OPENCODE_CONFIG_CONTENT"]["valueFrom"]["secretKeyRef"]
    content = json.loads(p["secret"]["stringData"][ref["key"]])
    assert content == {**generated, "permission": {"bash": "ask", "external_directory": "allow"}}
    assert "gw-secret-123456" not in json.dumps(p["job"])
    no_bypass = plan({"dangerouslySkipPermissions": False}, {**RUN, "opencodeConfig": generated},
                     reveal=True)  # fmt: skip
    ref = env_of(no_bypass)["OPENCODE_CONFIG_CONTENT"]["valueFrom"]["secretKeyRef"]
    assert json.loads(no_bypass["secret"]["stringData"][ref["key"]]) == generated


def test_scratch_dirs_are_empty_pod_local_dirs_at_the_same_path() -> None:
    scratch = "/tmp/paperclip-run-iss-7-run-1-Ab12Cd"
    p = plan({}, {**RUN, "scratchDirs": [scratch, scratch],
                  "env": {"PAPERCLIP_RUN_SCRATCH_DIR": scratch, "TMPDIR": scratch}})  # fmt: skip
    mounts = {m["mountPath"]: m["name"] for m in p["job"]["volumeMounts"]}
    assert mounts[scratch] == "scratch-0" and len(mounts) == 3
    assert {"name": "scratch-0", "emptyDir": {}} in p["job"]["volumes"]
    assert env_of(p)["TMPDIR"]["value"] == scratch
    for bad in ("/paperclip/x", "/tmp/../paperclip", "/var/run/kubeclip/a"):
        with pytest.raises(InputError, match="scratchDirs"):
            plan({}, {**RUN, "scratchDirs": [bad]})


def test_a_loopback_api_url_never_wins_and_is_warned_about() -> None:
    loop = {**RUN, "paperclipApiUrl": "http://127.0.0.1:3100"}
    p = plan({"env": {"PAPERCLIP_API_URL": "http://paperclip.paperclip.svc:3100"}}, loop)
    assert env_of(p)["PAPERCLIP_API_URL"]["value"] == "http://paperclip.paperclip.svc:3100"
    assert not [w for w in p["warnings"] if "loopback" in w]
    p = plan({"inherit": {"env": []}}, loop)
    assert env_of(p)["PAPERCLIP_API_URL"]["value"] == "http://127.0.0.1:3100"
    assert [w for w in p["warnings"] if "loopback" in w and "env.PAPERCLIP_API_URL" in w]
    for url in ("http://localhost:3100", "http://[::1]:3100/api", "http://app.localhost"):
        assert is_loopback_url(url)
    assert not is_loopback_url("http://10.0.0.7:3100")


def test_the_same_invocation_is_the_same_job_and_another_is_another_even_when_remembered() -> None:
    """The invocation digest names the Job: a restarted runner must find its Job again, a
    changed config or pod must make another. An agent's config and pod are remembered
    between renders (by a hash of what they hold); what is remembered must decide exactly
    as a first render does, and a credential's value must still change nothing."""
    from kubeclip.renderer import digest

    def name(config: dict[str, Any], pod: Any = None) -> str:
        return plan(config, pod=pod)["job"]["name"]

    digest._PARTS.clear()
    first = name({"env": {"API_TOKEN": "tok-aaaaaaaa11"}})
    assert name({"env": {"API_TOKEN": "tok-aaaaaaaa11"}}) == first  # remembered: the same
    digest._PARTS.clear()
    assert name({"env": {"API_TOKEN": "tok-aaaaaaaa11"}}) == first  # forgotten: the same
    assert name({"env": {"API_TOKEN": "tok-bbbbbbbb22"}}) == first  # a rotated credential
    assert name({"env": {"API_TOKEN": "tok-aaaaaaaa11"}, "extraArgs": ["--x"]}) != first
    other_pod = copy.deepcopy(DEPLOYMENT)
    other_pod["spec"]["template"]["spec"]["containers"][0]["image"] = "paperclip:other"
    assert name({"env": {"API_TOKEN": "tok-aaaaaaaa11"}}, other_pod) != first
