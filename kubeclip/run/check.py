"""``kubeclip check``: prove a cluster is ready before the first agent run fails.

Each check is pass / warn / fail with a hint. ``--json`` prints Paperclip's
testEnvironment shape: ``{status, checks: [{code, level, message, hint}], testedAt}``.
Permissions are asked of the API itself (SelfSubjectAccessReview) for every entry of
:data:`kubeclip.cluster.permissions.PERMISSIONS`, the same list the runner's calls are held to.
"""

from __future__ import annotations

import argparse
import json
import sys
import uuid
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any

from kubeclip.cluster.permissions import PERMISSIONS, describe
from kubeclip.cluster.resources import (
    ACCESS_REVIEWS,
    CLAIMS,
    NAMESPACES,
    SECRETS,
    self_subject_reviews,
)
from kubeclip.cluster.retry import RETRY
from kubeclip.errors import KubeclipError, Reason
from kubeclip.run.checkreport import CHART_HINT, Report

if TYPE_CHECKING:  # the check imports the client and the renderer only when it runs
    from kubeclip.cluster.kube import Kube
    from kubeclip.renderer.config import AgentConfig
    from kubeclip.renderer.plan import Plan
    from kubeclip.renderer.podfacts import PodFacts

@dataclass(frozen=True)
class CheckRequest:
    """What `kubeclip check` looks at: the agent config (a file, or data as the native
    adapter's form sends it), where the Paperclip pod comes from, the connection, the Jobs'
    namespace, and whether to run the smoke Job."""

    config_file: str | None = None
    config: dict[str, Any] | None = None
    pod_file: str | None = None
    from_pod: str | None = None
    kubeconfig: str | None = None
    context: str | None = None
    namespace: str | None = None
    smoke: bool = False

    @property
    def config_source(self) -> str | None:
        if self.config is not None:
            return "the adapter's config"
        return self.config_file

    @classmethod
    def from_args(cls, args: argparse.Namespace) -> CheckRequest:
        return cls(config_file=args.config, pod_file=args.pod, from_pod=args.from_pod,
                   kubeconfig=args.kubeconfig, context=args.context, namespace=args.namespace,
                   smoke=args.smoke)  # fmt: skip


def check_command(args: argparse.Namespace) -> int:
    report = run_checks(CheckRequest.from_args(args))
    if args.json or args.output == "json":
        sys.stdout.write(json.dumps(report.to_json(), indent=2) + "\n")
    else:
        sys.stdout.write(report.table())
    return 1 if report.status == "fail" else 0


def run_checks(args: CheckRequest) -> Report:
    """Every check, in the order a user fixes them: inputs, API, identity, namespace,
    permissions, claim, config render, secrets, and the optional smoke Job."""
    from kubeclip.cluster.introspect import live_pod_facts, self_pod_ref
    from kubeclip.cluster.kube import ApiError, Kube, connect
    from kubeclip.renderer.config import parse_config
    from kubeclip.renderer.plan import resolve_namespace

    report = Report()
    config, facts = _local_inputs(args, report)
    try:
        connection = connect(args.kubeconfig or (config["kubeconfig"] if config else None),
                             args.context)  # fmt: skip
    except KubeclipError as e:
        report.add("api_reachable", "fail", str(e), "pass --kubeconfig or run in the cluster")
        return report
    kube = Kube(connection.api_client, policy=replace(RETRY, attempts=2))
    try:
        version = kube.version()
    except ApiError as e:
        report.add("api_reachable", "fail", f"{connection.server}: {e}", "check the connection")
        return report
    git_version = version.get("gitVersion")
    report.add("api_reachable", "pass", f"Kubernetes {git_version} at {connection.server}")
    _check_identity(kube, str(git_version or "?"), version, report)

    if facts is None and not args.pod_file:
        try:
            pod_ns, pod_name = self_pod_ref(args.from_pod, connection)
            facts = live_pod_facts(kube, connection, pod_ns, pod_name)
        except KubeclipError as e:
            report.add(
                "paperclip_pod", "warn", f"Paperclip pod not inspected: {e}",
                "pass --pod FILE or --from-pod NS/NAME to check the claim and secrets",
            )  # fmt: skip
    namespace = resolve_namespace(
        args.namespace, config or parse_config({"model": "kubeclip/check"}), facts,
        connection.namespace,
    )
    _check_namespace(kube, namespace, report)
    _check_permissions(kube, namespace, report)
    if facts is not None:
        _check_claim(kube, namespace, facts["claim"]["claimName"], report)
        plan = _check_render(args.config_source, config, facts, namespace, report)
        _check_secrets(kube, namespace, facts, plan, report)
    if args.smoke:
        _smoke(args, kube, namespace, config, facts, report)
    return report


