"""Render a :class:`~target_tracker.report.MonthlyReport` as Markdown, HTML,
JSON or CSV. All four show the same content; HTML adds charts."""

from __future__ import annotations

import json
from pathlib import Path

from target_tracker.i18n import _, language
from target_tracker.output.render import Table, cells, header_text, markdown_table, md_escape, render_csv
from target_tracker.output.views import bar
from target_tracker.reports.data import Block, MonthlyReport, report_csv_table, report_data, report_sections

REPORT_FORMATS = {"md": "md", "markdown": "md", "html": "html", "json": "json", "csv": "csv"}
SPARKS = "▁▂▃▄▅▆▇█"


def sparkline(values: list[float | None]) -> str:
    """A Unicode sparkline of fractions (0..1)."""
    out = []
    for v in values:
        if v is None:
            out.append(" ")
        else:
            out.append(SPARKS[min(len(SPARKS) - 1, max(0, round(v * (len(SPARKS) - 1))))])
    return "".join(out)


def render_report(rep: MonthlyReport, fmt: str) -> str:
    kind = REPORT_FORMATS[fmt]
    if kind == "json":
        return json.dumps(report_data(rep), ensure_ascii=False, indent=2) + "\n"
    if kind == "csv":
        return render_csv(report_csv_table(rep))
    blocks = report_sections(rep)
    if kind == "md":
        return to_markdown(rep, blocks)
    return to_html(rep, blocks)


def _title(rep: MonthlyReport) -> str:
    return _("{ledger}: progress report, {month}").format(ledger=rep.ledger.title, month=rep.month_name)


def _meta(rep: MonthlyReport) -> str:
    return _("As of {as_of}, compared with {previous}. Generated on {generated} by target-tracker from {file}.").format(
        as_of=rep.as_of.isoformat(),
        previous=rep.previous.isoformat(),
        generated=rep.generated.isoformat(),
        file=Path(rep.ledger.path).name,
    )


def to_markdown(rep: MonthlyReport, blocks: list[Block]) -> str:
    out = [f"# {md_escape(_title(rep))}", "", f"_{md_escape(_meta(rep))}_", ""]
    for b in blocks:
        out += [f"## {b.title}", ""]
        for i, p in enumerate(b.paragraphs):
            if p.startswith("- "):
                out.append("- " + md_escape(p[2:]))
                if i == len(b.paragraphs) - 1:
                    out.append("")
            else:
                out += [md_escape(p), ""]
        if b.chart == "completion" and rep.history:
            first, last = rep.history[0][0], rep.history[-1][0]
            out += [_("Completion by month, {first} to {last}: {sparkline}").format(
                first=first.isoformat(), last=last.isoformat(),
                sparkline=f"`{sparkline([v for _d, v in rep.history])}`"), ""]  # fmt: skip
        if b.chart == "trajectories":
            for tid, (actual, planned) in rep.trajectories.items():
                if actual:
                    out += [_("{id} actual {sparkline} {bar} vs planned {planned}").format(
                        id=f"`{tid}`", sparkline=f"`{sparkline([v for _d, v in actual])}`", bar=bar(actual[-1][1]),
                        planned=bar(_planned_now(planned, rep))), ""]  # fmt: skip
        for t in b.tables:
            if t.title:
                out += [f"### {md_escape(t.title)}", ""]
            out += [markdown_table(t, [r for _label, g in t.groups for r in g]), ""]
    return "\n".join(out).rstrip("\n") + "\n"


def _planned_now(planned: list, rep: MonthlyReport) -> float | None:  # type: ignore[type-arg]
    now = [v for d, v in planned if d <= rep.as_of]
    return now[-1] if now else 0.0


def to_html(rep: MonthlyReport, blocks: list[Block]) -> str:
    import jinja2
    import markupsafe

    from target_tracker.reports import charts

    env = jinja2.Environment(
        loader=jinja2.PackageLoader("target_tracker.reports", "templates"),
        autoescape=True,  # every piece of ledger text is escaped
        keep_trailing_newline=True,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    chart_svgs: dict[str, list[tuple[str, markupsafe.Markup]]] = {"completion": [], "trajectories": []}
    if rep.history:
        caption = _("Overall completion by month")
        chart_svgs["completion"].append((caption, markupsafe.Markup(charts.completion_chart(rep.history, caption))))
    for tid, (actual, planned) in rep.trajectories.items():
        if not actual and not planned:
            continue
        label = _("{id}: actual vs planned").format(id=tid)
        chart_svgs["trajectories"].append(
            (label, markupsafe.Markup(charts.trajectory_chart(label, actual, planned, rep.as_of)))
        )
    sections = [{"block": b, "tables": [_html_table(t) for t in b.tables]} for b in blocks]
    return env.get_template("report.html.j2").render(
        title=_title(rep), meta=_meta(rep), sections=sections, charts=chart_svgs, ledger=rep.ledger.title,
        wrapping=("title", "note", "source", "update", "what", "progress"),
        lang="zh-CN" if language() == "zh" else "en",
    )  # fmt: skip


def _html_table(t: Table) -> dict[str, object]:
    shown = [c for c in t.columns if c.in_text]
    rows = [r for _label, g in t.groups for r in g]
    return {
        "title": t.title,
        "headers": [header_text(c) for c in shown],
        "column_keys": [c.key for c in shown],  # wrapping and bars go by key, whatever the header's language
        "aligns": [c.align for c in shown],
        "colored": [c.colored for c in shown],
        "rows": cells(t, rows, color=False),
        "codes": [[r.get(c.key) for c in shown] for r in rows],  # status codes name the CSS class
    }
