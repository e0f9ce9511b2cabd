"""The interface language: how it is chosen, and the message catalogs that translate it."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from target_tracker import i18n
from target_tracker.i18n import LanguageError, choose_language

from .conftest import MINIMAL, ROOT

PACKAGE = ROOT / "src" / "target_tracker"
LOCALE = PACKAGE / "locale"
KEYWORDS = {"_": None, "N_": None, "ngettext": (1, 2), "pgettext": ((1, "c"), 2), "NP_": ((1, "c"), 2)}


# -- choosing the language -----------------------------------------------------------


@pytest.mark.parametrize(
    ("flag", "env", "ledger", "expected"),
    [
        ("zh", {"TRACKER_LANG": "en", "LANG": "en_US.UTF-8"}, "en", "zh"),  # --lang wins over everything
        ("en", {"TRACKER_LANG": "zh", "LC_ALL": "zh_CN.UTF-8"}, "zh", "en"),
        (None, {"TRACKER_LANG": "zh", "LANG": "C"}, "en", "zh"),  # then TRACKER_LANG
        (None, {"TRACKER_LANG": "en", "LANG": "zh_CN.UTF-8"}, "zh", "en"),
        (None, {"LANG": "C"}, "zh", "zh"),  # then the ledger's [settings] lang
        (None, {"LANG": "zh_CN.UTF-8"}, "en", "en"),
        (None, {"TRACKER_LANG": "", "LANG": "zh_TW.UTF-8"}, None, "zh"),  # then the locale; empty means unset
        (None, {"LC_ALL": "zh_CN.UTF-8", "LANG": "C"}, None, "zh"),  # LC_ALL before LC_MESSAGES before LANG
        (None, {"LC_ALL": "C", "LC_MESSAGES": "zh_CN.UTF-8"}, None, "en"),
        (None, {"LC_MESSAGES": "zh_CN.UTF-8", "LANG": "en_GB.UTF-8"}, None, "zh"),
        (None, {"LC_ALL": "", "LANG": "ZH_cn"}, None, "zh"),
        (None, {"LANG": "C"}, None, "en"),
        (None, {}, None, "en"),  # else English
    ],
)
def test_choose_language_order(flag, env, ledger, expected) -> None:  # type: ignore[no-untyped-def]
    assert choose_language(flag, env, ledger) == expected


@pytest.mark.parametrize(("flag", "env", "named"), [("fr", {}, "--lang"), ("", {}, "--lang"),
                                                    ("zh_CN", {}, "--lang"), (None, {"TRACKER_LANG": "de"}, "TRACKER_LANG")])  # fmt: skip
def test_choose_language_refuses_unknown_languages(flag, env, named) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(LanguageError, match=named):
        choose_language(flag, env)


# -- the CLI -----------------------------------------------------------------------------


def _headers(output: str) -> str:
    return output.splitlines()[1]


def test_lang_before_or_after_the_command(run, write_ledger) -> None:  # type: ignore[no-untyped-def]
    path = write_ledger()
    before = run("--lang", "zh", "status", "-f", path, "--as-of", "2021-10-31")
    after = run("status", "-f", path, "--as-of", "2021-10-31", "--lang=zh")
    english = run("status", "-f", path, "--as-of", "2021-10-31")
    assert before.exit_code == after.exit_code == english.exit_code == 0, before.output + after.output
    assert before.output == after.output
    assert "状态" in _headers(before.output) and "status" not in _headers(before.output)
    assert "正常推进" in before.output and "on-track" not in before.output
    assert "status" in _headers(english.output) and "on-track" in english.output


def test_locale_env_and_flag(run, write_ledger) -> None:  # type: ignore[no-untyped-def]
    path = write_ledger()
    args = ("status", "-f", path, "--as-of", "2021-10-31")
    assert "状态" in _headers(run(*args, env={"LANG": "zh_CN.UTF-8"}).output)
    assert "status" in _headers(run(*args, env={"LANG": "C"}).output)
    assert "status" in _headers(run(*args, "--lang", "en", env={"LANG": "zh_CN.UTF-8"}).output)
    assert "状态" in _headers(run(*args, env={"TRACKER_LANG": "zh", "LANG": "C"}).output)


def test_ledger_setting_chooses_unless_flag_or_env(run, write_ledger) -> None:  # type: ignore[no-untyped-def]
    path = write_ledger(
        MINIMAL.replace('title = "Test ledger"\n', 'title = "Test ledger"\n\n[settings]\nlang = "zh"\n')
    )
    args = ("status", "-f", path, "--as-of", "2021-10-31")
    assert "状态" in _headers(run(*args, env={"LANG": "C"}).output)
    assert "status" in _headers(run(*args, "--lang", "en").output)
    assert "status" in _headers(run(*args, env={"TRACKER_LANG": "en"}).output)
    assert run("check", "-f", path).exit_code == 0


def test_bad_ledger_lang_is_a_check_error(run, write_ledger) -> None:  # type: ignore[no-untyped-def]
    path = write_ledger(
        MINIMAL.replace('title = "Test ledger"\n', 'title = "Test ledger"\n\n[settings]\nlang = "fr"\n')
    )
    result = run("check", "-f", path)
    assert result.exit_code == 1
    assert f"{path}:4: lang must be one of en, zh, got 'fr'" in result.output


@pytest.mark.parametrize("args", [("--lang", "fr", "status"), ("status", "--lang", "fr"), ("status", "--lang")])
def test_bad_lang_is_a_one_line_error(run, write_ledger, args) -> None:  # type: ignore[no-untyped-def]
    result = run(*args, "-f", write_ledger())
    assert result.exit_code == 2
    lines = result.output.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("tracker: --lang") and "zh or en" in lines[0], result.output


def test_json_keeps_english_codes(run, write_ledger) -> None:  # type: ignore[no-untyped-def]
    path = write_ledger()
    zh = json.loads(run("--lang", "zh", "status", "-f", path, "--as-of", "2021-10-31", "--format", "json").output)
    en = json.loads(run("status", "-f", path, "--as-of", "2021-10-31", "--format", "json").output)
    labels = [(t.pop("status_label"), u.pop("status_label")) for t, u in zip(zh["targets"], en["targets"], strict=True)]
    assert zh == en  # keys and codes are the contract; only the added status_label is translated
    assert zh["targets"][0]["status"] == "on-track"
    assert labels[0] == ("正常推进", "on-track")
    csv = run("--lang", "zh", "status", "-f", path, "--as-of", "2021-10-31", "--format", "csv").output
    assert csv.splitlines()[0].startswith("id,title,") and ",on-track," in csv


def test_cached_problems_follow_the_language(run, write_ledger) -> None:  # type: ignore[no-untyped-def]
    """The parse cache holds problems as worded; a run in another language must not reuse them."""
    path = write_ledger(MINIMAL.replace('unit = "tasks"', 'unit = "tasks"\ncolour = "red"'))
    en = run("check", "-f", path).output
    zh = run("--lang", "zh", "check", "-f", path).output
    assert run("check", "-f", path).output == en
    assert "unknown key 'colour'" in en
    assert zh.count("\n") == en.count("\n")


# -- the catalogs ---------------------------------------------------------------------------


def _extracted() -> dict[tuple[str | None, str], list[str]]:
    """Every message in the package's code, as Babel extracts it (babel.cfg, make i18n):
    the commands' docstrings (their --help) included."""
    from babel.messages.extract import extract_from_dir
    from babel.messages.frontend import parse_mapping_cfg

    found: dict[tuple[str | None, str], list[str]] = {}
    with open(ROOT / "babel.cfg", encoding="utf-8") as f:
        method_map, options_map = parse_mapping_cfg(f)
    for filename, lineno, message, _comments, context in extract_from_dir(
        str(PACKAGE), method_map, options_map, keywords=KEYWORDS
    ):
        msgid = message[0] if isinstance(message, tuple) else message
        found.setdefault((context, msgid), []).append(f"{filename}:{lineno}")
    return found


