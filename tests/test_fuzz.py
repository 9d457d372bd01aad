"""Fuzzing each built-in adapter with mutated real returns (tests/fuzzing.py): every file
is accepted or refused with a located Chinese message, within 10 s, never a traceback.

``UNIONROLL_FUZZ_EXAMPLES=N`` runs N examples per test instead of the default (a long
campaign: ``UNIONROLL_FUZZ_EXAMPLES=5000 pytest tests/test_fuzz.py``).
"""

from __future__ import annotations

import json
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path

import fuzzing
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from unionroll.core.ingest import IngestOptions, Ingestor
from unionroll.core.plugins import registered_adapters, registered_forms, registered_validators
from unionroll.testing.helpers import SAMPLE_TODAY, make_workspace, sample_returns, sample_workbook

pytestmark = pytest.mark.slow


def _examples(default: int) -> int:
    return int(os.environ.get("UNIONROLL_FUZZ_EXAMPLES") or default)


def fuzz_settings(default: int) -> settings:
    return settings(
        max_examples=_examples(default),
        deadline=None,  # the 10 s limit is fuzzing.time_limit's, which also stops a hang
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
        derandomize=not os.environ.get("UNIONROLL_FUZZ_EXAMPLES"),
    )


class Harness:
    def __init__(self, root: Path) -> None:
        self.ws = make_workspace(root / "ws", returns=False)
        pm = self.ws.pm
        self.ingestor = Ingestor(
            self.ws,
            adapters=list(registered_adapters(pm).values()),
            validators=list(registered_validators(pm).values()),
            forms=registered_forms(pm),
            options=IngestOptions(dry_run=True, today=SAMPLE_TODAY),
        )
        self.folder = root / "files"
        self.folder.mkdir()
        self.workbook = sample_workbook(root / "seed").read_bytes()
        self.json_seed = json.loads(sample_returns("2025Q1")[1].read_text(encoding="utf-8"))
        seed = self.json_seed
        rows = ["unit,period,indicator,value"]
        rows += [f"{seed['unit']},{seed['period']},{k},{v}" for k, v in seed["values"].items()]
        self.csv_seed = "\n".join(rows) + "\n"

    def check(self, name: str, blob: bytes) -> None:
        path = fuzzing.write(self.folder, name, blob)
        with fuzzing.time_limit():
            prep = self.ingestor.prepare(path)
            outcome = self.ingestor.finish(prep)
        fuzzing.check_outcome(prep, outcome)
        self.ingestor._seen.clear()  # the same bytes again are checked again, not skipped


_HARNESS: Harness | None = None


@pytest.fixture(scope="module")
def harness() -> Iterator[Harness]:
    global _HARNESS
    with tempfile.TemporaryDirectory(prefix="unionroll-fuzz-") as tmp:
        _HARNESS = Harness(Path(tmp))
        try:
            yield _HARNESS
        finally:
            _HARNESS.ws.close()
            _HARNESS = None


def test_seeds_are_accepted(harness: Harness) -> None:
    for name, blob in (
        ("seed.xlsx", harness.workbook),
        ("seed.json", json.dumps(harness.json_seed).encode()),
        ("seed.csv", harness.csv_seed.encode()),
    ):
        path = fuzzing.write(harness.folder, name, blob)
        outcome = harness.ingestor.finish(harness.ingestor.prepare(path))
        assert outcome.ok and outcome.returns, (name, outcome.error)
        harness.ingestor._seen.clear()


@fuzz_settings(150)
@given(data=st.data())
def test_xlsx_return(harness: Harness, data: st.DataObject) -> None:
    blob = harness.workbook
    mutation = data.draw(
        st.sampled_from([fuzzing.mutated_workbook, fuzzing.flipped_bytes, fuzzing.truncated])
    )
    harness.check("报表.xlsx", data.draw(mutation(blob)))


@fuzz_settings(300)
@given(data=st.data())
def test_json_return(harness: Harness, data: st.DataObject) -> None:
    payload = harness.json_seed
    if data.draw(st.booleans()):
        blob = data.draw(fuzzing.mutated_json(payload))
    else:
        raw = json.dumps(payload, ensure_ascii=False).encode()
        blob = data.draw(st.one_of(fuzzing.flipped_bytes(raw), fuzzing.truncated(raw)))
    harness.check("报表.json", blob)


