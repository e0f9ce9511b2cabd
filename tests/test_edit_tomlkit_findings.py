"""The tomlkit behaviour docs/editing.md records as the reason edits splice
text instead of letting tomlkit rewrite the file. If a tomlkit release changes
any of it, this fails: revisit the page (and maybe the design)."""

from __future__ import annotations

import json
import tomllib

import pytest
import tomlkit


def test_parse_and_dump_rewrites_an_untouched_inline_table() -> None:
    assert tomlkit.dumps(tomlkit.parse("x = { d = 2022-06-30 }\n")) == "x = { d = 2022-06-30}\n"
    stages = 'stages = [\n  { name = "Approval", planned = 2022-06-30 },\n]\n'
    assert tomlkit.dumps(tomlkit.parse(stages)) != stages


def test_a_new_key_goes_after_the_next_tables_comment() -> None:  # tomlkit#295
    doc = tomlkit.parse('[targets.a]\ntitle = "A"\n\n# about b: reviewed 2021\n[targets.b]\ntitle = "B"\n')
    doc["targets"]["a"]["owner"] = "X"  # type: ignore[index]
    assert (
        tomlkit.dumps(doc)
        == '[targets.a]\ntitle = "A"\n\n# about b: reviewed 2021\nowner = "X"\n[targets.b]\ntitle = "B"\n'
    )


def test_lf_is_written_into_a_crlf_file() -> None:
    doc = tomlkit.parse('title = "T"\r\n\r\n[targets.a]\r\ntitle = "A"\r\n')
    doc["targets"]["a"]["owner"] = "X"  # type: ignore[index]
    assert tomlkit.dumps(doc) == 'title = "T"\r\n\r\n[targets.a]\r\ntitle = "A"\r\nowner = "X"\n'


def test_item_rendering_escapes_what_json_leaves_raw() -> None:
    assert tomlkit.item("a\x7fb").as_string() == '"a\\u007fb"'
    with pytest.raises(tomllib.TOMLDecodeError):
        tomllib.loads("x = " + json.dumps("a\x7fb", ensure_ascii=False))


def test_item_rendering_does_not_refuse_what_toml_forbids() -> None:
    """Why render() checks these itself."""
    assert tomlkit.item(2**64).as_string() == "18446744073709551616"  # TOML integers are 64-bit
    assert tomlkit.item("\udcff").as_string() == '"\udcff"'  # a lone surrogate: not UTF-8 encodable
