"""Fixing mistakes without a text editor (issue 9, section 4)."""

from __future__ import annotations

import pytest

LEDGER = """\
title = "t"

[targets.a]
title = "A"
kind = "quantity"
target = 100
start = 2020-01-01
due = 2022-12-31
observations = [
  { date = 2021-06-30, value = 50 },
  { date = 2021-09-30, value = 60 },
]
"""


@pytest.mark.parametrize(
    ("value", "day", "words"),
    [
        ("250", "2021-12-31", "more than twice the target (100)"),
        ("55", "2021-12-31", "makes the cumulative count fall"),
        ("65", "2021-07-31", "makes the cumulative count fall"),  # back-dated above the next one
        ("10", "2020-06-30", "more than 12 months older than the latest one (2021-09-30)"),
    ],
)
def test_plausibility_warnings_are_printed_not_refused(run, write_ledger, fixed_today, value, day, words) -> None:  # type: ignore[no-untyped-def]
    path = write_ledger(LEDGER)
    result = run("update", "a", value, "--date", day, "-f", path)
    assert result.exit_code == 0, result.output
    assert "warning: a: " in result.stderr and "recorded anyway" in result.stderr
    assert words in result.stderr
    assert f"value = {value}" in path.read_text(encoding="utf-8")
    path = write_ledger(LEDGER)
    quiet = run("update", "a", value, "--date", day, "--quiet", "-f", path)
    assert quiet.exit_code == 0 and "warning" not in quiet.stderr


def test_plausible_figure_gets_no_warning(run, write_ledger, fixed_today) -> None:  # type: ignore[no-untyped-def]
    path = write_ledger(LEDGER)
    result = run("update", "a", "70", "--date", "2021-12-31", "-f", path)
    assert result.exit_code == 0 and "warning" not in result.stderr


def test_stage_planned_before_start_is_a_check_warning(run, write_ledger) -> None:  # type: ignore[no-untyped-def]
    path = write_ledger(
        'title = "t"\n\n[targets.m]\ntitle = "M"\nkind = "milestones"\nstart = 2022-01-01\ndue = 2023-12-31\n'
        'stages = [\n  { name = "Approval", planned = 2021-06-30 },\n  { name = "Open", planned = 2023-06-30 },\n]\n'
    )
    result = run("check", "-f", path)
    assert result.exit_code == 0
    assert (
        f"{path}:9: warning: m: stage 'Approval' is planned for 2021-06-30, before the target's start 2022-01-01"
        in (result.stderr)
    )
    assert "Open" not in result.stderr


FIX = """\
# commitments — hand-edited
title = "Fix ledger"

[targets.top]   # the rollup
title = "Top"
kind = "rollup"

[targets.roads]
title = "临武至连州高速公路"
kind="milestones"
parent = "top"
start = 2021-01-01
due   = 2025-12-31   # ASSUMPTION
stages = [
    {name = "立项 approval", planned = 2022-06-30, done = 2022-05-20, recorded = 2022-05-25},   # first
    {name = "Construction start", weight = 2.0, planned = 2023-03-31},
]

[targets.tasks]   # reform tasks
title = 'Reform tasks'
parent = 'top'
target = 102
start = 2020-09-01
due = 2023-12-31
observations = [
    {date = 2021-06-30, value = 60},
    # a comment inside the array
    {date = 2021-10-31, value = 89, note = "Jan–Oct"},   # no trailing comma next
    {date = 2021-10-31, value = 88, recorded = 2021-12-03}
]

[targets.veg]
title = "Vegetables to the GBA"
at_least = 80
observations = [{ date = 2021-09-30, value = 79 }, { date = 2021-10-31, value = 80 }]

[targets.veg.source]
document = "Chenzhou govt news"
date = 2021-12-06

# trailing comment that belongs to the end
"""


def _read(p) -> str:  # type: ignore[no-untyped-def]
    return p.read_bytes().decode("utf-8")


def test_remove_target_keeps_every_other_byte(run, write_ledger) -> None:  # type: ignore[no-untyped-def]
    path = write_ledger(FIX)
    dry = run("remove", "veg", "--dry-run", "-f", path)
    assert dry.exit_code == 0 and "-[targets.veg.source]" in dry.stdout and _read(path) == FIX
    result = run("remove", "veg", "-f", path)
    assert result.exit_code == 0, result.output
    start = FIX.index("\n[targets.veg]\n")
    end = FIX.index("\n# trailing comment")
    assert _read(path) == FIX[:start] + FIX[end:]


def test_remove_refuses_a_rollup_with_children(run, write_ledger) -> None:  # type: ignore[no-untyped-def]
    path = write_ledger(FIX)
    result = run("remove", "top", "-f", path)
    assert result.exit_code == 2
    assert "'top' still has children: roads, tasks" in result.stderr
    assert _read(path) == FIX


def test_rename_updates_headers_and_every_parent_in_every_file(run, write_ledger) -> None:  # type: ignore[no-untyped-def]
    main_text = FIX.replace('title = "Fix ledger"\n', 'title = "Fix ledger"\ninclude = ["more.toml"]\n')
    more = '[targets.extra]\ntitle = "Extra"\nparent = "top"   # in another file\ntarget = 5\nstart = 2021-01-01\ndue = 2021-12-31\n'
    path = write_ledger(main_text)
    other = write_ledger(more, name="more.toml")
    result = run("rename", "top", "city", "-f", path)
    assert result.exit_code == 0, result.output
    assert _read(path) == (
        main_text.replace("[targets.top]   # the rollup", "[targets.city]   # the rollup")
        .replace('parent = "top"', 'parent = "city"')
        .replace("parent = 'top'", 'parent = "city"')
    )
    assert _read(other) == more.replace('parent = "top"', 'parent = "city"')
    renamed = run("rename", "veg", "vegetables", "-f", path)
    assert renamed.exit_code == 0, renamed.output
    assert "[targets.vegetables]\n" in _read(path) and "[targets.vegetables.source]\n" in _read(path)
    assert run("check", "-f", path).exit_code == 0


