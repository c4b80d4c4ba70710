"""Lead and nurture-history importers on real-shaped Salesforce/HubSpot/repdesk files."""

from __future__ import annotations

import codecs
import csv
import io
import json
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from repdesk.domain.errors import ValidationError
from repdesk.domain.leads import LeadStatus, LifecycleStage, NurtureEventType
from repdesk.hub.importers import ImportFileError, parse_events, parse_leads

DATA = Path(__file__).parent / "data"


def test_salesforce_export_maps_columns_and_reports_bad_rows_by_physical_line() -> None:
    result = parse_leads(DATA / "salesforce_leads.csv")
    assert result.format == "salesforce"
    by_id = {r.external_id: r for r in result.records}
    assert sorted(by_id) == [
        "00Q8d000004xYz1EAE",
        "00Q8d000004xYz2EAE",
        "00Q8d000004xYz3EAE",
        "00Q8d000004xYz6EAE",
    ]
    first = by_id["00Q8d000004xYz1EAE"]
    assert first.line == 2
    assert (first.first_name, first.last_name) == ("Chidi", "Okafor")
    assert first.company == "Northwind Logistics, Inc."
    assert first.marketing_notes == 'Met at booth 14.\nAsked about SSO, and pricing "per seat".'
    assert (first.lifecycle_stage, first.lead_status) == (LifecycleStage.MQL, LeadStatus.NEW)
    assert first.score == 80  # Rating "Hot"
    assert first.company_size == 1200
    assert first.created_at is not None and first.created_at.isoformat().startswith(
        "2024-03-01T14:22:05"
    )
    assert first.source == "Trade Show"
    # the embedded newline pushes every later record one physical line down
    assert by_id["00Q8d000004xYz2EAE"].line == 4
    assert by_id["00Q8d000004xYz2EAE"].lead_status is LeadStatus.IN_PROGRESS
    assert by_id["00Q8d000004xYz3EAE"].lead_status is LeadStatus.CONVERTED
    assert by_id["00Q8d000004xYz6EAE"].company_size == 3400
    assert by_id["00Q8d000004xYz6EAE"].lead_status is LeadStatus.NURTURE  # custom picklist
    errors = {e.line: e.reason for e in result.errors}
    assert sorted(errors) == [7, 8, 10]
    assert "not-an-email" in errors[7]
    assert "lots" in errors[8]
    assert "line 2" in errors[10]


def test_hostile_strings_are_kept_verbatim_as_data() -> None:
    result = parse_leads(DATA / "salesforce_leads.csv")
    lead = next(r for r in result.records if r.external_id == "00Q8d000004xYz3EAE")
    assert lead.first_name == "<script>alert(1)</script>"
    assert lead.last_name == "<b>Smith</b>"
    assert lead.company == "Acme & Sons"


def test_hubspot_export_maps_lifecycle_labels_and_internal_names() -> None:
    result = parse_leads(DATA / "hubspot_contacts.csv")
    assert result.format == "hubspot"
    by_id = {r.external_id: r for r in result.records}
    assert by_id["51"].lifecycle_stage is LifecycleStage.MQL
    assert by_id["51"].owner == "alex@demo.repdesk"
    assert by_id["51"].score == 72
    assert by_id["52"].lifecycle_stage is LifecycleStage.SQL
    assert by_id["52"].lead_status is LeadStatus.IN_PROGRESS
    assert by_id["53"].company == "Wayne, Enterprises"
    assert by_id["53"].lead_status is LeadStatus.ATTEMPTED_TO_CONTACT
    assert [(e.line, "13/02/2024" in e.reason) for e in result.errors] == [(6, True)]
    assert "Last Activity Date" in result.extra_columns


def test_repdesk_jsonl_reports_broken_lines_and_unknown_fields() -> None:
    result = parse_leads(DATA / "repdesk_leads.jsonl")
    assert result.format == "repdesk-jsonl"
    assert [(r.external_id, r.line) for r in result.records] == [("rd-1", 1), ("rd-2", 3)]
    assert result.records[0].source == "Spring Webinar Series"
    assert result.records[1].score == 12
    assert [e.line for e in result.errors] == [4, 5, 6]
    assert "frist_name" in result.errors[1].reason


HUBSPOT_HEADER = ["Record ID", "First Name", "Last Name", "Email", "Company Name", "Job Title"]


def _write(path: Path, text: str, encoding: str) -> Path:
    path.write_bytes(text.encode(encoding))
    return path


