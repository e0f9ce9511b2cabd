"""The Chinese interface: every command reads in Chinese, dates and numbers as
Chinese readers write them, the Chinese example ledger, tables that line up.

Golden files (tests/golden/*zh*): refresh after an intended change with

    python -m pytest tests/test_i18n_zh.py --update-golden

then read the diff (in a terminal) before committing.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import tomllib
from datetime import date
from pathlib import Path

import pytest
from wcwidth import wcswidth

from target_tracker import i18n
from target_tracker.output.formats import format_date, format_month, format_number, format_pct

from .conftest import MINIMAL, ROOT

GOLDEN = Path(__file__).resolve().parent / "golden"
DATA = ROOT / "src" / "target_tracker" / "data"
ZH = DATA / "chenzhou-zh.toml"
EN = DATA / "chenzhou.toml"
AS_OF = "2021-10-31"
EPOCH = {"SOURCE_DATE_EPOCH": "1638748800"}  # 2021-12-06, the source document's date

# ASCII words a Chinese screen may show: the command's name, option names,
# ledger keywords the user types, file-format names.
ALLOWED = {"tracker", "target-tracker", "check", "add", "set", "init", "force", "replace", "toml", "targets",
           "json", "csv", "html", "md", "txt", "shared", "source", "kind", "due", "start", "tagret", "target"}  # fmt: skip


@pytest.fixture
def zh_lang():  # type: ignore[no-untyped-def]
    i18n.use_language("zh")
    yield
    i18n.use_language("en")


def english_words(text: str, ids: set[str] = frozenset()) -> list[str]:  # type: ignore[assignment]
    """ASCII words left once ids, paths and allowed words are taken out: English that was not translated."""
    text = re.sub(r"\S*[/\\]\S*|[\w.-]+\.toml", " ", text)  # paths and file names
    return [w for w in re.findall(r"[A-Za-z][A-Za-z_-]{2,}", text) if w not in ids and w.lower() not in ALLOWED]


def ledger_ids(path: Path = ZH) -> set[str]:
    with open(path, "rb") as f:
        return set(tomllib.load(f)["targets"])


def golden(name: str, text: str, update: bool) -> None:
    path = GOLDEN / name
    if update:
        path.write_text(text, encoding="utf-8")
    assert path.exists(), f"missing {path}: run pytest --update-golden"
    assert text == path.read_text(encoding="utf-8")


# -- the helpers -------------------------------------------------------------------------


def test_dates_follow_the_language(zh_lang) -> None:  # type: ignore[no-untyped-def]
    assert format_date(date(2021, 10, 31)) == "2021年10月31日"
    assert format_date(date(2022, 1, 5)) == "2022年1月5日"  # no leading zeros (GB/T 9704)
    assert format_month(2021, 10) == "2021年10月"
    assert format_date(None) == "–"
    i18n.use_language("en")
    assert format_date(date(2021, 10, 31)) == "2021-10-31"
    assert format_month(2021, 10) == "October 2021"


@pytest.mark.parametrize(
    ("value", "unit", "zh", "en"),
    [
        (1234567, "人", "123.46万人", "1,234,567 人"),
        (250_000_000, "元", "2.5亿元", "250,000,000 元"),
        (123_456_789_000, "", "1234.57亿", "123,456,789,000"),
        (6.178, "亿元", "6.178 亿元", "6.178 亿元"),  # the ledger's own unit, never scaled twice
        (2332, "万美元", "2332 万美元", "2,332 万美元"),
        (1_500_000, "万元", "1500000 万元", "1,500,000 万元"),
        (90, "%", "90%", "90 %"),
        (99_999, "人", "99999 人", "99,999 人"),  # below 10万 as written
        (100_000, "", "10万", "100,000"),
        (-150_000, "人", "-15万人", "-150,000 人"),
        (23.32, "million USD", "23.32 million USD", "23.32 million USD"),
        (None, "项", "–", "–"),
    ],
)
def test_format_number(zh_lang, value, unit, zh, en) -> None:  # type: ignore[no-untyped-def]
    assert format_number(value, unit) == zh
    i18n.use_language("en")
    assert format_number(value, unit) == en


def test_percentages(zh_lang) -> None:  # type: ignore[no-untyped-def]
    assert format_pct(89 / 102) == "87.3%"
    assert format_pct(None) == "–"


# -- the Chinese example ledger ---------------------------------------------------------------


def test_chinese_ledger_passes_check(run) -> None:  # type: ignore[no-untyped-def]
    result = run("check", "-f", ZH)
    assert result.exit_code == 0, result.output
    # the source document beside the repository (../shared/source) is warned about when this copy lacks it
    missing = 0 if (ZH.parent / "../shared/source/chenzhou-reform-opening-up-2021-12-06.txt").exists() else 1
    assert f"共30项目标，0处错误，{missing}处警告" in result.output  # its [settings] lang = "zh" chooses Chinese


def test_chinese_ledger_evaluates_like_the_english_one(run) -> None:  # type: ignore[no-untyped-def]
    """Same targets, ratios, expected shares, statuses and summary; only text and units differ."""
    for as_of in ("2021-10-31", "2022-07-31", "2025-12-31"):
        zh = json.loads(run("status", "-f", ZH, "--as-of", as_of, "--format", "json", "--lang", "en").output)
        en = json.loads(run("status", "-f", EN, "--as-of", as_of, "--format", "json", "--lang", "en").output)
        assert zh["summary"] == en["summary"]
        keys = ("id", "kind", "parent", "ratio", "expected", "status", "due", "updated", "stale", "gap", "depth")
        assert [{k: t[k] for k in keys} for t in zh["targets"]] == [{k: t[k] for k in keys} for t in en["targets"]]
    with open(ZH, "rb") as f:
        ledger = tomllib.load(f)
    assert ledger["settings"]["lang"] == "zh"
    assert {t.get("unit") for t in ledger["targets"].values()} >= {"项", "亿元", "万美元", "个"}
    with open(EN, "rb") as f:
        assert "lang" not in tomllib.load(f).get("settings", {})  # the bundled ledger keeps English as default


def test_init_example_in_chinese(run, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    zh, en = tmp_path / "zh.toml", tmp_path / "en.toml"
    result = run("init", zh, "--example", "--lang", "zh")
    assert result.exit_code == 0, result.output
    assert result.output.startswith("已创建")
    assert zh.read_bytes() == ZH.read_bytes()
    assert run("init", en, "--example").exit_code == 0
    assert en.read_bytes() == EN.read_bytes()
    assert run("init", tmp_path / "env.toml", "--example", env={"LANG": "zh_CN.UTF-8"}).exit_code == 0
    assert (tmp_path / "env.toml").read_bytes() == ZH.read_bytes()


# -- every command reads in Chinese --------------------------------------------------------------


def test_status_golden(run, update_golden: bool) -> None:  # type: ignore[no-untyped-def]
    for fmt, ext in (("text", "txt"), ("markdown", "md")):
        result = run("--lang", "zh", "status", "-f", ZH, "--as-of", AS_OF, "--format", fmt)
        assert result.exit_code == 0, result.output
        golden(f"status-zh-{AS_OF}.{ext}", result.output.replace(str(ZH), "chenzhou-zh.toml"), update_golden)
        assert not english_words(result.output, ledger_ids()), fmt


def test_status_reads_in_chinese(run) -> None:  # type: ignore[no-untyped-def]
    out = run("--lang", "zh", "status", "-f", ZH, "--as-of", AS_OF).output
    assert "截至2021年10月31日" in out and "2021-10-31" not in out
    assert "61.78 / 70 亿元" in out and "2332 / 2500 万美元" in out
    assert "共30项目标：正常推进11项，达标5项，未开始13项，暂无数据1项。" in out
    # an English ledger in Chinese: the interface is Chinese, the ledger's text stays as written
    lines = run("--lang", "zh", "status", "-f", EN, "--as-of", AS_OF).output.splitlines()
    assert lines[1].split() == ["编号", "名称", "进度", "完成率", "序时进度", "状态", "截止日期", "更新日期"]
    assert lines[-1].startswith("共30项目标：正常推进11项") and not english_words(lines[-1])
    assert any(line.startswith("└ reform-tasks                  Reform and innovation tasks") for line in lines)


def test_option_errors_in_the_ledgers_language(run) -> None:  # type: ignore[no-untyped-def]
    result = run("status", "-f", ZH, "--sort", "bad")  # before the ledger is parsed
    assert result.exit_code == 2 and result.output.startswith("tracker: --sort：未知排序方式“bad”"), result.output
    result = run("show", "ftz", "-f", ZH, "--as-of", "soon")
    assert result.exit_code == 2 and result.output.startswith("tracker: --as-of："), result.output
    assert run("status", "-f", EN, "--sort", "bad").output.startswith("tracker: --sort: unknown key 'bad'")
    # the report's month and --out are checked before the ledger is read: still in its language
    result = run("report", "-f", ZH, "--month", "2021-13")
    assert result.exit_code == 2 and result.output.startswith("tracker: “2021-13”不是月份"), result.output
    result = run("report", "-f", ZH, "--out", "report.pdf")
    assert result.exit_code == 2 and "未知的扩展名" in result.output, result.output
    assert run("report", "-f", EN, "--month", "2021-13").output.startswith("tracker: '2021-13'")


def test_status_json_has_a_translated_label(run) -> None:  # type: ignore[no-untyped-def]
    data = json.loads(run("--lang", "zh", "status", "-f", ZH, "--as-of", AS_OF, "--format", "json").output)
    first = data["targets"][0]
    keys = list(first)
    assert keys[keys.index("status") + 1] == "status_label"
    assert (first["status"], first["status_label"]) == ("on-track", "正常推进")
    assert data["as_of"] == AS_OF and first["due"] == "2023-12-31"  # machine formats stay ISO
    csv = run("--lang", "zh", "status", "-f", ZH, "--as-of", AS_OF, "--format", "csv").output
    assert ",2023-12-31," in csv and "年" not in csv.split("\n")[1].split(",", 3)[-1].split(",")[-1]


def test_show_reads_in_chinese(run) -> None:  # type: ignore[no-untyped-def]
    for tid in ("paid-in-foreign-investment", "key-area-reforms", "ftz", "gba-projects-share"):
        result = run("--lang", "zh", "show", tid, "-f", ZH, "--as-of", "2022-07-31")
        assert result.exit_code == 0, result.output
        assert not english_words(result.output, ledger_ids()), (tid, result.output)
    out = run("--lang", "zh", "show", "paid-in-foreign-investment", "-f", ZH, "--as-of", AS_OF).output
    assert "类型            数量型" in out and "执行状态        推进中" in out
    assert "基数 -> 目标值  0 -> 2500 万美元" in out
    assert "（2021年12月6日）：实际利用外资2332万美元" in out
    stages = run("--lang", "zh", "show", "key-area-reforms", "-f", ZH, "--as-of", "2022-07-31").output
    assert "完成日期" in stages and "计划日期" in stages and "逾期" in stages  # the date column, not 完成率


def test_show_unknown_id_in_chinese(run) -> None:  # type: ignore[no-untyped-def]
    result = run("--lang", "zh", "show", "refrom-tasks", "-f", ZH)
    assert result.exit_code == 2
    assert "中没有目标“refrom-tasks”（是否应为“reform-tasks”？）" in result.output


BROKEN = """\
title = "坏台账"

