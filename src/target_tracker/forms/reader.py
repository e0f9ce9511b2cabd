"""Read a returned form (.xlsx or .csv) into raw cells, and read what people
type in them: numbers as text ("1,200"), dates as text (2021/11/30,
2021年11月30日), formulas (the saved result, else a small evaluator), merged
cells, blank rows in between.

Nothing here knows the ledger; :mod:`target_tracker.forms.plan` checks the
cells against it. Problems are values naming the file, sheet and cell.
"""

from __future__ import annotations

import csv
import io
import re
import unicodedata
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

from target_tracker.forms.layout import COL, COLUMNS, KEYS, column_letter
from target_tracker.forms.writer import MAGIC, META_ISSUED_ROW, META_SHEET
from target_tracker.i18n import _

INPUT_KEYS = ("value", "date", "note", "source")


@dataclass(frozen=True, slots=True)
class FormProblem:
    """A problem in a returned form: ``forms/交通运输局.xlsx:填报!F7: message``."""

    where: str
    message: str

    def __str__(self) -> str:
        return f"{self.where}: {self.message}"


@dataclass(frozen=True, slots=True)
class RawCell:
    """A cell as read: its value (None, number, text, date), the formula it came
    from, and whether it is shown as a percentage (Excel stores 85% as 0.85)."""

    ref: str
    value: Any = None
    formula: str | None = None
    percent: bool = False

    @property
    def empty(self) -> bool:
        if self.formula is not None:
            return False  # even when its result is unknown: import must say so
        return self.value is None or (isinstance(self.value, str) and not self.value.strip())

    def unresolved(self) -> ValueError:
        return ValueError(_("the formula '{formula}' has no saved result: open the file in Excel or LibreOffice "
                            "and save it, or type the figure").format(formula=self.formula))  # fmt: skip


@dataclass(frozen=True, slots=True)
class FilledRow:
    row: int
    cells: dict[str, RawCell]

    def text(self, key: str) -> str:
        v = self.cells[key].value
        if v is None:
            return ""
        if isinstance(v, float) and v.is_integer():
            v = int(v)
        return str(v).strip()


@dataclass(frozen=True, slots=True)
class FilledForm:
    """A returned form. ``issued`` maps (id, stage number) to the title the form
    was issued with (Excel forms only); ``problems`` are file-level ones."""

    file: str
    sheet: str | None = None
    ledger: str = ""
    owner: str = ""
    month: str = ""
    issued: dict[tuple[str, int | None], str] | None = None
    rows: tuple[FilledRow, ...] = ()
    problems: tuple[FormProblem, ...] = field(default=())

    def where(self, ref: str | None = None) -> str:
        if ref is None:
            return self.file
        return f"{self.file}:{self.sheet}!{ref}" if self.sheet else f"{self.file}:{ref}"


def read_form(path: Path) -> FilledForm:
    """Read an .xlsx or .csv form; a file that cannot be read comes back with a problem."""
    name = str(path)
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        return _bad(name, _("no such file"))
    except IsADirectoryError:
        return _bad(name, _("is a folder, not a form"))
    except OSError as e:
        return _bad(name, _("cannot read: {error}").format(error=e.strerror or e))
    if data[:4] == b"PK\x03\x04" and b"application/vnd.oasis.opendocument" in data[:200]:
        return _bad(name, _("an OpenDocument file (.ods); save it as an Excel workbook (.xlsx)"))
    if data[:4] == b"PK\x03\x04":
        try:
            return _read_xlsx(name, data)
        except Exception as e:  # a damaged workbook can break the parser anywhere; say so in one line
            return _bad(
                name, _("cannot read it as an Excel workbook ({error})").format(error=f"{type(e).__name__}: {e}")
            )
    if data[:8] == b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1":
        return _bad(name, _("an old Excel file (.xls); open it and save it as an Excel workbook (.xlsx)"))
    return _read_csv(name, data)


def _bad(name: str, message: str) -> FilledForm:
    return FilledForm(name, problems=(FormProblem(name, message),))


# -- Excel ---------------------------------------------------------------------------------


