"""The views the wording templates are given: figures, awards, events, texts, sections."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from unionroll.core.values import AWARD_LEVEL_ZH, AWARD_LEVELS
from unionroll.core.zh import format_percent, format_quantity
from unionroll.plugins.report_plans import plan_key


@dataclass
class FigureView:
    """One rolled-up indicator, ready to be written into a sentence."""

    id: str
    label: str
    unit: str
    agg: str
    value: float | None
    reported: int
    expected: int
    yes: int | None = None
    answered: int | None = None
    share: float | None = None
    counts: list[tuple[str, int]] = field(default_factory=list)
    numerator: float | None = None
    denominator: float | None = None
    numerator_label: str = ""
    denominator_label: str = ""
    numerator_unit: str = ""

    @property
    def text(self) -> str:
        """The figure with its unit: 61人次, 2.5万元, 95.2%."""
        if self.agg == "ratio":
            return format_percent(self.value)
        if self.agg == "count_yes":
            return f"{self.yes or 0}个"
        return format_quantity(self.value, self.unit)

    @property
    def has_data(self) -> bool:
        if self.agg == "count_yes":
            return bool(self.yes)
        if self.agg == "choice":
            return bool(self.answered)
        if self.agg == "ratio":
            return bool(self.denominator)
        return self.value is not None and self.value != 0

    @property
    def basis(self) -> str:
        """For a ratio: 办结57件、征集60件."""
        if self.agg != "ratio" or self.denominator is None:
            return ""
        return (
            f"{self.numerator_label}{format_quantity(self.numerator, self.numerator_unit)}，"
            f"{self.denominator_label}{format_quantity(self.denominator, self.numerator_unit)}"
        )

    @property
    def share_text(self) -> str:
        return format_percent(self.share)

    @property
    def counts_text(self) -> str:
        """For a choice: 模范3个、先进20个 (most common first, zero options left out)."""
        return "、".join(f"{option}{n}个" for option, n in self.counts if n)


@dataclass
class AwardView:
    holder: str
    holder_type: str
    title: str
    level: str
    body: str
    month: int | None
    reporters: list[str]

    @property
    def level_zh(self) -> str:
        return AWARD_LEVEL_ZH.get(self.level, self.level)

    @property
    def phrase(self) -> str:
        """洪凝小学获县级五一劳动奖状称号 / 宋正恩同志获市级五一劳动奖章称号."""
        who = f"{self.holder}同志" if self.holder_type == "个人" else self.holder
        # 五一劳动奖状称号, but 优秀征文一等奖 (a prize, not a title) takes no 称号.
        suffix = "" if self.title.endswith(("称号", "奖")) else "称号"
        return f"{who}获{self.level_zh}{self.title}{suffix}"


@dataclass
class AwardGroup:
    level: str
    title: str
    persons: bool
    holders: list[str]
    limit: int = 5  # up to this many are all named; more are counted after the first three

    @property
    def phrase(self) -> str:
        """宋正恩、席光宝同志获县级劳动模范称号 / 五莲一中、洪凝小学、许孟小学等8个单位获
        县级……称号 / 张文静、杨玉梅、胡红梅等8名同志获……."""
        n = len(self.holders)
        if n <= self.limit:
            shown = "、".join(self.holders) + ("同志" if self.persons else "")
        else:
            shown = "、".join(self.holders[:3]) + (
                f"等{n}名同志" if self.persons else f"等{n}个单位"
            )
        suffix = "" if self.title.endswith(("称号", "奖")) else "称号"
        return f"{shown}获{AWARD_LEVEL_ZH.get(self.level, self.level)}{self.title}{suffix}"


@dataclass
class EventView:
    name: str
    month: int | None
    role: str
    participants: float | None
    unit: str
    unit_level: str


@dataclass
class EventGroup:
    """Events of the same name (several townships each held 三八妇女节趣味活动) said in
    one sentence, with their units and their participants added up."""

    name: str
    month: int | None
    role: str
    participants: float | None
    units: list[str]
    rank: tuple[Any, ...]

    @property
    def month_key(self) -> int:
        return self.month or 99

    @property
    def units_text(self) -> str:
        """A / A和B / A、B和C / A、B、C等5个单位."""
        if len(self.units) == 1:
            return self.units[0]
        if len(self.units) <= 3:
            return "、".join(self.units[:-1]) + "和" + self.units[-1]
        return "、".join(self.units[:3]) + f"等{len(self.units)}个单位"


@dataclass
class TextView:
    text: str
    units: list[str]


@dataclass
class SectionView:
    id: str
    name: str
    figures: dict[str, FigureView]
    awards: list[AwardView]
    events: list[EventView]
    highlights: list[TextView]
    problems: list[TextView]

    @property
    def figure_list(self) -> list[FigureView]:
        return list(self.figures.values())

    @property
    def has_figures(self) -> bool:
        return any(f.has_data for f in self.figures.values())

    @property
    def has_data(self) -> bool:
        return bool(self.has_figures or self.awards or self.events or self.highlights)

    def award_groups(self, limit: int = 5) -> list[AwardGroup]:
        """Awards of the same title and level said together, highest level first:
        五莲一中、洪凝小学获市级五一劳动奖状称号."""
        groups: dict[tuple[str, str, bool], AwardGroup] = {}
        for award in self.awards:
            person = award.holder_type == "个人"
            key = (award.level, award.title, person)
            group = groups.get(key)
            if group is None:
                group = groups[key] = AwardGroup(award.level, award.title, person, [], limit)
            group.holders.append(award.holder)
        return sorted(groups.values(), key=lambda g: (_level_rank(g.level), -len(g.holders)))

    def award_sentences(self, limit: int = 5) -> list[list[AwardGroup]]:
        """The award groups one sentence per level (市级 first), so that a long list of
        honours reads as a few sentences rather than one."""
        by_level: dict[str, list[AwardGroup]] = {}
        for group in self.award_groups(limit):
            by_level.setdefault(group.level, []).append(group)
        return list(by_level.values())

    def event_groups(self) -> list[EventGroup]:
        """The events, the same event of several units said once, in the order of
        :attr:`events` (the townships' and the county's first, then the best attended)."""
        groups: dict[str, EventGroup] = {}
        for n, ev in enumerate(self.events):
            key = plan_key(ev.name) or ev.name
            group = groups.get(key)
            if group is None:
                group = groups[key] = EventGroup(ev.name, ev.month, ev.role, None, [], (n,))
            if ev.unit not in group.units:
                group.units.append(ev.unit)
            if ev.month and (group.month is None or ev.month < group.month):
                group.month = ev.month
            if ev.role == "主办":
                group.role = "主办"
            if isinstance(ev.participants, int | float) and not isinstance(ev.participants, bool):
                group.participants = (group.participants or 0) + ev.participants
        return sorted(groups.values(), key=lambda g: g.rank)

    def awards_by_level(self) -> list[tuple[str, list[AwardView]]]:
        groups: dict[str, list[AwardView]] = defaultdict(list)
        for award in self.awards:
            groups[award.level].append(award)
        return [(AWARD_LEVEL_ZH.get(lv, lv), groups[lv]) for lv in AWARD_LEVELS if lv in groups]


def _level_rank(level: str) -> int:
    return AWARD_LEVELS.index(level) if level in AWARD_LEVELS else len(AWARD_LEVELS)
