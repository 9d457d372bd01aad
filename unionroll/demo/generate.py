"""Generate the built-in demo county: units and two quarters of realistic returns.

Everything is derived from ``county.yaml`` and a fixed random seed, so the demo is the
same on every machine. Returns are produced in the ``json-return`` shape; the demo runner
writes them out as filled Excel templates, JSON files and CSV long tables.
"""

from __future__ import annotations

import copy
import random
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from functools import cache
from pathlib import Path
from typing import Any

import yaml

from unionroll.core.forms import FormDefinition
from unionroll.core.periods import Period

SPEC_FILE = Path(__file__).resolve().parent / "county.yaml"


@cache
def spec() -> dict[str, Any]:
    return yaml.safe_load(SPEC_FILE.read_text(encoding="utf-8"))


@dataclass(frozen=True)
class DemoUnit:
    code: str
    name: str
    level: str
    parent_code: str | None
    kind: str = ""  # for schools: high, middle, central, primary, kindergarten, special


@dataclass
class DemoReturn:
    unit: DemoUnit
    period: Period
    payload: dict[str, Any]
    received: datetime
    fmt: str  # xlsx | json | csv
    note: str = ""  # why this one is special in the demo (late, rejected, corrected)
    group: str | None = None  # csv returns are written one file per group


@dataclass
class DemoData:
    units: list[DemoUnit]
    returns: list[DemoReturn]
    year: int
    missing: list[tuple[str, str]] = field(default_factory=list)  # (unit code, period)


def demo_year(today: date | None = None) -> int:
    """The latest year whose first half-year has passed its reporting deadline."""
    today = today or date.today()
    return today.year if today >= date(today.year, 7, 20) else today.year - 1


# --- units --------------------------------------------------------------------------------


def demo_units() -> list[DemoUnit]:
    s = spec()
    county = s["county"]
    units = [DemoUnit(county["code"], county["name"], "county", None)]
    for i, name in enumerate(s["county_schools"], start=1):
        kind = "high" if "中学" in name else "special" if "特殊" in name else "central"
        units.append(
            DemoUnit(f"{county['code']}{i:02d}", f"{name}工会", "school", county["code"], kind)
        )
    for town in s["townships"]:
        units.append(DemoUnit(town["code"], f"{town['name']}工会", "township", county["code"]))
        place, villages = town["place"], town["villages"]
        schools: list[tuple[str, str]] = [
            (f"{place}初级中学", "middle"),
            (f"{place}中心小学", "central"),
            (f"{place}中心幼儿园", "kindergarten"),
        ]
        schools += [(f"{v}小学", "primary") for v in villages]
        extra = iter(
            [(f"{v}初级中学", "middle") for v in villages[1:3]]
            + [(f"{v}幼儿园", "kindergarten") for v in villages]
        )
        while len(schools) < 12:
            schools.append(next(extra))
        for j, (school, kind) in enumerate(schools, start=1):
            units.append(
                DemoUnit(f"{town['code']}{j:02d}", f"{school}工会", "school", town["code"], kind)
            )
    return units


def units_csv(units: list[DemoUnit]) -> str:
    lines = ["代码,名称,层级,上级代码"]
    level_zh = {"county": "县", "township": "学区", "school": "学校"}
    lines += [f"{u.code},{u.name},{level_zh[u.level]},{u.parent_code or ''}" for u in units]
    return "\n".join(lines) + "\n"


# --- values -------------------------------------------------------------------------------

_STAFF = {
    "high": (180, 320),
    "middle": (55, 130),
    "central": (40, 95),
    "primary": (12, 40),
    "kindergarten": (8, 26),
    "special": (25, 40),
    "": (10, 20),
}


