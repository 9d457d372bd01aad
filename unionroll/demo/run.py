"""The whole flow on the built-in demo county: workspace, units, returns, ingest, reports.

The returns arrive as a county's really do: most schools send the filled Excel template,
two townships' schools send JSON, one township sends a CSV long table for its schools;
some are late, a few are missing, two are rejected and one of those is corrected.
"""

from __future__ import annotations

import csv
import io
import json
import shutil
from collections import Counter, defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, time
from pathlib import Path

from unionroll.adapters.xlsx_template import write_template
from unionroll.core.accounts import add_user
from unionroll.core.errors import UsageError
from unionroll.core.ingest import IngestOptions, IngestResult, ingest_paths
from unionroll.core.model import UnitInfo
from unionroll.core.periods import Period
from unionroll.core.receipt_data import stored_receipts
from unionroll.core.reporting import ReportRun, run_reports
from unionroll.core.review import Reviewer, awaiting_review
from unionroll.core.review_actions import StepResult, apply_many
from unionroll.core.status import PeriodStatus, period_status
from unionroll.core.units import import_units
from unionroll.core.workspace import CONFIG_NAME, Workspace
from unionroll.demo.generate import DemoData, DemoReturn, generate, spec, units_csv
from unionroll.plugins.chase_list import write_chase_list
from unionroll.plugins.receipts import ReceiptWriter

REGISTERS = ("awards", "events", "highlights", "problems", "priorities")


@dataclass
class DemoRun:
    root: Path
    data: DemoData
    ingests: list[IngestResult] = field(default_factory=list)
    statuses: list[PeriodStatus] = field(default_factory=list)
    chase_lists: list[Path] = field(default_factory=list)
    reports: ReportRun | None = None
    files_written: int = 0
    review: list[StepResult] = field(default_factory=list)
    logins: list[tuple[str, str]] = field(default_factory=list)  # login, what it shows
    word_receipts: list[Path] = field(default_factory=list)

    @property
    def half(self) -> Period:
        return Period.parse(f"{self.data.year}H1")


def prepare_folder(root: Path, *, force: bool) -> None:
    if not root.exists():
        return
    if not any(root.iterdir()):
        return
    if not force:
        raise UsageError(
            f"{root} 已存在且不是空文件夹。请换一个文件夹（--out），"
            "或加 --force 重新生成演示工作区。"
        )
    if not (root / CONFIG_NAME).is_file():
        raise UsageError(f"{root} 不是 unionroll 工作区，为安全起见不会删除它。请换一个文件夹。")
    shutil.rmtree(root)


def run_demo(
    root: Path,
    *,
    force: bool = False,
    db_url: str | None = None,
    today: date | None = None,
    say: Callable[[str], None] = lambda _msg: None,
) -> DemoRun:
    prepare_folder(root, force=force)
    county = spec()["county"]
    ws = Workspace.create(root, name=county["name"], db_url=db_url)
    try:
        return _run(ws, today=today or date.today(), say=say)
    finally:
        ws.close()


def _run(ws: Workspace, *, today: date, say: Callable[[str], None]) -> DemoRun:
    form = ws.form
    data = generate(form)
    run = DemoRun(ws.root, data)

    units_file = ws.root / "单位名单.csv"
    units_file.write_text(units_csv(data.units), encoding="utf-8-sig")
    result = import_units(ws, units_file)
    levels = Counter(u.level for u in data.units)
    by_level = "，".join(f"{lv.name} {levels[lv.id]} 个" for lv in ws.config.levels)
    say(f"导入单位名单：{result.created} 个单位（{by_level}）")

    incoming = ws.root / "收到的报表"
    batches = _write_returns(ws, data, incoming)
    run.files_written = sum(len(files) for files in batches.values())
    say(f"生成演示报表文件：{run.files_written} 个（Excel 模板、JSON、CSV 长表）")

    # Files are read in the order they arrived, each day's as one batch, so the time of
    # receipt (on time or late) is the day the county got them.
    for day in sorted(batches):
        received = datetime.combine(day, time(17, 0))
        result = ingest_paths(
            ws, batches[day], options=IngestOptions(received_at=received, today=today)
        )
        ReceiptWriter(ws, received_at=received).write(result)
        run.ingests.append(result)
    accepted = sum(r.count("accepted") + r.count("accepted_with_warnings") for r in run.ingests)
    rejected = sum(r.count("rejected") for r in run.ingests)
    say(f"按收到日期分 {len(batches)} 批读取：收录 {accepted} 份，退回 {rejected} 份")
    # The receipts a school has to act on, also as the one-page Word copy it can forward.
    to_act = [
        r
        for quarter in run.half.quarters()
        for r in stored_receipts(ws, quarter)
        if r.errors or r.warnings
    ]
    run.word_receipts = ReceiptWriter(ws, formats=("docx",)).write_receipts(to_act)

    for quarter in run.half.quarters():
        status = period_status(ws, quarter, today=today)
        run.statuses.append(status)
        chase = ws.root / "催报" / f"{quarter.code}_催报名单.xlsx"
        run.chase_lists.append(write_chase_list(status, chase, title_prefix=ws.config.name))

    run.review = _review(ws, run)
    steps = sum(1 for r in run.review if r.ok)
    say(
        f"学区审核、县级确认共 {steps} 次：第一季度已确认锁定，第二季度一半学区已审核，1 份退回修改"
    )
    run.logins = _logins(ws)

    run.reports = run_reports(ws, run.half)
    return run


