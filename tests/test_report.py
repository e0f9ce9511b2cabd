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

from .conftest import DATA

GOLDEN = Path(__file__).resolve().parent / "golden"
LEDGER = DATA / "report-ledger.toml"
EPOCH = {"SOURCE_DATE_EPOCH": "1709251200"}  # 2024-03-01
SVG = re.compile(r"<svg\b.*?</svg>", re.S)


def report(run, *args: str, env: dict[str, str] | None = None) -> str:  # type: ignore[no-untyped-def]
    result = run("report", "-f", LEDGER, *args, env={**EPOCH, **(env or {})})
    assert result.exit_code == 0, result.output
    return result.stdout  # type: ignore[no-any-return]


@pytest.mark.parametrize("fmt", ["md", "json", "csv"])
def test_golden(run, fmt: str, update_golden: bool) -> None:  # type: ignore[no-untyped-def]
    text = report(run, "--month", "2024-02", "--format", fmt)
    golden = GOLDEN / f"report-2024-02.{fmt}"
    if update_golden:
        golden.write_text(text, encoding="utf-8")
    assert golden.exists(), f"missing {golden}: run pytest --update-golden"
    assert text == golden.read_text(encoding="utf-8")


@pytest.mark.parametrize("fmt", ["html", "docx", "xlsx"])
def test_golden_structure(run, tmp_path: Path, fmt: str, update_golden: bool) -> None:  # type: ignore[no-untyped-def]
    """HTML, Word and Excel: the structure a reader sees (headings, tables,
    charts, formats), not bytes that depend on library versions."""
    from .report_structure import docx_structure, html_structure, xlsx_structure

    out = tmp_path / f"report.{fmt}"
    result = run("report", "-f", LEDGER, "--month", "2024-02", "--out", out, env=EPOCH)
    assert result.exit_code == 0, result.output
    data = out.read_bytes()
    outline = {"html": lambda: html_structure(data.decode("utf-8")), "docx": lambda: docx_structure(data),
               "xlsx": lambda: xlsx_structure(data)}[fmt]()  # fmt: skip
    golden = GOLDEN / f"report-2024-02.{fmt}.structure.txt"
    if update_golden:
        golden.write_text(outline, encoding="utf-8")
    assert golden.exists(), f"missing {golden}: run pytest --update-golden"
    assert outline == golden.read_text(encoding="utf-8")


