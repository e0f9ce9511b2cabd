"""Problems a new user found: control characters, table styles with areas,
a BOM, Chinese messages, summary lines, include messages."""

from __future__ import annotations

import re

import pytest

from target_tracker.output.render import TABLE_STYLES, display_width

from .conftest import ROOT

LEDGER = ROOT / "targets.toml"


def _table_lines(out: str) -> list[str]:
    """Lines that belong to a table (rows and rules), not titles or area labels."""
    lines = out.splitlines()[1:-1]  # the heading and the summary note are not
    return [x for x in lines if x and not x.startswith("▸ ")]


@pytest.mark.parametrize("style", TABLE_STYLES)
def test_every_table_style_lines_up_with_area_labels(run, style: str) -> None:  # type: ignore[no-untyped-def]
    result = run("status", "-f", LEDGER, "--as-of", "2021-10-31", "--format", style)
    assert result.exit_code == 0, result.output
    assert "▸ " in result.output
    out = result.output.splitlines()
    for i, line in enumerate(out if style != "plain" else []):  # plain has no rules
        if re.match(r"\W*id\s+\W*title", line):  # the header row keeps its rule under it
            assert not out[i + 1].startswith("▸ "), out[i + 1]
    lines = _table_lines(result.output)
    if style in ("simple", "plain", "rst"):  # trailing blanks are cut: the status column lines up
        words = re.compile(r"  (status|on-track|met|not-started|no-data)  ")
        starts = {display_width(x[: m.start()]) for x in lines if (m := words.search(x))}
        assert len(starts) == 1 and len(lines) > 30, starts
    else:
        widths = {display_width(x) for x in lines}
        assert len(widths) == 1, widths


@pytest.mark.parametrize("style", ["github", "pipe"])
def test_markdown_styles_are_valid_tables_per_area(run, style: str) -> None:  # type: ignore[no-untyped-def]
    result = run("status", "-f", LEDGER, "--as-of", "2021-10-31", "--format", style)
    blocks = [b.splitlines() for b in result.output.split("\n\n")]
    tables = [b for b in blocks if b and b[0].startswith("|")]
    assert len(tables) == result.output.count("▸ ") > 1
    for t in tables:
        assert all(x.startswith("|") and x.endswith("|") for x in t)
        assert re.fullmatch(r"\|(:?-+:?\|)+", t[1]), t[1]
        assert all(x.count("|") == t[0].count("|") for x in t)
