"""Fixing mistakes from the CLI: remove a target, rename one, delete a figure,
undo a stage.

Like every edit these splice the file's text (every other byte stays) and are
verified by parsing before and after: the data must be the old data with
exactly this change. They run through the one write path
(:func:`target_tracker.edits.transaction.commit_edit`), or, for a rename that
touches several files, :func:`commit_files` (the same lock, validation,
changed-on-disk detection and atomic replace, for each file).
"""

from __future__ import annotations

import copy
import re
import tomllib
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from target_tracker.edits.operations import Edit, EditError, Spliced, stage_index
from target_tracker.edits.transaction import (
    Change,
    EditResult,
    _transaction,
    commit_edit,
    file_holding,
    ledger_files,
    read_bytes_text,
)
from target_tracker.i18n import _
from target_tracker.ledger.load import FileCache
from target_tracker.toml.scan import ScanError, Section, array_elements, find_section, inline_items, target_ids
from target_tracker.toml.values import render


def _parse_value(text: str) -> Any:
    return tomllib.loads(f"x = {text}\n")["x"]


def _cut_element(text: str, spans: list[tuple[int, int]], n: int) -> str:
    """Remove element ``n`` of an array: its whole line when it has one to
    itself, else the element and one neighbouring comma."""
    s, e = spans[n]
    ls = text.rfind("\n", 0, s) + 1
    le = text.find("\n", e)
    le = len(text) if le < 0 else le + 1
    before, after = text[ls:s], text[e:le]
    if not before.strip() and re.fullmatch(r"[ \t]*,?[ \t]*(#[^\n]*)?\r?\n?", after):
        return text[:ls] + text[le:]  # the element's own line, with its comma and comment
    m = re.match(r"[ \t]*,[ \t]*", text[e:])
    if m:  # "a, b" -> cut "a, "
        return text[:s] + text[e + m.end() :]
    m = re.search(r",[ \t]*$", text[:s])
    if m:  # the last one: "a, b" -> cut ", b"
        return text[: m.start()] + text[e:]
    return text[:s] + text[e:]


@dataclass(frozen=True)
class DeleteObservation(Edit):
    """Remove the figure dated ``day``: with revisions, the newest entry
    (the one in use), so the entry before it is in use again. ``found``:
    the ``deleted`` value."""

    day: date = date.min

    def splice(self, text: str, section: Section, data: dict[str, Any]) -> Spliced:
        item = section.item("observations")
        obs = data.get("observations")
        if item is None or text[item.value_start] != "[" or not isinstance(obs, list):
            raise EditError(_("'{id}' has no figures").format(id=self.target_id))
        spans, _close = array_elements(text, item.value_start)
        same = [k for k, o in enumerate(obs) if isinstance(o, dict) and o.get("date") == self.day]
        if not same:
            raise EditError(_("'{id}' has no figure dated {date}").format(id=self.target_id, date=self.day))
        k = max(same, key=lambda k: (obs[k].get("recorded") or self.day, k))
        old = obs.pop(k)
        return Spliced(_cut_element(text, spans, k), data, {"deleted": old.get("value")})


@dataclass(frozen=True)
class UndoStage(Edit):
    """Remove a stage's ``done`` date (and its ``recorded`` stamp); ``found``:
    its ``index``, ``name`` and the date it ``was`` done."""

    stage: str = ""

    def splice(self, text: str, section: Section, data: dict[str, Any]) -> Spliced:
        item = section.item("stages")
        if item is None or text[item.value_start] != "[" or not isinstance(data.get("stages"), list):
            raise EditError(_("'{id}' has no stages list (is it a milestones target?)").format(id=self.target_id))
        index = stage_index(data, self.stage, self.target_id)
        stage = data["stages"][index]
        name = str(stage.get("name", ""))
        was = stage.get("done")
        if was is None:
            raise EditError(_("stage '{stage}' of '{id}' is not done").format(stage=name, id=self.target_id))
        spans, _close = array_elements(text, item.value_start)
        s, _e = spans[index]
        if text[s] != "{":
            raise EditError(_("'{id}': stage {n} is not written as {{ name = ... }}").format(
                id=self.target_id, n=index + 1))  # fmt: skip
        for key in ("recorded", "done"):
            stage.pop(key, None)
            items, _end = inline_items(text, s)
            it = next((i for i in items if i.key == (key,)), None)
            if it is None:
                continue
            m = re.search(r",[ \t]*$", text[: it.start])
            if m:  # ", done = X"
                text = text[: m.start()] + text[it.value_end :]
            else:  # the first item: "done = X, "
                m2 = re.match(r"[ \t]*,[ \t]*", text[it.value_end :])
                text = text[: it.start] + text[it.value_end + (m2.end() if m2 else 0) :]
        return Spliced(text, data, {"index": index, "name": name, "was": was})


# -- whole targets ------------------------------------------------------------------------


def _sub_tables_elsewhere(text: str, tid: str, section: Section) -> bool:
    """Does a ``[targets.ID.x]`` table stand outside the target's section?"""
    pattern = re.compile(r"^[ \t]*\[[ \t]*targets[ \t]*\.[ \t]*[\"']?" + re.escape(tid) + r"[\"']?[ \t]*\.", re.M)
    return any(not section.start <= m.start() < section.end for m in pattern.finditer(text))


