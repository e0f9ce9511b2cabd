"""Edits to one target's section, spliced into the file's text.

Each edit changes bytes only inside its target's ``[targets.ID]`` section
(or, for a new target, inserts one block). Every splice is verified before
anything is written: the section is parsed with tomllib before and after,
and the data must equal the old data with exactly this change applied.
"""

from __future__ import annotations

import contextlib
import copy
import math
import re
import tomllib
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from target_tracker.i18n import _, ngettext
from target_tracker.toml.scan import (
    ScanError,
    Section,
    array_elements,
    find_section,
    inline_items,
    inline_table,
    line_end,
    skip_space,
    toml_number,
    toml_string,
)


class EditError(ValueError):
    """An edit that is refused; the message is for the planner."""


_NUMBER = re.compile(r"^[+-]?(\d[\d_]*)(\.\d+)?([eE][+-]?\d+)?$")


def parse_number(text: str, what: str | None = None) -> tuple[float, str]:
    """A finite number typed by the user -> (value, TOML text); ``what`` names it (default: value)."""
    what = _("value") if what is None else what
    t = text.strip()
    if not t:
        raise EditError(_("{what} is empty: give a number, e.g. 95 or 6.178").format(what=what))
    if not _NUMBER.match(t):
        raise EditError(_("{what} '{text}' is not a number: give digits, e.g. 95 or 6.178 (no units or commas)").format(
            what=what, text=text))  # fmt: skip
    value = float(t.replace("_", ""))
    if not math.isfinite(value):
        raise EditError(_("{what} '{text}' is too large").format(what=what, text=text))
    return value, toml_number(t)


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
    s, _ = spans[-1]
    return text[s + 1 : s + 2] == " "


def _parse_value(text: str) -> Any:
    return tomllib.loads(f"x = {text}\n")["x"]


@dataclass
class Edit:
    """One change to one target. Subclasses splice text and say what the
    target's data must look like afterwards."""

    target_id: str

    def splice(self, text: str, section: Section) -> str:
        raise NotImplementedError

    def expect(self, data: dict[str, Any]) -> None:
        raise NotImplementedError


def apply(edit: Edit, text: str) -> str:
    """Apply ``edit`` to the file text and verify it; raise EditError if refused."""
    tid = edit.target_id
    try:
        section = find_section(text, tid)
    except ScanError as e:
        raise EditError(_("cannot edit '{id}': {error}").format(id=tid, error=e)) from None
    before = _section_data(text, section, tid)
    new_text = edit.splice(text, section)
    expected = copy.deepcopy(before)
    edit.expect(expected)
    try:
        new_section = find_section(new_text, tid)
        after = _section_data(new_text, new_section, tid)
    except (ScanError, tomllib.TOMLDecodeError) as e:
        raise EditError(
            _("cannot edit '{id}' safely ({error}); the file is unchanged").format(id=tid, error=e)
        ) from None
    outside_kept = new_text.startswith(text[: section.start]) and new_text.endswith(text[section.end :])
    if after != expected or not outside_kept:
        raise EditError(
            _("cannot edit '{id}' safely (the layout of its table is unusual); the file is unchanged").format(id=tid)
        )
    return new_text


def _section_data(text: str, section: Section, tid: str) -> dict[str, Any]:
    data = tomllib.loads(text[section.start : section.end])
    return data["targets"][tid]  # type: ignore[no-any-return]


def _insert_key(text: str, section: Section, line: str) -> str:
    """Insert ``key = value`` after the target's last key line."""
    nl = newline_of(text)
    at = section.body_end
    prefix = "" if at == 0 or text[at - 1] == "\n" else nl
    return text[:at] + prefix + line + nl + text[at:]


# -- observations -----------------------------------------------------------------


@dataclass
class RecordObservation(Edit):
    """Add a dated figure, or with ``replace`` change the one on that date."""

    day: date = date.min
    value_text: str = "0"
    note: str | None = None
    source: str | None = None
    replace: bool = False
    replaced: Any = field(default=None, init=False)  # the old value, when replaced

    def element(self, padded: bool) -> str:
        pairs = [("date", self.day.isoformat()), ("value", self.value_text)]
        if self.note:
            pairs.append(("note", toml_string(self.note)))
        if self.source:
            pairs.append(("source", toml_string(self.source)))
        return inline_table(pairs, padded)

    def splice(self, text: str, section: Section) -> str:
        nl = newline_of(text)
        item = section.item("observations")
        if item is None:
            block = f"observations = [{nl}  {self.element(True)},{nl}]"
            return _insert_key(text, section, block)
        if text[item.value_start] != "[":
            raise EditError(_("'{id}': observations is not a list").format(id=self.target_id))
        spans, close = array_elements(text, item.value_start)
        for s, e in spans:
            old = _parse_value(text[s:e])
            if isinstance(old, dict) and old.get("date") == self.day:
                if not self.replace:
                    raise EditError(
                        _("'{id}' already has a figure dated {date} ({value}); use --replace to change it").format(
                            id=self.target_id, date=self.day, value=old.get("value")
                        )
                    )
                self.replaced = old.get("value")
                # a corrected figure keeps its note and source unless new ones are given
                self.note = self.note or old.get("note")
                self.source = self.source or old.get("source")
                return text[:s] + self.element(_padded(text, spans)) + text[e:]
        elem = self.element(_padded(text, spans))
        multiline = "\n" in text[item.value_start : close]
        if not spans:
            if multiline:
                at = line_end(text, item.value_start)
                return text[:at] + f"  {elem},{nl}" + text[at:]
            return text[: item.value_start] + f"[{nl}  {elem},{nl}]" + text[close + 1 :]
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

    def expect(self, data: dict[str, Any]) -> None:
        new: dict[str, Any] = {"date": self.day, "value": _parse_value(self.value_text)}
        if self.note:
            new["note"] = self.note
        if self.source:
            new["source"] = self.source
        obs = data.setdefault("observations", [])
        for i, o in enumerate(obs):
            if o.get("date") == self.day:
                obs[i] = new
                return
        obs.append(new)


