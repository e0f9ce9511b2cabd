"""Charts for the reports, drawn with matplotlib's object API.

Figures are :class:`matplotlib.figure.Figure` drawn by the Agg or SVG
canvas directly (pyplot is never imported), with fixed layouts (drawn once)
and settings inside :func:`matplotlib.rc_context`: nothing process-wide is
touched, so library callers keep their own matplotlib state. Two charts a
report: the overview, and the actual-vs-planned panels of "needs attention"
as one figure. SVG (text kept as text) for HTML, PNG for Word, drawn at the
size they are printed. Chinese text needs a CJK font: the first of :data:`CJK_FONTS`
the machine has is used; without one, Chinese characters are drawn as empty
boxes (the report itself is still complete: charts only repeat its tables).
Output is deterministic (fixed SVG hash salt, no dates in metadata).

Imported only by ``tracker report`` as html or docx; matplotlib costs ~0.3 s to import.
"""

from __future__ import annotations

import functools
import io
import math
import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from functools import cache
from typing import TYPE_CHECKING, Any, Protocol

from target_tracker.i18n import _, language, pgettext
from target_tracker.reports.numbering import long_date

if TYPE_CHECKING:
    from matplotlib.figure import Figure

    from target_tracker.reports.data import Block, MonthlyReport, Trajectory

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


def warm_up() -> None:
    """Import what drawing needs, find the CJK font and draw a tiny figure
    (which loads the fonts and fills matplotlib's caches: the report's first
    chart is then drawn in half the time). A chart process does this while
    the report's ledger is read."""
    import matplotlib
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    with matplotlib.rc_context(_rc()):
        fig = Figure(figsize=(1, 1), dpi=20)
        ax = fig.add_subplot()
        ax.plot([0, 1], [0, 1])
        ax.set_title("图 Ag")
        FigureCanvasAgg(fig).print_png(io.BytesIO())


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


#: Pixels per inch of the PNG charts (Word): figures are drawn at the size they are printed, and 170 dpi
#: prints sharply on A4 while keeping the image small and quick to encode.
PNG_DPI = 170
#: Width of a chart as printed, inches (150 mm: inside both the Chinese and the English text block).
WIDTH_IN = 150 / 25.4


def _save(fig: Figure, fmt: str) -> bytes:
    """The figure as SVG or PNG, drawn once at its fixed layout (no tight
    bounding box, which draws twice), through the canvas classes directly
    (never pyplot, which would set up a GUI backend and global state)."""
    buf = io.BytesIO()
    if fmt == "svg":
        from matplotlib.backends.backend_svg import FigureCanvasSVG

        FigureCanvasSVG(fig).print_svg(buf, metadata={"Date": None, "Creator": "target-tracker"})
        text = buf.getvalue().decode("utf-8")
        text = re.sub(r"^<\?xml[^>]*>\s*", "", text)
        text = re.sub(r"^<!DOCTYPE[^>]*>\s*", "", text, flags=re.S)
        text = re.sub(r"\s*<metadata>.*?</metadata>", "", text, flags=re.S)
        return text.strip().encode("utf-8")
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    fig.set_dpi(PNG_DPI)
    # a low zlib level: the .docx zips the picture again, and level 6 costs several times the time for ~10%
    FigureCanvasAgg(fig).print_png(buf, metadata={"Software": None}, pil_kwargs={"compress_level": 2})
    return buf.getvalue()


@dataclass(frozen=True)
class Bar:
    """An area in the overview chart: its completion and the share expected by now (None: no data yet)."""

    name: str
    completion: float | None
    expected: float | None


