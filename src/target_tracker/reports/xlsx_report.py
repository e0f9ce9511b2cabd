"""The ledger (台账) as an Excel workbook (openpyxl).

Sheets: every target (the ledger itself), the month's figures and stages
with their sources, and the sources of every target. Numbers are numbers,
dates are dates, shares are percentages; status cells are coloured like
traffic lights; the header row is frozen and filtered; columns are as wide
as their text (Chinese characters count two); rollup children are indented
and grouped (Excel's outline) under their parent. ``tracker status --format
xlsx`` writes the first sheet alone.

openpyxl makes the workbook: sheets, styles, column widths, frozen panes,
filters, page setup, properties. The rows themselves are written as sheet
XML in one piece and put in the package after openpyxl saves it: openpyxl
spends about 20 µs on each cell, 4 s for a 10,000-target ledger, against a
tenth of that here. Text is always written as text (an inline string), so a
title like ``=HYPERLINK(...)`` is never a formula.
"""

from __future__ import annotations

import io
import math
import re
import zipfile
from collections.abc import Iterable
from datetime import date, datetime
from typing import TYPE_CHECKING, Any
from xml.sax.saxutils import escape

from target_tracker.compute import TargetStatus, children_of
from target_tracker.i18n import _, format_date
from target_tracker.ledger.model import Ledger
from target_tracker.output.labels import kind_label, status_label
from target_tracker.output.render import display_width
from target_tracker.output.views import progress_text, source_of
from target_tracker.reports.data import COLORS, MonthlyReport, color_of
from target_tracker.reports.package import fixed_zip, xml_safe

if TYPE_CHECKING:
    from openpyxl import Workbook

PERCENT = "0.0%"
DATE = "yyyy-mm-dd"
MAX_WIDTH = 60
#: Columns hidden (in an outline group, one click to show) so the printed page keeps ~8 pt text.
PRINT_HIDDEN = {"id", "kind", "unit", "baseline", "target", "current", "start"}  # progress says "89 / 102 项"
#: Long text columns: capped at this width and wrapped, so the sheet prints legibly.
WRAP_WIDTH = {"title": 32, "source": 34, "owner": 18, "note": 30, "what": 24, "clause": 34, "document": 30,
              "progress": 20, "area": 18, "url": 30}  # fmt: skip
_EXCEL_EPOCH = date(1899, 12, 30).toordinal()

Cell = tuple[Any, str]  # a value and the name of its style ("" for none)


class _Styles:
    """Named cell styles, registered once in the workbook; their ids go in the XML."""

    def __init__(self, wb: Workbook) -> None:
        from openpyxl.cell import WriteOnlyCell
        from openpyxl.styles import Alignment, Font, PatternFill

        ws = wb.create_sheet("_styles")  # a scratch sheet to make cells on; removed below
        top = Alignment(vertical="top")

        def style(**attrs: Any) -> int:
            cell = WriteOnlyCell(ws)
            for k, v in attrs.items():
                setattr(cell, k, v)
            return int(cell.style_id)

        self.ids: dict[str, int] = {
            "": style(alignment=top),
            "header": style(font=Font(bold=True), fill=PatternFill("solid", fgColor="EDEFF1"), alignment=top),
            "percent": style(number_format=PERCENT, alignment=top),
            "date": style(number_format=DATE, alignment=top),
            "wrap": style(alignment=Alignment(wrap_text=True, vertical="top")),
        }
        for k in range(1, 8):
            self.ids[f"indent{k}"] = style(alignment=Alignment(indent=k, wrap_text=True, vertical="top"))
        for light, (ink, fill) in COLORS.items():
            self.ids[light] = style(font=Font(color=ink, bold=True), fill=PatternFill("solid", fgColor=fill),
                                    alignment=top)  # fmt: skip
        wb.remove(ws)


