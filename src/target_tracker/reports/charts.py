"""Charts for the reports, drawn with matplotlib's object API.

One figure per chart (:class:`matplotlib.figure.Figure`), settings inside
:func:`matplotlib.rc_context`: nothing process-wide is touched, so library
callers keep their own matplotlib state. SVG (text kept as text) for HTML,
PNG for Word. Chinese text needs a CJK font: the first of :data:`CJK_FONTS`
the machine has is used; without one, Chinese characters are drawn as empty
boxes (the report itself is still complete: charts only repeat its tables).
Output is deterministic (fixed SVG hash salt, no dates in metadata).

Imported only by ``tracker report``; matplotlib costs ~0.3 s to import.
"""

from __future__ import annotations

import io
import math
import re
import unicodedata
from datetime import date, timedelta
from functools import cache
from typing import TYPE_CHECKING, Any

from target_tracker.i18n import _, language, pgettext
from target_tracker.reports.numbering import long_date

if TYPE_CHECKING:
    from matplotlib.figure import Figure

    from target_tracker.reports.data import AreaSummary, Trajectory

PLANNED = "#7f8c8d"
ACTUAL = "#1f5fa8"
EXPECTED = "#1c2833"
AS_OF = "#c0392b"
#: Fonts that carry Chinese, best first (Debian's fonts-noto-cjk, then Windows and macOS names).
CJK_FONTS = (
    "Noto Sans CJK SC", "Source Han Sans SC", "Noto Sans SC", "WenQuanYi Zen Hei", "WenQuanYi Micro Hei",
    "Microsoft YaHei", "SimHei", "PingFang SC", "Heiti SC",
    # matplotlib reads the first face of a .ttc: Debian's Noto CJK file names itself JP; the glyphs are there
    "Noto Sans CJK JP", "Source Han Sans", "Noto Sans CJK TC", "Noto Sans CJK KR",
)  # fmt: skip
#: File names of those fonts, for a matplotlib font list built before they were installed.
_CJK_FILES = re.compile(r"(NotoSansCJK|SourceHanSans|wqy-|msyh|simhei|PingFang)", re.I)


@cache
def cjk_font() -> str | None:
    """The first installed font of :data:`CJK_FONTS`, or None.

    matplotlib caches its font list; a CJK font installed after that is
    found on disk and added to matplotlib's list (nothing else changes)."""
    from matplotlib import font_manager

    manager = font_manager.fontManager
    have = {f.name for f in manager.ttflist}
    found = next((name for name in CJK_FONTS if name in have), None)
    if found:
        return found
    for path in sorted(font_manager.findSystemFonts()):
        if _CJK_FILES.search(path.rsplit("/", 1)[-1]) and "Mono" not in path and "Bold" not in path:
            try:
                manager.addfont(path)
            except (OSError, RuntimeError, ValueError):
                continue
    have = {f.name for f in manager.ttflist}
    return next((name for name in CJK_FONTS if name in have), None)


def _rc() -> Any:
    fonts = [f for f in (cjk_font(),) if f] + ["DejaVu Sans"]
    return {
        "svg.hashsalt": "target-tracker",
        "svg.fonttype": "none",  # text stays text: searchable, printable, small
        "font.family": "sans-serif",
        "font.sans-serif": fonts,
        "font.size": 8,
        "axes.unicode_minus": False,
        "axes.spines.top": False,
        "axes.spines.right": False,
        "path.simplify": True,
    }


def display_width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(c) in ("W", "F") else 1 for c in text)


def wrap(text: str, width: int) -> str:
    """Wrap to ``width`` columns, Chinese characters counting two; break
    between words or between Chinese characters."""
    lines: list[str] = []
    line, used = "", 0
    for token in re.findall(r"[\u2e80-\u9fff\uff00-\uffef]|[^\s\u2e80-\u9fff\uff00-\uffef]+|\s+", text):
        if token.isspace():
            if line:
                line, used = line + " ", used + 1
            continue
        w = sum(2 if unicodedata.east_asian_width(c) in ("W", "F") else 1 for c in token)
        if used + w > width and line.strip():
            lines.append(line.rstrip())
            line, used = "", 0
        line, used = line + token, used + w
    if line.strip():
        lines.append(line.rstrip())
    return "\n".join(lines)


def _save(fig: Figure, fmt: str) -> bytes:
    buf = io.BytesIO()
    if fmt == "svg":
        fig.savefig(buf, format="svg", metadata={"Date": None, "Creator": "target-tracker"})
        text = buf.getvalue().decode("utf-8")
        text = re.sub(r"^<\?xml[^>]*>\s*", "", text)
        text = re.sub(r"^<!DOCTYPE[^>]*>\s*", "", text, flags=re.S)
        text = re.sub(r"\s*<metadata>.*?</metadata>", "", text, flags=re.S)
        return text.strip().encode("utf-8")
    fig.savefig(buf, format="png", dpi=160, metadata={"Software": None})
    return buf.getvalue()


