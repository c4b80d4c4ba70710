"""The demo hub's fixed cast: reps, campaigns and the text of the collateral it generates."""

from __future__ import annotations

from dataclasses import dataclass

DEMO_PASSWORD = "demo-repdesk-2024"
"""Every demo rep's password; printed by `repdesk-hub demo` (demo data only, never real)."""


@dataclass(frozen=True, slots=True)
class RepSpec:
    email: str
    name: str


DEMO_REPS: tuple[RepSpec, ...] = (
    RepSpec("alex@demo.repdesk", "Alex Rivera"),
    RepSpec("sam@demo.repdesk", "Sam Okoye"),
    RepSpec("jordan@demo.repdesk", "Jordan Lee"),
)


@dataclass(frozen=True, slots=True)
class UserSpec:
    """A person of marketing's team who signs in to the web workspace."""

    email: str
    name: str
    role: str
    """"marketing" or "admin" (as `repdesk.hub.db.models.User.role`)."""


DEMO_USERS: tuple[UserSpec, ...] = (
    UserSpec("marketing@demo.repdesk", "Morgan Blake", "marketing"),
    UserSpec("admin@demo.repdesk", "Avery Admin", "admin"),
)
"""Their password is DEMO_PASSWORD too: one password to remember for the whole demo."""
WORKSPACE_PATH = "/workspace/"


def workspace_hint(base_url: str) -> str:
    """The line `repdesk-hub demo` and `./dev demo` print so a person can open the workspace."""
    users = " or ".join(u.email for u in DEMO_USERS)
    return (
        f"Marketing workspace: {base_url.rstrip('/')}{WORKSPACE_PATH} "
        f"(sign in as {users}, password {DEMO_PASSWORD})"
    )


@dataclass(frozen=True, slots=True)
class CampaignSpec:
    key: str
    name: str
    channel: str
    description: str
    starts_days_ago: int
    length_days: int
    first_touch: str
    """The NurtureEventType value a lead sourced by this campaign starts with."""
    first_asset: str
    lead_quality: float = 1.0
    """How much likelier than average its leads are accepted (and the less disqualified)."""


CAMPAIGNS: tuple[CampaignSpec, ...] = (
    CampaignSpec(
        "webinar",
        "Webinar series: Forecasting without spreadsheets",
        "webinar",
        "Four monthly live sessions with a customer guest; replays gated.",
        270,
        240,
        "webinar_registered",
        "Session 1: Why your forecast is always late",
        1.8,
    ),
    CampaignSpec(
        "ebook",
        "Ebook: The State of Sales Ops 2025",
        "content",
        "Gated research report promoted on LinkedIn and in the newsletter.",
        240,
        200,
        "content_download",
        "The State of Sales Ops 2025 (ebook)",
        0.9,
    ),
    CampaignSpec(
        "tradeshow",
        "RevOps Summit Berlin (booth B14)",
        "event",
        "Three-day trade show; badge scans at the booth and the demo bar.",
        150,
        3,
        "event_booth",
        "Booth B14 badge scan",
        0.4,
    ),
    CampaignSpec(
        "nurture",
        "Nurture track: Getting started with pipeline analytics",
        "email",
        "Eight-email drip for new leads with no recent engagement.",
        300,
        300,
        "form_fill",
        "Newsletter sign-up form",
        0.8,
    ),
    CampaignSpec(
        "launch",
        "Product launch: Insights 3.0",
        "product_launch",
        "Launch emails, a launch webinar and a landing page with a live demo.",
        90,
        60,
        "web_visit",
        "/insights-3 launch page",
        1.2,
    ),
    CampaignSpec(
        "roi",
        "Paid search: ROI calculator",
        "paid_search",
        "Search ads to the ROI calculator; the result page asks for an email.",
        200,
        180,
        "form_fill",
        "ROI calculator result form",
        2.0,
    ),
)

NURTURE_EMAILS: tuple[str, ...] = (
    "Your forecast, minus the spreadsheet",
    "3 pipeline reports every VP of Sales asks for",
    "How Northwind cut forecast error by 38%",
    "Is your CRM data good enough to forecast on?",
    "Insights 3.0 is here: scenario planning for every deal",
    "Last call: live demo this Thursday",
    "What RevOps teams automate first",
    "Your ROI estimate, one page",
)
WEB_PAGES: tuple[str, ...] = (
    "/pricing",
    "/product/forecasting",
    "/product/pipeline-analytics",
    "/customers",
    "/security",
    "/integrations/salesforce",
    "/blog/forecast-accuracy",
    "/demo",
)

TITLES: tuple[tuple[str, int], ...] = (
    ("VP of Sales", 6),
    ("Chief Revenue Officer", 3),
    ("Director of Revenue Operations", 8),
    ("Head of Sales Operations", 8),
    ("Sales Operations Manager", 12),
    ("Sales Operations Analyst", 10),
    ("Marketing Operations Manager", 6),
    ("CFO", 2),
    ("Finance Director", 4),
    ("IT Manager", 5),
    ("Head of Business Intelligence", 4),
    ("Regional Sales Director", 7),
    ("Chief Operating Officer", 2),
    ("Business Analyst", 6),
)
INDUSTRIES: tuple[str, ...] = (
    "Software",
    "Financial Services",
    "Manufacturing",
    "Healthcare",
    "Retail",
    "Logistics",
    "Professional Services",
    "Telecommunications",
    "Education",
    "Energy",
)
COMPANY_SIZES: tuple[int, ...] = (15, 40, 85, 150, 320, 700, 1500, 4000, 12000)
LOCALES: tuple[tuple[str, str], ...] = (
    ("en_US", "United States"),
    ("en_GB", "United Kingdom"),
    ("de_DE", "Germany"),
    ("fr_FR", "France"),
    ("nl_NL", "Netherlands"),
    ("es_ES", "Spain"),
    ("sv_SE", "Sweden"),
)
