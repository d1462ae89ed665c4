"""Hostile files at every way in (issue 11, point 4): a plain message naming the line, and
nothing written.

The matrix: each hostile file x each way a file comes in: the service the page and the
commands share (`import_folder_files`), `import_accounts` (accounts only), `import_data`,
and the import page (upload and preview, then confirm of the same stored bytes). Each
must answer with `line N: column: ...` (N the file's own line, header = line 1), leave
every table as it was, and never raise anything but the import's own refusal.
The API's bulk writes get the numbers of the matrix as JSON values.
"""

import io
import json
import random
from datetime import date

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse

from accounts.models import (
    Account,
    Activity,
    Initiative,
    Opportunity,
    Region,
    StageAdoption,
    UsageSnapshot,
)
from ingestion.models import Feed, ImportRecord
from ingestion.service import ImportFailed, import_folder_files
from people.models import User
from tests.api.conftest import bearer, integration_key

pytestmark = pytest.mark.django_db

ACCOUNTS = "external_id,name,region,parent_external_id,arr,licensed_users\n"
GOOD_ACCOUNT = "A-{n},Account {n},us-enterprise,,1000.00,50\n"
ACTIVITIES = "external_id,account_external_id,kind,occurred_on,notes,survey_kind,nps\n"
GOOD_ACTIVITY = "ACT-{n},STORED-1,cadence_call,2026-10-01,Call {n},,\n"
USAGE = "account_external_id,taken_on,licensed_users,active_users\n"
ADOPTIONS = "account_external_id,stage,enabled_on,users_share\n"


def _accounts(*rows: str, good_before: int = 1) -> bytes:
    good = "".join(GOOD_ACCOUNT.format(n=n) for n in range(good_before))
    return (ACCOUNTS + good + "".join(rows)).encode()


def _activities(*rows: str) -> bytes:
    return (ACTIVITIES + GOOD_ACTIVITY.format(n=0) + "".join(rows)).encode()


def _large_accounts_with_a_stray_quote(closed_on: int | None) -> bytes:
    """20,000 rows; line 7's name opens a quote that is not closed where it should be: the
    csv module reads on, line after line, to the next quote (on line `closed_on`) or until
    the cell is over its limit."""
    rows = [GOOD_ACCOUNT.format(n=n) for n in range(20_000)]
    rows[5] = 'A-5,"Acme, Inc,us-enterprise,,1000.00,50\n'
    if closed_on:
        rows[closed_on - 2] = f'A-{closed_on},"Zeta ""Z"" Corp",us-enterprise,,1000.00,50\n'
    return (ACCOUNTS + "".join(rows)).encode()


