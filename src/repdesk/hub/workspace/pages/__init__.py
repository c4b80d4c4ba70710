"""The workspace's sections, one module each; `ROUTERS` is the one list `mount` includes."""

from __future__ import annotations

from fastapi import APIRouter

from repdesk.hub.workspace.pages import audit, overview, people, signin

ROUTERS: list[APIRouter] = [
    signin.router,
    overview.router,
    people.router,
    audit.router,
]

__all__ = ["ROUTERS"]
