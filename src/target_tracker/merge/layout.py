"""A ledger file's text cut into the units a merge works on.

A file is a preamble (the top-level ``key = value`` lines before the first
table) and tables. Each table starts at the blank and comment lines before
its header and ends after its last statement, as ``toml.scan.find_section``
cuts a target. Tables are grouped into units: one per target (its
``[targets.ID]`` table and any ``[targets.ID.sub]`` tables), one per other
table path (``[settings]``, ``[source]``), and the preamble.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from target_tracker.toml.lines import parse_key
from target_tracker.toml.scan import _HEADER, Item, ScanError, line_end, skip_space, value_end


class LayoutError(ValueError):
    """The file is laid out in a way the ledger merge does not handle."""


@dataclass(frozen=True)
class Table:
    """A table (or the preamble, path ``()``) in a file's text.

    start: where its leading blank and comment lines begin; header: its
    header line (== start for the preamble); body: just after the header
    line; body_end: just after its last statement; end: where the next
    table's leading lines begin. items: its own statements.
    """

    path: tuple[str, ...]
    start: int
    header: int
    body: int
    body_end: int
    end: int
    items: tuple[Item, ...]
    array: bool = False  # an [[array of tables]] header


@dataclass(frozen=True)
class Unit:
    """One target, or one non-target table, or the preamble: what a merge compares."""

    key: tuple[str, ...]  # ("targets", ID), a table path, or () for the preamble
    tables: tuple[Table, ...]

    @property
    def start(self) -> int:
        return self.tables[0].start

    @property
    def header(self) -> int:
        return self.tables[0].header

    @property
    def end(self) -> int:
        return self.tables[-1].end

    @property
    def simple(self) -> bool:
        """One table whose statements all have plain (undotted) keys."""
        return len(self.tables) == 1 and not self.tables[0].array and all(len(i.key) == 1 for i in self.tables[0].items)

    @property
    def table(self) -> Table:
        return self.tables[0]


def tables(text: str) -> list[Table]:
    """The preamble and every table of ``text``, in order."""
    out: list[Table] = []
    n = len(text)
    path: tuple[str, ...] = ()
    start = header = body = body_end = 0
    array = False
    items: list[Item] = []
    p = 0
    while True:
        line_start = p
        p = skip_space(text, p)
        if p >= n:
            out.append(Table(path, start, header, body, body_end or body, n, tuple(items), array))
            return out
        if text[p] == "[":
            ls = text.rfind("\n", 0, p) + 1
            m = _HEADER.match(text, ls)
            if not m:
                raise LayoutError("cannot read a table header")
            out.append(Table(path, start, header, body, body_end or body, line_start, tuple(items), array))
            path = tuple(parse_key(m.group(2), 0)[0])
            array = m.group(1) is not None
            start, header = line_start, ls
            body = body_end = line_end(text, m.end())
            items = []
            p = body
            continue
        try:
            parts, eq = parse_key(text, p)
            if not parts or eq >= n or text[eq] != "=":
                raise LayoutError("cannot read a key = value line")
            vs = skip_space(text, eq + 1, newlines=False)
            ve = bracketed_end(text, vs) if vs < n and text[vs] in "[{" else value_end(text, vs)
        except ScanError as e:
            raise LayoutError(str(e)) from None
        items.append(Item(tuple(parts), p, vs, ve))
        p = body_end = line_end(text, ve)


def units(text: str) -> tuple[Unit, list[Unit], list[Unit]]:
    """The preamble, the other tables, and the targets, each in file order.

    Refuses (LayoutError) what it cannot merge safely: a target whose
    tables are not together, ``[targets]`` itself, or dotted ``targets.``
    keys in the preamble.
    """
    all_tables = tables(text)
    preamble = Unit((), (all_tables[0],))
    if any(i.key[0] == "targets" for i in all_tables[0].items):
        raise LayoutError("targets written as dotted keys")
    others: dict[tuple[str, ...], list[Table]] = {}
    targets: dict[tuple[str, ...], list[Table]] = {}
    last: tuple[str, ...] | None = None
    for t in all_tables[1:]:
        if t.path[:1] == ("targets",):
            if len(t.path) < 2:
                raise LayoutError("a [targets] table")
            key = t.path[:2]
            if key in targets and last != key:
                raise LayoutError(f"the tables of target '{key[1]}' are not together")
            targets.setdefault(key, []).append(t)
        else:
            key = t.path
            if key in others and last != key:
                raise LayoutError(f"the tables [{'.'.join(key)}] are not together")
            others.setdefault(key, []).append(t)
        last = key
    return (
        preamble,
        [Unit(k, tuple(v)) for k, v in others.items()],
        [Unit(k, tuple(v)) for k, v in targets.items()],
    )


# what can hold a bracket that does not count: strings and comments (multi-line strings first)
_TOKEN = re.compile(
    r'"""(?:[^"\\]|\\.|"(?!""))*"""|\'\'\'(?:[^\']|\'(?!\'\'))*\'\'\'|"(?:[^"\\\n]|\\.)*"|\'[^\'\n]*\'|#[^\n]*|[][{}]'
)


def bracketed_end(text: str, pos: int) -> int:
    """End offset of the array or inline table at ``pos``: brackets counted,
    strings and comments skipped by one regular expression (fast on large
    figure lists; the elements themselves are read only where a merge needs them)."""
    depth = 0
    for m in _TOKEN.finditer(text, pos):
        c = m.group()
        if c in "[{":
            depth += 1
        elif c in "]}":
            depth -= 1
            if depth == 0:
                return m.end()
    raise LayoutError("unclosed array or inline table")


def line_start(text: str, pos: int) -> int:
    return text.rfind("\n", 0, pos) + 1


def statement_span(text: str, item: Item) -> tuple[int, int]:
    """Whole lines of a ``key = value`` statement (with its trailing comment)."""
    return line_start(text, item.start), line_end(text, item.value_end)