@pytest.mark.parametrize(
    ("encoding", "bom"),
    [("cp1252", b""), ("latin-1", b""), ("utf-16", b""), ("utf-8", codecs.BOM_UTF8)],
)
def test_odd_encodings_are_detected(tmp_path: Path, encoding: str, bom: bytes) -> None:
    rows = [
        HUBSPOT_HEADER,
        ["1", "Jérôme", "Müller", "jerome@example.com", "Société Générale", "Directeur général"],
        ["2", "Zoë", "Ångström", "zoe@example.com", "Café Crème SàRL", "Responsable achats"],
        ["3", "Françoise", "Dupré", "f@example.com", "Électricité de France", "Ingénieure"],
    ]
    delimiter = "\t" if encoding == "utf-16" else ","  # Excel's "Unicode text" is tab-separated
    buf = io.StringIO()
    csv.writer(buf, delimiter=delimiter, lineterminator="\r\n").writerows(rows)
    path = tmp_path / "contacts.csv"
    path.write_bytes(bom + buf.getvalue().encode(encoding))
    result = parse_leads(path)
    assert result.errors == []
    assert [r.first_name for r in result.records] == ["Jérôme", "Zoë", "Françoise"]
    assert result.records[0].company == "Société Générale"


def test_excel_eu_semicolon_file_with_commas_inside_cells(tmp_path: Path) -> None:
    text = (
        "Record ID;First Name;Last Name;Email;Company Name;Number of Employees\r\n"
        "1;Lena;Vogel;lena@example.de;Vogel, Sohn & Co. KG;1.200\r\n"
        '2;Jan;de Vries;jan@example.nl;"Quoted; with semicolon";80\r\n'
    )
    result = parse_leads(_write(tmp_path / "eu.csv", text, "cp1252"))
    assert result.errors == []
    assert [r.company for r in result.records] == ["Vogel, Sohn & Co. KG", "Quoted; with semicolon"]
    assert result.records[0].company_size == 1200


def test_short_rows_and_overlong_rows(tmp_path: Path) -> None:
    text = "Record ID,First Name,Last Name,Email\n1,Ann\n2,Bob,Ray,bob@example.com,extra,cells\n"
    result = parse_leads(_write(tmp_path / "ragged.csv", text, "utf-8"))
    assert [r.external_id for r in result.records] == ["1"]
    assert [e.line for e in result.errors] == [3]


def test_an_unclosed_quote_is_reported_with_the_lines_it_swallowed(tmp_path: Path) -> None:
    text = (
        "Record ID,First Name,Last Name,Email,Company Name\n"
        '1,Ann,Lee,ann@x.com,"Acme\n'
        "2,Bob,Ray,bob@x.com,Beta\n"
        "3,Cy,Doe,cy@x.com,Gamma\n"
        '4,Di,Ode,di@x.com,"Delta"\n'
    )
    result = parse_leads(_write(tmp_path / "unclosed.csv", text, "utf-8"))
    # Nothing vanishes silently: the broken record names every line it ran into.
    assert [e.line for e in result.errors] == [2]
    assert "never closed" in result.errors[0].reason
    assert "lines 2-" in result.errors[0].reason


def test_a_field_the_csv_module_refuses_is_one_row_error_not_a_failed_import(
    tmp_path: Path,
) -> None:
    huge = "x" * (csv.field_size_limit() + 10)
    text = (
        "Record ID,First Name,Last Name,Email,Company Name\n"
        f"1,Ann,Lee,ann@x.com,{huge}\n"
        "2,Bob,Ray,bob@x.com,Beta\n"
    )
    result = parse_leads(_write(tmp_path / "huge.csv", text, "utf-8"))
    assert [e.line for e in result.errors] == [2]
    assert "could not be read" in result.errors[0].reason
    assert [r.external_id for r in result.records] == ["2"]


def test_a_multi_line_description_is_still_one_good_row(tmp_path: Path) -> None:
    text = (
        "Id,FirstName,LastName,Company,Email,Description\n"
        '00Q1,Ann,Lee,Acme,ann@x.com,"Met at the booth, asked about pricing.\n'
        'Wants a demo, next week."\n'
        "00Q2,Bob,Ray,Beta,bob@x.com,\n"
    )
    result = parse_leads(_write(tmp_path / "multiline.csv", text, "utf-8"))
    assert result.errors == []
    assert [r.external_id for r in result.records] == ["00Q1", "00Q2"]