def areas_chart(areas: list[Bar], title: str, fmt: str = "svg") -> bytes:
    """The overview: each area's completion as a bar, the share expected by
    now as a tick; an area without data says so instead of drawing 0."""
    import matplotlib
    from matplotlib.figure import Figure

    with matplotlib.rc_context(_rc()):
        n = len(areas)
        height = 0.55 + 0.3 * n
        labels = [wrap(a.name, 26) for a in areas]
        widest = max((display_width(line) for label in labels for line in label.split("\n")), default=10)
        # fixed margins: a constrained layout would draw the figure several times
        fig = Figure(figsize=(WIDTH_IN, height))
        fig.subplots_adjust(left=min(0.42, 0.03 + widest * 0.0085), right=0.97, top=1 - 0.34 / height,
                            bottom=0.26 / height)  # fmt: skip
        ax = fig.add_subplot()
        ys = list(range(n))[::-1]
        for y, a in zip(ys, areas, strict=True):
            if a.completion is None:
                ax.text(1, y, _("no data yet"), va="center", ha="left", color=PLANNED, fontsize=7)
                continue
            v = min(1.0, max(0.0, a.completion)) * 100
            ax.barh(y, v, height=0.55, color=ACTUAL, alpha=0.85)
            ax.text(v + 1.2, y, f"{a.completion * 100:.1f}%", va="center", ha="left", fontsize=7)
            if a.expected is not None:
                ax.plot([a.expected * 100] * 2, [y - 0.38, y + 0.38], color=EXPECTED, linewidth=1.6)
        ax.set_yticks(ys, labels)
        ax.set_xlim(0, 108)
        ax.set_ylim(-0.6, n - 0.4)
        ax.set_xticks([0, 25, 50, 75, 100], ["0%", "25%", "50%", "75%", "100%"])
        ax.grid(axis="x", alpha=0.3)
        ax.tick_params(axis="both", length=0, labelsize=7.5)
        # a figure text, not an axes title: placing an axes title measures every tick label again
        fig.text(0.01, 1 - 0.05 / height, title, fontsize=8.5, ha="left", va="top")
        ax.plot([], [], color=EXPECTED, linewidth=1.6, label=_("expected by now"))
        ax.legend(loc="lower right", frameon=False, fontsize=7, bbox_to_anchor=(1.0, 1.0), borderaxespad=0.1)
        return _save(fig, fmt)


#: Small multiples: panels per row, and a panel title's width in columns (a Chinese character counts two).
PANELS_PER_ROW = 3
PANEL_TITLE_WIDTH = 36


