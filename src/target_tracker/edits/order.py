"""Where new things go in the file: a back-dated figure among the others in
date order, a new child after its parent's whole subtree."""

from __future__ import annotations

import tomllib
from datetime import date
from typing import Any

from target_tracker.toml.scan import ScanError, find_section


def insertion_index(elements: list[Any], day: date) -> int:
    """Where a figure dated ``day`` goes: before the first one dated later
    (after every one dated the same day, so a revision follows its figure)."""
    for i, e in enumerate(elements):
        d = e.get("date") if isinstance(e, dict) else None
        if isinstance(d, date) and d > day:
            return i
    return len(elements)


def insert_before(text: str, spans: list[tuple[int, int]], at: int, elem: str, nl: str) -> str:
    """Insert ``elem`` before element ``at`` of an array, in its layout: on a
    line of its own when that element has one, else inline."""
    s, _e = spans[at]
    ls = text.rfind("\n", 0, s) + 1
    indent = text[ls:s]
    if not indent.strip():  # the element starts its own line
        return text[:ls] + f"{indent}{elem},{nl}" + text[ls:]
    return text[:s] + f"{elem}, " + text[s:]


def last_of_subtree(text: str, ids: list[str], parent: str) -> str | None:
    """The last target in file order that is ``parent`` or one of its
    descendants (as far as this file says): a new child goes after it."""
    parents: dict[str, str] = {}
    for tid in ids:
        try:
            section = find_section(text, tid)
        except ScanError:
            continue
        item = section.item("parent")
        if item is not None:
            try:
                value = tomllib.loads("x = " + text[item.value_start : item.value_end])["x"]
            except tomllib.TOMLDecodeError:
                continue
            if isinstance(value, str):
                parents[tid] = value

    def under(tid: str) -> bool:
        seen = set()
        while tid not in seen:
            if tid == parent:
                return True
            seen.add(tid)
            up = parents.get(tid)
            if up is None:
                return False
            tid = up
        return False

    family = [tid for tid in ids if under(tid)]
    return family[-1] if family else None
