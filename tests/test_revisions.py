"""First reported vs revised: the past stays what was published (issue 9, section 2)."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest

from target_tracker.cli import common

LEDGER = """\
title = "t"

[targets.a]
title = "A"
kind = "quantity"
target = 100
start = 2021-01-01
due = 2021-12-31
observations = [
  { date = 2021-09-30, value = 50 },
]
"""


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch):  # type: ignore[no-untyped-def]
    """clock("2021-11-05") sets the CLI's today."""

    def set_today(day: str) -> None:
        monkeypatch.setattr(common, "today", lambda: date.fromisoformat(day))

    return set_today


def status_json(run, path: Path, *args: str) -> dict:  # type: ignore[no-untyped-def, type-arg]
    result = run("status", "-f", path, "--format", "json", *args)
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)  # type: ignore[no-any-return]


def current(data: dict, tid: str) -> float:  # type: ignore[type-arg]
    return next(t for t in data["targets"] if t["id"] == tid)["current"]  # type: ignore[no-any-return]


def test_update_stamps_recorded_and_revise_keeps_the_first_report(run, write_ledger, clock) -> None:  # type: ignore[no-untyped-def]
    path = write_ledger(LEDGER)
    clock("2021-11-05")
    assert run("update", "a", "60", "--date", "2021-10-31", "--source", "Oct report", "-f", path).exit_code == 0
    first = path.read_text(encoding="utf-8")
    assert first == LEDGER.replace(
        "  { date = 2021-09-30, value = 50 },\n",
        '  { date = 2021-09-30, value = 50 },\n'
        '  { date = 2021-10-31, value = 60, source = "Oct report", recorded = 2021-11-05 },\n',
    )  # fmt: skip
    clock("2021-12-03")
    refused = run("update", "a", "58", "--date", "2021-10-31", "-f", path)
    assert refused.exit_code == 2 and "--revise" in refused.stderr and "--replace" in refused.stderr
    assert path.read_text(encoding="utf-8") == first
    result = run("update", "a", "58", "--date", "2021-10-31", "--revise", "--source", "Dec report", "-f", path)
    assert result.exit_code == 0, result.output
    assert "60 -> 58" in result.stdout and "revision" in result.stdout
    assert path.read_text(encoding="utf-8") == first.replace(
        "recorded = 2021-11-05 },\n",
        'recorded = 2021-11-05 },\n  { date = 2021-10-31, value = 58, source = "Dec report", recorded = 2021-12-03 },\n',
    )
    check = run("check", "-f", path)
    assert check.exit_code == 0 and "two observations" not in check.output
    # best current knowledge vs what was known on 2021-11-10
    assert current(status_json(run, path, "--as-of", "2021-10-31"), "a") == 58
    reported = status_json(run, path, "--as-of", "2021-11-10", "--as-reported")
    assert current(reported, "a") == 60 and reported["as_reported"] is True
    assert current(status_json(run, path, "--as-of", "2021-11-04", "--as-reported"), "a") == 50
    # show lists the revision: first reported, revised on, by how much
    show = run("show", "a", "-f", path, "--as-of", "2021-12-31").stdout
    revisions = show.split("revisions", 1)[1]
    line = next(x for x in revisions.splitlines() if x.startswith("2021-10-31"))
    assert line.split()[:6] == ["2021-10-31", "60", "2021-11-05", "2021-12-03", "58", "-2"]
    # a second revision the same day is a typo fix, not a revision
    same_day = run("update", "a", "57", "--date", "2021-10-31", "--revise", "-f", path)
    assert same_day.exit_code == 2 and "recorded 2021-12-03" in same_day.stderr


def test_replace_says_it_drops_the_old_value(run, write_ledger, clock) -> None:  # type: ignore[no-untyped-def]
    path = write_ledger(LEDGER)
    clock("2021-10-05")
    result = run("update", "a", "55", "--date", "2021-09-30", "--replace", "-f", path)
    assert result.exit_code == 0, result.output
    assert "old value 50 is dropped" in result.stderr
    assert path.read_text(encoding="utf-8") == LEDGER.replace("value = 50 }", "value = 55 }")


