"""A deterministic, realistic demo hub: campaigns, 360 leads, months of history, collateral.

Names, companies and phone numbers come from Faker (seeded per locale); every other choice
from one `random.Random(seed)`, and ids are uuid4-shaped values drawn from it, so the same
seed and `now` give the same hub. The collateral PDFs are generated here with fpdf2.
"""

from __future__ import annotations

import hashlib
import random
from dataclasses import dataclass
from datetime import datetime, timedelta

from repdesk.domain.defaults import DEFAULT_OBJECTION_CATEGORIES, DEFAULT_RUBRIC
from repdesk.domain.feedback import ObjectionCategory
from repdesk.domain.ids import utcnow
from repdesk.domain.leads import Campaign, Collateral, Lead, NurtureEvent
from repdesk.domain.qualification import Rubric
from repdesk.hub.demo.activity import DemoActivity, build_activity
from repdesk.hub.demo.catalog import (
    CAMPAIGNS,
    DEMO_PASSWORD,
    DEMO_REPS,
    DEMO_USERS,
    RepSpec,
    UserSpec,
    workspace_hint,
)
from repdesk.hub.demo.pdfs import DemoPdf, build_pdfs
from repdesk.hub.demo.people import build_leads, seeded_id
from repdesk.hub.demo.rubrics import DemoRubricVersion, rubric_history

DEFAULT_SEED = 2024
DEFAULT_LEADS = 360


@dataclass(frozen=True, slots=True)
class DemoRep:
    id: str
    email: str
    name: str
    password: str


@dataclass(frozen=True, slots=True)
class DemoUser:
    id: str
    email: str
    name: str
    role: str
    password: str


@dataclass(frozen=True, slots=True)
class DemoFile:
    collateral: Collateral
    file_name: str
    content: bytes


@dataclass(frozen=True, slots=True)
class DemoData:
    reps: tuple[DemoRep, ...]
    campaigns: list[Campaign]
    leads: list[Lead]
    events: list[NurtureEvent]
    files: list[DemoFile]
    rubric: Rubric
    """The current rubric: the last of `rubric_history`."""
    rubric_history: tuple[DemoRubricVersion, ...]
    users: tuple[DemoUser, ...]
    categories: tuple[ObjectionCategory, ...]
    activity: DemoActivity
    now: datetime


def generate_demo(
    seed: int = DEFAULT_SEED, now: datetime | None = None, lead_count: int = DEFAULT_LEADS
) -> DemoData:
    """Build the whole demo hub in memory (no database); same seed + now, same data."""
    now = (now or utcnow()).replace(minute=0, second=0, microsecond=0)
    rng = random.Random(seed)
    reps = tuple(DemoRep(seeded_id(rng), r.email, r.name, DEMO_PASSWORD) for r in DEMO_REPS)
    users = tuple(
        DemoUser(seeded_id(rng), u.email, u.name, u.role, DEMO_PASSWORD) for u in DEMO_USERS
    )
    campaigns: dict[str, Campaign] = {}
    for spec in CAMPAIGNS:
        starts = now - timedelta(days=spec.starts_days_ago)
        campaigns[spec.key] = Campaign(
            id=seeded_id(rng),
            name=spec.name,
            channel=spec.channel,
            status="active" if starts + timedelta(days=spec.length_days) > now else "completed",
            description=spec.description,
            starts_on=starts,
            ends_on=starts + timedelta(days=spec.length_days),
            version=1,
        )
    people = build_leads(
        rng,
        fake_seed=seed,
        now=now,
        campaigns=campaigns,
        reps=[(r.id, r.name) for r in reps],
        count=lead_count,
    )
    files = [_demo_file(rng, pdf, campaigns) for pdf in build_pdfs()]
    activity = build_activity(
        rng, now, people.leads, [f.collateral for f in files], [r.id for r in reps]
    )
    return DemoData(
        reps=reps,
        campaigns=list(campaigns.values()),
        leads=people.leads,
        events=people.events,
        files=files,
        rubric=DEFAULT_RUBRIC,
        rubric_history=rubric_history(DEFAULT_RUBRIC, now, DEMO_USERS[0].email),
        users=users,
        categories=DEFAULT_OBJECTION_CATEGORIES,
        activity=activity,
        now=now,
    )


def _demo_file(rng: random.Random, pdf: DemoPdf, campaigns: dict[str, Campaign]) -> DemoFile:
    campaign = campaigns[pdf.campaign_key] if pdf.campaign_key else None
    meta = Collateral(
        id=seeded_id(rng),
        title=pdf.title,
        sha256=hashlib.sha256(pdf.content).hexdigest(),
        size=len(pdf.content),
        media_type="application/pdf",
        campaign_id=campaign.id if campaign else None,
        tags=tuple(dict.fromkeys((pdf.kind, *pdf.tags))),  # the kind is often a tag too
        version=1,
    )
    return DemoFile(meta, pdf.file_name, pdf.content)


__all__ = [
    "DEFAULT_LEADS",
    "DEFAULT_SEED",
    "DEMO_PASSWORD",
    "DEMO_REPS",
    "DEMO_USERS",
    "DemoActivity",
    "DemoData",
    "DemoFile",
    "DemoRep",
    "DemoRubricVersion",
    "DemoUser",
    "RepSpec",
    "UserSpec",
    "generate_demo",
    "workspace_hint",
]
