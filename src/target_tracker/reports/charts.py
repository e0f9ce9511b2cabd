"""Charts for the HTML report, drawn with matplotlib as inline SVG.

Imported only by ``tracker report``; matplotlib costs ~0.3 s to import.
Output is deterministic (fixed hash salt, no dates) so reports are
byte-identical from run to run.
"""

from __future__ import annotations

import io
import re
from datetime import date

from target_tracker.i18n import _

PLANNED = "#7f8c8d"
ACTUAL = "#1f5fa8"


def _pyplot():  # type: ignore[no-untyped-def]
    import matplotlib

    matplotlib.use("svg")
    matplotlib.rcParams.update(
        {
            "svg.hashsalt": "target-tracker",
            "svg.fonttype": "none",  # text stays text: searchable, printable, small
            "font.family": "sans-serif",
            "font.size": 9,
            "axes.spines.top": False,
            "axes.spines.right": False,
        }
    )
    import matplotlib.pyplot as plt

    return plt


def _svg(fig) -> str:  # type: ignore[no-untyped-def]
    buf = io.StringIO()
    fig.savefig(buf, format="svg", metadata={"Date": None, "Creator": "target-tracker"}, bbox_inches="tight")
    _pyplot().close(fig)
    text = buf.getvalue()
    text = re.sub(r"^<\?xml[^>]*>\s*", "", text)
    text = re.sub(r"^<!DOCTYPE[^>]*>\s*", "", text, flags=re.S)
    text = re.sub(r"\s*<metadata>.*?</metadata>", "", text, flags=re.S)
    return text.strip()


def completion_chart(history: list[tuple[date, float | None]], title: str) -> str:
    """Overall completion month by month."""
    plt = _pyplot()
    fig, ax = plt.subplots(figsize=(6.8, 2.3))
    xs = [d for d, v in history if v is not None]
    ys = [v * 100 for _, v in history if v is not None]
    ax.plot(xs, ys, color=ACTUAL, marker="o", markersize=2.5, linewidth=1.6)
    ax.fill_between(xs, ys, color=ACTUAL, alpha=0.08)
    ax.set_ylim(0, 100)
    ax.set_ylabel(_("completion %"))
    ax.set_title(title, loc="left", fontsize=10)
    ax.grid(axis="y", alpha=0.3)
    fig.autofmt_xdate()
    return _svg(fig)


def trajectory_chart(
    label: str, actual: list[tuple[date, float]], planned: list[tuple[date, float]], as_of: date
) -> str:
    """Actual against planned share done for one target."""
    plt = _pyplot()
    fig, ax = plt.subplots(figsize=(6.8, 2.1))
    if planned:
        ax.plot([d for d, _ in planned], [v * 100 for _, v in planned], color=PLANNED, linestyle="--",
                linewidth=1.2, label=_("planned"))  # fmt: skip
    if actual:
        ax.plot([d for d, _ in actual], [v * 100 for _, v in actual], color=ACTUAL, marker="o", markersize=3,
                linewidth=1.6, label=_("actual"))  # fmt: skip
    ax.axvline(as_of, color="#c0392b", linewidth=0.8, alpha=0.6)
    ax.set_ylim(0, max(100, *(v * 100 for _, v in actual)) if actual else 100)
    ax.set_ylabel(_("done %"))

    ax.set_title(label, loc="left", fontsize=10)
    if ax.get_legend_handles_labels()[0]:
        ax.legend(loc="upper left", frameon=False, fontsize=8)
    ax.grid(axis="y", alpha=0.3)
    fig.autofmt_xdate()
    return _svg(fig)
