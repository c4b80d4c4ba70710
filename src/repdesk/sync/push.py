"""Pushing the outbox: batches in `seq` order, one request at a time, the next batch
read and encoded while the hub works on the one before.

A batch is sent only after the hub answered the one before it (the hub applies them in
the order the rep made them) and after its answers are recorded in the store; while a
batch is on its way, the store reads the next one and the request is built and sent
from a helper thread, so the rep's disk and the hub work at the same time. A cancelled
sync sends nothing more; a sync that fails while a batch is on its way leaves that batch
pending: the next sync sends it again, and the hub answers `duplicate` for what it
already applied.
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
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="repdesk-push") as pool:
        try:
            while True:
                if flight is None:
                    cancel.check()  # else: first the answer to what is on its way
                batch = _next_batch(store, size, taken)
                if batch is not None:
                    taken = batch.last_seq
                landed = flight is not None
                if flight is not None:
                    sent, future = flight
                    flight = None
                    answer = future.result()
                    report.pushed += len(sent)
                    record(answer.outcomes)
                cancel.check()  # a cancelled sync sends nothing more
                if batch is None:
                    if landed:
                        continue  # the rep may have queued more meanwhile
                    return
                progress(Phase.PUSH, report.pushed, total)
                record(batch.outcomes)
                if batch.sendable:  # only now: after the hub answered the one before
                    flight = (batch.sendable, pool.submit(send, batch.sendable))
        finally:
            abandon.set()
            if flight is not None:
                flight[1].cancel()


__all__ = ["MALFORMED", "push_outbox"]
