"""The "simple" text table and tabulate's styles measure text the same way."""

from __future__ import annotations

import pytest
from wcwidth import wcswidth

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