def _po(lang: str = "zh"):  # type: ignore[no-untyped-def]
    from babel.messages.pofile import read_po

    with open(LOCALE / lang / "LC_MESSAGES" / "target_tracker.po", "rb") as f:
        return read_po(f)


def test_babel_cfg_extracts_the_package() -> None:
    cfg = (ROOT / "babel.cfg").read_text(encoding="utf-8")
    assert "[python: **.py]" in cfg
    found = _extracted()
    assert (None, "no target '{id}' in {file}{tip}") in found  # a message from cli/ and edits/
    assert ("status", "on-track") in found
    assert (None, "Where every commitment stands, as a table grouped by area.") in found  # a docstring: --help
    assert len(found) > 200


def test_every_message_is_in_the_po() -> None:
    """Run `make i18n` when this fails: the code has messages the catalog lacks."""
    catalog = _po()
    missing = [f"{ctx + ': ' if ctx else ''}{msgid!r} ({where[0]})" for (ctx, msgid), where in _extracted().items()
               if catalog.get(msgid, context=ctx) is None]  # fmt: skip
    assert not missing, "not in the zh .po (run make i18n):\n" + "\n".join(missing)


def test_no_message_in_the_code_breaks_its_placeholders() -> None:
    """Placeholders are named ({name}), filled by .format() after translation; never positional."""
    bad = [msgid for (_ctx, msgid) in _extracted() if "{}" in msgid or "{0" in msgid]
    assert not bad


def test_translations_keep_the_placeholders() -> None:
    import string

    def names(s: str) -> set[str]:
        return {f for _lit, f, _spec, _conv in string.Formatter().parse(s) if f is not None}

    for m in _po():
        if not m.id or not m.string:
            continue
        ids = m.id if isinstance(m.id, tuple) else (m.id,)
        strings = m.string if isinstance(m.string, tuple) else (m.string,)
        for s in strings:
            if s:
                assert names(s) == names(ids[-1]), (m.id, s)


