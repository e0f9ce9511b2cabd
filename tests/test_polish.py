"""Problems a new user found: control characters, table styles with areas,
a BOM, Chinese messages, summary lines, include messages."""

from __future__ import annotations

import re

import pytest

from target_tracker.output.render import TABLE_STYLES, display_width

from .conftest import ROOT

LEDGER = ROOT / "targets.toml"


def _table_lines(out: str) -> list[str]:
    """Lines that belong to a table (rows and rules), not titles or area labels."""
    lines = out.splitlines()[1:-1]  # the heading and the summary note are not
    return [x for x in lines if x and not x.startswith("▸ ")]


@pytest.mark.parametrize("style", TABLE_STYLES)
def test_every_table_style_lines_up_with_area_labels(run, style: str) -> None:  # type: ignore[no-untyped-def]
    result = run("status", "-f", LEDGER, "--as-of", "2021-10-31", "--format", style)
    assert result.exit_code == 0, result.output
    assert "▸ " in result.output
    out = result.output.splitlines()
    for i, line in enumerate(out if style != "plain" else []):  # plain has no rules
        if re.match(r"\W*id\s+\W*title", line):  # the header row keeps its rule under it
            assert not out[i + 1].startswith("▸ "), out[i + 1]
    lines = _table_lines(result.output)
    if style in ("simple", "plain", "rst"):  # trailing blanks are cut: the status column lines up
        words = re.compile(r"  (status|on-track|met|not-started|no-data)  ")
        starts = {display_width(x[: m.start()]) for x in lines if (m := words.search(x))}
        assert len(starts) == 1 and len(lines) > 30, starts
    else:
        widths = {display_width(x) for x in lines}
        assert len(widths) == 1, widths


@pytest.mark.parametrize("style", ["github", "pipe"])
def test_markdown_styles_are_valid_tables_per_area(run, style: str) -> None:  # type: ignore[no-untyped-def]
    result = run("status", "-f", LEDGER, "--as-of", "2021-10-31", "--format", style)
    blocks = [b.splitlines() for b in result.output.split("\n\n")]
    tables = [b for b in blocks if b and b[0].startswith("|")]
    assert len(tables) == result.output.count("▸ ") > 1
    for t in tables:
        assert all(x.startswith("|") and x.endswith("|") for x in t)
        assert re.fullmatch(r"\|(:?-+:?\|)+", t[1]), t[1]
        assert all(x.count("|") == t[0].count("|") for x in t)


HOSTILE = "a\x1b[31mRED\x07\x7f\r\nline2\x9b"
RAW_CONTROLS = re.compile("[\x00-\x09\x0b-\x1f\x7f-\x9f]")  # all but the newline


def test_control_characters_never_reach_people_raw(run, tmp_path) -> None:  # type: ignore[no-untyped-def]
    import json
    import shutil

    ledger = tmp_path / "targets.toml"
    shutil.copy(LEDGER, ledger)
    r = run("update", "reform-tasks", "95", "--date", "2021-11-30", "--note", HOSTILE, "-f", ledger)
    assert r.exit_code == 0, r.output
    for fmt in ("text", "markdown", "grid", "github"):
        out = run("show", "reform-tasks", "-f", ledger, "--as-of", "2021-12-01", "--format", fmt).output
        assert not RAW_CONTROLS.search(out), (fmt, out)
        assert "a␛[31mRED␇␡" in out.replace("\\[", "["), fmt
        row = next(x for x in out.splitlines() if "RED" in x)
        assert "line2" in row  # one row, the line break shown in it
    for fmt in ("markdown", "html"):
        out = run("report", "-f", ledger, "--month", "2021-11", "--format", fmt).output
        assert "RED" in out and not RAW_CONTROLS.search(out), fmt
    data = json.loads(run("show", "reform-tasks", "-f", ledger, "--format", "json").output)
    assert HOSTILE in [o.get("note") for o in data["observations"]], data  # programs get the exact text
    import tomllib

    notes = [o.get("note") for o in tomllib.loads(ledger.read_text("utf-8"))["targets"]["reform-tasks"]["observations"]]
    assert HOSTILE in notes


