"""The monthly progress report: pure functions of (ledger, month).

The report is evaluated as of the month's last day and compared with the
previous month's last day. :func:`build_report` gathers the data;
:func:`report_sections` lays it out, in the order its reader needs it, as
numbered :class:`Block` s of text, :class:`~target_tracker.output.render.Table` s
and :class:`Chart` s that every format (md, html, docx, xlsx) renders alike.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from datetime import date as _date  # for fields declared after a field named "date"
from typing import Any

from target_tracker.compute import (
    TargetStatus,
    as_reported,
    children_of,
    completion,
    count_upto,
    entered_between,
    evaluate,
    expected_share,
    layout,
    projected_completion,
    quantity_ratio,
    report_issued,
    stages_ratio,
)
from target_tracker.dates import add_months, month_end, parse_month, previous_month_end
from target_tracker.i18n import N_, _, ngettext
from target_tracker.ledger.model import STATUSES, Ledger, Source, Target
from target_tracker.output.formats import format_number, format_source
from target_tracker.output.labels import status_label
from target_tracker.output.render import Column, Table
from target_tracker.output.views import figure_source, fmt_date, fmt_num, fmt_pct, progress_text, source_of
from target_tracker.reports.numbering import long_date, month_title, numbered
from target_tracker.selection import direction, in_areas

#: What "needs attention" lists, worst first.
ATTENTION = ("overdue", "missed", "behind", "at-risk")
#: Actual-vs-planned charts shown (only in "needs attention").
MAX_CHARTS = 6

#: Traffic lights (红黄绿灯): which statuses each light gathers.
LIGHTS: dict[str, tuple[str, ...]] = {
    "red": ("overdue", "missed", "behind"),
    "yellow": ("at-risk",),
    "green": ("done", "met", "on-track"),
    "grey": ("no-data", "not-started", "paused", "cancelled"),
}
LIGHT_OF = {s: light for light, statuses in LIGHTS.items() for s in statuses}
LIGHT_LABELS = {"red": N_("red"), "yellow": N_("yellow"), "green": N_("green"), "grey": N_("grey")}


def light_label(light: str | None) -> str:
    return "" if not light else _(LIGHT_LABELS.get(light, light))


#: One colour per status and per light, for HTML, Word and Excel: (ink, fill).
COLORS = {
    "red": ("C0392B", "FFC7CE"),
    "yellow": ("9A6200", "FFEB9C"),
    "green": ("1E7B45", "C6EFCE"),
    "grey": ("5D6D7E", "EDEDED"),
}


def color_of(code: str | None) -> tuple[str, str] | None:
    """(ink, fill) hex colours for a status code or a light name."""
    if not code:
        return None
    light = code if code in COLORS else LIGHT_OF.get(code)
    return COLORS.get(light) if light else None


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
    source: str  # the figure's own, or "source not given" (never the target's)
    source_given: bool = True


@dataclass(frozen=True)
class Attention:
    """A target that needs attention: its row, projected completion and latest note."""

    row: TargetStatus
    projected: date | None
    note: str = ""


@dataclass(frozen=True)
class Upcoming:
    date: date
    target: Target
    what: str
    status: str


@dataclass(frozen=True)
class AreaSummary:
    """One area: its rows in display order, completion now and a month before,
    and the expected share (the same weighted mean over expected shares)."""

    name: str
    rows: list[TargetStatus]
    completion: float | None
    completion_before: float | None
    expected: float | None


@dataclass(frozen=True)
class Revision:
    """A figure reported late or revised after an earlier report (hook: the
    ledger model does not record revisions yet; when it does, build_report
    fills :attr:`MonthlyReport.revisions` and the section appears).

    date: the figure's date; target; what changed ('52 -> 54 tasks');
    recorded: when the revision was entered; note and source as for figures."""

    date: date
    target: Target
    what: str
    recorded: _date | None = None
    note: str = ""
    source: str = ""
    old: float | None = None  # the value it replaced (None: first reported late)
    new: float | None = None


Trajectory = tuple[list[tuple[date, float | None]], list[tuple[date, float]]]


@dataclass(frozen=True)
class MonthlyReport:
    """Everything the monthly report says, for one month.

    history: overall completion at the previous and this month end (the two
    points the report compares); trajectories: actual and planned share done
    for the targets charted in "needs attention" (at most :data:`MAX_CHARTS`);
    revisions: late and revised figures, empty until the model records them.
    """

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
    areas: list[AreaSummary]
    attention: list[Attention]
    stale: list[TargetStatus]
    coming_up: list[Upcoming]
    history: list[tuple[date, float | None]]
    sources: list[str]
    trajectories: dict[str, Trajectory] = field(default_factory=dict)
    revisions: list[Revision] = field(default_factory=list)
    next_month_end: date | None = None
    #: when last month's report was issued: last month is compared as known then
    previous_issued: _date | None = None
    #: this month as known when its report was issued (``--as-reported``), not as known now
    as_reported: bool = False

    @property
    def month_name(self) -> str:
        return month_title(self.as_of)


def _filter(rows: list[TargetStatus], areas: list[str] | None) -> list[TargetStatus]:
    return in_areas(rows, areas)


def _counts(rows: list[TargetStatus]) -> dict[str, int]:
    counts = {s: 0 for s in STATUSES}
    for r in rows:
        counts[r.status] += 1
    return counts


def _direction(before: str, after: str) -> str:
    return direction(before, after)


def month_updates(ledger: Ledger, rows: list[TargetStatus], first: date, last: date) -> list[Update]:
    """Every observation and stage dated in [first, last], with its change and
    its own source ("source not given" when it has none: never the target's).
    Figures are found by bisection, so a long history costs nothing."""
    out: list[Update] = []
    for r in rows:
        t = r.target
        obs = t.observations
        if obs:
            lo, hi = count_upto(obs, first - timedelta(days=1)), count_upto(obs, last)
            prev: float | None = obs[lo - 1].value if lo else None
            for k in range(lo, hi):
                o = obs[k]
                change = None if prev is None else o.value - prev
                now = format_number(o.value, t.unit)  # 万/亿 in Chinese, the ledger's own unit kept
                text = f"{format_number(prev, t.unit, with_unit=False)} → {now}" if prev is not None else now
                out.append(Update(o.date, t, text, change, o.note or "", o.source or _("source not given"),
                                  bool(o.source)))  # fmt: skip
                prev = o.value
        for i, s in enumerate(t.stages, start=1):
            if s.done and first <= s.done <= last:
                what = _("stage {n} '{name}' done").format(n=i, name=s.name)
                out.append(Update(s.done, t, what, None, s.note or "", s.source or _("source not given"),
                                  bool(s.source)))  # fmt: skip
    out.sort(key=lambda u: (u.date, u.target.id))
    return out


def upcoming(rows: list[TargetStatus], after: date, until: date) -> list[Upcoming]:
    """Due dates and planned stages in (after, until] of targets not yet done."""
    out = []
    for r in rows:
        t = r.target
        if r.status in ("done", "cancelled"):
            continue
        if r.due and after < r.due <= until and t.kind != "rollup":
            out.append(Upcoming(r.due, t, _("due"), r.status))
        for i, s in enumerate(t.stages, start=1):
            if s.planned and after < s.planned <= until and not (s.done and s.done <= after):
                out.append(Upcoming(s.planned, t, _("stage {n} '{name}' planned").format(n=i, name=s.name), r.status))
    out.sort(key=lambda u: (u.date, u.target.id))
    return out


def latest_note(row: TargetStatus) -> str:
    """The newest reason or measure the ledger gives: the latest figure's or
    stage's note, else the target's notes."""
    t = row.target
    if row.latest is not None and row.latest.note:
        return row.latest.note
    done = [s for s in t.stages if s.done and s.done <= row.as_of and s.note]
    if done:
        return max(done, key=lambda s: s.done or date.min).note or ""
    return (t.notes or "").strip()


def trajectory(row: TargetStatus) -> Trajectory:
    """Actual and planned share done over time, for a chart.

    Actual points are the figures themselves (or the stages done, as steps);
    a ``None`` between two figures more than two months apart makes the line
    break there, so months without data show as a gap, not as 0.
    """
    t = row.target
    actual: list[tuple[date, float | None]] = []
    if t.kind == "quantity":
        prev: date | None = None
        for o in t.observations[: count_upto(t.observations, row.as_of)]:
            if prev is not None and (o.date - prev).days > 62:
                actual.append((prev + timedelta(days=1), None))
            actual.append((o.date, quantity_ratio(t, o.value)))
            prev = o.date
    elif t.kind == "milestones":
        days = sorted({s.done for s in t.stages if s.done and s.done <= row.as_of})
        if t.start and t.start <= row.as_of:
            actual.append((t.start, 0.0))
        for d in days:
            before = actual[-1][1] if actual else 0.0
            actual.append((d, before))  # steps, not slopes: a stage is done on a day
            actual.append((d, stages_ratio(t, d)[0]))
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


def cited_sources(ledger: Ledger, rows: list[TargetStatus], updates: list[Update]) -> list[str]:
    """The documents behind this report: the ledger's, each target's, and the
    sources of the figures it shows (each target's latest, the month's)."""
    seen: dict[str, None] = {}
    if ledger.source:
        seen[format_source(ledger.source)] = None
    for r in rows:
        src = source_of(r.target, ledger)
        if src and src.document:
            doc = format_source(Source(document=src.document, date=src.date))
            seen.setdefault(doc, None)
        if r.latest is not None and r.latest.source:
            seen.setdefault(r.latest.source, None)
    for u in updates:
        if u.source and u.source_given:
            seen.setdefault(u.source, None)
    return list(seen)


def _expected(rows: list[TargetStatus]) -> float | None:
    ids = {r.target.id for r in rows}
    top = [r for r in rows if r.target.parent not in ids and r.target.state != "cancelled" and r.expected is not None]
    if not top:
        return None
    weights = sum(r.target.weight for r in top)
    return sum(r.target.weight * min(1.0, max(0.0, r.expected or 0.0)) for r in top) / weights


def _severity(a: Attention) -> tuple[int, float, str]:
    return ATTENTION.index(a.row.status), -(a.row.gap or 0.0), a.row.target.id


def build_report(
    ledger: Ledger, month: str, generated: date, areas: list[str] | None = None, reported: bool = False
) -> MonthlyReport:
    """The report for ``month`` (YYYY-MM), as of its last day, compared with
    last month as last month's report showed it: only what was entered by the
    day it was issued (``[reports.published]``, else its month end plus
    ``report_grace_days``). ``reported``: this month too as known when its
    report was issued.

    The ledger is evaluated twice (this month end and the one before); the
    report needs no other month, so its cost is that of two ``status`` runs.
    """
    first, as_of = parse_month(month)
    previous = previous_month_end(first)
    previous_issued = report_issued(ledger, f"{previous.year:04d}-{previous.month:02d}", previous)
    issued = report_issued(ledger, month, as_of)
    now_ledger = as_reported(ledger, issued) if reported else ledger
    placed = layout(now_ledger)
    rows = _filter(evaluate(now_ledger, as_of, placed).rows, areas)
    before_rows = _filter(evaluate(as_reported(ledger, previous_issued), previous).rows, areas)
    shown = {r.target.id for r in rows}
    revisions = [_revision(v) for v in entered_between(ledger, previous_issued, issued if reported else None, previous)
                 if v.target.id in shown]  # fmt: skip
    before = {r.target.id: r for r in before_rows}
    changes = [
        StatusChange(r, before[r.target.id].status, _direction(before[r.target.id].status, r.status))
        for r in rows
        if r.target.id in before and before[r.target.id].status != r.status
    ]
    completed = [c.row for c in changes if c.row.status == "done"]
    by_area: dict[str, list[TargetStatus]] = {}
    for r in rows:
        by_area.setdefault(r.area or _("(no area)"), []).append(r)
    area_list = [
        AreaSummary(a, rs, completion(rs), completion([before[r.target.id] for r in rs if r.target.id in before]),
                    _expected(rs))
        for a, rs in by_area.items()
    ]  # fmt: skip
    attention = [
        Attention(r, projected_completion(r), latest_note(r))
        for r in rows
        if r.status in ATTENTION and r.target.kind != "rollup"  # a rollup lags because its children do
    ]
    attention.sort(key=_severity)
    charted = [a.row for a in attention if a.row.target.kind in ("quantity", "milestones")][:MAX_CHARTS]
    next_end = month_end(*_ym(add_months(first, 1)))
    completion_now, completion_before = completion(rows), completion(before_rows)
    updates = month_updates(ledger, rows, first, as_of)
    return MonthlyReport(
        ledger=ledger,
        month=month,
        as_of=as_of,
        previous=previous,
        generated=generated,
        rows=rows,
        before=before,
        completion_now=completion_now,
        completion_before=completion_before,
        counts_now=_counts(rows),
        counts_before=_counts(before_rows),
        completed=completed,
        changes=changes,
        updates=updates,
        areas=area_list,
        attention=attention,
        stale=[r for r in rows if r.stale],
        coming_up=upcoming(rows, as_of, next_end),
        history=[(previous, completion_before), (as_of, completion_now)],
        sources=cited_sources(ledger, rows, updates),
        trajectories={r.target.id: trajectory(r) for r in charted},
        next_month_end=next_end,
        revisions=revisions,
        previous_issued=previous_issued,
        as_reported=reported,
    )


def _revision(v: Any) -> Revision:
    """A late or revised figure (:class:`target_tracker.compute.Revision`) as the report shows it."""
    t = v.target
    unit = f" {t.unit}" if t.unit else ""
    if v.old is None:
        what = _("{value}{unit}, first reported late").format(value=fmt_num(v.new.value), unit=unit)
    else:
        what = _("{old} → {new}{unit}, revised").format(old=fmt_num(v.old.value), new=fmt_num(v.new.value), unit=unit)
    return Revision(v.date, t, what, v.new.entered, v.new.note or "", v.new.source or _("source not given"),
                    None if v.old is None else v.old.value, v.new.value)  # fmt: skip


def _ym(d: date) -> tuple[int, int]:
    return d.year, d.month


def pp(now: float | None, before: float | None) -> str:
    """Change in percentage points: '+3.2 pp'."""
    if now is None or before is None:
        return "–"
    change = f"{(now - before) * 100:+.1f}"
    # one message per direction: Chinese says 提高/下降 X 个百分点, or 持平
    if change in ("+0.0", "-0.0"):
        return _("+0.0 pp")
    if change.startswith("+"):
        return _("+{change} pp").format(change=change[1:])
    return _("-{change} pp").format(change=change[1:])


# -- layout: numbered blocks that every format renders --------------------------------


@dataclass(frozen=True)
class Chart:
    """A chart to draw in a block: ``areas`` (completion by area, the
    overview) or ``trajectory`` (actual vs planned for target ``key``)."""

    kind: str
    title: str
    key: str = ""


@dataclass
class Block:
    """A report section: a numbered title, paragraphs, tables (a table's
    title is its sub-heading) and charts. ``level`` 1 is a section."""

    key: str
    title: str
    paragraphs: list[str] = field(default_factory=list)
    tables: list[Table] = field(default_factory=list)
    charts: list[Chart] = field(default_factory=list)
    bullets: list[str] = field(default_factory=list)


#: Cells that wrap (long text); every other column keeps to one line.
WRAPPING = ("title", "note", "source", "what", "update", "owner", "statuses", "target")


def method_text(rep: MonthlyReport) -> str:
    s = rep.ledger.settings
    return _(
        "Each target's share done is the way from its baseline to its target reached by its latest figure "
        "on or before the report date (for milestones, the weight of the stages done; for rollups, the weighted "
        "mean of their children's shares, each clamped to 0-100%). The expected share is the share the plan says "
        "should be done by then: linear from start to due, or through the planners' interim targets, or by the "
        "stages' planned dates. Status compares the two (序时进度): on track when the gap is at most {on}, "
        "at risk up to {risk}, behind beyond; overdue when past due and not done; targets to maintain are met or "
        "missed against their bound (inclusive). A figure is stale when it is more than {stale} days old. "
        "Figures dated after the report date are not used. Overall completion is the weighted mean of the "
        "top-level targets' clamped shares."
    ).format(on=f"{s.on_track_gap:.0%}", risk=f"{s.at_risk_gap:.0%}", stale=s.stale_after_days) + (
        " " + _("Last month is shown as its report showed it when issued on {date}: figures entered later are "
                "listed as late or revised, not folded into last month.").format(date=long_date(rep.previous_issued))
        if rep.previous_issued else ""
    )  # fmt: skip


def _pct(v: float | None) -> str:
    return fmt_pct(v)


def _status_col(key: str = "status", header: str | None = None) -> Column:
    return Column(key, header or N_("status"), text=status_label, colored=True)


def _title_col() -> Column:
    return Column("title", N_("title"))


def title_cell(row: TargetStatus | Target) -> dict[str, Any]:
    """The keys a title cell needs: title, id (shown small) and depth (indent)."""
    if isinstance(row, Target):
        return {"title": row.title, "id": row.id, "depth": 0}
    return {"title": row.target.title, "id": row.target.id, "depth": row.depth}


def report_sections(rep: MonthlyReport) -> list[Block]:
    """The report's sections in the order a department head reads them."""
    blocks: list[Block] = []

    def add(key: str, title: str, **kw: Any) -> Block:
        b = Block(key, numbered(1, len(blocks) + 1, title), **kw)
        blocks.append(b)
        return b

    # 1. headline ---------------------------------------------------------------
    lights = []
    for light, statuses in LIGHTS.items():
        now = sum(rep.counts_now[s] for s in statuses)
        was = sum(rep.counts_before[s] for s in statuses)
        if not now and not was:
            continue
        detail = _(", ").join(_("{status} {n}").format(status=status_label(s), n=rep.counts_now[s])
                              for s in statuses if rep.counts_now[s])  # fmt: skip
        lights.append({"light": light, "label": _(LIGHT_LABELS[light]), "statuses": detail, "now": now,
                       "before": was, "change": f"{now - was:+d}"})  # fmt: skip
    counts = Table(
        [Column("light", N_("status light"), text=light_label, colored=True), Column("statuses", N_("of which")),
         Column("now", N_("now"), "right"), Column("before", N_("last month"), "right"),
         Column("change", N_("change"), "right")],
        [(None, lights)],
    )  # fmt: skip
    head = [
        ngettext("Overall completion {now} on {date}, {change} since {previous} ({before}); {n} target.",
                 "Overall completion {now} on {date}, {change} since {previous} ({before}); {n} targets.",
                 len(rep.rows)).format(
            now=fmt_pct(rep.completion_now), date=long_date(rep.as_of), change=pp(rep.completion_now,
            rep.completion_before), previous=long_date(rep.previous), before=fmt_pct(rep.completion_before),
            n=len(rep.rows)),
    ]  # fmt: skip
    if rep.completed:
        titles = "; ".join(r.target.title for r in rep.completed)
        head.append(_("Completed this month: {titles}.").format(titles=titles))
    else:
        head.append(_("No target was completed this month."))
    improved = sum(1 for c in rep.changes if c.direction == "improved")
    worsened = sum(1 for c in rep.changes if c.direction == "worsened")
    if rep.changes:
        head.append(ngettext("Status changed for {n} target since last month: {better} better, {worse} worse.",
                             "Status changed for {n} targets since last month: {better} better, {worse} worse.",
                             len(rep.changes)).format(
            n=len(rep.changes), better=improved, worse=worsened))  # fmt: skip
    else:
        head.append(_("No status changed since last month."))
    tables = [counts]
    if rep.changes:
        tables.append(Table(
            [_title_col(), _status_col("before", N_("last month")), _status_col("status", N_("now"))],
            [(None, [title_cell(c.row) | {"depth": 0, "before": c.before, "status": c.row.status}
                     for c in rep.changes])],
            title=_("Status changes"),
        ))  # fmt: skip
    add("headline", _("Headline"), paragraphs=head, tables=tables,
        charts=[Chart("areas", _("Completion by area"))] if rep.areas else [])  # fmt: skip

    # 2. needs attention -------------------------------------------------------
    if rep.attention:
        by = {s: sum(1 for a in rep.attention if a.row.status == s) for s in ATTENTION}
        text = [ngettext("{n} target needs attention ({detail}).",
                         "{n} targets need attention ({detail}), worst first.", len(rep.attention)).format(
            n=len(rep.attention), detail=_(", ").join(_("{status} {n}").format(status=status_label(s), n=k)
                                                      for s, k in by.items() if k))]  # fmt: skip
        rows = [title_cell(a.row) | {"depth": 0, "owner": a.row.target.owner, "status": a.row.status,
                "done": f"{fmt_pct(a.row.ratio)} / {fmt_pct(a.row.expected)}",
                "projected": _projection(a), "due": a.row.due, "note": a.note} for a in rep.attention]  # fmt: skip
        table = Table(
            [_title_col(), Column("owner", N_("owner")), _status_col(),
             Column("done", N_("done / expected"), "right"), Column("projected", N_("projected")),
             Column("due", N_("due"), text=fmt_date),
             Column("note", N_("latest note"))],
            [(None, rows)],
        )  # fmt: skip
        charts = [Chart("trajectory", rep.ledger.targets[tid].title, tid) for tid in rep.trajectories]
        add("attention", _("Needs attention"), paragraphs=text, tables=[table], charts=charts)
    else:
        add("attention", _("Needs attention"), paragraphs=[_("No target is behind, at risk, overdue or missed.")])

    # 3. this month's progress ----------------------------------------------------
    if rep.updates:
        rows = [title_cell(u.target) | {"date": u.date, "what": u.what, "note": u.note, "source": u.source}
                for u in rep.updates]  # fmt: skip
        table = Table(
            [Column("date", N_("date"), text=fmt_date), _title_col(), Column("what", N_("figure or stage")),
             Column("note", N_("note")), Column("source", N_("source"))],
            [(None, rows)],
        )  # fmt: skip
        add("progress", _("This month's progress"), paragraphs=[
            _("{n} figures and stages were recorded for {month}.").format(n=len(rep.updates), month=rep.month_name)
        ], tables=[table])  # fmt: skip
    else:
        add("progress", _("This month's progress"), paragraphs=[_("No figure or stage is dated in this month.")])

    # 4. by area --------------------------------------------------------------------
    kids = children_of(rep.ledger)  # once: counting per row would be quadratic
    area_tables = []
    section = len(blocks) + 1
    for k, area in enumerate(rep.areas, start=1):
        records = [title_cell(r) | {"owner": r.target.owner,
                   "progress": progress_text(r, len(kids.get(r.target.id, ()))),
                   "ratio": r.ratio, "status": r.status, "due": r.due} for r in area.rows]  # fmt: skip
        title = _("{area}: completion {completion}").format(area=area.name, completion=fmt_pct(area.completion))
        area_tables.append(Table(
            [_title_col(), Column("owner", N_("owner")), Column("progress", N_("progress"), "right"),
             Column("ratio", N_("done"), "right", text=fmt_pct), _status_col(),
             Column("due", N_("due"), text=fmt_date)],
            [(None, records)], title=numbered(2, k, title, parent=section),
        ))  # fmt: skip
    add("areas", _("By area"), tables=area_tables)

    # 5. coming up next month ---------------------------------------------------------
    until = rep.next_month_end or rep.as_of
    if rep.coming_up:
        rows = [title_cell(u.target) | {"date": u.date, "what": u.what, "status": u.status} for u in rep.coming_up]
        add("coming_up", _("Coming up next month"),
            paragraphs=[_("Due dates and planned stages to {date}.").format(date=long_date(until))],
            tables=[Table([Column("date", N_("date"), text=fmt_date), _title_col(), Column("what", N_("what")),
                           _status_col("status", N_("status now"))], [(None, rows)])])  # fmt: skip
    else:
        add("coming_up", _("Coming up next month"),
            paragraphs=[_("Nothing is due or planned to {date}.").format(date=long_date(until))])  # fmt: skip

    # 6. stale figures --------------------------------------------------------------
    stale_after = rep.ledger.settings.stale_after_days
    if rep.stale:
        rows = [title_cell(r) | {"depth": 0, "owner": r.target.owner, "updated": r.updated,
                "days": (rep.as_of - r.updated).days if r.updated else None} for r in rep.stale]  # fmt: skip
        add("stale", _("Stale figures"),
            paragraphs=[_("No new figure for more than {days} days:").format(days=stale_after)],
            tables=[Table([_title_col(), Column("owner", N_("owner")),
                           Column("updated", N_("last figure"), text=fmt_date),
                           Column("days", N_("days old"), "right")], [(None, rows)])])  # fmt: skip
    else:
        add("stale", _("Stale figures"),
            paragraphs=[_("Every figure is at most {days} days old.").format(days=stale_after)])  # fmt: skip

    # late and revised figures: only when the ledger records them -------------------
    if rep.revisions:
        rows = [title_cell(v.target) | {"date": v.date, "what": v.what, "recorded": v.recorded, "note": v.note,
                                        "source": v.source} for v in rep.revisions]  # fmt: skip
        since = long_date(rep.previous_issued) if rep.previous_issued else long_date(rep.previous)
        add("revisions", _("Late and revised figures"),
            paragraphs=[_("Figures for earlier months entered since last month's report of {date}.").format(
                date=since)],
            tables=[Table(
            [Column("date", N_("figure dated"), text=fmt_date), _title_col(), Column("what", N_("change")),
             Column("recorded", N_("recorded"), text=fmt_date), Column("note", N_("note")),
             Column("source", N_("source"))], [(None, rows)])])  # fmt: skip

    # method and sources ------------------------------------------------------------
    add("method", _("Method and sources"), paragraphs=[method_text(rep), _("Documents cited:")],
        bullets=list(rep.sources))  # fmt: skip
    owners = any(r.target.owner for r in rep.rows)
    for b in blocks:
        for t in b.tables:
            # by area, every table has the owner column when any target has an owner
            _drop_empty(t, ("note", "source") if b.key == "areas" and owners else ("note", "source", "owner"))
    return blocks


def _drop_empty(t: Table, keys: tuple[str, ...]) -> None:
    """Leave out a column of these keys that is empty in every row (no owner
    in the whole ledger, no note this month): it only takes width."""
    rows = [r for _label, g in t.groups for r in g]
    t.columns = [c for c in t.columns if c.key not in keys or any(r.get(c.key) for r in rows)]


def _projection(a: Attention) -> str:
    """When the recent pace completes the target ('none' when it never does)."""
    if a.row.target.kind == "maintain":
        return _("below its bound") if a.row.status == "missed" else ""
    if a.projected:
        return fmt_date(a.projected)
    from target_tracker.compute import projection_outcome

    # the recent trend would have finished before the report date, yet no figure shows it
    return _("no new figure") if projection_outcome(a.row) == "trend-passed" else _("not at this pace")


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
            "by_light": {light: sum(rep.counts_now[s] for s in ss) for light, ss in LIGHTS.items()},
            "completed": [r.target.id for r in rep.completed],
        },
        "status_changes": [{"id": c.row.target.id, "before": c.before, "now": c.row.status, "direction": c.direction}
                           for c in rep.changes],
        "attention": [{"id": a.row.target.id, "status": a.row.status, "owner": a.row.target.owner,
                       "ratio": _r(a.row.ratio), "expected": _r(a.row.expected), "gap": _r(a.row.gap),
                       "projected": d(a.projected), "due": d(a.row.due), "note": a.note} for a in rep.attention],
        "updates": [{"date": d(u.date), "id": u.target.id, "update": u.what, "change": u.change, "note": u.note,
                     "source": u.source} for u in rep.updates],
        "areas": [{"area": a.name, "completion": _r(a.completion), "completion_previous": _r(a.completion_before),
                   "expected": _r(a.expected), "targets": [r.target.id for r in a.rows]} for a in rep.areas],
        "coming_up": [{"date": d(u.date), "id": u.target.id, "what": u.what, "status": u.status}
                      for u in rep.coming_up],
        "stale": [r.target.id for r in rep.stale],
        "revisions": [{"date": d(v.date), "id": v.target.id, "what": v.what, "recorded": d(v.recorded),
                       "note": v.note, "source": v.source, "old": v.old, "new": v.new} for v in rep.revisions],
        "previous_issued": d(rep.previous_issued),
        "as_reported": rep.as_reported,
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
    Column("figure_source", "figure_source"),  # the latest figure's own source, never the target's
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
            "due": r.due.isoformat() if r.due else None, "updated": r.updated.isoformat() if r.updated else None,
            "stale": r.stale, "source": src.cite() if src else None, "figure_source": figure_source(r),
        })  # fmt: skip
    return Table(CSV_COLUMNS, [(None, records)])
