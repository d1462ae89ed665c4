"""Who may do what, for every URL: a matrix of URLs x roles, then CSRF on every form.

Each URL of the app has a row; `test_every_url_has_a_row` walks the URL resolver, so a
new URL without a row fails. The admin site is covered by a few representative pages.
A cell is the status a role gets: a number, or a path the response redirects to (302).
The world: two teams, each with a manager and a TAM with one account; the owner's
account is in EMEA (so the quarterly review applies) and has a pending exception and a
pending review proposal.
"""

from __future__ import annotations

import datetime
import json
from dataclasses import dataclass
from html.parser import HTMLParser

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone

from accounts.models import Account, Activity, ActivityKind, Initiative, Opportunity
from api.models import IntegrationKey, PersonalToken
from api.writes import BULK_VIEWS, DELETE_VIEWS
from ingestion.models import ImportRecord
from lib.fiscal import fiscal_quarter_of
from prioritization.models import PriorityException, PriorityReview
from tests.factories import (
    AccountFactory,
    AdminFactory,
    ManagerFactory,
    PriorityExceptionFactory,
    TamFactory,
    TeamFactory,
    region,
)
from triage.models import RiskCase

pytestmark = pytest.mark.django_db

ROLES = ("owner", "other_tam", "manager", "other_manager", "admin", "anonymous")
PASSWORD = "test-password-123"

# Redirect targets; "{account}" is the owner's account id.
LOGIN = "/login/"
ADMIN_LOGIN = "/admin/login/"
BOOK = "/book/"
TODAY = "/today/"
ACCOUNT_PAGE = "/accounts/{account}/"


@dataclass
class World:
    owner: object
    other_tam: object
    manager: object
    other_manager: object
    admin: object
    account: Account
    other_account: Account
    exception: object
    review: PriorityReview

    def user(self, role):
        return None if role == "anonymous" else getattr(self, role)


@pytest.fixture
def world():
    team = TeamFactory(region=region("emea-enterprise"), manager=ManagerFactory())
    other_team = TeamFactory(region=region("us-enterprise"), manager=ManagerFactory())
    owner = TamFactory(team=team)
    other_tam = TamFactory(team=other_team)
    account = AccountFactory(tam=owner, region=region("emea-enterprise"), name="Owner's Account")
    quarter = fiscal_quarter_of(timezone.localdate(), settings.FISCAL_YEAR_START_MONTH)
    return World(
        owner=owner,
        other_tam=other_tam,
        manager=team.manager,
        other_manager=other_team.manager,
        admin=AdminFactory(),
        account=account,
        other_account=AccountFactory(tam=other_tam, name="Other Team's Account"),
        exception=PriorityExceptionFactory(
            account=account, expires_on=timezone.localdate() + datetime.timedelta(days=30)
        ),
        review=PriorityReview.objects.create(
            account=account,
            fiscal_quarter=quarter.label,
            suggested_priority=2,
            proposed_priority=1,
            justification="Expanding fast.",
            proposed_by=owner,
        ),
    )


def each(owner, other_tam, manager, other_manager, admin, anonymous):
    return dict(
        owner=owner,
        other_tam=other_tam,
        manager=manager,
        other_manager=other_manager,
        admin=admin,
        anonymous=anonymous,
    )