[targets.a]
title = "甲"
kind = "quantity"
tagret = 5
target = 10
start = 2021-12-31
due = 2021-01-01
observations = [{ date = 2020-06-30, value = 1 }]

[targets.b]
title = "乙"
kind = "quantity"
target = 5
parent = "nowhere"
"""


def test_check_on_a_broken_ledger_in_chinese(run, write_ledger) -> None:  # type: ignore[no-untyped-def]
    path = write_ledger(BROKEN)
    result = run("--lang", "zh", "check", "-f", path)
    assert result.exit_code == 1
    lines = result.output.strip().splitlines()
    assert any("截止日期2021年1月1日早于开始日期2021年12月31日" in line for line in lines), lines
    assert any("警告：未知的键“tagret”（位于 [targets.a]）（是否应为“target”？）" in line for line in lines), lines
    assert any("上级目标“nowhere”不在台账中" in line for line in lines), lines
    assert re.search(r"：共2项目标，\d+处错误，1处警告$", lines[-1]), lines
    for line in lines:
        assert line.startswith(str(path)), line  # FILE:LINE: first, then Chinese
        assert not english_words(line.removeprefix(str(path)), {"a", "b", "nowhere", "tagret", "target"}), line
    syntax = write_ledger('title = "x"\n[targets.a\n', name="syntax.toml")
    result = run("--lang", "zh", "check", "-f", syntax)
    assert result.exit_code == 2 and "TOML 语法错误" in result.output


def test_update_and_done_in_chinese(run, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path / "targets.toml"
    path.write_bytes(ZH.read_bytes())
    result = run("update", "reform-tasks", "95", "--date", "2021-11-30", "-f", path)  # the ledger says zh
    assert result.exit_code == 0, result.output
    assert result.output == "reform-tasks: 89 -> 95 项 (93.1%, 正常推进)\n"
    result = run("done", "linwu-lianzhou-expressway", "项目核准", "--date", "2022-05-20", "-f", path)
    assert result.exit_code == 0, result.output
    assert result.output.strip() == (
        "linwu-lianzhou-expressway: 第1个节点“项目核准”于2022年5月20日完成 -> 1 / 4 个节点 (12.5%, 正常推进)"
    )
    result = run("set", "reform-tasks", "due", "2024-06-30", "-f", path)
    assert result.exit_code == 0, result.output
    assert "reform-tasks: due = 2024年6月30日" in result.output
    refused = run("update", "reform-tasks", "96", "--date", "2021-11-30", "-f", path)
    assert refused.exit_code == 2
    assert "“reform-tasks”已有2021年11月30日的数据（95）；录入修订请加 --revise" in refused.output
    for args, said in [(("set", "reform-tasks", "colour", "red"), "tracker: 不能设置“colour”；可设置的字段："),
                       (("update", "reform-tasks", "abc"), "tracker: 数值“abc”不是数字"),
                       (("update", "ftz", "5"), "tracker: “ftz”是汇总型目标，不直接录入数据")]:  # fmt: skip
        refused = run(*args, "-f", path)  # refused before the ledger is read: still in its language
        assert refused.exit_code == 2 and refused.output.startswith(said), refused.output
    english = run("--lang", "en", "update", "reform-tasks", "96", "--date", "2021-12-31", "-f", path)
    assert english.output == "reform-tasks: 95 -> 96 项 (94.1%, on-track)\n"


def test_report_md_golden(run, update_golden: bool) -> None:  # type: ignore[no-untyped-def]
    result = run("report", "-f", ZH, "--month", "2021-10", "--format", "md", env=EPOCH)
    assert result.exit_code == 0, result.output
    golden("report-zh-2021-10.md", result.stdout, update_golden)
    assert result.stdout.startswith("# 郴州市改革开放重点任务台账2021年10月推进情况报告")
    assert not english_words(result.stdout, ledger_ids() | {"pp"}), english_words(result.stdout, ledger_ids())
    assert "较2021年9月30日（0.0%）提高46.7个百分点。" in result.stdout
    later = run("report", "-f", ZH, "--month", "2022-07", env=EPOCH).stdout
    assert "30项目标总体完成率46.7%，较2022年6月30日（46.7%）持平。" in later


@pytest.mark.parametrize("fmt", ["md", "html", "json", "csv"])
def test_report_every_format_in_chinese(run, fmt: str) -> None:  # type: ignore[no-untyped-def]
    result = run("--lang", "zh", "report", "-f", ZH, "--month", "2021-10", "--format", fmt, env=EPOCH)
    assert result.exit_code == 0, result.output
    out = result.stdout
    if fmt == "html":
        assert '<html lang="zh' in out and "一、总体情况" in out and "Headline" not in out
        assert "2021年10月31日" in out
    elif fmt == "json":
        data = json.loads(out)
        assert data["as_of"] == "2021-10-31"  # keys and dates for programs stay as they are
        assert [u["update"] for u in data["updates"]][:1] == ["61.78 亿元"]
        assert all(re.search(r"[\u4e00-\u9fff]", c["what"]) for c in data["coming_up"])
    elif fmt == "csv":
        head, first = out.splitlines()[:2]
        assert head.startswith("id,title,area,kind,unit,value")  # column names are a contract
        assert "2021-10-31" in out and "年10月31日" not in out and first.startswith("ftz,中国（湖南）")
    else:
        assert "一、总体情况" in out and "七、测算方法和资料来源" in out


# -- choosing the language from the environment, as a planner's shell does ----------------------------


def _tracker(*args: str, env: dict[str, str]) -> str:
    base = {k: v for k, v in os.environ.items() if k not in ("LANG", "LC_ALL", "LC_MESSAGES", "TRACKER_LANG")}
    base.update({"PYTHONPATH": str(ROOT / "src"), "NO_COLOR": "1", "TRACKER_NO_CACHE": "1"}, **env)
    out = subprocess.run([sys.executable, "-m", "target_tracker", *args], capture_output=True, text=True, env=base)
    assert out.returncode == 0, out.stderr
    return out.stdout


def test_locale_chooses_and_lang_wins(tmp_path: Path) -> None:
    path = tmp_path / "targets.toml"
    path.write_text(MINIMAL, encoding="utf-8")
    args = ("status", "-f", str(path), "--as-of", AS_OF)
    assert "状态" in _tracker(*args, env={"LANG": "zh_CN.UTF-8"}).splitlines()[1]
    assert "status" in _tracker(*args, env={"LANG": "C"}).splitlines()[1]
    assert (
        "status" in _tracker(*args, "--lang", "en", env={"LANG": "zh_CN.UTF-8", "TRACKER_LANG": "zh"}).splitlines()[1]
    )
    assert "状态" in _tracker("--lang", "zh", *args, env={"LANG": "C", "TRACKER_LANG": "en"}).splitlines()[1]


# -- tables line up in the terminal ------------------------------------------------------------------

STYLES = ["text", "simple", "plain", "github", "grid", "rounded_grid", "fancy_grid", "pipe", "orgtbl", "rst"]


def _table_lines(out: str) -> list[str]:
    """The table's own lines: not the heading, group labels, blank lines between areas, or the notes under it."""
    lines = out.rstrip("\n").splitlines()[1:]
    return [line for line in lines[:-1] if line and not line.startswith("▸ ")]


