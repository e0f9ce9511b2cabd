"""`tracker status` and `tracker show` through the CLI, as a planner runs them."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from wcwidth import wcswidth

from target_tracker.cli import app

from .conftest import ROOT

CHINESE = """\
title = "交通项目"

[targets.expressway]
title = "临武至连州高速公路"
kind = "milestones"
area = "交通"
start = 2021-01-01
due = 2025-12-31
stages = [
  { name = "立项", planned = 2021-06-30, done = 2021-05-20 },
  { name = "通车", weight = 3, planned = 2025-12-31 },
]

[targets.airport]
title = "北湖机场改扩建"
kind = "quantity"
area = "交通"
unit = "%"
target = 100
start = 2021-01-01
due = 2024-12-31
observations = [{ date = 2021-10-31, value = 12.5 }]

[targets.english]
title = "An English title"
kind = "quantity"
area = "Reform"
target = 10
start = 2021-01-01
due = 2021-12-31
observations = [{ date = 2021-10-31, value = 7 }]
"""


def test_status_text_table(run, write_ledger) -> None:  # type: ignore[no-untyped-def]
    path = write_ledger()
    result = run("status", "-f", path, "--as-of", "2021-10-31")
    assert result.exit_code == 0, result.output
    out = result.stdout
    assert "89 / 102 tasks" in out
    assert "87.3%" in out
    # expected: 303 of 364 days gone
    assert f"{303 / 364 * 100:.1f}%" in out
    assert "on-track" in out
    assert "Overall completion 87.3% as of 2021-10-31" in out
    assert "\x1b[" not in out  # NO_COLOR set by the runner


def test_status_json_contract(run, write_ledger) -> None:  # type: ignore[no-untyped-def]
    path = write_ledger()
    result = run("status", "-f", path, "--as-of", "2021-10-31", "--format", "json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["ledger"] == "Test ledger"
    assert data["as_of"] == "2021-10-31"
    assert data["summary"] == {"targets": 1, "completion": 0.8725, "by_status": {"on-track": 1}}
    (t,) = data["targets"]
    required = (
        "id title kind area owner unit baseline target current ratio expected status due updated stale parent source"
    )
    assert set(required.split()) <= set(t)
    assert t["ratio"] == 0.8725 and t["current"] == 89 and t["target"] == 102 and t["baseline"] == 0
    assert t["expected"] == round(303 / 364, 4)
    assert t["status"] == "on-track" and t["due"] == "2021-12-31" and t["updated"] == "2021-10-31"
    assert t["stale"] is False and t["parent"] is None
    assert t["latest"]["source"] == "news 2021-12-06"


def test_json_source_falls_back_to_the_ledgers(run) -> None:  # type: ignore[no-untyped-def]
    result = run("status", "-f", ROOT / "targets.toml", "--as-of", "2021-10-31", "--format", "json")
    data = json.loads(result.stdout)
    by_id = {t["id"]: t for t in data["targets"]}
    src = by_id["reform-tasks"]["source"]
    assert src["date"] == "2021-12-06"
    assert src["clause"] == "89 of the 102 reform and innovation tasks have been implemented"
    assert "Chenzhou" in src["document"]
    assert by_id["reform-tasks"]["ratio"] == 0.8725
    assert by_id["implementation-measures"]["ratio"] == 0.8636


def test_as_of_forms(run, write_ledger) -> None:  # type: ignore[no-untyped-def]
    path = write_ledger()
    for form in ("2021-10-31", "2021-10", "Oct 2021", "31 Oct 2021", "October 31, 2021"):
        result = run("status", "-f", path, "--as-of", form, "--format", "json")
        assert result.exit_code == 0, (form, result.output)
        assert json.loads(result.stdout)["as_of"] == "2021-10-31", form


@pytest.mark.parametrize("bad", ["2021-13-45", "2021-02-30", "abc", "2021-13", ""])
def test_bad_as_of_is_one_line_error(run, write_ledger, bad: str) -> None:  # type: ignore[no-untyped-def]
    result = run("status", "-f", write_ledger(), "--as-of", bad)
    assert result.exit_code == 2
    assert result.stderr.startswith("tracker: --as-of:")
    assert len(result.stderr.strip().splitlines()) == 1


def test_ledger_option_before_or_after_command_and_env(run, write_ledger, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    path = write_ledger()
    a = run("-f", path, "status", "--as-of", "2021-10-31")
    b = run("status", "--as-of", "2021-10-31", "--ledger", path)
    c = run("status", "--as-of", "2021-10-31", env={"TRACKER_LEDGER": str(path)})
    assert a.exit_code == b.exit_code == c.exit_code == 0
    assert a.stdout == b.stdout == c.stdout
    assert "89 / 102" in a.stdout


def test_filters_and_sort(run) -> None:  # type: ignore[no-untyped-def]
    ledger = ROOT / "targets.toml"
    result = run("status", "-f", ledger, "--as-of", "2021-10-31", "--area", "Greater Bay Area integration",
                 "--format", "json")  # fmt: skip
    ids = [t["id"] for t in json.loads(result.stdout)["targets"]]
    assert ids[0] == "gba-integration" and len(ids) == 5
    result = run("status", "-f", ledger, "--as-of", "2021-10-31", "--status", "met", "--format", "json")
    data = json.loads(result.stdout)
    assert {t["status"] for t in data["targets"]} == {"met"}
    assert data["summary"]["by_status"] == {"met": len(data["targets"])}
    result = run("status", "-f", ledger, "--as-of", "2021-10-31", "--sort", "done", "--format", "json",
                 "--area", "Pilot Free Trade Zone")  # fmt: skip
    ratios = [t["ratio"] for t in json.loads(result.stdout)["targets"]]
    assert ratios == sorted(ratios)
    bad = run("status", "-f", ledger, "--status", "great")
    assert bad.exit_code == 2 and "unknown status 'great'" in bad.stderr


def test_formats_csv_markdown_styles(run, write_ledger) -> None:  # type: ignore[no-untyped-def]
    path = write_ledger()
    csv_out = run("status", "-f", path, "--as-of", "2021-10-31", "--format", "csv").stdout
    header, row = csv_out.splitlines()
    assert header.startswith("id,title,area,kind,progress,current,target,unit,ratio,expected,status,due")
    assert row.startswith("tasks,Reform tasks,Reform,quantity,89 / 102 tasks,89,102,tasks,0.872549")
    md = run("status", "-f", path, "--as-of", "2021-10-31", "--format", "markdown").stdout
    assert "| tasks" in md and "### Reform" in md
    grid = run("status", "-f", path, "--as-of", "2021-10-31", "--format", "grid").stdout
    assert "+---" in grid
    bad = run("status", "-f", path, "--format", "excel")
    assert bad.exit_code == 2 and "unknown format 'excel'" in bad.stderr


def _display_column(line: str, needle: str) -> int:
    return wcswidth(line[: line.index(needle)])


def test_chinese_titles_line_up(run, write_ledger) -> None:  # type: ignore[no-untyped-def]
    path = write_ledger(CHINESE)
    result = run("status", "-f", path, "--as-of", "2021-10-31")
    assert result.exit_code == 0, result.output
    rows = [line for line in result.stdout.splitlines() if line.startswith(("expressway", "airport", "english"))]
    assert len(rows) == 3
    # the status column starts at the same screen column on every row
    columns = {_display_column(line, status) for line in rows for status in ("on-track", "behind", "at-risk")
               if status in line}  # fmt: skip
    assert len(columns) == 1, result.stdout
    dues = {_display_column(line, "202") for line in rows}
    assert len(dues) == 1, result.stdout


def test_colour_only_on_a_terminal(write_ledger, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    from target_tracker.cli import common as cli

    monkeypatch.delenv("NO_COLOR", raising=False)
    monkeypatch.setattr(cli.sys.stdout, "isatty", lambda: True, raising=False)
    assert cli.use_color("text") is True
    assert cli.use_color("json") is False
    monkeypatch.setenv("NO_COLOR", "1")
    assert cli.use_color("text") is False


def test_colour_codes_in_status_column(write_ledger) -> None:  # type: ignore[no-untyped-def]
    from target_tracker.compute import evaluate
    from target_tracker.ledger.load import load_ledger
    from target_tracker.output.render import render
    from target_tracker.output.views import status_view

    ledger = load_ledger(write_ledger()).ledger
    assert ledger is not None
    ev = evaluate(ledger, __import__("datetime").date(2021, 10, 31))
    out = render(status_view(ev, ev.rows), "text", color=True)
    assert "\x1b[32mon-track\x1b[0m" in out


def test_show_target_in_full(run) -> None:  # type: ignore[no-untyped-def]
    result = run("show", "reform-tasks", "-f", ROOT / "targets.toml", "--as-of", "2021-10-31")
    assert result.exit_code == 0, result.output
    out = result.stdout
    for text in ("89 / 102 tasks", "87.3%", "89 of the 102 reform and innovation tasks", "planned trajectory",
                 "observations (tasks)", "projected completion", "before due"):  # fmt: skip
        assert text in out, text


def test_show_observation_changes_and_children(run, write_ledger) -> None:  # type: ignore[no-untyped-def]
    path = write_ledger("""\
        [targets.all]
        title = "All"
        kind = "rollup"

        [targets.q]
        title = "Q"
        parent = "all"
        target = 100
        start = 2021-01-01
        due = 2021-12-31
        observations = [
          { date = 2021-03-31, value = 20 },
          { date = 2021-06-30, value = 45, note = "half year" },
        ]
        """)
    out = run("show", "q", "-f", path, "--as-of", "2021-07-01").stdout
    assert "+25" in out and "half year" in out
    out = run("show", "all", "-f", path, "--as-of", "2021-07-01").stdout
    assert "children" in out and "45 / 100" in out
    data = json.loads(run("show", "q", "-f", path, "--as-of", "2021-07-01", "--format", "json").stdout)
    assert [o["value"] for o in data["observations"]] == [20, 45]
    assert data["projected_completion"] is not None


def test_show_unknown_id_suggests(run) -> None:  # type: ignore[no-untyped-def]
    result = run("show", "reform-task", "-f", ROOT / "targets.toml")
    assert result.exit_code == 2
    assert "did you mean 'reform-tasks'" in result.stderr


def test_every_command_has_help_with_an_example(run) -> None:  # type: ignore[no-untyped-def]
    import typer.main

    group = typer.main.get_command(app)
    names = list(group.commands)  # type: ignore[attr-defined]
    assert {"status", "show", "check"} <= set(names)
    for name in names:
        result = run(name, "--help")
        assert result.exit_code == 0, name
        assert "Example" in result.stdout and f"tracker {name}" in result.stdout, name


def test_python_dash_m_works() -> None:
    import subprocess
    import sys

    out = subprocess.run([sys.executable, "-m", "target_tracker", "--version"], capture_output=True, text=True)
    assert out.returncode == 0 and out.stdout.startswith("tracker ")


def test_one_unknown_area_among_several_is_an_error(run) -> None:  # type: ignore[no-untyped-def]
    result = run(
        "status", "--area", "Pilot Free Trade Zone", "--area", "Pilot Free Trade Zon", "-f", ROOT / "targets.toml"
    )
    assert result.exit_code == 2
    assert "no targets in Pilot Free Trade Zon;" in result.output
