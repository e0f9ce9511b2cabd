"""Check the returned forms against the ledger and turn every filled row into
the edit ``tracker update`` or ``tracker done`` would make, applied together
as one transaction. All or nothing: every problem is collected first.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

from target_tracker.dates import DateError, parse_month
from target_tracker.edits.operations import Edit, EditError, MarkStageDone, RecordObservation, parse_number
from target_tracker.forms.layout import figure_bounds, open_stages, stage_bounds, takes_figure
from target_tracker.forms.reader import FilledForm, FilledRow, FormProblem, date_of, number_text
from target_tracker.i18n import _, format_date, format_month, ngettext, pgettext
from target_tracker.ledger.load import FileCache
from target_tracker.ledger.model import Ledger, Target
from target_tracker.output.labels import kind_label
from target_tracker.suggest import did_you_mean

if TYPE_CHECKING:
    from target_tracker.edits.transaction import Change


@dataclass(frozen=True, slots=True)
class Entry:
    """One figure (``value`` set; ``value_text`` as shown in messages) or one
    stage completion (``stage`` set) to record."""

    where: str
    owner: str
    target_id: str
    day: date
    value_text: str | None = None
    value: int | float = 0
    stage: int | None = None  # 1-based
    note: str | None = None
    source: str | None = None

    def edit(self, today: date) -> Edit:
        """The edit ``tracker update``/``done`` would make on ``today`` (stamped ``recorded = today``)."""
        if self.stage is not None:
            return MarkStageDone(self.target_id, stage=str(self.stage), day=self.day, note=self.note,
                                 source=self.source, recorded=today)  # fmt: skip
        return RecordObservation(self.target_id, day=self.day, value=self.value, note=self.note,
                                 source=self.source, recorded=today)  # fmt: skip


@dataclass(frozen=True)
class ImportPlan:
    """What an import will do. ``already``: rows the ledger already holds
    (same date and value), left as they are; ``missing``: per owner, the
    targets that take a figure this month and got none; ``no_form``: owners
    with such targets whose form did not come back."""

    month: str
    entries: tuple[Entry, ...] = ()
    already: tuple[Entry, ...] = ()
    problems: tuple[FormProblem, ...] = ()
    departments: tuple[str, ...] = ()
    missing: dict[str, list[str]] = field(default_factory=dict)
    no_form: tuple[str, ...] = ()
    notes: tuple[tuple[str, str], ...] = ()  # (id, note) of rows with a note but no figure
    #: Figures that look like mistakes, by the rules of ``tracker update`` (codes of
    #: :func:`~target_tracker.compute.implausible`): recorded all the same, and told.
    doubts: tuple[tuple[Entry, str], ...] = ()

    @property
    def figures(self) -> int:
        return sum(1 for e in self.entries if e.stage is None)

    @property
    def stages(self) -> int:
        return sum(1 for e in self.entries if e.stage is not None)

    @property
    def contributors(self) -> tuple[str, ...]:
        """The departments whose forms gave at least one figure or stage to record."""
        return tuple(dict.fromkeys(e.owner for e in self.entries))

    @property
    def empty_forms(self) -> tuple[str, ...]:
        """Departments whose form came back with nothing filled in."""
        filled = {e.owner for e in self.entries + self.already}
        return tuple(o for o in self.departments if o not in filled)


def plan_import(ledger: Ledger, forms: Sequence[FilledForm], today: date, month: str | None = None) -> ImportPlan:
    """Check every form and row; the plan lists every problem found, or the entries to record."""
    problems: list[FormProblem] = [p for f in forms for p in f.problems]
    readable = [f for f in forms if not f.problems]
    month = month or _common_month(readable) or ""
    try:
        first, last = parse_month(month)
    except DateError:
        first, last = date.min, date.min  # no form could be read: nothing to check against
    owners = {t.owner for t in ledger.targets.values()}
    checker = _RowChecker(ledger, today, problems)
    for form in readable:
        if form.month != month:
            problems.append(FormProblem(form.where(), _("this form is for {month}, not {expected}").format(
                month=month_words(form.month), expected=month_words(month))))  # fmt: skip
            continue
        if form.ledger != ledger.title:
            problems.append(FormProblem(form.where(), _("this form is for the ledger '{form}', not '{ledger}'").format(
                form=form.ledger, ledger=ledger.title)))  # fmt: skip
            continue
        if form.owner not in owners:
            problems.append(FormProblem(form.where(), _("this form is for '{owner}', who owns no target in the "
                                                        "ledger").format(owner=form.owner)))  # fmt: skip
            continue
        for row in form.rows:
            checker.row(form, row, first, last)
    departments = tuple(dict.fromkeys(f.owner for f in readable))
    plan = ImportPlan(month, tuple(checker.entries), tuple(checker.already), tuple(problems), departments,
                      notes=tuple(checker.notes))  # fmt: skip
    if problems:
        return plan
    return replace(_with_missing(plan, ledger, first, last), doubts=_doubts(ledger, plan.entries))


def _doubts(ledger: Ledger, entries: Sequence[Entry]) -> tuple[tuple[Entry, str], ...]:
    """Each figure's plausibility doubts, against the ledger before the import."""
    from target_tracker.compute import implausible

    return tuple((e, code) for e in entries if e.stage is None
                 for code in implausible(ledger.targets[e.target_id], e.day, e.value))  # fmt: skip


