"""The env stages of a plan: defaults < inherited < config < run context.

A mixin of :class:`kubeclip.renderer.builder.PlanBuilder` (the state it reads and writes is
declared below): every literal value passes :meth:`EnvStages.put_literal`, which moves a
credential into the run Secret, so no stage can put a secret into the Job spec by mistake.
"""

from __future__ import annotations

import hashlib
import posixpath
import re
from typing import TYPE_CHECKING, NoReturn

from kubeclip.errors import InputError
from kubeclip.renderer import naming
from kubeclip.renderer.config import AgentConfig
from kubeclip.renderer.plan import (
    PROMPT_DIR,
    REDACTED,
    REVIEW_PROOF,
    SECRET_API_KEY,
    SECRET_NONCE_KEY,
    SECRET_OPENCODE_CONFIG,
    _matches,
    k8s_escape,
)
from kubeclip.renderer.podfacts import PAPERCLIP_MOUNT, PodFacts
from kubeclip.renderer.runcontext import RunContext
from kubeclip.renderer.runenv import compact_json, is_loopback_url, reserved_by, run_env_pairs

if TYPE_CHECKING:
    from collections.abc import Callable

    from kubeclip.renderer.kube_types import EnvFromSource, EnvVar, EnvVarSource


class EnvStages:
    config: AgentConfig
    facts: PodFacts
    run: RunContext
    source: str
    reveal: bool
    name: str  # the Job's
    agent_id: str
    secret_name: str
    prompt_key: str
    nonce: str | None
    env: dict[str, EnvVar]
    deny: tuple[str, ...]
    is_secret: Callable[[str, str], bool]
    secret_values: list[str]
    string_data: dict[str, str]
    notes: list[str]
    warnings: list[str]
    skipped: list[str]
    problems: list[str]

    def fail(self, path: str, message: str) -> NoReturn:
        raise InputError(self.source, [*self.problems, f"{path}: {message}"])

    def problem(self, path: str, message: str) -> None:
        """A mistake that stops no later stage: reported with all the others at the end
        (:meth:`raise_problems`), so a config is fixed in one go, not one error per run."""
        self.problems.append(f"{path}: {message}")

    def raise_problems(self) -> None:
        if self.problems:
            raise InputError(self.source, self.problems)

    def to_secret(self, key: str, value: str) -> EnvVarSource:
        key = naming.run_secret_key(self.name, key)
        if len(key) > 253:  # a Secret key's limit; only a variable name of ~185+ characters
            self.fail("env", f"the run Secret's key {key[:60]}… is longer than 253 characters: "
                      "shorten that variable's name")  # fmt: skip
        self.secret_values.append(value)
        self.string_data[key] = value if self.reveal else REDACTED
        return {"secretKeyRef": {"name": self.secret_name, "key": key}}

    # --- env: defaults < inherited < config < run context -------------------------------------
    def put(self, name: str, value: str | None = None, source: EnvVarSource | None = None) -> None:
        var: EnvVar = {"name": name}
        if source is not None:
            var["valueFrom"] = source
        else:
            var["value"] = k8s_escape(value or "")
        self.env[name] = var

    def put_literal(self, name: str, value: str) -> bool:
        """A literal value: into the run Secret when it is a credential. True if it was."""
        if self.is_secret(name, value):
            self.put(name, source=self.to_secret(f"env.{name}", value))
            return True
        self.put(name, value)
        return False

    def authorship(self) -> None:
        """The run Secret carries the nonce, the Job only its SHA-256: the pod script starts
        the agent only on a Secret that hashes to the Job's proof (why: RUNNER_SCRIPT)."""
        if self.nonce is None:
            self.put("KUBECLIP_RUN_PROOF", REVIEW_PROOF)
            self.notes.append(
                "rendered for review: this Job's pod refuses to start the agent; "
                "`kubeclip run` renders it again with a proof of authorship and applies it"
            )
            return
        if not re.fullmatch(r"[0-9a-f]{64}", self.nonce):
            raise ValueError("a run nonce is 64 lowercase hex digits (32 random bytes)")
        self.put("KUBECLIP_RUN_NONCE", source=self.to_secret(SECRET_NONCE_KEY, self.nonce))
        self.put("KUBECLIP_RUN_PROOF", hashlib.sha256(self.nonce.encode()).hexdigest())

    def base_env(self) -> None:
        self.put("HOME", PAPERCLIP_MOUNT)
        # OpenCode keeps every session in one SQLite database in WAL mode under
        # $XDG_DATA_HOME, whose -shm file is shared memory: one database shared by pods on
        # several nodes over a network filesystem can be corrupted. One per agent, on the claim
        # (resume works across pods). The config's env may set it explicitly.
        self.put("XDG_DATA_HOME", posixpath.join(
            PAPERCLIP_MOUNT, ".kubeclip", "agents", naming.agent_dir(self.agent_id),
            "opencode-data"))  # fmt: skip
        self.put("KUBECLIP_PROMPT_FILE", posixpath.join(PROMPT_DIR, self.prompt_key))
        self.put("OPENCODE_DISABLE_PROJECT_CONFIG", "true")
        if self.config["dangerouslySkipPermissions"]:
            # Per pod, never on the shared volume: one agent's bypass must not leak to another.
            self.put("OPENCODE_CONFIG_CONTENT", '{"permission":{"external_directory":"allow"}}')

    def inherited_env(self) -> None:
        self.inherited_names: list[str] = []
        allowed = self.config["inherit"]["env"]
        for var in self.facts["env"]:
            vname = var.get("name", "")
            if not _matches(vname, allowed):
                self.skipped.append(vname)
            elif _matches(vname, self.deny):
                self.skipped.append(f"{vname} (denied)")
            elif reserved_by(vname, "inherited"):
                self.skipped.append(f"{vname} (reserved)")
            elif "valueFrom" in var:
                self.put(vname, source=var["valueFrom"])
                self.inherited_names.append(f"{vname} (by reference)")
            elif self.put_literal(vname, var.get("value", "")):
                self.inherited_names.append(f"{vname} (value moved to the run Secret)")
            else:
                self.inherited_names.append(vname)

    def config_env(self) -> None:
        for vname, value in self.config["env"].items():
            owner = reserved_by(vname, "config")
            if owner:
                self.problem(f"env.{vname}", f"is set by {owner} and cannot be overridden; "
                             "remove it")  # fmt: skip
                continue
            if isinstance(value, str):
                self.put_literal(vname, value)
            else:
                self.put(vname, source=value)

    def run_env(self) -> None:
        run = self.run
        extra = run.get("env") or {}
        taken = sorted(k for k in extra if reserved_by(k, "run"))
        if taken:
            raise InputError(
                "run context",
                [f"env.{k}: is reserved (set from the run context's own fields or by "
                 "kubeclip); remove it" for k in taken],
            )  # fmt: skip
        known_url = self.env.get("PAPERCLIP_API_URL", {})
        reachable = "valueFrom" in known_url or (
            bool(known_url.get("value")) and not is_loopback_url(known_url.get("value", ""))
        )
        for vname, val in [*run_env_pairs(run, reachable), *extra.items()]:
            self.put_literal(vname, val)
        for vname, val in (run.get("agentEnv") or {}).items():
            if reserved_by(vname, "run"):
                self.notes.append(f"run agentEnv {vname}: reserved, not passed")
            elif _matches(vname, self.deny):
                self.notes.append(f"run agentEnv {vname}: denied (inherit.envDeny), not passed")
            else:
                self.put(vname, source=self.to_secret(f"env.{vname}", val))
        self._opencode_config()
        if run.get("authToken"):
            self.put("PAPERCLIP_API_KEY", source=self.to_secret(SECRET_API_KEY, run["authToken"]))
        self._api_url_warnings()

    def _opencode_config(self) -> None:
        generated = self.run.get("opencodeConfig")
        if generated is None:
            return
        merged = dict(generated)
        if self.config["dangerouslySkipPermissions"]:
            permission = merged.get("permission")
            merged["permission"] = {
                **(permission if isinstance(permission, dict) else {}),
                "external_directory": "allow",
            }
        # it may hold provider keys Paperclip resolved: the Secret, never the spec
        self.put(
            "OPENCODE_CONFIG_CONTENT",
            source=self.to_secret(SECRET_OPENCODE_CONFIG, compact_json(merged)),
        )

    def _api_url_warnings(self) -> None:
        url = self.env.get("PAPERCLIP_API_URL")
        if url is None:
            self.warnings.append(
                "no PAPERCLIP_API_URL: set paperclipApiUrl in the run context or "
                "env.PAPERCLIP_API_URL, or the agent cannot call Paperclip"
            )
        elif is_loopback_url(url.get("value", "")):
            self.warnings.append(
                f"PAPERCLIP_API_URL {url.get('value')} is a loopback address: the agent pod "
                "cannot reach Paperclip there; set env.PAPERCLIP_API_URL in the agent config "
                "to Paperclip's Service (e.g. http://paperclip.paperclip.svc:3100)"
            )

    def env_from(self) -> None:
        self.env_from_entries: list[EnvFromSource] = []
        self.inherited_env_from: list[str] = []
        for entry in self.facts["envFrom"]:
            ref = entry.get("secretRef") or entry.get("configMapRef") or {}
            kind = "secret" if "secretRef" in entry else "configMap"
            if ref.get("name") and _matches(ref["name"], self.config["inherit"]["envFrom"]):
                self.env_from_entries.append(entry)
                self.inherited_env_from.append(f"{kind} {ref['name']}")
            elif ref.get("name"):
                self.skipped.append(f"envFrom {kind} {ref['name']}")

