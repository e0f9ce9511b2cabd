"""The "simple" text table and tabulate's styles measure text the same way."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from wcwidth import wcswidth, wcwidth

from target_tracker.output.render import Column, Table, View, display_width, render

SAMPLES = [
    "临武至连州高速公路",  # Chinese: two columns each
    "郴州 Chenzhou",  # mixed
    "１２３ ｱｲｳ",  # full-width digits, half-width katakana
    "👍 ✅ ⌚",  # emoji
    "👨\u200d👩\u200d👧 family",  # a ZWJ sequence: one emoji
    "❤\ufe0f love",  # VS16 makes a text symbol an emoji
    "🇨🇳 flag",  # regional indicators
    "zero\u200bwidth\u200d\ufeff",  # zero-width space, joiner, BOM
    "e\u0301 combining",  # combining acute
    "한국어",  # Hangul
]


@pytest.mark.parametrize("text", SAMPLES)
def test_display_width_is_wcwidth(text: str) -> None:
    assert display_width(text) == wcswidth(text)


def _columns_of(line: str, needle: str) -> int:
    return wcswidth(line[: line.index(needle)])


@pytest.mark.parametrize("style", ["text", "simple", "grid", "github"])
def test_every_style_lines_up_wide_text(style: str) -> None:
    table = Table(
        [Column("title", "Title"), Column("status", "Status")],
        [(None, [{"title": t, "status": f"S{i}"} for i, t in enumerate(SAMPLES)])],
    )
    out = render(View([table], None), style)
    rows = [line for line in out.splitlines() if any(f"S{i}" in line for i in range(len(SAMPLES)))]
    assert len(rows) == len(SAMPLES)
    starts = {_columns_of(line, f"S{i}") for i, line in enumerate(rows)}
    assert len(starts) == 1, out


#: Text as planners write it (Chinese, Latin, full-width forms, punctuation) and anything else.
_TEXTS = st.text(alphabet=st.one_of(st.characters(min_codepoint=0x20, max_codepoint=0x24F),
                                    st.characters(min_codepoint=0x2000, max_codepoint=0x3100),
                                    st.characters(min_codepoint=0x4E00, max_codepoint=0x4F00),
                                    st.characters(min_codepoint=0xFE00, max_codepoint=0xFFEF),
                                    st.characters(codec="utf-8")), max_size=40)  # fmt: skip


@settings(max_examples=1000, deadline=None)
@given(_TEXTS)
def test_display_width_is_wcwidth_for_any_text(text: str) -> None:
    """The per-character fast path measures exactly as wcswidth, whatever the text
    (plain ASCII is its length: people never see its control characters raw)."""
    expected = wcswidth(text)
    if text.isascii():
        expected = len(text)
    elif expected < 0:  # control characters: wcswidth gives up, they take no column here
        expected = sum(max(wcwidth(ch), 0) for ch in text)
    assert display_width(text) == expected