def _common_month(forms: Sequence[FilledForm]) -> str | None:
    counts = Counter(f.month for f in forms)
    return counts.most_common(1)[0][0] if counts else None


def _with_missing(plan: ImportPlan, ledger: Ledger, first: date, last: date) -> ImportPlan:
    got = {e.target_id for e in plan.entries + plan.already}
    missing: dict[str, list[str]] = {}
    expected_owners: list[str] = []
    for t in ledger.targets.values():
        if open_stages(t, last):
            expected_owners.append(t.owner)
        if not takes_figure(t, first, last):
            continue
        expected_owners.append(t.owner)
        if t.id in got or any(first <= o.date <= last for o in t.observations):
            continue
        missing.setdefault(t.owner, []).append(t.id)
    no_form = tuple(o for o in dict.fromkeys(expected_owners) if o not in plan.departments)
    return ImportPlan(plan.month, plan.entries, plan.already, plan.problems, plan.departments, missing, no_form,
                      plan.notes)  # fmt: skip


_STAGE = re.compile(r"^\s*(\d+)\s*[.、．]\s*(.*?)\s*$", re.S)


class _RowChecker:
    def __init__(self, ledger: Ledger, today: date, problems: list[FormProblem]) -> None:
        self.ledger = ledger
        self.today = today
        self.problems = problems
        self.entries: list[Entry] = []
        self.already: list[Entry] = []
        self.notes: list[tuple[str, str]] = []
        self.seen: dict[tuple[str, object], Entry] = {}  # (id, date) or (id, stage) -> first entry

    def fail(self, form: FilledForm, ref: str, message: str) -> None:
        self.problems.append(FormProblem(form.where(ref), message))

    def row(self, form: FilledForm, row: FilledRow, first: date, last: date) -> None:
        c = row.cells
        tid = row.text("id")
        if not tid:
            self.fail(form, c["id"].ref, _("a figure on a row without an id: keep figures on their target's row"))
            return
        t = self.ledger.targets.get(tid)
        if t is None:
            tip = did_you_mean(tid, self.ledger.targets)
            self.fail(
                form, c["id"].ref, _("unknown id '{id}'{tip}: the ids must not be edited").format(id=tid, tip=tip)
            )
            return
        if t.owner != form.owner:
            self.fail(form, c["id"].ref, _("'{id}' belongs to '{owner}', not to this form's owner '{form}'").format(
                id=tid, owner=t.owner, form=form.owner))  # fmt: skip
            return
        stage = self._stage(form, row, t)
        if stage is False:
            return
        issued_title = (form.issued or {}).get((tid, stage or None), None) if form.issued is not None else t.title
        if issued_title is None or row.text("title") != issued_title.strip():
            message = _(
                "the id '{id}' does not belong to the target on this row ('{title}'): the ids must not be edited"
            )
            self.fail(form, c["id"].ref, message.format(id=tid, title=row.text("title")))
            return
        note = row.text("note") or None
        source = row.text("source") or None
        if stage:
            self._stage_row(form, row, t, stage, note, source, last)
        else:
            self._figure_row(form, row, t, note, source, first, last)

    def _stage(self, form: FilledForm, row: FilledRow, t: Target) -> int | bool | None:
        """The row's stage number, None for a figure row, False after a problem."""
        text = row.text("stage")
        ref = row.cells["stage"].ref
        if not text:
            if t.kind == "milestones" and not all(row.cells[k].empty for k in ("value", "date")):
                self.fail(form, ref, _("'{id}' is a milestones target: fill in the rows of its stages").format(id=t.id))
                return False
            return None
        if t.kind != "milestones":
            self.fail(form, ref, _("'{id}' takes figures, not stages").format(id=t.id))
            return False
        m = _STAGE.match(text)
        names = [s.name.strip() for s in t.stages]
        if m and 1 <= int(m.group(1)) <= len(names) and names[int(m.group(1)) - 1] == m.group(2):
            return int(m.group(1))
        name = m.group(2) if m else text
        if names.count(name) == 1:
            return names.index(name) + 1
        self.fail(form, ref, _("'{id}' has no stage '{stage}'; the stage column must not be edited").format(
            id=t.id, stage=text))  # fmt: skip
        return False

    def _stage_row(self, form: FilledForm, row: FilledRow, t: Target, n: int, note: str | None,
                   source: str | None, last: date) -> None:  # fmt: skip
        c = row.cells
        if not c["value"].empty:
            self.fail(form, c["value"].ref, _("a stage takes the date it was completed, not a figure"))
            return
        if c["date"].empty:
            if note:
                self.notes.append((t.id, note))
            return
        day = self._date(
            form, row, *stage_bounds(t, last), what=_("the end of {month}").format(month=month_words(form.month))
        )
        if day is None:
            return
        entry = Entry(form.where(c["date"].ref), t.owner, t.id, day, stage=n, note=note, source=source)
        done = t.stages[n - 1].done
        if done is not None:
            if done == day:
                self.already.append(entry)
            else:
                msg = _("stage {n} of '{id}' is already done on {done} in the ledger; the form says {day}")
                self.fail(form, c["date"].ref, msg.format(n=n, id=t.id, done=format_date(done), day=format_date(day)))
            return
        if not self._has_source(form, row, source):
            return
        key = (t.id, ("stage", n))
        first_seen = self.seen.get(key)
        if first_seen is not None:
            if first_seen.day != day:
                msg = _("stage {n} of '{id}' is done on {day} here but on {other} at {where}")
                other, where = format_date(first_seen.day), first_seen.where
                self.fail(form, c["date"].ref, msg.format(n=n, id=t.id, day=format_date(day), other=other, where=where))
            return
        self.seen[key] = entry
        self.entries.append(entry)

    def _figure_row(self, form: FilledForm, row: FilledRow, t: Target, note: str | None, source: str | None,
                    first: date, last: date) -> None:  # fmt: skip
        c = row.cells
        if c["value"].empty:
            if note:
                self.notes.append((t.id, note))
            return
        if t.kind not in ("quantity", "maintain"):
            self.fail(form, c["value"].ref, _("'{id}' is a {kind} target; it takes no figures").format(
                id=t.id, kind=kind_label(t.kind)))  # fmt: skip
            return
        value: int | float = 0
        try:
            value_text, percent = number_text(c["value"])
            value = parse_number(value_text)  # as `tracker update ID VALUE` reads VALUE
        except (ValueError, EditError) as e:  # number_text gives `tracker update`'s message
            self.fail(form, c["value"].ref, str(e))
            value_text = None
        if value_text is not None and percent and t.unit.strip() != "%":
            msg = _("value '{value}' is a percentage, but '{id}' is counted in '{unit}'")
            self.fail(form, c["value"].ref, msg.format(value=row.text("value"), id=t.id, unit=t.unit))
            value_text = None
        if c["date"].empty:
            self.fail(form, c["date"].ref, _("the figure has no date"))
            return
        lo, hi = figure_bounds(t, first, last)
        day = self._date(
            form, row, lo, hi, due=t.due, what=_("the end of {month}").format(month=month_words(form.month))
        )
        if day is None or value_text is None:
            return
        entry = Entry(form.where(c["value"].ref), t.owner, t.id, day, value_text, value, note=note, source=source)
        old = next((o for o in t.observations if o.date == day), None)
        if old is not None:
            if old.value == value:
                self.already.append(entry)
            else:
                self.fail(form, c["value"].ref, _("'{id}' already has a figure dated {day} in the ledger ({old}); "
                                                  "the form says {new}").format(
                    id=t.id, day=format_date(day), old=_num(old.value), new=value_text))  # fmt: skip
            return
        if not self._has_source(form, row, source):
            return
        key = (t.id, day)
        first_seen = self.seen.get(key)
        if first_seen is not None:
            if first_seen.value != value:
                msg = _("'{id}' on {day}: {value} here but {other} at {where}")
                other, where = first_seen.value_text, first_seen.where
                self.fail(
                    form,
                    c["value"].ref,
                    msg.format(id=t.id, day=format_date(day), value=value_text, other=other, where=where),
                )
            return
        self.seen[key] = entry
        self.entries.append(entry)

    def _has_source(self, form: FilledForm, row: FilledRow, source: str | None) -> bool:
        """As ``update`` and ``done`` refuse without --source when the ledger requires one."""
        if source or not self.ledger.settings.require_figure_source:
            return True
        message = _(
            "this ledger requires a source for every figure ([settings] require_figure_source): fill in the source"
        )
        self.fail(form, row.cells["source"].ref, message)
        return False

    def _date(self, form: FilledForm, row: FilledRow, lo: date, hi: date, *, what: str,
              due: date | None = None) -> date | None:  # fmt: skip
        cell = row.cells["date"]
        try:
            day = date_of(cell)
        except ValueError as e:
            self.fail(form, cell.ref, str(e))
            return None
        if day > self.today:
            message = _("date {day} is in the future").format(day=format_date(day))
        elif due is not None and day > due:
            message = _("date {day} is after the due date {due}").format(day=format_date(day), due=format_date(due))
        elif day > hi:
            message = _("date {day} is after {end}").format(day=format_date(day), end=what)
        elif day < lo:
            message = _("date {day} is out of range: give a date from {first} to {last}").format(
                day=format_date(day), first=format_date(lo), last=format_date(hi))  # fmt: skip
        else:
            return day
        self.fail(form, cell.ref, message)
        return None


