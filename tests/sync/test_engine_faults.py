"""The engine under precise faults: lost answers, cut downloads, 5xx, a junk hub, cancel."""

from __future__ import annotations

import hashlib
import json
import threading
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from sqlalchemy import func, select

from repdesk.domain.errors import Interrupted, UntrustedServerError
from repdesk.domain.feedback import Objection
from repdesk.domain.ids import new_id, utcnow
from repdesk.domain.outbox import OutboxState
from repdesk.hub.db import models as m
from repdesk.store.api import LeadQuery, SessionInfo
from repdesk.sync import export_pending
from repdesk.sync.http import GARBAGE
from tests.support.hub_rows import count_rows
from tests.support.sync_fixtures import ClientMaker
from tests.support.world import World
from tests.sync.faults import Tap, cut_body_after, lose_response, replace_with
from tests.sync.rep_work import offline_work, queue_notes
from tests.sync.scripted import Reply, ScriptedServer, Seen, scripted_server


def test_lost_push_response_then_retry_is_duplicate_not_double(
    live_world: World, make_client: ClientMaker
) -> None:
    """Fault injected precisely: the transport forwards the push to the real hub, which
    applies it and answers; the transport then drops that answer (httpx.ReadError), as a
    connection lost on the way back would. The engine's retry sends the same mutation ids."""
    tap = Tap()
    tap.add("POST", "/v1/sync/push", lose_response)
    ada = make_client("ada", transport=tap)
    live_world.sign_in(ada, live_world.ada)
    ada.engine.sync()
    lead = live_world.ada.leads[0]
    ids = offline_work(ada, lead)

    report = ada.engine.sync()

    first, second = tap.json_bodies("POST", "/v1/sync/push")
    assert {r["status"] for r in first["results"]} == {"applied"}
    assert {r["status"] for r in second["results"]} == {"duplicate"}
    assert [r["id"] for r in first["results"]] == [r["id"] for r in second["results"]]
    assert report.applied == 4 and ada.store.outbox_counts().pending == 0
    assert len(ada.sleeps.sleeps) == 1  # one backoff pause, not slept
    assert count_rows(live_world.hub.db, m.CallNote, id=ids["note"]) == 1
    assert count_rows(live_world.hub.db, m.ObjectionRow, id=ids["objection"]) == 1
    assert count_rows(live_world.hub.db, m.DispositionRow, lead_id=lead) == 1
    assert count_rows(live_world.hub.db, m.ProcessedMutation, rep_id=live_world.ada.id) == 4


def test_cut_collateral_download_resumes_with_range(
    live_world: World, make_client: ClientMaker
) -> None:
    """Fault injected precisely: the first collateral answer from the real hub is cut after
    5000 bytes with a broken connection; the retry must ask for the rest only."""
    tap = Tap()
    tap.add("GET", "/v1/collateral/", cut_body_after(5000))
    ada = make_client("ada", transport=tap)
    live_world.sign_in(ada, live_world.ada)

    report = ada.engine.sync()

    downloads = tap.requests_to("GET", "/v1/collateral/")
    first, resumed = downloads[0], downloads[1]
    assert "range" not in first.headers
    assert resumed.path == first.path
    assert resumed.headers["range"] == "bytes=5000-"
    assert resumed.headers["if-range"]
    assert resumed.status == 206
    sha = first.path.rsplit("/", 1)[1]
    path = ada.cache.path_for(sha)
    assert path is not None and hashlib.sha256(path.read_bytes()).hexdigest() == sha
    assert report.downloaded == 2 and report.collateral_failed == []


def test_a_5xx_is_retried_with_retry_after(live_world: World, make_client: ClientMaker) -> None:
    """Fault injected precisely: the hub's first pull answer is replaced by a 503 with
    Retry-After (a proxy in front of a restarting hub)."""
    tap = Tap()
    tap.add("GET", "/v1/sync/pull", replace_with(503, b"busy", {"Retry-After": "4"}))
    ada = make_client("ada", transport=tap)
    live_world.sign_in(ada, live_world.ada)
    ada.engine.sync()
    assert ada.sleeps.sleeps and ada.sleeps.sleeps[0] >= 4
    assert set(ada.store.lead_ids(LeadQuery())) == set(live_world.ada.leads)


