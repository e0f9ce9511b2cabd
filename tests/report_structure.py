"""The structure of an HTML, Word or Excel report, as text for golden files.

Golden files hold what a reader sees (headings, tables' headers and row
counts, cell texts of the first rows, charts, number formats, colours), not
the bytes: those depend on library versions.
"""

from __future__ import annotations

import html.parser
import io
from typing import Any


class _Outline(html.parser.HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.lines: list[str] = []
        self.stack: list[str] = []
        self.text = ""
        self.row: list[str] = []
        self.rows = 0
        self.in_svg = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "svg":
            self.in_svg += 1
            return
        if self.in_svg:
            return
        if tag == "figure":
            self.lines.append(f"  chart: {dict(attrs).get('aria-label')}")
        if tag == "span" and dict(attrs).get("class") == "tid":
            self.text += " #"
        if tag in ("h1", "h2", "h3", "th", "td", "figcaption", "li", "p"):
            self.text = ""
        if tag == "table":
            self.rows = 0
        if tag == "tr":
            self.row = []
        self.stack.append(tag)

    def handle_endtag(self, tag: str) -> None:
        if tag == "svg":
            self.in_svg -= 1
            return
        if self.in_svg:
            return
        if self.stack and self.stack[-1] == tag:
            self.stack.pop()
        text = " ".join(self.text.split())
        if tag in ("h1", "h2", "h3"):
            self.lines.append(f"{tag}: {text}")
        elif tag in ("th", "td"):
            self.row.append(text)
        elif tag == "tr":
            if self.rows == 0:
                self.lines.append("  table: " + " | ".join(self.row))
            elif self.rows <= 2:
                self.lines.append("    " + " | ".join(self.row))
            self.rows += 1
        elif tag == "table":
            self.lines.append(f"    ({self.rows - 1} rows)")

    def handle_data(self, data: str) -> None:
        if not self.in_svg:
            self.text += data


def html_structure(text: str) -> str:
    p = _Outline()
    p.feed(text)
    return "\n".join(p.lines) + "\n"


def docx_structure(data: bytes) -> str:
    """Headings, paragraphs' first words, tables (header, first rows, row
    count, repeated header), pictures, page size and margins."""
    import docx
    from docx.oxml.ns import qn

    doc = docx.Document(io.BytesIO(data))
    s = doc.sections[0]
    lines = [f"page: {s.page_width.mm:.0f} x {s.page_height.mm:.0f} mm, margins top {s.top_margin.mm:.0f} "
             f"left {s.left_margin.mm:.0f}"]  # fmt: skip
    body = doc.element.body
    tables = iter(doc.tables)
    for child in body.iterchildren():
        if child.tag == qn("w:p"):
            para = next(p for p in doc.paragraphs if p._p is child)
            style = para.style.name if para.style is not None else ""
            pics = len(child.findall(".//" + qn("w:drawing")))
            if pics:
                lines.append(f"  picture x{pics}")
            if not para.text.strip():
                continue
            if style.startswith("Heading") or style in ("Title", "Subtitle"):
                lines.append(f"{style}: {para.text}")
        elif child.tag == qn("w:tbl"):
            t = next(tables)
            rows = t.rows
            pics = len(child.findall(".//" + qn("w:drawing")))
            if pics and not child.findall(".//" + qn("w:tblHeader")):
                lines.append(f"  chart grid: {pics} pictures")
                continue
            head = rows[0]
            repeat = head._tr.find(qn("w:trPr") + "/" + qn("w:tblHeader")) is not None
            lines.append("  table: " + " | ".join(c.text for c in head.cells) + (" [header repeats]" if repeat else ""))
            for r in rows[1:3]:
                lines.append("    " + " | ".join(c.text for c in r.cells))
            lines.append(f"    ({len(rows) - 1} rows)")
    return "\n".join(lines) + "\n"


def xlsx_structure(data: bytes) -> str:
    """Sheets with their header, frozen panes, filter, first rows with number
    formats and fills."""
    import openpyxl

    wb = openpyxl.load_workbook(io.BytesIO(data))
    lines: list[str] = []
    for ws in wb.worksheets:
        lines.append(
            f"sheet: {ws.title} ({ws.max_row - 1} rows), freeze {ws.freeze_panes}, filter {ws.auto_filter.ref}"
        )
        rows = list(ws.iter_rows(min_row=1, max_row=4))
        if rows:
            lines.append("  " + " | ".join(str(c.value) for c in rows[0]))
        for row in rows[1:]:
            lines.append("    " + " | ".join(_cell(c) for c in row))
    return "\n".join(lines) + "\n"


def _cell(c: Any) -> str:
    if c.value is None:
        return ""
    text = str(c.value)
    if c.number_format and c.number_format != "General":
        text += f" [{c.number_format}]"
    fill = c.fill.fgColor.rgb if c.fill is not None and c.fill.fill_type == "solid" else None
    if fill:
        text += f" {{{fill[-6:]}}}"
    if c.alignment is not None and c.alignment.indent:
        text = f"{'>' * int(c.alignment.indent)}{text}"
    return text
