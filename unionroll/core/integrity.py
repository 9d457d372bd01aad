"""Checking a workspace's store: is everything the county relies on whole and consistent?

:func:`check_store` reads the whole database and the kept source files and lists every
problem in plain Chinese: the schema version, the unit closure table against the parent
links, each kept source file against its checksum, one current return per unit and
period, returns without their values, and rows that belong to nothing. It changes
nothing. :func:`backup_sqlite` writes a consistent copy of a live SQLite database.
"""

from __future__ import annotations

import hashlib
import sqlite3
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from sqlalchemy import func, select
from sqlalchemy.engine import Connection

from unionroll.core import migrate
from unionroll.core.errors import DatabaseError
from unionroll.core.files import stale_parts
from unionroll.core.store import (
    Finding,
    RegisterRow,
    ReturnRecord,
    ReturnValue,
    SourceFile,
    Unit,
    UnitClosure,
)
from unionroll.core.tables import ACTIVE_STATUSES
from unionroll.core.units import closure_of
from unionroll.core.workspace import Workspace

_MAX_LISTED = 20  # problems of one kind listed by name; the rest are counted


@dataclass
class Check:
    """One aspect of the store that was checked, and what is wrong with it."""

    title: str
    problems: list[str] = field(default_factory=list)
    checked: int = 0  # how many things were looked at

    @property
    def ok(self) -> bool:
        return not self.problems


@dataclass
class StoreReport:
    checks: list[Check]

    @property
    def ok(self) -> bool:
        return all(c.ok for c in self.checks)

    @property
    def n_problems(self) -> int:
        return sum(len(c.problems) for c in self.checks)


def check_store(workspace: Workspace) -> StoreReport:
    """Check the workspace's database and kept source files; change nothing."""
    engine = workspace.engine
    schema = Check("数据库结构版本")
    current = migrate.current_revision(engine)
    head = migrate.head_revision()
    schema.checked = 1
    if current != head:
        schema.problems.append(
            f"数据库结构版本为 {current or '未初始化'}，本程序需要 {head}"
            "（请运行 unionroll db upgrade）。"
        )
        return StoreReport([schema])
    with engine.connect() as conn:
        checks = [
            schema,
            _closure(conn),
            _current_returns(conn),
            _values(conn),
            _orphan_rows(conn),
            _sources(conn, workspace.root),
        ]
    return StoreReport(checks)


def _listed(check: Check, problems: list[str]) -> None:
    check.problems.extend(problems[:_MAX_LISTED])
    if len(problems) > _MAX_LISTED:
        check.problems.append(f"……另有 {len(problems) - _MAX_LISTED} 处同类问题")


def _closure(conn: Connection) -> Check:
    check = Check("单位层级（上下级关系表）")
    units = conn.execute(select(Unit.id, Unit.code, Unit.parent_id)).all()
    code = {u.id: u.code for u in units}
    parent = {u.id: u.parent_id for u in units}
    check.checked = len(units)
    problems = [
        f"单位 {code[u]} 的上级（编号 {p}）不存在" for u, p in parent.items() if p and p not in code
    ]
    expected = closure_of(parent)
    stored = {
        (r.ancestor_id, r.descendant_id, r.depth)
        for r in conn.execute(
            select(UnitClosure.ancestor_id, UnitClosure.descendant_id, UnitClosure.depth)
        )
    }

    def name(unit_id: int) -> str:
        return code.get(unit_id, f"（不存在的单位 {unit_id}）")

    for a, d, depth in sorted(expected - stored):
        problems.append(f"缺少：{name(a)} 是 {name(d)} 的第 {depth} 级上级")
    for a, d, depth in sorted(stored - expected):
        problems.append(f"多余：{name(a)} 被记为 {name(d)} 的第 {depth} 级上级，与上级关系不符")
    if problems:
        problems.append("修复：运行 unionroll units import 重新导入单位名单，层级表会重建。")
    _listed(check, problems)
    return check


def _current_returns(conn: Connection) -> Check:
    check = Check("每个单位每期只有一份现行报表")
    r = ReturnRecord.__table__.c
    codes = dict(conn.execute(select(Unit.id, Unit.code)).all())
    rows = conn.execute(select(r.id, r.unit_id, r.period, r.status, r.superseded_by_id)).all()
    check.checked = len(rows)
    by_id = {row.id: row for row in rows}
    active = Counter((row.unit_id, row.period) for row in rows if row.status in ACTIVE_STATUSES)
    problems = [
        f"单位 {codes.get(unit, unit)} {period} 有 {n} 份现行报表（应只有 1 份）"
        for (unit, period), n in sorted(active.items(), key=str)
        if n > 1
    ]
    for row in rows:
        if row.status != "superseded":
            continue
        newer = by_id.get(row.superseded_by_id)
        if newer is None or (newer.unit_id, newer.period) != (row.unit_id, row.period):
            problems.append(
                f"报表 {row.id}（{codes.get(row.unit_id, row.unit_id)} {row.period}）已被替换，"
                "但找不到替换它的同单位同期报表"
            )
    _listed(check, problems)
    return check


def _values(conn: Connection) -> Check:
    check = Check("收录的报表数据完整")
    r = ReturnRecord.__table__.c
    counts = (
        select(ReturnValue.return_id, func.count().label("n"))
        .group_by(ReturnValue.return_id)
        .subquery()
    )
    rows = conn.execute(
        select(r.id, r.source_name, r.n_values, counts.c.n)
        .outerjoin(counts, counts.c.return_id == r.id)
        .where(r.status.in_((*ACTIVE_STATUSES, "superseded")))
    ).all()
    check.checked = len(rows)
    _listed(
        check,
        [
            f"报表 {row.id}（{row.source_name}）应有 {row.n_values} 项数据，实有 {row.n or 0} 项"
            for row in rows
            if (row.n or 0) != row.n_values
        ],
    )
    return check


