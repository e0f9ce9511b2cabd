"""Mutation fuzzer: hostile ledgers through every reading command.

    python benchmarks/fuzz.py --count 10000            # the long run (about an hour here)
    python benchmarks/fuzz.py --count 500 --seed 7 --save /tmp/repro

Seeds are the bundled ledgers (targets.toml, src/target_tracker/data/*.toml)
and the ledgers in tests/data. Each input is one seed with one to three
mutations: byte flips, truncation, deep nesting, huge numbers, extreme dates,
wrong types, inserted control characters, line edits and hostile includes.
Each goes through ``check``, ``status``, ``show ID``, ``report --format md``
and, when the Markdown report works, ``--format html`` (in process, through
Typer's CliRunner). A failure is an internal error (an exception out of the
command, exit code 3, "internal error" or a traceback), a hang, or a changed
file. tests/test_fuzz.py runs a few hundred inputs with a fixed seed on every
test run (``TRACKER_FUZZ_COUNT`` sets how many).
"""

from __future__ import annotations

import argparse
import os
import random
import re
import shutil
import signal
import sys
import tempfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

NUMBER = re.compile(rb"(?<=[=\s,\[{])-?\d[\d_]*(?:\.\d+)?(?:[eE][+-]?\d+)?(?=[\s,\]}]|$)", re.M)
DATE = re.compile(rb"\d{4}-\d{2}-\d{2}")
VALUE = re.compile(rb"(?m)^(\s*[A-Za-z_][\w-]*\s*=\s*)(.+)$")
STRING = re.compile(rb'"(?:[^"\\\n]|\\.)*"')
HUGE = [b"1" + b"0" * 400, b"1" + b"0" * 4300, b"-1" + b"0" * 309, b"1e308", b"-1e308", b"1.7976931348623157e308",
        b"inf", b"-inf", b"nan", b"1e-320", b"9223372036854775808", b"-9223372036854775809", b"0", b"-0.0",
        b"0x7fffffffffffffff", b"1_000_000"]  # fmt: skip
DATES = [b"0001-01-01", b"0001-01-02", b"9999-12-31", b"1899-12-31", b"1900-01-01", b"2199-12-31", b"2200-01-01",
         b"2000-02-29", b"2021-02-29", b"2021-13-45", b"1979-05-27T07:32:00Z", b"1979-05-27 07:32:00",
         b"07:32:00", b'"2021-10"', b'"Oct 2021"', b'"24:0099999999999999999999999999999999of"', b'"10"', b'"5pm"',
         b'"01/02/2021"', '"2021年11月30日"'.encode(), b'"9999-12"', b'"0001-01"']  # fmt: skip
WRONG = [b'"text"', b"true", b"[]", b"{}", b"[1, 2]", b"{ a = 1 }", b"2021-01-01", b"12:00:00", b'""', b'[{}]',
         b"[[]]", b'{ date = 2021-10-31 }', b'"\\u0000"', b'"![x](javascript:alert(1))"', b'" =1+1"']  # fmt: skip
CONTROL = [b"\x00", b"\x7f", b"\x1b[31m", b"\r", b"\t", b"\x0b", b"\xe2\x80\xa8", b"\\u0007", b"\\r\\n", b"\\u007f",
           b"\xff", b"\xc3", b"\xef\xbb\xbf"]  # fmt: skip
INCLUDES = [b'include = ["/dev/null"]\n', b'include = ["extra.toml"]\n', b'include = ["targets.toml"]\n',
            b'include = ["."]\n', b'include = [".."]\n', b'include = ["missing/"]\n', b'include = 3\n',
            b'include = ["a\\u0000b"]\n', b'include = [""]\n']  # fmt: skip


def seeds() -> list[tuple[str, bytes]]:
    paths = [ROOT / "targets.toml", *sorted((ROOT / "src" / "target_tracker" / "data").glob("*.toml")),
             *sorted((ROOT / "tests" / "data").rglob("*.toml"))]  # fmt: skip
    return [(str(p.relative_to(ROOT)), p.read_bytes()) for p in paths if p.is_file()]


