"""Build the views that commands print: evaluation -> :class:`View`.

The JSON of ``status`` is a documented contract (README, "JSON output");
change it only by adding fields.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from target_tracker.compute import Evaluation, TargetStatus, children_of, projected_completion, quantity_ratio
from target_tracker.i18n import N_, NP_, _, language, ngettext, pgettext
from target_tracker.ledger.model import Ledger, Source, Target
from target_tracker.output.formats import (
    attach_unit,
    format_date,
    format_number,
    format_pct,
    format_source,
    plain_number,
)
from target_tracker.output.labels import kind_label, state_label, status_label
from target_tracker.output.render import Column, Table, View

BAR_WIDTH = 10
_EIGHTHS = " ▏▎▍▌▋▊▉"


# -- small formatters ---------------------------------------------------------


def fmt_num(v: float | None) -> str:
    """89 -> '89', 6.178 -> '6.178', 1234567 -> '1,234,567' (in Chinese '1234567': no separators)."""
    if v is None:
        return "–"
    return plain_number(v)


def fmt_pct(x: float | None) -> str:
    """Never '100.0%' for a share short of 1, so the figure never contradicts
    a status that is not done."""
    if x is not None and x < 1 and round(x * 100, 1) >= 100.0:
        x = 0.999
    return format_pct(x)


def fmt_date(d: date | None) -> str:
    """The date as people read it, in the interface language (output/formats.py); '–' for none."""
    return format_date(d)


def bar(ratio: float | None, width: int = BAR_WIDTH) -> str:
    """A Unicode progress bar, in eighths of a cell."""
    if ratio is None:
        return ""
    eighths = round(min(1.0, max(0.0, ratio)) * width * 8)
    full, part = divmod(eighths, 8)
    return ("█" * full + (_EIGHTHS[part] if part else "")).ljust(width, "·")


def bound_text(t: Target) -> str:
    if t.at_least is not None and t.at_most is not None:
        return f"{fmt_num(t.at_least)}–{fmt_num(t.at_most)}"
    if t.at_least is not None:
        return f"≥ {fmt_num(t.at_least)}"
    return f"≤ {fmt_num(t.at_most)}"


def progress_text(row: TargetStatus, n_children: int = 0) -> str:
    """'89 / 102 tasks', '2 / 4 stages', '85 % (≥ 80)', '5 targets'."""
    t = row.target
    if t.kind == "quantity":
        return f"{format_number(row.current, t.unit, with_unit=False)} / {format_number(t.target, t.unit)}"
    if t.kind == "maintain":
        bound = attach_unit(bound_text(t), t.unit) if language() == "zh" else bound_text(t)
        return f"{format_number(row.current, t.unit)} ({bound})"
    if t.kind == "milestones":
        return _("{done} / {total} stages").format(done=row.stages_done, total=len(t.stages))
    return ngettext("{n} targets", "{n} targets", n_children).format(n=n_children)


def source_of(t: Target, ledger: Ledger) -> Source | None:
    """The target's source; what it leaves out (document, date) is the ledger's."""
    own, base = t.source, ledger.source
    if own is None or base is None:
        return own or base
    return Source(
        document=own.document or base.document,
        date=own.date or (base.date if not own.document else None),
        clause=own.clause,
        url=own.url or (base.url if not own.document else None),
    )


def source_json(s: Source | None) -> dict[str, Any] | None:
    if s is None:
        return None
    return {
        "document": s.document,
        "date": s.date.isoformat() if s.date else None,
        "clause": s.clause,
        "url": s.url,
    }


def figure_source(row: TargetStatus) -> str | None:
    """The own source of the figure behind the row (its latest figure, or the
    last stage done by the as-of date); None when it gives none. Never the
    target's source: where a commitment was made is not where a figure was
    reported."""
    t = row.target
    if row.latest is not None:
        return row.latest.source
    if t.kind == "milestones":
        done = [st for st in t.stages if st.done and st.done <= row.as_of]
        if done:
            return max(done, key=lambda st: st.done or row.as_of).source
    return None


def not_given(source: str | None) -> str:
    return source or _("source not given")


def _r4(x: float | None) -> float | None:
    return None if x is None else round(x, 4)


# -- status ------------------------------------------------------------------


def target_json(row: TargetStatus, ledger: Ledger, with_label: bool = False) -> dict[str, Any]:
    """One target of the JSON contract (README: JSON output); ``with_label`` adds
    ``status_label``, the status word in the interface language, after ``status``."""
    t = row.target
    baseline: float | None = t.baseline
    goal = t.target
    if t.kind == "milestones":
        baseline, goal = 0, len(t.stages)
    elif t.kind in ("maintain", "rollup"):
        baseline = None
    latest = row.latest
    data = {
        "id": t.id,
        "title": t.title,
        "kind": t.kind,
        "area": row.area,
        "owner": t.owner,
        "unit": t.unit if t.kind != "milestones" else "stages",
        "baseline": baseline,
        "target": goal,
        "current": row.current,
        "ratio": _r4(row.ratio),
        "expected": _r4(row.expected),
        "status": row.status,
        "due": row.due.isoformat() if row.due else None,
        "updated": row.updated.isoformat() if row.updated else None,
        "stale": row.stale,
        "parent": t.parent,
        "source": source_json(source_of(t, ledger)),
        # additions beyond the contract's minimum
        "start": row.start.isoformat() if row.start else None,
        "gap": _r4(row.gap),
        "at_least": t.at_least,
        "at_most": t.at_most,
        "depth": row.depth,
        "state": t.state,
        "latest": None
        if latest is None
        else {
            "date": latest.date.isoformat(),
            "value": latest.value,
            "note": latest.note,
            "source": latest.source,
        },
        # the own source of the figure behind "current" (latest figure or stage done); null when not given
        "figure_source": figure_source(row),
    }
    if not with_label:
        return data
    keys = list(data)
    at = keys.index("status") + 1
    return (
        {k: data[k] for k in keys[:at]} | {"status_label": status_label(row.status)} | {k: data[k] for k in keys[at:]}
    )


def status_json(ev: Evaluation, rows: list[TargetStatus], as_reported: bool = False) -> dict[str, Any]:
    from target_tracker.compute import summarize

    summary = summarize(rows) if rows is not ev.rows else ev.summary
    return {
        "ledger": ev.ledger.title,
        "as_of": ev.as_of.isoformat(),
        "as_reported": as_reported,  # added: only what was entered by as_of (recorded/added dates)
        "summary": {
            "targets": summary.targets,
            "completion": _r4(summary.completion),
            "by_status": summary.by_status,
        },
        "targets": [target_json(r, ev.ledger, with_label=True) for r in rows],
    }


def status_row(row: TargetStatus, n_children: int, tree: bool = True) -> dict[str, Any]:
    t = row.target
    indent = "  " * (row.depth - 1) + "└ " if row.depth and tree else ""
    return {
        "label": indent + t.id,
        "id": t.id,
        "title": t.title,
        "area": row.area,
        "kind": t.kind,
        "progress": progress_text(row, n_children),
        "current": row.current,
        "target": t.target,
        "unit": t.unit,
        "ratio": row.ratio,
        "expected": row.expected,
        "bar": row.ratio,
        "status": row.status,
        "due": row.due,
        "updated": row.updated,
        "stale": row.stale,
        "owner": t.owner,
    }


# Headers are N_() messages: the renderer translates them (render.header_text).
STATUS_COLUMNS = [
    Column("label", N_("id"), in_csv=False),
    Column("id", N_("id"), in_text=False),
    Column("title", N_("title"), max_width=34),
    Column("area", N_("area"), in_text=False),
    Column("kind", N_("kind"), in_text=False),
    Column("progress", N_("progress"), align="right"),
    Column("current", N_("current"), in_text=False),
    Column("target", N_("target"), in_text=False),
    Column("unit", N_("unit"), in_text=False),
    Column("ratio", N_("done"), align="right", text=fmt_pct),
    Column("expected", N_("expected"), align="right", text=fmt_pct),
    Column("bar", "", text=bar, in_csv=False),
    Column("status", N_("status"), colored=True, text=status_label),
    Column("due", N_("due"), text=fmt_date),
    Column("updated", N_("updated"), text=fmt_date),
    Column("stale", N_("stale"), in_text=False),
    Column("owner", N_("owner"), in_text=False),
]


def summary_line(ev: Evaluation, rows: list[TargetStatus]) -> str:
    from target_tracker.compute import summarize

    s = summarize(rows) if rows is not ev.rows else ev.summary
    counts = _(", ").join(
        _("{n} {status}").format(n=n, status=status_label(status)) for status, n in s.by_status.items()
    )
    stale = sum(1 for r in rows if r.stale)
    stale_text = _("; {n} stale").format(n=stale) if stale else ""
    if not s.targets:
        return _("No target matches.")
    return ngettext(
        "{n} target: {counts}{stale}. Overall completion {completion} as of {as_of}.",
        "{n} targets: {counts}{stale}. Overall completion {completion} as of {as_of}.",
        s.targets,
    ).format(n=s.targets, counts=counts, stale=stale_text, completion=fmt_pct(s.completion), as_of=fmt_date(ev.as_of))


def status_view(
    ev: Evaluation, rows: list[TargetStatus], grouped: bool = True, tree: bool = True, as_reported: bool = False
) -> View:
    """The status table; ``tree`` indents children under their rollups (only
    meaningful in ledger order); ``as_reported``: ``ev`` is of the ledger as
    known on its as-of date."""
    kids = children_of(ev.ledger)
    groups: dict[str | None, list[dict[str, Any]]] = {}
    for r in rows:
        label = (r.area or _("(no area)")) if grouped else None
        record = status_row(r, len(kids.get(r.target.id, [])), tree)
        groups.setdefault(label, []).append(record)
    notes = [summary_line(ev, rows)]
    if any(r.stale for r in rows):
        notes.append(
            _("stale: no figure for more than {days} days: {ids}").format(
                days=ev.ledger.settings.stale_after_days, ids=", ".join(r.target.id for r in rows if r.stale)
            )
        )
    table = Table(STATUS_COLUMNS, list(groups.items()), notes=notes)
    heading = _("{title} — status as of {as_of}").format(title=ev.ledger.title, as_of=fmt_date(ev.as_of))
    if as_reported:
        heading += " " + _("(as reported then: targets added and figures recorded by that date)")
    return View([table], status_json(ev, rows, as_reported), heading=heading)


# -- show ----------------------------------------------------------------------


def show_view(ev: Evaluation, target_id: str) -> View:
    """One target in full: fields, source, trajectory, figures, stages, children."""
    ledger = ev.ledger
    row = ev.get(target_id)
    assert row is not None
    t = row.target
    projected = projected_completion(row)
    kids = children_of(ledger).get(t.id, [])
    src = source_of(t, ledger)
    fields: list[tuple[str, Any]] = [
        (_("title"), t.title),
        (_("kind"), kind_label(t.kind)),
        (_("area"), row.area),
        (_("owner"), t.owner),
        (_("state"), state_label(t.state)),
        (_("start"), fmt_date(row.start)),
        (_("due"), fmt_date(row.due)),
        (_("progress"), progress_text(row, len(kids))),
    ]
    if t.kind == "quantity":
        fields.append(
            (
                _("baseline -> target"),
                f"{format_number(t.baseline, t.unit, with_unit=False)} -> {format_number(t.target, t.unit)}",
            )
        )
    if t.kind == "maintain":
        fields.append((_("bound"), attach_unit(bound_text(t), t.unit)))
    fields += [
        (_("done"), fmt_pct(row.ratio)),
        (_("expected"), fmt_pct(row.expected)),
        (_("status"), status_label(row.status) + (_(" (stale)") if row.stale else "")),
        (_("updated"), fmt_date(row.updated)),
        (_("projected completion"), _projection_text(row, projected)),
        (_("weight"), fmt_num(t.weight)),
        (_("parent"), t.parent or "–"),
        (_("source"), (format_source(src) if src else "–") + ("" if t.source else _(" (the ledger's)"))),
        (
            _("latest figure's source"),
            "–" if row.updated is None or t.kind == "rollup" else not_given(figure_source(row)),
        ),
        (_("source file"), src.url if src and src.url else "–"),
        (_("file"), t.file),
    ]
    if t.notes:
        fields.append((_("notes"), t.notes))
    kv = [Column("field", N_("field")), Column("value", NP_("field", "value"), context="field")]
    tables = [Table(kv, [(None, [{"field": k, "value": v} for k, v in fields])], title=f"{t.id}")]
    data: dict[str, Any] = target_json(row, ledger, with_label=True)
    data["projected_completion"] = projected.isoformat() if projected else None
    data["notes"] = t.notes
    if t.kind in ("quantity", "maintain"):
        tables.append(_observations_table(t, ev.as_of))
        data["observations"] = [
            {"date": o.date.isoformat(), "value": o.value, "note": o.note, "source": o.source} for o in t.observations
        ]
    if t.superseded:
        table, data["revisions"] = _revisions_table(t)
        tables.append(table)
    if t.trajectory:
        tables.append(_trajectory_table(t))
        data["trajectory"] = [
            {"date": w.date.isoformat(), "value": w.value, "share": w.share, "note": w.note} for w in t.trajectory
        ]
    if t.kind == "milestones":
        tables.append(_stages_table(t, ev.as_of))
        data["stages"] = [
            {
                "name": s.name,
                "weight": s.weight,
                "planned": s.planned.isoformat() if s.planned else None,
                "done": s.done.isoformat() if s.done else None,
                "note": s.note,
                "source": s.source,
            }
            for s in t.stages
        ]
    if t.kind == "rollup":
        all_kids = children_of(ledger)
        child_rows = [c for k in kids if (c := ev.get(k.id)) is not None]
        records = [status_row(c, len(all_kids.get(c.target.id, []))) for c in child_rows]
        cols = [c for c in STATUS_COLUMNS if c.key != "label"]
        cols = [Column(c.key, c.header, c.align, c.text, c.colored, True if c.key == "id" else c.in_text, c.in_csv)
                for c in cols]  # fmt: skip
        tables.append(Table(cols, [(None, records)], title=_("children")))
        data["children"] = [k.id for k in kids]
        table, data["arithmetic"] = _rollup_arithmetic(row, child_rows)
        tables.append(table)
    return View(tables, data, heading=f"{t.title}")


def _rollup_arithmetic(row: TargetStatus, child_rows: list[TargetStatus]) -> tuple[Table, dict[str, Any]]:
    """How the rollup's done and expected come from its children's values."""
    from target_tracker.compute import rollup_part, weighted

    parts = [rollup_part(c) for c in child_rows]
    done, expected, total = weighted(parts)
    records = []
    for p in parts:
        records.append({
            "id": p.row.target.id,
            "weight": p.weight,
            "done": p.done if p.counted else None,
            "expected": p.expected if p.counted else None,
            "w_done": p.weight * p.done if p.counted else None,
            "w_expected": p.weight * p.expected if p.counted else None,
            "counted": _("yes") if p.counted else _("not counted: {reason}").format(reason=_(p.reason)),
        })  # fmt: skip
    sum_done = sum(p.weight * p.done for p in parts if p.counted)
    sum_expected = sum(p.weight * p.expected for p in parts if p.counted)
    notes = []
    if done is None:
        notes.append(_("no child counts: the rollup's status is no-data"))
    else:
        notes.append(_("done = Σ weight × done / Σ weight = {num} / {den} = {pct}").format(
            num=fmt_num(round(sum_done, 4)), den=fmt_num(total), pct=fmt_pct(done)))  # fmt: skip
        own = row.expected is not None and expected is not None and abs(row.expected - expected) > 1e-9
        if own:
            notes.append(_("expected = {pct}, from the rollup's own trajectory (children's: {kids})").format(
                pct=fmt_pct(row.expected), kids=fmt_pct(expected)))  # fmt: skip
        else:
            notes.append(_("expected = Σ weight × expected / Σ weight = {num} / {den} = {pct}").format(
                num=fmt_num(round(sum_expected, 4)), den=fmt_num(total), pct=fmt_pct(expected)))  # fmt: skip
    share = lambda v: "" if v is None else fmt_pct(v)  # noqa: E731
    product = lambda v: "" if v is None else fmt_num(round(v, 4))  # noqa: E731
    cols = [
        Column("id", N_("child")),
        Column("weight", N_("weight"), align="right", text=fmt_num),
        Column("done", N_("done (counted)"), align="right", text=share),
        Column("expected", N_("expected (counted)"), align="right", text=share),
        Column("w_done", N_("weight × done"), align="right", text=product),
        Column("w_expected", N_("weight × expected"), align="right", text=product),
        Column("counted", N_("counted")),
    ]
    data: dict[str, Any] = {
        "children": [
            {"id": p.row.target.id, "weight": p.weight, "done": _r4(p.done) if p.counted else None,
             "expected": _r4(p.expected) if p.counted else None, "counted": p.counted, "reason": p.reason or None}
            for p in parts
        ],
        "weight": total,
        "weighted_done": round(sum_done, 6),
        "weighted_expected": round(sum_expected, 6),
        "done": _r4(done),
        "expected": _r4(row.expected),
    }  # fmt: skip
    return Table(cols, [(None, records)], title=_("how the rollup is computed"), notes=notes), data


def _projection_text(row: TargetStatus, projected: date | None) -> str:
    from target_tracker.compute import projection_outcome

    outcome = projection_outcome(row)
    if outcome == "level":
        return _("– (a level to keep)")
    if outcome == "trend-passed":
        return _("no projection (the recent trend would have finished before {as_of}, but no figure shows it)").format(
            as_of=row.as_of.isoformat()
        )
    if projected is None:
        return _("no projection (no progress in the recent trend)")
    if outcome == "done":
        return _("done {date}").format(date=fmt_date(projected))
    due = row.due
    if due is None:
        return fmt_date(projected)
    days = (projected - due).days
    verdict = (
        ngettext("{n} days after due", "{n} days after due", days).format(n=days)
        if days > 0
        else ngettext("{n} days before due", "{n} days before due", -days).format(n=-days)
        if days < 0
        else _("on the due date")
    )
    return _("{date} at the recent trend ({verdict})").format(date=fmt_date(projected), verdict=verdict)


def _observations_table(t: Target, as_of: date) -> Table:
    records = []
    prev = None
    for o in t.observations:
        records.append(
            {
                "date": o.date,
                "value": o.value,
                "change": None if prev is None else o.value - prev,
                "ratio": quantity_ratio(t, o.value) if t.kind == "quantity" else None,
                "note": o.note or "",
                "source": not_given(o.source),
                "after": _("after as-of") if o.date > as_of else "",
            }
        )
        prev = o.value
    cols = [
        Column("date", N_("date"), text=fmt_date),
        Column("value", N_("value"), align="right", text=fmt_num),
        Column("change", N_("change"), align="right", text=lambda v: "" if v is None else f"{v:+,.4g}"),
        Column("ratio", N_("done"), align="right", text=fmt_pct),
        Column("note", N_("note")),
        Column("source", N_("source")),
        Column("after", ""),
    ]
    title = _("observations ({unit})").format(unit=t.unit) if t.unit else _("observations")
    return Table(cols, [(None, records)], title=title)


def _revisions_table(t: Target) -> tuple[Table, list[dict[str, Any]]]:
    """Each revision: the figure as first reported, when it was revised and by how much."""
    from target_tracker.compute import revisions

    records = []
    data = []
    for r in revisions(t):
        assert r.old is not None
        records.append({"date": r.date, "old": r.old.value, "first": r.old.entered, "revised": r.new.entered,
                        "new": r.new.value, "change": r.change, "source": not_given(r.new.source)})  # fmt: skip
        data.append({"date": r.date.isoformat(), "old": r.old.value, "old_recorded": r.old.entered.isoformat(),
                     "new": r.new.value, "recorded": r.new.entered.isoformat(), "change": r.change,
                     "source": r.new.source})  # fmt: skip
    cols = [
        Column("date", N_("figure for"), text=fmt_date),
        Column("old", N_("reported"), align="right", text=fmt_num),
        Column("first", N_("recorded"), text=fmt_date),
        Column("revised", N_("revised on"), text=fmt_date),
        Column("new", N_("revised to"), align="right", text=fmt_num),
        Column("change", N_("change"), align="right", text=lambda v: "" if v is None else f"{v:+,.4g}"),
        Column("source", N_("source")),
    ]
    return Table(cols, [(None, records)], title=_("revisions")), data


def _trajectory_table(t: Target) -> Table:
    records = [
        {
            "date": w.date,
            "value": w.value,
            "share": w.share if w.share is not None else quantity_ratio(t, w.value or 0.0),
            "note": w.note or "",
        }
        for w in t.trajectory
    ]
    cols = [
        Column("date", N_("date"), text=fmt_date),
        Column("value", N_("value"), align="right", text=lambda v: "" if v is None else fmt_num(v)),
        Column("share", N_("planned share"), align="right", text=fmt_pct),
        Column("note", N_("note")),
    ]
    return Table(cols, [(None, records)], title=_("planned trajectory"))


def _stages_table(t: Target, as_of: date) -> Table:
    records = []
    for i, s in enumerate(t.stages, start=1):
        done, late = pgettext("stage", "done"), pgettext("stage", "late")
        state = done if s.done and s.done <= as_of else (late if s.planned and s.planned < as_of else "")
        records.append(
            {
                "n": i,
                "name": s.name,
                "weight": s.weight,
                "planned": s.planned,
                "done": s.done,
                "state": state,
                "note": s.note or "",
                "source": not_given(s.source) if s.done else "",
            }  # fmt: skip
        )
    cols = [
        Column("n", N_("#"), align="right"),
        Column("name", N_("stage")),
        Column("weight", N_("weight"), align="right", text=fmt_num),
        Column("planned", N_("planned"), text=fmt_date),
        Column("done", NP_("date", "done"), text=fmt_date, context="date"),
        Column("state", ""),
        Column("note", N_("note")),
        Column("source", N_("source")),
    ]
    return Table(cols, [(None, records)], title=_("stages"))


# -- what an edit did ------------------------------------------------------------


def _status_words(row: TargetStatus) -> str:
    ratio = (
        "" if row.ratio is None or row.target.kind == "maintain" else _("{ratio}, ").format(ratio=fmt_pct(row.ratio))
    )
    return _("({ratio}{status})").format(ratio=ratio, status=status_label(row.status))


def observation_effect(
    ledger: Ledger, target_id: str, day: date, replaced: float | None, revised: float | None = None
) -> str:
    """``reform-tasks: 89 -> 95 tasks (93.1%, on-track)``, as of the figure's date."""
    from target_tracker.compute import evaluate_leaf

    t = ledger.targets[target_id]
    row = evaluate_leaf(t, day, ledger.settings)
    if replaced is not None:
        before: float | None = replaced
    elif revised is not None:
        before = revised
    else:
        earlier = [o for o in t.observations if o.date < day]
        before = earlier[-1].value if earlier else None
    text = _("{id}: {before} -> {after} {status}").format(
        id=t.id,
        before=format_number(before, t.unit, with_unit=False),
        after=format_number(row.current, t.unit),
        status=_status_words(row),
    )
    if revised is not None:
        text += " " + _("(revision of the figure dated {date}; the first report stays)").format(date=fmt_date(day))
    return text


