"""The JSON Schema of the ledger format: generated from the loader's own field
definitions, shipped with the package, and accepted by jsonschema and taplo."""

from __future__ import annotations

import re
import shutil
import subprocess
import tomllib
from importlib.resources import files
from pathlib import Path

import jsonschema
import pytest

from target_tracker.ledger import fields, load
from target_tracker.ledger.model import KINDS, STATES
from target_tracker.ledger.schema import json_compatible, ledger_schema, schema_text

from .conftest import DATA, MINIMAL, ROOT

SCHEMA = ledger_schema()
VALIDATOR = jsonschema.Draft202012Validator(SCHEMA, format_checker=jsonschema.Draft202012Validator.FORMAT_CHECKER)
CJK = re.compile(r"[\u4e00-\u9fff]")

GOOD = [ROOT / "targets.toml", ROOT / "src" / "target_tracker" / "data" / "chenzhou.toml", *sorted(DATA.glob("*.toml"))]
#: broken ledgers a schema can see (the others are broken in ways only `tracker check` knows: cycles, ...)
SCHEMA_BROKEN = ["wrong-types", "unknown-keys", "bad-enums", "bad-dates", "semantics"]


def errors(data: dict) -> list[str]:  # type: ignore[type-arg]
    return [e.message for e in VALIDATOR.iter_errors(json_compatible(data))]


def test_the_shipped_schema_file_is_the_generated_one(run) -> None:  # type: ignore[no-untyped-def]
    shipped = (files("target_tracker") / "data" / "targets.schema.json").read_text(encoding="utf-8")
    assert shipped == schema_text(), "regenerate: tracker schema > src/target_tracker/data/targets.schema.json"
    result = run("schema")
    assert result.exit_code == 0
    assert result.stdout == shipped


