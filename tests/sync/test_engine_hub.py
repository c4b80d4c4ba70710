"""The sync engine against the REAL hub on loopback, with real SQLite files on both sides."""

from __future__ import annotations

import hashlib
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import select

from repdesk.domain.errors import AuthError, ClientTooOldError, NetworkError
from repdesk.domain.feedback import (
    CallNote,
    DispositionKind,
    Objection,
)
from repdesk.domain.ids import new_id, utcnow
from repdesk.domain.outbox import OutboxState
from repdesk.domain.qualification import BantAnswer, BantDimension
from repdesk.hub.auth import revoke_rep_tokens
from repdesk.hub.db import models as m
from repdesk.sync.engine import UnsentWorkError
from repdesk.sync.http import ACCOUNT_DISABLED, SESSION_ENDED
from tests.support import hub_rows as seed
from tests.support.hub_fixtures import PASSWORD
from tests.support.sync_fixtures import ClientMaker
from tests.support.world import World
from tests.sync.rep_work import lead_ids, offline_work


def test_fresh_client_gets_exactly_its_own_leads_history_and_collateral(
    live_world: World, make_client: ClientMaker
) -> None:
    ada = make_client("ada")
    live_world.sign_in(ada, live_world.ada)
    report = ada.engine.sync()

    assert lead_ids(ada) == set(live_world.ada.leads)
    for lead_id in live_world.ada.leads:
        assert len(ada.store.events(lead_id)) == len(live_world.events[lead_id])
    assert {c.code for c in ada.store.objection_categories()} >= {"price", "timing"}
    # Collateral of the campaign Ada's leads came from, verified byte for byte.
    spring = {c.sha256 for c in live_world.collateral if c.campaign == "spring"}
    assert {c.sha256 for c in ada.store.wanted_collateral()} == spring
    for sha in spring:
        path = ada.cache.path_for(sha)
        assert path is not None
        assert hashlib.sha256(path.read_bytes()).hexdigest() == sha
        assert path.read_bytes() == live_world.hub.files.path_for(sha).read_bytes()
    autumn = next(c.sha256 for c in live_world.collateral if c.campaign == "autumn")
    assert ada.cache.path_for(autumn) is None
    assert report.downloaded == len(spring)
    assert report.pulled > 0 and report.pushed == 0
    state = ada.store.sync_state()
    assert state.cursor and state.last_error == "" and state.last_sync_at is not None

    # A second sync with nothing new moves nothing.
    again = ada.engine.sync()
    assert (again.pulled, again.pushed, again.downloaded) == (0, 0, 0)


def test_marketing_rubric_arrives(live_world: World, make_client: ClientMaker) -> None:
    ada = make_client("ada")
    live_world.sign_in(ada, live_world.ada)
    ada.engine.sync()
    rubric = ada.store.rubric()
    assert rubric is not None and rubric.name == "Sales-ready lead (BANT)"


def test_reassignment_moves_the_lead_between_reps(
    live_world: World, make_client: ClientMaker
) -> None:
    ada, bob = make_client("ada"), make_client("bob")
    live_world.sign_in(ada, live_world.ada)
    live_world.sign_in(bob, live_world.bob)
    ada.engine.sync()
    bob.engine.sync()
    moved = live_world.ada.leads[0]
    assert moved in lead_ids(ada) and moved not in lead_ids(bob)

    seed.reassign(live_world.hub.db, moved, live_world.bob.id)
    ada.engine.sync()
    bob.engine.sync()

    assert moved not in lead_ids(ada)
    assert ada.store.lead(moved) is None
    assert ada.store.events(moved) == []
    assert lead_ids(ada) == set(live_world.ada.leads[1:])
    assert moved in lead_ids(bob)
    assert len(bob.store.events(moved)) == len(live_world.events[moved])


