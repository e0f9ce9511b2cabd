"""Completion maths: where each target stands as of a date.

All functions are pure: they take the ledger and the as-of date and never
read the clock. Observations and stages dated after the as-of date are
ignored, so a past date reproduces what the ledger said then.

ratio    share of the way from baseline to target that is done (not clamped)
expected share that the plan says should be done by the as-of date (0..1)
gap      expected - ratio; the status follows from it (序时进度)
"""

from __future__ import annotations

import bisect
import itertools
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, timedelta

from target_tracker.dates import add_months
from target_tracker.i18n import N_
from target_tracker.ledger.model import (
    STATUSES,
    Ledger,
    Observation,
    ObservationColumns,
    Settings,
    Target,
    split_revisions,
)

_EPS = 1e-9


@dataclass(frozen=True, slots=True)
class TargetStatus:
    """One target evaluated as of a date.

    current: latest value (quantity, maintain) or stages done (milestones);
    updated: date of the latest figure or stage; latest: the observation the
    figure comes from; start/due: the target's, or for a rollup without its
    own, the span of its children; depth: nesting under rollups (0 = top).
    """

    target: Target
    as_of: date
    status: str
    ratio: float | None = None
    expected: float | None = None
    current: float | None = None
    updated: date | None = None
    latest: Observation | None = None
    stale: bool = False
    start: date | None = None
    due: date | None = None
    area: str = ""
    depth: int = 0
    stages_done: int = 0

    @property
    def gap(self) -> float | None:
        if self.ratio is None or self.expected is None:
            return None
        return self.expected - self.ratio


@dataclass(frozen=True, slots=True)
class Summary:
    targets: int
    completion: float | None
    by_status: dict[str, int] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Evaluation:
    """Every target's status as of one date, in display order."""

    ledger: Ledger
    as_of: date
    rows: list[TargetStatus]
    summary: Summary

    def get(self, target_id: str) -> TargetStatus | None:
        for row in self.rows:
            if row.target.id == target_id:
                return row
        return None


# -- the basic ratios ------------------------------------------------------


def count_upto(observations: Sequence[Observation], as_of: date) -> int:
    """How many of the (date-ordered) figures are dated on or before ``as_of``."""
    if isinstance(observations, ObservationColumns):
        return observations.count_upto(as_of)
    return bisect.bisect_right(observations, as_of, key=lambda o: o.date)


def latest_observation(t: Target, as_of: date) -> Observation | None:
    """The newest observation dated on or before ``as_of``."""
    i = count_upto(t.observations, as_of)
    return t.observations[i - 1] if i else None


def quantity_ratio(t: Target, value: float) -> float:
    """(value - baseline) / (target - baseline); works for decreasing targets."""
    assert t.target is not None
    span = t.target - t.baseline
    return (value - t.baseline) / span if span else 0.0


def maintain_met(t: Target, value: float) -> bool:
    """Bounds are inclusive: 80 meets at_least 80."""
    if t.at_least is not None and value < t.at_least:
        return False
    return not (t.at_most is not None and value > t.at_most)


def stages_ratio(t: Target, as_of: date) -> tuple[float, int, date | None]:
    """Weight of stages done by ``as_of`` / total weight; count; last done date."""
    total = sum(s.weight for s in t.stages)
    done = [s for s in t.stages if s.done is not None and s.done <= as_of]
    last = max((s.done for s in done if s.done), default=None)
    ratio = sum(s.weight for s in done) / total if total else 0.0
    return ratio, len(done), last


def linear_share(start: date, end: date, as_of: date) -> float:
    """Share of the days from start to end gone by ``as_of``, clamped to [0, 1]."""
    days = (end - start).days
    if days <= 0:
        return 1.0 if as_of >= end else 0.0
    return min(1.0, max(0.0, (as_of - start).days / days))


def interpolate(points: list[tuple[date, float]], as_of: date) -> float:
    """Piecewise-linear value at ``as_of`` through dated points (sorted)."""
    if as_of <= points[0][0]:
        return points[0][1]
    for (d0, v0), (d1, v1) in itertools.pairwise(points):
        if as_of <= d1:
            return v0 + (v1 - v0) * linear_share(d0, d1, as_of)
    return points[-1][1]


