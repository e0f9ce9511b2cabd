"""The rules at the edges (issue 9, section 3), one test per rule in
docs/ledger-format.md. Each number is computed by hand in the comment."""

from __future__ import annotations

import json
from datetime import date

import pytest

from target_tracker.compute import completion, evaluate, linear_share, projected_completion
from target_tracker.ledger.model import Ledger, Observation, Settings, Stage, Target, Waypoint
from target_tracker.output.views import fmt_pct

D = date


def q(tid: str, obs=(), **kw) -> Target:  # type: ignore[no-untyped-def]
    fields = dict(id=tid, title=tid, kind="quantity", file="t.toml", target=100.0,
                  start=D(2021, 1, 1), due=D(2021, 12, 31),
                  observations=tuple(Observation(d, v) for d, v in obs))  # fmt: skip
    fields.update(kw)
    return Target(**fields)  # type: ignore[arg-type]


def ledger(*targets: Target) -> Ledger:
    return Ledger("t", "t.toml", settings=Settings(), targets={t.id: t for t in targets})


def row(as_of: date, tid: str, *targets: Target):  # type: ignore[no-untyped-def]
    r = evaluate(ledger(*targets), as_of).get(tid)
    assert r is not None
    return r


# -- 1. a rollup is built from the CLI: first the rollup, then its children ------------------


def test_rollup_without_children_is_a_warning_and_no_data(run, write_ledger) -> None:  # type: ignore[no-untyped-def]
    path = write_ledger('title = "t"\n\n[targets.r]\ntitle = "R"\nkind = "rollup"\nstart = 2021-01-01\n')
    result = run("check", "-f", path)
    assert result.exit_code == 0, result.output
    assert "warning: r: rollup has no children yet" in result.output
    data = json.loads(run("status", "-f", path, "--as-of", "2021-06-30", "--format", "json").stdout)
    assert data["targets"][0]["status"] == "no-data"


def test_rollup_then_children_from_an_empty_ledger(run, tmp_path) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path / "targets.toml"
    assert run("init", path).exit_code == 0
    steps = [
        ("add", "transport-logistics", "--kind", "rollup", "--title", "Transport and logistics",
         "--area", "Transport and logistics"),
        ("add", "rail-freight", "--title", "Rail freight volume 铁路货运量", "--target", "120", "--unit", "10k t",
         "--start", "2021-01-01", "--due", "2025-12-31", "--area", "Transport and logistics",
         "--parent", "transport-logistics"),
    ]  # fmt: skip
    for step in steps:
        result = run(*step, "-f", path)
        assert result.exit_code == 0, result.output
    assert run("check", "-f", path).exit_code == 0
    data = json.loads(run("status", "-f", path, "--as-of", "2021-06-30", "--format", "json").stdout)
    assert [(t["id"], t["parent"]) for t in data["targets"]] == [
        ("transport-logistics", None), ("rail-freight", "transport-logistics")]  # fmt: skip


# -- 2. projections -----------------------------------------------------------------------


def test_no_projection_before_as_of_and_never_on_time_when_overdue(run, write_ledger) -> None:  # type: ignore[no-untyped-def]
    # 92 of 100 by 2021-10-31 from 0 at 2021-01-01: the trend line ends 2021-11-26,
    # long before the as-of date 2022-07-31 with no newer figure: no projection.
    t = q("late", obs=[(D(2021, 10, 31), 92)])
    r = row(D(2022, 7, 31), "late", t)
    assert r.status == "overdue"
    assert projected_completion(r) is None
    path = write_ledger(
        'title = "t"\n\n[targets.late]\ntitle = "Late"\nkind = "quantity"\ntarget = 100\n'
        "start = 2021-01-01\ndue = 2021-12-31\nobservations = [\n  { date = 2021-10-31, value = 92 },\n]\n"
    )
    out = run("show", "late", "-f", path, "--as-of", "2022-07-31").stdout
    assert "on time" not in out and "before due" not in out
    assert "would have finished before 2022-07-31" in out


