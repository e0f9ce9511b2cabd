"""The monthly report as a Word document (python-docx), editable in Word, WPS
and LibreOffice.

A4 with the margins of GB/T 9704-2012 with the Chinese interface (top
37 mm, left 28 mm, text block 156 mm wide; 20 mm otherwise); title block centred; numbered headings (一、 / （一） in
Chinese) in Word's own Heading styles so the navigation pane works; tables
whose header row repeats on every page (``w:tblHeader``) and whose rows do
not split, columns as wide as save the most lines (:func:`column_widths`);
charts as PNG images; page numbers "— 1 —" at the foot. With the Chinese
interface the method and sources are set as notes (五号).

Chinese needs its font named on the East Asian slot (``w:rFonts/@w:eastAsia``)
or Word and WPS fall back to the Latin font: every style here sets both.
With the Chinese interface the fonts are those of government documents
(宋体 title, 黑体 and 楷体 headings, 仿宋 body); LibreOffice substitutes the
CJK font it has.

Large tables are written as XML in one piece: python-docx's add_row copies
the row above and costs seconds at 10,000 rows.
"""

from __future__ import annotations

import functools
import io
import itertools
import re
from collections.abc import Callable
from datetime import datetime
from typing import TYPE_CHECKING, Any
from xml.sax.saxutils import escape

from target_tracker.i18n import _, language
from target_tracker.output.render import Table, header_text
from target_tracker.reports.data import Block, MonthlyReport, color_of
from target_tracker.reports.package import fixed_zip, xml_safe

if TYPE_CHECKING:
    from docx.document import Document

    from target_tracker.reports.charts import Drawer

W_NS = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"


def margins_mm() -> tuple[int, int, int, int]:
    """Top, bottom, left, right: GB/T 9704-2012 for Chinese, plain A4 otherwise."""
    return (37, 35, 28, 26) if language() == "zh" else (22, 22, 20, 20)


def text_width_mm() -> int:
    _top, _bottom, left, right = margins_mm()
    return 210 - left - right


#: Cells that must not wrap (short words, numbers, dates).
NO_WRAP = ("status", "before", "ratio", "days", "date", "due", "updated", "recorded", "light", "now", "change")
#: Date columns: a Chinese date may break after its year (2021年 / 12月31日), never inside a part.
DATES = ("date", "due", "updated", "recorded")


def fonts() -> dict[str, tuple[str, str, float, bool]]:
    """Per role: (Latin font, East Asian font, size in pt, bold)."""
    if language() == "zh":
        return {
            "title": ("Times New Roman", "宋体", 22, True),
            "meta": ("Times New Roman", "楷体", 14, False),
            "body": ("Times New Roman", "仿宋", 16, False),
            "h1": ("Times New Roman", "黑体", 16, False),
            "h2": ("Times New Roman", "楷体", 16, False),
            "h3": ("Times New Roman", "仿宋", 14, True),
            "table": ("Times New Roman", "宋体", 9, False),  # 小五
            "note": ("Times New Roman", "仿宋", 10.5, False),  # 五号: method and sources, set as notes (注释) are
        }
    return {
        "title": ("Calibri", "宋体", 18, True),
        "meta": ("Calibri", "宋体", 9.5, False),
        "body": ("Calibri", "宋体", 10.5, False),
        "h1": ("Calibri", "黑体", 14, True),
        "h2": ("Calibri", "黑体", 12, True),
        "h3": ("Calibri", "黑体", 11, True),
        "table": ("Calibri", "宋体", 9, False),
        "note": ("Calibri", "宋体", 10.5, False),
    }


def _set_fonts(style: Any, latin: str, east_asia: str, size: float, bold: bool) -> None:
    from docx.oxml.ns import qn
    from docx.shared import Pt, RGBColor

    style.font.name = latin
    style.font.size = Pt(size)
    style.font.bold = bold
    style.font.italic = False
    style.font.color.rgb = RGBColor(0, 0, 0)
    rpr = style.element.get_or_add_rPr()
    rfonts = rpr.find(qn("w:rFonts"))
    if rfonts is None:
        rfonts = rpr.makeelement(qn("w:rFonts"), {})
        rpr.insert(0, rfonts)
    for theme in ("w:asciiTheme", "w:hAnsiTheme", "w:eastAsiaTheme", "w:cstheme"):
        rfonts.attrib.pop(qn(theme), None)  # a theme font would win over the names
    rfonts.set(qn("w:ascii"), latin)
    rfonts.set(qn("w:hAnsi"), latin)
    rfonts.set(qn("w:eastAsia"), east_asia)
    rfonts.set(qn("w:cs"), latin)