def trajectories_chart(items: list[tuple[str, Trajectory]], as_of: date, fmt: str = "svg") -> bytes:
    """Actual against planned share done for several targets, as one figure
    of small panels (three to a row) sharing the share axis and one legend:
    planned dashed, figures as dots joined only where months follow each
    other (a gap where no figure was reported), the as-of date as a red line
    named in the legend. One figure rather than one per target: a single
    layout, a single image to encode."""
    import matplotlib
    from matplotlib.dates import AutoDateLocator, ConciseDateFormatter, date2num
    from matplotlib.figure import Figure
    from matplotlib.lines import Line2D

    n = len(items)
    cols = min(PANELS_PER_ROW, n)
    rows = -(-n // cols)
    titles = [wrap(t, PANEL_TITLE_WIDTH) for t, _traj in items]
    title_lines = max(t.count("\n") + 1 for t in titles)
    # fixed layout in inches: legend strip, then per row a title block, the plot and its date ticks
    legend_h, title_h, plot_h, ticks_h = 0.2, 0.04 + 0.115 * title_lines, 0.7, 0.18
    row_h = title_h + plot_h + ticks_h
    height = legend_h + rows * row_h
    left_in, gap_in, right_in = 0.42, 0.22, 0.08
    panel_w = (WIDTH_IN - left_in - right_in - gap_in * (cols - 1)) / cols
    top = max([100.0] + [v * 100 for _t, (actual, _p) in items for _d, v in actual if v is not None])
    x_as_of = float(date2num(as_of))
    with matplotlib.rc_context(_rc()):
        fig = Figure(figsize=(WIDTH_IN, height))
        first = None
        for k, ((_title, (actual, planned)), title) in enumerate(zip(items, titles, strict=True)):
            r, c = divmod(k, cols)
            x0 = left_in + c * (panel_w + gap_in)
            y0 = height - legend_h - r * row_h - title_h - plot_h
            ax = fig.add_axes((x0 / WIDTH_IN, y0 / height, panel_w / WIDTH_IN, plot_h / height), sharey=first)
            first = first or ax
            if planned and planned[-1][0] < as_of:
                planned = [*planned, (as_of, planned[-1][1])]  # the plan stays at 100% after the due date
            if planned:
                ax.plot(date2num([d for d, _v in planned]), [v * 100 for _d, v in planned], color=PLANNED,
                        linestyle="--", linewidth=1.0)  # fmt: skip
            if actual:
                ys = [math.nan if v is None else v * 100 for _d, v in actual]
                ax.plot(date2num([d for d, _v in actual]), ys, color=ACTUAL, marker="o", markersize=2.4,
                        linewidth=1.4)  # fmt: skip
            ax.axvline(x_as_of, color=AS_OF, linewidth=0.8, alpha=0.75)
            ax.set_ylim(0, top * 1.06)
            ax.set_yticks([0, 50, 100])
            if c == 0:
                ax.set_ylabel(_("done %"), fontsize=6.5, labelpad=2)
            else:
                ax.tick_params(axis="y", labelleft=False)
            ax.grid(axis="y", alpha=0.3)
            locator = AutoDateLocator(minticks=2, maxticks=5)
            ax.xaxis.set_major_locator(locator)
            ax.xaxis.set_major_formatter(ConciseDateFormatter(locator, show_offset=False, **_date_formats()))
            ax.tick_params(labelsize=6, length=2, pad=1.5)
            fig.text(x0 / WIDTH_IN, (y0 + plot_h + title_h - 0.02) / height, title, fontsize=6.8, ha="left",
                     va="top")  # fmt: skip
        handles = [
            Line2D([], [], color=PLANNED, linestyle="--", linewidth=1.0, label=pgettext("chart", "planned")),
            Line2D([], [], color=ACTUAL, marker="o", markersize=2.4, linewidth=1.4, label=_("actual")),
            Line2D([], [], color=AS_OF, linewidth=0.8, label=_("as of {date}").format(date=long_date(as_of))),
        ]
        fig.legend(handles=handles, loc="upper left", bbox_to_anchor=(left_in / WIDTH_IN, 1.0), ncols=3,
                   frameon=False, fontsize=6.8, borderaxespad=0.2, handlelength=2.2)  # fmt: skip
        return _save(fig, fmt)


#: The charts by name, as a :class:`Drawer` is asked for them.
CHARTS: dict[str, Callable[..., bytes]] = {"areas": areas_chart, "trajectories": trajectories_chart}


class Drawer(Protocol):
    """Draws charts: :meth:`submit` asks for one and returns a function that
    gives its bytes, so a drawer may draw while the document is built."""

    def submit(self, name: str, *args: Any) -> Callable[[], bytes]: ...


class DrawHere:
    """Draws in this process, when the chart is needed."""

    def submit(self, name: str, *args: Any) -> Callable[[], bytes]:
        return functools.partial(CHARTS[name], *args)


@dataclass(frozen=True)
class Drawn:
    """A chart of a report section: ``kind`` as in :class:`~target_tracker.reports.data.Chart`
    (``trajectory`` stands for the section's panels, drawn as one figure), its title, and its image."""

    kind: str
    title: str
    image: Callable[[], bytes]


def section_charts(rep: MonthlyReport, blocks: list[Block], fmt: str,
                   drawer: Drawer | None = None) -> list[list[Drawn]]:  # fmt: skip
    """Every chart of the report, a list per section, all asked for before the
    first is drawn: a chart process draws them while the document is built.
    The overview comes first in its section, the actual-vs-planned panels last."""
    drawer = drawer or DrawHere()
    out: list[list[Drawn]] = []
    for b in blocks:
        bars = [Bar(a.name, a.completion, a.expected) for a in rep.areas]  # only what is drawn: sent to a process
        drawn = [Drawn("areas", ch.title, drawer.submit("areas", bars, ch.title, fmt))
                 for ch in b.charts if ch.kind == "areas"]  # fmt: skip
        panels = [ch for ch in b.charts if ch.kind == "trajectory"]
        if panels:
            items = [(ch.title, rep.trajectories[ch.key]) for ch in panels]
            drawn.append(Drawn("trajectory", "; ".join(ch.title for ch in panels),
                               drawer.submit("trajectories", items, rep.as_of, fmt)))  # fmt: skip
        out.append(drawn)
    return out


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
