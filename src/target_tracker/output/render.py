"""Render one intermediate :class:`Table` (or a JSON-able dict) in any format.

Every command that prints data builds a :class:`View` and hands it to
:func:`render`; there is one renderer per format and no command formats
output by itself.
"""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from target_tracker.i18n import _, pgettext
from target_tracker.output.safe import for_people

#: Formats every data command accepts, besides any tabulate table style.
FORMATS = ("text", "markdown", "csv", "json")
TABLE_STYLES = ("simple", "plain", "github", "grid", "rounded_grid", "fancy_grid", "pipe", "orgtbl", "rst")

STATUS_COLORS = {
    "done": "32",  # green
    "met": "32",
    "on-track": "32",
    "at-risk": "33",  # yellow
    "behind": "31",  # red
    "overdue": "1;31",  # bold red
    "missed": "1;31",
    "no-data": "35",  # magenta
    "not-started": "2",  # dim
    "paused": "2",
    "cancelled": "2",
}


class FormatError(ValueError):
    pass


def _plain(v: Any) -> str:
    return "" if v is None else str(v)


@dataclass
class Column:
    """A column: ``key`` into the row, ``text`` turns the raw value into a cell."""

    key: str
    header: str
    align: str = "left"
    text: Callable[[Any], str] = _plain
    colored: bool = False  # status words get colour on a terminal
    in_text: bool = True  # shown to people (text, markdown)
    in_csv: bool = True  # written to CSV, raw
    max_width: int | None = None  # terminal text only: longer cells are cut with "…"
    context: str | None = None  # gettext context of the header (NP_), when one English word means two things


@dataclass
class Table:
    """Rows of raw values, optionally in labelled groups (areas)."""

    columns: list[Column]
    groups: list[tuple[str | None, list[dict[str, Any]]]]
    title: str | None = None
    notes: list[str] = field(default_factory=list)  # printed under the table


@dataclass
class View:
    """What a command shows: tables for people, ``data`` for programs."""

    tables: list[Table]
    data: Any
    heading: str | None = None


def check_format(fmt: str) -> str:
    if fmt in FORMATS or fmt in TABLE_STYLES:
        return fmt
    raise FormatError(_("unknown format '{format}': use {formats} or a table style ({styles})").format(
        format=fmt, formats=", ".join(FORMATS), styles=", ".join(TABLE_STYLES)))  # fmt: skip


def render(view: View, fmt: str = "text", color: bool = False) -> str:
    check_format(fmt)
    if fmt == "json":
        return json.dumps(view.data, ensure_ascii=False, indent=2) + "\n"
    if fmt == "csv":
        return render_csv(view.tables[0])
    if fmt == "markdown":
        return render_markdown(view)
    return render_text(view, "simple" if fmt == "text" else fmt, color)


def cells(table: Table, rows: list[dict[str, Any]], color: bool, cut: bool = False) -> list[list[str]]:
    out = []
    for row in rows:
        cells = []
        for c in table.columns:
            if not c.in_text:
                continue
            raw = row.get(c.key)
            s = for_people(c.text(raw))
            if cut and c.max_width:
                s = truncate(s, c.max_width)
            if color and c.colored and raw in STATUS_COLORS:  # the code, whatever the label's language
                s = f"\x1b[{STATUS_COLORS[raw]}m{s}\x1b[0m"
            cells.append(s)
        out.append(cells)
    return out


def _tabulate(headers: list[str], cells: list[list[str]], style: str, aligns: list[str]) -> str:
    import tabulate as tab

    # preserve_whitespace keeps the indent that shows rollup nesting
    return tab.tabulate(
        cells, headers=headers, tablefmt=style, colalign=aligns, disable_numparse=True, preserve_whitespace=True
    )


def header_text(c: Column) -> str:
    """The column's header in the interface language (headers are N_() messages)."""
    if not c.header:
        return ""
    return pgettext(c.context, c.header) if c.context else _(c.header)


def _heads(table: Table) -> tuple[list[str], list[str]]:
    shown = [c for c in table.columns if c.in_text]
    return [header_text(c) for c in shown], [c.align for c in shown]


def display_width(s: str) -> int:
    """Terminal columns, measured exactly as tabulate's styles measure them
    (wcwidth: East Asian wide characters take two, combining marks and
    zero-width characters none, an emoji sequence joined by ZWJ two), so the
    default "simple" table and ``--format grid`` line up the same text the
    same way. wcwidth (about 10 ms) is imported only for non-ASCII text."""
    if s.isascii():
        return len(s)
    width = _WIDTHS.get(s)
    if width is None:
        if len(_WIDTHS) > 100_000:  # a bound for long-lived processes
            _WIDTHS.clear()
        width = _WIDTHS[s] = _measure(s)
    return width


