"""Regression tests for issue 8's reproducers on the reading side: the parse
cache, the loader, dates, includes and escaping. Each one failed (a planted
payload ran, a traceback, a hang, a silent wrong date, a live link) on the
code before the fix."""

from __future__ import annotations

import contextlib
import csv
import gc
import hashlib
import io
import os
import pickle
import resource
import signal
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from target_tracker import __version__
from target_tracker.ledger import cache as cache_module
from target_tracker.ledger.cache import FileCache
from target_tracker.ledger.load import load_ledger

from .conftest import MINIMAL

# -- helpers -----------------------------------------------------------------------------


class Payload:
    """Unpickling this writes a marker file: proof that a planted entry ran."""

    def __init__(self, marker: Path) -> None:
        self.marker = marker

    def __reduce__(self):  # type: ignore[no-untyped-def]
        return (exec, (f"open({str(self.marker)!r}, 'w').write('ran')",))


def old_entry_names(ledger: Path) -> list[str]:
    """Where the cache before issue 8 looked for a file's entry (one per file)."""
    data = ledger.read_bytes()
    names = []
    for fmt in (1, 2):
        h = hashlib.blake2b(digest_size=20)
        h.update(f"{fmt}\0{__version__}\0{sys.version_info[:2]}\0{os.path.abspath(ledger)}\0{ledger}\0".encode())
        h.update(data)
        names.append(f"{h.hexdigest()}.pickle")
    return names


def plant(folder: Path, ledger: Path, marker: Path) -> list[Path]:
    """Every entry an attacker who can read the ledger could plant: the old
    per-file pickle, and a new-style entry with a key file of their own."""
    evil = pickle.dumps(Payload(marker))
    planted = [folder / n for n in old_entry_names(ledger)]
    for p in planted:
        p.write_bytes(evil)
    if not hasattr(FileCache, "entry_name"):  # the cache before issue 8 had only the per-file pickles
        return planted
    key = b"k" * cache_module.KEY_SIZE
    (folder / cache_module.KEY_FILE).write_bytes(key)
    name = FileCache(folder).entry_name(str(ledger))
    mac = hashlib.blake2b(evil, key=key, digest_size=cache_module.MAC_SIZE, person=b"tt-cache").digest()
    (folder / name).write_bytes(cache_module.MAGIC + mac + evil)
    planted += [folder / name, folder / cache_module.KEY_FILE]
    return planted


class Hung(BaseException):
    """Not an OSError (TimeoutError is one): no loader's except clause may swallow it."""


@contextlib.contextmanager
def time_limit(seconds: int) -> Iterator[None]:
    """Fail instead of hanging (a FIFO include blocked the old loader forever)."""

    def boom(signum, frame):  # type: ignore[no-untyped-def]
        raise Hung()

    old = signal.signal(signal.SIGALRM, boom)
    signal.alarm(seconds)
    try:
        yield
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, old)


@contextlib.contextmanager
def memory_limit(extra: int) -> Iterator[None]:
    """Fail with MemoryError instead of eating the machine (/dev/zero was read without limit)."""
    soft, hard = resource.getrlimit(resource.RLIMIT_AS)
    with open("/proc/self/statm") as f:
        used = int(f.read().split()[0]) * resource.getpagesize()
    resource.setrlimit(resource.RLIMIT_AS, (used + extra, hard))
    try:
        yield
    finally:
        resource.setrlimit(resource.RLIMIT_AS, (soft, hard))


# -- 1. the cache ---------------------------------------------------------------------------


