"""The ledger merge, text by text: what `tracker merge-file` does with three versions.

Each test builds OURS and THEIRS from one BASE by small edits and checks the
whole merged text, so a changed byte anywhere fails the test.
"""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from target_tracker.merge.data import merge_data, normalized
from target_tracker.merge.driver import keep_side, merge_texts

BASE = """\
# Office ledger
title = "Office"

[settings]
stale_after_days = 90

[targets.roads]  # Transport
title = "Roads built"
kind = "quantity"
unit = "km"
target = 100
start = 2021-01-01
due = 2021-12-31
observations = [
  { date = 2021-01-31, value = 5 },
  { date = 2021-02-28, value = 9, note = "Feb" },
]

[targets.bridge]
title = "Bridge"
kind = "milestones"
start = 2021-01-01
due = 2022-12-31
stages = [
  { name = "Approval", planned = 2021-06-30 },
  { name = "Construction", weight = 3, planned = 2022-06-30 },
]

[targets.schools]
title = "Schools"
kind = "quantity"
target = 10
start = 2021-01-01
due = 2021-12-31
observations = [
  { date = 2021-01-31, value = 1 },
]
"""

FEB = '  { date = 2021-02-28, value = 9, note = "Feb" },\n'
SCHOOLS_JAN = "  { date = 2021-01-31, value = 1 },\n]\n"


def edit(text: str, old: str, new: str) -> str:
    assert text.count(old) == 1, old
    return text.replace(old, new)


def conflict(ours: str, theirs: str, size: int = 7) -> str:
    return f"{'<' * size} ours\n{ours}{'=' * size}\n{theirs}{'>' * size} theirs\n"


def test_changes_to_different_targets_both_land_byte_for_byte() -> None:
    ours = edit(BASE, FEB, FEB + "  { date = 2021-03-31, value = 14 },  # from the March report\n")
    theirs = edit(
        BASE,
        SCHOOLS_JAN,
        '  { date = 2021-01-31, value = 1 },\n  { date = 2021-02-28, value = 2, source = "Bureau" },\n]\n',
    )
    merged, conflicts = merge_texts(BASE, ours, theirs)
    assert conflicts == 0
    assert merged == edit(
        ours,
        SCHOOLS_JAN,
        '  { date = 2021-01-31, value = 1 },\n  { date = 2021-02-28, value = 2, source = "Bureau" },\n]\n',
    )


def test_figures_on_different_dates_are_both_kept_in_date_order() -> None:
    ours = edit(BASE, FEB, FEB + "  { date = 2021-04-30, value = 20 },\n")
    theirs = edit(BASE, FEB, FEB + "  { date = 2021-03-31, value = 14 },\n")
    merged, conflicts = merge_texts(BASE, ours, theirs)
    assert conflicts == 0
    assert merged == edit(
        BASE, FEB, FEB + "  { date = 2021-03-31, value = 14 },\n  { date = 2021-04-30, value = 20 },\n"
    )


def test_the_same_figure_on_both_sides_is_kept_once() -> None:
    both = edit(BASE, FEB, FEB + "  { date = 2021-03-31, value = 14 },\n")
    merged, conflicts = merge_texts(BASE, both, both)
    assert (merged, conflicts) == (both, 0)


@pytest.mark.parametrize("fuller_side", ["ours", "theirs"])
def test_the_same_figure_with_a_note_on_one_side_keeps_the_fuller_one(fuller_side: str) -> None:
    plain = edit(BASE, FEB, FEB + "  { date = 2021-03-31, value = 14 },\n")
    full = edit(BASE, FEB, FEB + '  { date = 2021-03-31, value = 14, note = "Mar", source = "Bureau" },\n')
    ours, theirs = (full, plain) if fuller_side == "ours" else (plain, full)
    merged, conflicts = merge_texts(BASE, ours, theirs)
    assert (merged, conflicts) == (full, 0)
    assert merge_data(*(tomllib.loads(x) for x in (BASE, ours, theirs)), prefer="ours") == (tomllib.loads(full), 0)


