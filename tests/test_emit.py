"""The emitter and the fast loader agree with PyYAML on everything a manifest can hold."""

from __future__ import annotations

from typing import Any

import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from kubeclip.renderer.emit import dump

NASTY = st.sampled_from(
    [
        "", " ", "yes", "No", "on", "y", "n", "~", "null", "true", "0", "012", "0x1f", "1e3",
        "1_000", "12:30", "2026-01-01", ".inf", ".NaN", "-", "- a", "---", "...", "a: b",
        "a #b", "#x", " lead", "trail ", "\n", "a\nb", "a\n", "a\n\n", " a\nb", "\ta", "x\ty",
        "|", ">", "@a", "`a", "!a", "&a", "*a", "%a", "<<", "=", "'", '"', "\\", "{}", "[]",
        "key=value", "\u2028", "\x85", "\ufeff", "\x7f", "\x00", "😀", "{{ 7*7 }}", "$(id)",
        "x\nkind: Secret", "'; rm -rf / #", "é\u0301", "\u200f",
    ]
)  # fmt: skip
TEXT = st.one_of(NASTY, st.text(), st.text(alphabet="ab :#-\n'\"", max_size=12))
SCALARS = st.one_of(TEXT, st.integers(), st.booleans(), st.none())
FLOATS = st.floats(allow_nan=False, allow_infinity=False)
DATA = st.recursive(
    st.one_of(SCALARS, FLOATS),
    lambda children: st.one_of(
        st.lists(children, max_size=4), st.dictionaries(TEXT, children, max_size=4)
    ),
    max_leaves=25,
)


@settings(max_examples=400, deadline=None)
@given(st.dictionaries(TEXT, DATA, min_size=1, max_size=5))
def test_emitted_yaml_reads_back_identically(doc: dict[str, Any]) -> None:
    text = dump(doc)
    assert yaml.safe_load(text) == doc
    assert list(yaml.load_all(text, Loader=yaml.CSafeLoader)) == [doc]