# (kind, file bytes, the expected start of the first problem, how many problems at least)
HOSTILE = {
    # Encodings: only UTF-8 (BOM or not) and UTF-16 with its BOM are read.
    "latin-1": ("accounts", _accounts("A-9,Café,us-enterprise,,1,1\n").decode().encode("latin-1"),
                "line 3: file: not UTF-8 text (byte 0xe9 at column 8)"),
    "cp1252-quotes": ("activities", _activities(
        "ACT-9,STORED-1,ebr,2026-10-02,\u201cgreat\u201d,,\n").decode().encode("cp1252"),
        "line 3: file: not UTF-8 text (byte 0x93 at column 31)"),
    "utf-16-without-bom": ("accounts", _accounts().decode().encode("utf-16-le"),
                           "line 1: file: holds NUL characters"),
    "binary-after-a-good-row": ("accounts", _accounts()
                                + bytes(random.Random(11).randrange(256) for _ in range(4096)),
                                "line 3: file: not UTF-8 text"),
    "binary-from-the-start": ("activities",
                              b"\xff\xd8\xff\xe0" + bytes(random.Random(5).randrange(256)
                                                          for _ in range(4096)),
                              "line 1: file: not UTF-8 text (byte 0xff at column 1)"),
    # NUL bytes.
    "nul-in-a-name": ("accounts", _accounts("A-9,Ac\x00me,us-enterprise,,1,1\n"),
                      "line 3: name: holds a NUL character"),
    "nul-in-notes": ("activities", _activities("ACT-9,STORED-1,ebr,2026-10-02,a\x00b,,\n"),
                     "line 3: notes: holds a NUL character"),
    # Huge cells, stray and unclosed quotes.
    "1-mb-cell": ("accounts", _accounts("A-9," + "x" * 1_000_000 + ",us-enterprise,,1,1\n"),
                  "line 3: file: not readable as CSV: a cell longer than 131,072 characters"),
    "1-mb-quoted-notes": ("activities", _activities(
        'ACT-9,STORED-1,ebr,2026-10-02,"' + "notes\n" * 170_000 + '",,\n'),
        "line 3: file: not readable as CSV: a cell longer than 131,072 characters"),
    "stray-quote-in-a-large-file": ("accounts", _large_accounts_with_a_stray_quote(None),
                                    "line 7: file: not readable as CSV: a cell longer than"),
    "stray-quote-closed-further-down": ("accounts", _large_accounts_with_a_stray_quote(1000),
                                        "line 7: file: not readable as CSV: a quote inside a "
                                        'quoted cell must be written twice ("") (the reader '
                                        "stopped on line 1000)"),
    "unclosed-quote-at-the-end": ("activities", _activities(
        'ACT-9,STORED-1,ebr,2026-10-02,"never closed,,\n'),
        "line 3: file: not readable as CSV: the file ends inside a quoted cell"),
    "quote-swallowing-rows": ("activities", _activities(
        'ACT-8,STORED-1,ebr,2026-10-02,"runs on,,\n', "ACT-9,STORED-1,ebr,2026-10-03,x,,\n",
        'ACT-10,STORED-1,ebr,2026-10-04,ends here"\n'),
        "line 3: row: has 5 cells, the header has 7 (it runs from line 3 to 5"),
    # Ragged rows.
    "too-few-cells": ("accounts", _accounts("A-9,Short,us-enterprise\n"),
                      "line 3: row: has 3 cells, the header has 6"),
    "too-many-cells": ("activities", _activities("ACT-9,STORED-1,ebr,2026-10-02,x,,,,extra\n"),
                       "line 3: row: has 9 cells, the header has 7"),
    # Numbers out of any range.
    "arr-1e30": ("accounts", _accounts("A-9,Big,us-enterprise,,1e30,1\n"),
                 "line 3: arr: too large"),
    "arr-negative": ("accounts", _accounts("A-9,Neg,us-enterprise,,-5,1\n"),
                     "line 3: arr: must not be negative"),
    "arr-nan": ("accounts", _accounts("A-9,NaN,us-enterprise,,NaN,1\n"),
                "line 3: arr: not a number"),
    "arr-infinity": ("accounts", _accounts("A-9,Inf,us-enterprise,,Infinity,1\n"),
                     "line 3: arr: not a number"),
    "arr-more-decimals-than-cents": ("accounts", _accounts("A-9,Fine,us-enterprise,,12.345,1\n"),
                                     "line 3: arr: more than 2 decimal places"),
    "users-beyond-bigint": ("accounts",
                            _accounts("A-9,Many,us-enterprise,,1,99999999999999999999999\n"),
                            "line 3: licensed_users: must be between 0 and 2147483647"),
    "users-5000-digits": ("accounts", _accounts("A-9,Many,us-enterprise,,1," + "9" * 5000 + "\n"),
                          "line 3: licensed_users: must be between 0 and 2147483647"),
    "nps-beyond-its-scale": ("activities", _activities(
        "ACT-9,STORED-1,survey_response,2026-10-02,,renewal,11\n"),
        "line 3: nps: must be between 0 and 10"),
    "nps-5000-digits": ("activities", _activities(
        "ACT-9,STORED-1,survey_response,2026-10-02,,renewal," + "1" * 5000 + "\n"),
        "line 3: nps: must be between 0 and 10"),
    "usage-negative": ("usage", (USAGE + "STORED-1,2026-10-01,-1,0\n").encode(),
                       "line 2: licensed_users: must be between 0 and 2147483647"),
    "share-more-decimals": ("stage_adoptions", (ADOPTIONS + "STORED-1,Plan,2026-01-05,0.33333\n")
                            .encode(), "line 2: users_share: more than 4 decimal places"),
    # Text the database cannot hold: a person's first name (up to the first space) over
    # the 150 characters of its column.
    "person-name-too-long": ("people", ("email,name\nann@example.com," + "A" * 151 + " B\n").encode(),
                             "line 2: name: the first name (up to the first space) and the rest"),
    # A cycle of parents through accounts already stored: STORED-2's parent is STORED-1.
    "parent-cycle-through-stored": ("accounts", _accounts(
        "STORED-1,Stored one,us-enterprise,STORED-2,1,1\n"),
        "line 3: parent_external_id: parents form a cycle: STORED-1 -> STORED-2 -> STORED-1"),
    "parent-cycle-file-and-stored": ("accounts", _accounts(
        "A-8,Eight,us-enterprise,STORED-2,1,1\n", "STORED-1,Stored one,us-enterprise,A-8,1,1\n"),
        "line 3: parent_external_id: parents form a cycle: A-8 -> STORED-2 -> STORED-1 -> A-8"),
}  # fmt: skip

