"""A lead's timeline merges nurture history and the rep's actions, newest first."""

from __future__ import annotations

import threading

from repdesk.domain.feedback import Disposition, DispositionKind, Objection
from repdesk.domain.ids import new_id
from repdesk.domain.outbox import OutboxState
from repdesk.domain.qualification import BantAnswer, BantDimension
from repdesk.store import Store
from repdesk.store.api import MutationOutcome, TimelineKind
from tests.store.factories import at, event, note, up

N = BantDimension.NEED


def test_entries_are_merged_newest_first_with_unsent_flags(seeded: Store) -> None:
    seeded.apply_pull_page(
        [
            up("nurture_event", event("L1", 0, "Pricing page", event_id="E0")),
            up("nurture_event", event("L1", 30, "Webinar", event_id="E30")),
            up("nurture_event", event("L2", 40, "Other lead", event_id="X")),
        ],
        "c1",
    )
    seeded.add_call_note(note("L1", "Wants a pilot\nsecond line", minutes=10))
    seeded.add_objection(Objection(new_id(), "L1", "price", "Too pricey", created_at=at(20)))
    seeded.set_disposition(
        Disposition(new_id(), "L1", DispositionKind.DISQUALIFY, at(50), reason="No fit")
    )
    seeded.update_bant("L1", {N: BantAnswer(N, "critical", recorded_at=at(45))})

    entries = seeded.timeline("L1")
    assert [e.kind for e in entries] == [
        TimelineKind.DISPOSITION,
        TimelineKind.QUALIFICATION,
        TimelineKind.NURTURE,
        TimelineKind.OBJECTION,
        TimelineKind.NOTE,
        TimelineKind.NURTURE,
    ]
    assert [e.at for e in entries] == sorted((e.at for e in entries), reverse=True)
    assert entries[0].title == "Disqualified" and entries[0].detail == "No fit"
    assert entries[1].title == "Need: Urgent, business-critical pain"
    assert entries[2].event_type == "web_visit" and "Webinar" in entries[2].title
    assert entries[3].title == "Objection: Price / budget"
    assert entries[4].title == "Call note: Wants a pilot"
    assert [e.unsent for e in entries] == [True, True, False, True, True, False]

    note_item = next(i for i in seeded.outbox() if i.entity_id == entries[4].ref_id)
    seeded.apply_outcomes([MutationOutcome(note_item.id, OutboxState.APPLIED, server_version=1)])
    assert not next(e for e in seeded.timeline("L1") if e.kind is TimelineKind.NOTE).unsent


def test_two_threads_writing_at_once_lose_nothing(seeded: Store) -> None:
    """The GUI's DB worker and the sync thread share one Store; the RLock serialises them."""
    start = threading.Barrier(2)
    errors: list[BaseException] = []

    def writer(lead_id: str) -> None:
        try:
            start.wait(timeout=30)
            for i in range(40):
                seeded.add_call_note(note(lead_id, f"note {i}"))
                seeded.lead_rows(["L1", "L2"])
        except BaseException as exc:  # surfaced below, not swallowed
            errors.append(exc)

    threads = [threading.Thread(target=writer, args=(x,)) for x in ("L1", "L2")]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert errors == []
    items = seeded.pending_mutations(1000)
    assert len(items) == 80
    assert [i.seq for i in items] == list(range(1, 81))
    assert len(seeded.notes("L1")) == len(seeded.notes("L2")) == 40