def test_projection_of_an_unfinished_target_is_after_as_of() -> None:
    t = q("x", obs=[(D(2021, 3, 31), 30), (D(2021, 6, 30), 60)])
    r = row(D(2021, 7, 15), "x", t)
    p = projected_completion(r)
    assert p is not None and p > D(2021, 7, 15)


# -- 3. status never contradicts the progress beside it -------------------------------------


def test_stage_done_before_start_is_progress_not_not_started() -> None:
    # stages 1, 1, 2: one done = 1/4 = 25%; before start the plan expects 0, so on-track
    t = Target(id="hub", title="hub", kind="milestones", file="t.toml", start=D(2021, 12, 6), due=D(2024, 12, 31),
               stages=(Stage("a", 1, D(2022, 6, 30), D(2021, 11, 20)), Stage("b", 1, D(2022, 12, 31)),
                       Stage("c", 2, D(2024, 12, 31))))  # fmt: skip
    r = row(D(2021, 11, 30), "hub", t)
    assert r.ratio == pytest.approx(0.25)
    assert r.status == "on-track"
    untouched = row(D(2021, 11, 1), "hub", t)
    assert untouched.ratio == 0 and untouched.status == "not-started"


def test_done_command_prints_no_contradiction(run, write_ledger) -> None:  # type: ignore[no-untyped-def]
    path = write_ledger(
        'title = "t"\n\n[targets.hub]\ntitle = "Hub"\nkind = "milestones"\nstart = 2021-12-06\ndue = 2024-12-31\n'
        'stages = [\n  { name = "Site", planned = 2022-06-30 },\n  { name = "Build", planned = 2022-12-31 },\n'
        '  { name = "Open", weight = 2, planned = 2024-12-31 },\n]\n'
    )
    result = run("done", "hub", "1", "--date", "2021-11-20", "-f", path)
    assert result.exit_code == 0, result.output
    assert "1 / 3 stages (25.0%, on-track)" in result.stdout


def test_percent_short_of_one_never_prints_100() -> None:
    assert fmt_pct(0.99996) == "99.9%"
    assert fmt_pct(1.0) == "100.0%"


# -- 4. rollups: which children count ---------------------------------------------------------


def maintain(tid: str, obs=(), **kw) -> Target:  # type: ignore[no-untyped-def]
    fields = dict(id=tid, title=tid, kind="maintain", file="t.toml", at_least=80.0,
                  observations=tuple(Observation(d, v) for d, v in obs))  # fmt: skip
    fields.update(kw)
    return Target(**fields)  # type: ignore[arg-type]


def test_maintain_child_without_figure_is_not_counted() -> None:
    # quantity child at 50 of 100 on 2021-07-02 (expected 182/364 = 0.5); maintain child has no figure:
    # left out, so done 0.5 and expected 0.5 (old rule: done 0.25, expected 0.75)
    r = Target(id="r", title="r", kind="rollup", file="t.toml")
    a = q("a", obs=[(D(2021, 7, 2), 50)], parent="r")
    m = maintain("m", parent="r")
    res = row(D(2021, 7, 2), "r", r, a, m)
    assert res.ratio == pytest.approx(0.5)
    assert res.expected == pytest.approx(0.5)


def test_maintain_child_counts_one_met_zero_missed_and_expects_one() -> None:
    # weights 1 (quantity 50%, expects 50%) and 3 (maintain missed: 0, expects 1):
    # done (0.5 + 0) / 4 = 0.125; expected (0.5 + 3) / 4 = 0.875
    r = Target(id="r", title="r", kind="rollup", file="t.toml")
    a = q("a", obs=[(D(2021, 7, 2), 50)], parent="r")
    m = maintain("m", obs=[(D(2021, 6, 30), 70)], parent="r", weight=3.0)
    res = row(D(2021, 7, 2), "r", r, a, m)
    assert res.ratio == pytest.approx(0.125)
    assert res.expected == pytest.approx(0.875)