WAYS = ["service", "import_accounts", "import_data", "page"]


@pytest.fixture
def stored(tam):
    """Two accounts already in the database, STORED-2 a child of STORED-1."""
    region = Region.objects.get(code="us-enterprise")
    parent = Account.objects.create(external_id="STORED-1", name="Stored one", region=region)
    Account.objects.create(external_id="STORED-2", name="Stored two", region=region, parent=parent)


def _tables() -> dict[str, int]:
    models = (Account, Activity, UsageSnapshot, StageAdoption, Opportunity, Initiative, User, Feed)
    return {model.__name__: model.objects.count() for model in models} | {
        "parents": Account.objects.filter(parent__isnull=False).count()
    }


def _problems_from(way: str, kind: str, content: bytes, tmp_path, client) -> list[str]:
    """Import `content` as a `kind` file the `way` given; the problems it printed."""
    path = tmp_path / f"{kind}.csv"
    path.write_bytes(content)
    if way == "service":
        with pytest.raises(ImportFailed) as failed:
            import_folder_files([(kind, path)])
        return [str(problem) for _, problem in failed.value.problems]
    if way in ("import_accounts", "import_data"):
        arguments = [str(path)] if way == "import_accounts" else [kind, str(path)]
        err = io.StringIO()
        with pytest.raises(CommandError, match="nothing was written"):
            call_command(way, *arguments, stdout=io.StringIO(), stderr=err)
        return err.getvalue().splitlines()
    return _problems_on_the_page(kind, path, content, client)


def _problems_on_the_page(kind, path, content, client) -> list[str]:
    with path.open("rb") as upload:
        response = client.post(reverse("imports"), {"kind": kind, "files": [upload]})
    assert response.status_code == 302
    record = ImportRecord.objects.get()
    assert record.status == ImportRecord.Status.FAILED
    previewed = [f"line {p['line']}: {p['column']}: {p['message']}" for p in record.problems]
    detail = client.get(reverse("import_detail", args=[record.pk]))
    assert detail.status_code == 200
    assert f"{len(previewed)} problem" in detail.content.decode()
    # Confirm the same stored bytes as if the preview had passed (the database may have
    # changed since): the import itself refuses them the same way.
    ImportRecord.objects.filter(pk=record.pk).update(
        status=ImportRecord.Status.PREVIEWED, problems=[]
    )
    assert client.post(reverse("import_confirm", args=[record.pk])).status_code == 302
    record.refresh_from_db()
    assert record.status == ImportRecord.Status.FAILED
    confirmed = [f"line {p['line']}: {p['column']}: {p['message']}" for p in record.problems]
    assert confirmed == previewed
    return confirmed


@pytest.mark.parametrize(
    ("case", "way"),
    [
        (case, way)
        for case, (kind, _, _) in HOSTILE.items()
        for way in WAYS
        if way != "import_accounts" or kind == "accounts"  # it reads accounts only
    ],
)
def test_a_hostile_file_is_refused_on_its_line_and_writes_nothing(
    case, way, stored, tmp_path, client, admin_user
):
    kind, content, expected = HOSTILE[case]
    client.force_login(admin_user)
    before = _tables()

    problems = _problems_from(way, kind, content, tmp_path, client)

    assert problems, "refused without a message"
    assert problems[0].startswith(expected), problems[:3]
    assert _tables() == before


