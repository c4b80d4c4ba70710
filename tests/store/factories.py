"""Builders of domain objects and pull changes for the store tests."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from itertools import count
from typing import Any

from repdesk.domain.feedback import CallNote
from repdesk.domain.ids import new_id
from repdesk.domain.leads import Lead, LifecycleStage, NurtureEvent, NurtureEventType
from repdesk.store.api import RemoteRemove, RemoteUpsert

T0 = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)
_n = count(1)


def at(minutes: int) -> datetime:
    return T0 + timedelta(minutes=minutes)


def lead(
    lead_id: str | None = None,
    first: str = "Ada",
    last: str = "Lovelace",
    company: str = "Analytical Engines",
    *,
    email: str | None = None,
    stage: LifecycleStage = LifecycleStage.MQL,
    **kw: Any,
) -> Lead:
    domain = company.split(maxsplit=1)[0].lower() if company else "example"
    return Lead(
        id=lead_id or f"lead-{next(_n)}",
        first_name=first,
        last_name=last,
        company=company,
        email=email if email is not None else f"{first.lower()}@{domain}.example",
        lifecycle_stage=stage,
        **kw,
    )


def event(
    lead_id: str,
    minutes: int = 0,
    asset: str = "Pricing page",
    kind: NurtureEventType = NurtureEventType.WEB_VISIT,
    event_id: str | None = None,
    **kw: Any,
) -> NurtureEvent:
    return NurtureEvent(
        id=event_id or f"ev-{next(_n)}",
        lead_id=lead_id,
        type=kind,
        occurred_at=at(minutes),
        asset=asset,
        **kw,
    )


def note(lead_id: str, body: str = "Talked about budget", minutes: int = 60) -> CallNote:
    return CallNote(id=new_id(), lead_id=lead_id, body=body, created_at=at(minutes))


def up(entity: str, obj: object, version: int = 1, obj_id: str | None = None) -> RemoteUpsert:
    ident = obj_id or getattr(obj, "id", None) or getattr(obj, "code", None) or "current"
    return RemoteUpsert(entity=entity, id=str(ident), version=version, obj=obj)  # type: ignore[arg-type]


def rm(entity: str, obj_id: str, version: int) -> RemoteRemove:
    return RemoteRemove(entity=entity, id=obj_id, version=version)
