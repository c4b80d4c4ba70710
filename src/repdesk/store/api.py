"""The store's public contract: value types its queries return and sync hands it.

`repdesk.store.Store` implements the methods listed in `StoreApi`; sync and the GUI code
against this module, never against SQLAlchemy models.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

from repdesk.domain.changes import Changes
from repdesk.domain.feedback import (
    CallNote,
    CollateralUse,
    Disposition,
    Objection,
    ObjectionCategory,
)
from repdesk.domain.followups import FollowUp, FollowUpAction
from repdesk.domain.leads import Campaign, Collateral, Lead, LifecycleStage, NurtureEvent
from repdesk.domain.outbox import Conflict, OutboxItem, OutboxState
from repdesk.domain.qualification import Bant, BantAnswer, BantDimension, Rubric
from repdesk.domain.today import TodayItem

if TYPE_CHECKING:
    from repdesk.store.cipher import CacheKey

# --- queries --------------------------------------------------------------------------


class LeadSort(StrEnum):
    NAME = "name"
    COMPANY = "company"
    STAGE = "stage"
    SCORE = "score"
    READY = "ready"
    LAST_TOUCH = "last_touch"
    NEXT_STEP = "next_step"


@dataclass(frozen=True, slots=True)
class LeadQuery:
    """Filtering and sorting happen in SQL/FTS5; the GUI only holds the resulting ids."""

    search: str = ""
    """Search-as-you-type text; each word is a prefix match over name, company, title, email."""
    ready: bool | None = None
    stage: LifecycleStage | None = None
    campaign_id: str | None = None
    has_unsent: bool | None = None
    sort: LeadSort = LeadSort.LAST_TOUCH
    descending: bool = True


@dataclass(frozen=True, slots=True)
class LeadPage:
    """The first ids of a `LeadQuery`'s list and how many the whole list holds."""

    ids: list[str]
    total: int


@dataclass(frozen=True, slots=True)
class LeadRow:
    """One row of the lead list, fetched lazily for the visible ids only."""

    id: str
    name: str
    company: str
    title: str
    stage: LifecycleStage
    score: int
    ready: bool
    missing: str
    """What the rubric still misses, e.g. "Budget, Timeframe"; empty when ready."""
    last_touch_at: datetime | None
    next_step: str
    unsent: int
    """How many of the rep's writes about this lead are still queued."""


class TimelineKind(StrEnum):
    NURTURE = "nurture"
    NOTE = "note"
    OBJECTION = "objection"
    DISPOSITION = "disposition"
    COLLATERAL_USE = "collateral_use"
    QUALIFICATION = "qualification"


@dataclass(frozen=True, slots=True)
class TimelineEntry:
    kind: TimelineKind
    at: datetime
    title: str
    """Plain text; never rendered as rich text."""
    detail: str = ""
    event_type: str = ""
    """The NurtureEventType value for NURTURE entries (for the type filter)."""
    ref_id: str = ""
    unsent: bool = False


class SearchKind(StrEnum):
    LEAD = "lead"
    EVENT = "event"
    NOTE = "note"


@dataclass(frozen=True, slots=True)
class AnswerChange:
    """What one queued BANT change does to one dimension: value codes, "" for none."""

    dimension: str
    before: str
    after: str


@dataclass(frozen=True, slots=True)
class SearchHit:
    kind: SearchKind
    lead_id: str
    ref_id: str
    title: str
    snippet: str
    rank: float


@dataclass(frozen=True, slots=True)
class OutboxCounts:
    pending: int = 0
    rejected: int = 0
    conflicts: int = 0


@dataclass(frozen=True, slots=True)
class SessionInfo:
    hub_url: str
    rep_id: str
    rep_name: str
    rep_email: str
    hub_id: str = ""
    """The hub's stable id ("" when the hub predates hub ids): the hub is recognised by
    it, not by `hub_url`, which may change (the demo's port, a proxy's address)."""