def _styles(doc: Document) -> None:
    from docx.enum.style import WD_STYLE_TYPE
    from docx.enum.text import WD_LINE_SPACING
    from docx.shared import Pt

    f = fonts()
    zh = language() == "zh"
    normal = doc.styles["Normal"]
    _set_fonts(normal, *f["body"])
    pf = normal.paragraph_format
    pf.space_before, pf.space_after = Pt(0), Pt(4 if not zh else 0)
    if zh:  # 28-29 pt fixed lines, first line indented two characters
        pf.line_spacing_rule = WD_LINE_SPACING.EXACTLY
        pf.line_spacing = Pt(28)
        pf.first_line_indent = Pt(32)
    for name, role, before in (("Heading 1", "h1", 10), ("Heading 2", "h2", 6), ("Heading 3", "h3", 4)):
        st = doc.styles[name]
        _set_fonts(st, *f[role])
        # Chinese: a heading is a line of the body's 28 pt grid, as in GB/T 9704 documents
        st.paragraph_format.space_before = Pt(before if not zh else 0)
        st.paragraph_format.space_after = Pt(3 if not zh else 0)
        st.paragraph_format.keep_with_next = True  # never alone at the foot of a page
        st.paragraph_format.first_line_indent = Pt(32) if zh and role != "h3" else Pt(0)
        if zh:
            st.paragraph_format.line_spacing_rule = WD_LINE_SPACING.EXACTLY
            st.paragraph_format.line_spacing = Pt(28)
    table = doc.styles.add_style("Table Text", WD_STYLE_TYPE.PARAGRAPH)
    table.base_style = normal
    _set_fonts(table, *f["table"])
    table.paragraph_format.first_line_indent = Pt(0)
    table.paragraph_format.space_after = Pt(0)
    table.paragraph_format.line_spacing_rule = WD_LINE_SPACING.SINGLE
    for name, role in (("Title", "title"), ("Subtitle", "meta")):
        st = doc.styles[name]
        _set_fonts(st, *f[role])
        st.paragraph_format.first_line_indent = Pt(0)
        st.paragraph_format.line_spacing_rule = WD_LINE_SPACING.SINGLE
        st.paragraph_format.space_after = Pt(8)
        st.element.get_or_add_pPr()
        # the template's Title has a bottom border and theme colour: plain black text instead
        for child in list(st.element.pPr):
            if child.tag.endswith("pBdr"):
                st.element.pPr.remove(child)
    note = doc.styles.add_style("Note Text", WD_STYLE_TYPE.PARAGRAPH)
    note.base_style = normal
    _set_fonts(note, *f["note"])
    bullet = doc.styles["List Bullet"]  # the documents cited
    _set_fonts(bullet, *f["table" if not zh else "note"])
    bullet.paragraph_format.first_line_indent = None
    if zh:  # 16 pt lines for 10.5 pt type, first line indented two characters
        note.paragraph_format.line_spacing = Pt(16)
        note.paragraph_format.first_line_indent = Pt(2 * f["note"][2])
        bullet.paragraph_format.line_spacing_rule = WD_LINE_SPACING.EXACTLY
        bullet.paragraph_format.line_spacing = Pt(16)


