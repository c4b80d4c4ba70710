"""Follow-up and Today rules: snooze times in the rep's zone, state changes, why-now words."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from repdesk.domain.followups import (
    FollowUpAction,
    FollowUpState,
    day_bounds,
    in_days,
    later_today,
    new_followup,
    next_week,
    tomorrow_morning,
)
from repdesk.domain.today import Engagement, why_now

BERLIN = ZoneInfo("Europe/Berlin")


def local(*args: int) -> datetime:
    return datetime(*args, tzinfo=BERLIN)  # type: ignore[misc]


def test_later_today_is_two_hours_unless_the_day_is_over() -> None:
    assert later_today(local(2026, 3, 10, 10, 0), BERLIN) == local(2026, 3, 10, 12, 0)
    # 17:00 + 2 h is after 18:00: tomorrow morning instead.
    assert later_today(local(2026, 3, 10, 17, 0), BERLIN) == local(2026, 3, 11, 9, 0)
    assert later_today(local(2026, 3, 10, 23, 30), BERLIN) == local(2026, 3, 11, 9, 0)


def test_mornings_are_local_across_a_clock_change() -> None:
    # The night of 28-29 March 2026 Berlin moves to summer time: 9:00 is 07:00 UTC after.
    saturday_evening = local(2026, 3, 28, 20, 0)
    assert tomorrow_morning(saturday_evening, BERLIN) == datetime(2026, 3, 29, 7, 0, tzinfo=UTC)
    assert in_days(saturday_evening, BERLIN, 2) == datetime(2026, 3, 30, 7, 0, tzinfo=UTC)
    assert next_week(saturday_evening, BERLIN) == local(2026, 3, 30, 9, 0)
    assert next_week(local(2026, 3, 30, 8, 0), BERLIN) == local(2026, 4, 6, 9, 0)  # a Monday


def test_day_bounds_are_the_local_day() -> None:
    start, end, key = day_bounds(datetime(2026, 3, 10, 23, 30, tzinfo=UTC), BERLIN)
    assert key == "2026-03-11"  # already the 11th in Berlin
    assert start == local(2026, 3, 11, 0, 0) and end == local(2026, 3, 12, 0, 0)


def test_changes_keep_the_id_and_move_the_state() -> None:
    now = datetime(2026, 3, 10, 9, 0, tzinfo=UTC)
    f = new_followup("f1", "L1", now + timedelta(hours=1), "  pricing  ", now)
    assert f.reason == "pricing" and f.is_open and not f.is_due(now)
    assert f.is_due(now + timedelta(hours=1))
    done = f.after(FollowUpAction.COMPLETE, now + timedelta(hours=2))
    assert done.state is FollowUpState.DONE and done.id == "f1" and not done.is_due(now)
    assert f.after(FollowUpAction.CANCEL, now).state is FollowUpState.CANCELLED
    moved = done.after(FollowUpAction.UPDATE, now, due_at=now + timedelta(days=1))
    assert moved.state is FollowUpState.OPEN  # moving a done one opens it again
    with pytest.raises(ValueError, match="created once"):
        f.after(FollowUpAction.CREATE, now)
    with pytest.raises(ValueError, match="longer than"):
        f.after(FollowUpAction.UPDATE, now, reason="x" * 2001)


@pytest.mark.parametrize(
    ("engagement", "words"),
    [
        (Engagement(touches=4), "4 touches in the last 3 days"),
        (Engagement(touches=1, pricing_visits=1), "Visited the pricing page"),
        (Engagement(touches=2, pricing_visits=2), "Visited the pricing page (2 times)"),
        (
            Engagement(touches=5, pricing_visits=1, form_fills=1, last_form="Demo request"),
            "Filled in a form (Demo request) · visited the pricing page · 5 touches in the "
            "last 3 days",
        ),
        (Engagement(touches=1, form_fills=1), "Filled in a form"),
    ],
)
def test_why_now_says_it_in_words(engagement: Engagement, words: str) -> None:
    assert why_now(engagement) == words
    assert engagement.spiked


def test_two_plain_touches_are_no_spike() -> None:
    assert not Engagement(touches=2).spiked