def month_words(month: str | None) -> str:
    """'2021-11' as people read it (November 2021, 2021年11月); other text as it is."""
    try:
        first, _last = parse_month(month or "")
    except DateError:
        return month or "?"
    return format_month(first.year, first.month)


def _num(v: float) -> str:
    from target_tracker.output.views import fmt_num

    return fmt_num(v)


# -- applying ----------------------------------------------------------------------------------


class Refused(EditError):
    """The forms have problems (listed in ``plan.problems``); nothing was written."""

    def __init__(self, plan: ImportPlan) -> None:
        super().__init__(_("the forms have problems; nothing was written"))
        self.plan = plan


def import_forms(
    main: Path,
    read_forms: Callable[[], Sequence[FilledForm]],
    today: date,
    month: str | None = None,
    *,
    dry_run: bool = False,
    cache: FileCache | None = None,
    on_load: Callable[[Ledger], object] | None = None,
) -> tuple[ImportPlan, list[Change]]:
    """Check the forms against the ledger and record every entry as one edit.

    Under the ledger's lock: the ledger is read once (from the cache when it
    has not changed) and the plan made on exactly that version; every file
    that changes is spliced in one pass, the whole ledger validated once, and
    the result verified against the ledger before plus exactly these entries;
    then each changed file is written atomically. ``on_load`` sees the ledger
    as read (the CLI takes its language from it) before ``read_forms`` is
    called, once. Raise :class:`Refused` with the plan when any row is wrong,
    EditError when the edit is refused.
    """
    from target_tracker.edits.batch import check_models, header_offsets, splice_all
    from target_tracker.edits.operations import Applied
    from target_tracker.edits.transaction import commit_plan, ledger_files
    from target_tracker.ledger.checks import load_and_check

    state: dict[str, Any] = {}

    def plan_files(
        main_path: Path, main_text: str, read: Callable[[Path], str]
    ) -> dict[Path, tuple[str, tuple[Applied, ...]]]:
        texts = {f: main_text if f == main_path else read(f) for f in ledger_files(main_path, main_text)}
        overrides = {p.resolve(): t for p, t in texts.items()}
        result, problems = load_and_check(main, cache=cache, overrides=overrides)
        errors = [p for p in problems if p.severity == "error"]
        if result.ledger is None or errors:
            raise EditError(_("{problem} (run 'tracker check' to see every problem); nothing was written").format(
                problem=(errors or problems)[0]))  # fmt: skip
        if on_load is not None:
            on_load(result.ledger)
        if "forms" not in state:
            state["forms"] = read_forms()
        plan = plan_import(result.ledger, state["forms"], today, month)
        if plan.problems:
            raise Refused(plan)
        edits = [e.edit(today) for e in plan.entries]
        state.update(before=result.ledger, plan=plan, edits=edits)
        holder: dict[str, Path] = {}
        for path, text in texts.items():
            for _pos, tid in header_offsets(text):
                holder.setdefault(tid, path)
        by_file: dict[Path, list[Edit]] = {}
        for edit in edits:
            where = holder.get(edit.target_id)
            if where is None:
                raise EditError(_("no target '{id}' in {file}").format(id=edit.target_id, file=main))
            by_file.setdefault(where, []).append(edit)
        return {p: (splice_all(es, texts[p], fast=True), ()) for p, es in by_file.items()}

    def confirm(after: Ledger) -> None:
        check_models(state["before"], after, state["edits"])

    result = commit_plan(main, plan_files, dry_run=dry_run, confirm=confirm, cache=cache)
    return state["plan"], [c for c in result.changes if c.new != c.old]


