"""Checks on a loaded ledger: small pure functions in two lists.

``TARGET_CHECKS`` look at one target at a time; they run when its file is
loaded (so their results are cached with the file). ``LEDGER_CHECKS`` look
across targets (parents, rollups, cycles) and run on the merged ledger by
:func:`run_checks`. The loader has already reported type and syntax errors,
so checks see clean records.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterator
from operator import attrgetter, itemgetter
from pathlib import Path

from target_tracker.i18n import _, format_date
from target_tracker.ledger.load import FileCache, LoadResult, attach_lines, finite, load_ledger
from target_tracker.ledger.model import Ledger, Problem, Severity, Target
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
    previous = None
    for o in t.observations:
        if previous is not None and o.date == previous.date:
            yield _p(t, _("two observations dated {date}; the later line wins").format(date=format_date(o.date)),
                     "observations", o.position,
                     severity="warning")  # fmt: skip
        previous = o


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
    parents = {t.parent for t in ledger.targets.values()}
    for t in ledger.targets.values():
        if t.kind == "rollup" and t.id not in parents:
            yield _p(t, _('rollup has no children (set parent = "{id}" on the targets it gathers)').format(id=t.id))


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
    waypoints_sensible,
    ratios_finite,
    weights_sum_finite,
)

#: Checks across the whole ledger, run by :func:`run_checks`.
LEDGER_CHECKS: tuple[LedgerCheck, ...] = (
    parents_exist,
    rollups_have_children,
    no_cycles,
    sibling_weights_finite,
)


def check_target(t: Target) -> list[Problem]:
    return [p for check in TARGET_CHECKS for p in check(t)]


def run_checks(ledger: Ledger) -> list[Problem]:
    """The checks across targets (per-target checks ran at load time)."""
    return [p for check in LEDGER_CHECKS for p in check(ledger)]


def load_and_check(
    path: Path, *, cache: FileCache | None = None, overrides: dict[Path, str] | None = None
) -> tuple[LoadResult, list[Problem]]:
    """Load the ledger and run every check; all problems with their lines.

    The one path used by ``status``, ``check`` and the validation of edits.
    """
    result = load_ledger(path, cache=cache, overrides=overrides)
    problems = list(result.problems)
    if result.ledger is not None:
        problems += attach_lines(run_checks(result.ledger), result.texts)
    return result, problems
