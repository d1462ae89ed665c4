"""No one account can stop the run (issue 11, point 1).

- Rows already in the database with dates at the calendar's ends (0001-01-01, 9999-12-31,
  written with `update()` as an old import or SQL would have) are recomputed, listed and
  shown like any other: date arithmetic stops at the calendar's ends (`lib.dates`).
- An account a rule or a metric still fails on is left out whole and recorded on the run
  with its step and error; the run ends "completed with errors" and every other account is
  computed. A transient database error is not such a failure: the chunk is retried.
- An admin form refuses a date outside 1900-01-01..2100-12-31 beside its field.
"""

import datetime
import io
from datetime import date
from decimal import Decimal

import pytest
import time_machine
from django.core.management import call_command
from django.db import OperationalError
from django.urls import reverse

from accounts.models import (
    Account,
    Activity,
    ActivityKind,
    StageAdoption,
    SurveyKind,
    Webinar,
)
from metrics import formulas
from metrics.models import MetricResult
from orchestration import engine, outbox, requests
from orchestration.models import RunStatus
from orchestration.runs import recompute
from prioritization import rules
from prioritization.models import PriorityAssessment
from rhythm.selectors import shifted_date
from segments.models import Segment
from tests.admin_forms import inline_form_data
from tests.factories import (
    AccountFactory,
    ActivityFactory,
    InitiativeFactory,
    OpportunityFactory,
    StageAdoptionFactory,
)

pytestmark = pytest.mark.django_db

TODAY = date(2026, 11, 24)  # FY27-Q4: 2026-11-01 .. 2027-01-31
QUARTER = "FY27-Q4"
DATE_FIELDS = (
    "customer_since", "first_engaged_on", "first_value_on", "onboarded_on", "renewal_date",
    "success_plan_green_on", "success_plan_management_qualified_on", "tam_sentiment_on",
)  # fmt: skip


@pytest.fixture(autouse=True)
def _today():
    with time_machine.travel(datetime.datetime.combine(TODAY, datetime.time(9)), tick=False):
        yield


def _at_the_end_of_time(tam, day: date) -> Account:
    """An account whose every date is `day`, and whose facts around it are dated `day` too,
    written with `update()` past any validation."""
    account = AccountFactory(tam=tam, name=f"Typo {day.year}")
    Account.objects.filter(pk=account.pk).update(**dict.fromkeys(DATE_FIELDS, day))
    OpportunityFactory(account=account, close_date=day)
    InitiativeFactory(account=account, starts_on=day, ends_on=day)
    StageAdoptionFactory(account=account)
    StageAdoption.objects.filter(account=account).update(
        enabled_on=day, initial_adoption_on=day, broad_adoption_on=day
    )
    ActivityFactory(account=account, kind=ActivityKind.CADENCE_CALL)
    ActivityFactory(account=account, kind=ActivityKind.EBR)
    ActivityFactory(
        account=account, kind=ActivityKind.SURVEY_RESPONSE, survey_kind=SurveyKind.RENEWAL, nps=9
    )
    Activity.objects.filter(account=account).update(occurred_on=day)
    return account


@pytest.fixture
def typos(tam):
    return [_at_the_end_of_time(tam, date.max), _at_the_end_of_time(tam, date.min)]


def _metric_scopes(tam_id) -> set:
    return set(
        MetricResult.objects.filter(fiscal_quarter=QUARTER, scope=str(tam_id)).values_list(
            "metric__key", flat=True
        )
    )


# --- dates at the calendar's ends ---------------------------------------------------------


def test_accounts_dated_0001_and_9999_are_recomputed_with_everyone(tam, typos):
    sound = AccountFactory(tam=tam)

    run = recompute(as_of=TODAY)

    assert (run.status, run.failed_accounts, run.failures) == (RunStatus.SUCCEEDED, 0, [])
    assert run.accounts == 3
    # A customer since 0001 or 9999 has not been onboarded (onboarded_on is set, but
    # the same rules read it): every account has a priority and the quarter's assessment.
    for account in [sound, *typos]:
        account.refresh_from_db()
        assert account.priority is not None
        assert PriorityAssessment.objects.filter(account=account, fiscal_quarter=QUARTER).exists()
    # The TAM's metrics are written, ARR retention among them (all three count in it).
    assert "gross_retention" in _metric_scopes(tam.pk)


