"""Pushing the outbox: batches in `seq` order, one request at a time, the next batch
read and encoded while the hub works on the one before.

A batch is sent only after the hub answered the one before it (the hub applies them in
the order the rep made them); it leaves as soon as that answer is in, and while it is on
its way (built and sent from a helper thread) the store records the answer to the batch
before and reads the next one, so the rep's disk and the hub work at the same time. A
cancelled sync sends nothing more; a sync that fails while a batch is on its way, or
before the answer to the one before is recorded, leaves those items pending: the next
sync sends them again, and the hub answers `duplicate` for what it already applied.
"""

from __future__ import annotations

import dataclasses
import logging
import threading
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field

import pydantic

from repdesk.domain.errors import Interrupted
from repdesk.domain.outbox import OutboxState
from repdesk.protocol.schema import Mutation, PushRequest
from repdesk.store.api import MutationOutcome, StoreApi
from repdesk.sync.http import HubClient
from repdesk.sync.progress import Cancel, Phase, ProgressCallback
from repdesk.sync.results import SyncReport
from repdesk.sync.retry import RetryPolicy
from repdesk.sync.wire import mutation_of, outcome_of

log = logging.getLogger(__name__)

MALFORMED = "repdesk could not send this change (it is malformed); export it and tell support."


@dataclass(slots=True)
class _Batch:
    last_seq: int
    sendable: list[Mutation] = field(default_factory=list)
    outcomes: list[MutationOutcome] = field(default_factory=list)
    """Answered here: local records the protocol cannot carry."""


def _next_batch(store: StoreApi, size: int, after_seq: int | None) -> _Batch | None:
    """The next pending items after those this push took already (on their way, answered,
    or left unanswered for the next sync)."""
    items = store.take_for_push(size, after_seq=after_seq)
    if not items:
        return None
    batch = _Batch(last_seq=items[-1].seq)
    for item in items:
        try:
            batch.sendable.append(mutation_of(item))
        except pydantic.ValidationError as exc:
            # A local record the protocol cannot carry: park it, move the queue on.
            log.error("outbox item %s cannot be sent: %s", item.id, exc)
            batch.outcomes.append(MutationOutcome(item.id, OutboxState.REJECTED, detail=MALFORMED))
    return batch


@dataclass(slots=True)
class _Answer:
    outcomes: list[MutationOutcome]
    unanswered: set[str]


def push_outbox(
    store: StoreApi,
    *,
    client: HubClient,
    retry: RetryPolicy,
    report: SyncReport,
    progress: ProgressCallback,
    cancel: Cancel,
    client_id: str,
    size: int,
) -> None:
    """Push every pending item (those the hub leaves unanswered wait for the next sync)."""
    total = store.outbox_counts().pending
    abandon = threading.Event()

    def pause(seconds: float) -> None:
        # A request nobody will read (the sync failed meanwhile) stops backing off.
        if abandon.is_set():
            raise Interrupted("push abandoned")
        retry.sleep(seconds)
        if abandon.is_set():
            raise Interrupted("push abandoned")

    send_retry = dataclasses.replace(retry, sleep=pause)

    def send(mutations: list[Mutation]) -> _Answer:
        request = PushRequest(client_id=client_id, mutations=mutations)
        response = send_retry.call(lambda: client.push(request), "push")
        answered = {r.id: r for r in response.results}
        answer = _Answer([], set())
        for mutation in mutations:
            result = answered.get(mutation.id)
            if result is None:
                answer.unanswered.add(mutation.id)  # stays pending for the next sync
            else:
                answer.outcomes.append(outcome_of(result))
        return answer

    def record(outcomes: list[MutationOutcome]) -> None:
        for outcome in outcomes:
            if outcome.state is OutboxState.APPLIED:
                report.applied += 1
            elif outcome.state is OutboxState.CONFLICT:
                report.conflicts += 1
            elif outcome.state is OutboxState.PENDING:
                # Kept queued (an older hub that does not know the kind): next sync.
                report.waiting += 1
            else:
                report.rejected += 1
        if outcomes:
            report.changes = report.changes | store.apply_outcomes(outcomes)
            progress(Phase.PUSH, report.pushed, total)

    flight: tuple[list[Mutation], Future[_Answer]] | None = None
    taken: int | None = None
    """The highest `seq` this push took: later batches start after it."""

    def take() -> _Batch | None:
        nonlocal taken
        batch = _next_batch(store, size, taken)
        if batch is not None:
            taken = batch.last_seq
        return batch

    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="repdesk-push") as pool:
        try:
            cancel.check()
            batch = take()
            while batch is not None or flight is not None:
                landed: tuple[list[Mutation], _Answer] | None = None
                if flight is not None:
                    sent, future = flight
                    flight = None
                    landed = (sent, future.result())
                if batch is not None and not cancel.is_set():
                    progress(Phase.PUSH, report.pushed, total)
                    if batch.sendable:  # only now: after the hub answered the one before
                        flight = (batch.sendable, pool.submit(send, batch.sendable))
                # While that batch is on its way: the answers to the one before (a failure
                # from here on leaves both pending; the hub answers `duplicate` next time),
                if landed is not None:
                    report.pushed += len(landed[0])
                    record(landed[1].outcomes)
                if batch is not None:
                    record(batch.outcomes)
                if flight is None:
                    cancel.check()  # a cancelled sync sends nothing more
                # then the next batch is read (the rep may have queued more meanwhile).
                batch = take()
        finally:
            abandon.set()
            if flight is not None:
                flight[1].cancel()


__all__ = ["MALFORMED", "push_outbox"]
