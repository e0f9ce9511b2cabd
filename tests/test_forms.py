"""tracker forms and tracker import: forms out, filled the way people fill them, one checked import back.

Every import is compared byte for byte with the ledger the equivalent
`tracker update` / `tracker done` commands build; every refusal shows its
message and leaves the ledger's bytes untouched.
"""

from __future__ import annotations

import csv
import io
import shutil
import zipfile
from pathlib import Path

import pytest
from openpyxl import load_workbook

LEDGER = """\
# 郴州 test ledger for the monthly round
title = "郴州 test ledger"

[targets.roads]
title = "临武至连州高速公路 Linwu-Lianzhou Expressway"
kind = "milestones"
owner = "交通运输局"
start = 2021-01-01
due = 2025-12-31
stages = [
  { name = "立项 approval", planned = 2021-06-30, done = 2021-05-20 },
  { name = "Land acquisition", weight = 2, planned = 2022-06-30 },
  { name = "Through traffic", weight = 4, planned = 2025-12-31 },
]

[targets.freight]
title = "Rail freight volume 铁路货运量"
kind = "quantity"
owner = "交通运输局"
unit = "10k t"
target = 1500
start = 2021-01-01
due = 2022-12-31
observations = [
  { date = 2021-09-30, value = 800, source = "Q3 report" },
  { date = 2021-10-31, value = 950 },
]

[targets.passengers]
title = "Airport passengers 机场旅客吞吐量"
owner = "交通运输局"
unit = "10k"
target = 2000
start = 2021-01-01
due = 2021-12-31
observations = [{ date = 2021-10-31, value = 1100 }]

[targets.bridge]
title = "Bridge repairs due mid-month"
owner = "交通运输局"
unit = "bridges"
target = 10
start = 2021-01-01
due = 2021-11-15
observations = [{ date = 2021-10-31, value = 9 }]

[targets.veg]
title = "Vegetables to the GBA"
owner = "农业农村局"
unit = "%"
at_least = 80
observations = [{ date = 2021-10-31, value = 82 }]

[targets.tasks]
title = "=Reform tasks"   # a title a spreadsheet would take for a formula
owner = "商务局/自贸办"
unit = "tasks"
target = 102
start = 2020-09-01
due = 2023-12-31
observations = [
  { date = 2021-10-31, value = 89 },
]

[targets.old-plan]
title = "Finished plan"
owner = "商务局/自贸办"
target = 5
start = 2020-01-01
due = 2020-12-31
"""

TRANSPORT = "交通运输局"
FARM = "农业农村局"
COMMERCE = "商务局/自贸办"


@pytest.fixture
def ledger(write_ledger) -> Path:  # type: ignore[no-untyped-def]
    return write_ledger(LEDGER)


def _bytes(p: Path) -> bytes:
    return p.read_bytes()


def make_forms(run, ledger: Path, out: Path, *args: str) -> None:  # type: ignore[no-untyped-def]
    result = run("-f", ledger, "forms", "--month", "2021-11", "--out", out, *args)
    assert result.exit_code == 0, result.output


def row_of(ws, tid: str, stage: str | None = None) -> int:  # type: ignore[no-untyped-def]
    for r in range(1, ws.max_row + 1):
        if ws.cell(r, 1).value == tid and (stage is None or str(ws.cell(r, 3).value or "").startswith(stage)):
            return r
    raise AssertionError(f"no row for {tid} {stage}")


VALUE, DATE, NOTE, SOURCE = 12, 13, 14, 15  # columns L, M, N, O


def fill(path: Path, cells: dict[tuple[str, str | None, int], object], sheet: str = "Form") -> None:
    wb = load_workbook(path)
    ws = wb[sheet]
    for (tid, stage, col), value in cells.items():
        ws.cell(row_of(ws, tid, stage), col).value = value
    wb.save(path)


def equivalent(run, path: Path, *commands: list[str]) -> None:  # type: ignore[no-untyped-def]
    for cmd in commands:
        result = run("-f", path, *cmd)
        assert result.exit_code == 0, result.output


# -- forms ----------------------------------------------------------------------------------