class _Sheet:
    """One sheet: openpyxl holds its settings, the rows are kept as cells and
    written as XML by :func:`_rows_xml`."""

    def __init__(self, wb: Workbook, title: str, columns: list[tuple[str, str]], heading: str = "") -> None:
        self.ws = ws = wb.create_sheet(title[:31])
        self.keys = [k for k, _h in columns]
        self.headers = [h for _k, h in columns]
        self.widths = [display_width(h) + 2 for h in self.headers]
        self.rows: list[list[Cell]] = []
        self.levels: list[int] = []
        ws.freeze_panes = "A2"
        # printed: A4 landscape, as wide as the page, header row on every page, title at the top
        ws.page_setup.paperSize = "9"  # A4
        ws.page_setup.orientation = "landscape"
        ws.page_setup.fitToWidth = 1
        ws.page_setup.fitToHeight = 0
        ws.sheet_properties.pageSetUpPr.fitToPage = True
        ws.print_title_rows = "1:1"
        # narrow margins (inches), as Excel's "Narrow"
        ws.page_margins.left = ws.page_margins.right = 0.25
        ws.page_margins.top = ws.page_margins.bottom = 0.6
        ws.page_margins.header = ws.page_margins.footer = 0.3
        if heading:
            ws.oddHeader.center.text = xml_safe(heading).replace("&", "&&")
            ws.oddHeader.center.size = 12
            ws.oddFooter.center.text = "&P / &N"

    def add(self, values: list[Any], level: int = 0) -> None:
        """Append a row of values or (value, style) pairs; ``level`` groups it under the row above."""
        row: list[Cell] = []
        for k, v in enumerate(values):
            value, style = v if isinstance(v, tuple) else (v, "")
            if isinstance(value, str):
                value = xml_safe(value)
                w = display_width(value) + 2
                cap = WRAP_WIDTH.get(self.keys[k])
                if cap and w > cap and not style:
                    style = "wrap"
                if w > self.widths[k]:
                    self.widths[k] = min(w, cap or MAX_WIDTH)
            elif isinstance(value, date):
                self.widths[k] = max(self.widths[k], 12)
            elif isinstance(value, (int, float)) and not isinstance(value, bool):
                self.widths[k] = max(self.widths[k], min(len(f"{value:,.4g}") + 3, 16))
            row.append((value, style))
        self.rows.append(row)
        self.levels.append(level)

    def close(self) -> None:
        from openpyxl.utils import get_column_letter

        ws = self.ws
        for k, w in enumerate(self.widths, start=1):
            ws.column_dimensions[get_column_letter(k)].width = w
            if self.keys[k - 1] in PRINT_HIDDEN and len(self.keys) > 8:  # a wide sheet: print what a reader needs
                dim = ws.column_dimensions[get_column_letter(k)]
                dim.hidden, dim.outlineLevel = True, 1
        ws.auto_filter.ref = f"A1:{get_column_letter(len(self.keys))}{len(self.rows) + 1}"
        if any(self.levels):
            ws.sheet_properties.outlinePr.summaryBelow = False  # a rollup is above its children

    def rows_xml(self, styles: _Styles) -> str:
        from openpyxl.utils import get_column_letter

        letters = [get_column_letter(k) for k in range(1, len(self.keys) + 1)]
        ids = styles.ids
        out = ['<sheetData><row r="1">']
        out += [f'<c r="{col}1" s="{ids["header"]}" t="inlineStr"><is><t>{escape(h)}</t></is></c>'
                for col, h in zip(letters, self.headers, strict=True)]  # fmt: skip
        out.append("</row>")
        wrapped = [k for k, key in enumerate(self.keys) if key in WRAP_WIDTH]
        for r, (row, level) in enumerate(zip(self.rows, self.levels, strict=True), start=2):
            # LibreOffice does not grow rows for wrapped text by itself: say how tall each is
            lines = 1
            for k in wrapped:
                text = row[k][0]
                if isinstance(text, str) and len(text) > 8:
                    lines = max(lines, -(-display_width(text) // max(1, int(self.widths[k]) - 1)))
            attrs = f' ht="{15 * lines}" customHeight="1"' if lines > 1 else ""
            if level:
                attrs += f' outlineLevel="{min(level, 7)}"'
            out.append(f'<row r="{r}"{attrs}>')
            for col, (value, style) in zip(letters, row, strict=True):
                s = f' s="{ids[style]}"' if style else f' s="{ids[""]}"'
                if value is None or value == "":
                    if style:
                        out.append(f'<c r="{col}{r}"{s}/>')
                elif isinstance(value, str):
                    out.append(f'<c r="{col}{r}"{s} t="inlineStr"><is><t xml:space="preserve">{escape(value)}'
                               "</t></is></c>")  # fmt: skip
                elif isinstance(value, bool):
                    out.append(f'<c r="{col}{r}"{s} t="b"><v>{int(value)}</v></c>')
                elif isinstance(value, date):
                    serial = value.toordinal() - _EXCEL_EPOCH
                    out.append(f'<c r="{col}{r}" s="{ids["date"]}"><v>{serial}</v></c>')
                elif isinstance(value, (int, float)) and math.isfinite(value):
                    number = int(value) if isinstance(value, float) and value.is_integer() else value
                    out.append(f'<c r="{col}{r}"{s}><v>{number!r}</v></c>')
            out.append("</row>")
        out.append("</sheetData>")
        return "".join(out)


def _pct(v: float | None) -> Cell:
    return (None if v is None else round(v, 6), "percent")


def _status(code: str | None) -> Cell:
    if not code:
        return (None, "")
    colour = color_of(code)
    light = next((name for name, c in COLORS.items() if c == colour), "")
    return (status_label(code), light)


def targets_sheet(wb: Workbook, ledger: Ledger, rows: Iterable[TargetStatus], heading: str,
                  before: dict[str, TargetStatus] | None = None) -> _Sheet:  # fmt: skip
    """The ledger sheet: one row per target in display order."""
    columns = [
        ("id", _("id")),
        ("title", _("title")),
        ("area", _("area")),
        ("owner", _("owner")),
        ("kind", _("kind")),
        ("progress", _("progress")),
        ("unit", _("unit")),
        ("baseline", _("baseline")),
        ("target", _("goal")),
        ("current", _("current")),
        ("ratio", _("done")),
        ("expected", _("expected")),
        ("status", _("status")),
        ("start", _("start")),
        ("due", _("due")),
        ("updated", _("last figure")),
    ]  # each target's source is on the Sources sheet
    if before is not None:
        columns[13:13] = [("ratio_before", _("done last month")), ("status_before", _("status last month"))]
    sheet = _Sheet(wb, _("Targets"), columns, heading)
    kids = children_of(ledger)
    for r in rows:
        t = r.target
        title: Any = (t.title, f"indent{min(r.depth, 7)}") if r.depth else t.title
        baseline = t.baseline if t.kind == "quantity" else None
        values = [t.id, title, r.area, t.owner, kind_label(t.kind), progress_text(r, len(kids.get(t.id, ()))), t.unit,
                  baseline, t.target, r.current, _pct(r.ratio), _pct(r.expected), _status(r.status),
                  r.start, r.due, r.updated]  # fmt: skip
        if before is not None:
            b = before.get(t.id)
            values[13:13] = [_pct(b.ratio if b else None), _status(b.status if b else None)]
        sheet.add(values, r.depth)
    sheet.close()
    return sheet


def _workbook() -> Workbook:
    from openpyxl import Workbook

    return Workbook(write_only=True)


_SHEET_DATA = re.compile(rb"<sheetData\s*/>|<sheetData>.*?</sheetData>", re.S)
_DIMENSION = re.compile(rb'<dimension ref="[^"]*"\s*/>')


def _save(wb: Workbook, sheets: list[_Sheet], styles: _Styles, title: str, day: date) -> bytes:
    from openpyxl.utils import get_column_letter

    when = datetime.combine(day, datetime.min.time())
    wb.properties.title = title
    wb.properties.creator = "target-tracker"
    wb.properties.lastModifiedBy = "target-tracker"
    wb.properties.created = wb.properties.modified = when
    buf = io.BytesIO()
    wb.save(buf)
    # put each sheet's rows into the package openpyxl wrote (sheets are numbered in order)
    out = io.BytesIO()
    with zipfile.ZipFile(buf) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            data = src.read(info.filename)
            m = re.fullmatch(r"xl/worksheets/sheet(\d+)\.xml", info.filename)
            if m:
                sheet = sheets[int(m.group(1)) - 1]
                rows = sheet.rows_xml(styles).encode("utf-8")
                match = _SHEET_DATA.search(data)
                if match:
                    data = data[: match.start()] + rows + data[match.end() :]
                ref = f"A1:{get_column_letter(len(sheet.keys))}{len(sheet.rows) + 1}".encode()
                data = _DIMENSION.sub(b'<dimension ref="' + ref + b'"/>', data, count=1)
            dst.writestr(info.filename, data)
    return fixed_zip(out.getvalue(), day)


def status_workbook(ledger: Ledger, rows: list[TargetStatus], as_of: date, generated: date) -> bytes:
    """``tracker status --format xlsx``: the ledger sheet alone."""
    wb = _workbook()
    styles = _Styles(wb)
    title = _("{ledger}: status as of {date}").format(ledger=ledger.title, date=format_date(as_of))
    sheet = targets_sheet(wb, ledger, rows, title)
    return _save(wb, [sheet], styles, title, generated)


def report_workbook(rep: MonthlyReport) -> bytes:
    """The monthly report's workbook: targets, the month's figures, sources."""
    from target_tracker.reports.render import report_title

    wb = _workbook()
    styles = _Styles(wb)
    title = report_title(rep)
    targets = targets_sheet(wb, rep.ledger, rep.rows, title, rep.before)
    figures = _Sheet(wb, _("Figures this month"), [
        ("date", _("date")), ("id", _("id")), ("title", _("title")), ("what", _("figure or stage")),
        ("change", _("change")), ("note", _("note")), ("source", _("source"))], title)  # fmt: skip
    for u in rep.updates:
        figures.add([u.date, u.target.id, u.target.title, u.what, u.change, u.note, u.source])
    if not rep.updates:  # say so: a printed sheet of headers alone reads as a mistake
        figures.add([None, None, _("No figure or stage is dated in this month."), None, None, None, None])
    figures.close()
    sources = _Sheet(wb, _("Sources"), [
        ("id", _("id")), ("title", _("title")), ("document", _("document")), ("date", _("date")),
        ("clause", _("clause")), ("url", _("link"))], title)  # fmt: skip
    for r in rep.rows:
        src = source_of(r.target, rep.ledger)
        if src:
            sources.add([r.target.id, r.target.title, src.document, src.date, src.clause, src.url])
    sources.close()
    return _save(wb, [targets, figures, sources], styles, title, rep.generated)
