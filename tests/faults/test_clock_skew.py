"""The rep's clock a day ahead of the hub, or a day behind: sync stays exact.

The client's clock is the engine's injectable `now` (and the times its actions carry);
the hub keeps the real time. Over several rounds the rep writes notes and BANT answers while
marketing adds leads, edits one and answers another BANT question on the same lead: every
note arrives exactly once, no false conflict, every change of marketing's arrives, and the
rep's answer and marketing's both stand."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from repdesk.domain.feedback import CallNote
from repdesk.domain.ids import new_id, utcnow
from repdesk.domain.qualification import BantAnswer, BantDimension
from repdesk.store.api import LeadQuery
from tests.faults.checks import hub_lead_ids, not_exactly_once
from tests.support import hub_rows
from tests.support.sync_fixtures import ClientMaker
from tests.support.world import World

ROUNDS = 4


@pytest.mark.parametrize("skew", [timedelta(days=1), timedelta(days=-1)], ids=["ahead", "behind"])
def test_a_day_of_clock_skew_loses_nothing(
    live_world: World, make_client: ClientMaker, skew: timedelta
) -> None:
    hub, rep = live_world.hub, live_world.ada.id

    def now() -> datetime:
        return utcnow() + skew

    ada = make_client("ada", now=now)
    live_world.sign_in(ada, live_world.ada)
    ada.engine.sync()
    target = live_world.ada.leads[0]
    notes: dict[str, str] = {}
    for round_no in range(ROUNDS):
        for i in range(3):
            note = CallNote(new_id(), target, f"Skewed {skew} note {round_no}-{i}", now())
            notes[note.id] = note.body
            ada.store.add_call_note(note)
        need = ("critical", "clear")[round_no % 2]
        ada.store.update_bant(
            target,
            {BantDimension.NEED: BantAnswer(BantDimension.NEED, need, recorded_at=now())},
        )
        # Marketing, on the hub's clock, between the rep's syncs.
        fresh = hub_rows.add_lead(hub.db, rep, first_name=f"Skew{round_no}")
        hub_rows.add_event(hub.db, fresh, "email_opened", utcnow())
        hub_rows.update_lead(hub.db, target, company=f"Renamed {round_no}")
        hub_rows.set_bant_as_marketing(hub.db, target, "budget", "approved")
        report = ada.engine.sync()
        assert (report.conflicts, report.rejected) == (0, 0), report

    ada.engine.sync()  # a last pull: what the hub made of the rep's last push
    counts = ada.store.outbox_counts()
    assert (counts.pending, counts.rejected, counts.conflicts) == (0, 0, 0)
    assert not_exactly_once(hub.db, notes) == {}
    assert set(ada.store.lead_ids(LeadQuery())) == hub_lead_ids(hub.db, rep)
    (row,) = ada.store.lead_rows([target])
    assert row.company == f"Renamed {ROUNDS - 1}"
    bant = ada.store.bant(target)
    assert bant.need is not None and bant.need.value == ("critical", "clear")[(ROUNDS - 1) % 2]
    assert bant.budget is not None and bant.budget.value == "approved"
