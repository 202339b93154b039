"""Reading a pod's status: what stage it is in, and whether it failed for good.

Pure functions of the raw Pod body, so every rule is unit-testable and the runner
stays a loop of "watch event in, decision out".
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

from kubeclip.errors import Reason

IMAGE_PULL = frozenset(
    {"ErrImagePull", "ImagePullBackOff", "InvalidImageName", "ErrImageNeverPull"}
)
CONFIG_ERRORS = frozenset(
    {"CreateContainerConfigError", "CreateContainerError", "RunContainerError"}
)
# What the kubelet 1.20 says when a container cannot be configured, and the fix (as seen on
# a real node): the user is told what to change, not only what the kubelet refused.
CONFIG_ERROR_FIXES = (
    ("image will run as root", "the image's user is root: keep the template's "
     "securityContext.runAsUser (1000), or build the image with a non-root numeric USER"),
    ("image has non-numeric user", "set securityContext.runAsUser in the template, or give "
     "the image a numeric USER"),
    ("not found", "create that Secret/ConfigMap in the Job's namespace, or stop inheriting "
     "the variable that references it (inherit.env, inherit.envFrom)"),
    ("couldn't find key", "add that key to the Secret/ConfigMap, or stop inheriting the "
     "variable that references it"),
)  # fmt: skip


def config_error_fix(message: str) -> str:
    """The fix for a CreateContainerConfigError message, as a suffix ("" if none known)."""
    return next((f"; {fix}" for needle, fix in CONFIG_ERROR_FIXES if needle in message), "")


Stage = Literal[
    "pending", "unschedulable", "scheduled", "creating", "running", "terminated", "failed"
]


@dataclass(frozen=True)
class Failure:
    reason: Reason
    message: str


@dataclass(frozen=True)
class Terminated:
    exit_code: int
    reason: str  # the kubelet's: Completed, Error, OOMKilled, ...
    started_at: str | None
    finished_at: str | None


@dataclass(frozen=True)
class PodView:
    stage: Stage
    detail: str
    failure: Failure | None = None
    terminated: Terminated | None = None
    started_at: str | None = None
    config_error_mentions: str = ""  # the message of a CreateContainerConfigError, if any


def _container(statuses: list[dict[str, Any]], name: str) -> dict[str, Any] | None:
    return next((s for s in statuses if s.get("name") == name), statuses[0] if statuses else None)


def view(pod: dict[str, Any], container: str) -> PodView:
    """The pod's stage, read in order of precedence: the pod's own end (eviction,
    deadline), its init containers, the agent's container, then the pod's phase."""
    status = pod.get("status") or {}
    conditions = {c.get("type"): c for c in status.get("conditions") or []}
    return (
        _pod_ended(status, conditions)
        or _init_failed(status)
        or _agent_container(status, container)
        or _phase(pod, status, conditions)
    )


def _pod_ended(status: dict[str, Any], conditions: dict[str, Any]) -> PodView | None:
    disrupted = conditions.get("DisruptionTarget", {}).get("status") == "True"
    if status.get("reason") == "Evicted" or (status.get("phase") == "Failed" and disrupted):
        msg = status.get("message") or conditions.get("DisruptionTarget", {}).get("message", "")
        failure = Failure(Reason.EVICTED, f"the pod was evicted: {msg}".strip())
        return PodView("failed", msg, failure)
    if status.get("reason") == "DeadlineExceeded":
        return PodView("failed", "deadline", Failure(Reason.TIMED_OUT, "the run hit its timeout"))
    return None


def _init_failed(status: dict[str, Any]) -> PodView | None:
    for init in status.get("initContainerStatuses") or []:
        term = (init.get("state") or {}).get("terminated")
        if term and term.get("exitCode", 0) != 0:
            message = (
                f"init container {init.get('name')} failed with exit code "
                f"{term.get('exitCode')} ({term.get('reason', 'Error')})"
            )
            return PodView("failed", "init", Failure(Reason.CREATE_FAILED, message))
        waiting = (init.get("state") or {}).get("waiting") or {}
        if waiting.get("reason") in IMAGE_PULL:
            return _pull_failure(waiting, init.get("image", ""))
    return None


def _agent_container(status: dict[str, Any], container: str) -> PodView | None:
    cs = _container(status.get("containerStatuses") or [], container)
    if not cs:
        return None
    state = cs.get("state") or {}
    if "terminated" in state:
        t = state["terminated"]
        term = Terminated(
            exit_code=int(t.get("exitCode", 1)),
            reason=t.get("reason") or ("Completed" if t.get("exitCode") == 0 else "Error"),
            started_at=t.get("startedAt"),
            finished_at=t.get("finishedAt"),
        )
        return PodView("terminated", term.reason, terminated=term, started_at=t.get("startedAt"))
    if "running" in state:
        return PodView("running", "", started_at=state["running"].get("startedAt"))
    waiting = state.get("waiting") or {}
    reason = waiting.get("reason", "")
    if reason in IMAGE_PULL:
        return _pull_failure(waiting, cs.get("image", ""))
    if reason in CONFIG_ERRORS:
        return PodView("creating", reason, config_error_mentions=waiting.get("message", reason))
    if reason == "ContainerCreating":
        return PodView("creating", "pulling the image and starting the container")
    if reason:
        return PodView("creating", reason)
    return None


def _phase(pod: dict[str, Any], status: dict[str, Any], conditions: dict[str, Any]) -> PodView:
    if status.get("phase", "Pending") == "Failed":
        msg = status.get("message") or status.get("reason") or "the pod failed"
        return PodView("failed", msg, Failure(Reason.POD_LOST, msg))
    sched = conditions.get("PodScheduled")
    if sched and sched.get("status") == "False":
        return PodView("unschedulable", sched.get("message") or sched.get("reason", ""))
    if sched and sched.get("status") == "True":
        node = (pod.get("spec") or {}).get("nodeName")
        return PodView("scheduled", f"on node {node}" if node else "")
    return PodView("pending", "waiting for the scheduler")


def _pull_failure(waiting: dict[str, Any], image: str) -> PodView:
    reason = waiting.get("reason", "ErrImagePull")
    msg = waiting.get("message") or reason
    message = f"cannot pull image {image or ''}: {reason}: {msg}".strip()
    return PodView("failed", reason, Failure(Reason.IMAGE_PULL_FAILED, message))


def job_failure(job: dict[str, Any]) -> Failure | None:
    """The Job's own verdict, e.g. DeadlineExceeded when activeDeadlineSeconds ran out."""
    for cond in (job.get("status") or {}).get("conditions") or []:
        # FailureTarget (Kubernetes >= 1.31) is set before the pods are terminated
        if cond.get("type") in ("Failed", "FailureTarget") and cond.get("status") == "True":
            if cond.get("reason") == "DeadlineExceeded":
                return Failure(Reason.TIMED_OUT, "the run hit its timeout (activeDeadlineSeconds)")
            message = cond.get("message") or cond.get("reason") or "Job failed"
            return Failure(Reason.POD_LOST, message)
    return None


