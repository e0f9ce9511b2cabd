"""What a department's form holds: one row per target that takes a figure this
month, one row per open stage of its milestones targets. Pure functions of the
ledger and the month; the writer and reader share the column layout below.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import date
from typing import Any

from target_tracker.compute import evaluate
from target_tracker.dates import add_months
from target_tracker.i18n import NP_, _, format_date, pgettext
from target_tracker.ledger.model import Ledger, Target

FORMAT_VERSION = 1
#: A figure may be dated up to this many months before the form's month (late statistics).
LOOKBACK_MONTHS = 3


@dataclass(frozen=True, slots=True)
class Column:
    """One column of the form; ``fill`` marks the cells a department fills in."""

    key: str
    header: str  # English, marked with NP_ and translated by header() when written
    width: float
    fill: bool = False


# widths sum to ~150 without the id: printed one page wide on A4 landscape, text stays ~8 pt
COLUMNS: tuple[Column, ...] = (
    Column("id", NP_("form column", "id (do not edit)"), 16),  # hidden in an outline group (one click shows it)
    Column("title", NP_("form column", "target"), 24),
    Column("stage", NP_("form column", "stage"), 10),
    Column("unit", NP_("form column", "unit"), 7),
    Column("target", NP_("form column", "target or bound"), 9),
    Column("due", NP_("form column", "due"), 10),
    Column("latest", NP_("form column", "latest figure"), 8),
    Column("latest_date", NP_("form column", "dated"), 10),
    Column("done", NP_("form column", "done"), 7),
    Column("expected", NP_("form column", "expected"), 8),
    Column("status", NP_("form column", "status"), 9),
    Column("value", NP_("form column", "figure this month"), 9, fill=True),
    Column("date", NP_("form column", "date of the figure / stage done"), 10, fill=True),
    Column("note", NP_("form column", "note: progress, reasons, measures"), 20, fill=True),
    Column("source", NP_("form column", "source (document)"), 14, fill=True),
)
KEYS = tuple(c.key for c in COLUMNS)


def header(c: Column) -> str:
    """The column's heading in the interface language."""
    return pgettext("form column", c.header)


COL = {c.key: i + 1 for i, c in enumerate(COLUMNS)}  # 1-based, as spreadsheets count


def column_letter(key: str) -> str:
    n, out = COL[key], ""
    while n:
        n, r = divmod(n - 1, 26)
        out = chr(65 + r) + out
    return out


@dataclass(frozen=True, slots=True)
class FormRow:
    """One line of a form. ``stage`` (1-based number and name) is set on the
    rows of a milestones target's open stages; ``prefill`` is the date written
    in the date cell; ``earliest``/``latest_day`` bound the date a department may give."""

    target_id: str
    title: str
    unit: str
    target_text: str  # target value, bound ('≥ 80') or a stage's planned date
    target_value: float | None
    due: date | None
    latest: float | None
    latest_date: date | None
    done: float | None
    expected: float | None
    status: str
    earliest: date
    latest_day: date
    prefill: date | None = None
    stage_number: int | None = None
    stage_name: str | None = None


@dataclass(frozen=True, slots=True)
class Form:
    """One department's form for one month."""

    ledger_title: str
    owner: str
    month: str  # YYYY-MM
    first: date
    last: date
    rows: tuple[FormRow, ...]

    @property
    def figures(self) -> int:
        return sum(1 for r in self.rows if r.stage_number is None)

    @property
    def stages(self) -> int:
        return sum(1 for r in self.rows if r.stage_number is not None)


def takes_figure(t: Target, first: date, last: date) -> bool:
    """An active quantity or maintain target running during the month."""
    if t.state != "active" or t.kind not in ("quantity", "maintain"):
        return False
    started = t.start is None or t.start <= last
    return started and (t.due is None or t.due >= first)


def open_stages(t: Target, last: date) -> list[int]:
    """Indexes of the stages not done yet of an active, started milestones target."""
    if t.state != "active" or t.kind != "milestones" or (t.start is not None and t.start > last):
        return []
    return [i for i, s in enumerate(t.stages) if s.done is None]


