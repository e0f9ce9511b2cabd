"""Ledgers split across files, and the cache of parsed files."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

from target_tracker.ledger.cache import FileCache
from target_tracker.ledger.load import load_ledger

from .conftest import ROOT

MAIN = """\
title = "Province"
include = ["cities/", "extra.toml"]

[targets.province]
title = "All cities"
kind = "rollup"
area = "Province"
"""

CITY_A = """\
# Chenzhou's targets
[targets.cz-tasks]
title = "Chenzhou reform tasks"
parent = "province"
unit = "tasks"
target = 102
start = 2021-01-01
due = 2021-12-31
observations = [
  { date = 2021-10-31, value = 89 },
]
"""

CITY_B = """\
[targets.hy-roads]
title = "Hengyang roads"
parent = "province"
unit = "km"
target = 50
start = 2021-01-01
due = 2021-12-31
observations = [
  { date = 2021-10-31, value = 20 },
]
"""

EXTRA = """\
[targets.extra]
title = "Extra file target"
kind = "maintain"
at_least = 80
observations = [{ date = 2021-10-31, value = 85 }]
"""


@pytest.fixture
def split(write_ledger):  # type: ignore[no-untyped-def]
    main = write_ledger(MAIN)
    write_ledger(CITY_A, name="cities/a-chenzhou.toml")
    write_ledger(CITY_B, name="cities/b-hengyang.toml")
    write_ledger(EXTRA, name="extra.toml")
    return main


def test_targets_come_from_every_file(run, split) -> None:  # type: ignore[no-untyped-def]
    result = run("status", "-f", split, "--as-of", "2021-10-31", "--format", "json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert [t["id"] for t in data["targets"]] == ["province", "cz-tasks", "hy-roads", "extra"]
    ledger = load_ledger(split).ledger
    assert ledger is not None
    assert [Path(f).name for f in ledger.files] == ["targets.toml", "a-chenzhou.toml", "b-hengyang.toml", "extra.toml"]
    assert Path(ledger.targets["hy-roads"].file).name == "b-hengyang.toml"
    assert run("check", "-f", split).exit_code == 0


def test_duplicate_id_across_files_names_both(run, split, write_ledger) -> None:  # type: ignore[no-untyped-def]
    write_ledger("\n\n[targets.cz-tasks]\ntitle = 'again'\ntarget = 1\nstart = 2021-01-01\ndue = 2021-12-31\n",
                 name="cities/c-copy.toml")  # fmt: skip
    result = run("check", "-f", split)
    assert result.exit_code == 1
    copy = split.parent / "cities" / "c-copy.toml"
    first = split.parent / "cities" / "a-chenzhou.toml"
    assert f"{copy}:3: duplicate target id 'cz-tasks' (also in {first})" in result.stderr


def test_errors_name_the_included_file_and_line(run, split, write_ledger) -> None:  # type: ignore[no-untyped-def]
    write_ledger(CITY_B.replace("target = 50", 'target = "fifty"'), name="cities/b-hengyang.toml")
    result = run("check", "-f", split)
    assert result.exit_code == 1
    bad = split.parent / "cities" / "b-hengyang.toml"
    assert f"{bad}:5: 'target' must be a number, got text 'fifty'" in result.stderr
    write_ledger(CITY_B.replace('title = "Hengyang roads"', 'title = "Hengyang'), name="cities/b-hengyang.toml")
    result = run("check", "-f", split)
    assert result.exit_code == 1
    assert f"{bad}:2: TOML syntax error" in result.stderr
    write_ledger(MAIN.replace('"extra.toml"', '"missing.toml"'))
    result = run("check", "-f", split)
    assert f"{split}:2: included path 'missing.toml' does not exist" in result.stderr


def test_edits_land_in_the_file_that_holds_the_target(run, split, fixed_today) -> None:  # type: ignore[no-untyped-def]
    folder = split.parent
    before = {p: p.read_bytes() for p in [split, *folder.rglob("*.toml")]}
    r = run("update", "hy-roads", "25", "--date", "2021-11-30", "-f", split)
    assert r.exit_code == 0, r.output
    assert r.stdout.strip() == "hy-roads: 20 -> 25 km (50.0%, behind)"
    hengyang = folder / "cities" / "b-hengyang.toml"
    after = {p: p.read_bytes() for p in before}
    changed = [p for p in before if before[p] != after[p]]
    assert changed == [hengyang]
    assert hengyang.read_text(encoding="utf-8") == CITY_B.replace(
        "  { date = 2021-10-31, value = 20 },\n",
        "  { date = 2021-10-31, value = 20 },\n  { date = 2021-11-30, value = 25, recorded = 2026-01-15 },\n",
    )
    assert run("set", "extra", "owner", "Agriculture", "-f", split).exit_code == 0
    assert 'owner = "Agriculture"' in (folder / "extra.toml").read_text(encoding="utf-8")
    assert "owner" not in split.read_text(encoding="utf-8")


def test_add_with_parent_goes_to_the_parents_file(run, split, write_ledger) -> None:  # type: ignore[no-untyped-def]
    write_ledger(CITY_A.replace("[targets.cz-tasks]", '[targets.cz]\ntitle = "Chenzhou"\nkind = "rollup"\n\n[targets.cz-tasks]')
                 .replace('parent = "province"', 'parent = "cz"'), name="cities/a-chenzhou.toml")  # fmt: skip
    r = run("add", "cz-roads", "--title", "Chenzhou roads", "--target", "30", "--due", "2025-12-31",
            "--start", "2022-01-01", "--parent", "cz", "-f", split)  # fmt: skip
    assert r.exit_code == 0, r.output
    data = tomllib.loads((split.parent / "cities" / "a-chenzhou.toml").read_text(encoding="utf-8"))
    assert data["targets"]["cz-roads"]["parent"] == "cz"


def test_an_edit_that_breaks_another_file_is_refused(run, split) -> None:  # type: ignore[no-untyped-def]
    before = (split.parent / "extra.toml").read_bytes()
    r = run("set", "extra", "parent", "cz-tasks", "-f", split)  # not a rollup
    assert r.exit_code == 2 and "a parent must be a rollup" in r.stderr
    assert (split.parent / "extra.toml").read_bytes() == before


# -- the cache ------------------------------------------------------------------------------


def test_second_read_is_served_from_the_cache(split, private_cache: Path) -> None:
    cache = FileCache(private_cache)
    first = load_ledger(split, cache=cache)
    assert (cache.hits, cache.misses) == (0, 4)
    again = FileCache(private_cache)
    second = load_ledger(split, cache=again)
    assert (again.hits, again.misses) == (4, 0)
    assert first.ledger is not None and second.ledger is not None
    assert second.ledger.targets == first.ledger.targets  # same model, figures included


def test_cache_is_not_used_after_a_file_changes(run, split, private_cache: Path) -> None:  # type: ignore[no-untyped-def]
    load_ledger(split, cache=FileCache(private_cache))
    city = split.parent / "cities" / "b-hengyang.toml"
    stat = city.stat()
    # Same size, same modification time, different content: only the bytes can tell.
    city.write_bytes(city.read_bytes().replace(b"value = 20", b"value = 30"))
    os.utime(city, ns=(stat.st_atime_ns, stat.st_mtime_ns))
    cache = FileCache(private_cache)
    result = load_ledger(split, cache=cache)
    assert (cache.hits, cache.misses) == (3, 1)
    assert result.ledger is not None
    assert result.ledger.targets["hy-roads"].observations[-1].value == 30
    out = run("status", "-f", split, "--as-of", "2021-10-31", "--format", "json").stdout
    assert next(t for t in json.loads(out)["targets"] if t["id"] == "hy-roads")["current"] == 30


def test_warnings_are_cached_with_their_lines(run, write_ledger) -> None:  # type: ignore[no-untyped-def]
    path = write_ledger(CITY_A.replace('parent = "province"\n', "tagret = 3\n"))
    first = run("status", "-f", path, "--as-of", "2021-10-31")
    second = run("status", "-f", path, "--as-of", "2021-10-31")
    assert first.stderr == second.stderr
    assert f"{path}:4: warning: unknown key 'tagret'" in second.stderr
    assert first.stdout == second.stdout


def test_no_cache_option_and_environment(split, private_cache: Path, run) -> None:  # type: ignore[no-untyped-def]
    assert run("--no-cache", "status", "-f", split).exit_code == 0
    assert list(private_cache.iterdir()) == []
    assert run("status", "-f", split, env={"TRACKER_NO_CACHE": "1"}).exit_code == 0
    assert list(private_cache.iterdir()) == []
    assert run("status", "-f", split).exit_code == 0
    assert len(list(private_cache.glob("*.cache"))) == 1  # one entry for the ledger, all four files in it


def test_a_broken_cache_entry_is_ignored(split, private_cache: Path) -> None:
    load_ledger(split, cache=FileCache(private_cache))
    entries = list(private_cache.glob("*.cache"))
    assert entries
    for entry in entries:
        entry.write_bytes(b"not a pickle")
    cache = FileCache(private_cache)
    result = load_ledger(split, cache=cache)
    assert result.ledger is not None and len(result.ledger.targets) == 4
    assert cache.hits == 0


def test_make_ledger_splits_into_files_that_check_clean(tmp_path: Path) -> None:
    out = tmp_path / "p.toml"
    script = ROOT / "benchmarks" / "make_ledger.py"
    cmd = [sys.executable, str(script), "--targets", "120", "--observations", "6", "--out", str(out), "--files", "4"]
    subprocess.run(cmd, check=True)
    parts = sorted((tmp_path / "p.d").glob("*.toml"))
    assert len(parts) == 4
    first = out.read_bytes() + b"".join(p.read_bytes() for p in parts)
    subprocess.run(cmd, check=True)
    assert out.read_bytes() + b"".join(p.read_bytes() for p in parts) == first  # deterministic
    check = subprocess.run(
        [sys.executable, "-m", "target_tracker", "check", "-f", str(out)], capture_output=True, text=True
    )
    assert check.returncode == 0, check.stderr
    ledger = load_ledger(out).ledger
    assert ledger is not None and len(ledger.targets) == 120
    assert {t.kind for t in ledger.targets.values()} == {"quantity", "maintain", "milestones", "rollup"}


def test_commands_run_in_process_leave_no_descriptor_open(run, write_ledger) -> None:  # type: ignore[no-untyped-def]
    """The fuzzer runs thousands of commands in one process; each used to keep
    the cache folder open (EMFILE after ~4,800 inputs)."""
    import os

    path = write_ledger()
    run("status", "-f", path)  # warm-up: lazily imported modules may keep their own files
    before = len(os.listdir("/proc/self/fd"))
    for _ in range(30):
        assert run("status", "-f", path).exit_code == 0
        assert run("check", "-f", path).exit_code == 0
    assert len(os.listdir("/proc/self/fd")) - before < 5
