"""The emitter and the fast loader agree with PyYAML on everything a manifest can hold."""

from __future__ import annotations

from typing import Any

import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from kubeclip.renderer.emit import dump, flow
from kubeclip.renderer.loader import load_all_fast

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
    assert load_all_fast(text) == [doc]


FLOW_DATA = st.recursive(
    SCALARS,
    lambda children: st.one_of(
        st.lists(children, max_size=4), st.dictionaries(TEXT, children, max_size=4)
    ),
    max_leaves=25,
)


@settings(max_examples=300, deadline=None)
@given(st.one_of(FLOW_DATA, FLOATS))
def test_flow_value_is_one_node(value: Any) -> None:
    line = f"key: {flow(value)}\nafter: 1\n"
    assert yaml.safe_load(line) == {"key": value, "after": 1}


@settings(max_examples=200, deadline=None)
@given(st.text())
def test_fast_loader_matches_pyyaml_on_scalars(text: str) -> None:
    source = f"a: {flow(text)}\nb: [1, 012, 0x1f, 1.5, true, ~, 2026-01-01, '0']\n"
    assert load_all_fast(source) == list(yaml.load_all(source, Loader=yaml.CSafeLoader))