def test_forms_one_workbook_per_owner(run, ledger, tmp_path):  # type: ignore[no-untyped-def]
    out = tmp_path / "forms"
    result = run("-f", ledger, "forms", "--month", "2021-11", "--out", out)
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in out.iterdir()) == ["交通运输局.xlsx", "农业农村局.xlsx", "商务局_自贸办.xlsx"]
    wb = load_workbook(out / "交通运输局.xlsx")
    assert wb.sheetnames[:2] == ["Instructions", "Form"]
    assert wb["tracker"].sheet_state == "veryHidden"
    meta = {wb["tracker"].cell(r, 1).value: wb["tracker"].cell(r, 2).value for r in range(1, 8)}
    assert (meta["ledger"], meta["owner"], meta["month"]) == ("郴州 test ledger", TRANSPORT, "2021-11")
    assert "tracker_owner" in wb.defined_names
    ws = wb["Form"]
    ids = [ws.cell(r, 1).value for r in range(4, ws.max_row + 1)]
    # open stages of roads (stage 1 is done), the figures; not other owners' targets
    assert ids == ["roads", "roads", "freight", "passengers", "bridge"]
    r = row_of(ws, "freight")
    assert [ws.cell(r, c).value for c in (4, 5, 7)] == ["10k t", 1500, 950]
    assert ws.cell(r, 8).value.date().isoformat() == "2021-10-31"
    assert ws.cell(r, DATE).value.date().isoformat() == "2021-11-30"  # pre-filled with the month's last day
    assert ws.cell(row_of(ws, "bridge"), DATE).value.date().isoformat() == "2021-11-15"  # due mid-month
    assert ws.cell(row_of(ws, "roads", "2."), DATE).value is None  # a stage is not pre-filled as done
    # locked fixed columns, unlocked input cells, the sheet protected
    assert ws.protection.sheet
    assert ws.cell(r, 1).protection.locked and ws.cell(r, 2).protection.locked
    assert not any(ws.cell(r, c).protection.locked for c in (VALUE, DATE, NOTE, SOURCE))
    assert ws.cell(row_of(ws, "roads", "2."), VALUE).protection.locked  # a stage takes no figure
    kinds = {(dv.type, str(dv.sqref)) for dv in ws.data_validations.dataValidation}
    assert ("decimal", "L6 L7 L8") in kinds
    assert any(t == "date" and "M6" in ref for t, ref in kinds)
    dates = next(dv for dv in ws.data_validations.dataValidation if dv.type == "date" and "M6" in str(dv.sqref))
    assert (dates.formula1, dates.formula2) == ("DATE(2021,8,1)", "DATE(2021,11,30)")
    # the title that looks like a formula stays text
    wb2 = load_workbook(out / "商务局_自贸办.xlsx")
    assert wb2["Form"].cell(4, 2).value == "=Reform tasks" and wb2["Form"].cell(4, 2).data_type == "s"
    # the finished plan (due 2020) takes no figure in 2021-11
    assert [wb2["Form"].cell(r, 1).value for r in range(4, wb2["Form"].max_row + 1)] == ["tasks"]
    assert "3 forms for November 2021" in result.output


def test_forms_owner_filter_csv_and_refusals(run, ledger, tmp_path):  # type: ignore[no-untyped-def]
    out = tmp_path / "csv"
    make_forms(run, ledger, out, "--owner", FARM, "--format", "csv")
    assert [p.name for p in out.iterdir()] == ["农业农村局.csv"]
    raw = (out / "农业农村局.csv").read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(raw.decode("utf-8-sig"))))
    assert rows[0] == ["tracker-form v1", "郴州 test ledger", FARM, "2021-11"]
    assert rows[1][0] == "id (do not edit)" and len(rows[1]) == 15
    assert rows[2][:5] == ["veg", "Vegetables to the GBA", "", "%", "≥ 80"]
    assert rows[2][12] == "2021-11-30"
    again = run("-f", ledger, "forms", "--month", "2021-11", "--out", out, "--owner", FARM, "--format", "csv")
    assert again.exit_code == 2 and "already exists" in again.output
    assert run("-f", ledger, "forms", "--month", "2021-11", "--out", out, "--owner", FARM, "--format", "csv",
               "--force").exit_code == 0  # fmt: skip
    bad = run("-f", ledger, "forms", "--month", "2021-11", "--out", out, "--owner", "农业农村")
    assert bad.exit_code == 2 and "no target is owned by '农业农村' (did you mean '农业农村局'?)" in bad.output
    assert "is not a month" in run("-f", ledger, "forms", "--month", "2021-13", "--out", out).output
    assert "use xlsx or csv" in run("-f", ledger, "forms", "--month", "2021-11", "--format", "ods").output


