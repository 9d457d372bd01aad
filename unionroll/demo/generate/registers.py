"""The register rows of the demo's returns: events, awards, highlights, problems and
plans."""

from __future__ import annotations

import random
from typing import Any

from unionroll.core.forms import FormDefinition
from unionroll.core.periods import Period
from unionroll.demo.generate.data import DemoUnit, spec


def _person(rng: random.Random) -> str:
    s = spec()
    return rng.choice(s["surnames"]) + rng.choice(s["given_names"])


def _registers(
    rng: random.Random, unit: DemoUnit, period: Period, form: FormDefinition
) -> dict[str, list[dict[str, Any]]]:
    s = spec()
    months = list(period.months())
    regs: dict[str, list[dict[str, Any]]] = {
        "awards": [],
        "events": [],
        "highlights": [],
        "problems": [],
        "priorities": [],
    }
    section_name = {sec.id: sec.name for sec in form.sections}
    for event in rng.sample(s["events"], k=rng.randint(1, 3)):
        in_period = [m for m in event["months"] if m in months]
        if not in_period:
            continue
        regs["events"].append(
            {
                "name": event["name"],
                "category": section_name[event["category"]],
                "month": rng.choice(in_period),
                "role": "主办" if unit.level != "school" or rng.random() < 0.6 else "参加",
                "participants": rng.randint(10, 80),
            }
        )
    if rng.random() < 0.22:
        award = rng.choice(s["awards"])
        holder = unit.name.removesuffix("工会") if award["holder_type"] != "个人" else _person(rng)
        regs["awards"].append(
            {
                "holder_type": award["holder_type"],
                "holder": holder,
                "title": award["title"],
                "level": rng.choice(award["levels"]),
                "body": "青山县总工会",
                "month": rng.choice(months),
                "category": section_name[award["category"]],
            }
        )
    if rng.random() < 0.35:
        category = rng.choice(list(s["highlights"]))
        regs["highlights"].append(
            {"category": section_name[category], "text": rng.choice(s["highlights"][category])}
        )
    if period.index == 2 and rng.random() < 0.25:
        problem = rng.choice(s["problems"])
        regs["problems"].append(
            {"category": section_name[problem["category"]], "text": problem["text"]}
        )
    if period.index == 2:
        for item in rng.sample(s["priorities"], k=rng.randint(1, 2)):
            if unit.level not in item.get("levels", ["school", "township", "county"]):
                continue
            row: dict[str, Any] = {"category": section_name[item["category"]], "text": item["text"]}
            if item.get("indicator") and rng.random() < 0.8:
                row["indicator"] = item["indicator"]
                row["target"] = rng.randint(2, 12) if unit.level == "school" else rng.randint(5, 40)
                row["month"] = rng.choice([8, 9, 10, 11, 12])
            regs["priorities"].append(row)
    return regs
