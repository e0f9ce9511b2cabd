"""`tracker report`: golden files for all four formats, escaping, month boundaries.

Refresh the golden files after an intended change with:

    python -m pytest tests/test_report.py --update-golden

then review the diff of tests/golden/ before committing.
"""

from __future__ import annotations

import csv
import io
import json
import re
import xml.dom.minidom
from pathlib import Path

import pytest

from .conftest import DATA, ROOT

GOLDEN = Path(__file__).resolve().parent / "golden"
LEDGER = DATA / "report-ledger.toml"
EPOCH = {"SOURCE_DATE_EPOCH": "1709251200"}  # 2024-03-01
SVG = re.compile(r"<svg\b.*?</svg>", re.S)


def report(run, *args: str, env: dict[str, str] | None = None) -> str:  # type: ignore[no-untyped-def]
    result = run("report", "-f", LEDGER, *args, env={**EPOCH, **(env or {})})
    assert result.exit_code == 0, result.output
    return result.stdout  # type: ignore[no-any-return]


def normalise(fmt: str, text: str) -> str:
    """Charts depend on the matplotlib version; compare them separately."""
    if fmt == "html":
        return SVG.sub("<svg/>", text)
    return text


@pytest.mark.parametrize("fmt", ["md", "html", "json", "csv"])
def test_golden(run, fmt: str, update_golden: bool) -> None:  # type: ignore[no-untyped-def]
    text = report(run, "--month", "2024-02", "--format", fmt)
    golden = GOLDEN / f"report-2024-02.{fmt}"
    if update_golden:
        golden.write_text(text, encoding="utf-8")
    assert golden.exists(), f"missing {golden}: run pytest --update-golden"
    expected = golden.read_text(encoding="utf-8")
    assert normalise(fmt, text) == normalise(fmt, expected)


def test_report_is_reproducible(run) -> None:  # type: ignore[no-untyped-def]
    for fmt in ("md", "html", "json", "csv"):
        a = report(run, "--month", "2024-02", "--format", fmt)
        b = report(run, "--month", "2024-02", "--format", fmt)
        assert a == b, fmt  # byte-identical, charts included


def test_generated_date_honours_source_date_epoch(run) -> None:  # type: ignore[no-untyped-def]
    text = report(run, "--month", "2024-02", env={"SOURCE_DATE_EPOCH": "1700000000"})
    assert "Generated on 2023-11-14" in text
    bad = run("report", "-f", LEDGER, "--month", "2024-02", env={"SOURCE_DATE_EPOCH": "soon"})
    assert bad.exit_code == 2 and "SOURCE_DATE_EPOCH" in bad.stderr


def test_sections_and_content(run) -> None:  # type: ignore[no-untyped-def]
    md = report(run, "--month", "2024-02")
    for n, title in enumerate(["Headline", "Status changes", "This month's updates", "By area", "Needs attention",
                               "Coming up", "Method and sources"], start=1):  # fmt: skip
        assert f"## {n}. {title}" in md
    assert "Completed this month: Finished in February (finish)." in md
    assert '| formula | =HYPERLINK("http://x") | met          | missed | worsened |' in md
    assert "44 -> 52 tasks" in md and "leap day" in md and "Feb report" in md
    assert "stage 2 'Land' done" in md
    assert "2024-04-30 | road" in md  # the construction start is coming up
    assert "Stale: no figure for more than 60 days" in md
    assert "Year-end review" in md  # documents cited


def test_html_escapes_every_piece_of_ledger_text(run) -> None:  # type: ignore[no-untyped-def]
    html = report(run, "--month", "2024-02", "--format", "html")
    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "<b>bold</b>" not in html
    assert "<script" not in html.lower()
    # self-contained: nothing to fetch
    assert not re.search(r"""(src|href)\s*=\s*["']?(https?:)?//""", html)
    assert "@import" not in html
    assert not re.search(r"url\((?!#)", html)  # only in-document references like url(#clip1)
    assert "@media print" in html and "size: A4" in html
    svgs = SVG.findall(html)
    assert len(svgs) >= 2  # completion by month + at least one trajectory
    for svg in svgs:
        xml.dom.minidom.parseString(svg)  # well-formed
    assert "Overall completion by month" in svgs[0]
    assert any("xss: actual vs planned" in s for s in svgs)


def test_csv_neutralises_formulas_and_keeps_numbers(run) -> None:  # type: ignore[no-untyped-def]
    text = report(run, "--month", "2024-02", "--format", "csv")
    rows = list(csv.DictReader(io.StringIO(text)))
    by_id = {r["id"]: r for r in rows}
    assert by_id["formula"]["title"] == '\'=HYPERLINK("http://x")'
    assert by_id["xss"]["title"] == "<script>alert(1)</script>"  # inert: plain text in a cell
    assert by_id["tasks"]["value"] == "52" and by_id["tasks"]["value_previous"] == "44"
    assert by_id["tasks"]["ratio"] == "0.52" and by_id["tasks"]["status_previous"] == "at-risk"
    assert by_id["formula"]["value"] == "78" and by_id["formula"]["status"] == "missed"
    for r in rows:
        for value in r.values():
            assert not value.startswith(("=", "+", "@")), value
            if value.startswith("-"):
                float(value)  # only numbers may start with '-'


