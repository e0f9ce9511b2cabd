"""Many edits to one file's text, each verified, in one pass over the file.

Applying a thousand edits one by one to a 3 MB file would scan and copy the
whole text a thousand times. Instead the text is cut once at its
``[targets.ID]`` headers; each edited target's piece gets its edits through
:func:`~target_tracker.edits.operations.apply` (the same splice and the same
before/after verification as a single ``tracker update``), and the pieces are
joined again. An edit only ever changes bytes inside its own target's section,
so the result is the text the edits would give one after another.

With ``fast`` the common layouts are spliced by regex without apply()'s
per-target parses, and the caller verifies the whole ledger instead with
:func:`check_models` (see docs/editing.md, "Many figures in one edit").
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import fields, replace
from datetime import date
from typing import Any

from target_tracker.edits.operations import (
    Edit,
    EditError,
    MarkStageDone,
    RecordObservation,
    _indent_of,
    _padded,
    apply,
    newline_of,
)
from target_tracker.ledger.model import Ledger, Observation, Target
from target_tracker.toml.scan import headers
from target_tracker.toml.values import render


def header_offsets(text: str) -> list[tuple[int, str]]:
    """(offset, id) of every ``[targets.ID]`` header line, in file order."""
    return [(h.start, h.path[1]) for h in headers(text) if len(h.path) == 2 and h.path[0] == "targets" and not h.array]


def splice_all(edits: Sequence[Edit], text: str, *, fast: bool = False) -> str:
    """Apply ``edits`` in order to ``text``; raise EditError on the first refusal.

    Equivalent to ``apply(edits[-1], ... apply(edits[0], text))``, in one pass.
    With ``fast``, a new figure appended to an ordinary multi-line
    ``observations`` list is spliced without ``apply``'s per-target parses; the
    caller must then verify the whole result with :func:`check_models`
    (``tracker import`` does, on the parses it makes anyway).
    """
    if not edits:
        return text
    heads = header_offsets(text)
    where: dict[str, int] = {}
    for k, (_, tid) in enumerate(heads):
        where[tid] = -1 if tid in where else k  # -1: several headers, let apply() say so
    nl = newline_of(text)
    pieces: dict[int, str] = {}
    for edit in edits:
        k = where.get(edit.target_id, -1)
        if k >= 0 and k not in pieces:
            end = heads[k + 1][0] if k + 1 < len(heads) else len(text)
            pieces[k] = text[heads[k][0] : end]
        if k < 0 or newline_of(pieces[k]) != nl:
            return _one_by_one(edits, text)  # unusual file (a missing id, mixed newlines): the plain path
        spliced = _fast_splice(edit, pieces[k]) if fast else None
        pieces[k] = spliced if spliced is not None else apply(edit, pieces[k]).text
    out: list[str] = []
    pos = 0
    for k in sorted(pieces):
        start = heads[k][0]
        end = heads[k + 1][0] if k + 1 < len(heads) else len(text)
        out += [text[pos:start], pieces[k]]
        pos = end
    out.append(text[pos:])
    return "".join(out)


_ARRAY_LINE = re.compile(r"([ \t]*)(?:(\{[^\n#]*\})([ \t]*,?[ \t]*)|#[^\n]*)?\r?\n")
_ARRAY_CLOSE = re.compile(r"[ \t]*\]")
_EVIDENCE_KEY = re.compile(r"[{,][ \t]*(done|note|source|recorded)[ \t]*=")
_DATE_KEY = re.compile(r"[{,][ \t]*date[ \t]*=[ \t]*(\d{4}-\d\d-\d\d)[ \t]*[,}]")


def _all_before(lines: list[re.Match[str]], day: date) -> bool:
    """Is every figure in ``lines`` plainly dated before ``day`` (so the new one
    goes last, as apply() puts it)? False when one is dated later, the same day
    (a revision or a refusal: apply() decides), or its date is not written
    plainly."""
    iso = day.isoformat()
    for m in lines:
        found = _DATE_KEY.findall(m.group(2))
        if len(found) != 1 or found[0] >= iso:
            return False
    return True


def _element_lines(piece: str, key: str) -> list[re.Match[str]] | None:
    """The elements of the target's ``key = [`` list when it is written one
    inline table per line with "]" on its own line; None for any other layout."""
    opens = list(re.finditer(rf"^[ \t]*{key}[ \t]*=[ \t]*\[[ \t]*\r?\n", piece, re.M))
    if len(opens) != 1:
        return None
    body = piece.find("\n") + 1
    sub = re.search(r"^[ \t]*\[", piece[body:], re.M)  # a sub-table after the header
    if sub is not None and body + sub.start() < opens[0].start():
        return None
    pos = opens[0].end()
    out = []
    while not _ARRAY_CLOSE.match(piece, pos):
        m = _ARRAY_LINE.match(piece, pos)
        if m is None or m.end() == pos:
            return None
        if m.group(2):
            out.append(m)
        pos = m.end()
    return out


def _fast_splice(edit: Edit, piece: str) -> str | None:
    """The splice of RecordObservation and MarkStageDone for their common
    layout, found by regex instead of apply()'s scanner and parses. None for
    any other layout or option (apply() handles it). The same-date and
    already-done checks are the caller's (the import plan checks the ledger)."""
    if type(edit) is RecordObservation and not edit.replace and not edit.revise:
        lines = _element_lines(piece, "observations")
        if not lines or not _all_before(lines, edit.day):
            return None  # a back-dated figure goes among the others: apply() places it
        last = lines[-1]
        last_s, last_e = last.start(2), last.end(2)
        comma = "" if "," in last.group(3) else ","
        at = last.end()
        elem = render(edit.element(edit.note, edit.source, edit.recorded), _padded(piece, [(last_s, last_e)]))
        indent = _indent_of(piece, last_s)
        return piece[:last_e] + comma + piece[last_e:at] + f"{indent}{elem},{newline_of(piece)}" + piece[at:]
    if type(edit) is MarkStageDone and not edit.replace and edit.stage.isdigit():
        lines = _element_lines(piece, "stages")
        n = int(edit.stage)
        if not lines or not 1 <= n <= len(lines) or _EVIDENCE_KEY.search(lines[n - 1].group(2)):
            return None
        m = lines[n - 1]
        close = m.end(2) - 1  # the element's "}"
        at = len(piece[:close].rstrip(" \t"))  # after its last value, as MarkStageDone.splice inserts
        values = {"done": edit.day, "note": edit.note, "source": edit.source, "recorded": edit.recorded}
        added = "".join(f", {k} = {render(v)}" for k, v in values.items() if v)
        return piece[:at] + added + piece[at:]
    return None