def _orphan_rows(conn: Connection) -> Check:
    check = Check("没有无所属的记录")
    r = ReturnRecord.__table__.c
    returns = select(r.id)
    units = select(Unit.id)
    problems = []
    for table, label in (
        (ReturnValue.__table__, "报表数据"),
        (RegisterRow.__table__, "登记表行"),
        (Finding.__table__, "审核意见"),
    ):
        n = conn.execute(
            select(func.count()).select_from(table).where(table.c.return_id.not_in(returns))
        ).scalar_one()
        if n:
            problems.append(f"{n} 条{label}所属的报表不存在")
    n = conn.execute(
        select(func.count()).select_from(ReturnRecord).where(r.unit_id.not_in(units))
    ).scalar_one()
    if n:
        problems.append(f"{n} 份报表所属的单位不存在")
    n = conn.execute(
        select(func.count())
        .select_from(ReturnRecord)
        .where(r.source_file_id.is_not(None), r.source_file_id.not_in(select(SourceFile.id)))
    ).scalar_one()
    if n:
        problems.append(f"{n} 份报表所指的源文件记录不存在")
    c = UnitClosure.__table__.c
    n = conn.execute(
        select(func.count())
        .select_from(UnitClosure)
        .where(c.ancestor_id.not_in(units) | c.descendant_id.not_in(units))
    ).scalar_one()
    if n:
        problems.append(f"{n} 条层级记录指向不存在的单位")
    n = conn.execute(
        select(func.count())
        .select_from(SourceFile)
        .where(SourceFile.id.not_in(select(r.source_file_id).where(r.source_file_id.is_not(None))))
    ).scalar_one()
    if n:
        problems.append(f"{n} 条源文件记录没有任何报表引用")
    check.checked = 7
    check.problems.extend(problems)
    return check


def _sources(conn: Connection, root: Path) -> Check:
    check = Check("源文件齐全且未被改动（sha256）")
    s = SourceFile.__table__.c
    r = ReturnRecord.__table__.c
    rows = conn.execute(
        select(
            s.id, s.checksum, s.stored_path, s.original_name, s.size, func.count(r.id).label("n")
        )
        .outerjoin(ReturnRecord, (r.source_file_id == s.id) & r.status.in_(ACTIVE_STATUSES))
        .group_by(s.id, s.checksum, s.stored_path, s.original_name, s.size)
    ).all()
    check.checked = len(rows)
    problems: list[str] = []
    known: set[Path] = set()
    for row in rows:
        if row.stored_path is None:
            if row.n:
                problems.append(f"{row.original_name}：收录的报表没有保留源文件")
            continue
        path = root / row.stored_path
        known.add(path.resolve())
        if not path.is_file():
            problems.append(f"{row.original_name}：源文件 {row.stored_path} 不见了")
            continue
        digest = _sha256(path)
        if digest != row.checksum:
            problems.append(
                f"{row.original_name}：源文件 {row.stored_path} 的 sha256 与收录时不同"
                "（文件被改动或损坏）"
            )
    folder = root / "sources"
    if folder.is_dir():
        for path in sorted(folder.rglob("*")):
            if path.is_file() and path.resolve() not in known and not path.name.endswith(".part"):
                problems.append(
                    f"源文件 {path.relative_to(root)} 不属于任何收录记录"
                    "（收录中途被打断时会这样：对同一批文件重新运行 unionroll ingest 即可）"
                )
    problems += [
        f"{p.relative_to(root)} 是中断的运行留下的半个文件（下次收录时会自动清除）"
        for p in stale_parts(folder)
    ]
    _listed(check, problems)
    return check


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def backup_sqlite(workspace: Workspace, target: Path | None = None) -> Path:
    """Copy the live SQLite database with SQLite's backup API: a consistent snapshot even
    while other commands write. Returns the copy's path."""
    engine = workspace.engine
    if engine.dialect.name != "sqlite":
        raise DatabaseError(
            "此工作区的数据库是 PostgreSQL，不能用本命令备份。"
            "请用 PostgreSQL 自带的 pg_dump 备份（例如 pg_dump -Fc -f 备份文件 数据库名），"
            "用 pg_restore 恢复。"
        )
    migrate.ensure_current(engine)
    if target is None:
        stamp = datetime.now().strftime("%Y%m%d-%H%M%S")
        target = workspace.root / "backups" / f"unionroll-{stamp}.db"
    if target.exists():
        raise DatabaseError(f"备份文件 {target} 已存在，未覆盖。请换一个文件名。")
    target.parent.mkdir(parents=True, exist_ok=True)
    part = target.with_name(target.name + ".part")
    raw = engine.raw_connection()
    try:
        dest = sqlite3.connect(part)
        try:
            raw.driver_connection.backup(dest)  # type: ignore[union-attr]
            ok = dest.execute("PRAGMA integrity_check").fetchone()[0]
        finally:
            dest.close()
    finally:
        raw.close()
    if ok != "ok":
        part.unlink(missing_ok=True)
        raise DatabaseError(f"备份副本未通过完整性检查（{ok}），已删除。原数据库未改动。")
    part.replace(target)
    return target
