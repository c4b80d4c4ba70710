"""Rendering workspace pages: one Jinja2 environment (autoescape on, undefined names are
errors) and `render(request, name, **context)`, which adds what every page needs."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import jinja2
from fastapi import Request
from starlette.templating import Jinja2Templates, _TemplateResponse

from repdesk import __version__
from repdesk.hub.workspace.access import CSRF_FIELD
from repdesk.hub.workspace.context import PREFIX
from repdesk.hub.workspace.flash import Flash, drop_flashes, read_flashes
from repdesk.hub.workspace.nav import nav_for
from repdesk.hub.workspace.sessions import SignedIn

TEMPLATES_DIR = Path(__file__).parent / "templates"
STATIC_DIR = Path(__file__).parent / "static"


def static_url(path: str) -> str:
    """The address of a file under `static/`, versioned so upgrades are not cached stale."""
    return f"{PREFIX}/static/{path.lstrip('/')}?v={__version__}"


def format_when(value: datetime | None) -> str:
    """ "5 Jan 2026, 09:00 UTC" ("" for None)."""
    if value is None:
        return ""
    return value.astimezone(UTC).strftime("%-d %b %Y, %H:%M UTC")


def format_day(value: datetime | None) -> str:
    """ "5 Jan 2026" ("" for None)."""
    return "" if value is None else value.astimezone(UTC).strftime("%-d %b %Y")


def format_number(value: int | float) -> str:
    return f"{value:,}"


def _environment() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(TEMPLATES_DIR),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.globals["static"] = static_url
    env.globals["csrf_field"] = CSRF_FIELD
    env.filters["when"] = format_when
    env.filters["day"] = format_day
    env.filters["number"] = format_number
    return env


templates = Jinja2Templates(env=_environment())


def signed_in_user(request: Request) -> SignedIn | None:
    """The user `require_user` found for this request, if any."""
    user = getattr(request.state, "workspace_user", None)
    return user if isinstance(user, SignedIn) else None


def render(
    request: Request,
    name: str,
    *,
    status_code: int = 200,
    headers: Mapping[str, str] | None = None,
    messages: Sequence[Flash] = (),
    **context: Any,
) -> _TemplateResponse:
    """The template `name` with `context` plus `user`, `csrf_token`, `nav`, `flashes`
    (messages left by the last redirect, then `messages`) and `current_path`."""
    user = signed_in_user(request)
    flashes = [*read_flashes(request), *messages]
    full = {
        "user": user,
        "csrf_token": user.csrf_token if user else "",
        "nav": nav_for(user.role) if user else (),
        "flashes": flashes,
        "current_path": request.url.path,
        **context,
    }
    response = templates.TemplateResponse(
        request, name, full, status_code=status_code, headers=headers
    )
    drop_flashes(request, response)
    return response


__all__ = [
    "STATIC_DIR",
    "TEMPLATES_DIR",
    "format_day",
    "format_number",
    "format_when",
    "render",
    "signed_in_user",
    "static_url",
    "templates",
]
