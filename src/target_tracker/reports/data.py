"""The monthly progress report: pure functions of (ledger, month).

The report is evaluated as of the month's last day and compared with the
previous month's last day. :func:`build_report` gathers the data;
:func:`report_sections` lays it out as titled blocks of text and
:class:`~target_tracker.render.Table` s that every format renders the same way.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from target_tracker.compute import (
    Evaluation,
    TargetStatus,
    children_of,
    completion,
    evaluate,
    expected_share,
    layout,
    projected_completion,
    quantity_ratio,
    stages_ratio,
)
from target_tracker.dates import add_months, month_end, parse_month, previous_month_end
from target_tracker.i18n import N_, _, ngettext
from target_tracker.ledger.model import STATUSES, Ledger, Target
from target_tracker.output.labels import direction_label, status_label
from target_tracker.output.render import Column, Table
from target_tracker.output.views import STATUS_COLUMNS, fmt_date, fmt_num, fmt_pct, source_of, status_row

#: How good a status is, for "improved" / "worsened".
RANK = {"done": 6, "met": 5, "on-track": 5, "at-risk": 3, "behind": 2, "overdue": 1, "missed": 1}
ATTENTION = ("behind", "overdue", "missed")
COMING_UP_MONTHS = 3


@dataclass(frozen=True)
class StatusChange:
    row: TargetStatus
    before: str
    direction: str  # improved, worsened, changed


@dataclass(frozen=True)
class Update:
    """A figure or a stage dated in the month, with what it changed."""

    date: date
    target: Target
    what: str
    change: float | None
    note: str
    source: str


@dataclass(frozen=True)
class Attention:
    row: TargetStatus
    projected: date | None


@dataclass(frozen=True)
class Upcoming:
    date: date
    target: Target
    what: str
    status: str


@dataclass(frozen=True)
class MonthlyReport:
    """Everything the monthly report says, for one month."""

    ledger: Ledger
    month: str
    as_of: date
    previous: date
    generated: date
    rows: list[TargetStatus]
    before: dict[str, TargetStatus]
    completion_now: float | None
    completion_before: float | None
    counts_now: dict[str, int]
    counts_before: dict[str, int]
    completed: list[TargetStatus]
    changes: list[StatusChange]
    updates: list[Update]
    areas: list[tuple[str, list[TargetStatus], float | None]]
    attention: list[Attention]
    stale: list[TargetStatus]
    coming_up: list[Upcoming]
    history: list[tuple[date, float | None]]
    sources: list[str]
    trajectories: dict[str, tuple[list[tuple[date, float]], list[tuple[date, float]]]] = field(default_factory=dict)

    @property
    def month_name(self) -> str:
        return self.as_of.strftime("%B %Y")


def _filter(ev: Evaluation, areas: list[str] | None) -> list[TargetStatus]:
    if not areas:
        return ev.rows
    wanted = {a.casefold() for a in areas}
    return [r for r in ev.rows if r.area.casefold() in wanted]


def _counts(rows: list[TargetStatus]) -> dict[str, int]:
    counts = {s: 0 for s in STATUSES}
    for r in rows:
        counts[r.status] += 1
    return counts


def _direction(before: str, after: str) -> str:
    a, b = RANK.get(before), RANK.get(after)
    if a is None or b is None or a == b:
        return "changed"
    return "improved" if b > a else "worsened"


def month_updates(ledger: Ledger, rows: list[TargetStatus], first: date, last: date) -> list[Update]:
    """Every observation and stage dated in [first, last], with its change and
    its source (the figure's own, else the target's)."""
    out: list[Update] = []
    for r in rows:
        t = r.target
        unit = f" {t.unit}" if t.unit else ""
        prev: float | None = None
        for o in t.observations:
            if first <= o.date <= last:
                change = None if prev is None else o.value - prev
                text = (
                    f"{fmt_num(prev)} -> {fmt_num(o.value)}{unit}" if prev is not None else f"{fmt_num(o.value)}{unit}"
                )
                out.append(Update(o.date, t, text, change, o.note or "", o.source or _cite(ledger, t)))
            if o.date > last:
                break
            prev = o.value
        for i, s in enumerate(t.stages, start=1):
            if s.done and first <= s.done <= last:
                out.append(Update(s.done, t, _("stage {n} '{name}' done").format(n=i, name=s.name), None, s.note or "",
                                  s.source or _cite(ledger, t)))  # fmt: skip
    out.sort(key=lambda u: (u.date, u.target.id))
    return out


def _cite(ledger: Ledger, t: Target) -> str:
    src = source_of(t, ledger)
    return src.cite() if src else ""


def upcoming(rows: list[TargetStatus], after: date, until: date) -> list[Upcoming]:
    out = []
    for r in rows:
        t = r.target
        if r.status in ("done", "cancelled"):
            continue
        if r.due and after < r.due <= until:
            out.append(Upcoming(r.due, t, _("due"), r.status))
        for i, s in enumerate(t.stages, start=1):
            if s.planned and after < s.planned <= until and not (s.done and s.done <= after):
                out.append(Upcoming(s.planned, t, _("stage {n} '{name}' planned").format(n=i, name=s.name), r.status))
    out.sort(key=lambda u: (u.date, u.target.id))
    return out


def completion_history(ledger: Ledger, as_of: date, areas: list[str] | None) -> list[tuple[date, float | None]]:
    """Overall completion at each month end since the ledger's earliest start."""
    starts = [t.start for t in ledger.targets.values() if t.start]
    if not starts:
        return []
    first = min(starts)
    placed = layout(ledger)  # the same for every month
    out = []
    d = month_end(first.year, first.month)
    while d <= as_of:
        out.append((d, completion(_filter(evaluate(ledger, d, placed), areas))))
        d = month_end(*_next_month(d))
    if not out or out[-1][0] != as_of:
        out.append((as_of, completion(_filter(evaluate(ledger, as_of, placed), areas))))
    return out


