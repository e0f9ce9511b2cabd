"""Choosing and ordering evaluated targets: by area, owner and status, and
the one ranking of statuses (used by ``status --sort status`` and by the
report's "improved" / "worsened").

Pure functions of rows from :func:`target_tracker.compute.evaluate`, so a
caller of the library gets the same selection as ``tracker status``.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date
from typing import Any

from target_tracker.compute import TargetStatus
from target_tracker.i18n import _
from target_tracker.ledger.model import STATUSES

#: How good a status is (higher is better; equal ranks are equally good).
#: Statuses not here (no-data, not-started, paused, cancelled) are not ranked.
STATUS_RANK = {"done": 6, "met": 5, "on-track": 5, "at-risk": 3, "behind": 2, "overdue": 1, "missed": 1}

#: ``--sort status``: most urgent first (what is late, then what is behind),
#: then the ones that need nothing now.
ATTENTION_ORDER = ("overdue", "behind", "missed", "at-risk", "no-data", "on-track", "met", "not-started", "done",
                   "paused", "cancelled")  # fmt: skip

#: ``--sort`` keys; "ledger" keeps the ledger's order (and its tree).
SORT_KEYS = ("ledger", "id", "due", "done", "gap", "status", "updated")


class SelectionError(ValueError):
    """An unknown status or sort key; the message is for the planner."""


def status_rank(status: str) -> int | None:
    """How good ``status`` is, or None when it is not ranked."""
    return STATUS_RANK.get(status)


def direction(before: str, after: str) -> str:
    """'improved', 'worsened' or (not comparable, or as good) 'changed'."""
    a, b = status_rank(before), status_rank(after)
    if a is None or b is None or a == b:
        return "changed"
    return "improved" if b > a else "worsened"


def check_statuses(statuses: Iterable[str]) -> None:
    for s in statuses:
        if s not in STATUSES:
            raise SelectionError(
                _("unknown status '{status}': use {statuses}").format(status=s, statuses=", ".join(STATUSES))
            )


def check_sort(key: str) -> None:
    if key not in SORT_KEYS:
        raise SelectionError(_("unknown key '{key}': use {keys}").format(key=key, keys=", ".join(SORT_KEYS)))


def in_areas(rows: Iterable[TargetStatus], areas: Sequence[str] | None) -> list[TargetStatus]:
    """Rows whose area is one of ``areas`` (case-insensitive); all when none given."""
    if not areas:
        return list(rows)
    wanted = {a.casefold() for a in areas}
    return [r for r in rows if r.area.casefold() in wanted]


def unknown_areas(known: Iterable[str], areas: Sequence[str]) -> list[str]:
    """The ``areas`` asked for that no target has."""
    have = {a.casefold() for a in known}
    return [a for a in areas if a.casefold() not in have]


def select(
    rows: Iterable[TargetStatus],
    *,
    areas: Sequence[str] | None = None,
    owners: Sequence[str] | None = None,
    statuses: Sequence[str] | None = None,
) -> list[TargetStatus]:
    """Rows in one of ``areas``, with one of ``owners`` and one of ``statuses`` (each if given)."""
    out = in_areas(rows, areas)
    if owners:
        wanted = {o.casefold() for o in owners}
        out = [r for r in out if r.target.owner.casefold() in wanted]
    if statuses:
        check_statuses(statuses)
        out = [r for r in out if r.status in statuses]
    return out


def sort_rows(rows: Iterable[TargetStatus], key: str) -> list[TargetStatus]:
    """Rows ordered by ``key`` (see :data:`SORT_KEYS`), within each area except for 'id'."""
    check_sort(key)
    if key == "ledger":
        return list(rows)
    return sorted(rows, key=_sort_key(key))


def _sort_key(key: str) -> Any:
    far = date.max
    order = {s: i for i, s in enumerate(ATTENTION_ORDER)}
    return {
        "id": lambda r: r.target.id,
        "due": lambda r: (r.area, r.due or far),
        "done": lambda r: (r.area, r.ratio if r.ratio is not None else -1.0),
        "gap": lambda r: (r.area, -(r.gap if r.gap is not None else -9.0)),
        "status": lambda r: (r.area, order.get(r.status, 99)),
        "updated": lambda r: (r.area, r.updated or date.min),
    }[key]
