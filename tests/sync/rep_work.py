"""What a rep does on the desktop client in the sync tests: offline work to push, and the
leads the client holds."""

from __future__ import annotations

from repdesk.domain.feedback import CallNote, Disposition, DispositionKind, Objection
from repdesk.domain.ids import new_id, utcnow
from repdesk.domain.qualification import BantAnswer, BantDimension
from repdesk.store.api import LeadQuery, StoreApi
from tests.support.sync_fixtures import Client


def lead_ids(client: Client) -> set[str]:
    return set(client.store.lead_ids(LeadQuery()))


def offline_work(client: Client, lead_id: str) -> dict[str, str]:
    """A note, a BANT answer, an objection and a disposition, made without the hub."""
    now = utcnow()
    note = CallNote(id=new_id(), lead_id=lead_id, body="Asked for pricing in EUR", created_at=now)
    objection = Objection(
        id=new_id(), lead_id=lead_id, category_code="price", verbatim="Too dear", created_at=now
    )
    disposition = Disposition(
        id=new_id(), lead_id=lead_id, kind=DispositionKind.ACCEPT, decided_at=now
    )
    client.store.add_call_note(note)
    client.store.update_bant(
        lead_id, {BantDimension.NEED: BantAnswer(BantDimension.NEED, "critical", "it hurts")}
    )
    client.store.add_objection(objection)
    client.store.set_disposition(disposition)
    return {"note": note.id, "objection": objection.id, "disposition": disposition.id}


def queue_notes(store: StoreApi, lead_id: str, n: int) -> list[str]:
    """`n` call notes on `lead_id` queued in `store`'s outbox; their ids, in order."""
    ids = []
    for i in range(n):
        note = CallNote(id=new_id(), lead_id=lead_id, body=f"call {i}", created_at=utcnow())
        store.add_call_note(note)
        ids.append(note.id)
    return ids
