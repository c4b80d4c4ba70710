"""The workspace's cookies: names, and setting them with the right flags (HttpOnly,
SameSite=Lax, Secure whenever the request came over https, e.g. through a TLS proxy whose
X-Forwarded-Proto the hub trusts)."""

from __future__ import annotations

from fastapi import Request, Response

from repdesk.hub.workspace.context import PREFIX

SESSION_COOKIE = "repdesk_ws_session"
SIGNIN_COOKIE = "repdesk_ws_signin"
"""A random nonce; the sign-in form carries its MAC (signed double-submit)."""
FLASH_COOKIE = "repdesk_ws_flash"


def set_cookie(
    request: Request, response: Response, name: str, value: str, *, max_age: int | None = None
) -> None:
    response.set_cookie(
        name,
        value,
        max_age=max_age,
        path=PREFIX,
        secure=request.url.scheme == "https",
        httponly=True,
        samesite="lax",
    )


def clear_cookie(request: Request, response: Response, name: str) -> None:
    response.delete_cookie(
        name, path=PREFIX, secure=request.url.scheme == "https", httponly=True, samesite="lax"
    )


__all__ = ["FLASH_COOKIE", "SESSION_COOKIE", "SIGNIN_COOKIE", "clear_cookie", "set_cookie"]
