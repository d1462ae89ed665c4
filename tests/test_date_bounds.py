"""Dates outside 1900-01-01..2100-12-31 are refused where they come in (issue 11, point 1):
a typo like 9999-12-31 in a customer-since date would otherwise overflow the date
arithmetic of every run. The boundaries themselves are accepted."""

import datetime
import io

import pytest
from django.core.management import CommandError, call_command

from accounts.csv_cells import parse_date
from accounts.forms import CadenceCallForm
from accounts.models import Account
from core.validators import supported_date
from ingestion.cells import CellError
from prioritization.forms import ExceptionRequestForm


@pytest.mark.parametrize("text", ["1900-01-01", "2100-12-31"])
def test_the_bounds_themselves_are_accepted(text):
    assert parse_date(text) == datetime.date.fromisoformat(text)


@pytest.mark.parametrize("text", ["1899-12-31", "2101-01-01", "0001-01-01", "9999-12-31"])
def test_a_file_or_api_date_outside_the_bounds_is_refused(text):
    with pytest.raises(CellError, match="between 1900-01-01 and 2100-12-31"):
        parse_date(text)


def test_the_form_validator_takes_the_same_bounds():
    supported_date(datetime.date(1900, 1, 1))
    supported_date(datetime.date(2100, 12, 31))
    with pytest.raises(Exception, match="between 1900-01-01 and 2100-12-31"):
        supported_date(datetime.date(2101, 1, 1))


def test_a_page_form_shows_the_bound_beside_the_field():
    form = CadenceCallForm({"call-occurred_on": "1850-06-01"})
    exception = ExceptionRequestForm(
        {"requested_priority": "1", "justification": "Board escalation", "expires_on": "9999-12-31"}
    )

    assert not form.is_valid()
    assert "between 1900-01-01" in form.errors["occurred_on"][0]
    assert not exception.is_valid()
    assert "between 1900-01-01" in exception.errors["expires_on"][0]


@pytest.mark.django_db
def test_an_account_file_with_a_customer_since_in_9999_writes_nothing(tam, tmp_path):
    path = tmp_path / "accounts.csv"
    path.write_text("external_id,name,region,customer_since\nX-1,X,us-enterprise,9999-12-31\n")

    with pytest.raises(CommandError):
        call_command("import_accounts", str(path), "--no-recompute", stderr=io.StringIO())

    assert not Account.objects.filter(external_id="X-1").exists()
