"""The demo's faulty returns: rejected, corrected, resubmitted, a duplicated award, and
figures that draw warnings."""

from __future__ import annotations

import copy
from datetime import timedelta

from unionroll.core.periods import Period
from unionroll.demo.generate.data import DemoReturn


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
