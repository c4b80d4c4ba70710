"""The hub's declarative base and column types: ids up to `ID` characters, datetimes as
aware UTC on both SQLite and PostgreSQL, JSON for dicts and lists."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import JSON, DateTime, Dialect, MetaData, Table, TypeDecorator
from sqlalchemy.orm import DeclarativeBase

ID = 64
"""Longest id the hub accepts (client-made ids are UUIDv7 strings, 36 characters)."""


class UtcDateTime(TypeDecorator[datetime]):
    """Aware UTC in, aware UTC out (SQLite hands back naive datetimes)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            value = value.replace(tzinfo=UTC)
        value = value.astimezone(UTC)
        # SQLite stores the text form; keep it naive UTC so comparisons sort correctly.
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(
        self,
        value: datetime | None,
        dialect: Dialect,  # noqa: ARG002
    ) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)
    type_annotation_map = {datetime: UtcDateTime(), dict[str, Any]: JSON(), list[str]: JSON()}


def table_of(model: type[Base]) -> Table:
    """A model's table, for Core statements (bulk writes without the ORM's per-row work)."""
    table = model.__table__
    assert isinstance(table, Table)
    return table


__all__ = ["ID", "NAMING", "Base", "UtcDateTime", "table_of"]