def _school_profile(rng: random.Random, unit: DemoUnit) -> dict[str, Any]:
    lo, hi = _STAFF[unit.kind]
    staff = rng.randint(lo, hi)
    female_share = 0.85 if unit.kind == "kindergarten" else rng.uniform(0.5, 0.72)
    female = round(staff * female_share)
    members = staff - (rng.randint(0, 2) if staff > 20 else 0)
    home_level = rng.choices(["无", "合格", "先进", "模范"], [1, 5, 3, 1])[0]
    return {
        "staff_total": staff,
        "female_staff": female,
        "members_total": members,
        "retirees_total": round(staff * rng.uniform(0.15, 0.45)),
        "union_cadres": max(3, min(9, staff // 12)),
        "has_women_committee": "是" if staff >= 20 or rng.random() < 0.5 else "否",
        "has_audit_committee": "是" if rng.random() < 0.9 else "否",
        "staff_home_level": home_level,
    }


def _flows(
    rng: random.Random, unit: DemoUnit, quarter: int, staff: int, female_share: float
) -> dict[str, Any]:
    """Quarterly work figures: small for a village school, larger for a big one."""
    scale = max(staff, 20) / 60
    spring = quarter == 1  # Spring Festival visits fall in the first quarter

    def n(base: float, spread: float = 0.5) -> int:
        return max(0, round(base * scale * rng.uniform(1 - spread, 1 + spread)))

    visited = n(1.6 if spring else 0.6, 0.8)
    values: dict[str, Any] = {
        "needy_staff_registered": n(1.2, 0.6),
        "needy_staff_visited": visited,
        "care_funds": visited * rng.choice([300, 400, 500]) if visited else 0,
        "sick_staff_visited": n(0.8, 0.9),
        "student_aid_persons": 0,
        "student_aid_funds": 0,
        "blood_donors": n(0.0 if spring else 3.0, 0.9),
        "congress_held": "是" if spring or rng.random() < 0.2 else "否",
        "proposals_collected": n(3 if spring else 1, 0.8),
        "affairs_disclosures": n(2, 0.5),
        "suggestions_collected": n(2, 0.8),
        "survey_questionnaires": n(1.5 if not spring else 0, 0.9),
        "study_sessions": n(2, 0.5),
        "ethics_events": n(1, 0.6),
        "ethics_pledges": staff if spring else 0,
        "essays_submitted": n(0.0 if spring else 0.4, 1.0),
        "skills_contests": n(0.5, 0.9),
        "skills_participants": n(8, 0.7),
        "mentoring_pairs": n(2, 0.5),
        "trainings_held": n(0.6, 0.9),
        "training_participants": n(10, 0.7),
        "culture_events": n(1.2, 0.7),
        "culture_participants": n(30, 0.6),
        "teams_sent": n(0.2 if spring else 0.6, 1.0),
        "women_events": n(1.0 if spring else 0.3, 0.7),
        "health_checks": 0,
        "women_health_checks": 0,
        "recuperation_participants": n(0.0 if spring else 0.5, 1.0),
        "committee_meetings": rng.randint(1, 3),
        "cadre_trainees": n(0.5, 1.0),
        "dues_collected": round(staff * rng.uniform(90, 130), 2),
        "funds_spent": round(staff * rng.uniform(150, 260), 2),
        "info_submitted": n(1.5, 0.7),
    }
    values["proposals_resolved"] = min(values["proposals_collected"], n(2 if spring else 1.5, 0.7))
    values["suggestions_adopted"] = min(values["suggestions_collected"], n(1, 0.8))
    values["essays_awarded"] = min(values["essays_submitted"], n(0.1, 1.0))
    values["info_published"] = min(values["info_submitted"], n(0.4, 1.0))
    values["blood_donors"] = min(values["blood_donors"], staff)
    if quarter == 2:  # the annual check-up falls in the second quarter at most schools
        if rng.random() < 0.8:
            values["health_checks"] = staff - rng.randint(0, max(1, staff // 10))
        if rng.random() < 0.7:
            values["women_health_checks"] = round(values.get("health_checks", 0) * female_share)
    return values


def _own_work(rng: random.Random, unit: DemoUnit, quarter: int) -> dict[str, Any]:
    """What a township or the county union itself did (its staff are counted at schools)."""
    big = unit.level == "county"
    values = {
        "needy_staff_visited": rng.randint(6, 12) if big and quarter == 1 else rng.randint(0, 3),
        "sick_staff_visited": rng.randint(0, 4),
        "committee_meetings": rng.randint(1, 3),
        "cadre_trainees": rng.randint(20, 60) if big else rng.randint(0, 8),
        "trainings_held": rng.randint(1, 2) if big else rng.randint(0, 1),
        "training_participants": rng.randint(60, 150) if big else rng.randint(0, 30),
        "info_submitted": rng.randint(4, 10) if big else rng.randint(1, 4),
        "info_published": rng.randint(1, 3),
        "inspections": rng.randint(10, 30) if big else rng.randint(2, 12),
        "units_standardised": rng.randint(2, 6) if not big else 0,
        "culture_events": rng.randint(1, 3) if big else rng.randint(0, 2),
        "culture_participants": rng.randint(100, 300) if big else rng.randint(0, 80),
        "teams_sent": rng.randint(1, 3) if big and quarter == 2 else 0,
        "dues_collected": 0,
        "funds_spent": round(rng.uniform(5000, 20000) if big else rng.uniform(500, 3000), 2),
    }
    values["care_funds"] = values["needy_staff_visited"] * (1000 if big else 500)
    values["info_published"] = min(values["info_published"], values["info_submitted"])
    return values


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


# --- the whole data set -------------------------------------------------------------------


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


def _add_faults(returns: list[DemoReturn], quarters: list[Period]) -> None:
    """Make a few returns wrong, as real ones are, and send corrections for some."""
    by_key = {(r.unit.code, r.period.code): r for r in returns}
    q1, q2 = quarters[0].code, quarters[1].code

    # Rejected and never corrected: more women than staff.
    bad = by_key[("T0607", q2)]
    bad.payload["values"]["female_staff"] = bad.payload["values"]["staff_total"] + 7
    bad.note = "rejected"

    # Rejected, then corrected a few days later: an approximate figure nobody can add up.
    wrong = by_key[("T0806", q2)]
    fixed = DemoReturn(
        wrong.unit,
        wrong.period,
        copy.deepcopy(wrong.payload),
        wrong.received + timedelta(days=3),
        wrong.fmt,
        "corrected",
    )
    wrong.payload["values"]["culture_participants"] = "三十余"
    wrong.note = "rejected"
    returns.append(fixed)

    # Accepted, then resubmitted with a changed figure: the new one supersedes the old.
    first = by_key[("T0102", q1)]
    second = DemoReturn(
        first.unit,
        first.period,
        copy.deepcopy(first.payload),
        first.received + timedelta(days=2),
        first.fmt,
        "resubmitted",
    )
    second.payload["values"]["needy_staff_visited"] = (
        int(second.payload["values"]["needy_staff_visited"]) + 1
    )
    second.payload["values"]["care_funds"] = float(second.payload["values"]["care_funds"]) + 500
    returns.append(second)

    # A township reports again an award one of its schools already reported.
    school_award = next(
        r
        for r in returns
        if r.unit.parent_code == "T03" and r.payload["awards"] and r.period.code == q2
    )
    township = by_key[("T03", q2)]
    township.payload["awards"] = township.payload["awards"] + [
        dict(school_award.payload["awards"][0])
    ]

    # Accepted with a warning: blood donors exceed the staff count.
    odd = by_key[("T0301", q2)]
    odd.payload["values"]["blood_donors"] = odd.payload["values"]["staff_total"] + 2
    odd.note = "warning"

    # Accepted with outlier warnings, the slips a county finds by eye: a training count
    # with a zero too many, and the yuan paid typed as the people visited.
    schools = sorted(
        (r for r in returns if r.period.code == q2 and r.unit.level == "school" and not r.note),
        key=lambda r: (-int(r.payload["values"].get("staff_total") or 0), r.unit.code),
    )
    values = schools[0].payload["values"]
    values["training_participants"] = int(values["staff_total"]) * 12
    schools[0].note = "warning"
    paid = next(r for r in schools[1:] if float(r.payload["values"].get("care_funds") or 0) > 0)
    paid.payload["values"]["needy_staff_visited"] = int(float(paid.payload["values"]["care_funds"]))
    paid.note = "warning"
