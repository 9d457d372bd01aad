"""The demo is the first thing a new user runs: it must run cleanly, and its documents
must read like a county's own (no plan said twice, missed targets said once, the slips
in the returns found)."""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

import openpyxl

from unionroll.core.zh import date_zh
from unionroll.demo.run import run_demo
from unionroll.plugins.report_plans import plan_key


def test_demo_documents(tmp_path: Path, db_url: str) -> None:
    run = run_demo(tmp_path / "demo", db_url=db_url)
    assert run.reports is not None and run.reports.ok
    reports = {p.name: p for p in run.reports.files}
    half = run.half
    plans = reports[f"青山县教育工会{half.year}年下半年工作要点.md"].read_text(encoding="utf-8")
    items = re.findall(r"^\d+\. (.*)$", plans, flags=re.M)
    heads = [plan_key(re.split(r"[（。]", i, maxsplit=1)[0]) for i in items]
    assert len(heads) == len(set(heads)), items  # every plan once
    assert sum("山城之夏" in i for i in items) == 1
    (training,) = [i for i in items if "青年教师业务培训" in i]
    assert re.search(r"等6个学区未完成上半年目标，合计尚差\d+人次，结转下半年继续完成", training)
    signed = date_zh(half.report_date(date.today()))
    summary = reports[f"青山县教育工会{half.year}年上半年工作总结.md"].read_text(encoding="utf-8")
    assert summary.rstrip().endswith(signed) and plans.rstrip().endswith(signed)
    # the same event of many units is said once
    events = re.findall(r"组织开展了([^，。]+)", summary)
    assert len(events) == len(set(events))

    warned = [
        p.read_text(encoding="utf-8")
        for p in (run.root / "receipts" / half.quarters()[1].code).glob("*.md")
        if "请核实 |" in p.read_text(encoding="utf-8")
    ]
    assert sum("是上季度" in text for text in warned) == 2  # the two slips planted
    assert len(run.word_receipts) >= 3 and all(p.suffix == ".docx" for p in run.word_receipts)
    book = openpyxl.load_workbook(reports[f"青山县教育工会{half.year}年上半年汇总表.xlsx"])
    rows = [r for r in book["数据核查"].iter_rows(values_only=True) if r[6]]
    assert sum(r[6] == "与本单位以往相比" for r in rows) == 2