def figure_bounds(t: Target, first: date, last: date) -> tuple[date, date]:
    """The dates a figure on this month's form may carry."""
    lo = add_months(first, -LOOKBACK_MONTHS)
    if t.start is not None and t.start > lo:
        lo = t.start
    hi = last if t.due is None or t.due > last else t.due
    return lo, hi


def stage_bounds(t: Target, last: date) -> tuple[date, date]:
    return (t.start or date(2000, 1, 1)), last


def _target_text(t: Target) -> tuple[str, float | None]:
    from target_tracker.output.views import bound_text, fmt_num

    if t.kind == "quantity":
        return fmt_num(t.target), t.target
    return bound_text(t), None


def build_forms(ledger: Ledger, first: date, last: date, owners: list[str] | None = None) -> list[Form]:
    """One form per owner (in order of first appearance in the ledger), each
    listing the owner's targets that take a figure or have open stages."""
    ev = evaluate(ledger, last)
    by_id = {row.target.id: row for row in ev.rows}
    month = f"{first.year:04d}-{first.month:02d}"
    rows_of: dict[str, list[FormRow]] = {}
    for t in ledger.targets.values():
        if owners is not None and t.owner not in owners:
            continue
        st = by_id.get(t.id)

        def row(**fields: Any) -> FormRow:
            return FormRow(
                target_id=t.id, title=t.title, due=t.due, status=st.status if st else "",  # noqa: B023
                done=st.ratio if st and t.kind != "maintain" else None,  # noqa: B023
                expected=st.expected if st else None, **fields,  # noqa: B023
            )  # fmt: skip

        if takes_figure(t, first, last):
            text, value = _target_text(t)
            lo, hi = figure_bounds(t, first, last)
            latest = st.latest if st else None
            rows_of.setdefault(t.owner, []).append(
                row(unit=t.unit, target_text=text, target_value=value, latest=latest.value if latest else None,
                    latest_date=latest.date if latest else None, earliest=lo, latest_day=hi, prefill=hi)
            )  # fmt: skip
            continue
        for i in open_stages(t, last):
            s = t.stages[i]
            lo, hi = stage_bounds(t, last)
            planned = _("planned {date}").format(date=format_date(s.planned)) if s.planned else ""
            rows_of.setdefault(t.owner, []).append(
                row(unit=_("stage"), target_text=planned, target_value=None, latest=None, latest_date=None,
                    earliest=lo, latest_day=hi, stage_number=i + 1, stage_name=s.name)
            )  # fmt: skip
    return [Form(ledger.title, owner, month, first, last, tuple(rows)) for owner, rows in rows_of.items()]


def owners_of(ledger: Ledger) -> list[str]:
    """Every owner named in the ledger, in order of first appearance."""
    return list(dict.fromkeys(t.owner for t in ledger.targets.values()))


# -- file names ------------------------------------------------------------------------

_UNSAFE = re.compile(r'[\x00-\x1f\x7f<>:"/\\|?*]+')
_RESERVED = {"CON", "PRN", "AUX", "NUL", *(f"COM{i}" for i in range(1, 10)), *(f"LPT{i}" for i in range(1, 10))}


def safe_file_name(owner: str) -> str:
    """A file name (no extension) that works on Windows, macOS and Linux;
    Chinese and other letters are kept, only characters no system allows go."""
    name = unicodedata.normalize("NFC", owner)
    name = _UNSAFE.sub("_", name).strip(" .")
    name = re.sub(r"\s+", " ", name)
    if len(name.encode("utf-8")) > 180:  # file systems allow 255 bytes; leave room for a suffix
        name = name.encode("utf-8")[:180].decode("utf-8", "ignore").rstrip(" .")
    if not name:
        name = _("no owner") if not owner.strip() else "_"
    if name.split(".")[0].upper() in _RESERVED:
        name = "_" + name
    return name


def file_names(owners: list[str]) -> dict[str, str]:
    """A distinct safe file name per owner (a case-insensitive file system may hold them)."""
    out: dict[str, str] = {}
    seen: set[str] = set()
    for owner in owners:
        base = name = safe_file_name(owner)
        k = 2
        while name.casefold() in seen:
            name = f"{base}-{k}"
            k += 1
        seen.add(name.casefold())
        out[owner] = name
    return out