def test_sheet_names_follow_the_interface_language(run, ledger, tmp_path):  # type: ignore[no-untyped-def]
    result = run("--lang", "zh", "-f", ledger, "forms", "--month", "2021-11", "--out", tmp_path / "zh", "--owner", FARM)
    assert result.exit_code == 0, result.output
    wb = load_workbook(tmp_path / "zh" / "农业农村局.xlsx")
    assert wb.sheetnames[:2] == ["说明", "填报"]
    ws = wb["填报"]
    ws.cell(4, VALUE).value = "abc"
    wb.save(tmp_path / "zh" / "农业农村局.xlsx")
    # a ledger whose [settings] lang is zh gets Chinese forms without --lang
    zh = ledger.with_name("zh.toml")
    zh.write_text(LEDGER.replace('title = "郴州 test ledger"', 'title = "郴州 test ledger"\n\n[settings]\nlang = "zh"'),
                  encoding="utf-8")  # fmt: skip
    assert run("-f", zh, "forms", "--month", "2021-11", "--out", tmp_path / "zh2").exit_code == 0
    assert load_workbook(tmp_path / "zh2" / "农业农村局.xlsx").sheetnames[:2] == ["说明", "填报"]
    # imported by a planner whose interface is English: the form's own sheet name is named
    result = run("--lang", "en", "-f", ledger, "import", tmp_path / "zh" / "农业农村局.xlsx")
    assert "农业农村局.xlsx:填报!L4: value 'abc' is not a number" in result.output


# -- the round trip -------------------------------------------------------------------------


def test_round_trip_equals_the_update_commands(run, ledger, tmp_path):  # type: ignore[no-untyped-def]
    out = tmp_path / "forms"
    make_forms(run, ledger, out)
    expected = tmp_path / "expected.toml"
    shutil.copy(ledger, expected)

    path = out / "交通运输局.xlsx"
    wb = load_workbook(path)
    ws = wb["Form"]
    ws.cell(row_of(ws, "freight"), VALUE).value = "=1000+200"  # a formula, no saved result (openpyxl)
    ws.cell(row_of(ws, "freight"), NOTE).value = "Jan-Nov"
    r = row_of(ws, "passengers")
    ws.cell(r, VALUE).value = "1,200"  # a number typed as text
    ws.cell(r, DATE).value = "2021/11/30"  # a date typed as text
    ws.cell(r, NOTE).value = "  domestic flights back  "
    r = row_of(ws, "roads", "2.")
    ws.cell(r, DATE).value = "2021年11月20日"
    ws.cell(r, NOTE).value = "省发改委批复"
    ws.cell(r, SOURCE).value = "湘发改交能〔2021〕123号"
    ws.insert_rows(row_of(ws, "freight"))  # a blank row in between
    # one source for two rows, typed into a merged cell
    f, p = row_of(ws, "freight"), row_of(ws, "passengers")
    assert p == f + 1
    ws.cell(f, SOURCE).value = "交通运输局月报 2021-11"
    ws.merge_cells(start_row=f, start_column=SOURCE, end_row=p, end_column=SOURCE)
    wb.save(path)
    fill(out / "农业农村局.xlsx", {("veg", None, VALUE): 85})  # a plain number; the date stays pre-filled

    result = run("-f", ledger, "import", *sorted(out.glob("*.xlsx")))
    assert result.exit_code == 0, result.output
    assert "recorded 3 figures and 1 stage for November 2021 from 2 departments" in result.output
    assert "returned with nothing filled in: 商务局/自贸办" in result.output  # an empty form is no contributor
    assert "2 targets got no figure for November 2021:" in result.output
    assert "  交通运输局: bridge" in result.output and "  商务局/自贸办: tasks" in result.output

    equivalent(
        run, expected,
        ["done", "roads", "2", "--date", "2021-11-20", "--note", "省发改委批复", "--source", "湘发改交能〔2021〕123号"],
        ["update", "freight", "1200", "--date", "2021-11-30", "--note", "Jan-Nov", "--source", "交通运输局月报 2021-11"],
        ["update", "passengers", "1200", "--date", "2021-11-30", "--note", "domestic flights back",
         "--source", "交通运输局月报 2021-11"],
        ["update", "veg", "85", "--date", "2021-11-30"],
    )  # fmt: skip
    assert _bytes(ledger) == _bytes(expected)
    assert _bytes(ledger) != LEDGER.encode()

    # importing the same forms again changes nothing: every row is already there
    again = run("-f", ledger, "import", *sorted(out.glob("*.xlsx")))
    assert again.exit_code == 0, again.output
    assert (
        "recorded 0 figures for November 2021" in again.output and "4 rows were already in the ledger" in again.output
    )
    assert _bytes(ledger) == _bytes(expected)