EVERYONE_SIGNED_IN = each(200, 200, 200, 200, 200, LOGIN)
OPEN = each(200, 200, 200, 200, 200, 200)
RESET_SENT = "/password-reset/sent/"
IN_SCOPE = each(200, 404, 200, 404, 200, LOGIN)
POST_ONLY = each(405, 405, 405, 405, 405, LOGIN)
# The account's TAM may not decide their own request: the team's manager or an admin does.
DECIDERS = each(403, 404, ACCOUNT_PAGE, 404, ACCOUNT_PAGE, LOGIN)
# The admin sends its users to its own login; LoginRequiredMiddleware sends anonymous
# visitors of admin pages other than the index to ours.
STAFF_ONLY = each(ADMIN_LOGIN, ADMIN_LOGIN, ADMIN_LOGIN, ADMIN_LOGIN, 200, LOGIN)
# The API (api/): the same scope as the pages, 404 outside it; no credentials is a 401
# (Bearer), not a redirect, since its callers are programs. The session is accepted.
API_SIGNED_IN = each(200, 200, 200, 200, 200, 401)
API_IN_SCOPE = each(200, 404, 200, 404, 200, 401)
API_OWN_TOKEN = each(200, 404, 404, 404, 404, 401)
API_GET_ONLY = each(405, 405, 405, 405, 405, 401)
API_WRITERS_GET = each(403, 403, 403, 403, 405, 401)
# The import page exists for admins only (DESIGN 10): everyone else gets 404.
IMPORTS = "/imports/"
ADMINS_ONLY = each(404, 404, 404, 404, 200, LOGIN)
ADMINS_POST = each(404, 404, 404, 404, IMPORTS, LOGIN)


def _owners_case(world, proposed=False) -> RiskCase:
    """An open risk case on the owner's account, with will churn proposed by the owner."""
    case = RiskCase.objects.filter(account=world.account).first() or RiskCase.objects.create(
        account=world.account,
        reason="competition",
        classification="unexpected_avoidable",
        arr_at_risk=0,
        opened_by=world.owner,
        opened_on=timezone.localdate(),
        next_update_due=timezone.localdate(),
    )
    if proposed and case.will_churn_proposed_by_id is None:
        case.will_churn_proposed_by = world.owner
        case.will_churn_proposed_on = timezone.localdate()
        case.save()
    return case


def _owners_token(world) -> PersonalToken:
    token, _ = PersonalToken.objects.get_or_create(
        user=world.owner, name="owner's script", defaults={"prefix": "0wner000"}
    )
    return token


def _an_import(world) -> ImportRecord:
    """A previewed import of an empty teams file, waiting for its confirmation."""
    record, _ = ImportRecord.objects.get_or_create(
        created_by=world.admin, kind="teams", file_names="teams.csv"
    )
    return record


def _usage_record(world) -> dict:
    return {
        "account_external_id": world.account.external_id,
        "taken_on": _today(),
        "licensed_users": 10,
        "active_users": 4,
    }


def _managers_entry(world) -> Activity:
    """A cadence call the team's manager logged: its TAM sees it but may not correct it."""
    entry, _ = Activity.objects.get_or_create(
        account=world.account,
        kind=ActivityKind.CADENCE_CALL,
        logged_by=world.manager,
        defaults={"occurred_on": timezone.localdate(), "notes": "Covered for the TAM."},
    )
    return entry


def _today():
    return timezone.localdate().isoformat()


def _owners_initiative(world) -> Initiative:
    initiative, _ = Initiative.objects.get_or_create(
        account=world.account,
        kind="infrastructure_change",
        defaults={"tam_hours_per_week": 3, "starts_on": timezone.localdate()},
    )
    return initiative


def _owners_opportunity(world) -> Opportunity:
    opportunity, _ = Opportunity.objects.get_or_create(
        account=world.account,
        kind="tier_upgrade",
        status="open",
        defaults={"close_date": timezone.localdate() + datetime.timedelta(days=60)},
    )
    return opportunity


@dataclass(frozen=True)
class Row:
    url: object  # World -> path
    get: dict
    post: dict | None = None
    data: object = None  # World -> POST body
    content_type: str | None = None  # None: a form


def _request_exception_url(w):
    # One open request per account (issue 12): the world's own pending exception is
    # rejected first, or every request would be refused whoever asks.
    PriorityException.objects.filter(pk=w.exception.pk).update(status="rejected")
    return reverse("request_exception", args=[w.account.pk])