def test_accounts_dated_0001_and_9999_show_in_every_page(client, tam, manager, typos):
    recompute(as_of=TODAY)
    client.force_login(tam)

    pages = [
        (reverse("book"), {"sort": "next_call"}),
        (reverse("book"), {"sort": "-renewal_date"}),
        # 0001's call is long overdue, 9999's not held yet: both are overdue.
        (reverse("book"), {"overdue": "on"}),
        (reverse("book_export"), {"sort": "next_call"}),
        *((reverse("account_detail", args=[account.pk]), {}) for account in typos),
    ]
    for url, params in pages:
        response = client.get(url, params)
        assert response.status_code == 200, url
        content = b"".join(response.streaming_content) if response.streaming else response.content
        names = [b"Typo 9999", b"Typo 1"] if "book" in url else [b"Typo"]
        assert all(name in content for name in names), (url, params)
    client.force_login(manager)
    assert b"Typo 1" in client.get(reverse("dashboard:index")).content


@pytest.mark.parametrize(
    ("renewal", "days", "expected"),
    [
        (date.min, -110, date.min),  # SQLite would overflow in Python, PostgreSQL go BC
        (date(1, 4, 20), -110, date.min),  # a day short of the calendar: held
        (date(1, 4, 21), -110, date(1, 1, 1)),  # exactly its first day
        (date(1, 4, 22), -110, date(1, 1, 2)),
        (date.max, 30, date.max),
        (date(2100, 12, 31), -110, date(2100, 9, 12)),
        (None, -110, None),
    ],
)
def test_a_date_column_shifted_in_sql_stops_at_the_calendar_ends(account, renewal, days, expected):
    Account.objects.filter(pk=account.pk).update(renewal_date=renewal)

    shifted = Account.objects.annotate(shifted=shifted_date("renewal_date", days)).get()

    assert shifted.shifted == expected


def test_the_command_still_recomputes_and_says_so(typos):
    out = io.StringIO()

    call_command("recompute", "--as-of", TODAY.isoformat(), stdout=out, stderr=io.StringIO())

    assert "Recomputed 2 accounts" in out.getvalue()


# --- one account a rule or a metric fails on --------------------------------------------


def _failing_for(account_id: int, real, error: Exception, *, facts_at: int = 0):
    """`real`, raising `error` for one account (its facts are the argument at `facts_at`)."""

    def failing(*args, **kwargs):
        if args[facts_at].account_id == account_id:
            raise error
        return real(*args, **kwargs)

    return failing


@pytest.fixture
def book(tam):
    """Three accounts computed once; then `bad` grows past the Strategic threshold and
    `good` becomes at risk, so the next run would change both."""
    accounts = [AccountFactory(tam=tam, name=name) for name in ("Good", "Bad", "Other")]
    recompute(as_of=TODAY)
    good, bad, other = accounts
    Account.objects.filter(pk=bad.pk).update(arr=Decimal("2500000"))
    Account.objects.filter(pk=good.pk).update(at_risk=True)
    return good, bad, other


def _state(account):
    account.refresh_from_db()
    assessment = PriorityAssessment.objects.filter(account=account, fiscal_quarter=QUARTER)
    return account.segment_id, account.priority, account.priority_reasons, list(assessment.values())


def test_an_account_a_rule_fails_on_is_left_out_whole_and_the_run_goes_on(monkeypatch, book):
    good, bad, other = book
    bad_before = _state(bad)
    monkeypatch.setattr(
        rules, "decide", _failing_for(bad.pk, rules.decide, ZeroDivisionError("a rule's bug"))
    )

    run = recompute(as_of=TODAY)

    assert run.status == RunStatus.COMPLETED_WITH_ERRORS
    assert run.outcome == "completed with errors (1 account)"
    assert run.failed_accounts == 1
    assert run.failures == [
        {
            "account_id": bad.pk,
            "account": "Bad",
            "step": "priorities",
            "error": "ZeroDivisionError: a rule's bug",
        }
    ]
    # Not half-written: its new segment (Strategic) is not stored without its priority.
    assert _state(bad) == bad_before
    # Everyone else is decided: at risk is Pr1 (DESIGN 4).
    good.refresh_from_db()
    assert (good.priority, good.priority_reasons) == (1, "churn_risk")
    assert PriorityAssessment.objects.get(account=good).effective_priority == 1
    assert _state(other)[1] is not None and _state(other)[3]
    # The metrics step is not the rules': it counted all three.
    assert "gross_retention" in _metric_scopes(good.tam_id)


