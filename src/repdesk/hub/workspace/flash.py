"""One-time messages after a redirect (post/redirect/get): a signed cookie read and cleared
by the next page rendered."""

from __future__ import annotations

import base64
import json
import logging
from dataclasses import dataclass
from typing import Literal

from fastapi import Request, Response
from fastapi.responses import RedirectResponse

from repdesk.hub.workspace import signing
from repdesk.hub.workspace.context import is_workspace_path, workspace_state
from repdesk.hub.workspace.cookies import FLASH_COOKIE, clear_cookie, set_cookie

log = logging.getLogger(__name__)

Level = Literal["success", "error", "info"]
_PURPOSE = "flash"
_MAX_TEXT = 500


@dataclass(frozen=True, slots=True)
class Flash:
    level: Level
    text: str
    """Plain text (escaped when shown)."""


def _encode(request: Request, flashes: list[Flash]) -> str:
    payload = json.dumps([[f.level, f.text[:_MAX_TEXT]] for f in flashes], ensure_ascii=True)
    value = base64.urlsafe_b64encode(payload.encode()).decode("ascii")
    return value + "." + signing.sign(workspace_state(request).secret, _PURPOSE, value)


def read_flashes(request: Request) -> list[Flash]:
    """The messages the previous response left (none when absent or tampered with)."""
    raw = request.cookies.get(FLASH_COOKIE, "")
    value, _, mac = raw.partition(".")
    if not signing.verify(workspace_state(request).secret, _PURPOSE, value, mac):
        return []
    try:
        items = json.loads(base64.urlsafe_b64decode(value.encode("ascii")))
        return [Flash(level, str(text)) for level, text in items if level in _LEVELS]
    except (ValueError, TypeError):
        log.warning("unreadable flash cookie ignored")
        return []


_LEVELS = ("success", "error", "info")


def see_other(
    request: Request, url: str, message: str = "", level: Level = "success"
) -> RedirectResponse:
    """Redirect (303, so the browser GETs `url`) after a POST, with an optional message
    shown once on the next page. `url` must be a workspace path."""
    if not is_workspace_path(url.split("?", 1)[0]):
        raise ValueError(f"see_other only redirects within the workspace, not to {url!r}")
    response = RedirectResponse(url, status_code=303)
    if message:
        set_cookie(request, response, FLASH_COOKIE, _encode(request, [Flash(level, message)]))
    return response


def drop_flashes(request: Request, response: Response) -> None:
    """Clear the flash cookie on `response` if the request carried one."""
    if FLASH_COOKIE in request.cookies:
        clear_cookie(request, response, FLASH_COOKIE)


__all__ = ["Flash", "Level", "drop_flashes", "read_flashes", "see_other"]