MATRIX = {
    # TAMs and managers land on Today; admins on the book (portal/today.py).
    "home": Row(lambda w: "/", each(TODAY, TODAY, TODAY, TODAY, BOOK, LOGIN)),
    "today": Row(lambda w: TODAY, each(200, 200, 200, 200, BOOK, LOGIN)),
    "login": Row(
        lambda w: reverse("login"),
        each(200, 200, 200, 200, 200, 200),
        # A wrong password: the form comes back with its error, whoever asks.
        post=each(200, 200, 200, 200, 200, 200),
        data=lambda w: {"username": w.owner.username, "password": "wrong"},
    ),
    "logout": Row(
        lambda w: reverse("logout"),
        each(405, 405, 405, 405, 405, LOGIN),
        post=each(LOGIN, LOGIN, LOGIN, LOGIN, LOGIN, LOGIN),
        data=lambda w: {},
    ),
    # Password reset (issue 11): open to everyone, the same answer for any address.
    "password_reset": Row(
        lambda w: reverse("password_reset"),
        OPEN,
        post=each(*[RESET_SENT] * 6),
        data=lambda w: {"email": w.owner.email},
    ),
    "password_reset_done": Row(lambda w: reverse("password_reset_done"), OPEN),
    # A link that is not one: the page says so (200), whoever asks.
    "password_reset_confirm": Row(
        lambda w: reverse("password_reset_confirm", args=["MQ", "not-a-token"]), OPEN
    ),
    "password_reset_complete": Row(lambda w: reverse("password_reset_complete"), OPEN),
    # The compose health checks poll it without credentials; it names no account.
    "health": Row(
        lambda w: reverse("health"),
        OPEN,
        post=each(405, 405, 405, 405, 405, 405),
        data=lambda w: {},
    ),
    "book": Row(lambda w: reverse("book"), EVERYONE_SIGNED_IN),
    "book_export": Row(lambda w: reverse("book_export"), EVERYONE_SIGNED_IN),
    "account_detail": Row(lambda w: reverse("account_detail", args=[w.account.pk]), IN_SCOPE),
    "account_timeline": Row(lambda w: reverse("account_timeline", args=[w.account.pk]), IN_SCOPE),
    "log_activity": Row(
        lambda w: reverse("log_activity", args=[w.account.pk, "cadence-call"]),
        POST_ONLY,
        post=each(ACCOUNT_PAGE, 404, ACCOUNT_PAGE, 404, ACCOUNT_PAGE, LOGIN),
        data=lambda w: {"call-occurred_on": _today(), "call-notes": "Roadmap review."},
    ),
    # Correcting an entry (issue 12 point 3): who logged it (here the manager), the team's
    # manager or an admin; the account's TAM sees it but gets 403.
    "edit_entry": Row(
        lambda w: reverse("edit_entry", args=[w.account.pk, _managers_entry(w).pk]),
        each(403, 404, 200, 404, 200, LOGIN),
        post=each(403, 404, ACCOUNT_PAGE, 404, ACCOUNT_PAGE, LOGIN),
        data=lambda w: {"occurred_on": _today(), "notes": "Covered for the TAM; roadmap."},
    ),
    "remove_entry": Row(
        lambda w: reverse("remove_entry", args=[w.account.pk, _managers_entry(w).pk]),
        POST_ONLY,
        post=each(403, 404, ACCOUNT_PAGE, 404, ACCOUNT_PAGE, LOGIN),
        data=lambda w: {},
    ),
    # Keeping a priority fact (issue 12 point 2): whoever sees the account, with a comment.
    "set_fact": Row(
        lambda w: reverse("set_fact", args=[w.account.pk, "at-risk"]),
        POST_ONLY,
        post=each(ACCOUNT_PAGE, 404, ACCOUNT_PAGE, 404, ACCOUNT_PAGE, LOGIN),
        data=lambda w: {
            "fact-at-risk-value": "no" if Account.objects.get(pk=w.account.pk).at_risk else "yes",
            "fact-at-risk-comment": "Champion left.",
        },
    ),
    # The initiatives and opportunities the TAM keeps: the same scope as the facts.
    "add_initiative": Row(
        lambda w: reverse("add_initiative", args=[w.account.pk]),
        POST_ONLY,
        post=each(ACCOUNT_PAGE, 404, ACCOUNT_PAGE, 404, ACCOUNT_PAGE, LOGIN),
        data=lambda w: {
            "initiative-new-kind": "stage_adoption",
            "initiative-new-hours": "4",
            "initiative-new-comment": "Adopting Secure.",
        },
    ),
    "change_initiative": Row(
        lambda w: reverse("change_initiative", args=[w.account.pk, _owners_initiative(w).pk]),
        POST_ONLY,
        post=each(ACCOUNT_PAGE, 404, ACCOUNT_PAGE, 404, ACCOUNT_PAGE, LOGIN),
        data=lambda w: {
            f"initiative-{_owners_initiative(w).pk}-hours": "5",
            f"initiative-{_owners_initiative(w).pk}-status": "active",
            f"initiative-{_owners_initiative(w).pk}-comment": "Migration grew.",
        },
    ),
    "change_opportunity": Row(
        lambda w: reverse("change_opportunity", args=[w.account.pk, _owners_opportunity(w).pk]),
        POST_ONLY,
        post=each(ACCOUNT_PAGE, 404, ACCOUNT_PAGE, 404, ACCOUNT_PAGE, LOGIN),
        data=lambda w: {
            f"opportunity-{_owners_opportunity(w).pk}-close_date": "2030-01-31",
            f"opportunity-{_owners_opportunity(w).pk}-status": "open",
            f"opportunity-{_owners_opportunity(w).pk}-comment": "Budget moved.",
        },
    ),
    "request_exception": Row(
        _request_exception_url,
        POST_ONLY,
        post=each(ACCOUNT_PAGE, 404, ACCOUNT_PAGE, 404, ACCOUNT_PAGE, LOGIN),
        data=lambda w: {"requested_priority": "1", "justification": "Key logo."},
    ),
    "propose_review": Row(
        lambda w: reverse("propose_review", args=[w.account.pk]),
        POST_ONLY,
        post=each(ACCOUNT_PAGE, 404, ACCOUNT_PAGE, 404, ACCOUNT_PAGE, LOGIN),
        data=lambda w: {"proposed_priority": "2", "justification": "Steady."},
    ),
    "decide_exception": Row(
        lambda w: reverse("decide_exception", args=[w.exception.pk]),
        POST_ONLY,
        post=DECIDERS,
        data=lambda w: {"decision": "approve", "comment": ""},
    ),
    # The triage register (DESIGN 11): whoever sees the account writes its case; the
    # register lists the cases in scope (empty for the other team, not a 404).
    "triage_register": Row(lambda w: reverse("triage_register"), EVERYONE_SIGNED_IN),
    "triage_register_csv": Row(lambda w: reverse("triage_register_csv"), EVERYONE_SIGNED_IN),
    "triage_open": Row(
        lambda w: reverse("triage_open", args=[w.account.pk]),
        POST_ONLY,
        post=each(ACCOUNT_PAGE, 404, ACCOUNT_PAGE, 404, ACCOUNT_PAGE, LOGIN),
        data=lambda w: {
            "reason": "budget",
            "classification": "expected_avoidable",
            "arr_at_risk": "0",
            "note": "Budget cut.",
        },
    ),
    **{
        name: Row(
            lambda w, name=name: reverse(name, args=[_owners_case(w).pk]),
            POST_ONLY,
            post=each(ACCOUNT_PAGE, 404, ACCOUNT_PAGE, 404, ACCOUNT_PAGE, LOGIN),
            data=lambda w, data=data: data,
        )
        for name, data in [
            ("triage_update", {"note": "Call with the sponsor."}),
            ("triage_propose_will_churn", {"note": "Moving to a competitor."}),
            ("triage_close", {"outcome": "saved", "comment": "Renewed."}),
        ]
    },
    # Will churn is the owner's proposal: the team's manager or an admin signs it off.
    "triage_decide_will_churn": Row(
        lambda w: reverse("triage_decide_will_churn", args=[_owners_case(w, proposed=True).pk]),
        POST_ONLY,
        post=DECIDERS,
        data=lambda w: {"decision": "sign_off", "comment": ""},
    ),
    "decide_review": Row(
        lambda w: reverse("decide_review", args=[w.review.pk]),
        POST_ONLY,
        post=DECIDERS,
        data=lambda w: {"decision": "approve", "decided_priority": "", "comment": ""},
    ),
    # The owner's team: its TAM reads it (DESIGN section 1: "read-only views of their
    # team's dashboards"); the other team's TAM and manager get 404.
    **{
        f"api:{name}": Row(url, cells)
        for name, url, cells in [
            ("accounts", lambda w: "/api/v1/accounts/", API_SIGNED_IN),
            ("account", lambda w: f"/api/v1/accounts/{w.account.external_id}/", API_IN_SCOPE),
            (
                "account_explanation",
                lambda w: f"/api/v1/accounts/{w.account.external_id}/explanation/",
                API_IN_SCOPE,
            ),
            (
                "account_assessments",
                lambda w: f"/api/v1/accounts/{w.account.external_id}/assessments/",
                API_IN_SCOPE,
            ),
            (
                "account_timeline",
                lambda w: f"/api/v1/accounts/{w.account.external_id}/timeline/",
                API_IN_SCOPE,
            ),
            ("metrics", lambda w: "/api/v1/metrics/", API_SIGNED_IN),
            ("burndown", lambda w: "/api/v1/burndown/pr1_cadence/", API_SIGNED_IN),
            ("schema", lambda w: "/api/v1/schema/", API_SIGNED_IN),
            ("docs", lambda w: "/api/v1/docs/", EVERYONE_SIGNED_IN),
            ("token", lambda w: f"/api/v1/tokens/{_owners_token(w).pk}/", API_OWN_TOKEN),
        ]
    },
    "api:tokens": Row(
        lambda w: "/api/v1/tokens/",
        API_SIGNED_IN,
        post=each(201, 201, 201, 201, 201, 401),
        data=lambda w: {"name": "nightly export"},
    ),
    # The API's writes (api/writes.py): admins and `write` keys only; a GET passes the
    # permission before it meets the missing method. Posted: one record of the owner's
    # account, so the admin's 200 is a real write.
    **{
        f"api:{kind}_bulk": Row(
            lambda w, kind=kind: f"/api/v1/{kind}/bulk/",
            API_WRITERS_GET,
            post=each(403, 403, 403, 403, 200, 401) if kind == "usage" else None,
            data=lambda w: json.dumps([_usage_record(w)]),
            content_type="application/json",
        )
        for kind in BULK_VIEWS
    },
    **{
        f"api:{kind}_record": Row(lambda w, kind=kind: f"/api/v1/{kind}/X-1/", API_WRITERS_GET)
        for kind in DELETE_VIEWS
    },
    "imports": Row(
        lambda w: reverse("imports"),
        ADMINS_ONLY,
        post=ADMINS_POST,
        data=lambda w: {
            "kind": "teams",
            "files": SimpleUploadedFile("teams.csv", b"name,region,manager_email\n"),
        },
    ),
    "import_detail": Row(lambda w: reverse("import_detail", args=[_an_import(w).pk]), ADMINS_ONLY),
    "import_progress": Row(
        lambda w: reverse("import_progress", args=[_an_import(w).pk]), ADMINS_ONLY
    ),
    "import_confirm": Row(
        lambda w: reverse("import_confirm", args=[_an_import(w).pk]),
        POST_ONLY,
        post=ADMINS_POST,
        data=lambda w: {},
    ),
    "dashboard:index": Row(
        lambda w: reverse("dashboard:index") + f"?scope=team-{w.manager.managed_teams.get().pk}",
        each(200, 404, 200, 404, 200, LOGIN),
    ),
    # The dashboard's lists in full: the dashboard's scope (the owner reads their team's,
    # narrowed to their own accounts); another team's TAM and manager get 404.
    **{
        f"dashboard:{name}": Row(
            lambda w, name=name, arg=arg: (
                reverse(f"dashboard:{name}", args=[arg])
                + f"?scope=team-{w.manager.managed_teams.get().pk}"
            ),
            IN_SCOPE,
        )
        for name, arg in [
            ("burn_down_list", "pr1_cadence"),
            ("burn_down_csv", "pr1_cadence"),
            ("queue_list", "exceptions"),
            ("queue_csv", "reviews"),
        ]
    },
}

