"""The completion maths, pinned with hand-computed cases."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from target_tracker.compute import (
    evaluate,
    expected_share,
    linear_share,
    projected_completion,
    quantity_ratio,
)
from target_tracker.ledger.model import Ledger, Observation, Settings, Stage, Target, Waypoint

D = date


def quantity(tid: str = "q", baseline: float = 0, target: float = 102, obs=(), **kw) -> Target:  # type: ignore[no-untyped-def]
    fields = dict(
        id=tid, title=tid, kind="quantity", file="t.toml", baseline=baseline, target=target,
        start=D(2021, 1, 1), due=D(2021, 12, 31),
        observations=tuple(Observation(d, v) for d, v in obs),
    )  # fmt: skip
    fields.update(kw)
    return Target(**fields)  # type: ignore[arg-type]


def ledger(*targets: Target, settings: Settings | None = None) -> Ledger:
    return Ledger("t", "t.toml", settings=settings or Settings(), targets={t.id: t for t in targets})


def status_of(t: Target, as_of: date, *others: Target) -> dict:  # type: ignore[type-arg]
    ev = evaluate(ledger(t, *others), as_of)
    row = ev.get(t.id)
    assert row is not None
    return {"status": row.status, "ratio": row.ratio, "expected": row.expected, "row": row}


# -- ratios ---------------------------------------------------------------------


def test_reform_tasks_ratio_89_of_102() -> None:
    t = quantity(obs=[(D(2021, 10, 31), 89)])
    assert round(quantity_ratio(t, 89), 4) == 0.8725


def test_implementation_measures_ratio_228_of_264() -> None:
    t = quantity(target=264)
    assert round(quantity_ratio(t, 228), 4) == 0.8636


def test_decreasing_target_ratio() -> None:
    # unemployment from 6.0% down to 5.5%: at 5.8 a share of 0.2/0.5 = 0.4 is done
    t = quantity(baseline=6.0, target=5.5)
    assert quantity_ratio(t, 5.8) == pytest.approx(0.4)
    assert quantity_ratio(t, 5.5) == pytest.approx(1.0)
    assert quantity_ratio(t, 6.2) == pytest.approx(-0.4)  # moving the wrong way is negative


def test_ratio_is_not_clamped_above_one() -> None:
    t = quantity(target=100, obs=[(D(2021, 6, 1), 120)])
    assert status_of(t, D(2021, 6, 30))["ratio"] == pytest.approx(1.2)


# -- expected share and waypoints ---------------------------------------------


def test_linear_expected_is_share_of_days() -> None:
    t = quantity()  # 2021-01-01 .. 2021-12-31: 364 days
    assert expected_share(t, D(2021, 7, 2)) == pytest.approx(182 / 364)
    assert expected_share(t, D(2020, 6, 1)) == 0.0
    assert expected_share(t, D(2022, 6, 1)) == 1.0


def test_waypoints_interpolate_linearly() -> None:
    # 70% planned by 2021-07-01 (181 days in), then linear to 100% at due.
    t = quantity(trajectory=(Waypoint(D(2021, 7, 1), share=0.7),))
    assert expected_share(t, D(2021, 7, 1)) == pytest.approx(0.7)
    assert expected_share(t, D(2021, 4, 1)) == pytest.approx(0.7 * 90 / 181)
    # 2021-07-01 .. 2021-12-31 is 183 days; 92 days in:
    assert expected_share(t, D(2021, 10, 1)) == pytest.approx(0.7 + 0.3 * 92 / 183)


def test_waypoint_value_in_units() -> None:
    t = quantity(target=200, trajectory=(Waypoint(D(2021, 7, 1), value=50),))
    assert expected_share(t, D(2021, 7, 1)) == pytest.approx(0.25)


# -- statuses and their boundaries ----------------------------------------------


def _at_gap(gap: float) -> str:
    """A target whose expected share is 0.5 and whose ratio is 0.5 - gap."""
    t = quantity(target=100, start=D(2021, 1, 1), due=D(2021, 1, 21), obs=[(D(2021, 1, 1), 100 * (0.5 - gap))])
    s = status_of(t, D(2021, 1, 11))
    assert s["expected"] == pytest.approx(0.5)
    return s["status"]


def test_status_boundaries_on_track_at_risk_behind() -> None:
    assert _at_gap(-0.2) == "on-track"  # ahead of plan
    assert _at_gap(0.05) == "on-track"  # boundary is inclusive
    assert _at_gap(0.06) == "at-risk"
    assert _at_gap(0.15) == "at-risk"  # inclusive
    assert _at_gap(0.16) == "behind"


def test_thresholds_come_from_settings() -> None:
    t = quantity(target=100, start=D(2021, 1, 1), due=D(2021, 1, 21), obs=[(D(2021, 1, 1), 40)])
    strict = Settings(on_track_gap=0.01, at_risk_gap=0.05)
    ev = evaluate(ledger(t, settings=strict), D(2021, 1, 11))
    assert ev.rows[0].status == "behind"  # gap 0.10 > 0.05


def test_done_overdue_not_started_no_data() -> None:
    t = quantity(obs=[(D(2021, 10, 31), 102)])
    assert status_of(t, D(2021, 11, 1))["status"] == "done"
    t = quantity(obs=[(D(2021, 10, 31), 100)])
    assert status_of(t, D(2021, 12, 31))["status"] == "on-track"  # on the due date: not yet overdue
    assert status_of(t, D(2022, 1, 1))["status"] == "overdue"
    assert status_of(t, D(2020, 12, 31))["status"] == "not-started"
    assert status_of(quantity(), D(2021, 6, 1))["status"] == "no-data"


def test_paused_and_cancelled_come_from_state() -> None:
    assert status_of(quantity(state="paused"), D(2021, 6, 1))["status"] == "paused"
    assert status_of(quantity(state="cancelled"), D(2021, 6, 1))["status"] == "cancelled"


def test_observations_after_as_of_are_ignored() -> None:
    t = quantity(obs=[(D(2021, 3, 31), 30), (D(2021, 10, 31), 89)])
    assert status_of(t, D(2021, 10, 30))["row"].current == 30
    assert status_of(t, D(2021, 10, 31))["row"].current == 89  # the day itself counts
    assert status_of(t, D(2021, 3, 30))["status"] == "no-data"


def test_stale_after_days() -> None:
    t = quantity(obs=[(D(2021, 1, 31), 10)])
    assert not status_of(t, D(2021, 1, 31) + timedelta(days=90))["row"].stale
    assert status_of(t, D(2021, 1, 31) + timedelta(days=91))["row"].stale


# -- maintain -------------------------------------------------------------------


def maintain(**kw) -> Target:  # type: ignore[no-untyped-def]
    obs = kw.pop("obs", ())
    return Target(id="m", title="m", kind="maintain", file="t.toml", unit="%",
                  observations=tuple(Observation(d, v) for d, v in obs), **kw)  # fmt: skip


def test_maintain_at_least_inclusive() -> None:
    at = D(2021, 10, 31)
    assert status_of(maintain(at_least=80, obs=[(at, 80)]), at)["status"] == "met"
    assert status_of(maintain(at_least=80, obs=[(at, 79.9)]), at)["status"] == "missed"
    assert status_of(maintain(at_least=80), at)["status"] == "no-data"


def test_maintain_at_most_inclusive() -> None:
    at = D(2021, 10, 31)
    assert status_of(maintain(at_most=5.5, obs=[(at, 5.5)]), at)["status"] == "met"
    assert status_of(maintain(at_most=5.5, obs=[(at, 5.6)]), at)["status"] == "missed"


def test_maintain_uses_latest_value_as_of() -> None:
    t = maintain(at_least=80, obs=[(D(2021, 1, 31), 70), (D(2021, 2, 28), 85)])
    assert status_of(t, D(2021, 2, 27))["status"] == "missed"
    assert status_of(t, D(2021, 2, 28))["status"] == "met"


# -- milestones -----------------------------------------------------------------


def road(**kw) -> Target:  # type: ignore[no-untyped-def]
    stages = (
        Stage("approval", 1, planned=D(2021, 3, 31), done=D(2021, 3, 15)),
        Stage("land", 1, planned=D(2021, 6, 30), done=D(2021, 8, 1)),
        Stage("construction start", 2, planned=D(2021, 9, 30)),
        Stage("through traffic", 4, planned=D(2021, 12, 31)),
    )
    return Target(id="road", title="road", kind="milestones", file="t.toml",
                  start=D(2021, 1, 1), due=D(2021, 12, 31), stages=stages, **kw)  # fmt: skip


def test_stage_weights() -> None:
    s = status_of(road(), D(2021, 7, 1))
    assert s["ratio"] == pytest.approx(1 / 8)  # approval only
    assert s["expected"] == pytest.approx(2 / 8)  # approval + land planned by then
    assert s["status"] == "at-risk"  # gap 0.125
    s = status_of(road(), D(2021, 8, 1))
    assert s["ratio"] == pytest.approx(2 / 8)
    assert s["row"].stages_done == 2


def test_milestones_without_planned_dates_are_linear() -> None:
    t = Target(id="p", title="p", kind="milestones", file="t.toml", start=D(2021, 1, 1), due=D(2021, 12, 31),
               stages=(Stage("a"), Stage("b")))  # fmt: skip
    assert status_of(t, D(2021, 7, 2))["expected"] == pytest.approx(182 / 364)


# -- rollups --------------------------------------------------------------------


def test_rollup_weighted_mean_with_clamping() -> None:
    parent = Target(id="p", title="p", kind="rollup", file="t.toml")
    over = quantity("over", target=100, obs=[(D(2021, 6, 1), 150)], parent="p", weight=1)  # ratio 1.5 -> 1
    under = quantity("under", target=100, obs=[(D(2021, 6, 1), 20)], parent="p", weight=3)  # 0.2
    ev = evaluate(ledger(parent, over, under), D(2021, 6, 1))
    row = ev.get("p")
    assert row is not None
    assert row.ratio == pytest.approx((1 * 1.0 + 3 * 0.2) / 4)  # 0.4, not (1.5 + 0.6) / 4


def test_nested_rollups_and_display_order() -> None:
    top = Target(id="top", title="top", kind="rollup", file="t.toml", area="A")
    mid = Target(id="mid", title="mid", kind="rollup", file="t.toml", parent="top")
    a = quantity("a", target=10, obs=[(D(2021, 6, 1), 10)], parent="mid")  # 1.0
    b = quantity("b", target=10, obs=[(D(2021, 6, 1), 0)], parent="mid")  # 0.0
    c = quantity("c", target=10, obs=[(D(2021, 6, 1), 5)], parent="top")  # 0.5
    ev = evaluate(ledger(a, b, c, top, mid), D(2021, 6, 1))
    # children follow file order: c is written before mid
    assert [(r.target.id, r.depth) for r in ev.rows] == [("top", 0), ("c", 1), ("mid", 1), ("a", 2), ("b", 2)]
    assert ev.get("mid").ratio == pytest.approx(0.5)  # type: ignore[union-attr]
    assert ev.get("top").ratio == pytest.approx(0.5)  # type: ignore[union-attr]
    assert ev.get("a").area == "A"  # type: ignore[union-attr]  # children show under their rollup's area
    assert ev.summary.completion == pytest.approx(0.5)


def test_rollup_skips_cancelled_and_counts_no_data_as_zero() -> None:
    p = Target(id="p", title="p", kind="rollup", file="t.toml")
    a = quantity("a", target=10, obs=[(D(2021, 6, 1), 10)], parent="p")
    b = quantity("b", target=10, parent="p")  # no data -> 0
    c = quantity("c", target=10, obs=[(D(2021, 6, 1), 0)], parent="p", state="cancelled")
    ev = evaluate(ledger(p, a, b, c), D(2021, 6, 1))
    assert ev.get("p").ratio == pytest.approx(0.5)  # type: ignore[union-attr]


def test_rollup_of_levels_is_met_or_missed() -> None:
    p = Target(id="p", title="p", kind="rollup", file="t.toml")
    a = maintain(at_least=80, obs=[(D(2021, 6, 1), 85)], parent="p")
    assert status_of(p, D(2021, 6, 1), a)["status"] == "met"


# -- projection -------------------------------------------------------------------


def test_projection_from_recent_trend() -> None:
    # 10 tasks a month from 2021-01-31: 50 by 2021-05-31 -> 100 about five months later.
    obs = [(D(2021, m, 28), 10 * m) for m in range(1, 6)]
    t = quantity(target=100, obs=obs)
    row = status_of(t, D(2021, 6, 1))["row"]
    projected = projected_completion(row)
    assert projected is not None and D(2021, 10, 15) <= projected <= D(2021, 10, 31)


def test_no_projection_when_flat() -> None:
    t = quantity(target=100, obs=[(D(2021, 2, 1), 10), (D(2021, 3, 1), 10)])
    assert projected_completion(status_of(t, D(2021, 4, 1))["row"]) is None


# -- properties -----------------------------------------------------------------


finite = st.floats(min_value=-1e6, max_value=1e6, allow_nan=False)


@given(baseline=finite, target=finite, share=st.floats(min_value=0, max_value=1))
def test_ratio_round_trips_through_value(baseline: float, target: float, share: float) -> None:
    if abs(target - baseline) < 1e-3:
        return
    t = quantity(baseline=baseline, target=target)
    value = baseline + share * (target - baseline)
    assert quantity_ratio(t, value) == pytest.approx(share, abs=1e-6)


@given(st.integers(0, 2000), st.integers(1, 2000))
def test_linear_share_is_clamped_and_monotonic(day: int, span: int) -> None:
    start = D(2020, 1, 1)
    end = start + timedelta(days=span)
    a = linear_share(start, end, start + timedelta(days=day))
    b = linear_share(start, end, start + timedelta(days=day + 1))
    assert 0.0 <= a <= b <= 1.0


@given(st.lists(st.tuples(st.floats(0, 300, allow_nan=False), st.floats(0.1, 5)), min_size=1, max_size=6))
def test_rollup_ratio_stays_within_zero_and_one(children: list[tuple[float, float]]) -> None:
    p = Target(id="p", title="p", kind="rollup", file="t.toml")
    kids = [quantity(f"c{i}", target=100, obs=[(D(2021, 6, 1), v)], parent="p", weight=w)
            for i, (v, w) in enumerate(children)]  # fmt: skip
    row = evaluate(ledger(p, *kids), D(2021, 6, 1)).get("p")
    assert row is not None and row.ratio is not None
    assert 0.0 <= row.ratio <= 1.0