def expected_share(t: Target, as_of: date) -> float | None:
    """The planned share done by ``as_of``: waypoints, planned stages or linear."""
    if t.start is None or t.due is None:
        return None
    if t.trajectory:
        points = [(t.start, 0.0)]
        for w in t.trajectory:
            share = w.share if w.share is not None else quantity_ratio(t, w.value or 0.0)
            points.append((w.date, share))
        points.append((t.due, 1.0))
        points.sort(key=lambda p: p[0])
        return min(1.0, max(0.0, interpolate(points, as_of)))
    if t.kind == "milestones" and t.stages and all(s.planned for s in t.stages):
        total = sum(s.weight for s in t.stages)
        planned = sum(s.weight for s in t.stages if s.planned and s.planned <= as_of)
        return planned / total if total else 0.0
    return linear_share(t.start, t.due, as_of)


def classify(
    t: Target,
    ratio: float | None,
    expected: float | None,
    as_of: date,
    settings: Settings,
    start: date | None = None,
    due: date | None = None,
) -> str:
    """The status word for a quantity, milestones or rollup target.

    Before its start a target is ``not-started`` only while nothing is done
    (a stage done early shows as progress, never beside "not-started"). Past
    its due date a target that is not done is ``overdue``, with or without a
    figure: ``no-data`` is only for targets still running.
    """
    start = start or t.start
    due = due or t.due
    if t.state != "active":
        return t.state
    if start and as_of < start and (ratio is None or ratio <= _EPS):
        return "not-started"
    if ratio is not None and ratio >= 1 - _EPS:
        return "done"
    if due and as_of > due:
        return "overdue"
    if ratio is None:
        return "no-data"
    gap = round((expected or 0.0) - ratio, 9)  # 0.55 vs 0.6 must be exactly 0.05
    if gap <= settings.on_track_gap:
        return "on-track"
    if gap <= settings.at_risk_gap:
        return "at-risk"
    return "behind"


# -- one target ------------------------------------------------------------


def evaluate_leaf(t: Target, as_of: date, settings: Settings, depth: int = 0, area: str | None = None) -> TargetStatus:
    """Status of a quantity, maintain or milestones target."""
    base = dict(target=t, as_of=as_of, start=t.start, due=t.due, area=t.area if area is None else area, depth=depth)
    if t.kind == "milestones":
        ratio, n_done, last = stages_ratio(t, as_of)
        expected = expected_share(t, as_of)
        status = classify(t, ratio, expected, as_of, settings)
        return TargetStatus(
            status=status, ratio=ratio, expected=expected, current=float(n_done),
            updated=last, stages_done=n_done, **base,  # type: ignore[arg-type]
        )  # fmt: skip
    obs = latest_observation(t, as_of)
    stale = bool(obs is not None and (as_of - obs.date).days > settings.stale_after_days and t.state == "active")
    if t.kind == "maintain":
        if t.state != "active":
            status = t.state
        elif t.start and as_of < t.start:
            status = "not-started"
        elif obs is None:
            status = "no-data"
        else:
            status = "met" if maintain_met(t, obs.value) else "missed"
        level = None if obs is None else (1.0 if maintain_met(t, obs.value) else 0.0)
        return TargetStatus(
            status=status, ratio=level, expected=None, current=None if obs is None else obs.value,
            updated=obs.date if obs else None, latest=obs, stale=stale and status in ("met", "missed"),
            **base,  # type: ignore[arg-type]
        )  # fmt: skip
    share = None if obs is None else quantity_ratio(t, obs.value)
    expected = expected_share(t, as_of)
    status = classify(t, share, expected, as_of, settings)
    return TargetStatus(
        status=status, ratio=share, expected=expected, current=None if obs is None else obs.value,
        updated=obs.date if obs else None, latest=obs,
        stale=stale and status not in ("done", "not-started"), **base,  # type: ignore[arg-type]
    )  # fmt: skip


@dataclass(frozen=True, slots=True)
class RollupPart:
    """What one child adds to its rollup: ``done`` and ``expected`` as counted
    (clamped to [0, 1]) with the child's weight, or ``counted`` False with the
    reason it is left out (docs/ledger-format.md, "rollup")."""

    row: TargetStatus
    weight: float
    done: float = 0.0
    expected: float = 0.0
    counted: bool = True
    reason: str = ""


