"""Edits to one target's section, spliced into the file's text.

An edit is a value (a frozen dataclass): applying it to a file's text
returns the new text and the target's data as it must read afterwards,
and never changes the edit, so the same edit can be retried on a newer
version of the file.

Each edit changes bytes only inside its target's ``[targets.ID]`` section
(or, for a new target, inserts one block). Every splice is verified before
anything is written: the section is parsed with tomllib before and after,
and the data must equal the old data with exactly this change applied.
Values are written by the one renderer, :func:`target_tracker.toml.values.render`.

The domain rules of an edit ("this kind takes no figures", "a date after the
due date needs force") are the edit's :meth:`Edit.check`, run by the write
transaction on the ledger as it would be, so every caller gets them.
"""

from __future__ import annotations

import contextlib
import copy
import math
import re
import tomllib
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from target_tracker.i18n import N_, _, format_date
from target_tracker.ledger.model import Ledger
from target_tracker.output.labels import kind_label
from target_tracker.toml.scan import (
    ScanError,
    Section,
    array_elements,
    find_section,
    inline_items,
    line_end,
    skip_space,
)
from target_tracker.toml.values import INT_MAX, INT_MIN, RenderError, render


class EditError(ValueError):
    """An edit that is refused; the message is for the planner."""


# -- what the user typed ----------------------------------------------------------------

# ASCII digits only: Python's \d and float() accept "１.５" and "١.٥", TOML does not.
_NUMBER = re.compile(r"[+-]?([0-9](?:_?[0-9])*)(\.[0-9](?:_?[0-9])*)?([eE][+-]?[0-9](?:_?[0-9])*)?", re.ASCII)


def parse_number(text: str, what: str = N_("value")) -> int | float:
    """A number typed by the user: an int when written without a point or
    exponent (within TOML's 64 bits), else a finite float."""
    what = _(what)  # the default is a message; a caller's own word (an option name) stays as it is
    t = text.strip()
    if not t:
        raise EditError(_("{what} is empty: give a number, e.g. 95 or 6.178").format(what=what))
    m = _NUMBER.fullmatch(t)
    if not m:
        raise EditError(
            _("{what} '{text}' is not a number: give digits 0-9, e.g. 95 or 6.178 (no units or commas)").format(
                what=what, text=printable(text)
            )
        )
    if m.group(2) is None and m.group(3) is None:
        digits = t.replace("_", "")
        # more than 19 digits cannot fit in 64 bits (and int() refuses 4,300)
        value = int(digits) if len(digits.lstrip("+-")) <= 20 else INT_MAX + 1
        if not INT_MIN <= value <= INT_MAX:
            raise EditError(
                _("{what} '{text}' is too large: whole numbers must lie within ±9223372036854775807").format(
                    what=what, text=t
                )
            )
        return value
    f = float(t.replace("_", ""))
    if not math.isfinite(f):
        raise EditError(_("{what} '{text}' is too large").format(what=what, text=t))
    return f


def parse_text(text: str, what: str) -> str:
    """Text typed by the user, refused if it cannot have come from a terminal:
    bytes that are not UTF-8 (Python hands them over as lone surrogates) or NUL."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        raise EditError(
            _("{what}: the text has bytes that are not UTF-8; type it again in a UTF-8 terminal").format(what=what)
        ) from None
    if "\x00" in text:
        raise EditError(_("{what}: the text holds a NUL character").format(what=what))
    return text


def printable(text: str) -> str:
    """Text safe to quote in a one-line message (control characters escaped)."""
    if text.isprintable():
        return text
    return "".join(c if c.isprintable() else repr(c)[1:-1] for c in text.encode("utf-8", "replace").decode())


def newline_of(text: str) -> str:
    """The file's newline style: CRLF if its first line ends so."""
    first = text.find("\n")
    return "\r\n" if first > 0 and text[first - 1] == "\r" else "\n"


def _indent_of(text: str, pos: int) -> str:
    ls = text.rfind("\n", 0, pos) + 1
    m = re.match(r"[ \t]*", text[ls:pos])
    return m.group(0) if m else ""


def _padded(text: str, spans: list[tuple[int, int]]) -> bool:
    """Do the neighbours write ``{ a = 1 }`` (padded) or ``{a = 1}``?"""
    if not spans:
        return True
    s, _e = spans[-1]
    return text[s + 1 : s + 2] == " "


def _parse_value(text: str) -> Any:
    return tomllib.loads(f"x = {text}\n")["x"]


# -- edits as values ----------------------------------------------------------------------