def test_round_trip_csv_and_dry_run(run, ledger, tmp_path, fixed_today):  # type: ignore[no-untyped-def]
    out = tmp_path / "csv"
    make_forms(run, ledger, out, "--format", "csv")
    expected = tmp_path / "expected.toml"
    shutil.copy(ledger, expected)
    path = out / "交通运输局.csv"
    rows = list(csv.reader(io.StringIO(path.read_bytes().decode("utf-8-sig"))))
    for row in rows:
        if row[0] == "freight":
            row[VALUE - 1], row[NOTE - 1] = "1,250.5", "累计"
        if row[0] == "roads" and row[2].startswith("3."):
            row[DATE - 1] = "30/11/2021"
    rows.insert(3, [""] * 15)  # a blank row
    buf = io.StringIO()
    csv.writer(buf, lineterminator="\r\n").writerows(rows)
    path.write_bytes(buf.getvalue().encode("gb18030"))  # saved by Excel on a Chinese system
    farm = out / "农业农村局.csv"
    text = farm.read_bytes().decode("utf-8-sig").replace("2021-11-30", "2021年11月30日")
    farm.write_bytes(("\ufeff" + text.replace(",,2021年", ",85%,2021年")).encode("utf-8"))

    dry = run("-f", ledger, "import", path, farm, "--dry-run")
    assert dry.exit_code == 0, dry.output
    assert f'+  {{ date = 2021-11-30, value = 1250.5, note = "累计", recorded = {fixed_today} }},' in dry.output
    assert "would record 2 figures and 1 stage for November 2021 from 2 departments" in dry.output
    assert "no form back from: 商务局/自贸办" in dry.output
    assert _bytes(ledger) == LEDGER.encode()

    result = run("-f", ledger, "import", path, farm)
    assert result.exit_code == 0, result.output
    equivalent(
        run, expected,
        ["update", "freight", "1250.5", "--date", "2021-11-30", "--note", "累计"],
        ["done", "roads", "3", "--date", "2021-11-30"],
        ["update", "veg", "85", "--date", "2021-11-30"],
    )  # fmt: skip
    assert _bytes(ledger) == _bytes(expected)


def test_split_ledger_one_transaction_over_files(run, write_ledger, tmp_path, fixed_today):  # type: ignore[no-untyped-def]
    head, _, rest = LEDGER.partition("[targets.roads]")
    main = write_ledger(head.replace('title = "郴州 test ledger"', 'title = "郴州 test ledger"\ninclude = ["parts/"]'))
    write_ledger("[targets.roads]" + rest.split("[targets.veg]")[0], name="parts/a.toml", newline="\r\n")
    write_ledger("[targets.veg]" + rest.split("[targets.veg]")[1], name="parts/b.toml")
    expected = tmp_path / "expected"
    shutil.copytree(tmp_path, expected, ignore=shutil.ignore_patterns("expected"))
    out = tmp_path / "forms"
    make_forms(run, main, out)
    fill(out / "交通运输局.xlsx", {("freight", None, VALUE): 1000, ("roads", "2.", DATE): "2021-11-02"})
    fill(out / "农业农村局.xlsx", {("veg", None, VALUE): 81.5})
    result = run("-f", main, "import", *sorted(out.glob("*.xlsx")))
    assert result.exit_code == 0, result.output
    equivalent(
        run, expected / "targets.toml",
        ["update", "freight", "1000", "--date", "2021-11-30"],
        ["done", "roads", "2", "--date", "2021-11-02"],
        ["update", "veg", "81.5", "--date", "2021-11-30"],
    )  # fmt: skip
    for name in ("targets.toml", "parts/a.toml", "parts/b.toml"):
        assert _bytes(tmp_path / name) == _bytes(expected / name), name
    line = f"\r\n  {{ date = 2021-11-30, value = 1000, recorded = {fixed_today} }},\r\n"
    assert line.encode() in _bytes(tmp_path / "parts/a.toml")


# -- every refusal: the message, and the ledger untouched --------------------------------------------


def _refused(run, ledger: Path, *files: Path, extra: tuple[str, ...] = ()) -> str:  # type: ignore[no-untyped-def]
    before = _bytes(ledger)
    result = run("-f", ledger, "import", *files, *extra)
    assert result.exit_code == 2, result.output
    assert "nothing was written" in result.output
    assert _bytes(ledger) == before
    return str(result.output)


@pytest.fixture
def forms(run, ledger, tmp_path) -> Path:  # type: ignore[no-untyped-def]
    out = tmp_path / "forms"
    make_forms(run, ledger, out)
    return out


def test_a_title_that_looks_like_a_formula_is_text(run, ledger, forms, fixed_today):  # type: ignore[no-untyped-def]
    fill(forms / "商务局_自贸办.xlsx", {("tasks", None, VALUE): 95})
    result = run("-f", ledger, "import", forms / "商务局_自贸办.xlsx")
    assert result.exit_code == 0, result.output
    assert f"{{ date = 2021-11-30, value = 95, recorded = {fixed_today} }}," in ledger.read_text(encoding="utf-8")


def test_text_in_a_number_cell(run, ledger, forms):  # type: ignore[no-untyped-def]
    fill(forms / "交通运输局.xlsx", {("freight", None, VALUE): "abc", ("passengers", None, VALUE): 1300})
    out = _refused(run, ledger, forms / "交通运输局.xlsx")
    assert "交通运输局.xlsx:Form!L6: value 'abc' is not a number" in out
    assert "1 problem in the forms; nothing was written" in out