def test_report_is_reproducible(run, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    for fmt in ("md", "html", "json", "csv"):
        a = report(run, "--month", "2024-02", "--format", fmt)
        b = report(run, "--month", "2024-02", "--format", fmt)
        assert a == b, fmt  # byte-identical, charts included


def test_generated_date_honours_source_date_epoch(run) -> None:  # type: ignore[no-untyped-def]
    text = report(run, "--month", "2024-02", env={"SOURCE_DATE_EPOCH": "1700000000"})
    assert "Generated on 2023-11-14" in text
    bad = run("report", "-f", LEDGER, "--month", "2024-02", env={"SOURCE_DATE_EPOCH": "soon"})
    assert bad.exit_code == 2 and "SOURCE_DATE_EPOCH" in bad.stderr


def test_sections_in_the_readers_order(run) -> None:  # type: ignore[no-untyped-def]
    md = report(run, "--month", "2024-02")
    titles = re.findall(r"^## (.*)$", md, re.M)
    assert titles == ["1. Headline", "2. Needs attention", "3. This month's progress", "4. By area",
                      "5. Coming up next month", "6. Stale figures", "7. Method and sources"]  # fmt: skip
    assert re.findall(r"^### (4\.\d .*)$", md, re.M) == [
        "4.1 Plan: completion 20.5%",
        "4.2 Transport: completion 55.0%",
    ]
    assert "Overall completion 41.2% on 2024-02-29, -12.7 pp since 2024-01-31 (53.9%); 7 targets." in md
    assert "| red | overdue 1, missed 1, behind 1 | 3 | 2 | +1 |" in md  # traffic lights, with last month
    assert "Completed this month: Finished in February." in md
    assert '| =HYPERLINK("http://x") <sub>formula</sub> | met | missed |' in md
    # needs attention: worst first (overdue, missed, then at risk), with done vs expected and the latest note
    attention = md.split("## 2. Needs attention")[1].split("## 3.")[0]
    order = [m for m in re.findall(r"<sub>([\w-]+)</sub>", attention)]
    assert order == ["xss", "formula", "tasks"]
    assert "| 52.0% / 58.1% | 2024-10-27 | 2024-12-31 | leap day |" in attention
    progress = md.split("## 3. This month's progress")[1].split("## 4.")[0]
    assert "44 → 52 tasks | leap day | Feb report" in progress
    assert "stage 2 'Land' done" in progress
    areas = md.split("## 4. By area")[1].split("## 5.")[0]
    assert "| └\u00a0Reform tasks 改革任务 <sub>tasks</sub> |" in areas  # hierarchy under its rollup
    coming = md.split("## 5. Coming up next month")[1].split("## 6.")[0]
    assert "Nothing is due or planned to 2024-03-31." in coming  # next month only: April's stage is not in it
    march = report(run, "--month", "2024-03").split("## 5. Coming up next month")[1].split("## 6.")[0]
    assert "Due dates and planned stages to 2024-04-30." in march
    assert "| 2024-04-30 | 临武至连州高速公路 <sub>road</sub> | stage 3 'Construction start' planned |" in march
    assert "Stale figure <sub>old</sub>" in md.split("## 6. Stale figures")[1]
    assert "Feb report" in md.split("## 7. Method and sources")[1]  # documents cited
    assert "Late and revised figures" not in md  # no revision data in the ledger yet


def test_revisions_section_appears_when_the_report_has_them(run) -> None:  # type: ignore[no-untyped-def]
    import dataclasses
    from datetime import date

    from target_tracker.ledger.checks import load_and_check
    from target_tracker.reports.data import Revision, build_report, report_data
    from target_tracker.reports.render import render_report

    result, _problems = load_and_check(LEDGER)
    assert result.ledger is not None
    rep = build_report(result.ledger, "2024-02", date(2024, 3, 1))
    assert rep.revisions == []
    late = Revision(date(2024, 1, 31), result.ledger.targets["tasks"], "44 → 45 tasks", date(2024, 2, 20),
                    "corrected", "Feb report")  # fmt: skip
    rep = dataclasses.replace(rep, revisions=[late])
    md = render_report(rep, "md")
    assert isinstance(md, str)
    assert "## 7. Late and revised figures" in md and "## 8. Method and sources" in md
    assert "44 → 45 tasks" in md and "corrected" in md
    assert report_data(rep)["revisions"][0]["id"] == "tasks"


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
    assert len(svgs) == 2  # the overview + one figure of panels in "needs attention"
    for svg in svgs:
        xml.dom.minidom.parseString(svg)  # well-formed
    assert "Completion by area" in svgs[0]
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in svgs[1]  # charts are titled by the target's title
    assert "Reform tasks 改革任务" in svgs[1]  # a panel per charted target (not the maintain one)
    assert svgs[1].count('<g id="axes_') == 2
    assert "as of 2024-02-29" in svgs[1]  # the as-of line is labelled
    # charts only in the overview and in "needs attention"
    attention = html.split('id="attention"')[1].split("</section>")[0]
    assert len(SVG.findall(attention)) == 1
    assert "<svg" not in html.split('id="progress"')[1]


def test_html_lays_out_for_print(run) -> None:  # type: ignore[no-untyped-def]
    html = report(run, "--month", "2024-02", "--format", "html")
    assert "page-break-before: always" not in html and "break-before: page" not in html  # no forced breaks
    assert "thead { display: table-header-group; }" in html  # headers repeat on each printed page
    assert "h1, h2, h3 { break-after: avoid" in html
    assert '<span class="tid">tasks</span>' in html  # ids small, under the title
    assert 'style="padding-left: 1.45em"' in html  # children indented by depth


def test_chart_gaps_are_not_zero() -> None:
    from datetime import date

    from target_tracker.compute import evaluate
    from target_tracker.ledger.model import Ledger, Observation, Target
    from target_tracker.reports.data import trajectory

    t = Target("q", "Q", "quantity", "x.toml", start=date(2023, 1, 1), due=date(2024, 12, 31), target=100,
               observations=(Observation(date(2023, 1, 31), 10), Observation(date(2023, 2, 28), 20),
                             Observation(date(2023, 9, 30), 40)))  # fmt: skip
    row = evaluate(Ledger("L", "x.toml", targets={"q": t}), date(2023, 10, 31)).rows[0]
    actual, planned = trajectory(row)
    values = [v for _d, v in actual]
    assert values == [0.1, 0.2, None, 0.4]  # March to August: a gap, not 0
    assert planned[0] == (date(2023, 1, 1), 0.0) and planned[-1] == (date(2024, 12, 31), 1.0)


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
    # history: the two month ends the report compares
    assert data["history"] == [
        {"date": "2024-01-31", "completion": data["headline"]["completion_previous"]},
        {"date": "2024-02-29", "completion": data["headline"]["completion"]},
    ]
    assert [a["id"] for a in data["attention"]] == ["xss", "formula", "tasks"]
    assert data["headline"]["by_light"] == {"red": 3, "yellow": 1, "green": 3, "grey": 0}
    assert data["revisions"] == []


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


# -- formats and files --------------------------------------------------------------


@pytest.mark.parametrize(("name", "start"), [("r.md", b"# Report"), ("r.html", b"<!DOCTYPE html>"),
                                             ("r.json", b"{"), ("r.csv", b"\xef\xbb\xbfid,"),
                                             ("r.docx", b"PK"), ("r.xlsx", b"PK")])  # fmt: skip
def test_format_follows_the_out_extension(run, tmp_path: Path, name: str, start: bytes) -> None:  # type: ignore[no-untyped-def]
    out = tmp_path / name
    result = run("report", "-f", LEDGER, "--month", "2024-02", "--out", out, env=EPOCH)
    assert result.exit_code == 0, result.output
    assert out.read_bytes().startswith(start)


def test_csv_has_a_bom_in_a_file_only(run, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    out = tmp_path / "r.csv"
    assert run("report", "-f", LEDGER, "--month", "2024-02", "--out", out, env=EPOCH).exit_code == 0
    on_screen = report(run, "--month", "2024-02", "--format", "csv")
    assert not on_screen.startswith("\ufeff")
    assert out.read_bytes() == b"\xef\xbb\xbf" + on_screen.encode("utf-8")
    assert out.read_text(encoding="utf-8-sig").splitlines()[0].startswith("id,title")


@pytest.mark.parametrize(("args", "message"), [
    (["--out", "r.txt"], "unknown extension '.txt'"),
    (["--out", "r.md", "--format", "html"], "--format html does not match --out"),
    (["--format", "docx"], "give --out FILE.docx"),
    (["--format", "pdf"], "unknown report format 'pdf'"),
])  # fmt: skip
def test_format_errors_are_one_clear_line(run, tmp_path: Path, args: list[str], message: str) -> None:  # type: ignore[no-untyped-def]
    args = [str(tmp_path / a) if a.startswith("r.") else a for a in args]
    result = run("report", "-f", LEDGER, "--month", "2024-02", *args)
    assert result.exit_code == 2
    assert result.stderr.startswith("tracker: ") and message in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
    assert not list(tmp_path.iterdir())  # nothing written


def test_explicit_format_and_matching_extension_agree(run, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    out = tmp_path / "r.md"
    assert run("report", "-f", LEDGER, "--month", "2024-02", "--out", out, "--format", "markdown").exit_code == 0
    assert out.read_text(encoding="utf-8").startswith("# ")


def test_series_into_a_month_pattern(run, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    pattern = tmp_path / "reports" / "{month}.docx"
    result = run("report", "-f", LEDGER, "--from", "2024-01", "--to", "2024-02", "--out", pattern, env=EPOCH)
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in (tmp_path / "reports").iterdir()) == ["2024-01.docx", "2024-02.docx"]
    assert (tmp_path / "reports" / "2024-02.docx").read_bytes().startswith(b"PK")


def test_series_never_makes_a_folder_named_like_a_file(run, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    out = tmp_path / "x.html"
    result = run("report", "-f", LEDGER, "--from", "2024-01", "--to", "2024-02", "--out", out)
    assert result.exit_code == 2 and "looks like a file name" in result.stderr and "{month}" in result.stderr
    assert not out.exists()
    folder = tmp_path / "new" / "reports"  # a folder is created when needed
    result = run("report", "-f", LEDGER, "--from", "2024-01", "--to", "2024-02", "--format", "html", "--out", folder)
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in folder.iterdir()) == ["report-2024-01.html", "report-2024-02.html"]
    assert (folder / "report-2024-02.html").read_text(encoding="utf-8").startswith("<!DOCTYPE html>")


def test_out_html_holds_html_not_markdown(run, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    out = tmp_path / "report.html"
    assert run("report", "-f", LEDGER, "--month", "2024-02", "--out", out).exit_code == 0
    text = out.read_text(encoding="utf-8")
    assert text.startswith("<!DOCTYPE html>") and "## 1. Headline" not in text
