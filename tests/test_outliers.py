"""Outliers: a value far from its unit's past or its peers is a warning in the receipt
(the return is accepted), listed by ``unionroll outliers`` and in the workbook."""

from __future__ import annotations

import json
import math
import random
import statistics
from pathlib import Path
from typing import Any

import openpyxl
import pytest
import yaml
from report_support import json_return, load_county
from sqlalchemy import select

from unionroll.core.errors import FormDefinitionError
from unionroll.core.forms import STANDARD_FORM_FILE, parse_form
from unionroll.core.ingest import IngestOptions, ingest_paths
from unionroll.core.outlier_checks import outliers_of
from unionroll.core.outlier_data import workspace_outliers
from unionroll.core.outlier_rules import HistoryRule, PeerRule
from unionroll.core.outliers import (
    PastValue,
    PeerPool,
    PeerStats,
    check_history,
    check_peers,
    modified_z,
)
from unionroll.core.periods import Period
from unionroll.core.reporting import run_reports
from unionroll.core.store import Finding as FindingRow
from unionroll.core.workspace import Workspace
from unionroll.plugins.receipts import ReceiptWriter

SCHOOLS = [f"S{n:02d}" for n in range(1, 11)]
UNITS = "代码,名称,层级,上级代码\nQS,青山县教育工会,县,\nT1,城关学区工会,学区,QS\n" + "".join(
    f"{code},城关{n}小学工会,学校,T1\n" for n, code in enumerate(SCHOOLS, start=1)
)


def _form():
    return parse_form(yaml.safe_load(STANDARD_FORM_FILE.read_text(encoding="utf-8")))


def _values(n: int, **extra: Any) -> dict[str, Any]:
    return {"staff_total": 50, "training_participants": 20 + n, "needy_staff_visited": 5, **extra}


def _payloads() -> list[dict[str, Any]]:
    q1 = [
        json_return(
            code,
            "2025Q1",
            _values(n, **({} if code == "S03" else {"culture_participants": 20 + n})),
        )
        for n, code in enumerate(SCHOOLS)
    ]
    q2 = []
    for n, code in enumerate(SCHOOLS):
        values = _values(n, culture_participants=20 + n)
        if code == "S01":
            values["training_participants"] = 240  # a zero too many: 20 → 240
        if code == "S03":
            values["culture_participants"] = 400  # no past figure; far above its peers
        q2.append(json_return(code, "2025Q2", values))
    return q1 + q2


@pytest.fixture
def county(workspace: Workspace, tmp_path: Path) -> Workspace:
    result = load_county(workspace, tmp_path / "county", UNITS, _payloads())
    assert result.ok
    return workspace


# --- the checks on plain numbers --------------------------------------------------------


def test_modified_z_score() -> None:
    # median 10, MAD 1: 0.6745 × (20 − 10) / 1
    assert modified_z(20, [9, 10, 11, 10, 9, 11]) == pytest.approx(6.745)
    assert modified_z(5, [3, 3, 3]) is None  # no spread at all
    # MAD 0 (most report 0): the mean absolute deviation stands in
    assert modified_z(10, [0, 0, 0, 4]) == pytest.approx(10 / (1.253314 * 1))


@pytest.mark.parametrize("n", [1, 2, 7, 256, 257, 768])
def test_peer_spread_is_the_same_for_few_and_many_peers(n: int) -> None:
    """Few peers and many: the same figures as the statistics module gives."""
    rng = random.Random(n)
    values = [float(rng.choice([0, 0, 3, rng.randint(0, 90)])) for _ in range(n)]
    stats = PeerStats.of(values)
    mid = statistics.median(values)
    dev = [abs(v - mid) for v in values]
    assert stats is not None and stats.n == n
    assert (stats.median, stats.mad) == (mid, statistics.median(dev))
    assert stats.mean_ad == pytest.approx(statistics.fmean(dev), rel=1e-12)
    assert PeerStats.of([]) is None
    nan = PeerStats.of([*values, math.nan])
    assert nan is not None and math.isnan(nan.median) and nan.z(1.0) is None