def _next_month(d: date) -> tuple[int, int]:
    return (d.year + 1, 1) if d.month == 12 else (d.year, d.month + 1)


def trajectory(row: TargetStatus) -> tuple[list[tuple[date, float]], list[tuple[date, float]]]:
    """Actual and planned share done over time, for a chart."""
    t = row.target
    actual: list[tuple[date, float]] = []
    if t.kind == "quantity":
        if t.start:
            actual.append((t.start, 0.0))
        actual += [(o.date, quantity_ratio(t, o.value)) for o in t.observations if o.date <= row.as_of]
    elif t.kind == "milestones":
        days = sorted({s.done for s in t.stages if s.done and s.done <= row.as_of})
        if t.start:
            actual.append((t.start, 0.0))
        actual += [(d, stages_ratio(t, d)[0]) for d in days]
        actual.append((row.as_of, row.ratio or 0.0))
    planned: list[tuple[date, float]] = []
    if row.start and row.due and t.kind != "rollup":
        d = row.start
        while d < row.due:
            share = expected_share(t, d)
            if share is not None:
                planned.append((d, share))
            d = add_months(d, 1)
        planned.append((row.due, 1.0))
    return actual, planned


def cited_sources(ledger: Ledger, rows: list[TargetStatus]) -> list[str]:
    seen: dict[str, None] = {}
    if ledger.source:
        seen[ledger.source.cite()] = None
    for r in rows:
        src = source_of(r.target, ledger)
        if src and src.document:
            doc = f"{src.document}" + (f" ({src.date.isoformat()})" if src.date else "")
            seen.setdefault(doc, None)
        for o in r.target.observations:
            if o.source and o.date <= r.as_of:
                seen.setdefault(o.source, None)
    return list(seen)


