"""Demo collateral made here with fpdf2: datasheets, case studies, ROI sheets, battlecards."""

# ruff: noqa: E501  (the collateral prose below reads better unwrapped)

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from fpdf import FPDF
from fpdf.enums import XPos, YPos

_FIXED_DATE = datetime(2025, 1, 15, 9, 0, tzinfo=UTC)
"""Fixed creation date: the same seed must give byte-identical files (same sha256)."""
_PRODUCT = "Insights"


@dataclass(frozen=True, slots=True)
class PdfSpec:
    file_name: str
    title: str
    kind: str
    campaign_key: str | None
    tags: tuple[str, ...]
    sections: tuple[tuple[str, tuple[str, ...]], ...]
    """(heading, paragraphs); a paragraph starting with "- " is a bullet."""


def _p(*lines: str) -> tuple[str, ...]:
    return lines


_SPECS: tuple[PdfSpec, ...] = (
    PdfSpec(
        "insights-3-datasheet.pdf",
        "Insights 3.0 Datasheet",
        "datasheet",
        "launch",
        ("datasheet", "product", "integration"),
        (
            (
                "What it is",
                _p(
                    f"{_PRODUCT} 3.0 turns the pipeline in your CRM into a forecast you can defend. "
                    "It reads opportunities, activities and history every fifteen minutes and shows "
                    "where the quarter will land, which deals moved, and why.",
                    "- Scenario planning: change a close date or an amount and see the quarter move.",
                    "- Deal health: stalled stages, single-threaded deals and slipping dates flagged.",
                    "- Roll-ups by team, region and product line with one click.",
                ),
            ),
            (
                "Connects to what you run",
                _p(
                    "Native connectors for Salesforce, HubSpot and Microsoft Dynamics; a REST API and "
                    "nightly CSV drops for everything else. Setup takes an afternoon, not a project."
                ),
            ),
            (
                "Technical facts",
                _p(
                    "- Hosted in the EU (Frankfurt) or US (Virginia), your choice.",
                    "- SSO with SAML 2.0 and SCIM provisioning.",
                    "- SOC 2 Type II and ISO 27001 certified; annual penetration tests.",
                    "- 99.9% uptime commitment with service credits.",
                ),
            ),
        ),
    ),
    PdfSpec(
        "pipeline-analytics-datasheet.pdf",
        "Pipeline Analytics Datasheet",
        "datasheet",
        "nurture",
        ("datasheet", "product"),
        (
            (
                "Know your pipeline, not just its size",
                _p(
                    "Pipeline Analytics shows conversion by stage, velocity, and coverage against "
                    "target, so sales leaders see gaps a month before they become misses.",
                    "- Stage conversion and time-in-stage by segment.",
                    "- Coverage ratio against quota, updated hourly.",
                    "- Source attribution: which campaigns create pipeline that closes.",
                ),
            ),
            (
                "Who uses it",
                _p(
                    "Sales operations builds the views once; VPs and managers use them in weekly "
                    "pipeline reviews; marketing sees which programmes create real opportunities."
                ),
            ),
        ),
    ),
    PdfSpec(
        "case-study-northwind.pdf",
        "Case study: Northwind Logistics cuts forecast error 38%",
        "case_study",
        "webinar",
        ("case_study", "trust", "no_need"),
        (
            (
                "The challenge",
                _p(
                    "Northwind Logistics, 1,200 people across nine countries, forecast in a shared "
                    "spreadsheet that took two days to consolidate every Friday. Forecast error ran "
                    "at 22% and the board had stopped trusting the number."
                ),
            ),
            (
                "What they did",
                _p(
                    "The RevOps team connected Salesforce in one afternoon, rebuilt the weekly "
                    "review around the deal-health view, and retired the spreadsheet after six weeks."
                ),
            ),
            (
                "Results after two quarters",
                _p(
                    "- Forecast error down from 22% to 13.6% (38% lower).",
                    "- Friday consolidation down from two days to twenty minutes.",
                    "- Three stalled enterprise deals rescued after deal-health alerts.",
                    '"For the first time the number I give the board is the number we hit." '
                    "- VP Sales, Northwind Logistics",
                ),
            ),
        ),
    ),
    PdfSpec(
        "case-study-globex.pdf",
        "Case study: Globex Bank scales RevOps without new hires",
        "case_study",
        "ebook",
        ("case_study", "resources", "security"),
        (
            (
                "The challenge",
                _p(
                    "Globex Bank's four-person sales operations team supported 300 relationship "
                    "managers. Every new report meant another week of manual exports."
                ),
            ),
            (
                "What they did",
                _p(
                    "Globex rolled out Insights region by region, with the security team reviewing "
                    "SSO, data residency and audit logs before each step.",
                    "- Data stays in the EU region; access through SAML SSO only.",
                    "- Audit log exported to the bank's SIEM daily.",
                ),
            ),
            (
                "Results",
                _p(
                    "- 40 recurring reports automated in the first quarter.",
                    "- No new hires needed while the sales team grew by a third.",
                ),
            ),
        ),
    ),
    PdfSpec(
        "case-study-umbrella.pdf",
        "Case study: Umbrella Health shortens its sales cycle",
        "case_study",
        "tradeshow",
        ("case_study", "timing"),
        (
            (
                "The challenge",
                _p(
                    "Umbrella Health sells to hospital groups with nine-month sales cycles. Deals "
                    "stalled in procurement without anyone noticing until quarter end."
                ),
            ),
            (
                "Results",
                _p(
                    "- Average cycle down from 270 to 205 days.",
                    "- Procurement-stage stalls flagged after 14 days instead of at quarter end.",
                ),
            ),
        ),
    ),
    PdfSpec(
        "roi-one-pager-forecasting.pdf",
        "ROI one-pager: forecasting",
        "roi_one_pager",
        "roi",
        ("roi", "price"),
        (
            (
                "Where the return comes from",
                _p(
                    "- Time: sales ops and managers stop consolidating spreadsheets (typically 6 to 10 "
                    "hours per manager per month).",
                    "- Accuracy: fewer missed quarters and fewer end-of-quarter discounts.",
                    "- Focus: reps spend review time on deals at risk, not on updating cells.",
                ),
            ),
            (
                "A typical 100-seat team",
                _p(
                    "Licence cost: 100 seats x 45 EUR x 12 months = 54,000 EUR per year.",
                    "Time saved: 12 managers x 8 hours x 12 months x 70 EUR = 80,640 EUR per year.",
                    "Payback: under eight months before counting any accuracy gain.",
                ),
            ),
        ),
    ),
    PdfSpec(
        "roi-one-pager-sales-ops.pdf",
        "ROI one-pager: sales ops automation",
        "roi_one_pager",
        "roi",
        ("roi", "price", "resources"),
        (
            (
                "The short version",
                _p(
                    "Automating recurring pipeline and forecast reports returns 3 to 5 times its cost "
                    "in the first year for teams of 50 sellers or more."
                ),
            ),
            (
                "Assumptions you can change",
                _p(
                    "- Hours per report per month: 4",
                    "- Recurring reports: 25",
                    "- Loaded cost per analyst hour: 65 EUR",
                ),
            ),
        ),
    ),
    PdfSpec(
        "battlecard-legacycrm.pdf",
        "Battlecard: Insights vs. LegacyCRM Analytics",
        "battlecard",
        None,
        ("battlecard", "competitor"),
        (
            (
                "When you hear it",
                _p(
                    '"We already have the analytics module of our CRM." Usually said by IT or by a '
                    "sales ops manager who built the current dashboards."
                ),
            ),
            (
                "What to say",
                _p(
                    "- Ask how long the Friday forecast takes today and who trusts it.",
                    "- Built-in modules report on the pipeline; Insights predicts where it lands.",
                    "- We read their CRM; nobody migrates or re-enters data.",
                ),
            ),
            (
                "Landmines",
                _p(
                    "- Do not criticise the dashboards the contact built; offer to feed them.",
                    "- Pricing comparisons: compare total cost including the analyst time.",
                ),
            ),
        ),
    ),
    PdfSpec(
        "battlecard-spreadsheets.pdf",
        "Battlecard: Insights vs. spreadsheets",
        "battlecard",
        None,
        ("battlecard", "no_need", "competitor"),
        (
            (
                "When you hear it",
                _p('"Our spreadsheet works fine." Usually true for teams under 15 sellers.'),
            ),
            (
                "What to say",
                _p(
                    "- Ask what happens when the person who owns the spreadsheet is on holiday.",
                    "- Show the Northwind case study: two days of consolidation to twenty minutes.",
                ),
            ),
        ),
    ),
    PdfSpec(
        "security-overview.pdf",
        "Security and compliance overview",
        "whitepaper",
        None,
        ("security", "contract", "trust"),
        (
            (
                "Certifications",
                _p(
                    "- SOC 2 Type II (report under NDA).",
                    "- ISO 27001 certified since 2021.",
                    "- GDPR: EU hosting option, data processing agreement, EU standard clauses.",
                ),
            ),
            (
                "How we protect your data",
                _p(
                    "Data is encrypted in transit (TLS 1.2+) and at rest (AES-256). Production access "
                    "requires hardware keys and is logged; customers can export their audit log."
                ),
            ),
            (
                "Your questionnaire",
                _p(
                    "We answer the SIG Lite and CAIQ questionnaires; ask your rep for the latest copy."
                ),
            ),
        ),
    ),
    PdfSpec(
        "integration-guide.pdf",
        "Integration guide: Salesforce and HubSpot",
        "guide",
        "launch",
        ("integration", "resources"),
        (
            (
                "Before you start",
                _p(
                    "You need a CRM user with read access to opportunities, accounts and activities. "
                    "Insights never writes to your CRM unless you turn on write-back."
                ),
            ),
            (
                "Steps",
                _p(
                    "- 1. Create the integration user and a permission set.",
                    "- 2. Connect from Settings > Integrations and pick the objects.",
                    "- 3. Map your stages to forecast categories (we suggest a mapping).",
                    "- 4. Run the first sync; a 50,000-opportunity org takes about 20 minutes.",
                ),
            ),
        ),
    ),
    PdfSpec(
        "pricing-overview.pdf",
        "Pricing and packaging overview",
        "pricing",
        None,
        ("price", "contract"),
        (
            (
                "Plans",
                _p(
                    "- Team: up to 25 seats, pipeline analytics, 45 EUR per seat per month.",
                    "- Business: forecasting and scenario planning, 65 EUR per seat per month.",
                    "- Enterprise: SSO, EU hosting choice, audit export, custom terms.",
                ),
            ),
            (
                "Contract terms",
                _p(
                    "Annual terms by default; quarterly billing on request. A 60-day pilot with a "
                    "success plan converts into the first year at the agreed price."
                ),
            ),
        ),
    ),
)