def test_the_debounced_recompute_of_a_few_accounts_records_the_one_a_rule_fails_on(
    monkeypatch, book
):
    good, bad, _ = book
    bad_before = _state(bad)
    monkeypatch.setattr(
        rules, "decide", _failing_for(bad.pk, rules.decide, ZeroDivisionError("a rule's bug"))
    )
    outbox.store([good.pk, bad.pk], "api: warehouse")

    run = requests.recompute_waiting()

    assert (run.status, run.accounts, run.failed_accounts) == (
        RunStatus.COMPLETED_WITH_ERRORS,
        1,
        1,
    )
    assert [(failure["account"], failure["step"]) for failure in run.failures] == [
        ("Bad", "priorities")
    ]
    assert _state(bad) == bad_before
    good.refresh_from_db()
    assert good.priority == 1
    assert not outbox.any_waiting()


def test_an_account_whose_segment_cannot_be_computed_is_recorded_at_that_step(monkeypatch, book):
    good, _, _ = book
    real = engine.assign_segment

    def failing(arr, *args):
        if arr == Decimal("2500000"):  # only Bad's
            raise ValueError("a threshold's bug")
        return real(arr, *args)

    monkeypatch.setattr(engine, "assign_segment", failing)

    run = recompute(as_of=TODAY)

    assert [(f["account"], f["step"]) for f in run.failures] == [("Bad", "segments")]
    assert run.failed_accounts == 1  # listed once, though both passes met it
    good.refresh_from_db()
    assert good.priority == 1


def test_an_account_a_metric_fails_on_counts_in_no_metric(monkeypatch, book):
    _, bad, _ = book
    real = formulas.contributions

    def failing_after_one(account, *args, **kwargs):
        for number, part in enumerate(real(account, *args, **kwargs)):
            if account.account_id == bad.pk and number == 1:
                raise ArithmeticError("a formula's bug")  # after it gave one part
            yield part

    monkeypatch.setattr(formulas, "contributions", failing_after_one)

    run = recompute(as_of=TODAY)

    assert run.status == RunStatus.COMPLETED_WITH_ERRORS
    assert run.failures == [
        {
            "account_id": bad.pk,
            "account": "Bad",
            "step": "metrics",
            "error": "ArithmeticError: a formula's bug",
        }
    ]
    bad.refresh_from_db()
    assert bad.priority is not None  # its segment and priority were computed
    # The metrics are exactly those of the book without Bad: not even its first part counts.
    with_failure = _metric_values()
    monkeypatch.setattr(formulas, "contributions", real)
    bad.delete()
    MetricResult.objects.all().delete()
    assert recompute(as_of=TODAY).status == RunStatus.SUCCEEDED
    assert with_failure == _metric_values()
    assert with_failure  # not two empty sets


def _metric_values() -> set:
    return set(
        MetricResult.objects.filter(fiscal_quarter=QUARTER).values_list(
            "metric__key", "scope_type", "scope", "numerator", "denominator", "value"
        )
    )


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_transient_database_error_is_retried_not_recorded_as_the_accounts(monkeypatch, tam):
    """The chunk's retry layer sees it, not the per-account catch."""
    account = AccountFactory(tam=tam, at_risk=True)
    real = rules.decide
    calls = {"count": 0}

    def deadlocked_once(*args, **kwargs):
        calls["count"] += 1
        if calls["count"] == 1:
            raise OperationalError("deadlock detected")
        return real(*args, **kwargs)

    monkeypatch.setattr(rules, "decide", deadlocked_once)
    monkeypatch.setattr(engine.time, "sleep", lambda seconds: None)

    run = recompute(as_of=TODAY)

    assert (run.status, run.failures) == (RunStatus.SUCCEEDED, [])
    account.refresh_from_db()
    assert account.priority == 1


