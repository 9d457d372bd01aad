"""The whole demo data set: two quarters of returns from every unit, with a few late and
missing ones, and last year's plans of the county and township unions."""

from __future__ import annotations

import random
from datetime import datetime, time, timedelta

from unionroll.core.forms import FormDefinition
from unionroll.core.periods import Period
from unionroll.demo.generate.data import DemoData, DemoReturn, DemoUnit, demo_year, spec
from unionroll.demo.generate.faults import _add_faults
from unionroll.demo.generate.registers import _registers
from unionroll.demo.generate.units import demo_units
from unionroll.demo.generate.values import _flows, _own_work, _school_profile


def generate(form: FormDefinition, *, year: int | None = None, seed: int = 2025) -> DemoData:
    """Units and two quarters of returns, with a few late, missing and faulty ones."""
    year = year or demo_year()
    rng = random.Random(seed)
    units = demo_units()
    schools = [u for u in units if u.level == "school"]
    profiles = {u.code: _school_profile(rng, u) for u in schools}
    quarters = [Period.parse(f"{year}Q1"), Period.parse(f"{year}Q2")]

    fmt_by_township = {"T09": "json", "T10": "json", "T11": "csv"}
    missing = {
        ("T0412", quarters[1].code),
        ("T0711", quarters[1].code),
        ("T1209", quarters[0].code),
    }
    late = {"T0203", "T0505", "T0810", "T0304", "QS05", "T1102"}
    returns: list[DemoReturn] = []
    for period in quarters:
        deadline = period.deadline(form.deadline_days)
        for unit in units:
            if (unit.code, period.code) in missing:
                continue
            if unit.level == "school":
                values = {
                    **profiles[unit.code],
                    **_flows(
                        rng,
                        unit,
                        period.index,
                        profiles[unit.code]["staff_total"],
                        profiles[unit.code]["female_staff"] / profiles[unit.code]["staff_total"],
                    ),
                }
                fmt = (
                    "xlsx"
                    if unit.parent_code in (None, "QS")
                    else fmt_by_township.get(unit.parent_code or "", "xlsx")
                )
            else:
                values = _own_work(rng, unit, period.index)
                fmt = "json"
            payload = {
                "form": form.id,
                "form_version": form.version,
                "unit": unit.code,
                "period": period.code,
                "values": values,
                **_registers(rng, unit, period, form),
            }
            days_before = rng.randint(0, 9)
            received = datetime.combine(
                deadline - timedelta(days=days_before),
                time(9 + rng.randint(0, 8), rng.randint(0, 59)),
            )
            note = ""
            if unit.code in late and period.index == 2:
                received = datetime.combine(
                    deadline + timedelta(days=rng.randint(3, 12)), time(15, 30)
                )
                note = "late"
            group = unit.parent_code if fmt == "csv" else None
            returns.append(DemoReturn(unit, period, payload, received, fmt, note, group))
    _add_faults(returns, quarters)
    returns[:0] = _last_year_plans(rng, units, form, Period.parse(f"{year - 1}Q4"))
    return DemoData(units=units, returns=returns, year=year, missing=sorted(missing))


def _last_year_plans(
    rng: random.Random, units: list[DemoUnit], form: FormDefinition, q4: Period
) -> list[DemoReturn]:
    """Last year's fourth-quarter returns of the county and township unions, with the plans
    for this half-year that this half's figures are measured against."""
    section = {sec.id: sec.name for sec in form.sections}
    received = datetime.combine(q4.deadline(form.deadline_days) - timedelta(days=3), time(10))
    out = []
    for unit in units:
        if unit.level == "school":
            continue
        plans = []
        for item in spec()["last_year_plans"][unit.level]:
            plan = {"category": section[item["category"]], "text": item["text"]}
            if "indicator" in item:
                plan["indicator"] = item["indicator"]
                plan["target"] = item.get("target") or rng.choice(item["targets"])
                plan["month"] = item["month"]
            plans.append(plan)
        payload = {
            "form": form.id,
            "form_version": form.version,
            "unit": unit.code,
            "period": q4.code,
            "values": {"committee_meetings": rng.randint(1, 3)},
            "priorities": plans,
        }
        out.append(DemoReturn(unit, q4, payload, received, "json", "last-year"))
    return out