@dataclass(frozen=True)
class Spliced:
    """What an edit makes of a file's text.

    text: the whole new text; expected: the target's data as it must read
    back (None when the edit removes the target); found: what the edit saw
    on the way (e.g. ``{"replaced": 89}``); target_id: the id afterwards,
    when the edit renames the target.
    """

    text: str
    expected: dict[str, Any] | None
    found: Mapping[str, Any] = field(default_factory=dict)
    target_id: str | None = None


@dataclass(frozen=True)
class Applied:
    """A verified edit: the new text, the target's data before and after,
    and what the edit found (``replaced`` value, stage ``index`` ...)."""

    edit: Edit
    text: str
    before: dict[str, Any]
    after: dict[str, Any] | None
    found: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Edit:
    """One change to one target.

    Subclasses implement :meth:`splice` (pure: text in, :class:`Spliced`
    out) and may add domain rules in :meth:`check`.
    """

    target_id: str

    def splice(self, text: str, section: Section, data: dict[str, Any]) -> Spliced:
        """The new text. ``data`` is a fresh copy of the target's data that
        the edit may change and return as ``expected``."""
        raise NotImplementedError

    def check(self, ledger: Ledger, today: date, force: bool) -> None:
        """Refuse (EditError) if the ledger as it would be breaks a rule of this edit."""


def apply(edit: Edit, text: str) -> Applied:
    """Apply ``edit`` to the file text and verify it; raise EditError if refused.

    Every check runs here, inside the error handling: whatever goes wrong
    while locating, splicing or re-reading gives a one-line EditError.
    """
    tid = edit.target_id
    try:
        section = find_section(text, tid)
    except ScanError as e:
        raise EditError(_("cannot edit '{id}': {reason}").format(id=tid, reason=e)) from None
    try:
        before = _section_data(text, section, tid)
        spliced = edit.splice(text, section, copy.deepcopy(before))
        new_text = spliced.text
        outside_kept = new_text.startswith(text[: section.start]) and new_text.endswith(text[section.end :])
        if spliced.expected is None:
            after = None
            try:
                find_section(new_text, tid)
                ok = False
            except ScanError:
                ok = True
        else:
            new_id = spliced.target_id or tid
            after = _section_data(new_text, find_section(new_text, new_id), new_id)
            ok = after == spliced.expected
    except EditError:
        raise
    except RenderError as e:
        raise EditError(_("cannot edit '{id}': {reason}; the file is unchanged").format(id=tid, reason=e)) from None
    except tomllib.TOMLDecodeError:  # the spliced text does not read back: a layout the splicer does not know
        raise EditError(
            _(
                "cannot edit '{id}' safely: its table is laid out in a way the editor does not know (figures or "
                "stages written as [[targets.{id}.observations]] tables, say); write them as a list "
                "observations = [ {{ date = ..., value = ... }}, ] or edit by hand; the file is unchanged"
            ).format(id=tid)
        ) from None
    except (ScanError, KeyError, IndexError, TypeError, ValueError, AttributeError) as e:
        raise EditError(
            _("cannot edit '{id}' safely ({reason}); the file is unchanged").format(id=tid, reason=e)
        ) from None
    if not ok or not outside_kept:
        raise EditError(
            _("cannot edit '{id}' safely (the layout of its table is unusual); the file is unchanged").format(id=tid)
        )
    return Applied(edit, new_text, before, after, spliced.found)


def apply_all(edits: list[Edit], text: str) -> tuple[str, list[Applied]]:
    """Apply edits in order to one file's text; the text after the last, and each result."""
    done = []
    for edit in edits:
        applied = apply(edit, text)
        text = applied.text
        done.append(applied)
    return text, done


def _section_data(text: str, section: Section, tid: str) -> dict[str, Any]:
    data = tomllib.loads(text[section.start : section.end])
    return data["targets"][tid]  # type: ignore[no-any-return]


def _insert_key(text: str, section: Section, line: str) -> str:
    """Insert ``key = value`` after the target's last key line."""
    nl = newline_of(text)
    at = section.body_end
    prefix = "" if at == 0 or text[at - 1] == "\n" else nl
    return text[:at] + prefix + line + nl + text[at:]


# -- rules -------------------------------------------------------------------------------


def check_not_future(day: date, today: date, force: bool) -> None:
    """A date after today needs ``force``."""
    if day > today and not force:
        raise EditError(
            _("--date {day} is in the future; use --force if that is intended").format(day=format_date(day))
        )


def _target(ledger: Ledger, tid: str):  # type: ignore[no-untyped-def]
    t = ledger.targets.get(tid)
    if t is None:  # pragma: no cover - the transaction found it in the file
        raise EditError(_("no target '{id}' in {file}").format(id=tid, file=ledger.path))
    return t


