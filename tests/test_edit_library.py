"""The library on its own: edits are values, their rules hold without the
CLI, and the shared helpers (did-you-mean, status ranking and selection,
month stepping) behave as the commands rely on."""

from __future__ import annotations

import dataclasses
import tomllib
from datetime import date
from pathlib import Path

import pytest

from target_tracker.compute import evaluate
from target_tracker.dates import DateError, add_months, month_ends, month_range
from target_tracker.edits.operations import (
    EditError,
    MarkStageDone,
    RecordObservation,
    SetField,
    apply,
    parse_number,
)
from target_tracker.edits.transaction import edit_ledger
from target_tracker.ledger.checks import load_and_check
from target_tracker.selection import direction, select, sort_rows, status_rank, unknown_areas
from target_tracker.suggest import did_you_mean

from .conftest import MINIMAL

MILESTONES = """
[targets.road]
title = "Road"
kind = "milestones"
area = "Transport"
start = 2021-01-01
due = 2023-12-31
stages = [{ name = "Approval" }, { name = "Opening" }]
"""


def test_an_edit_is_a_value_that_applying_does_not_change() -> None:
    text = MINIMAL
    edit = RecordObservation("tasks", day=date(2021, 10, 31), value=90, replace=True)
    frozen = dataclasses.replace(edit)
    first = apply(edit, text)
    again = apply(edit, text)  # a retry on the same text
    assert edit == frozen and first == again
    assert first.found == {"replaced": 89}
    assert first.before["observations"][0]["value"] == 89
    assert first.after is not None and first.after["observations"][0]["value"] == 90
    assert tomllib.loads(first.text)["targets"]["tasks"]["observations"][0] == {
        "date": date(2021, 10, 31), "value": 90, "note": "Jan-Oct", "source": "news 2021-12-06"}  # fmt: skip
    with pytest.raises(dataclasses.FrozenInstanceError):
        edit.value = 1  # type: ignore[misc]


def test_stage_done_reports_what_it_found() -> None:
    applied = apply(MarkStageDone("road", stage="open", day=date(2022, 1, 1)), MINIMAL + MILESTONES)
    assert applied.found == {"index": 1, "name": "Opening"}


def test_rules_hold_for_library_callers(tmp_path: Path) -> None:
    path = tmp_path / "targets.toml"
    path.write_text(MINIMAL + MILESTONES, encoding="utf-8")
    before = path.read_bytes()
    today = date(2021, 11, 15)
    cases = [
        (RecordObservation("road", day=date(2021, 11, 1), value=1), "takes no figures"),
        (RecordObservation("tasks", day=date(2021, 12, 1), value=1), "in the future"),
        (MarkStageDone("road", stage="1", day=date(2021, 12, 1)), "in the future"),
    ]
    for edit, message in cases:
        with pytest.raises(EditError, match=message):
            edit_ledger(path, [edit], today=today)
    late = RecordObservation("tasks", day=date(2022, 1, 31), value=1)
    with pytest.raises(EditError, match="after the due date"):
        edit_ledger(path, [late], today=date(2022, 2, 1))
    assert path.read_bytes() == before
    result = edit_ledger(path, [late], today=date(2022, 2, 1), force=True)
    assert result.written and result.ledger.targets["tasks"].observations[-1].value == 1


def test_several_edits_in_one_transaction(tmp_path: Path) -> None:
    path = tmp_path / "targets.toml"
    path.write_text(MINIMAL + MILESTONES, encoding="utf-8")
    edits = [
        RecordObservation("tasks", day=date(2021, 11, 30), value=95),
        SetField("road", name="owner", value="Transport bureau"),
        MarkStageDone("road", stage="Approval", day=date(2021, 6, 1)),
    ]
    result = edit_ledger(path, edits, today=date(2021, 12, 1))
    assert len(result.changes) == 1 and len(result.applied) == 3
    data = tomllib.loads(path.read_text(encoding="utf-8"))["targets"]
    assert data["road"]["owner"] == "Transport bureau" and data["road"]["stages"][0]["done"] == date(2021, 6, 1)
    assert data["tasks"]["observations"][-1] == {"date": date(2021, 11, 30), "value": 95}


@pytest.mark.parametrize(("text", "value"), [("95", 95), ("6.178", 6.178), ("1_000", 1000), ("-2.5e3", -2500.0),
                                             (str(2**63 - 1), 2**63 - 1)])  # fmt: skip
def test_parse_number(text: str, value: float) -> None:
    got = parse_number(text)
    assert got == value and type(got) is type(value)


def test_did_you_mean() -> None:
    assert did_you_mean("reform-task", ["reform-tasks", "roads"]) == " (did you mean 'reform-tasks'?)"
    assert did_you_mean("zzz", ["reform-tasks"]) == ""


