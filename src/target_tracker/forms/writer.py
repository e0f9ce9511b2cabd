"""Write a department's form: an Excel workbook (openpyxl) or a CSV file.

The workbook has an instructions sheet, the form sheet (locked except the
cells to fill in, with data validation on figures and dates, set up to print
on A4 landscape) and a hidden sheet that records the ledger, owner, month and
the rows issued, so that ``tracker import`` can check what comes back.
"""

from __future__ import annotations

import csv
import io
from datetime import date
from typing import Any

from target_tracker.forms.layout import COL, COLUMNS, FORMAT_VERSION, Form, FormRow, column_letter, header
from target_tracker.i18n import _, format_date, format_month, pgettext
from target_tracker.output.labels import status_label

META_SHEET = "tracker"  # hidden; never translated, the reader looks for it
MAGIC = "tracker-form"
TITLE_ROW, HINT_ROW, HEADER_ROW, FIRST_ROW = 1, 2, 3, 4
META_ISSUED_ROW = 10  # the rows issued are listed from here on the hidden sheet


def sheet_names() -> tuple[str, str]:
    """The instructions and form sheets, in the interface language."""
    return pgettext("sheet", "Instructions")[:31], pgettext("sheet", "Form")[:31]


def _month_words(form: Form) -> str:
    return format_month(form.first.year, form.first.month)


def form_title(form: Form) -> str:
    owner = form.owner or _("no owner")
    return _("{owner}: figures for {month} ({ledger})").format(
        owner=owner, month=_month_words(form), ledger=form.ledger_title
    )


def instructions(form: Form, form_sheet: str) -> list[str]:
    """The instructions sheet, one paragraph per line ('' = blank line)."""
    last = format_date(form.last)
    return [
        form_title(form),
        "",
        _("This workbook lists the targets that {owner} answers for. Please report where each stood "
          "at the end of {month}.").format(owner=form.owner or _("no owner"), month=_month_words(form)),
        _("Fill in the white cells of the sheet '{sheet}' only; the grey columns come from the ledger "
          "and are locked.").format(sheet=form_sheet),
        "",
        _("Figure this month: the level reached, in the unit shown (for a count, the total to date, "
          "not the month's increase). A number only, such as 95 or 6.178: no units, no words."),
        _("Date: the date your figure is for. It is filled in with {date}; change it only if your "
          "latest figure is for an earlier day (for example the last statistics published).").format(date=last),
        _("Note: progress, reasons for any shortfall, and the measures being taken."),
        _("Source: the document the figure comes from (report title and number, e.g. a statistics "
          "bulletin or an approval document)."),
        _("Stages of a project (rows with a stage name): if the stage was completed, give the date it "
          "was completed and the document (approval, permit, acceptance) as the source; leave the row "
          "empty if it is not done yet."),
        _("No figure yet? Leave the figure empty; you may say why in the note."),
        "",
        _("Do not change the ids, the order of the sheets or the file's name, and do not add targets: "
          "the file is checked when it is imported and every problem is sent back to you."),
        _("When done, save the file as an Excel workbook (.xlsx) and send it back to the planning office "
          "that sent it."),
    ]  # fmt: skip


def column_help() -> list[tuple[str, str]]:
    return [(header(c), _("fill in") if c.fill else _("from the ledger, locked")) for c in COLUMNS]


# -- Excel --------------------------------------------------------------------------------