@pytest.mark.parametrize(
    ("encoding", "prefix"),
    [("utf-8", b""), ("utf-8", b"\xef\xbb\xbf"), ("utf-16-le", b"\xff\xfe"),
     ("utf-16-be", b"\xfe\xff")],
    ids=["utf-8", "utf-8-bom", "utf-16-le-bom", "utf-16-be-bom"],
)  # fmt: skip
@pytest.mark.parametrize("line_ending", ["\n", "\r\n", "\r"], ids=["lf", "crlf", "cr"])
def test_utf8_and_utf16_with_its_mark_are_read_whatever_the_line_endings(
    encoding, prefix, line_ending, db, tmp_path
):
    """What Excel ("CSV UTF-8", "Unicode text"), Sheets and CRMs save; a quoted cell may
    hold a line break, and the line after it is still reported as its own line."""
    text = ACCOUNTS + 'A-1,"Société ""Ü"", two\nlines",us-enterprise,,10.50,5\n' + "A-2,Ω,x,,,\n"
    path = tmp_path / "accounts.csv"
    path.write_bytes(prefix + text.replace("\n", line_ending).encode(encoding))

    with pytest.raises(ImportFailed) as failed:
        import_folder_files([("accounts", path)])

    # A-1 is fine; A-2 (line 4, after the two lines of A-1) names a region that is not one.
    assert [str(problem) for _, problem in failed.value.problems] == [
        "line 4: region: unknown region 'x'"
    ]
    path.write_bytes(prefix + text.replace(",x,", ",us-enterprise,").encode(encoding))
    import_folder_files([("accounts", path)])
    assert dict(Account.objects.values_list("external_id", "name")) == {
        "A-1": 'Société "Ü", two\nlines',
        "A-2": "Ω",
    }


def test_every_problem_of_a_file_is_listed_even_after_chunks_were_written(db, tmp_path):
    """The file is written a chunk at a time while it is read: a problem 12,000 rows in
    (after two chunks were written) and one at the very end still leave nothing."""
    rows = [GOOD_ACCOUNT.format(n=n) for n in range(12_500)]
    rows[12_000] = "A-12000,Bad,us-enterprise,,-1,50\n"
    rows.append("A-0,Duplicate,us-enterprise,,1,1\n")
    path = tmp_path / "accounts.csv"
    path.write_text(ACCOUNTS + "".join(rows))

    with pytest.raises(ImportFailed) as failed:
        import_folder_files([("accounts", path)])

    assert [str(problem) for _, problem in failed.value.problems] == [
        "line 12002: arr: must not be negative: -1",
        "line 12502: external_id: duplicate of line 2 (A-0)",
    ]
    assert not Account.objects.exists()


def test_a_parent_further_down_a_large_file_is_linked(db, tmp_path):
    """Rows are written a chunk at a time: a parent that comes 6,000 rows after its child
    (in a later chunk) is linked once it is written."""
    rows = [GOOD_ACCOUNT.format(n=n) for n in range(6_001)]
    rows[0] = "A-0,Child,us-enterprise,A-6000,1000.00,50\n"
    path = tmp_path / "accounts.csv"
    path.write_text(ACCOUNTS + "".join(rows))

    (summary,) = import_folder_files([("accounts", path)])

    assert (summary.rows, summary.created) == (6_001, 6_001)
    assert Account.objects.get(external_id="A-0").parent.external_id == "A-6000"


# --- the API's bulk writes: the numbers of the matrix as JSON values ----------------------

