"""Checking a form definition's plain data and building the FormDefinition from it,
collecting every problem (located by section, indicator, register or rule) on the way."""

from __future__ import annotations

from typing import Any

from unionroll.core.errors import DefinitionProblem
from unionroll.core.forms.definition import (
    AGGREGATIONS,
    COLUMN_TYPES,
    DEFAULT_MAX,
    NUMERIC_TYPES,
    RULE_KINDS,
    SEVERITIES,
    VALUE_TYPES,
    FormDefinition,
    Indicator,
    Register,
    RegisterColumn,
    Rule,
    Section,
)
from unionroll.core.outlier_rules import OutlierRule, RuleReader
from unionroll.core.periods import PeriodType

# Which aggregations suit which value types; anything else is a definition error.
_AGG_FOR_TYPE = {
    "int": {"sum", "stock", "none"},
    "decimal": {"sum", "stock", "none"},
    "money": {"sum", "stock", "none"},
    "bool": {"count_yes", "none"},
    "choice": {"choice", "none"},
    "text": {"none"},
    "derived": {"ratio"},
}


class _Checker:
    def __init__(self, source: str) -> None:
        self.source = source
        self.problems: list[DefinitionProblem] = []
        self.outlier_rules = RuleReader(self.bad)
        self.outlier_defaults: dict[str, OutlierRule] = {}

    def bad(self, where: str, reason: str) -> None:
        self.problems.append(DefinitionProblem(where, reason))

    def _str(self, data: dict[str, Any], key: str, where: str, *, required: bool = True) -> str:
        value = data.get(key)
        if value is None or (isinstance(value, str) and not value.strip()):
            if required:
                self.bad(where, f"缺少 {key}")
            return ""
        if not isinstance(value, str | int):
            self.bad(where, f"{key} 应为文本")
            return ""
        return str(value).strip()

    def _levels(self, value: Any, where: str, default: tuple[str, ...]) -> tuple[str, ...]:
        if value is None or value == "all":
            return default
        if isinstance(value, str):
            value = [v.strip() for v in value.split(",")]
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            self.bad(where, "levels 应为层级 id 的列表")
            return default
        unknown = [v for v in value if v not in default]
        if unknown:
            self.bad(
                where, f"未知的层级 {', '.join(unknown)}（本报表的层级：{', '.join(default)}）"
            )
        return tuple(v for v in value if v in default)

    def form(self, data: Any, known_levels: list[str] | None) -> FormDefinition | None:
        if not isinstance(data, dict):
            self.bad("文件", "内容应为一个映射（id、version、sections ……）")
            return None
        form_id = self._str(data, "id", "表头")
        title = self._str(data, "title", "表头")
        version = data.get("version")
        if not isinstance(version, int) or isinstance(version, bool) or version < 1:
            self.bad("表头", "version 应为正整数")
            version = 1
        try:
            period_type = PeriodType(data.get("period_type", "quarter"))
        except ValueError:
            self.bad("表头", f"period_type “{data.get('period_type')}” 应为 quarter、half 或 year")
            period_type = PeriodType.QUARTER
        deadline = data.get("deadline_days", 10)
        if not isinstance(deadline, int) or isinstance(deadline, bool) or deadline < 0:
            self.bad("表头", "deadline_days 应为非负整数")
            deadline = 10
        levels_raw = data.get("levels")
        if not isinstance(levels_raw, list) or not levels_raw:
            self.bad("表头", "levels 应为层级 id 的列表")
            levels: tuple[str, ...] = ()
        else:
            levels = tuple(str(v) for v in levels_raw)
            if known_levels is not None:
                unknown = [lv for lv in levels if lv not in known_levels]
                if unknown:
                    self.bad(
                        "表头",
                        f"层级 {', '.join(unknown)} 未在工作区配置中定义"
                        f"（已定义：{', '.join(known_levels)}）",
                    )

        self.outlier_defaults = self.outlier_rules.defaults(data.get("outliers"))
        sections: list[Section] = []
        seen_ids: dict[str, str] = {}
        raw_sections = data.get("sections")
        if not isinstance(raw_sections, list) or not raw_sections:
            self.bad("sections", "至少需要一个分类（section）")
            raw_sections = []
        for s_no, raw_sec in enumerate(raw_sections, start=1):
            sec = self.section(raw_sec, s_no, levels, seen_ids)
            if sec:
                sections.append(sec)
        names = [s.name for s in sections]
        for name in {n for n in names if names.count(n) > 1}:
            self.bad("sections", f"分类名称“{name}”重复")

        indicators = {ind.id: ind for sec in sections for ind in sec.indicators}
        for ind in indicators.values():
            self.check_ratio(ind, indicators)
            per = ind.outliers.peers.per if ind.outliers and ind.outliers.peers else None
            if per and (per not in indicators or not indicators[per].is_numeric):
                self.bad(f"指标 {ind.id}", f"outliers.peers.per 应为数值指标的 id，不是 {per}")

        rules: list[Rule] = []
        for sec_raw in raw_sections:
            if not isinstance(sec_raw, dict) or not isinstance(sec_raw.get("indicators"), list):
                continue  # already reported above
            for ind_raw in sec_raw["indicators"]:
                if isinstance(ind_raw, dict):
                    for r in ind_raw.get("rules") or []:
                        rule = self.rule(r, f"指标 {ind_raw.get('id')}", ind_raw.get("id"))
                        if rule:
                            rules.append(rule)
        for r_no, r in enumerate(data.get("rules") or [], start=1):
            rule = self.rule(r, f"rules 第 {r_no} 条", None)
            if rule:
                rules.append(rule)
        for rule in rules:
            for ref in (rule.indicator, rule.other):
                if ref not in indicators:
                    self.bad(
                        f"规则 {rule.indicator} {rule.kind} {rule.other}",
                        f"引用了未定义的指标 {ref}",
                    )

        registers: list[Register] = []
        reg_ids: set[str] = set()
        for g_no, raw_reg in enumerate(data.get("registers") or [], start=1):
            reg = self.register(raw_reg, g_no)
            if reg is None:
                continue
            if reg.id in reg_ids:
                self.bad(f"登记表 {reg.id}", "id 重复")
            reg_ids.add(reg.id)
            registers.append(reg)

        return FormDefinition(
            id=form_id,
            version=version,
            title=title,
            period_type=period_type,
            deadline_days=deadline,
            levels=levels,
            sections=tuple(sections),
            registers=tuple(registers),
            rules=tuple(rules),
            source=self.source,
            raw=data,
        )

    def section(
        self, raw: Any, s_no: int, levels: tuple[str, ...], seen_ids: dict[str, str]
    ) -> Section | None:
        where = f"第 {s_no} 个分类"
        if not isinstance(raw, dict):
            self.bad(where, "应为一个映射（id、name、indicators）")
            return None
        sec_id = self._str(raw, "id", where)
        name = self._str(raw, "name", where)
        where = f"分类 {name or sec_id or s_no}"
        sec_levels = self._levels(raw.get("levels"), where, levels)
        indicators: list[Indicator] = []
        raw_inds = raw.get("indicators")
        if not isinstance(raw_inds, list) or not raw_inds:
            self.bad(where, "没有任何指标")
            raw_inds = []
        for i_no, raw_ind in enumerate(raw_inds, start=1):
            ind = self.indicator(raw_ind, f"{where} 第 {i_no} 个指标", sec_id, sec_levels)
            if ind is None:
                continue
            if ind.id in seen_ids:
                self.bad(f"指标 {ind.id}", f"id 重复（已在分类 {seen_ids[ind.id]} 中定义）")
                continue
            seen_ids[ind.id] = sec_id
            indicators.append(ind)
        return Section(
            id=sec_id,
            name=name,
            title_en=str(raw.get("title_en") or ""),
            levels=sec_levels,
            indicators=tuple(indicators),
        )

    def indicator(
        self, raw: Any, where: str, section: str, sec_levels: tuple[str, ...]
    ) -> Indicator | None:
        if not isinstance(raw, dict):
            self.bad(where, "应为一个映射")
            return None
        ind_id = self._str(raw, "id", where)
        if ind_id:
            where = f"指标 {ind_id}"
        label = self._str(raw, "label", where)
        vtype = self._str(raw, "type", where)
        agg = self._str(raw, "agg", where)
        if vtype and vtype not in VALUE_TYPES:
            self.bad(where, f"未知的数据类型 {vtype}（可用：{', '.join(VALUE_TYPES)}）")
        if agg and agg not in AGGREGATIONS:
            self.bad(where, f"未知的汇总方式 {agg}（可用：{', '.join(AGGREGATIONS)}）")
        elif vtype in _AGG_FOR_TYPE and agg and agg not in _AGG_FOR_TYPE[vtype]:
            self.bad(where, f"数据类型 {vtype} 不能用汇总方式 {agg}")
        options = raw.get("options") or []
        if vtype == "choice" and (not isinstance(options, list) or len(options) < 2):
            self.bad(where, "选择题指标至少需要两个选项（options）")
            options = []
        default_min: float | None = 0 if vtype in NUMERIC_TYPES else None
        default_max: float | None = DEFAULT_MAX if vtype in NUMERIC_TYPES else None
        return Indicator(
            id=ind_id,
            label=label,
            unit=str(raw.get("unit") or ""),
            type=vtype,
            agg=agg,
            section=section,
            levels=self._levels(raw.get("levels"), where, sec_levels)
            if raw.get("levels") is not None
            else sec_levels,
            required=bool(raw.get("required", False)),
            min=raw.get("min", default_min),
            max=raw.get("max", default_max),
            options=tuple(str(o) for o in options),
            numerator=raw.get("numerator"),
            denominator=raw.get("denominator"),
            help=raw.get("help"),
            outliers=self.indicator_outliers(raw.get("outliers"), where, vtype, agg),
        )

    def indicator_outliers(self, raw: Any, where: str, vtype: str, agg: str) -> OutlierRule | None:
        base = self.outlier_defaults.get(agg) if vtype in NUMERIC_TYPES else None
        if base is None:
            if raw not in (None, False):
                self.bad(where, "outliers 只适用于 sum 或 stock 汇总的数值指标")
            return None
        rule = self.outlier_rules.rule(raw, where, base)
        return rule if rule.history or rule.peers else None

    def check_ratio(self, ind: Indicator, indicators: dict[str, Indicator]) -> None:
        if ind.agg != "ratio":
            if ind.numerator or ind.denominator:
                self.bad(f"指标 {ind.id}", "只有 ratio 汇总的指标才有 numerator/denominator")
            return
        for role, ref in (("numerator", ind.numerator), ("denominator", ind.denominator)):
            if not ref:
                self.bad(f"指标 {ind.id}", f"比率指标缺少 {role}")
            elif ref not in indicators:
                self.bad(f"指标 {ind.id}", f"{role} 引用了未定义的指标 {ref}")
            elif not indicators[ref].is_numeric:
                self.bad(f"指标 {ind.id}", f"{role} {ref} 不是数值指标")

    def rule(self, raw: Any, where: str, owner: str | None) -> Rule | None:
        if not isinstance(raw, dict):
            self.bad(where, "规则应为一个映射")
            return None
        severity = str(raw.get("severity", "error"))
        if severity not in SEVERITIES:
            self.bad(where, f"severity “{severity}” 应为 error 或 warning")
        kinds = [k for k in RULE_KINDS if k in raw]
        if len(kinds) != 1:
            self.bad(where, f"规则应恰好有一个类型（{', '.join(RULE_KINDS)}）")
            return None
        kind = kinds[0]
        indicator = owner or raw.get("indicator")
        if not indicator:
            self.bad(where, "规则缺少 indicator")
            return None
        return Rule(
            kind=kind,
            indicator=str(indicator),
            other=str(raw[kind]),
            severity=severity,
            message=raw.get("message"),
        )

    def register(self, raw: Any, g_no: int) -> Register | None:
        where = f"第 {g_no} 个登记表"
        if not isinstance(raw, dict):
            self.bad(where, "应为一个映射")
            return None
        reg_id = self._str(raw, "id", where)
        name = self._str(raw, "name", where)
        where = f"登记表 {name or reg_id}"
        cols: list[RegisterColumn] = []
        raw_cols = raw.get("columns")
        if not isinstance(raw_cols, list) or not raw_cols:
            self.bad(where, "没有任何列")
            raw_cols = []
        col_ids: set[str] = set()
        for c_no, rc in enumerate(raw_cols, start=1):
            cwhere = f"{where} 第 {c_no} 列"
            if not isinstance(rc, dict):
                self.bad(cwhere, "应为一个映射")
                continue
            cid = self._str(rc, "id", cwhere)
            if cid in col_ids:
                self.bad(cwhere, f"列 id {cid} 重复")
            col_ids.add(cid)
            ctype = str(rc.get("type", "text"))
            if ctype not in COLUMN_TYPES:
                self.bad(cwhere, f"未知的列类型 {ctype}（可用：{', '.join(COLUMN_TYPES)}）")
            options = rc.get("options") or []
            if ctype == "choice" and not options:
                self.bad(cwhere, "选择列需要 options")
            cols.append(
                RegisterColumn(
                    id=cid,
                    label=self._str(rc, "label", cwhere),
                    type=ctype,
                    required=bool(rc.get("required", False)),
                    options=tuple(str(o) for o in options),
                    max_length=rc.get("max_length"),
                    help=rc.get("help"),
                )
            )
        return Register(
            id=reg_id, name=name, title_en=str(raw.get("title_en") or ""), columns=tuple(cols)
        )
