"""Word and Excel reports read back with python-docx and openpyxl: sections,
tables, numbers, number formats, status colours, East Asian fonts, repeated
table headers, A4, and byte-identical output under SOURCE_DATE_EPOCH."""

from __future__ import annotations

import io
from datetime import date
from pathlib import Path

import pytest

from .conftest import DATA, ROOT

LEDGER = DATA / "report-ledger.toml"
EPOCH = {"SOURCE_DATE_EPOCH": "1709251200"}  # 2024-03-01


def write(
    run, tmp_path: Path, name: str, *args: str, ledger: Path = LEDGER, env: dict[str, str] | None = None
) -> bytes:  # type: ignore[no-untyped-def]
    out = tmp_path / name
    result = run("report", "-f", ledger, "--month", "2024-02", "--out", out, *args, env={**EPOCH, **(env or {})})
    assert result.exit_code == 0, result.output
    return out.read_bytes()


def test_docx_reads_back_with_sections_tables_and_fonts(run, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    import docx
    from docx.oxml.ns import qn

    doc = docx.Document(io.BytesIO(write(run, tmp_path, "r.docx")))
    s = doc.sections[0]
    assert (round(s.page_width.mm), round(s.page_height.mm)) == (210, 297)  # A4
    paragraphs = doc.paragraphs
    assert paragraphs[0].style.name == "Title"
    assert paragraphs[0].text == "Report test ledger 报告: progress report, February 2024"
    headings = [p.text for p in paragraphs if p.style.name == "Heading 1"]
    assert headings == ["1. Headline", "2. Needs attention", "3. This month's progress", "4. By area",
                        "5. Coming up next month", "6. Stale figures", "7. Method and sources"]  # fmt: skip
    assert [p.text for p in paragraphs if p.style.name == "Heading 2"][1:] == [
        "4.1 Plan: completion 20.5%", "4.2 Transport: completion 55.0%"]  # fmt: skip
    # East Asian fonts named on the styles, so Word and WPS show Chinese in a Chinese font
    for name in ("Normal", "Title", "Heading 1", "Heading 2", "Table Text"):
        rfonts = doc.styles[name].element.rPr.find(qn("w:rFonts"))
        assert rfonts.get(qn("w:eastAsia")), name
        assert rfonts.get(qn("w:eastAsiaTheme")) is None, name
    tables = [t for t in doc.tables if t._tbl.find(".//" + qn("w:tblHeader")) is not None]
    for t in tables:  # every data table repeats its header row on each page
        assert t.rows[0]._tr.trPr.find(qn("w:tblHeader")) is not None
    attention = tables[2]
    # the latest note goes under the title (a column of its own leaves both too narrow)
    assert [c.text for c in attention.rows[0].cells] == ["title", "status", "done / expected", "projected", "due"]
    first = [c.text for c in attention.rows[1].cells]
    assert first[0] == "<script>alert(1)</script>\nlatest note: <b>bold</b> & co"  # no id: read by title
    assert first[1] == "overdue" and first[2] == "30.0% / 100.0%"
    # status cells are shaded by traffic light
    shd = attention.rows[1].cells[1]._tc.tcPr.find(qn("w:shd"))
    assert shd.get(qn("w:fill")) == "FFC7CE"
    area = tables[4]
    assert area.rows[2].cells[0].text == "└ Reform tasks 改革任务 tasks"
    ind = area.rows[2].cells[0].paragraphs[0]._p.pPr.find(qn("w:ind"))
    assert int(ind.get(qn("w:left"))) > 0  # indented under its rollup
    # charts as pictures: the overview, and the panels of "needs attention" as one picture
    assert len(doc.inline_shapes) == 2
    assert doc.core_properties.title.startswith("Report test ledger")


def test_docx_in_chinese_is_numbered_and_laid_out_as_government_reports(tmp_path: Path) -> None:
    import docx
    from docx.oxml.ns import qn

    from target_tracker.i18n import use_language
    from target_tracker.ledger.checks import load_and_check
    from target_tracker.reports.data import build_report, report_sections
    from target_tracker.reports.render import render_report

    result, _problems = load_and_check(LEDGER)
    assert result.ledger is not None
    use_language("zh")
    try:
        rep = build_report(result.ledger, "2024-02", date(2024, 3, 1))
        titles = [b.title for b in report_sections(rep)]
        data = render_report(rep, "docx")
    finally:
        use_language("en")
    assert [t[:2] for t in titles] == ["一、", "二、", "三、", "四、", "五、", "六、", "七、"]
    assert isinstance(data, bytes)
    doc = docx.Document(io.BytesIO(data))
    s = doc.sections[0]
    assert (round(s.top_margin.mm), round(s.left_margin.mm)) == (37, 28)  # GB/T 9704-2012
    subs = [p.text for p in doc.paragraphs if p.style.name == "Heading 2"]
    assert subs[-2].startswith("（一）") and subs[-1].startswith("（二）")
    fonts = {name: doc.styles[name].element.rPr.find(qn("w:rFonts")).get(qn("w:eastAsia"))
             for name in ("Normal", "Heading 1", "Heading 2", "Title")}  # fmt: skip
    assert fonts == {"Normal": "仿宋", "Heading 1": "黑体", "Heading 2": "楷体", "Title": "宋体"}
    assert "2024年2月29日" in "\n".join(p.text for p in doc.paragraphs)  # dates as Chinese reports write them


def test_numbering_follows_the_language() -> None:
    from target_tracker.i18n import use_language
    from target_tracker.reports.numbering import chinese_number, heading_number, long_date

    assert [chinese_number(n) for n in (1, 9, 10, 11, 20, 21)] == ["一", "九", "十", "十一", "二十", "二十一"]
    assert heading_number(1, 3) == "3." and heading_number(2, 2, parent=4) == "4.2"
    use_language("zh")
    try:
        assert [heading_number(1, 3), heading_number(2, 2), heading_number(3, 1), heading_number(4, 1)] == [
            "三、", "（二）", "1.", "（1）"]  # fmt: skip
        assert long_date(date(2021, 11, 3)) == "2021年11月3日"
    finally:
        use_language("en")
    assert long_date(date(2021, 11, 3)) == "2021-11-03"


def test_xlsx_ledger_reads_back_with_types_formats_and_colours(run, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    import openpyxl

    wb = openpyxl.load_workbook(io.BytesIO(write(run, tmp_path, "r.xlsx")))
    assert wb.sheetnames == ["Targets", "Figures this month", "Sources"]
    ws = wb["Targets"]
    head = [c.value for c in ws[1]]
    assert ws.freeze_panes == "A2" and ws.auto_filter.ref == f"A1:{ws.cell(1, len(head)).column_letter}8"
    rows = {r[0].value: dict(zip(head, r, strict=True)) for r in ws.iter_rows(min_row=2)}
    tasks = rows["tasks"]
    assert tasks["current"].value == 52 and isinstance(tasks["current"].value, int)
    assert tasks["goal"].value == 100
    assert tasks["done"].value == pytest.approx(0.52) and tasks["done"].number_format == "0.0%"
    assert tasks["due"].is_date and tasks["due"].value.date() == date(2024, 12, 31)
    assert tasks["status"].value == "at-risk" and tasks["status"].fill.fgColor.rgb.endswith("FFEB9C")
    assert rows["xss"]["status"].fill.fgColor.rgb.endswith("FFC7CE")  # overdue: red
    assert rows["finish"]["status"].fill.fgColor.rgb.endswith("C6EFCE")  # done: green
    assert tasks["title"].alignment.indent == 1 and rows["all"]["title"].alignment.indent == 0  # hierarchy
    assert ws.row_dimensions[3].outlineLevel == 1  # and outline grouping under the rollup
    formula = rows["formula"]["title"]
    assert formula.value == '=HYPERLINK("http://x")' and formula.data_type == "s"  # text, never a formula
    assert ws.column_dimensions["B"].width >= 20  # titles get room (Chinese counts double)
    figures = wb["Figures this month"]
    recs = [[c.value for c in r] for r in figures.iter_rows(min_row=2)]
    assert [r[1] for r in recs] == ["formula", "finish", "road", "tasks"]
    assert recs[3][4] == 8 and recs[3][6] == "Feb report"  # change as a number, with its source
    sources = wb["Sources"]
    assert any(r[2].value == "Test plan" and r[3].is_date for r in sources.iter_rows(min_row=2))


def test_status_xlsx_is_the_ledger_sheet_alone(run, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    import openpyxl

    out = tmp_path / "status.xlsx"
    result = run("status", "-f", LEDGER, "--as-of", "2024-02-29", "--format", "xlsx", "--out", out, env=EPOCH)
    assert result.exit_code == 0, result.output
    wb = openpyxl.load_workbook(out)
    assert wb.sheetnames == ["Targets"]
    ids = [r[0].value for r in wb["Targets"].iter_rows(min_row=2)]
    assert set(ids) == {"all", "tasks", "xss", "formula", "road", "old", "finish"}
    no_out = run("status", "-f", LEDGER, "--format", "xlsx")
    assert no_out.exit_code == 2 and "--out" in no_out.stderr
    by_extension = tmp_path / "by-ext.xlsx"
    assert run("status", "-f", LEDGER, "--out", by_extension).exit_code == 0
    assert by_extension.read_bytes().startswith(b"PK")


@pytest.mark.parametrize("name", ["r.docx", "r.xlsx"])
def test_office_files_are_byte_identical_run_to_run(run, tmp_path: Path, name: str) -> None:  # type: ignore[no-untyped-def]
    import zipfile

    a = write(run, tmp_path, "a-" + name)
    b = write(run, tmp_path, "b-" + name)
    assert a == b
    with zipfile.ZipFile(io.BytesIO(a)) as z:
        assert {i.date_time for i in z.infolist()} == {(2024, 3, 1, 0, 0, 0)}
        assert b"2024-03-01T00:00:00Z" in z.read("docProps/core.xml")
    other = write(run, tmp_path, "c-" + name, env={"SOURCE_DATE_EPOCH": "1700000000"})
    assert other != a  # the date is in it: the test can fail


def test_bundled_ledger_report_renders(run, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    result = run("report", "-f", ROOT / "targets.toml", "--month", "2021-10", "--format", "html", env=EPOCH)
    assert result.exit_code == 0, result.output
    assert "89 / 102 tasks" in result.stdout


def test_status_out_csv_has_a_bom(run, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    out = tmp_path / "status.csv"
    assert run("status", "-f", LEDGER, "--as-of", "2024-02-29", "--out", out).exit_code == 0
    data = out.read_bytes()
    assert data.startswith(b"\xef\xbb\xbf") and "临武至连州高速公路" in data.decode("utf-8-sig")
    screen = run("status", "-f", LEDGER, "--as-of", "2024-02-29", "--format", "csv")
    assert not screen.stdout.startswith("\ufeff")


def test_xlsx_report_imports_nothing_heavy(tmp_path: Path) -> None:
    """The Excel report needs openpyxl, not numpy or Pillow (which openpyxl
    imports when present) nor matplotlib: checked in a fresh process."""
    import subprocess
    import sys

    code = ("import sys\nfrom target_tracker.cli.common import main\n"
            "try:\n    main()\nexcept SystemExit as e:\n    assert not e.code, e.code\n"
            "print(sorted(m for m in ('numpy', 'PIL', 'matplotlib', 'openpyxl') if m in sys.modules))")  # fmt: skip
    out = tmp_path / "ledger.xlsx"
    args = ["--no-cache", "-f", str(LEDGER), "report", "--month", "2024-02", "--out", str(out)]
    env = {"PYTHONPATH": str(ROOT / "src"), "PATH": "/usr/bin:/bin", "NO_COLOR": "1"}
    proc = subprocess.run([sys.executable, "-c", code, *args], capture_output=True, text=True, env=env, check=True)
    assert proc.stdout.split("\n")[-2] == "['openpyxl']", proc.stdout + proc.stderr
    import openpyxl

    assert openpyxl.load_workbook(out).sheetnames[0]  # and the workbook is whole


def test_xlsx_prints_one_page_wide_at_a_legible_size(run, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    import openpyxl

    ws = openpyxl.load_workbook(io.BytesIO(write(run, tmp_path, "r.xlsx")))["Targets"]
    ps = ws.page_setup
    assert (ps.orientation, str(ps.paperSize), ps.fitToWidth, ps.fitToHeight) == ("landscape", "9", 1, 0)
    assert ws.print_title_rows == "$1:$1" and ws.page_margins.left <= 0.25
    head = [c.value for c in ws[1]]
    hidden = [h for c, h in zip(ws[1], head, strict=True) if ws.column_dimensions[c.column_letter].hidden]
    assert "id" in hidden and "title" not in hidden and "status" not in hidden
    assert sum(ws.column_dimensions[c.column_letter].width for c in ws[1]
               if not ws.column_dimensions[c.column_letter].hidden) <= 160  # fmt: skip


def test_docx_columns_save_lines_group_owners_and_break_dates_after_the_year() -> None:
    """Word tables: a short cell is never broken, the width goes where it saves
    lines (long titles before a short column), rows in runs of one owner get
    the owner once above each run, a Chinese date breaks only after 年."""
    import re

    from target_tracker.i18n import use_language
    from target_tracker.output.render import Column, Table
    from target_tracker.output.views import fmt_date
    from target_tracker.reports.docx_report import _PAD, _lines, column_widths, table_xml

    def table(owners: list[str]) -> Table:
        rows = [{"title": f"New financial institutions in Chenzhou Area, {2020 + k} and more words to wrap", "depth": 0,
                 "owner": owner, "progress": "下设4项", "due": date(2021, 12, 31)}
                for k, owner in enumerate(owners)]  # fmt: skip
        columns = [Column("title", "title"), Column("owner", "owner"), Column("progress", "progress", "right"),
                   Column("due", "due", text=fmt_date)]  # fmt: skip
        return Table(columns, [(None, rows)])

    use_language("zh")
    try:
        mixed = table(["Chenzhou Area management committee", "Transport Bureau"] * 3)
        shown = [c for c in mixed.columns if c.in_text]
        widths = column_widths(mixed, shown, 9, 8845, ids=False)
        assert sum(widths) == 8845
        title, owner, progress, due = ((w - _PAD) / 180 for w in widths)
        assert _lines("下设4项", progress) == 1  # short cells whole
        assert title > owner > progress  # the long titles first
        xml = table_xml(mixed, 9, ids=False)
        assert "gridSpan" not in xml and xml.count("Transport Bureau") == 3  # short runs: an owner column
        breaks = re.findall(r"([^>]{0,12})</w:t><w:br/><w:t[^>]*>([^<]*)", xml)
        assert all(a.endswith("年") and re.fullmatch(r"\d+月\d+日", b) for a, b in breaks), breaks
        if due < 9.0:  # too narrow for the whole date: broken after the year, never inside 12月
            assert ("2021年", "12月31日") in breaks
        grouped = table_xml(table(["Chenzhou Area management committee"] * 4 + ["Transport Bureau"] * 3), 9, ids=False)
        assert grouped.count("gridSpan") == 2 and grouped.count("Chenzhou Area management committee") == 1
        assert "责任单位：Transport Bureau" in grouped and ">责任单位<" not in grouped  # a row per run, no column
    finally:
        use_language("en")
