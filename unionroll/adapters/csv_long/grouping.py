"""One return per (unit, period) pair (:class:`_Group`), and indicator labels mapped to
ids for one form version (:class:`_Lookup`)."""

from __future__ import annotations

from dataclasses import dataclass, field

from unionroll.adapters.csv_long.header import _norm_label
from unionroll.core.forms import FormDefinition, Register
from unionroll.core.model import Finding, RawValue


@dataclass
class _Group:
    """The rows of one (unit, period) pair as they are read."""

    unit: str
    period: str
    first_line: int
    ranges: list[list[int]] = field(default_factory=list)
    values: list[RawValue] = field(default_factory=list)
    seen: dict[str, tuple[int, str]] = field(default_factory=dict)  # indicator → line, raw
    versions: dict[int, int] = field(default_factory=dict)  # version → first line
    unread_columns: set[int] = field(default_factory=set)
    findings: list[Finding] = field(default_factory=list)

    @property
    def locator(self) -> str:
        parts = [f"{a}–{b}" if a != b else str(a) for a, b in self.ranges]
        shown = "、".join(parts[:4])
        more = f" 等 {len(parts)} 处" if len(parts) > 4 else ""
        return f"第 {shown}{more} 行"


class _Lookup:
    """Indicator and register names of one form, as the indicator column may give them."""

    def __init__(self, form: FormDefinition) -> None:
        self.form = form
        self.indicators: dict[str, str] = {}
        for ind in form.indicators:
            for key in (ind.label_with_unit, ind.label):
                self.indicators[_norm_label(key)] = ind.id
            self.indicators[ind.id.casefold()] = ind.id
        self.registers: dict[str, Register] = {}
        for reg in form.registers:
            self.registers[reg.id.casefold()] = reg
            self.registers[_norm_label(reg.name)] = reg

    def indicator(self, text: str) -> str:
        if self.form.has_indicator(text):
            return text
        return (
            self.indicators.get(text.casefold()) or self.indicators.get(_norm_label(text)) or text
        )

    def register(self, text: str) -> Register | None:
        return self.registers.get(text.casefold()) or self.registers.get(_norm_label(text))


def _only(versions: dict[int, int]) -> int | None:
    return next(iter(versions)) if len(versions) == 1 else None
