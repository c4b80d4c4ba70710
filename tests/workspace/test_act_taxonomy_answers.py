"""The objection taxonomy editor and the Objection answers page over HTTP (SQLite and
PostgreSQL): each change is made by the same operations as the CLI's, audited, logged for
reps' pulls; bad input is refused with its message and changes nothing."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

from sqlalchemy import select

from repdesk.hub.db.models import Collateral, ObjectionCategory, ObjectionRow
from repdesk.hub.embedded import EmbeddedHub
from tests.hub.admin_helpers import pulled
from tests.support import hub_rows as seed
from tests.support.corpus import CORPUS, ENCRYPTED
from tests.support.hub_fixtures import PDF_BYTES

from .act_support import (
    actions,
    change_log_size,
    flash_after,
    logged,
    reference_data,
    upload,
)
from .conftest import MARKETER_EMAIL, Browser, People

TAXONOMY = "/workspace/rubric/taxonomy"


def category(embedded_hub: EmbeddedHub, code: str) -> tuple[str, str, bool, int]:
    """(label, description, retired, version) of a category."""
    with embedded_hub.state.db.read() as session:
        row = session.get(ObjectionCategory, code)
        assert row is not None, code
        return (row.label, row.description, row.retired, row.version)


def test_categories_are_added_renamed_retired_and_restored(
    embedded_hub: EmbeddedHub, people: People, browser: Callable[[str], Browser]
) -> None:
    h = reference_data(embedded_hub)
    client = browser(MARKETER_EMAIL)
    assert "Vendor trust / references" in client.get(TAXONOMY).text

    added = client.post_form(
        TAXONOMY, {"code": "data_residency", "label": "Data residency", "description": "EU"}
    )
    assert "Added &#39;Data residency&#39;" in flash_after(client, added)
    assert category(embedded_hub, "data_residency") == ("Data residency", "EU", False, 1)

    renamed = client.post_form(f"{TAXONOMY}/price", {"label": "Price", "description": "Cost"})
    assert "Saved" in flash_after(client, renamed)
    assert category(embedded_hub, "price") == ("Price", "Cost", False, 2)

    retired = client.post_form(f"{TAXONOMY}/timing/retire")
    assert "Retired &#39;timing&#39;" in flash_after(client, retired)
    assert category(embedded_hub, "timing")[2:] == (True, 2)
    got = pulled(h, people.rep)
    assert got[("objection_category", "data_residency")] == "upsert"
    assert got[("objection_category", "timing")] == "remove"
    assert logged(h, "objection_category", "price") == [("*", "upsert", 2)]

    restored = client.post_form(f"{TAXONOMY}/timing/restore")
    assert "Restored" in flash_after(client, restored)
    assert category(embedded_hub, "timing")[2:] == (False, 3)
    assert pulled(h, people.rep)[("objection_category", "timing")] == "upsert"

    assert [a for a in actions(h) if a[1].startswith("category.")] == [
        (MARKETER_EMAIL, "category.add", "data_residency"),
        (MARKETER_EMAIL, "category.update", "price"),
        (MARKETER_EMAIL, "category.retire", "timing"),
        (MARKETER_EMAIL, "category.restore", "timing"),
    ]


def test_bad_categories_are_refused_and_change_nothing(
    embedded_hub: EmbeddedHub, people: People, browser: Callable[[str], Browser]
) -> None:
    h = reference_data(embedded_hub)
    client = browser(MARKETER_EMAIL)
    log_before, audit_before = change_log_size(h), actions(h)
    bad = [
        (TAXONOMY, {"code": "Bad Code", "label": "x"}, "must be lowercase letters"),
        (TAXONOMY, {"code": "price", "label": "Again"}, "already a category with the code"),
        (TAXONOMY, {"code": "fresh", "label": "  "}, "needs a label"),
        (f"{TAXONOMY}/price", {"label": ""}, "needs a label"),
        (f"{TAXONOMY}/nope", {"label": "Nope"}, "no objection category with the code"),
    ]
    for path, data, message in bad:
        answer = client.post_form(path, data)
        assert answer.status_code == 400 and message in answer.text, (path, answer.text[:300])
    # The add form comes back as typed.
    assert 'value="Bad Code"' in client.post_form(TAXONOMY, {"code": "Bad Code"}).text
    again = client.post_form(f"{TAXONOMY}/nope/retire")
    assert "no objection category" in flash_after(client, again)
    assert change_log_size(h) == log_before and actions(h) == audit_before
    assert category(embedded_hub, "price")[::2] == ("Price / budget", False)
    assert category(embedded_hub, "price")[3] == 1


def _objection(
    embedded_hub: EmbeddedHub, rep: str, lead: str, code: str, n: int, resolved: bool
) -> None:
    with embedded_hub.state.db.write() as session:
        session.add(
            ObjectionRow(
                id=f"obj-{code}-{n}",
                lead_id=lead,
                rep_id=rep,
                mutation_id=f"m-{code}-{n}",
                category_code=code,
                created_at=datetime(2026, 1, 5, tzinfo=UTC),
                resolved=resolved,
            )
        )


def tags_of(embedded_hub: EmbeddedHub, collateral_id: str) -> tuple[list[str], int]:
    with embedded_hub.state.db.read() as session:
        row = session.get(Collateral, collateral_id)
        assert row is not None
        return list(row.tags), row.version


def test_answers_show_counts_and_assets_and_tagging_reaches_reps(
    embedded_hub: EmbeddedHub, people: People, browser: Callable[[str], Browser]
) -> None:
    h = reference_data(embedded_hub)
    lead = seed.add_lead(embedded_hub.state.db, people.rep, company="Acme")
    for n in range(3):
        _objection(embedded_hub, people.rep, lead, "security", n, resolved=n == 0)
    asset, _ = seed.add_collateral(
        embedded_hub.state.db,
        embedded_hub.state.files,
        PDF_BYTES,
        "Security <overview>",
        tags=["whitepaper"],
    )
    client = browser(MARKETER_EMAIL)
    page = " ".join(client.get("/workspace/answers").text.split())
    # Most-logged first, with its count, and no answer yet.
    assert page.index("Security / compliance") < page.index("Price / budget")
    assert "<strong>3</strong> logged · 2 open" in page
    assert "Security &lt;overview&gt;" in page and "<overview>" not in page

    tagged = client.post_form("/workspace/answers/security/tag", {"collateral_id": asset})
    assert "now answers &#39;Security / compliance&#39;" in flash_after(client, tagged)
    assert tags_of(embedded_hub, asset) == (["whitepaper", "security"], 2)
    assert logged(h, "collateral", asset) == [("*", "upsert", 2)]
    assert pulled(h, people.rep)[("collateral", asset)] == "upsert"
    again = client.post_form("/workspace/answers/security/tag", {"collateral_id": asset})
    assert "already answers" in flash_after(client, again)
    assert tags_of(embedded_hub, asset)[1] == 2

    untagged = client.post_form("/workspace/answers/security/untag", {"collateral_id": asset})
    assert "no longer answers" in flash_after(client, untagged)
    assert tags_of(embedded_hub, asset) == (["whitepaper"], 3)
    assert logged(h, "collateral", asset) == [("*", "upsert", 3)]
    assert [a[1] for a in actions(h)][-2:] == ["collateral.tag", "collateral.untag"]

    bad = [
        ("/workspace/answers/nope/tag", {"collateral_id": asset}, "no active objection category"),
        ("/workspace/answers/security/tag", {"collateral_id": "missing"}, "not in the library"),
        ("/workspace/answers/security/tag", {}, "Choose the asset"),
    ]
    for path, data, message in bad:
        answer = client.post_form(path, data)
        assert answer.status_code == 400 and message in answer.text, answer.text[:300]
    assert tags_of(embedded_hub, asset) == (["whitepaper"], 3)


def test_a_new_asset_uploaded_as_an_answer_is_checked_like_the_clis(
    embedded_hub: EmbeddedHub, people: People, browser: Callable[[str], Browser]
) -> None:
    h = reference_data(embedded_hub)
    campaign = seed.add_campaign(embedded_hub.state.db, "Spring webinar")
    client = browser(MARKETER_EMAIL)
    encrypted = (CORPUS / ENCRYPTED).read_bytes()
    answer = upload(
        client,
        "/workspace/answers/price/upload",
        "../../etc/pricing.pdf",
        encrypted,
        {"title": "Pricing", "campaign": "Spring webinar"},
    )
    page = flash_after(client, answer)
    assert "as an answer to &#39;Price / budget&#39;" in page and "password-protected" in page
    with embedded_hub.state.db.read() as session:
        row = session.scalars(select(Collateral)).one()
    assert (row.tags, row.campaign_id, row.original_name) == (["price"], campaign, "pricing.pdf")
    assert "password-protected" in row.problem
    assert embedded_hub.state.files.path_for(row.sha256).read_bytes() == encrypted
    assert pulled(h, people.rep)[("collateral", row.id)] == "upsert"
    assert actions(h)[-1] == (MARKETER_EMAIL, "collateral.add", "Pricing")
    assert list((embedded_hub.config.home / "workspace-uploads").iterdir()) == []

    log_before = change_log_size(h)
    bad = [
        ({"title": "Again"}, encrypted, "already in the library as &#39;Pricing&#39;"),
        ({"title": ""}, PDF_BYTES, "needs a title"),
        ({"title": "Empty"}, b"", "is empty"),
        ({"title": "X", "campaign": "Nope"}, PDF_BYTES + b"1", "There is no campaign"),
    ]
    for data, content, message in bad:
        refused = upload(client, "/workspace/answers/price/upload", "x.pdf", content, data)
        assert refused.status_code == 400 and message in refused.text, refused.text[:400]
    no_file = client.post_form("/workspace/answers/price/upload", {"title": "T"})
    assert no_file.status_code == 400 and "Choose a file" in no_file.text
    with embedded_hub.state.db.read() as session:
        assert len(session.scalars(select(Collateral)).all()) == 1
    assert change_log_size(h) == log_before
