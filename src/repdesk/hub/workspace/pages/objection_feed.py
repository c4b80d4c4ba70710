"""The objection report's feed: the prospects' own words, newest first, narrowed by the
filter bar and by one category and one competitor, with "load more" (keyset paging)."""

from __future__ import annotations

from typing import Any

from fastapi import Request
from fastapi.responses import Response
from sqlalchemy.orm import Session

from repdesk.hub.api.state import hub_state
from repdesk.hub.reports import objection_feed
from repdesk.hub.reports.objections import FEED_PAGE
from repdesk.hub.workspace.access import Access, section_router
from repdesk.hub.workspace.rendering import render
from repdesk.hub.workspace.reporting.catalog import page_named
from repdesk.hub.workspace.reporting.feed_options import feed_options, read_feed_choice
from repdesk.hub.workspace.reporting.filter_form import FilterForm, read_filter

router = section_router(Access.MARKETING)

PAGE = page_named("objections")
FEED_ID = "feed"
FEED_PATH = f"{PAGE.path}/feed"


def feed_context(request: Request, session: Session, form: FilterForm) -> dict[str, Any]:
    """The feed's choices, its dropdowns and one page of it (`after` in the query)."""
    choice = read_feed_choice(request.query_params)
    found = objection_feed(
        session,
        form.flt,
        category=choice.category or None,
        competitor=choice.competitor or None,
        limit=FEED_PAGE,
        after=choice.after or None,
    )
    return {
        "feed": found,
        "feed_rows": found.table.as_dicts(),
        "feed_choice": choice,
        "feed_options": feed_options(session),
        "feed_id": FEED_ID,
        "feed_path": FEED_PATH,
        "outro": "reports/_feed.html",
    }


@router.get("/reports/objections/feed")
def feed_block(request: Request) -> Response:
    """The feed alone (htmx): the whole block, or with `after` only the next items and
    the next "load more" (appended in place of the old one)."""
    form = read_filter(request.query_params)
    with hub_state(request).db.read() as session:
        context = feed_context(request, session, form)
    choice = context["feed_choice"]
    if choice.after:
        return render(request, "reports/_feed_items.html", page=PAGE, form=form, **context)
    response = render(request, "reports/_feed.html", page=PAGE, form=form, **context)
    response.headers["HX-Push-Url"] = PAGE.path + form.query(**choice.extra())
    return response


__all__ = ["FEED_ID", "FEED_PATH", "feed_context", "router"]