def test_status_rank_and_selection(tmp_path: Path) -> None:
    assert status_rank("done") > status_rank("on-track") > status_rank("behind")  # type: ignore[operator]
    assert status_rank("no-data") is None
    assert direction("behind", "on-track") == "improved" and direction("met", "on-track") == "changed"
    path = tmp_path / "targets.toml"
    path.write_text(MINIMAL + MILESTONES, encoding="utf-8")
    result, _problems = load_and_check(path)
    assert result.ledger is not None
    rows = evaluate(result.ledger, date(2021, 10, 31)).rows
    assert [r.target.id for r in select(rows, areas=["transport"])] == ["road"]
    assert unknown_areas([r.area for r in rows], ["Reform", "Nowhere"]) == ["Nowhere"]
    assert [r.target.id for r in sort_rows(rows, "id")] == ["road", "tasks"]


def test_month_stepping() -> None:
    assert add_months(date(2021, 1, 31), 1) == date(2021, 2, 28)
    assert add_months(date(2020, 12, 15), 14) == date(2022, 2, 15)
    assert month_ends(date(2021, 11, 5), date(2022, 2, 1)) == [date(2021, 11, 30), date(2021, 12, 31),
                                                               date(2022, 1, 31), date(2022, 2, 28)]  # fmt: skip
    assert month_range("2021-11", "2022-02") == ["2021-11", "2021-12", "2022-01", "2022-02"]
    with pytest.raises(DateError):
        month_range("2022-02", "2021-11")
    with pytest.raises(DateError):
        month_range("1900-01", "2100-01")


def test_the_edit_api_extends_to_removing_and_renaming() -> None:
    """What other commands build on: an Edit whose Spliced says the target is
    gone (expected=None) or has a new id (target_id=...), verified by apply()."""
    from target_tracker.edits.operations import Edit, Spliced

    @dataclasses.dataclass(frozen=True)
    class Remove(Edit):
        def splice(self, text, section, data):  # type: ignore[no-untyped-def]
            return Spliced(text[: section.start] + text[section.end :], None)

    @dataclasses.dataclass(frozen=True)
    class Rename(Edit):
        new_id: str = ""

        def splice(self, text, section, data):  # type: ignore[no-untyped-def]
            header_end = text.index("\n", section.start)
            return Spliced(text[: section.start] + f"[targets.{self.new_id}]" + text[header_end:], data,
                           target_id=self.new_id)  # fmt: skip

    text = MINIMAL + MILESTONES
    removed = apply(Remove("road"), text)
    assert removed.after is None and "road" not in tomllib.loads(removed.text)["targets"]
    renamed = apply(Rename("road", new_id="highway"), text)
    assert tomllib.loads(renamed.text)["targets"]["highway"] == tomllib.loads(text)["targets"]["road"]

    @dataclasses.dataclass(frozen=True)
    class Sloppy(Edit):  # claims to remove but leaves the table: refused
        def splice(self, text, section, data):  # type: ignore[no-untyped-def]
            return Spliced(text, None)

    with pytest.raises(EditError, match="safely"):
        apply(Sloppy("road"), text)


def test_one_transaction_over_two_files(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Edits in the main file and an included one: both written; if one file
    is saved by an editor just before the replace, the whole edit is redone
    on the saved version, never half-applied."""

    from target_tracker.edits import transaction

    main = tmp_path / "targets.toml"
    part = tmp_path / "roads.toml"
    main.write_text(MINIMAL.replace('title = "Test ledger"', 'title = "T"\ninclude = ["roads.toml"]'), encoding="utf-8")
    part.write_text(MILESTONES, encoding="utf-8")
    edits = [RecordObservation("tasks", day=date(2021, 11, 30), value=95),
             MarkStageDone("road", stage="1", day=date(2021, 6, 1))]  # fmt: skip
    result = edit_ledger(main, edits, today=date(2021, 12, 1))
    assert {c.path for c in result.changes} == {main, part}

    real_prepare = transaction._prepare
    saved = {"done": False}

    def prepare_while_editor_saves(real, data, shown):  # type: ignore[no-untyped-def]
        tmp = real_prepare(real, data, shown)
        if not saved["done"] and real == part.resolve():
            saved["done"] = True  # the editor saves roads.toml after main's temporary file is ready
            part.write_text(part.read_text(encoding="utf-8").replace('title = "Road"', 'title = "Road (saved)"'),
                            encoding="utf-8")  # fmt: skip
        return tmp

    monkeypatch.setattr(transaction, "_prepare", prepare_while_editor_saves)
    edits = [RecordObservation("tasks", day=date(2021, 12, 31), value=99),
             SetField("road", name="owner", value="Bureau")]  # fmt: skip
    edit_ledger(main, edits, today=date(2022, 1, 1), force=True)
    assert saved["done"]
    figures = tomllib.loads(main.read_text(encoding="utf-8"))["targets"]["tasks"]["observations"]
    assert [o["value"] for o in figures] == [89, 95, 99]  # once each
    road = tomllib.loads(part.read_text(encoding="utf-8"))["targets"]["road"]
    assert (
        road["title"] == "Road (saved)" and road["owner"] == "Bureau" and road["stages"][0]["done"] == date(2021, 6, 1)
    )
    assert sorted(p.name for p in tmp_path.iterdir()) == ["roads.toml", "targets.toml"]
