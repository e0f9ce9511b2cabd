"""Shared fixtures: a factory that writes a ledger from a string, and a CLI runner."""

from __future__ import annotations

import textwrap
from collections.abc import Callable
from pathlib import Path

import pytest
from typer.testing import CliRunner

from target_tracker.cli import app

ROOT = Path(__file__).resolve().parent.parent
DATA = Path(__file__).resolve().parent / "data"

MINIMAL = """\
title = "Test ledger"

[targets.tasks]
title = "Reform tasks"
kind = "quantity"
area = "Reform"
unit = "tasks"
baseline = 0
target = 102
start = 2021-01-01
due = 2021-12-31
observations = [
  { date = 2021-10-31, value = 89, note = "Jan-Oct", source = "news 2021-12-06" },
]
"""


@pytest.fixture
def write_ledger(tmp_path: Path) -> Callable[..., Path]:
    """write_ledger(text, name="targets.toml", newline="\\n") -> path; text is dedented."""

    def write(text: str = MINIMAL, name: str = "targets.toml", newline: str = "\n") -> Path:
        path = tmp_path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        body = textwrap.dedent(text)
        path.write_bytes(body.replace("\n", newline).encode("utf-8"))
        return path

    return write


class Run:
    """Invoke the app like a user would; returns the click Result."""

    def __init__(self) -> None:
        self.runner = CliRunner()

    def __call__(self, *args: str | Path, env: dict[str, str] | None = None, input: str | None = None):  # type: ignore[no-untyped-def]
        full_env = {"NO_COLOR": "1", "TRACKER_LEDGER": ""}
        full_env.update(env or {})
        return self.runner.invoke(app, [str(a) for a in args], env=full_env, input=input)


@pytest.fixture
def run() -> Run:
    return Run()


@pytest.fixture(autouse=True)
def private_cache(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Each test gets its own cache folder, never the user's."""
    folder = tmp_path_factory.mktemp("cache")
    monkeypatch.setenv("TRACKER_CACHE_DIR", str(folder))
    monkeypatch.delenv("TRACKER_NO_CACHE", raising=False)
    return folder


@pytest.fixture(autouse=True)
def english_by_default(monkeypatch: pytest.MonkeyPatch):  # type: ignore[no-untyped-def]
    """Tests see an English locale and no TRACKER_LANG, whatever the machine's;
    the interface language is English again after each test."""
    from target_tracker.i18n import use_language

    for name in ("TRACKER_LANG", "LC_ALL", "LC_MESSAGES", "LANGUAGE"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("LANG", "C.UTF-8")
    yield
    use_language("en")


@pytest.fixture(autouse=True)
def charts_drawn_here(monkeypatch: pytest.MonkeyPatch) -> None:
    """In-process commands draw their charts here: a chart process per report
    would import matplotlib afresh each time (tests/test_chart_process.py
    tests that process, and that its charts are the same bytes)."""
    from target_tracker.reports import chart_process

    monkeypatch.setattr(chart_process, "worth_starting", lambda: False)


TODAY = "2026-01-15"  # what `today` returns in tests that use the fixed_today fixture


@pytest.fixture
def fixed_today(monkeypatch: pytest.MonkeyPatch) -> str:
    """The CLI's clock stopped at TODAY, so stamps such as `recorded = ...` and
    `added = ...` can be compared byte for byte."""
    from datetime import date

    from target_tracker.cli import common

    monkeypatch.setattr(common, "today", lambda: date.fromisoformat(TODAY))
    return TODAY


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--update-golden", action="store_true", help="Rewrite the golden files in tests/golden/ from current output."
    )


@pytest.fixture
def update_golden(request: pytest.FixtureRequest) -> bool:
    return bool(request.config.getoption("--update-golden"))
