"""Write a deterministic synthetic ledger in the real format, for benchmarks.

    python benchmarks/make_ledger.py --targets 1000 --observations 24 --out /tmp/l.toml
    python benchmarks/make_ledger.py --targets 10000 --observations 60 --out /tmp/p.toml --files 20
    python benchmarks/make_ledger.py ... --journal /tmp/l.journal   # the same figures for hledger

All four kinds of target, Chinese and English titles, notes and sources.
The same arguments always give the same bytes.
"""

from __future__ import annotations

import argparse
import calendar
import random
from datetime import date
from pathlib import Path

AREAS = ["Pilot Free Trade Zone", "Greater Bay Area integration", "Opening-up", "Transport and logistics",
         "城乡建设 Urban development", "生态环境 Ecology", "民生 Livelihoods", "产业 Industry"]  # fmt: skip
ZH = ["高速公路", "机场改扩建", "冷链物流枢纽", "改革任务", "产业园", "创新案例", "外贸平台", "蔬菜基地", "物流基地"]
EN = ["expressway section", "airport terminal", "cold-chain hub", "reform tasks", "industrial park",
      "innovation cases", "foreign-trade platform", "vegetable base", "logistics base"]  # fmt: skip
UNITS = ["tasks", "km", "billion yuan", "projects", "%", "measures", "10k t"]
OWNERS = ["Development and Reform Commission", "Commerce Bureau", "Transport Bureau", "郴州片区管委会"]
START = date(2020, 1, 1)


def month_end(year: int, month: int) -> date:
    return date(year, month, calendar.monthrange(year, month)[1])


def month_ends(first: date, n: int) -> list[date]:
    out = []
    y, m = first.year, first.month
    for _ in range(n):
        out.append(month_end(y, m))
        y, m = (y + 1, 1) if m == 12 else (y, m + 1)
    return out


def q(s: str) -> str:
    return '"' + s.replace("\\", "\\\\").replace('"', '\\"') + '"'


def kind_of(i: int) -> str:
    if i % 25 == 0:
        return "rollup"
    if i % 10 == 5:
        return "milestones"
    if i % 7 == 3:
        return "maintain"
    return "quantity"


