"""Checking a unit list against itself and the units already stored.

Every problem is collected, located by spreadsheet row and explained in Chinese, so the
county office fixes its list once instead of once per error. The check works on plain
data (the rows read and the units already known) and never touches the database.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from unionroll.core.errors import RowProblem
from unionroll.core.unit_table import UnitTable
from unionroll.core.workspace import Level

MAX_CODE = 64  # the width of units.code
MAX_NAME = 200
_LIST_MAX = 5  # how many units a message names before saying "等 N 个"
_EXCEL_EPOCH = date(1899, 12, 30)


@dataclass(frozen=True)
class KnownUnit:
    """A unit already in the database, as the check needs it."""

    id: int
    code: str
    name: str
    level: str
    parent_code: str | None
    active_from: date | None
    active_to: date | None


@dataclass(frozen=True)
class PlannedUnit:
    """A unit as it will be after the import: the file's values over the stored ones."""

    row: int
    code: str
    name: str
    level: str
    parent_code: str | None
    active_from: date | None
    active_to: date | None


@dataclass
class CheckOutcome:
    planned: list[PlannedUnit]
    problems: list[RowProblem]
    warnings: list[str]


def parse_date(value: Any) -> date | None:
    """A date from a cell or the command line: a date, 2025-09-01, 2025/9/1, 2025.9.1,
    2025年9月1日, 20250901, or an Excel day number. Empty gives None; anything else
    raises ValueError."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, bool):
        raise ValueError(value)
    if isinstance(value, int | float):
        if float(value).is_integer() and 19000101 <= value <= 29991231:
            return _ymd(str(int(value)))
        # A date cell Excel lost its format on: days since 1899-12-30.
        if 1 <= value < 2958466:
            return _EXCEL_EPOCH + timedelta(days=int(value))
        raise ValueError(value)
    text = str(value).strip()
    match = re.fullmatch(r"(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?", text)
    if match:
        return date(int(match[1]), int(match[2]), int(match[3]))
    match = re.fullmatch(r"(\d{4}-\d{2}-\d{2})[ T]\d{1,2}:\d{2}(:\d{2})?", text)
    if match:
        return date.fromisoformat(match[1])
    if re.fullmatch(r"\d{8}", text):
        return _ymd(text)
    raise ValueError(value)


def _ymd(text: str) -> date:
    return date(int(text[:4]), int(text[4:6]), int(text[6:]))


def check_units(
    table: UnitTable, known: dict[str, KnownUnit], levels: Sequence[Level]
) -> CheckOutcome:
    """Check a table of rows against itself and the known units; list every problem."""
    problems: list[RowProblem] = []
    warnings: list[str] = []
    level_index = {lv.id: i for i, lv in enumerate(levels)}

    def level_of(text: str) -> Level | None:
        for lv in levels:
            if lv.matches(text):
                return lv
        return None

    level_choices = "、".join(lv.name for lv in levels)

    first_row: dict[str, int] = {}
    planned: dict[str, PlannedUnit] = {}
    detached: set[str] = set()  # rows whose parent code is itself wrong: not roots either
    for r in table.rows:
        bad: list[str] = []
        code_ok = _check_code(r.code, "代码", bad)
        if not r.name:
            bad.append(f"未填单位名称（代码 {r.code}）" if r.code else "未填单位名称")
        elif len(r.name) > MAX_NAME:
            bad.append(f"单位名称超过 {MAX_NAME} 个字")
        level = level_of(r.level) if r.level else None
        if not r.level:
            bad.append(f"未填层级，应填：{level_choices}")
        elif level is None:
            bad.append(f"层级“{r.level}”无法识别，应填：{level_choices}")
        parent = r.parent_code or None
        parent_ok = parent is None or _check_code(parent, "上级代码", bad)
        if parent is not None and parent == r.code:
            bad.append("上级代码不能是本单位自己的代码")
            parent_ok = False
        old = known.get(r.code)
        active_from = _date_cell(r.active_from, "启用日期", bad, old.active_from if old else None)
        active_to = _date_cell(r.active_to, "撤销日期", bad, old.active_to if old else None)
        if active_from and active_to and active_to <= active_from:
            bad.append(f"撤销日期 {active_to:%Y-%m-%d} 应晚于启用日期 {active_from:%Y-%m-%d}")
        if code_ok and r.code in first_row:
            bad.append(f"代码 {r.code} 与第 {first_row[r.code]} 行重复")
            code_ok = False
        problems.extend(RowProblem(r.row, reason) for reason in bad)
        if not code_ok:
            continue
        first_row[r.code] = r.row
        if not parent_ok:
            detached.add(r.code)
        # Rows with other problems still take part in the hierarchy checks, so a bad
        # level on one row does not turn into "unknown parent" on all its children.
        planned[r.code] = PlannedUnit(
            row=r.row,
            code=r.code,
            name=r.name,
            level=level.id if level else "",
            parent_code=parent if parent_ok else None,
            active_from=active_from,
            active_to=active_to,
        )

    _Hierarchy(planned, known, levels, level_index, problems, detached).check()
    warnings.extend(_same_name_warnings(planned))
    problems.sort(key=lambda p: p.row)
    return CheckOutcome(list(planned.values()), problems, warnings)


def _check_code(code: str, label: str, bad: list[str]) -> bool:
    if not code:
        if label == "代码":
            bad.append("未填单位代码")
        return False
    if re.fullmatch(r"\d+(\.\d+)?[eE][+-]?\d+", code):
        bad.append(
            f"{label}“{code}”是科学计数法，位数已丢失；请在 Excel 中把该列设为“文本”、"
            "重新填写代码后再保存"
        )
        return False
    if re.search(r"\s", code):
        bad.append(f"{label}“{code}”中有空格")
        return False
    if len(code) > MAX_CODE:
        bad.append(f"{label}超过 {MAX_CODE} 个字符")
        return False
    return True


def _date_cell(value: Any, label: str, bad: list[str], stored: date | None) -> date | None:
    """The date a cell gives; an empty cell keeps the stored date (a list may be partial)."""
    if value is None:
        return stored
    try:
        return parse_date(value)
    except ValueError:
        bad.append(f"{label}“{value}”无法识别，请写成 2025-09-01 这样的日期")
        return stored
    except (OverflowError, TypeError):
        bad.append(f"{label}“{value}”不是有效日期")
        return stored


class _Hierarchy:
    """The hierarchy checks on the merged tree: stored units overlaid by the file's rows."""

    def __init__(
        self,
        planned: dict[str, PlannedUnit],
        known: dict[str, KnownUnit],
        levels: Sequence[Level],
        level_index: dict[str, int],
        problems: list[RowProblem],
        detached: set[str],
    ) -> None:
        self.detached = detached
        self.planned = planned
        self.known = known
        self.levels = levels
        self.level_index = level_index
        self.problems = problems
        self.parent: dict[str, str | None] = {c: u.parent_code for c, u in known.items()}
        self.parent.update({c: p.parent_code for c, p in planned.items()})

    def add(self, row: int, reason: str) -> None:
        self.problems.append(RowProblem(row, reason))

    def name(self, code: str) -> str:
        unit = self.planned.get(code) or self.known.get(code)
        return f"{code} {unit.name}" if unit and unit.name else code

    def level(self, code: str) -> str:
        unit = self.planned.get(code) or self.known.get(code)
        return unit.level if unit else ""

    def level_name(self, level_id: str) -> str:
        for lv in self.levels:
            if lv.id == level_id:
                return lv.name
        return level_id

    def active_to(self, code: str) -> date | None:
        unit = self.planned.get(code) or self.known.get(code)
        return unit.active_to if unit else None

    def check(self) -> None:
        self.unknown_parents()
        in_cycle = self.cycles()
        self.level_order(in_cycle)
        self.roots(in_cycle)
        self.closed_parents()

    def unknown_parents(self) -> None:
        for p in self.planned.values():
            if p.parent_code and p.parent_code not in self.parent:
                self.add(p.row, f"上级代码 {p.parent_code} 在本文件和已有单位中都找不到")
                self.parent[p.code] = None  # reported; keep it out of the later checks
                self.detached.add(p.code)

    def cycles(self) -> set[str]:
        state: dict[str, int] = {}  # 1 = on the current path, 2 = done
        in_cycle: set[str] = set()
        for start in self.planned:
            path: list[str] = []
            code: str | None = start
            while code is not None and state.get(code, 0) == 0:
                state[code] = 1
                path.append(code)
                code = self.parent.get(code)
            if code is not None and state.get(code) == 1:
                cycle = path[path.index(code) :]
                in_cycle.update(cycle)
                shown = " → ".join(self.name(c) for c in [*cycle, cycle[0]])
                for member in cycle:
                    if member in self.planned:
                        self.add(self.planned[member].row, f"上级关系形成循环：{shown}")
            for c in path:
                state[c] = 2
        return in_cycle

    def level_order(self, in_cycle: set[str]) -> None:
        idx = self.level_index
        stranded: dict[str, list[str]] = defaultdict(list)
        for child, parent in self.parent.items():
            if parent is None or parent not in self.parent:
                continue
            if child not in self.planned and parent not in self.planned:
                continue  # nothing about this pair changes
            if child in in_cycle:
                continue  # the cycle is the problem to report
            c_level, p_level = self.level(child), self.level(parent)
            if c_level not in idx or p_level not in idx:
                continue  # an unknown level is reported on its own row
            if idx[c_level] > idx[p_level]:
                continue
            if child in self.planned:
                self.add(
                    self.planned[child].row,
                    f"层级“{self.level_name(c_level)}”不能挂在上级 {self.name(parent)}"
                    f"（{self.level_name(p_level)}）之下：下级单位的层级必须低于上级",
                )
            else:
                stranded[parent].append(f"{self.name(child)}（{self.level_name(c_level)}）")
        for parent, kids in stranded.items():
            self.add(
                self.planned[parent].row,
                f"改为“{self.level_name(self.level(parent))}”后，已有下级单位 "
                f"{_listing(kids)}的层级不再低于本单位",
            )

    def roots(self, in_cycle: set[str]) -> None:
        top = self.levels[0].id if self.levels else ""
        roots = [
            c
            for c, p in self.parent.items()
            if p is None and c not in in_cycle and c not in self.detached
        ]
        top_roots = [c for c in roots if self.level(c) == top]
        for code in roots:
            unit = self.planned.get(code)
            if unit is None or not unit.level or unit.level == top:
                continue
            was = self.known.get(code)
            note = ""
            if was and was.parent_code:
                note = f"（原上级为 {self.name(was.parent_code)}）"
            self.add(
                unit.row,
                f"未填上级代码{note}；只有最高层级（{self.levels[0].name}）的单位可以没有上级",
            )
        if len(top_roots) > 1:
            named = []
            for code in top_roots:
                unit = self.planned.get(code)
                where = f"第 {unit.row} 行" if unit else "已有单位"
                named.append(f"{where} {self.name(code)}")
            for code in top_roots:
                if code in self.planned:
                    self.add(
                        self.planned[code].row,
                        f"没有上级的单位只能有一个（一个工作区只有一个最高层级单位），"
                        f"现有 {len(top_roots)} 个：{'、'.join(named[:_LIST_MAX])}"
                        + ("等" if len(named) > _LIST_MAX else ""),
                    )

    def closed_parents(self) -> None:
        still_open: dict[str, list[str]] = defaultdict(list)
        for child, parent in self.parent.items():
            if parent is None or (child not in self.planned and parent not in self.planned):
                continue
            closed_from = self.active_to(parent)
            if closed_from is None:
                continue
            child_to = self.active_to(child)
            if child_to is not None and child_to <= closed_from:
                continue
            if child in self.planned:
                self.add(
                    self.planned[child].row,
                    f"上级单位 {self.name(parent)} 自 {closed_from:%Y-%m-%d} 起撤销，"
                    "本单位应改挂其他上级，或同时撤销（撤销日期不晚于上级）",
                )
            else:
                still_open[parent].append(self.name(child))
        for parent, kids in still_open.items():
            self.add(
                self.planned[parent].row,
                f"下级单位 {_listing(kids)}没有撤销，本单位不能撤销；请先调整这些单位的上级",
            )


def _listing(items: list[str]) -> str:
    shown = "、".join(items[:_LIST_MAX])
    if len(items) > _LIST_MAX:
        return f"{shown} 等 {len(items)} 个"
    return shown


def _same_name_warnings(planned: dict[str, PlannedUnit]) -> list[str]:
    by_place: dict[tuple[str | None, str], list[PlannedUnit]] = defaultdict(list)
    for unit in planned.values():
        if unit.name:
            by_place[(unit.parent_code, unit.name)].append(unit)
    warnings = []
    for (_parent, name), units in by_place.items():
        if len(units) > 1:
            where = "、".join(f"第 {u.row} 行（{u.code}）" for u in units)
            warnings.append(f"同一上级下有同名单位“{name}”：{where}，请确认不是重复登记")
    return warnings
