"""Done-when check of issue 9: a ledger built ONLY through the CLI from an empty
file (init, add, update, done), with nested weighted rollups of quantity,
maintain and milestones targets, evaluates as docs/ledger-format.md says.
Every expected number below is computed by hand from the documented rules."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest

from target_tracker.cli import common


@pytest.fixture
def built(run, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:  # type: ignore[no-untyped-def]
    path = tmp_path / "targets.toml"

    def on(day: str, *args: str) -> None:
        monkeypatch.setattr(common, "today", lambda: date.fromisoformat(day))
        result = run(*args, "-f", path)
        assert result.exit_code == 0, f"{args}: {result.output}"

    span = ("--start", "2021-01-01", "--due", "2021-12-31")
    on("2021-01-01", "init", path, "--title", "City plan")
    on("2021-01-01", "add", "city", "--kind", "rollup", "--title", "City")
    on("2021-01-01", "add", "econ", "--kind", "rollup", "--title", "Economy", "--parent", "city", "--weight", "2")
    on("2021-01-01", "add", "q1", "--title", "Investment", "--target", "100", "--unit", "bn", *span,
       "--parent", "econ", "--weight", "3")  # fmt: skip
    on("2021-01-01", "add", "m1", "--title", "Exports to the GBA", "--at-least", "80", "--unit", "%",
       "--parent", "econ")  # fmt: skip
    on("2021-01-01", "add", "ms", "--title", "Bridge", "--stage", "A:1@2021-03-31", "--stage", "B:3@2021-12-31",
       *span, "--parent", "city")  # fmt: skip
    on("2021-01-01", "add", "q2", "--title", "Unemployment", "--baseline", "10", "--target", "0", "--unit", "%",
       *span, "--parent", "city")  # fmt: skip
    on("2021-04-05", "update", "q1", "40", "--date", "2021-03-31", "--source", "Q1 report")
    on("2021-04-05", "done", "ms", "A", "--date", "2021-03-20", "--note", "湘发改交能〔2022〕123号", "--source", "DRC")
    on("2021-07-05", "update", "q1", "60", "--date", "2021-06-30", "--source", "H1 report")
    on("2021-07-05", "update", "m1", "85", "--date", "2021-06-30")
    on("2021-07-05", "update", "q2", "6", "--date", "2021-06-30")
    on("2021-08-03", "update", "q1", "58", "--date", "2021-06-30", "--revise", "--source", "H1 revised")
    return path


def rows(run, path: Path, *args: str) -> dict:  # type: ignore[no-untyped-def, type-arg]
    result = run("status", "-f", path, "--format", "json", *args)
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    return {t["id"]: t for t in data["targets"]} | {"_summary": data["summary"]}


def test_cli_built_ledger_evaluates_as_documented(run, built: Path) -> None:  # type: ignore[no-untyped-def]
    assert run("check", "-f", built).exit_code == 0
    # 2021-07-02 is day 182 of 364: the straight line expects 0.5
    r = rows(run, built, "--as-of", "2021-07-02")
    # q1: revised 58 of 100 (the newest entry wins) -> 0.58, expects 0.5: on-track
    assert (r["q1"]["current"], r["q1"]["ratio"], r["q1"]["expected"], r["q1"]["status"]) == (58, 0.58, 0.5, "on-track")
    # m1: 85 >= 80 met: counts 1 and expects 1
    assert (r["m1"]["ratio"], r["m1"]["status"]) == (1.0, "met")
    # econ: (3 x 0.58 + 1 x 1) / 4 = 0.685; expected (3 x 0.5 + 1 x 1) / 4 = 0.625
    assert (r["econ"]["ratio"], r["econ"]["expected"], r["econ"]["status"]) == (0.685, 0.625, "on-track")
    # ms: stages 1 + 3, A done: 0.25; every stage planned, A by 03-31: expects 0.25
    assert (r["ms"]["ratio"], r["ms"]["expected"], r["ms"]["status"]) == (0.25, 0.25, "on-track")
    # q2: from 10 down to 0, at 6: (6 - 10) / (0 - 10) = 0.4, expects 0.5: gap 0.1 -> at-risk
    assert (r["q2"]["ratio"], r["q2"]["status"]) == (0.4, "at-risk")
    # city: econ w2, ms w1, q2 w1: (2 x 0.685 + 0.25 + 0.4) / 4 = 0.505; expected (1.25 + 0.25 + 0.5) / 4 = 0.5
    assert (r["city"]["ratio"], r["city"]["expected"], r["city"]["status"]) == (0.505, 0.5, "on-track")
    # overall completion: the one top-level target
    assert r["_summary"]["completion"] == 0.505
    # figures keep their own sources; q2's has none and borrows nothing
    assert r["q1"]["figure_source"] == "H1 revised" and r["q2"]["figure_source"] is None
    assert r["ms"]["figure_source"] == "DRC"


def test_cli_built_ledger_before_the_maintain_figure_and_as_reported(run, built: Path) -> None:  # type: ignore[no-untyped-def]
    # 2021-05-31 is day 150: expects 150/364. m1 has no figure yet: left out of econ, so econ is q1 alone
    r = rows(run, built, "--as-of", "2021-05-31")
    assert r["m1"]["status"] == "no-data"
    assert (r["econ"]["ratio"], r["econ"]["expected"]) == (0.4, round(150 / 364, 4))
    # as reported on 2021-07-10: q1's revision (entered 2021-08-03) is not known yet -> 60
    then = rows(run, built, "--as-of", "2021-07-10", "--as-reported")
    assert then["q1"]["current"] == 60
    # (3 x 0.6 + 1) / 4 = 0.7; city (2 x 0.7 + 0.25 + 0.4) / 4 = 0.5125
    assert (then["econ"]["ratio"], then["city"]["ratio"]) == (0.7, 0.5125)
    show = run("show", "q1", "-f", built, "--as-of", "2021-08-31").stdout
    line = next(x for x in show.split("revisions", 1)[1].splitlines() if x.startswith("2021-06-30"))
    assert line.split()[:6] == ["2021-06-30", "60", "2021-07-05", "2021-08-03", "58", "-2"]
    arithmetic = run("show", "city", "-f", built, "--as-of", "2021-07-02").stdout
    assert "done = Σ weight × done / Σ weight = 2.02 / 4 = 50.5%" in arithmetic


def test_readme_rollup_example_works_as_written_from_an_empty_ledger(run, tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    import re
    import shlex

    from .conftest import ROOT

    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    block = next(b for b in re.findall(r"```sh\n(.*?)```", readme, re.S) if b.startswith("tracker init\n"))
    commands = [shlex.split(line) for line in block.replace("\\\n", " ").splitlines() if line.strip()]
    assert [c[1] for c in commands] == ["init", "add", "add", "add", "update", "show"]
    monkeypatch.setattr(common, "today", lambda: date(2026, 3, 2))
    path = tmp_path / "targets.toml"
    for command in commands:
        result = run(*command[1:], env={"TRACKER_LEDGER": str(path)})
        assert result.exit_code == 0, f"{command}: {result.output}"
    shown = result.stdout
    assert "done = Σ weight × done / Σ weight = 0.1 / 2 = 5.0%" in shown
    assert shown.split("how the rollup is computed", 1)[1] in readme
