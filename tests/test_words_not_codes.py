"""Words, not codes, wherever a person reads (DESIGN 12; issue 12 point 8).

The pages of a small book like the demo's: a US Enterprise account whose open up-tier
opportunity closes within the flowchart's six months (DESIGN 4: Pr1, reason
`uptier_opportunity`), a Commercial account at ARR $75,000 with no stage adopted (the
low-stage-adoption criterion: fewer than 3 stages at $75,000 or more) and a Named account
with a renewal survey (CSAT target: above 4 on the 1-5 scale, DESIGN 5). Each page shows
the sentences; the codes appear only in the admins' small hint.
"""

import csv
import datetime
import io
import re
from decimal import Decimal

import pytest
import time_machine
from django.urls import reverse

from accounts.models import ActivityKind
from metrics.models import ScopeType
from orchestration.runs import recompute
from tests.factories import (
    AccountFactory,
    ActivityFactory,
    AdminFactory,
    MetricResultFactory,
    OpportunityFactory,
    PriorityExceptionFactory,
    metric_definition,
    region,
    segment,
)

pytestmark = pytest.mark.django_db

CODE = "uptier_opportunity"
SENTENCE = "Up-tier opportunity closing soon"  # prioritization/reason_labels.py


@pytest.fixture(autouse=True)
def _today():
    # 2026-11-24 is in FY27-Q4 (November 2026 to January 2027, DESIGN 2).
    with time_machine.travel(datetime.datetime(2026, 11, 24, 9), tick=False):
        yield


@pytest.fixture
def uptier(tam):
    account = AccountFactory(tam=tam, name="Uptier Co", **named())
    OpportunityFactory(account=account, close_date=datetime.date(2026, 12, 31))
    return account


@pytest.fixture
def commercial(tam):
    return AccountFactory(
        tam=tam,
        name="Commercial Co",
        region=region("commercial-noram"),
        arr=Decimal("75000.00"),
        **named(),
    )


def named() -> dict:
    """Pinned Named, so the recompute's thresholds leave the segment (and its metrics) be."""
    return {"segment_override": segment("named"), "segment_override_reason": "Sponsor's choice"}


def _recomputed(*accounts):
    recompute()
    for account in accounts:
        account.refresh_from_db()


def _without_admin_hints(html: str) -> str:
    return re.sub(r'<small class="code-hint">.*?</small>', "", html, flags=re.S)


def _why_table(html: str) -> str:
    start = html.index('<table class="data rules">')
    return html[start : html.index("</table>", start)]


def test_the_account_page_says_the_reason_not_the_code(client, tam, uptier):
    _recomputed(uptier)
    assert uptier.priority_reasons == CODE  # the model's reason, stored as a code

    client.force_login(tam)
    html = client.get(reverse("account_detail", args=[uptier.pk])).text

    assert f"<strong>Pr1</strong>: {SENTENCE}" in html
    assert CODE not in html  # a TAM sees no code at all
    # The Why table: the rule's own sentence and the facts it looked at, formatted.
    why = _why_table(html)
    assert "Open up-tier opportunity closing in the next 6 months" in why
    assert "Open up-tier opportunities closing: 2026-12-31; Window ends: 2027-05-24" in why
    assert "Segment: Named" in why  # the segment's name, not its code
    assert "Child account: no; Managed: yes" in why
    assert "FY2027 Q4" in html  # the quarter as people say it
    assert "FY27-Q4" not in html


def test_an_admin_sees_the_codes_only_as_a_hint_after_the_sentence(client, uptier):
    _recomputed(uptier)
    client.force_login(AdminFactory())

    html = client.get(reverse("account_detail", args=[uptier.pk])).text

    assert f'{SENTENCE} <small class="code-hint">(<code>{CODE}</code>)</small>' in html
    assert CODE not in _without_admin_hints(html)


def test_the_why_table_shows_money_in_dollars(client, tam, commercial):
    _recomputed(commercial)
    client.force_login(tam)

    why = _why_table(client.get(reverse("account_detail", args=[commercial.pk])).text)

    assert "Fewer than 3 stages adopted at ARR of $75,000 or more" in why
    assert "Stages adopted: 0; ARR: $75,000" in why
    assert "arr: 75000" not in why.lower()


def test_a_csat_target_reads_over_4_of_5(client, tam):
    account = AccountFactory(tam=tam, **named())
    ActivityFactory(
        account=account,
        kind=ActivityKind.SURVEY_RESPONSE,
        survey_kind="renewal",
        csat=5,
        nps=9,
        occurred_on=datetime.date(2026, 11, 2),
    )
    client.force_login(tam)

    html = client.get(reverse("account_detail", args=[account.pk])).text

    assert "NPS 9, CSAT 5.0 of 5 on 2026-11-02" in html
    assert "CSAT over 4.0 of 5" in html
    assert "CSAT &gt; 4" not in html


def test_dates_rendered_without_a_filter_use_the_house_format(client, tam, account):
    PriorityExceptionFactory(account=account, expires_on=datetime.date(2027, 1, 31))
    client.force_login(tam)

    html = client.get(reverse("account_detail", args=[account.pk])).text

    assert "until 2027-01-31" in html
    assert "Jan. 31, 2027" not in html


def test_the_dashboard_reads_targets_and_quarters_as_words(client, manager, team, tam):
    AccountFactory(tam=tam, priority=1, priority_reasons=CODE)
    MetricResultFactory(
        metric=metric_definition("renewal_nps_csat"),
        scope_type=ScopeType.TEAM,
        scope=str(team.pk),
        fiscal_quarter="FY27-Q4",
        value=Decimal("3.7143"),
        target=Decimal("4"),
        attained=False,
    )
    client.force_login(manager)

    html = client.get(reverse("dashboard:index")).text

    assert "Dashboard: " in html and "FY2027 Q4" in html
    assert "Movements since FY2027 Q3" in html
    assert "3.7 of 5; target over 4.0 of 5" in html
    assert CODE not in html
    assert '<option value="FY27-Q4" selected>FY2027 Q4</option>' in html


def test_today_shows_no_reason_code(client, tam, uptier):
    _recomputed(uptier)
    client.force_login(tam)

    html = client.get(reverse("today")).text

    assert "Uptier Co" in html
    assert CODE not in html


def test_the_book_csv_says_the_reasons_in_words(client, tam, uptier):
    _recomputed(uptier)
    client.force_login(tam)

    response = client.get(reverse("book_export"))
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    (row,) = list(csv.DictReader(io.StringIO(text)))

    assert row["reasons"] == SENTENCE
    assert row["segment_name"] == "Named"
    # The codes stay where a tool reads them (the columns export_accounts shares, DESIGN 9).
    assert (row["priority_reasons"], row["segment"]) == (CODE, "named")