# More than one row for a URL: the key names the variant; test_get reads these too.
VARIANTS = {
    # No scope asked for: everyone signed in gets their own team (an admin the first one).
    "dashboard:index-own-team": Row(lambda w: reverse("dashboard:index"), EVERYONE_SIGNED_IN),
}

# The admin site: every URL of it is staff-only by Django's own admin_view; a sample shows
# our users cannot reach it, and that its forms carry CSRF (test_csrf_on_the_admin_forms).
ADMIN_MATRIX = {
    "admin:index": Row(lambda w: reverse("admin:index"), STAFF_ONLY | {"anonymous": ADMIN_LOGIN}),
    "admin:accounts_account_changelist": Row(
        lambda w: reverse("admin:accounts_account_changelist"), STAFF_ONLY
    ),
    "admin:accounts_account_change": Row(
        lambda w: reverse("admin:accounts_account_change", args=[w.account.pk]), STAFF_ONLY
    ),
    "admin:segments_segment_changelist": Row(
        lambda w: reverse("admin:segments_segment_changelist"), STAFF_ONLY
    ),
    "admin:prioritization_rulesetparameters_changelist": Row(
        lambda w: reverse("admin:prioritization_rulesetparameters_changelist"), STAFF_ONLY
    ),
}


def _url_names(patterns, namespace=""):
    """Every URL the resolver knows, as its reversible name (or its route if unnamed)."""
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            inner = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
            yield from _url_names(pattern.url_patterns, inner)
        elif isinstance(pattern, URLPattern):
            yield f"{namespace}{pattern.name or pattern.pattern}"