#: Non-ASCII text already measured: a table measures each title to fit its column and again to cut it.
_WIDTHS: dict[str, int] = {}


#: Text made only of these (printable ASCII and Latin, general punctuation, arrows, symbols and
#: the progress bar's blocks, CJK, Hangul syllables, full-width forms) is measured character by
#: character; anything else (combining and spacing marks, joiners, emoji sequences, other
#: scripts) by wcswidth as a whole, which looks at neighbours.
_SIMPLE = re.compile("[\x20-\x7e\u00a0-\u024f\u2010-\u2027\u2030-\u205e\u2190-\u25ff\u2e80-\u9fff\uac00-\ud7a3"
                     "\uf900-\ufaff\uff00-\uffef]*")  # fmt: skip
#: Widths of single characters met so far (a Python loop over a dict beats wcswidth several times
#: on the titles of a 10,000-target table).
_CHAR_WIDTHS: dict[str, int] = {}


def _measure(s: str) -> int:
    from wcwidth import wcswidth, wcwidth

    if _SIMPLE.fullmatch(s):
        total = 0
        for ch in s:
            w = _CHAR_WIDTHS.get(ch)
            if w is None:
                w = _CHAR_WIDTHS[ch] = max(int(wcwidth(ch)), 0)
            total += w
        return total
    width = wcswidth(s)
    if width >= 0:
        return int(width)
    return sum(max(int(wcwidth(ch)), 0) for ch in s)  # control characters take no column


def render_simple(table: Table, color: bool) -> list[str]:
    """The default text table (tabulate's "simple" look), written directly:
    10,000 rows render in a fraction of tabulate's time, and group labels go
    between rows with every group's columns lined up."""
    shown = [c for c in table.columns if c.in_text]
    headers = [header_text(c) for c in shown]
    groups = [(label, cells(table, rows, False, cut=True)) for label, rows in table.groups]
    codes = [[row.get(c.key) for c in shown] for _label, rows in table.groups for row in rows] if color else []
    widths = [display_width(h) for h in headers]
    measured = [[display_width(x) for x in row] for _, body in groups for row in body]
    for row_widths in measured:
        for k, w in enumerate(row_widths):
            if w > widths[k]:
                widths[k] = w
    right = [c.align == "right" for c in shown]
    colored = [c.colored for c in shown]

    def line(row: list[str], row_widths: list[int], raw: list[Any] | None = None) -> str:
        parts = []
        for k, cell in enumerate(row):
            pad = " " * (widths[k] - row_widths[k])
            code = raw[k] if raw is not None else None
            if color and colored[k] and code in STATUS_COLORS:  # the code, whatever the label's language
                cell = f"\x1b[{STATUS_COLORS[code]}m{cell}\x1b[0m"
            parts.append(pad + cell if right[k] else cell + pad)
        return "  ".join(parts).rstrip()

    out = [line(headers, [display_width(h) for h in headers]), "  ".join("-" * w for w in widths)]
    k = 0
    labelled = len(groups) > 1 or (groups and groups[0][0] is not None)
    for label, body in groups:
        if labelled and body and label is not None:
            out.append(f"▸ {for_people(label)}")
        for row in body:
            out.append(line(row, measured[k], codes[k] if color else None))
            k += 1
    return out


def render_text(view: View, style: str, color: bool = False) -> str:
    """Plain-text tables; group labels are inserted between rows so that the
    columns of all groups line up."""
    parts: list[str] = []
    if view.heading:
        parts.append(for_people(view.heading))
    for table in view.tables:
        if table.title:
            parts.append(("\n" if parts else "") + for_people(table.title))
        headers, aligns = _heads(table)
        rows = [r for _, g in table.groups for r in g]
        if not rows:
            parts.append(_("(none)"))
        elif style == "simple":
            parts.append("\n".join(render_simple(table, color)))
        else:
            lines = _tabulate(headers, cells(table, rows, color, cut=True), style, aligns).split("\n")
            parts.append("\n".join(_insert_group_labels(lines, table, style, len(rows))))
            if style in _MARKUP_STYLES and table.notes:
                parts.append("")  # a line right under a Markdown table would be read as a row
        parts.extend(for_people(n, one_line=False) for n in table.notes)
    return "\n".join(parts) + "\n"


#: Styles that are markup (a table ends at a line that is not a row).
_MARKUP_STYLES = ("github", "pipe", "orgtbl", "rst")