API_NUMBERS = {
    "arr 1e30": ("accounts", "arr", "1e30", "too large"),
    "arr negative": ("accounts", "arr", "-5", "must not be negative"),
    "arr NaN": ("accounts", "arr", "NaN", "not a number"),
    "arr Infinity": ("accounts", "arr", "Infinity", "not a number"),
    "arr 12.345": ("accounts", "arr", "12.345", "more than 2 decimal places"),
    "users beyond bigint": ("accounts", "licensed_users", "1" + "0" * 25, "must be between"),
    "usage 1e400": ("usage", "licensed_users", "1e400", "not a whole number"),
    "usage negative": ("usage", "active_users", "-1", "must be between"),
    "nps 11": ("activities", "nps", "11", "must be between 0 and 10"),
    "share 2.5": ("stage_adoptions", "users_share", "2.5", "must be between 0 and 1"),
}
RECORDS = {
    "accounts": {"external_id": "A-1", "name": "One", "region": "us-enterprise", "arr": 1,
                 "licensed_users": 5},
    "usage": {"account_external_id": "STORED-1", "taken_on": "2026-10-01",
              "licensed_users": 10, "active_users": 5},
    "activities": {"external_id": "ACT-1", "account_external_id": "STORED-1",
                   "kind": "survey_response", "occurred_on": "2026-10-01",
                   "survey_kind": "renewal", "nps": 5},
    "stage_adoptions": {"account_external_id": "STORED-1", "stage": "Plan",
                        "enabled_on": "2026-01-05", "users_share": 0.5},
}  # fmt: skip


@pytest.mark.parametrize("case", list(API_NUMBERS))
def test_a_number_out_of_range_in_a_bulk_write_is_a_400_naming_record_and_field(case, stored):
    kind, field, number, message = API_NUMBERS[case]
    good = json.dumps(RECORDS[kind])
    bad = json.dumps(RECORDS[kind]).replace(
        f'"{field}": {json.dumps(RECORDS[kind][field])}', f'"{field}": {number}'
    )
    assert bad != good
    before = _tables()
    client = bearer(integration_key(can_write=True))

    response = client.post(f"/api/v1/{kind}/bulk/", f"[{good}, {bad}]", "application/json")

    assert response.status_code == 400, response.content
    first = response.json()["errors"][0]
    assert (first["index"], first["field"]) == (1, field)
    assert message in first["message"]
    assert _tables() == before


@pytest.mark.parametrize(
    ("kind", "field", "text", "message"),
    [
        ("activities", "notes", "a\x00b", "holds a NUL character"),
        ("accounts", "name", "One \ud800", "not text (a lone surrogate)"),
        ("usage", "account_external_id", "STORED-1\x00", "holds a NUL character"),
    ],
    ids=["nul-in-activity-notes", "surrogate-in-account-name", "nul-in-a-reference"],
)
def test_text_no_database_can_hold_in_a_bulk_write_is_a_400(kind, field, text, message, stored):
    """JSON can carry "\\u0000" and a lone "\\ud800"; PostgreSQL cannot store either."""
    client = bearer(integration_key(can_write=True))
    record = RECORDS[kind] | {field: text}
    before = _tables()

    response = client.post(f"/api/v1/{kind}/bulk/", json.dumps([record]), "application/json")

    assert response.status_code == 400, response.content
    first = response.json()["errors"][0]
    assert (first["index"], first["field"]) == (0, field)
    assert message in first["message"]
    assert _tables() == before


def test_an_integer_of_thousands_of_digits_in_a_bulk_write_is_a_400(stored):
    """`json` itself gives up on integers over 4,300 digits: the body is refused, plainly."""
    client = bearer(integration_key(can_write=True))
    record = json.dumps(RECORDS["usage"]).replace(
        '"licensed_users": 10', '"licensed_users": ' + "9" * 5000
    )

    response = client.post("/api/v1/usage/bulk/", f"[{record}]", "application/json")

    assert response.status_code == 400
    assert response.json()["errors"][0]["field"] == "body"
    assert not UsageSnapshot.objects.exists()


def test_the_date_of_a_good_row_still_reads(stored, tmp_path):
    """The reader's strictness refuses nothing a good file holds: a quote inside an
    unquoted cell stays a quote, doubled quotes in a quoted cell are one."""
    path = tmp_path / "activities.csv"
    path.write_text(
        ACTIVITIES + 'ACT-1,STORED-1,ebr,2026-10-01,He said "fine",,\n'
        'ACT-2,STORED-1,ebr,2026-10-02,"She said ""fine""",,\n'
    )

    import_folder_files([("activities", path)])

    assert dict(Activity.objects.values_list("external_id", "notes")) == {
        "ACT-1": 'He said "fine"',
        "ACT-2": 'She said "fine"',
    }
    assert Activity.objects.get(external_id="ACT-1").occurred_on == date(2026, 10, 1)
