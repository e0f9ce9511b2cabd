"""Dates as planners write them: ``2021-10-31``, ``2021-10`` (end of that
month), ``Oct 2021``, ``31 Oct 2021``.

ISO forms take a fast path; anything else goes to python-dateutil, imported
only then because it costs ~40 ms of start-up.
"""

from __future__ import annotations

import calendar
import re
from datetime import date, datetime, timedelta

from target_tracker.i18n import _

_ISO_DAY = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})$")
_ISO_MONTH = re.compile(r"^(\d{4})-(\d{1,2})$")
_YEAR = re.compile(r"^(\d{4})$")


class DateError(ValueError):
    """A date the user typed that is not a real date."""


def month_end(year: int, month: int) -> date:
    return date(year, month, calendar.monthrange(year, month)[1])


def parse_month(text: str) -> tuple[date, date]:
    """``2021-10`` -> (2021-10-01, 2021-10-31); errors name the bad month."""
    m = _ISO_MONTH.match(text.strip())
    if not m:
        raise DateError(_("'{text}' is not a month: use YYYY-MM, e.g. 2021-10").format(text=text))
    year, month = int(m.group(1)), int(m.group(2))
    if not 1 <= month <= 12:
        raise DateError(_("'{text}' is not a month: {month} is not between 1 and 12").format(text=text, month=month))
    return date(year, month, 1), month_end(year, month)


def parse_date(text: str, *, today: date | None = None) -> date:
    """Parse a date typed by a user. A month alone means its last day.

    ``today`` resolves the word "today"; callers that are not the CLI pass it.
    """
    s = text.strip()
    if not s:
        raise DateError(_("empty date: use YYYY-MM-DD, e.g. 2021-10-31"))
    if s.lower() == "today" and today is not None:
        return today
    m = _ISO_DAY.match(s)
    if m:
        try:
            return date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
        except ValueError as e:
            raise DateError(_("'{text}' is not a real date ({error})").format(text=text, error=e)) from None
    if _ISO_MONTH.match(s):
        return parse_month(s)[1]
    m = _YEAR.match(s)
    if m:
        return date(int(s), 12, 31)
    return _parse_loose(s, text)


def _parse_loose(s: str, original: str) -> date:
    from dateutil import parser  # lazy: only non-ISO dates need it

    if not re.search(r"\d", s):
        raise DateError(_("'{text}' is not a date: use YYYY-MM-DD, e.g. 2021-10-31").format(text=original))
    try:
        # Two different default days tell whether the user gave a day at all.
        a = parser.parse(s, default=_DEFAULT_A, fuzzy=False)
        b = parser.parse(s, default=_DEFAULT_B, fuzzy=False)
    except (ValueError, OverflowError) as e:
        raise DateError(_("'{text}' is not a date ({error}): use YYYY-MM-DD").format(text=original, error=e)) from None

    if a.day != b.day:
        return month_end(a.year, a.month)
    return a.date()


_DEFAULT_A = datetime(2000, 1, 1)
_DEFAULT_B = datetime(2000, 1, 2)


def add_months(d: date, months: int) -> date:
    """Same day ``months`` later, clipped to the month's end (Jan 31 + 1 = Feb 28).

    The one month stepper: dateutil's relativedelta."""
    from dateutil.relativedelta import relativedelta

    return d + relativedelta(months=months)  # type: ignore[no-any-return]


def month_ends(first: date, last: date) -> list[date]:
    """The last day of every month from ``first``'s to ``last``'s, in order."""
    out = []
    d = first.replace(day=1)
    while d <= last:
        out.append(month_end(d.year, d.month))
        d = add_months(d, 1)
    return out


MAX_MONTHS = 600


def month_range(first: str, last: str) -> list[str]:
    """``2021-01``, ``2021-03`` -> ``["2021-01", "2021-02", "2021-03"]`` (at most 600)."""
    a, _end = parse_month(first)
    b, _end = parse_month(last)
    if b < a:
        raise DateError(_("--to {last} is before --from {first}").format(last=last, first=first))
    if (b.year - a.year) * 12 + b.month - a.month >= MAX_MONTHS:
        raise DateError(_("at most {n} months at a time").format(n=MAX_MONTHS))
    return [f"{d.year:04d}-{d.month:02d}" for d in month_ends(a, b)]


def previous_month_end(d: date) -> date:
    return d.replace(day=1) - timedelta(days=1)


def last_complete_month(today: date) -> str:
    """The month before ``today``'s, as YYYY-MM."""
    end = previous_month_end(today)
    return f"{end.year:04d}-{end.month:02d}"
