"""Imports stream the file and write it in batches: the same outcome as one row at a time
(duplicates by line, merges, owners, the change log), on SQLite and PostgreSQL, and a
report that stays small however many rows are bad."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import select, text
from tests.hub.admin_helpers import upserts

from repdesk.hub import admin
from repdesk.hub.admin import imports
from repdesk.hub.cli.main import EXIT_PARTIAL, main
from repdesk.hub.db.models import Lead, NurtureEvent
from repdesk.hub.importers.leads import LeadStream
from repdesk.hub.importers.result import BoundedErrors, ImportFileError
from repdesk.hub.importers.worker import batches_read_elsewhere


@pytest.mark.parametrize("parallel", [False, True], ids=["one-process", "reader-process"])
def test_batches_give_the_same_result_as_one_row_at_a_time(
    hub_admin_each_db: admin.Hub, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, parallel: bool
) -> None:
    monkeypatch.setattr(imports, "BATCH", 2)
    ann, _ = admin.add_rep(hub_admin_each_db, "ann@example.com", "Ann")
    sheet = tmp_path / "leads.csv"
    sheet.write_text(
        "external_id,first_name,last_name,company,email,owner\n"
        ",Mia,Chen,Soylent,mia@soylent.example,\n"  # 2: email only
        "A1,Bob,Ray,Beta,bob@example.com,ann@example.com\n"  # 3: assigned
        "A2,Cy,Doe,Gamma,cy@example.com,\n"  # 4
        "A3,Mia,Chen,Soylent,mia@soylent.example,\n"  # 5: merges into line 2's lead
        "A1,Bob,Ray,Beta,bob@example.com,ann@example.com\n"  # 6: same row as 3
        "A2,Cyril,Doe,Gamma,cy@example.com,\n"  # 7: same id as 4, other content
        "A4,Di,Ode,Delta,di@example.com,ann@example.com\n",  # 8
        encoding="utf-8",
    )
    report = admin.import_leads(hub_admin_each_db, sheet, parallel=parallel)
    assert (report.created, report.updated, report.assigned) == (4, 1, 2)
    assert report.sample == ("Mia Chen", "Bob Ray", "Cy Doe", "Di Ode")
    assert [(e.line, e.reason) for e in report.errors] == [
        (6, "the same row as line 3; kept line 3"),
        (7, "the same id/email as line 4; kept line 4"),
    ]
    assert report.skipped == 2
    with hub_admin_each_db.db.read() as session:
        leads = {lead.email: lead for lead in session.scalars(select(Lead))}
    assert leads["mia@soylent.example"].external_id == "A3"
    assert leads["cy@example.com"].first_name == "Cy"
    assert upserts(hub_admin_each_db, ann.id, "lead") == {
        leads["bob@example.com"].id,
        leads["di@example.com"].id,
    }
    # Again, now every row matches a lead already there (found across batches).
    again = admin.import_leads(hub_admin_each_db, sheet, parallel=parallel)
    assert (again.created, again.updated, again.unchanged, again.assigned) == (0, 0, 5, 0)

    events = tmp_path / "events.csv"
    events.write_text(
        "lead_external_id,email,type,occurred_at,campaign\n"
        "A1,,web_visit,2024-04-01,Spring\n"
        ",bob@example.com,web_visit,2024-04-01,Spring\n"  # the same event, by email
        "A2,,email_opened,2024-04-02,Spring\n"
        "ZZ,,email_opened,2024-04-02,Spring\n"  # no such lead
        "A4,,form_fill,2024-04-03,Autumn\n",
        encoding="utf-8",
    )
    report_e = admin.import_events(hub_admin_each_db, events)
    assert (report_e.created, report_e.already_there, report_e.campaigns_created) == (3, 1, 2)
    assert [e.line for e in report_e.errors] == [5]
    with hub_admin_each_db.db.read() as session:
        assert len(session.scalars(select(NurtureEvent)).all()) == 3
    assert len(upserts(hub_admin_each_db, ann.id, "nurture_event")) == 2  # A1's and A4's, not A2's


def test_a_file_of_bad_rows_keeps_the_first_errors_and_counts_the_rest(
    hub_admin_each_db: admin.Hub,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    rows = ["Record ID,First Name,Email", "1,Ann,ann@example.com"]
    rows += [f"{i},Bad,not-an-email-{i}" for i in range(2, 2502)]
    sheet = tmp_path / "bad.csv"
    sheet.write_text("\n".join(rows) + "\n", encoding="utf-8")
    report = admin.import_leads(hub_admin_each_db, sheet, dry_run=True)
    assert (report.created, report.skipped) == (1, 2500)
    assert len(report.errors) == imports.MAX_KEPT_ERRORS
    assert [e.line for e in report.errors[:2]] == [3, 4]
    monkeypatch.setenv("REPDESK_HUB_DATABASE_URL", hub_admin_each_db.db.url)
    code = main(
        ["--home", str(hub_admin_each_db.config.home), "import", "leads", str(sheet), "--dry-run"]
    )
    err = capsys.readouterr().err
    assert code == EXIT_PARTIAL
    assert "2500 row(s) skipped" in err and "... and 2480 more" in err


def test_a_file_gone_before_the_reader_process_reads_it_is_a_plain_error(
    tmp_path: Path,
) -> None:
    """The reader process opens the file again: if it cannot, the import stops with a
    sentence naming the file, not a traceback from the other process."""
    sheet = tmp_path / "leads.csv"
    sheet.write_text("external_id,email\nA1,ann@example.com\n", encoding="utf-8")
    stream = LeadStream(sheet)
    sheet.unlink()
    with pytest.raises(ImportFileError, match=r"Cannot read .*leads\.csv.*nothing was imported"):
        list(batches_read_elsewhere(stream, 10, BoundedErrors()))


def test_an_import_read_in_a_second_process_has_the_same_outcome(
    hub_admin: admin.Hub, tmp_path: Path
) -> None:
    """A file read in a second process (`parallel=True`) beside the writing: errors by line,
    the names sample and every lead as a one-process import of the same file gives."""
    lines = ["Id,FirstName,LastName,Company,Email,Status,Rating"]
    for i in range(3000):
        email = "not-an-email" if i % 700 == 5 else f"p{i}@example.com"
        lines.append(f"00Q{i:06d},Zoë,Núñez {i},Acme,{email},Working - Contacted,Hot")
    sheet = tmp_path / "leads.csv"
    sheet.write_text("\n".join(lines) + "\n", encoding="utf-8")
    alone = admin.import_leads(hub_admin, sheet, dry_run=True, parallel=False)
    beside = admin.import_leads(hub_admin, sheet, parallel=True)
    assert (beside.created, beside.skipped) == (alone.created, alone.skipped) == (2995, 5)
    assert beside.errors == alone.errors
    assert [e.line for e in beside.errors] == [7, 707, 1407, 2107, 2807]
    assert beside.sample == alone.sample
    with hub_admin.db.read() as session:
        stored = session.scalars(select(Lead).where(Lead.external_id == "00Q002999")).one()
    assert (stored.last_name, stored.lead_status, stored.score) == ("Núñez 2999", "in_progress", 80)


def _index_sql(hub: admin.Hub) -> list[tuple[str, str]]:
    with hub.db.read() as session:
        rows = session.execute(
            text(
                "SELECT name, sql FROM sqlite_master WHERE type = 'index'"
                " AND tbl_name IN ('leads', 'lead_facts') ORDER BY name"
            )
        )
        return [(name, sql) for name, sql in rows]


def test_an_import_into_an_empty_hub_builds_the_indexes_after_the_load(
    hub_admin: admin.Hub, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """SQLite: the indexes dropped for the load are all back, with their own SQL, after a
    real import and after a dry run, and they hold every row (integrity_check); a lookup
    by email across batches (which needs its index mid-load) still matches."""
    monkeypatch.setattr(imports, "BATCH", 2)
    before = _index_sql(hub_admin)
    assert ("ix_leads_email",) in [(name,) for name, _ in before]
    sheet = tmp_path / "leads.csv"
    sheet.write_text(
        "external_id,first_name,email\n"
        ",Mia,mia@example.com\n"
        "A2,Bob,bob@example.com\n"
        "A3,Cy,cy@example.com\n"
        "A4,Mia,mia@example.com\n"  # merges into line 2's lead: found by email
        "A5,Di,di@example.com\n",
        encoding="utf-8",
    )
    dry = admin.import_leads(hub_admin, sheet, dry_run=True)
    assert (dry.created, dry.updated) == (4, 1)
    assert _index_sql(hub_admin) == before
    report = admin.import_leads(hub_admin, sheet)
    assert (report.created, report.updated) == (4, 1)
    assert _index_sql(hub_admin) == before
    with hub_admin.db.read() as session:
        assert session.execute(text("PRAGMA integrity_check")).scalar_one() == "ok"
        mia = session.scalars(select(Lead).where(Lead.email == "mia@example.com")).one()
        assert mia.external_id == "A4"


def test_a_script_without_a_main_guard_can_import_a_big_file(tmp_path: Path) -> None:
    """The reader process never runs the importing program's own script again (Python's
    multiprocessing "spawn" does, and a script without `if __name__ == "__main__"` then
    failed with a RuntimeError from the reader)."""
    sheet = tmp_path / "leads.csv"
    sheet.write_text("external_id,email\nA1,ann@example.com\nA2,bob@example.com\n", "utf-8")
    script = tmp_path / "script.py"
    script.write_text(
        "import sys\n"
        "from pathlib import Path\n"
        "from repdesk.hub import admin\n"
        "from repdesk.hub.config import HubConfig\n"
        "config = HubConfig.resolve(Path(sys.argv[1]))\n"
        "admin.init_hub(config)\n"
        "with admin.open_hub(config) as hub:\n"
        "    report = admin.import_leads(hub, Path(sys.argv[2]), parallel=True)\n"
        "print(report.created, report.skipped)\n",
        "utf-8",
    )
    done = subprocess.run(
        [sys.executable, str(script), str(tmp_path / "hub"), str(sheet)],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert (done.returncode, done.stdout.split()) == (0, ["2", "0"]), done.stderr[-2000:]
