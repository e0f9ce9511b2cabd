"""The chart process: charts drawn by a second Python process (started while
the ledger is read) are the same bytes as charts drawn here, in both
languages; whatever goes wrong with that process, the chart is drawn here;
the process always ends; and the real CLI writes the same Word report either way."""

from __future__ import annotations

import io
import os
import pickle
import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest

from .conftest import DATA, ROOT

LEDGER = DATA / "report-ledger.toml"


def _report(lang: str = "en"):  # type: ignore[no-untyped-def]
    from target_tracker.i18n import use_language
    from target_tracker.ledger.load import load_ledger
    from target_tracker.reports.data import build_report, report_sections

    use_language(lang)
    ledger = load_ledger(LEDGER).ledger
    assert ledger is not None
    rep = build_report(ledger, "2024-02", date(2024, 3, 1), None)
    return rep, report_sections(rep)


def _images(drawer, lang: str, fmt: str) -> list[tuple[str, bytes]]:  # type: ignore[no-untyped-def]
    from target_tracker.reports.charts import section_charts

    rep, blocks = _report(lang)
    drawn = section_charts(rep, blocks, fmt, drawer)
    return [(d.kind, d.image()) for section in drawn for d in section]


@pytest.mark.parametrize(("lang", "fmt"), [("en", "png"), ("zh", "png"), ("zh", "svg")])
def test_charts_from_the_process_are_the_same_bytes(lang: str, fmt: str) -> None:
    from target_tracker.reports.chart_process import ChartProcess
    from target_tracker.reports.charts import DrawHere

    with ChartProcess() as process:
        assert process._proc is not None  # really a second process
        there = _images(process, lang, fmt)
        assert process._proc is not None, "the process failed a chart and it was drawn here instead"
    here = _images(DrawHere(), lang, fmt)
    assert [k for k, _img in there] == ["areas", "trajectory"]
    assert there == here
    assert all(len(img) > 1000 for _k, img in there)


def test_the_process_ends_with_the_report() -> None:
    """Idle after its charts, it exits when its input ends (exit code 0)."""
    from target_tracker.reports.chart_process import ChartProcess

    with ChartProcess() as process:
        proc = process._proc
        assert proc is not None and proc.poll() is None
        _images(process, "en", "png")
    assert proc.returncode == 0
    assert proc.stdin is not None and proc.stdin.closed


def test_a_report_that_fails_stops_the_process_at_once(run, write_ledger, monkeypatch: pytest.MonkeyPatch,
                                                       tmp_path: Path) -> None:  # fmt: skip
    """A broken ledger: the error is told, and the process (still importing
    matplotlib) is stopped rather than waited for; none is left running."""
    from target_tracker.reports import chart_process

    started: list[chart_process.ChartProcess] = []

    class Recorded(chart_process.ChartProcess):
        def __init__(self) -> None:
            super().__init__()
            started.append(self)

    monkeypatch.setattr(chart_process, "worth_starting", lambda: True)
    monkeypatch.setattr(chart_process, "ChartProcess", Recorded)
    broken = write_ledger("[targets.x]\ntitle = \n")
    result = run("report", "-f", broken, "--month", "2024-02", "--out", tmp_path / "r.docx")
    assert result.exit_code != 0 and "targets.toml:2" in result.output
    assert len(started) == 1 and started[0]._proc is None
    assert not (tmp_path / "r.docx").exists()


