"""An agent starts only on a run Secret its own runner wrote (issue #22, 5 and 15), on the
real control plane and node: the pod script's check runs in busybox's sh with its
sha256sum, the Secret reaches the container through the real kubelet.

The Job is created before its Secret (the Secret is owned by it), so someone who can
create Secrets in the namespace and watch Jobs can plant one under the run Secret's name,
owned by the new Job, in between. On a cluster that is a race the attacker can win; here
the attacker wins it every time: the Secret is planted by a connection wrapped around the
runner's, just before the runner's own create.
"""

from __future__ import annotations

import io
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import yaml

from kubeclip.cluster.kube import Kube, connect
from kubeclip.renderer import naming
from kubeclip.renderer.builder import build_plan
from kubeclip.renderer.pipeline import load_inputs
from kubeclip.renderer.plan import REFUSED_EXIT
from kubeclip.renderer.render import render
from kubeclip.run.output import Output
from kubeclip.run.request import new_nonce
from kubeclip.run.runner import Runner
from kubeclip.run.spec import RunSpec
from tests.realkube.cluster import NAMESPACE, RealCluster
from tests.test_real_run import ROOT, Agent, scenario

ATTACK = scenario("print('ATTACKER PROMPT RAN', flush=True)")
REAL = scenario("print('the real prompt ran', flush=True)")
SECRETS = f"/api/v1/namespaces/{NAMESPACE}/secrets"


def _spec(agent: Agent) -> RunSpec:
    """The run as `kubeclip run` renders it: with a proof of authorship."""
    argv = agent.argv(REAL)
    config, facts, run = load_inputs(*(argv[argv.index(f) + 1] for f in ("--config", "--pod",
                                                                         "--run")))  # fmt: skip
    assert facts is not None
    return RunSpec(render(build_plan(config, facts, run, reveal_secrets=True, nonce=new_nonce())))


def _planted(job: dict[str, Any], spec: RunSpec) -> dict[str, Any]:
    """What an attacker can predict: the name, the keys (prefixed with the Job's name), the
    owner (the Job's uid, from a watch); a nonce of their own."""
    name = job["metadata"]["name"]
    return {
        "apiVersion": "v1", "kind": "Secret",
        "metadata": {
            "name": spec.run["secretName"], "namespace": NAMESPACE,
            "ownerReferences": [{"apiVersion": "batch/v1", "kind": "Job", "name": name,
                                 "uid": job["metadata"]["uid"]}],
        },
        "stringData": {naming.run_secret_key(name, "prompt"): ATTACK,
                       naming.run_secret_key(name, "run-nonce"): new_nonce()},
    }  # fmt: skip


class _Attacked(Kube):
    """The runner's own connection; the attacker's Secret lands just before its create."""

    def __init__(self, kube: Kube, real: RealCluster, spec: RunSpec) -> None:
        super().__init__(kube.api_client)
        self.real, self.spec = real, spec
        self.job: dict[str, Any] | None = None

    def request(self, method: str, path: str, **kw: Any) -> Any:
        if method == "POST" and path.endswith("/secrets") and self.job is not None:
            self.real.api.post(SECRETS, _planted(self.job, self.spec))
            self.job = None
        reply = super().request(method, path, **kw)
        if method == "POST" and path.endswith("/jobs"):
            self.job = reply
        return reply


def test_a_secret_planted_for_the_new_job_never_starts_the_agent(
    real: RealCluster, tmp_path: Path
) -> None:
    agent = Agent(real, tmp_path)
    spec = _spec(agent)
    kube = _Attacked(Kube(connect(str(real.kubeconfig)).api_client), real, spec)
    stdout, stderr = io.BytesIO(), io.StringIO()
    result = Runner(kube, spec, Output(io.TextIOWrapper(stdout), stderr)).run()
    assert result.reason == "create_failed", (result.message, stderr.getvalue())
    assert "planted" in result.message and "was not written by this run" in result.message
    assert b"ATTACKER" not in stdout.getvalue()
    # the runner deleted its Job; the planted Secret, owned by it, goes with it
    assert agent.leftovers() == {}


def test_a_job_whose_secret_does_not_hash_to_its_proof_refuses_to_start(
    real: RealCluster, tmp_path: Path
) -> None:
    # the Secret lost the race to the pod: whatever the runner does next, the pod itself
    # must not start the agent on it
    agent = Agent(real, tmp_path)
    spec = _spec(agent)
    job = real.api.post(f"/apis/batch/v1/namespaces/{NAMESPACE}/jobs", spec.document("Job"))
    real.api.post(SECRETS, _planted(job, spec))
    container = _terminated(real, agent)
    assert container["exitCode"] == REFUSED_EXIT
    log = _log(real, agent)
    assert "ATTACKER" not in log
    assert "refusing to start the agent: the run Secret was not written by the kubeclip run" in log
    _delete_job(real, job["metadata"]["name"])
    assert agent.leftovers() == {}


def test_render_output_applied_by_hand_never_starts_the_agent(
    real: RealCluster, tmp_path: Path
) -> None:
    # `kubeclip render | kubectl apply -f -`: placeholders for credentials, a Secret with no
    # owner that nobody wipes. render is for review: its Job refuses, and says what to use.
    agent = Agent(real, tmp_path)
    argv = agent.argv(REAL)
    for reveal in ([], ["--reveal-secrets"]):
        out = subprocess.run(
            [sys.executable, "-m", "kubeclip", "render", *argv[1:7], *reveal],
            capture_output=True, text=True, cwd=ROOT, check=True,
        ).stdout  # fmt: skip
        docs = [d for d in yaml.safe_load_all(out) if d]
        for doc in docs:  # the Secret first, as kubectl applies a list in order
            kind = "jobs" if doc["kind"] == "Job" else "secrets"
            group = "/apis/batch/v1" if kind == "jobs" else "/api/v1"
            real.api.post(f"{group}/namespaces/{NAMESPACE}/{kind}", doc)
        container = _terminated(real, agent)
        assert container["exitCode"] == REFUSED_EXIT, container
        log = _log(real, agent)
        assert "the real prompt ran" not in log
        assert "this Job is the output of kubeclip render, which is for review only" in log
        secret = next(d for d in docs if d["kind"] == "Secret")
        _delete_job(real, next(d for d in docs if d["kind"] == "Job")["metadata"]["name"])
        real.api.delete(f"{SECRETS}/{secret['metadata']['name']}")
        assert agent.leftovers() == {}


def _terminated(real: RealCluster, agent: Agent, timeout: float = 60) -> dict[str, Any]:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        for pod in agent.pods():
            for status in (pod.get("status") or {}).get("containerStatuses") or []:
                done = (status.get("state") or {}).get("terminated")
                if done:
                    return dict(done)
        time.sleep(0.2)
    raise TimeoutError(f"no pod of {agent.id} ended: {agent.pods()}")


def _log(real: RealCluster, agent: Agent) -> str:
    pod = agent.pods()[0]["metadata"]["name"]
    return real.api.text(f"/api/v1/namespaces/{NAMESPACE}/pods/{pod}/log")


def _delete_job(real: RealCluster, name: str) -> None:
    real.api.delete(f"/apis/batch/v1/namespaces/{NAMESPACE}/jobs/{name}",
                    {"propagationPolicy": "Background"})  # fmt: skip