def write_xlsx(form: Form, issued: date) -> bytes:
    """The workbook's bytes."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Border, Font, PatternFill, Protection, Side
    from openpyxl.workbook.defined_name import DefinedName
    from openpyxl.workbook.protection import WorkbookProtection

    info_name, form_name = sheet_names()
    wb = Workbook()
    info = wb.active
    info.title = info_name
    ws = wb.create_sheet(form_name)
    meta = wb.create_sheet(META_SHEET)

    bold = Font(bold=True)
    grey = PatternFill("solid", fgColor="EDEDED")
    head_fill = PatternFill("solid", fgColor="D9E1F2")
    fill_head = PatternFill("solid", fgColor="FFE699")  # the columns to fill in stand out
    thin = Side(style="thin", color="A6A6A6")
    box = Border(left=thin, right=thin, top=thin, bottom=thin)
    wrap = Alignment(wrap_text=True, vertical="top")
    unlocked = Protection(locked=False)

    # instructions
    info.column_dimensions["A"].width = 90
    lines = instructions(form, form_name)
    for i, line in enumerate(lines, start=1):
        _text(info.cell(i, 1), line).alignment = wrap
        info.row_dimensions[i].height = 15 * _lines_needed(line, 90) + 3
    info.cell(1, 1).font = Font(bold=True, size=14)
    r = len(lines) + 2
    _text(info.cell(r, 1), _("The columns of the sheet '{sheet}':").format(sheet=form_name)).font = bold
    info.column_dimensions["B"].width = 26
    for heading, what in column_help():
        r += 1
        _text(info.cell(r, 1), heading).alignment = wrap
        _text(info.cell(r, 2), what).alignment = wrap
    info.protection.sheet = True
    info.page_setup.orientation = "portrait"
    info.page_setup.paperSize = info.PAPERSIZE_A4
    info.sheet_properties.pageSetUpPr.fitToPage = True
    info.page_setup.fitToWidth, info.page_setup.fitToHeight = 1, 0

    # the form
    last_col = column_letter(COLUMNS[-1].key)
    _text(ws.cell(TITLE_ROW, 1), form_title(form)).font = Font(bold=True, size=13)
    ws.merge_cells(f"A{TITLE_ROW}:{last_col}{TITLE_ROW}")
    hint = _("Done and expected as of {date}. Fill in the white cells; see the sheet '{sheet}'.")
    _text(ws.cell(HINT_ROW, 1), hint.format(date=format_date(form.last), sheet=info_name))
    ws.merge_cells(f"A{HINT_ROW}:{last_col}{HINT_ROW}")
    for c in COLUMNS:
        cell = _text(ws.cell(HEADER_ROW, COL[c.key]), header(c))
        cell.font, cell.fill, cell.border = bold, fill_head if c.fill else head_fill, box
        cell.alignment = Alignment(wrap_text=True, vertical="center")
        ws.column_dimensions[column_letter(c.key)].width = c.width
    ws.row_dimensions[HEADER_ROW].height = 45

    groups: dict[tuple[str, date, date], list[str]] = {}
    value_cells: list[str] = []
    for n, row in enumerate(form.rows):
        r = FIRST_ROW + n
        _fill_row(ws, r, row)
        # room to write by hand on a printed copy, and for the wrapped title
        ws.row_dimensions[r].height = max(30, 15 * _lines_needed(row.title, COLUMNS[COL["title"] - 1].width) + 4)
        for c in COLUMNS:
            cell = ws.cell(r, COL[c.key])
            cell.border = box
            cell.alignment = Alignment(
                vertical="top", wrap_text=c.key in ("title", "note", "source", "stage", "target")
            )
            open_cell = c.fill and not (c.key == "value" and row.stage_number is not None)
            if open_cell:
                cell.protection = unlocked
            else:
                cell.fill = grey
        if row.stage_number is None:
            value_cells.append(f"{column_letter('value')}{r}")
        kind = "stage" if row.stage_number is not None else "figure"
        groups.setdefault((kind, row.earliest, row.latest_day), []).append(f"{column_letter('date')}{r}")
        _text(meta.cell(META_ISSUED_ROW + n, 1), row.target_id)
        meta.cell(META_ISSUED_ROW + n, 2).value = row.stage_number
        _text(meta.cell(META_ISSUED_ROW + n, 3), row.title)
        _text(meta.cell(META_ISSUED_ROW + n, 4), row.stage_name or "")

    _validations(ws, value_cells, groups)
    ws.freeze_panes = ws.cell(FIRST_ROW, COL["stage"])
    ws.protection.sheet = True
    ws.protection.formatColumns = False  # allowed: widen columns, raise rows
    ws.protection.formatRows = False
    ws.protection.formatCells = False
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.page_setup.fitToWidth, ws.page_setup.fitToHeight = 1, 0
    ws.print_title_rows = f"{HEADER_ROW}:{HEADER_ROW}"
    ws.page_margins.left = ws.page_margins.right = 0.25  # Excel's "Narrow"
    ws.page_margins.top = ws.page_margins.bottom = 0.6
    ws.page_margins.header = ws.page_margins.footer = 0.3
    hidden = ["id"] + ([] if any(r.stage_number for r in form.rows) else ["stage"])
    for key in hidden:  # in an outline group: one click shows them; the printed page keeps ~8 pt text
        dim = ws.column_dimensions[column_letter(key)]
        dim.hidden, dim.outlineLevel = True, 1
    ws.print_options.gridLines = False
    ws.oddFooter.center.text = "&P / &N"
    wb.active = 1  # open on the form

    # what import checks
    for i, (key, value) in enumerate([
        (MAGIC, FORMAT_VERSION), ("ledger", form.ledger_title), ("owner", form.owner), ("month", form.month),
        ("sheet", form_name), ("first row", FIRST_ROW), ("issued", issued.isoformat()),
    ], start=1):  # fmt: skip
        _text(meta.cell(i, 1), key)
        cell = meta.cell(i, 2)
        if isinstance(value, str):
            _text(cell, value)
        else:
            cell.value = value
    _text(meta.cell(META_ISSUED_ROW - 1, 1), "rows issued: id, stage, title, stage name")
    for name, row_no in (("tracker_ledger", 2), ("tracker_owner", 3), ("tracker_month", 4)):
        wb.defined_names[name] = DefinedName(name, attr_text=f"{META_SHEET}!$B${row_no}")
    meta.sheet_state = "veryHidden"
    meta.protection.sheet = True
    wb.security = WorkbookProtection(lockStructure=True)  # sheets cannot be renamed, moved or unhidden

    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def _lines_needed(text: str, width: float) -> int:
    """Lines a wrapped cell of this width needs (a Chinese character is two columns wide)."""
    import unicodedata

    cols = sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)
    return max(1, -(-cols // max(1, int(width * 1.05))))


def _text(cell: Any, text: str) -> Any:
    """A text cell, never read as a formula even when it starts with '='."""
    cell.value = text
    cell.data_type = "s"
    return cell


def _fill_row(ws: Any, r: int, row: FormRow) -> None:
    def put(key: str, value: Any, fmt: str | None = None) -> None:
        cell = ws.cell(r, COL[key])
        if isinstance(value, str):
            _text(cell, value)
        else:
            cell.value = value
        if fmt:
            cell.number_format = fmt

    put("id", row.target_id)
    put("title", row.title)
    if row.stage_number is not None:
        put("stage", f"{row.stage_number}. {row.stage_name}")
    put("unit", row.unit)
    put("target", row.target_value if row.target_value is not None else row.target_text)
    put("due", row.due, "yyyy-mm-dd")
    put("latest", row.latest)
    put("latest_date", row.latest_date, "yyyy-mm-dd")
    put("done", row.done, "0.0%")
    put("expected", row.expected, "0.0%")
    put("status", status_label(row.status))
    put("date", row.prefill, "yyyy-mm-dd")
    ws.cell(r, COL["value"]).number_format = "General"


def _validations(ws: Any, value_cells: list[str], groups: dict[tuple[str, date, date], list[str]]) -> None:
    from openpyxl.worksheet.datavalidation import DataValidation

    if value_cells:
        dv = DataValidation(
            type="decimal", operator="between", formula1="-1E+15", formula2="1E+15", allow_blank=True,
            showErrorMessage=True, errorStyle="stop", errorTitle=_("Not a number"),
            error=_("Type a number only, such as 95 or 6.178: no units, no words."),
            showInputMessage=True, promptTitle=_("Figure"), prompt=_("A number in the unit shown."),
        )  # fmt: skip
        ws.add_data_validation(dv)
        for ref in value_cells:
            dv.add(ref)
    for (kind, lo, hi), cells in groups.items():
        between = _("Type a date from {first} to {last}, such as {last}.").format(
            first=format_date(lo), last=format_date(hi)
        )
        dv = DataValidation(
            type="date", operator="between", formula1=_excel_date(lo), formula2=_excel_date(hi), allow_blank=True,
            showErrorMessage=True, errorStyle="stop", errorTitle=_("Not a date in range"), error=between,
            showInputMessage=True,
            promptTitle=_("Date completed") if kind == "stage" else _("Date of the figure"), prompt=between,
        )  # fmt: skip
        ws.add_data_validation(dv)
        for ref in cells:
            dv.add(ref)


def _excel_date(d: date) -> str:
    return f"DATE({d.year},{d.month},{d.day})"


# -- CSV -------------------------------------------------------------------------------------


def csv_rows(form: Form) -> list[list[str]]:
    """The form as rows of text: a marker row, the header row, one row per target or stage."""
    from target_tracker.output.views import fmt_pct

    out = [
        [f"{MAGIC} v{FORMAT_VERSION}", form.ledger_title, form.owner, form.month],
        [header(c) for c in COLUMNS],
    ]
    for row in form.rows:
        cells = {
            "id": row.target_id, "title": row.title,
            "stage": f"{row.stage_number}. {row.stage_name}" if row.stage_number is not None else "",
            "unit": row.unit,
            "target": _plain(row.target_value) if row.target_value is not None else row.target_text,
            "due": row.due.isoformat() if row.due else "",
            "latest": _plain(row.latest) if row.latest is not None else "",
            "latest_date": row.latest_date.isoformat() if row.latest_date else "",
            "done": fmt_pct(row.done) if row.done is not None else "",
            "expected": fmt_pct(row.expected) if row.expected is not None else "",
            "status": status_label(row.status), "value": "", "date": row.prefill.isoformat() if row.prefill else "",
            "note": "", "source": "",
        }  # fmt: skip
        out.append([cells[c.key] for c in COLUMNS])
    return [[_csv_safe(v) for v in r] for r in out]


def write_csv(form: Form) -> bytes:
    """UTF-8 with a byte-order mark, so that Excel reads the Chinese right."""
    buf = io.StringIO()
    csv.writer(buf, lineterminator="\r\n").writerows(csv_rows(form))
    return ("\ufeff" + buf.getvalue()).encode("utf-8")


def _plain(v: float) -> str:
    return str(int(v)) if float(v).is_integer() and abs(v) < 1e15 else repr(float(v))


def _csv_safe(text: str) -> str:
    """A spreadsheet must never run ledger text as a formula."""
    if text[:1] in ("=", "+", "@") or (text[:1] == "-" and not _is_number(text)):
        return "'" + text
    return text


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True
