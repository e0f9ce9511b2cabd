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


class ObservationColumns(Sequence[Observation]):
    """A target's figures stored column-wise, as the cache keeps them.

    Unpickling 600,000 Observation tuples would take most of a second; these
    columns load in milliseconds and build an Observation only when one is
    read. Behaves as an immutable sequence of Observation, ordered by date.
    """

    __slots__ = ("_days", "_notes", "_positions", "_sources", "_values")

    def __init__(self, observations: Sequence[Observation]) -> None:
        from array import array

        if observations:
            days, values, notes, sources, positions = zip(*observations, strict=True)  # transpose in C
        else:
            days = values = notes = sources = positions = ()
        self._days = array("l", map(date.toordinal, days))
        self._values = list(values)  # a list keeps ints ints
        self._notes = list(notes) if notes.count(None) != len(notes) else None
        self._sources = list(sources) if sources.count(None) != len(sources) else None
        self._positions = None if positions == tuple(range(len(positions))) else array("l", positions)

    def __len__(self) -> int:
        return len(self._days)

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

    @property
    def path(self) -> KeyPath:
        return ("targets", self.id)


@dataclass(frozen=True, slots=True)
class Settings:
    """Thresholds, overridable in the ledger's ``[settings]`` table.

    allow_outside_includes: ``include`` may name files outside the main
    ledger's folder (see :mod:`target_tracker.ledger.includes`).
    """

    on_track_gap: float = 0.05
    at_risk_gap: float = 0.15
    stale_after_days: int = 90
    lang: str | None = None  # the interface language for this ledger: 'zh', 'en', or unset (the user's)
    allow_outside_includes: bool = False


@dataclass(frozen=True, slots=True)
class Ledger:
    """The whole ledger: metadata, settings and targets in file order."""

    title: str
    path: str
    source: Source | None = None
    settings: Settings = field(default_factory=Settings)
    targets: dict[str, Target] = field(default_factory=dict)
    files: tuple[str, ...] = ()


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
