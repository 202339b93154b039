"""The env stages of a plan: defaults < inherited < config < run context.

Each stage is a function of the run's :class:`~kubeclip.renderer.draft.Inputs` that puts
its variables into the :class:`~kubeclip.renderer.draft.Draft` it is given and returns
what it decided for the reviewer. The draft is the one place a value enters the Job's
env: every literal passes ``Draft.put_literal``, which moves a credential into the run
Secret, so no stage can put a secret into the Job spec by mistake. A stage's inputs are
its arguments: no stage reads what another left behind on a shared object.
"""

from __future__ import annotations

import hashlib
import posixpath
import re
from typing import TYPE_CHECKING

from kubeclip.errors import InputError
from kubeclip.renderer import naming
from kubeclip.renderer.draft import Draft, Inputs, Review
from kubeclip.renderer.plan import (
    PROMPT_DIR,
    REVIEW_PROOF,
    SECRET_API_KEY,
    SECRET_NONCE_KEY,
    SECRET_OPENCODE_CONFIG,
    _matches,
)
from kubeclip.renderer.podfacts import PAPERCLIP_MOUNT
from kubeclip.renderer.runenv import compact_json, is_loopback_url, reserved_by, run_env_pairs

if TYPE_CHECKING:
    from kubeclip.renderer.kube_types import EnvFromSource


def authorship(inputs: Inputs, draft: Draft) -> None:
    """The run Secret carries the nonce, the Job only its SHA-256: the pod script starts
    the agent only on a Secret that hashes to the Job's proof (why: RUNNER_SCRIPT)."""
    nonce = inputs.nonce
    if nonce is None:
        draft.put("KUBECLIP_RUN_PROOF", REVIEW_PROOF)
        draft.review.notes.append(
            "rendered for review: this Job's pod refuses to start the agent; "
            "`kubeclip run` renders it again with a proof of authorship and applies it"
        )
        return
    if not re.fullmatch(r"[0-9a-f]{64}", nonce):
        raise ValueError("a run nonce is 64 lowercase hex digits (32 random bytes)")
    draft.put("KUBECLIP_RUN_NONCE", source=draft.to_secret(SECRET_NONCE_KEY, nonce))
    draft.put("KUBECLIP_RUN_PROOF", hashlib.sha256(nonce.encode()).hexdigest())


def base_env(inputs: Inputs, draft: Draft, agent_id: str, prompt_key: str) -> None:
    runtime = inputs.runtime
    draft.put("HOME", PAPERCLIP_MOUNT)
    # The CLI's state home (sessions; SQLite in WAL mode, whose -shm file is shared memory:
    # one home shared by pods on several nodes over a network filesystem can be corrupted).
    # One per agent, on the claim (resume works across pods). The config's env may set it.
    draft.put(runtime.state_env, posixpath.join(
        PAPERCLIP_MOUNT, ".kubeclip", "agents", naming.agent_dir(agent_id),
        runtime.state_dir))  # fmt: skip
    draft.put("KUBECLIP_STATE_ENV", runtime.state_env)  # made by RUNNER_SCRIPT
    draft.put("KUBECLIP_PROMPT_FILE", posixpath.join(PROMPT_DIR, prompt_key))
    for name, value in runtime.env:
        draft.put(name, value)
    if inputs.config["dangerouslySkipPermissions"]:
        for name, value in runtime.skip_permissions_env:
            draft.put(name, value)


def inherited_env(inputs: Inputs, draft: Draft) -> list[str]:
    """The Paperclip container's variables the config lets through: their names (and how
    each came), for the reviewer."""
    names: list[str] = []
    allowed, skipped = inputs.config["inherit"]["env"], draft.review.skipped
    for var in inputs.facts["env"]:
        vname = var.get("name", "")
        if not _matches(vname, allowed):
            skipped.append(vname)
        elif _matches(vname, inputs.deny):
            skipped.append(f"{vname} (denied)")
        elif reserved_by(vname, "inherited"):
            skipped.append(f"{vname} (reserved)")
        elif "valueFrom" in var:
            draft.put(vname, source=var["valueFrom"])
            names.append(f"{vname} (by reference)")
        elif draft.put_literal(vname, var.get("value", "")):
            names.append(f"{vname} (value moved to the run Secret)")
        else:
            names.append(vname)
    return names