def job_finished(job: dict[str, Any]) -> bool:
    for cond in (job.get("status") or {}).get("conditions") or []:
        if cond.get("type") in ("Complete", "Failed") and cond.get("status") == "True":
            return True
    return False


OOM_FIX = "raise resources.limits.memory in the agent config"


def agent_outcome(t: Terminated) -> Failure:
    """What the agent container's end says about the agent (a real kubelet's report).

    ``OOMKilled`` names the container's cgroup, not the process: the kernel may have killed
    any process in the pod. When PID 1 (the pod script, which exits with the agent's
    status) ends by SIGKILL, the agent was the one killed; any other exit is the agent's
    own, and an OOM kill of a child (a tool, a test run) is said alongside it — never a
    silent "succeeded", never a false "the agent was killed".
    """
    oom = t.reason == "OOMKilled"
    if oom and t.exit_code == 137:
        return Failure(Reason.OOM_KILLED, f"the agent was killed: out of memory (OOMKilled); "
                       f"{OOM_FIX}")  # fmt: skip
    child = (f"; a process in the pod was killed for lack of memory (OOMKilled): {OOM_FIX}"
             if oom else "")  # fmt: skip
    if t.exit_code == 0:
        return Failure(Reason.SUCCEEDED, "the agent finished" + child)
    return Failure(Reason.FAILED, f"the agent exited with code {t.exit_code} ({t.reason})" + child)
