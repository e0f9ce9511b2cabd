"""``tracker merge-file``: git's merge driver contract for ledger files.

git calls ``tracker merge-file %O %A %B --marker-size %L``: the base, ours
(where the result goes) and theirs versions of one file. The ledger merge
(:mod:`target_tracker.merge.text`) is used only when it is proven right:

- a clean result must parse to exactly the data merge of the three versions
  (:func:`target_tracker.merge.data.merge_data`) and pass ``tracker check``;
- a result with conflicts must give the data merge with OURS's choice when
  every conflict keeps its ours side, and THEIRS's choice when every
  conflict keeps its theirs side.

Otherwise the driver falls back to git's own line merge (``git merge-file``)
and says why.
"""

from __future__ import annotations

import gc
import subprocess
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from target_tracker.i18n import _
from target_tracker.ledger.model import Problem
from target_tracker.merge.data import Side, merge_data, normalized
from target_tracker.merge.layout import LayoutError
from target_tracker.merge.text import TextMerge


class MergeRefused(ValueError):
    """The ledger merge cannot vouch for its result; the message says why."""


@dataclass(frozen=True)
class Outcome:
    """What the driver did: conflicts left (0 = clean), whether git's line
    merge was used instead, and a note for the planner."""

    conflicts: int
    fallback: bool = False
    note: str | None = None


def merge_texts(base: str, ours: str, theirs: str, marker_size: int = 7) -> tuple[str, int]:
    """The merged text and the number of conflicts left, verified as data."""
    merged, conflicts, _data = merge_verified(base, ours, theirs, marker_size)
    return merged, conflicts


def merge_verified(base: str, ours: str, theirs: str, marker_size: int = 7) -> tuple[str, int, dict[str, Any] | None]:
    """:func:`merge_texts`, and the merged data when there is no conflict."""
    datas = []
    for label, text in (("base", base), ("ours", ours), ("theirs", theirs)):
        try:
            datas.append(tomllib.loads(text))
        except tomllib.TOMLDecodeError as e:
            message = _("the {side} version is not valid TOML ({error})").format(side=label, error=e)
            raise MergeRefused(message) from None
    b, o, t = datas
    merge = TextMerge(base, ours, theirs, marker_size)
    try:
        merged = merge.run()
    except LayoutError as e:
        raise MergeRefused(_("the ledger merge does not handle this layout ({reason})").format(reason=e)) from None
    if merge.conflicts == 0:
        expected, conflicts = merge_data(b, o, t)
        if conflicts or not _same(merged, expected):
            raise MergeRefused(_("the merged text does not equal the base plus both sides' changes"))
        return merged, 0, expected
    for side in ("ours", "theirs"):
        expected, _n = merge_data(b, o, t, prefer=side)  # type: ignore[arg-type]
        if not _same(keep_side(merged, side, marker_size), expected):  # type: ignore[arg-type]
            raise MergeRefused(_("the merged text with conflicts does not match the data merge"))
    return merged, merge.conflicts, None


def _same(text: str, expected: dict[str, Any]) -> bool:
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError:
        return False
    return normalized(data) == normalized(expected)


def keep_side(text: str, side: Side, marker_size: int = 7) -> str:
    """The text with every conflict resolved to one side."""
    start, middle, end = "<" * marker_size, "=" * marker_size, ">" * marker_size
    out = []
    state: str | None = None
    for line in text.splitlines(keepends=True):
        bare = line.rstrip("\r\n")
        if state is None and (bare == start or bare.startswith(start + " ")) and not bare.startswith(start + "<"):
            state = "ours"
            continue
        if state == "ours" and bare == middle:
            state = "theirs"
            continue
        if state == "theirs" and (bare == end or bare.startswith(end + " ")):
            state = None
            continue
        if state is None or state == side:
            out.append(line)
    return "".join(out)


def check_errors(path: Path, text: str, data: dict[str, Any] | None = None) -> list[Problem]:
    """The errors ``tracker check`` reports for ``text`` as the file at ``path``
    (``data``: the text's data, when already parsed).

    A self-contained ledger is checked whole; an included file, or a main
    file with includes (the other files may be mid-merge), on its own.
    """
    from target_tracker.ledger.checks import load_and_check
    from target_tracker.ledger.load import load_file

    if data is None:
        try:
            data = tomllib.loads(text)
        except tomllib.TOMLDecodeError:
            data = None
    if data is not None and any(k != "targets" for k in data) and "include" not in data:
        _result, problems = load_and_check(path, overrides={path.resolve(): text})
    else:
        main = data is None or any(k != "targets" for k in data)
        problems = list(load_file(str(path), text, main=main).problems)
    return [p for p in problems if p.severity == "error"]


def git_merge_file(base: Path, ours: Path, theirs: Path, marker_size: int) -> tuple[bytes, int]:
    """git's line merge of the three files (nothing written); its output and conflict count."""
    cmd = ["git", "merge-file", "-p", f"--marker-size={marker_size}", "-L", "ours", "-L", "base", "-L", "theirs",
           str(ours), str(base), str(theirs)]  # fmt: skip
    try:
        done = subprocess.run(cmd, capture_output=True, check=False)
    except OSError as e:
        raise MergeRefused(_("cannot run git merge-file: {error}").format(error=e.strerror or e)) from None
    if done.returncode < 0 or done.returncode > 127:
        err = done.stderr.decode("utf-8", "replace").strip()
        raise MergeRefused(_("git merge-file failed: {error}").format(error=err))
    return done.stdout, done.returncode


def merge_files(base: Path, ours: Path, theirs: Path, marker_size: int = 7) -> Outcome:
    """Merge THEIRS into OURS (the file is rewritten) against BASE, as git asks a driver to.

    The cyclic garbage collector is paused meanwhile, as for loading: the
    merge parses five versions of the ledger and makes no cycles.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        return _merge_files(base, ours, theirs, marker_size)
    finally:
        if was_enabled:
            gc.enable()


BOM = b"\xef\xbb\xbf"


def _merge_files(base: Path, ours: Path, theirs: Path, marker_size: int) -> Outcome:
    from target_tracker.edits.transaction import atomic_write
    from target_tracker.ledger.load import decode_ledger

    raw = [p.read_bytes() for p in (base, ours, theirs)]
    note: str
    try:
        try:
            texts = [decode_ledger(r) for r in raw]  # a BOM (Notepad) is not TOML: merged without it
        except UnicodeDecodeError:
            raise MergeRefused(_("a version is not valid UTF-8")) from None
        merged, conflicts, data = merge_verified(texts[0], texts[1], texts[2], marker_size)
        if conflicts == 0:
            errors = check_errors(ours, merged, data)
            if errors:
                raise MergeRefused(_("the merged ledger would not pass 'tracker check': {problem}").format(
                    problem=errors[0].message))  # fmt: skip
        bom = BOM if raw[1].startswith(BOM) else b""  # OURS's bytes are kept, its BOM too
        atomic_write(ours, bom + merged.encode("utf-8"))
        return Outcome(conflicts)
    except MergeRefused as e:
        note = str(e)
    output, conflicts = git_merge_file(base, ours, theirs, marker_size)
    atomic_write(ours, output)
    if conflicts == 0:
        errors = check_errors(ours, output.decode("utf-8", "replace").removeprefix("\ufeff"))
        if errors:
            note += "; " + _("git's line merge does not pass 'tracker check' either: {problem}").format(
                problem=str(errors[0])
            )
            return Outcome(1, fallback=True, note=note)
    return Outcome(conflicts, fallback=True, note=note)