def test_same_date_and_same_recorded_is_still_a_warning(run, write_ledger) -> None:  # type: ignore[no-untyped-def]
    text = LEDGER.replace(
        "  { date = 2021-09-30, value = 50 },\n",
        "  { date = 2021-09-30, value = 50 },\n  { date = 2021-09-30, value = 51 },\n"
        "  { date = 2021-10-31, value = 60, recorded = 2021-11-05 },\n"
        "  { date = 2021-10-31, value = 58, recorded = 2021-12-03 },\n",
    )
    path = write_ledger(text)
    result = run("check", "-f", path)
    assert f"{path}:11: warning: a: two observations dated 2021-09-30" in result.stderr
    assert "2021-10-31" not in result.stderr


def test_added_targets_are_left_out_as_reported(run, write_ledger, clock) -> None:  # type: ignore[no-untyped-def]
    path = write_ledger(LEDGER)
    clock("2021-11-20")
    assert run("add", "b", "--title", "B", "--target", "10", "--start", "2021-01-01", "--due", "2021-12-31",
               "-f", path).exit_code == 0  # fmt: skip
    assert "added = 2021-11-20" in path.read_text(encoding="utf-8")
    # a at 50% is the only target on 2021-10-31 as reported on 2021-11-10; now b (no figure) weighs in
    then = status_json(run, path, "--as-of", "2021-10-31", "--as-reported")
    assert [t["id"] for t in then["targets"]] == ["a"] and then["summary"]["completion"] == 0.5
    now = status_json(run, path, "--as-of", "2021-10-31")
    assert [t["id"] for t in now["targets"]] == ["a", "b"] and now["summary"]["completion"] == 0.25


def test_publish_records_the_issue_date_in_the_ledger(run, write_ledger, clock) -> None:  # type: ignore[no-untyped-def]
    path = write_ledger(LEDGER)
    clock("2021-11-08")
    result = run("report", "--month", "2021-10", "--publish", "-f", path)
    assert result.exit_code == 0, result.output
    block = '\n[reports.published]  # when each month\'s report was issued (tracker report --publish)\n"2021-10" = 2021-11-08\n'
    assert path.read_text(encoding="utf-8") == LEDGER + block
    clock("2021-12-09")
    assert run("report", "--month", "2021-11", "--publish", "-f", path).exit_code == 0
    assert path.read_text(encoding="utf-8") == LEDGER + block + '"2021-11" = 2021-12-09\n'
    again = run("report", "--month", "2021-11", "--publish", "-f", path)
    assert again.exit_code == 0 and "already recorded as issued on 2021-12-09" in again.stderr
    assert run("check", "-f", path).exit_code == 0


@pytest.mark.parametrize(
    ("table", "message"),
    [('"2021-13" = 2022-01-05', "not a month"), ('"2021-10" = 2021-10-15', "before the month ends")],
)
def test_bad_published_dates_are_errors(run, write_ledger, table: str, message: str) -> None:  # type: ignore[no-untyped-def]
    path = write_ledger(LEDGER + "\n[reports.published]\n" + table + "\n")
    result = run("check", "-f", path)
    assert result.exit_code == 1
    assert f"{path}:14: reports.published" in result.stderr and message in result.stderr


