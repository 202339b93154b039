"""What kubeclip treats as a credential: one definition for the plan (which values go into
the run Secret), the validator (which values an error message may quote) and the error root.

A literal env value is a credential when

- its **name**, compared case-insensitively, matches one of :data:`CREDENTIAL_NAMES`
  (``*_KEY``, ``*TOKEN*``, ``*SECRET*``, ``*PASS``, ``*PASSWORD*``, ``*AUTH``, ...), or
- its **value** holds a URL with a password in it (``scheme://user:password@host``).

The agent config's ``secretEnv.always`` / ``secretEnv.never`` globs force either way; a
``secretKeyRef`` is always a reference and never a literal.
"""

from __future__ import annotations

import fnmatch
import re
from collections.abc import Callable, Iterable
from functools import lru_cache

CREDENTIAL_NAMES: tuple[str, ...] = (
    "*_KEY",
    "*_KEY_*",
    "*_KEYS",
    "*APIKEY*",
    "*ACCESSKEY*",
    "*TOKEN*",
    "*SECRET*",
    "*PASSWORD*",
    "*PASSWD*",
    "*PASS",
    "*_PASS_*",
    "*_PWD",
    "*_PW",
    "*AUTH",
    "*AUTHORIZATION*",
    "*CREDENTIAL*",
    "*CREDS*",
    "*PRIVATE*",
    "*_PAT",
    "*COOKIE*",
    "*_DSN",
    "*CONNECTION_STRING*",
)
# scheme://user:password@ — a password in a URL (postgres://, https://, redis://, amqp://)
# Bounded repetitions: linear on any input (an unbounded scheme run backtracks quadratically
# over a long run of letters, e.g. a 1 MiB prompt or env value).
_USERINFO = re.compile(r"(?<![A-Za-z0-9+.-])[A-Za-z][A-Za-z0-9+.-]{0,31}://[^/?#@\s:]{0,256}:[^/?#@\s]{1,256}@")
REDACTED_IN_MESSAGES = "<redacted>"


@lru_cache(maxsize=256)
def _glob(patterns: tuple[str, ...]) -> re.Pattern[str]:
    if not patterns:
        return re.compile(r"(?!)")
    return re.compile("|".join(f"(?:{fnmatch.translate(p.upper())})" for p in patterns))


def matches(name: str, patterns: Iterable[str]) -> bool:
    """Case-insensitive glob match: ``database_url`` is ``DATABASE_URL`` to a denylist."""
    return name_matches(_glob(tuple(patterns)), name)


@lru_cache(maxsize=8192)
def name_matches(pattern: re.Pattern[str], name: str) -> bool:
    """``pattern`` (from :func:`name_pattern` or a glob list) on a name: env names and keys
    repeat across renders, so each is judged once per pattern."""
    return pattern.match(name.upper()) is not None


def name_pattern(always: Iterable[str] = ()) -> re.Pattern[str]:
    """One compiled pattern for credential names plus ``always`` (match upper-cased names)."""
    return _glob((*CREDENTIAL_NAMES, *always))


def is_credential_name(name: str) -> bool:
    return matches(name, CREDENTIAL_NAMES)


def has_password_url(value: str) -> bool:
    return "://" in value and _USERINFO.search(value) is not None


def judge(always: Iterable[str] = (), never: Iterable[str] = ()) -> Callable[[str, str], bool]:
    """Whether a literal env value is a credential (and so belongs in the run Secret): its
    name matches ``always``, or it does not match ``never`` and its name looks like a
    credential's or the value holds a password URL. Patterns are compiled once: a plan
    judges every env var with the function returned."""
    forced, spared, names = _glob(tuple(always)), _glob(tuple(never)), _glob(CREDENTIAL_NAMES)

    def is_secret(name: str, value: str) -> bool:
        if not value:
            return False
        if name_matches(forced, name):
            return True
        if name_matches(spared, name):
            return False
        return name_matches(names, name) or ("://" in value and has_password_url(value))

    return is_secret


def sensitive_path(path: Iterable[str | int]) -> bool:
    """A JSON path under which a value must never be quoted in a message."""
    return any(
        isinstance(p, str) and (p == "authToken" or is_credential_name(p)) for p in path
    )


def scrub(text: str, secrets: Iterable[str]) -> str:
    """``text`` with every known secret value, and any password in a URL, taken out."""
    for secret in sorted({s for s in secrets if s}, key=len, reverse=True):
        if len(secret) >= 4:
            text = text.replace(secret, REDACTED_IN_MESSAGES)
    return _USERINFO.sub(lambda m: m.group(0).split("//")[0] + "//<redacted>@", text)
