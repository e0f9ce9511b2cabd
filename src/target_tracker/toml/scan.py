"""Byte-exact spans inside TOML text: sections, statements, array elements.

Edits splice new text into exactly these spans and leave every other byte
alone. The scanner only has to find boundaries; whatever it produces is
checked afterwards by parsing with tomllib (see :mod:`target_tracker.edits.operations`).
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass

from target_tracker.i18n import _
from target_tracker.toml.lines import parse_key


class ScanError(ValueError):
    """The text is not laid out in a way the editor can splice safely."""


def skip_space(text: str, pos: int, newlines: bool = True) -> int:
    """Skip blanks (and newlines and comments when ``newlines``)."""
    n = len(text)
    while pos < n:
        c = text[pos]
        if c in " \t" or (newlines and c in "\r\n"):
            pos += 1
        elif newlines and c == "#":
            end = text.find("\n", pos)
            pos = n if end < 0 else end
        else:
            break
    return pos


def string_end(text: str, pos: int) -> int:
    """End offset of the string literal starting at ``pos``."""
    q = text[pos]
    if text.startswith(q * 3, pos):
        end = pos + 3
        while True:
            end = text.find(q * 3, end)
            if end < 0:
                raise ScanError(_("unclosed multi-line string"))
            if q == '"' and _escaped(text, end):
                end += 1
                continue
            end += 3
            while end < len(text) and text[end] == q:  # """a"""" ends after the last quote
                end += 1
            return end
    end = pos + 1
    while end < len(text):
        c = text[end]
        if c == "\\" and q == '"':
            end += 2
            continue
        if c == q:
            return end + 1
        if c == "\n":
            break
        end += 1
    raise ScanError(_("unclosed string"))


def _escaped(text: str, pos: int) -> bool:
    k = pos - 1
    count = 0
    while k >= 0 and text[k] == "\\":
        count += 1
        k -= 1
    return count % 2 == 1


def value_end(text: str, pos: int) -> int:
    """End offset of the TOML value starting at ``pos``."""
    c = text[pos] if pos < len(text) else ""
    if c in "\"'":
        return string_end(text, pos)
    if c == "[":
        return array_elements(text, pos)[1] + 1
    if c == "{":
        return inline_items(text, pos)[1] + 1
    end = pos
    while end < len(text) and text[end] not in " \t\r\n,]}#":
        end += 1
    if end == pos:
        raise ScanError(_("missing value"))
    return end


def array_elements(text: str, pos: int) -> tuple[list[tuple[int, int]], int]:
    """Spans of the elements of the array at ``pos`` ('['); and the ']' offset."""
    assert text[pos] == "["
    spans: list[tuple[int, int]] = []
    p = pos + 1
    while True:
        p = skip_space(text, p)
        if p >= len(text):
            raise ScanError(_("unclosed array"))
        if text[p] == "]":
            return spans, p
        end = value_end(text, p)
        spans.append((p, end))
        p = skip_space(text, end)
        if p < len(text) and text[p] == ",":
            p += 1
        elif p < len(text) and text[p] != "]":
            raise ScanError(_("expected ',' or ']' in array"))


@dataclass(frozen=True)
class Item:
    """A ``key = value`` pair: offsets of the key, the value and its end."""

    key: tuple[str, ...]
    start: int
    value_start: int
    value_end: int


def inline_items(text: str, pos: int) -> tuple[list[Item], int]:
    """Items of the inline table at ``pos`` ('{'); and the '}' offset."""
    assert text[pos] == "{"
    items: list[Item] = []
    p = pos + 1
    while True:
        p = skip_space(text, p, newlines=False)
        if p >= len(text) or text[p] in "\r\n":
            raise ScanError(_("unclosed inline table"))
        if text[p] == "}":
            return items, p
        parts, eq = parse_key(text, p)
        if not parts or eq >= len(text) or text[eq] != "=":
            raise ScanError(_("expected key = value in inline table"))
        vs = skip_space(text, eq + 1, newlines=False)
        ve = value_end(text, vs)
        items.append(Item(tuple(parts), p, vs, ve))
        p = skip_space(text, ve, newlines=False)
        if p < len(text) and text[p] == ",":
            p += 1


@dataclass(frozen=True)
class Section:
    """A target's ``[targets.ID]`` table in a file's text.

    start: offset of the header line; body_end: end of the last key/value
    line of the table itself (where a new key goes); end: start of the next
    table that is not part of this target; items: its own key/value pairs.
    """

    start: int
    body_end: int
    end: int
    items: tuple[Item, ...]

    def item(self, key: str) -> Item | None:
        for it in self.items:
            if it.key == (key,):
                return it
        return None


_HEADER = re.compile(r"^[ \t]*\[(\[)?[ \t]*([^\]\n]*?)[ \t]*\]\]?[ \t]*(?:#[^\n]*)?\r?$", re.M)


def _header_path(raw: str) -> tuple[str, ...]:
    return tuple(parse_key(raw, 0)[0])


def target_header(text: str, tid: str) -> int:
    """Offset of the ``[targets.ID]`` header line; exactly one must exist."""
    pattern = re.compile(
        r"^[ \t]*\[[ \t]*targets[ \t]*\.[ \t]*(?:" + re.escape(tid) + r'|"' + re.escape(tid) + r'"|\''
        + re.escape(tid) + r"')[ \t]*\][ \t]*(?:#[^\n]*)?\r?$",
        re.M,
    )  # fmt: skip
    found = [m.start() for m in pattern.finditer(text)]
    if len(found) != 1:
        if not found:
            raise ScanError(
                _(
                    "no [targets.{id}] table in the file (a target written as dotted keys must be edited by hand)"
                ).format(id=tid)
            )
        raise ScanError(_("[targets.{id}] appears {n} times in the text").format(id=tid, n=len(found)))
    return found[0]


def find_section(text: str, tid: str) -> Section:
    """Locate the target's section by scanning its statements precisely."""
    start = target_header(text, tid)
    p = text.index("\n", start) + 1 if "\n" in text[start:] else len(text)
    items: list[Item] = []
    body_end = p
    own = True  # still in the target's own table (not a sub-table)
    n = len(text)
    while True:
        line_start = p
        p = skip_space(text, p)
        if p >= n:
            return Section(start, body_end, n, tuple(items))
        if text[p] == "[":
            # back to the start of the header's line
            ls = text.rfind("\n", 0, p) + 1
            m = _HEADER.match(text, ls)
            if not m:
                raise ScanError(_("cannot read a table header"))
            path = _header_path(m.group(2))
            if path[:2] != ("targets", tid) or len(path) < 3:
                # the next table; comments and blank lines before it stay with it
                return Section(start, body_end, line_start, tuple(items))
            own = False
            p = m.end()
            continue
        parts, eq = parse_key(text, p)
        if not parts or eq >= n or text[eq] != "=":
            raise ScanError(_("cannot read a key = value line"))
        vs = skip_space(text, eq + 1, newlines=False)
        ve = value_end(text, vs)
        stmt_end = line_end(text, ve)
        if own:
            items.append(Item(tuple(parts), p, vs, ve))
            body_end = stmt_end
        p = stmt_end


def line_end(text: str, pos: int) -> int:
    """Offset just past the end of the line holding ``pos`` (after '\\n')."""
    end = text.find("\n", pos)
    return len(text) if end < 0 else end + 1


# -- writing values -------------------------------------------------------------


def toml_string(s: str) -> str:
    """A TOML basic string (JSON's escapes are a subset of TOML's)."""
    return json.dumps(s, ensure_ascii=False)


_INT = re.compile(r"^[+-]?\d+$")
_FLOAT = re.compile(r"^[+-]?(\d+\.\d+|\d+(\.\d+)?[eE][+-]?\d+)$")


def toml_number(text: str) -> str:
    """The number as the user typed it, in TOML syntax (validated by caller)."""
    t = text.strip().replace("_", "")
    if _INT.match(t):
        return str(int(t))
    if _FLOAT.match(t):
        return t.lstrip("+")
    return repr(float(t))


def inline_table(pairs: list[tuple[str, str]], padded: bool = True) -> str:
    """``{ a = 1, b = "x" }`` from already-rendered values."""
    body = ", ".join(f"{k} = {v}" for k, v in pairs)
    return f"{{ {body} }}" if padded else f"{{{body}}}"