def target_block(i: int, n_obs: int, rng: random.Random, parent: str | None) -> tuple[str, list[tuple[date, float]]]:
    """One [targets.ID] section; returns the text and its figures (for the journal)."""
    tid = f"t{i:05d}"
    kind = kind_of(i)
    k = rng.randrange(len(ZH))
    title = f"{ZH[k]} {EN[k]} #{i}" if i % 2 else f"{EN[k].capitalize()} no. {i} ({ZH[k]})"
    lines = [f"[targets.{tid}]", f"title = {q(title)}", f'kind = "{kind}"', f"area = {q(AREAS[i % len(AREAS)])}",
             f"owner = {q(OWNERS[i % len(OWNERS)])}"]  # fmt: skip
    if parent:
        lines.append(f'parent = "{parent}"')
    figures: list[tuple[date, float]] = []
    days = month_ends(START, n_obs)
    due = date(START.year + max(1, (n_obs + 11) // 12), 12, 31)
    doc = f'{{ document = "Five-year plan {2020 + i % 3}", date = 2020-01-15, clause = "Article {1 + i % 40}" }}'
    if kind == "quantity":
        target = rng.choice([10, 50, 102, 120, 264, 500, 1000])
        lines += [f"unit = {q(UNITS[i % len(UNITS)])}", "baseline = 0", f"target = {target}",
                  f"start = {START}", f"due = {due}", f"source = {doc}"]  # fmt: skip
        if i % 9 == 0:
            lines.append('notes = "Synthetic target for benchmarks; figures are month-end totals."')
        value = 0.0
        lines.append("observations = [")
        for m, d in enumerate(days):
            value += rng.uniform(0, 2.2 * target / max(n_obs, 1))
            v = round(value, 2)
            figures.append((d, v))
            note = f', note = "{"月报" if m % 2 else "monthly report"} {d:%Y-%m}"' if m % 10 == 0 else ""
            lines.append(f'  {{ date = {d}, value = {v}{note}, source = "Statistics bureau {d:%Y-%m}" }},')
        lines.append("]")
    elif kind == "maintain":
        bound = rng.choice([80, 90, 5.5])
        key = "at_most" if bound == 5.5 else "at_least"
        lines += ['unit = "%"', f"{key} = {bound}", f"source = {doc}", "observations = ["]
        for d in days:
            v = round(bound + rng.uniform(-3, 6) * (-1 if key == "at_most" else 1), 1)
            figures.append((d, v))
            lines.append(f'  {{ date = {d}, value = {v}, source = "Survey {d:%Y-%m}" }},')
        lines.append("]")
    elif kind == "milestones":
        lines += [f"start = {START}", f"due = {due}", f"source = {doc}", "stages = ["]
        names = ["Approval 立项", "Land acquisition", "Construction start 开工", "Main works", "Completion 竣工"]
        span = (due - START).days
        for s, name in enumerate(names):
            planned = date.fromordinal(START.toordinal() + span * (s + 1) // len(names))
            done_day = date.fromordinal(planned.toordinal() + rng.randint(-40, 90))
            done = f", done = {done_day}" if done_day <= days[-1] else ""
            lines.append(f'  {{ name = "{name}", weight = {s + 1}, planned = {planned}{done} }},')
        lines.append("]")
    else:
        lines.append(f"source = {doc}")
    return "\n".join(lines) + "\n", figures


def build(
    n_targets: int, n_obs: int, seed: int
) -> tuple[list[tuple[str, str]], list[tuple[str, list[tuple[date, float]]]]]:
    rng = random.Random(seed)
    blocks: list[tuple[str, str]] = []
    journal: list[tuple[str, list[tuple[date, float]]]] = []
    parent = None
    for i in range(n_targets):
        if kind_of(i) == "rollup":
            parent = None  # rollups are top level and gather the next 24 targets
        text, figures = target_block(i, n_obs, rng, parent)
        if kind_of(i) == "rollup":
            parent = f"t{i:05d}"
        blocks.append((f"t{i:05d}", text))
        journal.append((f"t{i:05d}", figures))
    return blocks, journal


HEADER = """# Synthetic ledger for target-tracker benchmarks ({n} targets x {m} figures, seed {seed}).
title = "Synthetic province 合成省 ({n} x {m})"
{include}
[source]
document = "Synthetic five-year plan"
date = 2020-01-15

[settings]
stale_after_days = 90
"""


def write(out: Path, n: int, m: int, seed: int, files: int, journal: Path | None) -> None:
    blocks, figures = build(n, m, seed)
    folder = out.parent / f"{out.stem}.d"
    include = f'include = ["{folder.name}/"]\n' if files > 1 else ""
    header = HEADER.format(n=n, m=m, seed=seed, include=include)
    if files <= 1:
        out.write_text(header + "\n" + "\n".join(text for _, text in blocks), encoding="utf-8")
    else:
        folder.mkdir(parents=True, exist_ok=True)
        for old in folder.glob("*.toml"):
            old.unlink()
        per = -(-len(blocks) // files)
        for k in range(files):
            part = blocks[k * per : (k + 1) * per]
            # keep a rollup with its children: parts are cut at multiples of 25 where possible
            (folder / f"part-{k + 1:03d}.toml").write_text(
                f"# Part {k + 1} of {files}\n\n" + "\n".join(text for _, text in part), encoding="utf-8"
            )
        out.write_text(header, encoding="utf-8")
    if journal:
        lines = []
        for tid, figs in figures:
            prev = 0.0
            for d, v in figs:
                lines += [f"{d} {tid} figure", f"    targets:{tid}    {v - prev:.2f} U", "    equity:figures", ""]
                prev = v
        journal.write_text("\n".join(lines), encoding="utf-8")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--targets", type=int, required=True, help="number of targets")
    ap.add_argument("--observations", type=int, required=True, help="monthly figures per quantity/maintain target")
    ap.add_argument("--out", type=Path, required=True, help="ledger file to write")
    ap.add_argument("--files", type=int, default=1, help="split the targets over this many included files")
    ap.add_argument("--seed", type=int, default=1, help="random seed (same seed, same bytes)")
    ap.add_argument("--journal", type=Path, help="also write the figures as an hledger journal")
    a = ap.parse_args()
    if a.targets < 1 or a.observations < 1 or a.files < 1:
        ap.error("--targets, --observations and --files must be at least 1")
    write(a.out, a.targets, a.observations, a.seed, a.files, a.journal)


if __name__ == "__main__":
    main()
