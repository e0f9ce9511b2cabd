"""Many edits to one file's text, each verified, in one pass over the file.

Applying a thousand edits one by one to a 3 MB file would scan and copy the
whole text a thousand times. Instead the text is cut once at its
``[targets.ID]`` headers; each edited target's piece gets its edits through
:func:`~target_tracker.edits.operations.apply` (the same splice and the same
before/after verification as a single ``tracker update``), and the pieces are
joined again. An edit only ever changes bytes inside its own target's section,
so the result is the text the edits would give one after another.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from target_tracker.edits.operations import Edit, EditError, apply, newline_of

# The same header shape as toml.scan.target_header, for any id.
_HEADER = re.compile(
    r"^[ \t]*\[[ \t]*targets[ \t]*\.[ \t]*(?:([A-Za-z0-9_-]+)|\"([A-Za-z0-9_-]+)\"|'([A-Za-z0-9_-]+)')"
    r"[ \t]*\][ \t]*(?:#[^\n]*)?\r?$",
    re.M,
)


def header_offsets(text: str) -> list[tuple[int, str]]:
    """(offset, id) of every ``[targets.ID]`` header line, in file order."""
    return [(m.start(), m.group(1) or m.group(2) or m.group(3)) for m in _HEADER.finditer(text)]


def apply_all(edits: Sequence[Edit], text: str) -> str:
    """Apply ``edits`` in order to ``text``; raise EditError on the first refusal.

    Equivalent to ``apply(edits[-1], ... apply(edits[0], text))``, in one pass.
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
        pieces[k] = apply(edit, pieces[k])
    out: list[str] = []
    pos = 0
    for k in sorted(pieces):
        start = heads[k][0]
        end = heads[k + 1][0] if k + 1 < len(heads) else len(text)
        out += [text[pos:start], pieces[k]]
        pos = end
    out.append(text[pos:])
    return "".join(out)


def _one_by_one(edits: Sequence[Edit], text: str) -> str:
    for edit in edits:
        text = apply(edit, text)
    return text


__all__ = ["EditError", "apply_all", "header_offsets"]
