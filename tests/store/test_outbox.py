"""Outbox after a push: applied / rejected / conflict, retries, and resolving conflicts."""

from __future__ import annotations

from repdesk.domain.outbox import ConflictState, MutationKind, OutboxState
from repdesk.domain.qualification import Bant, BantAnswer, BantDimension
from repdesk.store import Store
from repdesk.store.api import FieldConflict, MutationOutcome, OutboxCounts, RemoteUpsert
from tests.store.factories import note

B, N = BantDimension.BUDGET, BantDimension.NEED


def _queue_three(store: Store) -> list[str]:
    store.add_call_note(note("L1", "first"))
    store.update_bant("L1", {B: BantAnswer(B, "approved"), N: BantAnswer(N, "critical")})
    store.add_call_note(note("L2", "third"))
    return [i.id for i in store.pending_mutations(10)]


def test_pending_mutations_come_in_seq_order_and_respect_the_limit(seeded: Store) -> None:
    ids = _queue_three(seeded)
    assert [i.id for i in seeded.pending_mutations(2)] == ids[:2]
    assert seeded.outbox_counts() == OutboxCounts(pending=3)


def test_outcomes_mark_items_and_keep_rejections_and_conflicts(seeded: Store) -> None:
    note_id, qual_id, other_id = _queue_three(seeded)
    changes = seeded.apply_outcomes(
        [
            MutationOutcome(note_id, OutboxState.APPLIED, server_version=4),
            MutationOutcome(
                qual_id,
                OutboxState.CONFLICT,
                server_version=9,
                detail="budget changed on the hub",
                conflicts=(FieldConflict("budget", "approved", "none"),),
            ),
            MutationOutcome(other_id, OutboxState.REJECTED, detail="Lead is not yours"),
            MutationOutcome("unknown-id", OutboxState.APPLIED),
        ]
    )
    assert changes.outbox and {"L1", "L2"} <= changes.lead_ids
    states = {i.id: (i.state, i.detail, i.attempts) for i in seeded.outbox()}
    assert states[note_id] == (OutboxState.APPLIED, "", 1)
    assert states[qual_id][0] is OutboxState.CONFLICT
    assert states[other_id] == (OutboxState.REJECTED, "Lead is not yours", 1)
    assert seeded.pending_mutations(10) == []
    assert seeded.outbox_counts() == OutboxCounts(pending=0, rejected=1, conflicts=1)
    [conflict] = seeded.conflicts()
    assert (conflict.field, conflict.mine, conflict.theirs, conflict.server_version) == (
        "budget",
        "approved",
        "none",
        9,
    )
    assert conflict.mutation_id == qual_id and conflict.lead_id == "L1"
    # The applied note is no longer unsent; the rejected one still is.
    assert seeded.lead_rows(["L1", "L2"])[0].unsent == 1
    assert seeded.lead_rows(["L2"])[0].unsent == 1


def test_retry_puts_a_rejected_item_back_in_the_queue(seeded: Store) -> None:
    _a, _b, other_id = _queue_three(seeded)
    seeded.apply_outcomes([MutationOutcome(other_id, OutboxState.REJECTED, detail="no")])
    assert seeded.retry_mutation(other_id).outbox
    assert other_id in [i.id for i in seeded.pending_mutations(10)]
    assert seeded.retry_mutation(other_id).empty  # pending already: nothing to do
    assert seeded.retry_mutation("nope").empty


def _conflicted(store: Store) -> str:
    store.update_bant("L1", {B: BantAnswer(B, "approved", "We have it signed off")})
    [item] = store.pending_mutations(10)
    store.apply_outcomes(
        [
            MutationOutcome(
                item.id,
                OutboxState.CONFLICT,
                server_version=12,
                conflicts=(FieldConflict("budget", "approved", "must_find"),),
            )
        ]
    )
    [conflict] = store.conflicts()
    return conflict.id


