"""Dates and numbers as people read them, in the interface language.

English keeps ISO dates (2021-10-31) and plain numbers with thousands
separators; Chinese writes 2021年10月31日, 2021年10月, and large plain counts and
amounts in 万/亿 (1,234,567 人 -> 123.46万人). Machine formats (JSON, CSV, the
ledger itself) never come through here: they stay ISO and raw.

Written by hand rather than with Babel so that start-up stays fast in both
languages (Babel's locale data costs tens of milliseconds to import).
"""

from __future__ import annotations

# Dates live in i18n.py (ledger checks word dates too, below output/); they are part of this module's interface.
from target_tracker.i18n import DASH, format_date, format_month, language

__all__ = ["DASH", "attach_unit", "chinese_scale", "format_date", "format_month", "format_number", "format_pct",
           "format_source", "plain_number"]  # fmt: skip
from target_tracker.ledger.model import Source

# Units that already carry a scale: a figure in them is printed as written (6.178 亿元, never 6.178亿亿元).
_SCALED_UNITS = ("万", "亿", "千", "百", "%", "‰", "million", "billion", "thousand", "10k", "100m")


def plain_number(v: float) -> str:
    """89 -> '89', 6.178 -> '6.178', 1234567 -> '1,234,567' (at most 4 decimals);
    in Chinese without thousands separators ('2332', as Chinese tables write it)."""
    sep = "" if language() == "zh" else ","
    if v == int(v) and abs(v) < 1e15:
        return f"{int(v):{sep}}" if sep else str(int(v))
    return f"{v:{sep}.4f}".rstrip("0").rstrip(".") if sep else f"{v:.4f}".rstrip("0").rstrip(".")


def _carries_scale(unit: str) -> bool:
    u = unit.casefold()
    return any(s in u for s in _SCALED_UNITS)


def chinese_scale(v: float, unit: str = "") -> tuple[float, str]:
    """(divisor, word) for ``v`` in Chinese: (1e8, '亿') from 1亿, (1e4, '万') from
    10万, else (1, ''); never for a unit that already has a scale (亿元, 万美元, %)."""
    if _carries_scale(unit):
        return 1.0, ""
    if abs(v) >= 1e8:
        return 1e8, "亿"
    if abs(v) >= 1e5:
        return 1e4, "万"
    return 1.0, ""


def format_number(v: float | None, unit: str | None = "", with_unit: bool = True) -> str:
    """A figure with its unit, as people read it; '–' for none.

    English: '1,234,567 people', '6.178 billion yuan'. Chinese: large plain
    counts and amounts in 万/亿 ('123.46万人', '2.5亿元' for 250,000,000 元),
    figures in a unit that already has a scale as written ('6.178 亿元'),
    percentages closed up ('90%'). ``with_unit=False``: the number alone,
    scaled as it would be with ``unit`` ('123.46万' for the left of '123.46万 / 200万人').
    """
    if v is None:
        return DASH
    unit = unit or ""
    shown = unit if with_unit else ""
    if language() != "zh":
        return f"{plain_number(v)} {shown}".rstrip()
    divisor, word = chinese_scale(v, unit)
    if word:
        return f"{v / divisor:.2f}".rstrip("0").rstrip(".") + word + shown
    if shown in ("%", "‰"):
        return plain_number(v) + shown
    return f"{plain_number(v)} {shown}".rstrip()


def attach_unit(text: str, unit: str | None) -> str:
    """'≥ 90' and its unit: '≥ 90 %' in English, '≥ 90%' in Chinese (percentages closed up)."""
    if not unit:
        return text
    if language() == "zh" and unit in ("%", "‰"):
        return text + unit
    return f"{text} {unit}"


def format_source(s: Source) -> str:
    """One line a planner can paste: document (date): clause, the date as people read it."""
    parts = [s.document or s.url or ""]
    zh = language() == "zh"
    if s.date:
        parts.append(f"（{format_date(s.date)}）" if zh else f"({format_date(s.date)})")
    text = ("" if zh else " ").join(p for p in parts if p)
    if s.clause:
        text = f"{text}{'：' if zh else ': '}{s.clause}" if text else s.clause
    return text


def format_pct(x: float | None) -> str:
    """A fraction as a percentage with one decimal: 0.8725 -> '87.3%' (both languages)."""
    return DASH if x is None else f"{x * 100:.1f}%"