def test_every_url_has_a_row():
    app_urls = {name for name in _url_names(get_resolver().url_patterns)}
    own = {name for name in app_urls if not name.startswith("admin:")}
    assert own == set(MATRIX), "a URL was added or removed: give it a row in MATRIX"
    assert set(ADMIN_MATRIX) <= app_urls


def _client_for(world, role, **kwargs):
    client = Client(**kwargs)
    user = world.user(role)
    if user is not None:
        client.force_login(user)
    return client


def _check(response, expected, world):
    # Every answer, error and redirect included, carries the policy.
    assert "Content-Security-Policy" in response.headers
    if isinstance(expected, int):
        assert response.status_code == expected
    else:
        assert response.status_code == 302, f"expected a redirect to {expected}"
        assert response["Location"].startswith(expected.format(account=world.account.pk))


def _cells(matrix, method):
    for name, row in matrix.items():
        expected = row.get if method == "GET" else row.post
        if expected is None:
            continue
        for role in ROLES:
            yield pytest.param(name, role, expected[role], id=f"{name}-{method}-{role}")


GET_ROWS = MATRIX | VARIANTS | ADMIN_MATRIX


@pytest.mark.parametrize(("name", "role", "expected"), list(_cells(GET_ROWS, "GET")))
def test_get(world, name, role, expected):
    response = _client_for(world, role).get(GET_ROWS[name].url(world))
    _check(response, expected, world)