@pytest.mark.parametrize(
    ("tid", "col", "value", "message"),
    [
        ("freight", DATE, "2021-12-05", "Form!M6: date 2021-12-05 is after the end of November 2021"),
        ("freight", DATE, "2020-11-30", "Form!M6: date 2020-11-30 is out of range: give a date from 2021-08-01 to "
                                        "2021-11-30"),
        ("bridge", DATE, "2021-11-30", "Form!M8: date 2021-11-30 is after the due date 2021-11-15"),
        ("freight", DATE, "2021-13-45", "Form!M6: date '2021-13-45' is not a real date"),
        ("freight", DATE, "01/02/2021", "Form!M6: date '01/02/2021' could be 2021-02-01 or 2021-01-02"),
        ("freight", DATE, None, "Form!M6: the figure has no date"),
        ("freight", VALUE, "=VLOOKUP(A1,B:B,2)", "Form!L6: the formula '=VLOOKUP(A1,B:B,2)' has no saved result"),
    ],
)  # fmt: skip
def test_bad_dates_and_formulas(run, ledger, forms, tid, col, value, message):  # type: ignore[no-untyped-def]
    cells: dict[tuple[str, str | None, int], object] = {(tid, None, col): value}
    if col == DATE:
        cells[(tid, None, VALUE)] = 100
    fill(forms / "交通运输局.xlsx", cells)
    assert message in _refused(run, ledger, forms / "交通运输局.xlsx")


def test_percent_needs_a_percent_unit(run, ledger, forms):  # type: ignore[no-untyped-def]
    fill(forms / "交通运输局.xlsx", {("freight", None, VALUE): "95%"})
    out = _refused(run, ledger, forms / "交通运输局.xlsx")
    assert "Form!L6: value '95%' is a percentage, but 'freight' is counted in '10k t'" in out


def test_stage_date_in_the_future_and_edited_stage(run, ledger, forms):  # type: ignore[no-untyped-def]
    wb = load_workbook(forms / "交通运输局.xlsx")
    ws = wb["Form"]
    ws.cell(row_of(ws, "roads", "2."), DATE).value = "2099-01-01"
    ws.cell(row_of(ws, "roads", "3."), 3).value = "3. Opening"
    ws.cell(row_of(ws, "roads", "3."), DATE).value = "2021-11-01"
    wb.save(forms / "交通运输局.xlsx")
    out = _refused(run, ledger, forms / "交通运输局.xlsx")
    assert "Form!M4: date 2099-01-01 is in the future" in out
    assert "Form!C5: 'roads' has no stage '3. Opening'" in out


def test_unknown_edited_and_foreign_ids(run, ledger, forms):  # type: ignore[no-untyped-def]
    wb = load_workbook(forms / "交通运输局.xlsx")
    ws = wb["Form"]
    ws.cell(row_of(ws, "freight"), 1).value = "freigth"
    ws.cell(row_of(ws, "freigth"), VALUE).value = 1
    ws.cell(row_of(ws, "passengers"), 1).value = "bridge"  # another of the same owner's ids
    ws.cell(row_of(ws, "bridge"), VALUE).value = 2
    r = ws.max_row + 1  # a row added by hand for another department's target
    ws.cell(r, 1).value, ws.cell(r, 2).value, ws.cell(r, VALUE).value = "veg", "Vegetables to the GBA", 90
    ws.cell(r, DATE).value = "2021-11-30"
    wb.save(forms / "交通运输局.xlsx")
    out = _refused(run, ledger, forms / "交通运输局.xlsx")
    assert "Form!A6: unknown id 'freigth' (did you mean 'freight'?): the ids must not be edited" in out
    assert ("Form!A7: the id 'bridge' does not belong to the target on this row "
            "('Airport passengers 机场旅客吞吐量')") in out  # fmt: skip
    assert "Form!A9: 'veg' belongs to '农业农村局', not to this form's owner '交通运输局'" in out
    assert "3 problems in the forms" in out


def test_same_target_and_date_twice(run, ledger, forms, tmp_path):  # type: ignore[no-untyped-def]
    fill(forms / "农业农村局.xlsx", {("veg", None, VALUE): 85})
    copy = tmp_path / "农业农村局 (2).xlsx"
    shutil.copy(forms / "农业农村局.xlsx", copy)
    fill(copy, {("veg", None, VALUE): 86})
    out = _refused(run, ledger, forms / "农业农村局.xlsx", copy)
    assert f"{copy}:Form!L4: 'veg' on 2021-11-30: 86 here but 85 at {forms / '农业农村局.xlsx'}:Form!L4" in out
    # the same figure twice is no conflict
    fill(copy, {("veg", None, VALUE): 85})
    result = run("-f", ledger, "import", forms / "农业农村局.xlsx", copy)
    assert result.exit_code == 0 and "recorded 1 figure for November 2021 from 1 department" in result.output


