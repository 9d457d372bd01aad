"""The figure sheets of the rollup workbook: the total, one row per township, one per school."""

from __future__ import annotations

from dataclasses import dataclass, field

from xlsxwriter.workbook import Workbook

from unionroll.core.errors import PeriodError
from unionroll.core.forms import FormDefinition, Indicator
from unionroll.core.periods import Period
from unionroll.core.rollup_types import AGG_ZH, Completeness, Figure, RollupNode, RollupResult
from unionroll.core.zh import format_number, format_percent
from unionroll.plugins.workbook_base import Styles, Table

NUMERIC_AGGS = ("sum", "stock", "ratio", "count_yes")


@dataclass
class Layout:
    """Where a by-unit sheet put its rows, for the charts that draw on them."""

    sheet: str
    level_name: str
    header_row: int
    first_row: int
    last_row: int  # last unit row (the total row below it is not charted)
    name_col: int
    columns: dict[str, int] = field(default_factory=dict)  # indicator id -> column
    rate_col: int | None = None

    @property
    def rows(self) -> int:
        return self.last_row - self.first_row + 1


@dataclass(frozen=True)
class Levels:
    """The levels the by-unit sheets list: the one below the top (township) and the lowest."""

    group: str | None
    leaf: str | None
    between: tuple[str, ...] = ()  # levels strictly between the top unit and the lowest


def pick_levels(rollup: RollupResult) -> Levels:
    """The grouping level is the first below the top unit; the per-unit list is the lowest
    level of the hierarchy, and only when the rollup reaches it (``depth`` may stop
    short, and then the lowest units listed still stand for their whole subtree)."""
    names = list(rollup.level_names)
    present = {node.level for node in rollup.nodes.values()}
    order = [lv for lv in names if lv in present]
    below = order[order.index(rollup.root.level) + 1 :] if rollup.root.level in order else []
    if not below:
        return Levels(None, None)
    leaf = below[-1] if below[-1] == names[-1] else None
    group = below[0] if below[0] != leaf else None
    return Levels(group, leaf, tuple(below[:-1]) if leaf else ())


def value_kind(ind: Indicator) -> str:
    if ind.agg == "ratio":
        return "pct"
    if ind.agg in ("count_yes", "choice"):
        return "int"
    if ind.type == "money":
        return "money"
    if ind.type == "decimal":
        return "decimal"
    return "int"


def measure_unit(ind: Indicator) -> str:
    """The unit of the figure shown for an indicator (not of what units entered)."""
    if ind.agg == "ratio":
        return "%"
    if ind.agg in ("count_yes", "choice"):
        return "个单位"
    return ind.unit


def figure_number(fig: Figure) -> float | None:
    """The one number a figure is shown as in a by-unit column (None: no data)."""
    if fig.reported == 0 and fig.agg != "ratio":
        return None
    if fig.agg == "count_yes":
        return fig.yes if fig.answered else None
    return fig.value


def quarter_label(code: str) -> str:
    """2025Q2 → 第二季度 (the year is the report's own)."""
    try:
        return Period.parse(code).short_label_zh
    except PeriodError:  # never for codes the engine made; a label is not worth a failure
        return code


def unit_state(c: Completeness) -> str:
    """One unit's reporting state in words: 已报, 未报, 部分报送（缺第二季度）…"""
    if c.expected == 0:
        return "无需报送"
    if c.missing:
        text = "未报"
    elif c.partial:
        quarters = "、".join(quarter_label(q) for p in c.partial for q in p.missing_quarters)
        text = f"部分报送（缺{quarters}）"
    elif c.covered:
        text = "由上级合并报送"
    else:
        text = "已报"
    if c.late:
        text += f"（逾期 {max(x.days_late for x in c.late)} 天）"
    return text


# --- 全县汇总 ------------------------------------------------------------------------


def _basis(fig: Figure, ind: Indicator, form: FormDefinition) -> str:
    """The words beside a figure: a ratio's parts, a count's share, a choice's counts."""
    if fig.agg == "ratio":
        parts = []
        for ref, amount in ((ind.numerator, fig.numerator), (ind.denominator, fig.denominator)):
            if ref and form.has_indicator(ref):
                part = form.indicator(ref)
                shown = "未填报" if amount is None else f"{format_number(amount)} {part.unit}"
                parts.append(f"{part.label} {shown}".rstrip())
        return " / ".join(parts)
    if fig.agg == "count_yes":
        if not fig.answered:
            return "没有单位填报"
        return f"{fig.yes} 个单位（占 {format_percent(fig.share)}）"
    if fig.agg == "choice":
        return f"{fig.answered or 0} 个单位填报"
    if fig.agg == "none":
        listed = "；".join(f"{v.unit.name}：{format_listed(v.value)}" for v in fig.listed[:20])
        more = f"……共 {len(fig.listed)} 条" if len(fig.listed) > 20 else ""
        return listed + more
    return ""


