"""Building a run's plan: defaults < Paperclip pod < agent config < run context, decided in
named stages (:func:`build_plan`), each a function of the run's inputs that returns what it
decided. Two rules keep secrets out of specs: the Job plan never holds a secret value
(only references into the per-run Secret), and credential-looking literal env values, from
the Paperclip container or from the config, are moved into that Secret
(:class:`kubeclip.renderer.envstages.Draft`). The plan's types and constants are in
:mod:`kubeclip.renderer.plan`.
"""

from __future__ import annotations

import posixpath
from typing import TYPE_CHECKING, Any

from kubeclip.errors import InputError
from kubeclip.renderer import envstages, naming
from kubeclip.renderer.config import AgentConfig
from kubeclip.renderer.digest import invocation_digest
from kubeclip.renderer.draft import Command, Draft, Identity, Inputs, Mounts, Pod, Review
from kubeclip.renderer.kube_types import KeyToPath
from kubeclip.renderer.plan import (
    CONTAINER,
    DEFAULT_RESTRICTED_ANNOTATIONS,
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
from kubeclip.renderer.runcontext import RunContext
from kubeclip.renderer.runenv import compact_json, resume_session
from kubeclip.renderer.runfiles import run_files

if TYPE_CHECKING:
    from kubeclip.renderer.kube_types import Volume, VolumeMount


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
    :func:`kubeclip.run.request.new_nonce`); without one the Job is for review only and its
    pod refuses to start the agent. The stages run in this order; each takes what it reads
    as arguments, so a test can call any one of them alone.
    """
    inputs = Inputs(
        config, facts, run, config_source, reveal_secrets, attempt,
        resolve_namespace(namespace_flag, config, facts, namespace_fallback), slot, nonce,
    )  # fmt: skip
    review = Review(config_source)
    who = identity(inputs, review)
    draft = Draft(inputs, review, who.name, who.secret_name)
    prompt_key = secret_material(inputs, draft)
    envstages.authorship(inputs, draft)
    envstages.base_env(inputs, draft, who.agent_id, prompt_key)
    inherited_env = envstages.inherited_env(inputs, draft)
    envstages.config_env(inputs, draft)
    envstages.run_env(inputs, draft)
    env_from, inherited_env_from = envstages.env_from(inputs, review)
    files = run_files(inputs, draft)
    mounts = volumes(inputs, review, who, [_prompt_item(who, prompt_key), *files])
    cmd = command(inputs, draft)
    review.raise_problems()
    inherited = inheritance_report(inputs, review, inherited_env, inherited_env_from,
                                   mounts.inherited)  # fmt: skip
    return assemble(inputs, who, draft, Pod(mounts, cmd, env_from), inherited)


# --- identity: names, labels select, annotations keep the raw ids ---------------------------
def identity(inputs: Inputs, review: Review) -> Identity:
    config, facts, run, slot = inputs.config, inputs.facts, inputs.run, inputs.slot
    agent = run["agent"]
    agent_id, run_id = agent["id"], run["runId"]
    # The same inputs are the same invocation (a restarted runner, --detach then run): the
    # same Job. Other inputs under the same run id (a fresh retry) are another Job.
    invocation = invocation_digest(config, facts, run)
    name = naming.job_name(agent_id, agent.get("name"), run_id, inputs.attempt, invocation)
    if not 0 <= slot < config["concurrency"]["maxRunsPerAgent"]:
        raise ValueError(f"slot {slot} is not one of the agent's run slots")
    if config["concurrency"]["maxRunsPerAgent"] > 1:
        runtime = inputs.runtime
        review.warnings.append(
            f"concurrency.maxRunsPerAgent > 1: runs of this agent at once share one "
            f"{runtime.title} {runtime.state_note} and one workspace; on a network "
            "filesystem only one pod at a time is safe"
        )
    if facts["namespace"] and inputs.namespace != facts["namespace"]:
        review.warnings.append(
            f"the Job goes to namespace {inputs.namespace!r} but Paperclip runs in "
            f"{facts['namespace']!r}: the claim {facts['claim']['claimName']!r} and every "
            "inherited Secret, ConfigMap and imagePullSecret must exist in the Job's "
            "namespace"
        )
    image = config["image"] or facts["image"]
    if not image:
        review.fail("image", "the Paperclip container has no image; set image in the config")
    task_id = inputs.ctx.get("taskId") or inputs.ctx.get("issueId")
    labels = {
        "app.kubernetes.io/name": "kubeclip",
        naming.MANAGED_BY: "kubeclip",
        naming.COMPONENT: "agent-run",
        naming.LABEL_AGENT: naming.label_value(agent_id),
        naming.LABEL_RUN: naming.label_value(run_id),
        naming.LABEL_COMPANY: naming.label_value(agent["companyId"]),
    }
    if task_id:
        labels[naming.LABEL_TASK] = naming.label_value(task_id)
    reserved = [k for k in config["labels"] if k in labels]
    if reserved:
        review.problem(
            "labels",
            f"{', '.join(reserved)} is set by kubeclip (the runner selects on it); remove it",
        )
    ids = {
        f"{naming.DOMAIN}/agent-id": agent_id,
        f"{naming.DOMAIN}/run-id": run_id,
        f"{naming.DOMAIN}/company-id": agent["companyId"],
        f"{naming.DOMAIN}/invocation": invocation,
    }
    if agent.get("name"):
        ids[f"{naming.DOMAIN}/agent-name"] = agent["name"]
    if task_id:
        ids[f"{naming.DOMAIN}/task-id"] = task_id
    return Identity(agent_id, run_id, name, naming.run_secret_name(agent_id, slot), image,
                    labels, ids)  # fmt: skip


# --- secret material: the prompt ------------------------------------------------------------
def secret_material(inputs: Inputs, draft: Draft) -> str:
    """The prompt into the run Secret; returns its key there."""
    prompt: str = inputs.run["prompt"]
    prompt_bytes = prompt.encode("utf-8")
    if len(prompt_bytes) <= PROMPT_GZIP_ABOVE:
        draft.string_data[naming.run_secret_key(draft.job_name, SECRET_PROMPT_KEY)] = prompt
        return SECRET_PROMPT_KEY
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
    key = naming.run_secret_key(draft.job_name, SECRET_PROMPT_GZ_KEY)
    draft.data[key] = base64.b64encode(packed).decode("ascii")
    draft.review.notes.append(f"prompt: {len(prompt_bytes)} bytes, stored gzip-compressed")
    return SECRET_PROMPT_GZ_KEY


# --- volumes: the claim, the run Secret, inherited secret volumes, scratch dirs -------------
def _prompt_item(who: Identity, prompt_key: str) -> KeyToPath:
    return {"key": naming.run_secret_key(who.name, prompt_key), "path": prompt_key}


def volumes(inputs: Inputs, review: Review, who: Identity, items: list[KeyToPath]) -> Mounts:
    """``items``: the run Secret's keys as files under PROMPT_DIR (the prompt, the run's)."""
    claim = inputs.facts["claim"]
    volume_list: list[Volume] = [
        {"name": "paperclip", "persistentVolumeClaim": {"claimName": claim["claimName"]}},
        {
            "name": "kubeclip-run",
            "secret": {
                "secretName": who.secret_name,
                "items": items,
                "defaultMode": 0o440,
            },
        },
    ]  # fmt: skip
    mounts: list[VolumeMount] = [
        {"name": "paperclip", "mountPath": PAPERCLIP_MOUNT},
        {"name": "kubeclip-run", "mountPath": PROMPT_DIR, "readOnly": True},
    ]
    if claim["subPath"]:
        mounts[0]["subPath"] = claim["subPath"]
    inherited: list[str] = []
    for sv in inputs.facts["secretVolumes"]:
        vol_name = sv["volume"].get("name", "")
        if not _matches(vol_name, inputs.config["inherit"]["secretVolumes"]):
            review.skipped.append(f"secret volume {vol_name}")
            continue
        if vol_name in ("paperclip", "kubeclip-run"):
            review.fail("inherit.secretVolumes", f"volume name {vol_name!r} is kubeclip's own")
        volume_list.append(sv["volume"])
        for m in sv["mounts"]:
            mounts.append({**m, "readOnly": True})
            inherited.append(f"{vol_name} at {m.get('mountPath')}")
    for i, path in enumerate(dict.fromkeys(inputs.run.get("scratchDirs") or [])):
        normal = posixpath.normpath(path)
        if normal != path or _under(path, PAPERCLIP_MOUNT) or _under(path, PROMPT_DIR):
            raise InputError(
                "run context",
                [f"scratchDirs[{i}]: {path!r} must be a normalised absolute path outside "
                 f"{PAPERCLIP_MOUNT} and {PROMPT_DIR}"],
            )  # fmt: skip
        volume_list.append({"name": f"scratch-{i}", "emptyDir": {}})
        mounts.append({"name": f"scratch-{i}", "mountPath": path})
        review.notes.append(f"scratch directory {path}: empty, pod-local")
    return Mounts(volume_list, mounts, inherited)


# --- the command: constant script, user values as argv --------------------------------------
def command(inputs: Inputs, draft: Draft) -> Command:
    """The CLI's argv, in the order its Paperclip adapter builds it: the mode, flags the
    CLI wants first, the session, the permission bypass, the model and its variant, then
    the config's extraArgs (and for Codex the session after them, then ``-``)."""
    config, review, runtime = inputs.config, draft.review, inputs.runtime
    argv = [config["command"] or runtime.command, *runtime.mode]
    extra = list(config["extraArgs"])
    for flag in runtime.early_flags:
        if flag in extra:
            extra.remove(flag)
            argv.append(flag)
    cwd = inputs.ws.get("cwd") or PAPERCLIP_MOUNT
    session, not_resumed = resume_session(inputs.run, cwd, runtime)
    if session and not runtime.resume_last:
        argv += _filled(runtime.resume, "{session}", session)
    elif not_resumed:
        review.warnings.append(not_resumed)
    if config["dangerouslySkipPermissions"]:
        argv += runtime.skip_permissions_args
    argv += _filled(runtime.model, "{model}", config["model"])
    if config["variant"] and runtime.variant:
        argv += _filled(runtime.variant, "{variant}", config["variant"])
    elif config["variant"]:
        review.problem("variant", f"{runtime.title} has no variant flag; remove it (Codex: "
                       "-c model_reasoning_effort=\"high\" in extraArgs)")
    for i, arg in enumerate(config["extraArgs"]):
        flag = arg.split("=", 1)[0]
        if flag in runtime.owned_flags:
            review.problem(
                f"extraArgs[{i}]",
                f"{flag} is set by kubeclip (model/variant come from the config, sessions "
                "are resumed by kubeclip, the output format is JSON); remove it",
            )
    argv += extra
    if session and runtime.resume_last:
        argv += _filled(runtime.resume, "{session}", session)
    argv += runtime.tail
    draft.put("KUBECLIP_WORKDIR", cwd)  # entered by RUNNER_SCRIPT (why: see there)
    if not _under(cwd, PAPERCLIP_MOUNT):
        review.warnings.append(
            f"the workspace cwd {cwd!r} is outside {PAPERCLIP_MOUNT}: it exists in the "
            "agent pod only if the image has it"
        )
    script = ["/bin/sh", "-c", RUNNER_SCRIPT, "kubeclip-agent", *(k8s_escape(a) for a in argv)]
    return Command(script, cwd, session)


