"""The HTML report in a real headless browser: it renders, prints to PDF on
A4 with its charts, and makes no network request.

Needs Debian's chromium and poppler-utils (.ci/run installs them). Skipped
on a developer machine without them; on CI (CI=true) missing tools fail.
"""

from __future__ import annotations

import os
import re
import shutil
import socket
import subprocess
import threading
from pathlib import Path

import pytest

from .conftest import DATA

CHROMIUM = next((p for p in (shutil.which(n) for n in ("chromium", "chromium-browser", "google-chrome")) if p), None)


def _need(tool: str | None, name: str) -> str:
    if tool:
        return tool
    if os.environ.get("CI"):
        pytest.fail(f"{name} is missing on CI: .ci/run must install it")
    pytest.skip(f"{name} is not installed (apt-get install chromium poppler-utils)")


#: Chromium's own services (network time, component updates, accounts): the
#: browser calls them whatever page it shows, so they say nothing of the report.
BROWSER_HOSTS = re.compile(r"^(?:[a-z0-9-]+\.)*(?:google\.com|googleapis\.com|gvt1\.com|gstatic\.com)(?::\d+)?$")


class CountingProxy:
    """A proxy that answers nothing and records the host of every request."""

    def __init__(self) -> None:
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(16)
        self.sock.settimeout(0.2)
        self.hosts: list[str] = []
        self.stopped = False
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()

    @property
    def port(self) -> int:
        return int(self.sock.getsockname()[1])

    def _serve(self) -> None:
        while not self.stopped:
            try:
                conn, _ = self.sock.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            conn.settimeout(1)
            try:
                first = conn.recv(1024).split(b"\r\n", 1)[0].decode("latin-1")
            except OSError:
                first = ""
            conn.close()
            # "GET http://host/path HTTP/1.1" or "CONNECT host:443 HTTP/1.1"
            target = first.split(" ")[1] if first.count(" ") >= 2 else first
            self.hosts.append(re.sub(r"^[a-z]+://", "", target).split("/")[0])

    @property
    def page_requests(self) -> list[str]:
        return [h for h in self.hosts if not BROWSER_HOSTS.match(h)]

    def close(self) -> None:
        self.stopped = True
        self.thread.join(timeout=2)
        self.sock.close()


def test_html_report_prints_to_pdf_offline(run, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    chromium = _need(CHROMIUM, "chromium")
    pdftotext = _need(shutil.which("pdftotext"), "pdftotext")
    pdfinfo = _need(shutil.which("pdfinfo"), "pdfinfo")
    html = tmp_path / "report.html"
    result = run("report", "-f", DATA / "report-ledger.toml", "--month", "2024-02", "--format", "html", "--out", html)
    assert result.exit_code == 0, result.output
    pdf = tmp_path / "report.pdf"
    proxy = CountingProxy()
    try:
        proc = subprocess.run(
            [
                chromium, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                "--disable-background-networking", "--disable-component-update", "--disable-sync",
                "--disable-default-apps", "--disable-extensions", f"--user-data-dir={tmp_path / 'profile'}",
                # any request to the network goes through our counting proxy
                f"--proxy-server=http://127.0.0.1:{proxy.port}", "--proxy-bypass-list=<-loopback>",
                "--no-pdf-header-footer", f"--print-to-pdf={pdf}", html.as_uri(),
            ],
            capture_output=True, text=True, timeout=120,
        )  # fmt: skip
    finally:
        proxy.close()
    assert pdf.exists() and pdf.stat().st_size > 10_000, proc.stderr[-2000:]
    assert proxy.page_requests == [], "the report tried to fetch something from the network"

    info = subprocess.run([pdfinfo, str(pdf)], capture_output=True, text=True, check=True).stdout
    pages = int(next(line.split()[-1] for line in info.splitlines() if line.startswith("Pages:")))
    assert pages >= 2
    assert "pts (A4)" in info  # the print stylesheet's @page size

    text = subprocess.run([pdftotext, "-layout", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    assert "progress report, February 2024" in text
    assert "1. Headline" in text and "7. Method and sources" in text
    assert "Completion by area" in text  # chart text drawn from the inline SVG
    assert "as of 2024-02-29" in text  # the as-of line of the charts in "needs attention"
    assert "<script>alert(1)</script>" in text  # shown as text, never run


def print_pdf(chromium: str, html: Path, pdf: Path, profile: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [chromium, "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-extensions",
         "--disable-background-networking", f"--user-data-dir={profile}", "--no-pdf-header-footer",
         f"--print-to-pdf={pdf}", html.as_uri()],
        capture_output=True, text=True, timeout=120,
    )  # fmt: skip


def test_bundled_ledger_prints_on_at_most_five_full_a4_pages(run, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    """The issue's yardstick: the July 2022 report of targets.toml, as a
    department head prints it. Every page but the last at least half full."""
    from .conftest import ROOT
    from .report_pdf import headings_at_page_foot, page_fill, pdf_pages

    chromium = _need(CHROMIUM, "chromium")
    _need(shutil.which("pdftotext"), "pdftotext")
    html = tmp_path / "report.html"
    result = run("report", "-f", ROOT / "targets.toml", "--month", "2022-07", "--out", html)
    assert result.exit_code == 0, result.output
    pdf = tmp_path / "report.pdf"
    proc = print_pdf(chromium, html, pdf, tmp_path / "profile")
    assert pdf.exists(), proc.stderr[-2000:]
    pages, a4 = pdf_pages(pdf)
    assert a4 and 2 <= pages <= 5
    fills = page_fill(pdf)
    assert all(f >= 0.5 for f in fills[:-1]), fills
    md = run("report", "-f", ROOT / "targets.toml", "--month", "2022-07").stdout
    headings = [line.lstrip("#").strip() for line in md.splitlines() if line.startswith("##")]
    assert headings_at_page_foot(pdf, headings) == []


def test_proxy_sees_a_page_request(tmp_path: Path) -> None:
    """The check above can fail: a page that fetches an image is caught."""
    chromium = _need(CHROMIUM, "chromium")
    page = tmp_path / "fetching.html"
    page.write_text('<html><body><img src="http://example.invalid/x.png"></body></html>', encoding="utf-8")
    proxy = CountingProxy()
    try:
        subprocess.run(
            [chromium, "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
             "--disable-background-networking", f"--user-data-dir={tmp_path / 'profile'}",
             f"--proxy-server=http://127.0.0.1:{proxy.port}", "--proxy-bypass-list=<-loopback>",
             f"--print-to-pdf={tmp_path / 'x.pdf'}", page.as_uri()],
            capture_output=True, timeout=120,
        )  # fmt: skip
    finally:
        proxy.close()
    assert "example.invalid" in proxy.page_requests
