"""Checks on a loaded ledger: small pure functions in two lists.

``TARGET_CHECKS`` look at one target at a time; they run when its file is
loaded (so their results are cached with the file). ``LEDGER_CHECKS`` look
across targets (parents, rollups, cycles) and run on the merged ledger by
:func:`run_checks`. The loader has already reported type and syntax errors,
so checks see clean records.
"""

from __future__ import annotations

import itertools
import math
import re
from collections.abc import Callable, Iterator
from operator import attrgetter, itemgetter
from pathlib import Path

from target_tracker.i18n import _, format_date
from target_tracker.ledger.load import FileCache, LoadResult, attach_lines, finite, load_ledger
from target_tracker.ledger.model import Ledger, Problem, Severity, Target, distinct_sources, observation_sources
from target_tracker.output.labels import kind_label

TargetCheck = Callable[[Target], Iterator[Problem]]
LedgerCheck = Callable[[Ledger], Iterator[Problem]]


def _p(t: Target, message: str, *path: str | int, severity: Severity = "error") -> Problem:
    return Problem(t.file, _("{id}: {message}").format(id=t.id, message=message), t.path + path, severity=severity)


# -- one target at a time ---------------------------------------------------------


def due_before_start(t: Target) -> Iterator[Problem]:
    if t.start and t.due and t.due < t.start:
        yield _p(
            t, _("due {due} is before start {start}").format(due=format_date(t.due), start=format_date(t.start)), "due"
        )


def target_equals_baseline(t: Target) -> Iterator[Problem]:
    if t.kind == "quantity" and t.target is not None and t.target == t.baseline:
        yield _p(t, _("target equals baseline ({target}): there is nothing to measure").format(target=f"{t.target:g}"),
                 "target")  # fmt: skip


def observations_before_start(t: Target) -> Iterator[Problem]:
    if t.start and t.observations and t.observations[0].date < t.start:
        for o in t.observations:
            if o.date >= t.start:
                break
            message = _("observation dated {date} is before start {start}")
            yield _p(t, message.format(date=format_date(o.date), start=format_date(t.start)),
                     "observations", o.position)  # fmt: skip


def observations_same_date(t: Target) -> Iterator[Problem]:
    """Two entries for one date are a revision when the later was recorded
    later; entered on the same day, they are a doubt worth a warning."""
    if not t.superseded:
        return
    dates = {o.date for o in t.superseded}
    entries = sorted((o for o in (*t.superseded, *t.observations) if o.date in dates),
                     key=lambda o: (o.date, o.entered, o.position))  # fmt: skip
    for previous, o in itertools.pairwise(entries):
        if o.date == previous.date and o.entered == previous.entered:
            message = _("two observations dated {date} recorded {recorded}; the later line wins "
                        "(record a revision with a later 'recorded' date)")  # fmt: skip
            yield _p(t, message.format(date=format_date(o.date), recorded=format_date(o.entered)), "observations",
                     o.position, severity="warning")  # fmt: skip


def stages_planned_after_start(t: Target) -> Iterator[Problem]:
    """A stage planned before the target starts is probably a typo in a date."""
    if t.start is None:
        return
    for st in t.stages:
        if st.planned is not None and st.planned < t.start:
            message = _("stage '{name}' is planned for {planned}, before the target's start {start}")
            yield _p(t, message.format(name=st.name, planned=format_date(st.planned), start=format_date(t.start)),
                     "stages", st.position,
                     severity="warning")  # fmt: skip


def maintain_has_bound(t: Target) -> Iterator[Problem]:
    if t.kind == "maintain" and t.at_least is None and t.at_most is None:
        yield _p(t, _("a maintain target needs a bound: at_least = X or at_most = X"))
    if t.at_least is not None and t.at_most is not None and t.at_least > t.at_most:
        yield _p(t, _("at_least {at_least} is above at_most {at_most}").format(at_least=f"{t.at_least:g}",
                                                                               at_most=f"{t.at_most:g}"),
                 "at_least")  # fmt: skip


def waypoints_sensible(t: Target) -> Iterator[Problem]:
    for w in t.trajectory:
        if w.share is not None and not 0 <= w.share <= 1:
            yield _p(t, _("waypoint share must be between 0 and 1, got {share}").format(share=f"{w.share:g}"),
                     "trajectory", w.position)  # fmt: skip
        if t.start and t.due and not t.start <= w.date <= t.due:
            yield _p(t, _("waypoint {date} is outside start..due ({start}..{due})").format(
                date=format_date(w.date), start=format_date(t.start), due=format_date(t.due)),
                     "trajectory", w.position, severity="warning")  # fmt: skip