def test_the_same_figure_with_different_notes_is_a_conflict() -> None:
    ours = edit(BASE, FEB, FEB + '  { date = 2021-03-31, value = 14, note = "Mar" },\n')
    theirs = edit(BASE, FEB, FEB + '  { date = 2021-03-31, value = 14, note = "March" },\n')
    merged, conflicts = merge_texts(BASE, ours, theirs)
    assert conflicts == 1
    block = conflict('  { date = 2021-03-31, value = 14, note = "Mar" },\n',
                     '  { date = 2021-03-31, value = 14, note = "March" },\n')  # fmt: skip
    assert merged == edit(BASE, FEB, FEB + block)


def test_the_same_date_with_different_values_is_a_conflict_on_that_line_only() -> None:
    ours = edit(BASE, FEB, FEB + "  { date = 2021-03-31, value = 14 },\n")
    ours = edit(ours, 'title = "Schools"', 'title = "Schools opened"')
    theirs = edit(BASE, FEB, FEB + "  { date = 2021-03-31, value = 15 },\n")
    theirs = edit(theirs, 'title = "Bridge"', 'title = "Xiang River bridge"')
    merged, conflicts = merge_texts(BASE, ours, theirs)
    assert conflicts == 1
    block = conflict("  { date = 2021-03-31, value = 14 },\n", "  { date = 2021-03-31, value = 15 },\n")
    assert merged == edit(edit(BASE, FEB, FEB + block), 'title = "Schools"', 'title = "Schools opened"').replace(
        'title = "Bridge"', 'title = "Xiang River bridge"'
    )


def test_a_figure_revised_on_one_side_is_taken() -> None:
    ours = edit(BASE, "value = 9,", "value = 10,")
    theirs = edit(BASE, FEB, FEB + "  { date = 2021-03-31, value = 14 },\n")
    merged, conflicts = merge_texts(BASE, ours, theirs)
    assert conflicts == 0
    assert merged == edit(ours, '"Feb" },\n', '"Feb" },\n  { date = 2021-03-31, value = 14 },\n')


def test_a_stage_done_on_one_side_and_a_title_on_the_other() -> None:
    ours = edit(BASE, "planned = 2021-06-30 }", "planned = 2021-06-30, done = 2021-05-20 }")
    theirs = edit(BASE, 'title = "Bridge"', 'title = "Xiang River bridge 湘江大桥"')
    merged, conflicts = merge_texts(BASE, ours, theirs)
    assert conflicts == 0
    assert merged == edit(ours, 'title = "Bridge"', 'title = "Xiang River bridge 湘江大桥"')


def test_stages_done_on_both_sides_merge_and_different_dates_conflict() -> None:
    ours = edit(BASE, "planned = 2021-06-30 }", "planned = 2021-06-30, done = 2021-05-20 }")
    theirs = edit(BASE, "planned = 2022-06-30 }", "planned = 2022-06-30, done = 2022-01-10 }")
    merged, conflicts = merge_texts(BASE, ours, theirs)
    assert conflicts == 0
    assert merged == edit(ours, "planned = 2022-06-30 }", "planned = 2022-06-30, done = 2022-01-10 }")

    theirs = edit(BASE, "planned = 2021-06-30 }", "planned = 2021-06-30, done = 2021-05-21 }")
    merged, conflicts = merge_texts(BASE, ours, theirs)
    assert conflicts == 1
    block = conflict(
        '  { name = "Approval", planned = 2021-06-30, done = 2021-05-20 },\n',
        '  { name = "Approval", planned = 2021-06-30, done = 2021-05-21 },\n',
    )
    assert merged == edit(BASE, '  { name = "Approval", planned = 2021-06-30 },\n', block)


def test_a_stage_done_on_one_side_and_replanned_on_the_other_merges_inside_the_line() -> None:
    ours = edit(BASE, "planned = 2021-06-30 }", "planned = 2021-06-30, done = 2021-05-20 }")
    theirs = edit(BASE, "planned = 2021-06-30 }", "planned = 2021-07-31 }")
    merged, conflicts = merge_texts(BASE, ours, theirs)
    assert conflicts == 0
    assert merged == edit(BASE, "planned = 2021-06-30 }", "planned = 2021-07-31, done = 2021-05-20 }")