def test_not_started_and_no_figure_children_count_zero() -> None:
    # a: 50% expects 50%; b: no figure, expects 50% -> counts 0; c: starts 2022 -> 0 expects 0
    # done 0.5/3, expected 1.0/3
    r = Target(id="r", title="r", kind="rollup", file="t.toml")
    a = q("a", obs=[(D(2021, 7, 2), 50)], parent="r")
    b = q("b", parent="r")
    c = q("c", parent="r", start=D(2022, 1, 1), due=D(2022, 12, 31))
    res = row(D(2021, 7, 2), "r", r, a, b, c)
    assert res.ratio == pytest.approx(0.5 / 3)
    assert res.expected == pytest.approx(1.0 / 3)


ROLLUP_LEDGER = """\
title = "t"

[targets.top]
title = "Top"
kind = "rollup"

[targets.sub]
title = "Sub"
kind = "rollup"
parent = "top"
weight = 2

[targets.a]
title = "A"
kind = "quantity"
parent = "sub"
target = 100
start = 2021-01-01
due = 2021-12-31
observations = [
  { date = 2021-07-02, value = 50 },
]

[targets.b]
title = "B"
kind = "quantity"
parent = "sub"
target = 10
start = 2021-01-01
due = 2021-12-31

[targets.m]
title = "M"
kind = "maintain"
parent = "top"
at_least = 80
"""


def test_show_rollup_prints_the_arithmetic(run, write_ledger) -> None:  # type: ignore[no-untyped-def]
    path = write_ledger(ROLLUP_LEDGER)
    out = run("show", "top", "-f", path, "--as-of", "2021-07-02").stdout
    # sub: a 50% and b 0% (no figure) -> 25% done, 50% expected; m has no figure: not counted
    assert "sub                2 targets" not in out  # the children table counts sub's children
    assert "2 targets" in out
    assert "not counted: no figure" in out
    assert "done = Σ weight × done / Σ weight = 0.5 / 2 = 25.0%" in out
    assert "expected = Σ weight × expected / Σ weight = 1 / 2 = 50.0%" in out
    data = json.loads(run("show", "top", "-f", path, "--as-of", "2021-07-02", "--format", "json").stdout)
    arithmetic = data["arithmetic"]
    assert arithmetic["weight"] == 2 and arithmetic["done"] == 0.25
    assert [c["counted"] for c in arithmetic["children"]] == [True, False]


# -- 5. show on a rollup counts the targets of child rollups ----------------------------------


def test_show_counts_targets_of_child_rollups(run, write_ledger) -> None:  # type: ignore[no-untyped-def]
    path = write_ledger(ROLLUP_LEDGER)
    out = run("show", "top", "-f", path, "--as-of", "2021-07-02").stdout
    children = out.split("children", 1)[1].split("how the rollup", 1)[0]
    sub_line = next(line for line in children.splitlines() if line.startswith("sub "))
    assert "2 targets" in sub_line and "0 targets" not in sub_line


# -- 6. needs attention includes at-risk --------------------------------------------------------


def test_attention_includes_at_risk() -> None:
    from target_tracker.reports.data import build_report

    # 42 of 100 on 2021-07-31, expected 211/364 = 58.0%: gap 16 pp -> behind; 48 -> gap 10 pp -> at-risk
    t = q("x", obs=[(D(2021, 7, 31), 48)])
    rep = build_report(ledger(t), "2021-07", D(2021, 8, 1))
    assert [a.row.status for a in rep.attention] == ["at-risk"]


# -- 7. the rules that were not written down ------------------------------------------------------


def test_no_figure_past_due_is_overdue_not_no_data() -> None:
    assert row(D(2022, 1, 31), "x", q("x")).status == "overdue"
    assert row(D(2021, 6, 30), "x", q("x")).status == "no-data"


def test_which_kinds_can_be_stale() -> None:
    old = [(D(2021, 1, 31), 10)]
    assert row(D(2021, 9, 30), "x", q("x", obs=old)).stale  # active quantity, 242 days old
    assert not row(D(2021, 9, 30), "x", q("x", obs=[(D(2021, 1, 31), 100)])).stale  # done
    assert not row(D(2021, 9, 30), "x", q("x", obs=old, state="paused")).stale
    assert row(D(2021, 9, 30), "m", maintain("m", obs=[(D(2021, 1, 31), 90)])).stale
    ms = Target(id="s", title="s", kind="milestones", file="t.toml", start=D(2021, 1, 1), due=D(2021, 12, 31),
                stages=(Stage("a", 1, None, D(2021, 1, 5)), Stage("b")))  # fmt: skip
    assert not row(D(2021, 9, 30), "s", ms).stale


