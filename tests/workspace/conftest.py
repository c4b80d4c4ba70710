"""tests/workspace only: workspace users of each role and a rep (`people`), and
browser-like httpx clients signed in through the sign-in form (`browser`), on the real hub
served on loopback (`embedded_hub`, SQLite AND PostgreSQL, from
`tests/support/hub_fixtures.py`, like `anon` and the `sqlite_only` marker)."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass

import httpx
import pytest

from repdesk.hub.admin import Hub, users
from repdesk.hub.embedded import EmbeddedHub
from tests.support import hub_rows as seed
from tests.support.hub_fixtures import PASSWORD

ADMIN_EMAIL = "ada@example.test"
MARKETER_EMAIL = "mo@example.test"
REP_EMAIL = "rita@example.test"

_CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')
_SIGNIN = re.compile(r'name="signin_token" value="([^"]+)"')


@pytest.fixture(autouse=True)
def _cheap_argon2_here(cheap_argon2: None) -> None:
    """Sign-ins here use `cheap_argon2`: the same code path, a fraction of the CPU."""


def admin_hub(embedded: EmbeddedHub) -> Hub:
    state = embedded.state
    return Hub(state.config, state.db, state.files)


@dataclass
class People:
    admin: str
    marketer: str
    rep: str
    """The rep's id (reps are not workspace users)."""


@pytest.fixture
def people(embedded_hub: EmbeddedHub, password_hash: str) -> People:
    h = admin_hub(embedded_hub)
    admin, _ = users.add_user(h, ADMIN_EMAIL, "admin", "Ada Admin", PASSWORD)
    marketer, _ = users.add_user(h, MARKETER_EMAIL, "marketing", "Mo Marketing", PASSWORD)
    rep = seed.add_rep(
        embedded_hub.state.db, REP_EMAIL, PASSWORD, "Rita Rep", password_hash=password_hash
    )
    return People(admin.id, marketer.id, rep)


def csrf_of(page: httpx.Response) -> str:
    found = _CSRF.search(page.text)
    assert found, "the page has no CSRF field"
    return found.group(1)


def sign_in_form(client: httpx.Client) -> str:
    """Load the sign-in page (sets the form cookie); returns the form's token."""
    page = client.get("/workspace/sign-in")
    assert page.status_code == 200
    found = _SIGNIN.search(page.text)
    assert found
    return found.group(1)


def submit_sign_in(
    client: httpx.Client, email: str, password: str = PASSWORD, next_path: str = ""
) -> httpx.Response:
    token = sign_in_form(client)
    return client.post(
        "/workspace/sign-in",
        data={"email": email, "password": password, "signin_token": token, "next": next_path},
    )


class Browser(httpx.Client):
    """An httpx client that keeps cookies like a browser, signed in to the workspace."""

    csrf: str = ""

    def post_form(self, path: str, data: dict[str, str] | None = None) -> httpx.Response:
        """POST a form the way a page of the workspace would (with its CSRF token)."""
        return self.post(path, data={"csrf_token": self.csrf, **(data or {})})


def browser_for(base_url: str, email: str, password: str = PASSWORD) -> Browser:
    client = Browser(base_url=base_url, timeout=30)
    answer = submit_sign_in(client, email, password)
    assert answer.status_code == 303, answer.text
    client.csrf = csrf_of(client.get("/workspace/"))
    return client


@pytest.fixture
def browser(embedded_hub: EmbeddedHub, people: People) -> Iterator[Callable[[str], Browser]]:
    made: list[Browser] = []

    def make(email: str) -> Browser:
        client = browser_for(embedded_hub.base_url, email)
        made.append(client)
        return client

    yield make
    for client in made:
        client.close()
