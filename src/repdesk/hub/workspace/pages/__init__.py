"""The workspace's sections, one module each; `ROUTERS` is the one list `mount` includes."""

from __future__ import annotations

from fastapi import APIRouter

from repdesk.hub.workspace.pages import (
    answers,
    audit,
    leads,
    library,
    objection_feed,
    overview,
    people,
    reports,
    reps,
    rubric,
    signin,
    speed,
    taxonomy,
)

ROUTERS: list[APIRouter] = [
    signin.router,
    overview.router,
    people.router,
    audit.router,
    reports.router,
    speed.router,
    objection_feed.router,
    rubric.router,
    taxonomy.router,
    answers.router,
    leads.router,
    reps.router,
    library.router,
]

__all__ = ["ROUTERS"]
