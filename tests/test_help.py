"""``--help`` in the interface language: every help screen in Chinese when the
language is Chinese (--lang, $TRACKER_LANG, the locale), English otherwise.

Expected texts come from the catalog and the English source (the commands'
docstrings and help= texts), never written out here."""

from __future__ import annotations

import functools
import re
import subprocess
import sys

import pytest
import typer.main
from hypothesis import given
from hypothesis import strategies as st

from target_tracker import i18n
from target_tracker.cli import app
from target_tracker.cli.help import HEADINGS, HELP_OPTION, USAGE, USAGE_WORDS, paragraphs
from target_tracker.cli.help_zh import NO_LINE_END, NO_LINE_START, _atoms, _can_break, wrap
from target_tracker.output.render import display_width

from .conftest import ROOT
from .test_i18n_zh import golden

GROUP = typer.main.get_command(app)
COMMANDS = sorted(GROUP.commands)  # type: ignore[attr-defined]
WIDTH = 80  # the help width under CliRunner (typer.testing forces 80)
CJK = re.compile(r"[\u4e00-\u9fff]")


def _help(run, *args: str, env: dict[str, str] | None = None) -> str:  # type: ignore[no-untyped-def]
    result = run(*args, env=env)
    assert result.exit_code == 0, result.output
    return result.output


def _zh(text: str, context: str | None = None) -> str:
    """``text`` (an English msgid) as the catalog says it in Chinese."""
    i18n.use_language("zh")
    try:
        return i18n.pgettext(context, text) if context else i18n._(text)
    finally:
        i18n.use_language("en")


def _squeeze(text: str) -> str:
    """Without whitespace: help text is re-wrapped on screen."""
    return re.sub(r"\s+", "", text)


def _command(name: str | None):  # type: ignore[no-untyped-def]
    return GROUP if name is None else GROUP.commands[name]  # type: ignore[attr-defined]


def _examples(text: str) -> list[str]:
    """The example command lines of a help text (the part before a comment)."""
    lines = []
    for raw, para in paragraphs(text):
        if raw:
            lines += [re.split(r"\s{2,}", line.strip())[0] for line in para.splitlines()[1:]]
    return lines


def _outside_examples(out: str, text: str) -> list[str]:
    """The lines of a help screen that are not in the help text's example blocks (printed as written)."""
    kept = {line.strip() for raw, para in paragraphs(text) if raw for line in para.splitlines()}
    return [line for line in out.splitlines() if line.strip() not in kept]


def _params(command):  # type: ignore[no-untyped-def]
    return [p for p in command.params if p.help]


# -- Chinese --------------------------------------------------------------------------------


@pytest.mark.parametrize("name", [None, *COMMANDS])
def test_every_help_screen_in_chinese(run, name: str | None) -> None:  # type: ignore[no-untyped-def]
    command = _command(name)
    out = _help(run, "--lang", "zh", *([name] if name else []), "--help")
    flat = _squeeze(out)
    assert out.startswith(_zh(USAGE) + "tracker"), out
    assert _zh("[OPTIONS]") in out.splitlines()[0]
    for heading in ("Usage:", "Options:", "Arguments:", "Commands:", "Show this message"):
        assert heading not in out, heading
    assert f"{_zh('Options')}：" in out and _zh(HELP_OPTION) in out
    english = [para for _raw, para in paragraphs(command.english_help)]
    for para in english:  # every paragraph of the docstring, translated, examples included
        assert _zh(para) != para and _squeeze(_zh(para)) in flat, para
    for param in _params(command):
        assert _zh(param.help) != param.help and _squeeze(_zh(param.help)) in flat, param.help
    for example in _examples(command.english_help):
        assert example in out  # example commands stay as they are
    body = _outside_examples(out, _translated(command))
    assert all(display_width(line) <= WIDTH for line in body), "a line runs past 80 columns"


def _translated(command) -> str:  # type: ignore[no-untyped-def]
    i18n.use_language("zh")
    try:
        return command.help
    finally:
        i18n.use_language("en")


def test_chinese_list_of_commands(run) -> None:  # type: ignore[no-untyped-def]
    """`tracker --help` lists every command with the first sentence of its Chinese help."""
    out = _help(run, "--lang", "zh", "--help")
    listing = out.split(f"{_zh('Commands')}：\n", 1)[1]
    rows = dict(re.match(r"\s+(\S+)\s+(.*)", line).groups() for line in listing.splitlines())  # type: ignore[union-attr]
    assert set(rows) == set(COMMANDS)
    for name, text in rows.items():
        first = _zh(paragraphs(_command(name).english_help)[0][1])
        assert CJK.search(text) and first.startswith(text.rstrip("…")), (name, text)


def test_headings_and_notes_in_chinese(run) -> None:  # type: ignore[no-untyped-def]
    out = _help(run, "--lang", "zh", "merge-file", "--help")
    assert f"{_zh('Arguments')}：" in out
    assert f"[{_zh('required')}]" in out
    assert "[" + _zh("default: {default}").format(default="7") in out
    assert "<int range>" not in out and f"<{_zh('int range', 'metavar')}>" in out  # Typer's type name
    assert all(_zh(h) != h for h in HEADINGS) and all(_zh(w) != w for w in USAGE_WORDS)