# --- what people see of it --------------------------------------------------------------


def test_the_run_page_in_admin_lists_the_failures(monkeypatch, client, admin_user, book):
    _, bad, _ = book
    monkeypatch.setattr(
        rules, "decide", _failing_for(bad.pk, rules.decide, ZeroDivisionError("a rule's bug"))
    )
    run = recompute(as_of=TODAY)
    client.force_login(admin_user)

    page = client.get(reverse("admin:orchestration_recomputerun_change", args=[run.pk]))
    listed = client.get(
        reverse("admin:orchestration_recomputerun_changelist"),
        {"status__exact": RunStatus.COMPLETED_WITH_ERRORS},
    )

    assert page.status_code == 200
    account_page = reverse("admin:accounts_account_change", args=[bad.pk])
    html = page.content.decode()
    assert f'<td><a href="{account_page}">Bad</a></td><td>priorities</td>' in html
    assert "ZeroDivisionError: a rule&#x27;s bug" in html
    assert [row.pk for row in listed.context["cl"].result_list] == [run.pk]
    assert "Completed with errors" in listed.content.decode()


def test_the_impact_preview_says_how_the_last_run_ended(monkeypatch, client, admin_user, book):
    _, bad, _ = book
    monkeypatch.setattr(
        rules, "decide", _failing_for(bad.pk, rules.decide, ZeroDivisionError("a rule's bug"))
    )
    recompute(as_of=TODAY)
    client.force_login(admin_user)
    named = Segment.objects.get(code="named")
    form = {
        "code": named.code, "name": named.name, "engagement_model": named.engagement_model,
        "position": named.position, "tam_assigned": "on", "min_arr": "75000",
    }  # fmt: skip

    response = client.post(reverse("admin:segments_segment_change", args=[named.pk]), form)

    assert response.context["impact"].failed_accounts == 1  # the preview meets it too
    text = " ".join(response.text.split())
    assert "(completed with errors (1 account))" in text
    assert "1 account could not be evaluated: a rule failed on it" in text


def test_the_command_names_the_accounts_left_out(monkeypatch, book):
    _, bad, _ = book
    monkeypatch.setattr(
        rules, "decide", _failing_for(bad.pk, rules.decide, ZeroDivisionError("a rule's bug"))
    )
    errors = io.StringIO()

    call_command("recompute", stdout=io.StringIO(), stderr=errors)

    assert "completed with errors (1 account)" in errors.getvalue()
    assert f"account {bad.pk} (Bad), priorities: ZeroDivisionError" in errors.getvalue()


# --- admin forms refuse the dates -------------------------------------------------------


@pytest.mark.parametrize(("day", "refused"), [("9999-12-31", True), ("2100-12-31", False)])
def test_the_account_admin_form_refuses_a_date_past_2100_beside_its_field(
    client, admin_user, account, day, refused
):
    client.force_login(admin_user)
    url = reverse("admin:accounts_account_change", args=[account.pk])
    fields = {
        "external_id": account.external_id, "name": account.name, "region": account.region_id,
        "tam": account.tam_id, "managed": "on", "arr": "120000.00", "success_plan": "none",
        "customer_since": day,
    }  # fmt: skip

    response = client.post(url, inline_form_data(client.get(url), **fields))

    account.refresh_from_db()
    if refused:
        assert response.status_code == 200
        assert response.context["adminform"].form.errors == {
            "customer_since": ["Enter a date between 1900-01-01 and 2100-12-31."]
        }
        assert account.customer_since == date(2024, 3, 1)
    else:
        assert response.status_code == 302
        assert account.customer_since == date(2100, 12, 31)


def test_every_admin_date_field_of_a_fact_is_bounded(client, admin_user):
    client.force_login(admin_user)

    response = client.post(
        reverse("admin:accounts_webinar_add"), {"title": "Kick-off", "held_on": "0001-01-01"}
    )

    assert response.context["adminform"].form.errors["held_on"] == [
        "Enter a date between 1900-01-01 and 2100-12-31."
    ]
    assert not Webinar.objects.exists()