@pytest.mark.parametrize(("name", "role", "expected"), list(_cells(MATRIX, "POST")))
def test_post(world, name, role, expected):
    row = MATRIX[name]
    response = _post(_client_for(world, role), row, world)
    _check(response, expected, world)


def _post(client, row, world):
    if row.content_type:
        return client.post(row.url(world), row.data(world), content_type=row.content_type)
    return client.post(row.url(world), row.data(world))


def _posting_role(row):
    """A role whose POST gets through, so a 403 can only be the missing token."""
    return next(role for role in ("admin", "anonymous") if row.post[role] not in (403, 404))


@pytest.mark.parametrize("name", [name for name, row in MATRIX.items() if row.post])
def test_csrf_on_every_form(world, name):
    row = MATRIX[name]
    client = _client_for(world, _posting_role(row), enforce_csrf_checks=True)
    response = _post(client, row, world)
    assert response.status_code == 403
    assert b"CSRF" in response.content


def test_a_post_with_the_token_gets_through(world):
    """The other side of the CSRF check: the token from the page lets the form through."""
    client = _client_for(world, "manager", enforce_csrf_checks=True)
    page = client.get(reverse("account_detail", args=[world.account.pk]))
    token = page.context["csrf_token"]
    response = client.post(
        reverse("decide_exception", args=[world.exception.pk]),
        {"decision": "approve", "comment": "", "csrfmiddlewaretoken": str(token)},
    )
    assert response.status_code == 302
    world.exception.refresh_from_db()
    assert world.exception.status == "approved"


