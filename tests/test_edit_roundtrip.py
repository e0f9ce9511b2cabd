"""Property: any text a planner can pass as an argument, in any text field,
written through the CLI, reads back from the file exactly as given.

The expectation is the text itself, read back with tomllib: nothing here
uses the renderer under test.
"""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest
from hypothesis import HealthCheck, assume, example, given, settings
from hypothesis import strategies as st

from .conftest import MINIMAL

# Every code point an argv can carry: all of Unicode but NUL and the
# surrogates (st.text() never draws surrogates; NUL is filtered here and
# both are shown to be refused below).
argv_text = st.text(min_size=1).filter(lambda s: "\x00" not in s)

SET_FIELDS = ["title", "area", "owner", "unit", "notes", "source"]
ADD_FIELDS = ["title", "area", "owner", "unit", "source"]
WAYS = (
    [("set", f) for f in SET_FIELDS]
    + [("add", f) for f in ADD_FIELDS]
    + [("update", "note"), ("update", "source"), ("stage", "name")]
)


def _write(tmp_path: Path) -> Path:
    path = tmp_path / "targets.toml"
    path.write_text(MINIMAL, encoding="utf-8")
    return path


def _through_cli(run, path: Path, way: str, field: str, text: str):  # type: ignore[no-untyped-def]
    """Run the command; return the value read back with tomllib."""
    if way == "set":
        r = run("set", "-f", path, "--", "tasks", field, text)
        read = lambda d: d["targets"]["tasks"][field]  # noqa: E731
    elif way == "add":
        args = ["--target", "5", "--unit", "u", "--start", "2021-01-01", "--due", "2022-01-01"]
        args += [f"--{field}={text}"] if field != "title" else []
        r = run("add", "-f", path, "--title", text if field == "title" else "T", *args, "--", "new")
        read = lambda d: d["targets"]["new"][field]  # noqa: E731
    elif way == "update":
        r = run("update", "-f", path, "--date", "2021-11-30", f"--{field}={text}", "--", "tasks", "95")
        read = lambda d: d["targets"]["tasks"]["observations"][-1][field]  # noqa: E731
    else:  # a stage name, with an explicit weight so that the name can hold ':' and '@'
        r = run("add", "-f", path, "--title", "M", "--start", "2021-01-01", "--due", "2022-01-01",
                f"--stage={text}:1", "--", "new")  # fmt: skip
        read = lambda d: d["targets"]["new"]["stages"][0]["name"]  # noqa: E731
    assert r.exit_code == 0, (way, field, text, r.output)
    return read(tomllib.loads(path.read_text(encoding="utf-8")))


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(way=st.sampled_from(WAYS), text=argv_text)
@example(way=("set", "notes"), text="a\x7fb\x1f\r\n\t\x85\u2028\ufeff\"'\\ [targets.tasks]")
@example(way=("update", "note"), text="\x7f")
@example(way=("stage", "name"), text="x:2@2021-01")
@example(way=("add", "owner"), text='"""\n[targets.q]\n"""')
def test_any_text_round_trips_exactly(run, tmp_path: Path, way: tuple[str, str], text: str) -> None:  # type: ignore[no-untyped-def]
    if way[1] == "title" or way[0] == "stage":
        assume(text.strip())  # a blank title or stage name is refused: the rule, not the text
    path = _write(tmp_path)
    assert _through_cli(run, path, way[0], way[1], text) == text


@pytest.mark.parametrize("way", WAYS)
@pytest.mark.parametrize("text", ["nul\x00here", "lone \udc80 surrogate", "\ud83d"])
def test_what_no_argv_can_hold_is_refused(run, tmp_path: Path, way: tuple[str, str], text: str) -> None:  # type: ignore[no-untyped-def]
    path = _write(tmp_path)
    before = path.read_bytes()
    with pytest.raises(AssertionError):
        _through_cli(run, path, way[0], way[1], text)
    assert path.read_bytes() == before
    r = run("set", "-f", path, "--", "tasks", "owner", text)
    assert r.exit_code == 2 and r.stderr.count("\n") == 1 and r.stderr.startswith("tracker: ")
