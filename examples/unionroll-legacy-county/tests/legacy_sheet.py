"""Writes a legacy 汇总表 the way a county keeps it, for the tests (and to try the plugin).

python tests/legacy_sheet.py 汇总表.xlsx        # the sample county's 2025年第三季度
"""

from __future__ import annotations

import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import xlsxwriter

HEADERS = [
    "序号",
    "单位代码",
    "学校名称",
    "在职教职工（人）",
    "女教职工（人）",
    "工会会员（人）",
    "走访慰问困难教职工（人次）",
    "慰问金（万元）",
    "无偿献血（人）",
    "参加文体活动（人次）",
    "参加培训（人次）",
    "备注",
]

# The sample county of unionroll.testing, 2025年第三季度. S22 and S32 did not report.
SAMPLE_ROWS: list[list[Any]] = [
    ["S01", "清河县第一中学", 160, 98, 158, 8, 0.6, 20, 200, 70, ""],
    ["S11", "城关第一小学", 85, 60, 85, 5, 0.25, 12, 90, 40, ""],
    ["S12", "城关第二小学", 62, 45, 60, 2, 0.1, 6, 40, 20, ""],
    ["S13", "城关中学", 110, 70, 108, 6, 0.3, 18, 95, 60, ""],
    ["S21", "青石镇中心小学", 70, 50, 70, 4, 0.2, 9, 50, 30, "暑期送清凉"],
    ["S31", "柳河镇中心小学", 58, 40, 58, 3, 0.15, 8, 35, 25, ""],
]


def write_legacy_summary(
    path: str | Path,
    rows: Sequence[Sequence[Any]] = SAMPLE_ROWS,
    *,
    title: str = "清河县教育工会2025年第三季度工作情况汇总表",
    headers: Sequence[str] = HEADERS,
    sheet: str = "汇总表",
    total_row: bool = True,
) -> Path:
    """One title row, one header row, then one row per school (numbered), and a 合计 row."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    wb = xlsxwriter.Workbook(str(path), {"strings_to_numbers": False})
    ws = wb.add_worksheet(sheet)
    bold = wb.add_format({"bold": True, "text_wrap": True, "border": 1})
    ws.merge_range(0, 0, 0, len(headers) - 1, title, wb.add_format({"bold": True, "size": 16}))
    ws.write_row(1, 0, headers, bold)
    first = headers[0] == "序号"
    for n, row in enumerate(rows, start=1):
        ws.write_row(1 + n, 0, [n, *row] if first else list(row))
    if total_row:
        last = 1 + len(rows) + 1
        totals: list[Any] = ["合计"] + [""] * (len(headers) - 1)
        for col in range(len(headers)):
            values = [r[col - 1 if first else col] for r in rows]
            if col >= 3 and all(isinstance(v, int | float) for v in values):
                totals[col] = sum(values)
        ws.write_row(last, 0, totals)
    wb.close()
    return path


if __name__ == "__main__":
    print(write_legacy_summary(sys.argv[1] if len(sys.argv) > 1 else "汇总表.xlsx"))
