# ruff: noqa: E501  (one field per line, with its English and Chinese description)
"""Every key of the ledger format, defined once.

The loader takes its key lists from here (:mod:`target_tracker.ledger.load`)
and ``tracker schema`` generates the JSON Schema from the same definitions
(:mod:`target_tracker.ledger.schema`), so the two cannot drift. A new key is
one :class:`Field` line in the right table below.

Types: ``text``, ``number`` (int or float, finite), ``integer``, ``boolean``,
``date`` (a TOML date, or a date in quotes), ``date-map`` (a table of dates
under keys matching ``pattern``, e.g. ``"2021-10" = 2021-11-08``), ``source``
(text or a source table), ``include`` (a path or a list of paths), ``list``
(of ``item`` tables), ``table`` (an ``item`` table), ``targets``
(``[targets.ID]`` tables). A new type needs its JSON Schema in
:mod:`target_tracker.ledger.schema`.
"""

from __future__ import annotations

from dataclasses import dataclass

from target_tracker.i18n import LANGUAGES
from target_tracker.ledger.model import KINDS, STATES


@dataclass(frozen=True, slots=True)
class Field:
    """One key: its name, type, allowed values, whether it is required
    (always, or for some kinds of target), and what it means in English and Chinese.

    item: for ``list`` and ``table`` fields, the name of the table of fields
    its elements hold (a key of :data:`TABLES`). minimum / exclusive_minimum:
    / maximum: bounds of a number. pattern: what the keys of a ``date-map``
    (or a text) must match.
    """

    name: str
    type: str
    en: str
    zh: str
    required: bool = False
    required_for: tuple[str, ...] = ()
    enum: tuple[str, ...] = ()
    item: str | None = None
    minimum: float | None = None
    exclusive_minimum: float | None = None
    maximum: float | None = None
    pattern: str | None = None


TOP_FIELDS: tuple[Field, ...] = (
    Field("title", "text", "The ledger's name, shown on every table and report.", "台账名称，显示在每张表格和报告上。"),
    Field("source", "source", "The document the commitments come from; targets without their own source cite it.",
          "承诺的出处文件；没有自己出处的目标引用它。"),
    Field("settings", "table", "Thresholds for statuses.", "判断状态的阈值。", item="settings"),
    Field("targets", "targets", "One [targets.ID] table per commitment.", "每项承诺一个 [targets.ID] 表。"),
    Field("include", "include", "More files (or folders of *.toml) holding [targets.*] tables.",
          "包含 [targets.*] 表的其他文件（或 *.toml 所在的文件夹）。"),
    Field("reports", "table", "What the ledger remembers about its monthly reports.", "台账记录的月度报告信息。",
          item="reports"),
)  # fmt: skip

REPORTS_FIELDS: tuple[Field, ...] = (
    Field("published", "date-map", 'When each month\'s report was issued: "2021-10" = 2021-11-08 (tracker report --publish).',
          "各月报告的发布日期：\"2021-10\" = 2021-11-08（tracker report --publish 记录）。",
          pattern=r"^[0-9]{4}-(0[1-9]|1[0-2])$"),
)  # fmt: skip

INCLUDED_FILE_FIELDS: tuple[Field, ...] = (
    Field("targets", "targets", "One [targets.ID] table per commitment.", "每项承诺一个 [targets.ID] 表。"),
)

SOURCE_FIELDS: tuple[Field, ...] = (
    Field("document", "text", "The document's title.", "文件标题。"),
    Field("date", "date", "Its publication date.", "发布日期。"),
    Field("clause", "text", "The clause, page or quote that carries the commitment or figure.",
          "载明承诺或数据的条款、页码或原文。"),
    Field("url", "text", "A link or a path to a copy.", "链接或副本路径。"),
)  # fmt: skip

SETTINGS_FIELDS: tuple[Field, ...] = (
    Field("on_track_gap", "number", "A gap (expected - done) up to this is on-track (default 0.05).",
          "差距（序时进度 - 完成度）不超过此值为“正常推进”（默认 0.05）。", minimum=0),
    Field("at_risk_gap", "number", "A gap up to this is at-risk, above it behind (default 0.15).",
          "差距不超过此值为“有风险”，超过为“滞后”（默认 0.15）。", minimum=0),
    Field("stale_after_days", "integer", "Flag a target whose latest figure is older than this many days (default 90).",
          "最新数据超过此天数即标记为“数据陈旧”（默认 90）。", minimum=1, maximum=36500),
    Field("lang", "text", "The language of this ledger's tables and reports: en or zh (overridden by --lang).",
          "本台账表格和报告的语言：en 或 zh（可用 --lang 覆盖）。", enum=LANGUAGES),
    Field("allow_outside_includes", "boolean", "Let include name files outside the main ledger's folder (default false).",
          "允许 include 引用主台账文件夹以外的文件（默认 false）。"),
    Field("require_figure_source", "boolean", "Every figure and completed stage must give its own source (default false).",
          "每条数据和每个已完成阶段都须注明来源（默认 false）。"),
    Field("report_grace_days", "integer", "A month's report without a published date counts as issued this many days after the month's end (default 10).",
          "未记录发布日期的月报，视为在月末后此天数发布（默认 10）。", minimum=0),
)  # fmt: skip