def _filled(template: tuple[str, ...], field: str, value: str) -> list[str]:
    """A runtime's argv template with one value in: each element stays one argv element."""
    return [value if part == field else part for part in template]


# --- the plan: the Job's and the Secret's values, the run contract, the report --------------
def inheritance_report(
    inputs: Inputs, review: Review, env: list[str], env_from: list[str], volumes: list[str]
) -> dict[str, Any]:
    """What came from the Paperclip pod (written onto the Job for reviewers)."""
    inherit, facts = inputs.config["inherit"], inputs.facts
    if review.skipped:
        review.notes.append("not inherited: " + ", ".join(review.skipped))
    return {
        "from": facts["source"],
        "env": env,
        "envFrom": env_from,
        "secretVolumes": volumes,
        "imagePullSecrets": facts["imagePullSecrets"] if inherit["imagePullSecrets"] else [],
        "dns": bool(inherit["dns"] and (facts["dnsPolicy"] or facts["dnsConfig"])),
    }


def assemble(
    inputs: Inputs, who: Identity, draft: Draft, pod: Pod, inherited: dict[str, Any]
) -> Plan:
    labels = {**inputs.config["labels"], **who.labels}
    secret = SecretPlan(
        name=who.secret_name,
        namespace=inputs.namespace,
        labels=labels,
        annotations=who.ids,
        stringData=draft.string_data,
        data=draft.data,
    )
    review = draft.review
    return Plan(
        run=run_plan(inputs, who, pod.command),
        job=job_plan(inputs, who, draft, pod, inherited, labels),
        secret=secret,
        inherited=inherited,
        notes=review.notes,
        warnings=review.warnings,
        secretValues=[v for v in draft.secret_values if len(v) >= 8],  # shorter: uncheckable
    )


