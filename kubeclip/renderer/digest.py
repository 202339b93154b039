"""The invocation digest: what makes two runs of one run id the same Job (a restarted
runner reattaches) or another (a fresh retry with other argv), without credentials.
"""

from __future__ import annotations

import hashlib
import re
from collections import OrderedDict
from typing import Any

from kubeclip.renderer import credentials, naming
from kubeclip.renderer.config import AgentConfig
from kubeclip.renderer.podfacts import PodFacts
from kubeclip.renderer.runcontext import RunContext
from kubeclip.renderer.runenv import compact_json


def invocation_digest(config: AgentConfig, facts: PodFacts, run: RunContext) -> str:
    names = credentials.name_pattern(config["secretEnv"]["always"])
    parts = [_part(config, names), _part(facts, names),
             compact_json(_without_credentials(run, names))]  # fmt: skip
    return naming.short_hash("[" + ",".join(parts) + "]", length=16)  # compact_json's list


# An agent's config and its Paperclip pod repeat from run to run: their credential-free form
# is kept by what they contain (a hash, never the text: it may hold credentials). Walking
# them was half of a plan's cost; the run context differs every time and is walked always.
_PARTS: OrderedDict[bytes, str] = OrderedDict()
_PARTS_KEPT = 64


def _part(value: Any, names: re.Pattern[str]) -> str:
    key = hashlib.sha256(f"{names.pattern}\0{compact_json(value)}".encode()).digest()
    done = _PARTS.get(key)
    if done is not None:
        _PARTS.move_to_end(key)
    else:
        done = _PARTS[key] = compact_json(_without_credentials(value, names))
        if len(_PARTS) > _PARTS_KEPT:
            _PARTS.popitem(last=False)
    return done


def _without_credentials(value: Any, names: re.Pattern[str], key: str = "") -> Any:
    """``value`` with every credential (and the prompt) left out: the invocation digest is
    written onto the Job, and a hash of a weak password would let anyone who can read Jobs
    test guesses. The session, argv and env still tell a fresh retry from the first try.
    ``names``: :func:`credentials.name_pattern`, compiled once per plan. This walk is on
    render's hot path: each name is judged once, and a value needs ``://`` before the
    password-URL pattern is tried."""
    judged = credentials.name_matches

    def secret(name: str, text: str) -> bool:
        return bool(text) and (
            (bool(name) and judged(names, name))
            or ("://" in text and credentials.has_password_url(text))
        )

    password_url = credentials.has_password_url

    def walk(node: Any, key: str) -> Any:
        if key in _DIGEST_DROPS:
            return None  # the Job depends on none of them: they live in the run Secret only
        kind = type(node)
        if kind is str:  # `secret` inlined: most of the walk is strings
            if node and (
                (key and judged(names, key)) or ("://" in node and password_url(node))
            ):
                return None
            return node
        if kind is dict:
            if key == "agentEnv":
                return sorted(node)  # names only: every value is a secret
            name, literal = node.get("name"), node.get("value")
            if type(name) is str and type(literal) is str and secret(name, literal):
                return {**node, "value": None}  # an EnvVar holding a credential
            return {
                k: walk(v, k if type(k) is str else str(k))
                for k, v in node.items()
                # how runs queue (the config's concurrency) changes nothing in the Job
                if not (k == "concurrency" and type(v) is dict and "whenBusy" in v)
            }
        if kind is list:
            return [walk(v, "") for v in node]
        if isinstance(node, str):  # a str subclass: judged like a str
            return None if secret(key, node) else node
        return node

    return walk(value, key)


_DIGEST_DROPS = frozenset({"authToken", "prompt", "opencodeConfig"})
