"""The ledger's domain records.

Everything here is a frozen dataclass built by :mod:`target_tracker.ledger.load` from
``targets.toml``. Records remember where they came from (file and key path)
so that any problem found later can be reported as ``file:line: message``.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Literal, NamedTuple, overload

from target_tracker.i18n import _

KINDS = ("quantity", "maintain", "milestones", "rollup")
STATES = ("active", "paused", "cancelled")

#: Every status word the tool uses, in the order summaries list them.
STATUSES = (
    "done",
    "on-track",
    "at-risk",
    "behind",
    "overdue",
    "met",
    "missed",
    "not-started",
    "no-data",
    "paused",
    "cancelled",
)

KeyPath = tuple[str | int, ...]
Day = date  # for annotations inside records that have a field named "date"


@dataclass(frozen=True, slots=True)
class Source:
    """Where a commitment or a figure was made public.

    document: the document's name (or a URL); date: its publication date;
    clause: the clause, page or quote that carries the commitment or figure.
    """

    document: str | None = None
    date: date | None = None
    clause: str | None = None
    url: str | None = None

    def cite(self) -> str:
        """One line a planner can paste: document (date), clause."""
        parts = [self.document or self.url or ""]
        if self.date:
            parts.append(f"({self.date.isoformat()})")
        text = " ".join(p for p in parts if p)
        if self.clause:
            text = f"{text}: {self.clause}" if text else self.clause
        return text


class Observation(NamedTuple):
    """One dated figure reported for a quantity or maintain target.

    A NamedTuple rather than a frozen dataclass: a provincial ledger holds
    ~600,000 of them and a tuple is three times cheaper to build. It is just
    as immutable. position: where it stands in the file's ``observations`` list (for
    error lines).
    """

    date: date
    value: float
    note: str | None = None
    source: str | None = None
    position: int = 0
    recorded: Day | None = None  # when it was entered; None: on its own date

    @property
    def entered(self) -> Day:
        """When the figure became known: ``recorded``, else its own date."""
        return self.recorded or self.date


class ObservationColumns(Sequence[Observation]):
    """A target's figures stored column-wise, as the cache keeps them.

    Unpickling 600,000 Observation tuples would take most of a second; these
    columns load in milliseconds and build an Observation only when one is
    read. Behaves as an immutable sequence of Observation, ordered by date.
    """

    __slots__ = ("_days", "_notes", "_positions", "_recorded", "_sources", "_values")

    def __init__(self, observations: Sequence[Observation]) -> None:
        from array import array

        if observations:
            days, values, notes, sources, positions, recorded = zip(*observations, strict=True)  # transpose in C
        else:
            days = values = notes = sources = positions = recorded = ()
        self._days = array("l", map(date.toordinal, days))
        self._values = list(values)  # a list keeps ints ints
        self._notes = list(notes) if notes.count(None) != len(notes) else None
        self._sources = list(sources) if sources.count(None) != len(sources) else None
        self._positions = None if positions == tuple(range(len(positions))) else array("l", positions)
        self._recorded = list(recorded) if recorded.count(None) != len(recorded) else None

    def recorded_after(self, day: date) -> bool:
        """Was any figure entered after ``day`` (by its ``recorded`` date)?"""
        return self._recorded is not None and any(r is not None and r > day for r in self._recorded)

    def __len__(self) -> int:
        return len(self._days)

    def distinct_sources(self) -> set[str]:
        if self._sources is None:
            return set()
        found = set(self._sources)
        found.discard(None)  # type: ignore[arg-type]
        return found

    def sources(self) -> Iterator[tuple[int, str]]:
        """(index, source) of the figures that give one, without building them."""
        if self._sources is not None:
            yield from ((i, src) for i, src in enumerate(self._sources) if src)

    def count_upto(self, day: date) -> int:
        """How many figures are dated on or before ``day`` (a C-level search)."""
        from bisect import bisect_right

        return bisect_right(self._days, day.toordinal())

    def _at(self, i: int) -> Observation:
        return Observation(
            date.fromordinal(self._days[i]),
            self._values[i],
            None if self._notes is None else self._notes[i],
            None if self._sources is None else self._sources[i],
            i if self._positions is None else self._positions[i],
            None if self._recorded is None else self._recorded[i],
        )

    @overload
    def __getitem__(self, i: int) -> Observation: ...
    @overload
    def __getitem__(self, i: slice) -> tuple[Observation, ...]: ...
    def __getitem__(self, i: int | slice) -> Observation | tuple[Observation, ...]:
        if isinstance(i, slice):
            return tuple(self._at(k) for k in range(*i.indices(len(self))))
        if i < 0:
            i += len(self)
        if not 0 <= i < len(self):
            raise IndexError("observation index out of range")
        return self._at(i)

    def __iter__(self) -> Iterator[Observation]:
        at = self._at
        return (at(i) for i in range(len(self._days)))

    def __eq__(self, other: object) -> bool:
        if isinstance(other, Sequence):
            return tuple(self) == tuple(other)
        return NotImplemented

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        return f"ObservationColumns({len(self)} figures)"


@dataclass(frozen=True, slots=True)
class Stage:
    """A named stage of a milestones target (approval, construction start...).

    planned: when the plan says it should be done; done: when it was done.
    """

    name: str
    weight: float = 1.0
    planned: date | None = None
    done: date | None = None
    note: str | None = None
    source: str | None = None
    position: int = 0
    recorded: date | None = None  # when the completion was entered; None: on its done date


@dataclass(frozen=True, slots=True)
class Waypoint:
    """An interim point on the planned trajectory.

    Exactly one of ``value`` (in the target's unit; quantity only) and
    ``share`` (fraction of the way from baseline to target, 0..1) is set.
    position: where it stands in the file's ``trajectory`` list.
    """

    date: date
    value: float | None = None
    share: float | None = None
    note: str | None = None
    position: int = 0


@dataclass(frozen=True, slots=True)
class Target:
    """One public commitment.

    id: stable key (``[targets.ID]``); kind: quantity, maintain, milestones or
    rollup; area: the plan's pillar or chapter; weight: its weight inside its
    parent rollup; state: active, paused or cancelled. ``target`` is the
    goal value of a quantity; ``at_least`` / ``at_most`` the bound of a
    maintain target. ``file`` is the ledger file that holds the target.
    ``observations`` are the figures as best known now: one per date, the
    newest ``recorded`` entry; ``superseded`` holds the older entries of
    revised dates (first reports), in date order. ``added``: when the target
    entered the ledger (None: always there).
    """

    id: str
    title: str
    kind: str
    file: str
    area: str = ""
    owner: str = ""
    start: date | None = None
    due: date | None = None
    weight: float = 1.0
    parent: str | None = None
    state: str = "active"
    source: Source | None = None
    notes: str | None = None
    unit: str = ""
    baseline: float = 0.0
    target: float | None = None
    at_least: float | None = None
    at_most: float | None = None
    observations: Sequence[Observation] = ()
    stages: tuple[Stage, ...] = ()
    trajectory: tuple[Waypoint, ...] = ()
    added: date | None = None
    superseded: tuple[Observation, ...] = ()

    @property
    def path(self) -> KeyPath:
        return ("targets", self.id)


@dataclass(frozen=True, slots=True)
class Settings:
    """Thresholds, overridable in the ledger's ``[settings]`` table.

    allow_outside_includes: ``include`` may name files outside the main
    ledger's folder (see :mod:`target_tracker.ledger.includes`).
    require_figure_source: every figure and completed stage must say where it
    was reported (``update``/``done`` refuse without ``--source``; ``check``
    lists those without). report_grace_days: without a published date for a
    month's report, it counts as issued this many days after the month's end.
    """

    on_track_gap: float = 0.05
    at_risk_gap: float = 0.15
    stale_after_days: int = 90
    lang: str | None = None  # the interface language for this ledger: 'zh', 'en', or unset (the user's)
    allow_outside_includes: bool = False
    require_figure_source: bool = False
    report_grace_days: int = 10


@dataclass(frozen=True, slots=True)
class Ledger:
    """The whole ledger: metadata, settings and targets in file order.

    published: when each month's report was issued ("2021-10" -> 2021-11-08),
    from ``[reports.published]`` (``tracker report --publish`` records it).
    """

    title: str
    path: str
    source: Source | None = None
    settings: Settings = field(default_factory=Settings)
    targets: dict[str, Target] = field(default_factory=dict)
    files: tuple[str, ...] = ()
    published: dict[str, date] = field(default_factory=dict)


Severity = Literal["error", "warning"]


@dataclass(frozen=True, slots=True)
class Problem:
    """A problem with the user's data, reported as ``file:line: message``."""

    file: str
    message: str
    path: KeyPath = ()
    line: int | None = None
    severity: Severity = "error"

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}" if self.line else self.file
        prefix = _("warning: ") if self.severity == "warning" else ""
        return f"{where}: {prefix}{self.message}"


