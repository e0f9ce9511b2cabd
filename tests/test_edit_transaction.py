"""The write transaction against what a shared folder really holds: symlinks,
two ledgers sharing a file, editors saving mid-edit, read-only files and
folders, temporary files left by a killed tracker."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
import threading
import time
import tomllib
from datetime import date
from pathlib import Path

import pytest

from .conftest import MINIMAL


def _figures(path: Path, tid: str = "tasks") -> list[tuple[date, object]]:
    data = tomllib.loads(path.read_text(encoding="utf-8"))
    return [(o["date"], o["value"]) for o in data["targets"][tid].get("observations", [])]


def test_a_symlinked_ledger_edits_the_file_it_points_to(run, write_ledger) -> None:  # type: ignore[no-untyped-def]
    real = write_ledger(name="real/targets.toml")
    link = real.parent.parent / "targets.toml"
    link.symlink_to(real)
    r = run("update", "tasks", "95", "--date", "2021-11-30", "-f", link)
    assert r.exit_code == 0, r.output
    assert link.is_symlink() and link.resolve() == real
    assert (date(2021, 11, 30), 95) in _figures(real)


def test_a_symlinked_included_file_is_edited_where_it_lives(run, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    (tmp_path / "shared").mkdir()
    shared = tmp_path / "shared" / "common.toml"
    shared.write_text(MINIMAL.split("\n", 1)[1], encoding="utf-8")
    main = tmp_path / "targets.toml"
    main.write_text('title = "Main"\ninclude = ["common.toml"]\n', encoding="utf-8")
    (tmp_path / "common.toml").symlink_to(shared)
    r = run("update", "tasks", "95", "--date", "2021-11-30", "-f", main)
    assert r.exit_code == 0, r.output
    assert (tmp_path / "common.toml").is_symlink()
    assert (date(2021, 11, 30), 95) in _figures(shared)


SHARED_MAIN = """\
title = "{name}"
include = ["../shared/common.toml"]

