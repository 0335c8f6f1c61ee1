"""HTML reports to PDF through headless Chromium, when the machine has it.

Why Chromium and not a PDF library from PyPI (xhtml2pdf, WeasyPrint): the PDF must look like the printable HTML
page it comes from, inline SVG charts included. xhtml2pdf draws no inline SVG and only a subset of CSS (no flex);
WeasyPrint needs Pango from the system's packages anyway. Chromium is already installed wherever the browser tests
run (Debian's `chromium`), prints exactly what the browser shows, and needs no new dependency. Where it is missing,
the printable HTML page stays available (the browser's own "Save as PDF"), and the PDF job says why it failed.
"""

import os
import shutil
import subprocess
import tempfile
from pathlib import Path

CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
TIMEOUT_SECONDS = 120
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync",
         "--no-pdf-header-footer"]  # fmt: skip


class PrintingUnavailable(RuntimeError):
    pass


def chromium_available() -> bool:
    return shutil.which(CHROMIUM) is not None


def html_to_pdf(html: str, out: Path) -> None:
    """Print a self-contained HTML document (inline styles and SVG, nothing fetched) to `out`."""
    if not chromium_available():
        raise PrintingUnavailable(
            f"PDF needs Chromium ({CHROMIUM}), which this machine lacks: print the HTML report from the browser."
        )
    with tempfile.TemporaryDirectory(prefix="report-") as folder:
        page = Path(folder) / "report.html"
        page.write_text(html, encoding="utf-8")
        command = [CHROMIUM, *FLAGS, f"--user-data-dir={folder}/profile", f"--print-to-pdf={out}", page.as_uri()]
        finished = subprocess.run(command, capture_output=True, timeout=TIMEOUT_SECONDS, check=False)
    if finished.returncode != 0 or not out.exists() or out.stat().st_size == 0:
        raise PrintingUnavailable(f"Chromium could not print the report (exit {finished.returncode}).")