def test_same_target_twice_in_one_file(run, ledger, forms):  # type: ignore[no-untyped-def]
    wb = load_workbook(forms / "交通运输局.xlsx")
    ws = wb["Form"]
    src = row_of(ws, "freight")
    r = ws.max_row + 2
    for c in range(1, 16):
        ws.cell(r, c).value = ws.cell(src, c).value
    ws.cell(src, VALUE).value, ws.cell(r, VALUE).value = 1000, 1001
    wb.save(forms / "交通运输局.xlsx")
    out = _refused(run, ledger, forms / "交通运输局.xlsx")
    assert f"Form!L{r}: 'freight' on 2021-11-30: 1001 here but 1000 at " in out


def test_a_figure_that_contradicts_the_ledger(run, ledger, forms):  # type: ignore[no-untyped-def]
    fill(forms / "交通运输局.xlsx", {("freight", None, VALUE): 960, ("freight", None, DATE): "2021-10-31"})
    out = _refused(run, ledger, forms / "交通运输局.xlsx")
    assert "'freight' already has a figure dated 2021-10-31 in the ledger (950); the form says 960" in out


def test_form_for_another_month_or_ledger(run, ledger, forms, tmp_path):  # type: ignore[no-untyped-def]
    october = tmp_path / "oct"
    assert run("-f", ledger, "forms", "--month", "2021-10", "--out", october, "--owner", FARM).exit_code == 0
    fill(forms / "交通运输局.xlsx", {("freight", None, VALUE): 1000})
    fill(october / "农业农村局.xlsx", {("veg", None, VALUE): 85})
    out = _refused(run, ledger, forms / "交通运输局.xlsx", october / "农业农村局.xlsx")
    assert f"{october / '农业农村局.xlsx'}: this form is for October 2021, not November 2021" in out
    out = _refused(run, ledger, forms / "交通运输局.xlsx", extra=("--month", "2021-12"))
    assert "this form is for November 2021, not December 2021" in out
    other = tmp_path / "other.toml"
    other.write_text(LEDGER.replace('title = "郴州 test ledger"', 'title = "Another city"'), encoding="utf-8")
    out = _refused(run, other, forms / "交通运输局.xlsx")
    assert "this form is for the ledger '郴州 test ledger', not 'Another city'" in out


def test_not_a_form(run, ledger, tmp_path):  # type: ignore[no-untyped-def]
    junk = tmp_path / "notes.xlsx"
    junk.write_bytes(b"PK\x03\x04 not really a zip")
    text = tmp_path / "notes.csv"
    text.write_text("a,b\n1,2\n", encoding="utf-8")
    damaged = tmp_path / "damaged.xlsx"
    make_forms(run, ledger, tmp_path / "f", "--owner", FARM)
    with zipfile.ZipFile(tmp_path / "f" / "农业农村局.xlsx") as src, zipfile.ZipFile(damaged, "w") as dst:
        for item in src.infolist():
            data = src.read(item.filename)
            dst.writestr(item, b"<worksheet><sheetData><row" if item.filename.endswith("sheet2.xml") else data)
    out = _refused(run, ledger, junk, text, tmp_path / "missing.xlsx", damaged)
    assert f"{damaged}: cannot read it as an Excel workbook" in out
    assert f"{junk}: cannot read it as an Excel workbook" in out
    assert f"{text}: not a tracker form" in out
    assert f"{tmp_path / 'missing.xlsx'}: no such file" in out


def test_every_problem_at_once(run, ledger, forms):  # type: ignore[no-untyped-def]
    fill(forms / "交通运输局.xlsx", {("freight", None, VALUE): "abc", ("passengers", None, VALUE): "12x"})
    fill(forms / "农业农村局.xlsx", {("veg", None, VALUE): 85, ("veg", None, DATE): "soon"})
    out = _refused(run, ledger, *sorted(forms.glob("*.xlsx")))
    assert out.count("\n") >= 4 and "3 problems in the forms" in out
    assert "农业农村局.xlsx:Form!M4: date 'soon' is not a date" in out