def test_same_id_with_different_content_keeps_the_first(tmp_path: Path) -> None:
    text = "Record ID,First Name,Email\n7,Ann,ann@example.com\n7,Annie,ann@example.com\n"
    result = parse_leads(_write(tmp_path / "dupe.csv", text, "utf-8"))
    assert [r.first_name for r in result.records] == ["Ann"]
    assert result.errors[0].line == 3
    assert "line 2" in result.errors[0].reason


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (b"", "empty"),
        (b"\r\n\r\n  \n", "empty"),
        (b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj", "PDF"),
        (b"PK\x03\x04\x14\x00\x06\x00", "Excel"),
        (bytes(range(256)) * 8, "not a text file"),
        (b"name,age\nann,3\n", "Record ID"),
        (b'[{"external_id": "1"}]', "JSONL"),
    ],
)
def test_a_file_that_is_not_an_export_is_one_clear_error(
    tmp_path: Path, content: bytes, expected: str
) -> None:
    path = tmp_path / "leads.csv"
    path.write_bytes(content)
    with pytest.raises(ImportFileError) as info:
        parse_leads(path)
    assert expected in str(info.value)
    assert isinstance(info.value, ValidationError)


def test_unknown_header_names_the_expected_columns(tmp_path: Path) -> None:
    path = _write(tmp_path / "x.csv", "Vorname,Nachname,Firma\nA,B,C\n", "utf-8")
    with pytest.raises(ImportFileError) as info:
        parse_leads(path)
    message = str(info.value)
    assert "Vorname" in message
    assert "FirstName" in message and "First Name" in message and "external_id" in message


def test_missing_file_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(ImportFileError, match="Cannot read"):
        parse_leads(tmp_path / "nope.csv")


def test_events_csv_keyed_by_id_or_email() -> None:
    result = parse_events(DATA / "events.csv")
    assert result.format == "csv"
    kinds = [(r.line, r.type) for r in result.records]
    assert kinds == [
        (2, NurtureEventType.EMAIL_SENT),
        (3, NurtureEventType.EMAIL_OPENED),
        (4, NurtureEventType.EVENT_BOOTH),
    ]
    booth = result.records[2]
    assert booth.lead_email == "asa.lindqvist@fjall.example"
    assert booth.score_delta == 10
    assert booth.detail == 'Scanned by Sam, said "call me in May"'
    reasons = {e.line: e.reason for e in result.errors}
    assert sorted(reasons) == [5, 6, 7, 8]
    assert "teleport" in reasons[6] and "email_opened" in reasons[6]
    assert "yesterday" in reasons[7]
    assert "line 3" in reasons[8]


def test_events_jsonl_and_bad_header(tmp_path: Path) -> None:
    lines = [
        json.dumps(
            {
                "lead_external_id": "a",
                "type": "webinar_attended",
                "occurred_at": "2024-05-01T15:00:00+02:00",
                "campaign": "Webinars",
            }
        ),
        json.dumps({"email": "b@example.com", "type": "download", "occurred_at": "2024-05-02"}),
        json.dumps({"email": "b@example.com", "occurred_at": "2024-05-02"}),
    ]
    result = parse_events(_write(tmp_path / "e.jsonl", "\n".join(lines), "utf-8"))
    assert [r.type for r in result.records] == [
        NurtureEventType.WEBINAR_ATTENDED,
        NurtureEventType.CONTENT_DOWNLOAD,
    ]
    assert result.records[0].occurred_at.hour == 13  # normalised to UTC
    assert [e.line for e in result.errors] == [3]
    with pytest.raises(ImportFileError, match="occurred_at"):
        parse_events(_write(tmp_path / "bad.csv", "who,what\nx,y\n", "utf-8"))


_cell = st.text(
    alphabet=st.characters(blacklist_categories=("Cs", "Cc"), blacklist_characters="\x00"),
    max_size=40,
) | st.sampled_from(['a, "quoted" b', "line\r\nbreak", "<img src=x onerror=alert(1)>", "é;ß"])


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    rows=st.lists(st.tuples(_cell, _cell, _cell, _cell), min_size=1, max_size=8),
    delimiter=st.sampled_from([",", ";", "\t"]),
    crlf=st.booleans(),
)
def test_csv_round_trip(
    tmp_path: Path, rows: list[tuple[str, str, str, str]], delimiter: str, crlf: bool
) -> None:
    """Whatever text marketing's cells hold, it comes back verbatim with its physical line."""
    buf = io.StringIO()
    writer = csv.writer(buf, delimiter=delimiter, lineterminator="\r\n" if crlf else "\n")
    writer.writerow(HUBSPOT_HEADER)
    expected_lines = []
    for i, (first, last, company, title) in enumerate(rows):
        expected_lines.append(len(io.StringIO(buf.getvalue(), newline="").readlines()) + 1)
        writer.writerow([str(i + 1), first, last, f"p{i}@example.com", company, title])
    path = tmp_path / "round.csv"
    path.write_bytes(buf.getvalue().encode("utf-8"))
    result = parse_leads(path)
    assert result.errors == []
    got = [(r.line, r.first_name, r.last_name, r.company, r.title) for r in result.records]
    want = [
        (line, f.strip(), la.strip(), c.strip(), t.strip())
        for line, (f, la, c, t) in zip(expected_lines, rows, strict=True)
    ]
    assert got == want


