"""Names and label values. The runner's selectors use these same functions, so the
values it selects on are exactly the values the renderer wrote."""

from __future__ import annotations

import json
import re

try:  # CPython's own SHA-256: `hashlib` loads OpenSSL first, ~4 ms of a cold `kubeclip render`
    from _sha256 import sha256  # type: ignore[import-not-found, unused-ignore]
except ImportError:  # pragma: no cover - Python 3.12+ names it _sha2; FIPS builds may lack both
    try:
        from _sha2 import sha256  # type: ignore[import-not-found, no-redef, unused-ignore]
    except ImportError:
        from hashlib import sha256  # type: ignore[assignment, unused-ignore]

DOMAIN = "kubeclip.dev"
LABEL_AGENT = f"{DOMAIN}/agent"
LABEL_RUN = f"{DOMAIN}/run"
LABEL_COMPANY = f"{DOMAIN}/company"
LABEL_TASK = f"{DOMAIN}/task"
MANAGED_BY = "app.kubernetes.io/managed-by"
COMPONENT = "app.kubernetes.io/component"

_LABEL_VALUE = re.compile(r"([A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?)?")
_DNS_LABEL = re.compile(r"[a-z0-9]([-a-z0-9]*[a-z0-9])?")


def short_hash(*parts: str | int, length: int = 8) -> str:
    """A hash of an unambiguous encoding of ``parts`` (a JSON list): no two different tuples
    of ids share an encoding, whatever characters the ids hold."""
    if len(parts) == 1 and isinstance(parts[0], str):  # one id is unambiguous as it is
        data = parts[0].encode("utf-8", "surrogatepass")
    else:
        data = json.dumps(list(parts), ensure_ascii=True, separators=(",", ":")).encode("ascii")
    return str(sha256(data).hexdigest())[:length]


_PATH_SEGMENT = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,99}")


def agent_dir(agent_id: str) -> str:
    """The agent's own directory on the claim: its id when that is a plain file name
    (Paperclip's are UUIDs), else a hash of it; never a path that leaves its parent."""
    if _PATH_SEGMENT.fullmatch(agent_id) and ".." not in agent_id:
        return agent_id
    return f"id-{short_hash(agent_id, length=16)}"


def slug(text: str, max_len: int) -> str:
    """Lowercase DNS-1123 fragment of ``text`` (may be empty)."""
    s = re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")
    return s[:max_len].strip("-")


def job_name(
    agent_id: str, agent_name: str | None, run_id: str, attempt: int = 0, invocation: str = ""
) -> str:
    """``kc-<agent>-<run>-<hash>``: readable, at most 63 characters, unique per agent, run,
    attempt and invocation (a digest of every input: Paperclip retries a run fresh after an
    unknown session *with the same run id*, and that retry must never meet the first Job).

    The hash covers the full raw ids, so truncated slugs never collide.
    """
    agent = slug(agent_name or "", 24) or slug(agent_id, 24) or "agent"
    run = slug(run_id, 8) or "run"
    parts: tuple[str | int, ...] = (agent_id, run_id, attempt)
    if invocation:
        parts += (invocation,)
    name = f"kc-{agent}-{run}-{short_hash(*parts)}"
    assert len(name) <= 63 and _DNS_LABEL.fullmatch(name), name
    return name


def run_secret_name(agent_id: str, slot: int = 0) -> str:
    """``kc-run-<agent hash>[-<slot>]``: the run Secret of one of the agent's run slots
    (``concurrency.maxRunsPerAgent``). It is also the agent's lock: creating it is atomic, so
    of two runs of one agent only one holds a slot. Keyed by the agent id alone (not its
    name, which may change while its runs are active)."""
    name = f"kc-run-{short_hash(agent_id, length=16)}"
    return f"{name}-{slot}" if slot else name


def run_secret_key(job: str, key: str) -> str:
    """A key of the run Secret: prefixed with the Job's name, so a pod of another Job (a
    runner that lost the race for the slot, a later run) never finds its keys in the Secret
    of the run holding the slot, and cannot start with that run's prompt or credentials."""
    return f"{job}.{key}"


def is_label_value(value: str) -> bool:
    return len(value) <= 63 and bool(_LABEL_VALUE.fullmatch(value))


def label_value(raw: str) -> str:
    """A valid label value for any id: the id itself when valid, else sanitised + hash.

    Full raw ids are kept in annotations; this is only for selecting.
    """
    if is_label_value(raw):
        return raw
    clean = re.sub(r"[^A-Za-z0-9_.-]+", "-", raw)[:54]
    clean = re.sub(r"^[^A-Za-z0-9]+|[^A-Za-z0-9]+$", "", clean)
    h = short_hash(raw)
    return f"{clean}-{h}" if clean else h
