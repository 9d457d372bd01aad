"""Text from returns (and unit names) stays inert in every output: spreadsheet formulas,
HTML, Markdown, Word field codes and control characters come out as the plain text they
are, in the docx, xlsx, Markdown and HTML reports, the rollup CSV, receipts and the
chase list."""

from __future__ import annotations

import csv
import io
import json
import re
import zipfile
from collections.abc import Iterator
from pathlib import Path

import openpyxl
import pytest

from unionroll.core.units import import_units
from unionroll.core.workspace import Workspace
from unionroll.testing.helpers import (
    SAMPLE_TODAY,
    ingest_files,
    make_workspace,
    run_cli,
    sample_returns,
    sample_units,
)

FORMULA = '=HYPERLINK("http://evil.example","点这里")'
HOSTILE = {  # the reports list a few highlights and problems: the worst come first
    "field": '{ DDEAUTO c:\\\\windows\\\\system32\\\\cmd.exe "/k calc" }',
    "html": "<script>alert('x')</script><img src=x onerror=alert(1)>",
    "markdown": "[点我](http://evil.example) **加粗** ![图](http://evil.example/a.png)",
    "formula": FORMULA,
    "heading": "# 冒充的标题",
    "control": "控制\x07字符\x1b[31m\x00结束",
    "plus": "+1+cmd|' /C calc'!A0",
    "minus": "-2+3",
    "at": "@SUM(1+1)*cmd|' /C calc'!A0",
    "tab": "\t=1+1",
    "cr": "\r=1+1",
}
BAD_UNIT = "S99"
BAD_NAME = f"{FORMULA}<b>城关第九小学</b>"


def _hostile_return(folder: Path) -> Path:
    seed = next(p for p in sample_returns("2025Q2") if p.name.endswith("S11.json"))
    payload = json.loads(seed.read_text(encoding="utf-8"))
    texts = list(HOSTILE.values())
    payload["highlights"] = [{"category": "送温暖帮扶", "text": t} for t in texts]
    payload["problems"] = [{"category": "自身建设", "text": t} for t in texts]
    for award in payload["awards"]:
        award["holder"], award["title"] = HOSTILE["formula"], HOSTILE["html"]
    for event in payload["events"]:
        event["name"] = HOSTILE["markdown"]
    path = folder / "[点我](http:evil) <b>城关一小.json"
    path.write_text(json.dumps(payload, ensure_ascii=False), encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def hostile(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Workspace, Path]]:
    root = tmp_path_factory.mktemp("inject")
    ws = make_workspace(root / "ws")
    units = sample_units().read_text(encoding="utf-8")
    units += f'{BAD_UNIT},"{BAD_NAME.replace(chr(34), chr(34) * 2)}",school,T1\n'
    (root / "units.csv").write_text(units, encoding="utf-8")
    import_units(ws, root / "units.csv")
    path = _hostile_return(root)
    result = ingest_files(ws, path, today=SAMPLE_TODAY)
    assert result.ok, [str(f) for f in result.files[0].returns[0].findings]
    try:
        yield ws, path
    finally:
        ws.close()


def _report(ws: Workspace, out: Path, fmt: str, kind: str = "county-summary") -> Path:
    result = run_cli(
        "report",
        "--period",
        "2025Q2",
        "--kind",
        kind,
        "--format",
        fmt,
        "--out",
        str(out),
        workspace=ws,
    )
    assert result.exit_code == 0, result.output
    return next(out.glob(f"*.{fmt}"))


def _no_raw_tags(text: str) -> None:
    assert "<script>" not in text and "<img" not in text and "<b>" not in text
    assert not re.search(r"[\x00-\x08\x0b\x0c\x0e-\x1f]", text)


def _no_raw_markup(text: str) -> None:
    assert not re.search(r"(?<!\\)<", text), "an HTML tag left unescaped"
    assert not re.search(r"[\x00-\x08\x0b\x0c\x0e-\x1f]", text)
    assert "](http" not in text.replace("\\](http", "")
    assert not re.search(r"[\x00-\x08\x0b\x0c\x0e-\x1f]", text)