def test_maintain_past_due_keeps_its_latest_figure() -> None:
    m = maintain("m", obs=[(D(2022, 3, 31), 85)], due=D(2021, 12, 31))
    assert row(D(2022, 6, 30), "m", m).status == "met"


def test_milestones_ratio_before_start_is_zero_not_none() -> None:
    ms = Target(id="s", title="s", kind="milestones", file="t.toml", start=D(2021, 1, 1), due=D(2021, 12, 31),
                stages=(Stage("a"), Stage("b")))  # fmt: skip
    r = row(D(2020, 6, 30), "s", ms)
    assert r.ratio == 0 and r.status == "not-started"


def test_own_trajectory_wins_for_milestones_and_rollups() -> None:
    # milestones: every stage planned (stage 1 by 2021-03-31 = 50%) but the trajectory says 10% on 2021-07-02
    ms = Target(id="s", title="s", kind="milestones", file="t.toml", start=D(2021, 1, 1), due=D(2021, 12, 31),
                stages=(Stage("a", 1, D(2021, 3, 31)), Stage("b", 1, D(2021, 12, 31))),
                trajectory=(Waypoint(D(2021, 7, 2), share=0.1),))  # fmt: skip
    assert row(D(2021, 7, 2), "s", ms).expected == pytest.approx(0.1)
    r = Target(id="r", title="r", kind="rollup", file="t.toml", start=D(2021, 1, 1), due=D(2021, 12, 31),
               trajectory=(Waypoint(D(2021, 7, 2), share=0.2),))  # fmt: skip
    a = q("a", obs=[(D(2021, 7, 2), 50)], parent="r")
    assert row(D(2021, 7, 2), "r", r, a).expected == pytest.approx(0.2)


def test_ignored_rollup_trajectory_is_a_check_warning(run, write_ledger) -> None:  # type: ignore[no-untyped-def]
    path = write_ledger(
        'title = "t"\n\n[targets.r]\ntitle = "R"\nkind = "rollup"\n'
        "trajectory = [\n  { date = 2021-06-30, share = 0.5 },\n]\n\n"
        '[targets.a]\ntitle = "A"\ntarget = 10\nparent = "r"\nstart = 2021-01-01\ndue = 2021-12-31\n'
    )
    result = run("check", "-f", path)
    assert result.exit_code == 0
    assert f"{path}:6: warning: r: trajectory is ignored" in result.output


def test_overall_completion_leaves_out_cancelled_top_level_targets() -> None:
    # a 50%, b cancelled at 0%: completion 50%, not 25%
    ev = evaluate(ledger(q("a", obs=[(D(2021, 7, 2), 50)]), q("b", state="cancelled")), D(2021, 7, 2))
    assert completion(ev.rows) == pytest.approx(0.5)


def test_overall_completion_weighs_top_level_like_a_rollup() -> None:
    # a maintain target without a figure is left out of overall completion as it is of a rollup
    ev = evaluate(ledger(q("a", obs=[(D(2021, 7, 2), 50)]), maintain("m")), D(2021, 7, 2))
    assert completion(ev.rows) == pytest.approx(0.5)


def test_day_count_is_calendar_days_from_start_to_due() -> None:
    # 2021-01-01 .. 2021-12-31 is 364 days; 2021-10-31 is day 303: 303/364 = 83.24%
    assert linear_share(D(2021, 1, 1), D(2021, 12, 31), D(2021, 10, 31)) == pytest.approx(303 / 364)
    assert linear_share(D(2021, 1, 1), D(2021, 12, 31), D(2021, 1, 1)) == 0.0
    assert linear_share(D(2021, 1, 1), D(2021, 12, 31), D(2021, 12, 31)) == 1.0
