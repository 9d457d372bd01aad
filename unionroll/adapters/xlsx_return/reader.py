"""Reading one workbook that passed the archive check: the hidden ``_meta`` sheet, then
the data sheet and the register sheets."""

from __future__ import annotations

import io
from pathlib import Path

from python_calamine import CalamineError, CalamineWorkbook

from unionroll.adapters import xlsx_safety
from unionroll.adapters.xlsx_return.cells import Cell, _key
from unionroll.adapters.xlsx_return.data_sheet import _DataSheet
from unionroll.adapters.xlsx_return.register_sheets import _RegisterSheets
from unionroll.adapters.xlsx_template import DATA_SHEET, META_SHEET, TEMPLATE_FORMAT, cell_name
from unionroll.core.contracts import ReadContext
from unionroll.core.errors import SourceError
from unionroll.core.forms import FormDefinition
from unionroll.core.model import Finding, Location, ReturnData

NAME = "xlsx-return"  # the adapter, as recorded on each return it reads
_REQUIRED_META = ("form_id", "form_version", "unit_code", "period")
_YES = {"是", "yes", "true", "1", "y"}


class _Reader(_DataSheet, _RegisterSheets):
    """Reads one checked workbook: the hidden metadata here, the sheets in the mixins."""

    def __init__(
        self, path: Path, display: str, info: xlsx_safety.ArchiveInfo, context: ReadContext
    ) -> None:
        self.path = path
        self.display = display
        self.info = info
        self.context = context
        self.findings: list[Finding] = []

    def loc(self, sheet: str, r: int, c: int) -> Location:
        return Location(file=self.display, sheet=sheet, cell=cell_name(r, c))

    def fail(self, message: str, code: str, location: Location | None = None) -> SourceError:
        return SourceError(message, code=code, location=location or Location(file=self.display))

    def rows(self, wb: CalamineWorkbook, sheet: str) -> list[list[Cell]]:
        try:
            return wb.get_sheet_by_name(sheet).to_python(skip_empty_area=False)
        except CalamineError as exc:
            raise self.fail(
                f"工作表“{sheet}”已损坏，无法读取（{exc}）。"
                "请在 Excel/WPS 中重新保存为 .xlsx 后再报送。",
                "corrupt",
                Location(file=self.display, sheet=sheet),
            ) from None

    def read(self) -> ReturnData:
        try:
            wb = CalamineWorkbook.from_filelike(io.BytesIO(self.info.data))
        except CalamineError as exc:
            raise self.fail(
                f"文件已损坏，无法读取（{exc}）。"
                "请在 Excel/WPS 中打开确认无误后重新保存为 .xlsx，再报送。",
                "corrupt",
            ) from None
        with wb:
            names = wb.sheet_names
            if META_SHEET not in names:
                raise self.fail(
                    f"文件中缺少隐藏的模板信息工作表“{META_SHEET}”，无法确定是哪个单位、哪个期间的报表。"
                    "这通常是因为把内容复制到了新建的工作簿，或删除了隐藏的工作表。"
                    "请重新下载本单位的报表模板，在模板中填写后再报送。",
                    "meta_missing",
                )
            meta, meta_cells = self.read_meta(self.rows(wb, META_SHEET))
            data = self.return_data(meta, meta_cells)
            form = self.form_for(data)
            if DATA_SHEET not in names:
                visible = "、".join(f"“{n}”" for n in names if not n.startswith("_"))
                raise self.fail(
                    f"找不到工作表“{DATA_SHEET}”（现有工作表：{visible}）。"
                    f"请不要修改工作表名称：把填写指标的工作表改回“{DATA_SHEET}”后再报送。",
                    "data_sheet_missing",
                )
            self.read_data_sheet(self.rows(wb, DATA_SHEET), data, form, meta, meta_cells)
            for reg in form.registers if form else self.context.form.registers:
                if reg.name not in names:
                    self.findings.append(
                        Finding(
                            "warning",
                            "register_sheet_missing",
                            f"找不到工作表“{reg.name}”，未读取{reg.name}。"
                            "如有内容，请使用原模板填写，不要修改或删除工作表。",
                            location=Location(file=self.display),
                        )
                    )
                    continue
                data.registers.extend(self.read_register(self.rows(wb, reg.name), reg, form))
        data.findings.extend(self.findings)
        return data

    # --- metadata ---------------------------------------------------------------------

    def read_meta(self, rows: list[list[Cell]]) -> tuple[dict[str, str], dict[str, Location]]:
        meta: dict[str, str] = {}
        cells: dict[str, Location] = {}
        for r, row in enumerate(rows):
            if not row:
                continue
            key = _key(row[0])
            if not key or key in meta or key == "key":
                continue
            meta[key] = _key(row[1]) if len(row) > 1 else ""
            cells[key] = self.loc(META_SHEET, r, 1)
        missing = [k for k in _REQUIRED_META if not meta.get(k)]
        if missing:
            raise self.fail(
                f"隐藏的模板信息工作表“{META_SHEET}”不完整（缺少 {'、'.join(missing)}），"
                "模板可能被改动过。请重新下载本单位的报表模板，在模板中填写后再报送。",
                "meta_incomplete",
                Location(file=self.display, sheet=META_SHEET),
            )
        fmt = meta.get("template_format", "1")
        try:
            fmt_no = int(float(fmt))
        except (ValueError, OverflowError):
            fmt_no = TEMPLATE_FORMAT + 1
        if fmt_no > TEMPLATE_FORMAT:
            raise self.fail(
                f"这份模板的格式版本（{fmt}）比本程序能读的新（{TEMPLATE_FORMAT}），"
                "请升级 unionroll 后再导入。",
                "template_too_new",
                cells.get("template_format"),
            )
        return meta, cells

    def return_data(self, meta: dict[str, str], cells: dict[str, Location]) -> ReturnData:
        try:
            version = int(float(meta["form_version"]))
        except (ValueError, OverflowError):
            raise self.fail(
                f"模板信息中的报表版本“{meta['form_version']}”无法识别，模板可能被改动过。"
                "请重新下载本单位的报表模板。",
                "meta_incomplete",
                cells["form_version"],
            ) from None
        return ReturnData(
            source=self.path,
            adapter=NAME,
            unit_code=meta["unit_code"],
            period=meta["period"],
            form_id=meta["form_id"],
            form_version=version,
            consolidated=meta.get("consolidated", "").strip().lower() in _YES,
            template_id=meta.get("template_id") or None,
            unit_location=cells["unit_code"],
            period_location=cells["period"],
            form_location=cells["form_version"],
        )

    def form_for(self, data: ReturnData) -> FormDefinition | None:
        """The form the template was made from, when it is known; None for a foreign one
        (values are still read by id, for validation to reject with the right message)."""
        key = f"{data.form_id}@{data.form_version}"
        if key in self.context.forms:
            return self.context.forms[key]
        form = self.context.form
        if form.id == data.form_id and form.version == data.form_version:
            return form
        return None
