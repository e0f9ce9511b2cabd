"""Render a :class:`~target_tracker.reports.data.MonthlyReport` in every format.

Markdown, HTML, JSON and CSV are text; Word (.docx) and Excel (.xlsx) are
bytes (see :mod:`.docx` and :mod:`.xlsx`). All show the same sections and
tables, laid out by :func:`~target_tracker.reports.data.report_sections`;
HTML and Word add charts.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Any

from target_tracker.i18n import _
from target_tracker.output.render import Table, header_text, md_escape, render_csv
from target_tracker.output.safe import for_people
from target_tracker.reports import REPORT_FORMATS
from target_tracker.reports.data import (
    WRAPPING,
    Block,
    MonthlyReport,
    report_csv_table,
    report_data,
    report_sections,
)  # fmt: skip
from target_tracker.reports.numbering import long_date

if TYPE_CHECKING:
    from target_tracker.reports.charts import Drawer


def render_report(rep: MonthlyReport, fmt: str, drawer: Drawer | None = None) -> str | bytes:
    """The report in ``fmt``: text for md/html/json/csv, bytes for docx/xlsx;
    the charts of html and docx drawn by ``drawer`` (in this process by default)."""
    kind = REPORT_FORMATS[fmt]
    if kind == "json":
        return json.dumps(report_data(rep), ensure_ascii=False, indent=2) + "\n"
    if kind == "csv":
        return render_csv(report_csv_table(rep))
    if kind == "xlsx":
        from target_tracker.reports.xlsx_report import report_workbook

        return report_workbook(rep)
    blocks = report_sections(rep)
    if kind == "md":
        return to_markdown(rep, blocks)
    if kind == "docx":
        from target_tracker.reports.docx_report import report_document

        return report_document(rep, blocks, drawer)
    return to_html(rep, blocks, drawer)


def report_title(rep: MonthlyReport) -> str:
    from target_tracker.i18n import language

    ledger = rep.ledger.title
    if language() == "zh" and ledger[-1:].isascii() and ledger[-1:].isalnum():
        ledger += " "  # the Chinese title runs on: "Chenzhou commitments 2022年7月…", not "commitments2022年"
    return _("{ledger}: progress report, {month}").format(ledger=ledger, month=rep.month_name)


def report_meta(rep: MonthlyReport) -> str:
    return _("As of {date}, compared with {previous}. Generated on {generated} by target-tracker from {file}.").format(
        date=long_date(rep.as_of), previous=long_date(rep.previous), generated=long_date(rep.generated),
        file=Path(rep.ledger.path).name)  # fmt: skip


def to_markdown(rep: MonthlyReport, blocks: list[Block]) -> str:
    out = [f"# {md_escape(report_title(rep))}", "", f"_{md_escape(report_meta(rep))}_", ""]
    for b in blocks:
        out += [f"## {md_escape(b.title)}", ""]
        for p in b.paragraphs:
            out += [md_escape(p, line_start=True), ""]
        if b.bullets:
            out += [f"- {md_escape(x, line_start=True)}" for x in b.bullets] + [""]
        for t in b.tables:
            if t.title:
                out += [f"### {md_escape(t.title)}", ""]
            out += [_md_table(t), ""]
    return "\n".join(out).rstrip("\n") + "\n"


def _md_table(t: Table) -> str:
    shown = [c for c in t.columns if c.in_text]
    head = "| " + " | ".join(md_escape(header_text(c)) for c in shown) + " |"
    rule = "|" + "|".join("---:" if c.align == "right" else "---" for c in shown) + "|"
    lines = [head, rule]
    for _label, rows in t.groups:
        for row in rows:
            cells = []
            for c in shown:
                text = md_escape(c.text(row.get(c.key)))
                if c.key == "title" and "id" in row:
                    depth = row.get("depth") or 0
                    indent = "\u00a0\u00a0" * (depth - 1) + "└\u00a0" if depth else ""
                    text = f"{indent}{text} <sub>{md_escape(str(row['id']))}</sub>"
                cells.append(text)
            lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


def to_html(rep: MonthlyReport, blocks: list[Block], drawer: Drawer | None = None) -> str:
    from target_tracker.reports import charts

    drawn = charts.section_charts(rep, blocks, "svg", drawer)  # asked for first: drawn while the page is built
    import jinja2
    import markupsafe

    env = jinja2.Environment(
        loader=jinja2.PackageLoader("target_tracker.reports", "templates"),
        autoescape=True,  # every piece of ledger text is escaped
        finalize=_visible_text,  # ... and its control characters shown, never raw (XML forbids them)
        keep_trailing_newline=True,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    sections = [{"block": b, "tables": [_html_table(t) for t in b.tables]} for b in blocks]
    for section, drawings in zip(sections, drawn, strict=True):
        section["figures"] = [{"kind": d.kind, "title": d.title, "svg": markupsafe.Markup(d.image().decode("utf-8"))}
                              for d in drawings]  # fmt: skip
    from target_tracker.i18n import language

    return env.get_template("report.html.j2").render(
        title=report_title(rep), meta=report_meta(rep), sections=sections, ledger=rep.ledger.title,
        lang="zh-CN" if language() == "zh" else "en",
        trajectory_caption=_("Actual against planned share done; the red line is the report date."),
    )  # fmt: skip


def _visible_text(value: Any) -> Any:
    """Jinja's finalize: plain strings (ledger text) are shown safely; Markup is ours."""
    import markupsafe

    if isinstance(value, str) and not isinstance(value, markupsafe.Markup):
        return for_people(value, one_line=False)
    return value


#: Columns whose words are names (departments, titles): never cut inside a word to narrow the column.
WHOLE_WORDS = ("owner", "title")


def _html_table(t: Table) -> dict[str, object]:
    """A table's header cells and its body as escaped HTML: written here
    rather than by the template, whose per-cell lookups cost seconds at
    10,000 rows. Every cell's text goes through markupsafe's escape."""
    import markupsafe

    esc = markupsafe.escape
    shown = [c for c in t.columns if c.in_text]
    classes = [
        " ".join(x for x in ("wrap" if c.key in WRAPPING else "", "right" if c.align == "right" else "",
                             "title" if c.key == "title" else "", "words" if c.key in WHOLE_WORDS else "") if x)
        for c in shown
    ]  # fmt: skip
    lines = []
    for _label, group in t.groups:
        for row in group:
            cells = []
            for c, cls in zip(shown, classes, strict=True):
                value = row.get(c.key)
                text = esc(for_people(c.text(value), one_line=False))
                if c.colored:
                    cls = f"{cls} status s-{esc(value)}".strip()
                if c.key == "title" and row.get("id"):
                    depth = row.get("depth") or 0
                    style = f' style="padding-left: {0.35 + 1.1 * depth:.2f}em"' if depth else ""
                    tree = '<span class="tree">└ </span>' if depth else ""
                    cells.append(f'<td class="{cls}"{style}>{tree}{text}<span class="tid">{esc(row["id"])}</span></td>')
                else:
                    cells.append(f'<td class="{cls}">{text}</td>')
            lines.append("<tr>" + "".join(cells) + "</tr>")
    return {
        "title": t.title,
        "headers": [
            {"text": header_text(c), "cls": ("right " if c.align == "right" else "") + f"k-{c.key}"} for c in shown
        ],
        "body": markupsafe.Markup("\n".join(lines)),
    }
