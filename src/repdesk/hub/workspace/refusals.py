"""Why a workspace request is refused, raised by guards and pages and turned into pages by
`error_pages`: a redirect to the sign-in page, or a page saying what went wrong."""

from __future__ import annotations


class SignInRequired(Exception):
    """No live session: the browser is sent to the sign-in page (and back afterwards)."""

    def __init__(self, next_path: str = "") -> None:
        super().__init__("sign-in required")
        self.next_path = next_path


class Refused(Exception):
    """A refusal shown as a page with `title` and `message` (plain text), with `status`."""

    def __init__(
        self, status: int, title: str, message: str, headers: dict[str, str] | None = None
    ) -> None:
        super().__init__(message)
        self.status = status
        self.title = title
        self.message = message
        self.headers = dict(headers or {})


def csrf_refused() -> Refused:
    return Refused(
        403,
        "This form has expired",
        "The page you sent this from was too old or did not come from this workspace, so "
        "nothing was changed. Go back, reload the page and try again.",
    )


def admins_only() -> Refused:
    return Refused(
        403,
        "For admins only",
        "This part of the workspace is for admins. Ask an admin of your team if you need it.",
    )


__all__ = ["Refused", "SignInRequired", "admins_only", "csrf_refused"]
