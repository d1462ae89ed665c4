"""For every fact kind of DESIGN 10, each sort of bad row is refused with its line and
column and nothing written, and a dry run writes nothing. The bad files are made from each
kind's good file (test_import_facts.GOOD, plus the activities file), so a kind added there
is covered here."""

import datetime
import re

import pytest
from django.core.management import CommandError

from accounts.models import Account, Activity, Webinar
from ingestion.models import Feed
from tests.ingestion.test_import_activities import EVERY_KIND
from tests.ingestion.test_import_facts import GOOD

pytestmark = pytest.mark.django_db

FILES = {kind: text for kind, (text, _) in GOOD.items()} | {"activities": EVERY_KIND}
MODELS = {kind: model for kind, (_, model) in GOOD.items()}
KEYED_BY_ACCOUNT = {kind for kind, text in FILES.items() if "account_external_id" in text}
DATED = {kind for kind, text in FILES.items() if re.search(r"\d{4}-\d{2}-\d{2}", text)}


@pytest.fixture
def account(account):
    account.external_id = "ACC-1"
    account.save()
    account.tam.email = "tam@example.com"
    account.tam.save()
    # the activities file's webinar attendance points at it
    Webinar.objects.create(external_id="WEB-1", title="Intro", held_on=datetime.date(2026, 10, 5))
    return account


def _count(kind):
    return (Activity if kind == "activities" else MODELS[kind]).objects.count()


def _refused(run_import, kind, text):
    before = _count(kind)  # the fixture's webinar stays; nothing of the file is added
    with pytest.raises(CommandError, match="nothing was written"):
        run_import(kind, text)
    assert _count(kind) == before
    assert not Feed.objects.filter(kind=kind).exists()
    return run_import.stderr


@pytest.mark.parametrize("kind", sorted(FILES))
def test_an_unknown_column_is_refused(account, run_import, kind):
    header, rest = FILES[kind].split("\n", 1)
    rows = rest.replace("\n", ",x\n")

    assert "line 1: bogus: unknown column" in _refused(run_import, kind, f"{header},bogus\n{rows}")


@pytest.mark.parametrize("kind", sorted(KEYED_BY_ACCOUNT))
def test_an_unknown_account_is_refused(account, run_import, kind):
    stderr = _refused(run_import, kind, FILES[kind].replace("ACC-1", "ACC-404"))

    assert re.search(r"line 2: account_external_id: .*ACC-404", stderr)


@pytest.mark.parametrize("kind", sorted(DATED))
def test_a_date_not_in_iso_form_is_refused(account, run_import, kind):
    text = re.sub(r"(\d{4})-(\d{2})-(\d{2})", r"\3/\2/\1", FILES[kind], count=1)

    stderr = _refused(run_import, kind, text)

    assert re.search(r"line 2: \w+: .*YYYY-MM-DD", stderr), stderr


@pytest.mark.parametrize("kind", sorted(FILES))
def test_the_same_key_twice_in_a_file_is_refused(account, run_import, kind):
    header, first, *_ = FILES[kind].split("\n")
    text = f"{header}\n{first}\n{first}\n"

    assert "duplicate of line 2" in _refused(run_import, kind, text)


@pytest.mark.parametrize("kind", sorted(FILES))
def test_a_dry_run_writes_nothing_and_says_what_would_change(account, run_import, kind):
    before = _count(kind)

    out, _ = run_import(kind, FILES[kind], "--dry-run")

    assert "would be created" in out
    assert _count(kind) == before
    assert not Feed.objects.filter(kind=kind).exists()


@pytest.mark.parametrize("kind", ["accounts", *sorted(FILES)])
def test_a_line_the_csv_reader_cannot_split_is_a_problem_with_its_line(account, run_import, kind):
    """A cell beyond the csv module's field limit (128 kB; a 1 MB cell from a bad export) is
    reported on its line, never a crash."""
    header = "external_id,name,region" if kind == "accounts" else FILES[kind].split("\n")[0]
    text = f"{header}\n" + "x" * 200_000 + ",x" * header.count(",") + "\n"

    before = Account.objects.count() if kind == "accounts" else _count(kind)
    with pytest.raises(CommandError, match="nothing was written"):
        run_import(kind, text)

    assert run_import.stderr.startswith("line 2: file: not readable as CSV")
    assert (Account.objects.count() if kind == "accounts" else _count(kind)) == before
