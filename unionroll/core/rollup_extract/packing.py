"""Fetched rows packed into the extract's tables."""

from __future__ import annotations

from typing import Any

import numpy as np

from unionroll.core.rollup_extract.fetched import Numbers
from unionroll.core.rollup_extract.tables import RegisterRows, TextValues, ValuesTable, _IdIndex

# --- packing ---------------------------------------------------------------------------------


def _values_table(numbers: Numbers, id_pos: _IdIndex, warnings: list[str]) -> ValuesTable:
    ret = id_pos(numbers.rid)
    wanted = ret >= 0
    if numbers.unknown:
        codes = numbers.ind[wanted]
        counts = {name: int(np.sum(codes == -2 - j)) for j, name in enumerate(numbers.unknown)}
        names = sorted(name for name, n in counts.items() if n)
        if names:
            warnings.append(
                f"有 {sum(counts.values())} 个数值属于报表中没有的指标"
                f"（{'、'.join(names[:10])}{'等' if len(names) > 10 else ''}），未汇总。"
            )
    keep = wanted & (numbers.ind >= 0)
    return ValuesTable(ret=ret[keep], ind=numbers.ind[keep], num=numbers.num[keep])


def _texts_table(
    rows: tuple[list[Any], ...], indicators: dict[str, int], id_pos: _IdIndex
) -> TextValues:
    rid, codes, nums, texts = rows
    if not rid:
        return TextValues(np.empty(0, np.int64), np.empty(0, np.int64), [], [])
    ret = id_pos(np.asarray(rid, dtype=np.int64))
    ind = np.asarray([indicators.get(c, -1) for c in codes], dtype=np.int64)
    keep = np.flatnonzero((ret >= 0) & (ind >= 0))
    return TextValues(
        ret=ret[keep],
        ind=ind[keep],
        text=[texts[i] for i in keep],
        num=[nums[i] for i in keep],
    )


def _register_table(rows: tuple[list[Any], ...], id_pos: _IdIndex) -> RegisterRows:
    rid, register, row_no, category, level, month, raw = rows
    ret = id_pos(np.asarray(rid, dtype=np.int64)) if rid else np.empty(0, np.int64)
    if ret.size and (ret < 0).any():
        keep = np.flatnonzero(ret >= 0)
        pick = keep.tolist()
        return RegisterRows(
            ret=ret[keep],
            register=[register[i] for i in pick],
            row_no=[row_no[i] for i in pick],
            category=[category[i] for i in pick],
            level=[level[i] for i in pick],
            month=[month[i] for i in pick],
            raw=[raw[i] for i in pick],
        )
    return RegisterRows(
        ret, list(register), list(row_no), list(category), list(level), list(month), list(raw)
    )