def test_compiled_catalog_is_up_to_date() -> None:
    """The shipped .mo says exactly what the .po says (run make i18n when this fails)."""
    import gettext

    with open(LOCALE / "zh" / "LC_MESSAGES" / "target_tracker.mo", "rb") as f:
        mo = dict(gettext.GNUTranslations(f)._catalog)  # type: ignore[attr-defined]
    mo.pop("", None)  # the header
    expected: dict[object, str] = {}
    for m in _po():
        if not m.id or m.fuzzy:
            continue
        ids = m.id if isinstance(m.id, tuple) else (m.id,)
        strings = m.string if isinstance(m.string, tuple) else (m.string,)
        key = f"{m.context}\x04{ids[0]}" if m.context else ids[0]
        if len(ids) > 1:  # Babel compiles an untranslated plural as the English forms
            forms = strings if all(strings) else [ids[min(i, len(ids) - 1)] for i in range(len(strings))]
            expected.update({(key, i): s for i, s in enumerate(forms)})
        elif not strings[0]:
            continue
        else:
            expected[key] = strings[0]
    assert mo == expected


def test_every_message_has_a_chinese_translation() -> None:
    """Strict: a new message in the code fails until it is translated (make i18n, then the .po)."""
    catalog = _po()
    untranslated = [msgid for (ctx, msgid) in _extracted()
                    if not ((m := catalog.get(msgid, context=ctx)) and all(m.string if isinstance(m.string, tuple)
                                                                          else (m.string,)))]  # fmt: skip
    assert not untranslated, (
        f"{len(untranslated)} messages without a Chinese translation (translate them in "
        "locale/zh/LC_MESSAGES/target_tracker.po, then make i18n):\n" + "\n".join(map(repr, untranslated))
    )


def test_status_words_are_translated() -> None:
    """The status words the issue lists, in the terms government progress reports use."""
    from target_tracker.output.labels import status_label

    expected = {"done": "已完成", "on-track": "正常推进", "at-risk": "存在风险", "behind": "进度滞后",
                "overdue": "逾期未完成", "not-started": "未开始", "no-data": "暂无数据", "met": "达标",
                "missed": "未达标", "paused": "暂停", "cancelled": "取消"}  # fmt: skip
    i18n.use_language("zh")
    assert {code: status_label(code) for code in expected} == expected
    assert i18n.pgettext("status", "stale") == "数据未更新"
    assert i18n._("expected") == "序时进度"
    i18n.use_language("en")
    assert {code: status_label(code) for code in expected} == {code: code for code in expected}


# -- start-up ------------------------------------------------------------------------------


def test_english_loads_no_catalog_and_no_babel(write_ledger) -> None:
    """English `tracker status` reads no catalog file and never imports Babel (start-up time)."""
    path = write_ledger()
    code = (
        "import sys\n"
        "from target_tracker import i18n\n"
        "from target_tracker.cli import main\n"
        f"sys.argv = ['tracker', 'status', '-f', {str(path)!r}]\n"
        "try:\n    main()\nexcept SystemExit:\n    pass\n"
        "print(type(i18n._translation).__name__, sorted(m for m in sys.modules if m.split('.')[0] == 'babel'),"
        " file=sys.stderr)\n"
    )
    env = {"PYTHONPATH": str(ROOT / "src"), "LANG": "C.UTF-8", "NO_COLOR": "1", "TRACKER_NO_CACHE": "1"}
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, check=True)
    assert out.stderr.strip().splitlines()[-1] == "NullTranslations []"
    env["LANG"] = "zh_CN.UTF-8"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, check=True)
    assert out.stderr.strip().splitlines()[-1] == "GNUTranslations []"


def test_catalog_is_shipped_as_package_data() -> None:
    pyproject = (ROOT / "pyproject.toml").read_text(encoding="utf-8")
    assert '"locale/*/LC_MESSAGES/*.mo"' in pyproject
    assert Path(i18n.LOCALE_DIR, "zh", "LC_MESSAGES", "target_tracker.mo").is_file()


def test_edit_effect_in_the_ledgers_language(run, write_ledger) -> None:  # type: ignore[no-untyped-def]
    path = write_ledger(
        MINIMAL.replace('title = "Test ledger"\n', 'title = "Test ledger"\n\n[settings]\nlang = "zh"\n')
    )
    result = run("update", "tasks", "95", "--date", "2021-11-30", "-f", path)
    assert result.exit_code == 0, result.output
    assert "tasks: 89 -> 95 tasks (93.1%, 正常推进)" in result.output
    english = run("update", "tasks", "96", "--date", "2021-11-30", "--replace", "-f", path, "--lang", "en")
    assert "tasks: 95 -> 96 tasks (94.1%, on-track)" in english.output, english.output
