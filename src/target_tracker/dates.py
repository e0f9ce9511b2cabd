"""Dates as planners write them: ``2021-10-31``, ``2021-10`` (end of that
month), ``Oct 2021``, ``31 Oct 2021``, ``2021年10月31日``, ``2021年10月``.

Every date names at least a year and a month; a month alone means its last
day. ``01/02/2021`` is refused as ambiguous (2 January or 1 February?), and so
is anything outside the ledger's supported range, :data:`MIN_DATE` ..
:data:`MAX_DATE`, so no report, chart or month step can run off the calendar.

ISO and Chinese forms take a fast path; anything else goes to python-dateutil,
imported only then because it costs ~40 ms of start-up. Its own messages never
reach the user.
"""

from __future__ import annotations

import calendar
import re
from datetime import date, datetime, timedelta

from target_tracker.i18n import _

#: The supported range of every date in a ledger and on the command line.
MIN_DATE = date(1900, 1, 1)
MAX_DATE = date(2199, 12, 31)

_ISO_DAY = re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})")
_ISO_MONTH = re.compile(r"(\d{4})-(\d{1,2})")
_CJK = re.compile(r"(\d{4})\s*年\s*(\d{1,2})\s*月\s*(?:(\d{1,2})\s*[日号])?")
_NUMERIC = re.compile(r"(\d{1,2})\s*([/.-])\s*(\d{1,2})\s*\2\s*(\d{2,4})")
_HINT = "2021-10-31"


class DateError(ValueError):
    """A date the user typed that is not a real date, or not one we accept."""


def in_range(d: date) -> bool:
    return MIN_DATE <= d <= MAX_DATE


def out_of_range(d: date) -> str:
    """The message for a date outside :data:`MIN_DATE` .. :data:`MAX_DATE`."""
    return _("{date} is outside the supported range {first} to {last}").format(
        date=d.isoformat(), first=MIN_DATE.isoformat(), last=MAX_DATE.isoformat()
    )


def _checked(d: date) -> date:
    if not in_range(d):
        raise DateError(out_of_range(d))
    return d


def _make(text: str, year: int, month: int, day: int | None) -> date:
    """The date, or its month's end when ``day`` is None; errors name ``text``."""
    if not 1 <= month <= 12:
        if day is not None:
            message = _("'{text}' is not a real date (month {month} is not between 1 and 12)")
        else:
            message = _("'{text}' is not a month: {month} is not between 1 and 12")
        raise DateError(message.format(text=text, month=month))
    if not MIN_DATE.year <= year <= MAX_DATE.year:
        raise DateError(
            _("'{text}': the year {year} is outside the supported range {first} to {last}").format(
                text=text, year=year, first=MIN_DATE.year, last=MAX_DATE.year
            )
        )
    if day is None:
        return month_end(year, month)
    try:
        return _checked(date(year, month, day))
    except ValueError as e:
        if isinstance(e, DateError):
            raise
        last = calendar.monthrange(year, month)[1]
        raise DateError(
            _("'{text}' is not a real date (day {day} is not between 1 and {last})").format(
                text=text, day=day, last=last
            )
        ) from None


def month_end(year: int, month: int) -> date:
    return date(year, month, calendar.monthrange(year, month)[1])


def parse_month(text: str) -> tuple[date, date]:
    """``2021-10`` or ``2021年10月`` -> (2021-10-01, 2021-10-31); errors name the bad month."""
    s = text.strip()
    m = _ISO_MONTH.fullmatch(s) or _CJK.fullmatch(s)
    if not m or m.lastindex == 3:
        raise DateError(_("'{text}' is not a month: use YYYY-MM, e.g. 2021-10").format(text=text))
    end = _make(text, int(m.group(1)), int(m.group(2)), None)
    return end.replace(day=1), end


def parse_date(text: str, *, today: date | None = None) -> date:
    """Parse a date typed by a user. A month alone means its last day.

    ``today`` resolves the word "today"; callers that are not the CLI pass it.
    """
    s = text.strip()
    if not s:
        raise DateError(_("empty date: use YYYY-MM-DD, e.g. {example}").format(example=_HINT))
    if s.lower() == "today" and today is not None:
        return today
    m = _ISO_DAY.fullmatch(s) or _CJK.fullmatch(s)
    if m:
        day = m.group(3)
        return _make(text, int(m.group(1)), int(m.group(2)), None if day is None else int(day))
    m = _ISO_MONTH.fullmatch(s)
    if m:
        return _make(text, int(m.group(1)), int(m.group(2)), None)
    m = _NUMERIC.fullmatch(s)
    if m:
        return _numeric(text, int(m.group(1)), int(m.group(3)), m.group(4))
    return _parse_loose(s, text)


def _numeric(text: str, a: int, b: int, year_text: str) -> date:
    """``13/02/2021`` or ``02/13/2021``; refuse ``01/02/2021`` and two-digit years."""
    if len(year_text) != 4:
        raise DateError(_("'{text}': write the year in full, as YYYY-MM-DD").format(text=text))
    year = int(year_text)
    if a <= 12 and b <= 12 and a != b:
        raise DateError(
            _("'{text}' is ambiguous: write {first} or {second}").format(
                text=text, first=f"{year:04d}-{a:02d}-{b:02d}", second=f"{year:04d}-{b:02d}-{a:02d}"
            )
        )
    month, day = (b, a) if a > 12 else (a, b)
    return _make(text, year, month, day)


_DEFAULT_A = datetime(2000, 1, 1)
_DEFAULT_B = datetime(2001, 2, 2)


def _parse_loose(s: str, original: str) -> date:
    bad = DateError(_("'{text}' is not a date: use YYYY-MM-DD, e.g. {example}").format(text=original, example=_HINT))
    if not re.search(r"\d", s) or len(s) > 64:
        raise bad
    from dateutil import parser  # lazy: only non-ISO dates need it

    try:
        # Two defaults that differ in year, month and day tell which of them
        # the user gave at all.
        a = parser.parse(s, default=_DEFAULT_A, fuzzy=False)
        b = parser.parse(s, default=_DEFAULT_B, fuzzy=False)
    except Exception:  # dateutil raises ValueError, OverflowError, decimal errors...: its words never reach the user
        raise bad from None
    if a.year != b.year or a.month != b.month:
        raise DateError(
            _("'{text}' does not name a year and a month: use YYYY-MM-DD, e.g. {example}").format(
                text=original, example=_HINT
            )
        )
    if not MIN_DATE.year <= a.year <= MAX_DATE.year:
        raise DateError(out_of_range(a.date()))
    if a.day != b.day:
        return month_end(a.year, a.month)
    return _checked(a.date())


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
