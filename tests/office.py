"""LibreOffice for the tests that open what unionroll writes as an office user would."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

SOFFICE = shutil.which("soffice") or shutil.which("libreoffice")


def soffice_convert(tmp_path: Path, src: Path, fmt: str) -> Path:
    """Convert ``src`` with LibreOffice headless (``fmt`` as for --convert-to, e.g. "pdf"
    or "xlsx:Calc MS Excel 2007 XML") into a folder under ``tmp_path``; returns the file."""
    out = tmp_path / f"lo-{fmt.split(':')[0]}"
    result = subprocess.run(
        [
            SOFFICE or "soffice",
            f"-env:UserInstallation=file://{tmp_path / 'lo-profile'}",
            "--headless",
            "--norestore",
            "--convert-to",
            fmt,
            "--outdir",
            str(out),
            str(src),
        ],
        capture_output=True,
        text=True,
        timeout=180,
    )
    produced = out / (src.stem + "." + fmt.split(":")[0])
    assert produced.exists(), result.stdout + result.stderr
    return produced