def ratios_finite(t: Target) -> Iterator[Problem]:
    """Every share done, (value - baseline) / (target - baseline), must be a
    finite number: ``target = 1e308, baseline = -1e308`` is not."""
    if t.kind != "quantity" or t.target is None or not finite(t.target) or not finite(t.baseline):
        return
    span = float(t.target) - float(t.baseline)
    if not math.isfinite(span):
        yield _p(t, _("target minus baseline is too large a number to compute a share"), "target")
        return
    if span == 0:
        return  # target_equals_baseline says so

    def share_ok(v: float | None) -> bool:
        if v is None or not finite(v):
            return True  # reported where it is read
        return math.isfinite((float(v) - t.baseline) / span)

    if t.observations:
        values = list(map(itemgetter(1), t.observations))
        if not (share_ok(max(values)) and share_ok(min(values))):
            for o in t.observations:
                if not share_ok(o.value):
                    yield _p(t, _("the share done for value {value} is too large a number").format(value=o.value),
                             "observations", o.position, "value")  # fmt: skip
    for w in t.trajectory:
        if not share_ok(w.value):
            yield _p(t, _("the share done for value {value} is too large a number").format(value=w.value),
                     "trajectory", w.position, "value")  # fmt: skip


def weights_sum_finite(t: Target) -> Iterator[Problem]:
    if t.stages and not math.isfinite(sum(map(attrgetter("weight"), t.stages))):
        yield _p(t, _("the stages' weights add up to too large a number"), "stages")


# -- across targets -----------------------------------------------------------------


def sibling_weights_finite(ledger: Ledger) -> Iterator[Problem]:
    """A rollup's children's weights (and the top level's) must add up to a
    finite number: two children of weight 1e308 do not."""
    totals: dict[str | None, float] = {}
    first: dict[str | None, Target] = {}
    for t in ledger.targets.values():
        key = t.parent if t.parent in ledger.targets else None
        totals[key] = totals.get(key, 0.0) + t.weight
        first.setdefault(key, t)
    for key, total in totals.items():
        if not math.isfinite(total):
            if key is None:
                yield _p(first[key], _("the weights of the top-level targets add up to too large a number"), "weight")
            else:
                yield _p(ledger.targets[key], _("the weights of this rollup's children add up to too large a number"))


def parents_exist(ledger: Ledger) -> Iterator[Problem]:
    for t in ledger.targets.values():
        if t.parent is None:
            continue
        parent = ledger.targets.get(t.parent)
        if parent is None:
            yield _p(t, _("parent '{parent}' is not a target in the ledger").format(parent=t.parent), "parent")
        elif parent.kind != "rollup":
            yield _p(t, _("parent '{parent}' is a {kind} target; a parent must be a rollup").format(
                parent=t.parent, kind=kind_label(parent.kind)), "parent")  # fmt: skip


def rollups_have_children(ledger: Ledger) -> Iterator[Problem]:
    """A warning, not an error: a rollup is added first and its children after."""
    parents = {t.parent for t in ledger.targets.values()}
    for t in ledger.targets.values():
        if t.kind == "rollup" and t.id not in parents:
            message = _("rollup has no children yet; its status is no-data (add targets with --parent {id})")
            yield _p(t, message.format(id=t.id), severity="warning")


def trajectory_used(t: Target) -> Iterator[Problem]:
    """A rollup's own trajectory needs its own start and due, else the
    children's expected share is used and the trajectory is ignored."""
    if t.kind == "rollup" and t.trajectory and not (t.start and t.due):
        message = _("trajectory is ignored: a rollup's own trajectory needs its own start and due "
                    "(else its expected share is its children's)")  # fmt: skip
        yield _p(t, message, "trajectory", severity="warning")


def figures_without_source(ledger: Ledger) -> Iterator[Problem]:
    """With ``require_figure_source``: every figure and completed stage
    without its own source (the target's source is not the figure's)."""
    if not ledger.settings.require_figure_source:
        return
    for t in ledger.targets.values():
        for o in t.observations:
            if not o.source:
                message = _("figure dated {date} has no source (require_figure_source is on)")
                yield _p(t, message.format(date=o.date), "observations", o.position, severity="warning")
        for st in t.stages:
            if st.done and not st.source:
                message = _("stage '{name}' done {date} has no source (require_figure_source is on)")
                yield _p(t, message.format(name=st.name, date=st.done), "stages", st.position, severity="warning")


_SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*://|^www\.|^mailto:")
_FILE_LIKE = re.compile(r"^(\.{0,2}/|~/)|^[^\s:]+\.(pdf|txt|docx?|xlsx?|csv|html?|png|jpe?g|odt|ods)$", re.I)


def _local_file(text: str | None) -> str | None:
    """The text if it names a local file (a path, not a URL or a title)."""
    if not text or _SCHEME.match(text):
        return None
    return text if _FILE_LIKE.match(text.strip()) else None


