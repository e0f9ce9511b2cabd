"""Where a figure came from is never invented (issue 9, section 1)."""

from __future__ import annotations

import json
from datetime import date

from target_tracker.reports.data import build_report

from .conftest import ROOT

LEDGER = """\
title = "t"

[source]
document = "City news"
date = 2021-12-06

[targets.inst]
title = "New financial institutions"
kind = "quantity"
unit = "institutions"
target = 10
start = 2021-01-01
due = 2021-12-31
source = { clause = "8 new financial institutions were added" }
observations = [
  { date = 2021-10-31, value = 6, source = "Area report Oct 2021" },
]

[targets.hub]
title = "Cold-chain hub"
kind = "milestones"
start = 2021-01-01
due = 2024-12-31
source = "Plan 2021"
stages = [
  { name = "Site approved", planned = 2022-06-30 },
  { name = "Open", weight = 2, planned = 2024-12-31 },
]
"""


def test_figure_without_source_never_borrows_the_targets(run, write_ledger) -> None:  # type: ignore[no-untyped-def]
    path = write_ledger(LEDGER)
    assert run("update", "inst", "8", "--date", "2021-11-30", "-f", path).exit_code == 0
    assert run("done", "hub", "1", "--date", "2021-11-20", "-f", path).exit_code == 0
    show = run("show", "inst", "-f", path, "--as-of", "2021-11-30").stdout
    figures = show.split("observations", 1)[1]
    nov = next(line for line in figures.splitlines() if line.startswith("2021-11-30"))
    assert "source not given" in nov and "8 new financial" not in nov
    assert "latest figure's source  source not given" in show
    hub = run("show", "hub", "-f", path, "--as-of", "2021-11-30").stdout
    site = next(line for line in hub.split("stages", 1)[1].splitlines() if "Site approved" in line)
    assert "source not given" in site and "Plan 2021" not in site

    data = json.loads(run("status", "-f", path, "--as-of", "2021-11-30", "--format", "json").stdout)
    inst = next(t for t in data["targets"] if t["id"] == "inst")
    assert inst["source"]["clause"] == "8 new financial institutions were added"  # the commitment's
    assert inst["latest"]["source"] is None and inst["figure_source"] is None  # the figure's own: none
    hub_json = next(t for t in data["targets"] if t["id"] == "hub")
    assert hub_json["figure_source"] is None and hub_json["source"]["document"] == "Plan 2021"

    from target_tracker.ledger.load import load_ledger

    ledger = load_ledger(path).ledger
    assert ledger is not None
    rep = build_report(ledger, "2021-11", date(2021, 12, 10))
    assert {u.target.id: u.source for u in rep.updates} == {"inst": "source not given", "hub": "source not given"}
    md = run("report", "--month", "2021-11", "-f", path).stdout
    progress = md.split("This month's progress", 1)[1].split("\n## ", 1)[0]
    assert "source not given" in progress and "8 new financial institutions were added" not in progress


def test_figure_with_its_own_source_shows_it(run, write_ledger) -> None:  # type: ignore[no-untyped-def]
    path = write_ledger(LEDGER)
    data = json.loads(run("status", "-f", path, "--as-of", "2021-10-31", "--format", "json").stdout)
    inst = next(t for t in data["targets"] if t["id"] == "inst")
    assert inst["figure_source"] == "Area report Oct 2021"


def test_done_takes_note_and_source(run, write_ledger, fixed_today) -> None:  # type: ignore[no-untyped-def]
    path = write_ledger(LEDGER)
    before = path.read_text(encoding="utf-8")
    result = run("done", "hub", "Site", "--date", "2021-11-20", "--note", "湘发改交能〔2022〕123号",
                 "--source", "Hunan DRC approval", "-f", path)  # fmt: skip
    assert result.exit_code == 0, result.output
    after = path.read_text(encoding="utf-8")
    old_line = '  { name = "Site approved", planned = 2022-06-30 },\n'
    new_line = ('  { name = "Site approved", planned = 2022-06-30, done = 2021-11-20, note = "湘发改交能〔2022〕123号", '
                'source = "Hunan DRC approval", recorded = 2026-01-15 },\n')  # fmt: skip
    assert after == before.replace(old_line, new_line)
    hub = run("show", "hub", "-f", path, "--as-of", "2021-11-30").stdout
    assert "Hunan DRC approval" in hub and "湘发改交能〔2022〕123号" in hub


REQUIRE = LEDGER.replace('title = "t"\n', 'title = "t"\n\n[settings]\nrequire_figure_source = true\n', 1)


def test_require_figure_source_refuses_and_check_lists(run, write_ledger) -> None:  # type: ignore[no-untyped-def]
    path = write_ledger(REQUIRE.replace(', source = "Area report Oct 2021"', ""))
    before = path.read_bytes()
    result = run("update", "inst", "8", "--date", "2021-11-30", "-f", path)
    assert result.exit_code == 2 and "--source" in result.stderr
    result = run("done", "hub", "1", "--date", "2021-11-20", "-f", path)
    assert result.exit_code == 2 and "--source" in result.stderr
    assert path.read_bytes() == before
    assert run("update", "inst", "8", "--date", "2021-11-30", "--source", "Area report", "-f", path).exit_code == 0
    check = run("check", "-f", path)
    assert check.exit_code == 0
    assert f"{path}:19: warning: inst: figure dated 2021-10-31 has no source" in check.stderr
    assert "2021-11-30 has no source" not in check.stderr


def test_require_figure_source_off_by_default(run, write_ledger) -> None:  # type: ignore[no-untyped-def]
    path = write_ledger(LEDGER)
    assert run("update", "inst", "8", "--date", "2021-11-30", "-f", path).exit_code == 0
    assert "no source" not in run("check", "-f", path).output


def test_missing_local_source_file_is_a_check_warning(run, write_ledger, tmp_path) -> None:  # type: ignore[no-untyped-def]
    (tmp_path / "docs").mkdir()
    (tmp_path / "docs" / "oct.pdf").write_bytes(b"%PDF")
    text = LEDGER.replace('source = "Area report Oct 2021"', 'source = "docs/oct.pdf"').replace(
        'source = "Plan 2021"', 'source = { document = "Plan", url = "docs/plan-2021.pdf" }'
    )
    path = write_ledger(text)
    result = run("check", "-f", path)
    assert result.exit_code == 0
    assert f"{path}:24: warning: hub: source file 'docs/plan-2021.pdf' does not exist" in result.stderr
    assert "oct.pdf" not in result.stderr  # it exists
    assert "City news" not in result.stderr  # a title, not a file


def test_bundled_ledger_names_its_source_file_or_is_warned(run) -> None:  # type: ignore[no-untyped-def]
    result = run("check", "-f", ROOT / "targets.toml")
    exists = (ROOT / "../shared/source/chenzhou-reform-opening-up-2021-12-06.txt").exists()
    assert ("does not exist" in result.stderr) is not exists
