"""The ledger format as a JSON Schema (draft 2020-12), for editors.

Generated from :mod:`target_tracker.ledger.fields`, the definitions the
loader takes its keys from. Editors that read TOML through a JSON Schema
(Even Better TOML / taplo, tombi) see TOML dates as date strings; the
loader also accepts a date in quotes, so both validate as ``format: date``.
Descriptions hold English and Chinese, so a hover shows both.
"""

from __future__ import annotations

import json
from typing import Any

from target_tracker.ledger.fields import TABLES, Field
from target_tracker.ledger.load import ID_PATTERN

SCHEMA_ID = "https://target-tracker.example/targets.schema.json"
DIALECT = "https://json-schema.org/draft/2020-12/schema"


def _describe(en: str, zh: str) -> dict[str, str]:
    return {"description": f"{en}\n\n{zh}"}


def _field_schema(f: Field) -> dict[str, Any]:
    s: dict[str, Any]
    if f.type == "text":
        s = {"type": "string"}
    elif f.type == "number":
        s = {"type": "number"}
    elif f.type == "integer":
        s = {"type": "integer"}
    elif f.type == "boolean":
        s = {"type": "boolean"}
    elif f.type == "date":
        s = {"type": "string", "format": "date"}
    elif f.type == "date-map":
        s = {"type": "object", "additionalProperties": {"type": "string", "format": "date"}}
        if f.pattern:
            s["propertyNames"] = {"pattern": f.pattern}
    elif f.type == "source":
        s = {"anyOf": [{"type": "string"}, {"$ref": "#/$defs/source"}]}
    elif f.type == "include":
        s = {"anyOf": [{"type": "string"}, {"type": "array", "items": {"type": "string"}}]}
    elif f.type == "list":
        s = {"type": "array", "items": {"$ref": f"#/$defs/{f.item}"}}
    elif f.type == "table":
        s = {"$ref": f"#/$defs/{f.item}"}
    elif f.type == "targets":
        s = {
            "type": "object",
            "propertyNames": {"pattern": ID_PATTERN.pattern},
            "additionalProperties": {"$ref": "#/$defs/target"},
        }
    else:  # pragma: no cover - a new type must be given a schema here
        raise ValueError(f"no JSON Schema for field type {f.type!r} ({f.name})")
    if f.pattern and f.type == "text":
        s["pattern"] = f.pattern
    if f.enum:
        s["enum"] = list(f.enum)
    if f.minimum is not None:
        s["minimum"] = f.minimum
    if f.exclusive_minimum is not None:
        s["exclusiveMinimum"] = f.exclusive_minimum
    if f.maximum is not None:
        s["maximum"] = f.maximum
    s.update(_describe(f.en, f.zh))
    return s


_TABLE_TEXT = {
    "ledger": ("A target-tracker ledger (targets.toml).", "target-tracker 目标台账（targets.toml）。"),
    "included-file": ("A file included by a ledger: [targets.*] tables only.", "台账包含的文件：只有 [targets.*] 表。"),
    "source": ("Where a commitment or figure was made public.", "承诺或数据的公开出处。"),
    "settings": ("Thresholds for statuses.", "判断状态的阈值。"),
    "target": ("One public commitment.", "一项公开承诺。"),
    "observation": ("One dated figure.", "一条按日期记录的数据。"),
    "stage": ("A named stage of a milestones target.", "阶段型目标的一个阶段。"),
    "waypoint": ("An interim target on the planned trajectory.", "规划轨迹上的阶段性目标。"),
    "reports": ("What the ledger remembers about its monthly reports.", "台账记录的月度报告信息。"),
}  # fmt: skip


def _table_schema(name: str, fields: tuple[Field, ...]) -> dict[str, Any]:
    s: dict[str, Any] = {"type": "object"}
    s.update(_describe(*_TABLE_TEXT.get(name, (name, name))))
    s["properties"] = {f.name: _field_schema(f) for f in fields}
    required = [f.name for f in fields if f.required]
    if required:
        s["required"] = required
    s["additionalProperties"] = False
    conditions = []
    by_kind: dict[str, list[str]] = {}
    for f in fields:
        for kind in f.required_for:
            by_kind.setdefault(kind, []).append(f.name)
    for kind, keys in by_kind.items():
        conditions.append(
            {"if": {"required": ["kind"], "properties": {"kind": {"const": kind}}}, "then": {"required": keys}}
        )
    if conditions:
        s["allOf"] = conditions
    return s


def ledger_schema() -> dict[str, Any]:
    """The JSON Schema of a main ledger file; ``$defs`` hold every table
    (``#/$defs/included-file`` is the schema of an included file)."""
    defs = {name: _table_schema(name, fields) for name, fields in TABLES.items() if name != "ledger"}
    top = _table_schema("ledger", TABLES["ledger"])
    return {"$schema": DIALECT, "$id": SCHEMA_ID, "title": "targets.toml", **top, "$defs": defs}


def schema_text() -> str:
    """The schema as the file the package ships (``data/targets.schema.json``)."""
    return json.dumps(ledger_schema(), ensure_ascii=False, indent=2) + "\n"


def json_compatible(data: Any) -> Any:
    """TOML data as JSON sees it (dates as ISO strings), to validate with the schema."""
    from datetime import date, datetime, time

    if isinstance(data, dict):
        return {k: json_compatible(v) for k, v in data.items()}
    if isinstance(data, list):
        return [json_compatible(v) for v in data]
    if isinstance(data, datetime | date | time):
        return data.isoformat()
    return data