def config_env(inputs: Inputs, draft: Draft) -> None:
    for vname, value in inputs.config["env"].items():
        owner = reserved_by(vname, "config")
        if owner:
            draft.review.problem(f"env.{vname}", f"is set by {owner} and cannot be "
                                 "overridden; remove it")  # fmt: skip
            continue
        if isinstance(value, str):
            draft.put_literal(vname, value)
        else:
            draft.put(vname, source=value)


def run_env(inputs: Inputs, draft: Draft) -> None:
    run, notes = inputs.run, draft.review.notes
    extra = run.get("env") or {}
    taken = sorted(k for k in extra if reserved_by(k, "run"))
    if taken:
        raise InputError(
            "run context",
            [f"env.{k}: is reserved (set from the run context's own fields or by "
             "kubeclip); remove it" for k in taken],
        )  # fmt: skip
    known_url = draft.env.get("PAPERCLIP_API_URL", {})
    reachable = "valueFrom" in known_url or (
        bool(known_url.get("value")) and not is_loopback_url(known_url.get("value", ""))
    )
    for vname, val in [*run_env_pairs(run, reachable), *extra.items()]:
        draft.put_literal(vname, val)
    for vname, val in (run.get("agentEnv") or {}).items():
        if reserved_by(vname, "run"):
            notes.append(f"run agentEnv {vname}: reserved, not passed")
        elif _matches(vname, inputs.deny):
            notes.append(f"run agentEnv {vname}: denied (inherit.envDeny), not passed")
        else:
            draft.put(vname, source=draft.to_secret(f"env.{vname}", val))
    _generated_config(inputs, draft)
    if run.get("authToken"):
        draft.put("PAPERCLIP_API_KEY", source=draft.to_secret(SECRET_API_KEY, run["authToken"]))
    _api_url_warnings(draft)
    for name, users in inputs.runtime.key_aliases:
        if name not in draft.env and users in draft.env:  # the same value, or reference
            draft.env[name] = {**draft.env[users], "name": name}
            notes.append(f"{name}: {users}'s value ({inputs.runtime.title} reads {name})")


def _generated_config(inputs: Inputs, draft: Draft) -> None:
    """The CLI config Paperclip generated for the run (OpenCode's: the model registered,
    custom providers), with the permission bypass merged in."""
    generated, target = inputs.run.get("opencodeConfig"), inputs.runtime.config_env
    if generated is None:
        return
    if target is None:
        draft.review.notes.append(f"run opencodeConfig: {inputs.runtime.title} reads no "
                                  "OpenCode config; not passed")  # fmt: skip
        return
    merged = dict(generated)
    if inputs.config["dangerouslySkipPermissions"]:
        permission = merged.get("permission")
        merged["permission"] = {
            **(permission if isinstance(permission, dict) else {}),
            "external_directory": "allow",
        }
    # it may hold provider keys Paperclip resolved: the Secret, never the spec
    draft.put(target, source=draft.to_secret(SECRET_OPENCODE_CONFIG, compact_json(merged)))


def _api_url_warnings(draft: Draft) -> None:
    url = draft.env.get("PAPERCLIP_API_URL")
    if url is None:
        draft.review.warnings.append(
            "no PAPERCLIP_API_URL: set paperclipApiUrl in the run context or "
            "env.PAPERCLIP_API_URL, or the agent cannot call Paperclip"
        )
    elif is_loopback_url(url.get("value", "")):
        draft.review.warnings.append(
            f"PAPERCLIP_API_URL {url.get('value')} is a loopback address: the agent pod "
            "cannot reach Paperclip there; set env.PAPERCLIP_API_URL in the agent config "
            "to Paperclip's Service (e.g. http://paperclip.paperclip.svc:3100)"
        )


def env_from(inputs: Inputs, review: Review) -> tuple[list[EnvFromSource], list[str]]:
    """The Paperclip container's envFrom entries the config lets through, and their names."""
    entries: list[EnvFromSource] = []
    names: list[str] = []
    for entry in inputs.facts["envFrom"]:
        ref = entry.get("secretRef") or entry.get("configMapRef") or {}
        kind = "secret" if "secretRef" in entry else "configMap"
        if ref.get("name") and _matches(ref["name"], inputs.config["inherit"]["envFrom"]):
            entries.append(entry)
            names.append(f"{kind} {ref['name']}")
        elif ref.get("name"):
            review.skipped.append(f"envFrom {kind} {ref['name']}")
    return entries, names
