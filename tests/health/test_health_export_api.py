"""Health in the export and the API (issue 13 point 4): `health` is the computed band and
`health_score` its score; the TAM's own colour is `tam_sentiment`, which a file or the API
sets. `health` beside `tam_sentiment` is the computed band and ignored on import; in a
file without `tam_sentiment` it is still the old name of the sentiment."""

import csv
import datetime
import io
import json

import pytest
from django.core.management import call_command

from accounts.importing import import_accounts
from accounts.models import Account, Health
from tests.api.conftest import bearer, integration_key, personal_token
from tests.factories import AccountFactory

pytestmark = pytest.mark.django_db

SENTIMENT_ON = datetime.date(2026, 11, 1)


def export() -> str:
    output = io.StringIO()
    call_command("export_accounts", stdout=output)
    return output.getvalue()


@pytest.fixture
def account(tam):
    account = AccountFactory(
        tam=tam, external_id="ACC-1", tam_sentiment=Health.GREEN, tam_sentiment_on=SENTIMENT_ON
    )
    # The computed health disagrees with the TAM, as it may (the other measures).
    Account.objects.filter(pk=account.pk).update(health=Health.RED, health_score=20)
    return account


def test_the_export_has_the_computed_band_and_score_and_reads_back_unchanged(account):
    text = export()
    [row] = csv.DictReader(io.StringIO(text))
    assert (row["health"], row["health_score"]) == ("red", "20")
    assert (row["tam_sentiment"], row["tam_sentiment_on"]) == ("green", "2026-11-01")

    summary = import_accounts(io.StringIO(text))

    assert (summary.created, summary.updated, summary.unchanged) == (0, 0, 1)
    account.refresh_from_db()
    assert (account.tam_sentiment, account.health, account.health_score) == ("green", "red", 20)
    assert export() == text


def test_an_older_file_without_tam_sentiment_sets_it_from_health(account):
    import_accounts(
        io.StringIO(f"external_id,name,region,health\nACC-1,{account.name},us-enterprise,yellow\n")
    )

    account.refresh_from_db()
    assert account.tam_sentiment == "yellow"
    assert (account.health, account.health_score) == ("red", 20)  # computed: not the file's


def test_the_api_reads_health_and_sets_the_sentiment(account, tam):
    body = bearer(personal_token(tam)).get("/api/v1/accounts/ACC-1/").json()
    assert (body["health"], body["health_score"]) == ("red", 20)
    assert (body["tam_sentiment"], body["tam_sentiment_on"]) == ("green", "2026-11-01")

    writer = bearer(integration_key(can_write=True))
    record = {
        "external_id": "ACC-1",
        "name": account.name,
        "region": "us-enterprise",
        "tam_sentiment": "red",
        "tam_sentiment_on": "2026-11-20",
        "health": "green",  # a record read back from the API: the computed band, ignored
    }
    response = writer.post(
        "/api/v1/accounts/bulk/", json.dumps([record]), content_type="application/json"
    )

    assert response.status_code == 200, response.content
    assert response.json()["updated"] == 1
    account.refresh_from_db()
    assert (account.tam_sentiment, account.tam_sentiment_on) == ("red", datetime.date(2026, 11, 20))
