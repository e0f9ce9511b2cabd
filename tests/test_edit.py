"""Edits from the CLI: whole-file text compared before and after each edit."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

from target_tracker.edits.operations import EditError, RecordObservation, apply

from .conftest import ROOT

pytestmark = pytest.mark.usefixtures("fixed_today")

# A ledger written the way people really write them: comments everywhere,
# odd spacing, an inline source table, a single-line array, a sub-table
# written out of order, Chinese text.
MESSY = """\
# 郴州 commitments — hand-edited
title    =   "Messy ledger"   # odd spacing

[targets.roads]
title = "临武至连州高速公路"
kind="milestones"
start = 2021-12-06
due   = 2025-12-31   # ASSUMPTION
stages = [
    {name = "立项 approval", planned = 2022-06-30},   # first
    {name = "Construction start", weight = 2.0, planned = 2023-03-31},
]

[targets.tasks]   # reform tasks
title = 'Reform tasks (literal string)'
kind = "quantity"
unit = "tasks"
target = 102
start = 2020-09-01
due = 2023-12-31
observations = [
    {date = 2021-06-30, value = 60},
    # a comment inside the array
    {date = 2021-10-31, value = 89, note = "Jan–Oct"}   # no trailing comma
]

[targets.veg]
title = "Vegetables to the GBA"
at_least = 80
observations = [{ date = 2021-10-31, value = 80 }]

[targets.veg.source]
document = "Chenzhou govt news"
date = 2021-12-06

[targets.empty]
title = "No figures yet"
target = 6
start = 2021-12-06
due = 2022-12-31
# trailing comment that belongs to the next table