def build_report(ledger: Ledger, month: str, generated: date, areas: list[str] | None = None) -> MonthlyReport:
    """The report for ``month`` (YYYY-MM), as of its last day."""
    first, as_of = parse_month(month)
    previous = previous_month_end(first)
    now_ev = evaluate(ledger, as_of)
    before_ev = evaluate(ledger, previous)
    rows = _filter(now_ev, areas)
    before_rows = _filter(before_ev, areas)
    before = {r.target.id: r for r in before_rows}
    changes = [
        StatusChange(r, before[r.target.id].status, _direction(before[r.target.id].status, r.status))
        for r in rows
        if r.target.id in before and before[r.target.id].status != r.status
    ]
    completed = [c.row for c in changes if c.row.status == "done"]
    areas_out: dict[str, list[TargetStatus]] = {}
    for r in rows:
        areas_out.setdefault(r.area or _("(no area)"), []).append(r)
    attention = [Attention(r, projected_completion(r)) for r in rows if r.status in ATTENTION]
    attention.sort(key=lambda a: -(a.row.gap or 0.0))
    return MonthlyReport(
        ledger=ledger,
        month=month,
        as_of=as_of,
        previous=previous,
        generated=generated,
        rows=rows,
        before=before,
        completion_now=completion(rows),
        completion_before=completion(before_rows),
        counts_now=_counts(rows),
        counts_before=_counts(before_rows),
        completed=completed,
        changes=changes,
        updates=month_updates(ledger, rows, first, as_of),
        areas=[(a, rs, completion(rs)) for a, rs in areas_out.items()],
        attention=attention,
        stale=[r for r in rows if r.stale],
        coming_up=upcoming(rows, as_of, month_end(*_ym(add_months(first, COMING_UP_MONTHS)))),
        history=completion_history(ledger, as_of, areas),
        sources=cited_sources(ledger, rows),
        trajectories={a.row.target.id: trajectory(a.row) for a in attention if a.row.target.kind != "rollup"},
    )


def _ym(d: date) -> tuple[int, int]:
    return d.year, d.month


def pp(now: float | None, before: float | None) -> str:
    """Change in percentage points: '+3.2 pp'."""
    if now is None or before is None:
        return "–"
    return _("{change} pp").format(change=f"{(now - before) * 100:+.1f}")


# -- layout: titled blocks that every format renders --------------------------------


@dataclass
class Block:
    """A report section: a title, paragraphs, and tables (with optional sub-titles)."""

    key: str
    title: str
    paragraphs: list[str] = field(default_factory=list)
    tables: list[Table] = field(default_factory=list)
    chart: str | None = None  # name of a chart to show here (HTML)


METHOD = N_(
    "Each target's ratio is the share of the way from its baseline to its target reached by its latest figure "
    "on or before the report date (for milestones, the weight of the stages done; for rollups, the weighted "
    "mean of their children's ratios, each clamped to 0-100%). The expected share is the share the plan says "
    "should be done by then: linear from start to due, or through the planners' interim targets, or by the "
    "stages' planned dates. Status compares the two (序时进度): on-track when the gap is at most {on:.0%}, "
    "at-risk up to {risk:.0%}, behind beyond; overdue when past due and not done; maintain targets are met or "
    "missed against their bound (inclusive). A target is stale when its latest figure is more than {stale} days "
    "old. Figures dated after the report date are not used. Overall completion is the weighted mean of the "
    "top-level targets' clamped ratios."
)


