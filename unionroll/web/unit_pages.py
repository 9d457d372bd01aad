"""A unit's own pages: its periods, its template, uploading a return, its history."""

from __future__ import annotations

import io
import tempfile
import uuid
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any

from flask import (
    Blueprint,
    abort,
    current_app,
    redirect,
    render_template,
    request,
    send_file,
    url_for,
)
from jinja2 import Environment
from sqlalchemy import select

from unionroll.adapters.xlsx_template import template_filename, write_template
from unionroll.core.accounts import Account
from unionroll.core.errors import PeriodError
from unionroll.core.periods import Period, PeriodType
from unionroll.core.review import ReviewState, local_time, review_history, review_state
from unionroll.core.store import ReturnRecord, Unit, stored_return
from unionroll.core.units import unit_infos
from unionroll.plugins.receipts import receipt_environment
from unionroll.web import upload as uploads
from unionroll.web.app import workspace
from unionroll.web.auth import current, require_area

bp = Blueprint("units", __name__)

RETURN_STATUS_ZH = {
    "accepted": "已收录",
    "accepted_with_warnings": "已收录（有提醒）",
    "rejected": "退回：有错误，未收录",
    "superseded": "已被更新的报表替换",
}
RECENT_QUARTERS = 4


@dataclass
class PeriodRow:
    period: Period
    deadline: date
    review: ReviewState
    last_sent: datetime | None
    last_status: str | None
    can_upload: bool


def form_period(text: str) -> Period:
    """A period from a URL: one of the form's reporting periods, or 404."""
    try:
        period = Period.parse(text)
    except PeriodError:
        abort(404)
    if period.type is not workspace().form.period_type:
        abort(404)
    return period


def recent_periods(today: date, unit_id: int | None = None) -> list[Period]:
    """The last few ended reporting periods and every one with a return (of the unit,
    when given), newest first; the period under way too once it is nearly over."""
    ws = workspace()
    kind = ws.form.period_type
    newest = Period.containing(today, kind)
    if not newest.has_ended(today) and (newest.end - today).days > 15:
        newest = newest.previous()
    found = {newest}
    p = newest
    for _ in range(RECENT_QUARTERS - 1):
        p = p.previous()
        found.add(p)
    query = select(ReturnRecord.period).distinct()
    if unit_id is not None:
        query = query.where(ReturnRecord.unit_id == unit_id)
    with ws.session() as session:
        found.update(Period.parse(code) for code in session.execute(query).scalars())
    return sorted((p for p in found if p.type is kind and not p.is_future(today)), reverse=True)


def send_xlsx(blob: bytes, name: str) -> Any:
    return send_file(
        io.BytesIO(blob),
        mimetype="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        as_attachment=True,
        download_name=name,
    )


def _last_sent(unit_id: int) -> dict[str, tuple[datetime, str]]:
    with workspace().session() as session:
        rows = session.execute(
            select(ReturnRecord.period, ReturnRecord.submitted_at, ReturnRecord.status)
            .where(ReturnRecord.unit_id == unit_id)
            .order_by(ReturnRecord.id)
        ).all()
    return {period: (at, status) for period, at, status in rows}


@bp.route("/")
def home() -> Any:
    return redirect(url_for("units.periods"))


@bp.route("/periods")
def periods() -> Any:
    account = current()
    ws = workspace()
    today = date.today()
    sent = _last_sent(account.unit_id)
    rows = []
    reports = account.unit_level in ws.form.levels
    for period in recent_periods(today, account.unit_id) if reports else []:
        review = review_state(ws, account.unit_code, period)
        last = sent.get(period.code)
        rows.append(
            PeriodRow(
                period=period,
                deadline=period.deadline(ws.form.deadline_days),
                review=review,
                last_sent=last[0] if last else None,
                last_status=RETURN_STATUS_ZH.get(last[1]) if last else None,
                can_upload=not review.locked,
            )
        )
    return render_template("periods.html", rows=rows, reports=reports, today=today)