def test_a_field_changed_on_one_side_is_taken_and_differently_on_both_is_a_conflict() -> None:
    ours = edit(BASE, "target = 100", "target = 120")
    theirs = edit(BASE, "due = 2022-12-31", "due = 2023-06-30")
    merged, conflicts = merge_texts(BASE, ours, theirs)
    assert (merged, conflicts) == (edit(ours, "due = 2022-12-31", "due = 2023-06-30"), 0)

    theirs = edit(BASE, "target = 100", "target = 110")
    merged, conflicts = merge_texts(BASE, ours, theirs)
    assert conflicts == 1
    assert merged == edit(BASE, "target = 100\n", conflict("target = 120\n", "target = 110\n"))


def test_a_field_added_or_removed_on_one_side() -> None:
    ours = edit(BASE, 'unit = "km"\n', "")
    theirs = edit(BASE, 'title = "Schools"\n', 'title = "Schools"\nowner = "Education bureau"  # new\n')
    merged, conflicts = merge_texts(BASE, ours, theirs)
    assert (merged, conflicts) == (
        edit(ours, 'title = "Schools"\n', 'title = "Schools"\nowner = "Education bureau"  # new\n'),
        0,
    )


NEW_A = '\n[targets.parks]\ntitle = "Parks"\nkind = "maintain"\nat_least = 3\n'
NEW_B = '\n# Health\n[targets.clinics]\ntitle = "Clinics"\nkind = "maintain"\nat_most = 2\n'


def test_targets_added_at_the_end_on_both_sides_are_both_kept() -> None:
    merged, conflicts = merge_texts(BASE, BASE + NEW_A, BASE + NEW_B)
    assert (merged, conflicts) == (BASE + NEW_A + NEW_B, 0)


def test_the_same_id_added_with_different_content_is_a_conflict_around_that_target() -> None:
    theirs_parks = NEW_A.replace("at_least = 3", "at_least = 4")
    merged, conflicts = merge_texts(BASE, BASE + NEW_A + NEW_B, BASE + theirs_parks)
    assert conflicts == 1
    assert merged == BASE + "\n" + conflict(NEW_A[1:], theirs_parks[1:]) + NEW_B
    same, n = merge_texts(BASE, BASE + NEW_A, BASE + NEW_A)
    assert (same, n) == (BASE + NEW_A, 0)


SCHOOLS = BASE[BASE.index("\n[targets.schools]") :]


def test_a_target_removed_on_one_side_and_changed_on_the_other_is_a_conflict() -> None:
    removed = BASE.replace(SCHOOLS, "\n")
    changed = edit(BASE, "target = 10\n", "target = 12\n")
    merged, conflicts = merge_texts(BASE, removed, changed)
    assert conflicts == 1
    assert merged == removed + conflict("", changed[changed.index("[targets.schools]") :])
    merged, conflicts = merge_texts(BASE, changed, removed)
    assert conflicts == 1
    assert keep_side(merged, "theirs") == removed
    assert keep_side(merged, "ours") == changed


def test_a_target_removed_on_one_side_and_untouched_on_the_other_is_removed() -> None:
    removed = BASE.replace(SCHOOLS, "")
    ours = edit(BASE, "target = 100", "target = 120")
    merged, conflicts = merge_texts(BASE, ours, removed)
    assert (merged, conflicts) == (ours.replace(SCHOOLS, ""), 0)


def test_header_title_settings_and_source_changed_on_different_sides() -> None:
    ours = edit(BASE, "stale_after_days = 90", "stale_after_days = 60")
    theirs = edit(BASE, 'title = "Office"\n', 'title = "Office 2022"\nsource = "Plan 2022"\n')
    merged, conflicts = merge_texts(BASE, ours, theirs)
    assert (merged, conflicts) == (edit(ours, 'title = "Office"\n', 'title = "Office 2022"\nsource = "Plan 2022"\n'), 0)


