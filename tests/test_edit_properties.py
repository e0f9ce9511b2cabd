"""Property: random valid ledgers x random edits -> the result parses, holds
the edit, and every line outside the edited target is unchanged."""

from __future__ import annotations

import difflib
import json
import tomllib
from datetime import date, timedelta
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from target_tracker.edits.operations import Edit, MarkStageDone, RecordObservation, SetField, apply
from target_tracker.toml.scan import find_section

titles = st.text(
    alphabet=st.sampled_from(list("abcXYZ 012_-'\"\\/#[]{}=,.临武至连州高速公路北湖机场改扩建%—")),
    min_size=1,
    max_size=20,
)
ids = st.from_regex(r"[a-z][a-z0-9-]{0,8}", fullmatch=True)
days = st.integers(0, 3000).map(lambda n: date(2020, 1, 1) + timedelta(days=n))
numbers = st.one_of(st.integers(-10_000, 10_000).map(str), st.floats(-1e6, 1e6, allow_nan=False).map(repr))


@st.composite
def ledgers(draw: Any) -> tuple[str, list[str], dict[str, str]]:
    """A ledger text in a random hand-written style; its ids; their kinds."""
    eq = draw(st.sampled_from([" = ", "=", "   =  "]))
    indent = draw(st.sampled_from(["  ", "    ", "\t"]))
    pad = draw(st.booleans())
    nl = draw(st.sampled_from(["\n", "\r\n"]))
    target_ids = draw(st.lists(ids, min_size=1, max_size=4, unique=True))
    kinds: dict[str, str] = {}
    lines = [f"# {draw(titles).replace(chr(10), ' ')}", f"title{eq}{json.dumps(draw(titles), ensure_ascii=False)}", ""]

    def inline(pairs: list[str]) -> str:
        return "{ " + ", ".join(pairs) + " }" if pad else "{" + ", ".join(pairs) + "}"

    for tid in target_ids:
        kind = draw(st.sampled_from(["quantity", "milestones"]))
        kinds[tid] = kind
        comment = draw(st.sampled_from(["", "  # note", "   # 备注 [x]"]))
        lines += [f"[targets.{tid}]{comment}", f"title{eq}{json.dumps(draw(titles), ensure_ascii=False)}"]
        lines += [f'kind{eq}"{kind}"', f"start{eq}2020-01-01", f"due{eq}2030-12-31{comment}"]
        if kind == "quantity":
            lines.append(f"target{eq}{draw(st.integers(1, 10_000))}")
            obs_days = sorted(draw(st.lists(days, max_size=4, unique=True)))
            elements = [inline([f"date = {d}", f"value = {draw(numbers)}"]) for d in obs_days]
            layout = draw(st.sampled_from(["absent", "single", "multi", "multi-no-trailing-comma"]))
            if layout == "single" or (layout != "absent" and not elements):
                lines.append(f"observations{eq}[{', '.join(elements)}]")
            elif layout.startswith("multi"):
                lines.append(f"observations{eq}[")
                for k, e in enumerate(elements):
                    last = k == len(elements) - 1
                    comma = "" if last and layout == "multi-no-trailing-comma" else ","
                    lines.append(f"{indent}{e}{comma}")
                    if draw(st.booleans()):
                        lines.append(f"{indent}# comment {k}")
                lines.append("]")
        else:
            n = draw(st.integers(1, 4))
            lines.append(f"stages{eq}[")
            for k in range(n):
                stage = inline([f'name = "stage {k}"', "weight = 1"])
                lines.append(f"{indent}{stage},")
            lines.append("]")
        lines += draw(st.sampled_from([[""], ["", "# between tables"], ["", ""]]))
    return nl.join(lines) + nl, target_ids, kinds


@st.composite
def edits(draw: Any, ledger: tuple[str, list[str], dict[str, str]]) -> Edit:
    text, target_ids, kinds = ledger
    tid = draw(st.sampled_from(target_ids))
    data = tomllib.loads(text)["targets"][tid]
    choice = draw(st.sampled_from(["set", "obs"] if kinds[tid] == "quantity" else ["set", "done"]))
    if choice == "set":
        name, value = draw(st.sampled_from([("owner", "Planning office 规划局"), ("due", date(2031, 6, 30)),
                                             ("title", draw(titles))]))  # fmt: skip
        return SetField(tid, name=name, value=value)
    if choice == "done":
        n = len(data["stages"])
        return MarkStageDone(tid, stage=str(draw(st.integers(1, n))), day=draw(days))
    existing = [o["date"] for o in data.get("observations", [])]
    replace = bool(existing) and draw(st.booleans())
    day = draw(st.sampled_from(existing)) if replace else draw(days.filter(lambda d: d not in existing))
    note = draw(st.one_of(st.none(), titles))
    return RecordObservation(tid, day=day, value=tomllib.loads(f"v = {draw(numbers)}")["v"], note=note, replace=replace)


def expect(edit: Edit, target: dict[str, Any]) -> None:
    """The target's data after the edit, worked out here from the edit's fields
    (not from the code under test)."""
    if isinstance(edit, SetField):
        target[edit.name] = edit.value
    elif isinstance(edit, MarkStageDone):
        target["stages"][int(edit.stage) - 1]["done"] = edit.day
    elif isinstance(edit, RecordObservation):
        obs = target.setdefault("observations", [])
        old = next((o for o in obs if o["date"] == edit.day), None)
        new = {"date": edit.day, "value": edit.value}
        note = edit.note or (old or {}).get("note")
        if note:
            new["note"] = note
        if old is None:  # in date order: before the first figure dated later
            at = next((i for i, o in enumerate(obs) if o["date"] > edit.day), len(obs))
            obs.insert(at, new)
        else:
            obs[obs.index(old)] = new


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.data())
def test_random_edits_keep_every_other_line(data: st.DataObject) -> None:
    ledger = data.draw(ledgers())
    text, _target_ids, _ = ledger
    edit = data.draw(edits(ledger))
    applied = apply(edit, text)
    new_text = applied.text
    assert apply(edit, text) == applied  # a value: applying again gives the same result

    # the result parses and holds the edit
    before = tomllib.loads(text)
    after = tomllib.loads(new_text)
    expected = json.loads(json.dumps(before, default=str))
    target = before["targets"][edit.target_id]
    expect(edit, target)
    expected["targets"][edit.target_id] = json.loads(json.dumps(target, default=str))
    assert json.loads(json.dumps(after, default=str)) == expected

    # every line outside the edited target's section is unchanged
    section = find_section(text, edit.target_id)
    first = text.count("\n", 0, section.start)
    last = text.count("\n", 0, section.end)
    old_lines = text.splitlines(keepends=True)
    new_lines = new_text.splitlines(keepends=True)
    changed_old = 0
    for tag, i1, i2, _j1, _j2 in difflib.SequenceMatcher(None, old_lines, new_lines, autojunk=False).get_opcodes():
        if tag == "equal":
            continue
        assert first <= i1 and i2 <= last + 1, (tag, i1, i2, first, last)
        changed_old += i2 - i1
    assert changed_old <= 1  # at most one existing line changes (the value, or a comma added)
    # newline style kept
    if "\r\n" in text:
        assert "\n" not in new_text.replace("\r\n", "")