def test_the_cli_uses_the_process_when_worth_it(run, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """Through the CLI: with the process on, the charts come from it (none drawn here)."""
    from target_tracker.reports import chart_process, charts

    monkeypatch.setattr(chart_process, "worth_starting", lambda: True)
    monkeypatch.setattr(charts, "CHARTS", {name: _fail for name in charts.CHARTS})  # here only: the child has its own
    out = tmp_path / "r.docx"
    result = run("report", "-f", LEDGER, "--month", "2024-02", "--out", out, env={"SOURCE_DATE_EPOCH": "1709251200"})
    assert result.exit_code == 0, result.output
    monkeypatch.undo()
    here = tmp_path / "here.docx"
    result = run("report", "-f", LEDGER, "--month", "2024-02", "--out", here, env={"SOURCE_DATE_EPOCH": "1709251200"})
    assert out.read_bytes() == here.read_bytes()


def _fail(*_args: object) -> bytes:
    raise AssertionError("drawn here, not by the chart process")


def test_a_dead_process_means_charts_drawn_here() -> None:
    from target_tracker.reports.chart_process import ChartProcess
    from target_tracker.reports.charts import DrawHere

    here = _images(DrawHere(), "en", "png")
    with ChartProcess() as process:
        assert process._proc is not None
        process._proc.kill()
        process._proc.wait()
        assert _images(process, "en", "png") == here
        assert process._proc is None  # given up on: later charts go straight to here


def test_a_process_that_cannot_start_means_charts_drawn_here(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    from target_tracker.reports.chart_process import ChartProcess
    from target_tracker.reports.charts import DrawHere

    monkeypatch.setattr(sys, "executable", str(tmp_path / "no-such-python"))
    with ChartProcess() as process:
        assert process._proc is None
        assert _images(process, "en", "png") == _images(DrawHere(), "en", "png")


def test_a_chart_that_fails_there_is_drawn_here_and_fails_here_in_the_same_words() -> None:
    """The child answers a failed chart with ok=False and goes on; the parent
    then draws it itself, so the error is raised where it always was."""
    from target_tracker.reports.chart_process import serve

    requests = io.BytesIO()
    pickle.dump((0, "areas", ("not a list of bars", "t", "png"), "en"), requests)
    pickle.dump((1, "no-such-chart", (), "en"), requests)
    requests.seek(0)
    answers = io.BytesIO()
    serve(requests, answers)
    answers.seek(0)
    assert pickle.load(answers) == (0, False, b"")
    assert pickle.load(answers) == (1, False, b"")


def test_only_worth_starting_with_two_cores_and_no_matplotlib_here(monkeypatch: pytest.MonkeyPatch) -> None:
    from target_tracker.reports import chart_process

    monkeypatch.undo()  # conftest turns the process off for in-process commands
    monkeypatch.delitem(sys.modules, "matplotlib.figure", raising=False)
    monkeypatch.setattr(os, "sched_getaffinity", lambda _pid: {0, 1}, raising=False)
    assert chart_process.worth_starting()
    monkeypatch.setattr(os, "sched_getaffinity", lambda _pid: {0}, raising=False)
    assert not chart_process.worth_starting()
    monkeypatch.setattr(os, "sched_getaffinity", lambda _pid: {0, 1}, raising=False)
    monkeypatch.setitem(sys.modules, "matplotlib.figure", object())
    assert not chart_process.worth_starting()


def test_the_cli_writes_the_same_word_report_with_the_chart_process(run, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    """The installed command (a real process, two cores here) against the
    in-process command (charts drawn here): byte-identical .docx and .html."""
    if len(os.sched_getaffinity(0)) < 2:
        pytest.skip("one core: the CLI draws here")
    env = {**os.environ, "SOURCE_DATE_EPOCH": "1709251200", "PYTHONPATH": str(ROOT / "src"), "TRACKER_LANG": "zh"}
    for ext in ("docx", "html"):
        out = tmp_path / f"cli.{ext}"
        proc = subprocess.run([sys.executable, "-m", "target_tracker", "report", "-f", str(LEDGER), "--month",
                               "2024-02", "--out", str(out)], env=env, capture_output=True, text=True)  # fmt: skip
        assert proc.returncode == 0, proc.stderr
        here = tmp_path / f"here.{ext}"
        result = run("report", "-f", LEDGER, "--month", "2024-02", "--out", here,
                     env={"SOURCE_DATE_EPOCH": "1709251200", "TRACKER_LANG": "zh"})  # fmt: skip
        assert result.exit_code == 0, result.output
        assert out.read_bytes() == here.read_bytes(), ext


def test_the_process_never_imports_modules_from_the_working_folder(monkeypatch: pytest.MonkeyPatch,
                                                                   tmp_path: Path) -> None:  # fmt: skip
    """A report run inside a shared folder holding a ``matplotlib.py``: the
    chart process (like the CLI) does not import it."""
    from target_tracker.reports.chart_process import ChartProcess
    from target_tracker.reports.charts import DrawHere

    planted = tmp_path / "planted"
    (tmp_path / "matplotlib.py").write_text(f"open({str(planted)!r}, 'w').close()\n")
    (tmp_path / "numpy.py").write_text(f"open({str(planted)!r}, 'w').close()\n")
    monkeypatch.chdir(tmp_path)
    with ChartProcess() as process:
        there = _images(process, "en", "png")
        assert process._proc is not None
    assert not planted.exists()
    assert there == _images(DrawHere(), "en", "png")
