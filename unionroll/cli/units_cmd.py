"""``unionroll units``: the unit hierarchy."""

from __future__ import annotations

import unicodedata
from datetime import UTC, date, datetime

import click

from unionroll.cli.common import AppContext, echo_json, handle_errors, pass_app
from unionroll.core import units as U
from unionroll.core.errors import UsageError
from unionroll.core.model import UnitInfo
from unionroll.core.workspace import Config

EVENT_ZH = {
    "created": "新建",
    "renamed": "改名",
    "moved": "调整上级",
    "level_changed": "变更层级",
    "closed": "撤销",
    "reopened": "恢复",
    "active_from_changed": "变更启用日期",
}
NO_UNITS = "还没有单位。请先运行 unionroll units import 单位名单.xlsx"


@click.group("units")
def units() -> None:
    """单位名单：导入、列出、层级树、撤销与恢复、变动记录。"""


@units.command("import")
@click.argument("file", required=False, metavar="文件")
@pass_app
@handle_errors
def import_(app: AppContext, file: str | None) -> None:
    """导入单位名单（.xlsx 或 .csv，列：代码、名称、层级、上级代码）。

    整个文件没有问题才会导入；有问题时列出每一行的问题，不写入任何内容。
    已有的单位按代码更新名称、层级和上级；文件中没有的单位保持不变。
    可选列“启用日期”“撤销日期”留空表示不改动；恢复已撤销的单位请用 units reopen。
    """
    file = _given(file, "请指定单位名单文件，如：unionroll units import 单位名单.xlsx")
    result = U.import_units(app.workspace, file)
    click.echo(
        f"已导入 {result.total_rows} 个单位：新增 {result.created}，"
        f"更新 {result.updated}，未变 {result.unchanged}"
    )
    details = [
        (result.renamed, "改名"),
        (result.moved, "调整上级"),
        (result.level_changed, "变更层级"),
        (result.closed, "撤销日期变更"),
        (result.dates_changed, "启用日期变更"),
    ]
    shown = [f"{label} {n}" for n, label in details if n]
    if shown:
        click.echo("其中" + "，".join(shown) + "。可用 unionroll units history 代码 查看变动记录。")
    for warning in result.warnings:
        click.echo(f"提醒：{warning}")


@units.command("list")
@click.option("--level", "level_text", metavar="层级", help="只列出这一层级，如 学校 或 school。")
@click.option("--json", "as_json", is_flag=True, help="以 JSON 输出。")
@pass_app
@handle_errors
def list_(app: AppContext, level_text: str | None, as_json: bool) -> None:
    """列出单位：代码、名称、层级、上级、状态。"""
    ws = app.workspace
    config = ws.config
    level_id = _level_id(config, level_text) if level_text else None
    with ws.session() as session:
        infos = U.unit_infos(session)
        order = [node.code for top in U.tree(session) for node, _ in top.walk()]
    # Tree order (county, then each township followed by its schools) reads like the list
    # the office keeps; anything outside the tree (there should be none) goes last.
    seen = set(order)
    order += sorted((c for c in infos if c not in seen), key=U.natural_key)
    chosen = [infos[c] for c in order if level_id is None or infos[c].level == level_id]
    today = date.today()
    if as_json:
        echo_json([_as_dict(info, infos, config, today) for info in chosen])
        return
    if not chosen:
        click.echo("没有符合条件的单位。" if infos else NO_UNITS)
        return
    rows = [
        [
            info.code,
            info.name,
            config.level_name(info.level),
            infos[info.parent_code].name if info.parent_code in infos else "",
            _status(info, today),
        ]
        for info in chosen
    ]
    _print_table(["代码", "名称", "层级", "上级", "状态"], rows)
    click.echo(f"共 {len(chosen)} 个单位。")


