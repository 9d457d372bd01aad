"""Alembic migrations for the unionroll schema. Run through unionroll.core.migrate."""
