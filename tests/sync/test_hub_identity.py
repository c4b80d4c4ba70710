"""The client recognises its hub by the hub's id, not by its address (issue 7).

The demo hub gets a new port on every run; a hub may move to another address behind a
proxy. Neither is "another hub": the rep's queued work stays queued and is sent once.
Only another rep or a really different hub sets the queue aside (to a file, never sent).
Real hubs on loopback, real SQLite stores.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import httpx
import pytest

from repdesk.domain.errors import AuthError
from repdesk.hub.db import models as m
from repdesk.sync.results import SetAsideReason
from tests.support import hub_rows as seed
from tests.support.hub_fixtures import PASSWORD
from tests.support.hub_rows import count_rows
from tests.support.sync_fixtures import ClientMaker, LiveHub
from tests.support.world import World
from tests.sync.rep_work import lead_ids, offline_work


def test_the_hub_on_a_new_port_keeps_the_queue_and_gets_it_exactly_once(
    live_world: World, make_client: ClientMaker
) -> None:
    ada = make_client("ada")
    live_world.sign_in(ada, live_world.ada)
    ada.engine.sync()
    ids = offline_work(ada, live_world.ada.leads[0])
    old_url = live_world.hub.url

    live_world.hub.move()  # the demo restarted: same hub, new port
    assert live_world.hub.url != old_url
    result = ada.engine.login(live_world.hub.url, live_world.ada.email, PASSWORD)

    assert result.set_aside is None
    assert not any("not sent" in w for w in result.warnings)
    assert ada.store.outbox_counts().pending == 4, "the rep's queue is kept"
    state = ada.store.sync_state()
    assert state.session is not None and state.session.hub_url == live_world.hub.url
    assert not state.full_resync_needed and lead_ids(ada) == set(live_world.ada.leads)
    assert ada.credentials.load(old_url, live_world.ada.email) is None, "no token left behind"
    assert not (ada.store.path.parent / "set-aside").exists()

    report = ada.engine.sync()
    assert (report.pushed, report.applied) == (4, 4)
    assert ada.engine.sync().pushed == 0
    assert count_rows(live_world.hub.db, m.CallNote, id=ids["note"]) == 1
    assert count_rows(live_world.hub.db, m.ProcessedMutation, rep_id=live_world.ada.id) == 4


def test_a_session_from_before_hub_ids_learns_the_id_at_the_next_sync(
    live_world: World, make_client: ClientMaker
) -> None:
    ada = make_client("ada")
    live_world.sign_in(ada, live_world.ada)
    session = ada.store.sync_state().session
    assert session is not None and session.hub_id
    ada.store.set_session(replace(session, hub_id=""))  # as an older repdesk stored it

    ada.engine.sync()
    learned = ada.store.sync_state().session
    assert learned is not None and learned.hub_id == session.hub_id
    offline_work(ada, live_world.ada.leads[0])
    live_world.hub.move()
    assert ada.engine.login(live_world.hub.url, live_world.ada.email, PASSWORD).set_aside is None
    assert ada.engine.sync().applied == 4


@pytest.fixture
def other_hub(tmp_path: Path) -> Iterator[LiveHub]:
    hub = LiveHub(tmp_path / "other-hub")
    try:
        yield hub
    finally:
        hub.stop()


def test_another_hub_sets_the_queue_aside_and_says_what_and_where(
    live_world: World, make_client: ClientMaker, other_hub: LiveHub
) -> None:
    seed.add_rep(other_hub.db, live_world.ada.email, PASSWORD, "Ada Lovelace")
    ada = make_client("ada")
    live_world.sign_in(ada, live_world.ada)
    ada.engine.sync()
    ids = offline_work(ada, live_world.ada.leads[0])
    ada.engine.logout(force=True)

    result = ada.engine.login(other_hub.url, live_world.ada.email, PASSWORD)
    aside = result.set_aside
    assert aside is not None and aside.reason is SetAsideReason.ANOTHER_HUB
    assert aside.count == 4 and aside.previous_hub == live_world.hub.url
    assert dict(aside.kinds) == {
        "call_note.create": 1,
        "qualification.update": 1,
        "objection.create": 1,
        "disposition.set": 1,
    }
    document = json.loads(aside.path.read_text(encoding="utf-8"))
    assert document["count"] == 4
    assert {i["entity_id"] for i in document["items"]} >= {ids["note"], ids["objection"]}
    assert ada.store.outbox_counts().pending == 0
    assert ada.engine.sync().pushed == 0
    assert count_rows(other_hub.db, m.CallNote, id=ids["note"]) == 0


def test_another_rep_sets_the_queue_aside_with_the_reason(
    live_world: World, make_client: ClientMaker
) -> None:
    shared = make_client("shared")
    live_world.sign_in(shared, live_world.ada)
    shared.engine.sync()
    offline_work(shared, live_world.ada.leads[0])
    shared.engine.logout(force=True)
    result = shared.engine.login(live_world.hub.url, live_world.bob.email, PASSWORD)
    aside = result.set_aside
    assert aside is not None and aside.reason is SetAsideReason.ANOTHER_REP
    assert aside.count == 4 and aside.path.is_file()
    assert aside.path.parent == shared.store.path.parent / "set-aside"


def test_a_different_hub_answering_at_the_sessions_address_is_never_pushed_to(
    live_world: World, make_client: ClientMaker, tmp_path: Path
) -> None:
    """The address now leads to another hub (a rebuilt server, a DNS change): sync stops
    before sending anything and asks the rep to sign in; the queue is kept."""
    ada = make_client("ada")
    live_world.sign_in(ada, live_world.ada)
    ada.engine.sync()
    offline_work(ada, live_world.ada.leads[0])
    port = live_world.hub.port
    live_world.hub.stop()
    impostor = LiveHub(tmp_path / "elsewhere", port=port)  # its own home, so its own id
    try:
        assert impostor.url == live_world.hub.url
        with pytest.raises(AuthError, match="not the hub you signed in to"):
            ada.engine.sync()
        assert ada.store.outbox_counts().pending == 4
        assert count_rows(impostor.db, m.ProcessedMutation) == 0
    finally:
        impostor.stop()
        live_world.hub.start()


class _OldHub(httpx.BaseTransport):
    """The real hub, answering as a hub from before hub ids (no `hub_id` anywhere)."""

    def __init__(self) -> None:
        self.inner = httpx.HTTPTransport()

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        response = self.inner.handle_request(request)
        if request.url.path not in ("/v1/sync/meta", "/v1/auth/login"):
            return response
        body = json.loads(response.read())
        body.pop("hub_id", None)
        return httpx.Response(response.status_code, headers=response.headers, json=body)

    def close(self) -> None:
        self.inner.close()


def test_with_a_hub_that_sends_no_id_the_address_decides(
    live_world: World, make_client: ClientMaker
) -> None:
    ada = make_client("ada", transport=_OldHub())
    live_world.sign_in(ada, live_world.ada)
    ada.engine.sync()
    session = ada.store.sync_state().session
    assert session is not None and session.hub_id == ""
    offline_work(ada, live_world.ada.leads[0])
    # Same address: the same hub, queue kept.
    assert ada.engine.login(live_world.hub.url, live_world.ada.email, PASSWORD).set_aside is None
    assert ada.store.outbox_counts().pending == 4
    # Another address, and no id to say otherwise: treated as another hub (as before).
    live_world.hub.move()
    aside = ada.engine.login(live_world.hub.url, live_world.ada.email, PASSWORD).set_aside
    assert aside is not None and aside.reason is SetAsideReason.ANOTHER_HUB and aside.count == 4
