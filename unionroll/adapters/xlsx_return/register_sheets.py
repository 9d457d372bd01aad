"""The register sheets: one row per award, event or text, columns found by their ids."""

from __future__ import annotations

from typing import Any

from unionroll.adapters.xlsx_return.cells import Cell, _indicator_lookup, _key, _norm_text, _raw
from unionroll.core.forms import FormDefinition, Register
from unionroll.core.model import Finding, Location, RawRegisterRow

_ID_ROW_SCAN_ROWS = 20  # where to look for a register sheet's row of column ids


class _RegisterSheets:
    """The reader's methods for the register sheets (see :class:`.reader._Reader`)."""

    def read_register(
        self, rows: list[list[Cell]], reg: Register, form: FormDefinition | None
    ) -> list[RawRegisterRow]:
        col_ids = {col.id for col in reg.columns}
        best_row, best = -1, {}
        for r in range(min(len(rows), _ID_ROW_SCAN_ROWS)):
            found: dict[int, str] = {}
            for c, v in enumerate(rows[r]):
                cid = _key(v)
                if cid in col_ids and cid not in found.values():
                    found[c] = cid
            if len(found) > len(best):
                best_row, best = r, found
        if best_row < 0:
            self.findings.append(
                Finding(
                    "error",
                    "register_ids_missing",
                    f"工作表“{reg.name}”中找不到列代码行（表头下面灰色小字的一行），无法读取该表。"
                    "请使用原模板，不要删除表头。",
                    location=Location(file=self.display, sheet=reg.name),
                )
            )
            return []
        missing = [col.label for col in reg.columns if col.id not in best.values()]
        if missing:
            self.findings.append(
                Finding(
                    "warning",
                    "register_column_missing",
                    f"工作表“{reg.name}”中缺少这些列：{'、'.join(missing)}。请使用原模板，不要删除列。",
                    location=Location(file=self.display, sheet=reg.name, line=best_row + 1),
                )
            )
        indicator_ids = _indicator_lookup(form or self.context.form)
        part = self.info.sheets.get(reg.name)
        formulas = self.info.formulas.get(part, {}) if part else {}
        out: list[RawRegisterRow] = []
        for r in range(best_row + 1, len(rows)):
            row = rows[r]
            cells: dict[str, Any] = {}
            locations: dict[str, Location] = {}
            empty = True
            for c, cid in best.items():
                value = _raw(row[c]) if c < len(row) else None
                if value is not None:
                    empty = False
                    if reg.column(cid).type == "indicator" and isinstance(value, str):
                        value = indicator_ids.get(_norm_text(value), value)
                cells[cid] = value
                locations[cid] = self.loc(reg.name, r, c)
            if empty:
                continue
            for cid, where in locations.items():
                if where.cell in formulas and cells[cid] is not None:
                    self.findings.append(
                        Finding(
                            "warning",
                            "formula",
                            f"单元格中是公式 {formulas[where.cell]}，"
                            f"已按其计算结果“{cells[cid]}”读取。"
                            "请直接填写内容，不要用公式。",
                            location=where,
                            found=cells[cid],
                        )
                    )
            out.append(
                RawRegisterRow(
                    register=reg.id,
                    row_no=r + 1,
                    cells=cells,
                    locations=locations,
                    location=Location(file=self.display, sheet=reg.name, line=r + 1),
                )
            )
        return out
