"""Everything the package knows about TOML source text, in one string-aware scanner.

- keys and line numbers: :func:`parse_key`, :class:`LineIndex` (key path ->
  line, for problems reported with a line);
- headers: :func:`headers`, :func:`target_ids`, :func:`targets_with`, none
  fooled by a ``[targets.x]`` line inside a multi-line string;
- byte-exact spans for edits: :func:`find_section` (a target's table and its
  keys), :func:`array_elements`, :func:`inline_items`, :func:`value_end`.

Edits splice new text into exactly these spans and leave every other byte
alone. The scanner only has to find boundaries; whatever it produces is
checked afterwards by parsing with tomllib (see :mod:`target_tracker.edits.operations`).
Values are written by :func:`target_tracker.toml.values.render`.
"""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass

from target_tracker.i18n import _
from target_tracker.ledger.model import KeyPath

# -- keys ---------------------------------------------------------------------------

_BARE = set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-")


def parse_key(s: str, pos: int) -> tuple[list[str], int]:
    """Parse a (dotted) key starting at ``pos``; return its parts and the end."""
    parts: list[str] = []
    n = len(s)
    while True:
        while pos < n and s[pos] in " \t":
            pos += 1
        if pos >= n:
            break
        c = s[pos]
        if c == '"':
            end = pos + 1
            buf = []
            while end < n and s[end] != '"':
                if s[end] == "\\" and end + 1 < n:
                    buf.append(s[end + 1])
                    end += 2
                    continue
                buf.append(s[end])
                end += 1
            parts.append("".join(buf))
            pos = end + 1
        elif c == "'":
            end = s.find("'", pos + 1)
            end = n if end < 0 else end
            parts.append(s[pos + 1 : end])
            pos = end + 1
        else:
            start = pos
            while pos < n and s[pos] in _BARE:
                pos += 1
            if pos == start:
                break
            parts.append(s[start:pos])
        while pos < n and s[pos] in " \t":
            pos += 1
        if pos < n and s[pos] == ".":
            pos += 1
            continue
        break
    return parts, pos


@dataclass
class _Frame:
    kind: str  # "[" or "{"
    path: KeyPath | None  # None inside inline tables: their insides are opaque
    count: int = 0
    expecting: bool = True


class LineIndex:
    """Line numbers (1-based) of the keys, tables and array elements of a text."""

    def __init__(self, text: str) -> None:
        self.lines: dict[KeyPath, int] = {}
        self._scan(text)

    def line_of(self, path: KeyPath) -> int | None:
        """The line of ``path``, or of its nearest ancestor that has one."""
        for n in range(len(path), 0, -1):
            line = self.lines.get(path[:n])
            if line is not None:
                return line
        return None

    def _set(self, path: KeyPath, line: int) -> None:
        self.lines.setdefault(path, line)

    def _scan(self, text: str) -> None:
        current: KeyPath = ()
        aot_counts: dict[KeyPath, int] = {}
        stack: list[_Frame] = []
        in_string: str | None = None
        for lineno, raw in enumerate(text.split("\n"), start=1):
            line = raw.rstrip("\r")
            pos = 0
            if in_string:
                end = line.find(in_string)
                if end < 0:
                    continue
                pos = end + 3
                in_string = None
            elif not stack:
                stripped = line.lstrip()
                if not stripped or stripped[0] == "#":
                    continue
                if stripped[0] == "[":
                    aot = stripped.startswith("[[")
                    parts, _end = parse_key(stripped, 2 if aot else 1)
                    path: KeyPath = tuple(parts)
                    if aot:
                        idx = aot_counts.get(path, 0)
                        aot_counts[path] = idx + 1
                        self._set(path, lineno)
                        path = path + (idx,)
                    current = path
                    self._set(path, lineno)
                    continue
                offset = len(line) - len(stripped)
                parts, pos = parse_key(line, offset)
                if pos >= len(line) or line[pos] != "=" or not parts:
                    continue
                key_path = current + tuple(parts)
                for n in range(len(current) + 1, len(key_path) + 1):
                    self._set(key_path[:n], lineno)
                pos += 1
                stack.append(_Frame("=", key_path))
            in_string = self._scan_value(line, pos, lineno, stack)
            if stack and stack[0].kind == "=" and len(stack) == 1:
                stack.clear()  # a one-line value ended with the line

    def _scan_value(self, line: str, pos: int, lineno: int, stack: list[_Frame]) -> str | None:
        n = len(line)
        while pos < n:
            c = line[pos]
            if c in " \t":
                pos += 1
                continue
            if c == "#":
                break
            top = stack[-1] if stack else None
            if top is not None and top.kind == "[" and top.expecting and c not in ",]":
                if top.path is not None:
                    self._set(top.path + (top.count,), lineno)
                top.count += 1
                top.expecting = False
            if c in "\"'":
                triple = line.startswith(c * 3, pos)
                if triple:
                    end = line.find(c * 3, pos + 3)
                    if end < 0:
                        return c * 3
                    pos = end + 3
                    continue
                pos += 1
                while pos < n and line[pos] != c:
                    pos += 2 if (c == '"' and line[pos] == "\\") else 1
                pos += 1
                continue
            if c in "[{":
                path: KeyPath | None = None
                if top is not None and top.path is not None:
                    if top.kind == "[":
                        path = top.path + (top.count - 1,)
                    elif top.kind == "=":
                        path = top.path
                stack.append(_Frame(c, path if c == "[" else None))
            elif c in "]}":
                if stack and stack[-1].kind != "=":
                    stack.pop()
                if len(stack) == 1 and stack[0].kind == "=":
                    stack.clear()
            elif c == "," and top is not None and top.kind == "[":
                top.expecting = True
            pos += 1
        return None