def format_listed(value: float | str) -> str:
    return format_number(value) if isinstance(value, int | float) else str(value)


def choice_text(fig: Figure, ind: Indicator) -> str:
    """模范 3、先进 20 … in the form's option order, options nobody chose left out."""
    counts = dict(fig.counts or {})
    order = [*ind.options, *(k for k in counts if k not in ind.options)]
    return "、".join(f"{opt} {counts[opt]}" for opt in order if counts.get(opt))


def write_total_sheet(wb: Workbook, styles: Styles, rollup: RollupResult, title: str) -> str:
    root = rollup.root
    form = rollup.form
    sheet = Table(wb, styles, f"全{root.level_name}汇总", f"{title}：全{root.level_name}汇总")
    quarters = "、".join(q.short_label_zh for q in rollup.quarters)
    sheet.note(
        f"汇总范围：{root.name}及所属单位；期间：{rollup.period.label_zh}"
        + (f"（{quarters}）" if len(rollup.quarters) > 1 else "")
        + f"；生成时间：{rollup.created_at:%Y-%m-%d %H:%M}"
    )
    sheet.note(root.completeness.summary_zh)
    for warning in rollup.warnings:
        sheet.note(f"注意：{warning}")
    sheet.skip()
    sheet.header(
        ["分类", "指标", "单位", "汇总方式", "数值", "说明", "已报单位（个）", "应报单位（个）"],
        widths={1: 30, 5: 40},
    )
    for section in form.sections:
        for ind in section.indicators:
            fig = root.figures.get(ind.id)
            if fig is None:
                continue
            if ind.agg == "choice":
                value: tuple[object, str] = (choice_text(fig, ind) or None, "text")
            elif ind.agg == "none":
                value = (None, "text")
            else:
                value = (figure_number(fig), value_kind(ind))
            sheet.write_row(
                [
                    (section.name, "text"),
                    (ind.label, "text"),
                    (measure_unit(ind), "text"),
                    (AGG_ZH.get(ind.agg, ind.agg), "text"),
                    value,
                    (_basis(fig, ind, form), "text"),
                    (fig.reported, "int"),
                    (fig.expected, "int"),
                ]
            )
    sheet.finish(freeze_cols=2)
    return sheet.name


# --- 按学区 --------------------------------------------------------------------------


def group_indicators(form: FormDefinition) -> list[Indicator]:
    return [ind for ind in form.indicators if ind.agg in NUMERIC_AGGS]


def group_header(ind: Indicator) -> str:
    if ind.agg == "ratio":
        return f"{ind.label}（%）"
    if ind.agg == "count_yes":
        return f"{ind.label}（个单位）"
    return ind.label_with_unit


def write_group_sheet(
    wb: Workbook, styles: Styles, rollup: RollupResult, level: str, title: str
) -> Layout:
    """One row per unit of ``level``, one column per numeric indicator, and the total."""
    level_name = rollup.level_names.get(level, level)
    indicators = group_indicators(rollup.form)
    sheet = Table(wb, styles, f"按{level_name}", f"{title}：按{level_name}汇总")
    sheet.note(
        f"每个{level_name}的数字包括其本级和所属全部单位；比率按分子、分母汇总后重新计算，"
        "空白表示没有单位填报。"
    )
    sheet.skip()
    headers = ["单位代码", f"{level_name}名称"]
    headers += [group_header(ind) for ind in indicators]
    headers += ["应报单位（个）", "实报单位（个）", "报送率"]
    sheet.header(headers, widths={i + 2: 14 for i in range(len(indicators))})
    first = len(indicators) + 2
    layout = Layout(
        sheet=sheet.name,
        level_name=level_name,
        header_row=sheet.row - 1,
        first_row=sheet.row,
        last_row=sheet.row - 1,
        name_col=1,
        columns={ind.id: i + 2 for i, ind in enumerate(indicators)},
        rate_col=first + 2,
    )

    def row(node: RollupNode, code: str, name: str, total: bool) -> None:
        c = node.completeness
        cells: list[tuple[object, str]] = [(code, "text"), (name, "text")]
        cells += [(figure_number(node.figures[ind.id]), value_kind(ind)) for ind in indicators]
        cells += [(c.expected, "int"), (c.reported, "int"), (c.rate, "pct")]
        sheet.write_row(cells, total=total)

    for node in rollup.at_level(level):
        row(node, node.code, node.name, False)
    layout.last_row = sheet.row - 1
    root = rollup.root
    row(root, root.code, f"{root.name}合计（含本级）", True)
    sheet.finish(freeze_cols=2)
    return layout


