"""Hypothesis strategies for hostile input strings (used by tests/test_injection.py).

Every strategy mixes arbitrary text (``st.text()`` never draws lone surrogates, which no
UTF-8 file can carry) with a fixed list of strings that mean something to one of the
languages a value passes through on its way into a pod: YAML, Jinja, JSON, POSIX shell,
kubelet's ``$(VAR)`` expansion, and Unicode line/format characters.
"""

from __future__ import annotations

import sys

from hypothesis import strategies as st

NASTY_STRINGS: tuple[str, ...] = (
    # YAML: new keys, new documents, comments, tags, anchors, implicit types
    "x\nkind: Secret",
    "x\n  kind: Secret",
    "x\r\nkind: Secret",
    "\nkind: Secret\n",
    "---\n",
    "---\nkind: Secret",
    "...\n",
    "#",
    "# comment",
    "a #b",
    ": ",
    "a: b",
    "? a",
    "- a",
    "-",
    "|",
    ">-",
    "{a: 1}",
    "[1, 2]",
    "{}",
    "[]",
    "&a x",
    "*a",
    "<<: *a",
    "!!python/object/apply:os.system ['id']",
    "!!binary aGk=",
    "%YAML 1.1",
    "@x",
    "`x",
    "null",
    "~",
    "true",
    "yes",
    "No",
    "on",
    "y",
    "0",
    "012",
    "0x1f",
    "0o17",
    "1e3",
    "1_000",
    "12:30:00",
    "2026-01-01",
    ".inf",
    "-.NaN",
    "=",
    " lead",
    "trail ",
    " ",
    "\t",
    "\n",
    "\n\n",
    "a\n",
    "a\n\n",
    "\ta\n b",
    # quoting
    "'",
    '"',
    "\\",
    '\\"',
    "\\n",
    "\\u0000",
    "''",
    '"a": "b"',
    # Jinja
    "{{ 7*7 }}",
    "{{ secret.stringData }}",
    "{% raw %}",
    "{% endraw %}",
    "{%- if true %}x{% endif -%}",
    "{# c #}",
    "{{",
    "}}",
    "{%",
    # shell
    "$(id)",
    "`id`",
    "'; rm -rf / #",
    '"; rm -rf / #',
    "$@",
    "$1",
    "${HOME}",
    "$HOME",
    "&& id",
    "| id",
    "; id",
    "\nid\n",
    "*",
    # kubelet expansion ($$ -> $, $(NAME) -> value)
    "$",
    "$$",
    "$$$",
    "$(",
    "$)",
    "$((",
    "$(HOME)",
    "$$(HOME)",
    "$$$(HOME)",
    "$(PAPERCLIP_API_KEY)",
    "$(KUBERNETES_SERVICE_HOST)",
    "$(UNDEFINED_VAR)",
    "$(a$(b))",
    "a$",
    "$é",
    "$😀",
    "$\n",
    # Unicode: line breaks YAML knows, format characters, BOM, noncharacters, RTL
    "\u2028",
    "\u2029",
    "\x85",
    "\ufeff",
    "\ufeffkind: Secret",
    "\ufffe",
    "\uffff",
    "\ufffd",
    "\U0010ffff",
    "\u200b",
    "\u200e",
    "\u200f",
    "\u202e",
    "\u2066x\u2069",
    "\u061c",
    "\xa0",
    "\u3000",
    "😀",
    "👩‍👩‍👧‍👦",
    "é\u0301",
    "İ",
    "ß",
    "\x7f",
    "\x80",
    "\x9f",
    "".join(chr(c) for c in range(0x20)),
    *(chr(c) for c in range(0x20)),
)

NASTY = st.sampled_from(NASTY_STRINGS)
_PIECE = st.one_of(NASTY, st.text(max_size=6))
TEXT = st.one_of(
    NASTY,
    st.text(),
    st.lists(_PIECE, min_size=2, max_size=6).map("".join),
)
"""Any string: nasty fixed ones, arbitrary text, and concatenations of both."""

NONEMPTY_TEXT = TEXT.filter(bool)

LONG_CHARS = 100_000


def _repeat_to(parts: list[str], size: int) -> str:
    piece = "".join(parts) or "x"
    return piece * (size // len(piece) + 1)


LONG_TEXT = st.lists(_PIECE, min_size=1, max_size=8).map(lambda p: _repeat_to(p, LONG_CHARS))
"""Strings of at least 100 000 characters, built from nasty pieces."""

MAYBE_LONG_TEXT = st.one_of(TEXT, LONG_TEXT)

# The schema's \s (and \S) is Python's, as both validators are Python regexes.
WHITESPACE_CHARS: tuple[str, ...] = tuple(
    c for c in map(chr, range(sys.maxunicode + 1)) if c.isspace() and not 0xD800 <= ord(c) < 0xE000
)
WHITESPACE = st.sampled_from(WHITESPACE_CHARS)


def _no_whitespace(text: str) -> str:
    return "".join(c for c in text if not c.isspace())


WORD = TEXT.map(_no_whitespace).filter(bool)
"""Non-empty text without whitespace: what ``^\\S+$`` accepts."""

PROVIDER = WORD.map(lambda s: s.replace("/", "")).filter(bool)
MODEL = st.tuples(PROVIDER, WORD).map(lambda pm: f"{pm[0]}/{pm[1]}")
"""``provider/model`` as the schema allows: no whitespace, no slash in the provider."""

ID = NONEMPTY_TEXT.map(lambda s: s[:256])
"""Paperclip ids: any string of 1..256 characters."""

ABS_PATH = TEXT.map(lambda s: "/" + s)

ENV_NAME = st.from_regex(r"\A[A-Za-z_][A-Za-z0-9_]{0,30}\Z")
QUALIFIED_NAME = st.from_regex(
    r"\A([a-z0-9]([-a-z0-9]{0,8}[a-z0-9])?(\.[a-z0-9]([-a-z0-9]{0,8}[a-z0-9])?){0,3}/)?"
    r"[A-Za-z0-9]([-A-Za-z0-9_.]{0,20}[A-Za-z0-9])?\Z"
)


@st.composite
def with_whitespace(draw: st.DrawFn, base: st.SearchStrategy[str]) -> str:
    """``base`` with one whitespace character inserted somewhere."""
    text = draw(base)
    at = draw(st.integers(0, len(text)))
    return text[:at] + draw(WHITESPACE) + text[at:]


INVALID_MODEL = st.one_of(
    with_whitespace(MODEL),
    PROVIDER.map(lambda s: s.replace("/", "")).filter(bool),  # no slash at all
    WORD.map(lambda s: "/" + s),  # empty provider
    PROVIDER.map(lambda s: s + "/"),  # empty model
    st.just(""),
)
INVALID_WORD = st.one_of(with_whitespace(WORD), st.just(""))
INVALID_ENV_NAME = st.one_of(
    st.sampled_from(["", "1A", "A-B", "A B", "A.B", "A\n", "\nA", "$(A)", "A=B", "Ä", "A\x00"]),
    st.tuples(ENV_NAME, st.sampled_from(["-", ".", " ", "\n", "=", "$", "é", "\x00"])).map("".join),
)
INVALID_LABEL_VALUE = st.sampled_from(
    ["a\n", "\n", "-a", "a-", "a b", "a/b", "x" * 64, "é", "a\x00", "$(id)", "{{ 7*7 }}"]
)
INVALID_QUALIFIED_NAME = st.sampled_from(
    ["", "a\n", "/a", "a/", "A.com/b", "a b", "-a", "a" * 64, "x/y/z", "{{ k }}", "$(k)", "é"]
)