def _insert_group_labels(lines: list[str], table: Table, style: str, n_rows: int) -> list[str]:
    labels = [(label, len(rows)) for label, rows in table.groups]
    if len(labels) <= 1 and not (labels and labels[0][0]):
        return lines
    # Row lines are the last n_rows lines that are not rule lines.
    rule_chars = set("-=+|:─━═╞╡╪╤╧╘╛╒╕├┤┼┬┴└┘┌┐│ ╭╮╰╯")
    is_rule = [bool(line) and set(line) <= rule_chars for line in lines]
    row_idx = [i for i, r in enumerate(is_rule) if not r]
    body = row_idx[-n_rows:] if n_rows else []
    inserts: dict[int, str] = {}
    k = 0
    for label, count in labels:
        if count and label is not None and k < len(body):
            inserts[body[k]] = f"▸ {for_people(label)}"
        k += count
    if style in _MARKUP_STYLES and body:
        # A label line inside a Markdown/org/rST table ends the table: one
        # table per area instead, each with the header (same column widths).
        head, tail = lines[: body[0]], lines[body[-1] + 1 :]
        out: list[str] = []
        k = 0
        for label, count in labels:
            if not count:
                continue
            if out:
                out.append("")
            if label is not None:
                out.extend([f"▸ {for_people(label)}", ""])
            out.extend(head + [lines[i] for i in body[k : k + count]] + tail)
            k += count
        return out
    out = []
    for i, line in enumerate(lines):
        if i in inserts:
            out.append(inserts[i])  # right before its first row, after any rule
        out.append(line)
    return out


def markdown_table(table: Table, rows: list[dict[str, Any]]) -> str:
    """One GitHub-style table of ``rows``, every cell escaped."""
    headers, aligns = _heads(table)
    body = [[md_escape(x) for x in r] for r in cells(table, rows, False)]
    return _tabulate([md_escape(h) for h in headers], body, "github", aligns)


def render_markdown(view: View) -> str:
    parts: list[str] = []
    if view.heading:
        parts.append(f"# {md_escape(view.heading)}\n")
    for table in view.tables:
        if table.title:
            parts.append(f"## {md_escape(table.title)}\n")
        for label, rows in table.groups:
            if label is not None:
                parts.append(f"### {md_escape(label)}\n")
            if rows:
                parts.append(markdown_table(table, rows) + "\n")
            else:
                parts.append(_("(none)") + "\n")

        parts.extend(f"{md_escape(n, line_start=True)}\n" for n in table.notes)
    return "\n".join(parts)


def truncate(text: str, width: int) -> str:
    """Cut to ``width`` terminal columns (Chinese characters count as two)."""
    if display_width(text) <= width:
        return text
    out, used = [], 0
    for ch in text:
        w = display_width(ch)
        if used + w > width - 1:
            break
        out.append(ch)
        used += w
    return "".join(out) + "…"


#: Characters that start Markdown inline syntax: links and images ``[x](...)``,
#: emphasis, code spans, strikethrough, table cells. A backslash makes each literal.
_MD_INLINE = re.compile(r"([\\`*_\[\]|~])")
#: Every character some reader takes as a line break (str.splitlines' set):
#: inside a cell or a heading each would end the row or the line.
_LINE_BREAKS = re.compile("[\r\n\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029]+")
#: Block syntax at the start of a line: heading, quote, list item.
_MD_BLOCK_START = re.compile(r"^(\s*(?:\d+)?)([#>]|[-+](?=\s)|(?<=\d)[.)](?=\s))")


def md_escape(s: str, *, line_start: bool = False) -> str:
    """Ledger text as literal Markdown: no live link, image, emphasis or HTML,
    and one line, so it can never break a table row or a heading.
    ``line_start``: the text begins a line (a paragraph), so a leading ``#``,
    ``>``, ``- `` or ``1. `` is escaped too, not read as a heading, quote or list."""
    s = for_people(_LINE_BREAKS.sub(" ", s))
    s = _MD_INLINE.sub(r"\\\1", s).replace("<", "&lt;")
    return _MD_BLOCK_START.sub(r"\1\\\2", s, count=1) if line_start else s


FORMULA_START = ("=", "+", "-", "@", "\t", "\r", "\n")


def csv_cell(v: Any) -> Any:
    """Neutralise text that a spreadsheet would run as a formula (spreadsheets
    skip leading blanks and line breaks: " =1+1" and "\\n=2+2" too); numbers
    stay numbers."""
    if isinstance(v, str) and (v.startswith(FORMULA_START) or v.lstrip().startswith(FORMULA_START)):
        return "'" + v
    return "" if v is None else v


def render_csv(table: Table) -> str:
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    cols = [c for c in table.columns if c.in_csv]
    w.writerow([c.key for c in cols])
    for _label, rows in table.groups:
        for row in rows:
            w.writerow([csv_cell(row.get(c.key)) for c in cols])
    return buf.getvalue()
