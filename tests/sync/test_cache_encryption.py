"""The encrypted cache with the real hub on loopback: a plain cache converted on upgrade
still sends its unsent work exactly once; a rep disabled on the hub has their cached lead
data erased at the next contact, unsent work exported to a readable file first."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from repdesk.app.services import open_rep_store
from repdesk.domain.errors import AccountDisabledError, AuthError
from repdesk.domain.feedback import CallNote
from repdesk.domain.ids import new_id, utcnow
from repdesk.domain.outbox import OutboxState
from repdesk.hub.admin.hub import Hub
from repdesk.hub.admin.reps import disable_rep
from repdesk.hub.db import models as m
from repdesk.store import Store
from repdesk.store.api import LeadQuery
from repdesk.store.cipher import FileState, file_state
from repdesk.store.db import DB_NAME
from repdesk.sync.collateral import CollateralCache
from repdesk.sync.credentials import Credentials
from repdesk.sync.disabled import ERASED
from repdesk.sync.engine import SyncEngine
from repdesk.sync.export import FORMAT
from repdesk.sync.http import HubClient
from repdesk.sync.retry import RetryPolicy
from tests.support.hub_fixtures import PASSWORD
from tests.support.hub_rows import count_rows
from tests.support.sync_fixtures import ClientMaker, NoSleep
from tests.support.world import World

NOTE = "Wants the Zanzibar pilot before the board meeting"


def _no_passphrase(_choosing: bool) -> str | None:
    raise AssertionError("the keyring holds the key: no passphrase is asked")


def _engine(store: Store, cache: Path) -> SyncEngine:
    return SyncEngine(
        store,
        Credentials(),
        CollateralCache(cache),
        lambda url, token: HubClient(url, token, timeout=10),
        retry=RetryPolicy(max_attempts=3, sleep=NoSleep()),
    )


def _note(lead_id: str) -> CallNote:
    return CallNote(id=new_id(), lead_id=lead_id, body=NOTE, created_at=utcnow())


def test_a_plain_cache_converted_on_upgrade_sends_its_pending_work_once(
    live_world: World, make_client: ClientMaker, tmp_path: Path
) -> None:
    ada = make_client("ada")  # today's plain cache
    live_world.sign_in(ada, live_world.ada)
    ada.engine.sync()
    note = _note(live_world.ada.leads[0])
    ada.store.add_call_note(note)
    data = ada.store.data_dir
    ada.store.close()
    assert file_state(data / DB_NAME) is FileState.PLAIN

    store = open_rep_store(data, _no_passphrase)  # the upgraded app opens it
    try:
        assert file_state(data / DB_NAME) is FileState.ENCRYPTED
        assert [i.entity_id for i in store.outbox([OutboxState.PENDING])] == [note.id]
        engine = _engine(store, tmp_path / "client-ada" / "cache")
        engine.sync()
        engine.sync()
        assert store.outbox_counts().pending == 0
        assert count_rows(live_world.hub.db, m.CallNote, id=note.id) == 1
    finally:
        store.close()
    assert NOTE.split()[3].encode() not in (data / DB_NAME).read_bytes()


def test_a_disabled_rep_has_the_cached_leads_erased_and_unsent_work_exported(
    live_world: World, tmp_path: Path
) -> None:
    data = tmp_path / "client-ada" / "data"
    store = open_rep_store(data, _no_passphrase)
    try:
        engine = _engine(store, tmp_path / "client-ada" / "cache")
        engine.login(live_world.hub.url, live_world.ada.email, PASSWORD)
        engine.sync()
        assert store.lead_count() == len(live_world.ada.leads)
        note = _note(live_world.ada.leads[0])
        store.add_call_note(note)

        disable_rep(
            Hub(live_world.hub.config, live_world.hub.db, live_world.hub.files),
            live_world.ada.email,
        )
        with pytest.raises(AccountDisabledError) as err:
            engine.sync()
        message = str(err.value)
        assert message.startswith(ERASED)

        exported = list((data / "set-aside").glob("unsent-*.json"))
        assert len(exported) == 1 and str(exported[0]) in message
        document = json.loads(exported[0].read_text(encoding="utf-8"))
        assert document["format"] == FORMAT
        assert [(i["entity_id"], i["payload"]["body"]) for i in document["items"]] == [
            (note.id, NOTE)
        ]

        assert store.lead_count() == 0
        assert store.lead_ids(LeadQuery()) == []
        assert store.outbox() == []
        assert store.notes(note.lead_id) == []
        assert store.search("Hopper") == []
        assert store.sync_state().session is None
        assert Credentials().load(live_world.hub.url, live_world.ada.email) is None
        assert count_rows(live_world.hub.db, m.CallNote, id=note.id) == 0  # exported, never sent
    finally:
        store.close()


def test_a_disabled_rep_signing_in_again_has_the_cache_erased(
    live_world: World, make_client: ClientMaker
) -> None:
    ada = make_client("ada")
    live_world.sign_in(ada, live_world.ada)
    ada.engine.sync()
    ada.engine.logout()  # nothing unsent: signed out, the leads stay for next time
    assert ada.store.lead_count() > 0
    disable_rep(
        Hub(live_world.hub.config, live_world.hub.db, live_world.hub.files), live_world.ada.email
    )
    with pytest.raises(AccountDisabledError, match="erased"):
        live_world.sign_in(ada, live_world.ada)
    assert ada.store.lead_count() == 0
    assert not (ada.store.data_dir / "set-aside").exists()  # nothing was unsent


def test_another_rep_refused_as_disabled_does_not_erase_this_cache(
    live_world: World, make_client: ClientMaker
) -> None:
    ada = make_client("ada")
    live_world.sign_in(ada, live_world.ada)
    ada.engine.sync()
    disable_rep(
        Hub(live_world.hub.config, live_world.hub.db, live_world.hub.files), live_world.bob.email
    )
    with pytest.raises(AuthError):
        ada.engine.login(live_world.hub.url, live_world.bob.email, PASSWORD)
    assert ada.store.lead_count() == len(live_world.ada.leads)
