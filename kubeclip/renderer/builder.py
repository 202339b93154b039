"""Building a run's plan: defaults < Paperclip pod < agent config < run context, decided in
named stages (:class:`PlanBuilder`). Two rules keep secrets out of specs: the Job plan never
holds a secret value (only references into the per-run Secret), and credential-looking
literal env values, from the Paperclip container or from the config, are moved into that
Secret. The plan's types and constants are in :mod:`kubeclip.renderer.plan`.
"""

from __future__ import annotations

import posixpath
from typing import TYPE_CHECKING, Any

from kubeclip.errors import InputError
from kubeclip.renderer import credentials, naming
from kubeclip.renderer.config import AgentConfig
from kubeclip.renderer.digest import invocation_digest
from kubeclip.renderer.envstages import EnvStages
from kubeclip.renderer.plan import (
    BUILTIN_ENV_DENY,
    CONTAINER,
    DEFAULT_RESTRICTED_ANNOTATIONS,
    OWNED_FLAGS,
    PROMPT_DIR,
    PROMPT_GZIP_ABOVE,
    RUNNER_SCRIPT,
    SECRET_LIMIT,
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
    compact_json,
    resume_session,
)

if TYPE_CHECKING:
    from kubeclip.renderer.kube_types import (
        EnvVar,
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
    slot: int = 0,
    nonce: str | None = None,
) -> Plan:
    """Decide every value of the run's manifests. Errors name ``config_source``.

    ``attempt`` > 0 names a retry of the same run (e.g. fresh after an unknown session):
    same labels and run id, another Job name. ``slot`` is the agent's run slot whose
    Secret (and lock, :func:`naming.run_secret_name`) the Job uses; the runner renders
    another slot when this one is busy. The namespace follows
    :func:`resolve_namespace`; the validated config is never written to. ``nonce`` is the
    runner's secret proof of authorship (random, one per rendering it applies,
    :func:`kubeclip.run.request.new_nonce`); without one the Job is for review only and its pod
    refuses to start the agent. The stages run in this order, each a method of
    :class:`PlanBuilder` a test can call.
    """
    builder = PlanBuilder(
        config, facts, run, reveal_secrets=reveal_secrets, config_source=config_source,
        attempt=attempt, slot=slot, nonce=nonce, namespace=resolve_namespace(
            namespace_flag, config, facts, namespace_fallback),
    )  # fmt: skip
    builder.identity()
    builder.secret_material()
    builder.authorship()
    builder.base_env()
    builder.inherited_env()
    builder.config_env()
    builder.run_env()
    builder.env_from()
    builder.volumes()
    builder.command()
    builder.raise_problems()
    return builder.plan()