def test_offline_work_is_queued_and_arrives_exactly_once(
    live_world: World, make_client: ClientMaker
) -> None:
    ada = make_client("ada")
    live_world.sign_in(ada, live_world.ada)
    ada.engine.sync()
    lead = live_world.ada.leads[0]

    live_world.hub.stop()
    ids = offline_work(ada, lead)
    with pytest.raises(NetworkError):
        ada.engine.sync()
    assert ada.store.outbox_counts().pending == 4
    assert "could not reach the hub" in ada.store.sync_state().last_error
    live_world.hub.start()

    report = ada.engine.sync()
    assert (report.pushed, report.applied, report.rejected, report.conflicts) == (4, 4, 0, 0)
    assert ada.store.outbox_counts().pending == 0
    ada.engine.sync()  # and again: nothing is sent twice

    assert seed.count_rows(live_world.hub.db, m.CallNote, id=ids["note"]) == 1
    assert seed.count_rows(live_world.hub.db, m.ObjectionRow, id=ids["objection"]) == 1
    assert seed.count_rows(live_world.hub.db, m.DispositionRow, lead_id=lead) == 1
    assert (
        seed.count_rows(live_world.hub.db, m.QualificationField, lead_id=lead, value="critical")
        == 1
    )
    assert seed.count_rows(live_world.hub.db, m.ProcessedMutation, rep_id=live_world.ada.id) == 4


def test_a_field_conflict_is_surfaced_not_overwritten(
    live_world: World, make_client: ClientMaker
) -> None:
    ada = make_client("ada")
    live_world.sign_in(ada, live_world.ada)
    ada.engine.sync()
    lead = live_world.ada.leads[1]
    # Marketing sets Budget on the hub after Ada's last sync...
    seed.set_bant_as_marketing(live_world.hub.db, lead, "budget", "none")
    # ...while Ada, offline, records a different Budget.
    ada.store.update_bant(
        lead, {BantDimension.BUDGET: BantAnswer(BantDimension.BUDGET, "approved", "signed off")}
    )

    report = ada.engine.sync()

    assert report.conflicts == 1
    [conflict] = ada.store.conflicts()
    assert (conflict.field, conflict.mine, conflict.theirs) == ("budget", "approved", "none")
    [item] = ada.store.outbox([OutboxState.CONFLICT])
    assert item.id == conflict.mutation_id
    with live_world.hub.db.read() as s:
        field = s.get(m.QualificationField, (lead, "budget"))
        assert field is not None and field.value == "none"


def test_revoked_token_gives_auth_error_and_keeps_the_outbox(
    live_world: World, make_client: ClientMaker
) -> None:
    ada = make_client("ada")
    live_world.sign_in(ada, live_world.ada)
    ada.engine.sync()
    with live_world.hub.db.write() as s:
        assert revoke_rep_tokens(s, live_world.ada.id) >= 1
    lead = live_world.ada.leads[0]
    ids = offline_work(ada, lead)

    with pytest.raises(AuthError) as err:
        ada.engine.sync()
    assert str(err.value) == SESSION_ENDED
    assert ada.store.outbox_counts().pending == 4
    assert ada.store.notes(lead)[0].id == ids["note"]
    assert lead_ids(ada) == set(live_world.ada.leads)
    assert not ada.engine.signed_in  # the dead token is gone; the session is remembered
    assert ada.store.sync_state().session is not None
    assert ada.store.sync_state().last_error == SESSION_ENDED
    assert seed.count_rows(live_world.hub.db, m.CallNote, id=ids["note"]) == 0

    live_world.sign_in(ada, live_world.ada)
    assert ada.engine.sync().applied == 4
    assert seed.count_rows(live_world.hub.db, m.CallNote, id=ids["note"]) == 1


def test_expired_cursor_means_full_resync_and_the_outbox_survives(
    live_world: World, make_client: ClientMaker
) -> None:
    """The client's cursor is replaced (through the store's own API) by one from another hub
    database, as after the hub was restored from a backup: the hub answers 410."""
    from repdesk.hub.sync.cursor import encode_cursor

    ada = make_client("ada")
    live_world.sign_in(ada, live_world.ada)
    ada.engine.sync()
    lead = live_world.ada.leads[0]
    # Work the hub will not apply, so it is still unsent while the resync runs:
    refused = Objection(
        id=new_id(), lead_id=lead, category_code="no-such-code", verbatim="?", created_at=utcnow()
    )
    ada.store.add_objection(refused)
    ada.engine.sync()
    assert [i.entity_id for i in ada.store.outbox([OutboxState.REJECTED])] == [refused.id]
    ada.store.apply_pull_page([], encode_cursor("an-older-database", 10**6))
    note = CallNote(id=new_id(), lead_id=lead, body="after restore", created_at=utcnow())
    ada.store.add_call_note(note)

    report = ada.engine.sync()

    assert report.full_resync
    assert lead_ids(ada) == set(live_world.ada.leads)
    for lead_id in live_world.ada.leads:
        assert len(ada.store.events(lead_id)) == len(live_world.events[lead_id])
    rejected = ada.store.outbox([OutboxState.REJECTED])
    assert [i.entity_id for i in rejected] == [refused.id]
    assert "not in marketing's list" in rejected[0].detail
    assert refused.id in {o.id for o in ada.store.objections(lead)}
    assert note.id in {n.id for n in ada.store.notes(lead)}
    assert seed.count_rows(live_world.hub.db, m.CallNote, id=note.id) == 1
    assert not ada.store.sync_state().full_resync_needed


