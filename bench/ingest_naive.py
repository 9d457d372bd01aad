"""The naive way to ingest filled templates, for bench/ingest.py to compare with: open each
workbook with openpyxl, take every filled cell of every sheet, and store each as an ORM
row, one transaction per file, on SQLite. No archive checks, no validation, no receipts:
what a first script written for the job would do, and a floor for how slow it could be.
"""

from __future__ import annotations

import time
from pathlib import Path

import openpyxl
from sqlalchemy import ForeignKey, Integer, String, Text, create_engine
from sqlalchemy.orm import DeclarativeBase, Mapped, Session, mapped_column


class _Base(DeclarativeBase):
    pass


class _File(_Base):
    __tablename__ = "files"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(500))


class _Cell(_Base):
    __tablename__ = "cells"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    file_id: Mapped[int] = mapped_column(ForeignKey("files.id"))
    sheet: Mapped[str] = mapped_column(String(100))
    ref: Mapped[str] = mapped_column(String(20))
    value: Mapped[str | None] = mapped_column(Text)


def naive_ingest(files: list[Path], db_path: Path) -> dict[str, float]:
    """Ingest ``files`` the naive way into a new SQLite file; files per second."""
    engine = create_engine(f"sqlite:///{db_path}")
    _Base.metadata.create_all(engine)
    cells = 0
    start = time.perf_counter()
    for path in files:
        book = openpyxl.load_workbook(path, data_only=True)
        with Session(engine) as session, session.begin():
            row = _File(name=path.name)
            session.add(row)
            session.flush()
            for sheet in book.worksheets:
                for line in sheet.iter_rows():
                    for cell in line:
                        if cell.value is not None:
                            session.add(
                                _Cell(
                                    file_id=row.id,
                                    sheet=sheet.title,
                                    ref=cell.coordinate,
                                    value=str(cell.value),
                                )
                            )
                            cells += 1
        book.close()
    elapsed = time.perf_counter() - start
    engine.dispose()
    return {"files": len(files), "seconds": elapsed, "files_per_s": len(files) / elapsed}
