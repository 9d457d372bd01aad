"""Receipts: Markdown and a one-page Word copy at ingest, and written again from the store."""

from __future__ import annotations

import json
import shutil
import subprocess
from datetime import datetime
from pathlib import Path

import docx
import pytest
from office import SOFFICE, soffice_convert
from report_support import json_return, load_county

from unionroll.core.ingest import IngestOptions, ingest_paths
from unionroll.core.workspace import Workspace
from unionroll.plugins.receipts import ReceiptWriter

UNITS = """代码,名称,层级,上级代码
QS,青山县教育工会,县,
T1,城关学区工会,学区,QS
S1,城关一小工会,学校,T1
S2,城关二小工会,学校,T1
S3,城关三小工会,学校,T1
"""

GOOD = {"staff_total": 60, "female_staff": 40, "training_participants": 20}


def _enable_word(ws: Workspace) -> None:
    config = ws.root / "unionroll.toml"
    text = config.read_text(encoding="utf-8")
    config.write_text(text.replace('formats = ["md"]', 'formats = ["md", "docx"]'), "utf-8")


def _send(ws: Workspace, folder: Path, name: str, payload: dict, received: datetime) -> list:
    """Ingest one return as ``unionroll ingest`` does, with the config as it is now."""
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_text(json.dumps(payload, ensure_ascii=False), "utf-8")
    current = Workspace.open(ws.root, db_url=ws.db_url)
    try:
        result = ingest_paths(current, [path], options=IngestOptions(received_at=received))
        return ReceiptWriter(current, received_at=received).write(result)
    finally:
        current.close()


def _pages(pdf: Path) -> int:
    info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True, check=True)
    return int(
        next(line for line in info.stdout.splitlines() if line.startswith("Pages:")).split()[1]
    )


@pytest.fixture
def county(workspace: Workspace, tmp_path: Path) -> Workspace:
    first = [json_return("S1", "2025Q1", GOOD), json_return("S2", "2025Q1", GOOD)]
    assert load_county(workspace, tmp_path / "county", UNITS, first).ok
    _enable_word(workspace)
    return workspace


def test_word_receipt_at_ingest(county: Workspace, tmp_path: Path) -> None:
    bad = json_return("S3", "2025Q2", {**GOOD, "female_staff": 70})
    paths = _send(county, tmp_path / "in", "s3.json", bad, datetime(2025, 7, 8, 9, 30))
    assert sorted(p.suffix for p in paths) == [".docx", ".md"]
    word = next(p for p in paths if p.suffix == ".docx")
    assert word.name == "S3_城关三小工会_2025Q2_回执.docx"
    document = docx.Document(str(word))
    text = "\n".join(p.text for p in document.paragraphs)
    assert text.splitlines()[0] == "报表回执"
    assert "报送单位：城关三小工会（S3）" in text
    assert "收到时间：2025年7月8日 09:30" in text
    assert "处理结果：退回：有错误，未收录。" in text
    assert "2025年7月8日" in text.splitlines()[-1]  # dated the day it was received
    (table,) = document.tables
    assert [c.text for c in table.rows[0].cells] == ["序号", "位置", "说明"]
    assert "女教职工数（70）不应大于在职教职工数（60）" in table.rows[1].cells[2].text
    section = document.sections[0]
    assert round(section.top_margin.mm) == 37 and round(section.left_margin.mm) == 28


@pytest.mark.skipif(
    SOFFICE is None or shutil.which("pdfinfo") is None, reason="LibreOffice or pdfinfo missing"
)
def test_word_receipt_is_one_page(county: Workspace, tmp_path: Path) -> None:
    values = {**GOOD, "training_participants": 20 * 12}  # and an outlier warning
    paths = _send(
        county,
        tmp_path / "in",
        "s1.json",
        json_return("S1", "2025Q2", values),
        datetime(2025, 7, 8, 9, 30),
    )
    word = next(p for p in paths if p.suffix == ".docx")
    assert _pages(soffice_convert(tmp_path, word, "pdf")) == 1


def test_receipts_command_writes_them_again(county: Workspace, tmp_path: Path, run) -> None:
    at = datetime(2025, 7, 25, 16, 5)  # late: the deadline was 10 July
    bad = json_return("S2", "2025Q2", {**GOOD, "female_staff": 70})
    _send(county, tmp_path / "a", "s2.json", bad, datetime(2025, 7, 8, 9))
    _send(county, tmp_path / "b", "s2 改.json", json_return("S2", "2025Q2", GOOD), at)
    again = json_return("S1", "2025Q1", {**GOOD, "training_participants": 25})
    _send(county, tmp_path / "c", "s1 改.json", again, datetime(2025, 4, 9, 8))
    folder = county.root / "receipts"
    at_ingest = {p.name: p.read_text(encoding="utf-8") for p in folder.rglob("*.md")}
    for path in folder.rglob("*"):
        if path.is_file():
            path.unlink()

    result = run("receipts", "--period", "2025Q2", "--unit", "S2")
    assert result.exit_code == 0, result.output
    assert "2025年第二季度：1 个单位的回执，2 个文件" in result.output
    rewritten = (folder / "2025Q2" / "S2_城关二小工会_2025Q2_回执.md").read_text(encoding="utf-8")
    assert rewritten == at_ingest["S2_城关二小工会_2025Q2_回执.md"]  # the latest: corrected, late
    assert "本报表在截止日期之后收到，按逾期报送统计。" in rewritten
    assert (folder / "2025Q2" / "S2_城关二小工会_2025Q2_回执.docx").is_file()

    result = run("receipts", "--period", "2025Q1", "--format", "md")
    assert result.exit_code == 0, result.output
    names = sorted(p.name for p in (folder / "2025Q1").iterdir())
    assert names == ["S1_城关一小工会_2025Q1_回执.md", "S2_城关二小工会_2025Q1_回执.md"]
    s1 = (folder / "2025Q1" / names[0]).read_text(encoding="utf-8")
    assert s1 == at_ingest[names[0]] and "替换了此前报送的同期报表" in s1

    result = run("receipts", "--period", "2025Q3")
    assert result.exit_code == 2 and "2025年第三季度没有报送记录" in result.output
    result = run("receipts", "--period", "2025Q1", "--unit", "NOPE")
    assert result.exit_code != 0 and "找不到代码为“NOPE”的单位" in result.output


def test_bad_receipt_formats_setting(county: Workspace, tmp_path: Path, run) -> None:
    config = county.root / "unionroll.toml"
    text = config.read_text(encoding="utf-8")
    config.write_text(text.replace('formats = ["md", "docx"]', 'formats = ["pdf"]'), "utf-8")
    path = tmp_path / "in" / "s3.json"
    path.parent.mkdir()
    path.write_text(json.dumps(json_return("S3", "2025Q2", GOOD), ensure_ascii=False), "utf-8")
    result = run("ingest", str(path))
    assert result.exit_code != 0
    assert "[receipts] 的 formats 应为 md、docx 中的一个或几个" in result.output
    result = run("returns", "history", "S3", "2025Q2")
    assert "没有" in result.output or "0 次" in result.output  # nothing was stored
