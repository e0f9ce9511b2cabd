"""The parts under tracker import: what people type in cells, formulas, file names,
and many edits applied in one pass (equal to applying them one by one)."""

from __future__ import annotations

import random
from datetime import date, datetime
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from target_tracker.edits.batch import _fast_splice, splice_all
from target_tracker.edits.operations import EditError, MarkStageDone, RecordObservation, apply
from target_tracker.forms.layout import file_names, safe_file_name
from target_tracker.forms.reader import RawCell, _Evaluator, date_of, number_text

from .test_edit import MESSY


@pytest.mark.parametrize(
    ("value", "percent", "expected"),
    [
        ("1,200", False, ("1200", False)),
        (" 1 200 ", False, ("1200", False)),
        ("１２００", False, ("1200", False)),  # full-width digits from a Chinese input method
        ("-0.5", False, ("-0.5", False)),
        (".5", False, ("0.5", False)),
        ("85%", False, ("85", True)),
        (1200, False, ("1200", False)),
        (1200.0, False, ("1200", False)),
        (6.178, False, ("6.178", False)),
        (0.85, True, ("85", True)),  # Excel keeps 85% as 0.85
    ],
)
def test_numbers_as_people_type_them(value, percent, expected):  # type: ignore[no-untyped-def]
    assert number_text(RawCell("L4", value, percent=percent)) == expected


@pytest.mark.parametrize("value", ["abc", "1,2", "12x", "1.2.3", True, datetime(2021, 11, 30), "95 tasks"])
def test_not_numbers(value):  # type: ignore[no-untyped-def]
    with pytest.raises(ValueError, match="is not a number"):
        number_text(RawCell("L4", value))


@pytest.mark.parametrize(
    "value",
    ["2021-11-30", "2021/11/30", "2021.11.30", "2021年11月30日", "2021 年 11 月 30 日", "20211130", "30/11/2021",
     "11/30/2021", datetime(2021, 11, 30), date(2021, 11, 30), 44530, "2021-11-30 00:00:00"],
)  # fmt: skip
def test_dates_as_people_type_them(value):  # type: ignore[no-untyped-def]
    assert date_of(RawCell("M4", value)) == date(2021, 11, 30)


@pytest.mark.parametrize(
    ("value", "message"),
    [("2021-02-30", "is not a real date"), ("03/04/2021", "could be 2021-04-03 or 2021-03-04"),
     ("next week", "is not a date"), (12, "is not a date")],
)  # fmt: skip
def test_not_dates(value, message):  # type: ignore[no-untyped-def]
    with pytest.raises(ValueError, match=message):
        date_of(RawCell("M4", value))


def test_formulas_without_saved_results_are_evaluated():  # type: ignore[no-untyped-def]
    grid = {(1, 1): (100, ""), (2, 1): (250.5, ""), (3, 1): ("=A1*2", "")}
    ev = _Evaluator(grid)
    assert ev.evaluate("1000+200") == 1200
    assert ev.evaluate("SUM(A1:A3)/2") == (100 + 250.5 + 200) / 2
    assert ev.evaluate("ROUND(A2*1.05, 1)") == 263.0
    assert ev.evaluate("-(2^3)+50%") == -7.5
    assert ev.evaluate("DATE(2021,11,30)") == date(2021, 11, 30)
    grid[(1, 2)] = ("=VLOOKUP(A1,A1:A3,1)", "")
    assert ev.value_of((1, 2)) is None  # refused, so import names the formula
    grid[(2, 2)] = ("=B2+1", "")  # a cycle
    assert ev.value_of((2, 2)) is None
    assert ev.evaluate("a1+$A$2") == 350.5


def test_file_names_are_safe_and_keep_chinese():  # type: ignore[no-untyped-def]
    assert safe_file_name("交通运输局") == "交通运输局"
    assert safe_file_name('商务局/自贸办: "A"?') == "商务局_自贸办_ _A_"
    assert safe_file_name("..") == "_"
    assert safe_file_name("") == "no owner"
    assert safe_file_name("CON") == "_CON"
    assert len(safe_file_name("局" * 200).encode()) <= 180
    assert file_names(["A/B", "A_B", "a_b"]) == {"A/B": "A_B", "A_B": "A_B-2", "a_b": "a_b-3"}


# -- many edits in one pass ------------------------------------------------------------------

