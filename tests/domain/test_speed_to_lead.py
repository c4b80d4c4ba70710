"""Speed to lead: the first-call countdown a rep sees on a lead marketing assigned."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from repdesk.domain.feedback import CallNote, Disposition, DispositionKind
from repdesk.domain.leads import Lead
from repdesk.domain.speed_to_lead import first_call_at, first_call_due

NOW = datetime(2026, 11, 24, 9, 0, tzinfo=UTC)
ASSIGNED = NOW - timedelta(hours=19)
LEAD = Lead(
    id="L1", first_name="Ada", last_name="Byron", company="Analytical", assigned_at=ASSIGNED
)


def note(at: datetime, started: datetime | None = None) -> CallNote:
    return CallNote(f"n-{at.isoformat()}", "L1", "Called", at, call_started_at=started)


def test_an_uncalled_lead_counts_down_from_its_assignment() -> None:
    due = first_call_due(LEAD, 24, [])
    assert due is not None
    assert due.due_at == ASSIGNED + timedelta(hours=24)
    assert due.left(NOW) == timedelta(hours=5) and not due.overdue(NOW)
    late = first_call_due(LEAD, 12, [])
    assert late is not None and late.overdue(NOW) and late.left(NOW) == -timedelta(hours=7)


def test_a_call_since_the_assignment_stops_the_clock_an_earlier_owners_does_not() -> None:
    before = note(ASSIGNED - timedelta(days=3))
    assert first_call_due(LEAD, 24, [before]) is not None, "the previous owner's call"
    after = note(ASSIGNED + timedelta(hours=30))  # late, but a call: nothing left to count
    assert first_call_due(LEAD, 24, [before, after]) is None
    # The call's own start time counts, not when the note was written up.
    started = note(ASSIGNED + timedelta(hours=6), started=ASSIGNED + timedelta(hours=2))
    assert first_call_at(ASSIGNED, [after, started]) == ASSIGNED + timedelta(hours=2)


def test_nothing_to_count_without_an_sla_an_assignment_time_or_once_decided() -> None:
    assert first_call_due(LEAD, None, []) is None  # an older hub did not say
    unknown = Lead(id="L2", first_name="A", last_name="B", company="C")
    assert first_call_due(unknown, 24, []) is None
    decided = Disposition("d1", "L1", DispositionKind.DISQUALIFY, NOW, "Student, no budget")
    assert first_call_due(LEAD, 24, [], decided) is None
    old = Disposition("d0", "L1", DispositionKind.ACCEPT, ASSIGNED - timedelta(days=1))
    assert first_call_due(LEAD, 24, [], old) is not None


def test_naive_times_from_sqlite_are_taken_as_utc() -> None:
    naive = Lead(
        id="L3",
        first_name="A",
        last_name="B",
        company="C",
        assigned_at=ASSIGNED.replace(tzinfo=None),
    )
    due = first_call_due(naive, 24, [note((ASSIGNED - timedelta(hours=1)).replace(tzinfo=None))])
    assert due is not None and due.left(NOW) == timedelta(hours=5)
