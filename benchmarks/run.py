"""Time whole processes side by side and print the figures and ratios.

    python benchmarks/run.py                      # all sizes (about 10 minutes here)
    python benchmarks/run.py --quick              # 100 x 12 and 1,000 x 24 only
    python benchmarks/run.py --out docs/performance.md

Every figure is the median of several runs of a whole process (start-up
included), with min-max, and peak memory (max RSS). The commands of one
table are timed in rounds, each once per round, so a slow spell of a shared
machine hits them alike; a ratio between two of them is the median of the
rounds' ratios. Ratios are against a
baseline measured in the same run:

- start-up: `tracker status` on targets.toml against the floor program
  (benchmarks/floor.py: the same file read with tomllib and printed with
  tabulate from a one-command Typer app, no domain logic);
- scale: `status`, `report` (every format), `update` and `import` on synthetic ledgers against
  tomllib's parse of the same file, and `hledger balance` on the same
  figures as a journal (Debian's hledger), when installed.
"""

from __future__ import annotations

import argparse
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
NOTES = """## Where the time goes, and what was done about it

- Reading is tomllib's parse plus building the model. Building 600,000 figures
  costs about 0.4 s: each is a `NamedTuple` (three times cheaper to create than
  a frozen dataclass) made after a handful of C-level checks.
- The cyclic garbage collector is paused while loading and the model frozen
  afterwards: parsing allocates millions of objects and no cycles, and
  collections walking them cost about 0.7 s of a 6.8 s load.
- Typer is held below 0.29, which imports pydantic and builds a TypeAdapter per
  parameter on every command run (about 65 ms per command, measured with
  `python -X importtime`). Text widths come from wcwidth, as in tabulate's
  styles, so every style lines text up alike; its import (about 10 ms, which
  the floor program pays too, through tabulate) happens only for non-ASCII
  text. The
  default text table is written directly rather than by tabulate (0.57 s for
  10,000 rows, and tabulate's import with its `importlib.metadata` call). dateutil,
  tomlkit, Jinja2 and matplotlib are imported only by the commands that use them.
- The cache keeps one entry per ledger holding each parsed file keyed by a
  digest of its bytes (one read, one MAC check and one unpickle however many
  files the ledger is split into: a 1,000-file ledger is faster warm than
  with `--no-cache`), figures stored column-wise (dates as an `array` of
  ordinals) so a warm read creates no per-figure objects until one is looked
  at; per-target checks are cached with the file, checks across targets run
  every time.
- `report` evaluates the ledger twice (the month end and the one before);
  it used to evaluate every month end since the earliest start for one chart
  (60 evaluations at 10,000 x 60, 13.7 s against 6.8 s for `status`). The
  overview chart is completion by area, which needs only the as-of month; the
  month's figures are found by bisection. Word tables are written as XML in
  one piece (python-docx's `add_row` copies the row above, seconds at 10,000
  rows); Excel uses openpyxl's write-only mode with styles made once.
  matplotlib (imported only for html and docx, never pyplot) and its drawing
  take most of the difference at small sizes: two figures a report (the
  overview, and the "needs attention" charts as one figure of small panels
  rather than six), fixed layouts drawn once (no constrained layout or tight
  bounding box), PNGs at print size and 170 dpi with light zlib compression.
  With a second core, a chart process (reports/chart_process.py) imports
  matplotlib while the ledger is read and draws the charts while the
  document is built: the wait shrinks, the CPU time does not (both are
  reported).
  For xlsx the CLI imports openpyxl without its optional numpy and Pillow
  support (0.1-0.2 s of start-up the workbook never needs).
- `import` reads the ledger once (from the cache when it has not changed),
  splices every figure in one pass per file (the common layout by regex, the
  rest through the verified single edit), parses the result once to validate
  it, and checks it against the ledger before plus exactly the new figures.
  Reading the forms costs about as much as the extra work: openpyxl in its
  streamed mode, imported without numpy (0.2 s saved).
"""
PY = sys.executable
SIZES = [(100, 12), (1000, 24), (10000, 60)]
#: Report formats timed at 1,000 targets and more (md first: the baseline for docx and xlsx).
REPORT_FORMATS = ("md", "docx", "xlsx", "html", "json", "csv")


@dataclass
class Timing:
    label: str
    seconds: list[float]
    peak_kb: int
    cpu: list[float] = field(default_factory=list)  # user + system CPU seconds: steadier on a shared machine

    @property
    def median(self) -> float:
        return statistics.median(self.seconds)

    @property
    def cpu_median(self) -> float:
        return statistics.median(self.cpu) if self.cpu else float("nan")

    def cell(self) -> str:
        lo, hi = min(self.seconds), max(self.seconds)
        return f"{_fmt(self.median)} ({_fmt(lo)}–{_fmt(hi)})"


