"""The reviewers' pages: the completeness table of their area with approve / return /
unlock buttons, and the chase list of the units still to report."""

from __future__ import annotations

import tempfile
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for

from unionroll.core.accounts import Account
from unionroll.core.errors import UnionrollError
from unionroll.core.periods import Period
from unionroll.core.review import Reviewer, ReviewState, awaiting_review, review_states
from unionroll.core.review_actions import apply_many
from unionroll.core.status import GroupStatus, PeriodStatus, UnitStatus, period_status
from unionroll.plugins.chase_list import chase_reason, write_chase_list
from unionroll.web.app import workspace
from unionroll.web.auth import area, current, reviewers_only
from unionroll.web.unit_pages import form_period, recent_periods, send_xlsx

bp = Blueprint("review", __name__)

ACTIONS = {"approve": "审核通过", "return": "退回修改", "unlock": "解锁"}


@dataclass
class Row:
    unit: UnitStatus
    review: ReviewState
    can_approve: bool
    can_return: bool
    can_unlock: bool
    why: str


def area_status(account: Account, period: Period) -> PeriodStatus:
    """The period's status, limited to the units the account may see."""
    full = period_status(workspace(), period)
    mine = area(account)
    groups = []
    for g in full.groups:
        units = [u for u in g.units if u.code in mine]
        if units:
            groups.append(GroupStatus(g.code, g.name, units))
    return PeriodStatus(period=full.period, deadline=full.deadline, today=full.today, groups=groups)


def _row(account: Account, unit: UnitStatus, review: ReviewState, mine: set[str]) -> Row:
    own = unit.code == account.unit_code
    may_act = not own or account.is_top
    by_below = review.reviewer_code in mine and review.reviewer_code != account.unit_code
    approvable = review.state in ("submitted", "returned") or (
        review.state == "approved" and by_below
    )
    returnable = review.state == "submitted" or (
        review.state == "approved" and (by_below or review.reviewer_code == account.unit_code)
    )
    return Row(
        unit=unit,
        review=review,
        can_approve=may_act and approvable,
        can_return=may_act and returnable,
        can_unlock=account.is_top and review.state == "locked",
        why=chase_reason(unit),
    )


@bp.route("/review")
@reviewers_only
def index() -> Any:
    periods = recent_periods(date.today())
    return redirect(url_for("review.table", period_code=periods[0].code))


@bp.route("/review/<period_code>")
@reviewers_only
def table(period_code: str) -> Any:
    account = current()
    period = form_period(period_code)
    status = area_status(account, period)
    states = review_states(workspace(), period)
    mine = area(account)
    waiting = awaiting_review(workspace(), account.unit_code, period)
    show = request.args.get("show", "all")
    chase_codes = {u.code for u in status.to_chase}
    wanted = {"waiting": set(waiting), "chase": chase_codes}.get(show)
    groups = []
    for g in status.groups:
        rows = [
            _row(account, u, states[u.code], mine)
            for u in g.units
            if wanted is None or u.code in wanted
        ]
        if rows:
            groups.append((g, rows))
    return render_template(
        "review.html",
        period=period,
        periods=recent_periods(date.today()),
        status=status,
        groups=groups,
        waiting=len(waiting),
        chase=status.to_chase,
        approve_label="确认并锁定" if account.is_top else "审核通过",
        show=show if wanted is not None else "all",
    )


@bp.route("/review/<period_code>/act", methods=["POST"])
@reviewers_only
def act(period_code: str) -> Any:
    account = current()
    period = form_period(period_code)
    action = request.form.get("action", "")
    if action not in ACTIONS and action != "approve_all":
        abort(400)
    reason = (request.form.get("reason") or "").strip() or None
    if action == "approve_all":
        codes = awaiting_review(workspace(), account.unit_code, period)
        action = "approve"
    else:
        code = request.form.get("unit", "")
        if code not in area(account):
            abort(403)
        codes = [code]
    reviewer = Reviewer(account.unit_code, account.display)
    try:
        results = apply_many(workspace(), action, codes, period, reviewer, reason)
    except UnionrollError as exc:  # a reason too long, a period the form does not use
        flash(str(exc), "error")
        return redirect(url_for("review.table", period_code=period.code))
    done = [r for r in results if r.ok]
    for r in results:
        if not r.ok:
            flash(r.error or "未处理。", "error")
    if done:
        names = "、".join(r.state.unit_name for r in done if r.state)
        verb = "确认并锁定" if action == "approve" and account.is_top else ACTIONS[action]
        label = done[0].state.label if done[0].state else ""
        if len(done) == 1:
            flash(f"{verb}：{names}（现在：{label}）", "ok")
        else:
            flash(f"{verb} {len(done)} 个单位：{names}", "ok")
    elif not results:
        flash("没有待审核的单位。", "ok")
    return redirect(url_for("review.table", period_code=period.code))


@bp.route("/review/<period_code>/chase.xlsx")
@reviewers_only
def chase(period_code: str) -> Any:
    account = current()
    period = form_period(period_code)
    status = area_status(account, period)
    with tempfile.TemporaryDirectory(prefix="unionroll-chase-") as folder:
        path = write_chase_list(status, Path(folder) / "chase.xlsx", title_prefix=account.unit_name)
        blob = path.read_bytes()
    return send_xlsx(blob, f"{period.code}_{account.unit_code}_催报名单.xlsx")