# -- observations -----------------------------------------------------------------


@dataclass(frozen=True)
class RecordObservation(Edit):
    """Add a dated figure entered on ``recorded``. On a date that already has
    one: ``revise`` adds a revision (a new entry; the old one stays, so the
    past stays what was published), ``replace`` corrects a typo in the newest
    entry (its old value is dropped; it keeps its note, source and recorded
    date unless new ones are given). A back-dated figure goes among the
    others in date order. ``found``: ``replaced`` or ``revised`` value."""

    day: date = date.min
    value: int | float = 0
    note: str | None = None
    source: str | None = None
    replace: bool = False
    revise: bool = False
    recorded: date | None = None

    def element(self, note: str | None, source: str | None, recorded: date | None = None) -> dict[str, Any]:
        elem: dict[str, Any] = {"date": self.day, "value": self.value}
        if note:
            elem["note"] = note
        if source:
            elem["source"] = source
        if recorded:
            elem["recorded"] = recorded
        return elem

    def splice(self, text: str, section: Section, data: dict[str, Any]) -> Spliced:
        tid = self.target_id
        nl = newline_of(text)
        obs = data.get("observations")
        if obs is not None and not isinstance(obs, list):
            raise EditError(_("'{id}': observations is not a list").format(id=tid))
        new = self.element(self.note, self.source, self.recorded)
        item = section.item("observations")
        if item is None:
            if self.revise:
                raise EditError(
                    _("'{id}' has no figure dated {date} to revise").format(id=tid, date=format_date(self.day))
                )
            data["observations"] = [new]
            block = f"observations = [{nl}  {render(new)},{nl}]"
            return Spliced(_insert_key(text, section, block), data)
        assert obs is not None
        spans, close = array_elements(text, item.value_start)
        same = [k for k, old in enumerate(obs) if isinstance(old, dict) and old.get("date") == self.day]
        found: dict[str, Any] = {}
        if same:
            k = max(same, key=lambda k: (obs[k].get("recorded") or self.day, k))  # the entry in use
            old = obs[k]
            if self.replace:
                new = self.element(self.note or old.get("note"), self.source or old.get("source"), old.get("recorded"))
                obs[k] = new
                s, e = spans[k]
                new_text = text[:s] + render(new, _padded(text, spans)) + text[e:]
                return Spliced(new_text, data, {"replaced": old.get("value")})
            if not self.revise:
                raise EditError(
                    _("'{id}' already has a figure dated {date} ({value}); use --revise to record a revision "
                      "(the old entry stays) or --replace to correct a typo (drops the old value)").format(
                        id=tid, date=format_date(self.day), value=old.get("value"))
                )  # fmt: skip
            entered = old.get("recorded") or self.day
            if self.recorded is None or self.recorded <= entered:
                raise EditError(
                    _("the figure dated {date} was recorded {recorded}; a revision must be recorded later "
                      "(use --replace to correct a typo)").format(
                        date=format_date(self.day), recorded=format_date(entered))
                )  # fmt: skip
            found = {"revised": old.get("value")}
        elif self.revise:
            raise EditError(_("'{id}' has no figure dated {date} to revise").format(id=tid, date=format_date(self.day)))
        from target_tracker.edits.order import insert_before, insertion_index

        at = insertion_index(obs, self.day)
        obs.insert(at, new)
        elem = render(new, _padded(text, spans))
        if at < len(spans):  # a back-dated figure goes among the others, in date order
            return Spliced(insert_before(text, spans, at, elem, nl), data, found)
        return Spliced(_append_element(text, item.value_start, spans, close, elem), data, found)

    def check(self, ledger: Ledger, today: date, force: bool) -> None:
        check_figure(_target(ledger, self.target_id), self.day, today, force)
        check_source(ledger, self.source)


def check_source(ledger: Ledger, source: str | None) -> None:
    """With ``[settings] require_figure_source``, a figure or completion needs ``--source``."""
    if ledger.settings.require_figure_source and not (source and source.strip()):
        raise EditError(_("this ledger requires a source for every figure ([settings] require_figure_source): "
                          "give --source, e.g. --source \"Area report Nov 2021\""))  # fmt: skip


def check_figure(t: Any, day: date, today: date, force: bool) -> None:
    """A figure goes only to quantity and maintain targets; dates in the
    future or after the due date need ``force``."""
    if t.kind not in ("quantity", "maintain"):
        hint = "tracker done ID STAGE" if t.kind == "milestones" else _("its children")
        raise EditError(
            _("'{id}' is a {kind} target; it takes no figures (use {hint})").format(
                id=t.id, kind=kind_label(t.kind), hint=hint
            )
        )
    check_not_future(day, today, force)
    if t.due and day > t.due and not force:
        raise EditError(
            _("--date {day} is after the due date {due}; use --force if that is intended").format(
                day=format_date(day), due=format_date(t.due)
            )
        )


