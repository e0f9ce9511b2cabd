"""Commands that write the ledger: update, done, set, add, init."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from target_tracker.cli import common
from target_tracker.cli.common import (
    DateOption,
    DryRunOption,
    ForceOption,
    LedgerOption,
    MilestonesArgument,
    StageArgument,
    app,
    cache_for,
    fail,
    ledger_path,
    parse_day,
    run_edit,
    show_dry_run,
    use_ledger_language,
)  # fmt: skip
from target_tracker.i18n import N_, _, language


@app.command()
def update(
    ctx: typer.Context,
    target_id: Annotated[str, typer.Argument(metavar="ID", help=N_("The target's id."))],
    value: Annotated[
        str | None, typer.Argument(metavar="[VALUE]", help=N_("The figure, in the target's unit: 95, 6.178."))
    ] = None,
    ledger: LedgerOption = None,
    on: DateOption = None,
    note: Annotated[str | None, typer.Option("--note", help=N_("What the figure is, e.g. 'Jan-Nov total'."))] = None,
    source: Annotated[str | None, typer.Option("--source", help=N_("Where the figure was reported."))] = None,
    replace: Annotated[
        bool, typer.Option("--replace", help=N_("Correct a typo in the figure on that date (drops the old value)."))
    ] = False,
    revise: Annotated[
        bool, typer.Option("--revise", help=N_("Record a revision of the figure on that date (the old entry stays)."))
    ] = False,
    force: ForceOption = False,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help=N_("Do not print plausibility warnings."))] = False,
    delete: Annotated[
        str | None, typer.Option("--delete", metavar="DATE", help=N_("Remove the figure dated DATE (no VALUE)."))
    ] = None,
    dry_run: DryRunOption = False,
) -> None:
    """Record a figure (observation) for a quantity or maintain target.

    The figure is stamped recorded = today, so reports can show what was
    known when. A corrected figure for a date already reported is a revision
    (--revise); --replace only fixes a typo.

    \b
    Examples:
      tracker update reform-tasks 95 --date 2021-11-30 --source "Area report Nov 2021"
      tracker update gba-vegetables-share 83 --date 2021-12 --note "full year"
      tracker update reform-tasks 94 --date 2021-11-30 --revise --source "Area report Dec 2021"
      tracker update reform-tasks 96 --date 2021-11-30 --replace
      tracker update reform-tasks --delete 2021-11-30
    """
    from target_tracker.edits.operations import EditError, RecordObservation, parse_number, parse_text

    use_ledger_language(ctx, ledger)  # refusals are told in the ledger's language too
    if delete is not None:
        if value is not None or on is not None or replace or revise:
            fail(_("--delete DATE takes no VALUE, --date, --revise or --replace"))
        _delete_figure(ctx, ledger, target_id, parse_day(delete, "--delete"), dry_run, force)
        return
    if value is None:
        fail(_("give the figure: tracker update ID VALUE (or --delete DATE to remove one)"))
    if replace and revise:
        fail(_("give either --revise (keeps the old entry) or --replace (drops it), not both"))
    day = parse_day(on)
    try:
        number = parse_number(value)
        note = None if note is None else parse_text(note, "--note")
        source = None if source is None else parse_text(source, "--source")
    except EditError as e:
        fail(str(e))
    edit = RecordObservation(target_id, day=day, value=number, note=note, source=source, replace=replace,
                             revise=revise, recorded=common.today())  # fmt: skip
    result = run_edit(ctx, ledger, edit, dry_run, force)
    if not quiet:
        from target_tracker.compute import implausible
        from target_tracker.output.views import plausibility_warning

        for code in implausible(result.ledger.targets[target_id], day, number):
            typer.echo(plausibility_warning(result.ledger, target_id, code, number), err=True)
    if result.written:
        from target_tracker.output.views import observation_effect

        found = result.applied[0].found
        typer.echo(observation_effect(result.ledger, target_id, day, found.get("replaced"), found.get("revised")))
        if found.get("replaced") is not None:
            typer.echo(_("(replaced: the old value {value} is dropped; use --revise to keep it as first reported)")
                       .format(value=found["replaced"]), err=True)  # fmt: skip


def _delete_figure(ctx: typer.Context, ledger, target_id: str, day, dry_run: bool, force: bool) -> None:  # type: ignore[no-untyped-def]
    from target_tracker.edits.fixes import DeleteObservation

    result = run_edit(ctx, ledger, DeleteObservation(target_id, day=day), dry_run, force)
    if result.written:
        typer.echo(_("{id}: deleted the figure dated {date} ({value})").format(
            id=target_id, date=day.isoformat(), value=result.applied[0].found["deleted"]))  # fmt: skip


@app.command()
def done(
    ctx: typer.Context,
    target_id: MilestonesArgument,
    stage: StageArgument,
    ledger: LedgerOption = None,
    on: DateOption = None,
    note: Annotated[str | None, typer.Option("--note", help=N_("Evidence, e.g. the approval document number."))] = None,
    source: Annotated[str | None, typer.Option("--source", help=N_("Where the completion was reported."))] = None,
    replace: Annotated[bool, typer.Option("--replace", help=N_("Change the date of a stage already done."))] = False,
    force: ForceOption = False,
    dry_run: DryRunOption = False,
) -> None:
    """Mark a stage of a milestones target done.

    \b
    Examples:
      tracker done linwu-lianzhou-expressway "Project approval" --date 2022-05-20 \\
          --note "湘发改交能〔2022〕123号" --source "Hunan DRC approval 2022-05-20"
      tracker done beihu-airport-expansion 2
    """
    from target_tracker.edits.operations import EditError, MarkStageDone, parse_text

    use_ledger_language(ctx, ledger)
    day = parse_day(on)
    try:
        stage = parse_text(stage, "STAGE")
        note = None if note is None else parse_text(note, "--note")
        source = None if source is None else parse_text(source, "--source")
    except EditError as e:
        fail(str(e))
    edit = MarkStageDone(target_id, stage=stage, day=day, replace=replace, note=note, source=source,
                         recorded=common.today())  # fmt: skip
    result = run_edit(ctx, ledger, edit, dry_run, force)
    if result.written:
        from target_tracker.output.views import stage_effect

        typer.echo(stage_effect(result.ledger, target_id, result.applied[0].found["index"], day))


@app.command(name="set")
def set_field(
    ctx: typer.Context,
    target_id: Annotated[str, typer.Argument(metavar="ID", help=N_("The target's id."))],
    field: Annotated[
        str, typer.Argument(metavar="FIELD", help=N_("due, start, target, baseline, owner, state, title, ..."))
    ],
    value: Annotated[str, typer.Argument(metavar="VALUE", help=N_("The new value."))],
    ledger: LedgerOption = None,
    force: ForceOption = False,
    dry_run: DryRunOption = False,
) -> None:
    """Change one field of a target, validated like everything else.

    \b
    Examples:
      tracker set reform-tasks due 2024-06-30
      tracker set beihu-airport-expansion owner "Civil Aviation Office"
      tracker set five-opening-up-actions state paused
    """
    from target_tracker.edits.operations import EditError, SetField, field_value

    use_ledger_language(ctx, ledger)
    try:
        new_value = field_value(field, value, lambda raw: parse_day(raw, field))
    except EditError as e:
        fail(str(e))
    result = run_edit(ctx, ledger, SetField(target_id, name=field, value=new_value), dry_run, force)
    if result.written:
        from target_tracker.output.views import field_effect

        typer.echo(field_effect(result.ledger, target_id, field, common.today()))


KindOption = Annotated[
    str | None, typer.Option("--kind", help=N_("quantity, maintain, milestones or rollup (inferred)."))
]


@app.command()
def add(
    ctx: typer.Context,
    target_id: Annotated[str, typer.Argument(metavar="ID", help=N_("A new id: letters, digits, '-' and '_'."))],
    title: Annotated[str, typer.Option("--title", help=N_("What the commitment is."))],
    ledger: LedgerOption = None,
    kind: KindOption = None,
    baseline: Annotated[
        str | None, typer.Option("--baseline", help=N_("Starting value (quantity; default 0)."))
    ] = None,
    target: Annotated[str | None, typer.Option("--target", help=N_("Target value (quantity)."))] = None,
    unit: Annotated[str | None, typer.Option("--unit", help=N_("Unit: tasks, km, billion yuan, %."))] = None,
    start: Annotated[str | None, typer.Option("--start", help=N_("Start date (default: today)."))] = None,
    due: Annotated[str | None, typer.Option("--due", help=N_("Due date."))] = None,
    area: Annotated[str | None, typer.Option("--area", help=N_("The plan's pillar or chapter."))] = None,
    owner: Annotated[str | None, typer.Option("--owner", help=N_("Who answers for it."))] = None,
    parent: Annotated[str | None, typer.Option("--parent", help=N_("The rollup it belongs to."))] = None,
    weight: Annotated[str | None, typer.Option("--weight", help=N_("Weight inside its parent (default 1)."))] = None,
    source: Annotated[str | None, typer.Option("--source", help=N_("Where the commitment was made."))] = None,
    at_least: Annotated[
        str | None, typer.Option("--at-least", help=N_("maintain: keep the level at or above."))
    ] = None,
    at_most: Annotated[str | None, typer.Option("--at-most", help=N_("maintain: keep the level at or below."))] = None,
    stage: Annotated[
        list[str] | None, typer.Option("--stage", help=N_("milestones: a stage, repeatable; NAME or NAME:WEIGHT@DATE."))
    ] = None,
    stage_weight: Annotated[
        list[str] | None, typer.Option("--stage-weight", help=N_("Weights of the stages, in order (repeatable)."))
    ] = None,
    stage_planned: Annotated[
        list[str] | None,
        typer.Option("--stage-planned", help=N_("Planned dates of the stages, in order (repeatable).")),
    ] = None,
    force: ForceOption = False,
    dry_run: DryRunOption = False,
) -> None:
    """Add a new target.

    \b
    Examples:
      tracker add rail-freight --title "Rail freight volume" --target 120 --unit "10k t" --due 2025-12-31
      tracker add jobless-rate --title "Urban unemployment rate" --at-most 5.5 --unit %
      tracker add new-bridge --title "Xiang River bridge" --due 2026-12-31 \\
          --stage "Approval:1@2025-06-30" --stage "Construction:2@2026-03-31" --stage "Opening:3"
    """
    from target_tracker.edits.new_target import NewTarget, add_target
    from target_tracker.edits.operations import EditError

    spec = NewTarget(
        id=target_id, title=title, kind=kind, baseline=baseline, target=target, unit=unit,
        start=start, due=due, area=area, owner=owner, parent=parent, weight=weight, source=source,
        at_least=at_least, at_most=at_most, stages=stage or [], stage_weights=stage_weight or [],
        stage_planned=stage_planned or [],
    )  # fmt: skip
    main = ledger_path(ctx, ledger)
    use_ledger_language(ctx, ledger)  # told in the ledger's language, refusals included
    try:
        change = add_target(
            main,
            spec,
            lambda raw, what: parse_day(raw, what),
            common.today(),
            dry_run=dry_run,
            cache=cache_for(ctx),
            force=force,
        )
    except EditError as e:
        fail(str(e))
    if dry_run:
        show_dry_run(change)
    else:
        typer.echo(_("added {id} to {file}").format(id=target_id, file=change.path))


@app.command()
def init(
    ctx: typer.Context,
    path: Annotated[
        Path | None, typer.Argument(help=N_("Where to create the ledger (default: the ledger path)."))
    ] = None,
    ledger: LedgerOption = None,
    example: Annotated[
        bool, typer.Option("--example", help=N_("Write the Chenzhou example ledger (in Chinese with --lang zh)."))
    ] = False,
    title: Annotated[
        str,
        typer.Option(
            "--title", help=N_("The new ledger's title (default: Our city's commitments)."), show_default=False
        ),
    ] = "Our city's commitments",  # DEFAULT_TITLE
    dry_run: DryRunOption = False,
) -> None:
    """Create a new ledger; never overwrites an existing file.

    \b
    Examples:
      tracker init
      tracker init plans/2026.toml --title "Chenzhou 2026 commitments"
      tracker init demo.toml --example
    """
    from target_tracker.edits.new_target import example_ledger, minimal_ledger
    from target_tracker.edits.operations import EditError
    from target_tracker.edits.transaction import create_file

    target = path or ledger_path(ctx, ledger)
    text = example_ledger(language()) if example else minimal_ledger(title)
    try:
        change = create_file(target, text, dry_run=dry_run)
    except EditError as e:
        fail(str(e))
    if dry_run:
        show_dry_run(change)
    else:
        typer.echo(_("created {file}; add targets with 'tracker add' or an editor, then run 'tracker check'").format(
            file=target))  # fmt: skip