@bp.route("/periods/<period_code>/template.xlsx")
def template(period_code: str) -> Any:
    account = current()
    period = form_period(period_code)
    ws = workspace()
    with ws.session() as session:
        unit = unit_infos(session)[account.unit_code]
    if unit.level not in ws.form.levels:
        abort(404)
    with tempfile.TemporaryDirectory(prefix="unionroll-template-") as folder:
        path = write_template(
            Path(folder) / "template.xlsx",
            form=ws.form,
            unit=unit,
            period=period,
            level_name=ws.config.level_name(unit.level),
            county_name=ws.config.name,
            template_id=uuid.uuid4().hex,
        )
        blob = path.read_bytes()
    return send_xlsx(blob, template_filename(unit, period))


@bp.route("/periods/<period_code>/upload", methods=["GET", "POST"])
def upload(period_code: str) -> Any:
    account = current()
    period = form_period(period_code)
    ws = workspace()
    if account.unit_level not in ws.form.levels:
        abort(404)
    review = review_state(ws, account.unit_code, period)
    if request.method == "GET":
        return render_template("upload.html", period=period, review=review, error=None)
    upload_file = request.files.get("file")
    if upload_file is None or not upload_file.filename:
        return render_template(
            "upload.html", period=period, review=review, error="请先选择要上传的报表文件。"
        ), 400
    receipt = uploads.receive(ws, account, upload_file, period, env=_receipt_env())
    after = review_state(ws, account.unit_code, period)
    return render_template("receipt.html", period=period, receipt=receipt, review=after)


def _receipt_env() -> Environment:
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    env = app.extensions.get("unionroll_receipt_env")
    if env is None:
        env = app.extensions["unionroll_receipt_env"] = receipt_environment(workspace())
    return env


@bp.route("/history")
def history() -> Any:
    account = current()
    return render_template("history.html", **unit_history(account, account.unit_code))


@bp.route("/units/<code>/history")
def unit_history_page(code: str) -> Any:
    account = require_area(code)
    return render_template("history.html", **unit_history(account, code))


def unit_history(account: Account, code: str) -> dict[str, Any]:
    ws = workspace()
    with ws.session() as session:
        unit = session.execute(select(Unit).where(Unit.code == code)).scalar_one_or_none()
        if unit is None:
            abort(404)
        returns = (
            session.execute(
                select(ReturnRecord)
                .where(ReturnRecord.unit_id == unit.id)
                .order_by(ReturnRecord.period.desc(), ReturnRecord.id.desc())
            )
            .scalars()
            .all()
        )
    by_period: dict[str, list[ReturnRecord]] = {}
    for r in returns:
        by_period.setdefault(r.period, []).append(r)
    sections = []
    for code_ in sorted(by_period, reverse=True):
        period = Period.parse(code_)
        if period.type is not PeriodType(ws.form.period_type):
            continue
        sections.append(
            {
                "period": period,
                "returns": by_period[code_],
                "review": review_state(ws, unit.code, period),
                "steps": review_history(ws, unit.code, period),
            }
        )
    return {
        "unit": unit,
        "sections": sections,
        "status_zh": RETURN_STATUS_ZH,
        "own": code == account.unit_code,
    }


@bp.route("/returns/<int:return_id>")
def return_detail(return_id: int) -> Any:
    ws = workspace()
    with ws.session() as session:
        stored = stored_return(session, return_id)
        if stored is None:
            abort(404)
        require_area(stored.unit.code)
        record, unit, values, findings = (
            stored.record,
            stored.unit,
            stored.values,
            stored.findings,
        )
    form = ws.form
    shown = []
    for ind in form.indicators:
        value = next((v for v in values if v.indicator_id == ind.id), None)
        if value is None:
            continue
        text = value.text if value.text is not None else _number(value.num)
        shown.append({"label": ind.label, "unit": ind.unit or "", "value": text})
    return render_template(
        "return.html",
        record=record,
        unit=unit,
        period=Period.parse(record.period),
        values=shown,
        findings=findings,
        status_zh=RETURN_STATUS_ZH,
        submitted=record.submitted_at,
        superseded_at=local_time(record.superseded_at) if record.superseded_at else None,
    )


def _number(value: float | None) -> str:
    if value is None:
        return ""
    return str(int(value)) if float(value).is_integer() else f"{value:,.2f}"