@pytest.mark.parametrize(
    "url",
    [
        lambda w: reverse("admin:segments_segment_change", args=[1]),
        lambda w: reverse("admin:accounts_account_change", args=[w.account.pk]),
        lambda w: reverse("admin:login"),
    ],
    ids=["segment-change", "account-change", "admin-login"],
)
def test_csrf_on_the_admin_forms(world, url):
    client = _client_for(world, "admin", enforce_csrf_checks=True)
    response = client.post(url(world), {})
    assert response.status_code == 403
    assert b"CSRF" in response.content


class _PostForms(HTMLParser):
    """Collects, for each <form method="post">, whether it holds the CSRF token field."""

    def __init__(self):
        super().__init__()
        self.forms = []  # [action, has_token]

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form" and (attrs.get("method") or "").lower() == "post":
            self.forms.append([attrs.get("action"), False])
        elif tag == "input" and attrs.get("name") == "csrfmiddlewaretoken" and self.forms:
            self.forms[-1][1] = True


@pytest.mark.parametrize(
    ("role", "url"),
    [
        ("anonymous", lambda w: reverse("login")),
        ("owner", lambda w: reverse("book")),
        ("manager", lambda w: reverse("account_detail", args=[w.account.pk])),
        ("manager", lambda w: reverse("dashboard:index")),
        ("owner", lambda w: reverse("dashboard:index")),
        ("admin", lambda w: reverse("imports")),
        ("admin", lambda w: reverse("import_detail", args=[_an_import(w).pk])),
    ],
    ids=[
        "login",
        "book",
        "account-page",
        "dashboard",
        "dashboard-read-only",
        "imports",
        "import-preview",
    ],
)
def test_every_post_form_on_the_pages_carries_the_token(world, role, url):
    response = _client_for(world, role).get(url(world))
    parser = _PostForms()
    parser.feed(response.content.decode())
    assert parser.forms, "the page has at least one POST form (log out, or the login form)"
    assert [action for action, has_token in parser.forms if not has_token] == []


@pytest.mark.parametrize("role", ["owner", "other_tam"])
def test_a_tams_dashboard_has_no_decision_forms(world, role):
    """The queue of the owner's team holds an exception and a proposal on the owner's own
    account: the owner sees them listed, but only a manager or an admin gets the forms."""
    page = _client_for(world, role).get(reverse("dashboard:index")).content.decode()
    parser = _PostForms()
    parser.feed(page)
    assert [action for action, _ in parser.forms] == [reverse("logout")]
    assert reverse("decide_exception", args=[world.exception.pk]) not in page
    assert ("Owner&#x27;s Account" in page) is (role == "owner")


@pytest.mark.parametrize(
    ("role", "sees"),
    [
        ("owner", True),
        ("other_tam", False),
        ("manager", True),
        ("other_manager", False),
        ("admin", True),
    ],
)
def test_the_book_and_its_export_list_only_accounts_in_scope(world, role, sees):
    client = _client_for(world, role)
    page = client.get(reverse("book")).content.decode()
    export = b"".join(client.get(reverse("book_export")).streaming_content).decode()
    assert ("Owner&#x27;s Account" in page) is sees
    assert ("Owner's Account" in export) is sees