def report_sections(rep: MonthlyReport) -> list[Block]:
    s = rep.ledger.settings
    blocks = []

    counts = Table(
        [Column("status", N_("status"), colored=True, text=status_label), Column("now", N_("now"), "right"),
         Column("before", N_("last month"), "right"), Column("change", N_("change"), "right")],
        [(None, [{"status": k, "now": rep.counts_now[k], "before": rep.counts_before[k],
                  "change": f"{rep.counts_now[k] - rep.counts_before[k]:+d}"}
                 for k in STATUSES if rep.counts_now[k] or rep.counts_before[k]])],
    )  # fmt: skip
    head = [
        ngettext(
            "Overall completion {completion} on {as_of}, {change} since {previous} ({completion_before}); {n} targets.",
            "Overall completion {completion} on {as_of}, {change} since {previous} ({completion_before}); {n} targets.",
            len(rep.rows),
        ).format(
            completion=fmt_pct(rep.completion_now), as_of=rep.as_of.isoformat(),
            change=pp(rep.completion_now, rep.completion_before), previous=rep.previous.isoformat(),
            completion_before=fmt_pct(rep.completion_before), n=len(rep.rows),
        ),
    ]  # fmt: skip
    if rep.completed:
        head.append(
            _("Completed this month: {targets}.").format(
                targets=_(", ").join(
                    _("{title} ({id})").format(title=r.target.title, id=r.target.id) for r in rep.completed
                )
            )
        )
    else:
        head.append(_("No target was completed this month."))
    blocks.append(Block("headline", _("1. Headline"), head, [counts], chart="completion"))

    change_rows = [{"id": c.row.target.id, "title": c.row.target.title, "before": c.before, "now": c.row.status,
                    "direction": c.direction} for c in rep.changes]  # fmt: skip
    blocks.append(Block("changes", _("2. Status changes"),
                        [] if change_rows else [_("No status changed this month.")],
                        [Table([Column("id", N_("id")), Column("title", N_("title")),
                                Column("before", N_("last month"), text=status_label),
                                Column("now", N_("now"), colored=True, text=status_label),
                                Column("direction", "", text=direction_label)],
                               [(None, change_rows)])] if change_rows else []))  # fmt: skip

    update_rows = [{"date": u.date, "id": u.target.id, "title": u.target.title, "update": u.what,
                    "change": u.change, "note": u.note, "source": u.source} for u in rep.updates]  # fmt: skip
    blocks.append(Block("updates", _("3. This month's updates"),
                        [] if update_rows else [_("No figure or stage is dated in this month.")],
                        [Table([Column("date", N_("date"), text=fmt_date), Column("id", N_("id")),
                                Column("update", N_("update")),
                                Column("change", N_("change"), "right",
                                       text=lambda v: "" if v is None else f"{v:+,.4g}"),
                                Column("note", N_("note")), Column("source", N_("source"))],
                               [(None, update_rows)])] if update_rows else []))  # fmt: skip

    area_tables = []
    kids = children_of(rep.ledger)  # once: counting per row would be quadratic
    for area, rows, comp in rep.areas:
        records = [status_row(r, len(kids.get(r.target.id, ()))) for r in rows]
        title = _("{area}: completion {completion}").format(area=area, completion=fmt_pct(comp))
        area_tables.append(Table(STATUS_COLUMNS, [(None, records)], title=title))
    blocks.append(Block("areas", _("4. By area"), [], area_tables))

    att_rows = [{"id": a.row.target.id, "title": a.row.target.title, "status": a.row.status,
                 "ratio": a.row.ratio, "expected": a.row.expected, "gap": a.row.gap,
                 "projected": a.projected, "due": a.row.due,
                 "verdict": _verdict(a)} for a in rep.attention]  # fmt: skip
    paragraphs = [] if att_rows else [_("No target is behind, overdue or missed.")]
    stale_rows = [{"id": r.target.id, "title": r.target.title, "updated": r.updated,
                   "days": (rep.as_of - r.updated).days if r.updated else None} for r in rep.stale]  # fmt: skip
    tables = []
    if att_rows:
        tables.append(Table([Column("id", N_("id")), Column("title", N_("title")),
                             Column("status", N_("status"), colored=True, text=status_label),
                             Column("ratio", N_("done"), "right", text=fmt_pct),
                             Column("expected", N_("expected"), "right", text=fmt_pct),
                             Column("gap", N_("gap"), "right", text=_gap_text),
                             Column("projected", N_("projected completion"), text=fmt_date),
                             Column("due", N_("due"), text=fmt_date), Column("verdict", "")],
                            [(None, att_rows)]))  # fmt: skip
    if stale_rows:
        stale_cols = [Column("id", N_("id")), Column("title", N_("title")),
                      Column("updated", N_("last figure"), text=fmt_date),
                      Column("days", N_("days old"), "right")]  # fmt: skip
        stale_title = _("Stale: no figure for more than {days} days").format(days=s.stale_after_days)
        tables.append(Table(stale_cols, [(None, stale_rows)], title=stale_title))
    blocks.append(Block("attention", _("5. Needs attention"), paragraphs, tables, chart="trajectories"))

    until = month_end(*_ym(add_months(rep.as_of.replace(day=1), COMING_UP_MONTHS)))
    up_rows = [{"date": u.date, "id": u.target.id, "title": u.target.title, "what": u.what, "status": u.status}
               for u in rep.coming_up]  # fmt: skip
    blocks.append(Block("coming_up", _("6. Coming up (to {date})").format(date=until.isoformat()),
                        [] if up_rows else [_("Nothing is due or planned in the next three months.")],
                        [Table([Column("date", N_("date"), text=fmt_date), Column("id", N_("id")),
                                Column("title", N_("title")), Column("what", N_("what")),
                                Column("status", N_("status now"), colored=True, text=status_label)],
                               [(None, up_rows)])] if up_rows else []))  # fmt: skip

    method = _(METHOD).format(on=s.on_track_gap, risk=s.at_risk_gap, stale=s.stale_after_days)
    blocks.append(
        Block("method", _("7. Method and sources"), [method, _("Documents cited:")] + [f"- {x}" for x in rep.sources])
    )
    return blocks