def local_sources_exist(ledger: Ledger) -> Iterator[Problem]:
    """A source that names a local file (``url = "../source/x.txt"``, or a
    figure's ``source = "reports/2021-11.pdf"``) must exist, relative to the
    file that names it."""

    def missing(text: str | None, file: str) -> str | None:
        name = _local_file(text)
        if name is None:
            return None
        path = Path(name).expanduser()
        if not path.is_absolute():
            path = Path(file).parent / path
        return None if path.exists() else name

    if ledger.source and (name := missing(ledger.source.url, ledger.path)):
        yield Problem(ledger.path, _("source file '{name}' does not exist").format(name=name),
                      ("source", "url"), severity="warning")  # fmt: skip
    # Figures: a provincial ledger has ~600,000; gather the distinct sources of each
    # file in C, keep those that look like paths, and look at single figures only
    # for the targets that name a missing one.
    by_file: dict[str, set[str]] = {}
    for t in ledger.targets.values():
        by_file.setdefault(t.file, set()).update(distinct_sources(t.observations))
    absent = {f: {src for src in found if ("/" in src or "." in src) and missing(src, f)}
              for f, found in by_file.items()}  # fmt: skip
    for t in ledger.targets.values():
        if t.source and (name := missing(t.source.url or t.source.document, t.file)):
            yield _p(t, _("source file '{name}' does not exist").format(name=name), "source", severity="warning")
        here = absent.get(t.file)
        if here and not here.isdisjoint(distinct_sources(t.observations)):
            named = set()
            for i, src in observation_sources(t.observations):
                if src in here and src not in named:
                    named.add(src)  # once per file and target: its first figure
                    o = t.observations[i]
                    yield _p(t, _("source file '{name}' of the figure dated {date} does not exist").format(
                        name=src, date=o.date), "observations", o.position, severity="warning")  # fmt: skip
        for st in t.stages:
            if st.source and (name := missing(st.source, t.file)):
                yield _p(t, _("source file '{name}' of stage '{stage}' does not exist").format(
                    name=name, stage=st.name), "stages", st.position, severity="warning")  # fmt: skip


def no_cycles(ledger: Ledger) -> Iterator[Problem]:
    reported: set[str] = set()
    for t in ledger.targets.values():
        seen = [t.id]
        node = t
        while node.parent and node.parent in ledger.targets:
            if node.parent in seen:
                cycle = seen[seen.index(node.parent) :]
                if not reported & set(cycle):
                    reported.update(cycle)
                    loop = " -> ".join([*cycle, node.parent])
                    yield _p(ledger.targets[cycle[0]], _("rollup cycle: {loop}").format(loop=loop), "parent")

                break
            seen.append(node.parent)
            node = ledger.targets[node.parent]


#: Checks on each target, run as its file is loaded.
TARGET_CHECKS: tuple[TargetCheck, ...] = (
    due_before_start,
    target_equals_baseline,
    observations_before_start,
    observations_same_date,
    maintain_has_bound,
    stages_planned_after_start,
    waypoints_sensible,
    ratios_finite,
    weights_sum_finite,
    trajectory_used,
)

#: Checks across the whole ledger, run by :func:`run_checks`.
LEDGER_CHECKS: tuple[LedgerCheck, ...] = (
    parents_exist,
    rollups_have_children,
    no_cycles,
    sibling_weights_finite,
    figures_without_source,
)

#: Checks only ``tracker check`` runs: they look at the file system (a source
#: file that is missing is worth one warning there, not on every command).
CHECK_COMMAND_CHECKS: tuple[LedgerCheck, ...] = (local_sources_exist,)


def check_target(t: Target) -> list[Problem]:
    return [p for check in TARGET_CHECKS for p in check(t)]


def run_checks(ledger: Ledger) -> list[Problem]:
    """The checks across targets (per-target checks ran at load time)."""
    return [p for check in LEDGER_CHECKS for p in check(ledger)]


def load_and_check(
    path: Path, *, cache: FileCache | None = None, overrides: dict[Path, str] | None = None, thorough: bool = False
) -> tuple[LoadResult, list[Problem]]:
    """Load the ledger and run every check; all problems with their lines.

    The one path used by ``status``, ``check`` and the validation of edits;
    ``thorough`` (``tracker check``) adds :data:`CHECK_COMMAND_CHECKS`.
    """
    result = load_ledger(path, cache=cache, overrides=overrides)
    problems = list(result.problems)
    if result.ledger is not None:
        found = run_checks(result.ledger)
        if thorough:
            found += [p for check in CHECK_COMMAND_CHECKS for p in check(result.ledger)]
        problems += attach_lines(found, result.texts)
    return result, problems