Grid = dict[tuple[int, int], tuple[Any, str]]  # (row, column) -> (value, number format)


class _Text(str):
    """A text cell whose text starts with '=' (not a formula)."""


def _read_xlsx(name: str, data: bytes) -> FilledForm:
    import zipfile

    from openpyxl import load_workbook

    try:
        wb = load_workbook(io.BytesIO(data), read_only=True, data_only=False)  # streamed: 2-3x faster
        if META_SHEET not in wb.sheetnames:
            return _bad(name, _("not a tracker form (it has no '{sheet}' sheet); fill in a form written by "
                                "'tracker forms'").format(sheet=META_SHEET))  # fmt: skip
        meta = list(wb[META_SHEET].iter_rows(values_only=True))
        info = {str(row[0] or ""): row[1] if len(row) > 1 else None for row in meta[: META_ISSUED_ROW - 1] if row}
        if MAGIC not in info:
            return _bad(name, _("not a tracker form (its '{sheet}' sheet is not one tracker wrote)").format(
                sheet=META_SHEET))  # fmt: skip
        sheet = str(info.get("sheet") or "")
        if sheet not in wb.sheetnames:
            return _bad(name, _("the sheet '{sheet}' is missing; was it renamed?").format(sheet=sheet))
        ws = wb[sheet]
        grid = _grid(ws)
        merged = _merged_sources(data, ws)
    except (zipfile.BadZipFile, KeyError, ValueError, TypeError, OSError) as e:
        return _bad(name, _("cannot read it as an Excel workbook ({error})").format(error=e))
    issued: dict[tuple[str, int | None], str] = {}
    for row in meta[META_ISSUED_ROW - 1 :]:
        if row and row[0]:
            stage = row[1] if len(row) > 1 else None
            issued[(str(row[0]), int(stage) if stage is not None else None)] = str(row[2] if len(row) > 2 else "")
    first = int(info.get("first row") or 4)
    last_row = max((r for r, _c in grid), default=0)
    cached: Grid | None = None
    rows: list[FilledRow] = []
    for r in range(first, last_row + 1):
        cells: dict[str, RawCell] = {}
        for key in KEYS:
            at = merged.get((r, COL[key]), (r, COL[key]))
            value, fmt = grid.get(at, (None, ""))
            formula = None
            if isinstance(value, str) and value.startswith("=") and not isinstance(value, _Text):
                formula = value
                if cached is None:
                    cached = _cached_values(data, sheet)
                value = cached.get(at, (None, ""))[0]
                if value is None:
                    value = _Evaluator(grid).value_of(at)
            ref = f"{column_letter(key)}{r}"
            cells[key] = RawCell(ref, value, formula, percent="%" in fmt and isinstance(value, int | float))
        row = FilledRow(r, cells)
        if all(row.cells[k].empty for k in ("id", *INPUT_KEYS)):
            continue  # a blank row
        rows.append(row)
    return FilledForm(
        name, sheet, str(info.get("ledger") or ""), str(info.get("owner") or ""), str(info.get("month") or ""),
        issued, tuple(rows),
    )  # fmt: skip


def _grid(ws: Any) -> Grid:
    out: Grid = {}
    for row in ws.iter_rows():
        for cell in row:
            value = getattr(cell, "value", None)
            if value is not None:
                if isinstance(value, str) and value.startswith("=") and getattr(cell, "data_type", "f") != "f":
                    value = _Text(value)  # text that only looks like a formula
                out[(cell.row, cell.column)] = (value, str(getattr(cell, "number_format", "") or ""))
    return out


_MERGE = re.compile(rb"<(?:\w+:)?mergeCell\s+ref=\"([A-Za-z]+\d+):([A-Za-z]+\d+)\"")


