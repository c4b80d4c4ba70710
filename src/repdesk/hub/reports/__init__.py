"""Marketing's closed-loop reports: pure queries over a SQLAlchemy `Session`.

Each section function takes a session and a `ReportFilter` and returns a `Section` of
`Table`s and `Chart`s (`shapes`), aggregated in SQL on SQLite and PostgreSQL alike. No
HTTP and no HTML here: the workspace renders, charts and downloads them.

    lead_quality(session, flt)            per campaign / lead source, reasons
    speed_to_lead(session, flt, now=, sla=)   per rep / campaign, over-SLA leads
    over_sla_leads(session, flt, now=, sla=, limit=, offset=)   the full list
    over_sla_count(session, flt, now=, sla=)   how long that list is
    objections(session, flt)              weekly, campaign, competitor, collateral
    objection_feed(session, flt, category=, competitor=, limit=, after=)
    qualification(session, flt)           under the active rubric
    count_ready(session, rubric, flt)     preview an unpublished rubric
    collateral(session, flt)              use, acceptance with/without, gaps
    filter_options(session)               the dropdowns
"""

from repdesk.hub.reports.collateral import collateral
from repdesk.hub.reports.filters import FilterOptions, Option, ReportFilter, filter_options
from repdesk.hub.reports.lead_quality import lead_quality
from repdesk.hub.reports.objections import FeedPage, objection_feed, objections
from repdesk.hub.reports.qualification import qualification
from repdesk.hub.reports.rubric_sql import active_rubric, count_ready
from repdesk.hub.reports.shapes import Cell, Chart, Column, Section, Series, Table
from repdesk.hub.reports.speed_to_lead import over_sla_count, over_sla_leads, speed_to_lead

__all__ = [
    "Cell",
    "Chart",
    "Column",
    "FeedPage",
    "FilterOptions",
    "Option",
    "ReportFilter",
    "Section",
    "Series",
    "Table",
    "active_rubric",
    "collateral",
    "count_ready",
    "filter_options",
    "lead_quality",
    "objection_feed",
    "objections",
    "over_sla_count",
    "over_sla_leads",
    "qualification",
    "speed_to_lead",
]
