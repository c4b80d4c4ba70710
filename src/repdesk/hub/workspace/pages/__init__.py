"""The workspace's sections, one module each; `ROUTERS` is the one list `mount` includes."""

from __future__ import annotations

from fastapi import APIRouter

from repdesk.hub.workspace.pages import (
    audit,
    objection_feed,
    overview,
    people,
    reports,
    signin,
    speed,
)

ROUTERS: list[APIRouter] = [
    signin.router,
    overview.router,
    people.router,
    audit.router,
    reports.router,
    speed.router,
    objection_feed.router,
]

__all__ = ["ROUTERS"]