@units.command("tree")
@click.option("--unit", "code", metavar="代码", help="只显示这个单位及其下级。")
@click.option("--depth", "depth_text", metavar="N", help="只显示往下 N 层（0 只显示该单位本身）。")
@pass_app
@handle_errors
def tree(app: AppContext, code: str | None, depth_text: str | None) -> None:
    """按层级缩进显示单位树，最后给出各层级的单位数。"""
    depth = _non_negative_int(depth_text, "--depth") if depth_text is not None else None
    ws = app.workspace
    config = ws.config
    with ws.session() as session:
        tops = U.tree(session, code, depth=depth)
        if not tops:
            click.echo(NO_UNITS)
            return
        unit_id = tops[0].id if code is not None else None
        counts = U.counts_by_level(session, unit_id)
        today = date.today()
        in_use = sum(U.counts_by_level(session, unit_id, open_on=today).values())
    for top in tops:
        for node, d in top.walk():
            status = _short_status(node.active_from, node.active_to, today)
            label = config.level_name(node.level) + (f"，{status}" if status else "")
            click.echo(f"{'  ' * d}{node.code} {node.name}（{label}）")
            if node.hidden:
                click.echo(f"{'  ' * (d + 1)}……另有下级单位 {node.hidden} 个未显示")
    total = sum(counts.values())
    ordered = [lv for lv in config.level_ids if lv in counts] + sorted(
        lv for lv in counts if lv not in config.level_ids
    )
    parts = "，".join(f"{config.level_name(lv)} {counts[lv]} 个" for lv in ordered)
    note = f"（其中 {total - in_use} 个已撤销或尚未启用）" if in_use != total else ""
    click.echo(f"共 {total} 个单位：{parts}{note}")


@units.command("close")
@click.argument("code", required=False, metavar="代码")
@click.option("--from", "from_text", metavar="日期", help="撤销日期（必填），如 2025-09-01。")
@click.option("--with-children", is_flag=True, help="同时撤销其下所有未撤销的单位。")
@pass_app
@handle_errors
def close(app: AppContext, code: str | None, from_text: str | None, with_children: bool) -> None:
    """撤销一个单位：自该日期起不再要求其报送。"""
    example = "unionroll units close 10101 --from 2025-09-01"
    code = _given(code, f"请指定要撤销的单位代码，如：{example}")
    from_text = _given(from_text, f"请用 --from 指定撤销日期，如：{example}")
    from_date = _date_option(from_text, "--from")
    with app.workspace.session() as session:
        closed = U.close_unit(
            session, code, from_date, with_children=with_children, source="命令行 units close"
        )
    unit = closed[0]
    click.echo(f"已撤销 {unit.code} {unit.name}，自 {from_date:%Y-%m-%d} 起不再要求报送。")
    if len(closed) > 1:
        click.echo(f"同时撤销下级单位 {len(closed) - 1} 个。")


@units.command("reopen")
@click.argument("code", required=False, metavar="代码")
@click.option("--with-children", is_flag=True, help="同时恢复与其同日撤销的下级单位。")
@pass_app
@handle_errors
def reopen(app: AppContext, code: str | None, with_children: bool) -> None:
    """恢复一个已撤销的单位。"""
    code = _given(code, "请指定要恢复的单位代码，如：unionroll units reopen 10101")
    with app.workspace.session() as session:
        reopened = U.reopen_unit(
            session, code, with_children=with_children, source="命令行 units reopen"
        )
    unit = reopened[0]
    click.echo(f"已恢复 {unit.code} {unit.name}。")
    if len(reopened) > 1:
        click.echo(f"同时恢复下级单位 {len(reopened) - 1} 个。")


@units.command("history")
@click.argument("code", required=False, metavar="代码")
@pass_app
@handle_errors
def history(app: AppContext, code: str | None) -> None:
    """显示一个单位的变动记录：新建、改名、调整上级、变更层级、撤销、恢复。"""
    code = _given(code, "请指定单位代码，如：unionroll units history 10101")
    ws = app.workspace
    with ws.session() as session:
        unit = U.require_unit(session, code)
        events = U.unit_history(session, code)
        infos = U.unit_infos(session)
    click.echo(f"{unit.code} {unit.name} 的变动记录：")
    if not events:
        click.echo("  （没有记录）")
        return
    for event in events:
        when = _local_time(event.at)
        text = _describe(event.kind, event.old_value, event.new_value, infos, ws.config)
        source = f"（来源：{event.source}）" if event.source else ""
        click.echo(f"  {when}  {EVENT_ZH.get(event.kind, event.kind)}  {text}{source}")


# --- helpers -------------------------------------------------------------------------


