"""The figures of the demo's returns: a school's staff and committees, its quarterly work,
and what a township or the county union itself did."""

from __future__ import annotations

import random
from typing import Any

from unionroll.demo.generate.data import DemoUnit

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