def _page(doc: Document) -> None:
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.oxml import parse_xml
    from docx.shared import Mm

    s = doc.sections[0]
    s.page_width, s.page_height = Mm(210), Mm(297)
    top, bottom, left, right = margins_mm()
    s.top_margin, s.bottom_margin, s.left_margin, s.right_margin = Mm(top), Mm(bottom), Mm(left), Mm(right)
    s.footer_distance = Mm(bottom * 0.55)
    p = s.footer.paragraphs[0]
    p.alignment = WD_ALIGN_PARAGRAPH.CENTER
    p.paragraph_format.first_line_indent = Mm(0)
    run = '<w:r xmlns:w="{ns}"><w:rPr><w:sz w:val="28"/></w:rPr><w:t xml:space="preserve">{text}</w:t></w:r>'
    p._p.append(parse_xml(run.format(ns=W_NS, text="— ")))
    p._p.append(parse_xml(
        f'<w:fldSimple xmlns:w="{W_NS}" w:instr="PAGE"><w:r><w:rPr><w:sz w:val="28"/></w:rPr><w:t>1</w:t></w:r>'
        "</w:fldSimple>"))  # fmt: skip
    p._p.append(parse_xml(run.format(ns=W_NS, text=" —")))


def _t(text: str) -> str:
    return f'<w:t xml:space="preserve">{escape(xml_safe(text))}</w:t>'


#: A Chinese character, in ems: a little over one, or a cell exactly as wide as its text wraps in LibreOffice.
_WIDE = 1.02


@functools.lru_cache(maxsize=65536)  # cells repeat (statuses, dates, units, owners)
def _em(text: str) -> float:
    """Width of ``text`` in ems, on the generous side (LibreOffice's stand-in
    fonts are wider than Word's): a Chinese character one, a digit or a
    letter about two thirds (i, l, t, r narrower), '%' nearly one."""
    width, was_wide = 0.0, None
    for ch in text:
        wide = ord(ch) >= 0x2E80
        if was_wide is not None and wide != was_wide and not ch.isspace():
            width += 0.25  # the space LibreOffice and Word put between Chinese and Latin text
        was_wide = wide
        if wide:
            width += _WIDE
        elif ch in "%@&mMwW":
            width += 0.95
        elif ch in "ijlft":
            width += 0.4
        elif ch in "rs":
            width += 0.52
        elif ch.isdigit() or ch.islower():
            width += 0.64
        elif ch.isupper():
            width += 0.8
        elif ord(ch) > 0x7F:  # ≥, ±, —: wide in the serif fonts
            width += 0.85
        else:
            width += 0.4
    return width


@functools.lru_cache(maxsize=65536)
def _longest_token(text: str) -> float:
    return max((_em(w) for w in text.split()), default=0.0)


@functools.lru_cache(maxsize=65536)
def _pieces(text: str) -> tuple[tuple[float, float], ...]:
    """``text`` as (space before, width) pieces in ems, a line break allowed
    before each: words after a space, and each Chinese character (with the
    quarter em Word and LibreOffice put between Chinese and Latin text); a
    Chinese date breaks only after its year."""
    if text.isascii():  # most cells: split at spaces only
        return tuple((0.4 if k else 0.0, _em(w)) for k, w in enumerate(text.split()))
    out: list[tuple[float, float]] = []
    word, space, wide_before = "", 0.0, None

    def glue(wide: bool) -> float:
        return space + (0.25 if not space and wide_before is not None and wide != wide_before else 0.0)

    for ch in text + " ":
        if (ch in "年月日" and word[-1:].isdigit()) or (word[-1:] == "月" and ch.isdigit()):
            word += ch  # a date breaks only after its year: 2021年 / 12月31日
        elif word[-1:] == "年" and ch.isdigit():
            out.append((glue(False), _em(word)))
            word, space, wide_before = ch, 0.25, False  # the quarter em after 年
        elif ch.isspace() or ord(ch) >= 0x2E80:
            if word:
                out.append((glue(False), _em(word)))
                word, space, wide_before = "", 0.0, False
            if ch.isspace():
                space += 0.4
            else:
                out.append((glue(True), _WIDE))
                space, wide_before = 0.0, True
        else:
            word += ch
    return tuple(out)


