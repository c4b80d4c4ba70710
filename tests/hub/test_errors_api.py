"""Every failure answers `{"error": {"code", "message"}}` with a 4xx, never a 5xx: bad
JSON, wrong types, unknown fields, oversized bodies, unknown routes and fuzzed bodies."""

from __future__ import annotations

import json
import re
import socket
from collections.abc import Callable, Iterator
from typing import Any

import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from tests.hub.helpers import assert_error, mutation, note
from tests.support.hub_fixtures import PASSWORD
from tests.support.world import World

from repdesk.hub.admin.settings import set_sla_hours
from repdesk.hub.embedded import EmbeddedHub

Clients = Callable[[str], httpx.Client]


@pytest.fixture
def ada(world: World, client_for: Clients) -> httpx.Client:
    return client_for(world.ada.email)


@pytest.mark.sqlite_only
def test_malformed_json_is_400(ada: httpx.Client) -> None:
    for path in ("/v1/sync/push", "/v1/auth/login"):
        r = ada.post(
            path,
            content=b'{"client_id": "x", "mutations": [',
            headers={"Content-Type": "application/json"},
        )
        assert_error(r, 400, "malformed_json")


@pytest.mark.sqlite_only
def test_json_nested_too_deeply_is_400(ada: httpx.Client) -> None:
    depth = 5000
    body = b'{"client_id": "d", "mutations": [' + b"[" * depth + b"]" * depth + b"]}"
    r = ada.post("/v1/sync/push", content=body, headers={"Content-Type": "application/json"})
    assert_error(r, 400, "malformed_json")


@pytest.mark.sqlite_only
@pytest.mark.parametrize(
    "body",
    [
        {},
        {"client_id": "d"},
        {"client_id": 5, "mutations": []},
        {"client_id": "d", "mutations": "nope"},
        {"client_id": "d", "mutations": [], "extra": 1},
        {"client_id": "", "mutations": []},
        {"client_id": "d", "mutations": [{"id": 1}]},
        {"client_id": "d", "mutations": [{"kind": "call_note.create"}]},
        {"client_id": "d", "mutations": [None]},
        [],
        "text",
    ],
)
def test_wrong_push_envelopes_are_422(ada: httpx.Client, body: Any) -> None:
    error = assert_error(ada.post("/v1/sync/push", json=body), 422, "invalid_request")
    assert (
        error["message"].startswith("The request is not valid")
        or "Change number" in error["message"]
    )


@pytest.mark.sqlite_only
def test_too_many_mutations_is_422(world: World, ada: httpx.Client) -> None:
    batch = [note(world.ada.leads[0]) for _ in range(501)]
    r = ada.post("/v1/sync/push", json={"client_id": "d", "mutations": batch})
    assert_error(r, 422, "invalid_request")


@pytest.mark.sqlite_only
@pytest.mark.parametrize(
    "body",
    [
        {"email": "ada@example.test"},
        {"email": "ada@example.test", "password": PASSWORD, "remember": True},
        {"email": 42, "password": PASSWORD},
        {"email": "a", "password": PASSWORD},
        {"email": "ada@example.test", "password": ""},
    ],
)
def test_wrong_login_bodies_are_422(anon: httpx.Client, world: World, body: Any) -> None:
    assert_error(anon.post("/v1/auth/login", json=body), 422, "invalid_request")


@pytest.mark.sqlite_only
def test_oversized_body_is_413(embedded_hub: EmbeddedHub, ada: httpx.Client) -> None:
    big = (
        b'{"client_id": "d", "mutations": [], "pad": "'
        + b"x" * embedded_hub.config.max_body_bytes
        + b'"}'
    )
    assert_error(ada.post("/v1/sync/push", content=big), 413, "body_too_large")