def _formula_cells(path: Path) -> list[str]:
    """Every cell of the workbook holding a formula, and every string cell that a
    spreadsheet would take for one."""
    found = []
    with zipfile.ZipFile(path) as zf:
        for name in zf.namelist():
            if name.startswith("xl/worksheets/") and b"<f>" in zf.read(name):
                xml = zf.read(name).decode("utf-8")
                found += [f for f in re.findall(r"<f>([^<]*)</f>", xml) if "evil" in f]
    wb = openpyxl.load_workbook(path)
    for sheet in wb.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                text = str(cell.value)
                if cell.data_type == "f" and ("evil" in text or "cmd" in text):
                    found.append(text)
    return found


def test_docx(hostile: tuple[Workspace, Path], tmp_path: Path) -> None:
    ws, _ = hostile
    path = _report(ws, tmp_path, "docx")
    with zipfile.ZipFile(path) as zf:
        xml = zf.read("word/document.xml").decode("utf-8")
    assert "DDEAUTO" in xml  # the school's text is there, as text
    assert "<w:fldChar" not in xml and "<w:instrText" not in xml and "<w:fldSimple" not in xml
    assert "<script>" not in xml and "&lt;script&gt;" in xml
    assert not re.search(r"[\x00-\x08\x0b\x0c\x0e-\x1f]", xml)


def test_xlsx_workbook(hostile: tuple[Workspace, Path], tmp_path: Path) -> None:
    ws, _ = hostile
    path = _report(ws, tmp_path, "xlsx", kind="workbook")
    assert _formula_cells(path) == []
    values = [
        str(c.value)
        for sheet in openpyxl.load_workbook(path).worksheets
        for row in sheet.iter_rows()
        for c in row
        if c.value is not None
    ]
    assert any(FORMULA in v for v in values)  # kept, as text


def test_markdown(hostile: tuple[Workspace, Path], tmp_path: Path) -> None:
    ws, _ = hostile
    text = _report(ws, tmp_path, "md").read_text(encoding="utf-8")
    assert "DDEAUTO" in text
    _no_raw_markup(text)
    assert not re.search(r"^#+ 冒充的标题", text, re.M)


def test_html(hostile: tuple[Workspace, Path], tmp_path: Path) -> None:
    ws, _ = hostile
    text = _report(ws, tmp_path, "html").read_text(encoding="utf-8")
    assert "&lt;script&gt;" in text
    _no_raw_tags(text)


def test_rollup_csv(hostile: tuple[Workspace, Path], tmp_path: Path) -> None:
    ws, _ = hostile
    out = tmp_path / "rollup.csv"
    result = run_cli(
        "rollup",
        "--period",
        "2025Q2",
        "--format",
        "csv",
        "--by",
        "学校",
        "--output",
        str(out),
        workspace=ws,
    )
    assert result.exit_code == 0, result.output
    rows = list(csv.reader(io.StringIO(out.read_text(encoding="utf-8-sig"))))
    cells = [c for row in rows for c in row]
    assert "'" + BAD_NAME in cells
    assert not [c for c in cells if c[:1] in ("=", "+", "@", "\t", "\r")]
    assert not [c for c in cells if c.startswith("-") and not _number(c)]


def _number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def test_receipt(hostile: tuple[Workspace, Path]) -> None:
    ws, _ = hostile
    receipt = next((ws.root / "receipts").rglob("S11_*_2025Q2_回执.md"), None)
    if receipt is None:  # ingest_files writes no receipts: write this file's now
        result = run_cli("ingest", str(_hostile_return(ws.root)), workspace=ws)
        assert "Traceback" not in result.output
        receipt = next((ws.root / "receipts").rglob("S11_*_2025Q2_回执.md"))
    text = receipt.read_text(encoding="utf-8")
    assert "\\[点我\\]" in text and "\\<b\\>" in text
    _no_raw_markup(text)


def test_chase_list(hostile: tuple[Workspace, Path], tmp_path: Path) -> None:
    ws, _ = hostile
    out = tmp_path / "催报.xlsx"
    result = run_cli("status", "--period", "2025Q2", "--chase", str(out), workspace=ws)
    assert result.exit_code == 0, result.output
    assert _formula_cells(out) == []
    values = [
        str(c.value)
        for sheet in openpyxl.load_workbook(out).worksheets
        for row in sheet.iter_rows()
        for c in row
        if c.value is not None
    ]
    assert any(BAD_NAME in v for v in values)