def remove_target(text: str, tid: str) -> str:
    """The text without the target's section (and one blank line before it)."""
    try:
        section = find_section(text, tid)
    except ScanError as e:
        raise EditError(_("cannot remove '{id}': {error}").format(id=tid, error=e)) from None
    if _sub_tables_elsewhere(text, tid, section):
        raise EditError(_("cannot remove '{id}' safely: part of its table is written elsewhere in the file; "
                          "remove it by hand").format(id=tid))  # fmt: skip
    start, end = section.start, section.end
    if end == len(text):  # the last table: comments after its last line stay
        m = re.search(r"(?:\n[ \t]*(?:#[^\n]*)?\r?)*$", text[start:end])
        if m and m.start() > 0:
            end = start + m.start() + 1
    m = re.search(r"(?:\r?\n)[ \t]*\r?\n$", text[:start])  # the blank line that separated it
    if m:
        start = m.start() + (2 if text[m.start()] == "\r" else 1)
    new_text = text[:start] + text[end:]
    before = tomllib.loads(text)
    expected = copy.deepcopy(before)
    del expected["targets"][tid]
    if not expected["targets"]:
        del expected["targets"]
    try:
        after = tomllib.loads(new_text)
    except tomllib.TOMLDecodeError:
        after = None
    if after != expected:
        raise EditError(_("cannot remove '{id}' safely; the file is unchanged").format(id=tid))
    return new_text


def rename_in_text(text: str, old: str, new: str) -> str:
    """``[targets.OLD...]`` headers -> NEW, and every ``parent = "OLD"``."""
    header = re.compile(r"^([ \t]*\[[ \t]*targets[ \t]*\.[ \t]*)([\"']?)" + re.escape(old) + r"\2(?=[ \t]*[\].])",
                        re.M)  # fmt: skip
    spans: list[tuple[int, int, str]] = []
    for m in header.finditer(text):
        spans.append((m.start(), m.end(), m.group(1) + m.group(2) + new + m.group(2)))
    for tid in target_ids(text):
        if tid == old:
            continue
        try:
            section = find_section(text, tid)
        except ScanError:
            continue  # check reports it; the verification below catches what is missed
        item = section.item("parent")
        if item is not None and _parse_value(text[item.value_start : item.value_end]) == old:
            spans.append((item.value_start, item.value_end, render(new)))
    out, last = [], 0
    for s, e, repl in sorted(spans):
        out += [text[last:s], repl]
        last = e
    new_text = "".join(out) + text[last:]
    before = tomllib.loads(text)
    expected = copy.deepcopy(before)
    targets = expected.get("targets", {})
    if old in targets:
        targets = {(new if k == old else k): v for k, v in targets.items()}
        expected["targets"] = targets
    for t in targets.values():
        if isinstance(t, dict) and t.get("parent") == old:
            t["parent"] = new
    try:
        after = tomllib.loads(new_text)
    except tomllib.TOMLDecodeError:
        after = None
    if after != expected:
        raise EditError(_("cannot rename '{old}' safely (a table or parent is written in an unusual way); "
                          "the files are unchanged").format(old=old))  # fmt: skip
    return new_text


def _texts(main: Path, main_text: str, read: Callable[[Path], str] | None = None) -> dict[Path, str]:
    reader = read or (lambda f: read_bytes_text(f)[1])
    return {f: (main_text if f == main else reader(f)) for f in ledger_files(main, main_text)}


def _children(texts: dict[Path, str], tid: str) -> list[str]:
    """Ids of the targets whose ``parent`` names ``tid``, in file order."""
    out = []
    for text in texts.values():
        if tid not in text:
            continue
        for child in target_ids(text):
            try:
                item = find_section(text, child).item("parent")
            except ScanError:
                continue
            if item is not None and _parse_value(text[item.value_start : item.value_end]) == tid:
                out.append(child)
    return out


def remove(main: Path, tid: str, *, dry_run: bool = False, cache: FileCache | None = None) -> Change:
    """Remove target ``tid`` from the file that holds it; a rollup that still
    has children is refused, naming them."""

    def transform_for(main_path: Path, main_text: str):  # type: ignore[no-untyped-def]
        path = file_holding(main_path, main_text, tid)
        kids = _children(_texts(main_path, main_text), tid)
        if kids:
            raise EditError(_("'{id}' still has children: {children}; remove them or give them another parent "
                              "first").format(id=tid, children=", ".join(kids)))  # fmt: skip
        return path, lambda text: remove_target(text, tid)

    return commit_edit(main, transform_for, dry_run=dry_run, cache=cache)


def rename(main: Path, old: str, new: str, *, dry_run: bool = False, cache: FileCache | None = None) -> EditResult:
    """Rename target ``old`` to ``new`` and every ``parent`` that names it, in
    every file, as one transaction (one lock, the whole ledger validated with
    every change at once, each file replaced atomically)."""
    from target_tracker.ledger.load import ID_PATTERN

    if not ID_PATTERN.fullmatch(new):
        raise EditError(_("id '{id}' must use only letters, digits, '-' and '_' (e.g. linwu-expressway)").format(
            id=new))  # fmt: skip

    def plan(main_path: Path, main_text: str, read: Callable[[Path], str]):  # type: ignore[no-untyped-def]
        file_holding(main_path, main_text, old, read)  # names the target if it does not exist
        texts = _texts(main_path, main_text, read)
        for f, text in texts.items():
            if new in target_ids(text):
                raise EditError(_("target '{id}' already exists in {file}").format(id=new, file=f))
        return {f: (rename_in_text(text, old, new), ()) for f, text in texts.items() if old in text}

    return _transaction(main, plan, dry_run=dry_run, confirm=None, cache=cache, force=False)


__all__ = [
    "DeleteObservation",
    "UndoStage",
    "remove",
    "remove_target",
    "rename",
    "rename_in_text",
]
