"""Alembic migrations of the hub database (applied by `repdesk.hub.db.migrate`)."""