@dataclass(frozen=True, slots=True)
class SyncState:
    client_id: str
    """This installation's uuid, made once."""
    session: SessionInfo | None
    cursor: str | None
    last_sync_at: datetime | None
    last_error: str
    full_resync_needed: bool = False
    last_hub_url: str = ""
    """The hub of the last sign-in, kept after sign-out ("" if nobody signed in yet)."""
    last_rep_id: str = ""
    """The rep of the last sign-in, kept after sign-out: the same rep signing in again on
    the same hub keeps the local copy; anyone else starts a full resync."""
    last_hub_id: str = ""
    """The hub id of the last sign-in, kept after sign-out ("" if unknown)."""
    last_rep_email: str = ""
    """The email of the last sign-in, kept after sign-out (says whose work was set aside)."""


# --- what sync hands the store ---------------------------------------------------------

RemoteObject = (
    Lead
    | NurtureEvent
    | Campaign
    | Collateral
    | Rubric
    | ObjectionCategory
    | CallNote
    | Bant
    | Objection
    | Disposition
    | CollateralUse
    | FollowUp
)


@dataclass(frozen=True, slots=True)
class RemoteUpsert:
    entity: str
    """The protocol entity name ("lead", "nurture_event", ... see PROTOCOL.md)."""
    id: str
    version: int
    obj: RemoteObject
    field_versions: Mapping[str, int] = field(default_factory=dict)
    """For "qualification": the hub version of each BANT field (for conflict checks)."""


EventRow = tuple[str, int, str, str, datetime, str | None, str, str, int | None]
"""One pulled nurture event as its column values: (id, version, lead_id, type (a
`NurtureEventType` value), occurred_at (timezone-aware), campaign_id, asset, detail,
score_delta)."""


@dataclass(frozen=True, slots=True)
class RemoteEvents:
    """Nurture-event upserts that came one after another in a pull page, as rows: a first
    sync is ~97% events, and a domain object, an upsert value and a dict per event cost
    more than writing them. The same as a `RemoteUpsert` of each row's `NurtureEvent`."""

    rows: Sequence[EventRow]
    entity: str = "nurture_event"


@dataclass(frozen=True, slots=True)
class RemoteRemove:
    entity: str
    id: str
    version: int


PulledLead = tuple[
    str, int, str, str, str, str, str, str, int | None, str, str, str, str, int, str | None,
    str | None, str, str, datetime | None, datetime | None, datetime | None, str,
]  # fmt: skip
"""One pulled lead as the values of the columns the hub owns: (id, version, first_name,
last_name, company, email, title, industry, company_size, phone, country,
lifecycle_stage, lead_status (their enums' values), score, source_campaign_id,
owner_rep_id, marketing_notes, external_id, created_at, updated_at, assigned_at (each
timezone-aware or None), next_step)."""


@dataclass(frozen=True, slots=True)
class RemoteLeads:
    """Lead upserts as rows (`PulledLead`), as `RemoteEvents` are for events: a pydantic
    model, a `Lead`, an upsert value and a dict per lead cost more than writing it. The
    same as a `RemoteUpsert` of each row's `Lead`."""

    rows: Sequence[PulledLead]
    entity: str = "lead"


RemoteChange = RemoteUpsert | RemoteEvents | RemoteLeads | RemoteRemove


@dataclass(frozen=True, slots=True)
class MutationOutcome:
    """What the hub said about one pushed mutation."""

    mutation_id: str
    state: OutboxState
    """APPLIED (also for the hub's "duplicate"), REJECTED or CONFLICT."""
    server_version: int | None = None
    detail: str = ""
    conflicts: Sequence[FieldConflict] = ()


@dataclass(frozen=True, slots=True)
class FieldConflict:
    field: str
    mine: str
    theirs: str