@fuzz_settings(300)
@given(data=st.data())
def test_csv_long(harness: Harness, data: st.DataObject) -> None:
    text = harness.csv_seed
    if data.draw(st.booleans()):
        blob = data.draw(fuzzing.mutated_csv(text))
    else:
        blob = data.draw(
            st.one_of(fuzzing.flipped_bytes(text.encode()), fuzzing.truncated(text.encode()))
        )
    harness.check("报表.csv", blob)


# --- what the long campaign found, kept as regression tests ---------------------------------


def _findings(harness: Harness, name: str, blob: bytes) -> dict[str, list]:
    path = fuzzing.write(harness.folder, name, blob)
    prep = harness.ingestor.prepare(path)
    harness.ingestor.finish(prep)
    harness.ingestor._seen.clear()
    assert prep.outcome.error is None, prep.outcome.error
    found: dict[str, list] = {}
    for _data, checked in prep.checked:
        for f in checked.findings:
            found.setdefault(f.code, []).append(f.location)
    return found


def test_json_without_period_names_where_it_belongs(harness: Harness) -> None:
    payload = {k: v for k, v in harness.json_seed.items() if k != "period"}
    found = _findings(harness, "无期间.json", json.dumps(payload).encode())
    assert [loc.path for loc in found["period_missing"]] == ["period"]


def test_json_without_required_value_names_its_key(harness: Harness) -> None:
    payload = json.loads(json.dumps(harness.json_seed))
    del payload["values"]["staff_total"]
    found = _findings(harness, "缺在职人数.json", json.dumps(payload).encode())
    assert [loc.path for loc in found["required_missing"]] == ["values.staff_total"]


def test_csv_without_required_value_names_the_units_first_line(harness: Harness) -> None:
    lines = [ln for ln in harness.csv_seed.splitlines() if ",staff_total," not in ln]
    found = _findings(harness, "缺在职人数.csv", ("\n".join(lines) + "\n").encode())
    assert [loc.line for loc in found["required_missing"]] == [2]


def test_xlsx_with_an_indicator_row_gone_names_the_sheet(harness: Harness) -> None:
    members = fuzzing._members(harness.workbook)
    shared = members["xl/sharedStrings.xml"].decode("utf-8")
    assert shared.count(">staff_total<") == 1
    members["xl/sharedStrings.xml"] = shared.replace(">staff_total<", ">不是代码<").encode()
    found = _findings(harness, "改了代码.xlsx", fuzzing._zip(members))
    assert [(loc.sheet, loc.cell) for loc in found["required_missing"]] == [("报表", None)]


@pytest.mark.parametrize("part", ["xl/workbook.xml", "xl/_rels/workbook.xml.rels"])
def test_xlsx_part_declaring_an_unknown_encoding_is_refused(harness: Harness, part: str) -> None:
    members = fuzzing._members(harness.workbook)
    members[part] = members[part].replace(b'encoding="UTF-8"', b'encoding="U-F-8"', 1)
    path = fuzzing.write(harness.folder, "坏编码.xlsx", fuzzing._zip(members))
    prep = harness.ingestor.prepare(path)
    outcome = harness.ingestor.finish(prep)
    harness.ingestor._seen.clear()
    assert outcome.error is not None and outcome.error.code != "adapter_failed"
    assert "损坏" in outcome.error.message


def test_xlsx_sheet_declaring_an_unknown_encoding_is_refused(harness: Harness) -> None:
    members = fuzzing._members(harness.workbook)
    part = "xl/worksheets/sheet3.xml"
    xml = bytearray(members[part])
    assert xml[31:32] == b"T" and xml[55:56] == b"\n" and xml[906:907] == b"r"
    xml[31], xml[55], xml[906] = ord("-"), 1, 0  # the bytes the campaign flipped
    members[part] = bytes(xml)
    path = fuzzing.write(harness.folder, "坏编码的表.xlsx", fuzzing._zip(members))
    outcome = harness.ingestor.finish(harness.ingestor.prepare(path))
    harness.ingestor._seen.clear()
    assert outcome.error is not None and outcome.error.code != "adapter_failed"
    assert "损坏" in outcome.error.message
