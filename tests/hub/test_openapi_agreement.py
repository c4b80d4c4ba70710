"""The published OpenAPI document and the hub agree (issue 10, defect 8): every status the
hub answers is documented, the published `PushRequest` admits exactly what push reads,
and a disabled rep's token says `account_disabled`, as docs/protocol.md promises."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import httpx
import jsonschema_rs
import pytest
from tests.hub.helpers import assert_error, note
from tests.support.world import World

from repdesk.hub import admin
from repdesk.hub.embedded import EmbeddedHub

Clients = Callable[[str], httpx.Client]


def _spec(client: httpx.Client) -> dict[str, Any]:
    spec: dict[str, Any] = client.get("/openapi.json").json()
    return spec


def _validator(spec: dict[str, Any], component: str) -> Any:
    schema = {"$ref": f"#/components/schemas/{component}", "components": spec["components"]}
    return jsonschema_rs.validator_for(schema)


@pytest.mark.sqlite_only
def test_malformed_json_is_documented_wherever_a_body_is_read(anon: httpx.Client) -> None:
    for path, operation in [("/v1/auth/login", "post"), ("/v1/sync/push", "post")]:
        r = anon.post(path, content=b"{", headers={"Content-Type": "application/json"})
        assert r.status_code == 400
        documented = _spec(anon)["paths"][path][operation]["responses"]
        assert "400" in documented, path
        assert documented["400"]["content"]["application/json"]["schema"] == {
            "$ref": "#/components/schemas/ErrorResponse"
        }


@pytest.mark.sqlite_only
def test_every_route_that_needs_a_token_documents_401(world: World, anon: httpx.Client) -> None:
    r = anon.get(f"/v1/collateral/{world.collateral[0].sha256}")
    assert_error(r, 401, "missing_token")
    paths = _spec(anon)["paths"]
    for path, operations in paths.items():
        for method, operation in operations.items():
            if operation.get("security"):
                assert "401" in operation["responses"], f"{method.upper()} {path}"
    assert "401" in paths["/v1/collateral/{sha256}"]["get"]["responses"]
    assert "401" in paths["/v1/collateral/{sha256}"]["head"]["responses"]


@pytest.mark.sqlite_only
def test_published_push_request_admits_what_the_hub_accepts(
    world: World, client_for: Clients
) -> None:
    """A mutation the hub cannot read (here: a kind from a newer client) is answered
    `rejected` alone with 200, so the published `PushRequest` must call it valid."""
    ada = client_for(world.ada.email)
    body = {
        "client_id": "device-1",
        "mutations": [
            note(world.ada.leads[0]),
            {**note(world.ada.leads[0]), "kind": "meeting.book"},
        ],
    }
    r = ada.post("/v1/sync/push", json=body)
    assert r.status_code == 200
    assert [x["status"] for x in r.json()["results"]] == ["applied", "rejected"]
    push_request = _validator(_spec(ada), "PushRequest")
    assert push_request.is_valid(body)
    # ... and what it refuses as a whole (no usable id) stays invalid in the document.
    for bad in ([{"kind": "call_note.create"}], [None], [{"id": ""}], [{"id": "x" * 65}]):
        refused = {"client_id": "device-1", "mutations": bad}
        assert_error(ada.post("/v1/sync/push", json=refused), 422, "invalid_request")
        assert not push_request.is_valid(refused), bad


@pytest.mark.sqlite_only
def test_text_the_hub_refuses_is_invalid_in_the_document(world: World, client_for: Clients) -> None:
    """A NUL character cannot be stored: the hub answers 422, and the document says so."""
    ada = client_for(world.ada.email)
    spec = _spec(ada)
    login = {"email": "ada\x00@example.test", "password": "pw"}
    assert_error(ada.post("/v1/auth/login", json=login), 422, "invalid_request")
    assert not _validator(spec, "LoginRequest").is_valid(login)
    push = {"client_id": "dev\x00ice", "mutations": []}
    assert_error(ada.post("/v1/sync/push", json=push), 422, "invalid_request")
    assert not _validator(spec, "PushRequest").is_valid(push)


def test_a_disabled_reps_token_says_account_disabled(
    world: World, embedded_hub: EmbeddedHub, client_for: Clients
) -> None:
    """Disabling a rep through marketing's admin (which also ends their sign-ins) answers
    their token with `account_disabled`, not `token_revoked`: the client then tells the rep
    to ask marketing, not to sign in again."""
    ada = client_for(world.ada.email)
    assert ada.get("/v1/sync/pull").status_code == 200
    hub_admin = admin.Hub(embedded_hub.config, embedded_hub.state.db, embedded_hub.state.files)
    assert admin.disable_rep(hub_admin, world.ada.email) == 1
    assert_error(ada.get("/v1/sync/pull"), 401, "account_disabled")
    admin.enable_rep(hub_admin, world.ada.email)
    assert_error(ada.get("/v1/sync/pull"), 401, "token_revoked")