def _merged_sources(data: bytes, ws: Any) -> dict[tuple[int, int], tuple[int, int]]:
    """Cells inside a merged range that take the range's value: those below its
    top-left cell in the same column (one date or source for several rows).
    Cells to its right stay empty: a note merged over the source is not a source.
    (A streamed sheet does not list its merged cells; they are read from its XML.)"""
    import zipfile

    from openpyxl.utils.cell import coordinate_to_tuple

    path = str(getattr(ws, "_worksheet_path", "")).lstrip("/")
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        xml = z.read(path)
    out: dict[tuple[int, int], tuple[int, int]] = {}
    for m in _MERGE.finditer(xml):
        (r0, c0), (r1, _c1) = coordinate_to_tuple(m.group(1).decode()), coordinate_to_tuple(m.group(2).decode())
        for r in range(r0 + 1, r1 + 1):
            out[(r, c0)] = (r0, c0)
    return out


def _cached_values(data: bytes, sheet: str) -> Grid:
    """The results Excel or LibreOffice saved for the sheet's formulas."""
    from openpyxl import load_workbook

    wb = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    return _grid(wb[sheet])


class FormulaError(ValueError):
    pass


_TOKEN = re.compile(
    r"\s*(?:(?P<num>\d+(?:\.\d*)?(?:[eE][+-]?\d+)?|\.\d+(?:[eE][+-]?\d+)?)"
    r"|(?P<range>\$?[A-Za-z]{1,3}\$?\d+:\$?[A-Za-z]{1,3}\$?\d+)"
    r"|(?P<ref>\$?[A-Za-z]{1,3}\$?\d+)(?![A-Za-z(])"
    r"|(?P<func>[A-Za-z]+)\s*\("
    r"|(?P<op>[-+*/^(),%]))"
)


class _Evaluator:
    """Arithmetic formulas a clerk types (=1000+200, =SUM(L5:L7)/2, =ROUND(B4*1.05,1))
    in a file saved without results (openpyxl writes none). Anything else is refused."""

    def __init__(self, grid: Grid, depth: int = 0) -> None:
        self.grid = grid
        self.depth = depth

    def value_of(self, at: tuple[int, int]) -> Any:
        """The cell's value, its formula evaluated; None when it cannot be."""
        try:
            return self._cell(at)
        except (FormulaError, ZeroDivisionError, OverflowError, ValueError, TypeError):
            return None

    def _cell(self, at: tuple[int, int]) -> Any:
        v = self.grid.get(at, (None, ""))[0]
        if not (isinstance(v, str) and v.startswith("=")):
            return v
        if self.depth > 20:
            raise FormulaError("too deep (a cycle?)")
        return self.evaluate(v[1:])

    def evaluate(self, text: str) -> float | date:
        self.tokens = self._tokens(text)
        self.pos = 0
        v = self._expr()
        if self.pos != len(self.tokens):
            raise FormulaError(text)
        return v

    def _tokens(self, text: str) -> list[tuple[str, str]]:
        out, pos = [], 0
        text = text.rstrip()
        while pos < len(text):
            m = _TOKEN.match(text, pos)
            if not m or m.end() == pos:
                raise FormulaError(text)
            kind = m.lastgroup or ""
            out.append((kind, m.group(kind)))
            pos = m.end()
        return out

    def _peek(self) -> str | None:
        return self.tokens[self.pos][1] if self.pos < len(self.tokens) else None

    def _take(self) -> tuple[str, str]:
        if self.pos >= len(self.tokens):
            raise FormulaError("unexpected end")
        self.pos += 1
        return self.tokens[self.pos - 1]

    def _expr(self) -> Any:
        v = self._term()
        while self._peek() in ("+", "-"):
            op = self._take()[1]
            w = self._term()
            v = v + w if op == "+" else v - w
        return v

    def _term(self) -> Any:
        v = self._power()
        while self._peek() in ("*", "/"):
            op = self._take()[1]
            w = self._power()
            v = v * w if op == "*" else v / w
        return v

    def _power(self) -> Any:
        v = self._unary()
        while self._peek() == "^":
            self._take()
            v = v ** self._unary()
        return v

    def _unary(self) -> Any:
        if self._peek() in ("-", "+"):
            op = self._take()[1]
            v = self._unary()
            return -v if op == "-" else v
        v = self._atom()
        if self._peek() == "%":
            self._take()
            v = v / 100
        return v

    def _atom(self) -> Any:
        kind, text = self._take()
        if kind == "num":
            return float(text)
        if kind == "ref":
            return self._number(text.replace("$", ""))
        if kind == "op" and text == "(":
            v = self._expr()
            if self._take()[1] != ")":
                raise FormulaError("missing )")
            return v
        if kind == "func":
            return self._call(text.upper())
        raise FormulaError(text)

    def _number(self, ref: str) -> float:
        from openpyxl.utils.cell import coordinate_to_tuple

        v = _Evaluator(self.grid, self.depth + 1)._cell(coordinate_to_tuple(ref.upper()))
        if v is None or v == "":
            return 0.0
        if isinstance(v, bool) or not isinstance(v, int | float):
            raise FormulaError(ref)
        return float(v)

    def _call(self, name: str) -> Any:
        args: list[Any] = []
        if self._peek() != ")":
            while True:
                if self.pos < len(self.tokens) and self.tokens[self.pos][0] == "range":
                    args.extend(self._range(self._take()[1].replace("$", "")))
                else:
                    args.append(self._expr())
                if self._peek() == ",":
                    self._take()
                    continue
                break
        if self._take()[1] != ")":
            raise FormulaError("missing )")
        if name == "SUM":
            return float(sum(args))
        if name == "ROUND" and len(args) == 2:
            return float(round(args[0], int(args[1])))
        if name == "DATE" and len(args) == 3:
            return date(int(args[0]), int(args[1]), int(args[2]))
        raise FormulaError(name)

    def _range(self, text: str) -> list[float]:
        from openpyxl.utils.cell import get_column_letter, range_boundaries

        c0, r0, c1, r1 = range_boundaries(text.upper())
        if c0 is None or r0 is None or c1 is None or r1 is None or (r1 - r0 + 1) * (c1 - c0 + 1) > 10000:
            raise FormulaError(text)
        return [self._number(f"{get_column_letter(c)}{r}") for r in range(r0, r1 + 1) for c in range(c0, c1 + 1)]


