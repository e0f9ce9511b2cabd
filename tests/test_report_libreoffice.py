"""The Word and Excel reports opened by a real office suite: LibreOffice
converts them to PDF, and the PDF is read back (A4, page count, every page
but the last at least half full, no heading alone at a page's foot, Chinese
text present).

Needs LibreOffice (writer, calc) and poppler-utils (.ci/run installs them).
Skipped on a developer machine without them; on CI (CI=true) missing tools fail.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from .conftest import ROOT
from .report_pdf import headings_at_page_foot, page_fill, pdf_pages, pdf_text

SOFFICE = next((p for p in (shutil.which(n) for n in ("soffice", "libreoffice")) if p), None)
CHINESE_TITLE = "郴州市改革开放工作台账"


def _need(tool: str | None, name: str) -> str:
    if tool:
        return tool
    if os.environ.get("CI"):
        pytest.fail(f"{name} is missing on CI: .ci/run must install it")
    pytest.skip(f"{name} is not installed (apt-get install libreoffice-writer-nogui libreoffice-calc-nogui "
                "poppler-utils)")  # fmt: skip


@pytest.fixture(scope="module")
def converted(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """The bundled ledger's July 2022 report (with a Chinese ledger title) as
    docx and xlsx, converted to PDF by LibreOffice in one run."""
    from typer.testing import CliRunner

    from target_tracker.cli import app

    soffice = _need(SOFFICE, "LibreOffice")
    _need(shutil.which("pdftotext"), "pdftotext")
    work = tmp_path_factory.mktemp("office")
    text = (ROOT / "targets.toml").read_text(encoding="utf-8")
    ledger = work / "targets.toml"
    ledger.write_text(re.sub(r'(?m)^title = ".*"$', f'title = "{CHINESE_TITLE}"', text, count=1), encoding="utf-8")
    runner = CliRunner()
    files = []
    for name in ("report.docx", "ledger.xlsx"):  # different stems: one PDF each
        out = work / name
        result = runner.invoke(app, ["report", "-f", str(ledger), "--month", "2022-07", "--out", str(out)],
                               env={"SOURCE_DATE_EPOCH": "1661990400", "NO_COLOR": "1", "TRACKER_LEDGER": "",
                                    "TRACKER_CACHE_DIR": str(work / "cache")})  # fmt: skip
        assert result.exit_code == 0, result.output
        files.append(str(out))
    profile = work / "lo-profile"  # a private profile: no clash with a running LibreOffice
    proc = subprocess.run(
        [soffice, f"-env:UserInstallation={profile.as_uri()}", "--headless", "--convert-to", "pdf",
         "--outdir", str(work / "pdf"), *files],
        capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    pdfs = {"docx": work / "pdf" / "report.pdf", "xlsx": work / "pdf" / "ledger.pdf"}
    for kind, pdf in pdfs.items():
        assert pdf.exists(), f"{kind}: {proc.stdout}{proc.stderr}"
    return {"ledger": ledger, **pdfs}


def test_word_report_in_libreoffice(converted: dict[str, Path]) -> None:
    pdf = converted["docx"]
    pages, a4 = pdf_pages(pdf)
    assert a4, "not A4"
    assert 2 <= pages <= 5, pages
    fills = page_fill(pdf)
    assert all(f >= 0.5 for f in fills[:-1]), f"a page before the last is less than half full: {fills}"
    text = pdf_text(pdf)
    assert CHINESE_TITLE in text  # the title, in a CJK font
    assert "临武至连州高速公路" in text  # a Chinese target title
    assert "1. Headline" in text and "Method and sources" in text
    headings = ["1. Headline", "2. Needs attention", "3. This month", "4. By area", "4.1 ", "4.2 ", "4.3 ", "4.4 ",
                "5. Coming up", "6. Stale", "7. Method"]  # fmt: skip
    assert headings_at_page_foot(pdf, headings) == []
    # the header row repeats on the page where a table continues
    continued = [p for p in text.split("\f")[1:] if p.strip()]
    assert all(re.search(r"^\s*(title|date)\s", p, re.M) or "Method and sources" in p for p in continued[:2])


def test_excel_ledger_in_libreoffice(converted: dict[str, Path]) -> None:
    pdf = converted["xlsx"]
    pages, a4 = pdf_pages(pdf)
    assert a4, "not A4"
    assert 1 <= pages <= 6, pages  # one page wide at ~8 pt (ids and low-value columns hidden)
    text = pdf_text(pdf)
    assert CHINESE_TITLE in text  # printed in each sheet's page header
    assert "临武至连州高速公路" in text
    assert "reform-tasks" in text and "87.3%" in text  # percentages formatted as such


@pytest.fixture(scope="module")
def converted_zh(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """The July 2022 report in Chinese as Word files, converted by LibreOffice:
    the bundled ledger with ``--lang zh`` and the Chinese example ledger
    (``tracker init --example --lang zh``)."""
    from typer.testing import CliRunner

    from target_tracker.cli import app

    soffice = _need(SOFFICE, "LibreOffice")
    _need(shutil.which("pdftotext"), "pdftotext")
    work = tmp_path_factory.mktemp("office-zh")
    runner = CliRunner()
    env = {"SOURCE_DATE_EPOCH": "1661990400", "NO_COLOR": "1", "TRACKER_LEDGER": "", "TRACKER_LANG": "",
           "TRACKER_CACHE_DIR": str(work / "cache")}  # fmt: skip
    example = work / "chenzhou.toml"
    result = runner.invoke(app, ["--lang", "zh", "init", "--example", str(example)], env=env)
    assert result.exit_code == 0, result.output
    files = {}
    for name, ledger in (("bundled", ROOT / "targets.toml"), ("example", example)):
        out = work / f"{name}.docx"
        result = runner.invoke(app, ["--lang", "zh", "report", "-f", str(ledger), "--month", "2022-07", "--out",
                                     str(out)], env=env)  # fmt: skip
        assert result.exit_code == 0, result.output
        files[name] = out
    proc = subprocess.run(
        [soffice, f"-env:UserInstallation={(work / 'lo-profile').as_uri()}", "--headless", "--convert-to", "pdf",
         "--outdir", str(work / "pdf"), *map(str, files.values())],
        capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    pdfs = {name: work / "pdf" / f"{name}.pdf" for name in files}
    for name, pdf in pdfs.items():
        assert pdf.exists(), f"{name}: {proc.stdout}{proc.stderr}"
    return pdfs


#: Chinese section and sub-section headings, as a page's last line would start.
ZH_HEADINGS = [f"{n}、" for n in "一二三四五六七八九"] + [f"（{n}）" for n in "一二三四五六"]


@pytest.mark.parametrize("name", ["bundled", "example"])
def test_chinese_word_report_in_libreoffice(converted_zh: dict[str, Path], name: str) -> None:
    """GB/T 9704 body text (3号, 28 pt lines), 小五 tables and the method as notes
    (五号): the July report fits in at most 5 pages, every page but the last at least
    half full, no heading alone at a page's foot; numbered 一、/（一）, dates 2022年7月31日."""
    pdf = converted_zh[name]
    pages, a4 = pdf_pages(pdf)
    assert a4, "not A4"
    assert 2 <= pages <= 5, pages
    fills = page_fill(pdf)
    assert all(f >= 0.5 for f in fills[:-1]), f"a page before the last is less than half full: {fills}"
    assert headings_at_page_foot(pdf, ZH_HEADINGS) == []
    text = re.sub(r"[ \t]+", "", pdf_text(pdf))  # pdftotext spaces out CJK/Latin runs
    assert "一、总体情况" in text and "二、存在的问题和需关注事项" in text and "（一）" in text
    assert "截至2022年7月31日" in text and "2022-07-31" not in text
    if name == "example":
        assert "郴州市改革开放重点任务台账" in text and "临武至连州高速公路" in text