def test_push_goes_in_batches_and_a_refusal_does_not_block_the_queue(
    live_world: World, make_client: ClientMaker
) -> None:
    tap = Tap()
    ada = make_client("ada", transport=tap, push_batch=2)
    live_world.sign_in(ada, live_world.ada)
    ada.engine.sync()
    lead = live_world.ada.leads[0]
    before = queue_notes(ada.store, lead, 2)
    bad = Objection(
        id=new_id(), lead_id=lead, category_code="nope", verbatim="", created_at=utcnow()
    )
    ada.store.add_objection(bad)
    after = queue_notes(ada.store, lead, 2)

    report = ada.engine.sync()

    assert len(tap.json_bodies("POST", "/v1/sync/push")) == 3
    assert (report.pushed, report.applied, report.rejected) == (5, 4, 1)
    for note_id in before + after:
        assert count_rows(live_world.hub.db, m.CallNote, id=note_id) == 1
    [refused] = ada.store.outbox([OutboxState.REJECTED])
    assert refused.entity_id == bad.id and "nope" in refused.detail


def test_cancel_between_batches_keeps_the_rest_queued(
    live_world: World, make_client: ClientMaker
) -> None:
    """Cancel pressed as the first batch's answers are recorded: the second batch already
    left when that answer came in (`sync/push.py`), so its answer is awaited and recorded
    too; nothing more is sent."""
    ada = make_client("ada", push_batch=2)
    live_world.sign_in(ada, live_world.ada)
    ada.engine.sync()
    queue_notes(ada.store, live_world.ada.leads[0], 7)
    cancel = threading.Event()
    seen: list[tuple[str, int, int]] = []

    def progress(phase: str, done: int, total: int) -> None:
        seen.append((phase, done, total))
        if done >= 2:
            cancel.set()  # the rep presses Cancel after the first batch

    with pytest.raises(Interrupted):
        ada.engine.sync(progress=progress, cancel=cancel)

    assert ada.store.outbox_counts().pending == 3
    assert count_rows(live_world.hub.db, m.CallNote) == 4
    assert ("Sending your changes", 2, 7) in seen
    assert ada.engine.progress.snapshot().done == 4
    assert "cancelled" in ada.store.sync_state().last_error
    assert ada.engine.sync().applied == 3  # the next sync carries on


@pytest.fixture
def junk_hub() -> Iterator[ScriptedServer]:
    """A tiny real loopback server that claims to be a hub and answers junk."""
    with scripted_server() as srv:
        meta = {"server_time": utcnow().isoformat(), "protocol_version": 1}
        meta["min_client_version"] = "0.1.0"
        srv.script("GET", "/v1/sync/meta", *[Reply(200, json.dumps(meta).encode())] * 10)
        yield srv


def _point_at(client: object, url: str, live_world: World) -> None:
    session = client.store.sync_state().session  # type: ignore[attr-defined]
    assert session is not None
    client.store.set_session(  # type: ignore[attr-defined]
        SessionInfo(url, session.rep_id, session.rep_name, session.rep_email)
    )
    client.credentials.save(url, session.rep_email, "tok")  # type: ignore[attr-defined]


@pytest.mark.parametrize("where", ["push", "pull"])
def test_a_hub_answering_junk_gives_a_clear_error_and_loses_nothing(
    live_world: World, make_client: ClientMaker, junk_hub: ScriptedServer, where: str
) -> None:
    ada = make_client("ada")
    live_world.sign_in(ada, live_world.ada)
    ada.engine.sync()
    lead = live_world.ada.leads[0]
    cursor = ada.store.sync_state().cursor
    note_ids = queue_notes(ada.store, lead, 2)
    _point_at(ada, junk_hub.url, live_world)
    html = b"<html><h1>502 Bad Gateway</h1><script>steal()</script>\x1b[2J</html>"
    if where == "push":
        junk_hub.script("POST", "/v1/sync/push", Reply(200, html, {"Content-Type": "text/html"}))
    else:

        def applied(seen: Seen) -> Reply:
            ids = [mu["id"] for mu in json.loads(seen.body)["mutations"]]
            results = [{"id": i, "status": "applied", "server_version": 1} for i in ids]
            return Reply(200, json.dumps({"results": results}).encode())

        junk_hub.script("POST", "/v1/sync/push", applied)
        junk_hub.script("GET", "/v1/sync/pull", Reply(200, b'{"changes": [{"entity": "lead"}]}'))

    with pytest.raises(UntrustedServerError) as err:
        ada.engine.sync()

    assert str(err.value) == GARBAGE
    assert "\x1b" not in err.value.server_text
    state = ada.store.sync_state()
    assert state.last_error == GARBAGE
    assert state.cursor == cursor
    assert set(ada.store.lead_ids(LeadQuery())) == set(live_world.ada.leads)
    assert {n.id for n in ada.store.notes(lead)} >= set(note_ids)
    expected_pending = 2 if where == "push" else 0
    assert ada.store.outbox_counts().pending == expected_pending


