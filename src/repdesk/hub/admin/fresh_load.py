"""SQLite, an import into a hub with no leads yet: its secondary indexes are built after
the load instead of row by row.

A million new leads with random emails cost the `ix_leads_email` index a random B-tree
write each (most of a fresh import's SQL time), where `CREATE INDEX` afterwards sorts
once. So when the `leads` table is empty at the start, the import drops the explicit
indexes of `leads` and `lead_facts` (the primary keys and the unique `external_id`
stay: they are constraints, and id lookups use them) and creates them again, from their
own stored SQL, before its transaction ends. SQLite DDL is transactional and the import
is the only writer: readers see the old schema until the commit, and an error or a dry
run rolls the drops back with everything else.

Matching a record by email needs `ix_leads_email` (without it every lookup scans the
table). The import remembers a 64-bit hash of every email it has written (`emails`); a
record whose email hash is there may match a lead of this import, and
`need_email_index` then builds that index at once (one sort of the rows so far) and
keeps it. A file of distinct addresses never needs it.
"""

from __future__ import annotations

from sqlalchemy import text
from sqlalchemy.orm import Session

from repdesk.hub.importers.hashes import HashTable

EMAIL_INDEX = "ix_leads_email"
_TABLES = ("leads", "lead_facts")


class FreshLoad:
    def __init__(self, dropped: dict[str, str]) -> None:
        self._dropped = dropped
        """{index name: its CREATE INDEX statement}, not yet created again."""
        self.emails = HashTable()
        """hash() of every email this import wrote (a compact table: a set of a
        million ints would cost about 60 MB of the import's 300)."""

    @classmethod
    def begin(cls, session: Session) -> FreshLoad | None:
        """Drop the indexes when this is SQLite and `leads` is empty (else None: the
        import writes through the indexes as usual)."""
        if session.get_bind().dialect.name != "sqlite":
            return None
        if session.execute(text("SELECT 1 FROM leads LIMIT 1")).first() is not None:
            return None
        found = session.execute(
            text(
                "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL"
                " AND tbl_name IN ('leads', 'lead_facts')"
            )
        ).all()
        connection = session.connection()
        for name, _sql in found:
            connection.exec_driver_sql(f'DROP INDEX "{name}"')
        return cls({name: sql for name, sql in found})

    @property
    def has_email_index(self) -> bool:
        return EMAIL_INDEX not in self._dropped

    def need_email_index(self, session: Session) -> None:
        sql = self._dropped.pop(EMAIL_INDEX, None)
        if sql is not None:
            session.connection().exec_driver_sql(sql)

    def finish(self, session: Session) -> None:
        """Create the dropped indexes again (inside the import's transaction)."""
        connection = session.connection()
        for sql in self._dropped.values():
            connection.exec_driver_sql(sql)
        self._dropped.clear()


__all__ = ["EMAIL_INDEX", "FreshLoad"]