def test_rename_refuses_an_existing_id(run, write_ledger) -> None:  # type: ignore[no-untyped-def]
    path = write_ledger(FIX)
    result = run("rename", "veg", "tasks", "-f", path)
    assert result.exit_code == 2 and "already exists" in result.stderr
    assert _read(path) == FIX


def test_update_delete_removes_one_figure(run, write_ledger) -> None:  # type: ignore[no-untyped-def]
    path = write_ledger(FIX)
    # the revision (newest entry) goes: the first report is in use again
    result = run("update", "tasks", "--delete", "2021-10-31", "-f", path)
    assert result.exit_code == 0, result.output
    assert "deleted the figure dated 2021-10-31 (88)" in result.stdout
    after = FIX.replace(',   # no trailing comma next\n    {date = 2021-10-31, value = 88, recorded = 2021-12-03}\n',
                        ',   # no trailing comma next\n')  # fmt: skip
    assert _read(path) == after
    assert run("update", "veg", "--delete", "2021-09-30", "-f", path).exit_code == 0
    assert _read(path) == after.replace("[{ date = 2021-09-30, value = 79 }, { date", "[{ date")
    missing = run("update", "veg", "--delete", "2020-01-31", "-f", path)
    assert missing.exit_code == 2 and "no figure dated 2020-01-31" in missing.stderr


def test_undone_removes_the_done_date(run, write_ledger) -> None:  # type: ignore[no-untyped-def]
    path = write_ledger(FIX)
    dry = run("undone", "roads", "1", "--dry-run", "-f", path)
    assert dry.exit_code == 0 and _read(path) == FIX
    result = run("undone", "roads", "立项", "-f", path)
    assert result.exit_code == 0, result.output
    assert "no longer done (was done 2022-05-20)" in result.stdout
    assert _read(path) == FIX.replace(", done = 2022-05-20, recorded = 2022-05-25}", "}")
    again = run("undone", "roads", "1", "-f", path)
    assert again.exit_code == 2 and "is not done" in again.stderr


def test_back_dated_figure_is_written_in_date_order(run, write_ledger, fixed_today) -> None:  # type: ignore[no-untyped-def]
    path = write_ledger(FIX)
    assert run("update", "tasks", "70", "--date", "2021-08-31", "-f", path).exit_code == 0
    expected = FIX.replace(
        "    # a comment inside the array\n    {date = 2021-10-31, value = 89",
        "    # a comment inside the array\n    {date = 2021-08-31, value = 70, recorded = 2026-01-15},\n"
        "    {date = 2021-10-31, value = 89",
    )
    assert _read(path) == expected
    assert run("update", "veg", "78", "--date", "2021-08-31", "-f", path).exit_code == 0
    assert _read(path) == expected.replace(
        "observations = [{ date = 2021-09-30",
        "observations = [{ date = 2021-08-31, value = 78, recorded = 2026-01-15 }, { date = 2021-09-30",
    )


def test_new_child_goes_after_the_parents_whole_subtree(run, write_ledger, fixed_today) -> None:  # type: ignore[no-untyped-def]
    text = (
        'title = "t"\n\n[targets.city]\ntitle = "City"\nkind = "rollup"\n\n'
        '[targets.econ]\ntitle = "Economy"\nkind = "rollup"\nparent = "city"\n\n'
        '[targets.q1]\ntitle = "Q1"\ntarget = 10\nparent = "econ"\nstart = 2021-01-01\ndue = 2021-12-31\n\n'
        '[targets.other]\ntitle = "Other"\ntarget = 5\nstart = 2021-01-01\ndue = 2021-12-31\n'
    )
    path = write_ledger(text)
    result = run("add", "q9", "--title", "Q9", "--target", "3", "--start", "2021-01-01", "--due", "2021-12-31",
                 "--parent", "city", "-f", path)  # fmt: skip
    assert result.exit_code == 0, result.output
    block = ('[targets.q9]\ntitle = "Q9"\nkind = "quantity"\nparent = "city"\nbaseline = 0\ntarget = 3\n'
             "start = 2021-01-01\ndue = 2021-12-31\nadded = 2026-01-15\n\n")  # fmt: skip
    assert _read(path) == text.replace("[targets.other]", block + "[targets.other]")


def test_empty_title_and_unreadable_stage_spec_are_refused(run, write_ledger) -> None:  # type: ignore[no-untyped-def]
    path = write_ledger(FIX)
    result = run("set", "tasks", "title", "", "-f", path)
    assert result.exit_code == 2 and "title is empty" in result.stderr
    result = run("add", "bridge", "--title", "Bridge", "--due", "2026-12-31", "--stage", "A:x@2022-01-01", "-f", path)
    assert result.exit_code == 2 and "--stage 'A:x@2022-01-01' cannot be read" in result.stderr
    assert _read(path) == FIX
    ok = run("add", "bridge", "--title", "Bridge", "--start", "2021-01-01", "--due", "2026-12-31",
             "--stage", "Phase 1: approval:2@2022-01-01", "-f", path)  # fmt: skip
    assert ok.exit_code == 0, ok.output
    assert '{ name = "Phase 1: approval", weight = 2, planned = 2022-01-01 }' in _read(path)
