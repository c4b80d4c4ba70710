"""The one seeded hub of the API, sync, fault and GUI tests (a pytest plugin, registered in
tests/conftest.py).

`World.seed` writes, through the hub's own writers (`tests/support/hub_rows.py`):

- reps ada and bob, and carol (disabled), `<name>@example.test`, all with the password
  `PASSWORD` (hashed once per process: argon2 is slow on purpose);
- the default rubric and objection taxonomy; campaigns "Spring webinar" (`spring`) and
  "Autumn trade show" (`autumn`);
- ada's leads: Grace Hopper (spring, 3 nurture events), Alan Turing (spring, 2) and Edsger
  Dijkstra (no campaign, 1); bob's: Barbara Liskov (autumn, 2) and Ken Thompson (no
  campaign, none); external ids `EXT-0` to `EXT-4` in that order;
- three corpus PDFs as collateral: two for spring, one for autumn.

Fixtures, both giving a `World`:

- `world`: seeded on `embedded_hub` (SQLite and PostgreSQL);
- `live_world`: seeded on `live_hub` (SQLite; the hub can be stopped, restarted and moved).

API clients come from `client_for(world.ada.email)`, desktop clients from `make_client`
then `world.sign_in(client, world.ada)`.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass, field
from datetime import timedelta

import pytest
from argon2 import PasswordHasher

from repdesk.domain.defaults import DEFAULT_OBJECTION_CATEGORIES, DEFAULT_RUBRIC
from repdesk.domain.ids import utcnow
from repdesk.hub import auth
from repdesk.hub.embedded import EmbeddedHub
from repdesk.protocol.convert import rubric_to_data
from tests.support import hub_rows as seed
from tests.support.corpus import corpus_pdfs
from tests.support.hub_fixtures import PASSWORD
from tests.support.sync_fixtures import Client, LiveHub

COLLATERAL_PDFS = corpus_pdfs()[:3]
"""The World's collateral files, in `World.collateral` order (for module-level test data)."""


@dataclass(frozen=True)
class Rep:
    """A seeded rep: hub id, sign-in email and the ids of the leads they own."""

    id: str
    email: str
    name: str
    leads: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class SeededCollateral:
    id: str
    sha256: str
    campaign: str
    """"spring" or "autumn"."""
    content: bytes


@dataclass
class World:
    """What `World.seed` wrote on `hub`, by role."""

    hub: LiveHub
    ada: Rep
    bob: Rep
    carol: Rep
    """Disabled."""
    spring: str
    """Campaign ids."""
    autumn: str
    rubric: str
    events: dict[str, list[str]]
    """Nurture event ids per lead."""
    collateral: list[SeededCollateral]
    """Two spring files, then the autumn one."""

    def sign_in(self, client: Client, rep: Rep) -> None:
        """Sign `client` (a desktop client from `make_client`) in as `rep`."""
        client.engine.login(self.hub.url, rep.email, PASSWORD)

    @classmethod
    def seed(cls, hub: LiveHub, password_hash: str | None = None) -> World:
        db = hub.db
        hashed = password_hash or _hashed(auth._hasher)  # noqa: SLF001

        def rep(first: str, name: str, disabled: bool = False) -> Rep:
            email = f"{first}@example.test"
            rep_id = seed.add_rep(
                db, email, PASSWORD, name, disabled=disabled, password_hash=hashed
            )
            return Rep(rep_id, email, name)

        ada, bob = rep("ada", "Ada Lovelace"), rep("bob", "Bob Babbage")
        carol = rep("carol", "Carol Shaw", disabled=True)
        rubric = seed.set_rubric(db, rubric_to_data(DEFAULT_RUBRIC))
        for cat in DEFAULT_OBJECTION_CATEGORIES:
            seed.add_category(db, cat.code, cat.label, cat.description)
        spring = seed.add_campaign(db, "Spring webinar", channel="webinar")
        autumn = seed.add_campaign(db, "Autumn trade show", channel="event")
        collateral = []
        for path, (campaign, name) in zip(
            COLLATERAL_PDFS,
            [(spring, "spring"), (spring, "spring"), (autumn, "autumn")],
            strict=True,
        ):
            content = path.read_bytes()
            cid, sha = seed.add_collateral(
                db, hub.files, content, f"{name} brochure", campaign_id=campaign
            )
            collateral.append(SeededCollateral(cid, sha, name, content))
        start = utcnow() - timedelta(days=30)
        plan = [
            (
                ada,
                [
                    ("Grace", "Hopper", "Navy Systems", spring, 3),
                    ("Alan", "Turing", "Bletchley", spring, 2),
                    ("Edsger", "Dijkstra", "Structured Co", None, 1),
                ],
            ),
            (
                bob,
                [
                    ("Barbara", "Liskov", "Substitution Ltd", autumn, 2),
                    ("Ken", "Thompson", "Unix Inc", None, 0),
                ],
            ),
        ]
        events: dict[str, list[str]] = {}
        for owner, rows in plan:
            for first, last, company, campaign, n_events in rows:
                lead_id = seed.add_lead(
                    db,
                    owner.id,
                    first_name=first,
                    last_name=last,
                    company=company,
                    email=f"{first.lower()}@example.com",
                    external_id=f"EXT-{len(events)}",
                    source_campaign_id=campaign,
                )
                events[lead_id] = [
                    seed.add_event(
                        db,
                        lead_id,
                        "web_visit" if i % 2 else "email_opened",
                        start + timedelta(days=i),
                        campaign_id=campaign,
                        asset=f"Page {i}",
                    )
                    for i in range(n_events)
                ]
                owner.leads.append(lead_id)
        return cls(hub, ada, bob, carol, spring, autumn, rubric, events, collateral)


@functools.cache
def _hashed(hasher: PasswordHasher) -> str:
    """PASSWORD hashed once per hasher and process: argon2 is slow on purpose."""
    return hasher.hash(PASSWORD)


@pytest.fixture
def world(embedded_hub: EmbeddedHub, password_hash: str) -> World:
    """The World on `embedded_hub` (SQLite and PostgreSQL)."""
    return World.seed(LiveHub.around(embedded_hub), password_hash)


@pytest.fixture
def live_world(live_hub: LiveHub) -> World:
    """The World on `live_hub` (SQLite; stop, restart or move it through `world.hub`)."""
    return World.seed(live_hub)