def _local_inputs(
    args: CheckRequest, report: Report
) -> tuple[AgentConfig | None, PodFacts | None]:
    from kubeclip.renderer.config import load_config, parse_config
    from kubeclip.renderer.podfacts import load_pod_facts

    config: AgentConfig | None = None
    if args.config_source:
        try:
            config = (parse_config(args.config, args.config_source) if args.config is not None
                      else load_config(args.config_source))  # fmt: skip
        except KubeclipError as e:
            report.add("config", "fail", str(e), "fix the agent config (`kubeclip validate`)")
    facts: PodFacts | None = None
    if args.pod_file:
        try:
            facts = load_pod_facts(args.pod_file)
        except KubeclipError as e:
            report.add("paperclip_pod", "fail", str(e))
    return config, facts


def _check_namespace(kube: Kube, namespace: str, report: Report) -> None:
    from kubeclip.cluster.kube import ApiError, Forbidden, NotFound

    try:
        kube.get(NAMESPACES, namespace)
        report.add("namespace", "pass", f"namespace {namespace} exists")
    except NotFound:
        report.add("namespace", "fail", f"namespace {namespace} does not exist",
                   f"kubectl create namespace {namespace}")  # fmt: skip
    except Forbidden:
        report.add("namespace", "warn", f"may not read namespace {namespace}", CHART_HINT)
    except ApiError as e:
        report.add("namespace", "warn", f"namespace {namespace}: {e}")


def _check_render(
    source: str | None, config: AgentConfig | None, facts: PodFacts, namespace: str,
    report: Report,
) -> Plan | None:
    """The config renders against this pod (and its plan tells which Secrets it needs)."""
    from kubeclip.renderer.builder import build_plan
    from kubeclip.renderer.render import render

    if config is None or source is None:
        return None
    run = {
        "runId": "kubeclip-check",
        "agent": {"id": "kubeclip-check", "companyId": "kubeclip-check"},
        "prompt": "kubeclip check",
    }
    try:
        plan = build_plan(config, facts, run, config_source=source, namespace_flag=namespace)
    except KubeclipError as e:
        report.add("config", "fail", str(e), "fix the agent config or the templates")
        return None
    try:
        render(plan)
    except KubeclipError as e:
        report.add("config", "fail", str(e), "fix the agent config or the templates")
        return plan
    report.add("config", "pass", f"{source} validates and renders")
    return plan


SELF_SUBJECT_REVIEW = (("v1", 28), ("v1beta1", 27), ("v1alpha1", 26))  # version, since 1.x


def _minor(version: dict[str, Any]) -> int | None:
    try:
        return int(str(version.get("minor", "")).rstrip("+"))
    except ValueError:
        return None


