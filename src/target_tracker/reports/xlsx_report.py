"""The ledger (台账) as an Excel workbook (openpyxl).

Sheets: every target (the ledger itself), the month's figures and stages
with their sources, and the sources of every target. Numbers are numbers,
dates are dates, shares are percentages; status cells are coloured like
traffic lights; the header row is frozen and filtered; columns are as wide
as their text (Chinese characters count two); rollup children are indented
under their parent. ``tracker status --format xlsx`` writes the first sheet
alone.

Written in openpyxl's write-only mode: 10,000 targets take about a second.
"""

from __future__ import annotations

import io
from collections.abc import Iterable
from datetime import date, datetime
from typing import TYPE_CHECKING, Any

from target_tracker.compute import TargetStatus, children_of
from target_tracker.i18n import _
from target_tracker.ledger.model import Ledger
from target_tracker.output.labels import status_label
from target_tracker.output.render import display_width
from target_tracker.output.views import progress_text, source_of
from target_tracker.reports.data import MonthlyReport, color_of
from target_tracker.reports.package import fixed_zip, xml_safe

if TYPE_CHECKING:
    from openpyxl import Workbook

PERCENT = "0.0%"
DATE = "yyyy-mm-dd"
NUMBER = "#,##0.####"
MAX_WIDTH = 60
#: Long text columns: capped at this width and wrapped, so the sheet prints legibly.
WRAP_WIDTH = {"title": 40, "source": 34, "owner": 18, "note": 30, "what": 24, "clause": 34, "document": 30,
              "progress": 20, "area": 18, "url": 30}  # fmt: skip