# -- CSV -------------------------------------------------------------------------------------


def _read_csv(name: str, data: bytes) -> FilledForm:
    text = None
    for encoding in ("utf-8-sig", "gb18030"):  # Excel on a Chinese system saves CSV as GBK
        try:
            text = data.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    if text is None:
        return _bad(name, _("cannot read the file's text; save it as CSV UTF-8"))
    first_line = text.split("\n", 1)[0]
    delimiter = next((d for d in (",", ";", "\t") if d in first_line), ",")
    rows = list(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter))
    if not rows or not rows[0] or not rows[0][0].strip().startswith(MAGIC):
        return _bad(name, _("not a tracker form (its first cell is not '{magic}'); fill in a form written by "
                            "'tracker forms'").format(magic=MAGIC))  # fmt: skip
    head = rows[0] + ["", "", "", ""]
    filled: list[FilledRow] = []
    for r, values in enumerate(rows[2:], start=3):
        values = values + [""] * (len(COLUMNS) - len(values))
        cells = {key: RawCell(f"{column_letter(key)}{r}", _unescape(values[COL[key] - 1])) for key in KEYS}
        row = FilledRow(r, cells)
        if all(row.cells[k].empty for k in ("id", *INPUT_KEYS)):
            continue
        filled.append(row)
    return FilledForm(name, None, head[1], head[2], head[3].strip(), None, tuple(filled))


def _unescape(text: str) -> str | None:
    """Undo the writer's guard against formulas ("'=..."); empty is None."""
    if text[:2] in ("'=", "'+", "'-", "'@"):
        text = text[1:]
    return text if text.strip() else None


# -- what people type -----------------------------------------------------------------------

_THOUSANDS = re.compile(r"^[+-]?\d{1,3}(,\d{3})+(\.\d+)?$")
_PLAIN = re.compile(r"^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$")


