"""at most one current return per unit and period

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-06 05:05:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

CURRENT = "status IN ('accepted', 'accepted_with_warnings')"


def upgrade() -> None:
    op.create_index(
        "uq_returns_current",
        "returns",
        ["unit_id", "period"],
        unique=True,
        sqlite_where=sa.text(CURRENT),
        postgresql_where=sa.text(CURRENT),
    )


def downgrade() -> None:
    op.drop_index("uq_returns_current", table_name="returns")