def test_keep_mine_queues_a_new_update_against_the_hub_version(seeded: Store) -> None:
    conflict_id = _conflicted(seeded)
    changes = seeded.resolve_conflict(conflict_id, keep_mine=True)
    assert changes.outbox
    [item] = seeded.pending_mutations(10)
    assert item.kind is MutationKind.QUALIFICATION_UPDATE
    assert item.base_version == 12
    assert item.payload["fields"]["budget"]["value"] == "approved"
    assert item.payload["fields"]["budget"]["verbatim"] == "We have it signed off"
    assert seeded.conflicts() == []
    [closed] = seeded.conflicts(open_only=False)
    assert closed.state is ConflictState.KEPT_MINE
    assert seeded.resolve_conflict(conflict_id, keep_mine=False).empty


def test_take_theirs_writes_their_value_locally_without_a_mutation(seeded: Store) -> None:
    conflict_id = _conflicted(seeded)
    seeded.resolve_conflict(conflict_id, keep_mine=False)
    assert seeded.pending_mutations(10) == []
    budget = seeded.bant("L1").budget
    assert budget is not None and budget.value == "must_find"
    assert seeded.bant("L1").version == 12
    [closed] = seeded.conflicts(open_only=False)
    assert closed.state is ConflictState.TOOK_THEIRS
    assert seeded.outbox_counts().conflicts == 0


def test_applied_qualification_adopts_the_server_version(seeded: Store) -> None:
    seeded.update_bant("L1", {N: BantAnswer(N, "critical")})
    [item] = seeded.pending_mutations(10)
    seeded.apply_outcomes([MutationOutcome(item.id, OutboxState.APPLIED, server_version=3)])
    assert seeded.bant("L1").version == 3
    # The hub's echo of that write (same version) changes nothing visible.
    echo = Bant(lead_id="L1", need=BantAnswer(N, "critical"), version=3)
    seeded.apply_pull_page([RemoteUpsert("qualification", "L1", 3, echo)], "c2")
    need = seeded.bant("L1").need
    assert need is not None and need.value == "critical"
    assert len(seeded.bant_history("L1")) == 1
    seeded.update_bant("L1", {B: BantAnswer(B, "approved")})
    assert seeded.pending_mutations(10)[0].base_version == 3


def test_a_large_batch_of_outcomes_marks_every_item_and_keeps_the_newest_version(
    seeded: Store,
) -> None:
    """Outcomes are applied in bulk (several chunks of ids): every item is marked once,
    and of two answers about the same BANT state the newer version stays."""
    for i in range(1200):
        seeded.add_call_note(note("L2", f"note {i}"))
    seeded.update_bant("L1", {N: BantAnswer(N, "critical")})
    seeded.update_bant("L1", {B: BantAnswer(B, "approved")})
    items = seeded.pending_mutations(2000)
    *notes, first_bant, second_bant = items
    outcomes = [MutationOutcome(i.id, OutboxState.APPLIED, server_version=1) for i in notes]
    outcomes += [
        MutationOutcome(second_bant.id, OutboxState.APPLIED, server_version=5),
        MutationOutcome(first_bant.id, OutboxState.APPLIED, server_version=4),
    ]
    changes = seeded.apply_outcomes(outcomes)
    assert changes.lead_ids == {"L1", "L2"}
    assert {(i.state, i.attempts) for i in seeded.outbox()} == {(OutboxState.APPLIED, 1)}
    assert seeded.bant("L1").version == 5
    assert seeded.outbox_counts() == OutboxCounts(pending=0)


def test_take_for_push_after_a_seq_skips_what_a_push_already_took(seeded: Store) -> None:
    ids = _queue_three(seeded)
    first = seeded.take_for_push(1)
    assert [i.id for i in first] == ids[:1]
    rest = seeded.take_for_push(10, after_seq=first[-1].seq)
    assert [i.id for i in rest] == ids[1:]
    assert all(i.sent_at is not None for i in seeded.pending_mutations(10))
