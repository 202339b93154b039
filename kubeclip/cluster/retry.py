"""How kubeclip rides out an API that refuses or does not answer: every such timing of the
client, the watches and the log stream, in one place (a run's own timings are
:class:`kubeclip.run.settings.RunnerSettings`, which carries one of these)."""

from __future__ import annotations

import random
from dataclasses import dataclass


@dataclass(frozen=True)
class RetryPolicy:
    # one request: 429, 5xx and an unreachable API are tried again this often, the delay
    # doubling from first_delay up to longest_delay, with jitter; a Retry-After is honoured
    # up to longest_retry_after
    attempts: int = 6
    first_delay: float = 0.2
    longest_delay: float = 5.0
    longest_retry_after: float = 30.0
    # a 403 for a call that worked in this run: an apiserver warming up after a restart
    forbidden_grace: float = 60.0
    # a dropped watch or log stream is resumed at once, then backs off up to this
    stream_first_delay: float = 0.1
    stream_longest_delay: float = 2.0
    # between tries while the API is unreachable (watches, the final cleanup)
    down_pause: float = 1.0
    # a log stream that ended cleanly is read again only if the pod watch has not said
    # the container ended by then: in a burst that news takes seconds (3 s was too short:
    # 0.3-0.5 more log requests per run; 10 s: 1 in 100 runs of a burst of 100 on a
    # 2-core node), and a kubelet that hangs up on a running container is rare (its
    # restart), its output then only later, never lost
    log_end_wait: float = 20.0

    def jittered(self, delay: float, retry_after: str | None = None) -> float:
        if retry_after:
            try:
                return min(float(retry_after), self.longest_retry_after)
            except ValueError:
                pass
        return delay * (0.5 + random.random())

    def next_delay(self, delay: float) -> float:
        return min(delay * 2, self.longest_delay)

    def next_stream_delay(self, delay: float) -> float:
        return min(delay * 2, self.stream_longest_delay)


RETRY = RetryPolicy()
