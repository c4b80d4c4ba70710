"""Failures under /workspace as pages for people (the sync API keeps its JSON errors):
sign-in redirects, refusals, 404/405, bad form input, and unexpected errors."""

from __future__ import annotations

import inspect
import logging
from collections.abc import Awaitable, Callable
from urllib.parse import urlencode

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.responses import RedirectResponse, Response

from repdesk.domain.errors import ValidationError
from repdesk.hub.workspace.access import recognise_user
from repdesk.hub.workspace.context import PREFIX, is_workspace_path
from repdesk.hub.workspace.refusals import Refused, SignInRequired
from repdesk.hub.workspace.rendering import render, signed_in_user

log = logging.getLogger(__name__)

Handler = Callable[[Request, Exception], Awaitable[Response]]
SIGN_IN_PATH = f"{PREFIX}/sign-in"

_HTTP_TITLES = {
    404: ("Page not found", "There is nothing at this address. Use the menu to find your way."),
    405: ("Not possible here", "This address does not accept that kind of request."),
}


async def error_page(request: Request, status: int, title: str, message: str) -> Response:
    if signed_in_user(request) is None:
        # Keep the menu on "not found" and the like (no guard ran to find the user).
        try:
            await run_in_threadpool(recognise_user, request)
        except Exception:  # noqa: BLE001 - the page must show even when the database fails
            log.warning("could not look up the session for an error page", exc_info=True)
    return render(request, "error.html", status_code=status, title=title, message=message)


def sign_in_redirect(request: Request, next_path: str) -> Response:
    url = SIGN_IN_PATH + (f"?{urlencode({'next': next_path})}" if next_path else "")
    if request.headers.get("HX-Request"):
        # htmx follows a 303 inside the page; tell it to load the sign-in page instead.
        return Response(status_code=401, headers={"HX-Redirect": url})
    return RedirectResponse(url, status_code=303)


def install_error_pages(app: FastAPI) -> None:
    """Workspace-aware handlers, each delegating to the API's handler outside /workspace."""

    def for_workspace(exc_class: type[Exception], page: Handler) -> None:
        fallback = app.exception_handlers.get(exc_class) or app.exception_handlers.get(Exception)

        async def handler(request: Request, exc: Exception) -> Response:
            if is_workspace_path(request.url.path):
                return await page(request, exc)
            if fallback is None:
                raise exc
            answer = fallback(request, exc)
            return await answer if inspect.isawaitable(answer) else answer

        app.add_exception_handler(exc_class, handler)

    async def sign_in(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, SignInRequired)
        return sign_in_redirect(request, exc.next_path)

    async def refused(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, Refused)
        response = await error_page(request, exc.status, exc.title, exc.message)
        response.headers.update(exc.headers)
        return response

    async def http_error(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, StarletteHTTPException)
        title, message = _HTTP_TITLES.get(
            exc.status_code, ("Something is not right", str(exc.detail))
        )
        return await error_page(request, exc.status_code, title, message)

    async def bad_input(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, RequestValidationError)
        problems = "; ".join(
            f"{'.'.join(str(p) for p in err.get('loc', ())[1:]) or 'request'}: {err.get('msg')}"
            for err in exc.errors()[:5]
        )
        return await error_page(
            request, 400, "Some of what was sent is not valid", f"Please check: {problems}."
        )

    async def invalid(request: Request, exc: Exception) -> Response:
        return await error_page(request, 400, "That did not work", str(exc))

    async def unexpected(request: Request, exc: Exception) -> Response:
        log.exception("unexpected error on %s", request.url.path, exc_info=exc)
        return await error_page(
            request,
            500,
            "Something went wrong",
            "The hub ran into a problem and nothing was changed. Please try again shortly.",
        )

    # Unknown classes fall back to the generic handler: the API's (JSON) 500.
    for_workspace(SignInRequired, sign_in)
    for_workspace(Refused, refused)
    for_workspace(ValidationError, invalid)
    for_workspace(StarletteHTTPException, http_error)
    for_workspace(RequestValidationError, bad_input)
    for_workspace(Exception, unexpected)


__all__ = ["SIGN_IN_PATH", "error_page", "install_error_pages", "sign_in_redirect"]