@pytest.mark.parametrize("fmt", STYLES)
def test_chinese_tables_line_up(run, fmt: str) -> None:  # type: ignore[no-untyped-def]
    """Display width (wcwidth, not our own display_width): boxed styles have rows of one width;
    styles without a right border end each row where its last cell ends, so there every
    gap between the columns of the rule line is blank on every row and no row is wider than the rule."""
    out = run("--lang", "zh", "status", "-f", ZH, "--as-of", AS_OF, "--format", fmt).output
    lines = _table_lines(out)
    assert len(lines) >= 30 and any(re.search(r"[\u4e00-\u9fff]", line) for line in lines[2:])
    if fmt not in ("text", "simple", "plain", "rst"):
        widths = {wcswidth(line) for line in lines}
        assert len(widths) == 1, (fmt, sorted(widths), out)
        return
    ruled = fmt if fmt != "plain" else "rst"  # plain: tabulate lays it out like rst, without the rules
    rule_out = run("--lang", "zh", "status", "-f", ZH, "--as-of", AS_OF, "--format", ruled).output
    rule = next(line for line in _table_lines(rule_out) if set(line) <= {"-", "=", " "})
    spans = [m.span() for m in re.finditer(r"[-=]+", rule)]
    assert len(spans) == 9
    for line in lines:
        assert wcswidth(line) <= wcswidth(rule), line
        cols = _columns_by_display(line)
        for _start, end in spans[:-1]:
            assert cols.get(end, " ") == " " and cols.get(end + 1, " ") == " ", (fmt, line, end)


