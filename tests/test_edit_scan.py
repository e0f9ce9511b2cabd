"""The one scanner of TOML text: headers are found where tomllib finds tables,
never inside strings or values."""

from __future__ import annotations

import tomllib

from hypothesis import given, settings
from hypothesis import strategies as st

from target_tracker.toml.scan import headers, target_ids, targets_with

TRICKY = '''\
title = "T"   # [targets.fake]
notes = """
[targets.in_basic]
\\"""
[targets.still_in_basic]
"""
other = \'\'\'
[targets.in_literal]\'\'\'
grid = [
  [1, 2], [3]
]
quoted = "[targets.in_string]"
single = [{ a = 1 }]

  [targets.a]   # indented, with a comment
title = "A"

[targets."b"]
title = "B"

[targets.a.source]
document = "D"

[[targets.a.log]]
x = 1
'''


def test_headers_are_where_tomllib_puts_tables() -> None:
    data = tomllib.loads(TRICKY)
    assert set(data["targets"]) == {"a", "b"}
    assert target_ids(TRICKY) == ["a", "b"]
    paths = [(h.path, h.array) for h in headers(TRICKY)]
    assert paths == [(("targets", "a"), False), (("targets", "b"), False), (("targets", "a", "source"), False),
                     (("targets", "a", "log"), True)]  # fmt: skip
    assert all(TRICKY[h.start - 1] == "\n" for h in headers(TRICKY))


def test_targets_with_a_key_ignore_strings_and_quoting() -> None:
    text = '[targets.a]\narea = "X"\nnotes = """\narea = "X"\n"""\n[targets.b]\narea = \'X\'\n[targets.c]\narea = "Y"\n'
    assert targets_with(text, "area", "X") == ["a", "b"]


ids = st.from_regex(r"[a-z][a-z0-9_-]{0,6}", fullmatch=True)
noise = st.sampled_from(["[targets.x]", "[[targets.y]]", "[targets.z] # c", '"""', "'''", "# [targets.q]", "\\"])


@settings(max_examples=200, deadline=None)
@given(st.lists(st.tuples(ids, st.lists(noise, max_size=4)), min_size=1, max_size=5, unique_by=lambda t: t[0]))
def test_text_inside_multiline_strings_is_never_a_header(targets: list[tuple[str, list[str]]]) -> None:
    parts = []
    for tid, lines in targets:
        body = "\n".join(lines).replace("'''", "")  # a literal string cannot hold its own delimiter
        parts.append(f"[targets.{tid}]\nnotes = '''\n{body}\n'''\n")
    text = "\n".join(parts)
    assert target_ids(text) == list(tomllib.loads(text)["targets"])


def test_includes_are_found_after_a_multiline_string_in_the_header(tmp_path) -> None:  # type: ignore[no-untyped-def]
    from target_tracker.edits.transaction import ledger_files

    (tmp_path / "part.toml").write_text('[targets.p]\ntitle = "P"\n', encoding="utf-8")
    main = tmp_path / "targets.toml"
    text = 'title = """\n[not a table]\n"""\ninclude = ["part.toml"]\n\n[targets.a]\ntitle = "A"\nnotes = "include"\n'
    assert ledger_files(main, text) == [main, tmp_path / "part.toml"]
    assert ledger_files(main, '[targets.a]\nnotes = "include = [1]"\n') == [main]
