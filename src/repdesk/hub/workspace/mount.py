"""`install_workspace(app)`: the workspace's routes, static files, error pages and
security headers in the hub's FastAPI app (called by `repdesk.hub.app.create_app`)."""

from __future__ import annotations

from fastapi import FastAPI
from fastapi.responses import RedirectResponse
from fastapi.staticfiles import StaticFiles

from repdesk.hub.api.state import HubState
from repdesk.hub.workspace.context import PREFIX, WorkspaceState
from repdesk.hub.workspace.error_pages import install_error_pages
from repdesk.hub.workspace.headers import SecurityHeadersMiddleware
from repdesk.hub.workspace.pages import ROUTERS
from repdesk.hub.workspace.rendering import STATIC_DIR
from repdesk.hub.workspace.signing import load_or_create_secret

STATIC_NAME = "workspace-static"


def install_workspace(app: FastAPI, state: HubState) -> None:
    with state.db.write() as session:
        app.state.workspace = WorkspaceState(secret=load_or_create_secret(session))
    app.mount(f"{PREFIX}/static", StaticFiles(directory=STATIC_DIR), name=STATIC_NAME)
    for router in ROUTERS:
        app.include_router(router)

    @app.get("/", include_in_schema=False)
    def home() -> RedirectResponse:
        return RedirectResponse(f"{PREFIX}/", status_code=307)

    install_error_pages(app)
    app.add_middleware(SecurityHeadersMiddleware)


__all__ = ["STATIC_NAME", "install_workspace"]