def test_export_pending_writes_every_unsent_item_atomically(
    live_world: World, make_client: ClientMaker, tmp_path: Path
) -> None:
    ada = make_client("ada")
    live_world.sign_in(ada, live_world.ada)
    ada.engine.sync()
    lead = live_world.ada.leads[0]
    bad = Objection(
        id=new_id(), lead_id=lead, category_code="nope", verbatim="", created_at=utcnow()
    )
    ada.store.add_objection(bad)
    ada.engine.sync()  # -> rejected
    sent = queue_notes(ada.store, lead, 1)
    ada.engine.sync()  # -> applied: not exported
    pending = queue_notes(ada.store, lead, 2)  # -> pending

    target = tmp_path / "out" / "unsent.json"
    count = export_pending(ada.store, target)

    doc = json.loads(target.read_text(encoding="utf-8"))
    assert count == 3 == doc["count"]
    entity_ids = [i["entity_id"] for i in doc["items"]]
    assert entity_ids == [bad.id, *pending]
    assert sent[0] not in entity_ids
    assert [i["state"] for i in doc["items"]] == ["rejected", "pending", "pending"]
    assert doc["hub_url"] == live_world.hub.url and doc["rep_email"] == live_world.ada.email
    assert [p.name for p in target.parent.iterdir()] == ["unsent.json"]
    with live_world.hub.db.read() as s:
        assert s.scalar(select(func.count()).select_from(m.CallNote)) == 1


def test_many_small_pages_apply_in_order_and_a_bad_page_stops_at_the_last_good_one(
    live_world: World, make_client: ClientMaker
) -> None:
    """Fault injected precisely: the hub's answer to the third pull request is replaced by
    junk. Pages one and two (fetched ahead while the store works) are applied with their
    cursors; nothing after them is; the next sync carries on from there."""
    tap = Tap()
    ok = lambda request, response: response  # noqa: E731 - pass the real answer through
    tap.add("GET", "/v1/sync/pull", ok)
    tap.add("GET", "/v1/sync/pull", ok)
    tap.add("GET", "/v1/sync/pull", replace_with(200, b"<html>oops</html>"))
    ada = make_client("ada", transport=tap, pull_limit=3)
    live_world.sign_in(ada, live_world.ada)

    with pytest.raises(UntrustedServerError):
        ada.engine.sync()
    pulls = tap.requests_to("GET", "/v1/sync/pull")
    assert len(pulls) == 3
    assert "cursor" not in pulls[0].params
    partial = ada.store.sync_state().cursor
    assert partial is not None
    assert pulls[2].params["cursor"] == partial  # page two was applied, with its cursor

    report = ada.engine.sync()

    assert report.pulled > 0
    assert set(ada.store.lead_ids(LeadQuery())) == set(live_world.ada.leads)
    for lead_id in live_world.ada.leads:
        assert len(ada.store.events(lead_id)) == len(live_world.events[lead_id])
    # The second sync started where the first stopped: from the second page's cursor.
    resumed = tap.requests_to("GET", "/v1/sync/pull")[3]
    assert resumed.params["cursor"] == partial


def _one_change_refused(request: httpx.Request, response: httpx.Response) -> httpx.Response:
    """The hub's real page with its first change's data replaced by a value the wire model
    refuses; the page's cursor and has_more are kept, so the page reads as a page."""
    page = json.loads(response.read())
    response.close()
    page["changes"][0]["data"] = {"no such field": 1}
    return httpx.Response(200, content=json.dumps(page).encode(), request=request)


def test_a_page_whose_change_is_refused_stops_after_the_pages_before_it(
    live_world: World, make_client: ClientMaker
) -> None:
    """Fault injected precisely: the third pull page reads as a page (cursor, has_more)
    but its first change is one the client refuses. The pages are decoded in the store's
    thread, several taken together on a first sync: pages one and two are still written,
    with page two's cursor, before the error; nothing of page three or later is."""
    tap = Tap()
    ok = lambda request, response: response  # noqa: E731 - pass the real answer through
    tap.add("GET", "/v1/sync/pull", ok)
    tap.add("GET", "/v1/sync/pull", ok)
    tap.add("GET", "/v1/sync/pull", _one_change_refused)
    ada = make_client("ada", transport=tap, pull_limit=3)
    live_world.sign_in(ada, live_world.ada)

    with pytest.raises(UntrustedServerError):
        ada.engine.sync()

    pulls = tap.requests_to("GET", "/v1/sync/pull")
    assert len(pulls) >= 3  # the feed may have fetched further; those pages are dropped
    assert ada.store.sync_state().cursor == pulls[2].params["cursor"]  # page two's
    assert ada.store.sync_state().last_error == GARBAGE
    report = ada.engine.sync()  # the hub's own pages again, from there
    assert report.pulled > 0
    assert set(ada.store.lead_ids(LeadQuery())) == set(live_world.ada.leads)
