"""Introspection of the Paperclip workload: a pure function of one object."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import pytest
import yaml

from kubeclip.errors import InputError
from kubeclip.renderer.podfacts import extract_pod_facts, load_pod_facts

ROOT = Path(__file__).resolve().parent.parent
DEPLOYMENT: dict[str, Any] = yaml.safe_load(
    (ROOT / "examples/paperclip-deployment.yaml").read_text()
)


def _pod_spec(obj: dict[str, Any]) -> dict[str, Any]:
    spec: dict[str, Any] = obj["spec"]["template"]["spec"]
    return spec


def test_deployment_facts() -> None:
    facts = extract_pod_facts(DEPLOYMENT)
    assert facts["namespace"] == "paperclip"
    assert facts["image"] == "ghcr.io/paperclipai/paperclip:2026.916.2"
    assert facts["imagePullSecrets"] == ["ghcr-pull"]
    assert facts["dnsPolicy"] == "ClusterFirst"
    assert facts["claim"] == {"claimName": "paperclip-shared", "subPath": None}
    assert [v["volume"]["name"] for v in facts["secretVolumes"]] == ["gcp-sa"]
    assert [e["name"] for e in facts["env"]][:3] == ["PORT", "PAPERCLIP_HOME", "PAPERCLIP_API_URL"]
    assert len(facts["envFrom"]) == 2


def test_same_object_same_facts_and_input_untouched() -> None:
    before = copy.deepcopy(DEPLOYMENT)
    assert extract_pod_facts(DEPLOYMENT) == extract_pod_facts(DEPLOYMENT)
    assert before == DEPLOYMENT


def test_container_named_paperclip_wins_over_first() -> None:
    obj = copy.deepcopy(DEPLOYMENT)
    _pod_spec(obj)["containers"].insert(
        0,
        {
            "name": "proxy",
            "image": "envoy",
            "volumeMounts": [{"name": "data", "mountPath": "/paperclip"}],
        },
    )
    assert extract_pod_facts(obj)["image"] == "ghcr.io/paperclipai/paperclip:2026.916.2"
    _pod_spec(obj)["containers"][1]["name"] = "server"
    assert extract_pod_facts(obj)["image"] == "envoy"  # no "paperclip": the first container


def test_no_paperclip_mount_is_a_clear_error() -> None:
    obj = copy.deepcopy(DEPLOYMENT)
    container = _pod_spec(obj)["containers"][0]
    container["volumeMounts"] = [m for m in container["volumeMounts"] if m["name"] != "data"]
    with pytest.raises(InputError) as err:
        extract_pod_facts(obj, "pod.yaml")
    assert "no volume mounted at /paperclip" in str(err.value)
    assert "ReadWriteMany" in str(err.value)
    assert str(err.value).startswith("pod.yaml: ")


def test_paperclip_mount_from_emptydir_is_refused() -> None:
    obj = copy.deepcopy(DEPLOYMENT)
    _pod_spec(obj)["volumes"][0] = {"name": "data", "emptyDir": {}}
    with pytest.raises(InputError, match=r"volume 'data' \(emptyDir\)"):
        extract_pod_facts(obj)


def test_read_only_paperclip_mount_is_refused() -> None:
    obj = copy.deepcopy(DEPLOYMENT)
    _pod_spec(obj)["containers"][0]["volumeMounts"][0]["readOnly"] = True
    with pytest.raises(InputError, match="read-only"):
        extract_pod_facts(obj)


def test_statefulset_claim_template_is_refused() -> None:
    sts = {
        "kind": "StatefulSet",
        "metadata": {"name": "paperclip"},
        "spec": {
            "volumeClaimTemplates": [{"metadata": {"name": "home"}}],
            "template": {"spec": {"containers": [
                {"name": "paperclip", "image": "x", "volumeMounts": [
                    {"name": "home", "mountPath": "/paperclip"}]}]}},
        },
    }  # fmt: skip
    with pytest.raises(InputError, match="per-replica claim template 'home'"):
        extract_pod_facts(sts)


def test_list_from_kubectl_and_multiple_workloads(tmp_path: Path) -> None:
    listing = tmp_path / "list.yaml"
    listing.write_text(yaml.safe_dump({"apiVersion": "v1", "kind": "List", "items": [DEPLOYMENT]}))
    assert load_pod_facts(listing)["claim"]["claimName"] == "paperclip-shared"
    two = tmp_path / "two.yaml"
    two.write_text(yaml.safe_dump_all([DEPLOYMENT, DEPLOYMENT]))
    with pytest.raises(InputError, match="several workloads"):
        load_pod_facts(two)
    none = tmp_path / "svc.yaml"
    none.write_text("kind: Service\nmetadata: {name: paperclip}\n")
    with pytest.raises(InputError, match="no Pod, Deployment or StatefulSet"):
        load_pod_facts(none)