def _given(value: str | None, message: str) -> str:
    # Checked here rather than by click, whose own "Missing argument" text is English.
    if value is None or not value.strip():
        raise UsageError(message)
    return value


def _level_id(config: Config, text: str) -> str:
    level = config.level(unicodedata.normalize("NFKC", text))
    if level is None:
        choices = "、".join(f"{lv.name}（{lv.id}）" for lv in config.levels)
        raise UsageError(f"层级“{text}”无法识别，可用：{choices}")
    return level.id


def _non_negative_int(text: str, option: str) -> int:
    try:
        value = int(unicodedata.normalize("NFKC", text).strip())
    except ValueError:
        raise UsageError(f"{option} 应为整数，如 1；收到“{text}”。") from None
    if value < 0:
        raise UsageError(f"{option} 不能是负数；收到 {value}。")
    return value


def _date_option(text: str, option: str) -> date:
    try:
        day = U.parse_date(unicodedata.normalize("NFKC", text))
    except (ValueError, OverflowError):
        day = None
    if day is None:
        raise UsageError(f"{option} 的日期“{text}”无法识别，请写成 2025-09-01 这样的日期。")
    return day


def _status(info: UnitInfo, today: date) -> str:
    if info.active_to is not None:
        if info.active_to <= today:
            return f"已撤销（{info.active_to:%Y-%m-%d} 起）"
        return f"将于 {info.active_to:%Y-%m-%d} 起撤销"
    if info.active_from is not None and info.active_from > today:
        return f"{info.active_from:%Y-%m-%d} 起启用"
    return "在用"


def _short_status(active_from: date | None, active_to: date | None, today: date) -> str:
    """The status as a tree line's note; empty for a unit in use."""
    if active_to is not None:
        prefix = "" if active_to <= today else "将于 "
        return f"{prefix}{active_to:%Y-%m-%d} 起撤销"
    if active_from is not None and active_from > today:
        return f"{active_from:%Y-%m-%d} 起启用"
    return ""


def _as_dict(info: UnitInfo, infos: dict[str, UnitInfo], config: Config, today: date) -> dict:
    parent = infos.get(info.parent_code) if info.parent_code else None
    return {
        "code": info.code,
        "name": info.name,
        "level": info.level,
        "level_name": config.level_name(info.level),
        "parent_code": info.parent_code,
        "parent_name": parent.name if parent else None,
        "active_from": info.active_from.isoformat() if info.active_from else None,
        "active_to": info.active_to.isoformat() if info.active_to else None,
        "status": _status(info, today),
    }


def _describe(
    kind: str,
    old: str | None,
    new: str | None,
    infos: dict[str, UnitInfo],
    config: Config,
) -> str:
    def unit(code: str | None) -> str:
        if not code:
            return "无"
        return f"{code} {infos[code].name}" if code in infos else code

    if kind == "created":
        return new or ""
    if kind == "renamed":
        return f"{old} → {new}"
    if kind == "moved":
        return f"{unit(old)} → {unit(new)}"
    if kind == "level_changed":
        return f"{config.level_name(old or '')} → {config.level_name(new or '')}"
    if kind == "closed":
        if old and new:
            return f"撤销日期由 {old} 改为 {new}"
        return f"自 {new} 起" if new else f"撤销日期 {old} 取消"
    if kind == "reopened":
        return f"原自 {old} 起撤销" if old else ""
    if kind == "active_from_changed":
        return f"{old or '无'} → {new or '无'}"
    return f"{old or ''} → {new or ''}"


def _local_time(at: datetime) -> str:
    # Stored in UTC; the office reads its own clock.
    return at.replace(tzinfo=UTC).astimezone().strftime("%Y-%m-%d %H:%M")


def _width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def _print_table(headers: list[str], rows: list[list[str]]) -> None:
    widths = [max(_width(r[i]) for r in [headers, *rows]) for i in range(len(headers))]

    def line(cells: list[str]) -> str:
        padded = [c + " " * (w - _width(c)) for c, w in zip(cells, widths, strict=True)]
        return "  ".join(padded).rstrip()

    click.echo(line(headers))
    click.echo("  ".join("-" * w for w in widths))
    for row in rows:
        click.echo(line(row))


def register(cli: click.Group) -> None:
    cli.add_command(units)
