"""The archive check remembers the parts that passed (by their compressed bytes) and does
not check them again: the same answers as checking every part, every refusal kept."""

from __future__ import annotations

import zipfile
from collections.abc import Callable
from pathlib import Path

import openpyxl
import pytest

from unionroll.adapters import xlsx_safety
from unionroll.adapters import xlsx_template as xt
from unionroll.adapters.xlsx_safety import archive, memo, sheets
from unionroll.core.errors import SourceError
from unionroll.core.model import UnitInfo
from unionroll.core.periods import Period
from unionroll.forms.builtin import standard_form

FORM = standard_form()
SCHOOL = UnitInfo(code="S001", name="城关第一小学", level="school", parent_code="T01")


@pytest.fixture(autouse=True)
def _forget() -> None:
    memo.CHECKED.clear()
    memo.SCANNED.clear()
    archive._remembered_parts.cache_clear()


@pytest.fixture
def template(tmp_path: Path) -> Path:
    return xt.write_template(
        tmp_path / "template.xlsx",
        form=FORM,
        unit=SCHOOL,
        period=Period.parse("2025Q1"),
        level_name="学校",
        template_id="tpl-1",
    )


@pytest.fixture
def inflated(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The names of the parts inflated, as the check goes."""
    names: list[str] = []
    real = archive._inflate

    def counting(raw: memoryview, zi: zipfile.ZipInfo, budget: int, where: object) -> bytes:
        names.append(zi.filename)
        return real(raw, zi, budget, where)  # type: ignore[arg-type]

    monkeypatch.setattr(archive, "_inflate", counting)
    return names


def rewrite(path: Path, out: Path, part: str, edit: Callable[[bytes], bytes]) -> Path:
    with zipfile.ZipFile(path) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            data = src.read(info)
            dst.writestr(info.filename, edit(data) if info.filename == part else data)
    return out


def learned(info: xlsx_safety.ArchiveInfo) -> tuple[object, ...]:
    return info.sheets, info.extents, info.formulas


def refusal(data: bytes, name: str, **kw: object) -> SourceError:
    with pytest.raises(SourceError) as caught:
        xlsx_safety.check_bytes(data, name, **kw)  # type: ignore[arg-type]
    return caught.value


def test_the_same_file_again_is_not_inflated_again(template: Path, inflated: list[str]) -> None:
    data = template.read_bytes()
    first = xlsx_safety.check_bytes(data, "一.xlsx")
    n_parts = len(inflated)
    assert n_parts > 5
    second = xlsx_safety.check_bytes(data, "二.xlsx")
    assert len(inflated) == n_parts  # every part remembered
    assert learned(second) == learned(first)
    assert second.extents is not first.extents


def test_a_changed_sheet_is_checked_and_the_rest_remembered(
    tmp_path: Path, template: Path, inflated: list[str]
) -> None:
    wb = openpyxl.load_workbook(template)
    wb["报表"]["D21"] = "=30+31"
    wb.save(tmp_path / "f.xlsx")
    xlsx_safety.check_bytes(template.read_bytes(), "模板.xlsx")
    data = (tmp_path / "f.xlsx").read_bytes()
    inflated.clear()
    fresh = xlsx_safety.check_bytes(data, "f.xlsx")  # openpyxl wrote every part anew
    assert inflated
    inflated.clear()
    again = xlsx_safety.check_bytes(data, "f2.xlsx")
    assert inflated == []
    part = fresh.sheets["报表"]
    assert again.formulas[part] == fresh.formulas[part] == {"D21": "=30+31"}
    again.formulas[part]["D21"] = "changed"  # what one file's check returns is its own
    assert xlsx_safety.check_bytes(data, "f3.xlsx").formulas[part] == {"D21": "=30+31"}


def test_a_hostile_part_in_place_of_a_remembered_one_is_refused(
    tmp_path: Path, template: Path
) -> None:
    xlsx_safety.check_file(template, template.name)
    bad = rewrite(
        template,
        tmp_path / "坏.xlsx",
        "xl/styles.xml",
        lambda xml: xml.replace(b"?>", b'?><!DOCTYPE x [<!ENTITY a "b">]>', 1),
    )
    data = bad.read_bytes()
    for name in ("坏.xlsx", "又坏.xlsx"):  # a refusal is not remembered: found each time
        err = refusal(data, name)
        assert err.code == "hostile" and "DTD" in err.message
        assert err.location.file == name


def test_stricter_limits_are_not_answered_from_memory(template: Path) -> None:
    data = template.read_bytes()
    xlsx_safety.check_bytes(data, "模板.xlsx")
    err = refusal(data, "模板.xlsx", limits=xlsx_safety.Limits(max_row=5))
    assert err.code == "hostile" and "超出报表的合理范围" in err.message


def test_large_parts_are_not_remembered(
    template: Path, inflated: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(archive, "MAX_REMEMBERED_BYTES", 0)
    data = template.read_bytes()
    xlsx_safety.check_bytes(data, "一.xlsx")
    n_parts = len(inflated)
    xlsx_safety.check_bytes(data, "二.xlsx")
    assert len(inflated) == 2 * n_parts and len(memo.CHECKED) == 0


def test_the_memory_keeps_the_most_recently_used() -> None:
    checked = memo.Checked(size=3)
    for key in "abc":
        checked.put(key, (key,))
    assert checked.get("a") == ("a",)  # now the most recent
    checked.put("d", ("d",))
    assert len(checked) == 3
    assert checked.get("b") is None
    assert [checked.get(k) for k in "acd"] == [("a",), ("c",), ("d",)]


def test_a_renamed_sheet_is_found_under_its_new_name(template: Path, tmp_path: Path) -> None:
    """The workbook's list of sheets is remembered by its bytes: another list is read anew,
    and what one check learned is its own (changing it changes no later check)."""
    first = xlsx_safety.check_bytes(template.read_bytes(), "一.xlsx")
    assert "获奖情况" in first.sheets
    renamed = rewrite(
        template,
        tmp_path / "renamed.xlsx",
        "xl/workbook.xml",
        lambda b: b.replace("获奖情况".encode(), "获奖名单".encode()),
    )
    second = xlsx_safety.check_bytes(renamed.read_bytes(), "二.xlsx")
    assert "获奖名单" in second.sheets and "获奖情况" not in second.sheets
    assert second.sheets["获奖名单"] == first.sheets["获奖情况"]
    first.sheets.clear()
    third = xlsx_safety.check_bytes(template.read_bytes(), "三.xlsx")
    assert third.sheets["获奖情况"] == second.sheets["获奖名单"]
    assert archive._remembered_parts.cache_info().hits >= 1


# --- worksheet cell tables, remembered by their shape --------------------------------


@pytest.fixture
def scans(monkeypatch: pytest.MonkeyPatch) -> list[bytes]:
    """The cell tables scanned (not answered from memory), as the check goes."""
    tables: list[bytes] = []
    real = sheets._scan_table

    def counting(table: bytes, *args: object) -> object:
        tables.append(table)
        return real(table, *args)  # type: ignore[arg-type]

    monkeypatch.setattr(sheets, "_scan_table", counting)
    return tables


def filled(tmp_path: Path, name: str, **values: object) -> Path:
    return xt.write_template(
        tmp_path / name,
        form=FORM,
        unit=SCHOOL,
        period=Period.parse("2025Q1"),
        level_name="学校",
        template_id=name,
        values={"staff_total": 100, "female_staff": 60, "care_funds": 1234.5, **values},
    )


def test_a_data_sheet_filled_with_other_values_is_not_scanned_again(
    tmp_path: Path, scans: list[bytes]
) -> None:
    one = filled(tmp_path, "一.xlsx")
    two = filled(tmp_path, "二.xlsx", staff_total=87, female_staff=41, care_funds=99.25)
    first = xlsx_safety.check_file(one, one.name)
    n_scans = len(scans)
    second = xlsx_safety.check_file(two, two.name)
    part = first.sheets["报表"]
    # The data sheet's bytes differ (its values): inflated and checked, its shape remembered.
    assert zipfile.ZipFile(one).read(part) != zipfile.ZipFile(two).read(part)
    assert len(scans) == n_scans
    memo.SCANNED.clear()
    memo.CHECKED.clear()
    fresh = xlsx_safety.check_file(two, two.name)
    assert len(scans) > n_scans
    assert learned(second) == learned(fresh)
    assert second.extents[part] == (first.extents[part][0], 6)


def test_a_cell_put_inside_a_value_is_still_found(tmp_path: Path) -> None:
    one = filled(tmp_path, "一.xlsx")
    xlsx_safety.check_file(one, one.name)
    part = xlsx_safety.check_file(one, one.name).sheets["报表"]
    bad = rewrite(
        one,
        tmp_path / "坏.xlsx",
        part,
        lambda xml: xml.replace(b"<v>100</v>", b'<v><c r="D900000"><v>1</v></c></v>', 1),
    )
    err = refusal(bad.read_bytes(), "坏.xlsx")
    assert err.code == "hostile" and "D900000" in err.message


def test_a_table_parsed_exactly_is_parsed_each_time(tmp_path: Path, scans: list[bytes]) -> None:
    """A cell table written unlike every writer's (here r='B7') is parsed in full, with
    what lies outside the table: its answer is not remembered by the table alone."""
    one = filled(tmp_path, "一.xlsx")
    part = xlsx_safety.check_file(one, one.name).sheets["报表"]
    odd = rewrite(one, tmp_path / "odd.xlsx", part, lambda xml: xml.replace(b'r="D11"', b"r='D11'"))
    data = odd.read_bytes()
    memo.CHECKED.clear()
    n_scans = len(scans)
    first = xlsx_safety.check_bytes(data, "一.xlsx")
    memo.CHECKED.clear()
    second = xlsx_safety.check_bytes(data, "二.xlsx")
    # The other sheets are as in 一.xlsx, checked before: only the odd one, both times.
    assert scans[n_scans:] == [scans[-1]] * 2 and b"r='D11'" in scans[-1]
    assert learned(first) == learned(second)