# --- encodings: Windows exports are UTF-8 or cp1252; anything else is a guess, said so ---

WESTERN_LOCALES = ["es_ES", "fr_FR", "de_DE", "pt_BR"]


def _faker_rows(locales: list[str], encoding: str, seed: int, n: int = 40) -> list[list[str]]:
    """Salesforce-shaped rows of seeded Faker people that `encoding` can hold."""
    from faker import Faker

    fake = Faker(locales)
    fake.seed_instance(seed)
    rows: list[list[str]] = []
    while len(rows) < n:
        first, last, company = fake.first_name(), fake.last_name(), fake.company()
        try:
            (first + last + company).encode(encoding)
        except UnicodeEncodeError:
            continue
        rows.append([f"00Q{seed:03d}{len(rows):05d}", first, last, company])
    return rows


def _salesforce_file(path: Path, rows: list[list[str]], encoding: str) -> Path:
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\r\n")
    writer.writerow(["Id", "FirstName", "LastName", "Company", "Email"])
    for external_id, first, last, company in rows:
        writer.writerow([external_id, first, last, company, f"{external_id}@example.com"])
    path.write_bytes(buf.getvalue().encode(encoding))
    return path


def test_cp1252_exports_of_western_european_names_are_read_exactly(tmp_path: Path) -> None:
    """charset-normalizer alone calls most of these cp1250 (Ñúñez -> Ńúńez, naïve -> naďve)."""
    accented = 0
    for seed in range(30):
        rows = _faker_rows(WESTERN_LOCALES, "cp1252", seed)
        path = _salesforce_file(tmp_path / f"export-{seed}.csv", rows, "cp1252")
        result = parse_leads(path)
        assert result.errors == []
        got = [(r.external_id, r.first_name, r.last_name, r.company) for r in result.records]
        assert got == [tuple(row) for row in rows], f"seed {seed} read as {result.encoding}"
        assert (result.encoding, result.encoding_how) == ("cp1252", "cp1252")
        accented += sum(not "".join(row).isascii() for row in rows)
    assert accented > 300, "the files must hold many accented names to prove anything"


@pytest.mark.parametrize(
    ("locales", "encoding", "how"),
    [
        (WESTERN_LOCALES, "utf-8", "UTF-8"),
        (WESTERN_LOCALES, "utf-8-sig", "BOM"),
        (WESTERN_LOCALES, "cp1252", "cp1252"),
        # Polish in cp1250 is valid cp1252 byte for byte, but reads as £ód¿, Micha³.
        (["pl_PL"], "cp1250", "guessed"),
        # Russian in cp1251 reads as cp1252 letters, nearly all of them accented.
        (["ru_RU"], "cp1251", "guessed"),
    ],
)
def test_encoding_is_chosen_in_order_and_says_how(
    tmp_path: Path, locales: list[str], encoding: str, how: str
) -> None:
    rows = _faker_rows(locales, encoding, seed=7)
    result = parse_leads(_salesforce_file(tmp_path / "export.csv", rows, encoding))
    got = [(r.external_id, r.first_name, r.last_name, r.company) for r in result.records]
    assert got == [tuple(row) for row in rows]
    assert result.encoding_how == how
    if how == "guessed":
        assert result.encoding == codecs.lookup(encoding).name
    # The sample shows what was decoded, accented names first, so mojibake is visible.
    assert len(result.sample) == 5 and not result.sample[0].isascii()


def test_a_byte_cp1252_does_not_define_rules_cp1252_out(tmp_path: Path) -> None:
    # Czech in cp1250: "ť" is 0x9D, undefined in cp1252.
    path = _write(
        tmp_path / "cz.csv", "Record ID,First Name,Email\n1,Šťastný,a@example.cz\n", "cp1250"
    )
    result = parse_leads(path)
    assert result.encoding_how == "guessed"


def test_a_forced_encoding_is_used_and_checked(tmp_path: Path) -> None:
    path = _write(
        tmp_path / "f.csv", "Record ID,First Name,Email\n1,Zoë,z@example.com\n", "latin-1"
    )
    result = parse_leads(path, encoding="latin-1")
    assert (result.encoding, result.encoding_how) == ("iso8859-1", "forced")
    assert result.records[0].first_name == "Zoë"
    with pytest.raises(ImportFileError, match=r"not valid utf-8 text \(line 2"):
        parse_leads(path, encoding="utf-8")
    with pytest.raises(ImportFileError, match="'klingon' is not an encoding"):
        parse_leads(path, encoding="klingon")
