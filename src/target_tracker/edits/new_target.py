"""New ledgers and new targets: ``tracker init`` and ``tracker add``."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from target_tracker.edits.operations import (
    EditError,
    insert_target,
    new_target_block,
    newline_of,
    parse_number,
    parse_text,
    printable,
)
from target_tracker.edits.transaction import Change, commit_edit, file_holding, ledger_files
from target_tracker.i18n import N_, _
from target_tracker.ledger.load import ID_PATTERN, FileCache
from target_tracker.ledger.model import KINDS
from target_tracker.output.labels import kind_label
from target_tracker.toml.scan import target_ids, targets_with
from target_tracker.toml.values import render

# The new ledger's text is a message: a Chinese interface writes a Chinese ledger (with [settings] lang).
MINIMAL = N_("""\
# Our public commitments, one [targets.ID] table each.
# Format: docs/ledger-format.md in target-tracker
# Validate after every hand edit with: tracker check

title = {title}

[settings]
on_track_gap = 0.05      # gap (expected - done) up to this: on-track
at_risk_gap = 0.15       # up to this: at-risk; above: behind
stale_after_days = 90    # flag targets with no figure for this long

# Add targets with `tracker add`, or by hand, for example:
#
# [targets.reform-tasks]
# title = "Reform and innovation tasks implemented"
# kind = "quantity"
# unit = "tasks"
# target = 102
# start = 2020-09-01
# due = 2023-12-31
# observations = [
#   {{ date = 2021-10-31, value = 89, source = "Chenzhou govt news 2021-12-06" }},
# ]
""")
DEFAULT_TITLE = N_("Our city's commitments")


def minimal_ledger(title: str) -> str:
    """A new ledger's text in the interface language; the default title is translated too."""
    return _(MINIMAL).format(title=render(parse_text(_(title) if title == DEFAULT_TITLE else title, "--title")))


def example_ledger(lang: str = "en") -> str:
    """The Chenzhou ledger shipped inside the package; for ``lang`` 'zh' the
    Chinese one (中文台账: same targets and ids, Chinese text and units)."""
    from importlib.resources import files

    name = "chenzhou-zh.toml" if lang == "zh" else "chenzhou.toml"
    return (files("target_tracker") / "data" / name).read_text(encoding="utf-8")


@dataclass
class NewTarget:
    """What ``tracker add`` was given, as typed."""

    id: str
    title: str
    kind: str | None = None
    baseline: str | None = None
    target: str | None = None
    unit: str | None = None
    start: str | None = None
    due: str | None = None
    area: str | None = None
    owner: str | None = None
    parent: str | None = None
    weight: str | None = None
    source: str | None = None
    at_least: str | None = None
    at_most: str | None = None
    stages: list[str] = field(default_factory=list)
    stage_weights: list[str] = field(default_factory=list)
    stage_planned: list[str] = field(default_factory=list)

    def infer_kind(self) -> str:
        if self.kind:
            if self.kind not in KINDS:
                raise EditError(
                    _("--kind: unknown kind '{kind}': use {kinds}").format(
                        kind=printable(self.kind), kinds=", ".join(KINDS)
                    )
                )
            return self.kind
        if self.stages:
            return "milestones"
        if self.at_least is not None or self.at_most is not None:
            return "maintain"
        if self.target is not None:
            return "quantity"
        raise EditError(_("say what kind of target this is: --target N, --at-least/--at-most X, --stage NAME, "
                          "or --kind rollup"))  # fmt: skip


# NAME, then an optional ":WEIGHT" and "@DATE" at the end; the name is kept as typed.
_STAGE = re.compile(r"(?P<name>.*?)(?::(?P<weight>[0-9.]+))?(?:@(?P<date>[0-9A-Za-z -]+))?", re.S | re.ASCII)


def parse_stages(spec: NewTarget, day: Callable[[str, str], date]) -> list[dict[str, Any]]:
    """--stage NAME[:WEIGHT][@DATE], with --stage-weight/--stage-planned lists."""
    if len(spec.stage_weights) > len(spec.stages) or len(spec.stage_planned) > len(spec.stages):
        raise EditError(_("--stage-weight and --stage-planned need one --stage each"))
    out = []
    for i, raw in enumerate(spec.stages):
        raw = parse_text(raw, "--stage")
        m = _STAGE.fullmatch(raw)
        name = m.group("name") if m else raw
        if not name.strip():
            raise EditError(_("--stage '{spec}': the stage needs a name").format(spec=printable(raw)))
        if m and m.group("date") and re.search(r":[^\s:@]*$", name):  # "A:x@2022-01-01": a weight not a number
            raise EditError(_("--stage '{spec}' cannot be read: write NAME, NAME:WEIGHT or NAME:WEIGHT@DATE, "
                              "e.g. 'Approval:1@2022-06-30' (the weight a number, the date like 2022-06-30)").format(
                spec=printable(raw)))  # fmt: skip
        weight = (m.group("weight") if m else None) or (spec.stage_weights[i] if i < len(spec.stage_weights) else None)
        planned = (m.group("date") if m else None) or (spec.stage_planned[i] if i < len(spec.stage_planned) else None)
        stage: dict[str, Any] = {"name": name}
        if weight is not None:
            value = parse_number(weight, _("stage weight '{weight}'").format(weight=printable(weight)))
            if value <= 0:
                raise EditError(_("--stage '{spec}': the weight must be above 0").format(spec=printable(raw)))
            stage["weight"] = value
        if planned is not None:
            stage["planned"] = day(planned.strip(), "--stage planned date")
        out.append(stage)
    return out


