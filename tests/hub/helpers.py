"""Helpers shared by the hub API tests: mutation builders and pull-all."""

from __future__ import annotations

from typing import Any

import httpx

from repdesk.domain.ids import new_id


def assert_error(response: httpx.Response, status: int, code: str) -> dict[str, str]:
    assert response.status_code == status, response.text
    body = response.json()
    assert set(body) == {"error"}
    assert body["error"]["code"] == code
    assert isinstance(body["error"]["message"], str) and body["error"]["message"]
    return body["error"]


def mutation(
    kind: str,
    lead_id: str,
    payload: dict[str, Any],
    *,
    mutation_id: str | None = None,
    entity_id: str | None = None,
    base_version: int | None = None,
    seq: int = 1,
    recorded_at: str = "2026-02-01T10:00:00Z",
) -> dict[str, Any]:
    body: dict[str, Any] = {
        "id": mutation_id or new_id(),
        "seq": seq,
        "kind": kind,
        "entity_id": entity_id or new_id(),
        "lead_id": lead_id,
        "recorded_at": recorded_at,
        "payload": payload,
    }
    if base_version is not None:
        body["base_version"] = base_version
    return body


def note(lead_id: str, text: str = "Spoke to them", **kw: Any) -> dict[str, Any]:
    return mutation("call_note.create", lead_id, {"body": text}, **kw)


def push(
    client: httpx.Client, *mutations: dict[str, Any], client_id: str = "device-1"
) -> list[dict[str, Any]]:
    r = client.post("/v1/sync/push", json={"client_id": client_id, "mutations": list(mutations)})
    assert r.status_code == 200, r.text
    results: list[dict[str, Any]] = r.json()["results"]
    assert [x["id"] for x in results] == [m["id"] for m in mutations]
    return results


def pull_all(
    client: httpx.Client, cursor: str | None = None, limit: int = 1000
) -> tuple[list[dict[str, Any]], str]:
    """Every change after `cursor`, page by page; returns (changes, final cursor)."""
    changes: list[dict[str, Any]] = []
    while True:
        params: dict[str, Any] = {"limit": limit}
        if cursor is not None:
            params["cursor"] = cursor
        r = client.get("/v1/sync/pull", params=params)
        assert r.status_code == 200, r.text
        page = r.json()
        changes.extend(page["changes"])
        cursor = page["cursor"]
        if not page["has_more"]:
            return changes, cursor


def state_of(changes: list[dict[str, Any]]) -> dict[tuple[str, str], dict[str, Any]]:
    """Apply changes like a client would: the latest op per (entity, id) wins."""
    state: dict[tuple[str, str], dict[str, Any]] = {}
    for change in changes:
        key = (change["entity"], change["id"])
        if change["op"] == "remove":
            state.pop(key, None)
        else:
            state[key] = change
    return state
