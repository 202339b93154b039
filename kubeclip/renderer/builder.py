"""Building a run's plan: defaults < Paperclip pod < agent config < run context, decided in
named stages (:class:`PlanBuilder`). Two rules keep secrets out of specs: the Job plan never
holds a secret value (only references into the per-run Secret), and credential-looking
literal env values, from the Paperclip container or from the config, are moved into that
Secret. The plan's types and constants are in :mod:`kubeclip.renderer.plan`.
"""

from __future__ import annotations

import posixpath
from typing import TYPE_CHECKING, Any, NoReturn

from kubeclip.errors import InputError
from kubeclip.renderer import credentials, naming
from kubeclip.renderer.config import AgentConfig
from kubeclip.renderer.digest import invocation_digest
from kubeclip.renderer.plan import (
    BUILTIN_ENV_DENY,
    CONFIG_MAY_SET,
    CONTAINER,
    DEFAULT_RESTRICTED_ANNOTATIONS,
    KUBECLIP_ENV,
    OWNED_FLAGS,
    PROMPT_DIR,
    PROMPT_GZIP_ABOVE,
    REDACTED,
    RUNNER_SCRIPT,
    SECRET_API_KEY,
    SECRET_LIMIT,
    SECRET_OPENCODE_CONFIG,
    SECRET_PROMPT_GZ_KEY,
    SECRET_PROMPT_KEY,
    JobPlan,
    Plan,
    RunPlan,
    SecretPlan,
    _matches,
    _under,
    k8s_escape,
    resolve_namespace,
)
from kubeclip.renderer.podfacts import PAPERCLIP_MOUNT, PodFacts
from kubeclip.renderer.runcontext import RunContext, workspace
from kubeclip.renderer.runenv import (
    RUN_ENV,
    compact_json,
    is_loopback_url,
    resume_session,
    run_env_pairs,
)

if TYPE_CHECKING:
    from kubeclip.renderer.kube_types import (
        EnvFromSource,
        EnvVar,
        EnvVarSource,
        Volume,
        VolumeMount,
    )


def build_plan(
    config: AgentConfig,
    facts: PodFacts,
    run: RunContext,
    *,
    reveal_secrets: bool = False,
    config_source: str = "agent config",
    attempt: int = 0,
    namespace_flag: str | None = None,
    namespace_fallback: str | None = None,
) -> Plan:
    """Decide every value of the run's manifests. Errors name ``config_source``.

    ``attempt`` > 0 names a retry of the same run (e.g. fresh after an unknown session):
    same labels and run id, another Job name. The namespace follows
    :func:`resolve_namespace`; the validated config is never written to. The stages run in
    this order, each a method of :class:`PlanBuilder` a test can call.
    """
    builder = PlanBuilder(
        config, facts, run, reveal_secrets=reveal_secrets, config_source=config_source,
        attempt=attempt, namespace=resolve_namespace(
            namespace_flag, config, facts, namespace_fallback),
    )  # fmt: skip
    builder.identity()
    builder.secret_material()
    builder.base_env()
    builder.inherited_env()
    builder.config_env()
    builder.run_env()
    builder.env_from()
    builder.volumes()
    builder.command()
    return builder.plan()