[settings]
allow_outside_includes = true
"""


def test_two_ledgers_sharing_a_file_lose_no_edit(tmp_path: Path) -> None:
    """20 concurrent updates through two main ledgers that include the same
    file: every one lands (the lock is on the shared file's folder too)."""
    (tmp_path / "shared").mkdir()
    shared = tmp_path / "shared" / "common.toml"
    shared.write_text(MINIMAL.split("\n", 1)[1].replace("due = 2021-12-31", "due = 2031-12-31"), encoding="utf-8")
    mains = []
    for name in ("a", "b"):
        (tmp_path / name).mkdir()
        main = tmp_path / name / "targets.toml"
        main.write_text(SHARED_MAIN.format(name=name), encoding="utf-8")
        mains.append(main)
    days = [f"2022-{m:02d}-{d:02d}" for m in (1, 2) for d in range(1, 11)]
    env = dict(os.environ)  # the test's private cache folder
    procs = [
        subprocess.Popen(
            [
                sys.executable,
                "-m",
                "target_tracker",
                "update",
                "tasks",
                str(i + 1),
                "--date",
                day,
                "-f",
                str(mains[i % 2]),
            ],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env=env,
        )  # fmt: skip
        for i, day in enumerate(days)
    ]
    results = [p.communicate(timeout=180) for p in procs]
    assert all(p.returncode == 0 for p in procs), results
    got = sorted(d.isoformat() for d, _v in _figures(shared))
    assert got == sorted([*days, "2021-10-31"])


def test_an_editor_save_during_the_write_is_not_overwritten(run, write_ledger, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """The editor saves while tracker is writing its temporary file (during
    the fsync, the slowest step): the edit is redone on the editor's version."""
    path = write_ledger()
    real_fsync = os.fsync
    saved = {"done": False}

    def fsync_while_editor_saves(fd: int) -> None:
        real_fsync(fd)
        if not saved["done"]:
            saved["done"] = True
            text = path.read_text(encoding="utf-8").replace('title = "Reform tasks"', 'title = "Saved by the editor"')
            path.write_text(text, encoding="utf-8")

    monkeypatch.setattr(os, "fsync", fsync_while_editor_saves)
    r = run("update", "tasks", "95", "--date", "2021-11-30", "-f", path)
    assert r.exit_code == 0, r.output
    data = tomllib.loads(path.read_text(encoding="utf-8"))
    assert data["targets"]["tasks"]["title"] == "Saved by the editor"
    assert (date(2021, 11, 30), 95) in _figures(path)


def test_a_half_written_file_is_read_again(run, write_ledger) -> None:  # type: ignore[no-untyped-def]
    """An editor that writes in place: tracker reads the file half-written,
    the editor finishes a moment later; the edit lands on the whole file."""
    path = write_ledger()
    full = path.read_bytes()
    path.write_bytes(full[: full.index(b"[targets.tasks]") + 5])  # the save has only just begun

    def finish() -> None:
        time.sleep(0.05)
        path.write_bytes(full)

    t = threading.Thread(target=finish)
    t.start()
    try:
        r = run("update", "tasks", "95", "--date", "2021-11-30", "-f", path)
    finally:
        t.join()
    assert r.exit_code == 0, r.output
    assert (date(2021, 11, 30), 95) in _figures(path)


def test_a_file_that_keeps_changing_while_read_gives_try_again(run, write_ledger, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    from target_tracker.edits import transaction

    path = write_ledger()
    full = path.read_bytes()
    half = full[: full.index(b"[targets.tasks]")]
    path.write_bytes(half)
    real_read = transaction.read_ledger

    def read_while_saving(p: Path):  # type: ignore[no-untyped-def]
        got = real_read(p)
        with open(path, "ab") as f:  # the editor is still writing
            f.write(b"#")
        return got

    monkeypatch.setattr(transaction, "read_ledger", read_while_saving)
    r = run("update", "tasks", "95", "--date", "2021-11-30", "-f", path)
    assert r.exit_code == 2
    assert "the ledger changed while reading, try again" in r.stderr
    assert "no target" not in r.stderr


def test_a_read_only_ledger_is_refused_unless_forced(run, write_ledger) -> None:  # type: ignore[no-untyped-def]
    path = write_ledger()
    os.chmod(path, 0o444)
    before = path.read_bytes()
    r = run("update", "tasks", "95", "--date", "2021-11-30", "-f", path)
    assert r.exit_code == 2
    assert r.stderr.strip() == f"tracker: {path} is read-only; not changing it (use --force to write it anyway)"
    assert path.read_bytes() == before
    for args in (["set", "tasks", "owner", "X"], ["add", "n", "--title", "N", "--kind", "rollup"]):
        assert run(*args, "-f", path).exit_code == 2 and path.read_bytes() == before
    r = run("update", "tasks", "95", "--date", "2021-11-30", "--force", "-f", path)
    assert r.exit_code == 0, r.output
    assert (date(2021, 11, 30), 95) in _figures(path)
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o444  # forced, and still read-only


def test_a_read_only_folder_is_refused_in_one_line(run, write_ledger) -> None:  # type: ignore[no-untyped-def]
    path = write_ledger(name="ro/targets.toml")
    before = path.read_bytes()
    os.chmod(path.parent, 0o555)
    try:
        r = run("update", "tasks", "95", "--date", "2021-11-30", "-f", path)
        r2 = run("init", path.parent / "new.toml")
    finally:
        os.chmod(path.parent, 0o755)
    assert r.exit_code == 2, r.output
    assert r.stderr.count("\n") == 1 and "read-only folder" in r.stderr
    assert path.read_bytes() == before
    assert r2.exit_code == 2 and "read-only folder" in r2.stderr


def test_permission_denied_while_writing_is_one_line(run, write_ledger, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """What a user who is not root gets in a folder they cannot write."""
    import tempfile

    path = write_ledger()
    before = path.read_bytes()

    def denied(*args: object, **kwargs: object) -> tuple[int, str]:
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(tempfile, "mkstemp", denied)
    r = run("update", "tasks", "95", "--date", "2021-11-30", "-f", path)
    assert r.exit_code == 2
    assert r.stderr.strip() == f"tracker: {path}: could not write (permission denied); the file is unchanged"
    assert path.read_bytes() == before


def test_stale_temp_files_of_our_own_are_cleaned_up(run, write_ledger) -> None:  # type: ignore[no-untyped-def]
    path = write_ledger()
    folder = path.parent
    old = time.time() - 2 * 3600
    stale = folder / ".targets.toml.k3j_9xqz.tmp"  # left by a kill -9
    fresh = folder / ".targets.toml.a1b2c3d4.tmp"  # maybe another writer's, right now
    other = folder / ".other.toml.k3j_9xqz.tmp"  # another file's
    unlike = folder / ".targets.toml.notours.tmp"  # not our pattern
    for p in (stale, fresh, other, unlike):
        p.write_text("partial")
    for p in (stale, other, unlike):
        os.utime(p, (old, old))
    r = run("update", "tasks", "95", "--date", "2021-11-30", "-f", path)
    assert r.exit_code == 0, r.output
    assert not stale.exists()
    assert fresh.exists() and other.exists() and unlike.exists()


MULTILINE_NOTES = '''\
title = "Test ledger"

[targets.tasks]
title = "Reform tasks"
kind = "quantity"
target = 102
start = 2021-01-01
due = 2021-12-31
notes = """
Copied from the plan:
[targets.tasks]
area = "Reform"
"""
observations = [
  { date = 2021-10-31, value = 89 },
]

[targets.other]
title = "Other"
kind = "quantity"
target = 5
start = 2021-01-01
due = 2021-12-31
notes = \'\'\'
[targets.other]
\'\'\'
'''


def test_a_header_inside_a_multiline_string_fools_no_edit(run, write_ledger) -> None:  # type: ignore[no-untyped-def]
    path = write_ledger(MULTILINE_NOTES)
    r = run("update", "tasks", "95", "--date", "2021-11-30", "-f", path)
    assert r.exit_code == 0, r.output
    assert "appears 2 times" not in r.stderr
    assert run("set", "other", "owner", "X", "-f", path).exit_code == 0
    r = run("add", "third", "--title", "T", "--target", "1", "--start", "2021-01-01", "--due", "2022-01-01",
            "--area", "Reform", "-f", path)  # fmt: skip
    assert r.exit_code == 0, r.output
    data = tomllib.loads(path.read_text(encoding="utf-8"))
    assert data["targets"]["tasks"]["notes"].count("[targets.tasks]") == 1
    assert data["targets"]["other"]["owner"] == "X" and "third" in data["targets"]
    assert (date(2021, 11, 30), 95) in _figures(path)


@pytest.mark.parametrize("bad", ["１.５", "١.٥", "1.5e٣", "٣"])
def test_non_ascii_digits_are_not_a_number(run, write_ledger, bad: str) -> None:  # type: ignore[no-untyped-def]
    path = write_ledger()
    before = path.read_bytes()
    r = run("update", "tasks", bad, "--date", "2021-11-30", "-f", path)
    assert r.exit_code == 2 and "is not a number" in r.stderr, r.output
    r = run("set", "tasks", "target", bad, "-f", path)
    assert r.exit_code == 2 and "is not a number" in r.stderr, r.output
    assert path.read_bytes() == before


@pytest.mark.parametrize("big", [str(2**63), str(-(2**63) - 1), "1" + "0" * 30, "9" * 5000])
def test_integers_beyond_64_bits_are_refused(run, write_ledger, big: str) -> None:  # type: ignore[no-untyped-def]
    path = write_ledger()
    before = path.read_bytes()
    r = run("update", "--date", "2021-11-30", "-f", path, "--", "tasks", big)
    assert r.exit_code == 2 and "too large" in r.stderr, r.output
    assert path.read_bytes() == before
    assert run("update", "tasks", str(2**63 - 1), "--date", "2021-11-30", "-f", path).exit_code in (0, 2)


def test_del_and_control_characters_are_escaped(run, write_ledger) -> None:  # type: ignore[no-untyped-def]
    path = write_ledger()
    note = "a\x7fb\x1bc\x08\x0c\r\n\t\u2028\ufeffd"
    r = run("update", "tasks", "95", "--date", "2021-11-30", "--note", note, "-f", path)
    assert r.exit_code == 0, r.output
    raw = path.read_text(encoding="utf-8")
    assert "\x7f" not in raw and "\x1b" not in raw
    data = tomllib.loads(raw)
    assert data["targets"]["tasks"]["observations"][-1]["note"] == note


@pytest.mark.parametrize("text", ["bad\udcff bytes", "\ud800", "nul\x00"])
def test_text_that_no_terminal_can_send_is_refused_in_one_line(run, write_ledger, text: str) -> None:  # type: ignore[no-untyped-def]
    path = write_ledger()
    before = path.read_bytes()
    for args in (
        ["update", "tasks", "95", "--date", "2021-11-30", "--note", text],
        ["set", "tasks", "owner", text],
        ["add", "n", "--title", text, "--kind", "rollup"],
        ["add", "m", "--title", "M", "--due", "2022-01-01", "--stage", text],
    ):
        r = run(*args, "-f", path)
        assert r.exit_code == 2, (args, r.output)
        assert r.stderr.count("\n") == 1 and "Traceback" not in r.output
    assert path.read_bytes() == before


def test_non_utf8_argument_bytes_in_a_real_process(tmp_path: Path) -> None:
    path = tmp_path / "targets.toml"
    path.write_text(MINIMAL, encoding="utf-8")
    before = path.read_bytes()
    proc = subprocess.run(
        [sys.executable.encode(), b"-m", b"target_tracker", b"set", b"tasks", b"owner", b"caf\xe9", b"-f",
         str(path).encode()],
        capture_output=True, timeout=60,
    )  # fmt: skip
    assert proc.returncode == 2, proc.stderr
    assert b"not UTF-8" in proc.stderr and b"Traceback" not in proc.stderr
    assert path.read_bytes() == before


def test_a_newline_in_a_stage_spec_is_kept_as_text(run, write_ledger) -> None:  # type: ignore[no-untyped-def]
    path = write_ledger()
    r = run("add", "m", "--title", "M", "--start", "2021-01-01", "--due", "2022-01-01", "--stage", "Plan\nand approve:2",
            "-f", path)  # fmt: skip
    assert r.exit_code == 0, r.output
    stages = tomllib.loads(path.read_text(encoding="utf-8"))["targets"]["m"]["stages"]
    assert stages == [{"name": "Plan\nand approve", "weight": 2}]


def test_done_on_a_stage_written_as_empty_table_is_a_clean_error(run, write_ledger) -> None:  # type: ignore[no-untyped-def]
    path = write_ledger(
        'title = "T"\n\n[targets.m]\ntitle = "M"\nkind = "milestones"\nstart = 2021-01-01\ndue = 2022-01-01\n'
        'stages = [{}, { name = "B" }]\n'
    )
    before = path.read_bytes()
    for stage in ("1", "B", "2"):
        r = run("done", "m", stage, "--date", "2021-05-01", "-f", path)
        assert r.exit_code in (0, 2), r.output
        assert r.exception is None or isinstance(r.exception, SystemExit), r.exception
        if r.exit_code == 2:
            assert r.stderr.count("\n") == 1
            assert path.read_bytes() == before


def test_a_new_ledger_gets_the_umask_permissions_without_changing_the_umask(run, tmp_path) -> None:  # type: ignore[no-untyped-def]
    import os

    old = os.umask(0o027)
    try:
        result = run("init", tmp_path / "new.toml")
        assert result.exit_code == 0, result.output
        assert os.stat(tmp_path / "new.toml").st_mode & 0o777 == 0o640
        assert os.umask(0o027) == 0o027  # still the process's umask
    finally:
        os.umask(old)
