"""One validation run: the findings it collects, the order of the checks, and the extra
validators plugins register."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date
from typing import Any

from unionroll.core.contracts import Validator
from unionroll.core.forms import FormDefinition, Indicator
from unionroll.core.model import (
    CheckedRegisterRow,
    CheckedReturn,
    Finding,
    Location,
    ReturnData,
    Severity,
    UnitInfo,
)
from unionroll.core.validation.figures import FigureChecks
from unionroll.core.validation.identity import IdentityChecks
from unionroll.core.validation.registers import RegisterChecks


class Run(IdentityChecks, FigureChecks, RegisterChecks):
    """Checks one return; each group of checks is a mixin in its own module."""

    def __init__(
        self,
        data: ReturnData,
        form: FormDefinition,
        forms: Mapping[str, FormDefinition],
        units: Mapping[str, UnitInfo],
        today: date,
        level_names: Mapping[str, str],
    ) -> None:
        self.data = data
        self.form = form
        self.forms = forms
        self.units = units
        self.today = today
        self.level_names = level_names
        self.findings: list[Finding] = list(data.findings)
        self.values: dict[str, float | str | None] = {}
        self.value_locations: dict[str, Location] = {}
        self.rows: list[CheckedRegisterRow] = []
        self.anything_entered = False
        self.unit_code: str | None = None

    def add(
        self,
        severity: Severity,
        code: str,
        message: str,
        location: Location | None = None,
        *,
        indicator: Indicator | None = None,
        found: Any = None,
        expected: str | None = None,
    ) -> None:
        self.findings.append(
            Finding(
                severity=severity,
                code=code,
                message=message,
                location=location,
                indicator_id=indicator.id if indicator else None,
                label=indicator.label if indicator else None,
                found=found,
                expected=expected,
            )
        )

    def level_name(self, level: str) -> str:
        return self.level_names.get(level, level)

    # --- the whole run ------------------------------------------------------------------

    def run(self, validators: Sequence[Validator]) -> CheckedReturn:
        used, form_ok = self.choose_form()
        unit = self.check_unit(used)
        period = self.check_period(used, unit)
        if form_ok:
            self.check_values(used, unit)
            self.check_rules(used)
            self.check_registers(used)
            if not self.anything_entered:
                self.add(
                    "error",
                    "empty_return",
                    "报表是空的：没有填写任何指标，也没有填写任何登记表（获奖、活动等）",
                )
        checked = CheckedReturn(
            data=self.data,
            unit_code=self.unit_code,
            period=period.code if period else None,
            form_id=used.id,
            form_version=used.version,
            values=self.values,
            value_locations=self.value_locations,
            registers=self.rows,
            findings=self.findings,
        )
        _run_validators(checked, used, validators)
        return checked


# --- extra validators ------------------------------------------------------------------


def _run_validators(
    checked: CheckedReturn, form: FormDefinition, validators: Sequence[Validator]
) -> None:
    for validator in validators:
        name = getattr(validator, "name", "") or type(validator).__name__
        try:
            extra = list(validator.check(checked, form) or [])
            wrong = next((f for f in extra if not isinstance(f, Finding)), None)
            if wrong is not None:
                raise TypeError(f"check() 返回了 {type(wrong).__name__}，应为 Finding")
        except Exception as exc:  # a broken plugin must not take the whole ingest down
            checked.findings.append(
                Finding(
                    severity="warning",
                    code="validator_failed",
                    message=f"附加检查“{name}”运行出错，已跳过（{type(exc).__name__}：{exc}）",
                )
            )
            continue
        checked.findings.extend(extra)
