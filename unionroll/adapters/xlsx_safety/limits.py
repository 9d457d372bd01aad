"""What a quarterly return may look like (:class:`Limits`), what the check learns on the
way (:class:`ArchiveInfo`), and the refusals the checks share."""

from __future__ import annotations

from dataclasses import dataclass, field

from unionroll.core.errors import SourceError
from unionroll.core.model import Location


@dataclass(frozen=True)
class Limits:
    """What a quarterly return may look like. A real one is ~150 KB unpacked."""

    max_file_bytes: int = 20 * 1024 * 1024
    max_entries: int = 500
    max_total_uncompressed: int = 50 * 1024 * 1024
    max_ratio: int = 100  # uncompressed : compressed, for members above ratio_min_size
    ratio_min_size: int = 1024 * 1024
    max_row: int = 100_000
    max_col: int = 200
    max_cells: int = 4_000_000  # rows × columns of one sheet's used area (what a reader allocates)
    max_cell_count: int = 500_000  # cell elements in one sheet


DEFAULT_LIMITS = Limits()


@dataclass
class ArchiveInfo:
    """What the check learned on the way, for the reader."""

    data: bytes
    sheets: dict[str, str] = field(default_factory=dict)  # sheet name → part name
    # part name → {cell reference → formula text}, for worksheet cells that hold a formula
    formulas: dict[str, dict[str, str]] = field(default_factory=dict)
    extents: dict[str, tuple[int, int]] = field(default_factory=dict)  # part → (rows, cols)


def _fail(message: str, code: str, where: Location) -> SourceError:
    return SourceError(message, location=where, code=code)


def _too_many_parts(count: int, where: Location) -> SourceError:
    return _fail(
        f"文件中的部件太多（{count} 个），不是一份正常的报表，已拒收。", "too_many_parts", where
    )


def _bomb(where: Location) -> SourceError:
    return _fail(
        "文件解压后的内容异常庞大（疑似“压缩炸弹”），不是一份正常的报表，已拒收。",
        "hostile",
        where,
    )


def _corrupt(where: Location) -> SourceError:
    return _fail(
        "文件已损坏或不完整（可能没有下载或复制完整），无法打开。"
        "请在 Excel/WPS 中打开确认无误后重新保存，再报送。",
        "corrupt",
        where,
    )