def test_csv_negative_numbers_stay_numbers() -> None:
    from target_tracker.output.render import csv_cell

    assert csv_cell(-0.2) == -0.2
    assert csv_cell("-0.2 points") == "'-0.2 points"
    assert csv_cell("@SUM(A1)") == "'@SUM(A1)"


def test_json_report(run) -> None:  # type: ignore[no-untyped-def]
    data = json.loads(report(run, "--month", "2024-02", "--format", "json"))
    assert data["month"] == "2024-02" and data["as_of"] == "2024-02-29" and data["previous"] == "2024-01-31"
    assert data["headline"]["completed"] == ["finish"]
    assert {"id": "formula", "before": "met", "now": "missed", "direction": "worsened"} in data["status_changes"]
    assert [u["date"] for u in data["updates"]] == ["2024-02-01", "2024-02-15", "2024-02-29", "2024-02-29"]
    tasks = next(t for t in data["targets"] if t["id"] == "tasks")
    assert tasks["ratio"] == 0.52 and tasks["previous"]["current"] == 44
    # the chart's last point is the headline figure, its second-last last month's
    assert data["history"][-1] == {"date": "2024-02-29", "completion": data["headline"]["completion"]}
    assert data["history"][-2] == {"date": "2024-01-31", "completion": data["headline"]["completion_previous"]}


def test_month_boundaries(run) -> None:  # type: ignore[no-untyped-def]
    # A figure dated on the last day counts in that month, not the next.
    feb = json.loads(report(run, "--month", "2024-02", "--format", "json"))
    mar = json.loads(report(run, "--month", "2024-03", "--format", "json"))
    assert any(u["id"] == "tasks" and u["date"] == "2024-02-29" for u in feb["updates"])
    assert not any(u["date"] == "2024-02-29" for u in mar["updates"])
    assert mar["previous"] == "2024-02-29"
    jan = json.loads(report(run, "--month", "2024-01", "--format", "json"))
    assert jan["as_of"] == "2024-01-31" and any(u["date"] == "2024-01-31" for u in jan["updates"])
    feb23 = json.loads(report(run, "--month", "2023-02", "--format", "json"))
    assert feb23["as_of"] == "2023-02-28"
    dec = json.loads(report(run, "--month", "2023-12", "--format", "json"))
    assert dec["previous"] == "2023-11-30"
    assert any(u["date"] == "2023-12-31" for u in dec["updates"])


@pytest.mark.parametrize("bad", ["2021-13", "2021-00", "21-10", "October", "2021-1-"])
def test_bad_month_is_a_clear_error(run, bad: str) -> None:  # type: ignore[no-untyped-def]
    result = run("report", "-f", LEDGER, "--month", bad)
    assert result.exit_code == 2
    assert "Traceback" not in result.output
    assert result.stderr.startswith("tracker: ") and "month" in result.stderr


def test_series_writes_one_file_per_month(run, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    out = tmp_path / "reports"
    result = run("report", "-f", LEDGER, "--from", "2023-11", "--to", "2024-02", "--format", "md", "--out", out,
                 env=EPOCH)  # fmt: skip
    assert result.exit_code == 0, result.output
    names = sorted(p.name for p in out.iterdir())
    assert names == ["report-2023-11.md", "report-2023-12.md", "report-2024-01.md", "report-2024-02.md"]
    assert "February 2024" in (out / "report-2024-02.md").read_text(encoding="utf-8")
    assert run("report", "-f", LEDGER, "--from", "2024-02", "--to", "2023-01", "--out", out).exit_code == 2
    assert run("report", "-f", LEDGER, "--from", "2024-02").exit_code == 2  # needs --out


def test_out_file_and_area_filter(run, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path / "r.html"
    result = run("report", "-f", LEDGER, "--month", "2024-02", "--format", "html", "--out", path,
                 "--area", "Transport", env=EPOCH)  # fmt: skip
    assert result.exit_code == 0, result.output
    html = path.read_text(encoding="utf-8")
    assert "临武至连州高速公路" in html and "Reform tasks" not in html
    assert run("report", "-f", LEDGER, "--area", "Nowhere").exit_code == 2


def test_default_month_is_last_complete_month(run, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    from datetime import date

    from target_tracker.cli import common as cli

    monkeypatch.setattr(cli, "today", lambda: date(2024, 3, 10))
    text = report(run, "--format", "json")
    assert json.loads(text)["month"] == "2024-02"


def test_bundled_ledger_report_renders(run) -> None:  # type: ignore[no-untyped-def]
    result = run("report", "-f", ROOT / "targets.toml", "--month", "2021-10", "--format", "html", env=EPOCH)
    assert result.exit_code == 0, result.output
    assert "89 / 102 tasks" in result.stdout