def _columns_by_display(line: str) -> dict[int, str]:
    """Display column -> character (a wide character covers two columns)."""
    out: dict[int, str] = {}
    col = 0
    for ch in line:
        w = max(wcswidth(ch), 0)
        for k in range(w):
            out[col + k] = ch
        col += w
    return out


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (("status", "--statu", "behind"), "tracker: 没有选项 --statu（是否应为“--status”？）"),
        (("show",), "tracker: 缺少参数 'ID'"),
        (("nosuch",), "tracker: 没有命令“nosuch”：可用命令见 tracker --help"),
        (("status", "--as-of"), "tracker: 选项 --as-of 需要一个值"),
    ],
)
def test_usage_errors_in_chinese(run, write_ledger, args, expected) -> None:  # type: ignore[no-untyped-def]
    """One translated line in Chinese; English keeps click's own wording."""
    result = run("--lang", "zh", *args, env={"TRACKER_LEDGER": str(write_ledger())})
    assert result.exit_code == 2
    assert result.output.strip() == expected
    english = run(*args, env={"TRACKER_LEDGER": str(write_ledger())})
    assert english.exit_code == 2 and "Error:" in english.output


def test_init_in_chinese_writes_a_chinese_ledger(run, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path / "targets.toml"
    assert run("--lang", "zh", "init", path).exit_code == 0
    text = path.read_text(encoding="utf-8")
    assert 'title = "我市重点任务台账"' in text and "# 用 tracker add 添加任务" in text
    with open(path, "rb") as f:
        assert tomllib.load(f)["settings"]["lang"] == "zh"
    added = run("add", "rail-freight", "--title", "铁路货运量", "--target", "120", "--unit", "万吨",
                "--start", "2025-01-01", "--due", "2025-12-31", "-f", path)  # fmt: skip
    assert added.exit_code == 0, added.output
    assert added.output == f"已将 rail-freight 添加到 {path}\n"
    assert run("check", "-f", path).output.endswith("共1项目标，0处错误，0处警告\n")
    english = tmp_path / "en.toml"
    assert run("init", english, "--title", "Hunan").exit_code == 0
    assert english.read_text(encoding="utf-8").startswith("# Our public commitments")


def test_readme_chinese_quick_start(run) -> None:  # type: ignore[no-untyped-def]
    """安装与使用 has the English quick start's two commands, and its example is what tracker prints."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    english = readme.split("## Quick start", 1)[1].split("\n## ", 1)[0]
    chinese = readme.split("## 安装与使用", 1)[1].split("\n## ", 1)[0]
    commands = re.findall(r"```sh\n(.*?)\n```", english)
    assert len(commands) == 2 and re.findall(r"```sh\n(.*?)\n```", chinese) == commands
    example = chinese.split("$ tracker status --as-of 2021-10\n", 1)[1].split("\n\n$ ", 1)[0].splitlines()
    out = run("status", "-f", ZH, "--as-of", "2021-10").output.splitlines()  # the ledger chooses Chinese
    shown = [line for line in example if line != "..."]
    assert len(shown) >= 4 and all(line in out for line in shown), [line for line in shown if line not in out]