[targets.fii]
title = "Foreign investment"
target = 25.0
start = 2021-01-01
due = 2021-12-31
observations = [
]
"""


@pytest.fixture
def messy(write_ledger):  # type: ignore[no-untyped-def]
    return write_ledger(MESSY)


def _read(p: Path) -> str:
    return p.read_bytes().decode("utf-8")


def _only_change(before: str, old: str, new: str) -> str:
    assert before.count(old) == 1, f"fragment not unique: {old!r}"
    return before.replace(old, new)


def test_update_appends_after_last_element_keeping_style(run, messy) -> None:  # type: ignore[no-untyped-def]
    before = _read(messy)
    r = run("update", "tasks", "95", "--date", "2021-11-30", "--note", "Jan–Nov", "-f", messy)
    assert r.exit_code == 0, r.output
    assert r.stdout.strip() == "tasks: 89 -> 95 tasks (93.1%, on-track)"
    expected = _only_change(
        before,
        '    {date = 2021-10-31, value = 89, note = "Jan–Oct"}   # no trailing comma\n]',
        '    {date = 2021-10-31, value = 89, note = "Jan–Oct"},   # no trailing comma\n'
        '    {date = 2021-11-30, value = 95, note = "Jan–Nov", recorded = 2026-01-15},\n]',
    )
    assert _read(messy) == expected


def test_update_single_line_array_stays_single_line(run, messy) -> None:  # type: ignore[no-untyped-def]
    before = _read(messy)
    r = run("update", "veg", "82.5", "--date", "2021-12-31", "-f", messy)
    assert r.exit_code == 0, r.output
    expected = _only_change(
        before,
        "observations = [{ date = 2021-10-31, value = 80 }]",
        "observations = [{ date = 2021-10-31, value = 80 }, { date = 2021-12-31, value = 82.5, recorded = 2026-01-15 }]",
    )
    assert _read(messy) == expected


def test_update_adds_observations_key_before_trailing_comment(run, messy) -> None:  # type: ignore[no-untyped-def]
    before = _read(messy)
    r = run("update", "empty", "1", "--date", "2022-01-31", "-f", messy)
    assert r.exit_code == 0, r.output
    expected = _only_change(
        before,
        "due = 2022-12-31\n# trailing comment",
        "due = 2022-12-31\nobservations = [\n  { date = 2022-01-31, value = 1, recorded = 2026-01-15 },\n]\n# trailing comment",
    )
    assert _read(messy) == expected


def test_update_empty_multiline_array(run, messy) -> None:  # type: ignore[no-untyped-def]
    before = _read(messy)
    r = run("update", "fii", "23.32", "--date", "2021-10-31", "-f", messy)
    assert r.exit_code == 0, r.output
    expected = _only_change(
        before,
        "observations = [\n]\n",
        "observations = [\n  { date = 2021-10-31, value = 23.32, recorded = 2026-01-15 },\n]\n",
    )
    assert _read(messy) == expected


def test_update_replace_keeps_note_and_position(run, messy) -> None:  # type: ignore[no-untyped-def]
    before = _read(messy)
    refused = run("update", "tasks", "61", "--date", "2021-06-30", "-f", messy)
    assert refused.exit_code == 2 and "--replace" in refused.stderr
    assert _read(messy) == before
    r = run("update", "tasks", "61", "--date", "2021-06-30", "--replace", "-f", messy)
    assert r.exit_code == 0, r.output
    assert r.stdout.strip().startswith("tasks: 60 -> 61 tasks")
    assert _read(messy) == _only_change(before, "{date = 2021-06-30, value = 60}", "{date = 2021-06-30, value = 61}")


def test_done_adds_date_to_stage_only(run, messy) -> None:  # type: ignore[no-untyped-def]
    before = _read(messy)
    r = run("done", "roads", "立项", "--date", "2022-05-20", "-f", messy)
    assert r.exit_code == 0, r.output
    assert "stage 1 '立项 approval' done 2022-05-20 -> 1 / 2 stages" in r.stdout
    expected = _only_change(
        before,
        '{name = "立项 approval", planned = 2022-06-30},   # first',
        '{name = "立项 approval", planned = 2022-06-30, done = 2022-05-20, recorded = 2026-01-15},   # first',
    )
    assert _read(messy) == expected
    r = run("done", "roads", "1", "--date", "2022-05-21", "--replace", "-f", messy)
    assert r.exit_code == 0, r.output
    assert _read(messy) == expected.replace("done = 2022-05-20", "done = 2022-05-21")


def test_set_keeps_comment_and_spacing(run, messy) -> None:  # type: ignore[no-untyped-def]
    before = _read(messy)
    r = run("set", "roads", "due", "2026-06", "-f", messy)
    assert r.exit_code == 0, r.output
    assert _read(messy) == _only_change(
        before, "due   = 2025-12-31   # ASSUMPTION", "due   = 2026-06-30   # ASSUMPTION"
    )


def test_set_literal_string_and_new_key_in_table_with_subtable(run, messy) -> None:  # type: ignore[no-untyped-def]
    before = _read(messy)
    assert run("set", "tasks", "title", "改革任务 Reform tasks", "-f", messy).exit_code == 0
    after = _only_change(before, "title = 'Reform tasks (literal string)'", 'title = "改革任务 Reform tasks"')
    assert _read(messy) == after
    assert run("set", "veg", "owner", "Agriculture bureau", "-f", messy).exit_code == 0
    after = _only_change(
        after,
        "observations = [{ date = 2021-10-31, value = 80 }]\n",
        'observations = [{ date = 2021-10-31, value = 80 }]\nowner = "Agriculture bureau"\n',
    )
    assert _read(messy) == after


def test_crlf_line_endings_are_kept(run, write_ledger) -> None:  # type: ignore[no-untyped-def]
    path = write_ledger(MESSY, newline="\r\n")
    before = _read(path)
    assert run("update", "tasks", "95", "--date", "2021-11-30", "-f", path).exit_code == 0
    assert run("done", "roads", "2", "--date", "2023-04-01", "-f", path).exit_code == 0
    assert run("update", "empty", "2", "--date", "2022-02-28", "-f", path).exit_code == 0
    assert run("add", "new", "--title", "新", "--target", "3", "--due", "2030-01-01", "--start", "2025-01-01",
               "-f", path).exit_code == 0  # fmt: skip
    after = _read(path)
    assert "\n" not in after.replace("\r\n", "")  # no bare LF crept in
    assert len(after) > len(before)
    data = tomllib.loads(after)
    assert data["targets"]["tasks"]["observations"][-1]["value"] == 95
    assert data["targets"]["new"]["title"] == "新"


def test_add_goes_after_its_family_in_neighbour_style(run, write_ledger) -> None:  # type: ignore[no-untyped-def]
    path = write_ledger(MESSY)
    before = _read(path)
    r = run("add", "bridge", "--title", "Bridge", "--due", "2026-12-31", "--start", "2025-01-01",
            "--stage", "Approval:1@2025-06-30", "--stage", "Opening", "--stage-weight", "1", "--stage-weight", "3",
            "-f", path)  # fmt: skip
    assert r.exit_code == 0, r.output
    block = (
        '\n[targets.bridge]\ntitle = "Bridge"\nkind = "milestones"\nstart = 2025-01-01\ndue = 2026-12-31\n'
        'added = 2026-01-15\nstages = [\n  { name = "Approval", weight = 1, planned = 2025-06-30 },\n'
        '  { name = "Opening", weight = 3 },\n]\n'
    )
    assert _read(path) == before + block


def test_add_with_area_goes_after_last_target_of_area(run, write_ledger) -> None:  # type: ignore[no-untyped-def]
    text = MESSY.replace("[targets.tasks]   # reform tasks\n", '[targets.tasks]   # reform tasks\narea = "Reform"\n')
    path = write_ledger(text)
    before = _read(path)
    r = run("add", "cases", "--title", "Cases", "--target", "40", "--due", "2022-12-31", "--start", "2021-01-01",
            "--area", "Reform", "-f", path)  # fmt: skip
    assert r.exit_code == 0, r.output
    block = ('\n[targets.cases]\ntitle = "Cases"\nkind = "quantity"\narea = "Reform"\nbaseline = 0\ntarget = 40\n'
             "start = 2021-01-01\ndue = 2022-12-31\nadded = 2026-01-15\n")  # fmt: skip
    assert _read(path) == _only_change(before, "\n[targets.veg]\n", block + "\n[targets.veg]\n")


@pytest.mark.parametrize(
    "args",
    [
        ["update", "tasks", "abc"],
        ["update", "tasks", "1e999"],
        ["update", "tasks", "nan"],
        ["update", "tasks", "inf"],
        ["update", "tasks", ""],
        ["update", "tasks", "95", "--date", "2021-13-45"],
        ["update", "tasks", "95", "--date", "2099-01-01"],
        ["update", "tasks", "95", "--date", "2024-06-30"],  # after the due date
        ["update", "tasks", "95", "--date", "2019-01-01"],  # before start: check refuses
        ["update", "nope", "95"],
        ["update", "roads", "3"],  # milestones take no figures
        ["done", "roads", "Land"],
        ["done", "roads", "7"],
        ["done", "tasks", "1"],
        ["set", "tasks", "due", "2019-01-01"],  # before start
        ["set", "tasks", "target", "abc"],
        ["set", "tasks", "state", "finished"],
        ["set", "tasks", "parent", "roads"],  # parent must be a rollup
        ["set", "tasks", "colour", "red"],
        ["add", "tasks", "--title", "dup", "--target", "1", "--due", "2030-01-01"],
        ["add", "x", "--title", "no kind"],
        ["add", "y", "--title", "q", "--target", "5"],  # no due
        ["add", "bad id!", "--title", "q", "--target", "5", "--due", "2030-01-01"],
    ],
)
def test_bad_edits_are_refused_and_file_untouched(run, messy, args: list[str]) -> None:  # type: ignore[no-untyped-def]
    before = messy.read_bytes()
    r = run(*args, "-f", messy)
    assert r.exit_code != 0
    assert r.exception is None or isinstance(r.exception, SystemExit)
    assert "Traceback" not in r.output
    assert len(r.stderr.strip().splitlines()) <= 3
    assert messy.read_bytes() == before
    assert sorted(p.name for p in messy.parent.iterdir()) == ["targets.toml"]  # no temp files


def test_force_accepts_future_and_late_dates(run, messy) -> None:  # type: ignore[no-untyped-def]
    assert run("update", "tasks", "101", "--date", "2024-06-30", "--force", "-f", messy).exit_code == 0


def test_dry_run_prints_diff_and_writes_nothing(run, messy) -> None:  # type: ignore[no-untyped-def]
    before = messy.read_bytes()
    r = run("update", "tasks", "95", "--date", "2021-11-30", "--dry-run", "-f", messy)
    assert r.exit_code == 0, r.output
    assert messy.read_bytes() == before
    assert "+    {date = 2021-11-30, value = 95, recorded = 2026-01-15}," in r.stdout
    assert "@@ -21,7 +21,8 @@" in r.stdout  # real line numbers: line 24 changes, 3 lines of context
    assert "dry run" in r.stderr
    for args in (["done", "roads", "1"], ["set", "tasks", "due", "2024-01-01"], ["init", messy.parent / "n.toml"],
                 ["add", "z", "--title", "Z", "--target", "1", "--due", "2030-01-01"]):  # fmt: skip
        r = run(*args, "--dry-run", "-f", messy)
        assert r.exit_code == 0, (args, r.output)
        assert r.stdout.startswith(f"--- {messy.parent}") and "\n+" in r.stdout
    assert messy.read_bytes() == before
    assert not (messy.parent / "n.toml").exists()


def test_permissions_are_kept(run, messy) -> None:  # type: ignore[no-untyped-def]
    os.chmod(messy, 0o640)
    assert run("update", "tasks", "95", "--date", "2021-11-30", "-f", messy).exit_code == 0
    assert stat.S_IMODE(os.stat(messy).st_mode) == 0o640


def test_failed_write_leaves_original_byte_identical(run, messy, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    before = messy.read_bytes()

    def disk_full(fd: int) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "fsync", disk_full)
    r = run("update", "tasks", "95", "--date", "2021-11-30", "-f", messy)
    assert r.exit_code == 2
    assert "could not write (the disk is full); the file is unchanged" in r.stderr
    assert messy.read_bytes() == before
    assert sorted(p.name for p in messy.parent.iterdir()) == ["targets.toml"]


def test_file_size_limit_in_a_real_process(tmp_path: Path) -> None:
    """RLIMIT_FSIZE below the new file's size: the write fails, nothing changes."""
    resource = pytest.importorskip("resource")
    path = tmp_path / "targets.toml"
    path.write_text(MESSY, encoding="utf-8")
    before = path.read_bytes()
    limit = len(before) + 10  # the edit adds more than 10 bytes

    def cap() -> None:
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))

    proc = subprocess.run(
        [sys.executable, "-m", "target_tracker", "update", "tasks", "95", "--date", "2021-11-30", "-f", str(path)],
        capture_output=True, text=True, preexec_fn=cap, timeout=60,
    )  # fmt: skip
    assert proc.returncode == 2, proc.stderr
    assert "the file is unchanged" in proc.stderr and "Traceback" not in proc.stderr
    assert path.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["targets.toml"]