@pytest.mark.parametrize(
    ("args", "env"),
    [
        (("--lang", "zh", "update", "--help"), {}),
        (("update", "--help", "--lang", "zh"), {}),  # --lang after the command
        (("update", "--help", "--lang=zh"), {}),
        (("update", "--help"), {"TRACKER_LANG": "zh"}),
        (("update", "-h"), {"LANG": "zh_CN.UTF-8"}),  # the locale
        (("update", "--help"), {"LC_ALL": "zh_CN.UTF-8", "LANG": "C"}),
    ],
)
def test_chinese_help_however_chosen(run, args, env) -> None:  # type: ignore[no-untyped-def]
    out = _help(run, *args, env=env)
    assert out.startswith(_zh(USAGE)) and _zh(paragraphs(_command("update").english_help)[0][1]) in out


def test_ledger_setting_does_not_choose_the_help_language(run, write_ledger) -> None:  # type: ignore[no-untyped-def]
    """--help never reads the ledger (README): its [settings] lang does not apply."""
    path = write_ledger('title = "T"\n\n[settings]\nlang = "zh"\n')
    assert _help(run, "status", "-f", str(path), "--help").startswith("Usage: ")


def test_plain_tracker_in_chinese_prints_the_help(run) -> None:  # type: ignore[no-untyped-def]
    """No command: the help screen (exit 2, as click does), not one squeezed error line."""
    result = run("--lang", "zh")
    assert result.exit_code == 2
    assert result.output.startswith(_zh(USAGE)) and f"{_zh('Commands')}：" in result.output
    assert len(result.output.splitlines()) > 20


def test_number_errors_in_chinese(run, tmp_path) -> None:  # type: ignore[no-untyped-def]
    files = [str(tmp_path / n) for n in ("base", "ours", "theirs")]
    for value, expected in (("abc", "{value} is not a whole number"), ("0", "{value} is not in the range {range}")):
        result = run("--lang", "zh", "merge-file", *files, "--marker-size", value)
        assert result.exit_code == 2
        words = _zh(expected).split("{value}")[1].split("{range}")[0].strip()
        assert result.output.count("\n") == 1 and words in result.output, result.output


def test_status_help_lists_every_status(run) -> None:  # type: ignore[no-untyped-def]
    from target_tracker.ledger.model import STATUSES
    from target_tracker.output.labels import status_label

    english = _squeeze(_help(run, "status", "--help"))
    chinese = _squeeze(_help(run, "--lang", "zh", "status", "--help"))
    i18n.use_language("zh")
    labels = {code: status_label(code) for code in STATUSES}
    i18n.use_language("en")
    for code in STATUSES:
        assert code in english and f"{code}（{labels[code]}）" in chinese, code


def test_init_help_names_the_default_title(run) -> None:  # type: ignore[no-untyped-def]
    from target_tracker.edits.new_target import DEFAULT_TITLE

    assert DEFAULT_TITLE in _help(run, "init", "--help")
    assert _zh(DEFAULT_TITLE) in _help(run, "--lang", "zh", "init", "--help")


# -- English --------------------------------------------------------------------------------


@pytest.mark.parametrize("name", [None, *COMMANDS])
def test_english_help_by_default(run, name: str | None) -> None:  # type: ignore[no-untyped-def]
    args = ([name] if name else []) + ["--help"]
    out = _help(run, *args)
    assert out.startswith("Usage: tracker") and "Options:" in out and "Show this message and exit." in out
    assert " ".join(paragraphs(_command(name).english_help)[0][1].split()) in " ".join(out.split())
    assert _help(run, "--lang", "en", *args, env={"LANG": "zh_CN.UTF-8", "TRACKER_LANG": "zh"}) == out
    assert not CJK.search("\n".join(_outside_examples(out, _command(name).english_help))), "Chinese words"


def test_english_help_golden(run, update_golden: bool) -> None:  # type: ignore[no-untyped-def]
    """Every English help screen, as a planner sees it; a change here is deliberate (--update-golden)."""
    screens = [_help(run, *([name] if name else []), "--help") for name in [None, *COMMANDS]]
    golden("help-en.txt", "\n".join(screens), update_golden)


def test_chinese_help_golden(run, update_golden: bool) -> None:  # type: ignore[no-untyped-def]
    """Every Chinese help screen, for review as a reader sees them (--update-golden after a change)."""
    screens = [_help(run, "--lang", "zh", *([name] if name else []), "--help") for name in [None, *COMMANDS]]
    golden("help-zh.txt", "\n".join(screens), update_golden)


# -- the catalog ------------------------------------------------------------------------------


