"""``ReadContext.content``: ingest hands an adapter the bytes it read, checksummed and keeps
a copy of, and the built-in adapters read those rather than the file again."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from types import SimpleNamespace
from typing import ClassVar

import pytest

from unionroll.adapters import xlsx_safety
from unionroll.adapters.csv_long import CsvLongAdapter
from unionroll.adapters.json_return import JsonReturnAdapter
from unionroll.adapters.reading import read_limited
from unionroll.adapters.xlsx_return import XlsxReturnAdapter
from unionroll.core.contracts import Adapter, ReadContext
from unionroll.core.errors import SourceError
from unionroll.core.hookspecs import hookimpl
from unionroll.core.ingest import ingest_paths
from unionroll.core.model import ReturnData
from unionroll.core.units import import_units
from unionroll.core.workspace import Workspace
from unionroll.forms.builtin import standard_form
from unionroll.testing import registered_plugin, sample_workbook
from unionroll.testing import sample_units as units_csv

FORM = standard_form()


def context(content: bytes, name: str) -> ReadContext:
    return ReadContext(form=FORM, forms={FORM.name: FORM}, display_name=name, content=content)


def test_the_xlsx_adapter_reads_the_bytes_given_not_the_file(tmp_path: Path) -> None:
    path = sample_workbook(tmp_path)
    content = path.read_bytes()
    [from_file] = XlsxReturnAdapter().read(path, ReadContext(form=FORM, display_name="t.xlsx"))
    gone = tmp_path / "moved-away.xlsx"  # nothing at this path: the bytes are what is read
    [data] = XlsxReturnAdapter().read(gone, context(content, "t.xlsx"))
    assert (
        (data.unit_code, data.period)
        == (from_file.unit_code, from_file.period)
        == (
            "S13",
            "2025Q2",
        )
    )
    assert {v.indicator_id: v.raw for v in data.values} == {
        v.indicator_id: v.raw for v in from_file.values
    }
    assert any(v.indicator_id == "staff_total" and v.raw for v in data.values)


def test_the_bytes_given_are_checked_like_a_file(tmp_path: Path) -> None:
    with pytest.raises(SourceError) as info:
        XlsxReturnAdapter().read(tmp_path / "x.xlsx", context(b"not a workbook", "x.xlsx"))
    assert info.value.location is not None and info.value.location.file == "x.xlsx"
    small = xlsx_safety.Limits(max_file_bytes=1024 * 1024)
    with pytest.raises(SourceError) as info:
        xlsx_safety.check_bytes(b"PK\x03\x04" + b"\0" * (2 * 1024 * 1024), "x.xlsx", limits=small)
    assert info.value.code == "too_large"
    assert "文件太大（2.0 MB）" in info.value.message and "上限是 1 MB" in info.value.message


def test_json_and_csv_read_the_bytes_given(tmp_path: Path) -> None:
    doc = {"unit": "S001", "period": "2025Q1", "values": {"staff_total": 60}}
    raw = json.dumps(doc).encode()
    [data] = JsonReturnAdapter().read(tmp_path / "absent.json", context(raw, "r.json"))
    assert (data.unit_code, data.period) == ("S001", "2025Q1")
    table = "unit,period,indicator,value\nS001,2025Q1,staff_total,60\n".encode("gb18030")
    [data] = CsvLongAdapter().read(tmp_path / "absent.csv", context(table, "汇总.csv"))
    assert [(v.indicator_id, v.raw) for v in data.values] == [("staff_total", "60")]


def test_read_limited_refuses_bytes_over_the_limit(tmp_path: Path) -> None:
    def message(size: int) -> str:
        return f"太大：{size}"

    assert read_limited(tmp_path / "absent", "a.json", 5, message, b"12345") == b"12345"
    with pytest.raises(SourceError) as info:
        read_limited(tmp_path / "absent", "a.json", 5, message, b"123456")
    assert (info.value.code, info.value.message) == ("too_large", "太大：6")
    with pytest.raises(SourceError) as info:
        read_limited(tmp_path / "absent", "a.json", 5, message)
    assert info.value.code == "unreadable"


class Recording(Adapter):
    """Claims ``.rec`` files, notes what it was given and reads them as JSON returns."""

    name: ClassVar[str] = "recording"
    priority: ClassVar[int] = 100
    seen: ClassVar[list[bytes | None]] = []

    def sniff(self, path: Path, head: bytes) -> bool:
        return path.suffix == ".rec"

    def read(self, path: Path, context: ReadContext) -> list[ReturnData]:
        self.seen.append(context.content)
        return JsonReturnAdapter().read(path, context)


def test_ingest_gives_an_adapter_the_bytes_it_checksums(
    workspace: Workspace, tmp_path: Path
) -> None:
    import_units(workspace, units_csv())
    path = tmp_path / "S11.rec"
    path.write_text(
        json.dumps({"unit": "S11", "period": "2025Q3", "values": {"staff_total": 60}}), "utf-8"
    )
    Recording.seen.clear()
    plugin = SimpleNamespace(register_adapters=hookimpl(lambda: [Recording()]))
    with registered_plugin(plugin, name="recording-adapter"):
        result = ingest_paths(workspace, [path])
    [outcome] = result.files
    assert Recording.seen == [path.read_bytes()]
    assert outcome.checksum == hashlib.sha256(path.read_bytes()).hexdigest()
    assert outcome.adapter == "recording"
    assert [r.status for r in outcome.returns] in (["accepted"], ["accepted_with_warnings"])
