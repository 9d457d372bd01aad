"""Storage: SQLAlchemy models, engine set-up and schema migrations.

SQLite in the workspace folder is the default; the same models run on PostgreSQL.
The schema is created and upgraded by the Alembic migrations in ``unionroll/migrations``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any, ClassVar

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Text,
    UniqueConstraint,
    create_engine,
    event,
    inspect,
    select,
    text,
)
from sqlalchemy.engine import Engine, make_url
from sqlalchemy.exc import ArgumentError, OperationalError
from sqlalchemy.exc import DatabaseError as SADatabaseError
from sqlalchemy.orm import (
    DeclarativeBase,
    Mapped,
    Session,
    mapped_column,
    relationship,
    sessionmaker,
)

from unionroll.core.errors import DatabaseError

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


def utcnow() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)
    type_annotation_map: ClassVar[dict[Any, Any]] = {dict[str, Any]: JSON}


class Unit(Base):
    """A union at any level: the county union, a township union, a school union."""

    __tablename__ = "units"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    code: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    level: Mapped[str] = mapped_column(String(32), index=True)
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("units.id"), index=True)
    active_from: Mapped[date | None] = mapped_column(Date)
    active_to: Mapped[date | None] = mapped_column(Date)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow, onupdate=utcnow)

    parent: Mapped[Unit | None] = relationship(remote_side=[id])

    def is_open_on(self, day: date) -> bool:
        if self.active_from and day < self.active_from:
            return False
        return not (self.active_to and day >= self.active_to)


class UnitClosure(Base):
    """Every (ancestor, descendant) pair of the hierarchy, a unit being its own ancestor at 0."""

    __tablename__ = "unit_closure"

    ancestor_id: Mapped[int] = mapped_column(
        ForeignKey("units.id", ondelete="CASCADE"), primary_key=True
    )
    descendant_id: Mapped[int] = mapped_column(
        ForeignKey("units.id", ondelete="CASCADE"), primary_key=True, index=True
    )
    depth: Mapped[int] = mapped_column(Integer)


class UnitEvent(Base):
    """History of a unit: created, renamed, moved, closed, reopened, level changed."""

    __tablename__ = "unit_events"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id"), index=True)
    at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    kind: Mapped[str] = mapped_column(String(32))
    old_value: Mapped[str | None] = mapped_column(String(200))
    new_value: Mapped[str | None] = mapped_column(String(200))
    source: Mapped[str | None] = mapped_column(String(500))


class FormRecord(Base):
    """A form definition as it was when returns were stored against it."""

    __tablename__ = "forms"
    __table_args__ = (UniqueConstraint("form_id", "version"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    form_id: Mapped[str] = mapped_column(String(100))
    version: Mapped[int] = mapped_column(Integer)
    title: Mapped[str] = mapped_column(String(200))
    checksum: Mapped[str] = mapped_column(String(64))
    definition: Mapped[dict[str, Any]] = mapped_column(JSON)
    registered_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)


class SourceFile(Base):
    """A file a return came from, kept in the workspace under its checksum."""

    __tablename__ = "source_files"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    checksum: Mapped[str] = mapped_column(String(64), unique=True)
    original_name: Mapped[str] = mapped_column(String(500))
    stored_path: Mapped[str | None] = mapped_column(String(1000))
    size: Mapped[int] = mapped_column(BigInteger)
    received_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)


# The returns that count: the current one of each unit and period.
ACTIVE_STATUSES = ("accepted", "accepted_with_warnings")
# The returns that were accepted at some time, the since-replaced ones too (a first
# accepted return decides whether a unit reported on time).
ONCE_ACCEPTED_STATUSES = (*ACTIVE_STATUSES, "superseded")


# Which returns the partial unique index uq_returns_current covers.
CURRENT_WHERE = "status IN ('accepted', 'accepted_with_warnings')"


class ReturnRecord(Base):
    """One unit's return for one period. Never deleted: a newer one supersedes it."""

    __tablename__ = "returns"
    __table_args__ = (
        Index("ix_returns_unit_period_status", "unit_id", "period", "status"),
        # At most one current return per unit and period, whatever writes at once. In
        # SQLite's words here; PostgreSQL's are added by make_engine for a PostgreSQL
        # database (see _postgresql_options).
        Index(
            "uq_returns_current",
            "unit_id",
            "period",
            unique=True,
            sqlite_where=text(CURRENT_WHERE),
        ),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id"), index=True)
    period: Mapped[str] = mapped_column(String(16), index=True)
    form_id: Mapped[str] = mapped_column(String(100))
    form_version: Mapped[int] = mapped_column(Integer)
    # accepted | accepted_with_warnings | rejected | superseded
    status: Mapped[str] = mapped_column(String(32))
    consolidated: Mapped[bool] = mapped_column(Boolean, default=False)
    adapter: Mapped[str] = mapped_column(String(100))
    source_file_id: Mapped[int | None] = mapped_column(ForeignKey("source_files.id"))
    source_name: Mapped[str] = mapped_column(String(500))
    source_locator: Mapped[str | None] = mapped_column(String(500))
    content_checksum: Mapped[str] = mapped_column(String(64), index=True)
    submitted_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    superseded_by_id: Mapped[int | None] = mapped_column(ForeignKey("returns.id"))
    superseded_at: Mapped[datetime | None] = mapped_column(DateTime)
    n_values: Mapped[int] = mapped_column(Integer, default=0)
    n_errors: Mapped[int] = mapped_column(Integer, default=0)
    n_warnings: Mapped[int] = mapped_column(Integer, default=0)
    # Who sent it: a web login, or None for files read by ``unionroll ingest``.
    submitted_by: Mapped[str | None] = mapped_column(String(200))

    unit: Mapped[Unit] = relationship()
    source_file: Mapped[SourceFile | None] = relationship()


class ReturnValue(Base):
    """One indicator's value in a return: a number, or text for text and choice indicators."""

    __tablename__ = "return_values"

    return_id: Mapped[int] = mapped_column(
        ForeignKey("returns.id", ondelete="CASCADE"), primary_key=True
    )
    indicator_id: Mapped[str] = mapped_column(String(100), primary_key=True, index=True)
    num: Mapped[float | None] = mapped_column(Float)
    text: Mapped[str | None] = mapped_column(Text)
    location: Mapped[str | None] = mapped_column(String(200))


class RegisterRow(Base):
    """A row of a return's register: an award, an event, a highlight, a problem, a priority."""

    __tablename__ = "register_rows"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    return_id: Mapped[int] = mapped_column(ForeignKey("returns.id", ondelete="CASCADE"), index=True)
    register: Mapped[str] = mapped_column(String(32))
    row_no: Mapped[int] = mapped_column(Integer)
    category: Mapped[str | None] = mapped_column(String(100))
    level: Mapped[str | None] = mapped_column(String(32))
    month: Mapped[int | None] = mapped_column(Integer)
    data: Mapped[dict[str, Any]] = mapped_column(JSON)
    location: Mapped[str | None] = mapped_column(String(200))


class Finding(Base):
    """A validation finding on a return, kept with it (rejected returns keep theirs too)."""

    __tablename__ = "findings"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    return_id: Mapped[int] = mapped_column(ForeignKey("returns.id", ondelete="CASCADE"), index=True)
    severity: Mapped[str] = mapped_column(String(16))
    code: Mapped[str] = mapped_column(String(64))
    message: Mapped[str] = mapped_column(Text)
    location: Mapped[str | None] = mapped_column(String(200))
    indicator_id: Mapped[str | None] = mapped_column(String(100))


class Approval(Base):
    """Where the review of one unit's return for one period stands (one row per unit and
    period, made at the first review). It speaks of the return it was given on: a newer
    return for the same unit and period is back at "submitted" until reviewed again."""

    __tablename__ = "approvals"
    __table_args__ = (UniqueConstraint("unit_id", "period"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id"))
    period: Mapped[str] = mapped_column(String(16), index=True)
    return_id: Mapped[int] = mapped_column(ForeignKey("returns.id"))
    state: Mapped[str] = mapped_column(String(16))  # approved | returned
    # The highest unit that approved (or the one that returned it). Approval by the top
    # unit locks the period for the unit.
    reviewer_id: Mapped[int] = mapped_column(ForeignKey("units.id"))
    locked: Mapped[bool] = mapped_column(Boolean, default=False)
    reason: Mapped[str | None] = mapped_column(Text)
    updated_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    updated_by: Mapped[str] = mapped_column(String(200))


class ApprovalEvent(Base):
    """Every review step, never changed or deleted: who did what, when and why."""

    __tablename__ = "approval_events"
    __table_args__ = (Index("ix_approval_events_unit_period", "unit_id", "period"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id"))
    period: Mapped[str] = mapped_column(String(16))
    return_id: Mapped[int | None] = mapped_column(ForeignKey("returns.id"))
    action: Mapped[str] = mapped_column(String(16))  # approve | lock | return | unlock
    from_state: Mapped[str] = mapped_column(String(32))
    to_state: Mapped[str] = mapped_column(String(32))
    reviewer_id: Mapped[int] = mapped_column(ForeignKey("units.id"))
    actor: Mapped[str] = mapped_column(String(200))
    at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    reason: Mapped[str | None] = mapped_column(Text)


class UserAccount(Base):
    """A login for the web page. Each account belongs to one unit and acts for it."""

    __tablename__ = "users"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    login: Mapped[str] = mapped_column(String(64), unique=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id"), index=True)
    password_hash: Mapped[str] = mapped_column(String(200))
    # Changes with every password change, so that a reset ends the sessions signed before.
    password_stamp: Mapped[str] = mapped_column(String(32))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    last_login_at: Mapped[datetime | None] = mapped_column(DateTime)

    unit: Mapped[Unit] = relationship()


class Setting(Base):
    """Workspace-wide values kept with the data, such as the web page's signing key, so
    that every office serving the same database signs alike."""

    __tablename__ = "settings"

    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    value: Mapped[str] = mapped_column(Text)


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


# --- engine --------------------------------------------------------------------------


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA busy_timeout=10000")
    cursor.close()


def sqlite_url(path: Path) -> str:
    return f"sqlite:///{path}"


def make_engine(url: str) -> Engine:
    """An engine for a database URL, with SQLite set up for one office's safe use."""
    try:
        parsed = make_url(url)
    except ArgumentError as exc:
        raise DatabaseError(f"数据库地址“{url}”无法识别：{exc}") from None
    if parsed.drivername == "postgresql":
        # The psycopg 3 driver is the one unionroll installs.
        parsed = parsed.set(drivername="postgresql+psycopg")
    try:
        engine = create_engine(parsed, future=True)
    except (ArgumentError, ImportError) as exc:
        raise DatabaseError(f"无法使用数据库“{url}”：{exc}") from None
    if engine.dialect.name == "sqlite":
        event.listen(engine, "connect", _sqlite_pragmas)
    elif engine.dialect.name == "postgresql":
        _postgresql_options()
    return engine


def _postgresql_options() -> None:
    """The models' options for PostgreSQL alone, added when an engine for it is made, so
    that on PostgreSQL too the models say what the migrations make (the schema is the
    migrations': 0003 creates uq_returns_current with both WHEREs). Named in the model
    itself, an option ``postgresql_...`` would load SQLAlchemy's PostgreSQL dialect, some
    35 ms, into every command on SQLite."""
    index = next(i for i in ReturnRecord.__table__.indexes if i.name == "uq_returns_current")
    index.dialect_options["postgresql"]["where"] = text(CURRENT_WHERE)


def session_factory(engine: Engine) -> sessionmaker:
    return sessionmaker(engine, expire_on_commit=False, future=True)


def check_connection(engine: Engine) -> None:
    try:
        with engine.connect():
            pass
    except (OperationalError, SADatabaseError) as exc:
        reason = str(exc.orig) if getattr(exc, "orig", None) else str(exc)
        raise DatabaseError(
            f"无法连接数据库 {engine.url.render_as_string(hide_password=True)}：{reason.strip()}"
        ) from None


def table_names(engine: Engine) -> list[str]:
    return inspect(engine).get_table_names()
