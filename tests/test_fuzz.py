"""The mutation fuzzer (benchmarks/fuzz.py) with a fixed seed: hostile ledgers
through check, status, show and the Markdown and HTML reports end in a clean
message, never an internal error, a hang or a changed file.

``TRACKER_FUZZ_COUNT=10000 pytest tests/test_fuzz.py`` runs the long version
(or ``python benchmarks/fuzz.py --count 10000``).
"""

from __future__ import annotations

import importlib.util
import os
import sys
from pathlib import Path

from .conftest import ROOT

COUNT = int(os.environ.get("TRACKER_FUZZ_COUNT", "300"))
SEED = int(os.environ.get("TRACKER_FUZZ_SEED", "20261126"))


def _fuzz_module():  # type: ignore[no-untyped-def]
    if "tracker_fuzz" in sys.modules:
        return sys.modules["tracker_fuzz"]
    spec = importlib.util.spec_from_file_location("tracker_fuzz", ROOT / "benchmarks" / "fuzz.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules["tracker_fuzz"] = module  # dataclasses look their module up
    spec.loader.exec_module(module)
    return module


def test_mutated_ledgers_never_end_in_an_internal_error(tmp_path: Path) -> None:
    fuzz = _fuzz_module()
    bad = fuzz.fuzz(COUNT, SEED, tmp_path)
    assert not bad, f"{len(bad)} of {COUNT} inputs failed (seed {SEED}):\n" + "\n".join(bad[:20])


def test_the_fuzzer_covers_every_mutation_and_seed() -> None:
    """The inputs really are mutated, with every kind of mutation, from every seed ledger."""
    fuzz = _fuzz_module()
    cases = list(fuzz.cases(COUNT, SEED))
    used = {m for c in cases for m in c.mutations}
    assert used == {m.__name__ for m in fuzz.MUTATIONS}
    assert {c.seed_name for c in cases} == {name for name, _ in fuzz.seeds()}
    originals = {data for _, data in fuzz.seeds()}
    assert sum(c.data not in originals for c in cases) > 0.9 * len(cases)
    assert any(name.startswith("src/target_tracker/data/") for name, _ in fuzz.seeds())
    assert any(name.startswith("tests/data/") for name, _ in fuzz.seeds())


def test_the_fuzzer_sees_internal_errors_and_changed_files(tmp_path: Path) -> None:
    fuzz = _fuzz_module()
    case = fuzz.Case(0, "x", ["flip"], b'[targets.a]\ntitle = "A"\n')

    class Result:
        def __init__(self, exception: BaseException | None = None, exit_code: int = 0, output: str = "") -> None:
            self.exception, self.exit_code, self.output = exception, exit_code, output

    def crashing(args: list[str]) -> Result:
        return Result(exception=ValueError("boom")) if args[0] == "status" else Result(exit_code=2)

    def writing(args: list[str]) -> Result:
        (tmp_path / "targets.toml").write_text("changed")
        return Result(exit_code=3, output="tracker: internal error: X")

    assert any("status: ValueError: boom" in f for f in fuzz.run_case(case, tmp_path, crashing))
    failures = fuzz.run_case(case, tmp_path, writing)
    assert any("exit 3" in f for f in failures) and any("files changed" in f for f in failures)