# A township sends back one school's second-quarter return, as a reviewer would.
RETURNED = ("T03", "T0302", "师德建设签约人数多于在职教职工数，请核实后重新报送。")
DEMO_PASSWORD = "qingshan-demo"
# Demo logins: the county, a township and two of its schools (one sent back).
DEMO_LOGINS = (
    ("QS", "县：审核全县、确认并锁定、解锁"),
    ("T03", "学区：审核本学区学校"),
    ("T0302", "学校：第二季度报表被学区退回，改正后重新上传"),
    ("T0101", "学校：上传报表、看回执"),
)


def _review(ws: Workspace, run: DemoRun) -> list[StepResult]:
    """The first quarter reviewed by every township and confirmed by the county (all but
    one township's schools, still waiting for the county); the second quarter reviewed
    by half the townships, one school sent back."""
    q1, q2 = run.half.quarters()
    townships = [u.code for u in run.data.units if u.level == "township"]
    results: list[StepResult] = []
    for code in townships:
        reviewer = Reviewer(code, f"{code}（演示）")
        results += apply_many(ws, "approve", awaiting_review(ws, code, q1), q1, reviewer)
    county = Reviewer("QS", "县教育工会（演示）")
    last = townships[-1]
    results += apply_many(
        ws,
        "approve",
        [c for c in awaiting_review(ws, "QS", q1) if not c.startswith(last)],
        q1,
        county,
    )
    township, school, reason = RETURNED
    results += apply_many(
        ws, "return", [school], q2, Reviewer(township, f"{township}（演示）"), reason
    )
    for code in townships[: len(townships) // 2]:
        reviewer = Reviewer(code, f"{code}（演示）")
        results += apply_many(ws, "approve", awaiting_review(ws, code, q2), q2, reviewer)
    return results


def _logins(ws: Workspace) -> list[tuple[str, str]]:
    made = []
    for code, role in DEMO_LOGINS:
        login, _ = add_user(ws, code, password=DEMO_PASSWORD)
        made.append((login, role))
    return made


def _write_returns(ws: Workspace, data: DemoData, incoming: Path) -> dict:
    """Write every demo return as the file its unit sends; group the files by arrival."""
    form = ws.form
    batches: dict = defaultdict(list)
    csv_groups: dict[tuple[str, str], list[DemoReturn]] = defaultdict(list)
    level_name = ws.config.level_name
    for n, ret in enumerate(data.returns):
        folder = incoming / ret.period.code / ret.received.strftime("%Y-%m-%d")
        folder.mkdir(parents=True, exist_ok=True)
        unit = ret.unit
        stem = f"{unit.name.removesuffix('工会')} {ret.period.label_zh}"
        if ret.note in ("corrected", "resubmitted"):
            stem += "（修改后）"
        if ret.fmt == "csv":
            csv_groups[(ret.group or "", ret.period.code)].append(ret)
            continue
        if ret.fmt == "json":
            path = folder / f"{stem}.json"
            path.write_text(json.dumps(ret.payload, ensure_ascii=False, indent=1), "utf-8")
        else:
            path = folder / f"{stem}.xlsx"
            write_template(
                path,
                form=form,
                unit=UnitInfo(unit.code, unit.name, unit.level, unit.parent_code),
                period=ret.period,
                level_name=level_name(unit.level),
                county_name=ws.config.name,
                template_id=f"demo-{n:04d}",
                register_rows=60,
                values=ret.payload["values"],
                registers={k: ret.payload.get(k, []) for k in REGISTERS},
            )
        batches[ret.received.date()].append(path)
    # A township that collects its schools' figures sends them in one CSV long table
    # (Excel's default for Chinese is GBK, so that is what it is saved in).
    for (group, period), rets in csv_groups.items():
        received = max(r.received for r in rets)  # sent when the last school had reported
        folder = incoming / period / received.strftime("%Y-%m-%d")
        buffer = io.StringIO()
        writer = csv.writer(buffer, lineterminator="\r\n")
        writer.writerow(["单位代码", "期间", "指标", "数值"])
        for ret in rets:
            for indicator, value in ret.payload["values"].items():
                writer.writerow([ret.unit.code, period, indicator, value])
        path = folder / f"{group} 学区汇总 {period}.csv"
        path.write_bytes(buffer.getvalue().encode("gb18030"))
        batches[received.date()].append(path)
    return batches