def _check_identity(kube: Any, git_version: str, version: dict[str, Any], report: Report) -> None:
    """Who kubeclip runs as. SelfSubjectReview exists since 1.26 (v1alpha1, behind a gate),
    v1beta1 in 1.27, v1 in 1.28: older clusters cannot answer, and nothing can be granted."""
    from kubeclip.cluster.kube import ApiError, Forbidden, NotFound

    minor = _minor(version)
    candidates = [v for v, since in SELF_SUBJECT_REVIEW if minor is None or minor >= since]
    for api_version in candidates:
        try:
            review = kube.create(self_subject_reviews(api_version), {
                "apiVersion": f"authentication.k8s.io/{api_version}",
                "kind": "SelfSubjectReview"})  # fmt: skip
        except (NotFound, Forbidden) as e:
            # RBAC answers 403 before routing, so an API this server lacks may look forbidden
            last: ApiError = e
            continue
        except ApiError as e:
            report.add("identity", "warn", f"cannot tell who kubeclip runs as: {e}")
            return
        user = ((review.get("status") or {}).get("userInfo") or {}).get("username", "?")
        report.add("identity", "pass", f"running as {user}")
        return
    if not candidates:
        report.add(
            "identity", "warn",
            f"who kubeclip runs as is not shown: SelfSubjectReview is not available on "
            f"Kubernetes {git_version} (it needs 1.26 or newer); nothing to grant",
        )  # fmt: skip
        return
    report.add("identity", "warn", f"cannot tell who kubeclip runs as: {last}")


def _check_permissions(kube: Any, namespace: str, report: Report) -> None:
    from kubeclip.cluster.kube import ApiError

    missing: list[str] = []
    for perm in PERMISSIONS:
        if perm.default_granted:
            continue
        resource, _, sub = perm.resource.partition("/")
        for verb in perm.verbs:
            attrs = {"namespace": namespace, "verb": verb, "group": perm.group,
                     "resource": resource}  # fmt: skip
            if sub:
                attrs["subresource"] = sub
            try:
                review = kube.create(ACCESS_REVIEWS, {
                    "apiVersion": "authorization.k8s.io/v1", "kind": "SelfSubjectAccessReview",
                    "spec": {"resourceAttributes": attrs}})  # fmt: skip
            except ApiError as e:
                report.add("permissions", "warn", f"cannot review permissions: {e}")
                return
            if not (review.get("status") or {}).get("allowed"):
                missing.append(f"{verb} {describe(perm.group, perm.resource)} ({perm.why})")
    if missing:
        report.add(
            "permissions", "fail",
            f"missing in namespace {namespace}: " + "; ".join(missing), CHART_HINT,
        )  # fmt: skip
    else:
        count = sum(len(p.verbs) for p in PERMISSIONS if not p.default_granted)
        report.add("permissions", "pass", f"all {count} permissions granted in {namespace}")


def _check_claim(kube: Any, namespace: str, claim: str, report: Report) -> None:
    from kubeclip.cluster.kube import ApiError, Forbidden, NotFound

    try:
        pvc = kube.get(CLAIMS, claim, namespace)
    except NotFound:
        report.add(
            "paperclip_claim", "fail",
            f"claim {claim} (mounted at /paperclip by Paperclip) not found in {namespace}",
            "the agent Jobs mount the same claim: create it there (charts/kubeclip "
            "persistence) or run the Jobs in Paperclip's namespace",
        )  # fmt: skip
        return
    except Forbidden:
        report.add("paperclip_claim", "warn", f"may not read claim {claim}", CHART_HINT)
        return
    except ApiError as e:
        report.add("paperclip_claim", "warn", f"claim {claim}: {e}")
        return
    phase = (pvc.get("status") or {}).get("phase")
    modes = (pvc.get("spec") or {}).get("accessModes") or []
    if phase != "Bound":
        report.add("paperclip_claim", "fail", f"claim {claim} is {phase or 'not bound'}",
                   "check its StorageClass and provisioner (kubectl describe pvc)")  # fmt: skip
    elif "ReadWriteMany" not in modes:
        report.add(
            "paperclip_claim", "warn",
            f"claim {claim} is {', '.join(modes) or 'without access modes'}, not ReadWriteMany",
            "agent pods on other nodes than Paperclip cannot mount it; use an RWX "
            "StorageClass (NFS, CephFS, EFS, Filestore, Azure Files, Longhorn RWX)",
        )  # fmt: skip
    else:
        report.add("paperclip_claim", "pass", f"claim {claim} is Bound and ReadWriteMany")


