"""Cell-value normalisers shared by the importers: emails, numbers, dates, stages, statuses."""

from __future__ import annotations

import re
from datetime import UTC, datetime

from repdesk.domain.leads import LeadStatus, LifecycleStage, NurtureEventType


class BadValue(ValueError):
    """A cell that cannot be read; its message names the column and the problem."""


# Deliberately permissive (real exports hold odd but deliverable addresses); it rejects
# what is clearly not an address: spaces, no @, no dot in the domain, two @.
_EMAIL = re.compile(r"^[^@\s<>\"(),;:]+@[^@\s<>\"(),;:]+\.[A-Za-z0-9-]{2,}$")


def key(text: str) -> str:
    """A header or picklist value reduced to lowercase letters and digits."""
    return re.sub(r"[^0-9a-z]", "", text.casefold())


def email(value: str, column: str = "email") -> str:
    value = value.strip()
    if value.lower().startswith("mailto:"):
        value = value[7:]
    if value and not _EMAIL.match(value):
        raise BadValue(f"{column} {value!r} is not an email address")
    return value.lower()


_THOUSANDS = re.compile(r"[+-]?\d{1,3}([,.]\d{3})+")
_WHOLE = re.compile(r"([+-]?\d+)(?:\.(\d+))?")


def integer(value: str, column: str, *, minimum: int | None = 0) -> int | None:
    """'1,200', '1 200', '1.200' (EU thousands), '12.0' all read; empty is None. Read
    exactly (no float on the way: 20 digits stay 20 digits for the range check)."""
    text = value.strip().replace("\u00a0", "").replace(" ", "")
    if not text:
        return None
    if _THOUSANDS.fullmatch(text):
        text = text.replace(",", "").replace(".", "")
    whole = _WHOLE.fullmatch(text)
    if whole is None or (whole.group(2) and int(whole.group(2))):
        raise BadValue(f"{column} {value.strip()!r} is not a whole number")
    number = int(whole.group(1))
    if minimum is not None and number < minimum:
        raise BadValue(f"{column} {value.strip()!r} cannot be below {minimum}")
    return number


_DATE_FORMATS = (
    "%Y-%m-%d %H:%M:%S",
    "%Y-%m-%d %H:%M",
    "%m/%d/%Y %I:%M %p",
    "%m/%d/%Y, %I:%M %p",
    "%m/%d/%Y %H:%M",
    "%m/%d/%Y",
    "%d.%m.%Y %H:%M",
    "%d.%m.%Y",
)


def timestamp(value: str, column: str) -> datetime | None:
    """ISO 8601 (Salesforce API, HubSpot, JSONL) or the US/EU forms reports use; UTC."""
    text = value.strip()
    if not text:
        return None
    try:
        parsed = datetime.fromisoformat(text)
    except ValueError:
        parsed = None
        for fmt in _DATE_FORMATS:
            try:
                parsed = datetime.strptime(text, fmt)
                break
            except ValueError:
                continue
    if parsed is None:
        raise BadValue(f"{column} {text!r} is not a date")
    try:
        return parsed.replace(tzinfo=UTC) if parsed.tzinfo is None else parsed.astimezone(UTC)
    except OverflowError:  # e.g. 0001-01-01T00:00+01:00 is before year 1 in UTC
        raise BadValue(f"{column} {text!r} is out of the range of dates") from None


_STAGES: dict[str, LifecycleStage] = {
    **{key(s.value): s for s in LifecycleStage},
    **{key(s.name): s for s in LifecycleStage},
    "marketingqualifiedlead": LifecycleStage.MQL,
    "salesqualifiedlead": LifecycleStage.SQL,
    "mql": LifecycleStage.MQL,
    "sql": LifecycleStage.SQL,
}


def lifecycle_stage(value: str) -> LifecycleStage | None:
    """HubSpot internal names and labels, repdesk values; a custom stage becomes OTHER."""
    if not value.strip():
        return None
    return _STAGES.get(key(value), LifecycleStage.OTHER)