def rollup_part(c: TargetStatus) -> RollupPart:
    """The rule for one child: cancelled, a maintain target without a figure
    and a rollup with nothing to count are left out; a maintain target counts
    1 when met, 0 when missed, and expects 1; any other child counts its
    clamped ratio (0 without a figure) against its expected share (0 before
    its start)."""
    t = c.target
    w = t.weight
    if t.state == "cancelled":
        return RollupPart(c, w, counted=False, reason=N_("cancelled"))
    if t.kind == "maintain":
        if c.ratio is None:
            return RollupPart(c, w, counted=False, reason=N_("no figure"))
        return RollupPart(c, w, done=_clamp(c.ratio), expected=1.0)
    if t.kind == "rollup" and c.ratio is None and c.expected is None:
        return RollupPart(c, w, counted=False, reason=N_("nothing to count"))
    return RollupPart(c, w, done=_clamp(c.ratio or 0.0), expected=_clamp(c.expected or 0.0))


def weighted(parts: Iterable[RollupPart]) -> tuple[float | None, float | None, float]:
    """(done, expected, total weight) of the counted parts; None when none count."""
    counted = [p for p in parts if p.counted]
    total = sum(p.weight for p in counted)
    if not counted or total <= 0:
        return None, None, 0.0
    done = sum(p.weight * p.done for p in counted) / total
    expected = sum(p.weight * p.expected for p in counted) / total
    return done, expected, total


def evaluate_rollup(
    t: Target,
    children: list[TargetStatus],
    as_of: date,
    settings: Settings,
    depth: int = 0,
    area: str | None = None,
) -> TargetStatus:
    """Weighted mean of the children's counted parts (see :func:`rollup_part`).

    Its expected share is the children's weighted mean, unless the rollup has
    its own start, due and trajectory: then the trajectory wins. A rollup with
    nothing to count is ``no-data``.
    """
    parts = [rollup_part(c) for c in children]
    counted = [p.row for p in parts if p.counted]
    start = t.start or min((c.start for c in counted if c.start), default=None)
    due = t.due or max((c.due for c in counted if c.due), default=None)
    ratio, expected, _ = weighted(parts)
    if counted and all(c.ratio is None for c in counted):
        ratio = None  # no child has a figure yet: no-data, not "behind at 0%"
    if ratio is not None and t.start and t.due and t.trajectory:
        expected = expected_share(t, as_of)
    if t.state != "active":
        status = t.state
    elif ratio is None:
        status = "no-data"
    elif all(c.target.kind == "maintain" for c in counted):
        # a rollup of levels to keep is met or missed, never "done"
        status = "met" if ratio >= 1 - _EPS else "missed"
    else:
        status = classify(t, ratio, expected, as_of, settings, start, due)
    updated = max((c.updated for c in counted if c.updated), default=None)
    return TargetStatus(
        target=t, as_of=as_of, status=status, ratio=ratio, expected=expected,
        updated=updated, start=start, due=due, area=t.area if area is None else area, depth=depth,
    )  # fmt: skip


def _clamp(x: float) -> float:
    return min(1.0, max(0.0, x))


# -- the whole ledger --------------------------------------------------------


def children_of(ledger: Ledger) -> dict[str, list[Target]]:
    kids: dict[str, list[Target]] = {}
    for t in ledger.targets.values():
        if t.parent and t.parent in ledger.targets:
            kids.setdefault(t.parent, []).append(t)
    return kids


Layout = list[tuple[Target, int, str]]


def layout(ledger: Ledger) -> Layout:
    """Display order, which does not depend on the date: grouped by area (in
    order of first appearance), rollups above their children in file order.
    Each entry is (target, depth under rollups, area); a child without an
    area shows under its rollup's."""
    kids = children_of(ledger)
    roots = [t for t in ledger.targets.values() if not t.parent or t.parent not in ledger.targets]
    areas: dict[str, list[Target]] = {}
    for t in roots:
        areas.setdefault(t.area, []).append(t)
    out: Layout = []
    seen: set[str] = set()

    def walk(t: Target, depth: int, area: str) -> None:
        if t.id in seen:
            return
        seen.add(t.id)
        here = t.area or area
        out.append((t, depth, here))
        for c in kids.get(t.id, []):
            walk(c, depth + 1, here)

    for area_roots in areas.values():
        for t in area_roots:
            walk(t, 0, t.area)
    return out


