"""The monthly report command."""

from __future__ import annotations

import os
import sys
from datetime import date
from pathlib import Path
from typing import Annotated

import typer

from target_tracker.cli import common
from target_tracker.cli.common import (
    LedgerOption,
    app,
    fail,
    ledger_path,
    load_checked,
    write_output,
)  # fmt: skip
from target_tracker.i18n import _

# -- reports --------------------------------------------------------------------------


def generated_on() -> date:
    """The report's "generated on" date; honours SOURCE_DATE_EPOCH for reproducible builds."""
    from datetime import UTC, datetime

    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    if epoch:
        try:
            return datetime.fromtimestamp(int(epoch), UTC).date()
        except (ValueError, OverflowError, OSError):
            fail(_("SOURCE_DATE_EPOCH='{value}' is not a number of seconds").format(value=epoch))
    return common.today()


@app.command()
def report(
    ctx: typer.Context,
    ledger: LedgerOption = None,
    month: Annotated[str | None, typer.Option("--month", help="YYYY-MM (default: the last complete month).")] = None,
    from_: Annotated[str | None, typer.Option("--from", help="First month of a series, YYYY-MM.")] = None,
    to: Annotated[str | None, typer.Option("--to", help="Last month of a series, YYYY-MM (default: --from).")] = None,
    fmt: Annotated[str, typer.Option("--format", "-F", help="md, html, json or csv.")] = "md",
    out: Annotated[Path | None, typer.Option("--out", "-o", help="File to write (a folder with --from).")] = None,
    area: Annotated[list[str] | None, typer.Option("--area", help="Only this area (repeatable).")] = None,
) -> None:
    """The monthly progress report for leadership, ready to send.

    Evaluated as of the month's last day and compared with the month before:
    headline, status changes, the month's updates, each area's table, what
    needs attention, what is coming up, and the method and sources.

    \b
    Examples:
      tracker report                                  last month, Markdown, on screen
      tracker report --month 2021-10 --format html --out report-2021-10.html
      tracker report --from 2021-01 --to 2021-12 --format html --out reports/
    """
    from target_tracker.dates import DateError, last_complete_month, parse_month

    if fmt not in ("md", "markdown", "html", "json", "csv"):
        fail(_("--format: unknown report format '{format}': use md, html, json or csv").format(format=fmt))
    if month and from_:
        fail(_("give either --month or --from/--to, not both"))
    try:
        if from_:
            months = month_range(from_, to or from_)
            if out is None:
                fail(_("--from/--to writes one file per month: give --out FOLDER"))
        else:
            if to:
                fail(_("--to goes with --from"))
            months = [month or last_complete_month(common.today())]
            parse_month(months[0])
    except DateError as e:
        fail(str(e))
    model = load_checked(ctx, ledger_path(ctx, ledger))
    if area:
        known = {t.area.casefold() for t in model.targets.values()}
        missing = [a for a in area if a.casefold() not in known]
        if missing:
            fail(_("--area: no targets in {areas}").format(areas=", ".join(missing)))
    from target_tracker.reports.data import build_report
    from target_tracker.reports.render import REPORT_FORMATS, render_report

    ext = REPORT_FORMATS[fmt]
    stamp = generated_on()
    for m in months:
        text = render_report(build_report(model, m, stamp, area), fmt)
        if out is None:
            sys.stdout.write(text)
            continue
        target = out / f"report-{m}.{ext}" if from_ else out
        write_output(target, text)
        typer.echo(_("wrote {file}").format(file=target), err=True)


def month_range(first: str, last: str) -> list[str]:
    from target_tracker.dates import DateError, parse_month

    a, _end = parse_month(first)
    b, _end = parse_month(last)
    if b < a:
        raise DateError(_("--to {last} is before --from {first}").format(last=last, first=first))
    months = []
    y, m = a.year, a.month
    while (y, m) <= (b.year, b.month):
        months.append(f"{y:04d}-{m:02d}")
        y, m = (y + 1, 1) if m == 12 else (y, m + 1)
    if len(months) > 600:
        raise DateError(_("at most {n} months at a time").format(n=600))

    return months