@pytest.mark.sqlite_only
def test_oversized_chunked_body_is_413(embedded_hub: EmbeddedHub, ada: httpx.Client) -> None:
    """No Content-Length: the limit is enforced while reading the chunks."""
    limit = embedded_hub.config.max_body_bytes

    def chunks() -> Iterator[bytes]:
        yield b'{"client_id": "d", "mutations": [], "pad": "'
        for _ in range(limit // 65536 + 2):
            yield b"x" * 65536
        yield b'"}'

    r = ada.post("/v1/sync/push", content=chunks())
    assert_error(r, 413, "body_too_large")


@pytest.mark.sqlite_only
def test_unknown_routes_and_methods(ada: httpx.Client) -> None:
    assert_error(ada.get("/v1/nothing-here"), 404, "not_found")
    assert_error(ada.get("/nothing-here"), 404, "not_found")  # "/" leads to the workspace
    assert_error(ada.delete("/v1/sync/pull"), 405, "method_not_allowed")
    assert_error(ada.get("/v1/auth/login"), 405, "method_not_allowed")


@pytest.mark.sqlite_only
def test_openapi_is_served_and_describes_the_contract(anon: httpx.Client) -> None:
    spec = anon.get("/openapi.json").json()
    paths = spec["paths"]
    for path in (
        "/v1/auth/login",
        "/v1/auth/logout",
        "/v1/sync/meta",
        "/v1/sync/pull",
        "/v1/sync/push",
        "/v1/collateral/{sha256}",
    ):
        assert path in paths
    push_body = paths["/v1/sync/push"]["post"]["requestBody"]["content"]["application/json"]
    assert push_body["schema"] == {"$ref": "#/components/schemas/PushRequest"}
    schemas = spec["components"]["schemas"]
    assert {"PushRequest", "Mutation", "PullResponse", "ErrorResponse"} <= set(schemas)
    assert "HTTPValidationError" not in schemas  # every error is documented in our shape
    invalid = paths["/v1/sync/pull"]["get"]["responses"]["422"]["content"]["application/json"]
    assert invalid["schema"] == {"$ref": "#/components/schemas/ErrorResponse"}
    text = json.dumps(spec)
    for ref in set(re.findall(r'"#/components/schemas/([^"]+)"', text)):
        assert ref in schemas, ref


@pytest.mark.sqlite_only
def test_meta(anon: httpx.Client, embedded_hub: EmbeddedHub) -> None:
    body = anon.get("/v1/sync/meta").json()
    assert body["protocol_version"] == 1
    assert body["min_client_version"] == embedded_hub.config.min_client_version
    assert body["server_time"].endswith(("Z", "+00:00"))
    assert body["sla_hours"] == 24, "marketing's default speed-to-lead SLA"


@pytest.mark.sqlite_only
def test_meta_carries_the_sla_marketing_set(anon: httpx.Client, embedded_hub: EmbeddedHub) -> None:
    with embedded_hub.state.db.write() as session:
        set_sla_hours(session, 4)
    assert anon.get("/v1/sync/meta").json()["sla_hours"] == 4


@pytest.mark.sqlite_only
def test_a_garbage_request_line_does_not_hurt_the_server(
    embedded_hub: EmbeddedHub, anon: httpx.Client
) -> None:
    with socket.create_connection(("127.0.0.1", embedded_hub.port), timeout=10) as sock:
        sock.sendall(b"\x16\x03\x01garbage that is not http\r\n\r\n")
        sock.recv(1024)
    assert anon.get("/v1/sync/meta").status_code == 200


UNSTORABLE = {
    "huge-int": ("call_note.create", {"body": "x", "duration_seconds": 10**30}, {}),
    "nul-text": ("call_note.create", {"body": "a\x00b"}, {}),
    "nul-lead-id": ("call_note.create", {"body": "x"}, {"lead_id": "a\x00"}),
    "nul-code": ("objection.create", {"category_code": "pri\x00ce"}, {}),
    "date-overflow": (
        "call_note.create",
        {"body": "x"},
        {"recorded_at": "0001-01-01T00:00:00+05:00"},
    ),
    "payload-date-overflow": (
        "call_note.create",
        {"body": "x", "call_started_at": "0001-01-01T00:00:00+05:00"},
        {},
    ),
    "long-id": ("objection.create", {"category_code": "price", "campaign_id": "c" * 500}, {}),
    "lone-surrogate": ("call_note.create", {"body": "\ud800"}, {}),
}


@pytest.mark.parametrize("case", sorted(UNSTORABLE))
def test_values_no_column_can_hold_are_rejected_not_500(
    world: World, ada: httpx.Client, case: str
) -> None:
    kind, payload, override = UNSTORABLE[case]
    m = {**mutation(kind, world.ada.leads[0], payload), **override}
    good = note(world.ada.leads[0])
    # ensure_ascii keeps lone surrogates as \ud800 escapes, as a client library would send.
    body = json.dumps({"client_id": "d", "mutations": [m, good]}, ensure_ascii=True)
    r = ada.post("/v1/sync/push", content=body, headers={"Content-Type": "application/json"})
    assert r.status_code == 200, r.text
    bad_result, good_result = r.json()["results"]
    assert bad_result["status"] == "rejected"
    assert bad_result["detail"]["code"] == "invalid_payload"
    assert good_result["status"] == "applied"


@pytest.mark.sqlite_only
@pytest.mark.parametrize("email", ["a\x00@example.test", "a\ud800@example.test"])
def test_unstorable_sign_in_text_is_422(world: World, anon: httpx.Client, email: str) -> None:
    body = json.dumps({"email": email, "password": "x"}, ensure_ascii=True)
    r = anon.post("/v1/auth/login", content=body, headers={"Content-Type": "application/json"})
    assert_error(r, 422, "invalid_request")


@pytest.mark.sqlite_only
def test_unstorable_client_id_is_422(ada: httpx.Client) -> None:
    r = ada.post("/v1/sync/push", json={"client_id": "d\x00", "mutations": []})
    assert_error(r, 422, "invalid_request")


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=20),
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=10), inner, max_size=4)
    ),
    max_leaves=20,
)
mutation_like = st.fixed_dictionaries(
    {},
    optional={
        "id": st.one_of(st.text(max_size=70), st.integers()),
        "seq": st.one_of(st.integers(), st.text(max_size=5)),
        "kind": st.sampled_from(
            [
                "call_note.create",
                "qualification.update",
                "objection.create",
                "disposition.set",
                "collateral.used",
                "bogus",
            ]
        ),
        "entity_id": st.text(max_size=70),
        "lead_id": st.text(max_size=70),
        "recorded_at": st.one_of(st.just("2026-01-01T00:00:00Z"), st.text(max_size=30)),
        "base_version": st.one_of(st.none(), st.integers(), st.text(max_size=3)),
        "payload": st.one_of(
            json_values,
            st.fixed_dictionaries(
                {},
                optional={
                    "body": json_values,
                    "fields": json_values,
                    "kind": st.sampled_from(["accept", "disqualify", "sent", "x"]),
                    "category_code": st.sampled_from(["price", "x", ""]),
                    "collateral_id": json_values,
                    "reason": json_values,
                },
            ),
        ),
    },
)