def evaluate(ledger: Ledger, as_of: date, placed: Layout | None = None) -> Evaluation:
    """Evaluate every target; rows come in :func:`layout` order. Pass the
    layout when evaluating the same ledger at many dates."""
    kids = children_of(ledger)
    settings = ledger.settings
    placed = layout(ledger) if placed is None else placed
    where = {t.id: (depth, area) for t, depth, area in placed}
    done: dict[str, TargetStatus] = {}

    def visit(t: Target, active: set[str]) -> TargetStatus:
        row = done.get(t.id)
        if row is not None:
            return row
        depth, area = where.get(t.id, (0, t.area))
        if t.kind == "rollup":
            active = active | {t.id}
            child_rows = [visit(c, active) for c in kids.get(t.id, []) if c.id not in active]
            row = evaluate_rollup(t, child_rows, as_of, settings, depth, area)
        else:
            row = evaluate_leaf(t, as_of, settings, depth, area)
        done[t.id] = row
        return row

    rows = [visit(t, set()) for t, _, _ in placed]
    return Evaluation(ledger, as_of, rows, summarize(rows))


def completion(rows: Iterable[TargetStatus]) -> float | None:
    """Overall completion: the top-level targets among ``rows`` (those whose
    parent is not among them) weighed exactly as a rollup weighs its children
    (:func:`rollup_part`), so cancelled targets and maintain targets without
    a figure are left out."""
    rows = list(rows)
    ids = {r.target.id for r in rows}
    top = [r for r in rows if r.target.parent not in ids]
    return weighted(rollup_part(r) for r in top)[0]


def summarize(rows: list[TargetStatus]) -> Summary:
    counts = {s: 0 for s in STATUSES}
    for r in rows:
        counts[r.status] = counts.get(r.status, 0) + 1
    return Summary(
        targets=len(rows),
        completion=completion(rows),
        by_status={s: n for s, n in counts.items() if n},
    )


# -- projection --------------------------------------------------------------


def projected_completion(row: TargetStatus) -> date | None:
    """When the recent trend reaches the target, or None if it never does.

    Quantity: least-squares line through the last six figures (with the
    baseline at start when there is only one). Others: the average pace
    since start. Maintain targets have no completion date. For a target not
    done, a projection is always after the as-of date: a trend that "would
    have finished" before it is contradicted by the figures, so there is none
    (see :func:`projection_outcome`).
    """
    projected = _trend_completion(row)
    if projected is not None and row.status != "done" and (row.ratio or 0.0) < 1 - _EPS and projected <= row.as_of:
        return None
    return projected


def projection_outcome(row: TargetStatus) -> str:
    """Why the projection is what it is: ``done``, ``projected``, ``level``
    (maintain), ``no-trend`` (no progress to extend) or ``trend-passed`` (the
    trend would have finished by the as-of date, yet no figure shows it)."""
    if row.target.kind == "maintain":
        return "level"
    if row.ratio is not None and row.ratio >= 1 - _EPS:
        return "done"
    if projected_completion(row) is not None:
        return "projected"
    return "trend-passed" if _trend_completion(row) is not None else "no-trend"


def _trend_completion(row: TargetStatus) -> date | None:
    t = row.target
    if row.ratio is None or t.kind == "maintain":
        return None
    if row.ratio >= 1 - _EPS:
        return row.updated
    if t.kind == "quantity":
        obs = t.observations[: count_upto(t.observations, row.as_of)]
        points = [(o.date, quantity_ratio(t, o.value)) for o in obs[-6:]]
        if len(points) == 1 and t.start and t.start < points[0][0]:
            points.insert(0, (t.start, 0.0))
        if len(points) < 2:
            return None
        x0 = points[0][0]
        xs = [(d - x0).days for d, _ in points]
        ys = [r for _, r in points]
        n = len(xs)
        mx, my = sum(xs) / n, sum(ys) / n
        sxx = sum((x - mx) ** 2 for x in xs)
        if sxx == 0:
            return None
        slope = sum((x - mx) * (y - my) for x, y in zip(xs, ys, strict=True)) / sxx
        if slope <= 0:
            return None
        days_left = (1.0 - ys[-1]) / slope
        return _add_days(points[-1][0], days_left)
    start = row.start
    if start is None or row.ratio <= 0 or row.as_of <= start:
        return None
    pace = row.ratio / (row.as_of - start).days
    return _add_days(start, 1.0 / pace)


def _add_days(d: date, days: float) -> date | None:
    try:
        return d + timedelta(days=round(days))
    except OverflowError:
        return None


# -- first reported vs revised ---------------------------------------------------


def as_reported(ledger: Ledger, day: date) -> Ledger:
    """The ledger as it was known on ``day``: only targets added and figures
    (and stage completions) recorded on or before it. Evaluate it as of
    ``day`` (or an earlier date) to get exactly what a report issued on
    ``day`` showed."""
    targets = {t.id: _known_on(t, day) for t in ledger.targets.values() if t.added is None or t.added <= day}
    return replace(ledger, targets=targets)


