"""Charts drawn in a second process, started before the ledger is read.

matplotlib takes about half a second to import: as long as reading a
1,000-target ledger. A Word or HTML report needs both, one after the other
in one process. :class:`ChartProcess` starts a Python process that imports
matplotlib while this one reads the ledger, then draws the charts it is
sent while this one builds the document. The work is the same; the wait is
shorter wherever there is a second core (every office PC).

The images are the same bytes as drawn here (the same code, the same
settings). Whenever the chart process cannot give a chart (it could not
start, died, or failed on one chart), the chart is drawn here instead, so a
report never depends on it and an error is raised where it always was.

Requests and answers are pickled over the child's stdin and stdout: the
only reader of either is our own process at the other end.
"""

from __future__ import annotations

import contextlib
import functools
import os
import pickle
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import IO, Any

from target_tracker.i18n import language, use_language

#: The Python code the child runs: this package from where this process found it; at the end of its
#: input it leaves at once (tearing down matplotlib and numpy takes 0.1 s the report would wait for).
_CHILD = ("import os, sys; sys.path.insert(0, sys.argv[1]); from target_tracker.reports.chart_process import serve; "
          "serve(); sys.stdout.flush(); os._exit(0)")  # fmt: skip


def worth_starting() -> bool:
    """A second process helps only with a second core, and only while
    matplotlib is not imported here already (tests, library callers)."""
    if "matplotlib.figure" in sys.modules:
        return False
    try:
        cores = len(os.sched_getaffinity(0))
    except (AttributeError, OSError):  # not on Linux
        cores = os.cpu_count() or 1
    return cores > 1


class ChartProcess:
    """A :class:`~target_tracker.reports.charts.Drawer` backed by a child
    process; use it as a context manager so the child always ends."""

    def __init__(self) -> None:
        self._answers: dict[int, tuple[bool, bytes]] = {}
        self._sent = self._received = 0
        self._proc: subprocess.Popen[bytes] | None
        try:
            self._proc = subprocess.Popen(
                # -P: the working folder (a shared folder, perhaps) is not searched for modules
                [sys.executable, "-P", "-c", _CHILD, str(Path(__file__).resolve().parents[2])],
                stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
            )  # fmt: skip
        except OSError:
            self._proc = None

    def __enter__(self) -> ChartProcess:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()

    def submit(self, name: str, *args: Any) -> Callable[[], bytes]:
        from target_tracker.reports.charts import CHARTS

        here = functools.partial(CHARTS[name], *args)
        if self._proc is None or self._proc.stdin is None:
            return here
        number = self._sent
        try:
            pickle.dump((number, name, args, language()), self._proc.stdin, protocol=pickle.HIGHEST_PROTOCOL)
            self._proc.stdin.flush()
        except (OSError, pickle.PicklingError, ValueError):
            self._stop()
            return here
        self._sent += 1
        return lambda: self._answer(number) or here()

    def _answer(self, number: int) -> bytes | None:
        """The child's image for request ``number``, or None when it has none."""
        while number not in self._answers and self._proc is not None and self._proc.stdout is not None:
            try:
                got, ok, image = pickle.load(self._proc.stdout)
            except Exception:  # EOF, a broken pipe, a cut-off answer: the child is gone
                self._stop()
                break
            self._answers[got] = (ok, image)
            self._received += 1
        ok, image = self._answers.pop(number, (False, b""))
        return image if ok else None

    def _stop(self) -> None:
        if self._proc is not None:
            self._proc.kill()
            self._proc.wait()
            self._close_pipes(self._proc)
            self._proc = None

    def close(self) -> None:
        """End the child. Idle (every chart answered), it exits when its input
        ends; still importing or drawing (the report failed, say), it is
        stopped at once rather than waited for."""
        proc, self._proc = self._proc, None
        if proc is None:
            return
        idle = self._sent > 0 and self._received == self._sent
        try:
            if proc.stdin is not None:
                proc.stdin.close()
            if not idle:
                proc.kill()
            proc.wait(timeout=5)
        except (OSError, subprocess.TimeoutExpired):
            proc.kill()
            proc.wait()
        self._close_pipes(proc)

    @staticmethod
    def _close_pipes(proc: subprocess.Popen[bytes]) -> None:
        for pipe in (proc.stdin, proc.stdout):
            try:
                if pipe is not None:
                    pipe.close()
            except OSError:
                pass


def serve(requests: IO[bytes] | None = None, answers: IO[bytes] | None = None) -> None:
    """The child: import matplotlib and find the CJK font at once, then
    answer each request ``(number, chart, args, language)`` with
    ``(number, ok, image)`` until the input ends."""
    requests = requests or sys.stdin.buffer
    answers = answers or sys.stdout.buffer
    from target_tracker.reports import charts

    with contextlib.suppress(Exception):  # if this fails, each request does, and the parent draws it itself
        charts.warm_up()
    while True:
        try:
            number, name, args, lang = pickle.load(requests)
        except EOFError:
            return
        try:
            if lang != language():
                use_language(lang)
            answer: tuple[int, bool, bytes] = (number, True, charts.CHARTS[name](*args))
        except Exception:  # the parent draws this one and meets the error itself
            answer = (number, False, b"")
        pickle.dump(answer, answers, protocol=pickle.HIGHEST_PROTOCOL)
        answers.flush()