def test_planted_pickle_in_a_world_writable_cache_folder_does_not_run(run, write_ledger, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    ledger = write_ledger()
    folder = tmp_path / "shared-cache"
    folder.mkdir()
    folder.chmod(0o777)
    marker = tmp_path / "marker"
    plant(folder, ledger, marker)
    env = {"TRACKER_CACHE_DIR": str(folder)}
    for args in (("status",), ("check",), ("show", "tasks")):
        result = (
            run(*args, "-f", ledger, "--as-of", "2021-10-31", env=env)
            if args[0] != "check"
            else run("check", "-f", ledger, env=env)
        )
        assert result.exit_code == 0, result.output
        assert not marker.exists(), f"the planted pickle ran in {args}"
        warnings = [line for line in result.stderr.splitlines() if "cache folder" in line]
        assert warnings == [
            f"tracker: warning: cache folder {folder} is writable by other users; the cache is not used"
        ]
    assert "tasks" in run("status", "-f", ledger, "--as-of", "2021-10-31", env=env).stdout


@pytest.mark.skipif(os.geteuid() != 0, reason="needs root to give the folder to another user")
def test_planted_pickle_in_a_folder_owned_by_another_user_does_not_run(run, write_ledger, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    ledger = write_ledger()
    base = tmp_path / "home" / ".cache"
    folder = base / "target-tracker"
    folder.mkdir(parents=True)
    marker = tmp_path / "marker"
    for p in [folder, *plant(folder, ledger, marker)]:
        os.chown(p, 65534, 65534)
    folder.chmod(0o777)
    result = run(
        "status", "-f", ledger, "--as-of", "2021-10-31", env={"TRACKER_CACHE_DIR": "", "XDG_CACHE_HOME": str(base)}
    )
    assert result.exit_code == 0, result.output
    assert not marker.exists(), "the planted pickle ran"
    assert "cache folder" in result.stderr and "the cache is not used" in result.stderr
    # A private folder owned by someone else is refused just the same.
    folder.chmod(0o700)
    result = run("check", "-f", ledger, env={"TRACKER_CACHE_DIR": str(folder)})
    assert result.exit_code == 0 and not marker.exists()
    assert f"cache folder {folder} is owned by another user" in result.stderr


def test_a_tampered_entry_is_ignored_and_never_unpickled(
    split_ledger: Path, private_cache: Path, tmp_path: Path
) -> None:
    first = load_ledger(split_ledger, cache=FileCache(private_cache))
    (entry,) = private_cache.glob("*.cache")
    blob = entry.read_bytes()
    head = len(cache_module.MAGIC) + cache_module.MAC_SIZE
    marker = tmp_path / "marker"
    # The real MAC over someone else's pickle: refused before unpickling.
    entry.write_bytes(blob[:head] + pickle.dumps(Payload(marker)))
    cache = FileCache(private_cache)
    second = load_ledger(split_ledger, cache=cache)
    assert not marker.exists()
    assert cache.hits == 0 and second.ledger is not None and first.ledger is not None
    assert second.ledger.targets == first.ledger.targets
    # One flipped byte in an entry written by the cache itself: a miss too.
    blob = entry.read_bytes()
    entry.write_bytes(blob[:-1] + bytes([blob[-1] ^ 1]))
    cache = FileCache(private_cache)
    load_ledger(split_ledger, cache=cache)
    assert cache.hits == 0


def test_entries_are_used_only_when_private(split_ledger: Path, private_cache: Path) -> None:
    load_ledger(split_ledger, cache=FileCache(private_cache))
    (entry,) = private_cache.glob("*.cache")
    assert (private_cache / "key").stat().st_mode & 0o777 == 0o600
    assert entry.stat().st_mode & 0o777 == 0o600
    entry.chmod(0o666)  # an entry others could have rewritten is not trusted
    cache = FileCache(private_cache)
    load_ledger(split_ledger, cache=cache)
    assert cache.hits == 0
    entry.chmod(0o600)
    (private_cache / "key").chmod(0o644)  # a key others could read lets them forge entries
    cache = FileCache(private_cache)
    load_ledger(split_ledger, cache=cache)
    assert cache.hits == 0
    (private_cache / "key").chmod(0o600)
    cache = FileCache(private_cache)
    load_ledger(split_ledger, cache=cache)
    assert cache.hits == 2


def test_entries_of_the_old_per_file_cache_are_removed(split_ledger: Path, private_cache: Path) -> None:
    old = private_cache / ("0" * 40 + ".pickle")
    old.write_bytes(b"old entry")
    load_ledger(split_ledger, cache=FileCache(private_cache))
    assert not old.exists()


def test_missing_cache_folders_are_created_private(run, write_ledger, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    folder = tmp_path / "a" / "b" / "c"
    result = run("status", "-f", write_ledger(), "--as-of", "2021-10-31", env={"TRACKER_CACHE_DIR": str(folder)})
    assert result.exit_code == 0, result.output
    for p in (tmp_path / "a", tmp_path / "a" / "b", folder):
        assert p.stat().st_mode & 0o777 == 0o700, p
    assert list(folder.glob("*.cache"))


def test_a_split_ledger_is_one_entry_read_at_once(tmp_path: Path, private_cache: Path) -> None:
    """The 1,000-file ledger was slower with the cache: 64 entries kept, the
    rest rewritten every run. Now one entry holds all files; a warm run
    writes nothing."""
    main = tmp_path / "targets.toml"
    (tmp_path / "parts").mkdir()
    main.write_text('title = "Split"\ninclude = ["parts/"]\n', encoding="utf-8")
    n = 150
    for i in range(n):
        (tmp_path / "parts" / f"p{i:04d}.toml").write_text(
            f'[targets.t{i}]\ntitle = "T{i}"\nkind = "maintain"\nat_least = 1\n', encoding="utf-8"
        )
    load_ledger(main, cache=FileCache(private_cache))
    (entry,) = private_cache.glob("*.cache")
    stamp = entry.stat().st_mtime_ns
    cache = FileCache(private_cache)
    result = load_ledger(main, cache=cache)
    assert result.ledger is not None and len(result.ledger.targets) == n
    assert (cache.hits, cache.misses) == (n + 1, 0)
    assert entry.stat().st_mtime_ns == stamp  # nothing rewritten
    assert len(list(private_cache.glob("*.cache"))) == 1


def test_cache_format_follows_the_model_fields(monkeypatch: pytest.MonkeyPatch) -> None:
    from dataclasses import dataclass

    before = cache_module.format_version()

    @dataclass(frozen=True)
    class Settings:  # the real one plus a field
        on_track_gap: float = 0.05
        at_risk_gap: float = 0.15
        stale_after_days: int = 90
        allow_outside_includes: bool = False
        new_field: int = 0

    records = tuple(Settings if r.__name__ == "Settings" else r for r in cache_module._RECORDS)
    monkeypatch.setattr(cache_module, "_RECORDS", records)
    assert cache_module.format_version() != before


@pytest.fixture
def split_ledger(write_ledger) -> Path:  # type: ignore[no-untyped-def]
    main = write_ledger('title = "P"\ninclude = ["more.toml"]\n' + MINIMAL.split("\n", 1)[1])
    write_ledger('[targets.extra]\ntitle = "Extra"\nkind = "maintain"\nat_least = 80\n', name="more.toml")
    return main


# -- 3. loader: parse failures, numbers, dates ------------------------------------------------


def one_line_error(result, code: int) -> str:  # type: ignore[no-untyped-def]
    assert result.exit_code == code, result.output
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(result.exception)
    assert "Traceback" not in result.output and "internal error" not in result.output
    return str(result.stderr)


def test_nesting_1000_deep_is_a_syntax_error_with_a_line(run, write_ledger) -> None:  # type: ignore[no-untyped-def]
    path = write_ledger('title = "x"\n\n[targets.a]\nnotes = ' + "[" * 1000 + "]" * 1000 + "\n")
    err = one_line_error(run("check", "-f", path), 2)
    assert err.startswith(f"{path}:4: TOML syntax error: arrays or tables nested too deeply")


def test_an_integer_of_4301_digits_is_a_syntax_error_with_a_line(run, write_ledger) -> None:  # type: ignore[no-untyped-def]
    path = write_ledger('title = "x"\n\n[targets.a]\ntitle = "A"\ntarget = 1' + "0" * 4300 + "\n")
    err = one_line_error(run("status", "-f", path), 2)
    assert f"{path}:5: TOML syntax error: a number too long to read" in err


def test_a_400_digit_value_is_a_check_error(run, write_ledger) -> None:  # type: ignore[no-untyped-def]
    path = write_ledger(MINIMAL.replace("value = 89", "value = 1" + "0" * 400))
    err = one_line_error(run("check", "-f", path), 1)
    assert f"{path}:13: 'value' must be a finite number, got a 401-digit integer" in err
    one_line_error(run("status", "-f", path, "--as-of", "2021-10-31"), 2)
    path = write_ledger(MINIMAL.replace("target = 102", "target = 1" + "0" * 400))
    assert f"{path}:9: 'target' must be a finite number" in one_line_error(run("check", "-f", path), 1)


def test_a_ratio_that_is_not_finite_is_a_check_error(run, write_ledger) -> None:  # type: ignore[no-untyped-def]
    path = write_ledger(MINIMAL.replace("baseline = 0", "baseline = -1e308").replace("target = 102", "target = 1e308"))
    err = one_line_error(run("check", "-f", path), 1)
    assert f"{path}:9: tasks: target minus baseline is too large a number to compute a share" in err
    one_line_error(run("show", "tasks", "-f", path, "--as-of", "2021-10-31"), 2)
    path = write_ledger(MINIMAL.replace("target = 102", "target = 1e-300").replace("value = 89", "value = 1e300"))
    assert f"{path}:13: tasks: the share done for value 1e+300 is too large a number" in one_line_error(
        run("check", "-f", path), 1
    )


def test_weights_adding_up_to_infinity_are_a_check_error(run, write_ledger) -> None:  # type: ignore[no-untyped-def]
    path = write_ledger("""\
        [targets.all]
        title = "All"
        kind = "rollup"

        [targets.a]
        title = "A"
        kind = "maintain"
        at_least = 1
        parent = "all"
        weight = 1e308

        [targets.b]
        title = "B"
        kind = "maintain"
        at_least = 1
        parent = "all"
        weight = 1e308
        """)
    err = one_line_error(run("check", "-f", path), 1)
    assert f"{path}:1: all: the weights of this rollup's children add up to too large a number" in err


@pytest.mark.parametrize(
    ("replace", "line", "message"),
    [
        ("start = 2021-01-01", 10, "'start': 0001-01-02 is outside the supported range 1900-01-01 to 2199-12-31"),
        ("due = 2021-12-31", 11, "'due': 9999-12-31 is outside the supported range 1900-01-01 to 2199-12-31"),
        ("date = 2021-10-31", 13, "'date': 2500-10-31 is outside the supported range 1900-01-01 to 2199-12-31"),
    ],
)
def test_dates_outside_the_supported_range_are_check_errors(run, write_ledger, replace, line, message) -> None:  # type: ignore[no-untyped-def]
    bad = {"start": "start = 0001-01-02", "due": "due = 9999-12-31", "date": "date = 2500-10-31"}[replace.split()[0]]
    path = write_ledger(MINIMAL.replace(replace, bad))
    err = one_line_error(run("check", "-f", path), 1)
    assert f"{path}:{line}: {message}" in err
    for fmt in ("md", "html"):  # matplotlib and year 10000 crashed every report
        one_line_error(run("report", "-f", path, "--month", "2021-10", "--format", fmt), 2)


@pytest.mark.parametrize("month", ["0001-01", "9999-12", "2200-01", "1899-12"])
def test_report_month_outside_the_range_is_refused(run, write_ledger, month: str) -> None:  # type: ignore[no-untyped-def]
    err = one_line_error(run("report", "-f", write_ledger(), "--month", month), 2)
    assert err.startswith("tracker: ") and "outside the supported range" in err and len(err.splitlines()) == 1


@pytest.mark.parametrize(
    ("typed", "says"),
    [
        ("24:0099999999999999999999999999999999of", "is not a date"),
        ("5pm", "does not name a year and a month"),
        ("10", "does not name a year and a month"),
        ("Oct 31", "does not name a year and a month"),
        ("01/02/2021", "is ambiguous: write 2021-01-02 or 2021-02-01"),
        ("0001-01-02", "outside the supported range"),
        ("Oct 9999", "outside the supported range"),
        ("zzz 12", "is not a date"),
    ],
)
def test_every_as_of_parses_in_range_or_is_refused(run, write_ledger, typed: str, says: str) -> None:  # type: ignore[no-untyped-def]
    err = one_line_error(run("status", "-f", write_ledger(), "--as-of", typed), 2)
    assert err.startswith("tracker: --as-of: ") and says in err, err
    assert len(err.splitlines()) == 1
    assert "Unknown string format" not in err and "String does not contain" not in err


def test_a_date_without_a_month_is_never_written(run, write_ledger) -> None:  # type: ignore[no-untyped-def]
    path = write_ledger()
    before = path.read_bytes()
    err = one_line_error(run("update", "tasks", "95", "--date", "10", "-f", path), 2)
    assert "does not name a year and a month" in err
    assert path.read_bytes() == before


@pytest.mark.parametrize(("typed", "day"), [("2021年10月31日", "2021-10-31"), ("2021年10月", "2021-10-31"),
                                           ("31/10/2021", "2021-10-31"), ("Oct 2021", "2021-10-31")])  # fmt: skip
def test_chinese_and_unambiguous_dates_are_read(run, write_ledger, typed: str, day: str) -> None:  # type: ignore[no-untyped-def]
    import json

    result = run("status", "-f", write_ledger(), "--as-of", typed, "--format", "json")
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["as_of"] == day


def test_a_chinese_month_is_a_report_month(run, write_ledger) -> None:  # type: ignore[no-untyped-def]
    result = run("report", "-f", write_ledger(), "--month", "2021年10月", "--format", "json")
    assert result.exit_code == 0, result.output
    assert '"as_of": "2021-10-31"' in result.stdout


def test_an_id_with_a_trailing_newline_is_rejected(run, write_ledger) -> None:  # type: ignore[no-untyped-def]
    path = write_ledger(MINIMAL.replace("[targets.tasks]", '[targets."evil\\n"]'))
    err = one_line_error(run("check", "-f", path), 1)
    assert f"{path}: target id 'evil\\n' must use only letters" in err
    assert len(err.splitlines()) == 2  # the problem and the summary: the newline is shown, not printed


# -- 3. includes ------------------------------------------------------------------------------------


def include_ledger(write_ledger, entry: str, settings: str = "") -> Path:  # type: ignore[no-untyped-def]
    return write_ledger(f'title = "x"\ninclude = ["{entry}"]\n{settings}\n' + MINIMAL.split("\n", 1)[1])


@pytest.mark.parametrize(
    ("entry", "says"),
    [
        ("/dev/zero", "is outside the ledger's folder"),
        ("/dev/stdin", "is outside the ledger's folder"),
        ("/etc/shadow", "is outside the ledger's folder"),
        ("../outside.toml", "is outside the ledger's folder"),
    ],
)
def test_includes_outside_the_ledgers_folder_are_check_errors(run, write_ledger, tmp_path, entry, says) -> None:  # type: ignore[no-untyped-def]
    (tmp_path.parent / "outside.toml").write_text("[targets.o]\ntitle='o'\nkind='maintain'\nat_least=1\n")
    path = include_ledger(write_ledger, entry)
    with time_limit(20), memory_limit(1 << 30):
        result = run("check", "-f", path, input="[targets.stdin]\ntitle='s'\nkind='maintain'\nat_least=1\n")
    err = one_line_error(result, 1)
    assert f"{path}:2: included path '{entry}' {says}" in err


def test_a_device_or_fifo_is_never_read_even_when_outside_is_allowed(run, write_ledger, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    fifo = tmp_path / "pipe.toml"
    os.mkfifo(fifo)
    for entry in ("pipe.toml", "/dev/zero"):
        path = include_ledger(write_ledger, entry, "[settings]\nallow_outside_includes = true\n")
        with time_limit(20), memory_limit(1 << 30):
            err = one_line_error(run("check", "-f", path), 1)
        assert f"{path}:2: included path '{entry}' is not a regular file or folder" in err


def test_a_fifo_in_an_included_folder_is_never_read(run, write_ledger, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    (tmp_path / "parts").mkdir()
    os.mkfifo(tmp_path / "parts" / "a.toml")
    path = include_ledger(write_ledger, "parts/")
    with time_limit(20):
        err = one_line_error(run("check", "-f", path), 1)
    assert f"{path}:2: included path 'parts/ (a.toml)' is not a regular file or folder" in err


def test_a_symlink_pointing_outside_is_a_check_error(run, write_ledger, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    secret = tmp_path.parent / f"{tmp_path.name}-secret.toml"
    secret.write_text("[targets.secret]\ntitle='s'\nkind='maintain'\nat_least=1\n")
    (tmp_path / "parts").mkdir()
    (tmp_path / "parts" / "link.toml").symlink_to(secret)
    (tmp_path / "direct.toml").symlink_to(secret)
    for entry in ("parts/", "direct.toml"):
        path = include_ledger(write_ledger, entry)
        err = one_line_error(run("check", "-f", path), 1)
        assert f"{path}:2: included path '{entry}" in err and "is outside the ledger's folder" in err
        assert "secret" not in run("status", "-f", path, "--as-of", "2021-10-31").stdout


def test_outside_includes_can_be_allowed(run, write_ledger, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    other = tmp_path.parent / f"{tmp_path.name}-shared.toml"
    other.write_text("[targets.shared]\ntitle='s'\nkind='maintain'\nat_least=1\n")
    path = include_ledger(write_ledger, str(other), "[settings]\nallow_outside_includes = true\n")
    result = run("status", "-f", path, "--as-of", "2021-10-31")
    assert result.exit_code == 0, result.output
    assert "shared" in result.stdout


def test_include_loops_are_check_errors(run, write_ledger, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    path = include_ledger(write_ledger, "b.toml")
    write_ledger('include = ["targets.toml"]\n\n[targets.b]\ntitle="B"\nkind="maintain"\nat_least=1\n', name="b.toml")
    err = one_line_error(run("check", "-f", path), 1)
    b = tmp_path / "b.toml"
    assert f"{b}:1: include loop: 'targets.toml' is {path}, which is already part of the ledger" in err
    # a file that includes itself
    path = include_ledger(write_ledger, "targets.toml")
    err = one_line_error(run("check", "-f", path), 1)
    assert f"{path}:2: include loop: 'targets.toml'" in err


# -- 3. escaping ---------------------------------------------------------------------------------------


HOSTILE = (
    MINIMAL.replace('title = "Reform tasks"', 'title = "Reform\\r\\n| x | y |\\ntasks"')
    .replace('source = "news 2021-12-06"', 'source = "![x](http://evil.example/p.png) [x](javascript:alert(1))"')
    .replace('note = "Jan-Oct"', 'note = "<img src=x onerror=alert(1)>"')
)


def assert_inert_markdown(md: str) -> None:
    assert "![x](" not in md and "[x](" not in md, md
    assert "<img" not in md
    for line in md.splitlines():
        if line.startswith("|"):
            assert line.rstrip().endswith("|"), f"a table row was split: {line!r}"
    assert "\r" not in md


def test_show_markdown_escapes_links_images_and_line_breaks(run, write_ledger) -> None:  # type: ignore[no-untyped-def]
    path = write_ledger(HOSTILE)
    result = run("show", "tasks", "-f", path, "--as-of", "2021-10-31", "--format", "markdown")
    assert result.exit_code == 0, result.output
    assert_inert_markdown(result.stdout)
    assert "\\[x\\](javascript:alert(1))" in result.stdout


def test_report_markdown_escapes_ledger_text(run, write_ledger) -> None:  # type: ignore[no-untyped-def]
    path = write_ledger(HOSTILE)
    result = run("report", "-f", path, "--month", "2021-10")
    assert result.exit_code == 0, result.output
    assert_inert_markdown(result.stdout)


def test_status_markdown_rows_stay_whole(run, write_ledger) -> None:  # type: ignore[no-untyped-def]
    hostile = HOSTILE.replace('area = "Reform"', 'area = "[x](javascript:alert(1))"').replace(
        "\\ntasks", "\\n![x](http://evil.example/p.png)"
    )
    result = run("status", "-f", write_ledger(hostile), "--as-of", "2021-10-31", "--format", "markdown")
    assert result.exit_code == 0, result.output
    assert_inert_markdown(result.stdout)


@pytest.mark.parametrize("title", [" =1+1", "\\n=2+2", "  -2+3"])
def test_csv_neutralises_formulas_after_blanks(run, write_ledger, title: str) -> None:  # type: ignore[no-untyped-def]
    path = write_ledger(MINIMAL.replace('title = "Reform tasks"', f'title = "{title}"'))
    result = run("status", "-f", path, "--as-of", "2021-10-31", "--format", "csv")
    assert result.exit_code == 0, result.output
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    cell = rows[0]["title"]
    assert cell.startswith("'"), cell


# -- 5. no process-wide side effects from the library ----------------------------------------------


def test_loading_does_not_freeze_the_collector(write_ledger) -> None:  # type: ignore[no-untyped-def]
    gc.unfreeze()
    before = gc.get_freeze_count()
    enabled = gc.isenabled()
    load_ledger(write_ledger())
    assert gc.get_freeze_count() == before
    assert gc.isenabled() == enabled


def test_a_fifo_as_the_ledger_is_refused_not_waited_on(tmp_path) -> None:  # type: ignore[no-untyped-def]
    """Choosing the language reads the ledger's [settings] first: that read must not block either."""
    import os
    import subprocess
    import sys

    fifo = tmp_path / "targets.toml"
    os.mkfifo(fifo)
    proc = subprocess.run(
        [sys.executable, "-m", "target_tracker", "-f", str(fifo), "status"], capture_output=True, text=True, timeout=60
    )
    assert proc.returncode == 2
    assert "not a regular file" in proc.stderr and "Traceback" not in proc.stderr
