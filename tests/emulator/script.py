"""How the simulated kubelet runs a pod."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class PodScript:
    """One scenario for a pod created by the Job controller.

    The kubelet goes: Pending (``schedule_delay``) -> scheduled -> ContainerCreating
    (``start_delay``) -> Running (one log line every ``line_interval`` seconds) -> terminated
    with ``exit_code``. The other fields replace part of that path with a failure.
    """

    log_lines: list[str] = field(default_factory=list)
    line_interval: float = 0.0
    exit_code: int = 0
    # e.g. "OOMKilled": the container is terminated with exitCode 137 and that reason.
    termination_reason: str | None = None
    # The pull error's message: waiting ErrImagePull, then ImagePullBackOff; stays Pending.
    image_pull_error: str | None = None
    # waiting InvalidImageName; stays Pending.
    invalid_image: bool = False
    # PodScheduled=False reason Unschedulable with this message; stays Pending.
    unschedulable: str | None = None
    # waiting CreateContainerConfigError with this message; stays Pending.
    create_container_config_error: str | None = None
    # Seconds after the container starts: phase Failed, reason Evicted. The container keeps
    # running (after its log lines) until then.
    evict_after: float | None = None
    # The Job controller cannot create the pod: a FailedCreate Event with this message.
    admission_error: str | None = None
    # The first init container (or a synthetic one if the pod has none) exits 1.
    init_failure: bool = False
    schedule_delay: float = 0.0
    start_delay: float = 0.0
    # Keeps running after its log lines until deleted or the Job's deadline.
    hang: bool = False
    # Lines written to the container's log on stderr are not distinguished: the kubelet
    # interleaves both streams, so everything goes to the one log.