def _pick(rng: random.Random, pattern: re.Pattern[bytes], data: bytes) -> re.Match[bytes] | None:
    found = list(pattern.finditer(data))
    return rng.choice(found) if found else None


def _splice(data: bytes, m: re.Match[bytes] | None, new: bytes, group: int = 0) -> bytes:
    if m is None:
        return data
    return data[: m.start(group)] + new + data[m.end(group) :]


def flip(rng: random.Random, d: bytes) -> bytes:
    b = bytearray(d)
    for _ in range(rng.randint(1, 4)):
        if b:
            b[rng.randrange(len(b))] = rng.randrange(256)
    return bytes(b)


def truncate(rng: random.Random, d: bytes) -> bytes:
    return d[: rng.randrange(len(d) + 1)]


def nest(rng: random.Random, d: bytes) -> bytes:
    n = rng.choice([10, 99, 101, 500, 1000, 3000])
    open_, close = rng.choice([(b"[", b"]"), (b"{ a = ", b" }")])
    inner = open_ * n + b"1" + close * n
    m = _pick(rng, VALUE, d)
    return _splice(d, m, inner, 2) if m else d + b"\nx = " + inner + b"\n"


def huge(rng: random.Random, d: bytes) -> bytes:
    return _splice(d, _pick(rng, NUMBER, d), rng.choice(HUGE))


def extreme_date(rng: random.Random, d: bytes) -> bytes:
    return _splice(d, _pick(rng, DATE, d), rng.choice(DATES))


def wrong_type(rng: random.Random, d: bytes) -> bytes:
    return _splice(d, _pick(rng, VALUE, d), rng.choice(WRONG), 2)


def control(rng: random.Random, d: bytes) -> bytes:
    c = rng.choice(CONTROL)
    m = _pick(rng, STRING, d)
    if m is not None and rng.random() < 0.7:
        at = rng.randint(m.start() + 1, m.end() - 1)
    else:
        at = rng.randrange(len(d) + 1)
    return d[:at] + c + d[at:]


def lines(rng: random.Random, d: bytes) -> bytes:
    ls = d.split(b"\n")
    if len(ls) < 2:
        return d
    i, j = rng.randrange(len(ls)), rng.randrange(len(ls))
    op = rng.randrange(3)
    if op == 0:
        ls.insert(j, ls[i])  # duplicate (duplicate keys, tables, ids)
    elif op == 1:
        del ls[i]
    else:
        ls[i], ls[j] = ls[j], ls[i]
    return b"\n".join(ls)


def include(rng: random.Random, d: bytes) -> bytes:
    return rng.choice(INCLUDES) + d


MUTATIONS: list[Callable[[random.Random, bytes], bytes]] = [
    flip, truncate, nest, huge, extreme_date, wrong_type, control, lines, include,
]  # fmt: skip


@dataclass
class Case:
    number: int
    seed_name: str
    mutations: list[str]
    data: bytes


def cases(count: int, seed: int) -> Iterator[Case]:
    rng = random.Random(seed)
    pool = seeds()
    for n in range(count):
        name, data = rng.choice(pool)
        applied = []
        for _ in range(rng.choice([1, 1, 2, 3])):
            m = rng.choice(MUTATIONS)
            data = m(rng, data)
            applied.append(m.__name__)
        yield Case(n, name, applied, data)


def _id_and_month(data: bytes) -> tuple[str, str]:
    m = re.search(rb"\[targets\.([A-Za-z0-9_-]+)\]", data)
    tid = m.group(1).decode() if m else "x"
    d = re.search(rb"(?<![\d-])(19\d\d|20\d\d|21\d\d)-(0[1-9]|1[0-2])-\d\d", data)
    month = f"{d.group(1).decode()}-{d.group(2).decode()}" if d else "2021-10"
    return tid, month


def _snapshot(folder: Path) -> dict[str, bytes]:
    return {str(p): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file() and not p.is_symlink()}


class Hang(BaseException):
    """Raised by the alarm; a BaseException so no ``except Exception`` or ``except OSError`` swallows it."""


