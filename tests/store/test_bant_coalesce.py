"""One BANT answer is one outbox item: unsent edits to a lead's qualification fold into
the queued mutation, while a mutation already offered to the hub is never changed."""

from __future__ import annotations

from repdesk.domain.outbox import MutationKind, OutboxState
from repdesk.domain.qualification import BantAnswer, BantDimension, Confidence
from repdesk.store import Store
from repdesk.store.api import MutationOutcome
from tests.store.factories import note

B, N = BantDimension.BUDGET, BantDimension.NEED


def _qualification_items(store: Store) -> list[dict[str, object]]:
    return [
        i.payload["fields"] for i in store.outbox() if i.kind is MutationKind.QUALIFICATION_UPDATE
    ]


def test_the_pick_the_words_and_the_confidence_are_one_mutation(seeded: Store) -> None:
    seeded.update_bant("L1", {B: BantAnswer(B, "approved")})
    seeded.update_bant("L1", {B: BantAnswer(B, "approved", verbatim="We have 40k")})
    seeded.update_bant(
        "L1", {B: BantAnswer(B, "approved", verbatim="We have 40k", confidence=Confidence.HIGH)}
    )
    seeded.update_bant("L1", {N: BantAnswer(N, "critical")})
    [fields] = _qualification_items(seeded)
    assert fields == {
        "budget": {"value": "approved", "verbatim": "We have 40k", "confidence": 3},
        "need": {"value": "critical", "verbatim": "", "confidence": 2},
    }
    assert seeded.outbox_counts().pending == 1


def test_an_item_taken_for_push_is_never_changed(seeded: Store) -> None:
    seeded.update_bant("L1", {B: BantAnswer(B, "approved")})
    [taken] = seeded.take_for_push(10)
    # The push is in flight (or its answer was lost): a new edit is a new mutation.
    seeded.update_bant("L1", {B: BantAnswer(B, "approved", verbatim="40k")})
    items = seeded.outbox()
    assert [i.id for i in items][0] == taken.id
    assert items[0].payload == taken.payload
    assert len(_qualification_items(seeded)) == 2
    seeded.apply_outcomes([MutationOutcome(taken.id, OutboxState.APPLIED, server_version=1)])
    assert [i.payload for i in seeded.pending_mutations(10)] == [
        {"fields": {"budget": {"value": "approved", "verbatim": "40k", "confidence": 2}}}
    ]


def test_a_later_change_to_the_lead_keeps_the_order(seeded: Store) -> None:
    seeded.update_bant("L1", {B: BantAnswer(B, "approved")})
    seeded.add_call_note(note("L1", "they will decide by Friday"))
    seeded.update_bant("L1", {N: BantAnswer(N, "critical")})
    kinds = [i.kind for i in seeded.pending_mutations(10)]
    assert kinds == [
        MutationKind.QUALIFICATION_UPDATE,
        MutationKind.CALL_NOTE_CREATE,
        MutationKind.QUALIFICATION_UPDATE,
    ]


def test_other_leads_are_not_folded_together(seeded: Store) -> None:
    seeded.update_bant("L1", {B: BantAnswer(B, "approved")})
    seeded.update_bant("L2", {B: BantAnswer(B, "approved")})
    assert len(_qualification_items(seeded)) == 2
