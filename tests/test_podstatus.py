"""How the runner reads pod status: each failure a user can hit gets its own reason."""

from __future__ import annotations

from typing import Any

from kubeclip.cluster.podstatus import PodView, job_failure, job_finished
from kubeclip.cluster.podstatus import view as container_view


def view(pod: dict[str, Any]) -> PodView:
    return container_view(pod, "agent")


def pod(phase: str = "Pending", **status: Any) -> dict[str, Any]:
    return {"metadata": {"name": "p"}, "spec": {"nodeName": "node-1"},
            "status": {"phase": phase, **status}}  # fmt: skip


def container(state: dict[str, Any], name: str = "agent") -> dict[str, Any]:
    return {"containerStatuses": [{"name": name, "image": "img:1", "state": state}]}


def test_stages_in_order() -> None:
    assert view(pod()).stage == "pending"
    scheduled = pod(conditions=[{"type": "PodScheduled", "status": "True"}])
    assert view(scheduled).stage == "scheduled" and "node-1" in view(scheduled).detail
    creating = pod(**container({"waiting": {"reason": "ContainerCreating"}}))
    assert view(creating).stage == "creating"
    running = pod("Running", **container({"running": {"startedAt": "2026-11-25T09:00:00Z"}}))
    assert view(running).stage == "running"


def test_image_pull_failures_fail_fast_with_the_image() -> None:
    for reason in ("ErrImagePull", "ImagePullBackOff", "InvalidImageName"):
        v = view(pod(**container({"waiting": {"reason": reason, "message": "not found"}})))
        assert v.failure is not None and v.failure.reason == "image_pull_failed"
        assert "img:1" in v.failure.message and reason in v.failure.message


def test_unschedulable_says_why() -> None:
    msg = "0/3 nodes are available: pod has unbound immediate PersistentVolumeClaims."
    v = view(pod(conditions=[{"type": "PodScheduled", "status": "False",
                              "reason": "Unschedulable", "message": msg}]))  # fmt: skip
    assert v.stage == "unschedulable" and v.detail == msg and v.failure is None


def test_oom_and_exit_codes() -> None:
    t = view(pod("Failed", **container({"terminated": {"exitCode": 137, "reason": "OOMKilled"}})))
    assert t.terminated is not None and t.terminated.reason == "OOMKilled"
    ok = view(pod("Succeeded", **container({"terminated": {"exitCode": 0}})))
    assert ok.terminated is not None and ok.terminated.reason == "Completed"


def test_eviction_and_init_failure() -> None:
    evicted = view(pod("Failed", reason="Evicted", message="The node was low on resource: memory."))
    assert evicted.failure is not None and evicted.failure.reason == "evicted"
    assert "low on resource" in evicted.failure.message
    failed_init = {"name": "setup", "state": {"terminated": {"exitCode": 2, "reason": "Error"}}}
    init = view(pod(initContainerStatuses=[failed_init]))
    assert init.failure is not None and init.failure.reason == "create_failed"
    assert "setup" in init.failure.message


def test_config_error_is_not_final_by_itself() -> None:
    v = view(pod(**container({"waiting": {"reason": "CreateContainerConfigError",
                                          "message": 'secret "kc-x-run" not found'}})))  # fmt: skip
    assert v.failure is None and "kc-x-run" in v.config_error_mentions


def test_job_verdicts() -> None:
    deadline = {"status": {"conditions": [
        {"type": "Failed", "status": "True", "reason": "DeadlineExceeded"}]}}  # fmt: skip
    failure = job_failure(deadline)
    assert failure is not None and failure.reason == "timed_out"
    assert job_finished(deadline)
    assert not job_finished({"status": {"active": 1}})


def test_an_oom_kill_is_the_agents_only_when_the_pod_script_died_of_it() -> None:
    # OOMKilled names the container's cgroup: a real kubelet reports it when the kernel killed
    # any process in the pod, even with the agent exiting 0 (seen on the real node).
    from kubeclip.cluster.podstatus import Terminated, agent_outcome

    def outcome(code: int, reason: str = "OOMKilled") -> tuple[str, str]:
        o = agent_outcome(Terminated(code, reason, None, None))
        return o.reason.value, o.message

    assert outcome(137)[0] == "oom_killed" and "resources.limits.memory" in outcome(137)[1]
    reason, message = outcome(0)
    assert reason == "succeeded" and "a process in the pod was killed" in message
    reason, message = outcome(3)
    assert reason == "failed" and "code 3" in message and "OOMKilled" in message
    assert outcome(0, "Completed") == ("succeeded", "the agent finished")
    assert outcome(137, "Error")[0] == "failed"


def test_a_config_error_names_its_fix() -> None:
    from kubeclip.cluster.podstatus import config_error_fix

    root = "container has runAsNonRoot and image will run as root (pod: p, container: agent)"
    assert "securityContext.runAsUser" in config_error_fix(root)
    assert "inherit.env" in config_error_fix('secret "creds" not found')
    assert config_error_fix("something else") == ""
