"""The workspace's sections, one module each; `ROUTERS` is the one list `mount` includes."""

from __future__ import annotations

from fastapi import APIRouter

from repdesk.hub.workspace.pages import (
    answers,
    audit,
    leads,
    library,
    overview,
    people,
    reps,
    rubric,
    signin,
    taxonomy,
)

ROUTERS: list[APIRouter] = [
    signin.router,
    overview.router,
    people.router,
    audit.router,
    rubric.router,
    taxonomy.router,
    answers.router,
    leads.router,
    reps.router,
    library.router,
]

__all__ = ["ROUTERS"]