# -- stages -------------------------------------------------------------------------


def stage_index(data: dict[str, Any], ref: str, tid: str) -> int:
    """A stage by number (1-based) or by name (case-insensitive)."""
    stages = data.get("stages", [])
    names = [str(s.get("name", "")) for s in stages]
    if ref.isdigit():
        n = int(ref)
        if 1 <= n <= len(stages):
            return n - 1
        message = "'{id}' has {count} stages; there is no stage {n}"
        raise EditError(ngettext(message, message, len(stages)).format(id=tid, count=len(stages), n=n))
    matches = [i for i, name in enumerate(names) if name.casefold() == ref.casefold()]
    if not matches:
        matches = [i for i, name in enumerate(names) if name.casefold().startswith(ref.casefold())]
    if len(matches) == 1:
        return matches[0]
    listing = "; ".join(f"{i + 1}. {n}" for i, n in enumerate(names))
    if not matches:
        raise EditError(_("'{id}' has no stage '{stage}': {listing}").format(id=tid, stage=ref, listing=listing))
    raise EditError(
        _("'{stage}' matches several stages of '{id}': {listing}").format(stage=ref, id=tid, listing=listing)
    )


@dataclass
class MarkStageDone(Edit):
    stage: str = ""
    day: date = date.min
    replace: bool = False
    index: int = field(default=-1, init=False)
    name: str = field(default="", init=False)

    def splice(self, text: str, section: Section) -> str:
        item = section.item("stages")
        if item is None or text[item.value_start] != "[":
            raise EditError(_("'{id}' has no stages list (is it a milestones target?)").format(id=self.target_id))
        data = _section_data(text, section, self.target_id)
        self.index = stage_index(data, self.stage, self.target_id)
        self.name = data["stages"][self.index].get("name", "")
        spans, _close = array_elements(text, item.value_start)
        s, _e = spans[self.index]
        if text[s] != "{":
            raise EditError(_("'{id}': stage {n} is not written as {{ name = ... }}").format(
                id=self.target_id, n=self.index + 1))  # fmt: skip
        items, _close = inline_items(text, s)
        for it in items:
            if it.key == ("done",):
                old = _parse_value(text[it.value_start : it.value_end])
                if not self.replace:
                    message = _("stage '{stage}' of '{id}' is already done on {date}; use --replace to change the date")
                    raise EditError(message.format(stage=self.name, id=self.target_id, date=old))
                return text[: it.value_start] + self.day.isoformat() + text[it.value_end :]
        last = items[-1].value_end
        return text[:last] + f", done = {self.day.isoformat()}" + text[last:]

    def expect(self, data: dict[str, Any]) -> None:
        data["stages"][self.index]["done"] = self.day


# -- fields -------------------------------------------------------------------------

#: Fields `tracker set` may change, with how their value is read.
SETTABLE = {
    "title": "text", "kind": "text", "area": "text", "owner": "text", "parent": "text", "state": "text",
    "unit": "text", "notes": "text", "source": "text",
    "start": "date", "due": "date",
    "weight": "number", "baseline": "number", "target": "number", "at_least": "number", "at_most": "number",
}  # fmt: skip


@dataclass
class SetField(Edit):
    name: str = ""
    rendered: str = ""  # the value in TOML syntax

    def splice(self, text: str, section: Section) -> str:
        item = section.item(self.name)
        if item is None:
            return _insert_key(text, section, f"{self.name} = {self.rendered}")
        return text[: item.value_start] + self.rendered + text[item.value_end :]

    def expect(self, data: dict[str, Any]) -> None:
        data[self.name] = _parse_value(self.rendered)


def render_field(name: str, raw: str, parse_day: Any) -> str:
    """Turn what the user typed for FIELD into TOML, or refuse."""
    kind = SETTABLE.get(name)
    if kind is None:
        import difflib

        hint = difflib.get_close_matches(name, list(SETTABLE), n=1)
        tip = _(" (did you mean '{hint}'?)").format(hint=hint[0]) if hint else ""
        raise EditError(_("cannot set '{field}'{tip}; fields: {fields}").format(
            field=name, tip=tip, fields=", ".join(SETTABLE)))  # fmt: skip
    if kind == "number":
        return parse_number(raw, name)[1]
    if kind == "date":
        return parse_day(raw).isoformat()  # type: ignore[no-any-return]
    return toml_string(raw)


# -- new targets ----------------------------------------------------------------------


def new_target_block(tid: str, fields: list[tuple[str, str]], stages: list[list[tuple[str, str]]], nl: str) -> str:
    """A new ``[targets.ID]`` section in the ledger's usual layout."""
    lines = [f"[targets.{tid}]"] + [f"{k} = {v}" for k, v in fields]
    if stages:
        lines.append("stages = [")
        lines += [f"  {inline_table(s)}," for s in stages]
        lines.append("]")
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
    except (ScanError, tomllib.TOMLDecodeError):
        ok = False
    if not ok:
        raise EditError(_("cannot add '{id}' safely; the file is unchanged").format(id=tid))

    return new_text


__all__ = [
    "SETTABLE",
    "Edit",
    "EditError",
    "MarkStageDone",
    "RecordObservation",
    "SetField",
    "apply",
    "insert_target",
    "new_target_block",
    "newline_of",
    "parse_number",
    "render_field",
    "stage_index",
]
