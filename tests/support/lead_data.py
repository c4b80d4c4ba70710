"""Realistic lead data for the GUI tests, screenshots and benchmark, loaded through the store's
pull API (`apply_pull_page` with RemoteUpsert) or, for 100k leads, its bulk path."""

from __future__ import annotations

import functools
import hashlib
import random
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

from repdesk.domain.defaults import DEFAULT_OBJECTION_CATEGORIES, DEFAULT_RUBRIC
from repdesk.domain.feedback import CallNote, Disposition, DispositionKind, Objection, Severity
from repdesk.domain.leads import (
    Campaign,
    Collateral,
    Lead,
    LeadStatus,
    LifecycleStage,
    NurtureEvent,
    NurtureEventType,
)
from repdesk.domain.qualification import Bant, BantAnswer, BantDimension, Confidence
from repdesk.store.api import RemoteChange, RemoteUpsert, StoreApi

NOW = datetime.now(UTC).replace(microsecond=0)
HOSTILE_NAME = "<b>x</b><img src=y>"

FIRST = [
    "Ada",
    "Grace",
    "Alan",
    "Edsger",
    "Barbara",
    "Donald",
    "Margaret",
    "Ken",
    "Frances",
    "Radia",
    "Tim",
    "Katherine",
    "Linus",
    "Hedy",
    "Dennis",
    "Sophie",
    "Lena",
    "Omar",
    "Priya",
    "Mateo",
    "Yuki",
    "Chen",
    "Aisha",
    "Lars",
    "Ingrid",
    "Pablo",
    "Nadia",
    "Kofi",
    "Elena",
    "Tomasz",
    "Fatima",
    "Jonas",
    "Amara",
    "Rui",
    "Hanna",
    "Diego",
    "Mei",
    "Oskar",
    "Leila",
    "Sven",
]
LAST = [
    "Lovelace",
    "Hopper",
    "Turing",
    "Dijkstra",
    "Liskov",
    "Knuth",
    "Hamilton",
    "Thompson",
    "Allen",
    "Perlman",
    "Berners-Lee",
    "Johnson",
    "Torvalds",
    "Lamarr",
    "Ritchie",
    "Wilson",
    "Schmidt",
    "Haddad",
    "Raman",
    "Silva",
    "Tanaka",
    "Wei",
    "Okafor",
    "Nilsson",
    "Berg",
    "Ortega",
    "Novak",
    "Mensah",
    "Petrova",
    "Kowalski",
    "Rahman",
    "Weber",
    "Diallo",
    "Costa",
    "Larsen",
    "Moreno",
    "Zhang",
]
COMPANIES = (
    "Northwind Logistics",
    "Contoso Health",
    "Fabrikam Manufacturing",
    "Tailspin Aviation",
    "Wide World Importers",
    "Litware Analytics",
    "Adventure Works Retail",
    "Proseware Legal",
    "Lucerne Publishing",
    "Trey Research",
    "Blue Yonder Airlines",
    "Coho Vineyard",
    "Alpine Ski House",
    "Margie's Travel",
    "Humongous Insurance",
    "Graphic Design Institute",
)
TITLES = (
    "VP Operations",
    "Head of IT",
    "Procurement Manager",
    "CFO",
    "Director of Sales Enablement",
    "IT Project Lead",
    "COO",
    "Head of Customer Success",
    "Operations Analyst",
    "CTO",
)
NEXT_STEPS = (
    "Send ROI calculator",
    "Demo with their IT team",
    "Follow up after budget review",
    "Call back Tuesday 10:00",
    "Intro to the CFO",
    "Share SOC 2 report",
    "",
    "",
)
CAMPAIGNS = (
    Campaign("camp-webinar", "Q3 Webinar: Cutting onboarding time", channel="webinar"),
    Campaign("camp-ebook", "Ebook: The 2026 Operations Playbook", channel="content"),
    Campaign("camp-trade", "Logistics Expo 2026 booth", channel="event"),
)
ASSETS: dict[str, tuple[tuple[NurtureEventType, str], ...]] = {
    "camp-webinar": (
        (NurtureEventType.EMAIL_SENT, "Invitation: Cutting onboarding time"),
        (NurtureEventType.EMAIL_OPENED, "Invitation: Cutting onboarding time"),
        (NurtureEventType.WEBINAR_REGISTERED, "Cutting onboarding time"),
        (NurtureEventType.WEBINAR_ATTENDED, "Cutting onboarding time"),
        (NurtureEventType.WEB_VISIT, "/pricing"),
    ),
    "camp-ebook": (
        (NurtureEventType.EMAIL_CLICKED, "Your copy of the Operations Playbook"),
        (NurtureEventType.CONTENT_DOWNLOAD, "The 2026 Operations Playbook"),
        (NurtureEventType.WEB_VISIT, "/customers/northwind"),
        (NurtureEventType.FORM_FILL, "Contact sales"),
    ),
    "camp-trade": (
        (NurtureEventType.EVENT_BOOTH, "Logistics Expo 2026, booth 42"),
        (NurtureEventType.EMAIL_OPENED, "Great to meet you at Logistics Expo"),
        (NurtureEventType.WEB_VISIT, "/integrations/sap"),
    ),
}
OBJECTION_WORDS = {
    "price": "Honestly it looks expensive next to what we pay for spreadsheets.",
    "security": "Our security team will want to see your SOC 2 report first.",
    "integration": "We run SAP; I doubt this talks to it without a big project.",
    "timing": "Not before our fiscal year starts in April.",
}