TARGET_FIELDS: tuple[Field, ...] = (
    Field("title", "text", "What the commitment is, as the plan words it.", "承诺内容，按规划原文表述。", required=True),
    Field("kind", "text", "quantity, maintain, milestones or rollup (inferred when left out).",
          "类型：quantity（数量）、maintain（保持）、milestones（阶段）或 rollup（汇总）；省略时自动推断。", enum=KINDS),
    Field("area", "text", "The plan's pillar or chapter; status groups rows by it.", "所属领域或章节；状态表按此分组。"),
    Field("owner", "text", "Who answers for it.", "责任单位。"),
    Field("start", "date", "When the work starts.", "开始日期。", required_for=("quantity", "milestones")),
    Field("due", "date", "When it must be done.", "完成期限。", required_for=("quantity", "milestones")),
    Field("weight", "number", "Its weight inside its parent rollup (default 1).", "在上级汇总目标中的权重（默认 1）。",
          exclusive_minimum=0),
    Field("parent", "text", "The id of the rollup it belongs to.", "所属汇总目标的编号。"),
    Field("state", "text", "active, paused or cancelled.", "状态：active（进行中）、paused（暂停）或 cancelled（取消）。",
          enum=STATES),
    Field("source", "source", "Where the commitment was made.", "承诺的出处。"),
    Field("notes", "text", "Free text, shown by tracker show.", "备注，tracker show 会显示。"),
    Field("unit", "text", "The unit of the figures: tasks, km, billion yuan, %.", "数据单位：项、公里、亿元、%。"),
    Field("baseline", "number", "quantity: the starting value (default 0).", "数量型：基数（默认 0）。"),
    Field("target", "number", "quantity: the target value.", "数量型：目标值。", required_for=("quantity",)),
    Field("at_least", "number", "maintain: keep the level at or above this.", "保持型：不低于此值。"),
    Field("at_most", "number", "maintain: keep the level at or below this.", "保持型：不高于此值。"),
    Field("observations", "list", "Dated figures, one per line.", "按日期记录的数据，每行一条。", item="observation"),
    Field("stages", "list", "milestones: the named stages.", "阶段型：各个阶段。", item="stage",
          required_for=("milestones",)),
    Field("trajectory", "list", "Interim targets (waypoints) of the plan.", "规划的阶段性目标（节点）。", item="waypoint"),
    Field("added", "date", "When the target entered the ledger (tracker add sets it; absent: always there).",
          "目标录入台账的日期（tracker add 自动记录；缺省表示一直存在）。"),
)  # fmt: skip

OBSERVATION_FIELDS: tuple[Field, ...] = (
    Field("date", "date", "The date the figure is for.", "数据所属日期。", required=True),
    Field("value", "number", "The figure, in the target's unit.", "数据值，单位同目标。", required=True),
    Field("note", "text", "What the figure is.", "数据说明。"),
    Field("source", "text", "Where it was reported.", "数据来源。"),
    Field(
        "recorded",
        "date",
        "When the figure was entered (tracker update sets it; absent: on its own date); "
        "a later entry for the same date is a revision.",
        "数据录入日期（tracker update 自动记录；缺省为数据所属日期）；同一日期较晚录入的一条为修订。",
    ),
)

STAGE_FIELDS: tuple[Field, ...] = (
    Field("name", "text", "The stage.", "阶段名称。", required=True),
    Field("weight", "number", "Its share of the whole (default 1).", "占整体的权重（默认 1）。", exclusive_minimum=0),
    Field("planned", "date", "When the plan has it done.", "计划完成日期。"),
    Field("done", "date", "When it was done.", "实际完成日期。"),
    Field("note", "text", "Evidence.", "佐证说明。"),
    Field("source", "text", "Where it was reported.", "来源。"),
    Field(
        "recorded",
        "date",
        "When the completion was entered (tracker done sets it).",
        "完成情况的录入日期（tracker done 自动记录）。",
    ),
)

WAYPOINT_FIELDS: tuple[Field, ...] = (
    Field("date", "date", "The waypoint's date.", "节点日期。", required=True),
    Field("value", "number", "The planned value, in the target's unit (quantity only).", "计划值，单位同目标（仅数量型）。"),
    Field("share", "number", "The planned share of the way, 0 to 1.", "计划完成比例，0 到 1。", minimum=0, maximum=1),
    Field("note", "text", "What the waypoint is.", "节点说明。"),
)  # fmt: skip

#: The tables of the format by name; ``Field.item`` refers to these names.
TABLES: dict[str, tuple[Field, ...]] = {
    "ledger": TOP_FIELDS,
    "included-file": INCLUDED_FILE_FIELDS,
    "source": SOURCE_FIELDS,
    "settings": SETTINGS_FIELDS,
    "target": TARGET_FIELDS,
    "observation": OBSERVATION_FIELDS,
    "stage": STAGE_FIELDS,
    "waypoint": WAYPOINT_FIELDS,
    "reports": REPORTS_FIELDS,
}


def names(fields: tuple[Field, ...]) -> tuple[str, ...]:
    """The keys of a table, in definition order."""
    return tuple(f.name for f in fields)