def distinct_sources(observations: Sequence[Observation]) -> set[str]:
    """The different own sources the figures give (fast on cached columns)."""
    if isinstance(observations, ObservationColumns):
        return observations.distinct_sources()
    return {o.source for o in observations if o.source}


def observation_sources(observations: Sequence[Observation]) -> Iterator[tuple[int, str]]:
    """(index, source) of the figures that give their own source (fast on
    cached columns, where most figures have none)."""
    if isinstance(observations, ObservationColumns):
        return observations.sources()
    return ((i, o.source) for i, o in enumerate(observations) if o.source)


def split_revisions(observations: tuple[Observation, ...]) -> tuple[tuple[Observation, ...], tuple[Observation, ...]]:
    """(figures as best known now, superseded entries). Entries for the same
    date are ordered by when they were entered (``recorded``, else their own
    date), then by line: the last one is the figure, the others are earlier
    reports of it."""
    from operator import itemgetter

    if len(set(map(itemgetter(0), observations))) == len(observations):
        return observations, ()  # no date given twice: the common case, checked in C
    ordered = sorted(observations, key=lambda o: (o.date, o.entered, o.position))
    current: list[Observation] = []
    superseded: list[Observation] = []
    for o in ordered:
        if current and current[-1].date == o.date:
            superseded.append(current.pop())
        current.append(o)
    return tuple(current), tuple(superseded)