def test_for_people_shows_every_control_character() -> None:
    from target_tracker.output.safe import for_people

    text = "".join(chr(c) for c in [*range(0x20), 0x7F, *range(0x80, 0xA0)]) + "ok 中文"
    assert not RAW_CONTROLS.search(for_people(text)) and "\n" not in for_people(text)
    assert for_people("a\r\nb\nc") == "a⏎b⏎c" and for_people("a\r\nb", one_line=False) == "a\nb"
    assert for_people("\x1b\x07\x7f\x9b") == "␛␇␡\\x9b" and for_people("plain 中文") == "plain 中文"


BOM = b"\xef\xbb\xbf"


def test_a_ledger_saved_with_a_bom_is_read_and_edited_byte_exact(run, write_ledger, fixed_today) -> None:  # type: ignore[no-untyped-def]
    from .conftest import MINIMAL

    path = write_ledger()
    path.write_bytes(BOM + path.read_bytes())
    r = run("-f", path, "check")
    assert r.exit_code == 0, r.output
    before = path.read_bytes()
    r = run("update", "tasks", "95", "--date", "2021-11-30", "-f", path)
    assert r.exit_code == 0, r.output
    expected = MINIMAL.replace(
        '"news 2021-12-06" },\n',
        f'"news 2021-12-06" }},\n  {{ date = 2021-11-30, value = 95, recorded = {fixed_today} }},\n',
    )
    assert path.read_bytes() == BOM + expected.encode("utf-8") != before
    r = run("set", "tasks", "title", "Reform tasks done", "-f", path)
    assert r.exit_code == 0, r.output
    expected = expected.replace('title = "Reform tasks"', 'title = "Reform tasks done"')
    assert path.read_bytes() == BOM + expected.encode("utf-8")
    r = run("add", "bridge", "--title", "Bridge", "--due", "2026-12-31", "--stage", "Opening", "-f", path)
    assert r.exit_code == 0, r.output
    after = path.read_bytes()
    assert after.startswith(BOM + expected.encode("utf-8")) and b"[targets.bridge]" in after
    assert after.count(BOM) == 1


def test_a_bom_keeps_line_numbers(run, write_ledger) -> None:  # type: ignore[no-untyped-def]
    path = write_ledger('title = "bom"\n\n[targets.x]\ntitle = \n')
    path.write_bytes(BOM + path.read_bytes())
    r = run("-f", path, "check")
    assert r.exit_code != 0 and f"{path}:4" in r.output, r.output


def test_an_include_loop_from_an_included_subfolder_is_named_as_such(run, write_ledger) -> None:  # type: ignore[no-untyped-def]
    main = write_ledger('title = "m"\ninclude = ["sub/loop.toml"]\n', name="inc/main.toml")
    write_ledger('include = ["../main.toml"]\n', name="inc/sub/loop.toml")
    r = run("-f", main, "check")
    assert r.exit_code != 0
    assert "outside" not in r.output, r.output
    assert f"include loop: '../main.toml' is {main.resolve()}" in r.output
    assert "include is only read in the main ledger file" in r.output


def test_summary_when_nothing_matches(run) -> None:  # type: ignore[no-untyped-def]
    r = run("status", "-f", LEDGER, "--as-of", "2021-10", "--status", "at-risk")
    assert r.exit_code == 0, r.output
    assert "No target matches." in r.output and "0 targets" not in r.output
    r = run("status", "-f", LEDGER, "--as-of", "2021-10", "--status", "at-risk", "--lang", "zh")
    assert "没有符合条件的目标。" in r.output, r.output


def test_english_plurals_for_one(run, write_ledger) -> None:  # type: ignore[no-untyped-def]
    path = write_ledger()
    r = run("-f", path, "check")
    assert "1 target, 0 errors, 0 warnings" in r.output, r.output
    r = run("status", "-f", path, "--as-of", "2021-10-31")
    assert "1 target: " in r.output, r.output
    r = run("report", "-f", path, "--month", "2022-01", "--format", "markdown")
    assert r.exit_code == 0, r.output
    assert " 1 targets" not in r.output and "1 target needs attention" in r.output, r.output
    assert "; 1 target." in r.output
    broken = write_ledger(MINIMAL_BROKEN, name="broken.toml")
    r = run("status", "-f", broken)
    assert "1 error in the ledger" in r.output, r.output