def _fmt(s: float) -> str:
    return f"{s * 1000:.0f} ms" if s < 1 else f"{s:.2f} s"


def run_once(cmd: list[str], env: dict[str, str], prepare: list[str] | None = None) -> tuple[float, int, float]:
    """Wall time, peak RSS (KB) and CPU time (user + system) of one process."""
    if prepare:
        subprocess.run(prepare, check=True, env=env, stdout=subprocess.DEVNULL)
    with tempfile.TemporaryFile() as errors:  # a file, not a pipe: a pipe nobody reads blocks a talkative command
        start = time.perf_counter()
        proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=errors, env=env)
        _, status, usage = os.wait4(proc.pid, 0)
        elapsed = time.perf_counter() - start
        proc.returncode = os.waitstatus_to_exitcode(status)
        if proc.returncode != 0:
            errors.seek(0)
            err = errors.read().decode(errors="replace")
            raise SystemExit(f"benchmark command failed ({proc.returncode}): {' '.join(cmd)}\n{err}")
    return elapsed, usage.ru_maxrss, usage.ru_utime + usage.ru_stime


def measure(label: str, cmd: list[str], runs: int, env: dict[str, str], prepare: list[str] | None = None) -> Timing:
    times, peaks, cpus = [], [], []
    for _ in range(runs):
        t, kb, cpu = run_once(cmd, env, prepare)
        times.append(t)
        peaks.append(kb)
        cpus.append(cpu)
    timing = Timing(label, times, max(peaks), cpus)
    print(f"  {label:<34} {timing.cell():>28}  {timing.peak_kb / 1024:8.0f} MB  cpu {_fmt(timing.cpu_median)}",
          file=sys.stderr)  # fmt: skip
    return timing


#: A command to time: its label, its command line, and a command run before each run (untimed) or None.
Spec = tuple[str, list[str], "list[str] | None"]


def measure_together(specs: list[Spec], runs: int, env: dict[str, str]) -> list[Timing]:
    """Time several commands in rounds, each once per round: a slow spell of
    a shared machine then hits every command alike and the ratios between
    them hold (timed one after another, a spell lands on one of them)."""
    samples: list[tuple[list[float], list[int], list[float]]] = [([], [], []) for _ in specs]
    for _ in range(runs):
        for (_label, cmd, prepare), (times, peaks, cpus) in zip(specs, samples, strict=True):
            t, kb, cpu = run_once(cmd, env, prepare)
            times.append(t)
            peaks.append(kb)
            cpus.append(cpu)
    timings = []
    for (label, _cmd, _prepare), (times, peaks, cpus) in zip(specs, samples, strict=True):
        timing = Timing(label, times, max(peaks), cpus)
        print(f"  {label:<34} {timing.cell():>28}  {timing.peak_kb / 1024:8.0f} MB  cpu {_fmt(timing.cpu_median)}",
              file=sys.stderr)  # fmt: skip
        timings.append(timing)
    return timings


def machine() -> list[str]:
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    try:
        mem_kb = int(
            next(x for x in Path("/proc/meminfo").read_text().splitlines() if x.startswith("MemTotal")).split()[1]
        )
        mem = f"{mem_kb / 1024 / 1024:.0f} GiB"
    except (OSError, StopIteration):
        mem = "?"
    from importlib.metadata import version

    pkgs = ", ".join(f"{p} {version(p)}" for p in ("typer", "tabulate", "tomlkit", "python-dateutil", "wcwidth"))
    hledger = shutil.which("hledger")
    hl = subprocess.run([hledger, "--version"], capture_output=True, text=True).stdout.strip() if hledger else "absent"
    return [
        f"- CPU: {cpu}, {os.cpu_count()} cores; memory {mem}",
        f"- OS: {platform.platform()}",
        f"- Python {platform.python_version()} ({PY}); {pkgs}",
        f"- hledger: {hl}",
    ]


def tracker(*args: str) -> list[str]:
    return [PY, "-m", "target_tracker", *args]


def _paired(a: list[float], b: list[float]) -> float:
    """a against b: timed in the same rounds, the median of the rounds' ratios
    (a slow spell that spans a round cancels out); else the ratio of medians."""
    if a is not b and len(a) == len(b) > 1:
        return statistics.median(x / y for x, y in zip(a, b, strict=True))
    return statistics.median(a) / statistics.median(b)