def areas_chart(areas: list[AreaSummary], title: str, fmt: str = "svg") -> bytes:
    """The overview: each area's completion as a bar, the share expected by
    now as a tick; an area without data says so instead of drawing 0."""
    import matplotlib
    from matplotlib.figure import Figure

    with matplotlib.rc_context(_rc()):
        n = len(areas)
        height = 0.8 + 0.42 * n
        labels = [wrap(a.name, 26) for a in areas]
        widest = max((display_width(line) for label in labels for line in label.split("\n")), default=10)
        # fixed margins: a constrained layout would draw the figure several times
        fig = Figure(figsize=(6.6, height))
        fig.subplots_adjust(left=min(0.45, 0.04 + widest * 0.0105), right=0.97, top=1 - 0.45 / height,
                            bottom=0.3 / height)  # fmt: skip
        ax = fig.add_subplot()
        ys = list(range(n))[::-1]
        for y, a in zip(ys, areas, strict=True):
            if a.completion is None:
                ax.text(1, y, _("no data yet"), va="center", ha="left", color=PLANNED, fontsize=7.5)
                continue
            v = min(1.0, max(0.0, a.completion)) * 100
            ax.barh(y, v, height=0.55, color=ACTUAL, alpha=0.85)
            ax.text(v + 1.2, y, f"{a.completion * 100:.1f}%", va="center", ha="left", fontsize=7.5)
            if a.expected is not None:
                ax.plot([a.expected * 100] * 2, [y - 0.38, y + 0.38], color=EXPECTED, linewidth=1.6)
        ax.set_yticks(ys, labels)
        ax.set_xlim(0, 108)
        ax.set_ylim(-0.7, n - 0.3)
        ax.set_xticks([0, 25, 50, 75, 100], ["0%", "25%", "50%", "75%", "100%"])
        ax.grid(axis="x", alpha=0.3)
        ax.tick_params(axis="y", length=0)
        # a figure text, not an axes title: placing an axes title measures every tick label again
        fig.text(0.01, 1 - 0.06 / height, title, fontsize=9, ha="left", va="top")
        ax.plot([], [], color=EXPECTED, linewidth=1.6, label=_("expected by now"))
        ax.legend(loc="lower right", frameon=False, fontsize=7, bbox_to_anchor=(1.0, 1.0), borderaxespad=0.2)
        return _save(fig, fmt)


def trajectory_chart(title: str, traj: Trajectory, as_of: date, fmt: str = "svg") -> bytes:
    """Actual against planned share done for one target: planned dashed,
    figures as dots joined only where months follow each other (a gap where
    no figure was reported), the as-of date as a labelled line."""
    import matplotlib
    from matplotlib.dates import date2num
    from matplotlib.figure import Figure

    actual, planned = traj
    if planned and planned[-1][0] < as_of:
        planned = [*planned, (as_of, planned[-1][1])]  # the plan stays at 100% after the due date
    with matplotlib.rc_context(_rc()):
        fig = Figure(figsize=(3.3, 1.75))
        fig.subplots_adjust(left=0.14, right=0.97, top=0.78 if "\n" in wrap(title, 44) else 0.86, bottom=0.13)
        ax = fig.add_subplot()
        if planned:
            ax.plot(date2num([d for d, _ in planned]), [v * 100 for _, v in planned], color=PLANNED, linestyle="--",
                    linewidth=1.1, label=pgettext("chart", "planned"))  # fmt: skip
        if actual:
            ys = [math.nan if v is None else v * 100 for _, v in actual]
            ax.plot(date2num([d for d, _ in actual]), ys, color=ACTUAL, marker="o", markersize=2.6, linewidth=1.5,
                    label=_("actual"))  # fmt: skip
        ax.axvline(float(date2num(as_of)), color=AS_OF, linewidth=0.8, alpha=0.7)
        top = max([100.0] + [v * 100 for _, v in actual if v is not None])
        ax.set_ylim(0, top * 1.12)
        ax.text(float(date2num(as_of)), top * 1.1, " " + _("as of {date}").format(date=long_date(as_of)), color=AS_OF,
                fontsize=6.5, va="top", ha="right" if _late(as_of, planned) else "left")  # fmt: skip
        ax.set_ylabel(_("done %"))
        fig.text(0.01, 0.985, wrap(title, 44), fontsize=7.5, ha="left", va="top")
        if ax.get_legend_handles_labels()[0]:
            ax.legend(loc="upper left", frameon=False, fontsize=6.5)
        ax.grid(axis="y", alpha=0.3)
        from matplotlib.dates import AutoDateLocator, ConciseDateFormatter

        locator = AutoDateLocator(minticks=2, maxticks=6)
        ax.xaxis.set_major_locator(locator)
        ax.xaxis.set_major_formatter(ConciseDateFormatter(locator, **_date_formats()))
        ax.tick_params(labelsize=6.5)
        return _save(fig, fmt)


def _late(as_of: date, planned: list[tuple[date, float]]) -> bool:
    """Put the as-of label left of its line when the line is near the right edge."""
    if not planned:
        return False
    span = (planned[-1][0] - planned[0][0]) or timedelta(days=1)
    return (as_of - planned[0][0]) / span > 0.6


def _date_formats() -> dict[str, list[str]]:
    """Tick labels in Chinese: 2022年, 5月, 5日 (matplotlib's month names are English)."""
    if language() != "zh":
        return {}
    formats = ["%Y年", "%-m月", "%-d日", "%H:%M", "%H:%M", "%S.%f"]
    return {
        "formats": formats,
        "zero_formats": ["", "%Y年", "%-m月", "%-m月%-d日", "%H:%M", "%H:%M"],
        "offset_formats": ["", "%Y年", "%Y年%-m月", "%Y年%-m月%-d日", "%Y年%-m月%-d日", "%Y年%-m月%-d日 %H:%M"],
    }
