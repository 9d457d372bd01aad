"""Synthetic data sets for the rollup benchmark: a province and a county.

Shaped like real returns: every unit of the form's levels reports every quarter with
every indicator of its level filled in, a few units miss a quarter, a few townships send
consolidated returns, and each return has a handful of register rows.
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path

from unionroll.core.bulk import BulkRegisterRow, BulkReturn, BulkUnit
from unionroll.core.forms import FormDefinition
from unionroll.core.periods import Period
from unionroll.core.values import AWARD_LEVELS

PROVINCE_TOML = """\
[workspace]
name = "基准测试省教育工会"

[[levels]]
id = "province"
name = "省"

[[levels]]
id = "county"
name = "县"

[[levels]]
id = "township"
name = "学区"

[[levels]]
id = "school"
name = "学校"

[form]
id = "edu-union-quarterly"
"""

TITLES = ("五一劳动奖章", "优秀工会工作者", "模范职工之家", "师德标兵", "巾帼建功标兵")


def write_province_config(root: Path) -> None:
    root.mkdir(parents=True, exist_ok=True)
    (root / "unionroll.toml").write_text(PROVINCE_TOML, encoding="utf-8")


def province_units(counties: int = 100, townships: int = 10, schools: int = 20) -> list[BulkUnit]:
    units = [BulkUnit("P", "基准省教育工会", "province")]
    for c in range(1, counties + 1):
        cc = f"C{c:03d}"
        units.append(BulkUnit(cc, f"第{c}县教育工会", "county", "P"))
        units.extend(_township_block(cc, townships, schools))
    return units


def county_units(townships: int = 15, schools: int = 20) -> list[BulkUnit]:
    units = [BulkUnit("C", "基准县教育工会", "county")]
    units.extend(_township_block("C", townships, schools))
    return units


def _township_block(county: str, townships: int, schools: int) -> Iterator[BulkUnit]:
    for t in range(1, townships + 1):
        tc = f"{county}T{t:02d}"
        yield BulkUnit(tc, f"{county}第{t}学区", "township", county)
        for s in range(1, schools + 1):
            yield BulkUnit(f"{tc}S{s:02d}", f"{tc}第{s}学校", "school", tc)


def returns(
    units: list[BulkUnit],
    form: FormDefinition,
    quarters: list[Period],
    *,
    seed: int = 1,
    missing: float = 0.02,
    consolidated: float = 0.01,
) -> Iterator[BulkReturn]:
    """Returns for every unit of the form's levels in every quarter."""
    rng = random.Random(seed)
    pool = [rng.randint(0, 200) for _ in range(10007)]
    by_level = {
        level: [ind for ind in form.input_indicators_for_level(level)] for level in form.levels
    }
    categories = [sec.id for sec in form.sections]
    consolidating = {u.code for u in units if u.level == "township" and rng.random() < consolidated}
    k = 0
    for q in quarters:
        deadline = q.deadline(form.deadline_days)
        for u in units:
            if u.level not in form.levels or rng.random() < missing:
                continue
            values: dict[str, float | str] = {}
            for ind in by_level[u.level]:
                k = (k + 1) % 10007
                n = pool[k]
                if ind.type == "bool":
                    values[ind.id] = float(n % 3 != 0)
                elif ind.type == "choice":
                    values[ind.id] = ind.options[n % len(ind.options)]
                elif ind.type == "money":
                    values[ind.id] = n * 125.5
                else:
                    values[ind.id] = float(n)
            regs = [
                BulkRegisterRow(
                    "awards",
                    {
                        "holder_type": "个人",
                        "holder": f"{u.name}教师{pool[k] % 7}",
                        "title": TITLES[pool[k] % len(TITLES)],
                        "level": AWARD_LEVELS[pool[k] % len(AWARD_LEVELS)],
                        "month": q.last_month,
                        "category": categories[pool[k] % len(categories)],
                    },
                ),
                BulkRegisterRow(
                    "events",
                    {
                        "name": "教职工趣味运动会",
                        "category": "culture",
                        "month": q.first_month,
                        "role": "主办",
                        "participants": pool[k],
                    },
                ),
                BulkRegisterRow("highlights", {"category": "care", "text": "开展金秋助学活动"}),
            ]
            if q.index in (2, 4):
                regs.append(
                    BulkRegisterRow(
                        "priorities",
                        {
                            "category": "care",
                            "text": "走访慰问困难教职工",
                            "indicator": "needy_staff_visited",
                            "target": float(pool[k] % 50),
                        },
                    )
                )
            late = rng.random() < 0.05
            yield BulkReturn(
                unit=u.code,
                period=q.code,
                values=values,
                registers=regs,
                consolidated=u.code in consolidating,
                submitted_at=datetime.combine(deadline, datetime.min.time())
                + timedelta(days=3 if late else -2, hours=9),
            )
