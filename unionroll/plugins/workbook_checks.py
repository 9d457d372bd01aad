"""The workbook's 数据核查 sheet: the values of the period far from their unit's past or
from the units of the same level, for the county to check with the units that sent them."""

from __future__ import annotations

from xlsxwriter.workbook import Workbook

from unionroll.core.periods import Period
from unionroll.core.rollup_types import RollupResult
from unionroll.plugins.workbook_base import Styles, Table

METHOD_ZH = {"history": "与本单位以往相比", "peers": "与同级单位相比"}
COLUMNS = ("说明", "文件", "位置")


def write_checks_sheet(wb: Workbook, styles: Styles, rollup: RollupResult, title: str) -> str:
    rows = rollup.outliers
    sheet = Table(wb, styles, "数据核查", f"{title}：数据核查")
    if rows:
        sheet.note(
            f"共 {len(rows)} 个数值明显偏离本单位以往季度或同级单位，报表已收录，请与报送单位核实。"
        )
    else:
        sheet.note("未发现明显偏离本单位以往季度或同级单位的数值。")
    sheet.note(
        "检查方法：与本单位前几个季度的最高、最低值相比（倍数），与同级单位相比"
        "（修正 z 分数，按在职教职工数折算）；阈值在报表定义文件中逐项设置。"
    )
    sheet.skip()
    sheet.header(
        [
            "期间",
            "单位代码",
            "单位",
            "层级",
            "指标",
            "填报数值",
            "比较",
            "参照值",
            "说明",
            "文件",
            "位置",
        ],
        widths={8: 50},
    )
    for r in rows:
        o = r.outlier
        ind = rollup.form.indicator(o.indicator_id)
        kind = "money" if ind.type == "money" else "decimal" if ind.type == "decimal" else "int"
        sheet.write_row(
            [
                (Period.parse(r.period).label_zh, "text"),
                (r.unit_code, "text"),
                (r.unit_name, "text"),
                (rollup.level_names.get(r.level, r.level), "text"),
                (ind.label_with_unit, "text"),
                (o.value, kind),
                (METHOD_ZH.get(o.method, o.method), "text"),
                (o.reference, "decimal"),
                (o.message, "text"),
                (r.source_name, "text"),
                (r.location or "", "text"),
            ]
        )
    sheet.finish(freeze_cols=3)
    return sheet.name