def number_text(cell: RawCell) -> tuple[str, bool]:
    """The number in a cell as text for the ledger, and whether it was a
    percentage ('85%' or a cell formatted as one). Raise ValueError with the
    planner's message when it is not a number."""
    v = cell.value
    if v is None and cell.formula is not None:
        raise cell.unresolved()
    if isinstance(v, bool | datetime | date):
        raise ValueError(_("value '{value}' is not a number").format(value=_shown(v)))
    if isinstance(v, int | float):
        if cell.percent:  # Excel keeps 85% as 0.85
            return plain_number(round(v * 100, 9)), True
        return (str(v) if isinstance(v, int) else plain_number(v)), False
    s = unicodedata.normalize("NFKC", str(v)).strip()
    s = s.replace("\u00a0", "").replace("\u2009", "").replace(" ", "")
    percent = s.endswith("%")
    s = s.rstrip("%")
    if _THOUSANDS.match(s):
        s = s.replace(",", "")
    if _PLAIN.match(s):  # what Excel users type that TOML spells otherwise
        if s.startswith("+"):
            s = s[1:]
        if s.startswith(".") or s.startswith("-."):
            s = s.replace(".", "0.", 1)
        if s.endswith("."):
            s = s[:-1]
    from target_tracker.edits.operations import EditError, parse_number

    try:  # the rules and messages of `tracker update ID VALUE`, so the form and the CLI agree
        parse_number(s)
    except EditError as e:
        raise EditError(str(e).replace(f"'{s}'", f"'{str(v).strip()}'", 1)) from None
    return s, percent


def plain_number(v: float) -> str:
    """A float as the shortest text that reads back the same (95.0 -> 95)."""
    if v.is_integer() and abs(v) < 1e15:
        return str(int(v))
    return repr(v)


_YMD = re.compile(r"^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?$")
_DMY = re.compile(r"^(\d{1,2})[-/.](\d{1,2})[-/.](\d{4})$")
_COMPACT = re.compile(r"^(\d{4})(\d{2})(\d{2})$")


def date_of(cell: RawCell) -> date:
    """The date in a cell: a date, an Excel day number, or text as people type it
    (2021-11-30, 2021/11/30, 2021年11月30日, 30/11/2021). Raise ValueError."""
    v = cell.value
    if v is None and cell.formula is not None:
        raise cell.unresolved()
    if isinstance(v, datetime):
        return v.date()
    if isinstance(v, date):
        return v
    if isinstance(v, int | float) and not isinstance(v, bool):
        if 20000 <= v <= 80000:  # an Excel day number, 1954-2119
            return date(1899, 12, 30) + timedelta(days=int(v))
        raise ValueError(_("date '{value}' is not a date: use YYYY-MM-DD, e.g. 2021-11-30").format(value=_shown(v)))
    s = unicodedata.normalize("NFKC", str(v)).strip()
    s = re.sub(r"[ T]00:00(:00)?$", "", s)
    m = _YMD.match(s) or _COMPACT.match(s)
    if m:
        y, mo, d = (int(g) for g in m.groups())
    elif m := _DMY.match(s):
        a, b, y = (int(g) for g in m.groups())
        if a > 12 >= b:
            d, mo = a, b
        elif b > 12 >= a:
            mo, d = a, b
        elif a == b:
            d = mo = a
        else:
            raise ValueError(
                _("date '{value}' could be {first} or {second}: write it as YYYY-MM-DD").format(
                    value=v, first=_iso(y, b, a), second=_iso(y, a, b)
                )
            )
    else:
        raise ValueError(_("date '{value}' is not a date: use YYYY-MM-DD, e.g. 2021-11-30").format(value=v))
    try:
        return date(y, mo, d)
    except ValueError:
        raise ValueError(_("date '{value}' is not a real date").format(value=v)) from None


def _iso(y: int, m: int, d: int) -> str:
    try:
        return date(y, m, d).isoformat()
    except ValueError:
        return f"{y:04d}-{m:02d}-{d:02d}"


def _shown(v: Any) -> str:
    if isinstance(v, datetime):
        return v.date().isoformat() if v.time() == datetime.min.time() else v.isoformat(sep=" ")
    if isinstance(v, date):
        return v.isoformat()
    if isinstance(v, float):
        return plain_number(v)
    return str(v)
