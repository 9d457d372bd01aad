"""A slow, obviously correct rollup, written apart from the engine, to check it against.

It reads the store through the ORM and follows docs/rollup.md rule by rule with plain
dicts, loops and recursion: no arrays, no tree order, no shared code with
unionroll.core.rollup_*. Only for small data sets in tests.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from sqlalchemy import select

from unionroll.core.forms import FormDefinition
from unionroll.core.periods import Period
from unionroll.core.store import RegisterRow, ReturnRecord, ReturnValue, Unit
from unionroll.core.workspace import Workspace

ACTIVE = {"accepted", "accepted_with_warnings"}


@dataclass
class OFigure:
    value: Any
    reported: int
    expected: int
    yes: int | None = None
    answered: int | None = None
    counts: dict[str, int] | None = None
    numerator: float | None = None
    denominator: float | None = None


@dataclass
class ONode:
    code: str
    figures: dict[str, OFigure] = field(default_factory=dict)
    expected: int = 0
    reported: int = 0
    partial: set[str] = field(default_factory=set)
    missing: set[str] = field(default_factory=set)
    covered: int = 0
    late: set[tuple[str, str]] = field(default_factory=set)
    awards: int = 0
    award_reporters: list[set[str]] = field(default_factory=list)


@dataclass
class OResult:
    nodes: dict[str, ONode]
    overlaps: set[tuple[str, str, str]]  # (consolidating, excluded, quarter)
    stale: set[tuple[str, str, str]]  # (unit, indicator, quarter)


def _open(u: Unit, start: date, end: date) -> bool:
    if u.active_from is not None and u.active_from > end:
        return False
    return not (u.active_to is not None and u.active_to <= start)


def oracle_rollup(workspace: Workspace, period: Period | str, root: str | None = None) -> OResult:
    period = Period.parse(period)
    form: FormDefinition = workspace.form
    quarters = period.subperiods(form.period_type)
    qcodes = [q.code for q in quarters]
    with workspace.session() as s:
        units = {u.id: u for u in s.scalars(select(Unit))}
        rets = list(s.scalars(select(ReturnRecord).where(ReturnRecord.period.in_(qcodes))))
        values: dict[int, dict[str, ReturnValue]] = defaultdict(dict)
        for v in s.scalars(select(ReturnValue)):
            values[v.return_id][v.indicator_id] = v
        regs: dict[int, list[RegisterRow]] = defaultdict(list)
        for row in s.scalars(select(RegisterRow)):
            regs[row.return_id].append(row)
        for u in units.values():
            s.expunge(u)

    children: dict[int, list[int]] = defaultdict(list)
    for u in units.values():
        if u.parent_id is not None:
            children[u.parent_id].append(u.id)
    if root is None:
        root_id = next(u.id for u in units.values() if u.parent_id is None)
    else:
        root_id = next(u.id for u in units.values() if u.code == root)

    def ancestors(uid: int) -> list[int]:  # nearest first
        out = []
        p = units[uid].parent_id
        while p is not None:
            out.append(p)
            p = units[p].parent_id
        return out

    def subtree(uid: int) -> list[int]:
        out = [uid]
        for c in children[uid]:
            out.extend(subtree(c))
        return out

    # the active return of each (unit, quarter): the newest
    active: dict[tuple[int, str], ReturnRecord] = {}
    for r in sorted(rets, key=lambda r: r.id):
        if r.status in ACTIVE:
            active[(r.unit_id, r.period)] = r

    def top_consolidator(uid: int, q: str) -> int | None:
        found = None
        for a in ancestors(uid):  # walking up: the last one found is the highest
            r = active.get((a, q))
            if r is not None and r.consolidated:
                found = a
        return found

    top = {(uid, q): top_consolidator(uid, q) for uid in units for q in qcodes}
    counted = {key: r for key, r in active.items() if top[key] is None and key[1] in qcodes}
    overlaps = set()
    for uid, q in active:
        if top[(uid, q)] is not None:
            overlaps.add((units[top[(uid, q)]].code, units[uid].code, q))

    def val(uid: int, q: str, ind: str) -> ReturnValue | None:
        r = counted.get((uid, q))
        if r is None:
            return None
        v = values[r.id].get(ind)
        if v is None or (v.num is None and v.text is None):
            return None
        return v

    inds = {i.id: i for i in form.indicators}

    # --- per unit, per indicator -----------------------------------------------------
    contrib: dict[tuple[int, str], float] = {}  # only where the unit contributes
    reported_u: dict[tuple[int, str], bool] = {}
    yes_u: dict[tuple[int, str], bool] = {}
    answered_u: dict[tuple[int, str], bool] = {}
    option_u: dict[tuple[int, str], str] = {}
    stale = set()

    def has_value_via_consolidator(uid: int, q: str, ind: str) -> bool:
        c = top[(uid, q)]
        return c is not None and val(c, q, ind) is not None

    latest: dict[tuple[int, str], int] = {}
    for ind_id, ind in inds.items():
        if ind.agg != "stock":
            continue
        for uid in units:
            a = -1
            for i, q in enumerate(qcodes):
                if val(uid, q, ind_id) is not None or top[(uid, q)] is not None:
                    a = i
            latest[(uid, ind_id)] = a

    def used_stock(uid: int, ind_id: str) -> bool:
        a = latest[(uid, ind_id)]
        if a < 0:
            return False
        q = qcodes[a]
        if val(uid, q, ind_id) is None:
            return False
        if counted[(uid, q)].consolidated:
            below = [d for d in subtree(uid) if d != uid]
            if any(latest[(d, ind_id)] > a for d in below):
                return False
        return True

    for uid in units:
        for ind_id, ind in inds.items():
            key = (uid, ind_id)
            own = [(q, val(uid, q, ind_id)) for q in qcodes]
            own = [(q, v) for q, v in own if v is not None]
            via = any(has_value_via_consolidator(uid, q, ind_id) for q in qcodes)
            if ind.agg == "sum":
                if own:
                    contrib[key] = sum(v.num for _, v in own)
                reported_u[key] = bool(own) or via
            elif ind.agg == "stock":
                a = latest[key]
                if used_stock(uid, ind_id):
                    contrib[key] = val(uid, qcodes[a], ind_id).num
                    reported_u[key] = True
                elif a >= 0 and val(uid, qcodes[a], ind_id) is not None:
                    stale.add((units[uid].code, ind_id, qcodes[a]))
                    reported_u[key] = False
                elif a >= 0:
                    c = top[(uid, qcodes[a])]
                    reported_u[key] = (
                        c is not None and latest[(c, ind_id)] == a and used_stock(c, ind_id)
                    )
                else:
                    reported_u[key] = False
            elif ind.agg == "count_yes":
                yes_u[key] = any(v.num == 1 for _, v in own)
                answered_u[key] = bool(own)
                reported_u[key] = bool(own) or via
            elif ind.agg == "choice":
                if own:
                    option_u[key] = own[-1][1].text
                answered_u[key] = bool(own)
                reported_u[key] = bool(own) or via
            elif ind.agg == "none":
                reported_u[key] = bool(own) or via
        for ind_id, ind in inds.items():
            if ind.agg == "ratio":
                reported_u[(uid, ind_id)] = reported_u.get(
                    (uid, ind.numerator), False
                ) and reported_u.get((uid, ind.denominator), False)

    # --- expectations and completeness ------------------------------------------------
    def expected(uid: int) -> bool:
        u = units[uid]
        return u.level in form.levels and _open(u, period.start, period.end)

    def open_quarters(uid: int) -> list[str]:
        return [q.code for q in quarters if _open(units[uid], q.start, q.end)]

    def expected_for(uid: int, ind_id: str) -> bool:
        return expected(uid) and units[uid].level in inds[ind_id].levels

    first_seen: dict[tuple[int, str], datetime] = {}
    for r in rets:
        if r.status in ACTIVE or r.status == "superseded":
            key = (r.unit_id, r.period)
            if key not in first_seen or r.submitted_at < first_seen[key]:
                first_seen[key] = r.submitted_at

    # --- nodes -------------------------------------------------------------------------
    nodes: dict[str, ONode] = {}
    for nid in subtree(root_id):
        members = subtree(nid)
        node = ONode(units[nid].code)
        for ind_id, ind in inds.items():
            rep = sum(1 for m in members if expected_for(m, ind_id) and reported_u[(m, ind_id)])
            exp = sum(1 for m in members if expected_for(m, ind_id))

            def total(i: str, members: list[int] = members) -> float | None:
                parts = [contrib[(m, i)] for m in members if (m, i) in contrib]
                return sum(parts) if parts else None

            if ind.agg in ("sum", "stock"):
                node.figures[ind_id] = OFigure(total(ind_id), rep, exp)
            elif ind.agg == "count_yes":
                yes = sum(1 for m in members if yes_u[(m, ind_id)])
                ans = sum(1 for m in members if answered_u[(m, ind_id)])
                node.figures[ind_id] = OFigure(
                    yes if ans else None, rep, exp, yes=yes, answered=ans
                )
            elif ind.agg == "choice":
                counts = {o: 0 for o in ind.options}
                for m in members:
                    if (m, ind_id) in option_u:
                        o = option_u[(m, ind_id)]
                        counts[o] = counts.get(o, 0) + 1
                node.figures[ind_id] = OFigure(
                    None, rep, exp, counts=counts, answered=sum(counts.values())
                )
            elif ind.agg == "ratio":
                num, den = total(ind.numerator), total(ind.denominator)
                value = num / den if (num is not None and den) else None
                node.figures[ind_id] = OFigure(value, rep, exp, numerator=num, denominator=den)
            else:
                node.figures[ind_id] = OFigure(None, rep, exp)
        for m in members:
            if not expected(m):
                continue
            node.expected += 1
            oq = open_quarters(m)
            acc = [q for q in oq if (m, q) in active or top[(m, q)] is not None]
            if oq and len(acc) == len(oq):
                node.reported += 1
            elif acc:
                node.partial.add(units[m].code)
            else:
                node.missing.add(units[m].code)
            if any(top[(m, q)] is not None for q in oq):
                node.covered += 1
        for m in members:
            for q in quarters:
                at = first_seen.get((m, q.code))
                if at is not None and at.date() > q.deadline(form.deadline_days):
                    node.late.add((units[m].code, q.code))
        # awards: the same award reported by a unit and a unit above it counts once
        award_rows = []
        for m in members:
            for q in qcodes:
                r = counted.get((m, q))
                if r is None:
                    continue
                for row in regs[r.id]:
                    if row.register == "awards":
                        award_rows.append((m, row))
        # the reports of the lowest units count; a unit above one of them that reported
        # the same award, or the same unit reporting it again, is that award again
        awards = []
        for m, row in award_rows:
            key = _award_key(row)
            same = [(m2, r2) for m2, r2 in award_rows if _award_key(r2) == key]
            if any(m2 != m and _related(units, m, m2) and m in ancestors(m2) for m2, _ in same):
                continue  # someone below reported it
            first = min(
                (r2 for m2, r2 in same if m2 == m), key=lambda r2: (r2.return_id, r2.row_no)
            )
            if first is not row:
                continue
            above = {units[m2].code for m2, _ in same if m2 in ancestors(m)}
            awards.append({units[m].code} | above)
        node.awards = len(awards)
        node.award_reporters = awards
        nodes[node.code] = node
    return OResult(nodes=nodes, overlaps=overlaps, stale=stale)


def _related(units: dict[int, Unit], a: int, b: int) -> bool:
    """True when one unit is the other or above it."""

    def chain(x: int) -> set[int]:
        out = {x}
        while units[x].parent_id is not None:
            x = units[x].parent_id
            out.add(x)
        return out

    return a in chain(b) or b in chain(a)


def _award_key(row: RegisterRow) -> tuple[str, str, str]:
    import unicodedata

    def norm(x: Any) -> str:
        text = unicodedata.normalize("NFKC", str(x or "")).casefold()
        return "".join(text.split())

    return (norm(row.data.get("holder")), norm(row.data.get("title")), norm(row.level))