def test_the_middle_deviations_found_without_sorting_them_are_exact() -> None:
    """The MAD is picked out of the two runs of deviations, not sorted: the very floats
    the sorted deviations give, for odd and even counts, ties, negatives and fractions."""
    rng = random.Random(12)
    for _ in range(3000):
        n = rng.randint(1, 40)
        xs = sorted(
            float(rng.choice([0, 0, 3, -2, rng.randint(-50, 90), rng.random() * 50]))
            for _ in range(n)
        )
        mid = statistics.median(xs)
        dev = sorted(abs(x - mid) for x in xs)
        stats = PeerStats.of_sorted(xs)
        assert stats == PeerStats(n, mid, statistics.median(dev), math.fsum(dev) / n), xs


def test_a_growing_pool_of_peers_gives_the_spread_of_its_figures() -> None:
    """A pool that grows one return at a time keeps each indicator's figures in order and
    adds the new ones to them: whenever it works the spread out again, it is the spread of
    every figure in the pool, per member of staff or as reported, hundreds of them."""
    rng = random.Random(4)
    pool = PeerPool()
    recomputed = 0
    for i in range(768):
        values = {"x": float(rng.choice([0, 0, 2, rng.randint(0, 90), rng.random() * 50]))}
        if rng.random() < 0.8:
            values["staff"] = float(rng.randint(10, 150))
        pool.put(f"S{i}", values)
        for per, rated in ((None, False), ("staff", True), ("staff", False)):
            got = pool.stats("x", per, rated)
            if pool._stats[("x", per, rated)][0] != len(pool):
                continue  # the spread computed at a smaller pool, kept while it grows
            rows = list(pool.values.values())
            if rated:
                figures = [v["x"] / v["staff"] for v in rows if v.get("staff")]
            else:
                figures = [v["x"] for v in rows if not (per and v.get("staff"))]
            assert got == PeerStats.of(figures)
            recomputed += 1
    assert recomputed > 60
    pool.put("S-nan", {"x": math.nan})
    for _ in range(256):  # enough returns for the spread to be worked out again
        pool.put(f"S-more-{_}", {"x": 1.0})
    nan = pool.stats("x", None, False)
    assert nan is not None and math.isnan(nan.median) and nan.z(1.0) is None


def test_history_says_how_many_times_the_last_quarter() -> None:
    ind = _form().indicator("training_participants")
    hit = check_history(
        ind, 360, [PastValue("上季度", 30), PastValue("2024年第四季度", 25)], HistoryRule()
    )
    assert hit is not None and hit.method == "history"
    assert hit.message == "参加培训360人次，是上季度（30人次）的12倍，请核实"
    assert check_history(ind, 290, [PastValue("上季度", 30)], HistoryRule()) is None  # < 10×
    # 1 → 12 is 12 times, but only 11 more: not news
    assert check_history(ind, 12, [PastValue("上季度", 1)], HistoryRule()) is None
    # flows only go up by default; a head-count is checked both ways
    assert check_history(ind, 1, [PastValue("上季度", 300)], HistoryRule()) is None
    staff = _form().indicator("staff_total")
    rule = staff.outliers.history
    hit = check_history(staff, 50, [PastValue("上季度", 500)], rule)
    assert hit is not None and hit.message == "在职教职工数50人，比上季度（500人）减少90%，请核实"


def test_peers_per_member_of_staff() -> None:
    ind = _form().indicator("culture_participants")
    peers = [0.4, 0.42, 0.38, 0.5, 0.44, 0.41, 0.39, 0.45, 0.43]
    hit = check_peers(ind, 8.0, peers, PeerRule(), level_name="学校", per=(50, "在职教职工数"))
    assert hit is not None and hit.value == 400
    assert "按在职教职工数折合每人8人次，明显高于同级学校的中位数（每人0.42人次）" in hit.message
    assert check_peers(ind, 8.0, peers[:7], PeerRule(), level_name="学校") is None  # too few
    # far by z-score, but not twice the median
    assert check_peers(ind, 0.8, peers, PeerRule(min_change=0), level_name="学校") is None