# Salesforce's standard Lead Status picklist: (stage, status).
SALESFORCE_STATUS: dict[str, tuple[LifecycleStage, LeadStatus]] = {
    key("Open - Not Contacted"): (LifecycleStage.MQL, LeadStatus.NEW),
    key("Working - Contacted"): (LifecycleStage.SQL, LeadStatus.IN_PROGRESS),
    key("Closed - Converted"): (LifecycleStage.OPPORTUNITY, LeadStatus.CONVERTED),
    key("Closed - Not Converted"): (LifecycleStage.LEAD, LeadStatus.UNQUALIFIED),
}

_STATUSES: dict[str, LeadStatus] = {
    **{key(s.value): s for s in LeadStatus},
    "opendeal": LeadStatus.CONVERTED,
    "contacted": LeadStatus.CONNECTED,
    "disqualified": LeadStatus.UNQUALIFIED,
    "recycled": LeadStatus.NURTURE,
}
# Custom picklists: the first keyword found decides, in this order.
_STATUS_WORDS: tuple[tuple[str, LeadStatus], ...] = (
    ("notconverted", LeadStatus.UNQUALIFIED),
    ("convert", LeadStatus.CONVERTED),
    ("unqualif", LeadStatus.UNQUALIFIED),
    ("disqualif", LeadStatus.UNQUALIFIED),
    ("qualif", LeadStatus.QUALIFIED),
    ("nurtur", LeadStatus.NURTURE),
    ("attempt", LeadStatus.ATTEMPTED_TO_CONTACT),
    ("working", LeadStatus.IN_PROGRESS),
    ("progress", LeadStatus.IN_PROGRESS),
    ("connect", LeadStatus.CONNECTED),
    ("timing", LeadStatus.BAD_TIMING),
    ("new", LeadStatus.NEW),
)


def lead_status(value: str) -> LeadStatus | None:
    """HubSpot internal names and labels, repdesk values, keywords of custom values."""
    k = key(value)
    if not k:
        return None
    if k in _STATUSES:
        return _STATUSES[k]
    return next((s for word, s in _STATUS_WORDS if word in k), LeadStatus.OPEN)


_EVENT_TYPES: dict[str, NurtureEventType] = {
    **{key(t.value): t for t in NurtureEventType},
    "emailsend": NurtureEventType.EMAIL_SENT,
    "emaildelivered": NurtureEventType.EMAIL_SENT,
    "emailopen": NurtureEventType.EMAIL_OPENED,
    "open": NurtureEventType.EMAIL_OPENED,
    "opened": NurtureEventType.EMAIL_OPENED,
    "emailclick": NurtureEventType.EMAIL_CLICKED,
    "click": NurtureEventType.EMAIL_CLICKED,
    "clicked": NurtureEventType.EMAIL_CLICKED,
    "pageview": NurtureEventType.WEB_VISIT,
    "visit": NurtureEventType.WEB_VISIT,
    "formsubmission": NurtureEventType.FORM_FILL,
    "formsubmitted": NurtureEventType.FORM_FILL,
    "download": NurtureEventType.CONTENT_DOWNLOAD,
    "webinarregistration": NurtureEventType.WEBINAR_REGISTERED,
    "webinarattendance": NurtureEventType.WEBINAR_ATTENDED,
    "boothscan": NurtureEventType.EVENT_BOOTH,
    "badgescan": NurtureEventType.EVENT_BOOTH,
    "tradeshow": NurtureEventType.EVENT_BOOTH,
    "scorechanged": NurtureEventType.SCORE_CHANGE,
    "stagechanged": NurtureEventType.STAGE_CHANGE,
    "lifecyclestagechange": NurtureEventType.STAGE_CHANGE,
    "handoff": NurtureEventType.SALES_HANDOFF,
    "handedtosales": NurtureEventType.SALES_HANDOFF,
}


def event_type(value: str, column: str = "type") -> NurtureEventType:
    found = _EVENT_TYPES.get(key(value))
    if found is None:
        known = ", ".join(t.value for t in NurtureEventType)
        raise BadValue(f"{column} {value.strip()!r} is not a known event type ({known})")
    return found


def text(value: object, limit: int = 20_000) -> str:
    """Free text kept verbatim (HTML is data, never markup), trimmed and capped."""
    return str(value).strip()[:limit] if value is not None else ""


def clean(value: object) -> str:
    """A cell trimmed, never cut: whether it fits its column is checked, not assumed
    (see `importers.limits`)."""
    return str(value).strip() if value is not None else ""