def test_a_top_level_include_changed_on_one_side() -> None:
    ours = edit(BASE, "target = 100", "target = 120")
    theirs = edit(BASE, 'title = "Office"\n', 'title = "Office"\ninclude = ["depts/"]\n')
    merged, conflicts = merge_texts(BASE, ours, theirs)
    assert (merged, conflicts) == (edit(ours, 'title = "Office"\n', 'title = "Office"\ninclude = ["depts/"]\n'), 0)


def test_crlf_ledgers_stay_crlf() -> None:
    crlf = BASE.replace("\n", "\r\n")
    ours = edit(crlf, "target = 100", "target = 120")
    theirs = crlf + NEW_A.replace("\n", "\r\n")
    theirs = edit(
        theirs, FEB.replace("\n", "\r\n"), FEB.replace("\n", "\r\n") + "  { date = 2021-03-31, value = 14 },\r\n"
    )
    merged, conflicts = merge_texts(crlf, ours, theirs)
    assert conflicts == 0
    assert "\n" not in merged.replace("\r\n", "")
    assert merged == edit(theirs, "target = 100", "target = 120")


def test_theirs_lf_lines_are_written_in_ours_crlf_style() -> None:
    crlf = BASE.replace("\n", "\r\n")
    merged, conflicts = merge_texts(BASE, crlf, BASE + NEW_B)
    assert (merged, conflicts) == (crlf + NEW_B.replace("\n", "\r\n"), 0)


def test_marker_size_is_honoured_and_conflicts_in_crlf_files_are_crlf() -> None:
    crlf = BASE.replace("\n", "\r\n")
    ours = edit(crlf, "target = 100", "target = 120")
    theirs = edit(crlf, "target = 100", "target = 130")
    merged, conflicts = merge_texts(crlf, ours, theirs, marker_size=10)
    assert conflicts == 1
    assert merged == edit(
        crlf, "target = 100\r\n", conflict("target = 120\n", "target = 130\n", 10).replace("\n", "\r\n")
    )


def write3(tmp_path: Path, base: str, ours: str, theirs: str) -> tuple[Path, Path, Path]:
    paths = []
    for name, text in (("base", base), ("ours", ours), ("theirs", theirs)):
        p = tmp_path / f"{name}.toml"
        p.write_bytes(text.encode("utf-8"))
        paths.append(p)
    return paths[0], paths[1], paths[2]