def test_editor_save_during_edit_is_not_lost(run, messy, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """An editor saves the file after tracker read it: tracker redoes its edit
    on the editor's version instead of overwriting it."""
    from target_tracker.edits import transaction as ledgerfile

    real_validate = ledgerfile.validate
    saved = {"done": False}

    def validate_then_editor_saves(main, overrides, cache=None):  # type: ignore[no-untyped-def]
        ledger = real_validate(main, overrides, cache)
        if not saved["done"]:
            saved["done"] = True
            text = _read(messy).replace('title = "No figures yet"', 'title = "Renamed in the editor"')
            messy.write_bytes(text.encode("utf-8"))
        return ledger

    monkeypatch.setattr(ledgerfile, "validate", validate_then_editor_saves)
    r = run("update", "tasks", "95", "--date", "2021-11-30", "-f", messy)
    assert r.exit_code == 0, r.output
    data = tomllib.loads(_read(messy))
    assert data["targets"]["empty"]["title"] == "Renamed in the editor"
    assert data["targets"]["tasks"]["observations"][-1] == {"date": __import__("datetime").date(2021, 11, 30),
                                                            "value": 95, "recorded": __import__("datetime").date(2026, 1, 15)}  # fmt: skip


def test_twenty_concurrent_updates_all_land(tmp_path: Path) -> None:
    path = tmp_path / "targets.toml"
    path.write_text(MESSY, encoding="utf-8")
    days = [f"2022-{m:02d}-{d:02d}" for m in (1, 2) for d in range(1, 11)]
    procs = [
        subprocess.Popen(
            [sys.executable, "-m", "target_tracker", "update", "empty", str(i + 1), "--date", day, "-f", str(path)],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )  # fmt: skip
        for i, day in enumerate(days)
    ]
    results = [p.communicate(timeout=120) for p in procs]
    assert all(p.returncode == 0 for p in procs), results
    data = tomllib.loads(path.read_text(encoding="utf-8"))
    got = sorted(o["date"].isoformat() for o in data["targets"]["empty"]["observations"])
    assert got == sorted(days)
    check = subprocess.run([sys.executable, "-m", "target_tracker", "check", "-f", str(path)], capture_output=True)
    assert check.returncode == 0
    assert sorted(p.name for p in tmp_path.iterdir()) == ["targets.toml"]


def test_init_minimal_and_example(run, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path / "new.toml"
    r = run("init", path, "--title", "郴州 2026")
    assert r.exit_code == 0, r.output
    assert tomllib.loads(path.read_text(encoding="utf-8"))["title"] == "郴州 2026"
    assert run("check", "-f", path).exit_code == 0
    again = run("init", path)
    assert again.exit_code == 2 and "not overwriting" in again.stderr
    ex = tmp_path / "ex.toml"
    assert run("init", ex, "--example").exit_code == 0
    assert ex.read_bytes() == (ROOT / "targets.toml").read_bytes()


def test_packaged_example_is_the_repository_ledger() -> None:
    packaged = ROOT / "src" / "target_tracker" / "data" / "chenzhou.toml"
    assert packaged.read_bytes() == (ROOT / "targets.toml").read_bytes(), "copy targets.toml into the package data"


def test_apply_refuses_targets_written_as_dotted_keys() -> None:
    text = 'targets.a.title = "A"\ntargets.a.target = 3\n'
    with pytest.raises(EditError, match="edited by hand"):
        apply(RecordObservation("a", day=__import__("datetime").date(2021, 1, 1), value=1), text)


OUT_OF_ORDER = """\
[targets.b]
title = "B"
target = 10
start = 2021-01-01
due = 2021-12-31

[targets.a]
title = "A"
target = 10
start = 2021-01-01
due = 2021-12-31

[targets.b.source]   # b's source, written after a
document = "Plan"
clause = "Article 3"

[targets.a.source]
document = "Plan"
"""


def test_out_of_order_tables(run, write_ledger) -> None:  # type: ignore[no-untyped-def]
    path = write_ledger(OUT_OF_ORDER)
    before = _read(path)
    assert run("update", "b", "4", "--date", "2021-06-30", "-f", path).exit_code == 0
    after = _only_change(before, "due = 2021-12-31\n\n[targets.a]",
                         "due = 2021-12-31\nobservations = [\n  { date = 2021-06-30, value = 4, recorded = 2026-01-15 },\n]\n\n[targets.a]")  # fmt: skip
    assert _read(path) == after
    assert run("set", "a", "owner", "X", "-f", path).exit_code == 0
    after = _only_change(
        after, "due = 2021-12-31\n\n[targets.b.source]", 'due = 2021-12-31\nowner = "X"\n\n[targets.b.source]'
    )
    assert _read(path) == after
    data = tomllib.loads(after)
    assert data["targets"]["b"]["source"]["clause"] == "Article 3" and data["targets"]["a"]["owner"] == "X"
    # a key that its out-of-order sub-table already defines is refused, file untouched
    r = run("set", "a", "source", "Other", "-f", path)
    assert r.exit_code == 2 and _read(path) == after


def test_figures_as_an_array_of_tables_are_refused_in_plain_words(run, write_ledger) -> None:  # type: ignore[no-untyped-def]
    text = (
        'title = "t"\n\n[targets.a]\ntitle = "A"\ntarget = 10\nstart = 2021-01-01\ndue = 2022-12-31\n\n'
        "[[targets.a.observations]]\ndate = 2021-10-31\nvalue = 1\n"
    )
    path = write_ledger(text)
    result = run("update", "a", "2", "--date", "2021-11-30", "-f", path)
    assert result.exit_code == 2
    assert "[[targets.a.observations]]" in result.output and "immutable namespace" not in result.output
    assert path.read_text(encoding="utf-8") == text