def test_csv_problems_name_the_cell(run, ledger, tmp_path):  # type: ignore[no-untyped-def]
    out = tmp_path / "csv"
    make_forms(run, ledger, out, "--owner", TRANSPORT, "--format", "csv")
    path = out / "交通运输局.csv"
    rows = list(csv.reader(io.StringIO(path.read_bytes().decode("utf-8-sig"))))
    for row in rows:
        if row[0] == "freight":
            row[VALUE - 1] = "一千"
        elif row[0] == "passengers":
            row[0], row[VALUE - 1] = "bridge", "5"  # an id typed over another
    buf = io.StringIO()
    csv.writer(buf).writerows(rows)
    path.write_text(buf.getvalue(), encoding="utf-8")  # saved without the BOM
    err = _refused(run, ledger, path)
    assert f"{path}:L5: value '一千' is not a number" in err
    assert f"{path}:A6: the id 'bridge' does not belong to the target on this row" in err


def test_a_form_saved_by_libreoffice(run, ledger, forms, tmp_path):  # type: ignore[no-untyped-def]
    """A department that fills the form in LibreOffice (or WPS) and saves it: the
    hidden sheet, protection and validation survive, and a formula's saved result is used."""
    import os
    import subprocess

    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    if soffice is None:
        if os.environ.get("CI"):
            pytest.fail("LibreOffice is missing on CI: .ci/run must install it")
        pytest.skip("LibreOffice is not installed (apt-get install libreoffice-calc)")
    # a formula this tool cannot evaluate itself; LibreOffice saves its result
    fill(forms / "交通运输局.xlsx", {("freight", None, VALUE): "=VLOOKUP(2,{1,10;2,1200},2)",
                                  ("freight", None, NOTE): "Jan-Nov", ("roads", "3.", DATE): "2021/11/30"})  # fmt: skip
    saved = tmp_path / "saved"
    profile = tmp_path / "lo-profile"
    subprocess.run([soffice, f"-env:UserInstallation=file://{profile}", "--headless", "--calc", "--convert-to",
                    "xlsx:Calc MS Excel 2007 XML", "--outdir", str(saved), str(forms / "交通运输局.xlsx")],
                   check=True, capture_output=True, timeout=180)  # fmt: skip
    wb = load_workbook(saved / "交通运输局.xlsx")
    assert wb.worksheets[1].protection.sheet and wb["tracker"].sheet_state != "visible"
    expected = tmp_path / "expected.toml"
    shutil.copy(ledger, expected)
    subprocess.run([soffice, f"-env:UserInstallation=file://{profile}", "--headless", "--convert-to", "ods",
                    "--outdir", str(saved), str(forms / "交通运输局.xlsx")], check=True, capture_output=True,
                   timeout=180)  # fmt: skip
    assert "an OpenDocument file (.ods); save it as an Excel workbook" in _refused(
        run, ledger, saved / "交通运输局.ods"
    )
    result = run("-f", ledger, "import", saved / "交通运输局.xlsx")
    assert result.exit_code == 0, result.output
    equivalent(run, expected, ["update", "freight", "1200", "--date", "2021-11-30", "--note", "Jan-Nov"],
               ["done", "roads", "3", "--date", "2021-11-30"])  # fmt: skip
    assert _bytes(ledger) == _bytes(expected)


def test_form_prints_one_page_wide_with_the_header_on_every_page(run, ledger, forms):  # type: ignore[no-untyped-def]
    from openpyxl import load_workbook

    from target_tracker.forms.layout import COLUMNS

    ws = load_workbook(forms / "交通运输局.xlsx")["Form"]
    ps = ws.page_setup
    assert (ps.orientation, ps.paperSize, ps.fitToWidth, ps.fitToHeight) == ("landscape", 9, 1, 0)
    assert ws.sheet_properties.pageSetUpPr.fitToPage and ws.print_title_rows == "$3:$3"
    assert ws.page_margins.left <= 0.25 and ws.page_margins.right <= 0.25
    assert ws.column_dimensions["A"].hidden and ws.cell(6, 1).value  # the id is kept, not printed
    letters = [ws.cell(3, k).column_letter for k in range(1, len(COLUMNS) + 1)]
    printed = sum(c.width for c, x in zip(COLUMNS, letters, strict=True) if not ws.column_dimensions[x].hidden)
    assert printed <= 155  # A4 landscape one page wide: ~8 pt text (LibreOffice PDF)
    # a form without stages hides the empty stage column too; with stages it is shown
    assert not ws.column_dimensions["C"].hidden
    assert load_workbook(forms / "农业农村局.xlsx")["Form"].column_dimensions["C"].hidden


