"""Every timing of a run in one place (tests and long-lived hosts may pass their own); how
the API is retried is :class:`kubeclip.cluster.retry.RetryPolicy`."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class RunnerSettings:
    # seconds between the main loop's looks at what time alone decides (deadlines, patience);
    # a cancel and a timed second look wake it at once. 0.1 s cost a burst of 100 runs
    # 1,000 wake-ups a second, the largest share of serve's CPU (issue #25).
    tick: float = 1.0
    # seconds without a pod before the Job's events are watched (admission rejections)
    no_pod_events_after: float = 4.0
    # a CreateContainerConfigError this young may be the run Secret arriving after the Job
    config_error_grace: float = 15.0
    # the container ended and its log stream sent nothing this long: the stream is done
    log_idle_after_exit: float = 60.0
    # seconds of API outage ridden through by a run without a deadline
    api_patience: float = 900.0
    # seconds the final cleanup waits for an unreachable API
    cleanup_patience: float = 300.0
    # seconds between looks at a busy agent's locks while waiting for a turn
    busy_poll: float = 2.0
    # with a shared pod watch (serve) the locks are looked at when a pod of the agent
    # changes; and after this long without any change (a holder whose pod never came)
    busy_fallback: float = 30.0
    # seconds between repeats of the "waiting for its turn" line
    busy_repeat: float = 60.0
    # seconds between looks at a Job withdrawn after a lost race, until it is gone
    job_gone_poll: float = 0.5
