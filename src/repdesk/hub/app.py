"""`create_app(config)`: the hub's FastAPI application (OpenAPI at /openapi.json)."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from fastapi import FastAPI
from fastapi.openapi.utils import get_openapi
from sqlalchemy import select

from repdesk import __version__
from repdesk.domain.ids import utcnow
from repdesk.hub import auth
from repdesk.hub.api import auth_routes, client_routes, collateral_routes, sync_routes
from repdesk.hub.api.errors import BodyLimitMiddleware, install_error_handlers
from repdesk.hub.api.openapi import document_errors
from repdesk.hub.api.state import HubState
from repdesk.hub.config import HubConfig
from repdesk.hub.db.engine import Database
from repdesk.hub.db.migrate import at_head, upgrade_database
from repdesk.hub.db.models import HUB_ID_KEY, HubMeta
from repdesk.hub.file_store import CLIENT_BUILDS, COLLATERAL, open_file_store
from repdesk.hub.workspace.mount import install_workspace
from repdesk.protocol.schema import ErrorResponse

log = logging.getLogger(__name__)


class NotMigratedError(RuntimeError):
    """A worker found the database below the newest schema (its parent migrates)."""


def start_upkeep(config: HubConfig, db: Database) -> None:
    """What one hub start does once, before serving: migrate, prune old sign-in attempts,
    check the file store answers, remove temp files a dead writer left there.
    `serve --workers N` runs it in the parent, never in each worker."""
    upgrade_database(config.database_url, db.engine)
    with db.write() as session:
        # Sign-in attempts only matter within the throttle window; keep a margin.
        auth.prune_attempts(session, utcnow() - 4 * config.login_throttle.window)
    for area in (COLLATERAL, CLIENT_BUILDS):
        store = open_file_store(config, area)
        store.check()
        store.remove_stale_incoming()


def open_state(config: HubConfig, *, migrate: bool = True) -> HubState:
    """Prepare the hub's home and database and read its epoch. `migrate`: run
    `start_upkeep` here; without it (a worker) the schema must already be the newest."""
    config.ensure_dirs()
    db = Database(config.database_url)
    if migrate:
        start_upkeep(config, db)
    elif not at_head(db.engine):
        db.dispose()
        raise NotMigratedError(
            "The hub database is not at the newest schema: run `repdesk-hub migrate` "
            "(`serve` does it before starting its workers)."
        )
    with db.read() as session:
        epoch = session.scalar(select(HubMeta.value).where(HubMeta.key == "epoch"))
        hub_id = session.scalar(select(HubMeta.value).where(HubMeta.key == HUB_ID_KEY))
    if not epoch:
        db.dispose()
        raise RuntimeError("the hub database has no epoch; run its migrations")
    return HubState(
        config=config,
        db=db,
        epoch=epoch,
        files=open_file_store(config, COLLATERAL),
        builds=open_file_store(config, CLIENT_BUILDS),
        hub_id=hub_id or "",
    )


def create_app(config: HubConfig, *, migrate: bool = True) -> FastAPI:
    """The ASGI app for `config`; the database is migrated here, before serving, unless
    `migrate` is False (a worker of `serve --workers N`, whose parent did it)."""
    state = open_state(config, migrate=migrate)

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        yield
        state.db.dispose()

    app = FastAPI(
        title="repdesk hub",
        version=__version__,
        description="Sync API between the repdesk desktop client and marketing's hub. "
        "See docs/protocol.md.",
        lifespan=lifespan,
    )
    app.state.hub = state
    install_error_handlers(app)
    app.add_middleware(BodyLimitMiddleware, max_bytes=config.max_body_bytes)
    app.include_router(auth_routes.router)
    app.include_router(sync_routes.router)
    app.include_router(collateral_routes.router)
    app.include_router(client_routes.router)
    install_workspace(app, state)  # marketing's web pages under /workspace

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            schema = get_openapi(
                title=app.title,
                version=app.version,
                description=app.description,
                routes=app.routes,
            )
            components = schema.setdefault("components", {}).setdefault("schemas", {})
            # Every error, validation errors included, has the hub's one error body.
            definition = ErrorResponse.model_json_schema(
                ref_template="#/components/schemas/{model}"
            )
            for name, sub in definition.pop("$defs", {}).items():
                components.setdefault(name, sub)
            components["ErrorResponse"] = definition
            for operations in schema.get("paths", {}).values():
                for operation in operations.values():
                    document_errors(operation)
            for name in ("HTTPValidationError", "ValidationError"):
                components.pop(name, None)
            app.openapi_schema = schema
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]
    log.info("hub app ready (database %s)", state.db.engine.url.render_as_string())
    return app


__all__ = ["NotMigratedError", "create_app", "open_state", "start_upkeep"]