# -- spans ---------------------------------------------------------------------------


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

# Strings and comments, so that a "[targets.x]" line inside a multi-line
# string is not taken for a header. A closing delimiter may be followed by
# up to two more quotes that belong to the string.
_TOKEN = re.compile(
    r'"""(?:[^"\\]|\\.|"(?!""))*"""(?:""|")?'
    r"|'''(?:[^']|'(?!''))*'''(?:''|')?"
    r'|"(?:[^"\\\n]|\\.)*"'
    r"|'[^'\n]*'"
    r"|#[^\n]*",
    re.S,
)


def multiline_strings(text: str) -> list[tuple[int, int]]:
    """Spans of the multi-line strings in ``text``: the only places where a
    line can start inside a value and look like a header or a key."""
    if '"""' not in text and "'''" not in text:
        return []
    return [m.span() for m in _TOKEN.finditer(text) if m.group().startswith(('"""', "'''"))]


def _inside(spans: list[tuple[int, int]], pos: int) -> bool:
    i = bisect.bisect_right(spans, (pos, pos)) - 1
    return i >= 0 and spans[i][0] < pos < spans[i][1]


@dataclass(frozen=True)
class Header:
    """A table header line: its offset, its key path, and whether it is ``[[...]]``."""

    start: int
    path: tuple[str, ...]
    array: bool


# A header's bracket, found without anchoring at every line start (13x faster
# on a 45 MB ledger); that only blanks precede it on its line is checked after.
_HEADER_AT = re.compile(r"\[(\[)?[ \t]*([^\]\n]*?)[ \t]*\]\]?[ \t]*(?:#[^\n]*)?\r?(?:\n|\Z)")


def headers(text: str) -> list[Header]:
    """Every table header of the text, in order; none inside a string.

    A line of a multi-line array of arrays that reads like a header
    (``  [3]``) is not told apart here; ``targets.*`` paths, the only ones
    edits look for, cannot be array values. Inside a target's section
    :func:`find_section` reads statement by statement and is exact."""
    spans = multiline_strings(text)
    out = []
    for m in _HEADER_AT.finditer(text):
        at = m.start()
        ls = text.rfind("\n", 0, at) + 1
        if ls != at and text[ls:at].strip(" \t"):
            continue  # not at the start of its line: part of a value
        if spans and _inside(spans, at):
            continue
        out.append(Header(ls, _header_path(m.group(2)), bool(m.group(1))))
    return out


def target_ids(text: str) -> list[str]:
    """Ids of the ``[targets.ID]`` headers of a text, in order (with repeats)."""
    return [h.path[1] for h in headers(text) if len(h.path) == 2 and h.path[0] == "targets" and not h.array]


def targets_with(text: str, key: str, value: str) -> list[str]:
    """Ids of the targets, in file order, that have a line ``key = "value"``
    (compared after parsing the string, so any quoting matches)."""
    import tomllib

    pattern = re.compile(r"^[ \t]*" + re.escape(key) + r"""[ \t]*=[ \t]*("(?:[^"\\\n]|\\.)*"|'[^'\n]*')""", re.M)
    spans = multiline_strings(text)
    heads = [h for h in headers(text) if len(h.path) >= 2 and h.path[0] == "targets" and not h.array]
    starts = [h.start for h in heads]
    found = []
    for m in pattern.finditer(text):
        if spans and _inside(spans, m.start()):
            continue
        try:
            if tomllib.loads("v = " + m.group(1))["v"] != value:
                continue
        except tomllib.TOMLDecodeError:
            continue
        i = bisect.bisect_right(starts, m.start()) - 1
        if i >= 0:
            found.append(heads[i].path[1])
    return found


def _header_path(raw: str) -> tuple[str, ...]:
    return tuple(parse_key(raw, 0)[0])


def target_header(text: str, tid: str) -> int:
    """Offset of the ``[targets.ID]`` header line; exactly one must exist."""
    found = [h.start for h in headers(text) if h.path == ("targets", tid) and not h.array]
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
