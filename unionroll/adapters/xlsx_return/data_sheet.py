"""The 报表 sheet: indicator values found by their id, and the unit, period and labels shown
on it checked against the hidden metadata."""

from __future__ import annotations

from unionroll.adapters.xlsx_return.cells import (
    Cell,
    _blank,
    _cell,
    _key,
    _norm_text,
    _raw,
    _same_period,
)
from unionroll.adapters.xlsx_template import (
    COL_ID,
    COL_LABEL,
    COL_VALUE,
    DATA_SHEET,
    HEADER_ID_TEXT,
    HEADER_LABEL_TEXT,
    HEADER_VALUE_TEXT,
)
from unionroll.core.forms import FormDefinition
from unionroll.core.model import Finding, Location, RawValue, ReturnData

_HEADER_SCAN_ROWS = 60  # where to look for the data sheet's column header row


class _DataSheet:
    """The reader's methods for the data sheet (see :class:`.reader._Reader`)."""

    def read_data_sheet(
        self,
        rows: list[list[Cell]],
        data: ReturnData,
        form: FormDefinition | None,
        meta: dict[str, str],
        meta_cells: dict[str, Location],
    ) -> None:
        id_col, value_col, label_col = COL_ID, COL_VALUE, COL_LABEL
        for r in range(min(len(rows), _HEADER_SCAN_ROWS)):
            texts = [_key(v) for v in rows[r]]
            if HEADER_ID_TEXT in texts:
                id_col = texts.index(HEADER_ID_TEXT)
                value_col = (
                    texts.index(HEADER_VALUE_TEXT) if HEADER_VALUE_TEXT in texts else value_col
                )
                label_col = (
                    texts.index(HEADER_LABEL_TEXT) if HEADER_LABEL_TEXT in texts else label_col
                )
                break
        known = {ind.id: ind for ind in form.indicators} if form else {}
        part = self.info.sheets.get(DATA_SHEET)
        formulas = self.info.formulas.get(part, {}) if part else {}
        shown: dict[str, tuple[str, Location]] = {}
        for r, row in enumerate(rows):
            if id_col >= len(row):
                continue
            key = _key(row[id_col])
            if not key or key == HEADER_ID_TEXT:
                continue
            value = row[value_col] if value_col < len(row) else None
            where = self.loc(DATA_SHEET, r, value_col)
            if key.startswith("_"):
                shown.setdefault(key, (_key(value), where))
                continue
            has_value = not _blank(value)
            formula = formulas.get(where.cell or "")
            ind = known.get(key)
            if ind is not None:
                label = _cell(rows, r, label_col)
                # As printed on the template (most rows): no need to normalise it.
                if label != ind.label and _norm_text(label or "") != _norm_text(ind.label):
                    self.findings.append(
                        self.label_finding(key, ind.label, label, r, label_col, has_value)
                    )
            # A blank cell is not reported and is left out; a formula that left no value
            # is kept (raw None) so validation can say why the cell counts as blank.
            # Rows of one id given twice are all passed on: validation judges them.
            data.input_cells.setdefault(key, where)
            if has_value or formula is not None:
                data.values.append(
                    RawValue(indicator_id=key, raw=_raw(value), location=where, formula=formula)
                )
        # An indicator whose row is gone (its id cell changed or deleted) still has a
        # place to be named: the data sheet it belongs on.
        sheet_only = Location(file=self.display, sheet=DATA_SHEET)
        for ind_id in known:
            data.input_cells.setdefault(ind_id, sheet_only)
        self.check_shown(shown, meta, meta_cells)

    def label_finding(
        self, key: str, expected: str, found: Cell, r: int, c: int, has_value: bool
    ) -> Finding:
        found_text = _key(found)
        return Finding(
            "error" if has_value else "warning",
            "label_changed",
            f"第 {r + 1} 行的指标名称是“{found_text}”，与指标代码 {key} 的名称“{expected}”不一致。"
            "可能是修改了指标名称，或移动了行、填错了行。请使用原模板，不要修改指标名称和指标代码，"
            "并核对该行的数值。",
            location=self.loc(DATA_SHEET, r, c),
            indicator_id=key,
            label=expected,
            found=found_text,
            expected=expected,
        )

    def check_shown(
        self,
        shown: dict[str, tuple[str, Location]],
        meta: dict[str, str],
        meta_cells: dict[str, Location],
    ) -> None:
        """The unit and period shown on the data sheet must be the ones the template was
        made for: a mismatch means someone edited them or copied another unit's template."""
        if "_unit_code" in shown:
            text, where = shown["_unit_code"]
            if text != meta["unit_code"]:
                self.findings.append(
                    self.mismatch(
                        "unit_mismatch",
                        "单位代码",
                        text,
                        where,
                        meta["unit_code"],
                        meta_cells["unit_code"],
                    )
                )
        for key in ("_period", "_period_label"):
            if key not in shown:
                continue
            text, where = shown[key]
            if not _same_period(text, meta["period"]):
                self.findings.append(
                    self.mismatch(
                        "period_mismatch",
                        "报表期间",
                        text,
                        where,
                        meta["period"],
                        meta_cells["period"],
                    )
                )
        if "_unit_name" in shown and meta.get("unit_name"):
            text, where = shown["_unit_name"]
            if _norm_text(text) != _norm_text(meta["unit_name"]):
                finding = self.mismatch(
                    "unit_name_mismatch",
                    "单位名称",
                    text,
                    where,
                    meta["unit_name"],
                    meta_cells["unit_name"],
                )
                finding.severity = "warning"
                self.findings.append(finding)

    def mismatch(
        self, code: str, what: str, shown: str, where: Location, recorded: str, meta_where: Location
    ) -> Finding:
        return Finding(
            "error",
            code,
            f"报表上的{what}“{shown}”（{where.sheet}!{where.cell}）与模板中记录的{what}"
            f"“{recorded}”（隐藏工作表 {meta_where.sheet}!{meta_where.cell}）不一致。"
            "可能是改动了表头，或使用了其他单位、其他期间的模板。请用本单位本期的模板重新填报。",
            location=where,
            found=shown,
            expected=recorded,
        )