def _known_on(t: Target, day: date) -> Target:
    obs = t.observations
    later = obs.recorded_after(day) if isinstance(obs, ObservationColumns) else any(
        o.recorded is not None and o.recorded > day for o in obs
    )  # fmt: skip
    later = later or any(o.recorded is not None and o.recorded > day for o in t.superseded)
    stages_later = any(st.done and st.recorded and st.recorded > day for st in t.stages)
    if not later and not stages_later:
        return t  # the common case: nothing entered after the day
    changes: dict[str, object] = {}
    if later:
        known = sorted((o for o in (*obs, *t.superseded) if o.recorded is None or o.recorded <= day),
                       key=lambda o: o.date)  # fmt: skip
        changes["observations"], changes["superseded"] = split_revisions(tuple(known))
    if stages_later:
        changes["stages"] = tuple(
            replace(st, done=None) if st.done and st.recorded and st.recorded > day else st for st in t.stages
        )
    return replace(t, **changes)  # type: ignore[arg-type]


@dataclass(frozen=True, slots=True)
class Revision:
    """A figure entered after an earlier report: ``old`` is the entry it
    replaces for the same date (None: the date's first report, entered late)."""

    target: Target
    date: date
    new: Observation
    old: Observation | None = None

    @property
    def change(self) -> float | None:
        return None if self.old is None else self.new.value - self.old.value


def _entries_by_date(t: Target) -> dict[date, list[Observation]]:
    """Every entry of the revised dates, oldest first."""
    dates = {o.date for o in t.superseded}
    out: dict[date, list[Observation]] = {}
    for o in sorted((o for o in (*t.superseded, *t.observations) if o.date in dates),
                    key=lambda o: (o.date, o.entered, o.position)):  # fmt: skip
        out.setdefault(o.date, []).append(o)
    return out


def revisions(t: Target) -> list[Revision]:
    """Each revision of each figure, in date order: first reported, revised on, by how much."""
    out = []
    for day, entries in _entries_by_date(t).items():
        out += [Revision(t, day, new, old) for old, new in itertools.pairwise(entries)]
    return out


def entered_between(ledger: Ledger, after: date, until: date | None, dated_by: date) -> list[Revision]:
    """Figures entered after ``after`` (and by ``until``, if given) for a date
    on or before ``dated_by``: late first reports (``old`` None) and revisions,
    with the value each replaced."""
    out = []
    for t in ledger.targets.values():
        if not _has_recorded(t):
            continue
        revised = _entries_by_date(t)
        for o in (*t.observations, *t.superseded):
            if o.date > dated_by or o.entered <= after or (until is not None and o.entered > until):
                continue
            entries = revised.get(o.date, [o])
            i = entries.index(o)
            out.append(Revision(t, o.date, o, entries[i - 1] if i else None))
    out.sort(key=lambda r: (r.new.entered, r.target.id, r.date))
    return out


def _has_recorded(t: Target) -> bool:
    obs = t.observations
    if isinstance(obs, ObservationColumns):
        return obs.recorded_after(date.min) or bool(t.superseded)
    return bool(t.superseded) or any(o.recorded is not None for o in obs)


def report_issued(ledger: Ledger, month: str, month_end: date) -> date:
    """When the report for ``month`` (YYYY-MM, ending ``month_end``) was
    issued: as recorded in ``[reports.published]``, else the month's end plus
    ``report_grace_days``."""
    recorded = ledger.published.get(month)
    return recorded if recorded is not None else month_end + timedelta(days=ledger.settings.report_grace_days)


# -- plausibility of a new figure -------------------------------------------------------


def implausible(t: Target, day: date, value: float) -> list[str]:
    """Reasons a new figure for ``t`` looks like a mistake (printed as
    warnings, never refused): more than twice the target; a cumulative count
    (an increasing quantity target) that falls; more than 12 months older
    than the latest figure. Codes, worded by the caller."""
    out = []
    others = [o for o in t.observations if o.date != day]  # works before or after the figure is written
    counts_up = t.kind == "quantity" and t.target is not None and t.target >= t.baseline
    if counts_up and t.target is not None and t.target > 0 and value > 2 * t.target:
        out.append("twice-target")
    if counts_up:
        before = [o for o in others if o.date < day]
        after = [o for o in others if o.date > day]
        if (before and value < before[-1].value) or (after and after[0].value < value):
            out.append("falls")
    if others and day < add_months(others[-1].date, -12):
        out.append("old")
    return out