def _gap_text(v: float | None) -> str:
    return "–" if v is None else _("{change} pp").format(change=f"{v * 100:.1f}")


def _verdict(a: Attention) -> str:

    due = a.row.due
    if a.row.target.kind == "maintain":
        return _("below its bound") if a.row.status == "missed" else ""
    if a.projected is None:
        return _("no progress in the recent trend")
    if due is None:
        return ""
    days = (a.projected - due).days
    return (
        ngettext("{n} days late at this pace", "{n} days late at this pace", days).format(n=days)
        if days > 0
        else _("on time at this pace")
    )


def report_data(rep: MonthlyReport) -> dict[str, Any]:
    """The report as JSON-able data (the same content as the other formats)."""
    from target_tracker.output.views import target_json

    def d(x: date | None) -> str | None:
        return x.isoformat() if x else None

    ledger = rep.ledger
    return {
        "ledger": ledger.title,
        "month": rep.month,
        "as_of": d(rep.as_of),
        "previous": d(rep.previous),
        "generated": d(rep.generated),
        "headline": {
            "completion": _r(rep.completion_now),
            "completion_previous": _r(rep.completion_before),
            "change_pp": None if rep.completion_now is None or rep.completion_before is None
            else round((rep.completion_now - rep.completion_before) * 100, 2),
            "by_status": {k: v for k, v in rep.counts_now.items() if v},
            "by_status_previous": {k: v for k, v in rep.counts_before.items() if v},
            "completed": [r.target.id for r in rep.completed],
        },
        "status_changes": [{"id": c.row.target.id, "before": c.before, "now": c.row.status, "direction": c.direction}
                           for c in rep.changes],
        "updates": [{"date": d(u.date), "id": u.target.id, "update": u.what, "change": u.change, "note": u.note,
                     "source": u.source} for u in rep.updates],
        "areas": [{"area": a, "completion": _r(c), "targets": [r.target.id for r in rows]} for a, rows, c in rep.areas],
        "attention": [{"id": a.row.target.id, "status": a.row.status, "gap": _r(a.row.gap),
                       "projected": d(a.projected), "due": d(a.row.due)} for a in rep.attention],
        "stale": [r.target.id for r in rep.stale],
        "coming_up": [{"date": d(u.date), "id": u.target.id, "what": u.what, "status": u.status}
                      for u in rep.coming_up],
        "history": [{"date": d(x), "completion": _r(c)} for x, c in rep.history],
        "sources": rep.sources,
        "targets": [target_json(r, ledger) | {"previous": _previous(rep, r.target.id)} for r in rep.rows],
    }  # fmt: skip


def _previous(rep: MonthlyReport, tid: str) -> dict[str, Any] | None:
    b = rep.before.get(tid)
    if b is None:
        return None
    return {"current": b.current, "ratio": _r(b.ratio), "status": b.status}


def _r(x: float | None) -> float | None:
    return None if x is None else round(x, 4)


CSV_COLUMNS = [
    Column("id", "id"), Column("title", "title"), Column("area", "area"), Column("kind", "kind"),
    Column("unit", "unit"), Column("value", "value"), Column("value_previous", "value_previous"),
    Column("ratio", "ratio"), Column("ratio_previous", "ratio_previous"), Column("status", "status"),
    Column("status_previous", "status_previous"), Column("expected", "expected"), Column("due", "due"),
    Column("updated", "updated"), Column("stale", "stale"), Column("source", "source"),
]  # fmt: skip


def report_csv_table(rep: MonthlyReport) -> Table:
    """One row per target: this month's and last month's value, ratio, status."""
    records = []
    for r in rep.rows:
        b = rep.before.get(r.target.id)
        src = source_of(r.target, rep.ledger)
        records.append({
            "id": r.target.id, "title": r.target.title, "area": r.area, "kind": r.target.kind,
            "unit": r.target.unit, "value": r.current, "value_previous": b.current if b else None,
            "ratio": _r(r.ratio), "ratio_previous": _r(b.ratio) if b else None, "status": r.status,
            "status_previous": b.status if b else None, "expected": _r(r.expected),
            "due": fmt_date(r.due) if r.due else None, "updated": fmt_date(r.updated) if r.updated else None,
            "stale": r.stale, "source": src.cite() if src else None,
        })  # fmt: skip
    return Table(CSV_COLUMNS, [(None, records)])