@pytest.mark.parametrize("name", [None, *COMMANDS])
def test_catalog_has_every_paragraph_and_help_text(name: str | None) -> None:
    """What cli/help.py looks up when it shows a screen is what `make i18n` extracted (babel.cfg)."""
    found = _extracted_msgids()
    command = _command(name)
    wanted = [para for _raw, para in paragraphs(command.english_help)] + [p.help for p in _params(command)]
    assert not [text for text in wanted if text not in found]


@functools.cache
def _extracted_msgids() -> set[str]:
    from .test_i18n import _extracted

    return {msgid for (ctx, msgid) in _extracted() if ctx is None}


def test_translations_keep_the_examples() -> None:
    """A translated example block has the same command lines as the English one."""
    for name in [None, *COMMANDS]:
        for raw, para in paragraphs(_command(name).english_help):
            if raw:
                english = [re.split(r"\s{2,}", line.strip())[0] for line in para.splitlines()[1:]]
                chinese = [re.split(r"\s{2,}", line.strip())[0] for line in _zh(para).splitlines()[1:]]
                assert chinese == english, name


# -- start-up ---------------------------------------------------------------------------------


def test_help_loads_no_babel_and_english_no_chinese_layout() -> None:
    code = (
        "import sys\n"
        "from target_tracker.cli import main\n"
        "sys.argv = ['tracker', *sys.argv[1:]]\n"
        "try:\n    main()\nexcept SystemExit:\n    pass\n"
        "print(sorted(m for m in sys.modules if m.split('.')[0] == 'babel' or m.startswith('target_tracker.cli.help')),"
        " file=sys.stderr)\n"
    )
    env = {"PYTHONPATH": str(ROOT / "src"), "LANG": "C.UTF-8", "TRACKER_NO_CACHE": "1"}
    runs = {
        args: subprocess.run([sys.executable, "-c", code, *args], capture_output=True, text=True, env=env, check=True)
        for args in (("status", "--help"), ("--lang", "zh", "status", "--help"))
    }
    assert runs["status", "--help"].stderr.splitlines()[-1] == "['target_tracker.cli.help']"
    assert runs["--lang", "zh", "status", "--help"].stderr.splitlines()[-1] == (
        "['target_tracker.cli.help', 'target_tracker.cli.help_zh']"
    )


# -- the Chinese line breaks -------------------------------------------------------------------

TEXT = st.lists(
    st.sampled_from(
        [
            "台账",
            "目标",
            "数据",
            "，",
            "。",
            "（",
            "）",
            "“",
            "”",
            "、",
            " ",
            "--as-of",
            "2021-10",
            "tracker",
            "targets.toml",
            "[默认：text]",
            "a",
            "95",
        ]
    ),  # fmt: skip
    max_size=40,
).map("".join)


@given(TEXT, st.integers(min_value=4, max_value=40))
def test_wrap_keeps_the_text_and_the_width(text: str, width: int) -> None:
    """Lines break at a space or where a break is allowed; nothing is lost; a line is longer
    than the width only when it is one unbreakable piece."""
    lines = wrap(text, width)
    flat, pos = " ".join(text.split()), 0
    for i, line in enumerate(lines):
        assert flat[pos : pos + len(line)] == line
        pos += len(line)
        if i + 1 < len(lines):
            if flat[pos] == " ":
                pos += 1
            else:
                assert _can_break(line[-1], lines[i + 1][0]), (line, lines[i + 1])
        fits = display_width(line) <= width
        assert fits or len(_atoms(line)) == 1  # e.g. a long path, or a [note] kept whole
    assert pos == len(flat)


def test_line_breaks_follow_chinese_rules() -> None:
    assert not _can_break("a", "b") and not _can_break("-", "d")  # never inside an English word or an option
    assert _can_break("台", "账") and _can_break("e", "台") and _can_break("台", "e")
    assert all(not _can_break("台", ch) for ch in NO_LINE_START)  # 。，）stay at the end of a line
    assert all(not _can_break(ch, "台") for ch in NO_LINE_END)  # （“ stay at the start
    assert not _can_break("e", "（")  # a code and its gloss: done（已完成）


def test_wrap_breaks_between_chinese_characters() -> None:
    lines = wrap("只看该状态（可重复）：done（已完成）、on-track（正常推进）", 20)
    assert len(lines) > 1 and all(display_width(line) <= 20 for line in lines)
    assert "done（已" in "".join(lines) and not any(line.startswith("（") for line in lines)


def test_readme_chinese_help_is_what_tracker_prints(run) -> None:  # type: ignore[no-untyped-def]
    """安装与使用 shows `tracker --lang zh update --help`: every line it shows is in the real output."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    chinese = readme.split("## 安装与使用", 1)[1].split("\n## ", 1)[0]
    example = chinese.split("$ tracker --lang zh update --help\n", 1)[1].split("\n```", 1)[0].splitlines()
    shown = [line for line in example if line not in ("...", "")]
    out = _help(run, "--lang", "zh", "update", "--help").splitlines()
    assert len(shown) >= 6 and all(line in out for line in shown), [line for line in shown if line not in out]