def test_old_client_is_refused_and_clock_skew_is_reported(
    live_world: World, make_client: ClientMaker
) -> None:
    old = make_client("old", client_version="0.0.9")
    with pytest.raises(ClientTooOldError, match="too old"):
        old.engine.login(live_world.hub.url, live_world.ada.email, "x")
    assert old.store.sync_state().session is None

    skewed = make_client("skewed", now=lambda: utcnow() + timedelta(minutes=12))
    result = skewed.engine.login(live_world.hub.url, live_world.ada.email, PASSWORD)
    assert any("clock" in w and "12 minutes" in w for w in result.warnings)
    assert result.session.rep_name == "Ada Lovelace"


def test_wrong_password_is_auth_error_and_nothing_is_stored(
    live_world: World, make_client: ClientMaker
) -> None:
    ada = make_client("ada")
    with pytest.raises(AuthError, match="did not accept"):
        ada.engine.login(live_world.hub.url, live_world.ada.email, "wrong")
    assert ada.store.sync_state().session is None
    assert not ada.engine.signed_in


def test_a_disabled_rep_is_told_so_not_that_the_password_is_wrong(
    live_world: World, make_client: ClientMaker
) -> None:
    from repdesk.hub.admin.hub import Hub
    from repdesk.hub.admin.reps import disable_rep

    disable_rep(
        Hub(live_world.hub.config, live_world.hub.db, live_world.hub.files), live_world.ada.email
    )
    ada = make_client("ada")
    with pytest.raises(AuthError) as err:
        live_world.sign_in(ada, live_world.ada)
    message = str(err.value)
    assert message.startswith(ACCOUNT_DISABLED)
    assert "ask marketing operations" in message  # the hub's own words, as plain text
    assert "did not accept" not in message
    assert ada.store.sync_state().session is None
    with pytest.raises(AuthError, match="did not accept"):  # a wrong password still is one
        ada.engine.login(live_world.hub.url, live_world.ada.email, "wrong")


def test_logout_refuses_with_unsent_work_then_revokes(
    live_world: World, make_client: ClientMaker
) -> None:
    ada = make_client("ada")
    live_world.sign_in(ada, live_world.ada)
    ada.engine.sync()
    offline_work(ada, live_world.ada.leads[0])
    token = ada.credentials.load(live_world.hub.url, live_world.ada.email)
    with pytest.raises(UnsentWorkError) as err:
        ada.engine.logout()
    assert err.value.count == 4
    assert ada.engine.signed_in

    ada.engine.logout(force=True)
    assert ada.store.sync_state().session is None
    assert ada.credentials.load(live_world.hub.url, live_world.ada.email) is None
    assert ada.store.outbox_counts().pending == 4  # still there to export
    with live_world.hub.db.read() as s:
        tokens = s.scalars(select(m.Token).where(m.Token.rep_id == live_world.ada.id)).all()
        assert tokens and all(t.revoked_at is not None for t in tokens)
    assert token


