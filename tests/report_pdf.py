"""Reading printed reports back: page count, A4, how full each page is,
whether a heading sits alone at a page's foot (poppler-utils)."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path


def pdf_pages(pdf: Path) -> tuple[int, bool]:
    """Number of pages and whether they are A4."""
    info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True, check=True).stdout
    pages = int(next(line.split()[-1] for line in info.splitlines() if line.startswith("Pages:")))
    size = next(line for line in info.splitlines() if line.startswith("Page size:"))
    w, h = (float(x) for x in re.findall(r"[\d.]+", size)[:2])
    a4 = {round(w), round(h)} == {595, 842}
    return pages, a4


def pdf_text(pdf: Path) -> str:
    return subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True).stdout


def page_fill(pdf: Path) -> list[float]:
    """For each page, how far down the page its lowest text or drawing goes,
    as a share of the page height (from pdftotext's bounding boxes)."""
    assert shutil.which("pdftotext")
    html = subprocess.run(["pdftotext", "-bbox", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    fills = []
    for page in re.findall(r"<page width=\"([\d.]+)\" height=\"([\d.]+)\">(.*?)</page>", html, re.S):
        height = float(page[1])
        bottoms = [float(y) for y in re.findall(r'yMax="([\d.]+)"', page[2])]
        # ignore the page number at the very foot
        body = [b for b in bottoms if b < height * 0.92]
        fills.append(max(body, default=0.0) / height)
    return fills


def headings_at_page_foot(pdf: Path, headings: list[str]) -> list[str]:
    """Headings that are the last line of a page (but the last page)."""
    pages = pdf_text(pdf).split("\f")
    alone = []
    for page in pages[:-1]:
        lines = [line.strip() for line in page.splitlines() if line.strip()]
        lines = [line for line in lines if not re.fullmatch(r"[—\-\s\d/]+", line)]  # page numbers
        if lines and any(lines[-1].startswith(h) for h in headings):
            alone.append(lines[-1])
    return alone