def test_each_form_and_level_is_checked_by_its_own_rules() -> None:
    """The rules a return is checked by are looked up once per form and level: a second
    form, or another level, is never answered with the first one's."""
    form = _form()
    quiet = parse_form(
        _with(lambda d: _indicator(d, "training_participants").update(outliers=False))
    )
    q2 = Period.parse("2025Q2")
    past = [(q2.previous(), {"training_participants": 20.0})]
    values = {"training_participants": 240.0}
    for _ in range(2):  # the second time from what was looked up the first
        hit = outliers_of(form, q2, values, past, None, level="school", level_name="学校")
        assert [o.indicator_id for o in hit] == ["training_participants"]
        assert outliers_of(quiet, q2, values, past, None, level="school", level_name="学校") == []
    level_only = next(i for i in form.indicators if i.outliers and i.levels == ("school",))
    values = {level_only.id: 10_000.0}
    past = [(q2.previous(), {level_only.id: 10.0})]
    assert outliers_of(form, q2, values, past, None, level="school", level_name="学校")
    assert outliers_of(form, q2, values, past, None, level="county", level_name="县") == []


# --- the form file --------------------------------------------------------------------


def _with(data_change) -> dict[str, Any]:
    data = yaml.safe_load(STANDARD_FORM_FILE.read_text(encoding="utf-8"))
    data_change(data)
    return data


def _indicator(data: dict[str, Any], ind_id: str) -> dict[str, Any]:
    for sec in data["sections"]:
        for ind in sec["indicators"]:
            if ind["id"] == ind_id:
                return ind
    raise KeyError(ind_id)


def test_form_sets_outlier_rules_per_indicator() -> None:
    form = _form()
    assert form.indicator("care_funds").outliers.peers.min_change == 5000
    assert form.indicator("care_funds").outliers.peers.per == "staff_total"  # form default
    assert form.indicator("training_participants").outliers.history.factor == 10
    assert form.indicator("staff_total").outliers.history.direction == "both"
    assert form.indicator("congress_held").outliers is None  # a yes/no is never checked

    def tune(data: dict[str, Any]) -> None:
        _indicator(data, "culture_events")["outliers"] = {"history": {"factor": 3}, "peers": False}
        _indicator(data, "essays_submitted")["outliers"] = False

    form = parse_form(_with(tune))
    rule = form.indicator("culture_events").outliers
    assert rule.history.factor == 3 and rule.history.min_change == 20 and rule.peers is None
    assert form.indicator("essays_submitted").outliers is None


def test_bad_outlier_settings_are_each_located() -> None:
    def spoil(data: dict[str, Any]) -> None:
        data["outliers"]["peers"]["per"] = "no_such_indicator"
        _indicator(data, "culture_events")["outliers"] = {"history": {"factor": 0.5, "span": 2}}
        _indicator(data, "care_funds")["outliers"] = {"peers": {"direction": "sideways"}}
        _indicator(data, "congress_held")["outliers"] = {"peers": {}}
        _indicator(data, "essays_submitted")["outliers"] = "yes"

    with pytest.raises(FormDefinitionError) as err:
        parse_form(_with(spoil))
    problems = [str(p) for p in err.value.problems]
    assert "指标 culture_events outliers.history：factor 应大于 1" in problems
    assert (
        "指标 culture_events outliers.history："
        "未知的项 span（可用：quarters、factor、min_change、direction）" in problems
    )
    assert "指标 care_funds outliers.peers：direction “sideways” 应为 up、down 或 both" in problems
    assert "指标 congress_held：outliers 只适用于 sum 或 stock 汇总的数值指标" in problems
    assert "指标 essays_submitted：outliers 应为一个映射（history、peers）或 false" in problems
    assert any(
        "outliers.peers.per 应为数值指标的 id，不是 no_such_indicator" in p for p in problems
    )


# --- at ingest, in the command and the workbook ----------------------------------------


