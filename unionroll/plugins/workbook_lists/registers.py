"""The register sheets: 获奖情况 (awards), 主要活动 (events), and the text registers
(工作亮点, 存在问题)."""

from __future__ import annotations

from collections.abc import Iterable

from xlsxwriter.workbook import Workbook

from unionroll.core.forms import FormDefinition
from unionroll.core.rollup_types import RegisterEntry, RollupResult
from unionroll.core.values import AWARD_LEVELS
from unionroll.core.zh import format_number
from unionroll.plugins.workbook_base import Styles, Table
from unionroll.plugins.workbook_lists.common import (
    _label,
    _month,
    _number,
    _section_name,
    _section_order,
    has_register,
    reporters,
)


def _level_zh(level: str | None) -> str:
    if not level:
        return ""
    return level if level.endswith("级") else f"{level}级"


def _sorted_awards(entries: Iterable[RegisterEntry], form: FormDefinition) -> list[RegisterEntry]:
    try:
        order = form.register("awards").column("level").options or AWARD_LEVELS
    except KeyError:
        order = AWARD_LEVELS
    rank = {lv: i for i, lv in enumerate(order)}
    return sorted(
        entries,
        key=lambda e: (
            rank.get(e.level or "", len(rank)),
            e.month or 99,
            _section_order(form, e.category),
            str(e.data.get("holder", "")),
        ),
    )


def write_awards_sheet(wb: Workbook, styles: Styles, rollup: RollupResult, title: str) -> str:
    form = rollup.form
    regs = rollup.root.registers
    sheet = Table(wb, styles, "获奖情况", f"{title}：获奖情况")
    by_level = "、".join(f"{_level_zh(lv)} {n} 项" for lv, n in regs.awards_by_level.items() if n)
    entries = _sorted_awards(regs["awards"], form)
    summary = f"共 {len(entries)} 项" + (f"（{by_level}）" if by_level else "")
    if regs.duplicate_awards:
        summary += f"；另有 {regs.duplicate_awards} 条为不同单位重复报送的同一奖项，已合并"
    sheet.note(summary + "。")
    sheet.skip()
    cols = ("level", "holder_type", "holder", "title", "body", "month", "category")
    defaults = ("级别", "获奖类型", "获奖单位或个人", "奖项或称号", "授予单位", "月份", "工作类别")
    sheet.header(
        [*(_label(form, "awards", c, d) for c, d in zip(cols, defaults, strict=True)), "报送单位"],
        widths={2: 24, 3: 30, 4: 24},
    )
    for e in entries:
        d = e.data
        sheet.write_row(
            [
                (_level_zh(e.level), "text"),
                (d.get("holder_type"), "text"),
                (d.get("holder"), "text"),
                (d.get("title"), "text"),
                (d.get("body"), "text"),
                _month(e.month),
                (_section_name(form, e.category), "text"),
                (reporters(e), "text"),
            ]
        )
    sheet.finish()
    return sheet.name


def write_events_sheet(wb: Workbook, styles: Styles, rollup: RollupResult, title: str) -> str:
    form = rollup.form
    entries = sorted(
        rollup.root.registers["events"],
        key=lambda e: (e.month or 99, _section_order(form, e.category), e.unit.code, e.row_no),
    )
    sheet = Table(wb, styles, "主要活动", f"{title}：主要活动")
    total = sum(_number(e.data.get("participants")) or 0 for e in entries)
    sheet.note(f"共 {len(entries)} 项活动，参与 {format_number(total)} 人次。")
    sheet.skip()
    cols = ("month", "name", "category", "role", "participants")
    defaults = ("月份", "活动名称", "工作类别", "主办或参加", "参与人次")
    sheet.header(
        [*(_label(form, "events", c, d) for c, d in zip(cols, defaults, strict=True)), "报送单位"],
        widths={1: 40},
    )
    for e in entries:
        d = e.data
        sheet.write_row(
            [
                _month(e.month),
                (d.get("name"), "text"),
                (_section_name(form, e.category), "text"),
                (d.get("role"), "text"),
                (_number(d.get("participants")), "int"),
                (reporters(e), "text"),
            ]
        )
    sheet.finish()
    return sheet.name


def write_text_register_sheet(
    wb: Workbook, styles: Styles, rollup: RollupResult, register: str, title: str
) -> str | None:
    """工作亮点 / 存在问题: category, text and who reported it."""
    form = rollup.form
    if not has_register(form, register):
        return None
    reg = form.register(register)
    order = {code: i for i, code in enumerate(rollup.nodes)}
    entries = sorted(
        rollup.root.registers[register],
        key=lambda e: (_section_order(form, e.category), order.get(e.unit.code, 0), e.row_no),
    )
    sheet = Table(wb, styles, reg.name, f"{title}：{reg.name}")
    sheet.note(f"共 {len(entries)} 条。")
    sheet.skip()
    sheet.header(
        [
            _label(form, register, "category", "工作类别"),
            _label(form, register, "text", "内容"),
            "报送单位",
        ],
        widths={1: 80},
    )
    for e in entries:
        sheet.write_row(
            [
                (_section_name(form, e.category), "text"),
                (e.data.get("text"), "text"),
                (reporters(e), "text"),
            ]
        )
    sheet.finish()
    return sheet.name
