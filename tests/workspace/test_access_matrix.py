"""Every workspace route in the app (found in `app.routes`, so pages added later are
covered without touching this file) × {anonymous, a rep's bearer token, marketing, admin}:
each route declares who may use it, anonymous pages send to sign-in, marketing is refused
admin pages, and no state-changing request passes without the session's CSRF token."""

from __future__ import annotations

import re
from collections.abc import Callable

import httpx

from repdesk.hub.app import create_app
from repdesk.hub.embedded import EmbeddedHub
from repdesk.hub.workspace.access import SAFE_METHODS, Access, workspace_routes
from repdesk.hub.workspace.nav import NAV
from tests.support.hub_fixtures import PASSWORD, login

from .conftest import ADMIN_EMAIL, MARKETER_EMAIL, REP_EMAIL, Browser, People

PUBLIC_ROUTES = {("GET", "/workspace/sign-in"), ("POST", "/workspace/sign-in")}
ADMIN_SECTIONS = ("/workspace/people", "/workspace/audit")
"""Managing people and reading the audit log stay admin-only, whatever else changes."""


def declared_routes(embedded_hub: EmbeddedHub) -> list[tuple[str, str, Access | None]]:
    """(method, path, declared access) of every workspace route of the hub's app (an app
    built like the served one: `EmbeddedHub` does not hand out its own)."""
    app = create_app(embedded_hub.config, migrate=False)
    try:
        return [(r.method, r.path, r.access) for r in workspace_routes(app)]
    finally:
        app.state.hub.db.dispose()


def concrete(path: str) -> str:
    return re.sub(r"\{[^}]+\}", "no-such-id", path)


def to_sign_in(answer: httpx.Response) -> bool:
    return answer.status_code == 303 and answer.headers["location"].startswith("/workspace/sign-in")


def test_every_workspace_route_enforces_its_declared_access(
    embedded_hub: EmbeddedHub, people: People, browser: Callable[[str], Browser]
) -> None:
    routes = declared_routes(embedded_hub)
    assert len(routes) >= 8, routes  # the foundation's own pages at least
    undeclared = [(m, p) for m, p, access in routes if access is None]
    assert not undeclared, f"routes without a declared access (use section_router): {undeclared}"
    public = {(m, p) for m, p, access in routes if access is Access.PUBLIC}
    assert public == PUBLIC_ROUTES
    for method, path, access in routes:
        if path.startswith(ADMIN_SECTIONS):
            assert access is Access.ADMIN, (method, path, access)
    declared = {(m, p): access for m, p, access in routes}
    for entry in NAV:  # the menu offers each page to exactly who may open it
        assert declared.get(("GET", entry.path)) is entry.access, entry

    anonymous = httpx.Client(base_url=embedded_hub.base_url, timeout=30)
    rep = login(embedded_hub.base_url, REP_EMAIL, PASSWORD)  # a rep's bearer token
    marketer = browser(MARKETER_EMAIL)
    admin = browser(ADMIN_EMAIL)
    problems: list[str] = []

    def expect(ok: bool, who: str, method: str, path: str, answer: httpx.Response) -> None:
        if not ok:
            problems.append(f"{who} {method} {path}: {answer.status_code} {answer.text[:120]!r}")

    try:
        for method, path, access in routes:
            url = concrete(path)
            for who, client in (("anonymous", anonymous), ("rep token", rep)):
                answer = client.request(method, url)
                if access is Access.PUBLIC:
                    # The sign-in form is open; its POST needs the form's own token.
                    want = 200 if method in SAFE_METHODS else 403
                    expect(answer.status_code == want, who, method, url, answer)
                else:
                    expect(to_sign_in(answer), who, method, url, answer)
            for who, client in (("marketing", marketer), ("admin", admin)):
                answer = client.request(method, url)
                may = access is not Access.ADMIN or who == "admin"
                if method in SAFE_METHODS:
                    if may:
                        # Allowed: a page, a redirect elsewhere, or a 404 for the made-up id.
                        ok = answer.status_code in (200, 303, 404) and not to_sign_in(answer)
                    else:
                        ok = answer.status_code == 403 and "For admins only" in answer.text
                    expect(ok, who, method, url, answer)
                else:
                    # No CSRF token: refused, whoever asks, and nothing happens.
                    expect(answer.status_code == 403, who + " (no CSRF)", method, url, answer)
                    if access is Access.ADMIN and who == "marketing":
                        with_token = client.post_form(url)
                        expect(
                            with_token.status_code == 403 and "For admins only" in with_token.text,
                            who + " (with CSRF)",
                            method,
                            url,
                            with_token,
                        )
        static = anonymous.get("/workspace/static/workspace.css")
        expect(static.status_code == 200, "anonymous", "GET", "static css", static)
    finally:
        anonymous.close()
        rep.close()
    assert not problems, "\n".join(problems)