def test_logout_with_only_refused_work_does_not_say_sync(
    live_world: World, make_client: ClientMaker
) -> None:
    """A refused item never leaves with a sync: the refusal points at the Outbox, export
    and --force; a pending item next to it still says sync."""
    ada = make_client("ada")
    live_world.sign_in(ada, live_world.ada)
    lead = live_world.ada.leads[0]
    ada.store.add_objection(
        Objection(
            id=new_id(),
            lead_id=lead,
            category_code="no-such-code",
            verbatim="?",
            created_at=utcnow(),
        )
    )
    ada.engine.sync()
    with pytest.raises(UnsentWorkError) as err:
        ada.engine.logout()
    assert (err.value.pending, err.value.rejected, err.value.count) == (0, 1, 1)
    message = str(err.value)
    assert "sync" not in message.lower().replace("syncing does not clear", "")
    assert "Outbox" in message and "export-pending" in message and "--force" in message

    ada.store.add_call_note(
        CallNote(id=new_id(), lead_id=lead, body="Call back Tuesday", created_at=utcnow())
    )
    with pytest.raises(UnsentWorkError) as both:
        ada.engine.logout()
    assert both.value.count == 2
    assert str(both.value).startswith("You have 1 unsent change: sync to send it.")
    assert "1 change the hub refused" in str(both.value)
    assert ada.engine.signed_in


def test_a_second_device_gets_the_reps_own_writes_back(
    live_world: World, make_client: ClientMaker
) -> None:
    laptop, reinstall = make_client("laptop"), make_client("reinstall")
    live_world.sign_in(laptop, live_world.ada)
    laptop.engine.sync()
    lead = live_world.ada.leads[0]
    ids = offline_work(laptop, lead)
    laptop.engine.sync()

    live_world.sign_in(reinstall, live_world.ada)
    reinstall.engine.sync()

    assert [n.id for n in reinstall.store.notes(lead)] == [ids["note"]]
    assert [o.id for o in reinstall.store.objections(lead)] == [ids["objection"]]
    disposition = reinstall.store.disposition(lead)
    assert disposition is not None and disposition.kind is DispositionKind.ACCEPT
    need = reinstall.store.bant(lead).need
    assert need is not None and need.value == "critical"
    assert reinstall.store.outbox_counts().pending == 0


def test_another_rep_signing_in_on_the_same_machine_sees_only_their_leads(
    live_world: World, make_client: ClientMaker
) -> None:
    shared = make_client("shared")
    live_world.sign_in(shared, live_world.ada)
    shared.engine.sync()
    shared.engine.logout()

    live_world.sign_in(shared, live_world.bob)
    assert lead_ids(shared) == set()  # Ada's list is gone at sign-in, before any sync
    shared.engine.sync()
    assert lead_ids(shared) == set(live_world.bob.leads)

    # Ada again after Bob: a different rep than the last one, so Bob's list goes.
    shared.engine.logout()
    live_world.sign_in(shared, live_world.ada)
    assert lead_ids(shared) == set()
    assert shared.engine.sync().full_resync is False  # a fresh first sync, not a restart
    assert lead_ids(shared) == set(live_world.ada.leads)


def test_another_reps_unsent_work_is_saved_aside_never_sent_as_the_new_rep(
    live_world: World, make_client: ClientMaker
) -> None:
    """Ada forces sign-out with work queued; Bob signs in on the same folder and syncs."""
    import json

    shared = make_client("shared")
    live_world.sign_in(shared, live_world.ada)
    shared.engine.sync()
    lead = live_world.ada.leads[0]
    ids = offline_work(shared, lead)
    shared.engine.logout(force=True)

    result = shared.engine.login(live_world.hub.url, live_world.bob.email, PASSWORD)
    note = next(w for w in result.warnings if "not sent as you" in w)
    saved = Path(note.split(" saved to ")[1].split(" and not sent")[0])
    document = json.loads(saved.read_text(encoding="utf-8"))
    assert document["count"] == 4
    assert {i["entity_id"] for i in document["items"]} >= {ids["note"], ids["objection"]}

    counts = shared.store.outbox_counts()
    assert (counts.pending, counts.rejected, counts.conflicts) == (0, 0, 0)
    report = shared.engine.sync()
    assert report.pushed == 0
    assert lead_ids(shared) == set(live_world.bob.leads)
    assert shared.store.notes(lead) == []
    # Nothing of Ada's reached the hub under anyone's name.
    assert seed.count_rows(live_world.hub.db, m.CallNote, id=ids["note"]) == 0
    assert seed.count_rows(live_world.hub.db, m.ProcessedMutation, rep_id=live_world.bob.id) == 0