def test_ingest_warns_in_the_receipt_and_accepts(county: Workspace, tmp_path: Path) -> None:
    folder = tmp_path / "again"
    folder.mkdir()
    payload = json_return(
        "S05", "2025Q2", _values(4, culture_participants=24, needy_staff_visited=600)
    )
    (folder / "s05.json").write_text(json.dumps(payload, ensure_ascii=False), "utf-8")
    result = ingest_paths(county, [folder])
    (ret,) = result.files[0].returns
    assert ret.status == "accepted_with_warnings" and ret.superseded_id is not None
    (warning,) = [f for f in ret.findings if f.code.startswith("outlier")]
    assert warning.code == "outlier_history" and warning.indicator_id == "needy_staff_visited"
    assert warning.message == "走访慰问困难教职工600人次，是上季度（5人次）的120倍，请核实"
    assert warning.location is not None and warning.location.path == "values.needy_staff_visited"
    (receipt,) = ReceiptWriter(county, tmp_path / "receipts").write(result)
    text = receipt.read_text(encoding="utf-8")
    assert "已收录（有提醒，请核实）" in text and "是上季度（5人次）的120倍，请核实" in text
    with county.session() as session:
        stored = session.scalars(
            select(FindingRow.code).where(FindingRow.return_id == ret.return_id)
        ).all()
    assert stored == ["outlier_history"]


def test_dry_run_warns_too_and_stores_nothing(county: Workspace, tmp_path: Path) -> None:
    folder = tmp_path / "dry"
    folder.mkdir()
    payload = json_return("S06", "2025Q2", _values(5, training_participants=900))
    (folder / "s06.json").write_text(json.dumps(payload, ensure_ascii=False), "utf-8")
    result = ingest_paths(county, [folder], options=IngestOptions(dry_run=True))
    (ret,) = result.files[0].returns
    assert ret.status == "accepted_with_warnings" and ret.return_id is None


def test_outliers_of_a_period(county: Workspace) -> None:
    rows = workspace_outliers(county, "2025H1")
    found = {(r.unit_code, r.outlier.indicator_id, r.outlier.method) for r in rows}
    assert found == {
        ("S01", "training_participants", "history"),
        ("S03", "culture_participants", "peers"),
    }
    assert workspace_outliers(county, "2025Q1") == []
    assert [r.unit_code for r in workspace_outliers(county, "2025Q2", unit="S03")] == ["S03"]


def test_outliers_command(county: Workspace, run) -> None:
    result = run("outliers", "--period", "2025Q2")
    assert result.exit_code == 0, result.output
    assert "2025年第二季度：2 个数值明显偏离" in result.output
    assert "参加培训240人次，是上季度（20人次）的12倍，请核实" in result.output
    assert "与同级单位相比" in result.output and "040.json" not in result.output
    result = run("outliers", "--period", "2025Q1")
    assert result.exit_code == 0 and "没有明显偏离的数值" in result.output
    result = run("outliers", "--period", "2025Q2", "--json")
    data = json.loads(result.output)
    assert {d["unit"] for d in data} == {"S01", "S03"}
    assert next(d for d in data if d["unit"] == "S03")["value"] == 400
    result = run("outliers", "--period", "2025Q2", "--unit", "NOPE")
    assert result.exit_code != 0 and "找不到代码为“NOPE”的单位" in result.output
    result = run("outliers", "--period", "2025年13月")
    assert result.exit_code != 0 and "无法识别的期间" in result.output


def test_workbook_has_a_checks_sheet(county: Workspace, tmp_path: Path) -> None:
    run = run_reports(county, "2025H1", out_dir=tmp_path / "o", kinds=("workbook",))
    assert run.ok, [o.error for o in run.outcomes]
    book = openpyxl.load_workbook(run.files[0])
    sheet = book["数据核查"]
    rows = [r for r in sheet.iter_rows(values_only=True) if r[1] in ("S01", "S03")]
    assert len(rows) == 2
    s03 = next(r for r in rows if r[1] == "S03")
    assert s03[4] == "参加文体活动（人次）" and s03[5] == 400 and s03[6] == "与同级单位相比"
    assert "请核实" in s03[8]