EDITS = [
    lambda: RecordObservation("tasks", day=date(2021, 11, 30), value=95, note="Jan–Nov", source="报告"),
    lambda: RecordObservation("tasks", day=date(2021, 12, 31), value=99, recorded=date(2022, 1, 5)),
    lambda: RecordObservation("veg", day=date(2021, 11, 30), value=81.5),
    lambda: RecordObservation("empty", day=date(2021, 12, 31), value=1),
    lambda: RecordObservation("fii", day=date(2021, 11, 30), value=20, source='a "quoted" doc'),
    lambda: MarkStageDone("roads", stage="1", day=date(2022, 5, 20), source="湘发改〔2022〕1号"),
    lambda: MarkStageDone("roads", stage="2", day=date(2023, 3, 1), note="开工", recorded=date(2023, 3, 2)),
    # back-dated: goes among the others in date order (apply() places it, not the fast path)
    lambda: RecordObservation("tasks", day=date(2021, 8, 31), value=70, recorded=date(2021, 12, 1)),
    lambda: RecordObservation("tasks", day=date(2021, 10, 31), value=88, revise=True, recorded=date(2021, 12, 2)),
    lambda: RecordObservation("fii", day=date(2021, 10, 31), value=18, recorded=date(2021, 12, 3)),
]


@settings(max_examples=60, deadline=None)
@given(picks=st.lists(st.integers(0, len(EDITS) - 1), unique=True, min_size=1), crlf=st.booleans())
def test_apply_all_equals_one_by_one(picks, crlf):  # type: ignore[no-untyped-def]
    text = MESSY.replace("\n", "\r\n") if crlf else MESSY
    one_by_one = text
    for k in picks:
        one_by_one = apply(EDITS[k](), one_by_one).text
    assert splice_all([EDITS[k]() for k in picks], text) == one_by_one
    assert splice_all([EDITS[k]() for k in picks], text, fast=True) == one_by_one


LAYOUTS = [
    "observations = [\n  { date = 2021-09-30, value = 1 },\n  { date = 2021-10-31, value = 2 },\n]\n",
    "observations = [\n    {date = 2021-09-30, value = 1},\n    {date = 2021-10-31, value = 2}\n]\n",
    "observations = [  \n  { date = 2021-09-30, value = 1 },\n\n  # October\n  { date = 2021-10-31, value = 2 } , \n\n]\n",
    'observations = [\n  { date = 2021-10-31, value = 2, note = "{braces}" },\n]\n[targets.x.source]\ndocument = "d"\n',
    "observations = [\n  { date = 2021-10-31, value = 2 },  # a comment: the plain path\n]\n",
    "observations = [{ date = 2021-10-31, value = 2 }]\n",
    "observations = [\n]\n",
    "",
]


@pytest.mark.parametrize("layout", LAYOUTS)
@pytest.mark.parametrize("newline", ["\n", "\r\n"])
def test_fast_path_equals_apply(layout, newline):  # type: ignore[no-untyped-def]
    text = f'title = "t"\n\n[targets.x]\ntitle = "X"\ntarget = 9\n{layout}\n[targets.y]\ntitle = "Y"\n'
    text = text.replace("\n", newline)
    edits = [
        lambda: RecordObservation("x", day=date(2021, 11, 30), value=3, note="累计", source='a "doc"'),
        lambda: RecordObservation("x", day=date(2021, 12, 31), value=4.5),
    ]
    expected = apply(edits[1](), apply(edits[0](), text).text).text
    assert splice_all([e() for e in edits], text, fast=True) == expected
    piece = text[text.index("[targets.x]") : text.index("[targets.y]")]
    assert (_fast_splice(edits[0](), piece) is not None) == (LAYOUTS.index(layout) < 4)  # which path was taken


STAGE_LAYOUTS = [
    'stages = [\n  { name = "A", done = 2021-01-01 },\n  { name = "B", weight = 2 },\n  { name = "C" }\n]\n',
    'stages = [\n    {name = "A"},\n\n    # the big one\n    {name = "B", planned = 2022-01-01}  ,\n]\n',
    'stages = [\n  { name = "A" },\n  { name = "B", note = "has a note" },\n]\n',  # the plain path
    'stages = [{ name = "A" }, { name = "B" }]\n',  # the plain path
]


@pytest.mark.parametrize("layout", STAGE_LAYOUTS)
@pytest.mark.parametrize("newline", ["\n", "\r\n"])
def test_fast_stage_path_equals_apply(layout, newline):  # type: ignore[no-untyped-def]
    text = f'title = "t"\n\n[targets.x]\ntitle = "X"\nstart = 2020-01-01\ndue = 2025-12-31\n{layout}\n'
    text = text.replace("\n", newline)

    def edit() -> MarkStageDone:
        return MarkStageDone("x", stage="2", day=date(2021, 11, 20), note="批复", source='湘发改 "1" 号')

    assert splice_all([edit()], text, fast=True) == apply(edit(), text).text
    assert (_fast_splice(edit(), text[text.index("[targets.x]") :]) is not None) == (STAGE_LAYOUTS.index(layout) < 2)


