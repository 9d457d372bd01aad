"""Which form, which unit, which period: the checks that decide what a return is."""

from __future__ import annotations

import contextlib
from datetime import date
from typing import Any

from unionroll.core.errors import PeriodError
from unionroll.core.forms import FormDefinition
from unionroll.core.model import (
    UnitInfo,
)
from unionroll.core.periods import Period
from unionroll.core.values import (
    is_blank,
    normalize,
    show,
)


def _date_zh(day: date) -> str:
    return f"{day.year}年{day.month}月{day.day}日"


class IdentityChecks:
    """The form, unit and period checks of a validation run (mixed into ``Run``)."""

    # --- form ---------------------------------------------------------------------------

    def choose_form(self) -> tuple[FormDefinition, bool]:
        form, data = self.form, self.data
        form_id = str(data.form_id).strip() if data.form_id is not None else ""
        if form_id and form_id != form.id:
            self.add(
                "error",
                "form_mismatch",
                f"这份报表使用的是报表“{form_id}”，本工作区收取的是“{form.title}”（{form.id}），"
                "请使用本工作区下发的模板填报",
                data.form_location,
                found=form_id,
                expected=form.id,
            )
            return form, False
        if data.form_version is None:
            return form, True
        version: Any = data.form_version
        with contextlib.suppress(ValueError):
            version = int(show(version))  # a sheet may hand over "1" or 1.0
        if version == form.version:
            return form, True
        candidate = self.forms.get(f"{form.id}@{version}")
        if candidate is not None:
            return candidate, True
        known = sorted({f.version for f in self.forms.values() if f.id == form.id} | {form.version})
        self.add(
            "error",
            "unknown_form_version",
            f"报表“{form.title}”没有第 {version} 版（已知的版本：{'、'.join(map(str, known))}），"
            "请使用本工作区下发的模板填报",
            data.form_location,
            found=version,
            expected="、".join(map(str, known)),
        )
        return form, False

    # --- unit ---------------------------------------------------------------------------

    def check_unit(self, form: FormDefinition) -> UnitInfo | None:
        raw = self.data.unit_code
        where = self.data.unit_location
        code = normalize(show(raw, limit=200)) if raw is not None else ""
        if not code:
            self.add("error", "unit_missing", "报表没有填写单位代码", where, expected="单位代码")
            return None
        self.unit_code = code
        unit = self.units.get(code) or self.units.get(str(raw))
        if unit is None:
            self.add(
                "error",
                "unknown_unit",
                f"单位代码“{code}”不在本工作区的单位名册中，请核对代码或先导入该单位",
                where,
                found=code,
                expected="单位名册中的单位代码",
            )
            return None
        self.unit_code = unit.code
        if unit.level not in form.levels:
            allowed = "、".join(self.level_name(lv) for lv in form.levels)
            self.add(
                "error",
                "level_not_in_form",
                f"单位“{unit.name}”属于{self.level_name(unit.level)}层级，"
                f"报表“{form.title}”只由{allowed}填报",
                where,
                found=unit.level,
                expected=allowed,
            )
        return unit

    # --- period -------------------------------------------------------------------------

    def check_period(self, form: FormDefinition, unit: UnitInfo | None) -> Period | None:
        raw = self.data.period
        where = self.data.period_location
        if raw is None or is_blank(raw):
            self.add("error", "period_missing", "报表没有填写报送期间", where, expected="如 2025Q1")
            return None
        try:
            period = Period.parse(raw if isinstance(raw, str | Period) else show(raw))
        except PeriodError as exc:
            self.add("error", "bad_period", exc.message, where, found=raw)
            return None
        if period.type != form.period_type:
            self.add(
                "error",
                "wrong_period_type",
                f"报表“{form.title}”按{form.period_type.label_zh}报送，"
                f"填写的期间“{show(raw)}”是{period.type.label_zh}（{period.label_zh}）",
                where,
                found=show(raw),
                expected=form.period_type.label_zh,
            )
        elif period.start > self.today:
            self.add(
                "error",
                "future_period",
                f"报送期间{period.label_zh}尚未开始（今天是{_date_zh(self.today)}）",
                where,
                found=period.code,
            )
        elif period.end > self.today:
            self.add(
                "warning",
                "period_not_ended",
                f"报送了尚未结束的期间：{period.label_zh}到{_date_zh(period.end)}才结束",
                where,
                found=period.code,
            )
        if unit is not None and not unit.is_open_during(period.start, period.end):
            if unit.active_from and unit.active_from > period.end:
                self.add(
                    "error",
                    "unit_not_yet_open",
                    f"单位“{unit.name}”自{_date_zh(unit.active_from)}起才设立，"
                    f"{period.label_zh}时尚未设立，不能报送该期间的报表",
                    self.data.unit_location,
                    found=unit.code,
                )
            else:
                self.add(
                    "error",
                    "unit_closed",
                    f"单位“{unit.name}”已于{_date_zh(unit.active_to)}撤销（停用），"
                    f"不能报送{period.label_zh}的报表",
                    self.data.unit_location,
                    found=unit.code,
                )
        return period