# --- 按学校 --------------------------------------------------------------------------


def leaf_header(ind: Indicator) -> str:
    if ind.agg == "ratio":
        return f"{ind.label}（%）"
    if ind.agg in ("choice", "none") or not ind.unit:
        return ind.label
    return ind.label_with_unit


def leaf_cell(fig: Figure, ind: Indicator) -> tuple[object, str]:
    """A single unit's own figure: its number, 是/否, or the option it chose."""
    if ind.agg == "count_yes":
        if not fig.answered:
            return None, "text"
        return ("是" if fig.yes else "否"), "text"
    if ind.agg == "choice":
        chosen = [opt for opt, n in (fig.counts or {}).items() if n]
        return ("、".join(chosen) or None), "text"
    if ind.agg == "none":
        return ("；".join(format_listed(v.value) for v in fig.listed) or None), "text"
    return figure_number(fig), value_kind(ind)


def write_leaf_sheet(
    wb: Workbook,
    styles: Styles,
    rollup: RollupResult,
    levels: Levels,
    title: str,
) -> Layout:
    """One row per unit of the lowest level, with the units above it (学区, or 县 and 学区
    in a province) and its own figures."""
    assert levels.leaf is not None
    leaf = levels.leaf
    level_name = rollup.level_names.get(leaf, leaf)
    indicators = rollup.form.indicators_for_level(leaf)
    sheet = Table(wb, styles, f"按{level_name}", f"{title}：按{level_name}列示")
    sheet.note(f"每个{level_name}本单位填报的数字（多个季度按汇总方式合计）；空白表示没有填报。")
    sheet.skip()
    above = [f"所属{rollup.level_names.get(lv, lv)}" for lv in levels.between] or ["上级单位"]
    first = 2 + len(above) + 1
    headers = ["单位代码", f"{level_name}名称", *above, "报送情况"]
    headers += [leaf_header(ind) for ind in indicators]
    sheet.header(headers, widths={i + first: 14 for i in range(len(indicators))})
    layout = Layout(
        sheet=sheet.name,
        level_name=level_name,
        header_row=sheet.row - 1,
        first_row=sheet.row,
        last_row=sheet.row - 1,
        name_col=1,
        columns={ind.id: i + first for i, ind in enumerate(indicators) if ind.agg in NUMERIC_AGGS},
    )
    owners: dict[str | None, list[str]] = {}
    for node in rollup.at_level(leaf):
        if node.parent not in owners:
            owners[node.parent] = _owners(rollup, node.parent, levels.between)
        cells: list[tuple[object, str]] = [(node.code, "text"), (node.name, "text")]
        cells += [(name, "text") for name in owners[node.parent]]
        cells.append((unit_state(node.completeness), "text"))
        cells += [leaf_cell(node.figures[ind.id], ind) for ind in indicators]
        sheet.write_row(cells)
    layout.last_row = sheet.row - 1
    sheet.finish(freeze_cols=2)
    return layout


def _owners(rollup: RollupResult, parent: str | None, between: tuple[str, ...]) -> list[str]:
    """The names of a unit's ancestors at each level in ``between`` (its parent without)."""
    if not between:
        node = rollup.nodes.get(parent) if parent else None
        return [node.name if node else ""]
    found: dict[str, str] = {}
    code = parent
    while code and code in rollup.nodes:
        node = rollup.nodes[code]
        found.setdefault(node.level, node.name)
        code = node.parent
    return [found.get(lv, "") for lv in between]


def owner_name(rollup: RollupResult, parent: str | None, group: str | None) -> str:
    """The name of the unit at the grouping level above a unit (its parent without one)."""
    code = parent
    first = rollup.nodes.get(parent) if parent else None
    while code and code in rollup.nodes:
        node = rollup.nodes[code]
        if group is None or node.level == group:
            return node.name
        code = node.parent
    return first.name if first else ""