def test_check_models_catches_a_wrong_result(write_ledger):  # type: ignore[no-untyped-def]
    from target_tracker.edits.batch import check_models
    from target_tracker.ledger.load import load_ledger

    path = write_ledger()
    before = load_ledger(path).ledger
    edit = RecordObservation("tasks", day=date(2021, 11, 30), value=95)
    path.write_text(apply(edit, path.read_text(encoding="utf-8")).text, encoding="utf-8")
    after = load_ledger(path).ledger
    assert before is not None and after is not None
    check_models(before, after, [edit])
    with pytest.raises(EditError, match="unchanged"):
        check_models(before, after, [RecordObservation("tasks", day=date(2021, 11, 30), value=96)])
    with pytest.raises(EditError, match="unchanged"):
        check_models(before, after, [])


def test_apply_all_refuses_like_apply():  # type: ignore[no-untyped-def]
    dup = RecordObservation("tasks", day=date(2021, 10, 31), value=90)
    with pytest.raises(EditError, match="already has a figure dated 2021-10-31"):
        splice_all([EDITS[0](), dup], MESSY)
    with pytest.raises(EditError, match=r"no \[targets\.nope\] table"):
        splice_all([RecordObservation("nope", day=date(2021, 1, 1), value=1)], MESSY)


def test_apply_all_on_a_large_ledger_matches(tmp_path: Path):  # type: ignore[no-untyped-def]
    import subprocess
    import sys

    from .conftest import ROOT

    path = tmp_path / "l.toml"
    subprocess.run([sys.executable, str(ROOT / "benchmarks" / "make_ledger.py"), "--targets", "120",
                    "--observations", "3", "--out", str(path)], check=True)  # fmt: skip
    text = path.read_text(encoding="utf-8")
    rng = random.Random(7)
    ids = [f"t{i:05d}" for i in range(120) if i % 25 and i % 10 != 5]
    edits = [RecordObservation(t, day=date(2020, 4, 30), value=rng.randint(1, 99)) for t in ids]
    one_by_one = text
    for e in edits:
        one_by_one = apply(e, one_by_one).text
    assert splice_all(edits, text) == one_by_one != text
    assert splice_all(edits, text, fast=True) == one_by_one


@pytest.mark.parametrize("text", ["123456789012345678901234567890", "1e999", "abc", "12x", "1.2.3"])
def test_form_numbers_follow_tracker_update(text):  # type: ignore[no-untyped-def]
    """A form cell and `tracker update ID VALUE` give the same verdict and message."""
    from target_tracker.edits.operations import EditError, parse_number

    with pytest.raises(EditError) as cli:
        parse_number(text)
    with pytest.raises(ValueError) as form:
        number_text(RawCell("L4", text))
    assert str(form.value) == str(cli.value)
    assert "too large" in str(form.value) or "not a number" in str(form.value)


@pytest.mark.parametrize("newline", ["\n", "\r\n"])
def test_fast_path_stamps_recorded_and_leaves_back_dated_figures_to_apply(newline):  # type: ignore[no-untyped-def]
    text = (
        'title = "t"\n\n[targets.x]\ntitle = "X"\ntarget = 9\nobservations = [\n'
        "  { date = 2021-09-30, value = 1 },\n  { date = 2021-10-31, value = 2 },\n]\n"
        '\n[targets.m]\ntitle = "M"\nstages = [\n  { name = "A" },\n  { name = "B" },\n]\n'
    ).replace("\n", newline)
    today = date(2021, 12, 6)
    last = RecordObservation("x", day=date(2021, 11, 30), value=3, recorded=today)
    back = RecordObservation("x", day=date(2021, 10, 15), value=1.5, recorded=today)
    same = RecordObservation("x", day=date(2021, 10, 31), value=2, recorded=today)
    stage = MarkStageDone("m", stage="2", day=date(2021, 12, 1), source="批复", recorded=today)
    piece = text[text.index("[targets.x]") : text.index("[targets.m]")]
    assert _fast_splice(last, piece) is not None  # the common case stays on the fast path
    assert _fast_splice(back, piece) is None and _fast_splice(same, piece) is None
    assert _fast_splice(stage, text[text.index("[targets.m]") :]) is not None
    edits = [last, back, stage]
    one_by_one = text
    for e in edits:
        one_by_one = apply(e, one_by_one).text
    got = splice_all(edits, text, fast=True)
    assert got == one_by_one
    nl = newline
    assert (
        f"  {{ date = 2021-09-30, value = 1 }},{nl}  {{ date = 2021-10-15, value = 1.5, recorded = 2021-12-06 }},{nl}"
        f"  {{ date = 2021-10-31, value = 2 }},{nl}  {{ date = 2021-11-30, value = 3, recorded = 2021-12-06 }},{nl}"
    ) in got
    assert '{ name = "B", done = 2021-12-01, source = "批复", recorded = 2021-12-06 },' in got