def test_chinese_messages_read_dates_months_and_lists_the_chinese_way(run, ledger, tmp_path):  # type: ignore[no-untyped-def]
    out = tmp_path / "zh"
    result = run("--lang", "zh", "-f", ledger, "forms", "--month", "2021-11", "--out", out)
    assert result.exit_code == 0, result.output
    assert "生成2021年11月填报表 3 份" in result.output and "2021-11" not in result.output
    info = load_workbook(out / "农业农村局.xlsx")["说明"]
    assert "截至2021年11月末" in str(info.cell(3, 1).value)
    fill(out / "农业农村局.xlsx", {("veg", None, VALUE): "123456789012345678901234567890"}, "填报")
    refused = run("--lang", "zh", "-f", ledger, "import", *sorted(out.glob("*.xlsx")))
    cli = run("--lang", "zh", "-f", ledger, "update", "veg", "123456789012345678901234567890")
    message = cli.output.strip().splitlines()[-1]
    message = message[message.index("数值") :]
    assert refused.exit_code != 0 and "过大" in message and message in refused.output  # the CLI's words, in the form
    fill(out / "农业农村局.xlsx", {("veg", None, VALUE): 85}, "填报")
    result = run("--lang", "zh", "-f", ledger, "import", *sorted(out.glob("*.xlsx")), "--dry-run")
    assert result.exit_code == 0, result.output
    assert "将录入 1 个单位报送的2021年11月数据 1 条" in result.output
    assert "交回但未填写任何内容的：交通运输局、商务局/自贸办" in result.output
    assert "  交通运输局：freight、passengers" in result.output


def test_a_back_dated_figure_goes_in_date_order_as_update_writes_it(run, ledger, forms, tmp_path, fixed_today):  # type: ignore[no-untyped-def]
    expected = tmp_path / "expected.toml"
    shutil.copyfile(ledger, expected)
    fill(forms / "交通运输局.xlsx", {("freight", None, VALUE): 900, ("freight", None, DATE): "2021-10-15"})
    result = run("-f", ledger, "import", forms / "交通运输局.xlsx")
    assert result.exit_code == 0, result.output
    equivalent(run, expected, ["update", "freight", "900", "--date", "2021-10-15"])
    assert _bytes(ledger) == _bytes(expected)
    assert (
        '  { date = 2021-09-30, value = 800, source = "Q3 report" },\n'
        f"  {{ date = 2021-10-15, value = 900, recorded = {fixed_today} }},\n"
        "  { date = 2021-10-31, value = 950 },\n"
    ) in ledger.read_text(encoding="utf-8")


def test_a_ledger_that_requires_sources_refuses_a_row_without_one(run, write_ledger, tmp_path):  # type: ignore[no-untyped-def]
    ledger = write_ledger(LEDGER.replace('title = "郴州 test ledger"\n', 'title = "郴州 test ledger"\n\n'
                                         "[settings]\nrequire_figure_source = true\n", 1))  # fmt: skip
    out = tmp_path / "forms"
    make_forms(run, ledger, out)
    fill(out / "交通运输局.xlsx", {("freight", None, VALUE): 1000, ("passengers", None, VALUE): 1200,
                                   ("passengers", None, SOURCE): "交通运输局月报"})  # fmt: skip
    message = _refused(run, ledger, out / "交通运输局.xlsx")
    assert "交通运输局.xlsx:Form!O" in message and "requires a source for every figure" in message
    assert "passengers" not in message


def test_implausible_figures_are_recorded_and_told_as_update_tells_them(run, ledger, forms, tmp_path, fixed_today):  # type: ignore[no-untyped-def]
    """A figure more than twice the target, and a cumulative count that falls:
    imported all the same, each warned about with its cell and in the words of
    `tracker update`; --quiet hides the warnings, not the figures."""
    fill(forms / "交通运输局.xlsx", {("freight", None, VALUE): 4000, ("passengers", None, VALUE): 900})
    copy = tmp_path / "copy.toml"
    shutil.copy(ledger, copy)
    expected = tmp_path / "expected.toml"
    shutil.copy(ledger, expected)
    by_update = [run("-f", expected, "update", "freight", "4000", "--date", "2021-11-30"),
                 run("-f", expected, "update", "passengers", "900", "--date", "2021-11-30")]  # fmt: skip
    warnings = [line for r in by_update for line in r.output.splitlines() if line.startswith("warning:")]
    assert len(warnings) == 2, [r.output for r in by_update]

    result = run("-f", ledger, "import", forms / "交通运输局.xlsx")
    assert result.exit_code == 0, result.output
    assert "recorded 2 figures for November 2021" in result.output
    assert f"交通运输局.xlsx:Form!L6: {warnings[0]}" in result.output  # freight: more than twice the target
    assert f"交通运输局.xlsx:Form!L7: {warnings[1]}" in result.output  # passengers: the count falls
    assert _bytes(ledger) == _bytes(expected)

    quiet = run("-f", copy, "import", "--quiet", forms / "交通运输局.xlsx")
    assert quiet.exit_code == 0, quiet.output
    assert "warning:" not in quiet.output and "recorded 2 figures" in quiet.output
    assert _bytes(copy) == _bytes(expected)