def test_it_is_a_valid_draft_2020_12_schema() -> None:
    assert SCHEMA["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    jsonschema.Draft202012Validator.check_schema(SCHEMA)


def test_the_loader_and_the_schema_know_the_same_keys() -> None:
    defs = SCHEMA["$defs"]
    assert tuple(SCHEMA["properties"]) == load.TOP_KEYS
    assert tuple(defs["target"]["properties"]) == load.TARGET_KEYS
    assert tuple(defs["observation"]["properties"]) == load.OBSERVATION_KEYS
    assert tuple(defs["stage"]["properties"]) == load.STAGE_KEYS
    assert tuple(defs["waypoint"]["properties"]) == load.WAYPOINT_KEYS
    assert tuple(defs["settings"]["properties"]) == load.SETTINGS_KEYS
    assert tuple(defs["source"]["properties"]) == load.SOURCE_KEYS
    assert tuple(defs["included-file"]["properties"]) == load.INCLUDED_FILE_KEYS


def test_every_field_definition_is_in_the_schema_with_type_enum_required_and_both_descriptions() -> None:
    for name, table in fields.TABLES.items():
        node = SCHEMA if name == "ledger" else SCHEMA["$defs"][name]
        assert node["additionalProperties"] is False
        assert CJK.search(node["description"])
        for f in table:
            prop = node["properties"][f.name]
            assert f.en in prop["description"] and f.zh in prop["description"], f.name
            assert CJK.search(prop["description"]), f.name
            if f.enum:
                assert prop["enum"] == list(f.enum)
            assert (f.name in node.get("required", [])) == f.required
    target = SCHEMA["$defs"]["target"]
    assert target["properties"]["kind"]["enum"] == list(KINDS)
    assert target["properties"]["state"]["enum"] == list(STATES)
    assert target["required"] == ["title"]
    by_kind = {c["if"]["properties"]["kind"]["const"]: c["then"]["required"] for c in target["allOf"]}
    assert by_kind == {"quantity": ["start", "due", "target"], "milestones": ["start", "due", "stages"]}


@pytest.mark.parametrize("path", GOOD, ids=[p.name for p in GOOD])
def test_good_ledgers_validate(path: Path) -> None:
    assert errors(tomllib.loads(path.read_text(encoding="utf-8"))) == []


def test_the_test_suites_own_and_the_generated_ledgers_validate() -> None:
    from target_tracker.edits.new_target import example_ledger, minimal_ledger
    from tests.test_merge import BASE
    from tests.test_merge_git import LEDGER

    for text in (MINIMAL, BASE, LEDGER, minimal_ledger("新台账"), example_ledger()):
        assert errors(tomllib.loads(text)) == []


@pytest.mark.parametrize("name", SCHEMA_BROKEN)
def test_broken_ledgers_fail(name: str) -> None:
    data = tomllib.loads((DATA / "broken" / f"{name}.toml").read_text(encoding="utf-8"))
    assert errors(data)


def test_what_the_schema_says_about_the_broken_ledgers() -> None:
    def messages(name: str) -> str:
        return "\n".join(errors(tomllib.loads((DATA / "broken" / f"{name}.toml").read_text(encoding="utf-8"))))

    assert "'abc' is not of type 'number'" in messages("wrong-types")
    assert "True is not of type 'number'" in messages("wrong-types")
    assert "('titel' was unexpected)" in messages("unknown-keys")
    assert "('tagret' was unexpected)" in messages("unknown-keys")
    assert "'quantiy' is not one of ['quantity', 'maintain', 'milestones', 'rollup']" in messages("bad-enums")
    assert "'done' is not one of ['active', 'paused', 'cancelled']" in messages("bad-enums")
    assert "'2021-13-45' is not a 'date'" in messages("bad-dates")


# -- taplo, the TOML tooling behind Even Better TOML ---------------------------------------------

needs_taplo = pytest.mark.skipif(shutil.which("taplo") is None, reason="taplo is not installed (pip install taplo)")
SCHEMA_FILE = ROOT / "src" / "target_tracker" / "data" / "targets.schema.json"


def taplo(*args: str | Path, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(["taplo", *map(str, args)], cwd=cwd, capture_output=True, text=True, check=False)


def broken_copy(folder: Path) -> Path:
    text = (ROOT / "targets.toml").read_text(encoding="utf-8")
    text = text.replace('unit = "tasks"\n', 'unti = "tasks"\n', 1).replace("target = 102\n", 'target = "102"\n', 1)
    path = folder / "broken.toml"
    path.write_text(text, encoding="utf-8")
    return path


@needs_taplo
def test_taplo_with_the_schema_accepts_the_ledger_and_flags_a_misspelled_key_and_a_wrong_type(tmp_path: Path) -> None:
    shutil.copy(ROOT / "targets.toml", tmp_path / "targets.toml")
    good = taplo("check", "--schema", SCHEMA_FILE.as_uri(), "targets.toml", cwd=tmp_path)
    assert good.returncode == 0, good.stderr
    broken_copy(tmp_path)
    bad = taplo("check", "--schema", SCHEMA_FILE.as_uri(), "broken.toml", cwd=tmp_path)
    assert bad.returncode != 0
    assert "'unti' was unexpected" in bad.stderr
    assert '"102" is not of type "number"' in bad.stderr
    assert "broken.toml:45:10" in bad.stderr  # taplo points at the value


@needs_taplo
def test_taplo_toml_config_and_schema_directive_as_the_readme_shows(tmp_path: Path) -> None:
    shutil.copy(SCHEMA_FILE, tmp_path / "targets.schema.json")
    (tmp_path / "taplo.toml").write_text(
        '[[rule]]\ninclude = ["targets.toml", "cities/*.toml"]\n\n[rule.schema]\npath = "./targets.schema.json"\n',
        encoding="utf-8",
    )
    shutil.copy(ROOT / "targets.toml", tmp_path / "targets.toml")
    assert taplo("check", "targets.toml", cwd=tmp_path).returncode == 0
    (tmp_path / "cities").mkdir()
    broken_copy(tmp_path).rename(tmp_path / "cities" / "chenzhou.toml")
    bad = taplo("check", cwd=tmp_path)
    assert bad.returncode != 0 and "'unti' was unexpected" in bad.stderr and "cities/chenzhou.toml" in bad.stderr

    (tmp_path / "taplo.toml").unlink()
    text = (tmp_path / "cities" / "chenzhou.toml").read_text(encoding="utf-8")
    (tmp_path / "directive.toml").write_text("#:schema ./targets.schema.json\n\n" + text, encoding="utf-8")
    bad = taplo("check", "directive.toml", cwd=tmp_path)
    assert bad.returncode != 0 and '"102" is not of type "number"' in bad.stderr
    (tmp_path / "fine.toml").write_text(
        "#:schema ./targets.schema.json\n\n" + (ROOT / "targets.toml").read_text(encoding="utf-8"), encoding="utf-8"
    )
    assert taplo("check", "fine.toml", cwd=tmp_path).returncode == 0


def test_every_field_type_has_a_schema() -> None:
    from target_tracker.ledger.fields import Field
    from target_tracker.ledger.schema import _field_schema

    published = _field_schema(Field("published", "date-map", "Issued", "发布", pattern=r"^\d{4}-\d{2}$"))
    check = jsonschema.Draft202012Validator(published, format_checker=jsonschema.Draft202012Validator.FORMAT_CHECKER)
    assert check.is_valid({"2021-10": "2021-11-08"})
    assert not check.is_valid({"October": "2021-11-08"})
    assert not check.is_valid({"2021-10": "soon"})
    for kind in ("text", "number", "integer", "boolean", "date", "source", "include", "targets"):
        assert _field_schema(Field("x", kind, "en", "中文"))["description"] == "en\n\n中文"
    with pytest.raises(ValueError, match="no JSON Schema for field type"):
        _field_schema(Field("x", "colour", "en", "中文"))
