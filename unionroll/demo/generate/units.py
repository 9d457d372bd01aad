"""The demo county's units (the county, its townships and their schools) and the unit list
as a CSV file."""

from __future__ import annotations

from unionroll.demo.generate.data import DemoUnit, spec


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