@functools.lru_cache(maxsize=262144)
def _lines(text: str, width: float, tail: str = "") -> int:
    """Lines ``text`` takes in a column ``width`` ems wide, wrapped as a word
    processor does (a word wider than the column is broken inside); ``tail``
    follows it at three quarters of the size (a title's id)."""
    if not tail and _em(text) <= width:
        return 1
    lines, used, width = 1, 0.0, max(width, 1.0)
    small = _pieces(" " + tail.replace("-", "- ") if tail else "")  # an id breaks after its hyphens
    pieces = _pieces(text) + tuple((0.0 if k and g else g * 0.75, w * 0.75) for k, (g, w) in enumerate(small))
    for glue, w in pieces:
        if used and used + glue + w <= width:
            used += glue + w
            continue
        if used:
            lines += 1
        whole = int(w // width) if w > width else 0  # a word broken inside
        lines += whole
        used = w - whole * width
    return lines


#: A date as Chinese tables write it.
_CN_DATE = re.compile(r"\d+年\d+月\d+日")
#: Cell padding, left plus right, in twips (tblCellMar below).
_PAD = 114
#: Cells up to this many ems stay on one line.
_WHOLE = 7.0
#: Rows measured for column widths: enough to see the table's text, cheap at 10,000 rows.
_SAMPLE = 400
#: Steps (of half an em) by which a column may grow at once when widths are shared out.
_GROWTH = (1, 2, 3, 4, 6, 8, 12, 16, 24, 32, 48, 64)


def column_widths(t: Table, shown: list[Any], size: float, total: int, ids: bool, note: Any | None = None) -> list[int]:
    """Column widths in twips that fit the text: short cells (dates,
    statuses, numbers) as wide as their longest text, so they stay on one
    line; the long-text columns (titles, owners, notes, sources) at least as
    wide as their longest word, and the rest of the width given where it
    saves the most lines, so the table is as short as its text allows (a
    long title gets room before a short owner gets a wide column). ``note``:
    the column written under the title (its lines count with the title's)."""
    rows = [row for _label, group in t.groups for row in group][:_SAMPLE]
    em = size * 20  # twips per em
    want, least, wraps = [], [], []
    for c in shown:
        head = header_text(c)
        longest, word = 0.0, _longest_token(head) * 1.15 + 0.4  # headers are bold
        for row in rows:
            text = c.text(row.get(c.key))
            width = _em(text)
            if c.key == "title":
                width += 1.2 * (row.get("depth") or 0)  # the indent and "└ "
                if ids and row.get("id"):
                    width += 0.75 * _em(" " + str(row["id"]))  # the id, smaller
            longest = max(longest, width)
            word = max(word, min(max((w for _g, w in _pieces(text)), default=0.0), 8.0))
            if width <= _WHOLE:  # a short cell is not broken: 下设4项, not 下设 / 4项
                word = max(word, width)
        wrap = c.key not in NO_WRAP or (c.key in DATES and word < longest)  # a Chinese date: after its year
        wraps.append(wrap)
        if wrap:  # a long note must not take the width from the titles
            longest = min(longest, 40.0 if c.key == "title" else 22.0)
        want.append(max(longest * (1.0 if wrap else 1.08), _longest_token(head) * 1.15 + 0.4, word, 2.0) * em + _PAD)
        least.append(max(word, 2.0) * em + _PAD if wrap else want[-1])
    fixed = sum(w for w, wrap in zip(want, wraps, strict=True) if not wrap)
    widths = list(want)
    room = total - fixed
    flexible = [k for k, wrap in enumerate(wraps) if wrap]
    if not flexible or room <= 0:
        return _scaled(widths if room > 0 or not flexible else want, total)
    floor = sum(least[k] for k in flexible)
    if floor > room:  # narrower than their longest words: they wrap inside words
        for k in flexible:
            widths[k] = least[k] * room / floor
        return _scaled(widths, total)
    grown = _fewest_lines(shown, flexible, [(least[k] - _PAD) / em for k in flexible], (room - floor) / em,
                          rows[:_SAMPLE // 8], ids, note)  # fmt: skip
    for k, w in zip(flexible, grown, strict=True):
        widths[k] = w * em + _PAD
    rest = room - sum(widths[k] for k in flexible)
    more = {k: max(want[k] - widths[k], 0.0) for k in flexible}
    share = more if sum(more.values()) > 0 else {k: widths[k] for k in flexible}
    for k in flexible:  # what saves no line: to the columns that want it, else in proportion
        widths[k] += rest * share[k] / sum(share.values())
    return _scaled(widths, total)


def _fewest_lines(
    shown: list[Any],
    flexible: list[int],
    start: list[float],
    room: float,
    rows: list[dict[str, Any]],
    ids: bool,
    note: Any | None,
) -> list[float]:
    """Widths in ems for the ``flexible`` columns, from ``start``, sharing
    out ``room`` ems where they save the most rows' lines (a row is as tall
    as its tallest cell): greedily, a few half-ems at a time, then moving
    width between columns while that still saves lines; what saves no line
    is left over. Measured on ``rows`` (a sample) and the header."""

    # each cell as (text, the id after it, the width its indent takes, the note under it, its size)
    cells: list[list[tuple[str, str, float, str, float]]] = []
    for k in flexible:
        c = shown[k]
        head = header_text(c)
        column = [(head, "", 0.0, "", 1.15)]  # the header, in bold
        for row in rows:
            text = c.text(row.get(c.key))
            if c.key != "title":
                column.append((text, "", 0.0, "", 1.0))
                continue
            depth = row.get("depth") or 0
            below = ""
            if note is not None and row.get("note"):
                below = _("{label}: {text}").format(label=header_text(note), text=note.text(row["note"]))
            column.append((text, str(row.get("id") or "") if ids else "", 1.26 * depth + 0.8 if depth else 0.0,
                           below, 1.0))  # fmt: skip
        cells.append(column)
    seen: dict[tuple[int, float], list[int]] = {}

    def lines_at(i: int, width: float) -> list[int]:
        if (i, width) not in seen:
            seen[i, width] = [_lines(text, (width - indent) / size, tail) + (_lines(below, width - indent) if below
                              else 0) for text, tail, indent, below, size in cells[i]]  # fmt: skip
        return seen[i, width]

    widths = list(start)
    now = [lines_at(i, w) for i, w in enumerate(widths)]

    def height(grown: dict[int, list[int]]) -> int:
        return sum(map(max, *(grown.get(i, now[i]) for i in range(len(now))), [1] * len(now[0])))

    while room >= 0.5:
        tall = height({})
        best: tuple[float, dict[int, float]] | None = None
        # one column wider; when no single column saves a row, two at once (a row needs both)
        for tried in (((i, s) for i in range(len(now)) for s in _GROWTH),
                      ((i, s, j, t) for i in range(len(now)) for j in range(i + 1, len(now))
                       for s in _GROWTH for t in _GROWTH)):  # fmt: skip
            for grow in tried:
                ems = dict(zip(grow[::2], (x * 0.5 for x in grow[1::2]), strict=True))
                if sum(ems.values()) > room:
                    continue
                saved = (tall - height({i: lines_at(i, widths[i] + e) for i, e in ems.items()})) / sum(ems.values())
                if saved > 0 and (best is None or saved > best[0]):
                    best = (saved, ems)
            if best is not None:
                break
        if best is None:
            break
        for i, e in best[1].items():
            widths[i] += e
            room -= e
            now[i] = lines_at(i, widths[i])
    for _round in range(20):  # then width moved from one column to another while that saves rows
        tall = height({})
        moves = [(tall - height({i: lines_at(i, widths[i] - e), j: lines_at(j, widths[j] + e)}), -e, i, j)
                 for i in range(len(now)) for j in range(len(now)) if i != j
                 for e in (0.5, 1.0, 2.0, 3.0, 4.0, 6.0) if widths[i] - e >= start[i]]  # fmt: skip
        saved, minus, i, j = max(moves, default=(0, 0.0, 0, 0))
        if saved <= 0:
            break
        widths[i] += minus
        widths[j] -= minus
        now[i], now[j] = lines_at(i, widths[i]), lines_at(j, widths[j])
    while room >= 0.5:  # what is left goes to cells that then take fewer lines (a short cell on one line)
        grows = [((sum(now[i]) - sum(lines_at(i, widths[i] + s * 0.5))) / s, i, s * 0.5)
                 for i in range(len(now)) for s in _GROWTH if s * 0.5 <= room]  # fmt: skip
        fewer, i, e = max(grows)
        if fewer <= 0:
            break
        widths[i] += e
        room -= e
        now[i] = lines_at(i, widths[i])
    return widths


def _owner_runs(rows: list[dict[str, Any]]) -> bool:
    """Whether the rows come in runs of one owner long enough (three rows on
    average) that the owner is better said once above each run (as 台账
    tables group by 责任单位) than repeated in a column."""
    if len(rows) < 2 or not all(r.get("owner") for r in rows):
        return False
    runs = 1 + sum(1 for a, b in itertools.pairwise(rows) if a.get("owner") != b.get("owner"))
    return runs * 3 <= len(rows)


def _scaled(widths: list[float], total: int) -> list[int]:
    out = [int(w * total / sum(widths)) for w in widths]
    out[-1] += total - sum(out)
    return out


def table_xml(t: Table, size: float = 9, ids: bool = True) -> str:
    """One Word table: header row repeated on each page, rows kept whole,
    status cells coloured, the title cell indented by depth (with the id
    small and grey after the title when ``ids``), columns as wide as their
    text needs (:func:`column_widths`) for ``size`` pt text. A note beside
    a title (needs attention) goes under the title, in grey: as a column of
    its own it leaves both too narrow on a Chinese page."""
    shown = [c for c in t.columns if c.in_text]
    owner = next((c for c in shown if c.key == "owner"), None)
    if owner is not None and all(_owner_runs(rows) for _label, rows in t.groups):
        shown.remove(owner)  # a row of its own above each run of its targets instead of a column
    else:
        owner = None
    note = next((c for c in shown if c.key == "note"), None) if any(c.key == "title" for c in shown) else None
    if note is not None and not any(c.key in ("source", "what") for c in shown):
        shown.remove(note)
    else:
        note = None
    widths = column_widths(t, shown, size, int(text_width_mm() * 56.7), ids, note)
    em = size * 20
    out = [f'<w:tbl xmlns:w="{W_NS}"><w:tblPr><w:tblW w:w="{sum(widths)}" w:type="dxa"/>'
           '<w:tblBorders><w:top w:val="single" w:sz="8" w:color="404040"/>'
           '<w:bottom w:val="single" w:sz="8" w:color="404040"/>'
           '<w:insideH w:val="single" w:sz="4" w:color="BFBFBF"/></w:tblBorders>'
           '<w:tblLayout w:type="fixed"/><w:tblCellMar><w:left w:w="57" w:type="dxa"/>'
           '<w:right w:w="57" w:type="dxa"/></w:tblCellMar><w:tblLook w:firstRow="1" w:val="0020"/></w:tblPr>'
           "<w:tblGrid>" + "".join(f'<w:gridCol w:w="{w}"/>' for w in widths) + "</w:tblGrid>"]  # fmt: skip

    def para(runs: str, right: bool, indent: int = 0) -> str:
        ppr = '<w:pStyle w:val="TableText"/>'
        if indent:
            ppr += f'<w:ind w:left="{indent}"/>'
        if right:
            ppr += '<w:jc w:val="right"/>'
        return f"<w:p><w:pPr>{ppr}</w:pPr>{runs}</w:p>"

    head = ["<w:tr><w:trPr><w:cantSplit/><w:tblHeader/></w:trPr>"]
    for c, w in zip(shown, widths, strict=True):
        label = para(f"<w:r><w:rPr><w:b/></w:rPr>{_t(header_text(c))}</w:r>", c.align == "right")
        head.append(f'<w:tc><w:tcPr><w:tcW w:w="{w}" w:type="dxa"/><w:shd w:val="clear" w:color="auto" '
                    f'w:fill="EDEFF1"/></w:tcPr>{label}</w:tc>')  # fmt: skip
    head.append("</w:tr>")
    out.append("".join(head))
    for _label, rows in t.groups:
        for r, row in enumerate(rows):
            if owner is not None and (r == 0 or row.get("owner") != rows[r - 1].get("owner")):
                label = _("{label}: {text}").format(label=header_text(owner), text=owner.text(row.get("owner")))
                out.append(f'<w:tr><w:trPr><w:cantSplit/></w:trPr><w:tc><w:tcPr><w:tcW w:w="{sum(widths)}" '
                           f'w:type="dxa"/><w:gridSpan w:val="{len(shown)}"/></w:tcPr><w:p><w:pPr><w:pStyle '
                           f'w:val="TableText"/><w:keepNext/></w:pPr><w:r><w:rPr><w:b/></w:rPr>{_t(label)}</w:r>'
                           "</w:p></w:tc></w:tr>")  # fmt: skip
            cells = ["<w:tr><w:trPr><w:cantSplit/></w:trPr>"]
            for c, w in zip(shown, widths, strict=True):
                value = row.get(c.key)
                text = c.text(value)
                shd, rpr = "", ""
                colour = color_of(value) if c.colored and isinstance(value, str) else None
                if colour:
                    shd = f'<w:shd w:val="clear" w:color="auto" w:fill="{colour[1]}"/>'
                    rpr = f'<w:rPr><w:color w:val="{colour[0]}"/></w:rPr>'
                indent = 0
                runs = f"<w:r>{rpr}{_t(text)}</w:r>"
                if (
                    _CN_DATE.fullmatch(text) and _lines(text, (w - _PAD) / em) > 1
                ):  # 2021年 / 12月31日, not 2021年12 / 月31日
                    year, rest = text.split("年", 1)
                    runs = f"<w:r>{rpr}{_t(year + '年')}<w:br/>{_t(rest)}</w:r>"
                if c.key == "title" and "depth" in row:
                    depth = row.get("depth") or 0
                    indent = 227 * depth  # 4 mm a level
                    mark = f'<w:r><w:rPr><w:color w:val="7F8C8D"/></w:rPr>{_t("└ ")}</w:r>' if depth else ""
                    runs = f"{mark}{runs}"
                    if note is not None and row.get("note"):
                        label = _("{label}: {text}").format(label=header_text(note), text=note.text(row["note"]))
                        runs += (f'</w:p><w:p><w:pPr><w:pStyle w:val="TableText"/></w:pPr><w:r><w:rPr>'
                                 f'<w:color w:val="5D6D7E"/></w:rPr>{_t(label)}</w:r>')  # fmt: skip
                    if ids and row.get("id"):
                        runs += (f'<w:r><w:rPr><w:color w:val="8A949E"/><w:sz w:val="{round(size * 1.5)}"/></w:rPr>'
                                 f"{_t(' ' + str(row['id']))}</w:r>")  # fmt: skip
                no_wrap = "<w:noWrap/>" if c.key in NO_WRAP else ""
                cells.append(f'<w:tc><w:tcPr><w:tcW w:w="{w}" w:type="dxa"/>{shd}{no_wrap}</w:tcPr>'
                             f"{para(runs, c.align == 'right', indent)}</w:tc>")  # fmt: skip
            cells.append("</w:tr>")
            out.append("".join(cells))
    out.append("</w:tbl>")
    return "".join(out)


def report_document(rep: MonthlyReport, blocks: list[Block], drawer: Drawer | None = None) -> bytes:
    """The report as .docx bytes, identical for the same report (fixed zip
    dates and document properties from the report's generated date); charts
    drawn by ``drawer`` (here by default)."""
    from target_tracker.reports import charts

    drawn = charts.section_charts(rep, blocks, "png", drawer)  # asked for first: drawn while the text is built
    import docx
    from docx.enum.text import WD_ALIGN_PARAGRAPH

    from target_tracker.reports.render import report_meta, report_title

    doc = docx.Document()
    _styles(doc)
    _page(doc)
    title = doc.add_paragraph(report_title(rep), style="Title")
    title.alignment = WD_ALIGN_PARAGRAPH.CENTER
    meta = doc.add_paragraph(report_meta(rep), style="Subtitle")
    meta.alignment = WD_ALIGN_PARAGRAPH.CENTER
    placed: list[str] = []  # tables' XML, put in place after saving
    pictures: list[tuple[Any, charts.Drawn]] = []  # paragraphs whose chart is added last
    for b, drawings in zip(blocks, drawn, strict=True):
        doc.add_heading(b.title, level=1)
        for p in b.paragraphs:
            para = doc.add_paragraph(p, style="Note Text" if b.key == "method" else None)
            # the sentence that introduces a table or a list stays with it
            para.paragraph_format.keep_with_next = bool(b.tables) or (bool(b.bullets) and p == b.paragraphs[-1])
        for x in b.bullets:
            doc.add_paragraph(x, style="List Bullet")
        tables = list(b.tables)
        ids = b.key == "areas"  # ids only where every target is listed: the rest read by title
        if b.key == "headline" and tables:
            _add_table(doc, tables.pop(0), placed)
        pictures += [(_picture_paragraph(doc), d) for d in drawings if d.kind == "areas"]
        for t in tables:
            _add_table(doc, t, placed, ids)
        for d in drawings:
            if d.kind == "trajectory":  # one picture of small panels, with its caption
                para = _picture_paragraph(doc)
                para.paragraph_format.keep_with_next = True
                pictures.append((para, d))
                note = doc.add_paragraph(_("Actual against planned share done; the red line is the report date."))
                note.style = doc.styles["Table Text"]
    for para, d in pictures:
        _add_picture(para, d.image())
    when = datetime.combine(rep.generated, datetime.min.time())
    cp = doc.core_properties
    cp.title, cp.author, cp.last_modified_by = report_title(rep), "target-tracker", "target-tracker"
    cp.created = cp.modified = cp.last_printed = when
    cp.revision = 1
    cp.language = "zh-CN" if language() == "zh" else "en"
    buf = io.BytesIO()
    doc.save(buf)
    return fixed_zip(buf.getvalue(), rep.generated, _table_putter(placed))


def _picture_paragraph(doc: Document) -> Any:
    """A centred paragraph for a chart, filled by :func:`_add_picture`."""
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.shared import Pt

    pic = doc.add_paragraph()
    pic.alignment = WD_ALIGN_PARAGRAPH.CENTER
    pic.paragraph_format.first_line_indent = Pt(0)
    pic.paragraph_format.line_spacing_rule = None
    pic.paragraph_format.line_spacing = 1.0
    pic.paragraph_format.space_before = Pt(4)
    return pic


def _add_picture(paragraph: Any, png: bytes) -> None:
    """The chart into its paragraph, at the size it was drawn."""
    from docx.shared import Mm

    from target_tracker.reports.charts import WIDTH_IN

    paragraph.add_run().add_picture(io.BytesIO(png), width=Mm(WIDTH_IN * 25.4))


def _add_table(doc: Document, t: Table, placed: list[str], ids: bool = False) -> None:
    """A table: its sub-heading now, and a marker paragraph that :func:`_table_putter`
    replaces with the table's XML (parsing and moving a 10,000-row table into
    python-docx's tree and serialising it again would cost seconds)."""
    from docx.enum.text import WD_LINE_SPACING
    from docx.shared import Pt

    if t.title:
        doc.add_heading(t.title, level=2)
    doc.add_paragraph(f"{_MARK}{len(placed)}{_MARK}")
    placed.append(table_xml(t, fonts()["table"][2], ids).replace(f' xmlns:w="{W_NS}"', "", 1))
    # Word needs a paragraph between two tables: a thin one (a body line would be 28 pt in Chinese)
    gap = doc.add_paragraph().paragraph_format
    gap.space_before = gap.space_after = gap.first_line_indent = Pt(0)
    gap.line_spacing_rule = WD_LINE_SPACING.EXACTLY
    gap.line_spacing = Pt(4)


_MARK = "@@target-tracker-table@@"


def _table_putter(tables: list[str]) -> Callable[[str, bytes], bytes]:
    """An edit for :func:`fixed_zip`: each marker paragraph in word/document.xml replaced by its table."""

    def table_for(m: re.Match[bytes]) -> bytes:
        return tables[int(m.group(1))].encode("utf-8")

    mark = re.escape(_MARK.encode())
    # exactly the marker paragraph (no style, one run): ledger text never makes one
    pattern = re.compile(rb"<w:p><w:r><w:t>" + mark + rb"(\d+)" + mark + rb"</w:t></w:r></w:p>")

    def put(name: str, content: bytes) -> bytes:
        return pattern.sub(table_for, content) if name == "word/document.xml" else content

    return put
