"""The store's tables, in SQLAlchemy Core: what the database holds, without the ORM.

Storing returns (``unionroll ingest``) reads and writes these tables with Core statements
and does not load the ORM. The ORM classes in :mod:`unionroll.core.store` are mapped onto
the same tables, for the commands that work with one unit, return or account at a time.
The schema is created and upgraded by the Alembic migrations in ``unionroll/migrations``,
which compare with :data:`metadata`.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Column,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
    text,
)

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

metadata = MetaData(naming_convention=NAMING)


def utcnow() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)


# The returns that count: the current one of each unit and period.
ACTIVE_STATUSES = ("accepted", "accepted_with_warnings")
# The returns that were accepted at some time, the since-replaced ones too (a first
# accepted return decides whether a unit reported on time).
ONCE_ACCEPTED_STATUSES = (*ACTIVE_STATUSES, "superseded")
# Which returns the partial unique index uq_returns_current covers.
CURRENT_WHERE = "status IN ('accepted', 'accepted_with_warnings')"


def _id() -> Column[int]:
    return Column("id", Integer, primary_key=True)


def _required(name: str, *args: Any, **kwargs: Any) -> Column[Any]:
    return Column(name, *args, nullable=False, **kwargs)


def _optional(name: str, *args: Any, **kwargs: Any) -> Column[Any]:
    return Column(name, *args, nullable=True, **kwargs)


# A union at any level: the county union, a township union, a school union.
units = Table(
    "units",
    metadata,
    _id(),
    _required("code", String(64), unique=True),
    _required("name", String(200)),
    _required("level", String(32), index=True),
    _optional("parent_id", ForeignKey("units.id"), index=True),
    _optional("active_from", Date),
    _optional("active_to", Date),
    _required("created_at", DateTime, default=utcnow),
    _required("updated_at", DateTime, default=utcnow, onupdate=utcnow),
)

# Every (ancestor, descendant) pair of the hierarchy, a unit being its own ancestor at 0.
unit_closure = Table(
    "unit_closure",
    metadata,
    Column("ancestor_id", ForeignKey("units.id", ondelete="CASCADE"), primary_key=True),
    Column(
        "descendant_id", ForeignKey("units.id", ondelete="CASCADE"), primary_key=True, index=True
    ),
    _required("depth", Integer),
)

# History of a unit: created, renamed, moved, closed, reopened, level changed.
unit_events = Table(
    "unit_events",
    metadata,
    _id(),
    _required("unit_id", ForeignKey("units.id"), index=True),
    _required("at", DateTime, default=utcnow),
    _required("kind", String(32)),
    _optional("old_value", String(200)),
    _optional("new_value", String(200)),
    _optional("source", String(500)),
)

# A form definition as it was when returns were stored against it.
forms = Table(
    "forms",
    metadata,
    _id(),
    _required("form_id", String(100)),
    _required("version", Integer),
    _required("title", String(200)),
    _required("checksum", String(64)),
    _required("definition", JSON),
    _required("registered_at", DateTime, default=utcnow),
    UniqueConstraint("form_id", "version"),
)

# A file a return came from, kept in the workspace under its checksum.
source_files = Table(
    "source_files",
    metadata,
    _id(),
    _required("checksum", String(64), unique=True),
    _required("original_name", String(500)),
    _optional("stored_path", String(1000)),
    _required("size", BigInteger),
    _required("received_at", DateTime, default=utcnow),
)

# One unit's return for one period. Never deleted: a newer one supersedes it.
returns = Table(
    "returns",
    metadata,
    _id(),
    _required("unit_id", ForeignKey("units.id"), index=True),
    _required("period", String(16), index=True),
    _required("form_id", String(100)),
    _required("form_version", Integer),
    # accepted | accepted_with_warnings | rejected | superseded
    _required("status", String(32)),
    _required("consolidated", Boolean, default=False),
    _required("adapter", String(100)),
    _optional("source_file_id", ForeignKey("source_files.id")),
    _required("source_name", String(500)),
    _optional("source_locator", String(500)),
    _required("content_checksum", String(64), index=True),
    _required("submitted_at", DateTime, default=utcnow),
    _optional("superseded_by_id", ForeignKey("returns.id")),
    _optional("superseded_at", DateTime),
    _required("n_values", Integer, default=0),
    _required("n_errors", Integer, default=0),
    _required("n_warnings", Integer, default=0),
    # Who sent it: a web login, or None for files read by ``unionroll ingest``.
    _optional("submitted_by", String(200)),
    Index("ix_returns_unit_period_status", "unit_id", "period", "status"),
    # At most one current return per unit and period, whatever writes at once. In
    # SQLite's words here; PostgreSQL's are added when an engine for PostgreSQL is made
    # (unionroll.core.engine).
    Index("uq_returns_current", "unit_id", "period", unique=True, sqlite_where=text(CURRENT_WHERE)),
)

# One indicator's value in a return: a number, or text for text and choice indicators.
return_values = Table(
    "return_values",
    metadata,
    Column("return_id", ForeignKey("returns.id", ondelete="CASCADE"), primary_key=True),
    Column("indicator_id", String(100), primary_key=True, index=True),
    _optional("num", Float),
    _optional("text", Text),
    _optional("location", String(200)),
)

# A row of a return's register: an award, an event, a highlight, a problem, a priority.
register_rows = Table(
    "register_rows",
    metadata,
    _id(),
    _required("return_id", ForeignKey("returns.id", ondelete="CASCADE"), index=True),
    _required("register", String(32)),
    _required("row_no", Integer),
    _optional("category", String(100)),
    _optional("level", String(32)),
    _optional("month", Integer),
    _required("data", JSON),
    _optional("location", String(200)),
)

# A validation finding on a return, kept with it (rejected returns keep theirs too).
findings = Table(
    "findings",
    metadata,
    _id(),
    _required("return_id", ForeignKey("returns.id", ondelete="CASCADE"), index=True),
    _required("severity", String(16)),
    _required("code", String(64)),
    _required("message", Text),
    _optional("location", String(200)),
    _optional("indicator_id", String(100)),
)

# Where the review of one unit's return for one period stands (see store.Approval).
approvals = Table(
    "approvals",
    metadata,
    _id(),
    _required("unit_id", ForeignKey("units.id")),
    _required("period", String(16), index=True),
    _required("return_id", ForeignKey("returns.id")),
    _required("state", String(16)),  # approved | returned
    # The highest unit that approved (or the one that returned it). Approval by the top
    # unit locks the period for the unit.
    _required("reviewer_id", ForeignKey("units.id")),
    _required("locked", Boolean, default=False),
    _optional("reason", Text),
    _required("updated_at", DateTime, default=utcnow),
    _required("updated_by", String(200)),
    UniqueConstraint("unit_id", "period"),
)

# Every review step, never changed or deleted: who did what, when and why.
approval_events = Table(
    "approval_events",
    metadata,
    _id(),
    _required("unit_id", ForeignKey("units.id")),
    _required("period", String(16)),
    _optional("return_id", ForeignKey("returns.id")),
    _required("action", String(16)),  # approve | lock | return | unlock
    _required("from_state", String(32)),
    _required("to_state", String(32)),
    _required("reviewer_id", ForeignKey("units.id")),
    _required("actor", String(200)),
    _required("at", DateTime, default=utcnow),
    _optional("reason", Text),
    Index("ix_approval_events_unit_period", "unit_id", "period"),
)

# A login for the web page. Each account belongs to one unit and acts for it.
users = Table(
    "users",
    metadata,
    _id(),
    _required("login", String(64), unique=True),
    _required("unit_id", ForeignKey("units.id"), index=True),
    _required("password_hash", String(200)),
    # Changes with every password change, so that a reset ends the sessions signed before.
    _required("password_stamp", String(32)),
    _required("active", Boolean, default=True),
    _required("created_at", DateTime, default=utcnow),
    _optional("last_login_at", DateTime),
)

# Workspace-wide values kept with the data, such as the web page's signing key.
settings = Table(
    "settings",
    metadata,
    Column("key", String(64), primary_key=True),
    _required("value", Text),
)