def job_plan(
    inputs: Inputs, who: Identity, draft: Draft, pod: Pod, inherited: dict[str, Any],
    labels: dict[str, str],
) -> JobPlan:  # fmt: skip
    config, facts = inputs.config, inputs.facts
    inherit_dns = config["inherit"]["dns"]
    annotations = {**who.ids, f"{naming.DOMAIN}/inherited": compact_json(inherited)}
    return JobPlan(
        name=who.name,
        namespace=inputs.namespace,
        container=CONTAINER,
        labels=labels,
        annotations={**config["annotations"], **annotations},
        podLabels=labels,
        podAnnotations={**DEFAULT_RESTRICTED_ANNOTATIONS, **config["annotations"], **who.ids},
        activeDeadlineSeconds=config["timeoutSec"] or None,
        ttlSecondsAfterFinished=(
            None if config["retainJobs"] else config["ttlSecondsAfterFinished"]
        ),
        terminationGracePeriodSeconds=config["graceSec"],
        serviceAccountName=config["serviceAccountName"],
        automountServiceAccountToken=bool(config["serviceAccountName"]),
        image=who.image or "",
        imagePullPolicy=config["imagePullPolicy"],
        imagePullSecrets=[{"name": n} for n in inherited["imagePullSecrets"]],
        dnsPolicy=facts["dnsPolicy"] if inherit_dns else None,
        dnsConfig=facts["dnsConfig"] if inherit_dns else None,
        nodeSelector=config["nodeSelector"],
        tolerations=config["tolerations"],
        affinity=config["affinity"],
        priorityClassName=config["priorityClassName"],
        runtimeClassName=config["runtimeClassName"],
        command=pod.command.argv,
        env=list(draft.env.values()),
        envFrom=pod.env_from,
        resources={
            "requests": config["resources"]["requests"],
            "limits": config["resources"]["limits"],
        },
        volumes=pod.mounts.volumes,
        volumeMounts=pod.mounts.mounts,
        secretName=who.secret_name,
    )


def run_plan(inputs: Inputs, who: Identity, cmd: Command) -> RunPlan:
    config = inputs.config
    return RunPlan(
        namespace=inputs.namespace,
        jobName=who.name,
        secretName=who.secret_name,
        container=CONTAINER,
        selector={k: who.labels[k] for k in (naming.LABEL_RUN, naming.LABEL_AGENT)},
        agentId=who.agent_id,
        runId=who.run_id,
        resumesSession=cmd.session is not None,
        timeoutSec=config["timeoutSec"],
        graceSec=config["graceSec"],
        scheduleTimeoutSec=config["scheduleTimeoutSec"],
        idleTimeoutSec=config["idleTimeoutSec"],
        retainJobs=config["retainJobs"],
        maxRunsPerAgent=config["concurrency"]["maxRunsPerAgent"],
        whenBusy=config["concurrency"]["whenBusy"],
    )