def pdf_bytes(title: str) -> bytes:
    """A tiny but valid one-page PDF (for collateral files in tests and screenshots)."""
    from fpdf import FPDF

    pdf = FPDF()
    pdf.set_creation_date(datetime(2026, 1, 1, tzinfo=UTC))  # same bytes, same sha256
    pdf.add_page()
    pdf.set_font("helvetica", "B", 22)
    pdf.multi_cell(0, 12, title)
    pdf.set_font("helvetica", size=12)
    pdf.ln(6)
    pdf.multi_cell(0, 7, "How operations teams cut onboarding time by 40 percent. " * 8)
    return bytes(pdf.output())


@functools.cache
def collateral_items() -> list[tuple[Collateral, bytes]]:
    specs = (
        ("col-roi", "ROI calculator guide", "camp-webinar", ("price",)),
        ("col-soc2", "Security & SOC 2 overview", "camp-ebook", ("security",)),
        ("col-sap", "SAP integration brief", "camp-trade", ("integration",)),
        ("col-case", "Case study: Northwind cuts onboarding 40%", "camp-ebook", ()),
    )
    out = []
    for cid, title, campaign, tags in specs:
        data = pdf_bytes(title)
        sha = hashlib.sha256(data).hexdigest()
        out.append(
            (Collateral(cid, title, sha, len(data), "application/pdf", campaign, tags), data)
        )
    return out


@dataclass
class FolderFiles:
    """A `CollateralFiles` over a folder of files named by their sha256."""

    folder: Path
    paths: dict[str, Path] = field(default_factory=dict)

    def path_for(self, sha256: str) -> Path | None:
        path = self.folder / sha256
        return path if path.is_file() else None


def write_collateral_files(folder: Path) -> FolderFiles:
    folder.mkdir(parents=True, exist_ok=True)
    for item, data in collateral_items()[:3]:  # the fourth stays "not downloaded yet"
        (folder / item.sha256).write_bytes(data)
    return FolderFiles(folder)


def make_lead(rng: random.Random, n: int) -> Lead:
    first, last = rng.choice(FIRST), rng.choice(LAST)
    company = rng.choice(COMPANIES)
    domain = company.split()[0].lower().replace("'", "")
    touched = NOW - timedelta(days=rng.randint(0, 60), minutes=rng.randint(0, 600))
    return Lead(
        id=f"lead-{n:06d}",
        first_name=first,
        last_name=last,
        company=company,
        email=f"{first.lower()}.{last.lower()}@{domain}.example",
        title=rng.choice(TITLES),
        industry="Logistics",
        phone=f"+1 555 {rng.randint(100, 999)} {rng.randint(1000, 9999)}",
        country=rng.choice(("US", "DE", "GB", "FR", "NL", "SE")),
        lifecycle_stage=rng.choice(
            (LifecycleStage.MQL, LifecycleStage.MQL, LifecycleStage.SQL, LifecycleStage.LEAD)
        ),
        lead_status=LeadStatus.OPEN,
        score=rng.randint(5, 99),
        source_campaign_id=rng.choice(CAMPAIGNS).id,
        marketing_notes=rng.choice(("", "Asked about volume pricing at the booth.")),
        created_at=touched - timedelta(days=30),
        updated_at=touched,
        last_touch_at=touched,
        next_step=rng.choice(NEXT_STEPS),
        version=1,
    )


def make_events(rng: random.Random, lead: Lead, count: int, start: int = 0) -> list[NurtureEvent]:
    events = []
    campaign = lead.source_campaign_id or CAMPAIGNS[0].id
    for k in range(count):
        kind, asset = rng.choice(ASSETS[campaign])
        when = NOW - timedelta(hours=rng.randint(1, 24 * 90))
        events.append(
            NurtureEvent(
                id=f"{lead.id}-ev{start + k:04d}",
                lead_id=lead.id,
                type=kind,
                occurred_at=when,
                campaign_id=campaign,
                asset=asset,
                version=1,
            )
        )
    return events


def _answer(dim: BantDimension, value: str, words: str, days: int) -> BantAnswer:
    return BantAnswer(
        dim, value, words, Confidence.HIGH, "rep-1", NOW - timedelta(days=days, hours=2)
    )


def reference_changes(collateral: Sequence[Collateral] = ()) -> list[RemoteChange]:
    changes: list[RemoteChange] = [RemoteUpsert("rubric", "current", 1, DEFAULT_RUBRIC)]
    changes += [
        RemoteUpsert("objection_category", c.code, 1, c) for c in DEFAULT_OBJECTION_CATEGORIES
    ]
    changes += [RemoteUpsert("campaign", c.id, 1, c) for c in CAMPAIGNS]
    items = collateral or [c for c, _data in collateral_items()]
    changes += [RemoteUpsert("collateral", c.id, 1, c) for c in items]
    return changes