class StoreApi(Protocol):
    """What `repdesk.store.Store` offers. Every method is thread-safe (one writer, a lock)."""

    @property
    def path(self) -> Path: ...
    @property
    def key(self) -> CacheKey | None:
        """The cache key (None: a plain cache); seals files beside the database."""
        ...

    def close(self) -> None: ...

    # reads
    def lead(self, lead_id: str) -> Lead | None: ...
    def lead_ids(self, query: LeadQuery) -> list[str]: ...
    def lead_page(self, query: LeadQuery, limit: int) -> LeadPage: ...
    def lead_rows(self, ids: Sequence[str]) -> list[LeadRow]: ...
    def lead_count(self) -> int: ...
    def events(self, lead_id: str) -> list[NurtureEvent]: ...
    def timeline(self, lead_id: str) -> list[TimelineEntry]: ...
    def bant(self, lead_id: str) -> Bant: ...
    def bant_history(self, lead_id: str) -> list[BantAnswer]: ...
    def bant_changes(self, mutation_ids: Sequence[str]) -> dict[str, tuple[AnswerChange, ...]]:
        """Before -> after of each dimension each queued BANT mutation changes."""
        ...

    def notes(self, lead_id: str) -> list[CallNote]: ...
    def objections(self, lead_id: str) -> list[Objection]: ...
    def disposition(self, lead_id: str) -> Disposition | None: ...
    def collateral_uses(self, lead_id: str) -> list[CollateralUse]: ...
    def rubric(self) -> Rubric | None: ...
    def objection_categories(self) -> list[ObjectionCategory]: ...
    def campaigns(self) -> list[Campaign]: ...
    def collateral(self, search: str = "", campaign_id: str | None = None) -> list[Collateral]: ...
    def collateral_for_lead(self, lead_id: str) -> list[Collateral]: ...
    def search(self, text: str, limit: int = 50) -> list[SearchHit]: ...

    # rep actions: each writes its row AND its outbox row in ONE transaction
    def add_call_note(self, note: CallNote) -> Changes: ...
    def update_bant(
        self, lead_id: str, answers: Mapping[BantDimension, BantAnswer | None]
    ) -> Changes: ...
    def add_objection(self, objection: Objection) -> Changes: ...
    def set_disposition(self, disposition: Disposition) -> Changes: ...
    def record_collateral_use(self, use: CollateralUse) -> Changes: ...
    def set_followup(self, followup: FollowUp, action: FollowUpAction) -> Changes:
        """Create, move, complete or cancel a follow-up (`followup.set` in the outbox)."""
        ...

    # follow-ups and Today
    def followups(self, lead_id: str) -> list[FollowUp]: ...
    def followup(self, followup_id: str) -> FollowUp | None: ...
    def followups_to_remind(self, now: datetime) -> list[FollowUp]:
        """Open follow-ups due by `now` not yet reminded of (at this due time)."""
        ...

    def next_followup_due(self, now: datetime) -> datetime | None: ...
    def mark_reminded(self, followup_ids: Sequence[str], at: datetime) -> Changes: ...
    def today(self, now: datetime, day_end: datetime, day: str) -> list[TodayItem]:
        """Who to call next (`repdesk.domain.today`); `day` is the rep's local date key."""
        ...

    def skip_today(self, lead_id: str, day: str) -> Changes:
        """Hide a lead from Today for the local day `day` (this computer only)."""
        ...

    # outbox and conflicts
    def pending_mutations(self, limit: int) -> list[OutboxItem]: ...
    def take_for_push(self, limit: int, *, after_seq: int | None = None) -> list[OutboxItem]:
        """Pending items (with `seq` above `after_seq`, when given) stamped as offered to
        the hub; later edits never fold into them."""
        ...

    def outbox(self, states: Sequence[OutboxState] = ()) -> list[OutboxItem]: ...
    def outbox_counts(self) -> OutboxCounts: ...
    def apply_outcomes(self, outcomes: Sequence[MutationOutcome]) -> Changes: ...
    def retry_mutation(self, mutation_id: str) -> Changes: ...
    def conflicts(self, open_only: bool = True) -> list[Conflict]: ...
    def resolve_conflict(self, conflict_id: str, keep_mine: bool) -> Changes: ...

    # sync state
    def sync_state(self) -> SyncState: ...
    def sla_hours(self) -> int | None: ...
    def set_sla_hours(self, hours: int | None) -> Changes: ...
    def set_session(self, session: SessionInfo | None) -> Changes: ...
    def apply_pull_page(self, changes: Sequence[RemoteChange], cursor: str) -> Changes: ...
    def begin_full_resync(self, set_aside_unsent: bool = False) -> Changes: ...
    def erase_lead_data(self) -> Changes: ...
    def finish_sync(self, error: str = "") -> Changes: ...
    def wanted_collateral(self) -> list[Collateral]: ...
