"""Large batches are read in worker processes: a file that kills its reader, or tries to
take all the memory, is rejected with a message and the rest of the batch is stored."""

from __future__ import annotations

import gc
import json
import os
import pickle
from dataclasses import FrozenInstanceError, dataclass, fields, replace
from datetime import date, datetime
from pathlib import Path
from typing import ClassVar

import pytest

from unionroll.core.contracts import Adapter, ReadContext
from unionroll.core.hookspecs import hookimpl
from unionroll.core.ingest import IngestOptions, ingest_paths
from unionroll.core.ingest import readers as ingest_readers
from unionroll.core.model import Location, ReturnData
from unionroll.core.units import import_units
from unionroll.core.workspace import Workspace
from unionroll.testing import registered_plugin

UNITS = "code,name,level,parent_code\nC,县教育工会,county,\n" + "".join(
    f"S{i:02d},第{i}学校工会,school,C\n" for i in range(40)
)


class _Hostile(Adapter):
    """Stands in for a native reader that a crafted file crashes or makes allocate."""

    name = "hostile-test"
    priority: ClassVar[int] = 100

    def sniff(self, path: Path, head: bytes) -> bool:
        return path.name.startswith(("crash", "hog"))

    def read(self, path: Path, context: ReadContext) -> list[ReturnData]:
        if path.name.startswith("crash"):
            os._exit(3)  # as a segfault in native code would: no exception, the process is gone
        hoard = bytearray(64 * 1024**3)  # far past the worker's memory limit
        return [ReturnData(source=path, adapter=self.name, unit_code=str(len(hoard)), period="")]


class _Plugin:
    @staticmethod
    @hookimpl
    def register_adapters() -> list[Adapter]:
        return [_Hostile()]


def _batch(folder: Path, n: int) -> None:
    folder.mkdir()
    for i in range(n):
        payload = {"unit": f"S{i:02d}", "period": "2025Q1", "values": {"staff_total": 50 + i}}
        (folder / f"s{i:02d}.json").write_text(json.dumps(payload), encoding="utf-8")


def _crash_batch(workspace: Workspace, tmp_path: Path) -> Path:
    """The units, and a folder of 30 returns and one file that kills its reader."""
    units = tmp_path / "units.csv"
    units.write_text(UNITS, encoding="utf-8")
    import_units(workspace, units)
    folder = tmp_path / "in"
    _batch(folder, 30)
    (folder / "crash.json").write_text("{}", encoding="utf-8")
    return folder


def test_a_reader_that_dies_loses_only_its_own_file(
    sqlite_workspace: Workspace, tmp_path: Path
) -> None:
    folder = _crash_batch(sqlite_workspace, tmp_path)
    (folder / "hog.json").write_text("{}", encoding="utf-8")
    assert ingest_readers.PROCESS_MIN_FILES <= 32
    with registered_plugin(_Plugin(), name="hostile-test"):
        result = ingest_paths(
            sqlite_workspace,
            [folder],
            options=IngestOptions(received_at=datetime(2025, 4, 2), today=date(2025, 6, 1)),
        )
    by_name = {f.display_name: f for f in result.files}
    assert by_name["crash.json"].error.code == "reader_crashed"
    assert "读取程序异常退出" in by_name["crash.json"].error.message
    assert by_name["hog.json"].error.code == "too_large"
    assert result.count("accepted") == 30
    assert not result.ok


def test_a_large_batch_leaves_the_collector_as_it_found_it(
    sqlite_workspace: Workspace, tmp_path: Path
) -> None:
    """While worker processes read, what the program held before the batch is left out of
    the collector's passes (gc.freeze) and the collector passes less often; afterwards it
    is collected as before, also when a worker died on the way (the crash test's file)."""
    folder = _crash_batch(sqlite_workspace, tmp_path)
    before = gc.get_freeze_count()
    thresholds = gc.get_threshold()
    during: list[tuple[int, tuple[int, ...]]] = []
    with registered_plugin(_Plugin(), name="hostile-test"):
        result = ingest_paths(
            sqlite_workspace,
            [folder],
            options=IngestOptions(received_at=datetime(2025, 4, 2), today=date(2025, 6, 1)),
            progress=lambda _outcome: during.append((gc.get_freeze_count(), gc.get_threshold())),
        )
    assert result.count("accepted") == 30
    assert len(during) == 31 and min(frozen for frozen, _ in during) > before
    raised = (max(thresholds[0], ingest_readers.BATCH_COLLECT_EVERY), *thresholds[1:])
    assert {t for _, t in during} == {raised}
    assert gc.get_freeze_count() == before
    assert gc.get_threshold() == thresholds
    small = tmp_path / "small"
    _batch(small, 3)  # read in a thread: nothing frozen
    seen: list[int] = []
    ingest_paths(sqlite_workspace, [small], progress=lambda _o: seen.append(gc.get_freeze_count()))
    assert seen == [before] * 3
    assert gc.get_threshold() == thresholds


@dataclass(frozen=True)
class _PluginLocation(Location):
    """A plugin's own kind of location, with a field of its own."""

    page: int = 0


def test_locations_come_back_from_a_reader_process_as_they_went() -> None:
    """A reader process sends each value's location back pickled (in a compact form)."""
    sent = [
        Location("甲.xlsx"),
        Location("甲.xlsx", sheet="报表", cell="D7"),
        Location("乙.json", path="values.staff_total"),
        Location("丙.csv", line=4),
    ]
    assert [loc.short for loc in sent] == [
        "整个文件",
        "工作表“报表”，单元格 D7",
        "values.staff_total",
        "第 4 行",
    ]
    assert (
        Location("甲.xlsx", sheet="报表", cell="D7", line=2).short
        == "工作表“报表”，单元格 D7，第 2 行"
    )
    for loc in sent:
        back = pickle.loads(pickle.dumps(loc))
        assert back == loc and hash(back) == hash(loc) and type(back) is Location
        assert (back.short, str(back)) == (loc.short, str(loc))
        with pytest.raises(FrozenInstanceError):
            back.file = "其他.xlsx"  # type: ignore[misc]
    # made by hand (its own __init__), a Location is still the dataclass it says it is
    made = Location("甲.xlsx", "报表", "D7")
    assert made == Location(file="甲.xlsx", sheet="报表", cell="D7") == sent[1]
    assert [f.name for f in fields(Location)] == ["file", "sheet", "cell", "path", "line"]
    assert replace(made, cell="D8") == Location("甲.xlsx", "报表", "D8")
    assert {made, sent[1]} == {made}
    own = pickle.loads(pickle.dumps(_PluginLocation("丁.pdf", page=3)))
    assert type(own) is _PluginLocation and own.page == 3 and own.file == "丁.pdf"
