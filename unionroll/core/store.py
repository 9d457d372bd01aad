"""Storage: the ORM classes, mapped onto the tables of :mod:`unionroll.core.tables`.

SQLite in the workspace folder is the default; the same tables run on PostgreSQL (engines:
:mod:`unionroll.core.engine`). The schema is created and upgraded by the Alembic
migrations in ``unionroll/migrations``. Commands that work with one unit, return or
account at a time use these classes; storing returns uses the tables with Core
statements alone and does not load the ORM.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.engine import Engine
from sqlalchemy.orm import DeclarativeBase, Mapped, Session, relationship, sessionmaker

from unionroll.core import tables as T


class Base(DeclarativeBase):
    metadata = T.metadata


class Unit(Base):
    """A union at any level: the county union, a township union, a school union."""

    __table__ = T.units

    id: Mapped[int]
    code: Mapped[str]
    name: Mapped[str]
    level: Mapped[str]
    parent_id: Mapped[int | None]
    active_from: Mapped[date | None]
    active_to: Mapped[date | None]
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]

    parent: Mapped[Unit | None] = relationship(remote_side=[T.units.c.id])

    def is_open_on(self, day: date) -> bool:
        if self.active_from and day < self.active_from:
            return False
        return not (self.active_to and day >= self.active_to)


class UnitClosure(Base):
    """Every (ancestor, descendant) pair of the hierarchy, a unit being its own ancestor at 0."""

    __table__ = T.unit_closure

    ancestor_id: Mapped[int]
    descendant_id: Mapped[int]
    depth: Mapped[int]


class UnitEvent(Base):
    """History of a unit: created, renamed, moved, closed, reopened, level changed."""

    __table__ = T.unit_events

    id: Mapped[int]
    unit_id: Mapped[int]
    at: Mapped[datetime]
    kind: Mapped[str]
    old_value: Mapped[str | None]
    new_value: Mapped[str | None]
    source: Mapped[str | None]


class FormRecord(Base):
    """A form definition as it was when returns were stored against it."""

    __table__ = T.forms

    id: Mapped[int]
    form_id: Mapped[str]
    version: Mapped[int]
    title: Mapped[str]
    checksum: Mapped[str]
    definition: Mapped[dict[str, Any]]
    registered_at: Mapped[datetime]


class SourceFile(Base):
    """A file a return came from, kept in the workspace under its checksum."""

    __table__ = T.source_files

    id: Mapped[int]
    checksum: Mapped[str]
    original_name: Mapped[str]
    stored_path: Mapped[str | None]
    size: Mapped[int]
    received_at: Mapped[datetime]


class ReturnRecord(Base):
    """One unit's return for one period. Never deleted: a newer one supersedes it."""

    __table__ = T.returns

    id: Mapped[int]
    unit_id: Mapped[int]
    period: Mapped[str]
    form_id: Mapped[str]
    form_version: Mapped[int]
    status: Mapped[str]  # accepted | accepted_with_warnings | rejected | superseded
    consolidated: Mapped[bool]
    adapter: Mapped[str]
    source_file_id: Mapped[int | None]
    source_name: Mapped[str]
    source_locator: Mapped[str | None]
    content_checksum: Mapped[str]
    submitted_at: Mapped[datetime]
    superseded_by_id: Mapped[int | None]
    superseded_at: Mapped[datetime | None]
    n_values: Mapped[int]
    n_errors: Mapped[int]
    n_warnings: Mapped[int]
    submitted_by: Mapped[str | None]  # a web login, or None for ``unionroll ingest``

    unit: Mapped[Unit] = relationship()
    source_file: Mapped[SourceFile | None] = relationship()


class ReturnValue(Base):
    """One indicator's value in a return: a number, or text for text and choice indicators."""

    __table__ = T.return_values

    return_id: Mapped[int]
    indicator_id: Mapped[str]
    num: Mapped[float | None]
    text: Mapped[str | None]
    location: Mapped[str | None]


class RegisterRow(Base):
    """A row of a return's register: an award, an event, a highlight, a problem, a priority."""

    __table__ = T.register_rows

    id: Mapped[int]
    return_id: Mapped[int]
    register: Mapped[str]
    row_no: Mapped[int]
    category: Mapped[str | None]
    level: Mapped[str | None]
    month: Mapped[int | None]
    data: Mapped[dict[str, Any]]
    location: Mapped[str | None]


class Finding(Base):
    """A validation finding on a return, kept with it (rejected returns keep theirs too)."""

    __table__ = T.findings

    id: Mapped[int]
    return_id: Mapped[int]
    severity: Mapped[str]
    code: Mapped[str]
    message: Mapped[str]
    location: Mapped[str | None]
    indicator_id: Mapped[str | None]


class Approval(Base):
    """Where the review of one unit's return for one period stands (one row per unit and
    period, made at the first review). It speaks of the return it was given on: a newer
    return for the same unit and period is back at "submitted" until reviewed again."""

    __table__ = T.approvals

    id: Mapped[int]
    unit_id: Mapped[int]
    period: Mapped[str]
    return_id: Mapped[int]
    state: Mapped[str]  # approved | returned
    # The highest unit that approved (or the one that returned it). Approval by the top
    # unit locks the period for the unit.
    reviewer_id: Mapped[int]
    locked: Mapped[bool]
    reason: Mapped[str | None]
    updated_at: Mapped[datetime]
    updated_by: Mapped[str]


class ApprovalEvent(Base):
    """Every review step, never changed or deleted: who did what, when and why."""

    __table__ = T.approval_events

    id: Mapped[int]
    unit_id: Mapped[int]
    period: Mapped[str]
    return_id: Mapped[int | None]
    action: Mapped[str]  # approve | lock | return | unlock
    from_state: Mapped[str]
    to_state: Mapped[str]
    reviewer_id: Mapped[int]
    actor: Mapped[str]
    at: Mapped[datetime]
    reason: Mapped[str | None]


class UserAccount(Base):
    """A login for the web page. Each account belongs to one unit and acts for it."""

    __table__ = T.users

    id: Mapped[int]
    login: Mapped[str]
    unit_id: Mapped[int]
    password_hash: Mapped[str]
    password_stamp: Mapped[str]  # changes with every password change
    active: Mapped[bool]
    created_at: Mapped[datetime]
    last_login_at: Mapped[datetime | None]

    unit: Mapped[Unit] = relationship()


class Setting(Base):
    """Workspace-wide values kept with the data, such as the web page's signing key, so
    that every office serving the same database signs alike."""

    __table__ = T.settings

    key: Mapped[str]
    value: Mapped[str]


@dataclass
class StoredReturn:
    record: ReturnRecord
    unit: Unit
    values: list[ReturnValue]
    findings: list[Finding]


def stored_return(session: Session, return_id: int) -> StoredReturn | None:
    """A stored return with its unit, values and findings (in the order found), or None."""
    record = session.get(ReturnRecord, return_id)
    if record is None:
        return None
    values = session.scalars(select(ReturnValue).where(ReturnValue.return_id == return_id))
    findings = session.scalars(
        select(Finding).where(Finding.return_id == return_id).order_by(Finding.id)
    )
    return StoredReturn(record, record.unit, list(values), list(findings))


def session_factory(engine: Engine) -> sessionmaker[Session]:
    return sessionmaker(engine, expire_on_commit=False, future=True)
