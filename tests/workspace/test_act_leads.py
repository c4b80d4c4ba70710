"""The Leads page over HTTP (SQLite and PostgreSQL): an upload is previewed as a dry run
(counts, errors by line, nothing changed), kept server-side for its own session only,
imported on confirmation (audited, assigned leads in the owner's pull) and deleted; rules
assign and unassign after a preview count; bad input is refused and changes nothing."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

from sqlalchemy import func, select

from repdesk.hub.db.models import Lead
from repdesk.hub.embedded import EmbeddedHub
from repdesk.hub.workspace import uploads
from tests.hub.admin_helpers import upserts
from tests.support import hub_rows as seed

from .act_support import actions, change_log_size, flash_after, upload
from .conftest import ADMIN_EMAIL, MARKETER_EMAIL, REP_EMAIL, Browser, People, admin_hub

CSV = (
    "Record ID,First Name,Last Name,Email,Company Name,Contact owner,Lifecycle Stage,"
    "Industry,Country/Region,HubSpot Score\n"
    f"901,Priya,Raman,priya@globex.example,Globex,{REP_EMAIL},lead,Retail,Germany,72\n"
    "902,Tom,Becker,not an email,Stark,,lead,Retail,Germany,45\n"
    "903,Ana,Silva,ana@initech.example,<b>Initech</b>,,lead,Retail,Portugal,lots\n"
    "904,Li,Wei,li@umbrella.example,Umbrella,,lead,Finance,China,30\n"
).encode()
_UPLOAD_ID = re.compile(r'name="upload" value="([^"]+)"')


def lead_count(embedded_hub: EmbeddedHub) -> int:
    with embedded_hub.state.db.read() as session:
        return int(session.scalar(select(func.count()).select_from(Lead)) or 0)


def stash_folder(embedded_hub: EmbeddedHub) -> Path:
    return embedded_hub.config.home / uploads.UPLOADS_DIR


def preview(client: Browser, name: str = "contacts.csv", content: bytes = CSV) -> str:
    answer = upload(client, "/workspace/leads/import", name, content, media_type="text/csv")
    assert answer.status_code == 200, answer.text[:500]
    return answer.text


def test_an_import_is_previewed_then_confirmed(
    embedded_hub: EmbeddedHub, people: People, browser: Callable[[str], Browser]
) -> None:
    h = admin_hub(embedded_hub)
    client = browser(MARKETER_EMAIL)
    page = preview(client)
    text = " ".join(page.split())
    assert "Dry run of <strong>contacts.csv</strong> (hubspot)" in text
    for figure in (
        '2</span><span class="stat-label">new leads',
        '1</span><span class="stat-label">assigned to reps',
        '2</span><span class="stat-label">rows skipped',
    ):
        assert figure in text, figure
    assert '<td class="num">3</td><td>email &#39;not an email&#39; is not an email address' in text
    assert '<td class="num">4</td><td>score &#39;lots&#39; is not a whole number' in text
    assert lead_count(embedded_hub) == 0 and actions(h, MARKETER_EMAIL) == []
    stashed = list(stash_folder(embedded_hub).iterdir())
    assert len(stashed) == 1 and (stashed[0] / "file.upload").read_bytes() == CSV
    assert oct((stashed[0]).stat().st_mode & 0o777) == "0o700"
    upload_id = _UPLOAD_ID.search(page)
    assert upload_id is not None

    # Another user's session cannot import (or delete) this upload.
    other = browser(ADMIN_EMAIL)
    stolen = other.post_form("/workspace/leads/import/confirm", {"upload": upload_id.group(1)})
    assert stolen.status_code == 400 and "upload the file again" in stolen.text
    other.post_form("/workspace/leads/import/cancel", {"upload": upload_id.group(1)})
    assert lead_count(embedded_hub) == 0 and len(list(stash_folder(embedded_hub).iterdir())) == 1

    done = client.post_form("/workspace/leads/import/confirm", {"upload": upload_id.group(1)})
    shown = flash_after(client, done)
    assert "Imported contacts.csv (hubspot): 2 new, 0 updated" in shown
    assert "1 assigned to reps. 2 row(s) skipped." in shown
    assert lead_count(embedded_hub) == 2
    with embedded_hub.state.db.read() as session:
        priya = session.scalars(select(Lead).where(Lead.external_id == "901")).one()
    assert priya.owner_rep_id == people.rep
    assert upserts(h, people.rep, "lead") == {priya.id}
    assert actions(h, MARKETER_EMAIL) == [(MARKETER_EMAIL, "leads.import", "contacts.csv")]
    assert list(stash_folder(embedded_hub).iterdir()) == []

    replay = client.post_form("/workspace/leads/import/confirm", {"upload": upload_id.group(1)})
    assert replay.status_code == 400 and lead_count(embedded_hub) == 2


def test_a_cancelled_or_unreadable_upload_is_deleted_and_changes_nothing(
    embedded_hub: EmbeddedHub, people: People, browser: Callable[[str], Browser]
) -> None:
    h = admin_hub(embedded_hub)
    client = browser(MARKETER_EMAIL)
    upload_id = _UPLOAD_ID.search(preview(client))
    assert upload_id is not None
    cancelled = client.post_form("/workspace/leads/import/cancel", {"upload": upload_id.group(1)})
    assert "Import cancelled" in flash_after(client, cancelled)
    assert list(stash_folder(embedded_hub).iterdir()) == []

    log_before = change_log_size(h)
    bad = [
        ("brochure.pdf", b"%PDF-1.7\n...", "brochure.pdf&#39; is a PDF document, not a CSV"),
        ("empty.csv", b"   \n", "empty.csv&#39; is empty"),
        ("notes.csv", b"colour,size\nred,2\n", "is not one repdesk knows"),
    ]
    for name, content, message in bad:
        answer = upload(client, "/workspace/leads/import", name, content)
        assert answer.status_code == 400, answer.text[:300]
        assert "Nothing imported:" in answer.text and message in answer.text, answer.text[:2000]
        assert "file.upload" not in answer.text and str(embedded_hub.config.home) not in answer.text
    no_file = client.post_form("/workspace/leads/import")
    assert no_file.status_code == 400 and "Choose a file" in no_file.text
    for forged in ("../../hub.db", "x" * 32):
        refused = client.post_form("/workspace/leads/import/confirm", {"upload": forged})
        assert refused.status_code == 400 and "upload the file again" in refused.text
    assert list(stash_folder(embedded_hub).iterdir()) == []
    assert (
        lead_count(embedded_hub) == 0
        and change_log_size(h) == log_before
        and actions(h, MARKETER_EMAIL) == []
    )


def test_old_stashed_uploads_are_swept(embedded_hub: EmbeddedHub, people: People) -> None:
    h = admin_hub(embedded_hub)
    root = uploads.uploads_root(h)
    (root / ("a" * 32)).mkdir()
    (root / "upload-left-over.tmp").write_bytes(b"x")
    assert uploads.sweep(h, max_age=3600) == 0
    assert uploads.sweep(h, max_age=-1) == 2
    assert list(root.iterdir()) == []


def _leads(embedded_hub: EmbeddedHub) -> dict[str, str]:
    db = embedded_hub.state.db
    return {
        "retail-de": seed.add_lead(db, None, company="A", industry="Retail", country="Germany"),
        "retail-fr": seed.add_lead(db, None, company="B", industry="Retail", country="France"),
        "finance": seed.add_lead(db, None, company="C", industry="Finance", country="Germany"),
    }


def test_assigning_by_rule_is_previewed_then_done(
    embedded_hub: EmbeddedHub, people: People, browser: Callable[[str], Browser]
) -> None:
    h = admin_hub(embedded_hub)
    leads = _leads(embedded_hub)
    client = browser(MARKETER_EMAIL)
    assert f'<option value="{REP_EMAIL}"' in client.get("/workspace/leads").text
    rule = {"rep": REP_EMAIL, "field0": "industry", "value0": "retail"}
    shown = client.post_form("/workspace/leads/assign/preview", rule)
    assert shown.status_code == 200
    text = " ".join(shown.text.split())
    assert f"<strong>2</strong> lead(s) would be assigned to <strong>{REP_EMAIL}</strong>" in text
    assert "Leads where industry is retail." in text
    assert upserts(h, people.rep, "lead") == set() and actions(h, MARKETER_EMAIL) == []

    done = client.post_form("/workspace/leads/assign", rule)
    assert "Assigned 2 lead(s) to rita@example.test" in flash_after(client, done)
    assert upserts(h, people.rep, "lead") == {leads["retail-de"], leads["retail-fr"]}
    assert actions(h, MARKETER_EMAIL) == [(MARKETER_EMAIL, "leads.assign", REP_EMAIL)]

    # Unassign: preview, then take back the German one.
    take = {"rep": REP_EMAIL, "field0": "country", "value0": "germany"}
    count = client.post_form("/workspace/leads/unassign/preview", take)
    assert "<strong>1</strong> lead(s) would be taken back" in " ".join(count.text.split())
    assert upserts(h, people.rep, "lead") == {leads["retail-de"], leads["retail-fr"]}
    gone = client.post_form("/workspace/leads/unassign", take)
    assert "Unassigned 1 lead(s)" in flash_after(client, gone)
    assert upserts(h, people.rep, "lead") == {leads["retail-fr"]}
    assert actions(h, MARKETER_EMAIL)[-1] == (MARKETER_EMAIL, "leads.unassign", REP_EMAIL)

    nothing = client.post_form("/workspace/leads/assign/preview", {**rule, "value0": "mining"})
    assert "No lead matches" in nothing.text and '/workspace/leads/assign"' not in nothing.text


def test_bad_rules_are_refused_and_change_nothing(
    embedded_hub: EmbeddedHub, people: People, browser: Callable[[str], Browser]
) -> None:
    h = admin_hub(embedded_hub)
    _leads(embedded_hub)
    disabled = seed.add_rep(embedded_hub.state.db, "dora@example.test", "x" * 12, disabled=True)
    assert disabled
    client = browser(MARKETER_EMAIL)
    log_before = change_log_size(h)
    bad = [
        ("assign", {"rep": "nobody@example.test"}, "There is no rep with the email"),
        ("assign", {"rep": "dora@example.test"}, "dora@example.test is disabled"),
        ("assign", {}, "Choose the rep who gets the leads"),
        ("assign", {"rep": REP_EMAIL, "field0": "industry"}, "Give a value for Industry"),
        ("assign", {"rep": REP_EMAIL, "field0": "shoe_size", "value0": "9"}, "cannot filter on"),
        ("assign", {"rep": REP_EMAIL, "limit": "0"}, "The limit must be a whole number"),
        ("assign", {"rep": REP_EMAIL, "field0": "campaign", "value0": "X"}, "no campaign named"),
        ("unassign", {}, "Choose a rep or at least one condition"),
        ("unassign", {"rep": "nobody@example.test"}, "There is no rep with the email"),
    ]
    for action, data, message in bad:
        for step in (f"/workspace/leads/{action}/preview", f"/workspace/leads/{action}"):
            answer = client.post_form(step, data)
            assert answer.status_code == 400 and message in answer.text, (step, data)
    # The form comes back as typed.
    again = client.post_form("/workspace/leads/assign/preview", bad[3][1])
    assert '<option value="industry" selected>' in again.text
    assert upserts(h, people.rep, "lead") == set()
    assert change_log_size(h) == log_before and actions(h, MARKETER_EMAIL) == []