class _Doc(FPDF):
    def __init__(self, title: str) -> None:
        super().__init__(format="A4")
        self.doc_title = title
        self.set_creation_date(_FIXED_DATE)
        self.set_title(title)
        self.set_author("repdesk demo marketing")
        self.set_auto_page_break(auto=True, margin=18)

    def header(self) -> None:
        self.set_font("Helvetica", "B", 9)
        self.set_text_color(90, 90, 90)
        self.cell(0, 8, "Insights by Example Analytics  |  " + self.doc_title, align="L")
        self.ln(12)

    def footer(self) -> None:
        self.set_y(-14)
        self.set_font("Helvetica", "", 8)
        self.set_text_color(120, 120, 120)
        self.cell(
            0, 8, f"Demo collateral generated by repdesk  |  page {self.page_no()}", align="C"
        )


def _para(pdf: FPDF, text: str, height: float = 6) -> None:
    pdf.multi_cell(0, height, text, new_x=XPos.LMARGIN, new_y=YPos.NEXT)


def _render(spec: PdfSpec) -> bytes:
    pdf = _Doc(spec.title)
    pdf.add_page()
    pdf.set_font("Helvetica", "B", 20)
    pdf.set_text_color(20, 40, 90)
    _para(pdf, spec.title, 10)
    pdf.ln(4)
    for number, (heading, paragraphs) in enumerate(spec.sections):
        if number and number % 2 == 0:
            pdf.add_page()  # keeps every document multi-page, like real collateral
        pdf.set_font("Helvetica", "B", 14)
        pdf.set_text_color(20, 40, 90)
        _para(pdf, heading, 8)
        pdf.ln(1)
        pdf.set_font("Helvetica", "", 11)
        pdf.set_text_color(30, 30, 30)
        for paragraph in paragraphs:
            if paragraph.startswith("- "):
                pdf.set_x(pdf.l_margin + 6)
                _para(pdf, "\u00b7  " + paragraph[2:])
            else:
                _para(pdf, paragraph)
            pdf.ln(2)
        pdf.ln(3)
    if pdf.page_no() == 1:
        pdf.add_page()
        pdf.set_font("Helvetica", "B", 14)
        _para(pdf, "Talk to us", 8)
        pdf.set_font("Helvetica", "", 11)
        _para(
            pdf,
            "Your account executive can share references, a pilot plan and the security "
            "pack. Ask for a 30-minute walkthrough with your own data.",
        )
    return bytes(pdf.output())


@dataclass(frozen=True, slots=True)
class DemoPdf:
    file_name: str
    title: str
    kind: str
    campaign_key: str | None
    tags: tuple[str, ...]
    content: bytes


def build_pdfs() -> list[DemoPdf]:
    """Twelve multi-page PDFs with real text, byte-identical on every run."""
    return [
        DemoPdf(s.file_name, s.title, s.kind, s.campaign_key, s.tags, _render(s)) for s in _SPECS
    ]