def cpu_ratio(a: Timing, b: Timing) -> str:
    return f"{_paired(a.cpu, b.cpu):.2f}x"


def ratio(a: Timing, b: Timing) -> str:
    return f"{_paired(a.seconds, b.seconds):.2f}x"


def fill_forms(folder: Path) -> int:
    """Fill every form as a department would: a figure on every figure row
    (1% above the latest figure: a count that grows, so no plausibility
    warning), the last open stage of each project done. Returns the rows filled."""
    from openpyxl import load_workbook

    n = 0
    for path in sorted(folder.glob("*.xlsx")):
        wb = load_workbook(path)
        ws = wb.worksheets[1]
        for r in range(4, ws.max_row + 1):
            stage = ws.cell(r, 3).value
            if stage is None:
                latest = ws.cell(r, 7).value
                if isinstance(latest, (int, float)):
                    ws.cell(r, 12).value = round(latest * 1.01, 2)
                else:
                    ws.cell(r, 12).value = round(r * 1.37, 2)
                n += 1
            elif str(stage).startswith("5."):
                ws.cell(r, 13).value = ws.cell(r, 13).value or "2022-01-15"
                n += 1
        wb.save(path)
    return n


def import_round(
    work: Path, name: str, path: Path, copy: Path, figures: int, runs: int, env: dict[str, str], cache_dir: Path
) -> tuple[Timing, int, Timing]:
    """`tracker import` of filled forms against one `tracker update`, each run
    on a fresh copy of the ledger whose cache `status` has just warmed (as on
    a planner's machine; the edited file is parsed afresh by both)."""
    month = f"{2020 + figures // 12}-{figures % 12 + 1:02d}"
    folder = work / f"forms-{name}"
    if not folder.exists():
        subprocess.run(tracker("-f", str(path), "forms", "--month", month, "--out", str(folder)), check=True, env=env,
                       stdout=subprocess.DEVNULL)  # fmt: skip
        (folder / "filled").write_text(str(fill_forms(folder)))
    n_rows = int((folder / "filled").read_text())
    prepare = ["sh", "-c", f'cp "{path}" "{copy}" && rm -rf "{cache_dir}" && "{PY}" -m target_tracker -f "{copy}" '
                           "status > /dev/null"]  # fmt: skip
    forms = [str(p) for p in sorted(folder.glob("*.xlsx"))]
    imported, one = measure_together([
        ("import (forms)", tracker("-f", str(copy), "import", *forms), prepare),
        ("update (after status)", tracker("-f", str(copy), "update", "t00001", "1", "--date", "2099-12-31", "--force"),
         prepare),
    ], runs, env)  # fmt: skip
    return imported, n_rows, one


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--quick", action="store_true", help="skip the 10,000 x 60 ledger")
    ap.add_argument("--runs", type=int, default=5, help="runs per measurement for the small sizes (default 5)")
    ap.add_argument("--big-runs", type=int, default=3, help="runs per measurement at 10,000 x 60 (default 3)")
    ap.add_argument("--workdir", type=Path, help="where to keep generated ledgers (default: a temporary folder)")
    ap.add_argument("--out", type=Path, help="also write the results as Markdown to this file")
    ap.add_argument("--startup-only", action="store_true", help="only the start-up measurements (a minute)")
    a = ap.parse_args()
    work = a.workdir or Path(tempfile.mkdtemp(prefix="tracker-bench-"))
    work.mkdir(parents=True, exist_ok=True)
    cache_dir = work / "cache"
    env = {**os.environ, "NO_COLOR": "1", "TRACKER_CACHE_DIR": str(cache_dir)}
    env.pop("TRACKER_LEDGER", None)
    for name in ("TRACKER_LANG", "LC_ALL", "LC_MESSAGES"):  # English unless --lang zh says otherwise
        env.pop(name, None)
    env["LANG"] = "C.UTF-8"
    lines: list[str] = ["# Performance", "", "Measured by `python benchmarks/run.py` on:", "", *machine(), ""]
    lines += ["Whole processes, median of several runs (min–max in brackets); peak memory is the maximum RSS.", ""]

    # -- start-up ------------------------------------------------------------------
    print("start-up", file=sys.stderr)
    ledger = str(ROOT / "targets.toml")
    n = max(a.runs * 4, 11)
    zh_ledger = str(ROOT / "src" / "target_tracker" / "data" / "chenzhou-zh.toml")
    for warm_up in (ledger, zh_ledger):
        run_once(tracker("-f", warm_up, "status"), env)  # the cache, for the "cache warm" rows
    python, floor, status, warm, zh, zh2 = measure_together([
        ("python -c pass", [PY, "-c", "pass"], None),
        ("floor (Typer + tomllib + tabulate)", [PY, str(ROOT / "benchmarks" / "floor.py"), ledger], None),
        ("tracker status (no cache)", tracker("--no-cache", "-f", ledger, "status"), None),
        ("tracker status (cache)", tracker("-f", ledger, "status"), None),
        ("tracker --lang zh status (cache)", tracker("--lang", "zh", "-f", ledger, "status"), None),
        ("tracker status, 中文台账 (cache)", tracker("-f", zh_ledger, "status"), None),
    ], n, env)  # fmt: skip
    lines += [
        "## Start-up: `tracker status` on the bundled targets.toml",
        "",
        "| program | time | peak memory | vs floor |",
        "|---|---|---|---|",
        f"| `python -c pass` | {python.cell()} | {python.peak_kb // 1024} MB | {ratio(python, floor)} |",
        f"| floor: benchmarks/floor.py | {floor.cell()} | {floor.peak_kb // 1024} MB | 1.00x |",
        f"| `tracker status --no-cache` | {status.cell()} | {status.peak_kb // 1024} MB | {ratio(status, floor)} |",
        f"| `tracker status` (cache warm) | {warm.cell()} | {warm.peak_kb // 1024} MB | {ratio(warm, floor)} |",
        f"| `tracker --lang zh status` (cache warm) | {zh.cell()} | {zh.peak_kb // 1024} MB | {ratio(zh, floor)} |",
        f"| `tracker status` on data/chenzhou-zh.toml (cache warm) | {zh2.cell()} | {zh2.peak_kb // 1024} MB "
        f"| {ratio(zh2, floor)} |",
        "",
        f"Goal: within 1.3x of the floor (Chinese: 1.4x). Measured: {ratio(status, floor)} without the cache, "
        f"{ratio(warm, floor)} with it, {ratio(zh, floor)} in Chinese ({ratio(zh2, floor)} on the Chinese ledger).",
        f"CPU time (user + system, medians; steadier than wall time on a shared machine): floor "
        f"{_fmt(floor.cpu_median)}; English {cpu_ratio(status, floor)} without the cache, {cpu_ratio(warm, floor)} "
        f"with it; Chinese {cpu_ratio(zh, floor)}, {cpu_ratio(zh2, floor)} on the Chinese ledger.",
        "",
    ]
    if a.startup_only:
        print("\n".join(lines))
        if a.out:
            a.out.write_text("\n".join(lines) + "\n", encoding="utf-8")
        return

    # -- scale -------------------------------------------------------------------------
    sizes = SIZES[:2] if a.quick else SIZES
    lines += [
        "## Scale: synthetic ledgers (benchmarks/make_ledger.py, seed 1)",
        "",
        "| ledger | command | time | vs tomllib parse | peak memory | vs tomllib |",
        "|---|---|---|---|---|---|",
    ]
    goals: list[str] = []
    for targets, figures in sizes:
        name = f"{targets}x{figures}"
        path = work / f"ledger-{name}.toml"
        journal = work / f"ledger-{name}.journal"
        if not path.exists() or not journal.exists():
            subprocess.run([PY, str(ROOT / "benchmarks" / "make_ledger.py"), "--targets", str(targets),
                            "--observations", str(figures), "--out", str(path), "--journal", str(journal)],
                           check=True)  # fmt: skip
        size_mb = path.stat().st_size / 1e6
        runs = a.big_runs if targets >= 10000 else a.runs
        print(f"{name} ({size_mb:.1f} MB)", file=sys.stderr)
        month = f"{2020 + (figures - 1) // 12}-{(figures - 1) % 12 + 1:02d}"
        copy = work / f"edit-{name}.toml"
        shutil.rmtree(cache_dir, ignore_errors=True)
        first = measure("status (writes the cache)", tracker("-f", str(path), "status"), 1, env)
        formats = REPORT_FORMATS if targets >= 1000 else REPORT_FORMATS[:1]
        restore = ["cp", str(path), str(copy)]
        edit = tracker("--no-cache", "-f", str(copy), "update", "t00001", "1", "--date", "2099-12-31", "--force")
        # every command of this size in rounds (the cache stays warm: the others do not touch it)
        parse, cold, warm, update, *timed = measure_together([
            ("tomllib parse", [PY, "-c", "import sys, tomllib; tomllib.load(open(sys.argv[1], 'rb'))", str(path)],
             None),
            ("status --no-cache", tracker("--no-cache", "-f", str(path), "status"), None),
            ("status (cache warm)", tracker("-f", str(path), "status"), None),
            ("update (no cache)", edit, restore),
            ("report --month (md, no cache)", tracker("--no-cache", "-f", str(path), "report", "--month", month,
                                                      "--format", "md"), None),
            *[(f"report --month ({fmt}, no cache)", tracker("--no-cache", "-f", str(path), "report", "--month", month,
                                                            "--out", str(work / f"report-{name}.{fmt}")), None)
              for fmt in formats[1:]],
        ], runs, env)  # fmt: skip
        # (docx and xlsx come right after md in REPORT_FORMATS: the pairs compared are timed close together)
        reports = dict(zip(formats, timed, strict=True))
        report = reports["md"]
        rows = [(parse, "tomllib parse (floor for scale)"), (cold, "`status --no-cache`"),
                (first, "`status`, first run (writes the cache)"), (warm, "`status`, cache warm"),
                (report, f"`report --month {month} --format md`")]  # fmt: skip
        rows += [(t, f"`report --month {month} --out report.{fmt}`") for fmt, t in reports.items() if fmt != "md"]
        rows.append((update, "`update` (no cache)"))
        if targets == 1000:
            # the monthly round: every department's form filled, imported as one edit
            imported, n_rows, one_update = import_round(work, name, path, copy, figures, runs, env, cache_dir)
            rows += [(one_update, "`update`, after `status` warmed the cache"),
                     (imported, f"`import` of {n_rows} figures and stages from 4 forms, after `status`")]  # fmt: skip
            goals.append(f"- `import` of {n_rows} figures and stages into 1,000 x 24 within 2x of one `update`: "
                         f"{ratio(imported, one_update)} ({_fmt(imported.median)} vs "
                         f"{_fmt(one_update.median)}).")  # fmt: skip
        hledger = shutil.which("hledger")
        if hledger:
            peer = measure(
                "hledger balance", [hledger, "-f", str(journal), "balance"], 1 if targets >= 10000 else runs, env
            )
            rows.append((peer, "`hledger balance` (peer, same figures)"))
        for t, label in rows:
            lines.append(f"| {name} ({size_mb:.1f} MB) | {label} | {t.cell()} | {ratio(t, parse)} | "
                         f"{t.peak_kb // 1024} MB | {t.peak_kb / parse.peak_kb:.2f}x |")  # fmt: skip
        if targets == 1000:
            goals.append(f"- `update` on 1,000 x 24 within 1.5x of `status`: {ratio(update, cold)} "
                         f"({_fmt(update.median)} vs {_fmt(cold.median)}).")  # fmt: skip
            goals += [f"- `report` as {fmt} on 1,000 x 24 within 2x of the Markdown report: "
                      f"{ratio(reports[fmt], report)} ({_fmt(reports[fmt].median)} vs {_fmt(report.median)}); "
                      f"CPU time {cpu_ratio(reports[fmt], report)}."
                      for fmt in ("docx", "xlsx")]  # fmt: skip
        if targets >= 10000:
            goals += [f"- `report` as {fmt} on 10,000 x 60 within 1.5x of `status --no-cache`: "
                      f"{ratio(t, cold)} ({_fmt(t.median)} vs {_fmt(cold.median)})."
                      for fmt, t in reports.items()]  # fmt: skip
        if targets >= 1000 and hledger:
            goals.append(f"- Faster than hledger at {name}: `status` {_fmt(cold.median)} vs hledger "
                         f"{_fmt(rows[-1][0].median)} ({ratio(cold, rows[-1][0])}).")  # fmt: skip
        if targets >= 10000:
            goals += [
                f"- `status` on 10,000 x 60 within 1.2x of the tomllib parse: {ratio(cold, parse)} without the cache, "
                f"{ratio(first, parse)} on the run that writes it; peak memory within 2x: "
                f"{cold.peak_kb / parse.peak_kb:.2f}x.",
                f"- `update` on 10,000 x 60 within 1.5x of the tomllib parse: {ratio(update, parse)}.",
                f"- Warm cache, `status` on 10,000 x 60 under 1 s: {_fmt(warm.median)}.",
            ]
    lines += ["", "## Goals", "", *goals, "", NOTES]
    text = "\n".join(lines)
    print(text)
    if a.out:
        a.out.write_text(text, encoding="utf-8")
        print(f"wrote {a.out}", file=sys.stderr)


if __name__ == "__main__":
    main()