class PlanBuilder(EnvStages):
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
        slot: int = 0,
        nonce: str | None = None,
    ) -> None:
        self.config, self.facts, self.run = config, facts, run
        self.nonce = nonce
        self.reveal, self.source, self.attempt = reveal_secrets, config_source, attempt
        self.namespace, self.slot = namespace, slot
        self.ctx: dict[str, Any] = run.get("context") or {}
        self.ws = workspace(run)
        self.warnings: list[str] = []
        self.notes: list[str] = []
        self.skipped: list[str] = []  # not inherited, for the reviewer
        self.problems: list[str] = []  # the user's mistakes, reported together
        self.secret_values: list[str] = []
        self.string_data: dict[str, str] = {}
        self.data: dict[str, str] = {}
        self.env: dict[str, EnvVar] = {}
        inherit = config["inherit"]
        self.deny = (*BUILTIN_ENV_DENY, *inherit["envDeny"])
        self.is_secret = credentials.judge(config["secretEnv"]["always"],
                                           config["secretEnv"]["never"])  # fmt: skip

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
        if not 0 <= self.slot < config["concurrency"]["maxRunsPerAgent"]:
            raise ValueError(f"slot {self.slot} is not one of the agent's run slots")
        self.secret_name = naming.run_secret_name(self.agent_id, self.slot)
        if config["concurrency"]["maxRunsPerAgent"] > 1:
            self.warnings.append(
                "concurrency.maxRunsPerAgent > 1: runs of this agent at once share one OpenCode "
                "database (SQLite, WAL mode, under XDG_DATA_HOME) and one workspace; on a network "
                "filesystem only one pod at a time is safe"
            )
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
            self.problem(
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
    def secret_material(self) -> None:
        prompt: str = self.run["prompt"]
        prompt_bytes = prompt.encode("utf-8")
        if len(prompt_bytes) <= PROMPT_GZIP_ABOVE:
            self.prompt_key = SECRET_PROMPT_KEY
            self.string_data[naming.run_secret_key(self.name, self.prompt_key)] = prompt
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
        key = naming.run_secret_key(self.name, self.prompt_key)
        self.data[key] = base64.b64encode(packed).decode("ascii")
        self.notes.append(f"prompt: {len(prompt_bytes)} bytes, stored gzip-compressed")

    # --- volumes: the claim, the run Secret, inherited secret volumes, scratch dirs ---------
    def volumes(self) -> None:
        claim = self.facts["claim"]
        self.volume_list: list[Volume] = [
            {"name": "paperclip", "persistentVolumeClaim": {"claimName": claim["claimName"]}},
            {
                "name": "kubeclip-run",
                "secret": {
                    "secretName": self.secret_name,
                    "items": [{"key": naming.run_secret_key(self.name, self.prompt_key),
                               "path": self.prompt_key}],
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
        self.cwd = self.ws.get("cwd") or PAPERCLIP_MOUNT
        self.session, not_resumed = resume_session(self.run, self.cwd)
        if self.session:
            argv += ["--session", self.session]
        elif not_resumed:
            self.warnings.append(not_resumed)
        argv += ["--model", config["model"]]
        if config["variant"]:
            argv += ["--variant", config["variant"]]
        for i, arg in enumerate(config["extraArgs"]):
            flag = arg.split("=", 1)[0]
            if flag in OWNED_FLAGS:
                self.problem(
                    f"extraArgs[{i}]",
                    f"{flag} is set by kubeclip (model/variant come from the config, sessions "
                    "are resumed by kubeclip, the output format is JSON); remove it",
                )
        argv += extra
        self.argv = ["/bin/sh", "-c", RUNNER_SCRIPT, "kubeclip-agent",
                     *(k8s_escape(a) for a in argv)]  # fmt: skip
        self.put("KUBECLIP_WORKDIR", self.cwd)  # entered by RUNNER_SCRIPT (why: see there)
        if not _under(self.cwd, PAPERCLIP_MOUNT):
            self.warnings.append(
                f"the workspace cwd {self.cwd!r} is outside {PAPERCLIP_MOUNT}: it exists in the "
                "agent pod only if the image has it"
            )

    # --- the plan: the Job's and the Secret's values, the run contract, the report ----------
    def plan(self) -> Plan:
        inherited = self.inheritance_report()
        labels = {**self.config["labels"], **self.labels}
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
            job=self.job_plan(inherited, labels),
            secret=secret,
            inherited=inherited,
            notes=self.notes,
            warnings=self.warnings,
            secretValues=[v for v in self.secret_values if len(v) >= 8],  # shorter: uncheckable
        )

    def inheritance_report(self) -> dict[str, Any]:
        """What came from the Paperclip pod (written onto the Job for reviewers)."""
        inherit, facts = self.config["inherit"], self.facts
        if self.skipped:
            self.notes.append("not inherited: " + ", ".join(self.skipped))
        return {
            "from": facts["source"],
            "env": self.inherited_names,
            "envFrom": self.inherited_env_from,
            "secretVolumes": self.inherited_volumes,
            "imagePullSecrets": facts["imagePullSecrets"] if inherit["imagePullSecrets"] else [],
            "dns": bool(inherit["dns"] and (facts["dnsPolicy"] or facts["dnsConfig"])),
        }

    def job_plan(self, inherited: dict[str, Any], labels: dict[str, str]) -> JobPlan:
        config, facts = self.config, self.facts
        inherit_dns = config["inherit"]["dns"]
        annotations = {**self.ids, f"{naming.DOMAIN}/inherited": compact_json(inherited)}
        return JobPlan(
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
            imagePullSecrets=[{"name": n} for n in inherited["imagePullSecrets"]],
            dnsPolicy=facts["dnsPolicy"] if inherit_dns else None,
            dnsConfig=facts["dnsConfig"] if inherit_dns else None,
            nodeSelector=config["nodeSelector"],
            tolerations=config["tolerations"],
            affinity=config["affinity"],
            priorityClassName=config["priorityClassName"],
            runtimeClassName=config["runtimeClassName"],
            command=self.argv,
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
            idleTimeoutSec=config["idleTimeoutSec"],
            retainJobs=config["retainJobs"],
            maxRunsPerAgent=config["concurrency"]["maxRunsPerAgent"],
            whenBusy=config["concurrency"]["whenBusy"],
        )