MINIMAL_BROKEN = """\
title = "x"

[targets.a]
title = "A"
kind = "quantity"
target = 10
due = 2021-12-31
start = 2022-01-01
"""


@pytest.mark.parametrize(
    ("text", "english", "chinese"),
    [
        ('a = "x', "Unterminated string", "字符串"),
        ('a = "x\nb = 1\n', "Unterminated string", "字符串"),
        ('title = "x"\na\n', "Expected '=' after a key in a key/value pair", "="),
        ("a = 1\na = 2\n", "Cannot overwrite a value", "不能"),
        ("a = 2021-13-01\n", "month must be in 1..12", "月份"),
        ("a = \n", "Invalid value", "值"),
        ("= 1\n", "Invalid statement", "语句"),
    ],
)
def test_toml_syntax_errors_in_chinese(run, write_ledger, text: str, english: str, chinese: str) -> None:  # type: ignore[no-untyped-def]
    path = write_ledger(text)
    r = run("-f", path, "check")
    assert r.exit_code != 0 and english in r.output and f"{path}:" in r.output, r.output
    r = run("-f", path, "check", "--lang", "zh")
    line = r.output.splitlines()[0]
    assert english not in line and chinese in line and f"{path}:" in line, r.output
    assert not re.search(r"[A-Za-z]{4,}", line.split(": ", 1)[1].replace("TOML", "")), line


def test_usage_errors_in_chinese_from_the_locale(run) -> None:  # type: ignore[no-untyped-def]
    r = run("statsu", env={"LANG": "zh_CN.UTF-8"})
    assert r.exit_code != 0
    assert "No such command" not in r.output and "statsu" in r.output and "“status”" in r.output, r.output
    r = run("statsu")
    assert "No such command 'statsu'" in r.output and "status" in r.output, r.output


def test_kind_names_and_areas_in_chinese_messages(run, write_ledger) -> None:  # type: ignore[no-untyped-def]
    path = write_ledger()
    r = run("add", "x", "--title", "X", "--target", "5", "-f", path, "--lang", "zh")
    assert r.exit_code != 0 and "数量型目标需要 --due DATE" in r.output, r.output
    r = run("status", "-f", path, "--area", "不存在", "--lang", "zh")
    assert "没有“不存在”领域的目标" in r.output, r.output


def test_readme_negative_value_example_runs_as_written(run, write_ledger) -> None:  # type: ignore[no-untyped-def]
    import shlex

    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    examples = re.findall(r"`(tracker update jobless [^`]*-- -[^`]*)`", readme)
    assert examples and all("--date" in x.split(" -- ")[0] for x in examples)  # options go before "--"
    path = write_ledger()
    assert run("add", "jobless", "--title", "J", "--at-most", "5.5", "--unit", "%", "-f", path).exit_code == 0
    for example in examples:
        r = run("-f", path, *shlex.split(example)[1:])
        assert r.exit_code == 0 and "-0.2" in r.output, (example, r.output)


def test_report_out_never_replaces_a_device_or_fifo(run, write_ledger, tmp_path) -> None:  # type: ignore[no-untyped-def]
    import os
    import stat

    path = write_ledger()
    fifo = tmp_path / "out.md"
    os.mkfifo(fifo)
    result = run("report", "--month", "2021-10", "--out", fifo, "-f", path)
    assert result.exit_code == 2 and "not a regular file" in result.output
    assert stat.S_ISFIFO(os.stat(fifo).st_mode)  # still the FIFO, not a file put in its place


def test_set_source_echoes_the_citation_not_a_record(run, write_ledger) -> None:  # type: ignore[no-untyped-def]
    path = write_ledger()
    result = run("set", "tasks", "source", "区报 2021-11", "-f", path)
    assert result.exit_code == 0, result.output
    assert "tasks: source = 区报 2021-11" in result.output and "Source(" not in result.output