def test_the_same_rep_signing_back_in_keeps_the_list_even_offline(
    live_world: World, make_client: ClientMaker
) -> None:
    ada = make_client("ada")
    live_world.sign_in(ada, live_world.ada)
    ada.engine.sync()
    ada.engine.logout()
    assert ada.store.sync_state().session is None
    assert lead_ids(ada) == set(live_world.ada.leads)

    live_world.sign_in(ada, live_world.ada)
    state = ada.store.sync_state()
    assert state.cursor is not None and not state.full_resync_needed
    assert (state.last_hub_url, state.last_rep_id) == (live_world.hub.url, live_world.ada.id)
    live_world.hub.stop()
    try:
        with pytest.raises(NetworkError):
            ada.engine.sync()
        assert lead_ids(ada) == set(live_world.ada.leads)  # still there while offline
    finally:
        live_world.hub.start()
    report = ada.engine.sync()
    assert report.pulled == 0 and not report.full_resync
    assert lead_ids(ada) == set(live_world.ada.leads)


def test_without_a_keyring_the_rep_is_told_and_sync_still_works(
    live_world: World, make_client: ClientMaker
) -> None:
    import keyring
    from keyring.backends import fail

    from repdesk.sync.credentials import NO_KEYRING_MESSAGE

    keyring.set_keyring(fail.Keyring())  # the autouse fixture restores the test keyring
    ada = make_client("ada")
    result = ada.engine.login(live_world.hub.url, live_world.ada.email, PASSWORD)
    assert NO_KEYRING_MESSAGE in result.warnings
    assert ada.engine.sync().pulled > 0
    assert lead_ids(ada) == set(live_world.ada.leads)


def test_repeated_wrong_passwords_are_slowed_down_with_a_clear_message(
    live_world: World, make_client: ClientMaker
) -> None:
    from repdesk.sync.http import HubBusyError

    ada = make_client("ada")
    refused = 0
    with pytest.raises(HubBusyError) as busy:
        while refused < 50:
            try:
                ada.engine.login(live_world.hub.url, live_world.ada.email, "wrong")
            except AuthError:
                refused += 1
    assert refused == live_world.hub.config.login_throttle.per_account
    assert busy.value.status == 429
    assert "Try again in" in str(busy.value)
    assert ada.sleeps.sleeps == []  # sign-in never sits out a rate limit


def test_one_http_client_serves_every_sync_and_closing_the_engine_closes_it(
    live_world: World, make_client: ClientMaker
) -> None:
    """A sync with nothing new reuses the engine's client (its TLS context and open
    connection); a new CA file version gets a new client; `close()` closes it."""
    from repdesk.sync.http import HubClient

    ada = make_client("ada")
    live_world.sign_in(ada, live_world.ada)
    made: list[HubClient] = []
    factory = ada.engine.client_factory

    def counting(url: str, token: str | None) -> HubClient:
        made.append(factory(url, token))
        return made[-1]

    ca_version = ["v1"]
    ada.engine.client_factory = counting
    ada.engine.client_key = lambda: ca_version[0]
    ada.engine.sync()
    for _ in range(3):
        assert ada.engine.sync().pulled == 0
    assert len(made) == 1
    assert not made[0]._client.is_closed  # noqa: SLF001

    ca_version[0] = "v2"  # the rep chose another CA file (or it changed on disk)
    ada.engine.sync()
    assert len(made) == 2
    assert made[0]._client.is_closed  # noqa: SLF001
    assert not made[1]._client.is_closed  # noqa: SLF001

    ada.engine.close()
    assert made[1]._client.is_closed  # noqa: SLF001
    ada.engine.sync()  # a closed engine opens a new client when asked to sync again
    assert len(made) == 3
    ada.engine.close()
    assert made[2]._client.is_closed  # noqa: SLF001


def test_a_failed_sync_drops_the_kept_client(live_world: World, make_client: ClientMaker) -> None:
    from repdesk.sync.http import HubClient

    ada = make_client("ada")
    live_world.sign_in(ada, live_world.ada)
    made: list[HubClient] = []
    factory = ada.engine.client_factory

    def counting(url: str, token: str | None) -> HubClient:
        made.append(factory(url, token))
        return made[-1]

    ada.engine.client_factory = counting
    ada.engine.sync()
    with live_world.hub.db.write() as s:
        assert revoke_rep_tokens(s, live_world.ada.id) >= 1
    with pytest.raises(AuthError):
        ada.engine.sync()
    assert len(made) == 1 and made[0]._client.is_closed  # noqa: SLF001