def summary_lines(plan: ImportPlan, *, dry_run: bool = False) -> list[str]:
    """What was recorded, and whom to chase."""
    month = month_words(plan.month)
    listed = pgettext("list", ", ")  # 、 in Chinese
    parts = []
    if plan.figures or not plan.stages:
        parts.append(ngettext("{n} figure", "{n} figures", plan.figures).format(n=plan.figures))
    if plan.stages:
        parts.append(ngettext("{n} stage", "{n} stages", plan.stages).format(n=plan.stages))
    what = _("{figures} and {stages}").format(figures=parts[0], stages=parts[1]) if len(parts) == 2 else parts[0]
    n = len(plan.contributors)
    depts = ngettext("{n} department", "{n} departments", n).format(n=n)
    head = _("would record {what} for {month} from {departments}") if dry_run else _(
        "recorded {what} for {month} from {departments}")  # fmt: skip
    lines = [head.format(what=what, departments=depts, month=month)]
    if plan.empty_forms:
        lines.append(_("returned with nothing filled in: {owners}").format(
            owners=listed.join(o or _("no owner") for o in plan.empty_forms)))  # fmt: skip
    if plan.already:
        lines.append(ngettext("{n} row was already in the ledger (same date and value); left as it is",
                              "{n} rows were already in the ledger (same date and value); left as they are",
                              len(plan.already)).format(n=len(plan.already)))  # fmt: skip
    n_missing = sum(len(v) for v in plan.missing.values())
    if n_missing:
        lines.append(ngettext("{n} target got no figure for {month}:", "{n} targets got no figure for {month}:",
                              n_missing).format(n=n_missing, month=month))  # fmt: skip
        for owner, ids in plan.missing.items():
            lines.append("  " + _("{owner}: {ids}").format(owner=owner or _("no owner"), ids=listed.join(ids)))
    else:
        lines.append(_("every target that takes a figure has one for {month}").format(month=month))
    if plan.no_form:
        lines.append(
            _("no form back from: {owners}").format(owners=listed.join(o or _("no owner") for o in plan.no_form))
        )
    if plan.notes:
        lines.append(_("notes without a figure:"))
        lines += ["  " + _("{id}: {note}").format(id=tid, note=note) for tid, note in plan.notes]
    return lines