def _append_element(text: str, value_start: int, spans: list[tuple[int, int]], close: int, elem: str) -> str:
    """Add ``elem`` at the end of the array at ``value_start``, in its layout."""
    nl = newline_of(text)
    multiline = "\n" in text[value_start:close]
    if not spans:
        if multiline:
            at = line_end(text, value_start)
            return text[:at] + f"  {elem},{nl}" + text[at:]
        return text[:value_start] + f"[{nl}  {elem},{nl}]" + text[close + 1 :]
    last_s, last_e = spans[-1]
    after = skip_space(text, last_e, newlines=False)
    has_comma = after < len(text) and text[after] == ","
    if not multiline:
        return text[:last_e] + f", {elem}" + text[last_e:]
    indent = _indent_of(text, last_s)
    if "\n" not in text[last_e:close]:  # "]" on the last element's line
        at = after + 1 if has_comma else last_e
        return text[:at] + ("" if has_comma else ",") + f"{nl}{indent}{elem},{nl}" + text[at:]
    comma = "" if has_comma else ","
    at = line_end(text, last_e)
    return text[:last_e] + comma + text[last_e:at] + f"{indent}{elem},{nl}" + text[at:]


# -- stages -------------------------------------------------------------------------


def stage_index(data: dict[str, Any], ref: str, tid: str) -> int:
    """A stage by number (1-based) or by name (case-insensitive)."""
    stages = data.get("stages", [])
    names = [str(s.get("name", "")) if isinstance(s, dict) else "" for s in stages]
    if ref.isascii() and ref.isdigit():
        n = int(ref)
        if 1 <= n <= len(stages):
            return n - 1
        raise EditError(_("'{id}' has {count} stages; there is no stage {n}").format(id=tid, count=len(stages), n=n))
    matches = [i for i, name in enumerate(names) if name.casefold() == ref.casefold()]
    if not matches:
        matches = [i for i, name in enumerate(names) if ref and name.casefold().startswith(ref.casefold())]
    if len(matches) == 1:
        return matches[0]
    listing = "; ".join(f"{i + 1}. {printable(n)}" for i, n in enumerate(names))
    if not matches:
        raise EditError(_("'{id}' has no stage '{ref}': {listing}").format(id=tid, ref=printable(ref), listing=listing))
    raise EditError(
        _("'{ref}' matches several stages of '{id}': {listing}").format(ref=printable(ref), id=tid, listing=listing)
    )


@dataclass(frozen=True)
class MarkStageDone(Edit):
    """Mark a stage (by number or name) done on ``day``, with the completion's
    own ``note`` and ``source`` and when it was ``recorded`` (kept when
    ``replace`` corrects the date); ``found`` holds its ``index`` and ``name``."""

    stage: str = ""
    day: date = date.min
    replace: bool = False
    note: str | None = None  # the completion's evidence: written as the stage's note and source
    source: str | None = None
    recorded: date | None = None  # the day it was entered: stamped on a new completion only

    def splice(self, text: str, section: Section, data: dict[str, Any]) -> Spliced:
        tid = self.target_id
        item = section.item("stages")
        if item is None or text[item.value_start] != "[" or not isinstance(data.get("stages"), list):
            raise EditError(_("'{id}' has no stages list (is it a milestones target?)").format(id=tid))
        index = stage_index(data, self.stage, tid)
        stage = data["stages"][index]
        spans, _close = array_elements(text, item.value_start)
        s, _e = spans[index]
        if text[s] != "{" or not isinstance(stage, dict):
            raise EditError(_("'{id}': stage {n} is not written as {{ name = ... }}").format(id=tid, n=index + 1))
        name = str(stage.get("name", ""))
        found = {"index": index, "name": name}
        items, close = inline_items(text, s)
        old = stage.get("done")
        values = {"done": self.day, "note": self.note, "source": self.source}
        present = {it.key[0]: it for it in items if len(it.key) == 1}
        if "done" not in present and "recorded" not in present:  # a new completion: when it was entered
            values["recorded"] = self.recorded
        values = {k: v for k, v in values.items() if v}
        stage.update(values)
        if "done" in present and not self.replace:
            raise EditError(
                _("stage '{name}' of '{id}' is already done on {day}; use --replace to change the date").format(
                    name=printable(name), id=tid, day=format_date(old) if isinstance(old, date) else old
                )
            )
        added = ", ".join(f"{k} = {render(v)}" for k, v in values.items() if k not in present)
        if not items:  # "{}": a stage with nothing in it yet
            return Spliced(text[: s + 1] + f" {added} " + text[close:], data, found)
        last = items[-1].value_end
        text = text[:last] + (f", {added}" if added else "") + text[last:]
        for it in reversed(items):  # from the end, so earlier offsets stay valid
            if it.key[0] in values and len(it.key) == 1:
                text = text[: it.value_start] + render(values[it.key[0]]) + text[it.value_end :]
        return Spliced(text, data, found)

    def check(self, ledger: Ledger, today: date, force: bool) -> None:
        check_not_future(self.day, today, force)
        check_source(ledger, self.source)