edge_text = st.one_of(
    st.text(max_size=30),
    st.sampled_from(["", "\x00", "a\x00b", "\ud800", "price", "x" * 300]),
)
edge_int = st.one_of(st.integers(-5, 10), st.sampled_from([2**31, -(2**31) - 1, 10**30]))
edge_time = st.one_of(
    st.sampled_from(
        ["2026-01-01T00:00:00Z", "0001-01-01T00:00:00+05:00", "9999-12-31T23:59:59-05:00", "x"]
    ),
    st.datetimes(timezones=st.none() | st.timezones()).map(lambda d: d.isoformat()),
)
answer = st.one_of(
    st.none(),
    st.fixed_dictionaries(
        {"value": edge_text}, optional={"verbatim": edge_text, "confidence": edge_int}
    ),
    json_values,
)
payloads = {
    "call_note.create": st.fixed_dictionaries(
        {"body": edge_text},
        optional={"duration_seconds": edge_int, "call_started_at": edge_time, "outcome": edge_text},
    ),
    "qualification.update": st.fixed_dictionaries(
        {"fields": st.dictionaries(st.sampled_from(["budget", "need", "bogus"]), answer)}
    ),
    "objection.create": st.fixed_dictionaries(
        {"category_code": edge_text},
        optional={"severity": edge_int, "campaign_id": edge_text, "collateral_id": edge_text},
    ),
    "disposition.set": st.fixed_dictionaries(
        {"kind": st.sampled_from(["accept", "disqualify", "return_to_nurture", "x"])},
        optional={"reason": edge_text},
    ),
    "collateral.used": st.fixed_dictionaries(
        {"collateral_id": edge_text, "kind": st.sampled_from(["shown", "sent", "x"])}
    ),
}


@settings(
    max_examples=80,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(data=st.data())
def test_fuzzed_mutations_about_real_leads_never_cause_a_5xx(
    world: World, ada: httpx.Client, data: st.DataObject
) -> None:
    """Realistic envelopes with edge values, about the rep's real leads, so the fuzz
    reaches the code that stores things (not only the validation in front of it)."""
    batch = []
    for _ in range(data.draw(st.integers(1, 4))):
        kind = data.draw(st.sampled_from(sorted(payloads)))
        m = mutation(
            kind,
            data.draw(st.sampled_from([*world.ada.leads, world.bob.leads[0], "nope"])),
            data.draw(payloads[kind]),
            base_version=data.draw(st.none() | edge_int),
            recorded_at=data.draw(edge_time),
        )
        batch.append(m)
    body = json.dumps({"client_id": "fuzz", "mutations": batch}, ensure_ascii=True)
    r = ada.post("/v1/sync/push", content=body, headers={"Content-Type": "application/json"})
    assert r.status_code == 200, r.text
    assert len(r.json()["results"]) == len(batch)


@pytest.mark.sqlite_only
@settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    body=st.one_of(
        json_values,
        st.fixed_dictionaries(
            {"client_id": st.text(max_size=70), "mutations": st.lists(mutation_like, max_size=4)}
        ),
    )
)
def test_fuzzed_push_bodies_never_cause_a_5xx(world: World, ada: httpx.Client, body: Any) -> None:
    r = ada.post(
        "/v1/sync/push", content=json.dumps(body), headers={"Content-Type": "application/json"}
    )
    assert r.status_code < 500, r.text
    if r.status_code == 200:
        for result in r.json()["results"]:
            assert result["status"] in {"applied", "duplicate", "conflict", "rejected"}
    else:
        assert set(r.json()["error"]) >= {"code", "message"}


@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    cursor=st.text(max_size=60),
    limit=st.one_of(st.integers(-5, 6000).map(str), st.text(max_size=5)),
)
def test_fuzzed_pull_queries_never_cause_a_5xx(ada: httpx.Client, cursor: str, limit: str) -> None:
    r = ada.get("/v1/sync/pull", params={"cursor": cursor, "limit": limit})
    assert r.status_code in (200, 410, 422), r.text