def run_case(case: Case, folder: Path, invoke: Callable[[list[str]], object], timeout: int = 120) -> list[str]:
    """The failures of one input: [] when every command ended cleanly."""
    for p in list(folder.iterdir()):
        shutil.rmtree(p) if p.is_dir() and not p.is_symlink() else p.unlink()
    ledger = folder / "targets.toml"
    ledger.write_bytes(case.data)
    (folder / "extra.toml").write_bytes(b'[targets.extra]\ntitle = "Extra"\nkind = "maintain"\nat_least = 1\n')
    before = _snapshot(folder)
    tid, month = _id_and_month(case.data)
    commands = [["check"], ["status"], ["show", tid], ["report", "--month", month, "--format", "md"],
                ["report", "--month", month, "--format", "html"]]  # fmt: skip
    failures = []

    def on_alarm(signum, frame):  # type: ignore[no-untyped-def]
        raise Hang()

    old = signal.signal(signal.SIGALRM, on_alarm)
    try:
        for args in commands:
            signal.alarm(timeout)
            try:
                result = invoke([*args, "-f", str(ledger)])
            except Hang:
                failures.append(f"{' '.join(args)}: hung for {timeout} s")
                continue
            finally:
                signal.alarm(0)
            exc = getattr(result, "exception", None)
            code = getattr(result, "exit_code", None)
            out = str(getattr(result, "output", ""))
            if exc is not None and not isinstance(exc, SystemExit):
                failures.append(f"{' '.join(args)}: {type(exc).__name__}: {exc}"[:500])
            elif code == 3 or "internal error" in out or "Traceback" in out:
                failures.append(f"{' '.join(args)}: exit {code}: {out.strip()[-300:]}")
            if args[0] == "report" and args[-1] == "md" and code != 0:
                break  # the ledger is refused: the HTML report would be refused the same way
    finally:
        signal.signal(signal.SIGALRM, old)
    after = _snapshot(folder)
    if after != before:
        changed = sorted(set(before) ^ set(after) | {k for k in before if k in after and before[k] != after[k]})
        failures.append(f"files changed: {changed}")
    return failures


def cli_invoker(env: dict[str, str]) -> Callable[[list[str]], object]:
    from typer.testing import CliRunner

    from target_tracker.cli import app

    runner = CliRunner()
    full = {"NO_COLOR": "1", "TRACKER_LEDGER": "", **env}
    return lambda args: runner.invoke(app, args, env=full)


def fuzz(count: int, seed: int, work: Path, save: Path | None = None, progress: bool = False) -> list[str]:
    """Run ``count`` inputs; a description of each failing one."""
    folder = work / "ledger"
    folder.mkdir(parents=True, exist_ok=True)
    invoke = cli_invoker({"TRACKER_CACHE_DIR": str(work / "cache")})
    bad = []
    for case in cases(count, seed):
        failures = run_case(case, folder, invoke)
        if failures:
            where = ""
            if save:
                save.mkdir(parents=True, exist_ok=True)
                path = save / f"case-{seed}-{case.number:05d}.toml"
                path.write_bytes(case.data)
                where = f" (saved as {path})"
            bad.append(f"case {case.number} ({case.seed_name}, {'+'.join(case.mutations)}){where}: "
                       + "; ".join(failures))  # fmt: skip
            if progress:
                print(bad[-1][:2000], file=sys.stderr, flush=True)
        if progress and case.number % 100 == 99:
            print(f"{case.number + 1} inputs, {len(bad)} failing", file=sys.stderr, flush=True)
    return bad


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--count", type=int, default=1000, help="number of mutated ledgers (default 1000)")
    ap.add_argument("--seed", type=int, default=1, help="random seed (same seed, same inputs)")
    ap.add_argument("--save", type=Path, help="write each failing input to this folder")
    a = ap.parse_args()
    sys.path.insert(0, str(ROOT / "src"))
    os.environ.setdefault("MPLBACKEND", "Agg")
    with tempfile.TemporaryDirectory(prefix="tracker-fuzz-") as tmp:
        bad = fuzz(a.count, a.seed, Path(tmp), a.save, progress=True)
    for line in bad:
        print(line)
    print(f"{a.count} inputs, seed {a.seed}: {len(bad)} internal errors, hangs or changed files")
    sys.exit(1 if bad else 0)


if __name__ == "__main__":
    main()