def test_merge_file_writes_ours_and_exits_0_when_clean(run, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    b, o, t = write3(tmp_path, BASE, BASE + NEW_A, BASE + NEW_B)
    result = run("merge-file", b, o, t, "--marker-size", "7")
    assert result.exit_code == 0, result.output
    assert o.read_text(encoding="utf-8") == BASE + NEW_A + NEW_B
    assert run("-f", o, "check").exit_code == 0


def test_merge_file_leaves_markers_and_check_points_at_them(run, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    ours = edit(BASE, FEB, FEB + "  { date = 2021-03-31, value = 14 },\n")
    theirs = edit(BASE, FEB, FEB + "  { date = 2021-03-31, value = 15 },\n")
    theirs = edit(theirs, "target = 10\n", "target = 11\n")
    b, o, t = write3(tmp_path, BASE, ours, theirs)
    result = run("merge-file", b, o, t)
    assert result.exit_code == 1
    assert "1 conflict left" in result.stderr
    text = o.read_text(encoding="utf-8")
    line = text.splitlines().index("<<<<<<< ours") + 1
    assert line == 17
    assert "target = 11\n" in text  # the rest is merged
    check = run("-f", o, "check")
    assert check.exit_code == 2
    assert f"{o}:{line}: unresolved merge conflict (git conflict markers)" in check.stderr


def test_check_reports_every_conflict_in_an_included_file(run, write_ledger) -> None:  # type: ignore[no-untyped-def]
    main = write_ledger('title = "Split"\ninclude = ["dept.toml"]\n')
    dept = write_ledger(
        '[targets.a]\ntitle = "A"\n<<<<<<< ours\nat_least = 1\n=======\nat_least = 2\n>>>>>>> theirs\n'
        'kind = "maintain"\n<<<<<<< HEAD\nunit = "%"\n=======\nunit = "km"\n>>>>>>> branch\n',
        name="dept.toml",
    )
    result = run("-f", main, "check")
    assert result.exit_code == 1
    assert f"{dept}:3: unresolved merge conflict (git conflict markers)" in result.stderr
    assert f"{dept}:9: unresolved merge conflict (git conflict markers)" in result.stderr


def test_an_unusual_layout_falls_back_to_gits_line_merge_and_says_so(run, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    base = 'title = "Dotted"\ntargets.a.title = "A"\ntargets.a.kind = "maintain"\ntargets.a.at_least = 1\n'
    ours = edit(base, "at_least = 1", "at_least = 2")
    theirs = edit(base, 'title = "Dotted"', 'title = "Dotted ledger"')
    b, o, t = write3(tmp_path, base, ours, theirs)
    result = run("merge-file", b, o, t)
    assert result.exit_code == 0, result.output
    assert "used git's line merge instead" in result.stderr
    assert o.read_text(encoding="utf-8") == edit(ours, 'title = "Dotted"', 'title = "Dotted ledger"')


def test_a_clean_merge_that_would_fail_check_is_not_passed_as_clean(run, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    # each side alone is fine; together the due date falls before the start
    ours = edit(
        BASE,
        'title = "Schools"\nkind = "quantity"\ntarget = 10\nstart = 2021-01-01',
        'title = "Schools"\nkind = "quantity"\ntarget = 10\nstart = 2021-01-15',
    )
    theirs = edit(
        BASE, "target = 10\nstart = 2021-01-01\ndue = 2021-12-31", "target = 10\nstart = 2021-01-01\ndue = 2021-01-10"
    )
    b, o, t = write3(tmp_path, BASE, ours, theirs)
    result = run("merge-file", b, o, t)
    assert result.exit_code == 1
    assert "would not pass 'tracker check'" in result.stderr


@pytest.mark.parametrize("side", ["ours", "theirs"])
def test_keep_side_resolves_every_conflict(side: str) -> None:
    text = "a = 1\n<<<<<<< ours\nb = 2\n=======\nb = 3\n>>>>>>> theirs\nc = 4\n"
    assert keep_side(text, side) == ("a = 1\nb = 2\nc = 4\n" if side == "ours" else "a = 1\nb = 3\nc = 4\n")  # type: ignore[arg-type]


# -- property: any figures recorded on two sides merge to both sides' data --------------------

days = st.dates(min_value=__import__("datetime").date(2021, 3, 1), max_value=__import__("datetime").date(2021, 12, 31))
figures = st.dictionaries(days, st.integers(min_value=0, max_value=100), max_size=6)


def with_figures(text: str, figs: dict) -> str:  # type: ignore[type-arg]
    lines = "".join(f"  {{ date = {d.isoformat()}, value = {v} }},\n" for d, v in sorted(figs.items()))
    return edit(text, FEB, FEB + lines)


@settings(max_examples=60, deadline=None)
@given(ours_figs=figures, theirs_figs=figures)
def test_figures_recorded_on_both_sides_always_merge_to_both_sides_data(ours_figs, theirs_figs) -> None:  # type: ignore[no-untyped-def]
    ours, theirs = with_figures(BASE, ours_figs), with_figures(BASE, theirs_figs)
    merged, conflicts = merge_texts(BASE, ours, theirs)
    clashes = {d for d in ours_figs.keys() & theirs_figs.keys() if ours_figs[d] != theirs_figs[d]}
    assert conflicts == len(clashes)
    if not clashes:
        expected, _ = merge_data(*(tomllib.loads(x) for x in (BASE, ours, theirs)))
        assert normalized(tomllib.loads(merged)) == normalized(expected)
        dates = [o["date"] for o in tomllib.loads(merged)["targets"]["roads"]["observations"]]
        assert dates == sorted(dates)
        assert merged.startswith(BASE[: BASE.index(FEB)])
        assert merged.endswith(BASE[BASE.index(FEB) + len(FEB) :])


def test_a_version_that_is_not_toml_falls_back_to_gits_line_merge(run, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    broken_base = BASE.replace('title = "Office"', 'title = "Office')
    b, o, t = write3(tmp_path, broken_base, BASE + NEW_A, BASE + NEW_B)
    result = run("merge-file", b, o, t)
    assert "used git's line merge instead: the base version is not valid TOML" in result.stderr
    assert result.exit_code == 1  # git's merge of these conflicts (both appended at the end)
    assert "<<<<<<< ours" in o.read_text(encoding="utf-8")


# -- property: what the CLI writes on two sides always merges, or conflicts, never falls back -----

from datetime import date as _date  # noqa: E402

from target_tracker.edits.operations import (  # noqa: E402
    EditError,
    MarkStageDone,
    RecordObservation,
    SetField,
    apply,
    insert_target,
    new_target_block,
    newline_of,
)
from target_tracker.toml.scan import ScanError, find_section  # noqa: E402

TIDS = ["roads", "schools", "bridge"]
op = st.one_of(
    st.tuples(st.just("fig"), st.sampled_from(["roads", "schools"]), st.integers(1, 6), st.integers(0, 3)),
    st.tuples(st.just("done"), st.just("bridge"), st.integers(1, 2), st.integers(1, 3)),
    st.tuples(st.just("set"), st.sampled_from(TIDS), st.sampled_from(["title", "owner", "area"]), st.integers(0, 2)),
    st.tuples(
        st.just("add"), st.sampled_from(["parks", "clinics"]), st.sampled_from([None, "roads"]), st.integers(0, 1)
    ),
    st.tuples(st.just("del"), st.sampled_from(TIDS + ["parks"]), st.just(0), st.just(0)),
    st.tuples(st.just("head"), st.sampled_from(["title", "stale_after_days"]), st.just(0), st.integers(0, 2)),
)


def cli_like(text: str, ops: list[tuple]) -> str:  # type: ignore[type-arg]
    for kind, a, b, c in ops:
        try:
            if kind == "fig":
                text = apply(RecordObservation(a, day=_date(2021, 2 + b, 1), value=10 * b + c, replace=True), text).text
            elif kind == "done":
                text = apply(MarkStageDone(a, stage=str(b), day=_date(2021, 4, c), replace=True), text).text
            elif kind == "set":
                text = apply(SetField(a, name=b, value=f"{b} {c} 值"), text).text
            elif kind == "add":
                fields = [("title", f"{a} {c}"), ("kind", "maintain"), ("at_least", c + 1)]
                text = insert_target(text, a, new_target_block(a, fields, [], newline_of(text)), b)
            elif kind == "head":
                old = 'title = "Office"' if a == "title" else "stale_after_days = 90"
                new = f'title = "Office {c}"' if a == "title" else f"stale_after_days = {60 + c}"
                text = text.replace(old, new, 1)
            else:
                s = find_section(text, a)  # deleted with the blank line before it, as a planner would
                nl = newline_of(text)
                start = s.start - len(nl) if text[: s.start].endswith(nl + nl) else s.start
                text = text[:start] + text[s.end :]
        except (EditError, ScanError):
            continue
    return text


@settings(max_examples=150, deadline=None)
@given(ours_ops=st.lists(op, max_size=5), theirs_ops=st.lists(op, max_size=5), crlf=st.booleans())
def test_what_the_cli_writes_on_both_sides_merges_and_never_falls_back(ours_ops, theirs_ops, crlf) -> None:  # type: ignore[no-untyped-def]
    base = BASE.replace("\n", "\r\n") if crlf else BASE
    ours, theirs = cli_like(base, ours_ops), cli_like(base, theirs_ops)
    merged, conflicts = merge_texts(base, ours, theirs)  # raises MergeRefused when it cannot vouch for the result
    if conflicts == 0:
        expected, n = merge_data(*(tomllib.loads(x) for x in (base, ours, theirs)))
        assert n == 0 and normalized(tomllib.loads(merged)) == normalized(expected)
    assert ("\n" in merged.replace("\r\n", "")) != crlf or merged == ""
    if ours == base:
        assert (merged, conflicts) == (theirs, 0)
    if theirs in (base, ours):
        assert (merged, conflicts) == (ours, 0)


def test_figures_with_recorded_dates_a_later_revision_is_kept_beside_the_figure() -> None:
    # ledgers that record when each figure was entered (`recorded`): a second entry for a
    # date, entered later, is a revision of the first, not a clash
    ours = edit(BASE, FEB, FEB + "  { date = 2021-03-31, value = 14, recorded = 2021-04-02 },\n")
    theirs = edit(BASE, FEB, FEB + "  { date = 2021-03-31, value = 15, recorded = 2021-04-20 },\n")
    merged, conflicts = merge_texts(BASE, ours, theirs)
    assert conflicts == 0
    assert merged == edit(
        ours,
        "recorded = 2021-04-02 },\n",
        "recorded = 2021-04-02 },\n  { date = 2021-03-31, value = 15, recorded = 2021-04-20 },\n",
    )
    # entered on the same day with different values: a conflict on that line
    theirs = edit(BASE, FEB, FEB + "  { date = 2021-03-31, value = 15, recorded = 2021-04-02 },\n")
    merged, conflicts = merge_texts(BASE, ours, theirs)
    assert conflicts == 1
    assert conflict("  { date = 2021-03-31, value = 14, recorded = 2021-04-02 },\n",
                    "  { date = 2021-03-31, value = 15, recorded = 2021-04-02 },\n") in merged  # fmt: skip


def test_check_names_leftover_markers_when_the_first_was_deleted(run, write_ledger) -> None:  # type: ignore[no-untyped-def]
    path = write_ledger(
        edit(BASE, "target = 100\n", "target = 120\n=======\ntarget = 110\n>>>>>>> theirs\n"), newline="\r\n"
    )
    result = run("-f", path, "check")
    assert result.exit_code == 2
    assert result.stderr.splitlines() == [
        f"{path}:12: unresolved merge conflict (git conflict markers)",
        f"{path}:14: unresolved merge conflict (git conflict markers)",
    ]


def test_a_ledger_added_on_both_branches_merges_against_an_empty_base() -> None:
    merged, conflicts = merge_texts("", BASE + NEW_A, BASE + NEW_B)
    assert (merged, conflicts) == (BASE + NEW_A + NEW_B, 0)


def test_ledgers_saved_with_a_bom_merge_cleanly_and_keep_it(run, tmp_path) -> None:  # type: ignore[no-untyped-def]
    bom = b"\xef\xbb\xbf"
    text = (
        'title = "t"\n\n[targets.a]\ntitle = "A"\ntarget = 10\nstart = 2021-01-01\ndue = 2022-12-31\n'
        "observations = [\n  { date = 2021-10-31, value = 1 },\n]\n\n"
        '[targets.b]\ntitle = "B"\ntarget = 10\nstart = 2021-01-01\ndue = 2022-12-31\n'
    )
    base, ours, theirs = (tmp_path / n for n in ("base.toml", "ours.toml", "theirs.toml"))
    base.write_bytes(bom + text.encode())
    ours.write_bytes(
        bom + text.replace("value = 1 },\n", "value = 1 },\n  { date = 2021-11-30, value = 2 },\n").encode()
    )
    theirs.write_bytes(bom + text.replace('title = "B"', 'title = "Bee"').encode())
    result = run("merge-file", base, ours, theirs)
    assert result.exit_code == 0, result.output
    merged = ours.read_bytes()
    assert (
        merged
        == bom
        + text.replace("value = 1 },\n", "value = 1 },\n  { date = 2021-11-30, value = 2 },\n")
        .replace('title = "B"', 'title = "Bee"')
        .encode()
    )
