"""`tracker check` and loading: every problem at once, as FILE:LINE: message.

Each ledger in tests/data/broken/ states what check must say about it in
its header comments (``# expect-exit: N`` and ``# expect: LINE: text``).
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from target_tracker.ledger.load import load_ledger

from .conftest import DATA, ROOT

BROKEN = sorted((DATA / "broken").glob("*.toml"))


def expectations(path: Path) -> tuple[int, list[tuple[int, str]]]:
    text = path.read_text(encoding="utf-8")
    code = int(re.search(r"^# expect-exit: (\d+)", text, re.M).group(1))  # type: ignore[union-attr]
    expected = [(int(m.group(1)), m.group(2)) for m in re.finditer(r"^# expect: (\d+): (.+)$", text, re.M)]
    return code, expected


@pytest.mark.parametrize("path", BROKEN, ids=[p.stem for p in BROKEN])
def test_broken_ledger_reports_file_line_and_message(run, path: Path) -> None:  # type: ignore[no-untyped-def]
    code, expected = expectations(path)
    assert expected, "each broken ledger must declare what check reports"
    result = run("check", "-f", path)
    assert result.exit_code == code, result.output
    assert "Traceback" not in result.output
    lines = result.stderr.splitlines()
    for line_no, text in expected:
        wanted = f"{path}:{line_no}: {text}"
        assert any(line.startswith(wanted) for line in lines), f"missing {wanted!r} in:\n{result.stderr}"


def test_invalid_utf8_names_file_and_line(run, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path / "targets.toml"
    path.write_bytes(b'title = "ok"\n\n[targets.a]\ntitle = "caf\xe9"\n')
    result = run("check", "-f", path)
    assert result.exit_code == 2
    assert result.stderr.strip() == f"{path}:4: not valid UTF-8 (byte 0xe9); save the file as UTF-8"


def test_missing_ledger_is_one_line_exit_2(run, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    for command in ("check", "status", "show"):
        args = [command, "-f", tmp_path / "nope.toml"] + (["x"] if command == "show" else [])
        result = run(*args)
        assert result.exit_code == 2, command
        assert len(result.stderr.strip().splitlines()) == 1
        assert "nope.toml" in result.stderr and "tracker init" in result.stderr


def test_directory_instead_of_file(run, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    result = run("status", "-f", tmp_path)
    assert result.exit_code == 2
    assert "is a directory" in result.stderr


def test_status_refuses_a_ledger_with_errors(run) -> None:  # type: ignore[no-untyped-def]
    result = run("status", "-f", DATA / "broken" / "semantics.toml")
    assert result.exit_code == 2
    assert "run 'tracker check'" in result.stderr
    assert result.stdout == ""


def test_bundled_ledger_is_clean(run) -> None:  # type: ignore[no-untyped-def]
    result = run("check", "-f", ROOT / "targets.toml")
    assert result.exit_code == 0, result.output
    # the source document sits beside the repository (../shared/source); a checkout without it is warned
    missing = not (ROOT / "../shared/source/chenzhou-reform-opening-up-2021-12-06.txt").exists()
    assert ("0 errors, 1 warning" if missing else "0 errors, 0 warnings") in result.output


def test_bundled_ledger_holds_the_reported_figures() -> None:
    ledger = load_ledger(ROOT / "targets.toml").ledger
    assert ledger is not None
    t = ledger.targets
    figures = {
        "reform-tasks": (89, 102),
        "implementation-measures": (228, 264),
        "innovation-cases": (33, None),
        "fixed-asset-investment": (6.178, None),
        "paid-in-foreign-investment": (23.32, None),
        "new-financial-institutions": (8, None),
        "ftz-projects": (48, None),
        "ftz-project-value": (15.614, None),
        "ftz-large-projects": (23, None),
    }
    for tid, (value, target) in figures.items():
        obs = t[tid].observations
        assert [(o.date.isoformat(), o.value) for o in obs] == [("2021-10-31", value)], tid
        if target is not None:
            assert t[tid].target == target
    for tid, bound in [("gba-projects-share", 90), ("gba-vegetables-share", 80), ("gba-tourists-share", 80),
                       ("gba-migrant-workers-share", 80)]:  # fmt: skip
        assert t[tid].kind == "maintain" and t[tid].at_least == bound
    for tid in ("linwu-lianzhou-expressway", "beihu-airport-expansion", "agri-cold-chain-hub", "intl-cold-chain-hub"):
        assert t[tid].kind == "milestones"
    assert {x.kind for x in t.values()} == {"quantity", "maintain", "milestones", "rollup"}


def test_every_assumed_due_date_is_marked_as_an_assumption() -> None:
    """Due dates the source does not give must carry an ASSUMPTION comment."""
    for line in (ROOT / "targets.toml").read_text(encoding="utf-8").splitlines():
        if line.startswith("due = 202") and not line.startswith("due = 2021-12-31"):
            assert "ASSUMPTION" in line, line