def stage_effect(ledger: Ledger, target_id: str, index: int, day: date) -> str:
    from target_tracker.compute import evaluate_leaf

    t = ledger.targets[target_id]
    row = evaluate_leaf(t, day, ledger.settings)
    stage = t.stages[index]
    return _("{id}: stage {n} '{name}' done {date} -> {done} / {total} stages {status}").format(
        id=t.id, n=index + 1, name=stage.name, date=fmt_date(day), done=row.stages_done, total=len(t.stages),
        status=_status_words(row),
    )  # fmt: skip


def field_effect(ledger: Ledger, target_id: str, field_name: str, as_of: date) -> str:
    from target_tracker.compute import evaluate

    t = ledger.targets[target_id]
    value = getattr(t, field_name, None)
    shown = fmt_date(value) if isinstance(value, date) else fmt_num(value) if isinstance(value, float | int) else value
    if isinstance(value, Source):
        shown = value.cite()
    row = evaluate(ledger, as_of).get(target_id)
    status = (
        _(", status as of {as_of}: {status}").format(as_of=fmt_date(as_of), status=status_label(row.status))
        if row
        else ""
    )
    return _("{id}: {field} = {value}{status}").format(id=t.id, field=field_name, value=shown, status=status)


def plausibility_warning(ledger: Ledger | None, target_id: str, code: str, value: float) -> str:
    """A plausibility doubt about a new figure, for the planner (not a refusal)."""
    t = ledger.targets.get(target_id) if ledger else None
    goal = fmt_num(t.target) if t else "–"
    latest = fmt_date(t.observations[-1].date) if t and t.observations else "–"
    text = {
        "twice-target": _("{value} is more than twice the target ({target}); is the unit right?"),
        "falls": _(
            "{value} makes the cumulative count fall (it does not fit between the figures dated before "
            "and after it); is the figure or the date right?"
        ),
        "old": _("the figure is more than 12 months older than the latest one ({latest}); is the date right?"),
    }[code]
    return _("warning: {id}: {text} (recorded anyway; --quiet hides this)").format(
        id=target_id, text=text.format(value=fmt_num(value), target=goal, latest=latest)
    )