def expected_target(t: Target, edits: Sequence[Edit]) -> Target:
    """The target as ``edits`` (new figures, stages done) should leave it."""
    for edit in edits:
        if isinstance(edit, RecordObservation):
            kept = [o for o in t.observations if o.date != edit.day]
            new = Observation(edit.day, edit.value, edit.note or None, edit.source or None, 0, edit.recorded)
            t = replace(t, observations=tuple(sorted([*kept, new], key=lambda o: o.date)))
        elif isinstance(edit, MarkStageDone):
            if not edit.stage.isdigit():
                raise EditError(f"cannot check stage '{edit.stage}' (give its number)")
            i = int(edit.stage) - 1
            s = t.stages[i]
            known = {f.name for f in fields(s)}
            evidence = {k: getattr(edit, k, None) for k in ("note", "source", "recorded") if k in known}
            s = replace(s, done=edit.day, **{k: v for k, v in evidence.items() if v})
            t = replace(t, stages=(*t.stages[:i], s, *t.stages[i + 1 :]))
        else:
            raise EditError(f"cannot check a {type(edit).__name__} edit")
    return t


def _figures(t: Target) -> list[tuple[Any, ...]]:
    """The figures and first reports without their place in the file (the model keeps them in date order)."""
    return [(o.date, o.value, o.note, o.source, o.recorded) for obs in (t.observations, t.superseded) for o in obs]


def check_models(before: Ledger, after: Ledger, edits: Sequence[Edit]) -> None:
    """The ledger after must be the ledger before with exactly these edits:
    every other target, and every other field of an edited one, unchanged.
    Raise EditError if not (the file is then left as it was)."""
    by_id: dict[str, list[Edit]] = {}
    for edit in edits:
        by_id.setdefault(edit.target_id, []).append(edit)
    same = (before.title, before.source, before.settings, list(before.targets)) == (
        after.title, after.source, after.settings, list(after.targets))  # fmt: skip
    for tid, t in before.targets.items() if same else ():
        want = expected_target(t, by_id[tid]) if tid in by_id else t
        got = after.targets[tid]
        if _figures(got) != _figures(want) or replace(got, observations=(), superseded=()) != replace(
            want, observations=(), superseded=()
        ):
            same = False
            break
    if not same:
        raise EditError("cannot make this edit safely (the file's layout is unusual); the file is unchanged")


def _one_by_one(edits: Sequence[Edit], text: str) -> str:
    for edit in edits:
        text = apply(edit, text).text
    return text


__all__ = ["EditError", "check_models", "expected_target", "header_offsets", "splice_all"]