REPORTED = """\
title = "t"

[settings]
report_grace_days = 10

[targets.a]
title = "A"
kind = "quantity"
target = 100
start = 2021-01-01
due = 2021-12-31
observations = [
  { date = 2021-10-31, value = 60, recorded = 2021-11-05 },
  { date = 2021-10-31, value = 58, recorded = 2021-12-03 },
  { date = 2021-11-30, value = 70, recorded = 2021-12-05 },
]

[targets.c]
title = "C"
kind = "quantity"
target = 100
start = 2021-01-01
due = 2021-12-31
observations = [
  { date = 2021-10-31, value = 40, recorded = 2021-11-09 },
  { date = 2021-11-30, value = 45, recorded = 2021-12-05 },
]

[targets.late]
title = "Late"
kind = "quantity"
target = 10
start = 2021-01-01
due = 2021-12-31
observations = [
  { date = 2021-10-31, value = 5, recorded = 2021-11-20 },
]
"""


def test_report_compares_with_last_month_as_reported(run, write_ledger) -> None:  # type: ignore[no-untyped-def]
    # October's report counts as issued 2021-10-31 + 10 days = 2021-11-10: it showed a 60%, c 40%,
    # late no figure (0): completion (0.6 + 0.4 + 0) / 3 = 33.3%. Best knowledge now says a was 58%
    # and late 50%: 49.3%, which November must not compare with.
    path = write_ledger(REPORTED)
    data = json.loads(run("report", "--month", "2021-11", "--format", "json", "-f", path).stdout)
    assert data["previous_issued"] == "2021-11-10"
    assert data["headline"]["completion_previous"] == pytest.approx(1 / 3, abs=1e-4)
    # November: a 70%, c 45%, late 50%: 55%
    assert data["headline"]["completion"] == pytest.approx(0.55, abs=1e-4)
    assert [(r["id"], r["date"], r["old"], r["new"], r["recorded"]) for r in data["revisions"]] == [
        ("late", "2021-10-31", None, 5, "2021-11-20"),
        ("a", "2021-10-31", 60, 58, "2021-12-03"),
    ]
    md = run("report", "--month", "2021-11", "-f", path).stdout
    section = md.split("Late and revised figures", 1)[1].split("\n## ", 1)[0]
    assert "entered since last month's report of 2021-11-10" in section
    assert "| 2021-10-31 | A <sub>a</sub> | 60 → 58, revised | 2021-12-03 |" in section
    assert "| 2021-10-31 | Late <sub>late</sub> | 5, first reported late | 2021-11-20 |" in section
    html = run("report", "--month", "2021-11", "--format", "html", "-f", path).stdout
    assert "Late and revised figures" in html


def test_published_date_and_grace_days_set_what_last_month_showed(run, write_ledger) -> None:  # type: ignore[no-untyped-def]
    # issued 2021-11-08: c's October figure (recorded 11-09) was not in it -> (0.6 + 0 + 0) / 3
    path = write_ledger(REPORTED + '\n[reports.published]\n"2021-10" = 2021-11-08\n')
    data = json.loads(run("report", "--month", "2021-11", "--format", "json", "-f", path).stdout)
    assert data["headline"]["completion_previous"] == pytest.approx(0.2, abs=1e-4)
    assert "c" in [r["id"] for r in data["revisions"]]
    # no record, three days' grace: 2021-11-03, before any October figure was entered -> 0%
    path = write_ledger(REPORTED.replace("report_grace_days = 10", "report_grace_days = 3"))
    data = json.loads(run("report", "--month", "2021-11", "--format", "json", "-f", path).stdout)
    assert data["headline"]["completion_previous"] == 0


def test_report_as_reported_shows_this_month_as_issued(run, write_ledger) -> None:  # type: ignore[no-untyped-def]
    # November's report counts as issued 2021-12-10: every figure above was entered by then
    path = write_ledger(REPORTED + '\n[reports.published]\n"2021-11" = 2021-12-04\n')
    data = json.loads(run("report", "--month", "2021-11", "--as-reported", "--format", "json", "-f", path).stdout)
    # on 2021-12-04 a had 58 for October but no November figure; c had 40; late 5 -> (0.58 + 0.4 + 0.5) / 3
    assert data["as_reported"] is True
    assert data["headline"]["completion"] == pytest.approx((0.58 + 0.4 + 0.5) / 3, abs=1e-4)