@dataclass
class Seeded:
    lead_ids: list[str]
    rich_id: str
    """A lead with a long history (`rich_events` nurture events) and the rep's own work."""
    hostile_id: str
    top_score: int


def seed(store: StoreApi, leads: int = 60, rich_events: int = 60, seed_value: int = 7) -> Seeded:
    """Fill `store` through the pull API with `leads` realistic leads (plus reference data)."""
    rng = random.Random(seed_value)
    changes: list[RemoteChange] = reference_changes()
    all_leads = [make_lead(rng, n) for n in range(leads)]
    rich = all_leads[0]
    rich = replace(
        all_leads[0],
        first_name="Margaret",
        last_name="Hamilton",
        email="margaret.hamilton@northwind.example",
        company="Northwind Logistics",
        title="VP Operations",
        score=87,
        lifecycle_stage=LifecycleStage.SQL,
        source_campaign_id="camp-webinar",
        next_step="Demo with their IT team on Thursday",
        marketing_notes="Attended both webinars; asked about SAP.",
    )
    hostile = replace(all_leads[1], first_name=HOSTILE_NAME, last_name="")
    all_leads[0], all_leads[1] = rich, hostile
    changes += [RemoteUpsert("lead", x.id, 1, x) for x in all_leads]
    for x in all_leads[1:]:
        changes += [RemoteUpsert("nurture_event", e.id, 1, e) for e in make_events(rng, x, 4)]
    changes += [
        RemoteUpsert("nurture_event", e.id, 1, e) for e in make_events(rng, rich, rich_events)
    ]
    changes += list(_rep_history(rich.id))
    for n, x in enumerate(all_leads[2:12]):
        bant = Bant(
            x.id,
            authority=_answer(BantDimension.AUTHORITY, "decision_maker", "I sign off", 3),
            need=_answer(BantDimension.NEED, "clear", "Onboarding takes weeks", 3),
            budget=_answer(BantDimension.BUDGET, "approved", "", 2) if n % 2 else None,
            version=1,
        )
        changes.append(RemoteUpsert("qualification", x.id, 1, bant))
    store.apply_pull_page(changes, "seed-1")
    return Seeded(
        lead_ids=[x.id for x in all_leads],
        rich_id=rich.id,
        hostile_id=hostile.id,
        top_score=max(x.score for x in all_leads),
    )


def _rep_history(lead_id: str) -> Iterator[RemoteChange]:
    bant = Bant(
        lead_id,
        budget=_answer(BantDimension.BUDGET, "identified", "We set aside about 40k for this", 5),
        authority=_answer(BantDimension.AUTHORITY, "champion", "My COO signs, I recommend", 5),
        need=_answer(BantDimension.NEED, "critical", "New hires wait 3 weeks for access", 12),
        version=2,
    )
    yield RemoteUpsert("qualification", lead_id, 2, bant)
    for n, (code, words) in enumerate(OBJECTION_WORDS.items()):
        yield RemoteUpsert(
            "objection",
            f"{lead_id}-obj{n}",
            1,
            Objection(
                f"{lead_id}-obj{n}",
                lead_id,
                code,
                words,
                NOW - timedelta(days=2 + n * 3),
                severity=(Severity.HIGH, Severity.MEDIUM, Severity.BLOCKER, Severity.LOW)[n],
                campaign_id="camp-webinar",
                resolved=n == 3,
            ),
        )
    for n, body in enumerate(
        (
            "Intro call. Onboarding is their main pain: 3 weeks per new hire.",
            "Walked through pricing; wants the ROI guide before talking to the COO.",
        )
    ):
        yield RemoteUpsert(
            "call_note",
            f"{lead_id}-note{n}",
            1,
            CallNote(f"{lead_id}-note{n}", lead_id, body, NOW - timedelta(days=12 - n * 7)),
        )
    yield RemoteUpsert(
        "disposition",
        f"{lead_id}-disp",
        1,
        Disposition(
            f"{lead_id}-disp",
            lead_id,
            DispositionKind.ACCEPT,
            NOW - timedelta(days=1),
        ),
    )


def bulk_fill(
    store: object, count: int, seed_value: int = 11, rich_events: int = 0, events_each: int = 3
) -> list[str]:
    """`count` leads with `events_each` events each through the store's bulk path
    (benchmarks).

    The first lead gets `rich_events` more, for timing a long timeline.
    """
    rng = random.Random(seed_value)
    leads = [make_lead(rng, n) for n in range(count)]
    events: list[NurtureEvent] = []
    for x in leads:
        events += make_events(rng, x, events_each)
    if leads and rich_events:
        events += make_events(rng, leads[0], rich_events, start=events_each)
    store.apply_pull_page(reference_changes(), "ref-1")  # type: ignore[attr-defined]
    store.bulk_load(leads, events)  # type: ignore[attr-defined]
    return [x.id for x in leads]
