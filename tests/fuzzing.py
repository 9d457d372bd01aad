"""Mutations of real returns for the fuzz tests, and what every outcome must satisfy.

Each seed is a real file an adapter accepts: the Excel template as ``unionroll template``
writes it and a school fills it in, a sample JSON return, and a CSV long table made from
it. The strategies flip and cut bytes, rewrite the XML inside the workbook (cell text,
sheet order, missing parts), replace JSON values with random ones, change encodings and
add huge strings. :func:`check_outcome` says what is acceptable: an accepted return, or
a refusal in Chinese that says where the problem is.
"""

from __future__ import annotations

import io
import json
import re
import signal
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from hypothesis import strategies as st

from unionroll.core.ingest import FileOutcome, Prepared

TIME_LIMIT = 10  # seconds one file may take
# Errors about a return as a whole, which no one place in it could show.
WHOLE_RETURN = frozenset({"empty_return"})

_CJK = re.compile(r"[\u4e00-\u9fff]")
_SHARED = "xl/sharedStrings.xml"

odd_text = st.one_of(
    st.text(max_size=40),
    st.sampled_from(["=1+1", "-1", "1e309", "NaN", "∞", "２０２５", "\x00", "\ufeff", "否是"]),
    st.integers(1000, 200_000).map(lambda n: "长" * n),  # a huge string
)


@st.composite
def flipped_bytes(draw: st.DrawFn, blob: bytes) -> bytes:
    data = bytearray(blob)
    for _ in range(draw(st.integers(1, 12))):
        at = draw(st.integers(0, len(data) - 1))
        data[at] = draw(st.integers(0, 255))
    return bytes(data)


@st.composite
def truncated(draw: st.DrawFn, blob: bytes) -> bytes:
    return blob[: draw(st.integers(0, len(blob) - 1))]


def _members(blob: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(blob)) as zf:
        return {name: zf.read(name) for name in zf.namelist()}


def _zip(members: dict[str, bytes]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in members.items():
            zf.writestr(name, data)
    return out.getvalue()


def _xml_escape(text: str) -> str:
    text = "".join(ch for ch in text if ch in "\t\n\r" or ord(ch) >= 0x20)
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


@st.composite
def mutated_workbook(draw: st.DrawFn, blob: bytes) -> bytes:
    """The workbook with parts of its XML rewritten: cell text, numbers, sheet order, a
    part missing, or a part's bytes flipped."""
    members = _members(blob)
    kind = draw(st.sampled_from(["strings", "numbers", "shuffle", "drop", "flip_part"]))
    if kind == "strings" and _SHARED in members:
        xml = members[_SHARED].decode("utf-8")
        texts = list(re.finditer(r"<t( [^>]*)?>([^<]*)</t>", xml))
        for match in draw(st.lists(st.sampled_from(texts), min_size=1, max_size=8)):
            new = _xml_escape(draw(odd_text))
            xml = xml.replace(match.group(0), f'<t xml:space="preserve">{new}</t>', 1)
        members[_SHARED] = xml.encode("utf-8")
    elif kind == "numbers":
        sheets = sorted(n for n in members if n.startswith("xl/worksheets/sheet"))
        name = draw(st.sampled_from(sheets))
        xml = members[name].decode("utf-8")
        values = list(re.finditer(r"<v>([^<]*)</v>", xml))
        if values:
            for match in draw(st.lists(st.sampled_from(values), min_size=1, max_size=8)):
                number = draw(st.sampled_from(["-5", "1e308", "0.000001", "99999999999", "x"]))
                xml = xml.replace(match.group(0), f"<v>{number}</v>", 1)
        members[name] = xml.encode("utf-8")
    elif kind == "shuffle":
        xml = members["xl/workbook.xml"].decode("utf-8")
        sheets = re.findall(r"<sheet [^>]*/>", xml)
        order = draw(st.permutations(sheets))
        body = "".join(order)
        xml = re.sub(r"<sheets>.*</sheets>", lambda _m: f"<sheets>{body}</sheets>", xml)
        members["xl/workbook.xml"] = xml.encode("utf-8")
    elif kind == "drop":
        del members[draw(st.sampled_from(sorted(members)))]
    else:
        name = draw(st.sampled_from(sorted(members)))
        if members[name]:
            members[name] = draw(flipped_bytes(members[name]))
    return _zip(members)


def json_like() -> st.SearchStrategy[Any]:
    leaves = st.one_of(
        st.none(), st.booleans(), st.integers(), st.floats(allow_nan=False), odd_text
    )
    return st.recursive(
        leaves,
        lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner),
        max_leaves=12,
    )


@st.composite
def mutated_json(draw: st.DrawFn, payload: dict[str, Any]) -> bytes:
    data = json.loads(json.dumps(payload))
    for _ in range(draw(st.integers(1, 5))):
        target: Any = data
        keys = [k for k in target] if isinstance(target, dict) else []
        while keys and draw(st.booleans()):
            key = draw(st.sampled_from(keys))
            if not isinstance(target[key], dict) or not target[key]:
                break
            target = target[key]
            keys = list(target)
        if isinstance(target, dict) and target:
            key = draw(st.sampled_from(sorted(target, key=str)))
            if draw(st.booleans()):
                target[key] = draw(json_like())
            else:
                del target[key]
    text = json.dumps(data, ensure_ascii=draw(st.booleans()))
    encoding = draw(st.sampled_from(["utf-8", "utf-8-sig", "utf-16", "gb18030", "latin-1"]))
    return text.encode(encoding, errors="replace")


@st.composite
def mutated_csv(draw: st.DrawFn, text: str) -> bytes:
    lines = text.splitlines()
    for _ in range(draw(st.integers(1, 6))):
        at = draw(st.integers(0, len(lines) - 1))
        action = draw(st.sampled_from(["cell", "drop", "dup", "split"]))
        if action == "cell":
            cells = lines[at].split(",")
            cells[draw(st.integers(0, len(cells) - 1))] = draw(odd_text)
            lines[at] = ",".join(cells)
        elif action == "drop" and len(lines) > 1:
            del lines[at]
        elif action == "dup":
            lines.insert(at, lines[at])
        else:
            lines[at] = lines[at].replace(",", draw(st.sampled_from([";", "\t", '"', ",,"])))
    newline = draw(st.sampled_from(["\n", "\r\n", "\r"]))
    encoding = draw(st.sampled_from(["utf-8", "utf-8-sig", "utf-16", "gb18030", "big5"]))
    return newline.join(lines).encode(encoding, errors="replace")


@contextmanager
def time_limit(seconds: int = TIME_LIMIT) -> Iterator[None]:
    def expired(_signum: int, _frame: Any) -> None:
        raise TimeoutError(f"reading one file took more than {seconds} s")

    old = signal.signal(signal.SIGALRM, expired)
    signal.alarm(seconds)
    try:
        yield
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, old)


def check_outcome(prep: Prepared, outcome: FileOutcome) -> None:
    """Accepted, or refused in Chinese with a location: never a reader's bug."""
    if outcome.error is not None:
        error = outcome.error
        assert error.code not in ("adapter_failed", "reader_crashed"), error.message
        assert _CJK.search(error.message), error.message
        assert error.location is not None and error.location.file
        return
    assert prep.checked, "no error and no return"
    for _data, checked in prep.checked:
        for finding in checked.findings:
            assert _CJK.search(finding.message), finding.message
            if finding.is_error and finding.code not in WHOLE_RETURN:
                assert finding.location is not None, finding.message


def write(folder: Path, name: str, blob: bytes) -> Path:
    path = folder / name
    path.write_bytes(blob)
    return path
