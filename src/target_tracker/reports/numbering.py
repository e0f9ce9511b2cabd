"""Heading numbers and dates in the style of the interface language.

Chinese government reports number their levels 一、 then （一） then 1. then
（1） (GB/T 9704-2012) and write dates as 2021年11月30日; English reports use
1. / 1.1 and ISO dates. Library code asks here rather than choosing itself.
"""

from __future__ import annotations

from datetime import date

from target_tracker.i18n import format_date, format_month, language

_DIGITS = "零一二三四五六七八九"


def chinese_number(n: int) -> str:
    """1 -> 一, 10 -> 十, 12 -> 十二, 21 -> 二十一 (enough for headings)."""
    if n < 10:
        return _DIGITS[n]
    if n < 20:
        return "十" + (_DIGITS[n % 10] if n % 10 else "")
    if n < 100:
        return _DIGITS[n // 10] + "十" + (_DIGITS[n % 10] if n % 10 else "")
    return str(n)


def heading_number(level: int, n: int, parent: int | None = None) -> str:
    """The number in front of a heading of ``level`` (1-4), the ``n``-th of its level.

    Chinese: 一、 （一） 1. （1）; English: 1. 1.1 and so on (``parent`` is the
    number of the level-1 heading above a level-2 one).
    """
    if language() == "zh":
        if level == 1:
            return f"{chinese_number(n)}、"
        if level == 2:
            return f"（{chinese_number(n)}）"
        if level == 3:
            return f"{n}."
        return f"（{n}）"
    if level == 1:
        return f"{n}."
    if level == 2 and parent is not None:
        return f"{parent}.{n}"
    return f"({n})"


def numbered(level: int, n: int, title: str, parent: int | None = None) -> str:
    """The heading text with its number: '一、总体情况' or '1. Headline'."""
    number = heading_number(level, n, parent)
    sep = "" if language() == "zh" and level in (1, 2) else " "
    return f"{number}{sep}{title}"


def long_date(d: date | None) -> str:
    """2021年11月30日 in Chinese, 2021-11-30 in English; '–' for none."""
    return format_date(d)  # the one date helper (i18n.py, re-exported by output/formats.py)


def month_title(d: date) -> str:
    """2022年7月 in Chinese, July 2022 in English."""
    return format_month(d.year, d.month)  # not strftime("%B"): that follows the C locale