# -- fields -------------------------------------------------------------------------

#: Fields `tracker set` may change, with how their value is read.
SETTABLE = {
    "title": "text", "kind": "text", "area": "text", "owner": "text", "parent": "text", "state": "text",
    "unit": "text", "notes": "text", "source": "text",
    "start": "date", "due": "date",
    "weight": "number", "baseline": "number", "target": "number", "at_least": "number", "at_most": "number",
}  # fmt: skip


@dataclass(frozen=True)
class SetField(Edit):
    """Set one key of the target's own table to ``value`` (text, number or date)."""

    name: str = ""
    value: Any = None

    def splice(self, text: str, section: Section, data: dict[str, Any]) -> Spliced:
        data[self.name] = self.value
        rendered = render(self.value)
        item = section.item(self.name)
        if item is None:
            return Spliced(_insert_key(text, section, f"{self.name} = {rendered}"), data)
        return Spliced(text[: item.value_start] + rendered + text[item.value_end :], data)


def field_value(name: str, raw: str, parse_day: Callable[[str], date]) -> Any:
    """What the user typed for FIELD, as the value to store, or refuse."""
    from target_tracker.suggest import did_you_mean

    kind = SETTABLE.get(name)
    if kind is None:
        raise EditError(
            _("cannot set '{name}'{tip}; fields: {fields}").format(
                name=printable(name), tip=did_you_mean(name, SETTABLE), fields=", ".join(SETTABLE)
            )
        )
    if name == "title" and not raw.strip():
        raise EditError(_("title is empty: a target needs a title"))
    if kind == "number":
        return parse_number(raw, name)
    if kind == "date":
        return parse_day(raw)
    return parse_text(raw, name)


# -- new targets ----------------------------------------------------------------------


def new_target_block(tid: str, fields: list[tuple[str, Any]], stages: list[dict[str, Any]], nl: str) -> str:
    """A new ``[targets.ID]`` section in the ledger's usual layout."""
    try:
        lines = [f"[targets.{tid}]"] + [f"{k} = {render(v)}" for k, v in fields]
        if stages:
            lines.append("stages = [")
            lines += [f"  {render(s)}," for s in stages]
            lines.append("]")
    except RenderError as e:
        raise EditError(_("cannot add '{id}': {reason}").format(id=tid, reason=e)) from None
    return nl.join(lines) + nl


def insert_target(text: str, tid: str, block: str, after: str | None) -> str:
    """Insert a new section after target ``after`` (same area), else at the
    end, and verify the splice: every old byte kept, only blank lines added
    around the block, and the new section reads back as the block's data."""
    nl = newline_of(text)
    at = len(text)
    if after is not None:
        with contextlib.suppress(ScanError):
            at = find_section(text, after).end
    head, tail = text[:at], text[at:]
    lead = ("" if not head or head.endswith("\n") else nl) + (nl if head.strip() else "")
    trail = nl if tail and not tail.startswith(("\n", "\r\n")) else ""
    inserted = lead + block + trail
    new_text = head + inserted + tail
    try:
        section = find_section(new_text, tid)
        ok = (
            at <= section.start
            and section.end <= at + len(inserted)
            and _section_data(new_text, section, tid) == tomllib.loads(block)["targets"][tid]
        )
    except (ScanError, tomllib.TOMLDecodeError, KeyError):
        ok = False
    if not ok:
        raise EditError(_("cannot add '{id}' safely; the file is unchanged").format(id=tid))
    return new_text


__all__ = [
    "SETTABLE",
    "Applied",
    "Edit",
    "EditError",
    "MarkStageDone",
    "RecordObservation",
    "SetField",
    "Spliced",
    "apply",
    "apply_all",
    "check_figure",
    "check_not_future",
    "check_source",
    "field_value",
    "insert_target",
    "new_target_block",
    "newline_of",
    "parse_number",
    "parse_text",
    "printable",
    "stage_index",
]