def _check_secrets(kube: Any, namespace: str, facts: Any, plan: Any, report: Report) -> None:
    from kubeclip.cluster.kube import ApiError, Forbidden, NotFound

    names: dict[str, str] = {}
    for name in facts["imagePullSecrets"]:
        names.setdefault(name, "imagePullSecret")
    if plan is not None:
        job = plan["job"]
        for env in job["env"]:
            ref = (env.get("valueFrom") or {}).get("secretKeyRef")
            if ref and ref.get("name") != job["secretName"] and not ref.get("optional"):
                names.setdefault(ref["name"], f"env {env['name']}")
        for entry in job["envFrom"]:
            if "secretRef" in entry:
                names.setdefault(entry["secretRef"]["name"], "envFrom")
        for volume in job["volumes"]:
            secret = volume.get("secret") or {}
            if secret.get("secretName") and secret["secretName"] != job["secretName"]:
                names.setdefault(secret["secretName"], f"volume {volume['name']}")
    missing, unknown = [], []
    for name, use in sorted(names.items()):
        try:
            kube.get(SECRETS, name, namespace)
        except NotFound:
            missing.append(f"{name} ({use})")
        except (Forbidden, ApiError):
            unknown.append(name)
    if missing:
        report.add("secrets", "fail", f"missing in {namespace}: {', '.join(missing)}",
                   "create them in the Jobs' namespace")  # fmt: skip
    elif unknown:
        report.add("secrets", "warn", f"could not verify: {', '.join(unknown)}", CHART_HINT)
    else:
        report.add("secrets", "pass", f"{len(names)} referenced secret(s) exist")


def _smoke(
    args: CheckRequest, kube: Any, namespace: str, config: Any, facts: Any, report: Report
) -> None:
    """Run the agent image with `echo` instead of its agent CLI and read the line back."""
    import io

    from kubeclip.renderer.builder import build_plan
    from kubeclip.renderer.config import parse_config
    from kubeclip.renderer.render import render
    from kubeclip.renderer.runtimes import OPENCODE, RUNTIMES
    from kubeclip.run.output import Output
    from kubeclip.run.request import new_nonce
    from kubeclip.run.runner import Runner
    from kubeclip.run.spec import RunSpec

    if facts is None:
        report.add("smoke", "fail", "no Paperclip pod to take the image and claim from",
                   "pass --pod FILE or --from-pod NS/NAME")  # fmt: skip
        return
    runtime = RUNTIMES.get(str((config or {}).get("runtime")), OPENCODE)
    raw: dict[str, Any] = {"runtime": runtime.key,
                           "model": (config or {}).get("model") or "kubeclip/smoke"}
    if config and config.get("image"):
        raw["image"] = config["image"]
    smoke = parse_config({**raw, "command": "echo", "timeoutSec": 300, "graceSec": 1,
                          "scheduleTimeoutSec": 60})  # fmt: skip
    run_id = f"smoke-{uuid.uuid4().hex[:8]}"
    run = {"runId": run_id, "agent": {"id": "kubeclip-smoke", "companyId": "kubeclip"},
           "prompt": "smoke"}  # fmt: skip
    plan = build_plan(smoke, facts, run, reveal_secrets=True, namespace_flag=namespace,
                      nonce=new_nonce())  # fmt: skip
    spec = RunSpec(render(plan))
    captured = io.BytesIO()
    stdout, stderr = io.TextIOWrapper(captured, encoding="utf-8"), io.StringIO()
    result = Runner(kube, spec, Output(stdout, stderr)).run()
    text = captured.getvalue().decode("utf-8", "replace")
    if result.reason is Reason.SUCCEEDED and " ".join(runtime.mode) in text:
        report.add("smoke", "pass", f"a Job ran in {namespace} and its log was read back")
    else:
        report.add("smoke", "fail", f"{result.reason}: {result.message}",
                   "run `kubeclip run` with the same settings to see its progress")  # fmt: skip