def build_fields(spec: NewTarget, kind: str, day: Callable[[str, str], date], today: date) -> list[tuple[str, Any]]:
    """The new section's keys and values in the ledger's usual order."""
    if not ID_PATTERN.fullmatch(spec.id):
        raise EditError(
            _("id '{id}' must use only letters, digits, '-' and '_' (e.g. linwu-expressway)").format(
                id=printable(spec.id)
            )
        )
    if not parse_text(spec.title, "--title").strip():
        raise EditError(_("--title is empty"))

    def num(text: str | None, what: str) -> int | float | None:
        return None if text is None else parse_number(text, what)

    fields: list[tuple[str, Any]] = [("title", spec.title), ("kind", kind)]
    for key, value in (("area", spec.area), ("owner", spec.owner), ("parent", spec.parent)):
        if value:
            fields.append((key, parse_text(value, f"--{key}")))
    if spec.weight is not None:
        fields.append(("weight", num(spec.weight, "--weight")))
    if kind in ("quantity", "maintain") and spec.unit:
        fields.append(("unit", parse_text(spec.unit, "--unit")))
    if kind == "quantity":
        if spec.target is None:
            raise EditError(_("a quantity target needs --target N"))
        fields.append(("baseline", num(spec.baseline, "--baseline") or 0))
        fields.append(("target", num(spec.target, "--target")))
    if kind == "maintain":
        if spec.at_least is None and spec.at_most is None:
            raise EditError(_("a maintain target needs --at-least X or --at-most X"))
        if spec.at_least is not None:
            fields.append(("at_least", num(spec.at_least, "--at-least")))
        if spec.at_most is not None:
            fields.append(("at_most", num(spec.at_most, "--at-most")))
    if kind in ("quantity", "milestones"):
        if spec.due is None:
            raise EditError(_("a {kind} target needs --due DATE").format(kind=kind_label(kind)))
        start = day(spec.start, "--start") if spec.start else today
        fields.append(("start", start))
        fields.append(("due", day(spec.due, "--due")))
    else:
        if spec.start:
            fields.append(("start", day(spec.start, "--start")))
        if spec.due:
            fields.append(("due", day(spec.due, "--due")))
    if spec.source:
        fields.append(("source", parse_text(spec.source, "--source")))
    if kind == "milestones" and not spec.stages:
        raise EditError(_("a milestones target needs at least one --stage NAME"))
    fields.append(("added", today))  # as-reported views leave it out before this day
    return fields


def _neighbour(text: str, spec: NewTarget) -> str | None:
    """The target after which the new one goes: last of its parent's family,
    else the last of its area; None means the end of the file."""
    if spec.parent:
        from target_tracker.edits.order import last_of_subtree

        last = last_of_subtree(text, target_ids(text), spec.parent)  # after the parent's whole subtree
        if last is not None:
            return last
    for key, value in (("parent", spec.parent), ("area", spec.area)):
        if value:
            hits = targets_with(text, key, value)
            if hits:
                return hits[-1]
    if spec.parent and spec.parent in target_ids(text):
        return spec.parent
    return None


def add_target(
    main: Path,
    spec: NewTarget,
    day: Callable[[str, str], date],
    today: date,
    *,
    dry_run: bool = False,
    cache: FileCache | None = None,
    force: bool = False,
) -> Change:
    kind = spec.infer_kind()
    fields = build_fields(spec, kind, day, today)
    stages = parse_stages(spec, day) if kind == "milestones" else []

    def transform_for(main_path: Path, main_text: str):  # type: ignore[no-untyped-def]
        from target_tracker.edits.transaction import read_bytes_text

        for f in ledger_files(main_path, main_text):
            text = main_text if f == main_path else read_bytes_text(f)[1]
            if spec.id in target_ids(text):
                raise EditError(
                    _("target '{id}' already exists in {file}; use 'tracker set' to change it").format(
                        id=spec.id, file=f
                    )
                )
        path = main_path
        anchor = spec.parent or None
        if anchor:
            try:
                path = file_holding(main_path, main_text, anchor)
            except EditError:
                path = main_path  # check will report the unknown parent

        def transform(text: str) -> str:
            block = new_target_block(spec.id, fields, stages, newline_of(text) if text else "\n")
            return insert_target(text, spec.id, block, _neighbour(text, spec))

        return path, transform

    return commit_edit(main, transform_for, dry_run=dry_run, cache=cache, force=force)
