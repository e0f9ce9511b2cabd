"""The merge driver in real git repositories: merge, rebase, cherry-pick, CRLF,
split ledgers, and two departments' month of work merged with no human help."""

from __future__ import annotations

import json
import os
import shlex
import shutil
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest

from tests.conftest import ROOT

pytestmark = pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed")

SRC = ROOT / "src"
DRIVER = f"{shlex.quote(sys.executable)} -m target_tracker merge-file %O %A %B --marker-size %L"


def git_env() -> dict[str, str]:
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join([str(SRC), env.get("PYTHONPATH", "")]).rstrip(os.pathsep)
    env.update(GIT_CONFIG_GLOBAL=os.devnull, GIT_CONFIG_NOSYSTEM="1", TRACKER_NO_CACHE="1", GIT_EDITOR="true")
    return env


def git(repo: Path, *args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
    done = subprocess.run(["git", *args], cwd=repo, env=git_env(), capture_output=True, text=True, check=False)
    if check and done.returncode != 0:
        raise AssertionError(f"git {' '.join(args)} failed: {done.stdout}{done.stderr}")
    return done


def identify(repo: Path, name: str = "Planner") -> None:
    git(repo, "config", "user.name", name)
    git(repo, "config", "user.email", f"{name.lower()}@example.gov.cn")
    git(repo, "config", "commit.gpgsign", "false")


LEDGER = """\
title = "County ledger"

[targets.roads]
title = "Roads built"
kind = "quantity"
area = "Transport"
unit = "km"
target = 100
start = 2021-01-01
due = 2021-12-31
observations = [
  { date = 2021-01-31, value = 5 },
]

[targets.schools]
title = "Schools opened"
kind = "quantity"
area = "Education"
target = 10
start = 2021-01-01
due = 2021-12-31
observations = [
  { date = 2021-01-31, value = 1 },
]

[targets.bridge]
title = "Bridge"
kind = "milestones"
area = "Transport"
start = 2021-01-01
due = 2022-12-31
stages = [
  { name = "Approval", planned = 2021-06-30 },
  { name = "Construction", weight = 3, planned = 2022-06-30 },
]
"""


@pytest.fixture
def repo(tmp_path: Path, run):  # type: ignore[no-untyped-def]
    """A repository on branch main with the ledger committed and git-setup done."""

    def make(text: str = LEDGER, newline: str = "\n", files: dict[str, str] | None = None) -> Path:
        path = tmp_path / "office"
        path.mkdir()
        git(path, "init", "-q", "-b", "main")
        identify(path)
        (path / "targets.toml").write_bytes(text.replace("\n", newline).encode("utf-8"))
        for name, body in (files or {}).items():
            (path / name).parent.mkdir(parents=True, exist_ok=True)
            (path / name).write_bytes(body.replace("\n", newline).encode("utf-8"))
        result = run("-f", path / "targets.toml", "git-setup", "--command", DRIVER)
        assert result.exit_code == 0, result.output
        git(path, "add", "-A")
        git(path, "commit", "-q", "-m", "ledger")
        return path

    return make


def cli(run, repo: Path, *args: str, ledger: str = "targets.toml") -> None:  # type: ignore[no-untyped-def]
    result = run("-f", repo / ledger, *args)
    assert result.exit_code == 0, result.output


def commit(repo: Path, message: str) -> None:
    git(repo, "commit", "-q", "-am", message)


def status_json(run, ledger: Path, as_of: str = "2021-12-31") -> dict:  # type: ignore[no-untyped-def,type-arg]
    result = run("-f", ledger, "status", "--format", "json", "--as-of", as_of)
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    data.pop("ledger", None)
    return data  # type: ignore[no-any-return]


def figures(ledger: Path, tid: str) -> list[tuple[str, float]]:
    import tomllib

    data = tomllib.loads(ledger.read_text(encoding="utf-8"))
    return [(o["date"].isoformat(), o["value"]) for o in data["targets"][tid].get("observations", [])]


def test_git_setup_writes_attributes_and_config_once(run, repo) -> None:  # type: ignore[no-untyped-def]
    path = repo()
    assert (path / ".gitattributes").read_text() == "targets.toml merge=tracker\n"
    assert git(path, "config", "--local", "merge.tracker.driver").stdout.strip() == DRIVER
    assert git(path, "config", "--local", "merge.tracker.name").stdout.strip() == "target-tracker ledger merge"
    (path / ".gitattributes").write_text("*.png binary\ntargets.toml merge=tracker\n")
    result = run("-f", path / "targets.toml", "git-setup", "--command", DRIVER)
    assert result.exit_code == 0
    assert "already set up; nothing changed" in result.stdout
    assert (path / ".gitattributes").read_text() == "*.png binary\ntargets.toml merge=tracker\n"
    assert git(path, "check-attr", "merge", "targets.toml").stdout.strip() == "targets.toml: merge: tracker"


def test_two_branches_updating_different_targets(run, repo) -> None:  # type: ignore[no-untyped-def]
    path = repo()
    git(path, "checkout", "-q", "-b", "education")
    cli(run, path, "update", "schools", "3", "--date", "2021-02-28")
    commit(path, "schools Feb")
    git(path, "checkout", "-q", "main")
    cli(run, path, "update", "roads", "9", "--date", "2021-02-28")
    commit(path, "roads Feb")
    merge = git(path, "merge", "-q", "education", "-m", "merge", check=False)
    assert merge.returncode == 0, merge.stdout + merge.stderr
    assert figures(path / "targets.toml", "roads") == [("2021-01-31", 5), ("2021-02-28", 9)]
    assert figures(path / "targets.toml", "schools") == [("2021-01-31", 1), ("2021-02-28", 3)]


def test_the_same_target_on_different_dates(run, repo) -> None:  # type: ignore[no-untyped-def]
    path = repo()
    git(path, "checkout", "-q", "-b", "other")
    cli(run, path, "update", "roads", "12", "--date", "2021-03-31")
    commit(path, "roads Mar")
    git(path, "checkout", "-q", "main")
    cli(run, path, "update", "roads", "9", "--date", "2021-02-28")
    cli(run, path, "update", "roads", "15", "--date", "2021-04-30")
    commit(path, "roads Feb, Apr")
    assert git(path, "merge", "-q", "other", "-m", "merge", check=False).returncode == 0
    assert figures(path / "targets.toml", "roads") == [
        ("2021-01-31", 5), ("2021-02-28", 9), ("2021-03-31", 12), ("2021-04-30", 15),
    ]  # fmt: skip
    assert run("-f", path / "targets.toml", "check").exit_code == 0


def test_the_same_date_with_different_values_leaves_markers_that_check_points_at(run, repo, fixed_today) -> None:  # type: ignore[no-untyped-def]
    path = repo()
    git(path, "checkout", "-q", "-b", "other")
    cli(run, path, "update", "roads", "12", "--date", "2021-03-31")
    cli(run, path, "update", "schools", "4", "--date", "2021-03-31")
    commit(path, "their March")
    git(path, "checkout", "-q", "main")
    cli(run, path, "update", "roads", "11", "--date", "2021-03-31")
    commit(path, "our March")
    merge = git(path, "merge", "other", "-m", "merge", check=False)
    assert merge.returncode != 0
    assert "CONFLICT (content): Merge conflict in targets.toml" in merge.stdout
    text = (path / "targets.toml").read_text(encoding="utf-8")
    lines = text.splitlines()
    start = lines.index("<<<<<<< ours") + 1
    assert lines[start - 1 : start + 4] == [
        "<<<<<<< ours",
        "  { date = 2021-03-31, value = 11, recorded = 2026-01-15 },",
        "=======",
        "  { date = 2021-03-31, value = 12, recorded = 2026-01-15 },",
        ">>>>>>> theirs",
    ]
    assert "  { date = 2021-03-31, value = 4, recorded = 2026-01-15 }," in lines  # the rest merged
    check = run("-f", path / "targets.toml", "check")
    assert check.exit_code == 2
    assert f"{path / 'targets.toml'}:{start}: unresolved merge conflict (git conflict markers)" in check.stderr
    # the planner keeps one line, and the merge completes
    resolved = text.replace(
        "<<<<<<< ours\n  { date = 2021-03-31, value = 11, recorded = 2026-01-15 },\n=======\n", ""
    ).replace(">>>>>>> theirs\n", "")
    (path / "targets.toml").write_text(resolved, encoding="utf-8")
    assert run("-f", path / "targets.toml", "check").exit_code == 0
    git(path, "commit", "-q", "-am", "merge, March roads from the bureau")


def test_targets_added_at_the_end_on_both_sides(run, repo) -> None:  # type: ignore[no-untyped-def]
    path = repo()
    git(path, "checkout", "-q", "-b", "health")
    cli(run, path, "add", "clinics", "--title", "Clinics", "--at-most", "2", "--start", "2021-01-01")
    commit(path, "clinics")
    git(path, "checkout", "-q", "main")
    cli(run, path, "add", "parks", "--title", "Parks", "--target", "5", "--start", "2021-01-01", "--due", "2021-12-31")
    commit(path, "parks")
    assert git(path, "merge", "-q", "health", "-m", "merge", check=False).returncode == 0
    text = (path / "targets.toml").read_text(encoding="utf-8")
    assert text.index("[targets.bridge]") < text.index("[targets.parks]") < text.index("[targets.clinics]")
    assert run("-f", path / "targets.toml", "check").exit_code == 0


def test_a_stage_completed_on_one_side_and_the_title_edited_on_the_other(run, repo, fixed_today) -> None:  # type: ignore[no-untyped-def]
    path = repo()
    git(path, "checkout", "-q", "-b", "works")
    cli(run, path, "done", "bridge", "Approval", "--date", "2021-05-20")
    commit(path, "approval done")
    git(path, "checkout", "-q", "main")
    cli(run, path, "set", "bridge", "title", "Xiang River bridge 湘江大桥")
    commit(path, "title")
    assert git(path, "merge", "-q", "works", "-m", "merge", check=False).returncode == 0
    text = (path / "targets.toml").read_text(encoding="utf-8")
    assert 'title = "Xiang River bridge 湘江大桥"' in text
    assert '{ name = "Approval", planned = 2021-06-30, done = 2021-05-20, recorded = 2026-01-15 },' in text


def _diverge(run, path: Path) -> None:  # type: ignore[no-untyped-def]
    """Branch 'dept' with two commits and main with one, each appending figures to roads."""
    git(path, "checkout", "-q", "-b", "dept")
    cli(run, path, "update", "roads", "9", "--date", "2021-02-28")
    commit(path, "roads Feb")
    cli(run, path, "done", "bridge", "1", "--date", "2021-05-20")
    commit(path, "approval")
    git(path, "checkout", "-q", "main")
    cli(run, path, "update", "roads", "12", "--date", "2021-03-31")
    cli(run, path, "set", "bridge", "owner", "Transport bureau")
    commit(path, "roads Mar, owner")


EXPECTED_ROADS = [("2021-01-31", 5), ("2021-02-28", 9), ("2021-03-31", 12)]


def test_rebase_uses_the_driver(run, repo) -> None:  # type: ignore[no-untyped-def]
    path = repo()
    _diverge(run, path)
    git(path, "checkout", "-q", "dept")
    rebase = git(path, "rebase", "main", check=False)
    assert rebase.returncode == 0, rebase.stdout + rebase.stderr
    assert figures(path / "targets.toml", "roads") == EXPECTED_ROADS
    text = (path / "targets.toml").read_text(encoding="utf-8")
    assert 'owner = "Transport bureau"' in text and "done = 2021-05-20" in text


def test_cherry_pick_uses_the_driver(run, repo) -> None:  # type: ignore[no-untyped-def]
    path = repo()
    _diverge(run, path)
    feb = git(path, "rev-parse", "dept~1").stdout.strip()
    pick = git(path, "cherry-pick", feb, check=False)
    assert pick.returncode == 0, pick.stdout + pick.stderr
    assert figures(path / "targets.toml", "roads") == EXPECTED_ROADS
    assert "done = 2021-05-20" not in (path / "targets.toml").read_text(encoding="utf-8")


def test_crlf_ledgers_merge_and_stay_crlf(run, repo) -> None:  # type: ignore[no-untyped-def]
    path = repo(newline="\r\n")
    _diverge(run, path)
    assert git(path, "merge", "-q", "dept", "-m", "merge", check=False).returncode == 0
    raw = (path / "targets.toml").read_bytes()
    assert b"\n" not in raw.replace(b"\r\n", b"")
    assert figures(path / "targets.toml", "roads") == EXPECTED_ROADS


SPLIT_MAIN = 'title = "Province"\ninclude = ["depts/"]\n'
DEPT = LEDGER.split("\n", 2)[2]  # the targets only


def test_split_ledger_an_included_file_merges_on_its_own(run, repo) -> None:  # type: ignore[no-untyped-def]
    path = repo(
        SPLIT_MAIN, files={"depts/county.toml": DEPT, "depts/city.toml": DEPT.replace("targets.", "targets.city-")}
    )
    assert (path / ".gitattributes").read_text() == "targets.toml merge=tracker\ndepts/*.toml merge=tracker\n"
    assert git(path, "check-attr", "merge", "depts/county.toml").stdout.strip().endswith("merge: tracker")
    _diverge(run, path)
    git(path, "checkout", "-q", "-b", "title-change", "main~1")
    (path / "targets.toml").write_text(SPLIT_MAIN.replace("Province", "Hunan province"), encoding="utf-8")
    commit(path, "title")
    git(path, "checkout", "-q", "main")
    assert git(path, "merge", "-q", "dept", "-m", "merge dept", check=False).returncode == 0
    assert git(path, "merge", "-q", "title-change", "-m", "merge title", check=False).returncode == 0
    county = path / "depts" / "county.toml"
    assert figures(county, "roads") == EXPECTED_ROADS
    assert (path / "depts" / "city.toml").read_text(encoding="utf-8") == DEPT.replace("targets.", "targets.city-")
    assert (path / "targets.toml").read_text(encoding="utf-8") == SPLIT_MAIN.replace("Province", "Hunan province")
    assert run("-f", path / "targets.toml", "check").exit_code == 0


# -- done when: two departments' month of work, merged by git with no human help ------------------

DEPT_A_WORK: list[tuple[str, ...]] = [
    ("update", "reform-tasks", "91", "--date", "2021-11-07", "--source", "FTZ weekly 45"),
    ("update", "reform-tasks", "93", "--date", "2021-11-14"),
    ("update", "implementation-measures", "236", "--date", "2021-11-15", "--note", "mid-month"),
    ("update", "reform-tasks", "95", "--date", "2021-11-30", "--source", "FTZ report Nov 2021"),
    ("update", "fixed-asset-investment", "6.8", "--date", "2021-11-30"),
    ("done", "key-area-reforms", "1", "--date", "2021-11-20"),
    ("add", "ftz-new-companies", "--title", "New companies registered 新设企业", "--target", "1200", "--unit",
     "companies", "--start", "2021-01-01", "--due", "2021-12-31", "--parent", "ftz", "--area", "Pilot Free Trade Zone"),
    ("update", "ftz-new-companies", "1105", "--date", "2021-11-30"),
]  # fmt: skip
DEPT_B_WORK: list[tuple[str, ...]] = [
    ("update", "reform-tasks", "92", "--date", "2021-11-10", "--source", "Reform office"),
    ("done", "linwu-lianzhou-expressway", "Project approval", "--date", "2021-11-12"),
    ("update", "gba-vegetables-share", "82", "--date", "2021-11-30"),
    ("done", "beihu-airport-expansion", "1", "--date", "2021-11-25"),
    ("set", "beihu-airport-expansion", "owner", "Civil Aviation Office 民航办"),
    ("add", "rail-freight", "--title", "Rail freight volume 铁路货运量", "--target", "120", "--unit", "10k t",
     "--start", "2021-01-01", "--due", "2025-12-31", "--area", "Transport and logistics", "--parent",
     "transport-logistics"),
    ("update", "rail-freight", "31", "--date", "2021-11-30"),
    ("add", "cold-storage", "--title", "Cold storage capacity", "--target", "50", "--unit", "10k t",
     "--start", "2021-01-01", "--due", "2022-12-31"),
]  # fmt: skip


def test_two_departments_month_of_work_merges_with_no_human_resolution(run, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    origin = tmp_path / "origin.git"
    git(tmp_path, "init", "-q", "--bare", "-b", "main", str(origin))
    seed = tmp_path / "seed"
    git(tmp_path, "clone", "-q", str(origin), str(seed))
    identify(seed)
    shutil.copy(ROOT / "targets.toml", seed / "targets.toml")
    assert run("-f", seed / "targets.toml", "git-setup", "--command", DRIVER).exit_code == 0
    git(seed, "add", "-A")
    git(seed, "commit", "-q", "-m", "Chenzhou ledger")
    git(seed, "push", "-q", "origin", "main")

    clones = {}
    for name, work in (("ftz-office", DEPT_A_WORK), ("transport-bureau", DEPT_B_WORK)):
        clone = tmp_path / name
        git(tmp_path, "clone", "-q", str(origin), str(clone))
        identify(clone, name)
        assert run("-f", clone / "targets.toml", "git-setup", "--command", DRIVER).exit_code == 0
        for step in work:  # one commit per working day
            cli(run, clone, *step)
            commit(clone, " ".join(step[:3]))
        clones[name] = clone

    # the oracle: both departments' steps done one after the other on one copy
    serial = tmp_path / "serial"
    serial.mkdir()
    shutil.copy(ROOT / "targets.toml", serial / "targets.toml")
    for step in DEPT_A_WORK + DEPT_B_WORK:
        cli(run, serial, *step)

    before = {  # lines counted: the ledger repeats lines such as an owner's, and a department may change one of them
        name: Counter(c.joinpath("targets.toml").read_text(encoding="utf-8").splitlines()) for name, c in clones.items()
    }
    b = clones["transport-bureau"]
    git(b, "push", "-q", "origin", "main")
    a = clones["ftz-office"]
    git(a, "fetch", "-q", "origin")
    # without the driver, git's line merge would stop here for a planner to resolve
    base_rev = git(a, "merge-base", "HEAD", "origin/main").stdout.strip()
    for name, rev in (("base", base_rev), ("ours", "HEAD"), ("theirs", "origin/main")):
        (tmp_path / f"{name}.toml").write_text(git(a, "show", f"{rev}:targets.toml").stdout, encoding="utf-8")
    plain = git(tmp_path, "merge-file", "-p", "ours.toml", "base.toml", "theirs.toml", check=False)
    assert plain.returncode > 0 and "<<<<<<< ours.toml" in plain.stdout
    merge = git(a, "merge", "--no-edit", "origin/main", check=False)
    assert merge.returncode == 0, merge.stdout + merge.stderr
    assert "CONFLICT" not in merge.stdout
    git(a, "push", "-q", "origin", "main")

    merged = a / "targets.toml"
    assert run("-f", merged, "check").exit_code == 0
    for as_of in ("2021-11-30", "2021-12-31"):
        assert status_json(run, merged, as_of) == status_json(run, serial / "targets.toml", as_of)
    assert figures(merged, "reform-tasks") == [
        ("2021-10-31", 89), ("2021-11-07", 91), ("2021-11-10", 92), ("2021-11-14", 93), ("2021-11-30", 95),
    ]  # fmt: skip
    # every line of the original that neither department changed is still there, in order
    original = (ROOT / "targets.toml").read_text(encoding="utf-8").splitlines()
    count = Counter(original)
    kept = [line for line in original if all(before[name][line] >= count[line] for name in before)]
    assert len(kept) > len(original) * 0.9
    rest = iter(merged.read_text(encoding="utf-8").splitlines())
    assert all(any(line == m for m in rest) for line in kept)


def test_git_setup_outside_a_repository_is_one_line_exit_2(run, write_ledger) -> None:  # type: ignore[no-untyped-def]
    ledger = write_ledger(LEDGER)
    env = {"GIT_CEILING_DIRECTORIES": str(ledger.parent.parent)}
    result = run("-f", ledger, "git-setup", env=env)
    assert result.exit_code == 2
    assert result.stderr.strip() == f"tracker: {ledger.parent} is not inside a git repository (run 'git init' first)"


def test_git_setup_dry_run_changes_nothing_and_keeps_existing_lines(run, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path / "office"
    (path / "plans" / "cities").mkdir(parents=True)
    git(path, "init", "-q", "-b", "main")
    (path / "plans" / "targets.toml").write_text('title = "P"\ninclude = ["cities/", "prov ince.toml"]\n')
    (path / "plans" / "prov ince.toml").write_text("")
    (path / ".gitattributes").write_text("*.png binary")  # no newline at the end
    dry = run("-f", path / "plans" / "targets.toml", "git-setup", "--command", DRIVER, "--dry-run")
    assert dry.exit_code == 0
    assert '+ "plans/prov ince.toml" merge=tracker' in dry.stdout
    assert (path / ".gitattributes").read_text() == "*.png binary"
    assert git(path, "config", "--local", "--get", "merge.tracker.driver", check=False).returncode != 0
    assert run("-f", path / "plans" / "targets.toml", "git-setup", "--command", DRIVER).exit_code == 0
    assert (path / ".gitattributes").read_text() == (
        '*.png binary\nplans/targets.toml merge=tracker\nplans/cities/*.toml merge=tracker\n"plans/prov ince.toml" merge=tracker\n'
    )
    assert git(path, "check-attr", "merge", "plans/prov ince.toml").stdout.strip().endswith("merge: tracker")
    assert git(path, "check-attr", "merge", "plans/cities/new.toml").stdout.strip().endswith("merge: tracker")
    assert git(path, "check-attr", "merge", "other.toml").stdout.strip().endswith("merge: unspecified")


def test_the_driver_command_suits_the_installation() -> None:
    from target_tracker.merge.git_setup import driver_command

    args = "merge-file %O %A %B --marker-size %L"
    in_venv = sys.prefix != sys.base_prefix
    here = str(Path(sys.executable).parent / "tracker")
    assert driver_command(sys.executable, here) == (
        f"{shlex.quote(sys.executable)} -m target_tracker {args}" if in_venv else f"tracker {args}"
    )
    # a tracker on PATH from another installation, or none: this interpreter, by absolute path
    assert (
        driver_command("/opt/my venv/bin/python", "/usr/bin/tracker")
        == f"'/opt/my venv/bin/python' -m target_tracker {args}"
    )
    assert driver_command("/opt/py/bin/python", "") == f"/opt/py/bin/python -m target_tracker {args}"
