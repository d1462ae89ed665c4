"""import_data --dir: every <kind>.csv in dependency order, in one transaction."""

import io

import pytest
from django.core.management import CommandError, call_command

from accounts.models import Account, Contact, UsageSnapshot
from ingestion.models import Feed
from people.models import Team, User

pytestmark = pytest.mark.django_db

ACCOUNTS = "external_id,name,region,tam_email\nACC-1,Acme,us-enterprise,tam@example.com\n"
CONTACTS = "external_id,account_external_id,name,role\nC-1,ACC-1,Grace Hopper,champion\n"
USAGE = "account_external_id,taken_on,licensed_users,active_users\nACC-1,2026-11-02,200,90\n"


def _folder(tmp_path, **files):
    for kind, text in files.items():
        (tmp_path / f"{kind}.csv").write_text(text)
    return tmp_path


def _run(folder, *args):
    out, err = io.StringIO(), io.StringIO()
    try:
        call_command("import_data", "--dir", str(folder), *args, stdout=out, stderr=err)
    finally:
        _run.stderr = err.getvalue()
    return out.getvalue()


def test_a_folder_is_imported_in_dependency_order(tam, tmp_path):
    tam.email = "tam@example.com"
    tam.save()
    # Contacts and usage point at an account that only the folder's accounts.csv creates.
    folder = _folder(tmp_path, usage=USAGE, contacts=CONTACTS, accounts=ACCOUNTS)

    out = _run(folder)

    assert Contact.objects.get().account.external_id == "ACC-1"
    account = Account.objects.get(external_id="ACC-1")
    assert (account.licensed_users, account.active_users) == (200, 90)  # latest snapshot
    assert set(Feed.objects.values_list("kind", flat=True)) == {"accounts", "contacts", "usage"}
    assert "Nothing changed" not in out
    assert "Nothing changed" in _run(folder)


def test_one_bad_file_writes_nothing_from_any_file(tam, tmp_path):
    tam.email = "tam@example.com"
    tam.save()
    bad_usage = USAGE + "ACC-1,2026-11-09,200,lots\n"
    folder = _folder(tmp_path, accounts=ACCOUNTS, contacts=CONTACTS, usage=bad_usage)

    with pytest.raises(CommandError, match="1 problem"):
        _run(folder)

    assert _run.stderr.splitlines() == [
        "usage.csv: line 3: active_users: not a whole number: 'lots'"
    ]
    assert not Account.objects.exists()
    assert not Contact.objects.exists()
    assert not UsageSnapshot.objects.exists()
    assert not Feed.objects.exists()


def test_a_dry_run_of_a_folder_writes_nothing(tam, tmp_path):
    tam.email = "tam@example.com"
    tam.save()
    folder = _folder(tmp_path, accounts=ACCOUNTS, contacts=CONTACTS)

    out = _run(folder, "--dry-run")

    assert "contacts.csv (contacts): 1 rows: 1 would be created" in out
    assert not Account.objects.exists()
    assert not Contact.objects.exists()


def test_accounts_take_tam_sentiment_its_date_and_the_plan_qualification(tam, tmp_path):
    folder = _folder(
        tmp_path,
        accounts="external_id,name,region,tam_sentiment,tam_sentiment_on,management_qualified_on\n"
        "ACC-1,Acme,us-enterprise,red,2026-11-20,2026-10-01\n"
        "ACC-2,Globex,us-enterprise,green,,\n",
    )

    _run(folder)

    acme, globex = Account.objects.order_by("external_id")
    assert (acme.tam_sentiment, str(acme.tam_sentiment_on)) == ("red", "2026-11-20")
    assert acme.success_plan_management_qualified
    assert str(acme.success_plan_management_qualified_on) == "2026-10-01"
    assert (globex.tam_sentiment, globex.success_plan_management_qualified) == ("green", False)


def test_health_beside_tam_sentiment_is_the_computed_band_and_is_ignored(tam, tmp_path):
    # An export carries both: `health` is then the computed band (DESIGN 11), not the
    # sentiment's older name, so the file imports back without the band overwriting the
    # TAM's own judgement.
    folder = _folder(
        tmp_path,
        accounts="external_id,name,region,health,tam_sentiment\nACC-1,Acme,us-enterprise,green,red\n",
    )

    _run(folder)

    assert Account.objects.get(external_id="ACC-1").tam_sentiment == "red"


def test_a_folder_with_teams_and_people_links_each_team_to_its_manager_on_an_empty_database(
    tmp_path,
):
    # Teams point at their manager and people at their team: neither file can go first
    # alone, so the teams are written, then the people, then the managers linked.
    (tmp_path / "teams.csv").write_text(
        "name,region,manager_email\nNorth,us-enterprise,Mia@Example.com\n"
    )
    (tmp_path / "people.csv").write_text(
        "email,name,role,team,active\n"
        "mia@example.com,Mia Park,manager,,true\n"
        "tom@example.com,Tom Lee,tam,North,true\n"
    )
    out = io.StringIO()
    call_command("import_data", "--dir", str(tmp_path), stdout=out, stderr=io.StringIO())

    team = Team.objects.get(name="North")
    assert team.manager.email == "mia@example.com"
    assert User.objects.get(email="tom@example.com").team == team
    assert "teams.csv (teams): 1 rows: 1 were created, 0 updated, 0 unchanged." in out.getvalue()

    out = io.StringIO()
    call_command("import_data", "--dir", str(tmp_path), stdout=out, stderr=io.StringIO())
    assert "Nothing changed" in out.getvalue()


def test_a_manager_missing_from_both_files_is_a_problem_of_the_teams_file(tmp_path):
    (tmp_path / "teams.csv").write_text("name,region,manager_email\nNorth,us-enterprise,x@y.com\n")
    (tmp_path / "people.csv").write_text("email,name,role,team,active\ntom@y.com,Tom,tam,North,\n")
    err = io.StringIO()
    with pytest.raises(CommandError):
        call_command("import_data", "--dir", str(tmp_path), stdout=io.StringIO(), stderr=err)

    assert "teams.csv: line 2: manager_email: no person with e-mail 'x@y.com'" in err.getvalue()
    assert not Team.objects.filter(name="North").exists()