class _Sheet:
    """One write-only sheet: header, rows of (value, style) cells, widths measured as rows go."""

    def __init__(self, wb: Workbook, title: str, columns: list[tuple[str, str]], heading: str = "") -> None:
        from openpyxl.styles import Alignment, Font, PatternFill

        self.ws = wb.create_sheet(title[:31])
        # printed: A4 landscape, as wide as the page, header row on every page, title at the top
        ws = self.ws
        ws.page_setup.paperSize = "9"  # A4
        ws.page_setup.orientation = "landscape"
        ws.page_setup.fitToWidth = 1
        ws.page_setup.fitToHeight = 0
        ws.sheet_properties.pageSetUpPr.fitToPage = True
        ws.print_title_rows = "1:1"
        ws.page_margins.left = ws.page_margins.right = 0.5
        if heading:
            ws.oddHeader.center.text = xml_safe(heading).replace("&", "&&")
            ws.oddHeader.center.size = 12
            ws.oddFooter.center.text = "&P / &N"
        self.keys = [k for k, _h in columns]
        self.widths = [display_width(h) + 2 for _k, h in columns]
        self.ws.freeze_panes = "A2"
        self.wrap = Alignment(wrap_text=True, vertical="top")
        self.rows: list[list[Any]] = []
        self.levels: list[int] = []
        self.header = [self._cell(h, font=Font(bold=True), fill=PatternFill("solid", fgColor="EDEFF1"),
                                  alignment=Alignment(vertical="center")) for _k, h in columns]  # fmt: skip

    def _cell(self, value: Any, **style: Any) -> Any:
        from openpyxl.cell import WriteOnlyCell

        cell = WriteOnlyCell(self.ws, value=value)
        for k, v in style.items():
            setattr(cell, k, v)
        if isinstance(value, str):
            cell.data_type = "s"  # text stays text, whatever it starts with
        return cell

    def add(self, values: list[Any], level: int = 0) -> None:
        """Append a row; ``level`` groups it under the row above (Excel's outline)."""
        self.levels.append(level)
        for k, v in enumerate(values):
            if isinstance(v, str) and v.startswith("="):
                # ledger text, never a formula (openpyxl would write "=..." as one)
                v = values[k] = self._cell(v, data_type="s")
            if isinstance(v, str) and self.keys[k] in WRAP_WIDTH and display_width(v) > WRAP_WIDTH[self.keys[k]]:
                v = values[k] = self._cell(v, alignment=self.wrap)
            raw = v.value if hasattr(v, "value") and not isinstance(v, (str, int, float, date)) else v
            if isinstance(raw, str):
                w = display_width(raw) + 2
            elif isinstance(raw, date):
                w = 12
            elif isinstance(raw, (int, float)):
                w = min(len(f"{raw:,.4g}") + 3, 16)
            else:
                w = 0
            if w > self.widths[k]:
                self.widths[k] = min(w, WRAP_WIDTH.get(self.keys[k], MAX_WIDTH))
        self.rows.append(values)

    def close(self) -> None:
        from openpyxl.utils import get_column_letter

        for k, w in enumerate(self.widths, start=1):
            self.ws.column_dimensions[get_column_letter(k)].width = w
        last = get_column_letter(len(self.keys))
        self.ws.auto_filter.ref = f"A1:{last}{len(self.rows) + 1}"
        self.ws.append(self.header)
        wrapped = [k for k, key in enumerate(self.keys) if key in WRAP_WIDTH]
        if any(self.levels):
            self.ws.sheet_properties.outlinePr.summaryBelow = False  # a rollup is above its children
        for i, (row, level) in enumerate(zip(self.rows, self.levels, strict=True), start=2):
            # LibreOffice does not grow rows for wrapped text by itself: say how tall each is
            lines = 1
            for k in wrapped:
                v = row[k]
                text = v if isinstance(v, str) else getattr(v, "value", None)
                if isinstance(text, str):
                    lines = max(lines, -(-display_width(text) // max(1, int(self.widths[k]) - 1)))
            if lines > 1 or level:
                dim = self.ws.row_dimensions[i]
                if lines > 1:
                    dim.height = 15 * lines
                if level:
                    dim.outlineLevel = min(level, 7)
            self.ws.append(row)


class _Styles:
    """Cell styles made once: openpyxl would otherwise build one per cell."""

    def __init__(self) -> None:
        from openpyxl.styles import Alignment, Font, PatternFill

        self.indent = [Alignment(indent=k, wrap_text=True, vertical="top") for k in range(8)]
        self.status = {}
        for code in ("red", "yellow", "green", "grey"):
            ink, fill = color_of(code) or ("000000", "FFFFFF")
            self.status[code] = (Font(color=ink, bold=True), PatternFill("solid", fgColor=fill))

    def status_of(self, code: str) -> tuple[Any, Any] | None:
        colour = color_of(code)
        if colour is None:
            return None
        for light, (font, fill) in self.status.items():
            if color_of(light) == colour:
                return font, fill
        return None


def _text(s: str | None) -> str | None:
    return None if s is None else xml_safe(s)


def targets_sheet(wb: Workbook, ledger: Ledger, rows: Iterable[TargetStatus], heading: str,
                  before: dict[str, TargetStatus] | None = None) -> None:  # fmt: skip
    """The ledger sheet: one row per target in display order."""
    st = _Styles()
    columns = [
        ("id", _("id")), ("title", _("title")), ("area", _("area")), ("owner", _("owner")), ("kind", _("kind")),
        ("progress", _("progress")), ("unit", _("unit")), ("baseline", _("baseline")), ("target", _("goal")),
        ("current", _("current")), ("ratio", _("done")), ("expected", _("expected")), ("status", _("status")),
        ("start", _("start")), ("due", _("due")), ("updated", _("last figure")),
    ]  # each target's source is on the Sources sheet  # fmt: skip
    if before is not None:
        columns[13:13] = [("ratio_before", _("done last month")), ("status_before", _("status last month"))]
    sheet = _Sheet(wb, _("Targets"), columns, heading)
    kids = children_of(ledger)

    def status_cell(code: str | None) -> Any:
        if not code:
            return None
        style = st.status_of(code)
        if style is None:
            return status_label(code)
        return sheet._cell(status_label(code), font=style[0], fill=style[1])

    def pct(v: float | None) -> Any:
        return None if v is None else sheet._cell(round(v, 6), number_format=PERCENT)

    for r in rows:
        t = r.target
        title: Any = _text(t.title)
        if r.depth:
            title = sheet._cell(title, alignment=st.indent[min(r.depth, 7)], data_type="s")
        baseline = t.baseline if t.kind == "quantity" else None
        values = [t.id, title, _text(r.area), _text(t.owner), t.kind, _text(progress_text(r, len(kids.get(t.id, ())))),
                  _text(t.unit), baseline, t.target, r.current, pct(r.ratio), pct(r.expected), status_cell(r.status),
                  r.start, r.due, r.updated]  # fmt: skip
        if before is not None:
            b = before.get(t.id)
            values[13:13] = [pct(b.ratio if b else None), status_cell(b.status if b else None)]
        sheet.add(values, r.depth)
    sheet.close()


def _workbook() -> Workbook:
    from openpyxl import Workbook

    return Workbook(write_only=True)


def _save(wb: Workbook, title: str, day: date) -> bytes:
    when = datetime.combine(day, datetime.min.time())
    wb.properties.title = title
    wb.properties.creator = "target-tracker"
    wb.properties.lastModifiedBy = "target-tracker"
    wb.properties.created = wb.properties.modified = when
    buf = io.BytesIO()
    wb.save(buf)
    return fixed_zip(buf.getvalue(), day)


def status_workbook(ledger: Ledger, rows: list[TargetStatus], as_of: date, generated: date) -> bytes:
    """``tracker status --format xlsx``: the ledger sheet alone."""
    wb = _workbook()
    title = _("{ledger}: status as of {date}").format(ledger=ledger.title, date=as_of.isoformat())
    targets_sheet(wb, ledger, rows, title)
    return _save(wb, title, generated)


def report_workbook(rep: MonthlyReport) -> bytes:
    """The monthly report's workbook: targets, the month's figures, sources."""
    from target_tracker.reports.render import report_title

    wb = _workbook()
    title = report_title(rep)
    targets_sheet(wb, rep.ledger, rep.rows, title, rep.before)
    figures = _Sheet(wb, _("Figures this month"), [
        ("date", _("date")), ("id", _("id")), ("title", _("title")), ("what", _("figure or stage")),
        ("change", _("change")), ("note", _("note")), ("source", _("source"))], title)  # fmt: skip
    for u in rep.updates:
        figures.add([u.date, u.target.id, _text(u.target.title), _text(u.what), u.change, _text(u.note),
                     _text(u.source)])  # fmt: skip
    figures.close()
    sources = _Sheet(wb, _("Sources"), [
        ("id", _("id")), ("title", _("title")), ("document", _("document")), ("date", _("date")),
        ("clause", _("clause")), ("url", _("link"))], title)  # fmt: skip
    for r in rep.rows:
        src = source_of(r.target, rep.ledger)
        if src:
            sources.add([r.target.id, _text(r.target.title), _text(src.document), src.date, _text(src.clause),
                         _text(src.url)])  # fmt: skip
    sources.close()
    return _save(wb, title, rep.generated)