class PlanBuilder:
    """One plan being decided. State shared between the stages: the env being merged (in
    precedence order: defaults < inherited < config < run context), the run Secret's
    contents and what a reviewer is told (notes, warnings, what was not inherited)."""

    def __init__(
        self,
        config: AgentConfig,
        facts: PodFacts,
        run: RunContext,
        *,
        reveal_secrets: bool,
        config_source: str,
        attempt: int,
        namespace: str,
    ) -> None:
        self.config, self.facts, self.run = config, facts, run
        self.reveal, self.source, self.attempt = reveal_secrets, config_source, attempt
        self.namespace = namespace
        self.ctx: dict[str, Any] = run.get("context") or {}
        self.ws = workspace(run)
        self.warnings: list[str] = []
        self.notes: list[str] = []
        self.skipped: list[str] = []  # not inherited, for the reviewer
        self.secret_values: list[str] = []
        self.string_data: dict[str, str] = {}
        self.data: dict[str, str] = {}
        self.env: dict[str, EnvVar] = {}
        inherit = config["inherit"]
        self.deny = (*BUILTIN_ENV_DENY, *inherit["envDeny"])
        self.is_secret = credentials.judge(config["secretEnv"]["always"],
                                           config["secretEnv"]["never"])  # fmt: skip

    def fail(self, path: str, message: str) -> NoReturn:
        raise InputError(self.source, [f"{path}: {message}"])

    # --- identity: names, labels select, annotations keep the raw ids -------------------------
    def identity(self) -> None:
        config, facts, run = self.config, self.facts, self.run
        agent = run["agent"]
        self.agent_id: str = agent["id"]
        self.run_id: str = run["runId"]
        # The same inputs are the same invocation (a restarted runner, --detach then run): the
        # same Job. Other inputs under the same run id (a fresh retry) are another Job.
        invocation = invocation_digest(config, facts, run)
        self.name = naming.job_name(
            self.agent_id, agent.get("name"), self.run_id, self.attempt, invocation
        )
        self.secret_name = f"{self.name}-run"
        if facts["namespace"] and self.namespace != facts["namespace"]:
            self.warnings.append(
                f"the Job goes to namespace {self.namespace!r} but Paperclip runs in "
                f"{facts['namespace']!r}: the claim {facts['claim']['claimName']!r} and every "
                "inherited Secret, ConfigMap and imagePullSecret must exist in the Job's "
                "namespace"
            )
        self.image = config["image"] or facts["image"]
        if not self.image:
            self.fail("image", "the Paperclip container has no image; set image in the config")
        task_id = self.ctx.get("taskId") or self.ctx.get("issueId")
        self.labels = {
            "app.kubernetes.io/name": "kubeclip",
            naming.MANAGED_BY: "kubeclip",
            naming.COMPONENT: "agent-run",
            naming.LABEL_AGENT: naming.label_value(self.agent_id),
            naming.LABEL_RUN: naming.label_value(self.run_id),
            naming.LABEL_COMPANY: naming.label_value(agent["companyId"]),
        }
        if task_id:
            self.labels[naming.LABEL_TASK] = naming.label_value(task_id)
        reserved = [k for k in config["labels"] if k in self.labels]
        if reserved:
            self.fail(
                "labels",
                f"{', '.join(reserved)} is set by kubeclip (the runner selects on it); remove it",
            )
        self.ids = {
            f"{naming.DOMAIN}/agent-id": self.agent_id,
            f"{naming.DOMAIN}/run-id": self.run_id,
            f"{naming.DOMAIN}/company-id": agent["companyId"],
            f"{naming.DOMAIN}/invocation": invocation,
        }
        if agent.get("name"):
            self.ids[f"{naming.DOMAIN}/agent-name"] = agent["name"]
        if task_id:
            self.ids[f"{naming.DOMAIN}/task-id"] = task_id

    # --- secret material: the prompt, and every credential the env needs -------------------
    def to_secret(self, key: str, value: str) -> EnvVarSource:
        self.secret_values.append(value)
        self.string_data[key] = value if self.reveal else REDACTED
        return {"secretKeyRef": {"name": self.secret_name, "key": key}}

    def secret_material(self) -> None:
        prompt: str = self.run["prompt"]
        prompt_bytes = prompt.encode("utf-8")
        if len(prompt_bytes) <= PROMPT_GZIP_ABOVE:
            self.prompt_key = SECRET_PROMPT_KEY
            self.string_data[self.prompt_key] = prompt
            return
        import base64  # only for prompts above the inline limit
        import gzip

        packed = gzip.compress(prompt_bytes, compresslevel=9, mtime=0)
        if len(packed) * 4 // 3 > SECRET_LIMIT:
            raise InputError(
                "prompt",
                [
                    f"is {len(prompt_bytes)} bytes and still {len(packed)} bytes compressed; "
                    "a Kubernetes Secret holds at most 1 MiB: shorten it or attach files "
                    "through the workspace"
                ],
            )
        self.prompt_key = SECRET_PROMPT_GZ_KEY
        self.data[self.prompt_key] = base64.b64encode(packed).decode("ascii")
        self.notes.append(f"prompt: {len(prompt_bytes)} bytes, stored gzip-compressed")

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

    def base_env(self) -> None:
        self.put("HOME", PAPERCLIP_MOUNT)
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
            elif (
                vname in KUBECLIP_ENV
                or vname == "HOME"
                or (vname in RUN_ENV and vname != "PAPERCLIP_API_URL")
            ):
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
            if vname in KUBECLIP_ENV or (vname in RUN_ENV and vname not in CONFIG_MAY_SET):
                owner = "the run context" if vname in RUN_ENV else "kubeclip"
                self.fail(f"env.{vname}", f"is set by {owner} and cannot be overridden; remove it")
            if isinstance(value, str):
                self.put_literal(vname, value)
            else:
                self.put(vname, source=value)

    def run_env(self) -> None:
        run = self.run
        extra = run.get("env") or {}
        taken = sorted(k for k in extra if k in KUBECLIP_ENV or k in RUN_ENV or k == "HOME")
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
            if vname in KUBECLIP_ENV or vname in RUN_ENV or vname == "HOME":
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

    # --- volumes: the claim, the run Secret, inherited secret volumes, scratch dirs ---------
    def volumes(self) -> None:
        claim = self.facts["claim"]
        self.volume_list: list[Volume] = [
            {"name": "paperclip", "persistentVolumeClaim": {"claimName": claim["claimName"]}},
            {
                "name": "kubeclip-run",
                "secret": {
                    "secretName": self.secret_name,
                    "items": [{"key": self.prompt_key, "path": self.prompt_key}],
                    "defaultMode": 0o440,
                },
            },
        ]
        self.mounts: list[VolumeMount] = [
            {"name": "paperclip", "mountPath": PAPERCLIP_MOUNT},
            {"name": "kubeclip-run", "mountPath": PROMPT_DIR, "readOnly": True},
        ]
        if claim["subPath"]:
            self.mounts[0]["subPath"] = claim["subPath"]
        self.inherited_volumes: list[str] = []
        for sv in self.facts["secretVolumes"]:
            vol_name = sv["volume"].get("name", "")
            if not _matches(vol_name, self.config["inherit"]["secretVolumes"]):
                self.skipped.append(f"secret volume {vol_name}")
                continue
            if vol_name in ("paperclip", "kubeclip-run"):
                self.fail("inherit.secretVolumes", f"volume name {vol_name!r} is kubeclip's own")
            self.volume_list.append(sv["volume"])
            for m in sv["mounts"]:
                self.mounts.append({**m, "readOnly": True})
                self.inherited_volumes.append(f"{vol_name} at {m.get('mountPath')}")
        self._scratch_dirs()

    def _scratch_dirs(self) -> None:
        for i, path in enumerate(dict.fromkeys(self.run.get("scratchDirs") or [])):
            normal = posixpath.normpath(path)
            if normal != path or _under(path, PAPERCLIP_MOUNT) or _under(path, PROMPT_DIR):
                raise InputError(
                    "run context",
                    [f"scratchDirs[{i}]: {path!r} must be a normalised absolute path outside "
                     f"{PAPERCLIP_MOUNT} and {PROMPT_DIR}"],
                )  # fmt: skip
            self.volume_list.append({"name": f"scratch-{i}", "emptyDir": {}})
            self.mounts.append({"name": f"scratch-{i}", "mountPath": path})
            self.notes.append(f"scratch directory {path}: empty, pod-local")

    # --- the command: constant script, user values as argv ------------------------------------
    def command(self) -> None:
        config = self.config
        argv = [config["command"], "run", "--format", "json"]
        extra = list(config["extraArgs"])
        if "--print-logs" in extra:  # where opencode_local puts it: before --session/--model
            extra.remove("--print-logs")
            argv.append("--print-logs")
        self.session = resume_session(self.run, self.ws)
        if self.session:
            argv += ["--session", self.session]
        argv += ["--model", config["model"]]
        if config["variant"]:
            argv += ["--variant", config["variant"]]
        for i, arg in enumerate(config["extraArgs"]):
            flag = arg.split("=", 1)[0]
            if flag in OWNED_FLAGS:
                self.fail(
                    f"extraArgs[{i}]",
                    f"{flag} is set by kubeclip (model/variant come from the config, sessions "
                    "are resumed by kubeclip, the output format is JSON); remove it",
                )
        argv += extra
        self.argv = ["/bin/sh", "-c", RUNNER_SCRIPT, "kubeclip-agent",
                     *(k8s_escape(a) for a in argv)]  # fmt: skip
        self.cwd = self.ws.get("cwd") or PAPERCLIP_MOUNT
        if not _under(self.cwd, PAPERCLIP_MOUNT):
            self.warnings.append(
                f"the workspace cwd {self.cwd!r} is outside {PAPERCLIP_MOUNT}: it exists in the "
                "agent pod only if the image has it"
            )

    # --- the plan: the Job's and the Secret's values, the run contract, the report ----------
    def plan(self) -> Plan:
        config, facts = self.config, self.facts
        inherit = config["inherit"]
        pull_secrets = facts["imagePullSecrets"] if inherit["imagePullSecrets"] else []
        dns_policy = facts["dnsPolicy"] if inherit["dns"] else None
        dns_config = facts["dnsConfig"] if inherit["dns"] else None
        inherited: dict[str, Any] = {
            "from": facts["source"],
            "env": self.inherited_names,
            "envFrom": self.inherited_env_from,
            "secretVolumes": self.inherited_volumes,
            "imagePullSecrets": pull_secrets,
            "dns": bool(dns_policy or dns_config),
        }
        if self.skipped:
            self.notes.append("not inherited: " + ", ".join(self.skipped))
        annotations = {**self.ids, f"{naming.DOMAIN}/inherited": compact_json(inherited)}
        labels = {**config["labels"], **self.labels}
        job = JobPlan(
            name=self.name,
            namespace=self.namespace,
            container=CONTAINER,
            labels=labels,
            annotations={**config["annotations"], **annotations},
            podLabels=labels,
            podAnnotations={**DEFAULT_RESTRICTED_ANNOTATIONS, **config["annotations"], **self.ids},
            activeDeadlineSeconds=config["timeoutSec"] or None,
            ttlSecondsAfterFinished=(
                None if config["retainJobs"] else config["ttlSecondsAfterFinished"]
            ),
            terminationGracePeriodSeconds=config["graceSec"],
            serviceAccountName=config["serviceAccountName"],
            automountServiceAccountToken=bool(config["serviceAccountName"]),
            image=self.image or "",
            imagePullPolicy=config["imagePullPolicy"],
            imagePullSecrets=[{"name": n} for n in pull_secrets],
            dnsPolicy=dns_policy,
            dnsConfig=dns_config,
            nodeSelector=config["nodeSelector"],
            tolerations=config["tolerations"],
            affinity=config["affinity"],
            priorityClassName=config["priorityClassName"],
            runtimeClassName=config["runtimeClassName"],
            command=self.argv,
            workingDir=self.cwd,
            env=list(self.env.values()),
            envFrom=self.env_from_entries,
            resources={
                "requests": config["resources"]["requests"],
                "limits": config["resources"]["limits"],
            },
            volumes=self.volume_list,
            volumeMounts=self.mounts,
            secretName=self.secret_name,
        )
        secret = SecretPlan(
            name=self.secret_name,
            namespace=self.namespace,
            labels=labels,
            annotations=self.ids,
            stringData=self.string_data,
            data=self.data,
        )
        return Plan(
            run=self.run_plan(),
            job=job,
            secret=secret,
            inherited=inherited,
            notes=self.notes,
            warnings=self.warnings,
            secretValues=[v for v in self.secret_values if len(v) >= 8],  # shorter: uncheckable
        )

    def run_plan(self) -> RunPlan:
        config = self.config
        return RunPlan(
            namespace=self.namespace,
            jobName=self.name,
            secretName=self.secret_name,
            container=CONTAINER,
            selector={k: self.labels[k] for k in (naming.LABEL_RUN, naming.LABEL_AGENT)},
            agentId=self.agent_id,
            runId=self.run_id,
            resumesSession=self.session is not None,
            timeoutSec=config["timeoutSec"],
            graceSec=config["graceSec"],
            scheduleTimeoutSec=config["scheduleTimeoutSec"],
            retainJobs=config["retainJobs"],
            maxRunsPerAgent=config["concurrency"]["maxRunsPerAgent"],
            whenBusy=config["concurrency"]["whenBusy"],
        )