EXPECTED_POLICY = {
    "default-src": {"'self'"},
    "script-src": {"'self'"},
    "style-src": {"'self'"},
    "img-src": {"'self'", "data:"},
    "object-src": {"'none'"},
    "base-uri": {"'self'"},
    "frame-ancestors": {"'none'"},
    "form-action": {"'self'"},
}


def test_pages_send_the_content_security_policy(world):
    response = _client_for(world, "owner").get(reverse("account_detail", args=[world.account.pk]))
    header = response.headers["Content-Security-Policy"]
    directives = {}
    for part in header.split(";"):
        name, *sources = part.split()
        directives[name] = set(sources)
    # Nothing inline is allowed anywhere: no 'unsafe-inline', no nonce, no hash.
    assert directives == EXPECTED_POLICY


# --- the API with its own credentials -----------------------------------------------------
# The same rows, called with `Authorization: Bearer`: the users' personal tokens, an
# integration key with the read scope (every account), one with only `write` (no reads),
# and a revoked key. Pages for people (the docs) answer a token with the login page.
CREDENTIALS = ("owner", "other_tam", "manager", "admin", "read_key", "write_key", "revoked_key")


def creds(owner, other_tam, manager, admin, read_key, write_key, revoked_key):
    return dict(
        owner=owner,
        other_tam=other_tam,
        manager=manager,
        admin=admin,
        read_key=read_key,
        write_key=write_key,
        revoked_key=revoked_key,
    )


BEARER_SIGNED_IN = creds(200, 200, 200, 200, 200, 403, 401)
BEARER_MATRIX = {
    "api:accounts": BEARER_SIGNED_IN,
    "api:account": creds(200, 404, 200, 200, 200, 403, 401),
    "api:account_explanation": creds(200, 404, 200, 200, 200, 403, 401),
    "api:account_assessments": creds(200, 404, 200, 200, 200, 403, 401),
    "api:account_timeline": creds(200, 404, 200, 200, 200, 403, 401),
    "api:metrics": BEARER_SIGNED_IN,
    "api:burndown": BEARER_SIGNED_IN,
    # The schema describes the API to anyone who holds a working credential.
    "api:schema": creds(200, 200, 200, 200, 200, 200, 401),
    "api:docs": creds(LOGIN, LOGIN, LOGIN, LOGIN, LOGIN, LOGIN, LOGIN),
    "api:tokens": creds(200, 200, 200, 200, 403, 403, 401),
    "api:token": creds(200, 404, 404, 404, 403, 403, 401),
    # A GET of a write URL: refused to people who may not write, else the missing method.
    **{f"api:{kind}_bulk": creds(403, 403, 403, 405, 405, 405, 401) for kind in BULK_VIEWS},
    **{f"api:{kind}_record": creds(403, 403, 403, 405, 405, 405, 401) for kind in DELETE_VIEWS},
}


def test_every_api_url_has_a_bearer_row():
    assert set(BEARER_MATRIX) == {name for name in MATRIX if name.startswith("api:")}


def _bearer_token(world, credential) -> str:
    if credential.endswith("_key"):
        key = IntegrationKey(name=credential, can_read=credential != "write_key", can_write=True)
        token = key.issue()
        key.save()
        if credential == "revoked_key":
            key.revoke()
        return token
    personal = PersonalToken(user=world.user(credential), name="matrix")
    token = personal.issue()
    personal.save()
    return token


@pytest.mark.parametrize(
    ("name", "credential", "expected"),
    [
        pytest.param(name, credential, row[credential], id=f"{name}-{credential}")
        for name, row in BEARER_MATRIX.items()
        for credential in CREDENTIALS
    ],
)
def test_api_with_bearer_credentials(world, name, credential, expected):
    client = Client(headers={"Authorization": f"Bearer {_bearer_token(world, credential)}"})
    response = client.get(MATRIX[name].url(world))
    _check(response, expected, world)
